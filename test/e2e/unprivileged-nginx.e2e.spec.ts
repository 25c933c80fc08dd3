import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { FilesAdapter } from '../../src/core/adapters/files.adapter.js';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { NginxWorkersCheck } from '../../src/web/nginx-workers.check.js';
import { localDay } from '../../src/logging/log-retention.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

/**
 * nginx as Debian runs it: the master as root, the workers as www-data. Sites
 * that keep access logs must really get them, written by the workers into
 * folders only they (and root) may write.
 */
describe('unprivileged nginx workers (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;
  const processes = new ProcessRunner();

  beforeAll(async () => {
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false' } });
    t = await startTestApp(stack.config);
  });

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  });

  it('the workers run as www-data, the master as root', async () => {
    expect(stack.config.nginx.workerUser).toBe('www-data');
    const ps = await processes.run('ps', ['-eo', 'user:32,ppid,pid,args'], { timeoutMs: 5_000 });
    const masterPid = Number((await fs.readFile(stack.nginx.pidPath, 'utf8').catch(() => '')).trim()) || undefined;
    const lines = ps.stdout.split('\n').filter((line) => /nginx: (master|worker) process/.test(line));
    const master = lines.find((line) => line.includes(stack.nginx.confPath));
    expect(master).toBeDefined();
    const [masterUser, , pid] = master!.trim().split(/\s+/);
    expect(masterUser).toBe('root');
    if (masterPid) expect(Number(pid)).toBe(masterPid);
    const workers = lines.filter((line) => line.trim().split(/\s+/)[1] === pid && line.includes('worker process'));
    expect(workers.length).toBeGreaterThan(0);
    for (const worker of workers) expect(worker.trim().split(/\s+/)[0]).toBe('www-data');
    const conf = await fs.readFile(stack.nginx.confPath, 'utf8');
    expect(conf).toMatch(/^user www-data;$/m);
    expect(conf).not.toMatch(/user root/);
  });

  async function createSite(domain: string): Promise<string> {
    const member = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: domain, contactEmail: 'm@example.org' })).body.id;
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: member, domains: [domain] });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function setLogging(siteId: string, mode: 'full' | 'anonymized'): Promise<void> {
    const res = await t.http.put(`/api/sites/${siteId}/logging`).set(bearer(t.staffToken)).send({ mode, retentionDays: 7 });
    expect(res.status).toBe(202);
    await eventually(async () => {
      const op = await t.http.get(`/api/operations/${res.body.operationId}`).set(bearer(t.staffToken));
      expect(op.body.status).toBe('succeeded');
    }, 30_000);
  }

  it.each(['full', 'anonymized'] as const)('a %s site gets its access log, written by the workers into a 0750 folder of www-data', async (mode) => {
    const domain = `${mode}.unprivileged.test`;
    const siteId = await createSite(domain);
    await setLogging(siteId, mode);
    const page = await stack.curl(domain, { path: '/index.html' });
    expect(page.status).toBe(200);

    const dir = join(stack.config.accessLogDir, domain);
    const stat = await fs.stat(dir);
    expect(stat.mode & 0o777).toBe(0o750);
    const worker = await processes.run('id', ['-u', 'www-data'], { timeoutMs: 5_000 });
    expect(stat.uid).toBe(Number(worker.stdout.trim()));

    const file = join(dir, `access-${localDay(new Date())}.log`);
    const text = await eventually(async () => {
      const content = await fs.readFile(file, 'utf8');
      expect(content).toContain('"GET /index.html HTTP/1.1" 200');
      return content;
    });
    expect(text.length).toBeGreaterThan(0);
    // the service (root) still reads and measures what the workers wrote
    const held = await t.http.get(`/api/sites/${siteId}/data-held`).set(bearer(t.staffToken)).expect(200);
    expect(held.body.bytes).toBeGreaterThan(0);
    expect(held.body.fileCount).toBeGreaterThan(0);

    const errors = await fs.readFile(stack.nginx.errorLogPath, 'utf8');
    expect(errors).not.toMatch(/Permission denied/);
  });

  it('the start-up check finds nothing wrong and says so on /health', async () => {
    const health = await t.http.get('/health').expect(200);
    expect(health.body.nginxWorkers).toEqual({ user: 'www-data', ok: true });
  });
});

describe('the start-up check of what nginx workers can reach (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;

  beforeAll(async () => {
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false' } });
    t = await startTestApp(stack.config);
  });

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  });

  it('names the folder the workers cannot write and how to fix it, in one sentence, and /health shows it', async () => {
    const broken = join(stack.config.accessLogDir, 'left-by-hand.test');
    await fs.mkdir(broken, { recursive: true, mode: 0o755 });
    await fs.chown(broken, 0, 0);
    const challenges = join(stack.config.stateDir, 'acme-challenges');
    await fs.chmod(challenges, 0o700);
    const check = t.app.get(NginxWorkersCheck);
    const status = await check.run();
    expect(status.ok).toBe(false);
    expect(status.problem).toContain(`cannot write the access log folders ${broken}`);
    expect(status.problem).toContain(`chown www-data <folder> && chmod 750 <folder>`);
    expect(status.problem).toContain(`cannot pass through ${challenges}`);
    expect(status.problem!.split('. ').length).toBe(1);
    const health = await t.http.get('/health').expect(200);
    expect(health.body.nginxWorkers).toEqual({ user: 'www-data', ok: false });

    await fs.chmod(challenges, 0o755);
    await fs.rm(broken, { recursive: true });
    expect(await check.run()).toEqual({ user: 'www-data', ok: true });
  });

  it('says when the user of nginx.conf is not NGINX_WORKER_USER', async () => {
    const check = new NginxWorkersCheck(t.app.get(FilesAdapter), { ...stack.config, nginx: { ...stack.config.nginx, workerUser: 'nobody' } });
    const status = await check.run();
    expect(status).toEqual(expect.objectContaining({ user: 'www-data', ok: false }));
    expect(status.problem).toContain('set NGINX_WORKER_USER=www-data');
  });
});
