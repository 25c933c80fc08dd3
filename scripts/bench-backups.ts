/**
 * Backups benchmark (issue 5).
 *
 * 1. Overhead over bare restic: a generated site (FILES files, MB megabytes of
 *    incompressible data) backed up through hostkeeper's real job path
 *    (BackupJobs.runBackup: Postgres lookups, run record, restic) and by bare
 *    `restic backup` of the same folder, each into its own repository created
 *    beforehand (a one-off per member, timed apart), side by side: first
 *    backup, then an incremental after changing 1 % of the files. Both run
 *    under hostkeeper's process priority (BACKUP_NICE), so they compete alike
 *    with whatever else the machine runs. ROUNDS rounds, alternating which
 *    goes first; prints each round, the best and the median.
 * 2. Member custody: the tar.gz → OpenPGP archive's throughput in MB/s.
 * 3. API under backup load: p99 of GET /api/sites/:id at a fixed request rate,
 *    idle and while LOAD_SITES small sites back up (ROLE=all, default
 *    BACKUP_CONCURRENCY), first with their repositories being created, then
 *    incrementally.
 *
 *   npm run bench:backups            (FILES=20000 MB=500 ROUNDS=2; e.g. FILES=2000 MB=50 for a quick run)
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import * as openpgp from 'openpgp';
import { Client } from 'pg';
import { BackupJobs } from '../src/backups/backup-jobs.service.js';
import { backupPriority } from '../src/backups/backup.providers.js';
import { BackupStorage } from '../src/backups/backup-storage.service.js';
import { MemberCustody } from '../src/backups/member-custody.service.js';
import { createApp } from '../src/bootstrap.js';
import { AppConfig, loadConfig } from '../src/config/config.js';
import { ResticAdapter } from '../src/core/adapters/restic.adapter.js';
import { hashToken } from '../src/core/auth/token.service.js';
import { migrate } from '../src/core/database/migrator.js';
import { freePort } from './lib/ports.js';
import { waitHealthy } from './lib/wait-healthy.js';

const FILES = Number(process.env.FILES ?? 20_000);
const MB = Number(process.env.MB ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const LOAD_SITES = Number(process.env.LOAD_SITES ?? 50);
const API_RATE = Number(process.env.API_RATE ?? 200);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 8);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench_backups';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/11';
const SECRETS_KEY = randomBytes(32).toString('base64');

interface Round {
  first: [number, number];
  incremental: [number, number];
}

async function freshRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
}

async function freshDatabase(): Promise<void> {
  const name = new URL(DATABASE_URL).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = new Client({ connectionString: DATABASE_URL.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  await migrate(DATABASE_URL);
}

async function generateSite(dir: string, files: number, megabytes: number): Promise<string[]> {
  const size = Math.floor((megabytes * 1024 * 1024) / files);
  const folders = Math.min(100, files);
  const paths: string[] = [];
  for (let i = 0; i < folders; i++) await fs.mkdir(join(dir, `d${i}`), { recursive: true });
  for (let i = 0; i < files; i++) {
    const path = join(dir, `d${i % folders}`, `f${i}.bin`);
    await fs.writeFile(path, randomBytes(size));
    paths.push(path);
  }
  return paths;
}

async function changeOnePercent(paths: string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 100) {
    const stat = await fs.stat(paths[i]);
    await fs.writeFile(paths[i], randomBytes(stat.size));
  }
}

function restic(args: string[], repo: string, priority: string[], cwd?: string): void {
  const env = { ...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'bench', RESTIC_CACHE_DIR: `${repo}-cache` };
  const [file, ...argv] = [...priority, 'restic', ...args];
  const result = spawnSync(file, argv, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`restic ${args[0]} failed: ${result.stderr}`);
}

async function timed(work: () => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function load(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

function ratioLine(label: string, [hostkeeper, bare]: [number, number]): string {
  const ratio = hostkeeper / bare;
  return `${label.padEnd(12)} hostkeeper ${hostkeeper.toFixed(2)} s   bare restic ${bare.toFixed(2)} s   ratio ${ratio.toFixed(3)} (${((ratio - 1) * 100).toFixed(1)} % overhead)`;
}

function summary(label: string, pairs: [number, number][]): void {
  const ratios = pairs.map(([hk, bare]) => hk / bare);
  console.log(`${label.padEnd(12)} ratio best ${Math.min(...ratios).toFixed(3)}   median ${median(ratios).toFixed(3)}   (goal <= 1.100)`);
}

function config(root: string, extra: Record<string, string> = {}): AppConfig {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL,
    REDIS_URL,
    SECRETS_KEY,
    CRONS_ENABLED: 'false',
    STATE_DIR: join(root, 'state'),
    SITES_ROOT: join(root, 'www'),
    BACKUP_TARGET: join(root, 'backups'),
    ACCESS_LOG_DIR: join(root, 'logs'),
    NGINX_SITES_DIR: join(root, 'nginx.d'),
    ...extra,
  });
}

async function insertMember(db: Client, name: string): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO members (id, name, contact_email) VALUES ($1, $2, 'bench@example.org')`, [id, name]);
  return id;
}

async function insertSite(db: Client, memberId: string, domain: string, documentRoot: string): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO sites (id, member_id, primary_domain, domains, document_root, updated_at) VALUES ($1, $2, $3, ARRAY[$3], $4, now())`, [id, memberId, domain, documentRoot]);
  await db.query(`INSERT INTO site_domains (domain, site_id) VALUES ($1, $2)`, [domain, id]);
  await db.query(`INSERT INTO https_states (site_id, updated_at) VALUES ($1, now())`, [id]);
  await db.query(`INSERT INTO logging_policies (site_id, mode, retention_days, updated_at) VALUES ($1, 'off', 7, now())`, [id]);
  await db.query(`INSERT INTO backup_policies (site_id, enabled, updated_at) VALUES ($1, true, now())`, [id]);
  return id;
}

/** Part 1 and 2, in this process: BackupJobs as the worker runs it. */
async function overheadAndMemberCustody(root: string): Promise<void> {
  // the worker with its web host's agent (ROLE=all): backups run on the agent; sites inserted
  // before the app starts go to the oldest host, 'local', which this process then serves
  const cfg = config(root, { ROLE: 'all', HOST_NAME: 'local' });
  const priority = backupPriority(cfg);
  const documentRoot = join(root, 'www', 'bench.example', 'public');
  console.log(`generating ${FILES} files, ${MB} MB ...`);
  const paths = await generateSite(documentRoot, FILES, MB);

  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const memberId = await insertMember(db, 'bench');
  const siteId = await insertSite(db, memberId, 'bench.example', documentRoot);
  const app = await createApp(cfg, { logger: ['error'] });
  await app.init();
  const jobs = app.get(BackupJobs);
  const rounds: Round[] = [];
  console.log(`\n1. overhead over bare restic (${FILES} files, ${MB} MB incompressible; both under [${priority.join(' ') || 'no priority prefix'}])`);
  try {
    for (let r = 0; r < ROUNDS; r++) {
      // A fresh repository on each side: hostkeeper makes the member's on its first backup, so time that apart.
      await db.query(`DELETE FROM backup_repositories WHERE member_id = $1`, [memberId]);
      await fs.rm(join(root, 'backups', 'restic'), { recursive: true, force: true });
      await fs.rm(join(root, 'state', 'restic-cache'), { recursive: true, force: true });
      const bareRepo = join(root, `bare-repo-${r}`);
      const initSeconds = await timed(async () => app.get(ResticAdapter).init(await app.get(BackupStorage).repositoryOf(memberId)));
      restic(['init', '--quiet'], bareRepo, priority);

      const hk = () => timed(() => jobs.runBackup(siteId, 'manual'));
      const bare = () => timed(() => restic(['backup', '--quiet', '--host', 'bench', '.'], bareRepo, priority, documentRoot));
      const pair = async (): Promise<[number, number]> => {
        if (r % 2 === 0) {
          const h = await hk();
          return [h, await bare()];
        }
        const b = await bare();
        return [await hk(), b];
      };
      const first = await pair();
      await changeOnePercent(paths);
      const incremental = await pair();
      rounds.push({ first, incremental });
      console.log(`round ${r + 1} (${r % 2 === 0 ? 'hostkeeper' : 'bare restic'} first; load ${load()}; creating the member's repository, once per member: ${initSeconds.toFixed(2)} s)`);
      console.log(`  ${ratioLine('first', first)}`);
      console.log(`  ${ratioLine('incremental', incremental)}`);
      await fs.rm(bareRepo, { recursive: true, force: true });
      await fs.rm(`${bareRepo}-cache`, { recursive: true, force: true });
    }
    summary('first', rounds.map((r) => r.first));
    summary('incremental', rounds.map((r) => r.incremental));

    const member = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'bench' }], format: 'armored' });
    const custody = app.get(MemberCustody);
    const signing = await app.get(BackupStorage).signingKey();
    const rates: number[] = [];
    console.log(`\n2. member custody (tar | gzip -1 → OpenPGP encrypt + sign, detached signature in the same pass)`);
    for (let r = 0; r < ROUNDS; r++) {
      let archiveBytes = 0;
      const seconds = await timed(async () => {
        archiveBytes = (await custody.backup({ id: siteId, memberId, documentRoot }, member.publicKey, signing)).totalBytes;
      });
      rates.push(MB / seconds);
      console.log(`  ${MB} MB → ${(archiveBytes / 1048576).toFixed(1)} MB archive in ${seconds.toFixed(2)} s = ${(MB / seconds).toFixed(1)} MB/s (load ${load()})`);
    }
    console.log(`  best ${Math.max(...rates).toFixed(1)} MB/s   median ${median(rates).toFixed(1)} MB/s`);
  } finally {
    await app.close();
    await db.end();
  }
}

