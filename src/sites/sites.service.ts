import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { HostsService } from '../hosts/hosts.service.js';
import { DEFAULT_PAGE_LIMIT } from '../core/paging/page-limit.js';
import { assessCampaignRisk, REVIEW_THRESHOLD } from '../legal/risk.js';
import { normalizeDomain } from './domain-name.js';
import type { CreateSiteDto, ListSitesQuery } from './dto/site.dto.js';
import type { CreatedSiteView, SitePage, SiteView } from './dto/site.view.js';
import { buildPosture, POSTURE_INCLUDE, PostureRows } from './posture.js';
import { findSiteRow, SiteRow } from './site-view.query.js';
import { SiteAccess } from './site-access.service.js';

@Injectable()
export class SitesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly access: SiteAccess,
    private readonly operations: OperationsService,
    private readonly hosts: HostsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One batch transaction (no interactive round trips): the database itself
   * refuses a taken domain (site_domains primary key) or an unknown member
   * (foreign key), so racing requests cannot both win.
   */
  async create(actor: Actor, input: CreateSiteDto): Promise<CreatedSiteView> {
    const domains = this.normalizeDomains(input.domains);
    const primaryDomain = domains[0];
    const id = randomUUID();
    const provisionId = randomUUID();
    const hostId = await this.hosts.place(input.hostId);
    const risk = assessCampaignRisk({ description: input.campaign?.description, tags: input.campaign?.tags ?? [], domains });
    await this.prisma
      .$transaction([
        this.prisma.site.create({
          data: {
            id,
            memberId: input.memberId,
            hostId,
            primaryDomain,
            domains,
            documentRoot: join(this.config.sitesRoot, primaryDomain, 'public'),
            campaignDescription: input.campaign?.description ?? null,
            campaignTags: input.campaign?.tags ?? [],
            domainRows: { create: domains.map((domain) => ({ domain })) },
            https: { create: { status: 'none', keyType: this.config.acme.keyType } },
            logging: { create: { mode: this.config.defaultLogging.mode, retentionDays: this.config.defaultLogging.retentionDays } },
            // Campaigns at risk of a takedown go to the host's lawyers before trouble arrives.
            ...(risk.score >= REVIEW_THRESHOLD ? { legalCases: { create: [{ riskScore: risk.score, reasons: risk.reasons }] } } : {}),
          },
          select: { id: true },
        }),
        this.audit.statement(actor, {
          action: 'site.create',
          targetType: 'site',
          targetId: id,
          changes: { memberId: input.memberId, domains, hostId, campaign: input.campaign ?? null },
        }),
        // Serve the new site over HTTP straight away: a logging.apply without a
        // requested mode renders and installs its vhost and purges nothing.
        this.operations.createStatement(actor, { id: provisionId, kind: 'logging.apply', siteId: id, targetType: 'site', payload: { reason: 'site.create' } }),
      ])
      .catch((error: unknown) => this.explainCreateFailure(error, domains));
    await this.operations.enqueue({ id: provisionId, kind: 'logging.apply' });
    return { ...(await this.get(actor, id)), operationId: provisionId };
  }

  private async explainCreateFailure(error: unknown, domains: string[]): Promise<never> {
    const code = (error as { code?: string }).code;
    if (code === 'P2003') {
      throw AppException.invalid('no such member', [{ field: 'memberId', problems: ['no member has this id'] }]);
    }
    if (code === 'P2002') {
      const taken = await this.prisma.siteDomain.findMany({ where: { domain: { in: domains } }, select: { domain: true } });
      throw AppException.conflict('a domain already belongs to another site', { domains: taken.map((t) => t.domain) });
    }
    throw error;
  }

  async get(actor: Actor, id: string): Promise<SiteView> {
    const site = await findSiteRow(this.prisma, id, this.access.scope(actor).memberId);
    if (!site) throw AppException.notFound('site');
    return toView(site);
  }

  async list(actor: Actor, query: ListSitesQuery): Promise<SitePage> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.prisma.site.findMany({
      where: { ...this.access.scope(actor), ...(query.memberId && actor.role !== 'member' ? { memberId: query.memberId } : {}) },
      include: POSTURE_INCLUDE,
      relationLoadStrategy: 'join',
      orderBy: { id: 'asc' },
      take: limit + 1,
      ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
    });
    const items = rows.slice(0, limit).map((row) =>
      toView({
        ...row,
        posture: { https: row.https, logging: row.logging, backupPolicy: row.backupPolicy, legalCases: row.legalCases, noticeCount: row._count.legalNotices, defence: row.defence },
      }),
    );
    return rows.length > limit ? { items, nextCursor: items[items.length - 1].id } : { items };
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

function toView(site: Omit<SiteRow, 'posture'> & { posture: PostureRows }): SiteView {
  return {
    id: site.id,
    memberId: site.memberId,
    domains: site.domains,
    documentRoot: site.documentRoot,
    ...(site.campaignDescription !== null || site.campaignTags.length
      ? { campaign: { description: site.campaignDescription ?? '', tags: site.campaignTags } }
      : {}),
    hostId: site.hostId,
    createdAt: site.createdAt,
    posture: buildPosture(site.posture),
  };
}
