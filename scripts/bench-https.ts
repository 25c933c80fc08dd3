import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSecureContext, SecureContext } from 'node:tls';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/config.js';
import { ProcessRunner } from '../src/core/adapters/process.adapter.js';
import { TokenService } from '../src/core/auth/token.service.js';
import { PrismaService } from '../src/core/database/prisma.service.js';
import { migrate } from '../src/core/database/migrator.js';
import { SiteApplier } from '../src/agent/site-applier.js';
import { WebServerService } from '../src/web/web-server.service.js';
import { benchAriSweep } from './lib/bench-ari.js';
import { startNginx } from './lib/nginx-instance.js';
import { startPebble } from './lib/pebble.js';
import { waitHealthy } from './lib/wait-healthy.js';
import { freePorts } from './lib/ports.js';

/**
 * N sites enable HTTPS at once against pebble and the real nginx; certbot and
 * lego each issue K certificates one after another against the same pebble.
 * Uses its own database (BENCH_DATABASE_URL, recreated) and Redis database
 * (BENCH_REDIS_URL, flushed).
 *
 * Laid out like production: the API is its own process (ROLE=api, from
 * dist/), the worker runs in this process (ROLE=worker, so its reload count
 * can be read), and the N requests are sent from a worker thread so that
 * their latency is not inflated by this process's event loop being busy with
 * the issuance it times.
 */
const N = Number(process.env.N || 200);
/** The ARI re-check sweep: how many certificates, and how many of them due per run. ARI_ONLY=1 skips the issuance bench. */
const ARI_TOTAL = Number(process.env.ARI_TOTAL || 100_000);
const ARI_DUE = (process.env.ARI_DUE || '0,100,1000,10000').split(',').map(Number);
const ARI_DATABASE_URL = process.env.BENCH_ARI_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench_ari';
const K = Number(process.env.K || 5);
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/10';
const processes = new ProcessRunner();

async function main(): Promise<void> {
  if (process.env.ARI_ONLY !== '1') await issuanceBench();
  const report = await benchAriSweep(ARI_DATABASE_URL, ARI_TOTAL, ARI_DUE);
  console.log(`\n${report}`);
}

