import { Injectable } from '@nestjs/common';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { DEFAULT_PAGE_LIMIT } from '../core/paging/page-limit.js';
import { SiteAccess } from '../sites/site-access.service.js';
import type { CreateNoticeDto, ListCasesQuery, UpdateCaseDto } from './legal.dto.js';

const OPEN = ['open', 'in_review', 'action_required'] as const;

@Injectable()
export class LegalService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly access: SiteAccess,
  ) {}

  listCases(query: ListCasesQuery) {
    return this.prisma.legalCase.findMany({
      where: query.status ? { status: query.status } : { status: { in: [...OPEN] } },
      include: { site: { select: { id: true, primaryDomain: true, memberId: true, campaignDescription: true, campaignTags: true } } },
      orderBy: [{ riskScore: 'desc' }, { createdAt: 'asc' }],
      take: query.limit ?? DEFAULT_PAGE_LIMIT,
    });
  }

  async updateCase(actor: Actor, id: string, input: UpdateCaseDto) {
    if (input.status === undefined && input.notes === undefined) {
      throw AppException.invalid('nothing to change', [{ field: 'status', problems: ['send status or notes'] }]);
    }
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.legalCase.findUnique({ where: { id } });
      if (!existing) throw AppException.notFound('legal case');
      const updated = await tx.legalCase.update({
        where: { id },
        data: { ...(input.status ? { status: input.status } : {}), ...(input.notes !== undefined ? { notes: input.notes } : {}), reviewer: actor.id },
      });
      await this.audit.record(
        actor,
        { action: 'legal.case.update', targetType: 'legal_case', targetId: id, changes: { status: { from: existing.status, to: updated.status }, notesChanged: input.notes !== undefined } },
        tx,
      );
      return updated;
    });
  }

  /** A notice always puts the site in front of the lawyers: it opens a case if none is open. */
  async recordNotice(actor: Actor, siteId: string, input: CreateNoticeDto) {
    const received = new Date(input.received);
    const deadline = input.deadline ? new Date(input.deadline) : null;
    if (deadline && deadline < received) {
      throw AppException.invalid('deadline before the notice arrived', [{ field: 'deadline', problems: ['must not be before received'] }]);
    }
    return this.prisma.$transaction(async (tx) => {
      await this.access.require(actor, siteId, tx);
      const notice = await tx.legalNotice.create({
        data: { siteId, type: input.type, receivedAt: received, deadline, sender: input.sender ?? null, outcome: input.outcome ?? 'pending', notes: input.notes ?? null },
      });
      const open = await tx.legalCase.findFirst({ where: { siteId, status: { in: [...OPEN] } } });
      if (!open) {
        await tx.legalCase.create({ data: { siteId, riskScore: 100, reasons: [`legal notice received: ${input.type}`], status: 'action_required' } });
      }
      await this.audit.record(actor, { action: 'legal.notice.create', targetType: 'site', targetId: siteId, changes: { type: input.type, received: input.received, deadline: input.deadline ?? null } }, tx);
      return notice;
    });
  }

  /**
   * The public history of legal threats: counts by year, type and outcome.
   * No site, member, domain or sender ever appears.
   */
  async transparency() {
    const rows = await this.prisma.$queryRaw<{ year: number; type: string; outcome: string | null; n: bigint }[]>`
      SELECT extract(year FROM received_at)::int AS year, type, outcome, count(*) AS n
      FROM legal_notices GROUP BY 1, 2, 3 ORDER BY 1 DESC, 2, 3`;
    const years = new Map<number, { year: number; total: number; byType: Record<string, number>; byOutcome: Record<string, number> }>();
    for (const row of rows) {
      const entry = years.get(row.year) ?? { year: row.year, total: 0, byType: {}, byOutcome: {} };
      const n = Number(row.n);
      entry.total += n;
      entry.byType[row.type] = (entry.byType[row.type] ?? 0) + n;
      const outcome = row.outcome ?? 'pending';
      entry.byOutcome[outcome] = (entry.byOutcome[outcome] ?? 0) + n;
      years.set(row.year, entry);
    }
    return { generatedAt: new Date(), years: [...years.values()] };
  }
}
