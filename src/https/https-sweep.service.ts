import { Injectable, Logger } from '@nestjs/common';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { MailerService } from '../notifications/mailer.service.js';
import { expiringAlert } from './https-alerts.js';
import { RenewalPlanner } from './renewal-planner.service.js';
import { isInFlightConflict, pendingHttpsOperation } from './https.service.js';

const DAY = 86_400_000;
const EXPIRY_WARNING_DAYS = 7;
const BATCH = 500;

/** At most this many renewalInfo re-reads per sweep; the rest wait for the next one (10 minutes). */
const ARI_RECHECKS_PER_SWEEP = 20_000;

export interface SweepResult {
  ariRechecked: number;
  renewalsQueued: number;
  expiryAlerts: number;
}

/**
 * Re-reads the CA's renewal windows that are due (indexed on ari_check_at),
 * then finds certificates due for renewal (indexed on renew_at) and those
 * close to expiry: a window the CA shortened is renewed in the same sweep.
 */
@Injectable()
export class HttpsSweep {
  private readonly logger = new Logger(HttpsSweep.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly operations: OperationsService,
    private readonly audit: AuditService,
    private readonly mailer: MailerService,
    private readonly planner: RenewalPlanner,
  ) {}

  async run(now = new Date()): Promise<SweepResult> {
    const ariRechecked = await this.recheckWindows(now);
    return { ariRechecked, renewalsQueued: await this.queueRenewals(now), expiryAlerts: await this.alertExpiring(now) };
  }

  async recheckWindows(now: Date): Promise<number> {
    let total = 0;
    while (total < ARI_RECHECKS_PER_SWEEP) {
      const done = await this.planner.recheckDue(now, BATCH);
      total += done;
      if (done < BATCH) break;
    }
    return total;
  }

  private async queueRenewals(now: Date): Promise<number> {
    const due = await this.prisma.httpsState.findMany({
      where: { enabled: true, renewAt: { lte: now }, OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
      orderBy: { renewAt: 'asc' },
      take: BATCH,
      select: { siteId: true },
    });
    let queued = 0;
    for (const { siteId } of due) {
      const operation = await this.queueRenewal(siteId);
      if (!operation) continue;
      await this.operations.enqueue(operation);
      queued += 1;
    }
    if (queued > 0) this.logger.log(`${queued} certificate renewal(s) queued`);
    return queued;
  }

  /** Undefined when another HTTPS operation of the site is in flight (the unique index may be the one saying so). */
  private async queueRenewal(siteId: string): Promise<{ id: string; kind: 'https.renew' } | undefined> {
    if (await pendingHttpsOperation(this.prisma, siteId)) return undefined;
    try {
      return await this.prisma.$transaction(async (tx) => {
        await this.audit.record(SYSTEM_ACTOR, { action: 'https.renew', targetType: 'site', targetId: siteId }, tx);
        const { id } = await this.operations.create(tx, SYSTEM_ACTOR, { kind: 'https.renew', siteId, targetType: 'site' });
        return { id, kind: 'https.renew' as const };
      });
    } catch (error) {
      if (isInFlightConflict(error)) return undefined;
      throw error;
    }
  }

  private async alertExpiring(now: Date): Promise<number> {
    const expiring = await this.prisma.httpsState.findMany({
      where: { enabled: true, notAfter: { lte: new Date(now.getTime() + EXPIRY_WARNING_DAYS * DAY) }, expiryAlertedAt: null },
      take: BATCH,
      select: { siteId: true, notAfter: true, site: { select: { primaryDomain: true, member: { select: { contactEmail: true } } } } },
    });
    for (const state of expiring) {
      await this.mailer.send(expiringAlert(state.site, state.notAfter!));
      await this.prisma.$transaction(async (tx) => {
        await tx.httpsState.update({ where: { siteId: state.siteId }, data: { expiryAlertedAt: now } });
        await this.audit.record(SYSTEM_ACTOR, { action: 'https.expiry_alert', targetType: 'site', targetId: state.siteId, changes: { notAfter: state.notAfter } }, tx);
      });
    }
    return expiring.length;
  }
}