async function issuanceBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hostkeeper-bench-'));
  const stateDir = join(dir, 'state');
  const challenges = join(stateDir, 'acme-challenges');
  const [httpPort, httpsPort, apiPort] = await freePorts(3);
  await recreateDatabase();
  await migrate(DATABASE_URL);
  await flushRedis();

  const nginx = await startNginx({ dataDir: join(dir, 'nginx'), httpPort, httpsPort, sitesDir: join(dir, 'nginx.d'), challengeDir: challenges });
  const pebble = await startPebble({ dataDir: join(dir, 'pebble'), httpPort });
  const rootPem = await pebble.fetchRootPem();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    CRONS_ENABLED: 'false',
    DATABASE_URL,
    REDIS_URL,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    ACME_DIRECTORY_URL: pebble.directoryUrl,
    ACME_CA_BUNDLE: pebble.caBundlePath,
    NGINX_BIN: nginx.bin,
    NGINX_CONF: nginx.confPath,
    NGINX_SITES_DIR: nginx.sitesDir,
    NGINX_RELOAD_WINDOW_MS: process.env.NGINX_RELOAD_WINDOW_MS || '250',
    SITES_ROOT: join(dir, 'www'),
    STATE_DIR: stateDir,
    ACCESS_LOG_DIR: join(dir, 'logs'),
    SITE_HTTP_PORT: String(httpPort),
    SITE_HTTPS_PORT: String(httpsPort),
    SITE_LISTEN_ADDRESS: nginx.listenAddress,
    PORT: String(apiPort),
  };
  // the worker with this host's agent in the same process (ROLE=all; its HTTP side is not listened on)
  const config = loadConfig({ ...env, ROLE: 'all' });
  const app = await createApp(config, { logger: ['error'] });
  await app.init();
  const api = await startApi({ ...env, ROLE: 'api' }, apiPort);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const prisma = app.get(PrismaService);
    const web = app.get(WebServerService);
    const applier = app.get(SiteApplier);
    const { token } = await app.get(TokenService).create('staff', undefined, 'bench');
    const domains = Array.from({ length: N }, (_, i) => `site${i + 1}.test`);
    const siteIds = await createSites(prisma, domains, join(dir, 'www'));
    await web.applyMany(siteIds);
    const reloadsBefore = applier.reloadCount;

    await warmUp(apiPort, siteIds, token);
    const client = await startClient(apiPort, siteIds, token);
    const probe = createSecureContext({ ca: rootPem });

    console.log(`storm: ${N} sites enable HTTPS at once (ACME_CONCURRENCY=${config.acme.concurrency}, reload window ${config.nginx.reloadWindowMs} ms)`);
    const start = performance.now();
    client.postMessage('go');
    const [latencies] = await Promise.all([clientResult(client), untilAllServed(db, domains, httpsPort, probe, () => applier.reloadCount)]);
    const stormSeconds = (performance.now() - start) / 1000;
    const failed = await prisma.operation.count({ where: { kind: 'https.enable', status: 'failed' } });
    const reloads = applier.reloadCount - reloadsBefore;

    const webroot = join(dir, 'webroot');
    await fs.mkdir(join(webroot, '.well-known'), { recursive: true });
    await fs.symlink(challenges, join(webroot, '.well-known', 'acme-challenge'));
    const certbot = await timeSequential(K, (i) => runCertbot(dir, webroot, pebble.directoryUrl, pebble.caBundlePath, i));
    const lego = await timeSequential(K, (i) => runLego(dir, webroot, pebble.directoryUrl, pebble.caBundlePath, i));

    const ours = stormSeconds / N;
    console.log(`
hostkeeper: ${N} certificates, all served over verified HTTPS in ${stormSeconds.toFixed(2)} s = ${ours.toFixed(4)} s/cert (${failed} failed)
nginx reloads during the storm: ${reloads}
POST /https latency during the storm: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms
certbot: ${K} certificates one after another = ${certbot.toFixed(3)} s/cert  -> hostkeeper is ${(certbot / ours).toFixed(1)}x faster per certificate${certbotReruns ? ` (${certbotReruns} run(s) again after certbot#9539)` : ''}
lego:    ${K} certificates one after another = ${lego.toFixed(3)} s/cert  -> hostkeeper is ${(lego / ours).toFixed(1)}x faster per certificate
goals: ${N} sites <= 20 s: ${stormSeconds <= 20 ? 'met' : 'NOT met'}; <= 10 reloads: ${reloads <= 10 ? 'met' : 'NOT met'}; POST p99 <= 50 ms: ${percentile(latencies, 99) <= 50 ? 'met' : 'NOT met'}; >= 25x certbot: ${certbot / ours >= 25 ? 'met' : 'NOT met'}
`);
  } finally {
    await db.end();
    await stopApi(api);
    await app.close();
    await Promise.allSettled([pebble.stop(), nginx.stop()]);
    if (!process.env.KEEP_BENCH_DIR) await fs.rm(dir, { recursive: true, force: true });
  }
}

async function recreateDatabase(): Promise<void> {
  const admin = new URL(DATABASE_URL);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function flushRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
}

/** As POST /api/sites would (the vhost is applied at creation), without timing it. */
async function createSites(prisma: PrismaService, domains: string[], sitesRoot: string): Promise<string[]> {
  const member = await prisma.member.create({ data: { name: 'bench', contactEmail: 'bench@example.org' } });
  const ids: string[] = [];
  for (const domain of domains) {
    const site = await prisma.site.create({
      data: {
        memberId: member.id,
        primaryDomain: domain,
        domains: [domain],
        documentRoot: join(sitesRoot, domain, 'public'),
        domainRows: { create: [{ domain }] },
        https: { create: { status: 'none' } },
        logging: { create: { mode: 'off', retentionDays: 7 } },
      },
    });
    ids.push(site.id);
  }
  return ids;
}

async function startApi(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'src', 'main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitHealthy(port, child);
  return child;
}

async function stopApi(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A running API has its pool connections open and its code paths compiled; a fresh process has neither. */
async function warmUp(port: number, siteIds: string[], token: string): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await Promise.all(
      siteIds.slice(0, 40).map((id) => fetch(`http://127.0.0.1:${port}/api/sites/${id}`, { headers: { Authorization: `Bearer ${token}` } }).then((res) => res.text())),
    );
  }
}

/** The requesting side, on its own event loop: waits for "go", sends every POST at once, reports each latency. */
async function startClient(port: number, siteIds: string[], token: string): Promise<Worker> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { port, siteIds, token } });
  await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  return worker;
}

function clientResult(worker: Worker): Promise<number[]> {
  return new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
}

