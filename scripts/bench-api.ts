/**
 * Admin API benchmark (issue 2): with 10,000 sites in the database, load
 * GET /api/sites/:id and POST /api/sites on loopback at fixed concurrency and
 * print requests/s, p50, p99 and the API process's peak RSS.
 *
 *   npm run bench:api            (SITES=10000 DURATION=10 CONNECTIONS=20)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { freshDatabase, seedSites, SeededSites } from './lib/bench-db.js';
import { freePort } from './lib/ports.js';
import { waitHealthy } from './lib/wait-healthy.js';

const SITES = Number(process.env.SITES ?? 10_000);
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench_api';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/12';

async function seed(): Promise<SeededSites> {
  await freshDatabase(DATABASE_URL);
  return seedSites(DATABASE_URL, SITES);
}

function startApi(port: number) {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      ROLE: 'api',
      PORT: String(port),
      DATABASE_URL,
      REDIS_URL,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      CRONS_ENABLED: 'false',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function load(title: string, options: autocannon.Options): Promise<autocannon.Result> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const errors = result.non2xx + result.errors;
  console.log(
    `${title.padEnd(22)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   errors ${errors}`,
  );
  return result;
}

async function main(): Promise<void> {
  console.log(`seeding ${SITES} sites ...`);
  const { token, memberId, siteIds } = await seed();
  const port = await freePort();
  const api = startApi(port);
  try {
    await waitHealthy(port);
    const url = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    console.log(`\nloopback, ${CONNECTIONS} connections, ${DURATION} s each, ${SITES} sites in Postgres`);
    await load('warm-up GET', { url, duration: 2, requests: [{ method: 'GET', headers, setupRequest: (req) => ({ ...req, path: `/api/sites/${siteIds[Math.floor(Math.random() * siteIds.length)]}` }) }] });
    const get = await load('GET /api/sites/:id', {
      url,
      requests: [{ method: 'GET', headers, setupRequest: (req) => ({ ...req, path: `/api/sites/${siteIds[Math.floor(Math.random() * siteIds.length)]}` }) }],
    });
    let n = 0;
    const post = await load('POST /api/sites', {
      url,
      requests: [
        {
          method: 'POST',
          path: '/api/sites',
          headers,
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ memberId, domains: [`new${n++}-${process.pid}.bench.example`] }) }),
        },
      ],
    });
    const rss = peakRssMb(api.pid!);
    console.log(`\nAPI process peak RSS: ${rss.toFixed(0)} MB`);
    console.log('goal: GET p99 <= 25 ms at >= 2,000 req/s, RSS <= 200 MB');
    console.log(
      `result: GET ${get.requests.average >= 2000 && get.latency.p99 <= 25 ? 'meets' : 'misses'} the goal; POST ${post.requests.average.toFixed(0)} req/s; RSS ${rss <= 200 ? 'meets' : 'misses'} the goal`,
    );
  } finally {
    api.kill('SIGTERM');
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
