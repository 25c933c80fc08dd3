/**
 * Backups benchmark (issue 5): a generated site (FILES files, MB megabytes of
 * incompressible data) backed up through hostkeeper's real job path
 * (BackupJobs: Postgres lookups, run records, retention) and with bare
 * `restic backup` into a separate repository, first in full and then after
 * changing 1 % of the files. Prints both, the ratio, and the member-custody
 * (tar.gz → OpenPGP) archive throughput.
 *
 *   npm run bench:backups            (FILES=20000 MB=500; e.g. FILES=2000 MB=50 for a quick run)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { Client } from 'pg';
import { BackupJobs } from '../src/backups/backup-jobs.service.js';
import { MemberCustody } from '../src/backups/member-custody.service.js';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/config.js';
import { migrate } from '../src/core/database/migrator.js';

const FILES = Number(process.env.FILES ?? 20_000);
const MB = Number(process.env.MB ?? 500);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench_backups';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/11';

async function freshDatabase(): Promise<void> {
  const name = new URL(DATABASE_URL).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = new Client({ connectionString: DATABASE_URL.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  await migrate(DATABASE_URL);
}

async function generateSite(dir: string): Promise<string[]> {
  const size = Math.floor((MB * 1024 * 1024) / FILES);
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const path = join(dir, `d${i % 100}`, `f${i}.bin`);
    if (i < 100) await fs.mkdir(join(dir, `d${i}`), { recursive: true });
    await fs.writeFile(path, randomBytes(size));
    paths.push(path);
  }
  return paths;
}

async function changeOnePercent(paths: string[]): Promise<void> {
  const step = 100;
  for (let i = 0; i < paths.length; i += step) {
    const stat = await fs.stat(paths[i]);
    await fs.writeFile(paths[i], randomBytes(stat.size));
  }
}

function bareRestic(repo: string, site: string): number {
  const env = { ...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'bench', RESTIC_CACHE_DIR: join(repo, '..', 'bare-cache') };
  const started = process.hrtime.bigint();
  const result = spawnSync('restic', ['backup', '--quiet', '--host', 'bench', '.'], { cwd: site, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bare restic failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function row(label: string, hostkeeper: number, bare: number): void {
  const overhead = ((hostkeeper / bare - 1) * 100).toFixed(1);
  console.log(`${label.padEnd(12)} hostkeeper ${hostkeeper.toFixed(2)} s   bare restic ${bare.toFixed(2)} s   ratio ${(hostkeeper / bare).toFixed(3)} (${overhead} % overhead)`);
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(join(tmpdir(), 'hk-bench-backups-'));
  const sitesRoot = join(root, 'www');
  const domain = 'bench.example';
  const documentRoot = join(sitesRoot, domain, 'public');
  try {
    await freshDatabase();
    console.log(`generating ${FILES} files, ${MB} MB ...`);
    const paths = await generateSite(documentRoot);
    const bareRepo = join(root, 'bare-repo');
    spawnSync('restic', ['init', '--quiet'], { env: { ...process.env, RESTIC_REPOSITORY: bareRepo, RESTIC_PASSWORD: 'bench' } });

    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL,
      REDIS_URL,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      ROLE: 'worker',
      CRONS_ENABLED: 'false',
      STATE_DIR: join(root, 'state'),
      SITES_ROOT: sitesRoot,
      BACKUP_TARGET: join(root, 'backups'),
    });
    const app = await createApp(config, { logger: ['error'] });
    await app.init();
    const db = new Client({ connectionString: DATABASE_URL });
    await db.connect();
    const memberId = randomUUID();
    const siteId = randomUUID();
    await db.query(`INSERT INTO members (id, name, contact_email) VALUES ($1, 'bench', 'bench@example.org')`, [memberId]);
    await db.query(`INSERT INTO sites (id, member_id, primary_domain, domains, document_root, updated_at) VALUES ($1, $2, $3, ARRAY[$3], $4, now())`, [siteId, memberId, domain, documentRoot]);
    await db.query(`INSERT INTO backup_policies (site_id, enabled, updated_at) VALUES ($1, true, now())`, [siteId]);
    await db.end();

    const jobs = app.get(BackupJobs);
    const firstHk = await timed(() => jobs.runBackup(siteId, 'manual'));
    const firstBare = bareRestic(bareRepo, documentRoot);
    await changeOnePercent(paths);
    const incrHk = await timed(() => jobs.runBackup(siteId, 'manual'));
    const incrBare = bareRestic(bareRepo, documentRoot);

    const member = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'bench' }], format: 'armored' });
    const custody = app.get(MemberCustody);
    let archiveBytes = 0;
    const memberSeconds = await timed(async () => {
      archiveBytes = (await custody.backup({ id: siteId, memberId, documentRoot }, member.publicKey)).totalBytes;
    });
    await app.close();

    console.log(`\nsite: ${FILES} files, ${MB} MB (incompressible); incremental after changing ${Math.ceil(FILES / 100)} files`);
    row('first', firstHk, firstBare);
    row('incremental', incrHk, incrBare);
    console.log(`member custody: ${MB} MB → ${(archiveBytes / 1048576).toFixed(1)} MB archive in ${memberSeconds.toFixed(2)} s = ${(MB / memberSeconds).toFixed(1)} MB/s (tar.gz + OpenPGP encrypt + sign + detached signature)`);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