async function runClient(): Promise<void> {
  const { port, siteIds, token } = workerData as { port: number; siteIds: string[]; token: string };
  parentPort!.once('message', () => {
    Promise.all(siteIds.map((id) => timedPost(port, `/api/sites/${id}/https`, token))).then(
      (latencies) => parentPort!.postMessage(latencies),
      (error: Error) => {
        throw error;
      },
    );
  });
  parentPort!.postMessage('ready');
}

async function timedPost(port: number, path: string, token: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  await response.text();
  if (response.status !== 202) throw new Error(`POST ${path} answered ${response.status}`);
  return performance.now() - start;
}

/**
 * Resolves when every domain answers over HTTPS with a certificate that
 * verifies against pebble's root. Probing all N sites every few milliseconds
 * would cost this process (which is also the worker being timed) thousands
 * of TLS handshakes, so a site is probed once its certificate row exists,
 * again after every nginx reload (the only moment its answer can change),
 * and at least every half second.
 */
async function untilAllServed(db: pg.Client, domains: string[], port: number, context: SecureContext, reloads: () => number): Promise<void> {
  const deadline = Date.now() + 300_000;
  const served = new Set<string>();
  let probedAt = { reloads: -1, time: 0, certified: 0 };
  while (served.size < domains.length) {
    if (Date.now() > deadline) throw new Error(`only ${served.size} of ${domains.length} sites were served over HTTPS within 5 minutes`);
    const { rows } = await db.query<{ domain: string }>(
      'SELECT s.primary_domain AS domain FROM certificates c JOIN sites s ON s.id = c.site_id WHERE c.current',
    );
    const now = { reloads: reloads(), time: Date.now(), certified: rows.length };
    if (now.reloads !== probedAt.reloads || now.certified !== probedAt.certified || now.time - probedAt.time >= 500) {
      probedAt = now;
      const waiting = rows.map(({ domain }) => domain).filter((domain) => !served.has(domain));
      await Promise.all(waiting.map(async (domain) => (await servesHttps(domain, port, context)) && served.add(domain)));
    }
    await sleep(20);
  }
}

function servesHttps(domain: string, port: number, secureContext: SecureContext): Promise<boolean> {
  return new Promise((resolve) => {
    const options = { host: '127.0.0.1', port, servername: domain, headers: { Host: domain }, path: '/', secureContext, agent: false, timeout: 5_000 };
    const req = request(options, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function timeSequential(count: number, issue: (i: number) => Promise<void>): Promise<number> {
  await issue(-1);
  const start = performance.now();
  for (let i = 0; i < count; i += 1) await issue(i);
  return (performance.now() - start) / 1000 / count;
}

/** certbot runs that crashed on an ACME error and were run again (their time counts in certbot's). */
let certbotReruns = 0;

/**
 * Run -1 registers the account (certbot) or issues a warm-up certificate (lego), outside the timing.
 * Debian's certbot 2.1 on Python 3.11 turns any ACME error (pebble rejects 5 % of nonces on purpose,
 * which certbot would otherwise retry) into "AttributeError: can't set attribute" and exits
 * (certbot/certbot#9539, fixed upstream in 2.3); an operator would run it again, so the bench does.
 */
async function runCertbot(dir: string, webroot: string, server: string, caBundle: string, run: number): Promise<void> {
  const base = ['--non-interactive', '--agree-tos', '--register-unsafely-without-email', '--server', server,
    '--config-dir', join(dir, 'certbot', 'config'), '--work-dir', join(dir, 'certbot', 'work'), '--logs-dir', join(dir, 'certbot', 'logs')];
  const args = run < 0 ? ['register', ...base] : ['certonly', ...base, '--webroot', '-w', webroot, '-d', `cb${run}.test`];
  for (let attempt = 1; ; attempt += 1) {
    try {
      await processes.runChecked('certbot', args, { env: { REQUESTS_CA_BUNDLE: caBundle }, timeoutMs: 120_000 });
      return;
    } catch (error) {
      if (attempt >= 3 || !/can't set attribute/.test(String(error))) throw error;
      certbotReruns += 1;
    }
  }
}

async function runLego(dir: string, webroot: string, server: string, caBundle: string, run: number): Promise<void> {
  const domain = run < 0 ? 'lgwarmup.test' : `lg${run}.test`;
  const args = ['--server', server, '--email', 'bench@example.org', '--accept-tos', '--path', join(dir, 'lego'), '--domains', domain, '--http', '--http.webroot', webroot, 'run'];
  await processes.runChecked('lego', args, { env: { LEGO_CA_CERTIFICATES: caBundle }, timeoutMs: 120_000 });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

(isMainThread ? main() : runClient()).catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
