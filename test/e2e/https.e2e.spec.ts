import { promises as fs } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { LoggerService } from '@nestjs/common';
import type { SMTPServer } from 'smtp-server';
import { HttpsSweep } from '../../src/https/https-sweep.service.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { Mail, startSmtpSink } from '../support/smtp-sink.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

/** Real pebble (rejecting 30 % of nonces), real nginx, the real app with ROLE=all. */
describe('HTTPS in one click (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  const logLines: string[] = [];
  const responseBodies: string[] = [];
  let memberA: string;
  let memberB: string;

  beforeAll(async () => {
    const sink = await startSmtpSink(mails);
    smtp = sink.server;
    const smtpPort = sink.port;
    stack = await startWebStack({
      nonceRejectPercent: 30,
      env: { ROLE: 'all', CRONS_ENABLED: 'false', SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, STAFF_ALERT_EMAIL: 'staff@example.org' },
    });
    t = await startTestApp(stack.config);
    t.app.useLogger(capturingLogger(logLines));
    memberA = (await api('post', '/api/members', t.staffToken, { name: 'A', contactEmail: 'a@example.org' })).body.id;
    memberB = (await api('post', '/api/members', t.staffToken, { name: 'B', contactEmail: 'b@example.org' })).body.id;
  });

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  async function api(method: 'get' | 'post' | 'delete', path: string, token: string, body?: object) {
    const call = t.http[method](path).set(bearer(token));
    const res = await (body ? call.send(body) : call);
    responseBodies.push(res.text ?? '');
    return res;
  }

  async function createSite(domains: string[], memberId = memberA): Promise<string> {
    const res = await api('post', '/api/sites', t.staffToken, { memberId, domains });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function finished(operationId: string, token = t.staffToken) {
    return eventually(async () => {
      const res = await api('get', `/api/operations/${operationId}`, token);
      expect(['succeeded', 'failed']).toContain(res.body.status);
      return res.body as { status: string; error?: string };
    }, 60_000, 200);
  }

  async function enable(siteId: string, token = t.staffToken, body: object = {}): Promise<string> {
    const res = await api('post', `/api/sites/${siteId}/https`, token, body);
    expect(res.status).toBe(202);
    return res.body.operationId;
  }

  async function posture(siteId: string) {
    return (await api('get', `/api/sites/${siteId}`, t.staffToken)).body.posture.https;
  }

  /** The mail as a person reads it: folded headers and quoted-printable soft breaks undone. */
  const readable = (mail: Mail) => mail.body.replace(/=\r?\n/g, '').replace(/\r?\n[ \t]+/g, ' ');

  const currentSerial = async (siteId: string) =>
    (await t.prisma.certificate.findFirstOrThrow({ where: { siteId, current: true } })).serial;

  it('serves the site over verified HTTPS after one call, and redirects HTTP except the challenge path', async () => {
    const siteId = await createSite(['one.test', 'www.one.test']);
    expect(await finished(await enable(siteId))).toMatchObject({ status: 'succeeded' });

    for (const domain of ['one.test', 'www.one.test']) {
      const page = await stack.curl(domain, { https: true });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<h1>one.test</h1>');
    }
    const state = await posture(siteId);
    expect(state.status).toBe('active');
    expect(new Date(state.notAfter).getTime()).toBeGreaterThan(Date.now());
    expect(await servedSerial('one.test')).toBe(await currentSerial(siteId));

    const http = await stack.curl('one.test', { path: '/about?x=1' });
    expect(http.status).toBe(301);
    expect(http.location).toBe(`https://one.test:${stack.config.siteHttpsPort}/about?x=1`);
    await fs.writeFile(join(stack.config.stateDir, 'acme-challenges', 'probe-token'), 'probe');
    expect(await stack.curl('one.test', { path: '/.well-known/acme-challenge/probe-token' })).toMatchObject({ status: 200, body: 'probe' });
    expect((await stack.curl('one.test', { https: true, from: '::1' })).status).toBe(200);

    const keyFile = join(stack.config.stateDir, 'certs', 'one.test', 'privkey.pem');
    expect((await fs.stat(keyFile)).mode & 0o777).toBe(0o600);
  });

  it('answers 409 with the pending operation while an order is in flight', async () => {
    const siteId = await createSite(['busy.test']);
    const first = await enable(siteId);
    const second = await api('post', `/api/sites/${siteId}/https`, t.staffToken, {});
    if (second.status === 409) expect(second.body.details).toEqual({ operationId: first });
    else expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: first } })).status).toBe('succeeded');
    await finished(first);
  });

  it('lets the database refuse a second HTTPS operation for a site, however the requests interleave', async () => {
    const siteId = await createSite(['inflight.test']);
    const held = await t.prisma.operation.create({ data: { kind: 'https.renew', siteId, targetType: 'site', actor: 'test' } });
    const attempts = await Promise.all([1, 2, 3].map(() => api('post', `/api/sites/${siteId}/https`, t.staffToken, {})));
    const disable = await api('delete', `/api/sites/${siteId}/https`, t.staffToken);
    for (const res of [...attempts, disable]) {
      expect(res.status).toBe(409);
      expect(res.body.details).toEqual({ operationId: held.id });
    }
    expect(await t.prisma.auditEvent.count({ where: { targetId: siteId, action: { in: ['https.enable', 'https.disable'] } } })).toBe(0);
    expect((await t.prisma.httpsState.findUniqueOrThrow({ where: { siteId } })).enabled).toBe(false);
    await t.prisma.operation.update({ where: { id: held.id }, data: { status: 'failed' } });
    expect((await finished(await enable(siteId))).status).toBe('succeeded');
  });

  it('renews a certificate made due through the sweep and serves the new one', async () => {
    const site = await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'one.test' } });
    const before = await currentSerial(site.id);
    await t.prisma.httpsState.update({ where: { siteId: site.id }, data: { renewAt: new Date(Date.now() - 60_000) } });

    expect((await t.app.get(HttpsSweep).run()).renewalsQueued).toBe(1);
    expect((await t.app.get(HttpsSweep).run()).renewalsQueued).toBe(0);
    const renewal = await t.prisma.operation.findFirstOrThrow({ where: { siteId: site.id, kind: 'https.renew' } });
    expect(await finished(renewal.id)).toMatchObject({ status: 'succeeded' });

    const after = await currentSerial(site.id);
    expect(after).not.toBe(before);
    expect(await servedSerial('one.test')).toBe(after);
    const state = await t.prisma.httpsState.findUniqueOrThrow({ where: { siteId: site.id } });
    expect(state.renewAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('keeps serving and reloading when another site file was broken by hand, and reports it', async () => {
    const brokenId = await createSite(['broken.test']);
    expect(await finished(await enable(brokenId))).toMatchObject({ status: 'succeeded' });
    await fs.writeFile(join(stack.config.nginx.sitesDir, 'broken.test.conf'), 'server { listen 127.0.0.1:1; bogus_directive; }\n');

    const otherId = await createSite(['other.test']);
    expect(await finished(await enable(otherId))).toMatchObject({ status: 'succeeded' });
    expect((await stack.curl('other.test', { https: true })).status).toBe(200);
    expect((await stack.curl('one.test', { https: true })).status).toBe(200);

    const audit = await api('get', '/api/audit', t.staffToken);
    expect(audit.body.some((event: { action: string; targetId: string }) => event.action === 'nginx.quarantine' && event.targetId === brokenId)).toBe(true);
    expect((await posture(brokenId)).lastError).toMatch(/broken\.test\.conf.*moved to/);
    await eventually(async () => expect((await stack.curl('broken.test', { https: true })).status).toBe(200));
  });

  it('fails with a reason a person can act on when the domain does not reach this server, and alerts', async () => {
    await stack.pebble.setARecord('elsewhere.test', ['127.0.0.2']);
    const siteId = await createSite(['elsewhere.test'], memberB);
    const operation = await finished(await enable(siteId));
    expect(operation.status).toBe('failed');
    const state = await posture(siteId);
    expect(state.status).toBe('failed');
    expect(state.lastError).toMatch(/could not reach elsewhere\.test/);
    await eventually(async () => {
      const mail = mails.find((m) => m.body.includes('elsewhere.test'));
      expect(mail?.to.sort()).toEqual(['b@example.org', 'staff@example.org']);
    });
  });

  it('lets a member enable HTTPS on its own site only', async () => {
    const member = await t.token('member', memberA);
    const own = await createSite(['mine.test'], memberA);
    const theirs = await createSite(['theirs.test'], memberB);
    expect((await api('post', `/api/sites/${theirs}/https`, member, {})).status).toBe(404);
    expect((await api('delete', `/api/sites/${own}/https`, member)).status).toBe(403);
    const operationId = await enable(own, member, { hsts: true });
    expect(await finished(operationId, member)).toMatchObject({ status: 'succeeded' });
    expect((await stack.curl('mine.test', { https: true })).status).toBe(200);
  });

  it('alerts the member and staff once when a certificate is within 7 days of expiry', async () => {
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'mine.test' } })).id;
    const notAfter = new Date(Date.now() + 3 * 86_400_000);
    await t.prisma.httpsState.update({ where: { siteId }, data: { notAfter } });
    const sweep = t.app.get(HttpsSweep);

    expect((await sweep.run()).expiryAlerts).toBe(1);
    expect((await sweep.run()).expiryAlerts).toBe(0);

    await eventually(async () => {
      const alerts = mails.filter((m) => readable(m).includes('mine.test: certificate expires'));
      expect(alerts).toHaveLength(1);
      expect(alerts[0].to.sort()).toEqual(['a@example.org', 'staff@example.org']);
      expect(readable(alerts[0])).toContain(`certificate expires ${notAfter.toISOString().slice(0, 10)}`);
    });
    expect(await t.prisma.auditEvent.count({ where: { targetId: siteId, action: 'https.expiry_alert' } })).toBe(1);
  });

  it('stops renewing on a permanent failure, keeps serving the old certificate, says why, and recovers when asked again', async () => {
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'mine.test' } })).id;
    const serial = await currentSerial(siteId);
    await stack.pebble.setARecord('mine.test', ['127.0.0.2']);
    await t.prisma.httpsState.update({ where: { siteId }, data: { renewAt: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 30 * 86_400_000) } });
    const sweep = t.app.get(HttpsSweep);
    try {
      expect((await sweep.run()).renewalsQueued).toBe(1);
      const renewal = await t.prisma.operation.findFirstOrThrow({ where: { siteId, kind: 'https.renew' }, orderBy: { createdAt: 'desc' } });
      expect(await finished(renewal.id)).toMatchObject({ status: 'failed' });

      const state = await posture(siteId);
      expect(state.status).toBe('active');
      expect(state.lastError).toMatch(/could not reach mine\.test/);
      expect((await t.prisma.httpsState.findUniqueOrThrow({ where: { siteId } })).renewAt).toBeNull();
      expect((await sweep.run()).renewalsQueued).toBe(0);
      expect(await servedSerial('mine.test')).toBe(serial);
      await eventually(async () => expect(mails.filter((m) => readable(m).includes('mine.test: the HTTPS certificate could not be renewed'))).toHaveLength(1));
    } finally {
      await stack.pebble.clearARecord('mine.test');
    }

    expect(await finished(await enable(siteId))).toMatchObject({ status: 'succeeded' });
    expect(await currentSerial(siteId)).not.toBe(serial);
    expect((await t.prisma.httpsState.findUniqueOrThrow({ where: { siteId } })).renewAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('turns HTTPS off and revokes at the CA on request', async () => {
    const siteId = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'other.test' } })).id;
    const serial = await currentSerial(siteId);
    const res = await api('delete', `/api/sites/${siteId}/https?revoke=true`, t.staffToken);
    expect(res.status).toBe(202);
    expect(await finished(res.body.operationId)).toMatchObject({ status: 'succeeded' });

    const http = await stack.curl('other.test');
    expect(http.status).toBe(200);
    expect(http.body).toContain('<h1>other.test</h1>');
    expect((await posture(siteId)).status).toBe('none');
    expect(await pebbleCertStatus(serial!)).toBe('Revoked');
  });

  it('never shows a private key in an API response or a log line', async () => {
    for (const path of ['/api/sites', '/api/audit']) await api('get', path, t.staffToken);
    const operations = await t.prisma.operation.findMany({ select: { id: true } });
    for (const { id } of operations) await api('get', `/api/operations/${id}`, t.staffToken);
    expect(logLines.length).toBeGreaterThan(0);
    expect(responseBodies.filter((body) => body.includes('PRIVATE KEY'))).toEqual([]);
    expect(logLines.filter((line) => line.includes('PRIVATE KEY'))).toEqual([]);
  });

  function servedSerial(domain: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: stack.config.siteHttpsPort, servername: domain, ca: stack.rootPem }, () => {
        resolve(socket.getPeerCertificate().serialNumber.toUpperCase());
        socket.end();
      });
      socket.on('error', reject);
    });
  }

  async function pebbleCertStatus(serial: string): Promise<string> {
    const config = JSON.parse(await fs.readFile(join(stack.dataDir, 'pebble', 'pebble-config.json'), 'utf8'));
    const url = `https://${config.pebble.managementListenAddress}/cert-status-by-serial/${serial.toLowerCase()}`;
    return new Promise((resolve, reject) => {
      httpsRequest(url, { ca: stack.pebble.caBundlePem }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')).Status));
      })
        .on('error', reject)
        .end();
    });
  }
});

function capturingLogger(lines: string[]): LoggerService {
  const keep = (level: string) => (message: unknown, ...rest: unknown[]) => {
    lines.push(`${level} ${[message, ...rest].map((part) => (part instanceof Error ? part.stack : String(part))).join(' ')}`);
  };
  return { log: keep('log'), warn: keep('warn'), error: keep('error'), debug: keep('debug'), verbose: keep('verbose') };
}
