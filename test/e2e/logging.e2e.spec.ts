import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { QueueRegistry } from '../../src/core/queue/queue.registry.js';
import { localDay } from '../../src/logging/log-retention.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

/** Real nginx serving the site on 127.0.0.1 and [::1], the real app with ROLE=all; the files on disk are the judge. */
describe('no-logging mode (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;
  const logLines: string[] = [];
  const tokens: string[] = [];
  let memberA: string;
  let memberB: string;
  let memberToken: string;
  let otherToken: string;
  let legalToken: string;

  beforeAll(async () => {
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false' } });
    t = await startTestApp(stack.config);
    t.app.useLogger(capturingLogger(logLines));
    memberA = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'A', contactEmail: 'a@example.org' })).body.id;
    memberB = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'B', contactEmail: 'b@example.org' })).body.id;
    memberToken = await t.token('member', memberA);
    otherToken = await t.token('member', memberB);
    legalToken = await t.token('legal');
    tokens.push(t.staffToken, memberToken, otherToken, legalToken);
  });

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  });

  it('serves a new site over HTTP as soon as its creation operation succeeds', async () => {
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: memberA, domains: ['fresh.example'] }).expect(201);
    await eventually(async () => {
      const op = await t.http.get(`/api/operations/${res.body.operationId}`).set(bearer(t.staffToken));
      expect(op.body.status).toBe('succeeded');
    }, 30_000);
    const page = await stack.curl('fresh.example');
    expect(page.status).toBe(200);
    expect(await t.prisma.attestation.count({ where: { siteId: res.body.id } })).toBe(0);
    const metrics = await t.http.get('/metrics').set(bearer(t.staffToken)).expect(200);
    expect(metrics.text).toMatch(/hostkeeper_job_outcomes_total\{job="logging\.apply",outcome="succeeded"\} [1-9]/);
  });

  const logDir = (domain: string) => join(stack.config.accessLogDir, domain);
  const today = () => localDay(new Date());

  async function createSite(domain: string, memberId = memberA): Promise<string> {
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId, domains: [domain] });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function setLogging(siteId: string, body: object, token = t.staffToken): Promise<string> {
    const res = await t.http.put(`/api/sites/${siteId}/logging`).set(bearer(token)).send(body);
    expect(res.status).toBe(202);
    const operation = await eventually(async () => {
      const op = await t.http.get(`/api/operations/${res.body.operationId}`).set(bearer(t.staffToken));
      expect(['succeeded', 'failed']).toContain(op.body.status);
      return op.body as { status: string; error?: string };
    }, 30_000);
    expect(operation).toEqual(expect.objectContaining({ status: 'succeeded' }));
    return res.body.operationId;
  }

  /** One request from each loopback family, with a query string, a user agent and a referrer to leak. */
  async function visit(domain: string): Promise<void> {
    for (const from of ['127.0.0.1', '::1'] as const) {
      const res = await stack.curl(domain, { from, path: '/index.html?campaign=secret-query' });
      expect(res.status).toBe(200);
    }
  }

  async function filesIn(domain: string): Promise<Record<string, string>> {
    const names = await fs.readdir(logDir(domain)).catch(() => [] as string[]);
    const entries = await Promise.all(names.map(async (name) => [name, await fs.readFile(join(logDir(domain), name), 'latin1')] as const));
    return Object.fromEntries(entries);
  }

  async function accessLog(domain: string): Promise<string> {
    return (await fs.readFile(join(logDir(domain), `access-${today()}.log`), 'utf8').catch(() => ''));
  }

  async function dataHeld(siteId: string, token = t.staffToken) {
    const res = await t.http.get(`/api/sites/${siteId}/data-held`).set(bearer(token));
    expect(res.status).toBe(200);
    return res.body;
  }

  async function runRetention(): Promise<void> {
    const before = await t.prisma.attestation.count({ where: { kind: 'logs.retention' } });
    await t.app.get(QueueRegistry).add('logging.retention', {}, `logging.retention-test-${Date.now()}`);
    await eventually(async () => expect(await t.prisma.attestation.count({ where: { kind: 'logs.retention' } })).toBeGreaterThan(before));
  }

  it('new sites start with the provider default (off) and hold nothing', async () => {
    const siteId = await createSite('default.logging.test');
    const site = await t.http.get(`/api/sites/${siteId}`).set(bearer(memberToken));
    expect(site.body.posture.logging).toEqual(expect.objectContaining({ mode: 'off', retentionDays: 7 }));
    const held = await dataHeld(siteId, memberToken);
    expect(held).toEqual(expect.objectContaining({ mode: 'off', nothingHeld: true, fileCount: 0, bytes: 0, files: [] }));
  });

  it('rejects bad input with 400 and changes nothing', async () => {
    const siteId = await createSite('bad-input.logging.test');
    const counts = async () => ({
      policy: await t.prisma.loggingPolicy.findUnique({ where: { siteId } }),
      operations: await t.prisma.operation.count({ where: { siteId } }),
      audit: await t.prisma.auditEvent.count({ where: { targetId: siteId } }),
    });
    const before = await counts();
    const bad: object[] = [
      { mode: 'verbose' },
      { mode: 'full', retentionDays: 0 },
      { mode: 'full', retentionDays: 1000 },
      { mode: 'full', retentionDays: '7' },
      { mode: 'full', retentionDays: 2.5 },
      { mode: 7 },
      { mode: 'full', retentionDays: 7, extra: true },
      {},
    ];
    for (const body of bad) {
      const res = await t.http.put(`/api/sites/${siteId}/logging`).set(bearer(t.staffToken)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.details?.length).toBeGreaterThan(0);
    }
    expect(await counts()).toEqual(before);
  });

  it('lets a member change its own site, not another member’s; legal may look but not change', async () => {
    const siteId = await createSite('access.logging.test');
    expect((await t.http.put(`/api/sites/${siteId}/logging`).set(bearer(otherToken)).send({ mode: 'full' })).status).toBe(404);
    expect((await t.http.get(`/api/sites/${siteId}/data-held`).set(bearer(otherToken))).status).toBe(404);
    expect((await t.http.get(`/api/sites/${siteId}/attestations`).set(bearer(otherToken))).status).toBe(404);
    expect((await t.http.put(`/api/sites/${siteId}/logging`).set(bearer(legalToken)).send({ mode: 'full' })).status).toBe(403);
    expect((await t.http.get(`/api/sites/${siteId}/data-held`).set(bearer(legalToken))).status).toBe(200);
    await setLogging(siteId, { mode: 'full', retentionDays: 3 }, memberToken);
    const audit = await t.prisma.auditEvent.findFirst({ where: { targetId: siteId, action: 'logging.set' } });
    expect(audit?.changes).toEqual({ mode: 'full', retentionDays: 3 });
    const site = await t.http.get(`/api/sites/${siteId}`).set(bearer(memberToken));
    // once the operation succeeded, the host's nginx runs what was asked
    expect(site.body.posture.logging).toEqual({ mode: 'full', retentionDays: 3, inForce: 'full', pending: false });
  });

  it('off: requests from 127.0.0.1 and ::1 leave no access-log byte for the site', async () => {
    const domain = 'off.logging.test';
    const siteId = await createSite(domain);
    await setLogging(siteId, { mode: 'off' });
    await visit(domain);
    const vhost = await fs.readFile(join(stack.config.nginx.sitesDir, `${domain}.conf`), 'utf8');
    expect(vhost).toContain('access_log off;');
    expect(await filesIn(domain)).toEqual({});
    expect((await dataHeld(siteId)).nothingHeld).toBe(true);
  });

  it('anonymized: lines are written, without any full address, user agent, referrer or query string', async () => {
    const domain = 'anon.logging.test';
    const siteId = await createSite(domain);
    await setLogging(siteId, { mode: 'anonymized' });
    await visit(domain);
    const lines = await eventually(async () => {
      const text = await accessLog(domain);
      expect(text.trim().split('\n')).toHaveLength(2);
      return text;
    });
    expect(lines).toContain('127.0.0.0 ');
    expect(lines).toMatch(/^:: \[/m);
    const everything = Object.values(await filesIn(domain)).join('\n');
    expect(everything).not.toContain('127.0.0.1');
    expect(everything).not.toContain('::1');
    expect(everything).not.toContain('secret-query');
    expect(everything).not.toContain('curl');
  });

  it('full: full addresses are logged, and the retention job removes per-day files older than the retention', async () => {
    const domain = 'full.logging.test';
    const siteId = await createSite(domain);
    await setLogging(siteId, { mode: 'full', retentionDays: 2 });
    await visit(domain);
    const text = await eventually(async () => {
      const lines = await accessLog(domain);
      expect(lines).toContain('127.0.0.1 - ');
      expect(lines).toContain('::1 - ');
      return lines;
    });
    expect(text).toContain('secret-query');

    const yesterday = localDay(new Date(Date.now() - 86_400_000));
    const old = ['access-2020-01-01.log', 'access-2020-01-02.log.1', 'access-2020-01-03.log.2.gz'];
    for (const name of [...old, `access-${yesterday}.log`]) await fs.writeFile(join(logDir(domain), name), `old line for ${name}\n`);

    await runRetention();

    const left = Object.keys(await filesIn(domain));
    expect(left).toEqual(expect.arrayContaining([`access-${today()}.log`, `access-${yesterday}.log`]));
    for (const name of old) expect(left).not.toContain(name);
    const attestation = await t.prisma.attestation.findFirst({ where: { siteId, kind: 'logs.retention' }, orderBy: { createdAt: 'desc' } });
    expect((attestation?.files as Array<{ name: string }>).map((file) => file.name).sort()).toEqual(old);
    expect(attestation?.requestedBy).toBe('system');
  });

  it('a failed reload is not forgotten: "off" is purged and attested only once nginx runs it, though the file on disk was already right', async () => {
    const domain = 'reload-debt.logging.test';
    const siteId = await createSite(domain);
    await setLogging(siteId, { mode: 'full', retentionDays: 3 });
    await visit(domain);
    const pid = await fs.readFile(stack.nginx.pidPath, 'utf8');
    const attestations = () => t.prisma.attestation.count({ where: { siteId, kind: 'logs.purge' } });
    // nginx -s reload now fails (no such master): the new file is written and tested, never loaded
    await fs.writeFile(stack.nginx.pidPath, '999999\n');
    let operationId: string;
    try {
      operationId = (await t.http.put(`/api/sites/${siteId}/logging`).set(bearer(t.staffToken)).send({ mode: 'off' }).expect(202)).body.operationId;
      await eventually(async () => {
        const op = (await t.http.get(`/api/operations/${operationId}`).set(bearer(t.staffToken))).body;
        expect(op.error).toMatch(/reload/);
      }, 20_000);
      // the file on disk already says off
      expect(await fs.readFile(join(stack.nginx.sitesDir, `${domain}.conf`), 'utf8')).toContain('access_log off;');
      const posture = (await t.http.get(`/api/sites/${siteId}`).set(bearer(t.staffToken))).body.posture.logging;
      expect(posture).toEqual(expect.objectContaining({ mode: 'off', inForce: 'full', pending: true }));
      expect(await attestations()).toBe(0);
      // the old configuration still runs and still logs
      const before = (await fs.readdir(logDir(domain))).length;
      expect(before).toBeGreaterThan(0);
    } finally {
      await fs.writeFile(stack.nginx.pidPath, pid);
    }
    // the retry finds the file unchanged, and reloads anyway: the debt was kept
    await eventually(async () => {
      const op = (await t.http.get(`/api/operations/${operationId}`).set(bearer(t.staffToken))).body;
      expect(op.status).toBe('succeeded');
    }, 30_000);
    expect(await attestations()).toBe(1);
    expect((await t.http.get(`/api/sites/${siteId}`).set(bearer(t.staffToken))).body.posture.logging).toEqual(
      expect.objectContaining({ mode: 'off', inForce: 'off', pending: false }),
    );
    await visit(domain);
    expect(await fs.readdir(logDir(domain)).catch(() => [])).toEqual([]);
  });

  it('full → off removes every file, rotated and compressed too, attests it, and data-held then holds nothing', async () => {
    const domain = 'switch.logging.test';
    const siteId = await createSite(domain);
    await setLogging(siteId, { mode: 'full', retentionDays: 7 });
    await visit(domain);
    await eventually(async () => expect(await accessLog(domain)).toContain('::1 - '));
    await fs.writeFile(join(logDir(domain), `access-${today()}.log.1`), '127.0.0.1 - - rotated line\n');
    await fs.writeFile(join(logDir(domain), 'access-2020-01-01.log.2.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));

    const before = await dataHeld(siteId, memberToken);
    expect(before.nothingHeld).toBe(false);
    expect(before.oldestDay).toBe('2020-01-01');
    const sizes = Object.fromEntries((before.files as Array<{ name: string; bytes: number }>).map((file) => [file.name, file.bytes]));
    expect(Object.keys(sizes)).toEqual(expect.arrayContaining([`access-${today()}.log`, `access-${today()}.log.1`, 'access-2020-01-01.log.2.gz', 'error.log']));

    const operationId = await setLogging(siteId, { mode: 'off' }, memberToken);
    await visit(domain);

    expect(await filesIn(domain)).toEqual({});
    const held = await dataHeld(siteId, memberToken);
    expect(held).toEqual(expect.objectContaining({ mode: 'off', nothingHeld: true, fileCount: 0, bytes: 0 }));
    expect(held.lastAttestation).toEqual(expect.objectContaining({ kind: 'logs.purge', fileCount: Object.keys(sizes).length }));

    const attestations = (await t.http.get(`/api/sites/${siteId}/attestations`).set(bearer(memberToken))).body as Array<{
      kind: string;
      requestedBy: string;
      files: Array<{ name: string; bytes: number }>;
      bytes: number;
    }>;
    const purge = attestations.find((a) => a.kind === 'logs.purge')!;
    const purged = Object.fromEntries(purge.files.map((file) => [file.name, file.bytes]));
    expect(purged).toEqual(sizes);
    expect(purge.bytes).toBe(Object.values(sizes).reduce((a, b) => a + b, 0));
    const operation = await t.prisma.operation.findUnique({ where: { id: operationId } });
    expect(purge.requestedBy).toBe(operation?.actor);

    const site = await t.http.get(`/api/sites/${siteId}`).set(bearer(memberToken));
    expect(site.body.posture.logging).toEqual(expect.objectContaining({ mode: 'off', lastPurgedAt: expect.any(String) }));
    expect(await t.prisma.auditEvent.count({ where: { targetId: siteId, action: 'logs.purge' } })).toBe(1);
  });

  it('full → anonymized purges the full lines; what is written afterwards is anonymised', async () => {
    const domain = 'to-anon.logging.test';
    const siteId = await createSite(domain);
    await setLogging(siteId, { mode: 'full' });
    await visit(domain);
    await eventually(async () => expect(await accessLog(domain)).toContain('127.0.0.1 - '));
    await setLogging(siteId, { mode: 'anonymized' });
    await visit(domain);
    const everything = await eventually(async () => {
      const text = Object.values(await filesIn(domain)).join('\n');
      expect(text).toContain('127.0.0.0 ');
      return text;
    });
    expect(everything).not.toContain('127.0.0.1');
    expect(everything).not.toContain('::1');
    const purge = await t.prisma.attestation.findFirst({ where: { siteId, kind: 'logs.purge' } });
    expect((purge?.files as Array<{ name: string }>).map((file) => file.name)).toEqual(expect.arrayContaining([`access-${today()}.log`, 'error.log']));
  });

  it('a burst of switches sharing statements: each site once per request, the same site twice in order, another member’s site refused', async () => {
    const mine = await Promise.all(['burst1.logging.test', 'burst2.logging.test', 'burst3.logging.test'].map((domain) => createSite(domain)));
    const theirs = await createSite('burst-other.logging.test', memberB);
    const put = (siteId: string, mode: string) => t.http.put(`/api/sites/${siteId}/logging`).set(bearer(memberToken)).send({ mode });
    const responses = await Promise.all([put(mine[0], 'full'), put(mine[0], 'anonymized'), put(mine[1], 'off'), put(theirs, 'full'), put(mine[2], 'anonymized')]);
    expect(responses.map((res) => res.status)).toEqual([202, 202, 202, 404, 202]);
    const operationIds = responses.filter((res) => res.status === 202).map((res) => res.body.operationId as string);
    await eventually(async () => {
      const operations = await t.prisma.operation.findMany({ where: { id: { in: operationIds } } });
      expect(operations.map((operation) => operation.status)).toEqual(operationIds.map(() => 'succeeded'));
    }, 30_000);
    const setEvents = await t.prisma.auditEvent.findMany({ where: { action: 'logging.set', targetId: { in: [...mine, theirs] } }, orderBy: { id: 'asc' } });
    expect(setEvents.map((event) => [event.targetId, (event.changes as { mode: string }).mode])).toEqual(
      expect.arrayContaining([[mine[0], 'full'], [mine[0], 'anonymized'], [mine[1], 'off'], [mine[2], 'anonymized']]),
    );
    expect(setEvents).toHaveLength(4);
    const lastForFirst = setEvents.filter((event) => event.targetId === mine[0]).at(-1);
    const policy = await t.prisma.loggingPolicy.findUnique({ where: { siteId: mine[0] } });
    expect(policy?.mode).toBe((lastForFirst?.changes as { mode: string }).mode);
    expect((await t.prisma.loggingPolicy.findUnique({ where: { siteId: theirs } }))?.mode).not.toBe('full');
    const purges = await t.prisma.attestation.findMany({ where: { siteId: { in: mine }, kind: 'logs.purge' } });
    expect(new Set(purges.map((row) => row.siteId))).toEqual(new Set(mine));
  });

  it("the service's own log output holds no visitor address and no token", () => {
    expect(logLines.some((line) => line.includes('purged'))).toBe(true);
    const output = logLines.join('\n');
    expect(output).not.toMatch(/127\.0\.0\.1|::1\b/);
    for (const token of tokens) expect(output).not.toContain(token);
  });
});

function capturingLogger(lines: string[]): LoggerService {
  const keep = (level: string) => (message: unknown, ...rest: unknown[]) => {
    lines.push(`${level} ${[message, ...rest].map((part) => (part instanceof Error ? part.stack : String(part))).join(' ')}`);
  };
  return { log: keep('log'), warn: keep('warn'), error: keep('error'), debug: keep('debug'), verbose: keep('verbose') };
}
