/**
 * No-logging benchmark (issue 4): 1,000 sites in `full` switch to `off` at
 * once through the API. Prints the time until every switch has been accepted,
 * until every vhost is rewritten and nginx has reloaded (and the old logs are
 * purged), and how many reloads that took. Real nginx, Postgres and Redis;
 * the app runs in this process with ROLE=all.
 *
 *   npm run bench:logging            (SITES=1000)
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/config.js';
import { NginxAdapter } from '../src/core/adapters/nginx.adapter.js';
import { WebServerService } from '../src/web/web-server.service.js';
import { apiClient } from './lib/api-client.js';
import { freshDatabase, seedSites } from './lib/bench-db.js';
import { startNginx } from './lib/nginx-instance.js';
import { freePort, freePorts } from './lib/ports.js';

const SITES = Number(process.env.SITES ?? 1000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench_logging';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
const GOAL = { seconds: 5, reloads: 5 };

async function seed(): Promise<{ token: string; siteIds: string[] }> {
  await freshDatabase(DATABASE_URL);
  return seedSites(DATABASE_URL, SITES, { sitesRoot: process.env.BENCH_SITES_ROOT, loggingMode: 'full' });
}

const PATIENCE_MS = 120_000;

async function waitForOperations(db: Client, expected: number): Promise<{ succeeded: number; failed: number }> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const { rows } = await db.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM operations WHERE kind = 'logging.apply' GROUP BY status`,
    );
    const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
    if (count('succeeded') + count('failed') >= expected) return { succeeded: count('succeeded'), failed: count('failed') };
    if (Date.now() > deadline) throw new Error(`operations still pending after ${PATIENCE_MS / 1000} s: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hostkeeper-bench-logging-'));
  process.env.BENCH_SITES_ROOT = join(dataDir, 'www');
  const [httpPort, httpsPort] = await freePorts(2);
  // BENCH_NJS=0: leave Debian's njs module out (it is loaded when installed, as the package does)
  const nginx = await startNginx({ dataDir: join(dataDir, 'nginx'), httpPort, httpsPort, sitesDir: join(dataDir, 'nginx.d'), njs: process.env.BENCH_NJS !== '0' });
  const config = loadConfig({
    ...process.env,
    // this process is the web host the seeded sites are on (inserted without one, they go to the oldest host, 'local')
    ROLE: 'all',
    HOST_NAME: 'local',
    CRONS_ENABLED: 'false',
    DATABASE_URL,
    REDIS_URL,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    NGINX_BIN: nginx.bin,
    NGINX_CONF: nginx.confPath,
    NGINX_SITES_DIR: nginx.sitesDir,
    SITES_ROOT: join(dataDir, 'www'),
    STATE_DIR: join(dataDir, 'state'),
    ACCESS_LOG_DIR: join(dataDir, 'logs'),
    SITE_HTTP_PORT: String(httpPort),
    SITE_HTTPS_PORT: String(httpsPort),
    SITE_LISTEN_ADDRESS: nginx.listenAddress,
  });
  const db = new Client({ connectionString: DATABASE_URL });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    console.log(`seeding ${SITES} sites in full mode ...`);
    const { token, siteIds } = await seed();
    await db.connect();
    await db.query('SELECT 1');
    const port = await freePort();
    app = await createApp(config, { logger: ['warn', 'error'] });
    await app.init();
    await listen(app.getHttpServer(), port);
    const nginxAdapter = app.get(NginxAdapter, { strict: false });

    let started = Date.now();
    const initial = await app.get(WebServerService, { strict: false }).applyMany(siteIds);
    const initialFailures = initial.filter((result) => !result.ok).length;
    console.log(`initial vhosts: ${siteIds.length} applied in ${((Date.now() - started) / 1000).toFixed(2)} s (${initialFailures} failed)`);
    if (initialFailures > 0) throw new Error('initial vhosts failed');
    const reloadsBefore = nginxAdapter.reloadCount;
    const seededLogs = await seedLogFiles(join(dataDir, 'logs'), SITES);
    console.log(`seeded ${seededLogs} access-log files (today's, rotated, compressed) for the purge to delete`);

    const http = apiClient(port, token);
    started = Date.now();
    const responses = await Promise.all(siteIds.map((id) => http('PUT', `/api/sites/${id}/logging`, { mode: 'off' })));
    const accepted = responses.filter((res) => res.status === 202).length;
    const acceptedAfter = (Date.now() - started) / 1000;
    console.log(`all PUTs answered after ${acceptedAfter.toFixed(2)} s: ${accepted} x 202, statuses ${[...new Set(responses.map((res) => res.status))].join(',')}`);
    const outcome = await waitForOperations(db, accepted);
    const doneAfter = (Date.now() - started) / 1000;
    const reloads = nginxAdapter.reloadCount - reloadsBefore;

    const rewritten = await countRewritten(nginx.sitesDir, 'access_log off;');
    const logsLeft = await countLogFiles(join(dataDir, 'logs'));
    console.log(`\n${SITES} sites full -> off, loopback, ROLE=all in one process`);
    console.log(`all PUTs answered 202:                ${acceptedAfter.toFixed(2)} s (${accepted}/${SITES})`);
    console.log(`every vhost rewritten, nginx reloaded, logs purged: ${doneAfter.toFixed(2)} s (${outcome.succeeded} succeeded, ${outcome.failed} failed)`);
    console.log(`vhost files now in off mode:          ${rewritten}/${SITES}`);
    console.log(`access-log files left on disk:        ${logsLeft} of ${seededLogs} seeded`);
    console.log(`nginx reloads:                        ${reloads}`);
    console.log(`goal: <= ${GOAL.seconds} s and <= ${GOAL.reloads} reloads`);
    const complete = rewritten === SITES && logsLeft === 0 && outcome.failed === 0;
    console.log(`result: ${doneAfter <= GOAL.seconds && reloads <= GOAL.reloads && complete ? 'meets' : 'misses'} the goal`);
  } finally {
    await app?.close();
    await db.end().catch(() => undefined);
    await nginx.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** A thousand clients connecting at once overflow Node's default accept backlog (511) and wait for SYN retries. */
function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => server.once('error', reject).listen({ port, host: '127.0.0.1', backlog: 4096 }, () => resolve()));
}

/** Each site holds today's log, a rotated one and a compressed one, as a site in `full` mode would. */
async function seedLogFiles(logsDir: string, count: number): Promise<number> {
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const line = `127.0.0.1 - - [${today}] "GET / HTTP/1.1" 200 612 "-" "bench"\n`;
  const files = [`access-${today}.log`, `access-${yesterday}.log.1`, `access-${yesterday}.log.2.gz`];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const dir = join(logsDir, `site${i + 1}.bench.example`);
      await fs.mkdir(dir, { recursive: true });
      await Promise.all(files.map((name) => fs.writeFile(join(dir, name), line.repeat(20))));
    }),
  );
  return count * files.length;
}

async function countLogFiles(logsDir: string): Promise<number> {
  const dirs = await fs.readdir(logsDir);
  const counts = await Promise.all(dirs.map(async (dir) => (await fs.readdir(join(logsDir, dir))).length));
  return counts.reduce((sum, n) => sum + n, 0);
}

async function countRewritten(sitesDir: string, marker: string): Promise<number> {
  const names = (await fs.readdir(sitesDir)).filter((name) => name.endsWith('.bench.example.conf'));
  const texts = await Promise.all(names.map((name) => fs.readFile(join(sitesDir, name), 'utf8')));
  return texts.filter((text) => text.includes(marker)).length;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
