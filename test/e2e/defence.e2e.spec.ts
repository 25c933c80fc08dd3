import { createHmac } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { SMTPServer } from 'smtp-server';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { SecretsService } from '../../src/core/crypto/secrets.service.js';
import { DefenceSweep } from '../../src/defence/defence-sweep.service.js';
import { passKeyFile } from '../../src/web/defence-assets.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { Mail, startSmtpSink } from '../support/smtp-sink.js';
import { earnPass, tlsHandshake, visit, Visit, VisitOptions } from '../../scripts/lib/visitor.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

const FLOOD = '127.0.0.2';
const VISITOR = '127.0.0.3';

/** Real nginx with Debian's njs module, pebble, Chromium and the app with ROLE=all; requests come from several loopback addresses. */
describe('under-attack mode (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  let memberA: string;
  let memberToken: string;
  let otherToken: string;
  let legalToken: string;

  beforeAll(async () => {
    const sink = await startSmtpSink(mails);
    smtp = sink.server;
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false', SMTP_URL: `smtp://127.0.0.1:${sink.port}`, STAFF_ALERT_EMAIL: 'staff@example.org' } });
    t = await startTestApp(stack.config);
    memberA = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'A', contactEmail: 'a@example.org' })).body.id;
    const memberB = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'B', contactEmail: 'b@example.org' })).body.id;
    memberToken = await t.token('member', memberA);
    otherToken = await t.token('member', memberB);
    legalToken = await t.token('legal');
  });

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  const http = (host: string, options: Omit<VisitOptions, 'port'> = {}) => visit(host, { port: stack.config.siteHttpPort, ...options });
  const siteFile = (domain: string) => fs.readFile(join(stack.config.nginx.sitesDir, `${domain}.conf`), 'utf8');

  async function finished(operationId: string) {
    return eventually(async () => {
      const op = await t.http.get(`/api/operations/${operationId}`).set(bearer(t.staffToken));
      expect(['succeeded', 'failed']).toContain(op.body.status);
      return op.body as { status: string; error?: string };
    }, 60_000, 100);
  }

  async function createSite(domain: string): Promise<string> {
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: memberA, domains: [domain] });
    expect(res.status).toBe(201);
    expect(await finished(res.body.operationId)).toMatchObject({ status: 'succeeded' });
    await fs.writeFile(join(stack.config.sitesRoot, domain, 'public', 'index.html'), `content of ${domain}`);
    await fs.mkdir(join(stack.config.sitesRoot, domain, 'public', 'feed'), { recursive: true });
    await fs.writeFile(join(stack.config.sitesRoot, domain, 'public', 'feed', 'index.xml'), 'feed');
    return res.body.id;
  }

  async function setDefence(siteId: string, body: object, token = memberToken): Promise<void> {
    const res = await t.http.put(`/api/sites/${siteId}/defence`).set(bearer(token)).send(body);
    expect(res.status).toBe(202);
    expect(await finished(res.body.operationId)).toMatchObject({ status: 'succeeded' });
  }

  const posture = async (siteId: string) => (await t.http.get(`/api/sites/${siteId}`).set(bearer(memberToken))).body.posture.defence;

  /** `count` requests, `parallel` at a time. */
  async function flood(host: string, count: number, options: Omit<VisitOptions, 'port'>, parallel = 8): Promise<Visit[]> {
    const results: Visit[] = [];
    for (let sent = 0; sent < count; sent += parallel) {
      results.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - sent) }, () => http(host, options)))));
    }
    return results;
  }

  async function passKey(siteId: string): Promise<string> {
    const row = await t.prisma.siteDefence.findUniqueOrThrow({ where: { siteId } });
    return t.app.get(SecretsService).decrypt(row.passKeyEncrypted!);
  }

  /** A pass as the verifier would sign it, for a chosen expiry. */
  const signedPass = (key: string, address: string, expires: number) =>
    `hk_pass=${expires}.${createHmac('sha256', key).update(`p|${expires}|${address}`).digest('base64url')}`;

  it('rejects bad input with 400 and the fields in details, changing nothing; others are refused', async () => {
    const siteId = await createSite('bad.defence.test');
    const snapshot = async () => ({
      row: await t.prisma.siteDefence.findUnique({ where: { siteId } }),
      operations: await t.prisma.operation.count({ where: { siteId } }),
      audit: await t.prisma.auditEvent.count({ where: { targetId: siteId } }),
      file: await siteFile('bad.defence.test'),
    });
    const before = await snapshot();
    const bad: Array<[object, string]> = [
      [{ level: 'panic' }, 'level'],
      [{}, 'level'],
      [{ level: 'guarded', hours: 0 }, 'hours'],
      [{ level: 'guarded', hours: 169 }, 'hours'],
      [{ level: 'guarded', hours: 1.5 }, 'hours'],
      [{ level: 'challenge', exemptPaths: ['/feed/; deny all'] }, 'exemptPaths'],
      [{ level: 'challenge', exemptPaths: '/feed/' }, 'exemptPaths'],
      [{ level: 'challenge', exemptPaths: ['/.well-known/acme-challenge/'] }, 'exemptPaths'],
      [{ level: 'off', shieldRanges: ['10.0.0.0/33'] }, 'shieldRanges'],
      [{ level: 'off', shieldRanges: ['example.org'] }, 'shieldRanges'],
      [{ level: 'off', shieldRanges: Array.from({ length: 65 }, (_, i) => `10.0.${i}.0/24`) }, 'shieldRanges'],
      [{ level: 'guarded', extra: true }, 'extra'],
    ];
    for (const [body, field] of bad) {
      const res = await t.http.put(`/api/sites/${siteId}/defence`).set(bearer(memberToken)).send(body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.details)).toContain(field);
    }
    expect((await t.http.put(`/api/sites/${siteId}/defence`).set(bearer(otherToken)).send({ level: 'guarded' })).status).toBe(404);
    expect((await t.http.put(`/api/sites/${siteId}/defence`).set(bearer(legalToken)).send({ level: 'guarded' })).status).toBe(403);
    expect((await t.http.put('/api/sites/not-a-uuid/defence').set(bearer(memberToken)).send({ level: 'guarded' })).status).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect(await posture(siteId)).toEqual({ level: 'off', exemptPaths: [], shieldRanges: [] });
  });

  it('guarded: a flood from one address is answered 429 past the rate while another visitor and an undefended site are untouched', async () => {
    const siteId = await createSite('guarded.defence.test');
    await createSite('calm.defence.test');
    const before = Date.now();
    await setDefence(siteId, { level: 'guarded' });

    const state = await posture(siteId);
    expect(state.level).toBe('guarded');
    const until = new Date(state.until).getTime() - before;
    expect(until).toBeGreaterThan(24 * 3_600_000 - 60_000);
    expect(until).toBeLessThan(24 * 3_600_000 + 60_000);
    const audit = await t.prisma.auditEvent.findFirstOrThrow({ where: { targetId: siteId, action: 'defence.set' } });
    expect(audit.changes).toMatchObject({ level: 'guarded' });

    const flooded = await flood('guarded.defence.test', 200, { from: FLOOD });
    const refused = flooded.filter((res) => res.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].body).toContain('Too many requests');
    expect(flooded.every((res) => res.status === 200 || res.status === 429)).toBe(true);
    expect(await http('guarded.defence.test', { from: VISITOR })).toMatchObject({ status: 200, body: 'content of guarded.defence.test' });

    const calm = await flood('calm.defence.test', 200, { from: FLOOD });
    expect(calm.every((res) => res.status === 200)).toBe(true);
    expect(await siteFile('calm.defence.test')).not.toMatch(/limit_|js_|hostkeeper-pass/);
  });

  it('challenge: no pass gets the proof-of-work page; a solved challenge gives a pass nginx accepts; forged, expired and borrowed passes are refused', async () => {
    const siteId = await createSite('challenge.defence.test');
    await setDefence(siteId, { level: 'challenge', hours: 100, exemptPaths: ['/feed/'] });
    const host = 'challenge.defence.test';

    const page = await http(host, { from: VISITOR, path: '/index.html' });
    expect(page.status).toBe(403);
    expect(page.body).toContain('<script src="/.well-known/hostkeeper-challenge/pow.js"></script>');
    expect(page.body).not.toContain('content of');
    expect(page.body).toContain("script-src 'self'");
    const script = await http(host, { from: VISITOR, path: '/.well-known/hostkeeper-challenge/pow.js' });
    expect(script.status).toBe(200);
    expect(script.body).toContain('hkSolve');

    const pass = await earnPass(host, { port: stack.config.siteHttpPort, from: VISITOR });
    expect(pass).toMatch(/^hk_pass=\d{10}\.[A-Za-z0-9_-]{43}$/);
    expect(await http(host, { from: VISITOR, cookie: pass })).toMatchObject({ status: 200, body: `content of ${host}` });
    expect((await http(host, { from: FLOOD, cookie: pass })).status).toBe(403);

    const [expires, signature] = pass.slice('hk_pass='.length).split('.');
    const forged = `hk_pass=${expires}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await http(host, { from: VISITOR, cookie: forged })).status).toBe(403);
    expect((await http(host, { from: VISITOR, cookie: `hk_pass=${Number(expires) + 3600}.${signature}` })).status).toBe(403);
    const key = await passKey(siteId);
    const now = Math.floor(Date.now() / 1000);
    expect((await http(host, { from: VISITOR, cookie: signedPass(key, VISITOR, now + 600) })).status).toBe(200);
    expect((await http(host, { from: VISITOR, cookie: signedPass(key, VISITOR, now - 5) })).status).toBe(403);
    expect((await http('guarded.defence.test', { from: VISITOR, cookie: pass })).status).not.toBe(403);

    const wrongNonce = JSON.parse((await http(host, { from: VISITOR, path: '/.well-known/hostkeeper-pass' })).body).challenge;
    expect((await http(host, { from: VISITOR, path: `/.well-known/hostkeeper-pass?c=${wrongNonce}&n=0` })).status).toBe(403);

    expect(await http(host, { from: FLOOD, path: '/feed/index.xml' })).toMatchObject({ status: 200, body: 'feed' });
    await fs.writeFile(join(stack.config.stateDir, 'acme-challenges', 'challenge-token'), 'token-text');
    expect(await http(host, { from: FLOOD, path: '/.well-known/acme-challenge/challenge-token' })).toMatchObject({ status: 200, body: 'token-text' });
  });

  it('a real browser (Debian chromium, headless) runs the page under its CSP, earns the pass and shows the content', async () => {
    const host = 'challenge.defence.test';
    const result = await new ProcessRunner().run(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${join(stack.dataDir, 'chromium')}`,
        `--host-resolver-rules=MAP ${host} 127.0.0.1`,
        '--virtual-time-budget=20000',
        '--dump-dom',
        `http://${host}:${stack.config.siteHttpPort}/`,
      ],
      { timeoutMs: 90_000 },
    );
    expect(result.stdout).toContain(`content of ${host}`);
    expect(result.stdout).not.toContain('One moment');
  });

  it('keeps the pass key out of the vhost: only a root-only file holds it', async () => {
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'challenge.defence.test' } })).id;
    const key = await passKey(siteId);
    expect(await siteFile('challenge.defence.test')).not.toContain(key);
    const file = passKeyFile(stack.config.stateDir, 'challenge.defence.test');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(file, 'utf8')).toContain(key);
    const audits = await t.prisma.auditEvent.findMany({ where: { targetId: siteId } });
    const ops = await t.prisma.operation.findMany({ where: { siteId } });
    expect(JSON.stringify([audits, ops], (_name, value) => (typeof value === 'bigint' ? String(value) : value))).not.toContain(key);
  });

  it('issues a certificate through pebble while the challenge is on, and the challenge then guards HTTPS too', async () => {
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'challenge.defence.test' } })).id;
    const res = await t.http.post(`/api/sites/${siteId}/https`).set(bearer(memberToken)).send({});
    expect(res.status).toBe(202);
    expect(await finished(res.body.operationId)).toMatchObject({ status: 'succeeded' });
    const https = (options: Omit<VisitOptions, 'port' | 'ca'>) =>
      visit('challenge.defence.test', { port: stack.config.siteHttpsPort, ca: stack.rootPem, ...options });
    expect((await https({ from: VISITOR })).status).toBe(403);
    const pass = await earnPass('challenge.defence.test', { port: stack.config.siteHttpsPort, ca: stack.rootPem, from: VISITOR });
    expect(await https({ from: VISITOR, cookie: pass })).toMatchObject({ status: 200, body: 'content of challenge.defence.test' });
    expect((await http('challenge.defence.test', { from: VISITOR })).status).toBe(301);
  });

  it('behind a shield: direct visits are refused, the forwarded address from the range is trusted and limited on its own', async () => {
    const siteId = await createSite('shield.defence.test');
    await setDefence(siteId, { level: 'guarded', shieldRanges: [`${FLOOD}/32`] });
    const host = 'shield.defence.test';
    expect(await posture(siteId)).toMatchObject({ level: 'guarded', shieldRanges: [`${FLOOD}/32`] });
    expect((await http(host, { from: VISITOR })).status).toBe(403);
    expect((await http(host, { from: VISITOR, headers: { 'X-Forwarded-For': '198.51.100.1' } })).status).toBe(403);
    expect((await http(host, { from: FLOOD, headers: { 'X-Forwarded-For': '198.51.100.7' } })).status).toBe(200);

    const attacker = await flood(host, 200, { from: FLOOD, headers: { 'X-Forwarded-For': '198.51.100.66' } });
    expect(attacker.some((res) => res.status === 429)).toBe(true);
    expect((await http(host, { from: FLOOD, headers: { 'X-Forwarded-For': '198.51.100.7' } })).status).toBe(200);
    await fs.writeFile(join(stack.config.stateDir, 'acme-challenges', 'shield-token'), 'shield-token-text');
    expect((await http(host, { from: VISITOR, path: '/.well-known/acme-challenge/shield-token' })).status).toBe(200);
  });

  it('lapses on time: the member is told an hour before, then the site is back to normal, once', async () => {
    const siteId = await createSite('lapse.defence.test');
    // the shortest of this suite's defences, so the sweeps below only ever find this one
    await setDefence(siteId, { level: 'challenge', hours: 1 });
    const until = new Date((await posture(siteId)).until);
    const sweep = t.app.get(DefenceSweep);
    const minutes = (n: number) => new Date(until.getTime() + n * 60_000);
    // as a person reads it: quoted-printable soft breaks and folded headers undone
    const readable = (mail: Mail) => mail.body.replace(/=\r?\n/g, '').replace(/\r?\n[ \t]+/g, ' ');
    const forSite = () => mails.map(readable).filter((body) => body.includes('lapse.defence.test'));

    expect(await sweep.run(minutes(-90))).toEqual({ warned: 0, lapsed: 0 });
    expect(await sweep.run(minutes(-50))).toMatchObject({ warned: 1, lapsed: 0 });
    await eventually(async () => expect(forSite()).toHaveLength(1));
    expect(mails.find((mail) => readable(mail).includes('lapse.defence.test'))?.to).toEqual(expect.arrayContaining(['a@example.org']));
    expect(forSite()[0]).toContain('switches itself off');
    expect(await sweep.run(minutes(-40))).toMatchObject({ warned: 0 });
    expect((await http('lapse.defence.test', { from: VISITOR })).status).toBe(403);

    expect(await sweep.run(minutes(1))).toMatchObject({ lapsed: 1 });
    await eventually(async () => expect(await http('lapse.defence.test', { from: VISITOR })).toMatchObject({ status: 200 }));
    expect(await posture(siteId)).toEqual({ level: 'off', exemptPaths: [], shieldRanges: [] });
    expect(await siteFile('lapse.defence.test')).not.toMatch(/limit_|js_/);
    expect(await t.prisma.auditEvent.count({ where: { targetId: siteId, action: 'defence.lapsed', actor: 'system' } })).toBe(1);
    await eventually(async () => expect(forSite().some((body) => body.includes('is now off'))).toBe(true));
    expect(await sweep.run(minutes(2))).toEqual({ warned: 0, lapsed: 0 });
    expect(forSite()).toHaveLength(2);
    expect((await visit('challenge.defence.test', { port: stack.config.siteHttpsPort, ca: stack.rootPem, from: VISITOR })).status).toBe(403);
  });

  it('writes nothing about visitors: no log file for off sites, no visitor address in nginx error log', async () => {
    for (const domain of ['guarded.defence.test', 'challenge.defence.test', 'shield.defence.test']) {
      expect(await fs.readdir(join(stack.config.accessLogDir, domain))).toEqual([]);
    }
    const errorLog = await fs.readFile(stack.nginx.errorLogPath, 'utf8');
    for (const address of [FLOOD, VISITOR, '198.51.100.66', '198.51.100.7']) expect(errorLog).not.toContain(address);
  });

  it('in full logging mode, refusals still stay out of the site error log the member chose', async () => {
    const siteId = await createSite('full.defence.test');
    const logging = await t.http.put(`/api/sites/${siteId}/logging`).set(bearer(memberToken)).send({ mode: 'full' });
    expect(await finished(logging.body.operationId)).toMatchObject({ status: 'succeeded' });
    await setDefence(siteId, { level: 'guarded' });
    const flooded = await flood('full.defence.test', 200, { from: FLOOD });
    expect(flooded.some((res) => res.status === 429)).toBe(true);
    const errorLog = await fs.readFile(join(stack.config.accessLogDir, 'full.defence.test', 'error.log'), 'utf8');
    expect(errorLog).not.toContain('limiting');
    expect(errorLog).not.toContain(FLOOD);
  });

  it("hostkeeper's own default server: unknown names get no certificate and no page, and the file comes back when removed", async () => {
    expect(await tlsHandshake(stack.config.siteHttpsPort, 'unknown.example')).toBe('refused');
    expect(await tlsHandshake(stack.config.siteHttpsPort)).toBe('refused');
    expect(await tlsHandshake(stack.config.siteHttpsPort, 'challenge.defence.test')).toBe('established');
    await expect(http('unknown.example', { from: VISITOR })).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expect(http('127.0.0.1', { from: VISITOR })).rejects.toThrow(/socket hang up|ECONNRESET/);

    const file = join(stack.config.nginx.sitesDir, '00-hostkeeper-default.conf');
    const written = await fs.readFile(file, 'utf8');
    await fs.rm(file);
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'calm.defence.test' } })).id;
    await setDefence(siteId, { level: 'guarded' });
    expect(await fs.readFile(file, 'utf8')).toBe(written);
    expect(written).toContain('ssl_reject_handshake on;');
    await expect(http('unknown.example', { from: VISITOR })).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});

