import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { Actor } from '../../core/auth/actor.js';
import { AuditService } from '../../core/audit/audit.service.js';
import { PrismaService } from '../../core/database/prisma.service.js';
import { MailerService } from '../../notifications/mailer.service.js';
import { SiteAccess } from '../../sites/site-access.service.js';
import { day, deskAlert } from '../legal-alerts.js';
import type { CreateCheckinDto } from '../legal.dto.js';
import { screenCampaign } from '../screening/screener.js';

interface CheckinRow {
  id: string;
  status: string;
  description: string | null;
  materials: string | null;
  launchDate: Date | null;
  language: string | null;
  advice: string | null;
  riskScore: number;
  reasons: string[];
  notes: string | null;
  reviewer: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** "Check in with us first": a member asks the lawyers about a campaign before it launches. */
@Injectable()
export class CheckinsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly access: SiteAccess,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, siteId: string, input: CreateCheckinDto) {
    const { row, domain } = await this.prisma.$transaction(async (tx) => {
      const site = await this.access.require(actor, siteId, tx);
      const screen = screenCampaign({ description: [input.description, input.materials ?? ''].join('\n'), domains: site.domains, language: input.language });
      const created = await tx.legalCase.create({
        data: {
          siteId,
          kind: 'checkin',
          status: 'open',
          riskScore: screen.score,
          reasons: screen.reasons,
          description: input.description,
          materials: input.materials ?? null,
          launchDate: input.launchDate ? new Date(input.launchDate) : null,
          language: screen.language,
        },
      });
      await this.audit.record(actor, { action: 'legal.checkin.create', targetType: 'legal_case', targetId: created.id, changes: { siteId, launchDate: input.launchDate ?? null } }, tx);
      return { row: created, domain: site.primaryDomain };
    });
    await this.mailer.send(
      deskAlert(this.config, `check-in before launch: ${domain}`, [
        `A member asks the lawyers about a campaign on ${domain}${row.launchDate ? `, launching ${day(row.launchDate)}` : ''}.`,
        '',
        row.description ?? '',
        '',
        row.reasons.length ? `The screen noticed:\n- ${row.reasons.join('\n- ')}` : 'The screen noticed nothing in particular.',
        '',
        `Case ${row.id}: answer with PATCH /api/legal/cases/${row.id} {advice}.`,
      ]),
    );
    return { caseId: row.id, status: row.status };
  }

  async list(actor: Actor, siteId: string) {
    await this.access.require(actor, siteId);
    const rows = await this.prisma.legalCase.findMany({ where: { siteId, kind: 'checkin' }, orderBy: { createdAt: 'desc' } });
    return rows.map((row) => (actor.role === 'member' ? memberView(row) : { ...memberView(row), riskScore: row.riskScore, reasons: row.reasons, notes: row.notes, reviewer: row.reviewer }));
  }
}

/** Status and advice, never the internal notes or the screen's reasons. */
function memberView(row: CheckinRow) {
  return {
    caseId: row.id,
    status: row.status,
    description: row.description,
    materials: row.materials,
    launchDate: row.launchDate,
    language: row.language,
    advice: row.advice,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
