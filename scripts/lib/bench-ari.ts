import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.js';
import { AcmeAdapter } from '../../src/core/adapters/acme.adapter.js';
import { PrismaService } from '../../src/core/database/prisma.service.js';
import { RenewalPlanner } from '../../src/https/renewal-planner.service.js';
import { startAriProxy } from './ari-proxy.js';
import { freshDatabase, seedSites } from './bench-db.js';
import { startPebble } from './pebble.js';

const HOUR = 3_600_000;

/**
 * The ARI re-check sweep over `total` certificates, `due` of them due: rows
 * straight in SQL, renewalInfo answered by the proxy in front of pebble (one
 * HTTPS request per due certificate, as with a real CA). The cost should
 * follow the number due, not the total: the query walks the ari_check_at
 * index and touches only due rows.
 */
export async function benchAriSweep(databaseUrl: string, total: number, dueCounts: number[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hostkeeper-bench-ari-'));
  const pebble = await startPebble({ dataDir: join(dir, 'pebble'), httpPort: 5002 });
  const proxy = await startAriProxy({ upstream: new URL(pebble.directoryUrl).origin, tlsCertPem: pebble.caBundlePem, tlsKeyPem: pebble.tlsKeyPem });
  await freshDatabase(databaseUrl);
  await seedSites(databaseUrl, total);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, SECRETS_KEY: randomBytes(32).toString('base64'), ACME_DIRECTORY_URL: proxy.directoryUrl, STATE_DIR: dir });
  const prisma = new PrismaService(config);
  const planner = new RenewalPlanner(prisma, new AcmeAdapter({ directoryUrl: proxy.directoryUrl, caBundlePem: pebble.caBundlePem }), config);
  const lines: string[] = [];
  try {
    await seedCertificates(db);
    const now = new Date();
    proxy.setWindowForAll({ start: new Date(now.getTime() + 20 * HOUR), end: new Date(now.getTime() + 30 * HOUR), retryAfterSeconds: 21_600 });
    await planner.recheckDue(now, 1); // warm: directory, connections, prepared plans
    for (const due of dueCounts) {
      await db.query(`UPDATE https_states SET ari_check_at = $1::timestamptz + interval '1 day'`, [now]);
      await db.query(`UPDATE https_states SET ari_check_at = $1::timestamptz - interval '1 minute' WHERE site_id IN (SELECT site_id FROM https_states ORDER BY site_id LIMIT $2)`, [now, due]);
      await db.query('ANALYZE https_states');
      const requestsBefore = proxy.renewalInfoRequests;
      const start = performance.now();
      let rechecked = 0;
      for (let done = -1; done !== 0; rechecked += done) done = await planner.recheckDue(now, 500);
      const seconds = (performance.now() - start) / 1000;
      const requests = proxy.renewalInfoRequests - requestsBefore;
      lines.push(
        `ARI re-check sweep: ${total} certificates, ${due} due: ${seconds.toFixed(3)} s (${rechecked} windows re-read, ${requests} renewalInfo requests; <= 2 s: ${seconds <= 2 ? 'met' : 'NOT met'})`,
      );
    }
    const plan = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT site_id FROM https_states WHERE ari_check_at <= now() AND enabled AND renew_at IS NOT NULL ORDER BY ari_check_at LIMIT 500`,
    );
    lines.push(`due-rows plan: ${plan.rows.map((row) => row['QUERY PLAN'].trim()).join(' / ')}`);
    return lines.join('\n');
  } finally {
    await prisma.onApplicationShutdown();
    await db.end();
    await proxy.stop();
    await pebble.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One current certificate per site, enabled, renewing in 30 days, next ARI check tomorrow. */
async function seedCertificates(db: pg.Client): Promise<void> {
  await db.query(`
    INSERT INTO certificates (id, site_id, domains, chain_pem, key_encrypted, key_type, serial, not_before, not_after, current, ari_cert_id)
    SELECT gen_random_uuid(), s.id, s.domains, 'bench', 'bench', 'ecdsa', md5(s.id::text), now() - interval '1 day', now() + interval '89 days', true,
           encode(sha256(s.id::text::bytea), 'base64') || '.' || md5(s.id::text)
    FROM sites s`);
  await db.query(`UPDATE https_states SET enabled = true, status = 'active', renew_at = now() + interval '30 days', ari_check_at = now() + interval '1 day'`);
}