/** Part 3: the service as deployed by default (ROLE=all), loaded at a fixed rate, idle and while LOAD_SITES sites back up. */
async function apiUnderBackups(root: string): Promise<void> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const token = `hk_${randomBytes(32).toString('base64url')}`;
  await db.query(`INSERT INTO api_tokens (id, token_hash, role) VALUES ($1, $2, 'staff')`, [randomUUID(), hashToken(token)]);
  const siteIds: string[] = [];
  const trees: string[][] = [];
  for (let i = 0; i < LOAD_SITES; i++) {
    const memberId = i % 2 === 0 ? await insertMember(db, `load ${i}`) : (await db.query<{ member_id: string }>(`SELECT member_id FROM sites WHERE id = $1`, [siteIds[i - 1]])).rows[0].member_id;
    const documentRoot = join(root, 'www', `load${i}.example`, 'public');
    trees.push(await generateSite(documentRoot, 200, 4));
    siteIds.push(await insertSite(db, memberId, `load${i}.example`, documentRoot));
  }
  const port = await freePort();
  const cfg = config(root);
  const api = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      // the web host the sites were placed on (inserted without one, they go to the oldest host, 'local')
      ROLE: 'all',
      HOST_NAME: 'local',
      PORT: String(port),
      DATABASE_URL,
      REDIS_URL,
      SECRETS_KEY,
      CRONS_ENABLED: 'false',
      NODE_ENV: 'production',
      STATE_DIR: cfg.stateDir,
      SITES_ROOT: cfg.sitesRoot,
      BACKUP_TARGET: cfg.backupTarget,
      ACCESS_LOG_DIR: cfg.accessLogDir,
      NGINX_SITES_DIR: cfg.nginx.sitesDir,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${token}` };
  const request = { method: 'GET' as const, headers, setupRequest: (req: autocannon.Request) => ({ ...req, path: `/api/sites/${siteIds[Math.floor(Math.random() * siteIds.length)]}` }) };
  const options = { url, connections: 10, overallRate: API_RATE, requests: [request] };
  const cannon = (duration: number) => autocannon({ ...options, duration });
  const cannonUntilStopped = () => {
    let instance!: autocannon.Instance;
    const result = new Promise<autocannon.Result>((resolve, reject) => {
      instance = autocannon({ ...options, duration: 3600 }, (error, res) => (error ? reject(error) : resolve(res)));
    });
    return { stop: () => instance.stop(), result };
  };

  const backUpAll = async (): Promise<{ p99: number; p50: number; seconds: number; failed: number }> => {
    const ids: string[] = [];
    const run = cannonUntilStopped();
    const started = Date.now();
    for (const siteId of siteIds) {
      const res = await fetch(`${url}/api/sites/${siteId}/backups`, { method: 'POST', headers });
      if (res.status !== 202) throw new Error(`POST backups: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { operationId: string }).operationId);
    }
    let done: { finished: number; failed: number } = { finished: 0, failed: 0 };
    while (done.finished < ids.length) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const row = await db.query<{ finished: string; failed: string }>(
        `SELECT count(*) FILTER (WHERE status IN ('succeeded', 'failed')) AS finished, count(*) FILTER (WHERE status = 'failed') AS failed FROM operations WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      done = { finished: Number(row.rows[0].finished), failed: Number(row.rows[0].failed) };
    }
    const seconds = (Date.now() - started) / 1000;
    run.stop();
    const result = await run.result;
    return { p99: result.latency.p99, p50: result.latency.p50, seconds, failed: done.failed };
  };

  try {
    await waitHealthy(port);
    await cannon(2);
    console.log(`\n3. API under backup load: GET /api/sites/:id at ${API_RATE} req/s, 10 connections; ${LOAD_SITES} sites of 200 files / 4 MB, ROLE=all, BACKUP_CONCURRENCY=${cfg.backupConcurrency}, BACKUP_NICE=${cfg.backupNice}`);
    const idle = await cannon(IDLE_SECONDS);
    console.log(`  idle                          p50 ${idle.latency.p50} ms   p99 ${idle.latency.p99} ms   (load ${load()})`);
    for (const label of ['first backups (new repos)', 'incremental backups']) {
      if (label.startsWith('incremental')) for (const tree of trees) await changeOnePercent(tree);
      const loaded = await backUpAll();
      console.log(
        `  ${label.padEnd(29)} p50 ${loaded.p50} ms   p99 ${loaded.p99} ms   ratio p99 ${(loaded.p99 / idle.latency.p99).toFixed(2)} (goal <= 2)   ${LOAD_SITES} backups in ${loaded.seconds.toFixed(1)} s, ${loaded.failed} failed (load ${load()})`,
      );
    }
  } finally {
    api.kill('SIGTERM');
    await new Promise((resolve) => api.once('close', resolve));
    await db.end();
  }
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(join(tmpdir(), 'hk-bench-backups-'));
  try {
    await freshDatabase();
    await freshRedis();
    console.log(`load before: ${load()}`);
    if (process.env.SKIP_OVERHEAD !== '1') await overheadAndMemberCustody(root);
    if (process.env.SKIP_API !== '1') await apiUnderBackups(root);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
