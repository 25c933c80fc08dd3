import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { MailerService } from '../notifications/mailer.service.js';

const MIB = 1024 * 1024;
const ALERT_EVERY_MS = 24 * 3600_000;
const ALERT_ACTION = 'backups.quota-exceeded';

export interface QuotaState {
  usedBytes: number;
  limitBytes: number;
}

interface SiteOfMember {
  memberId: string;
  primaryDomain: string;
}

/**
 * BACKUP_QUOTA_MB per member, counted from the recorded runs: the bytes each
 * kept backup added (deduplicated for restic, the archive for member
 * custody). Runs removed by retention or deletion stop counting.
 */
@Injectable()
export class BackupQuota {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The member's usage when it has reached its quota, else undefined. */
  async exceeded(memberId: string): Promise<QuotaState | undefined> {
    const limitBytes = this.config.limits.backupQuotaMb * MIB;
    if (limitBytes === 0) return undefined;
    const [row] = await this.prisma.$queryRaw<{ used: bigint | null }[]>`
      SELECT SUM(r.bytes_added) AS used FROM backup_runs r JOIN sites s ON s.id = r.site_id
      WHERE s.member_id = ${memberId}::uuid AND r.kind = 'backup' AND r.status = 'succeeded' AND r.deleted_at IS NULL`;
    const usedBytes = Number(row?.used ?? 0);
    return usedBytes >= limitBytes ? { usedBytes, limitBytes } : undefined;
  }

  /** Mails the member's contact and staff, at most once a day per member; the audit trail remembers when. */
  async alert(site: SiteOfMember, state: QuotaState): Promise<void> {
    const recent = await this.prisma.auditEvent.findFirst({
      where: { action: ALERT_ACTION, targetType: 'member', targetId: site.memberId, at: { gt: new Date(Date.now() - ALERT_EVERY_MS) } },
      select: { id: true },
    });
    if (recent) return;
    await this.audit.record(SYSTEM_ACTOR, { action: ALERT_ACTION, targetType: 'member', targetId: site.memberId, changes: { ...inMib(state) } });
    const member = await this.prisma.member.findUnique({ where: { id: site.memberId }, select: { contactEmail: true } });
    await this.mailer.send({
      subject: `[hostkeeper] backup storage full: no new backups for ${site.primaryDomain}`,
      text:
        `The backups of your sites use ${inMib(state).usedMb} MiB of the ${inMib(state).limitMb} MiB you have. ` +
        `No new backup is taken until some space is freed: keep fewer backups (keepDaily, keepWeekly, keepMonthly), ` +
        `or ask the host for more room. Existing backups are untouched.\n`,
      memberEmail: member?.contactEmail,
    });
  }
}

export function inMib(state: QuotaState): { usedMb: number; limitMb: number } {
  return { usedMb: Math.ceil(state.usedBytes / MIB), limitMb: Math.round(state.limitBytes / MIB) };
}
