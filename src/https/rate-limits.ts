import { Inject, Injectable } from '@nestjs/common';
import { getDomain } from 'tldts';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PrismaService } from '../core/database/prisma.service.js';

const HOUR = 3_600_000;

export class RateLimitError extends Error {
  constructor(
    message: string,
    /** When the oldest counted order leaves the window. */
    readonly retryAt: Date,
  ) {
    super(message);
  }
}

/**
 * The name the CA counts certificates under: the registered domain by the
 * Public Suffix List, private section included, as Let's Encrypt does. So
 * two members under org.uk, or two github.io-style hosts, are counted apart,
 * not as one. A name that is itself a public suffix counts as itself.
 */
export function registeredDomain(domain: string): string {
  return getDomain(domain, { allowPrivateDomains: true }) ?? domain;
}

/**
 * The CA's limits (Let's Encrypt's published defaults unless configured),
 * counted from our own rows, so we stop before the CA refuses us and an
 * operator sees why.
 */
@Injectable()
export class RateLimits {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(domains: string[], now = new Date()): Promise<void> {
    for (const registered of new Set(domains.map(registeredDomain))) await this.checkDomain(registered, now);
    await this.checkAccount(now);
  }

  private async checkDomain(registered: string, now: Date): Promise<void> {
    const { certificatesPerDomain: limit, domainWindowHours: hours } = this.config.acme.rateLimits;
    const since = new Date(now.getTime() - hours * HOUR);
    const rows = await this.prisma.$queryRaw<Array<{ count: bigint; oldest: Date | null }>>`
      SELECT count(*) AS count, min(created_at) AS oldest FROM certificates
      WHERE created_at > ${since}
        AND EXISTS (SELECT 1 FROM unnest(domains) AS d WHERE d = ${registered} OR d LIKE ${`%.${registered}`})`;
    const { count, oldest } = rows[0];
    if (Number(count) < limit) return;
    const retryAt = new Date((oldest ?? now).getTime() + hours * HOUR);
    throw new RateLimitError(
      `rate limit: ${count} certificates were issued for ${registered} in the last ${hours} hours (limit ${limit}, ACME_LIMIT_CERTS_PER_DOMAIN); next possible after ${retryAt.toISOString()}`,
      retryAt,
    );
  }

  /** Orders are counted as started issuance operations; the one asking is among them. */
  private async checkAccount(now: Date): Promise<void> {
    const { ordersPerAccount: limit, accountWindowHours: hours } = this.config.acme.rateLimits;
    const since = new Date(now.getTime() - hours * HOUR);
    const where = { kind: { in: ['https.enable', 'https.renew'] }, startedAt: { gt: since } };
    const count = await this.prisma.operation.count({ where });
    if (count <= limit) return;
    const oldest = await this.prisma.operation.findFirst({ where, orderBy: { startedAt: 'asc' }, select: { startedAt: true } });
    const retryAt = new Date((oldest?.startedAt ?? now).getTime() + hours * HOUR);
    throw new RateLimitError(
      `rate limit: ${count - 1} certificate orders in the last ${hours} hours for this ACME account (limit ${limit}, ACME_LIMIT_ORDERS_PER_ACCOUNT); next possible after ${retryAt.toISOString()}`,
      retryAt,
    );
  }
}
