import { randomUUID } from 'node:crypto';
import { PrismaService } from '../../src/core/database/prisma.service.js';
import { OrderLedger } from '../../src/https/order-ledger.js';
import { RateLimitError, RateLimits } from '../../src/https/rate-limits.js';
import { testConfig } from '../support/test-env.js';

const MINUTE = 60_000;

/**
 * One member cannot spend everyone's CA budget (issue 9, item 4): orders are
 * counted when they reach the CA, per member and per account, with a reserve
 * only renewals may use; failures cool a member down, and refusals count nothing.
 */
describe('CA order budget (real Postgres)', () => {
  const directoryUrl = `https://budget-${randomUUID()}.test/dir`;
  const config = testConfig({
    ACME_DIRECTORY_URL: directoryUrl,
    ACME_LIMIT_ORDERS_PER_ACCOUNT: '6',
    ACME_LIMIT_ACCOUNT_WINDOW_HOURS: '3',
    ACME_RENEWAL_RESERVE: '2',
    ACME_MEMBER_ORDER_BUDGET: '3',
  });
  const prisma = new PrismaService(config);
  const ledger = new OrderLedger(prisma, config);
  const limits = new RateLimits(prisma, ledger, config);
  const suffix = randomUUID().slice(0, 8);
  const sites: Record<string, { siteId: string; memberId: string; domain: string }> = {};

  async function site(name: string, memberId?: string) {
    const member = memberId ?? (await prisma.member.create({ data: { name, contactEmail: `${name}@example.org` } })).id;
    const domain = `${name}-${suffix}.example`;
    const row = await prisma.site.create({ data: { memberId: member, primaryDomain: domain, domains: [domain], documentRoot: '/x', domainRows: { create: [{ domain }] } } });
    sites[name] = { siteId: row.id, memberId: member, domain };
    return sites[name];
  }

  async function order(name: string, purpose: 'member' | 'renewal', outcome: 'valid' | 'failed', at = new Date()) {
    const { siteId, memberId } = sites[name];
    const id = await ledger.started({ siteId, memberId, purpose }, at);
    await ledger.settled(id, outcome === 'valid', at);
  }

  const ask = (name: string, purpose: 'member' | 'renewal', now = new Date()) =>
    limits.check([sites[name].domain], { memberId: sites[name].memberId, purpose }, now).then(
      () => 'allowed',
      (error: unknown) => {
        if (error instanceof RateLimitError) return error;
        throw error;
      },
    );

  beforeAll(async () => {
    const a = await site('alpha');
    await site('alpha2', a.memberId);
    await site('beta');
    await site('gamma');
    await site('delta');
  });
  afterAll(() => prisma.onApplicationShutdown());

  it("stops one member at its own budget while another member's orders still go through", async () => {
    await order('alpha', 'member', 'valid');
    await order('alpha2', 'member', 'valid');
    await order('alpha', 'member', 'valid');

    const refused = await ask('alpha2', 'member');
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).message).toMatch(/ACME_MEMBER_ORDER_BUDGET/);
    expect(await ask('beta', 'member')).toBe('allowed');
  });

  it('refusals count nothing: asking again and again leaves the budget where it was', async () => {
    const before = await prisma.acmeOrder.count({ where: { memberId: sites.alpha.memberId } });
    for (let i = 0; i < 5; i += 1) expect(await ask('alpha', 'member')).toBeInstanceOf(RateLimitError);
    expect(await prisma.acmeOrder.count({ where: { memberId: sites.alpha.memberId } })).toBe(before);
  });

  it('keeps a reserve for renewals that no member action can use', async () => {
    await order('beta', 'member', 'valid');
    // 4 orders in the window = limit 6 minus the reserve of 2: members are refused, renewals are not
    const refused = await ask('gamma', 'member');
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).message).toMatch(/ACME_RENEWAL_RESERVE/);
    expect(await ask('alpha', 'renewal')).toBe('allowed');
    await order('alpha', 'renewal', 'valid');
    await order('beta', 'renewal', 'valid');
    expect(await ask('gamma', 'renewal')).toBeInstanceOf(RateLimitError);
  });

  it('cools a member down after a failed order, doubling per failure; a new click does not reset it', async () => {
    const isolated = new OrderLedger(prisma, testConfig({ ACME_DIRECTORY_URL: `${directoryUrl}/cooldown` }));
    const roomy = new RateLimits(prisma, isolated, testConfig({ ACME_DIRECTORY_URL: `${directoryUrl}/cooldown`, ACME_MEMBER_ORDER_BUDGET: '100' }));
    const { siteId, memberId, domain } = sites.delta;
    const failedAt = new Date();
    await isolated.settled(await isolated.started({ siteId, memberId, purpose: 'member' }, failedAt), false, failedAt);
    const check = (now: Date) => roomy.check([domain], { memberId, purpose: 'member' }, now).then(() => 'allowed', (e: Error) => e);

    const first = await check(new Date(failedAt.getTime() + MINUTE));
    expect(first).toBeInstanceOf(RateLimitError);
    expect((first as RateLimitError).retryAt.getTime()).toBe(failedAt.getTime() + 5 * MINUTE);
    expect(await check(new Date(failedAt.getTime() + 2 * MINUTE))).toBeInstanceOf(RateLimitError);
    expect(await check(new Date(failedAt.getTime() + 5 * MINUTE + 1))).toBe('allowed');

    const second = new Date(failedAt.getTime() + 6 * MINUTE);
    await isolated.settled(await isolated.started({ siteId, memberId, purpose: 'member' }, second), false, second);
    expect(((await check(new Date(second.getTime() + 6 * MINUTE))) as RateLimitError).retryAt.getTime()).toBe(second.getTime() + 10 * MINUTE);
    // renewals are not a member's click: the member's cooldown does not hold them back
    expect(await roomy.check([domain], { memberId, purpose: 'renewal' }, new Date(second.getTime() + MINUTE))).toBeUndefined();
  });

  it("honours the CA's Retry-After for every order of the account, renewals included", async () => {
    const paused = new OrderLedger(prisma, testConfig({ ACME_DIRECTORY_URL: `${directoryUrl}/paused` }));
    const pausedLimits = new RateLimits(prisma, paused, testConfig({ ACME_DIRECTORY_URL: `${directoryUrl}/paused` }));
    const until = new Date(Date.now() + 30 * MINUTE);
    await paused.pauseUntil(until);
    const error = await pausedLimits.check([sites.beta.domain], { memberId: sites.beta.memberId, purpose: 'renewal' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAt.getTime()).toBe(until.getTime());
    expect((error as RateLimitError).message).toMatch(/Retry-After/);
  });
});
