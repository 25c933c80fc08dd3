import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PrismaService } from '../core/database/prisma.service.js';

export type OrderPurpose = 'member' | 'renewal';

export interface OrderOwner {
  siteId: string;
  memberId: string;
  purpose: OrderPurpose;
}

/**
 * Orders as the CA counts them: a row when a newOrder is sent, settled when
 * it ends. A request we refuse ourselves never reaches the CA and writes
 * nothing here, so refusals cannot eat the budget they are refused by.
 */
@Injectable()
export class OrderLedger {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get directoryUrl(): string {
    return this.config.acme.directoryUrl;
  }

  async started(owner: OrderOwner, at = new Date()): Promise<string> {
    const row = await this.prisma.acmeOrder.create({ data: { ...owner, directoryUrl: this.directoryUrl, createdAt: at }, select: { id: true } });
    return row.id;
  }

  async settled(orderId: string, valid: boolean, at = new Date()): Promise<void> {
    await this.prisma.acmeOrder.update({ where: { id: orderId }, data: { outcome: valid ? 'valid' : 'failed', settledAt: at } });
  }

  /** The newOrder never became an order at the CA (unreachable, account unknown): it counts for nothing. */
  async discard(orderId: string): Promise<void> {
    await this.prisma.acmeOrder.delete({ where: { id: orderId } });
  }

  /** The CA said rateLimited: nothing of this account goes out before `until` (a later pause wins). */
  async pauseUntil(until: Date, reason = 'the CA answered rateLimited'): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO acme_pauses (directory_url, until, reason) VALUES (${this.directoryUrl}, ${until}, ${reason})
      ON CONFLICT (directory_url) DO UPDATE SET until = GREATEST(acme_pauses.until, EXCLUDED.until), reason = EXCLUDED.reason`;
  }

  async pausedUntil(now: Date): Promise<Date | undefined> {
    const row = await this.prisma.acmePause.findUnique({ where: { directoryUrl: this.directoryUrl } });
    return row && row.until > now ? row.until : undefined;
  }

  /** Orders of the account since `since`, and the oldest of them. */
  accountOrders(since: Date): Promise<{ count: number; oldest?: Date }> {
    return this.ordersSince(since, {});
  }

  memberOrders(memberId: string, since: Date): Promise<{ count: number; oldest?: Date }> {
    return this.ordersSince(since, { memberId, purpose: 'member' });
  }

  /** The member's failed orders since its last good one (newest first), for the cooldown. */
  async memberFailuresSinceSuccess(memberId: string, limit: number): Promise<Date[]> {
    const recent = await this.prisma.acmeOrder.findMany({
      where: { directoryUrl: this.directoryUrl, memberId, purpose: 'member', outcome: { in: ['valid', 'failed'] } },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { outcome: true, settledAt: true, createdAt: true },
    });
    const streak = recent.findIndex((order) => order.outcome === 'valid');
    return recent.slice(0, streak === -1 ? recent.length : streak).map((order) => order.settledAt ?? order.createdAt);
  }

  private async ordersSince(since: Date, owner: { memberId?: string; purpose?: OrderPurpose }): Promise<{ count: number; oldest?: Date }> {
    const where = { directoryUrl: this.directoryUrl, ...owner, createdAt: { gt: since } };
    const [count, oldest] = await Promise.all([
      this.prisma.acmeOrder.count({ where }),
      this.prisma.acmeOrder.findFirst({ where, orderBy: { createdAt: 'asc' }, select: { createdAt: true } }),
    ]);
    return { count, oldest: oldest?.createdAt };
  }
}
