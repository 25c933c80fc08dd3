import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { hashToken } from '../../src/core/auth/token.service.js';
import { migrate } from '../../src/core/database/migrator.js';

/** Drops and re-creates a benchmark's own database, migrated like production. */
export async function freshDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = new Client({ connectionString: databaseUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await migrate(databaseUrl);
}

export interface SeededSites {
  token: string;
  memberId: string;
  siteIds: string[];
}

/**
 * N sites of one member straight in SQL (site<i>.bench.example), each with
 * its https and logging rows, plus a staff token.
 */
export async function seedSites(databaseUrl: string, count: number, options: { sitesRoot?: string; loggingMode?: 'off' | 'anonymized' | 'full' } = {}): Promise<SeededSites> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const memberId = randomUUID();
    await db.query(`INSERT INTO members (id, name, contact_email) VALUES ($1, 'bench', 'bench@example.org')`, [memberId]);
    await db.query(
      `INSERT INTO sites (id, member_id, primary_domain, domains, document_root, updated_at)
       SELECT gen_random_uuid(), $1, 'site' || i || '.bench.example', ARRAY['site' || i || '.bench.example'], $3 || '/site' || i || '.bench.example/public', now()
       FROM generate_series(1, $2::int) AS i`,
      [memberId, count, options.sitesRoot ?? '/srv'],
    );
    await db.query(`INSERT INTO site_domains (domain, site_id) SELECT primary_domain, id FROM sites`);
    await db.query(`INSERT INTO https_states (site_id, updated_at) SELECT id, now() FROM sites`);
    await db.query(`INSERT INTO logging_policies (site_id, mode, retention_days, updated_at) SELECT id, $1::"LoggingMode", 7, now() FROM sites`, [options.loggingMode ?? 'off']);
    const token = `hk_${randomBytes(32).toString('base64url')}`;
    await db.query(`INSERT INTO api_tokens (id, token_hash, role) VALUES ($1, $2, 'staff')`, [randomUUID(), hashToken(token)]);
    const siteIds = (await db.query<{ id: string }>('SELECT id FROM sites')).rows.map((row) => row.id);
    return { token, memberId, siteIds };
  } finally {
    await db.end();
  }
}
