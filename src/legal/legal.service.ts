import { Injectable } from '@nestjs/common';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { DEFAULT_PAGE_LIMIT } from '../core/paging/page-limit.js';
import { MailerService } from '../notifications/mailer.service.js';
import type { ListCasesQuery, UpdateCaseDto } from './legal.dto.js';

const OPEN = ['open', 'in_review', 'action_required'] as const;

/** The review queue: cases opened by the screen, by check-ins and by notices. */
@Injectable()
export class LegalService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly mailer: MailerService,
  ) {}

  listCases(query: ListCasesQuery) {
    return this.prisma.legalCase.findMany({
      where: { ...(query.status ? { status: query.status } : { status: { in: [...OPEN] } }), ...(query.kind ? { kind: query.kind } : {}) },
      include: { site: { select: { id: true, primaryDomain: true, memberId: true, campaignDescription: true, campaignTags: true } } },
      orderBy: [{ riskScore: 'desc' }, { createdAt: 'asc' }],
      take: query.limit ?? DEFAULT_PAGE_LIMIT,
    });
  }

  async updateCase(actor: Actor, id: string, input: UpdateCaseDto) {
    if (input.status === undefined && input.notes === undefined && input.advice === undefined) {
      throw AppException.invalid('nothing to change', [{ field: 'status', problems: ['send status, notes or advice'] }]);
    }
    const updated = await this.prisma.$transaction(async (tx) => {
      const existing = await tx.legalCase.findUnique({ where: { id } });
      if (!existing) throw AppException.notFound('legal case');
      const row = await tx.legalCase.update({
        where: { id },
        data: {
          ...(input.status ? { status: input.status } : {}),
          ...(input.notes !== undefined ? { notes: input.notes } : {}),
          ...(input.advice !== undefined ? { advice: input.advice } : {}),
          reviewer: actor.id,
        },
        include: { site: { select: { primaryDomain: true, member: { select: { contactEmail: true } } } } },
      });
      await this.audit.record(
        actor,
        {
          action: 'legal.case.update',
          targetType: 'legal_case',
          targetId: id,
          changes: { status: { from: existing.status, to: row.status }, notesChanged: input.notes !== undefined, adviceChanged: input.advice !== undefined },
        },
        tx,
      );
      return row;
    });
    if (input.advice) await this.tellMember(updated.site.primaryDomain, updated.site.member.contactEmail, updated.status, input.advice);
    const { site: _site, ...row } = updated;
    return row;
  }

  /** The member hears the advice itself (it is theirs to read), never the notes. */
  private async tellMember(domain: string, contactEmail: string, status: string, advice: string) {
    await this.mailer.send({
      subject: `[hostkeeper legal] advice about your campaign on ${domain}`,
      text: `The host's lawyers answered your check-in about ${domain} (status: ${status}):\n\n${advice}\n`,
      memberEmail: contactEmail,
    });
  }
}