describe('under-attack mode on an nginx without njs (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;

  beforeAll(async () => {
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false' }, njs: false });
    t = await startTestApp(stack.config);
  });

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  });

  it('withdraws the challenge with a sentence saying what to install, and guards the site instead so it keeps being served and renewed', async () => {
    const member = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'C', contactEmail: 'c@example.org' })).body.id;
    const site = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: member, domains: ['nonjs.defence.test'] });
    const finished = (operationId: string) =>
      eventually(async () => {
        const op = await t.http.get(`/api/operations/${operationId}`).set(bearer(t.staffToken));
        expect(['succeeded', 'failed']).toContain(op.body.status);
        return op.body as { status: string; error?: string };
      }, 60_000, 100);
    expect(await finished(site.body.operationId)).toMatchObject({ status: 'succeeded' });

    const res = await t.http.put(`/api/sites/${site.body.id}/defence`).set(bearer(t.staffToken)).send({ level: 'challenge' });
    expect(res.status).toBe(202);
    const outcome = await finished(res.body.operationId);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/libnginx-mod-http-js.*guarded by rate limits instead/);
    const view = await t.http.get(`/api/sites/${site.body.id}`).set(bearer(t.staffToken));
    expect(view.body.posture.defence.level).toBe('guarded');
    const file = await fs.readFile(join(stack.config.nginx.sitesDir, 'nonjs.defence.test.conf'), 'utf8');
    expect(file).toContain('limit_req zone=');
    expect(file).not.toContain('js_');
    expect((await visit('nonjs.defence.test', { port: stack.config.siteHttpPort })).status).toBe(200);
    expect(await t.prisma.auditEvent.count({ where: { targetId: site.body.id, action: 'defence.challenge-withdrawn' } })).toBe(1);
  });
});
