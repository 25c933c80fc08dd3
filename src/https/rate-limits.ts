import { Inject, Injectable } from '@nestjs/common';
import { getDomain } from 'tldts';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { backoffDelay } from './backoff.js';
import { OrderLedger, OrderPurpose } from './order-ledger.js';

const HOUR = 3_600_000;
/** Enough of a member's recent failures to reach the backoff cap. */
const FAILURE_LOOKBACK = 16;

export class RateLimitError extends Error {
  constructor(
    message: string,
    /** When the next order may go out. */
    readonly retryAt: Date,
  ) {
    super(message);
  }
}

export interface OrderRequester {
  memberId: string;
  purpose: OrderPurpose;
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
 * operator sees why. The account's orders are shared fairly: each member has
 * its own budget and cooldown, and a reserve is kept for renewals.
 */
@Injectable()
export class RateLimits {
  constructor(
    private readonly prisma: PrismaService,
    private readonly ledger: OrderLedger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(domains: string[], requester: OrderRequester, now = new Date()): Promise<void> {
    await this.checkPause(now);
    for (const registered of new Set(domains.map(registeredDomain))) await this.checkDomain(registered, now);
    await this.checkAccount(requester.purpose, now);
    if (requester.purpose === 'member') {
      await this.checkMemberBudget(requester.memberId, now);
      await this.checkMemberCooldown(requester.memberId, now);
    }
  }

  private async checkPause(now: Date): Promise<void> {
    const until = await this.ledger.pausedUntil(now);
    if (!until) return;
    throw new RateLimitError(`the CA asked us to wait (rateLimited, Retry-After): no certificate orders before ${until.toISOString()}`, until);
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

  /** Members may use the account's orders up to the renewal reserve; renewals may use them all. */
  private async checkAccount(purpose: OrderPurpose, now: Date): Promise<void> {
    const { ordersPerAccount, accountWindowHours: hours } = this.config.acme.rateLimits;
    const reserve = this.config.acme.renewalReserve;
    const limit = purpose === 'renewal' ? ordersPerAccount : ordersPerAccount - reserve;
    const { count, oldest } = await this.ledger.accountOrders(new Date(now.getTime() - hours * HOUR));
    if (count < limit) return;
    const retryAt = new Date((oldest ?? now).getTime() + hours * HOUR);
    const which = purpose === 'renewal'
      ? `limit ${ordersPerAccount}, ACME_LIMIT_ORDERS_PER_ACCOUNT`
      : `limit ${ordersPerAccount} less ${reserve} kept for renewals, ACME_LIMIT_ORDERS_PER_ACCOUNT and ACME_RENEWAL_RESERVE`;
    throw new RateLimitError(
      `rate limit: ${count} certificate orders in the last ${hours} hours for this ACME account (${which}); next possible after ${retryAt.toISOString()}`,
      retryAt,
    );
  }

  private async checkMemberBudget(memberId: string, now: Date): Promise<void> {
    const { accountWindowHours: hours } = this.config.acme.rateLimits;
    const budget = this.config.acme.memberOrderBudget;
    const { count, oldest } = await this.ledger.memberOrders(memberId, new Date(now.getTime() - hours * HOUR));
    if (count < budget) return;
    const retryAt = new Date((oldest ?? now).getTime() + hours * HOUR);
    throw new RateLimitError(
      `rate limit: this member started ${count} certificate orders in the last ${hours} hours (limit ${budget}, ACME_MEMBER_ORDER_BUDGET); next possible after ${retryAt.toISOString()}`,
      retryAt,
    );
  }

  /** After failed orders the member waits 5 minutes, doubling per failure up to 6 hours; clicking again changes nothing. */
  private async checkMemberCooldown(memberId: string, now: Date): Promise<void> {
    const failures = await this.ledger.memberFailuresSinceSuccess(memberId, FAILURE_LOOKBACK);
    if (failures.length === 0) return;
    const retryAt = new Date(failures[0].getTime() + backoffDelay(failures.length));
    if (retryAt <= now) return;
    throw new RateLimitError(
      `the last ${failures.length} certificate order(s) for this member's sites failed; fix the cause shown on the site, the next order is possible after ${retryAt.toISOString()}`,
      retryAt,
    );
  }
}
