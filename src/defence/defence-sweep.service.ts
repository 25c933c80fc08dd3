import { Injectable } from '@nestjs/common';
import { DEFENCE_WARNING_MS } from '../../jobs/catalog.js';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { MailerService } from '../notifications/mailer.service.js';
import { endedAlert, endingSoonAlert } from './defence-alerts.js';

export interface DefenceSweepSummary {
  warned: number;
  lapsed: number;
}

const SITE = { select: { primaryDomain: true, member: { select: { contactEmail: true } } } } as const;

/**
 * Tells members before their defence ends, then switches it off. Each
 * row is claimed with a conditional update, so two sweeps at once neither
 * mail twice nor switch off twice.
 */
@Injectable()
export class DefenceSweep {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly operations: OperationsService,
    private readonly mailer: MailerService,
  ) {}

  async run(now = new Date()): Promise<DefenceSweepSummary> {
    return { warned: await this.warn(now), lapsed: await this.lapse(now) };
  }

  private async warn(now: Date): Promise<number> {
    const due = await this.prisma.siteDefence.findMany({
      where: { level: { not: 'off' }, warnedAt: null, until: { gt: now, lte: new Date(now.getTime() + DEFENCE_WARNING_MS) } },
      include: { site: SITE },
    });
    let warned = 0;
    for (const row of due) {
      const claimed = await this.prisma.siteDefence.updateMany({ where: { siteId: row.siteId, warnedAt: null, until: row.until }, data: { warnedAt: now } });
      if (claimed.count === 0 || !row.until) continue;
      await this.mailer.send(endingSoonAlert(row.site, row.level, row.until));
      warned += 1;
    }
    return warned;
  }

  private async lapse(now: Date): Promise<number> {
    const due = await this.prisma.siteDefence.findMany({ where: { level: { not: 'off' }, until: { lte: now } }, include: { site: SITE } });
    let lapsed = 0;
    for (const row of due) {
      const operation = await this.prisma.$transaction(async (tx) => {
        const claimed = await tx.siteDefence.updateMany({ where: { siteId: row.siteId, level: row.level, until: row.until }, data: { level: 'off', until: null, warnedAt: null } });
        if (claimed.count === 0) return undefined;
        const changes = { level: 'off', lapsed: row.level, until: row.until };
        await this.audit.record(SYSTEM_ACTOR, { action: 'defence.lapsed', targetType: 'site', targetId: row.siteId, changes }, tx);
        return this.operations.create(tx, SYSTEM_ACTOR, { kind: 'defence.apply', siteId: row.siteId, targetType: 'site', payload: changes });
      });
      if (!operation) continue;
      await this.operations.enqueue(operation);
      await this.mailer.send(endedAlert(row.site, row.level));
      lapsed += 1;
    }
    return lapsed;
  }
}
