import type { LoggerService } from '@nestjs/common';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

/** How long the CA stays away in the outage test. */
const OUTAGE_MS = 30_000;

/** Real pebble rejecting half of its nonces and then down for 30 s, real nginx, the app with ROLE=all. */
describe('HTTPS while the CA misbehaves (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;
  let memberId: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    stack = await startWebStack({ nonceRejectPercent: 50, env: { ROLE: 'all', CRONS_ENABLED: 'false' } });
    t = await startTestApp(stack.config);
    t.app.useLogger(capturingLogger(logLines));
    memberId = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'A', contactEmail: 'a@example.org' })).body.id;
  });

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  });

  async function createSite(domain: string): Promise<string> {
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId, domains: [domain, `www.${domain}`] });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function enable(siteId: string): Promise<string> {
    const res = await t.http.post(`/api/sites/${siteId}/https`).set(bearer(t.staffToken)).send({});
    expect(res.status).toBe(202);
    return res.body.operationId;
  }

  async function operation(id: string) {
    return (await t.http.get(`/api/operations/${id}`).set(bearer(t.staffToken))).body as { status: string; error?: string };
  }

  async function finished(id: string, timeoutMs: number) {
    return eventually(async () => {
      const op = await operation(id);
      expect(['succeeded', 'failed']).toContain(op.status);
      return op;
    }, timeoutMs, 250);
  }

  async function expectServed(siteId: string, domain: string) {
    const site = (await t.http.get(`/api/sites/${siteId}`).set(bearer(t.staffToken))).body;
    expect(site.posture.https.status).toBe('active');
    for (const name of [domain, `www.${domain}`]) {
      const page = await stack.curl(name, { https: true });
      expect(page.status).toBe(200);
      expect(page.body).toContain(`<h1>${domain}</h1>`);
    }
  }

  it('enables HTTPS for several sites at once while the CA rejects half of the nonces', async () => {
    const domains = ['nonce-a.test', 'nonce-b.test', 'nonce-c.test', 'nonce-d.test'];
    const sites = await Promise.all(domains.map(createSite));
    const operations = await Promise.all(sites.map(enable));
    for (const id of operations) expect(await finished(id, 90_000)).toMatchObject({ status: 'succeeded' });
    for (const [i, siteId] of sites.entries()) await expectServed(siteId, domains[i]);
  }, 120_000);

  it('finishes issuance once the CA is back after 30 s away, and keeps serving the certificates issued before', async () => {
    const domains = ['outage-a.test', 'outage-b.test'];
    const sites = await Promise.all(domains.map(createSite));
    await stack.pebble.stopCa();
    const operations = await Promise.all(sites.map(enable));
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    for (const id of operations) expect((await operation(id)).status).not.toBe('failed');
    await stack.restartedPebble();

    for (const id of operations) expect(await finished(id, 150_000)).toMatchObject({ status: 'succeeded' });
    for (const [i, siteId] of sites.entries()) await expectServed(siteId, domains[i]);
    const reasons = await t.prisma.auditEvent.findMany({ where: { targetId: { in: sites }, action: 'https.enable.failed' }, select: { changes: true } });
    expect(reasons.length).toBeGreaterThan(0);
    for (const { changes } of reasons) expect((changes as { reason: string; final: boolean })).toMatchObject({ reason: expect.stringMatching(/^could not reach the CA at https:\/\/127\.0\.0\.1:\d+ /), final: false });
    // the restarted CA forgot the account: the same key was registered again
    expect(logLines.join('\n')).toContain('registering the key again');
    // requests that never became orders at the CA count for nothing: no failure, so no cooldown for the member
    expect(await t.prisma.acmeOrder.count({ where: { siteId: { in: sites }, outcome: { not: 'valid' } } })).toBe(0);
    const next = await createSite('after-outage.test');
    expect(await finished(await enable(next), 60_000)).toMatchObject({ status: 'succeeded' });
    await expectServed((await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'nonce-a.test' } })).id, 'nonce-a.test');
  }, 240_000);
});

function capturingLogger(lines: string[]): LoggerService {
  const keep = (level: string) => (message: unknown, ...rest: unknown[]) => {
    lines.push(`${level} ${[message, ...rest].map(String).join(' ')}`);
  };
  return { log: keep('log'), warn: keep('warn'), error: keep('error'), debug: keep('debug'), verbose: keep('verbose') };
}
