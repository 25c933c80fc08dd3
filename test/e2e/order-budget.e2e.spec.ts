import { HttpsSweep } from '../../src/https/https-sweep.service.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

/**
 * Issue 9, item 4, as it was seen live with an account limit of 5: one
 * member's failing enables must not block another member's enable or any
 * renewal. Real pebble (behind the proxy, which can also answer rateLimited)
 * and the real nginx.
 */
describe('CA order budget (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;

  beforeAll(async () => {
    stack = await startWebStack({
      nonceRejectPercent: 0,
      env: { ROLE: 'all', CRONS_ENABLED: 'false', ACME_LIMIT_ORDERS_PER_ACCOUNT: '5', ACME_RENEWAL_RESERVE: '1', ACME_MEMBER_ORDER_BUDGET: '3' },
    });
    t = await startTestApp(stack.config);
    // The sweep is global: sites left by suites that ran before in this database would join it.
    await t.prisma.httpsState.updateMany({ data: { enabled: false } });
  });
  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  });

  async function member(name: string): Promise<{ id: string; token: string }> {
    const id = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name, contactEmail: `${name}@example.org` })).body.id;
    return { id, token: await t.token('member', id) };
  }

  async function site(owner: string, domain: string): Promise<string> {
    return (await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: owner, domains: [domain] })).body.id;
  }

  async function click(siteId: string, token: string): Promise<{ status: string; error?: string }> {
    const res = await t.http.post(`/api/sites/${siteId}/https`).set(bearer(token)).send({});
    expect(res.status).toBe(202);
    return eventually(async () => {
      const operation = await t.prisma.operation.findUniqueOrThrow({ where: { id: res.body.operationId } });
      expect(['succeeded', 'failed']).toContain(operation.status);
      return { status: operation.status, error: operation.error ?? undefined };
    }, 60_000, 100);
  }

  const orders = (memberId?: string) => t.prisma.acmeOrder.count({ where: { directoryUrl: stack.config.acme.directoryUrl, ...(memberId ? { memberId } : {}) } });

  it("cools the failing member down without counting its refused clicks, and leaves the others' orders alone", async () => {
    const careless = await member('careless');
    const careful = await member('careful');
    await stack.pebble.setARecord('budget-broken.test', ['127.0.0.2']);
    const broken = await site(careless.id, 'budget-broken.test');

    expect(await click(broken, careless.token)).toMatchObject({ status: 'failed', error: expect.stringMatching(/could not reach budget-broken\.test/) });
    for (let i = 0; i < 4; i += 1) {
      expect(await click(broken, careless.token)).toMatchObject({ status: 'failed', error: expect.stringMatching(/next order is possible after/) });
    }
    expect(await orders(careless.id)).toBe(1);

    const good = await site(careful.id, 'budget-good.test');
    expect(await click(good, careful.token)).toMatchObject({ status: 'succeeded' });
    expect((await stack.curl('budget-good.test', { https: true })).status).toBe(200);
  });

  it('keeps the last order of the account for renewals: a member is refused, the renewal goes out', async () => {
    const third = await member('third');
    const sites = [await site(third.id, 'budget-third1.test'), await site(third.id, 'budget-third2.test')];
    expect(await click(sites[0], third.token)).toMatchObject({ status: 'succeeded' });
    expect(await orders()).toBe(3);
    expect(await click(sites[1], third.token)).toMatchObject({ status: 'succeeded' });
    // 4 of 5 used; the fifth is the renewal reserve
    expect(await click(sites[1], third.token)).toMatchObject({ status: 'failed', error: expect.stringMatching(/ACME_RENEWAL_RESERVE/) });
    expect(await orders()).toBe(4);

    const good = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'budget-good.test' } })).id;
    await t.prisma.httpsState.update({ where: { siteId: good }, data: { renewAt: new Date(Date.now() - 1000) } });
    expect((await t.app.get(HttpsSweep).run()).renewalsQueued).toBe(1);
    const renewal = await t.prisma.operation.findFirstOrThrow({ where: { siteId: good, kind: 'https.renew' } });
    await eventually(async () => expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: renewal.id } })).status).toBe('succeeded'), 60_000, 100);
    expect(await orders()).toBe(5);
  });

  it("honours the CA's rateLimited Retry-After for the whole account", async () => {
    const late = await member('late');
    const siteId = await site(late.id, 'budget-late.test');
    await t.prisma.acmeOrder.deleteMany({ where: { directoryUrl: stack.config.acme.directoryUrl } });
    stack.ari.rateLimitOrders = 900;
    try {
      const first = await click(siteId, late.token);
      expect(first).toMatchObject({ status: 'failed', error: expect.stringMatching(/rate limit was reached|Retry-After/) });
    } finally {
      stack.ari.rateLimitOrders = undefined;
    }
    const pause = await t.prisma.acmePause.findUniqueOrThrow({ where: { directoryUrl: stack.config.acme.directoryUrl } });
    expect(pause.until.getTime() - Date.now()).toBeGreaterThan(890_000);
    const ordersBefore = await orders();
    expect(await click(siteId, late.token)).toMatchObject({ status: 'failed', error: expect.stringMatching(/Retry-After/) });
    expect(await orders()).toBe(ordersBefore);
  });
});
