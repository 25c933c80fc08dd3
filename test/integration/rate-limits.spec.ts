import { randomUUID } from 'node:crypto';
import { PrismaService } from '../../src/core/database/prisma.service.js';
import { OrderLedger } from '../../src/https/order-ledger.js';
import { RateLimitError, RateLimits, registeredDomain } from '../../src/https/rate-limits.js';
import { testConfig } from '../support/test-env.js';

const HOUR = 3_600_000;

describe('registeredDomain (Public Suffix List)', () => {
  it.each([
    ['www.example.org', 'example.org'],
    ['example.org', 'example.org'],
    ['a.b.campaign.org.uk', 'campaign.org.uk'],
    ['shop.example.co.uk', 'example.co.uk'],
    ['someone.github.io', 'someone.github.io'],
    ['xn--bcher-kva.example.de', 'example.de'],
    ['co.uk', 'co.uk'],
  ])('%s counts under %s', (domain, registered) => {
    expect(registeredDomain(domain)).toBe(registered);
  });
});

/** Our own count of the CA's limits, from real rows in Postgres. */
describe('RateLimits (real Postgres)', () => {
  const config = testConfig({ ACME_LIMIT_CERTS_PER_DOMAIN: '2', ACME_LIMIT_DOMAIN_WINDOW_HOURS: '168', ACME_LIMIT_ORDERS_PER_ACCOUNT: '1000' });
  const prisma = new PrismaService(config);
  const limits = new RateLimits(prisma, new OrderLedger(prisma, config), config);
  const suffix = randomUUID().slice(0, 8);
  let siteId: string;
  let memberId: string;
  const renewal = () => ({ memberId, purpose: 'renewal' as const });

  beforeAll(async () => {
    const member = await prisma.member.create({ data: { name: 'limits', contactEmail: 'limits@example.org' } });
    memberId = member.id;
    const domain = `limits-${suffix}.example`;
    siteId = (await prisma.site.create({ data: { memberId: member.id, primaryDomain: domain, domains: [domain], documentRoot: '/x', domainRows: { create: [{ domain }] } } })).id;
  });
  afterAll(() => prisma.onApplicationShutdown());

  async function issued(domains: string[], at: Date): Promise<void> {
    await prisma.certificate.create({
      data: { siteId, domains, chainPem: 'pem', keyEncrypted: 'sealed', keyType: 'ecdsa', notBefore: at, notAfter: new Date(at.getTime() + 90 * 24 * HOUR), createdAt: at },
    });
  }

  it('stops a third certificate for one registered domain within the window, and says when the next is possible', async () => {
    const now = new Date();
    const first = new Date(now.getTime() - 100 * HOUR);
    await issued([`www.alpha-${suffix}.org.uk`], first);
    await issued([`shop.alpha-${suffix}.org.uk`], new Date(now.getTime() - HOUR));

    const error = await limits.check([`new.alpha-${suffix}.org.uk`], renewal(), now).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toContain(`alpha-${suffix}.org.uk`);
    expect((error as RateLimitError).retryAt.getTime()).toBe(first.getTime() + 168 * HOUR);
  });

  it('counts another member under the same public suffix apart', async () => {
    await expect(limits.check([`beta-${suffix}.org.uk`, `www.beta-${suffix}.org.uk`], renewal())).resolves.toBeUndefined();
  });

  it('stops orders past the account limit, counting the orders that reached the CA in the window', async () => {
    const now = new Date();
    const tightConfig = testConfig({ ACME_DIRECTORY_URL: `https://tight-${suffix}.test/dir`, ACME_LIMIT_ORDERS_PER_ACCOUNT: '2', ACME_LIMIT_ACCOUNT_WINDOW_HOURS: '3' });
    const ledger = new OrderLedger(prisma, tightConfig);
    const tight = new RateLimits(prisma, ledger, tightConfig);

    await ledger.started({ siteId, memberId, purpose: 'renewal' }, new Date(now.getTime() - 4 * HOUR));
    await ledger.started({ siteId, memberId, purpose: 'renewal' }, new Date(now.getTime() - 2 * HOUR));
    await expect(tight.check([`delta-${suffix}.example`], renewal(), now)).resolves.toBeUndefined();
    await ledger.started({ siteId, memberId, purpose: 'renewal' }, new Date(now.getTime() - HOUR));
    await expect(tight.check([`delta-${suffix}.example`], renewal(), now)).rejects.toThrow(/ACME_LIMIT_ORDERS_PER_ACCOUNT/);
  });

  it('forgets certificates older than the window', async () => {
    const now = new Date();
    await issued([`gamma-${suffix}.example`], new Date(now.getTime() - 200 * HOUR));
    await issued([`www.gamma-${suffix}.example`], new Date(now.getTime() - 199 * HOUR));
    await expect(limits.check([`gamma-${suffix}.example`], renewal(), now)).resolves.toBeUndefined();
  });
});
