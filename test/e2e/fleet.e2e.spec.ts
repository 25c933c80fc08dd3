import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { agentQueue } from '../../jobs/hosts.jobs.js';
import { redisOptions } from '../../src/core/queue/redis-connection.js';
import { NginxInstance, startNginx } from '../../scripts/lib/nginx-instance.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env.js';
import { forgetBackupSecrets } from '../support/backup-secrets.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

interface Agent {
  name: string;
  hostId: string;
  settings: Record<string, string>;
  nginx: NginxInstance;
  dir: string;
  process?: ChildProcess;
  output: string[];
}

/**
 * Two web hosts, each a real agent process (ROLE=agent, its own Redis ACL
 * user, no database, no secrets key) in front of its own nginx whose workers
 * run as www-data; the control plane in this process. Files on each host's
 * disk and what each nginx serves are the judge.
 */
describe('fleet: one control plane, an agent per web host (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;
  let memberId: string;
  const agents: Agent[] = [];

  beforeAll(async () => {
    // operations waiting for a host retry only every two minutes here: one that finishes sooner was woken by the host's return
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false', HOST_OFFLINE_RETRY_SECONDS: '120' } });
    t = await startTestApp(stack.config);
    memberId = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'Fleet', contactEmail: 'fleet@example.org' })).body.id;
    const suffix = Date.now().toString(36);
    for (const [index, name] of [`web1-${suffix}`, `web2-${suffix}`].entries()) {
      const created = await t.http.post('/api/hosts').set(bearer(t.staffToken)).send({ name }).expect(201);
      expect(created.body.status).toBe('never-seen');
      agents.push(await prepareAgent(name, created.body.id, `127.0.0.${index + 2}`));
    }
    for (const agent of agents) startAgent(agent);
  }, 120_000);

  afterAll(async () => {
    for (const agent of agents) await stopAgent(agent);
    // the hosts of this suite are gone: later suites must not place sites on them
    await t?.prisma.host.updateMany({ where: { id: { in: agents.map((a) => a.hostId) } }, data: { stoppedAt: new Date() } });
    // the backup secrets this suite's SECRETS_KEY sealed would be of no use to the next suite
    if (t) await forgetBackupSecrets(t.prisma);
    await t?.close();
    for (const agent of agents) {
      await agent.nginx.stop();
      if (!process.env.KEEP_TEST_DIRS) await fs.rm(agent.dir, { recursive: true, force: true });
    }
    await stack?.stop();
  });

  /**
   * Each host's nginx on its own loopback address and the stack's ports, as web servers
   * are separate machines on the same ports: pebble validates HTTP-01 on one port, at the
   * address the fake DNS gives for the name.
   */
  async function prepareAgent(name: string, hostId: string, address: string): Promise<Agent> {
    const dir = await mkdtemp(join(tmpdir(), `hk-${name}-`));
    const { siteHttpPort: httpPort, siteHttpsPort: httpsPort } = stack.config;
    const nginx = await startNginx({
      dataDir: join(dir, 'nginx'),
      httpPort,
      httpsPort,
      listenAddress: address,
      sitesDir: join(dir, 'nginx.d'),
      challengeDir: join(dir, 'state', 'acme-challenges'),
    });
    const printed = spawnSync('node', [join(ROOT, 'dist', 'scripts', 'host-credentials.js'), '--host', hostId], {
      env: { PATH: process.env.PATH, DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL },
      encoding: 'utf8',
    });
    if (printed.status !== 0) throw new Error(`host:credentials failed: ${printed.stderr}`);
    const settings = Object.fromEntries(
      printed.stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(settings)).toEqual(expect.arrayContaining(['HOST_ID', 'REDIS_URL', 'AGENT_PRIVATE_KEY']));
    expect(settings.HOST_ID).toBe(hostId);
    expect(printed.stdout).not.toMatch(/DATABASE_URL|SECRETS_KEY/);
    return {
      name,
      hostId,
      dir,
      nginx,
      output: [],
      settings: {
        ...settings,
        NGINX_BIN: nginx.bin,
        NGINX_CONF: nginx.confPath,
        NGINX_SITES_DIR: nginx.sitesDir,
        NGINX_RELOAD_WINDOW_MS: '50',
        ...(nginx.workerUser ? { NGINX_WORKER_USER: nginx.workerUser } : {}),
        SITES_ROOT: join(dir, 'www'),
        STATE_DIR: join(dir, 'state'),
        // host-local: each agent backs up to its own folder
        BACKUP_TARGET: join(dir, 'backups'),
        ACCESS_LOG_DIR: join(dir, 'logs'),
        SITE_HTTP_PORT: String(httpPort),
        SITE_HTTPS_PORT: String(httpsPort),
        SITE_LISTEN_ADDRESS: nginx.listenAddress,
        AGENT_HEARTBEAT_MS: '1000',
      },
    };
  }

  /** Only the agent's own settings: nothing inherited from this process (which has a database). */
  function startAgent(agent: Agent): void {
    const child = spawn('node', [MAIN], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...agent.settings }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => agent.output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => agent.output.push(chunk.toString()));
    agent.process = child;
  }

  async function stopAgent(agent: Agent, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = agent.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async function hostView(agent: Agent) {
    return (await t.http.get(`/api/hosts/${agent.hostId}`).set(bearer(t.staffToken)).expect(200)).body;
  }

  async function operation(id: string) {
    return (await t.http.get(`/api/operations/${id}`).set(bearer(t.staffToken)).expect(200)).body;
  }

  async function succeeded(id: string, timeoutMs = 30_000): Promise<void> {
    await eventually(async () => expect((await operation(id)).status).toBe('succeeded'), timeoutMs, 200);
  }

  async function createSite(domain: string, agent: Agent): Promise<string> {
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId, domains: [domain], hostId: agent.hostId }).expect(201);
    expect(res.body.hostId).toBe(agent.hostId);
    await succeeded(res.body.operationId);
    return res.body.id;
  }

  async function curl(agent: Agent, domain: string, https = false): Promise<number> {
    const port = https ? agent.nginx.httpsPort : agent.nginx.httpPort;
    const tls = https ? ['--cacert', stack.rootPath] : [];
    const result = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', ...tls, '--resolve', `${domain}:${port}:${agent.nginx.listenAddress}`, `${https ? 'https' : 'http'}://${domain}:${port}/`], {
      encoding: 'utf8',
    });
    return Number(result.stdout);
  }

  const exists = (path: string) => fs.stat(path).then(() => true, () => false);

  it('registers hosts, and an agent with its credentials comes online with its version', async () => {
    for (const agent of agents) {
      await eventually(async () => expect((await hostView(agent)).status).toBe('online'), 30_000, 250);
      expect((await hostView(agent)).agentVersion).toMatch(/^\d+\.\d+\.\d+$/);
    }
    const list = await t.http.get('/api/hosts').set(bearer(t.staffToken)).expect(200);
    expect(list.body.items.map((h: { id: string }) => h.id)).toEqual(expect.arrayContaining(agents.map((a) => a.hostId)));
    await t.http.post('/api/hosts').set(bearer(t.staffToken)).send({ name: 'bad name;' }).expect(400);
    await t.http.post('/api/hosts').set(bearer(t.staffToken)).send({ name: agents[0].name }).expect(409);
    const member = await t.token('member', memberId);
    await t.http.get('/api/hosts').set(bearer(member)).expect(403);
  });

  it('no agent process holds DATABASE_URL or SECRETS_KEY', async () => {
    for (const agent of agents) {
      const environ = await fs.readFile(`/proc/${agent.process!.pid}/environ`, 'utf8');
      const names = environ.split('\0').map((entry) => entry.split('=')[0]);
      expect(names).toContain('HOST_ID');
      expect(names).not.toContain('DATABASE_URL');
      expect(names).not.toContain('SECRETS_KEY');
    }
  });

  it('places sites on their own host: files, folders and serving land only there', async () => {
    const [web1, web2] = agents;
    await createSite('uno.fleet.example', web1);
    await createSite('dos.fleet.example', web2);
    expect(await exists(join(web1.nginx.sitesDir, 'uno.fleet.example.conf'))).toBe(true);
    expect(await exists(join(web2.nginx.sitesDir, 'uno.fleet.example.conf'))).toBe(false);
    expect(await exists(join(web2.nginx.sitesDir, 'dos.fleet.example.conf'))).toBe(true);
    expect(await exists(join(web1.nginx.sitesDir, 'dos.fleet.example.conf'))).toBe(false);
    expect(await exists(join(stack.nginx.sitesDir, 'uno.fleet.example.conf'))).toBe(false);
    expect(await curl(web1, 'uno.fleet.example')).toBe(200);
    expect(await curl(web2, 'dos.fleet.example')).toBe(200);
    // each host's default server refuses the other's site
    expect(await curl(web2, 'uno.fleet.example')).not.toBe(200);
    expect(await curl(web1, 'dos.fleet.example')).not.toBe(200);
    const view = await hostView(web1);
    expect(view.siteCount).toBeGreaterThanOrEqual(1);
    expect(view.appliedRevision).toBe(view.desiredRevision);
  });

  it('logging: visitor logs are written, read and purged on the site’s own host only', async () => {
    const [web1, web2] = agents;
    const uno = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'uno.fleet.example' } })).id;
    const dos = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'dos.fleet.example' } })).id;
    for (const id of [uno, dos]) {
      const res = await t.http.put(`/api/sites/${id}/logging`).set(bearer(t.staffToken)).send({ mode: 'full', retentionDays: 3 }).expect(202);
      await succeeded(res.body.operationId);
    }
    expect(await curl(web1, 'uno.fleet.example')).toBe(200);
    expect(await curl(web2, 'dos.fleet.example')).toBe(200);
    await eventually(async () => {
      const held = await t.http.get(`/api/sites/${uno}/data-held`).set(bearer(t.staffToken)).expect(200);
      expect(held.body.bytes).toBeGreaterThan(0);
    });
    expect((await fs.readdir(join(web1.settings.ACCESS_LOG_DIR, 'uno.fleet.example'))).length).toBeGreaterThan(0);
    expect(await exists(join(web2.settings.ACCESS_LOG_DIR, 'uno.fleet.example'))).toBe(false);
    const off = await t.http.put(`/api/sites/${uno}/logging`).set(bearer(t.staffToken)).send({ mode: 'off' }).expect(202);
    await succeeded(off.body.operationId);
    expect(await fs.readdir(join(web1.settings.ACCESS_LOG_DIR, 'uno.fleet.example'))).toEqual([]);
    const held = await t.http.get(`/api/sites/${uno}/data-held`).set(bearer(t.staffToken)).expect(200);
    expect(held.body.nothingHeld).toBe(true);
    // the other host's site still logs
    expect((await fs.readdir(join(web2.settings.ACCESS_LOG_DIR, 'dos.fleet.example'))).length).toBeGreaterThan(0);
  });

  it('HTTPS: the challenge is answered, the key installed (sealed to that host) and the certificate served on the site’s own host only', async () => {
    const [web1, web2] = agents;
    const ids: Record<string, string> = {};
    for (const [agent, domain] of [[web1, 'tls1.fleet.example'], [web2, 'tls2.fleet.example']] as const) {
      await stack.pebble.setARecord(domain, [agent.nginx.listenAddress]);
      ids[domain] = await createSite(domain, agent);
    }
    const ops = await Promise.all(Object.values(ids).map(async (id) => (await t.http.post(`/api/sites/${id}/https`).set(bearer(t.staffToken)).send({}).expect(202)).body.operationId));
    for (const id of ops) await succeeded(id, 90_000);
    for (const [agent, other, domain] of [[web1, web2, 'tls1.fleet.example'], [web2, web1, 'tls2.fleet.example']] as const) {
      expect(await curl(agent, domain, true)).toBe(200);
      expect(await exists(join(agent.settings.STATE_DIR, 'certs', domain, 'privkey.pem'))).toBe(true);
      expect((await fs.stat(join(agent.settings.STATE_DIR, 'certs', domain, 'privkey.pem'))).mode & 0o777).toBe(0o600);
      expect(await exists(join(other.settings.STATE_DIR, 'certs', domain))).toBe(false);
      expect(await exists(join(stack.config.stateDir, 'certs', domain))).toBe(false);
      const posture = (await t.http.get(`/api/sites/${ids[domain]}`).set(bearer(t.staffToken))).body.posture.https;
      const current = await t.prisma.certificate.findFirstOrThrow({ where: { siteId: ids[domain], current: true } });
      // proof of service was made by that host's agent, against its own nginx
      expect(posture).toMatchObject({ status: 'active', servedSerial: current.serial });
    }
  }, 150_000);

  it("backups: a site on web2 is backed up to web2's own BACKUP_TARGET and restored byte-identical on web2's disk", async () => {
    const [web1, web2] = agents;
    const dos = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'dos.fleet.example' } })).id;
    const root = join(web2.settings.SITES_ROOT, 'dos.fleet.example', 'public');
    const content = randomBytes(300_000);
    await fs.mkdir(join(root, 'sub'), { recursive: true });
    await fs.writeFile(join(root, 'data.bin'), content);
    await fs.writeFile(join(root, 'sub', 'page.html'), '<p>dos</p>\n');
    await t.http.put(`/api/sites/${dos}/backup-policy`).set(bearer(t.staffToken)).send({ enabled: true, keyCustody: 'provider' }).expect(200);
    const backup = await t.http.post(`/api/sites/${dos}/backups`).set(bearer(t.staffToken)).expect(202);
    await succeeded(backup.body.operationId, 60_000);
    const runs = (await t.http.get(`/api/sites/${dos}/backups`).set(bearer(t.staffToken)).expect(200)).body.items;
    const run = runs.find((r: { kind: string }) => r.kind === 'backup');
    expect(run).toMatchObject({ status: 'succeeded', custody: 'provider' });
    expect(run.files).toBeGreaterThanOrEqual(2);

    // on web2's BACKUP_TARGET, nowhere else
    expect(await exists(join(web2.settings.BACKUP_TARGET, 'restic', memberId, 'config'))).toBe(true);
    expect(await exists(join(web1.settings.BACKUP_TARGET, 'restic', memberId))).toBe(false);
    expect(await exists(join(t.config.backupTarget, 'restic', memberId))).toBe(false);
    // the restic password reached the agent sealed: it is nowhere in web2's state in clear
    const repo = await t.prisma.backupRepository.findUniqueOrThrow({ where: { memberId } });
    expect(repo.passwordEncrypted).not.toBe('');

    await fs.rm(join(root, 'data.bin'));
    await fs.writeFile(join(root, 'sub', 'page.html'), 'defaced\n');
    await fs.writeFile(join(root, 'intruder.php'), '<?php ?>');
    const restore = await t.http.post(`/api/sites/${dos}/backups/${run.snapshotId}/restore`).set(bearer(t.staffToken)).send({}).expect(202);
    await succeeded(restore.body.operationId, 60_000);
    expect((await fs.readFile(join(root, 'data.bin'))).equals(content)).toBe(true);
    expect(await fs.readFile(join(root, 'sub', 'page.html'), 'utf8')).toBe('<p>dos</p>\n');
    expect(await exists(join(root, 'intruder.php'))).toBe(false);
    expect(await curl(web2, 'dos.fleet.example')).toBe(200);
    const restored = (await t.http.get(`/api/sites/${dos}/backups`).set(bearer(t.staffToken)).expect(200)).body.items;
    expect(restored.find((r: { kind: string }) => r.kind === 'restore')).toMatchObject({ status: 'succeeded', snapshotId: run.snapshotId });

    // the API cannot read web2's own folder: it says so rather than streaming nothing
    const download = await t.http.get(`/api/sites/${dos}/backups/latest/download`).set(bearer(t.staffToken)).expect(409);
    expect(download.body.message).toMatch(new RegExp(`host ${web2.name}`));
  }, 120_000);

  it("one agent's Redis credentials are refused on another host's queue and on the service's own keys", async () => {
    const [web1, web2] = agents;
    const options = { ...redisOptions(web1.settings.REDIS_URL), maxRetriesPerRequest: 1 };
    const foreign = new Queue(agentQueue(web2.hostId), { connection: options, prefix: web1.settings.REDIS_PREFIX });
    const redis = new Redis(options);
    try {
      await expect(foreign.add('site.apply', { commandId: 'x', expiresAt: Date.now() + 60_000, data: {} })).rejects.toThrow(/NOPERM|permission/i);
      await expect(foreign.getJobs(['wait', 'active', 'completed'])).rejects.toThrow(/NOPERM|permission/i);
      await expect(redis.get(`${web1.settings.REDIS_PREFIX}:logging:id`)).rejects.toThrow(/NOPERM|permission/i);
      await expect(redis.keys('*')).rejects.toThrow(/NOPERM|permission/i);
      await expect(redis.call('FLUSHALL')).rejects.toThrow(/NOPERM|permission/i);
      // its own queue it may read
      const own = new Queue(agentQueue(web1.hostId), { connection: options, prefix: web1.settings.REDIS_PREFIX });
      await expect(own.getJobCounts()).resolves.toBeDefined();
      await own.close();
    } finally {
      await foreign.close();
      redis.disconnect();
    }
  });

  it('kill -9 one agent: its operations wait and say so, the other host finishes; restarted, it catches up unaided', async () => {
    const [web1, web2] = agents;
    const uno = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'uno.fleet.example' } })).id;
    const dos = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'dos.fleet.example' } })).id;
    await stopAgent(web2, 'SIGKILL');
    await eventually(async () => expect((await hostView(web2)).status).toBe('offline'), 30_000, 250);
    const waiting = await t.http.put(`/api/sites/${dos}/logging`).set(bearer(t.staffToken)).send({ mode: 'anonymized' }).expect(202);
    const other = await t.http.put(`/api/sites/${uno}/logging`).set(bearer(t.staffToken)).send({ mode: 'anonymized' }).expect(202);
    await succeeded(other.body.operationId, 20_000);
    await eventually(async () => {
      const op = await operation(waiting.body.operationId);
      expect(op.status).toBe('queued');
      expect(op.waitingFor).toMatch(new RegExp(`^waiting for host ${web2.name} \\(offline since \\d{4}-`));
    }, 20_000, 250);
    startAgent(web2);
    await succeeded(waiting.body.operationId, 30_000);
    expect(await fs.readFile(join(web2.nginx.sitesDir, 'dos.fleet.example.conf'), 'utf8')).toMatch(/anonym/);
    await eventually(async () => expect((await hostView(web2)).status).toBe('online'), 15_000, 250);
    expect(await curl(web1, 'uno.fleet.example')).toBe(200);
  }, 120_000);

  it('Redis flushed in a storm on both hosts: every site converges to its desired revision', async () => {
    const [web1, web2] = agents;
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      for (const agent of [web1, web2]) {
        const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId, domains: [`s${i}.${agent.name}.example`], hostId: agent.hostId }).expect(201);
        ids.push(res.body.id);
      }
    }
    const admin = new Redis(redisOptions(TEST_REDIS_URL));
    await Promise.all(ids.map((id) => t.http.put(`/api/sites/${id}/logging`).set(bearer(t.staffToken)).send({ mode: 'full', retentionDays: 2 }).expect(202)));
    await admin.flushdb();
    admin.disconnect();
    await eventually(
      async () => {
        const rows = await t.prisma.site.findMany({ where: { id: { in: ids } }, select: { desiredRevision: true, appliedRevision: true } });
        expect(rows.filter((row) => row.appliedRevision < row.desiredRevision || row.desiredRevision === 0)).toEqual([]);
      },
      60_000,
      500,
    );
    for (const agent of [web1, web2]) {
      const files = await fs.readdir(agent.nginx.sitesDir);
      expect(files.filter((file) => file.endsWith(`.${agent.name}.example.conf`))).toHaveLength(10);
    }
  }, 120_000);
  it('moves a site to another host: content byte-identical and served there, nothing of it left on the old host', async () => {
    const web2 = agents[1];
    const dos = (await t.prisma.site.findUniqueOrThrow({ where: { primaryDomain: 'dos.fleet.example' } })).id;
    // a third host that reaches web2's repositories the way hosts share one remote backend (restic's local: backend here)
    const created = await t.http.post('/api/hosts').set(bearer(t.staffToken)).send({ name: `web3-${Date.now().toString(36)}` }).expect(201);
    const web3 = await prepareAgent(created.body.name, created.body.id, '127.0.0.4');
    web3.settings.BACKUP_TARGET = `local:${join(web2.settings.BACKUP_TARGET, 'restic')}`;
    agents.push(web3);
    startAgent(web3);
    await eventually(async () => expect((await hostView(web3)).status).toBe('online'), 30_000, 250);

    const oldRoot = join(web2.settings.SITES_ROOT, 'dos.fleet.example', 'public');
    const content = randomBytes(200_000);
    await fs.writeFile(join(oldRoot, 'moved.bin'), content);
    await fs.writeFile(join(oldRoot, 'index.html'), '<p>dos, moving</p>\n');
    // a visit on web2 leaves an (anonymised) log line there, which must not stay behind
    expect(await curl(web2, 'dos.fleet.example')).toBe(200);
    await eventually(async () => expect((await fs.readdir(join(web2.settings.ACCESS_LOG_DIR, 'dos.fleet.example'))).length).toBeGreaterThan(0));

    const member = await t.token('member', memberId);
    await t.http.post(`/api/sites/${dos}/move`).set(bearer(member)).send({ hostId: web3.hostId }).expect(403);
    await t.http.post(`/api/sites/${dos}/move`).set(bearer(t.staffToken)).send({ hostId: 'nope' }).expect(400);
    await t.http.post(`/api/sites/${dos}/move`).set(bearer(t.staffToken)).send({ hostId: web2.hostId }).expect(409);
    const runsBefore = await t.prisma.backupRun.count({ where: { siteId: dos } });
    const moved = await t.http.post(`/api/sites/${dos}/move`).set(bearer(t.staffToken)).send({ hostId: web3.hostId }).expect(202);
    await succeeded(moved.body.operationId, 90_000);
    // the snapshot that carried the content is one of the site's backups, listed and kept like any other
    expect(await t.prisma.backupRun.count({ where: { siteId: dos } })).toBe(runsBefore + 1);
    const listed = (await t.http.get(`/api/sites/${dos}/backups`).set(bearer(t.staffToken)).expect(200)).body.items;
    expect(listed[0]).toMatchObject({ kind: 'backup', status: 'succeeded', custody: 'provider', snapshotId: expect.stringMatching(/^[0-9a-f]{8,64}$/) });

    const view = (await t.http.get(`/api/sites/${dos}`).set(bearer(t.staffToken)).expect(200)).body;
    expect(view.hostId).toBe(web3.hostId);
    const newRoot = join(web3.settings.SITES_ROOT, 'dos.fleet.example', 'public');
    expect((await fs.readFile(join(newRoot, 'moved.bin'))).equals(content)).toBe(true);
    expect((await fs.readFile(join(newRoot, 'sub', 'page.html'), 'utf8'))).toBe('<p>dos</p>\n');
    // served by web3's nginx, with the logging mode it had (anonymized)
    const page = spawnSync('curl', ['-s', '--max-time', '5', '--resolve', `dos.fleet.example:${web3.nginx.httpPort}:${web3.nginx.listenAddress}`, `http://dos.fleet.example:${web3.nginx.httpPort}/`], { encoding: 'utf8' });
    expect(page.stdout).toBe('<p>dos, moving</p>\n');
    expect(await fs.readFile(join(web3.nginx.sitesDir, 'dos.fleet.example.conf'), 'utf8')).toMatch(/anonym/);
    // nothing of it on web2: vhost, document root, logs, certificate folder; web2 no longer serves it
    expect(await exists(join(web2.nginx.sitesDir, 'dos.fleet.example.conf'))).toBe(false);
    expect(await exists(join(web2.settings.SITES_ROOT, 'dos.fleet.example'))).toBe(false);
    expect(await exists(join(web2.settings.ACCESS_LOG_DIR, 'dos.fleet.example'))).toBe(false);
    const web2State = spawnSync('grep', ['-rl', 'dos.fleet.example', web2.settings.STATE_DIR], { encoding: 'utf8' });
    expect(web2State.stdout.split('\n').filter((line) => line && !line.includes('restic-cache'))).toEqual([]);
    expect(await curl(web2, 'dos.fleet.example')).not.toBe(200);
    const audit = await t.prisma.auditEvent.findFirst({ where: { action: 'sites.moved', targetId: dos } });
    expect(audit?.changes).toMatchObject({ fromHostId: web2.hostId, toHostId: web3.hostId });
  }, 180_000);
});
