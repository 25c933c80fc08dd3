import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import * as openpgp from 'openpgp';
import type { SMTPServer } from 'smtp-server';
import { backupSchedulerId, QUEUE } from '../../jobs/catalog.js';
import { ResticAdapter } from '../../src/core/adapters/restic.adapter.js';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { SecretsService } from '../../src/core/crypto/secrets.service.js';
import { QueueRegistry } from '../../src/core/queue/queue.registry.js';
import { BackupJobs } from '../../src/backups/backup-jobs.service.js';
import { BackupSchedules } from '../../src/backups/backup-schedules.service.js';
import { BackupStorage } from '../../src/backups/backup-storage.service.js';
import { MemberCustody } from '../../src/backups/member-custody.service.js';
import { siteTag } from '../../src/backups/provider-custody.service.js';
import { readTree, writeTree } from '../support/file-tree.js';
import { Mail, startSmtpSink } from '../support/smtp-sink.js';
import { forgetBackupSecrets } from '../support/backup-secrets.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';

const ORIGINAL = {
  'index.html': '<h1>Stop the pipeline</h1>',
  'css/site.css': 'body { color: green }',
  'img/logo.bin': randomBytes(300_000),
  'docs/empty.txt': '',
};

const PASSPHRASE = 'correct horse battery staple';
/** No keep rule: every backup stays (two backups on one day would otherwise leave only the newer). */
const KEEP_ALL = { keepDaily: 0, keepWeekly: 0, keepMonthly: 0 };

interface Site {
  id: string;
  memberId: string;
  documentRoot: string;
}

