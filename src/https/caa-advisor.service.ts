import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { CaaRecord, DnsAdapter } from '../core/adapters/dns.adapter.js';
import type { Actor } from '../core/auth/actor.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { SiteAccess } from '../sites/site-access.service.js';
import { registeredDomain } from './rate-limits.js';

export interface CaaDomainAdvice {
  domain: string;
  /** where the relevant CAA set was found climbing towards the root (RFC 8659 3); absent = none anywhere */
  foundAt?: string;
  records: CaaRecord[];
  /** the CA may issue for this name (no CAA at all, or an `issue` record naming it) */
  allowsCa: boolean;
  /** issuance is locked to hostkeeper's ACME account (RFC 8657 accounturi) */
  lockedToAccount: boolean;
}

export interface CaaAdvice {
  caIdentity: string;
  accountUri?: string;
  domains: CaaDomainAdvice[];
  /** the records that allow only this CA, only hostkeeper's account, only HTTP-01 */
  recommended: string[];
  note?: string;
}

/** CAA advice per site: does DNS let the CA issue, and the exact records that would lock issuance to us. */
@Injectable()
export class CaaAdvisor {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: SiteAccess,
    private readonly dns: DnsAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async advise(actor: Actor, siteId: string): Promise<CaaAdvice> {
    const { memberId } = this.access.scope(actor);
    const site = await this.prisma.site.findFirst({ where: { id: siteId, ...(memberId ? { memberId } : {}) }, select: { domains: true } });
    if (!site) throw AppException.notFound('site');
    const account = await this.prisma.acmeAccount.findUnique({ where: { directoryUrl: this.config.acme.directoryUrl }, select: { accountUrl: true } });
    const accountUri = account?.accountUrl ?? undefined;
    const caIdentity = this.config.acme.caaIdentity;
    const domains = await Promise.all(site.domains.map((domain) => this.adviseDomain(domain, caIdentity, accountUri)));
    const value = `${caIdentity}; ${accountUri ? `accounturi=${accountUri}; ` : ''}validationmethods=http-01`;
    const recommended = [...new Set(site.domains.map(registeredDomain))].map((name) => `${name}. IN CAA 0 issue "${value}"`);
    return {
      caIdentity,
      ...(accountUri ? { accountUri } : {}),
      domains,
      recommended,
      ...(accountUri ? {} : { note: 'hostkeeper has no ACME account at this CA yet (it is made at the first order); the accounturi part follows then' }),
    };
  }

  private async adviseDomain(domain: string, caIdentity: string, accountUri?: string): Promise<CaaDomainAdvice> {
    const labels = domain.split('.');
    for (let i = 0; i < labels.length - 1; i += 1) {
      const name = labels.slice(i).join('.');
      const records = await this.dns.caa(name);
      if (records.length === 0) continue;
      const issuers = records.filter((record) => record.tag === 'issue').map((record) => parseIssue(record.value));
      const ours = issuers.filter((issuer) => issuer.domain === caIdentity);
      return {
        domain,
        foundAt: name,
        records,
        allowsCa: ours.length > 0,
        lockedToAccount: ours.length > 0 && accountUri !== undefined && ours.every((issuer) => issuer.params.accounturi === accountUri),
      };
    }
    return { domain, records: [], allowsCa: true, lockedToAccount: false };
  }
}

/** `issuer-domain; key=value; ...` (RFC 8659 4.2). */
function parseIssue(value: string): { domain: string; params: Record<string, string> } {
  const [domain, ...rest] = value.split(';').map((part) => part.trim());
  const params = Object.fromEntries(rest.filter(Boolean).map((part) => part.split('=').map((side) => side.trim()) as [string, string]));
  return { domain: domain.toLowerCase(), params };
}
