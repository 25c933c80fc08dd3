import { spawnSync } from 'node:child_process';
import { Client } from 'pg';

/**
 * A fresh test database for every run, migrated by the real `npm run migrate`
 * command (built by `npm test` before jest starts).
 */
// jest loads this file outside its module mapping, so it imports nothing relative.
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/hostkeeper_test';

export default async function globalSetup(): Promise<void> {
  const adminUrl = new URL(TEST_DATABASE_URL);
  adminUrl.pathname = '/postgres';
  const name = new URL(TEST_DATABASE_URL).pathname.slice(1);
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const result = spawnSync('node', ['dist/scripts/migrate.js'], {
    env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`migrating the test database failed (run npm run build first?):\n${result.stderr}`);
}