describe('backups (e2e: real restic, real OpenPGP, real Postgres and Redis)', () => {
  let t: TestApp;
  let root: string;
  let staff: { Authorization: string };
  let memberKey: { privateKey: string; publicKey: string };
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  const restic = new ResticAdapter(new ProcessRunner());

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'hk-backups-'));
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    smtp = (await startSmtpSink(mails)).server;
    t = await startTestApp(
      testConfig({
        ROLE: 'all',
        CRONS_ENABLED: 'false',
        STATE_DIR: join(root, 'state'),
        SITES_ROOT: join(root, 'www'),
        BACKUP_TARGET: join(root, 'backups'),
        SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`,
        STAFF_ALERT_EMAIL: 'staff@example.org',
      }),
    );
    staff = bearer(t.staffToken);
    memberKey = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Member', email: 'm@example.org' }], passphrase: PASSPHRASE, format: 'armored' });
  }, 120_000);

  afterAll(async () => {
    // suites share one database, each with its own SECRETS_KEY: the next one must not find secrets it cannot open
    if (t) await forgetBackupSecrets(t.prisma);
    await t?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await fs.rm(root, { recursive: true, force: true });
  });

  async function newSite(files: Record<string, string | Buffer> = ORIGINAL): Promise<Site> {
    const suffix = randomBytes(4).toString('hex');
    const member = (await t.http.post('/api/members').set(staff).send({ name: `M ${suffix}`, contactEmail: `m${suffix}@example.org` }).expect(201)).body;
    const site = (await t.http.post('/api/sites').set(staff).send({ memberId: member.id, domains: [`site-${suffix}.example`] }).expect(201)).body;
    await writeTree(site.documentRoot, files);
    return { id: site.id, memberId: member.id, documentRoot: site.documentRoot };
  }

  async function finished(operationId: string): Promise<{ status: string; error?: string }> {
    return eventually(async () => {
      const op = (await t.http.get(`/api/operations/${operationId}`).set(staff).expect(200)).body;
      if (op.status !== 'succeeded' && op.status !== 'failed') throw new Error(`still ${op.status}`);
      return op;
    }, 60_000);
  }

  async function backupNow(site: Site): Promise<string> {
    const { operationId } = (await t.http.post(`/api/sites/${site.id}/backups`).set(staff).expect(202)).body;
    expect(await finished(operationId)).toMatchObject({ status: 'succeeded' });
    const runs = (await t.http.get(`/api/sites/${site.id}/backups`).set(staff).expect(200)).body.items;
    return runs.find((r: { kind: string }) => r.kind === 'backup').snapshotId;
  }

  async function changeFiles(site: Site): Promise<void> {
    await writeTree(site.documentRoot, { 'index.html': '<h1>changed</h1>', 'new/page.html': 'new' });
    await fs.rm(join(site.documentRoot, 'css/site.css'));
  }

  async function restore(site: Site, snapshotId: string, body: object = {}) {
    const { operationId } = (await t.http.post(`/api/sites/${site.id}/backups/${snapshotId}/restore`).set(staff).send(body).expect(202)).body;
    return { operationId, result: await finished(operationId) };
  }

  describe('policy validation', () => {
    let site: Site;
    beforeAll(async () => {
      site = await newSite();
    });

    it.each([
      ['a 3-field cron', { enabled: true, schedule: '* * *' }, 'schedule'],
      ['a 6-field cron', { enabled: true, schedule: '0 0 3 * * *' }, 'schedule'],
      ['a nonsense cron', { enabled: true, schedule: '99 3 * * *' }, 'schedule'],
      ['a negative keep', { enabled: true, keepDaily: -1 }, 'keepDaily'],
      ['a fractional keep', { enabled: true, keepWeekly: 1.5 }, 'keepWeekly'],
      ['a huge keep', { enabled: true, keepMonthly: 100000 }, 'keepMonthly'],
      ['member custody without a key', { enabled: true, keyCustody: 'member' }, 'memberPublicKey'],
      ['garbage as the public key', { enabled: true, keyCustody: 'member', memberPublicKey: 'hello' }, 'memberPublicKey'],
      ['an unknown custody', { enabled: true, keyCustody: 'nobody' }, 'keyCustody'],
      ['an unknown field', { enabled: true, shell: 'rm -rf /' }, 'shell'],
      ['a relative hook program', { enabled: true, preBackupHook: ['dump.sh'] }, 'preBackupHook'],
      ['a hook that is a string', { enabled: true, preBackupHook: '/bin/true' }, 'preBackupHook'],
      ['deleteExisting while enabling', { enabled: true, deleteExisting: true }, 'deleteExisting'],
    ])('rejects %s with 400 and changes nothing', async (_label, body, field) => {
      const auditBefore = await t.prisma.auditEvent.count();
      const res = await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send(body).expect(400);
      expect(JSON.stringify(res.body.details)).toContain(field);
      expect(await t.prisma.backupPolicy.findUnique({ where: { siteId: site.id } })).toBeNull();
      expect(await t.prisma.auditEvent.count()).toBe(auditBefore);
    });

    it('rejects a private key sent as the public key, saying so, and never stores or echoes it', async () => {
      const res = await t.http
        .put(`/api/sites/${site.id}/backup-policy`)
        .set(staff)
        .send({ enabled: true, keyCustody: 'member', memberPublicKey: memberKey.privateKey })
        .expect(400);
      expect(res.body.message).toMatch(/private key/);
      expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY BLOCK');
      expect(await t.prisma.backupPolicy.findUnique({ where: { siteId: site.id } })).toBeNull();
    });

    it('a member may not set a pre-backup hook; another member’s site is 404', async () => {
      const own = await t.token('member', site.memberId);
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(bearer(own)).send({ enabled: true, preBackupHook: ['/bin/true'] }).expect(403);
      const other = await newSite();
      const stranger = await t.token('member', other.memberId);
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(bearer(stranger)).send({ enabled: true }).expect(404);
      await t.http.get(`/api/sites/${site.id}/backups`).set(bearer(stranger)).expect(404);
      await t.http.post(`/api/sites/${site.id}/backups`).set(bearer(stranger)).expect(404);
      await t.http.get(`/api/sites/${site.id}/backups/latest/download`).set(bearer(stranger)).expect(404);
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(bearer(own)).send({ enabled: true }).expect(200);
    });

    it('audits a change with the key fingerprint, never the key', async () => {
      const res = await t.http
        .put(`/api/sites/${site.id}/backup-policy`)
        .set(staff)
        .send({ enabled: true, schedule: '15 2 * * *', keyCustody: 'member', memberPublicKey: memberKey.publicKey })
        .expect(200);
      expect(res.body).toMatchObject({ enabled: true, schedule: '15 2 * * *', keyCustody: 'member' });
      expect(res.body.memberKeyFingerprint).toMatch(/^[0-9A-F]{40}$/);
      const events = await t.prisma.auditEvent.findMany({ where: { targetId: site.id, action: 'backups.policy' } });
      const text = JSON.stringify(events.map((e) => e.changes));
      expect(text).toContain(res.body.memberKeyFingerprint);
      expect(text).not.toContain('PGP PUBLIC KEY');
    });
  });

  describe('provider custody', () => {
    let site: Site;
    let first: string;

    beforeAll(async () => {
      site = await newSite();
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true, keyCustody: 'provider', ...KEEP_ALL }).expect(200);
    });

    it('backs up, backs up the changes, and restores the first snapshot byte for byte', async () => {
      const original = await readTree(site.documentRoot);
      first = await backupNow(site);
      await changeFiles(site);
      const second = await backupNow(site);
      expect(second).not.toEqual(first);
      expect(await readTree(site.documentRoot)).not.toEqual(original);

      const { result } = await restore(site, first);
      expect(result).toMatchObject({ status: 'succeeded' });
      expect(await readTree(site.documentRoot)).toEqual(original);
      const siblings = await fs.readdir(join(site.documentRoot, '..'));
      expect(siblings).toEqual(['public']);
    });

    it('records runs, the second one incremental, and shows them in the posture', async () => {
      const runs = (await t.http.get(`/api/sites/${site.id}/backups`).set(staff).expect(200)).body.items;
      const backups = runs.filter((r: { kind: string }) => r.kind === 'backup');
      expect(backups).toHaveLength(2);
      for (const run of backups) expect(run).toMatchObject({ status: 'succeeded', custody: 'provider', files: expect.any(Number), totalBytes: expect.any(Number) });
      expect(backups[0].bytesAdded).toBeLessThan(backups[1].bytesAdded);
      const repo = await t.prisma.backupRepository.findUniqueOrThrow({ where: { memberId: site.memberId } });
      expect(repo.passwordEncrypted).toMatch(/^v1:/);
      const posture = (await t.http.get(`/api/sites/${site.id}`).set(staff).expect(200)).body.posture.backups;
      expect(posture).toMatchObject({ enabled: true, keyCustody: 'provider', lastSuccessAt: expect.any(String), nextRunAt: expect.any(String) });
    });

    it('a member downloads its latest snapshot as a tar stream', async () => {
      const own = await t.token('member', site.memberId);
      const res = await t.http.get(`/api/sites/${site.id}/backups/latest/download`).set(bearer(own)).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toContain('application/x-tar');
      const tarPath = join(root, 'latest.tar');
      await fs.writeFile(tarPath, res.body as Buffer);
      const listing = execFileSync('tar', ['-tf', tarPath], { encoding: 'utf8' });
      expect(listing).toContain('new/page.html');
    });

    it('the restore drill and the check pass and are recorded', async () => {
      const jobs = t.app.get(BackupJobs);
      await jobs.drill(site.id);
      await jobs.check(site.id);
      const runs = await t.prisma.backupRun.findMany({ where: { siteId: site.id, kind: { in: ['drill', 'check'] } } });
      expect(runs.map((r) => [r.kind, r.status]).sort()).toEqual([
        ['check', 'succeeded'],
        ['drill', 'succeeded'],
      ]);
    });

    it('refuses a snapshot of another site', async () => {
      const other = await newSite();
      const { result } = await restore(other, first);
      expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/not found|no provider-custody backups/) });
    });
  });

  describe('member custody', () => {
    let site: Site;
    let original: Record<string, string>;

    beforeAll(async () => {
      site = await newSite();
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true, keyCustody: 'member', memberPublicKey: memberKey.publicKey, ...KEEP_ALL }).expect(200);
    });

    it('backs up twice and restores the first archive with the member key, byte for byte', async () => {
      original = await readTree(site.documentRoot);
      const first = await backupNow(site);
      await changeFiles(site);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await backupNow(site);
      expect(second).not.toEqual(first);

      const { operationId, result } = await restore(site, first, { memberPrivateKey: memberKey.privateKey, passphrase: PASSPHRASE });
      expect(result).toMatchObject({ status: 'succeeded' });
      expect(await readTree(site.documentRoot)).toEqual(original);
      const op = await t.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
      expect(JSON.stringify(op.payload)).not.toMatch(/sealed|v1:/);
    });

    it('a wrong passphrase fails the restore, leaves the site alone and drops the key', async () => {
      await changeFiles(site);
      const before = await readTree(site.documentRoot);
      const archiveId = (await t.app.get(MemberCustody).list(site.id))[0].id;
      const { operationId, result } = await restore(site, archiveId, { memberPrivateKey: memberKey.privateKey, passphrase: 'wrong' });
      expect(result).toMatchObject({ status: 'failed', error: expect.stringContaining('passphrase') });
      expect(await readTree(site.documentRoot)).toEqual(before);
      const op = await t.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
      expect(JSON.stringify(op.payload)).not.toMatch(/sealed|v1:/);
    });

    it('the archive cannot be decrypted with anything the host stores, and decrypts with the member key', async () => {
      const [archive] = await t.app.get(MemberCustody).list(site.id);
      const ciphertext = await fs.readFile(archive.path);
      const secrets = t.app.get(SecretsService);
      const hostKey = await t.app.get(BackupStorage).signingKey();
      // Suites share one database, each with its own SECRETS_KEY: what this host holds is what it can open.
      const opened = (sealed: string[]) => sealed.flatMap((value) => { try { return [secrets.decrypt(value)]; } catch { return []; } });
      const repoPasswords = opened((await t.prisma.backupRepository.findMany()).map((r) => r.passwordEncrypted));
      const acmeKeys = opened((await t.prisma.acmeAccount.findMany()).map((a) => a.keyEncrypted));
      const storedKeys = [hostKey.privateKey, ...acmeKeys].filter((k) => k.includes('PGP PRIVATE KEY'));
      expect(storedKeys.length).toBeGreaterThan(0);

      const message = () => openpgp.readMessage({ binaryMessage: ciphertext });
      for (const armored of storedKeys) {
        const key = await openpgp.readPrivateKey({ armoredKey: armored });
        await expect(openpgp.decrypt({ message: await message(), decryptionKeys: key, format: 'binary' })).rejects.toThrow();
      }
      for (const password of [...repoPasswords, ...acmeKeys, t.config.secretsKey.toString('base64')]) {
        await expect(openpgp.decrypt({ message: await message(), passwords: [password], format: 'binary' })).rejects.toThrow();
      }
      const dbText = JSON.stringify(await Promise.all([t.prisma.backupPolicy.findMany(), t.prisma.operation.findMany(), t.prisma.auditEvent.findMany()]), (_k, v) =>
        typeof v === 'bigint' ? v.toString() : v,
      );
      expect(dbText).not.toContain('PGP PRIVATE KEY');

      const memberPrivate = await openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: memberKey.privateKey }), passphrase: PASSPHRASE });
      const plain = await openpgp.decrypt({
        message: await message(),
        decryptionKeys: memberPrivate,
        verificationKeys: await openpgp.readKey({ armoredKey: hostKey.publicKey }),
        expectSigned: true,
        format: 'binary',
      });
      expect(Buffer.from(plain.data as Uint8Array).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    });

    it('the member downloads the latest archive as is, still encrypted to its key', async () => {
      const own = await t.token('member', site.memberId);
      const res = await t.http.get(`/api/sites/${site.id}/backups/latest/download`).set(bearer(own)).buffer(true).parse(binary).expect(200);
      const latest = (await t.app.get(MemberCustody).list(site.id)).at(-1)!;
      expect(Buffer.compare(res.body as Buffer, await fs.readFile(latest.path))).toBe(0);
    });

    it('the drill checks signature and size, and a failed drill is mailed to staff and the member', async () => {
      await t.app.get(BackupJobs).drill(site.id);
      const drill = await t.prisma.backupRun.findFirstOrThrow({ where: { siteId: site.id, kind: 'drill' } });
      expect(drill.status).toBe('succeeded');
      expect(mails).toEqual([]);
      const latest = (await t.app.get(MemberCustody).list(site.id)).at(-1)!;
      await fs.appendFile(latest.path, Buffer.from([0]));
      await expect(t.app.get(BackupJobs).drill(site.id)).rejects.toThrow(/signature/);

      const { member, primaryDomain } = await t.prisma.site.findUniqueOrThrow({ where: { id: site.id }, include: { member: true } });
      const mail = await eventually(async () => mails.find((m) => m.body.includes(primaryDomain)) ?? Promise.reject(new Error('no mail yet')));
      expect(mail.to.sort()).toEqual([member.contactEmail, 'staff@example.org'].sort());
      expect(mail.body).toMatch(/restore drill failed/);
      expect(mail.body).toMatch(/signature/);
    });
  });

  describe('retention', () => {
    // Newest first after a run "now": daily 2 keeps now and 06-10 12:00; monthly 3 keeps now, 06-10 12:00 and 05-20.
    const PAST = ['2025-06-10T12:00:00Z', '2025-06-10T08:00:00Z', '2025-06-09T12:00:00Z', '2025-06-08T12:00:00Z', '2025-05-20T12:00:00Z', '2025-04-15T12:00:00Z'];
    const KEPT = ['2025-06-10T12:00:00.000Z', '2025-05-20T12:00:00.000Z'];
    const rules = { keepDaily: 2, keepWeekly: 0, keepMonthly: 3 };

    it('provider: restic forget keeps exactly what the rules keep', async () => {
      const site = await newSite();
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true, keyCustody: 'provider', ...rules }).expect(200);
      const repo = await t.app.get(BackupStorage).repositoryOf(site.memberId);
      await restic.init(repo);
      for (const time of PAST) await restic.backup(repo, { path: site.documentRoot, tags: [siteTag(site.id)], time: new Date(time), host: 'hostkeeper' });
      const fresh = await backupNow(site);
      expect(await restic.snapshots(repo, { tags: [siteTag(site.id)] })).toHaveLength(PAST.length + 1);

      await t.app.get(BackupJobs).applyRetention(site.memberId);

      const left = await restic.snapshots(repo, { tags: [siteTag(site.id)] });
      expect(left.map((s) => s.id)).toContain(fresh);
      expect(left.filter((s) => s.id !== fresh).map((s) => s.time.toISOString()).sort()).toEqual([...KEPT].sort());
    });

    it('member: the same rules applied to the archives', async () => {
      const site = await newSite();
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true, keyCustody: 'member', memberPublicKey: memberKey.publicKey, ...rules }).expect(200);
      const custody = t.app.get(MemberCustody);
      const signing = await t.app.get(BackupStorage).signingKey();
      for (const time of PAST) await custody.backup(site, memberKey.publicKey, signing, new Date(time));
      const fresh = await backupNow(site);
      expect(await custody.list(site.id)).toHaveLength(PAST.length + 1);

      await t.app.get(BackupJobs).applyRetention(site.memberId);

      const left = await custody.list(site.id);
      expect(left.map((a) => a.id)).toContain(fresh);
      expect(left.filter((a) => a.id !== fresh).map((a) => a.time.toISOString()).sort()).toEqual([...KEPT].sort());
      const files = await fs.readdir(join(t.config.backupTarget, 'member-custody', site.id));
      expect(files.filter((f) => f.endsWith('.sig'))).toHaveLength(left.length);
    });
  });

  it('a backup killed mid-way is marked failed and leaves the repository passing restic check', async () => {
    const big: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) big[`blob-${i}.bin`] = randomBytes(8 * 1024 * 1024);
    const site = await newSite(big);
    await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true }).expect(200);
    // The repository exists already, as it does for every backup but a member's first.
    const repo = await t.app.get(BackupStorage).repositoryOf(site.memberId);
    await restic.init(repo);
    await t.http.post(`/api/sites/${site.id}/backups`).set(staff).expect(202);

    const pid = await eventually(async () => {
      const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
      const line = children.split('\n').find((l) => /restic backup/.test(l));
      if (!line) throw new Error('no restic backup running yet');
      return Number(line.trim().split(/\s+/)[0]);
    }, 30_000, 10);
    process.kill(pid, 'SIGKILL');

    const run = await eventually(async () => {
      const row = await t.prisma.backupRun.findFirstOrThrow({ where: { siteId: site.id, kind: 'backup' } });
      if (row.status === 'running') throw new Error('still running');
      return row;
    });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/restic/);
    await expect(restic.check(repo)).resolves.toBeUndefined();
  });

  it('disabling with deleteExisting deletes every copy and records an attestation', async () => {
    const site = await newSite();
    await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true }).expect(200);
    await backupNow(site);
    const res = await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: false, deleteExisting: true }).expect(200);
    expect(await finished(res.body.deleteOperationId)).toMatchObject({ status: 'succeeded' });
    const repo = await t.app.get(BackupStorage).repositoryOf(site.memberId);
    expect(await restic.snapshots(repo, { tags: [siteTag(site.id)] })).toEqual([]);
    const attestation = await t.prisma.attestation.findFirstOrThrow({ where: { siteId: site.id } });
    expect(attestation).toMatchObject({ kind: 'backup-deletion', fileCount: 1 });
    expect(attestation.requestedBy).toEqual(expect.any(String));
    expect(await t.app.get(QueueRegistry).of(QUEUE.backups).getJobScheduler(backupSchedulerId(site.id))).toBeUndefined();
  });

  it('after Redis loses its data the reconcile re-creates the schedulers and removes stale ones', async () => {
    const queue = t.app.get(QueueRegistry).of(QUEUE.backups);
    const enabled = await t.prisma.backupPolicy.findMany({ where: { enabled: true } });
    expect(enabled.length).toBeGreaterThan(2);
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    const stale = backupSchedulerId('00000000-0000-4000-8000-000000000000');
    await queue.upsertJobScheduler(stale, { pattern: '0 1 * * *', tz: 'UTC' }, { name: 'backups.scheduled', data: {} });

    const result = await t.app.get(BackupSchedules).reconcile();
    expect(result).toEqual({ upserted: enabled.length, removed: 1 });
    for (const policy of enabled) {
      expect(await queue.getJobScheduler(backupSchedulerId(policy.siteId))).toMatchObject({ pattern: policy.schedule, tz: 'UTC' });
    }
    expect(await queue.getJobScheduler(stale)).toBeUndefined();
    expect(await t.app.get(BackupSchedules).reconcile()).toEqual({ upserted: 0, removed: 0 });
  });
});

function binary(response: unknown, callback: (error: Error | null, body: Buffer) => void): void {
  const res = response as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}
