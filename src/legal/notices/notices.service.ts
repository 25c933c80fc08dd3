import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { Actor } from '../../core/auth/actor.js';
import { AuditService } from '../../core/audit/audit.service.js';
import { PrismaService, Tx } from '../../core/database/prisma.service.js';
import { AppException } from '../../core/errors/app.exception.js';
import { DEFAULT_PAGE_LIMIT } from '../../core/paging/page-limit.js';
import { MailerService } from '../../notifications/mailer.service.js';
import { SiteAccess } from '../../sites/site-access.service.js';
import { LegalClock } from '../clock.js';
import { day, deskAlert } from '../legal-alerts.js';
import type { CreateNoticeDto, ListNoticesQuery, TransitionNoticeDto, UpdateNoticeDto } from '../legal.dto.js';
import { checkTransition, NoticeStatus } from './notice-states.js';
import { actionFor, COUNTER_NOTICE_WINDOW_MS, DEFAULT_DEADLINE_MS, noticeType } from './notice-types.js';
import { deskView, isGagged, memberView, NoticeRow } from './notice.views.js';

const OPEN_CASES = ['open', 'in_review', 'action_required'] as const;

@Injectable()
export class NoticesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly access: SiteAccess,
    private readonly mailer: MailerService,
    private readonly clock: LegalClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A notice puts the site in front of the lawyers: it opens a case if none is open (unless gagged: the member would see the case). */
  async record(actor: Actor, siteId: string, input: CreateNoticeDto) {
    const type = noticeType(input.type);
    const received = new Date(input.received);
    const deadline = input.deadline ? new Date(input.deadline) : new Date(received.getTime() + DEFAULT_DEADLINE_MS[type]);
    if (deadline < received) throw AppException.invalid('deadline before the notice arrived', [{ field: 'deadline', problems: ['must not be before received'] }]);
    const resolved = input.outcome !== undefined && input.outcome !== 'pending';
    const gaggedUntil = input.gaggedUntil ? new Date(input.gaggedUntil) : null;
    const now = this.clock.now();
    const notice = await this.prisma.$transaction(async (tx) => {
      const site = await this.access.require(actor, siteId, tx);
      const row = await tx.legalNotice.create({
        data: {
          siteId,
          type,
          receivedAt: received,
          deadline,
          sender: input.sender ?? null,
          senderRole: input.senderRole ?? null,
          jurisdiction: input.jurisdiction ?? null,
          outcome: input.outcome ?? 'pending',
          status: resolved ? 'resolved' : 'received',
          actionTaken: input.actionTaken ?? (resolved ? actionFor(input.outcome!) : null),
          gaggedUntil,
          publish: input.publish ?? false,
          publishAfter: input.publishAfter ? new Date(input.publishAfter) : null,
          summary: input.summary ?? null,
          notes: input.notes ?? null,
        },
      });
      const open = await tx.legalCase.findFirst({ where: { siteId, status: { in: [...OPEN_CASES] } } });
      if (!open && !resolved && !isGagged(row, now)) {
        await tx.legalCase.create({ data: { siteId, kind: 'notice', riskScore: 100, reasons: [`legal notice received: ${type}`], status: 'action_required' } });
      }
      await this.audit.record(
        actor,
        { action: 'legal.notice.create', targetType: 'legal_notice', targetId: row.id, changes: { siteId, type, received: received.toISOString(), deadline: deadline.toISOString(), gaggedUntil: gaggedUntil?.toISOString() ?? null } },
        tx,
      );
      return { row, domain: site.primaryDomain };
    });
    await this.mailer.send(
      deskAlert(this.config, `${notice.row.type} notice for ${notice.domain}, due ${day(deadline)}`, [
        `A ${type} notice about ${notice.domain} was recorded (received ${day(received)}).`,
        `Deadline: ${day(deadline)}.`,
        gaggedUntil ? `Under a gag order until ${day(gaggedUntil)}: do not tell the member.` : 'Move it to triage, then tell the member.',
      ]),
    );
    return deskView(notice.row, now);
  }

  async list(query: ListNoticesQuery) {
    const rows = await this.prisma.legalNotice.findMany({
      where: { ...(query.status ? { status: query.status } : {}), ...(query.type ? { type: query.type } : {}) },
      orderBy: [{ deadline: 'asc' }, { receivedAt: 'asc' }],
      take: query.limit ?? DEFAULT_PAGE_LIMIT,
    });
    const now = this.clock.now();
    return rows.map((row) => deskView(row, now));
  }

  /** A member sees the notices about its own site, except those under a gag order; the desk sees all. */
  async forSite(actor: Actor, siteId: string) {
    await this.access.require(actor, siteId);
    const rows = await this.prisma.legalNotice.findMany({ where: { siteId }, orderBy: { receivedAt: 'desc' } });
    const now = this.clock.now();
    if (actor.role !== 'member') return rows.map((row) => deskView(row, now));
    return rows.filter((row) => !isGagged(row, now)).map(memberView);
  }

  async transition(actor: Actor, id: string, input: TransitionNoticeDto) {
    if (input.to === 'resolved' && !input.outcome) {
      throw AppException.invalid('a resolved notice needs its outcome', [{ field: 'outcome', problems: ['required when to is resolved'] }]);
    }
    const now = this.clock.now();
    const row = await this.prisma.$transaction((tx) => this.applyTransition(tx, actor, id, input, now)).catch((error: unknown) => {
      // Someone else moved it between our read and our write.
      if ((error as { code?: string }).code === 'P2025') throw AppException.conflict('the notice changed meanwhile; read it again', { to: input.to });
      throw error;
    });
    if (input.to === 'member_told') await this.tellMember(row);
    return deskView(row, now);
  }

  /** The step is named for what it does: the member hears of the notice, not of its sender or the desk's notes. */
  private async tellMember(notice: NoticeRow) {
    const site = await this.prisma.site.findUniqueOrThrow({ where: { id: notice.siteId }, select: { primaryDomain: true, member: { select: { contactEmail: true } } } });
    await this.mailer.send({
      subject: `[hostkeeper legal] a ${notice.type} notice about ${site.primaryDomain}`,
      text: [
        `The host received a ${notice.type} notice about ${site.primaryDomain} on ${day(notice.receivedAt)}${notice.jurisdiction ? ` (${notice.jurisdiction})` : ''}.`,
        notice.deadline ? `It asks for an answer by ${day(notice.deadline)}. The host's lawyers are on it and will tell you what, if anything, you need to do.` : '',
        `You can follow it with GET /api/sites/${notice.siteId}/legal-notices.`,
      ].join('\n'),
      memberEmail: site.member.contactEmail,
    });
  }

  private async applyTransition(tx: Tx, actor: Actor, id: string, input: TransitionNoticeDto, now: Date) {
    const existing = await tx.legalNotice.findUnique({ where: { id } });
    if (!existing) throw AppException.notFound('legal notice');
    const from = existing.status as NoticeStatus;
    const verdict = checkTransition(from, input.to, isGagged(existing, now));
    if (!verdict.ok) throw AppException.conflict(verdict.reason, { from, to: input.to });
    const updated = await tx.legalNotice.update({ where: { id, status: from }, data: { status: input.to, ...this.transitionData(existing, input, now) } });
    const changes = { from, to: input.to, outcome: updated.outcome, actionTaken: updated.actionTaken, deadline: updated.deadline?.toISOString() ?? null };
    await this.audit.record(actor, { action: 'legal.notice.transition', targetType: 'legal_notice', targetId: id, changes }, tx);
    return updated;
  }

  private transitionData(existing: NoticeRow, input: TransitionNoticeDto, now: Date) {
    const note = input.note ? `${existing.notes ? `${existing.notes}\n` : ''}[${now.toISOString()} ${input.to}] ${input.note}` : undefined;
    return {
      ...(note !== undefined ? { notes: note } : {}),
      // The counter-notice window opens when it is filed.
      ...(input.to === 'counter_notice' ? { deadline: new Date(now.getTime() + COUNTER_NOTICE_WINDOW_MS) } : {}),
      ...(input.to === 'resolved' ? { outcome: input.outcome!, actionTaken: input.actionTaken ?? actionFor(input.outcome!) } : {}),
    };
  }

  async update(actor: Actor, id: string, input: UpdateNoticeDto) {
    const data = {
      ...(input.gaggedUntil !== undefined ? { gaggedUntil: input.gaggedUntil === null ? null : new Date(input.gaggedUntil) } : {}),
      ...(input.publish !== undefined ? { publish: input.publish } : {}),
      ...(input.publishAfter !== undefined ? { publishAfter: input.publishAfter === null ? null : new Date(input.publishAfter) } : {}),
      ...(input.summary !== undefined ? { summary: input.summary } : {}),
      ...(input.deadline !== undefined ? { deadline: new Date(input.deadline) } : {}),
      ...(input.senderRole !== undefined ? { senderRole: input.senderRole } : {}),
      ...(input.jurisdiction !== undefined ? { jurisdiction: input.jurisdiction } : {}),
    };
    if (Object.keys(data).length === 0) throw AppException.invalid('nothing to change', [{ field: 'gaggedUntil', problems: ['send at least one field'] }]);
    const row = await this.prisma.$transaction(async (tx) => {
      const existing = await tx.legalNotice.findUnique({ where: { id } });
      if (!existing) throw AppException.notFound('legal notice');
      const updated = await tx.legalNotice.update({ where: { id }, data });
      const changes = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : key === 'summary' ? '(changed)' : value]));
      await this.audit.record(actor, { action: 'legal.notice.update', targetType: 'legal_notice', targetId: id, changes }, tx);
      return updated;
    });
    return deskView(row, this.clock.now());
  }
}
