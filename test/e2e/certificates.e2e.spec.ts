import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ServedCertificateProbe } from '../../src/core/adapters/served-certificate.adapter.js';
import { NginxAdapter } from '../../src/core/adapters/nginx.adapter.js';
import { HttpsSweep } from '../../src/https/https-sweep.service.js';
import { ServedProof } from '../../src/https/served-proof.service.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

const HOUR = 3_600_000;
const SHORTLIVED_HOURS = 160;
const DRILL_SITES = 100;

/**
 * Certificates as Let's Encrypt runs them now, against real pebble (behind the
 * ARI/profiles proxy) and the real nginx: windows the CA moves, `replaces`,
 * profiles, short lifetimes on a controlled clock, and proof of what is served.
 * pebble here issues every certificate for 160 hours, like `shortlived`.
 */
describe('Certificates: ARI, profiles, proof of service (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;
  let memberId: string;
  const probe = new ServedCertificateProbe();

  beforeAll(async () => {
    stack = await startWebStack({
      nonceRejectPercent: 0,
      certificateValidityHours: SHORTLIVED_HOURS,
      env: { ROLE: 'all', CRONS_ENABLED: 'false', ACME_CONCURRENCY: '100', ACME_MEMBER_ORDER_BUDGET: '500', ACME_LIMIT_ORDERS_PER_ACCOUNT: '10000' },
    });
    t = await startTestApp(stack.config);
    // The sweep is global: sites left by suites that ran before in this database would join it.
    await t.prisma.httpsState.updateMany({ data: { enabled: false } });
    memberId = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'Drill', contactEmail: 'drill@example.org' })).body.id;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  });

  async function createSite(domains: string[], owner = memberId): Promise<string> {
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: owner, domains });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function enable(siteId: string, body: object = {}): Promise<string> {
    const res = await t.http.post(`/api/sites/${siteId}/https`).set(bearer(t.staffToken)).send(body);
    expect(res.status).toBe(202);
    return res.body.operationId;
  }

  async function finished(operationIds: string[]): Promise<void> {
    await eventually(async () => {
      const rows = await t.prisma.operation.findMany({ where: { id: { in: operationIds } }, select: { status: true, error: true } });
      expect(rows.filter((row) => row.status !== 'succeeded')).toEqual([]);
    }, 180_000, 250);
  }

  const current = (siteId: string) => t.prisma.certificate.findFirstOrThrow({ where: { siteId, current: true } });
  const posture = async (siteId: string) => (await t.http.get(`/api/sites/${siteId}`).set(bearer(t.staffToken))).body.posture.https;
  const served = (domain: string) =>
    probe.probe({ host: '127.0.0.1', port: stack.config.siteHttpsPort, servername: domain, ca: stack.rootPem });

  it('refuses a profile the CA does not offer with 400 naming the offered ones, and writes nothing', async () => {
    const siteId = await createSite(['badprofile.test']);
    const unknown = await t.http.post(`/api/sites/${siteId}/https`).set(bearer(t.staffToken)).send({ profile: 'forever' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual({ profile: 'must be one of: classic, tlsserver, shortlived' });
    const malformed = await t.http.post(`/api/sites/${siteId}/https`).set(bearer(t.staffToken)).send({ profile: '../etc' });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body.details)).toContain('profile');
    expect(await t.prisma.httpsState.findUnique({ where: { siteId }, select: { enabled: true, profile: true } })).toMatchObject({ enabled: false, profile: null });
    expect(await t.prisma.operation.count({ where: { siteId, kind: { startsWith: 'https.' } } })).toBe(0);
  });

  it('issues with the chosen profile and shows profile, window, served serial and proof time', async () => {
    const siteId = await createSite(['profiled.test', 'www.profiled.test']);
    await finished([await enable(siteId, { profile: 'shortlived' })]);

    const certificate = await current(siteId);
    expect(stack.ari.orders.find((order) => order.identifiers.includes('profiled.test'))?.profile).toBe('shortlived');
    const state = await posture(siteId);
    expect(state).toMatchObject({ status: 'active', profile: 'shortlived', servedSerial: certificate.serial });
    expect(new Date(state.verifiedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const lifetime = certificate.notAfter.getTime() - certificate.notBefore.getTime();
    expect(new Date(state.renewalWindow.start).getTime()).toBe(certificate.notBefore.getTime() + lifetime / 2);
    for (const domain of ['profiled.test', 'www.profiled.test']) {
      expect(await served(domain)).toMatchObject({ serial: certificate.serial, verified: true });
    }
  });

  it("a host's default profile serves its sites that choose none; a profile the CA lacks is 400", async () => {
    const siteId = await createSite(['hostprofile.test']);
    const hostId = (await t.http.get(`/api/sites/${siteId}`).set(bearer(t.staffToken)).expect(200)).body.hostId;
    const bad = await t.http.patch(`/api/hosts/${hostId}`).set(bearer(t.staffToken)).send({ defaultProfile: 'forever' });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual({ profile: 'must be one of: classic, tlsserver, shortlived' });
    await t.http.patch(`/api/hosts/${hostId}`).set(bearer(t.staffToken)).send({ defaultProfile: 'tlsserver' }).expect(200);
    expect((await t.http.get(`/api/hosts/${hostId}`).set(bearer(t.staffToken))).body.defaultProfile).toBe('tlsserver');
    try {
      await finished([await enable(siteId)]);
      expect(stack.ari.orders.find((order) => order.identifiers.includes('hostprofile.test'))?.profile).toBe('tlsserver');
    } finally {
      await t.http.patch(`/api/hosts/${hostId}`).set(bearer(t.staffToken)).send({ defaultProfile: null }).expect(200);
    }
    expect((await t.http.get(`/api/hosts/${hostId}`).set(bearer(t.staffToken))).body.defaultProfile).toBeUndefined();
    // the sweeps below count this suite's certificates: this one has done its part
    await t.prisma.httpsState.update({ where: { siteId }, data: { enabled: false } });
  });

  it('renews a shortlived certificate inside its window on a controlled clock, with replaces', async () => {
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'profiled.test' } })).id;
    const old = await current(siteId);
    const at = (hours: number) => new Date(old.notBefore.getTime() + hours * HOUR);
    const sweep = t.app.get(HttpsSweep);

    // 79 h into 160: the window (from about 80 h, half the lifetime) has not opened; the moment drawn stays inside it
    expect(await sweep.run(at(79))).toMatchObject({ ariRechecked: 1, renewalsQueued: 0 });
    expect((await t.prisma.httpsState.findUniqueOrThrow({ where: { siteId } })).ariCheckAt!.getTime()).toBeGreaterThan(at(79).getTime());
    const state = await t.prisma.httpsState.findUniqueOrThrow({ where: { siteId } });
    const drawn = state.renewAt!;
    expect(state.windowStart!.getTime()).toBeGreaterThan(at(79).getTime());
    expect(drawn.getTime()).toBeGreaterThanOrEqual(state.windowStart!.getTime());
    expect(drawn.getTime()).toBeLessThan(state.windowEnd!.getTime());
    expect(state.windowEnd!.getTime()).toBeLessThan(old.notAfter.getTime());
    expect(await sweep.run(new Date(drawn.getTime() - 1000))).toMatchObject({ renewalsQueued: 0 });

    expect(await sweep.run(drawn)).toMatchObject({ renewalsQueued: 1 });
    const renewal = await t.prisma.operation.findFirstOrThrow({ where: { siteId, kind: 'https.renew' } });
    await finished([renewal.id]);
    const renewed = await current(siteId);
    expect(renewed.serial).not.toBe(old.serial);
    expect(renewed.profile).toBe('shortlived');
    expect(stack.ari.orders.filter((order) => order.replaces === old.ariCertId)).toHaveLength(1);
    expect((await served('profiled.test')).serial).toBe(renewed.serial);
  });

  it(`follows a window the CA shortened for ${DRILL_SITES} certificates: every one renewed, with replaces, and served within the next sweep`, async () => {
    const siteIds: string[] = [];
    for (let i = 0; i < DRILL_SITES; i += 1) siteIds.push(await createSite([`drill${i}.test`]));
    await finished(await Promise.all(siteIds.map((siteId) => enable(siteId))));
    const before = new Map(await Promise.all(siteIds.map(async (siteId) => [siteId, await current(siteId)] as const)));
    expect((await t.prisma.httpsState.findMany({ where: { siteId: { in: siteIds } } })).every((state) => state.renewAt! > new Date())).toBe(true);

    // the drill: the CA moves the windows of these certificates into the past
    const drill = { start: new Date(Date.now() - 2 * HOUR), end: new Date(Date.now() - HOUR), explanationURL: 'https://ca.example/drill', retryAfterSeconds: 60 };
    for (const certificate of before.values()) stack.ari.setWindow(certificate.ariCertId!, drill);
    // the next sweep comes once the Retry-After of the answers given at issuance (6 h) has passed
    const result = await t.app.get(HttpsSweep).run(new Date(Date.now() + 6 * HOUR + 60_000));
    expect(result.ariRechecked).toBeGreaterThanOrEqual(DRILL_SITES);
    expect(result.renewalsQueued).toBeGreaterThanOrEqual(DRILL_SITES);
    const renewals = await t.prisma.operation.findMany({ where: { siteId: { in: siteIds }, kind: 'https.renew' }, select: { id: true } });
    await finished(renewals.map(({ id }) => id));

    for (const siteId of siteIds) {
      const old = before.get(siteId)!;
      const renewed = await current(siteId);
      expect(renewed.serial).not.toBe(old.serial);
      expect(stack.ari.orders.some((order) => order.replaces === old.ariCertId)).toBe(true);
      const site = await t.prisma.site.findUniqueOrThrow({ where: { id: siteId } });
      expect((await served(site.primaryDomain)).serial).toBe(renewed.serial);
    }
  }, 300_000);

  it('keeps renewing when the CA refuses replaces: the order goes out again without it', async () => {
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'drill0.test' } })).id;
    const old = await current(siteId);
    stack.ari.refuseReplaces = true;
    try {
      await t.prisma.httpsState.update({ where: { siteId }, data: { renewAt: new Date(Date.now() - 1000) } });
      expect((await t.app.get(HttpsSweep).run()).renewalsQueued).toBe(1);
      const renewal = await t.prisma.operation.findFirstOrThrow({ where: { siteId, kind: 'https.renew' }, orderBy: { createdAt: 'desc' } });
      await finished([renewal.id]);
    } finally {
      stack.ari.refuseReplaces = false;
    }
    expect((await current(siteId)).serial).not.toBe(old.serial);
    const audit = await t.prisma.auditEvent.findFirstOrThrow({ where: { targetId: siteId, action: 'https.renewed' }, orderBy: { at: 'desc' } });
    expect(audit.changes).toMatchObject({ replaces: old.serial, replacesSent: false });
  });

  it('catches a served certificate that is not the newest (a reload that never happened), repairs it and records it', async () => {
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'drill1.test' } })).id;
    const certDir = join(stack.config.stateDir, 'certs', 'drill1.test');
    const vhost = join(stack.config.nginx.sitesDir, 'drill1.test.conf');
    const oldFiles = await snapshot([join(certDir, 'fullchain.pem'), join(certDir, 'privkey.pem'), vhost]);
    const oldSerial = (await current(siteId)).serial;

    await t.prisma.httpsState.update({ where: { siteId }, data: { renewAt: new Date(Date.now() - 1000) } });
    expect((await t.app.get(HttpsSweep).run()).renewalsQueued).toBe(1);
    await finished([(await t.prisma.operation.findFirstOrThrow({ where: { siteId, kind: 'https.renew' }, orderBy: { createdAt: 'desc' } })).id]);
    const newest = (await current(siteId)).serial;
    const newFiles = await snapshot(Object.keys(oldFiles));

    // nginx back on the old certificate, the new files on disk, no reload since
    await restore(oldFiles);
    await t.app.get(NginxAdapter).reload();
    await restore(newFiles);
    expect((await served('drill1.test')).serial).toBe(oldSerial);

    expect(await t.app.get(ServedProof).verify(siteId)).toBe('repaired');
    expect((await served('drill1.test')).serial).toBe(newest);
    expect(await posture(siteId)).toMatchObject({ servedSerial: newest });
    const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { targetId: siteId, action: 'https.served_mismatch' } });
    expect(event.changes).toMatchObject({ repaired: true, expectedSerial: newest });
    expect(await t.app.get(ServedProof).verify(siteId)).toBe('served');
  }, 120_000);

  it('advises on CAA: allowed with none, refused by another CA, and the exact accounturi record', async () => {
    const siteId = await createSite(['caa.test', 'www.caa.test']);
    const member = await t.token('member', memberId);
    const account = await t.prisma.acmeAccount.findUniqueOrThrow({ where: { directoryUrl: stack.config.acme.directoryUrl } });
    const advice = async () => (await t.http.get(`/api/sites/${siteId}/https/caa`).set(bearer(member))).body;

    expect(await advice()).toMatchObject({
      caIdentity: 'letsencrypt.org',
      accountUri: account.accountUrl,
      domains: [{ domain: 'caa.test', records: [], allowsCa: true, lockedToAccount: false }, { domain: 'www.caa.test', allowsCa: true }],
      recommended: [`caa.test. IN CAA 0 issue "letsencrypt.org; accounturi=${account.accountUrl}; validationmethods=http-01"`],
    });

    await stack.pebble.setCaa('caa.test', [{ tag: 'issue', value: 'other-ca.example' }]);
    const refused = await advice();
    expect(refused.domains[1]).toMatchObject({ domain: 'www.caa.test', foundAt: 'caa.test', allowsCa: false });

    const stranger = await t.token('member', (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'X', contactEmail: 'x@example.org' })).body.id);
    expect((await t.http.get(`/api/sites/${siteId}/https/caa`).set(bearer(stranger))).status).toBe(404);
  });
});

async function snapshot(paths: string[]): Promise<Record<string, Buffer>> {
  return Object.fromEntries(await Promise.all(paths.map(async (path) => [path, await fs.readFile(path)] as const)));
}

async function restore(files: Record<string, Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) await fs.writeFile(path, content);
}
