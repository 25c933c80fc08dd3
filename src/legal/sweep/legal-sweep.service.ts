import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { SYSTEM_ACTOR } from '../../core/auth/actor.js';
import { AuditService } from '../../core/audit/audit.service.js';
import { PrismaService } from '../../core/database/prisma.service.js';
import { MailerService } from '../../notifications/mailer.service.js';
import { day, deskAlert } from '../legal-alerts.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Gags are revisited a week before their review date. */
const GAG_REVIEW_LEAD_MS = 7 * DAY;

interface Due {
  subject: string;
  kind: string;
  dueAt: Date;
  subjectLine: string;
  lines: string[];
}

export interface SweepResult {
  reminders: number;
  gagsLifted: number;
}

/**
 * Runs on the clock it is given: reminds legal and staff before each notice's
 * deadline and when it has passed, before a gag's review date, and before the
 * canary lapses; lifts gags whose review date has come. Each reminder goes out
 * once (recorded in Postgres), however many sweeps run.
 */
@Injectable()
export class LegalSweepService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async sweep(now: Date): Promise<SweepResult> {
    const gagsLifted = await this.liftGags(now);
    const due = [...(await this.deadlines(now)), ...(await this.gagReviews(now)), ...(await this.canary(now))];
    let reminders = 0;
    for (const item of due) if (await this.remind(item)) reminders++;
    return { reminders, gagsLifted };
  }

  private async deadlines(now: Date): Promise<Due[]> {
    const notices = await this.prisma.legalNotice.findMany({
      where: { status: { not: 'resolved' }, deadline: { not: null, lte: new Date(now.getTime() + DAY) } },
      include: { site: { select: { primaryDomain: true } } },
    });
    return notices.flatMap((notice) => {
      const deadline = notice.deadline!;
      const lead = Math.min(DAY, (deadline.getTime() - notice.receivedAt.getTime()) / 2);
      const about = `${notice.type} notice for ${notice.site.primaryDomain}`;
      if (deadline <= now) {
        return [{ subject: `notice:${notice.id}`, kind: 'deadline-passed', dueAt: deadline, subjectLine: `OVERDUE: ${about}, deadline was ${day(deadline)}`, lines: [`The deadline of the ${about} (${notice.status}) passed at ${day(deadline)}.`, `Notice ${notice.id}.`] }];
      }
      if (deadline.getTime() - lead <= now.getTime()) {
        return [{ subject: `notice:${notice.id}`, kind: 'deadline-soon', dueAt: deadline, subjectLine: `due ${day(deadline)}: ${about}`, lines: [`The ${about} (${notice.status}) is due at ${day(deadline)}.`, `Notice ${notice.id}.`] }];
      }
      return [];
    });
  }

  private async gagReviews(now: Date): Promise<Due[]> {
    const gagged = await this.prisma.legalNotice.findMany({ where: { gaggedUntil: { gt: now, lte: new Date(now.getTime() + GAG_REVIEW_LEAD_MS) } } });
    return gagged.map((notice) => ({
      subject: `notice:${notice.id}`,
      kind: 'gag-review',
      dueAt: notice.gaggedUntil!,
      subjectLine: `gag order review due ${day(notice.gaggedUntil!)}`,
      lines: [
        `The gag on ${notice.type} notice ${notice.id} reaches its review date at ${day(notice.gaggedUntil!)}.`,
        'Then the member and the public will see it. If the order still binds, set a new review date (PATCH /api/legal/notices/:id {gaggedUntil}).',
      ],
    }));
  }

  private async canary(now: Date): Promise<Due[]> {
    const latest = await this.prisma.canaryStatement.findFirst({ orderBy: { issuedAt: 'desc' } });
    if (!latest) return [];
    const subject = `canary:${latest.id}`;
    if (latest.expiresAt <= now) {
      return [{ subject, kind: 'canary-lapsed', dueAt: latest.expiresAt, subjectLine: 'the warrant canary has lapsed', lines: [`The warrant canary expired at ${day(latest.expiresAt)}; /canary now says it has lapsed.`] }];
    }
    if (latest.expiresAt.getTime() - this.config.legal.canaryRemindDays * DAY <= now.getTime()) {
      return [
        {
          subject,
          kind: 'canary-expiring',
          dueAt: latest.expiresAt,
          subjectLine: `the warrant canary expires ${day(latest.expiresAt)}`,
          lines: [`The warrant canary expires at ${day(latest.expiresAt)}.`, 'If the statement is still true, publish a new one (POST /api/legal/canary) before then.'],
        },
      ];
    }
    return [];
  }

  /** The review date has come: the gag no longer hides the notice. */
  private async liftGags(now: Date): Promise<number> {
    const lapsed = await this.prisma.legalNotice.findMany({ where: { gaggedUntil: { lte: now } }, select: { id: true, gaggedUntil: true } });
    for (const notice of lapsed) {
      await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.legalNotice.updateMany({ where: { id: notice.id, gaggedUntil: notice.gaggedUntil }, data: { gaggedUntil: null } });
        if (count === 1) {
          await this.audit.record(SYSTEM_ACTOR, { action: 'legal.notice.gag-lifted', targetType: 'legal_notice', targetId: notice.id, changes: { reviewDate: notice.gaggedUntil!.toISOString() } }, tx);
        }
      });
    }
    return lapsed.length;
  }

  /** Recorded first, so a second sweep does not send it again; forgotten again if the mail did not go. */
  private async remind(item: Due): Promise<boolean> {
    const { count } = await this.prisma.legalReminder.createMany({ data: [{ subject: item.subject, kind: item.kind, dueAt: item.dueAt }], skipDuplicates: true });
    if (count === 0) return false;
    const sent = await this.mailer.send(deskAlert(this.config, item.subjectLine, item.lines));
    if (!sent) await this.prisma.legalReminder.deleteMany({ where: { subject: item.subject, kind: item.kind, dueAt: item.dueAt } });
    return sent;
  }
}
