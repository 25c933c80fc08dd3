/**
 * Console benchmark (issue 10): a member with 1,000 sites opens the console in
 * Debian's Chromium; prints how long the first page of sites takes to show,
 * from a full page load, and how long the next page takes.
 *
 *   npm run bench:console        (SITES=1000 ROUNDS=10)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { chromium } from 'playwright-core';
import { hashToken } from '../src/core/auth/token.service.js';
import { freshDatabase, seedSites } from './lib/bench-db.js';
import { freePort } from './lib/ports.js';
import { waitHealthy } from './lib/wait-healthy.js';

const SITES = Number(process.env.SITES ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench_console';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/12';

/** A sign-in link for the seeded member, written straight into the database as the service would. */
async function signInLink(base: string, memberId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await db.query(`INSERT INTO sign_in_links (id, token_hash, email, role, member_id, expires_at) VALUES (gen_random_uuid(), $1, 'bench@example.org', 'member', $2, now() + interval '15 minutes')`, [hashToken(token), memberId]);
  } finally {
    await db.end();
  }
  return `${base}/#/signin/${token}`;
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${label.padEnd(28)} median ${sorted[Math.floor(sorted.length / 2)]} ms   max ${sorted[sorted.length - 1]} ms   (${samples.length} rounds)`;
}

async function main(): Promise<void> {
  await freshDatabase(DATABASE_URL);
  const { memberId } = await seedSites(DATABASE_URL, SITES);
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const api = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, ROLE: 'api', PORT: String(port), DATABASE_URL, REDIS_URL, PUBLIC_URL: base, SECRETS_KEY: randomBytes(32).toString('base64'), CRONS_ENABLED: 'false', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--host-resolver-rules=MAP localhost 127.0.0.1'] });
  try {
    await waitHealthy(port, api);
    const page = await (await browser.newContext()).newPage();
    await page.goto(await signInLink(base, memberId));
    await page.getByText('Sites, page 1', { exact: true }).waitFor();
    const firstPage: number[] = [];
    const nextPage: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = Date.now();
      await page.reload();
      await page.getByText('Sites, page 1', { exact: true }).waitFor();
      firstPage.push(Date.now() - started);
      const clicked = Date.now();
      await page.getByRole('button', { name: 'Next page', exact: true }).click();
      await page.getByText('Sites, page 2', { exact: true }).waitFor();
      nextPage.push(Date.now() - clicked);
    }
    console.log(`a member with ${SITES} sites, Chromium on loopback, 50 sites a page:`);
    console.log(summary('full load to page 1 shown', firstPage));
    console.log(summary('"Next page" to page 2 shown', nextPage));
  } finally {
    await browser.close();
    api.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
