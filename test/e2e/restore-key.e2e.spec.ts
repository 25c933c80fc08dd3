import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import * as openpgp from 'openpgp';
import { operationJobId, QUEUE, RestoreJobData } from '../../jobs/catalog.js';
import { KEY_GONE } from '../../src/backups/backup-jobs.service.js';
import { redisOptions } from '../../src/core/queue/redis-connection.js';
import { OperationsService } from '../../src/core/operations/operations.service.js';
import { ReconcileService } from '../../src/core/operations/reconcile.service.js';
import { PrismaService } from '../../src/core/database/prisma.service.js';
import { forgetBackupSecrets } from '../support/backup-secrets.js';
import { closeLeftoverOperations } from '../support/suite-leftovers.js';
import { readTree, writeTree } from '../support/file-tree.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';

const PASSPHRASE = 'a passphrase nobody stores';

/** Every row of every table, as text: what a dump, a replica or the WAL would carry. */
async function everythingInPostgres(prisma: PrismaService): Promise<string> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${name.replace(/"/g, '')}" t`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

describe('a member private key for a restore is never stored (e2e: real Postgres, Redis, OpenPGP, tar)', () => {
  let root: string;
  let env: Record<string, string>;
  let memberKey: { privateKey: string; publicKey: string };
  let queue: Queue;

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'hk-restore-key-'));
    env = { CRONS_ENABLED: 'false', STATE_DIR: join(root, 'state'), SITES_ROOT: join(root, 'www'), BACKUP_TARGET: join(root, 'backups'), SECRETS_KEY: randomBytes(32).toString('base64') };
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    queue = new Queue(QUEUE.backups, { connection: redisOptions(TEST_REDIS_URL), prefix: 'hostkeeper' });
    memberKey = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'M', email: 'm@example.org' }], passphrase: PASSPHRASE, format: 'armored' });
  }, 60_000);

  afterAll(async () => {
    await queue?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  async function siteWithArchive(t: TestApp): Promise<{ siteId: string; archiveId: string; documentRoot: string }> {
    const staff = bearer(t.staffToken);
    const suffix = randomBytes(4).toString('hex');
    const member = (await t.http.post('/api/members').set(staff).send({ name: `K ${suffix}`, contactEmail: `k${suffix}@example.org` }).expect(201)).body;
    const site = (await t.http.post('/api/sites').set(staff).send({ memberId: member.id, domains: [`key-${suffix}.example`] }).expect(201)).body;
    await writeTree(site.documentRoot, { 'index.html': `<h1>${suffix}</h1>` });
    await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true, keyCustody: 'member', memberPublicKey: memberKey.publicKey }).expect(200);
    const { operationId } = (await t.http.post(`/api/sites/${site.id}/backups`).set(staff).expect(202)).body;
    await eventually(async () => expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: operationId } })).status).toBe('succeeded'), 60_000);
    const run = await t.prisma.backupRun.findFirstOrThrow({ where: { siteId: site.id, kind: 'backup', status: 'succeeded' } });
    return { siteId: site.id, archiveId: run.snapshotId!, documentRoot: site.documentRoot };
  }

  it('restores with the key, which is in no Postgres table and leaves Redis with the job', async () => {
    const t = await startTestApp(testConfig({ ...env, ROLE: 'all' }));
    try {
      await forgetBackupSecrets(t.prisma);
      const site = await siteWithArchive(t);
      const before = await readTree(site.documentRoot);
      await writeTree(site.documentRoot, { 'index.html': 'defaced' });
      const { operationId } = (
        await t.http.post(`/api/sites/${site.siteId}/backups/${site.archiveId}/restore`).set(bearer(t.staffToken)).send({ memberPrivateKey: memberKey.privateKey, passphrase: PASSPHRASE }).expect(202)
      ).body;
      await eventually(async () => expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: operationId } })).status).toBe('succeeded'), 60_000);
      expect(await readTree(site.documentRoot)).toEqual(before);
      const job = await queue.getJob(operationJobId(operationId));
      expect(job?.data).toEqual({ operationId });
      const dump = await everythingInPostgres(t.prisma);
      expect(dump).not.toContain('PGP PRIVATE KEY');
      expect(dump).not.toContain(PASSPHRASE);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('with the request accepted but not yet run, neither the key nor its sealed form is in Postgres; after a restart the restore fails with "send the key again"', async () => {
    const all = await startTestApp(testConfig({ ...env, ROLE: 'all' }));
    let site: Awaited<ReturnType<typeof siteWithArchive>>;
    try {
      site = await siteWithArchive(all);
    } finally {
      await all.close();
    }

    const api = await startTestApp(testConfig({ ...env, ROLE: 'api' }));
    let operationId: string;
    try {
      operationId = (
        await api.http.post(`/api/sites/${site.siteId}/backups/${site.archiveId}/restore`).set(bearer(api.staffToken)).send({ memberPrivateKey: memberKey.privateKey, passphrase: PASSPHRASE }).expect(202)
      ).body.operationId;
      const job = await queue.getJob(operationJobId(operationId));
      const data = job!.data as RestoreJobData;
      expect(data.sealedPrivateKey).toMatch(/\S{40,}/);
      expect(data.sealedPrivateKey).not.toContain('PGP');
      const dump = await everythingInPostgres(api.prisma);
      for (const trace of ['PGP PRIVATE KEY', memberKey.privateKey.split('\n')[3], PASSPHRASE, data.sealedPrivateKey!, data.sealedPassphrase!]) {
        expect(dump).not.toContain(trace);
      }
      expect(dump).toContain(operationId);
    } finally {
      await api.close();
    }

    // Redis keeps nothing on disk: a restart of it (or of the processes) leaves no key anywhere.
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    const worker = await startTestApp(testConfig({ ...env, ROLE: 'all' }));
    try {
      const failed = await eventually(async () => {
        await worker.app.get(ReconcileService).reconcileOperations();
        const op = (await worker.http.get(`/api/operations/${operationId}`).set(bearer(worker.staffToken)).expect(200)).body;
        expect(op.status).toBe('failed');
        return op;
      }, 30_000, 500);
      expect(failed.error).toBe(KEY_GONE);
      expect(failed.error).toContain('send the key again');
      expect(await fs.readFile(join(site.documentRoot, 'index.html'), 'utf8')).toContain('<h1>');
    } finally {
      await worker.close();
    }
  }, 180_000);

  it('accepting an operation refuses a payload that carries a secret, and writes nothing', async () => {
    const t = await startTestApp(testConfig({ ...env, ROLE: 'api' }));
    try {
      const operations = t.app.get(OperationsService);
      const actor = { id: 'system', role: 'system' as const };
      const before = [await t.prisma.operation.count(), await t.prisma.auditEvent.count()];
      for (const payload of [{ memberPrivateKey: 'anything' }, { nested: { passphrase: 'x' } }, { note: '-----BEGIN PGP PRIVATE KEY BLOCK-----' }]) {
        await expect(
          t.prisma.$transaction((tx) => operations.accept(tx, actor, { kind: 'backups.restore', targetType: 'site', payload, audit: { action: 'backups.restore' } })),
        ).rejects.toThrow('may not carry secrets');
      }
      expect([await t.prisma.operation.count(), await t.prisma.auditEvent.count()]).toEqual(before);
      const accepted = await t.prisma.$transaction((tx) => operations.accept(tx, actor, { kind: 'backups.delete', targetType: 'site', payload: { reason: 'test' }, audit: { action: 'backups.delete' } }));
      const entry = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: 'backups.delete' }, orderBy: { id: 'desc' } });
      expect(entry.changes).toEqual({ operationId: accepted.id });
    } finally {
      await closeLeftoverOperations(t.prisma);
      await forgetBackupSecrets(t.prisma);
      await t.close();
    }
  });
});
