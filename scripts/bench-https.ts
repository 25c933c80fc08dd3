import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/config.js';
import { ProcessRunner } from '../src/core/adapters/process.adapter.js';
import { TokenService } from '../src/core/auth/token.service.js';
import { PrismaService } from '../src/core/database/prisma.service.js';
import { migrate } from '../src/core/database/migrator.js';
import { WebServerService } from '../src/web/web-server.service.js';
import { startNginx } from './lib/nginx-instance.js';
import { startPebble } from './lib/pebble.js';
import { freePorts } from './lib/ports.js';

/**
 * N sites enable HTTPS at once against pebble and the real nginx; certbot and
 * lego each issue K certificates one after another against the same pebble.
 * Uses its own database (BENCH_DATABASE_URL, recreated) and Redis database
 * (BENCH_REDIS_URL, flushed).
 */
const N = Number(process.env.N || 200);
const K = Number(process.env.K || 5);
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/11';
const processes = new ProcessRunner();

async function main(): Promise<void> {
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
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    ROLE: 'all',
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
  });
  const app = await createApp(config, { logger: ['error'] });
  await app.listen(apiPort, '127.0.0.1');
  try {
    const prisma = app.get(PrismaService);
    const web = app.get(WebServerService);
    const { token } = await app.get(TokenService).create('staff', undefined, 'bench');
    const domains = Array.from({ length: N }, (_, i) => `site${i + 1}.test`);
    const siteIds = await createSites(prisma, domains, join(dir, 'www'));
    await web.applyMany(siteIds);
    const reloadsBefore = web.reloadCount;

    console.log(`storm: ${N} sites enable HTTPS at once (ACME_CONCURRENCY=${config.acme.concurrency}, reload window ${config.nginx.reloadWindowMs} ms)`);
    const start = performance.now();
    const latencies = await Promise.all(siteIds.map((id) => timedPost(apiPort, `/api/sites/${id}/https`, token)));
    await Promise.all(domains.map((domain) => untilServed(domain, httpsPort, rootPem)));
    const stormSeconds = (performance.now() - start) / 1000;
    const failed = await prisma.operation.count({ where: { kind: 'https.enable', status: 'failed' } });
    const reloads = web.reloadCount - reloadsBefore;

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
certbot: ${K} certificates one after another = ${certbot.toFixed(3)} s/cert  -> hostkeeper is ${(certbot / ours).toFixed(1)}x faster per certificate
lego:    ${K} certificates one after another = ${lego.toFixed(3)} s/cert  -> hostkeeper is ${(lego / ours).toFixed(1)}x faster per certificate
goals: ${N} sites <= 20 s: ${stormSeconds <= 20 ? 'met' : 'NOT met'}; <= 10 reloads: ${reloads <= 10 ? 'met' : 'NOT met'}; POST p99 <= 50 ms: ${percentile(latencies, 99) <= 50 ? 'met' : 'NOT met'}; >= 25x certbot: ${certbot / ours >= 25 ? 'met' : 'NOT met'}
`);
  } finally {
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

async function timedPost(port: number, path: string, token: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  await response.text();
  if (response.status !== 202) throw new Error(`POST ${path} answered ${response.status}`);
  return performance.now() - start;
}

async function untilServed(domain: string, port: number, ca: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (await servesHttps(domain, port, ca)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${domain} was not served over HTTPS within 5 minutes`);
}

function servesHttps(domain: string, port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, servername: domain, headers: { Host: domain }, path: '/', ca, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function timeSequential(count: number, issue: (i: number) => Promise<void>): Promise<number> {
  await issue(-1);
  const start = performance.now();
  for (let i = 0; i < count; i += 1) await issue(i);
  return (performance.now() - start) / 1000 / count;
}

/** Run -1 registers the account (certbot) or issues a warm-up certificate (lego), outside the timing. */
async function runCertbot(dir: string, webroot: string, server: string, caBundle: string, run: number): Promise<void> {
  const base = ['--non-interactive', '--agree-tos', '--register-unsafely-without-email', '--server', server,
    '--config-dir', join(dir, 'certbot', 'config'), '--work-dir', join(dir, 'certbot', 'work'), '--logs-dir', join(dir, 'certbot', 'logs')];
  const args = run < 0 ? ['register', ...base] : ['certonly', ...base, '--webroot', '-w', webroot, '-d', `cb${run}.test`];
  await processes.runChecked('certbot', args, { env: { REQUESTS_CA_BUNDLE: caBundle }, timeoutMs: 120_000 });
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

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
