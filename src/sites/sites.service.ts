import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService, Tx } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { assessCampaignRisk, REVIEW_THRESHOLD } from '../legal/risk.js';
import { normalizeDomain } from './domain-name.js';
import type { CreateSiteDto, ListSitesQuery } from './dto/site.dto.js';
import type { SitePage, SiteView } from './dto/site.view.js';
import { buildPosture, POSTURE_INCLUDE } from './posture.js';
import { SiteAccess } from './site-access.service.js';

type SiteWithPosture = Awaited<ReturnType<SitesService['loadOne']>>;

@Injectable()
export class SitesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly access: SiteAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, input: CreateSiteDto): Promise<SiteView> {
    const domains = this.normalizeDomains(input.domains);
    const primaryDomain = domains[0];
    const created = await this.prisma.$transaction(async (tx) => {
      if (!(await tx.member.findUnique({ where: { id: input.memberId }, select: { id: true } }))) {
        throw AppException.invalid('no such member', [{ field: 'memberId', problems: ['no member has this id'] }]);
      }
      const taken = await tx.siteDomain.findMany({ where: { domain: { in: domains } }, select: { domain: true } });
      if (taken.length > 0) {
        throw AppException.conflict('a domain already belongs to another site', { domains: taken.map((t) => t.domain) });
      }
      const site = await tx.site.create({
        data: {
          memberId: input.memberId,
          primaryDomain,
          domains,
          documentRoot: join(this.config.sitesRoot, primaryDomain, 'public'),
          campaignDescription: input.campaign?.description ?? null,
          campaignTags: input.campaign?.tags ?? [],
          domainRows: { create: domains.map((domain) => ({ domain })) },
          https: { create: { status: 'none', keyType: this.config.acme.keyType } },
          logging: { create: { mode: this.config.defaultLogging.mode, retentionDays: this.config.defaultLogging.retentionDays } },
        },
        select: { id: true },
      });
      await this.flagForLegalReview(tx, site.id, domains, input);
      await this.audit.record(
        actor,
        { action: 'site.create', targetType: 'site', targetId: site.id, changes: { memberId: input.memberId, domains, campaign: input.campaign ?? null } },
        tx,
      );
      return site;
    }).catch(rethrowUniqueViolation);
    return this.get(actor, created.id);
  }

  async get(actor: Actor, id: string): Promise<SiteView> {
    const site = await this.loadOne({ id, ...this.access.scope(actor) });
    if (!site) throw AppException.notFound('site');
    return toView(site);
  }

  async list(actor: Actor, query: ListSitesQuery): Promise<SitePage> {
    const limit = query.limit ?? 100;
    const rows = await this.prisma.site.findMany({
      where: { ...this.access.scope(actor), ...(query.memberId && actor.role !== 'member' ? { memberId: query.memberId } : {}) },
      include: POSTURE_INCLUDE,
      orderBy: { id: 'asc' },
      take: limit + 1,
      ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
    });
    const items = rows.slice(0, limit).map(toView);
    return rows.length > limit ? { items, nextCursor: items[items.length - 1].id } : { items };
  }

  /** Campaigns at risk of a takedown go to the host's lawyers before trouble arrives. */
  private async flagForLegalReview(tx: Tx, siteId: string, domains: string[], input: CreateSiteDto): Promise<void> {
    const risk = assessCampaignRisk({ description: input.campaign?.description, tags: input.campaign?.tags ?? [], domains });
    if (risk.score < REVIEW_THRESHOLD) return;
    await tx.legalCase.create({ data: { siteId, riskScore: risk.score, reasons: risk.reasons } });
  }

  private loadOne(where: { id: string; memberId?: string }) {
    return this.prisma.site.findFirst({ where, include: POSTURE_INCLUDE });
  }

  private normalizeDomains(input: string[]): string[] {
    const domains = input.map((d) => {
      const check = normalizeDomain(d);
      if (!check.ok) throw AppException.invalid('invalid domain', [{ field: 'domains', problems: [check.problem] }]);
      return check.domain;
    });
    const duplicates = domains.filter((d, i) => domains.indexOf(d) !== i);
    if (duplicates.length > 0) {
      throw AppException.invalid('a domain is listed twice', [{ field: 'domains', problems: [`listed twice: ${duplicates.join(', ')}`] }]);
    }
    return domains;
  }
}

function toView(site: NonNullable<SiteWithPosture>): SiteView {
  return {
    id: site.id,
    memberId: site.memberId,
    domains: site.domains,
    documentRoot: site.documentRoot,
    ...(site.campaignDescription !== null || site.campaignTags.length
      ? { campaign: { description: site.campaignDescription ?? '', tags: site.campaignTags } }
      : {}),
    webHost: site.webHost,
    createdAt: site.createdAt,
    posture: buildPosture({
      https: site.https,
      logging: site.logging,
      backupPolicy: site.backupPolicy,
      legalCases: site.legalCases,
      noticeCount: site._count.legalNotices,
    }),
  };
}

/** Two requests racing for one domain: the database decides, the loser gets 409. */
function rethrowUniqueViolation(error: unknown): never {
  if ((error as { code?: string }).code === 'P2002') {
    throw AppException.conflict('a domain already belongs to another site');
  }
  throw error;
}
