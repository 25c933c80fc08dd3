import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { SMTPServer } from 'smtp-server';
import { BackupJobs } from '../../src/backups/backup-jobs.service.js';
import { Mail, startSmtpSink } from '../support/smtp-sink.js';
import { forgetBackupSecrets } from '../support/backup-secrets.js';
import { closeLeftoverOperations } from '../support/suite-leftovers.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';

const QUOTA_MB = 1;
const PER_HOUR = 2;

describe('backups cannot fill the disk (e2e: real restic, real Postgres and Redis, an SMTP sink)', () => {
  let dir: string;
  let t: TestApp;
  let staff: { Authorization: string };
  let smtp: SMTPServer;
  const mails: Mail[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'hk-backup-limits-'));
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    const sink = await startSmtpSink(mails);
    smtp = sink.server;
    t = await startTestApp(
      testConfig({
        ROLE: 'all',
        CRONS_ENABLED: 'false',
        STATE_DIR: join(dir, 'state'),
        SITES_ROOT: join(dir, 'www'),
        BACKUP_TARGET: join(dir, 'backups'),
        BACKUP_QUOTA_MB: String(QUOTA_MB),
        BACKUP_MANUAL_PER_HOUR: String(PER_HOUR),
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        STAFF_ALERT_EMAIL: 'staff@example.org',
      }),
    );
    staff = bearer(t.staffToken);
  }, 60_000);

  afterAll(async () => {
    if (t) await closeLeftoverOperations(t.prisma);
    if (t) await forgetBackupSecrets(t.prisma);
    await t?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function newSite(files: Record<string, Buffer | string>) {
    const suffix = randomBytes(4).toString('hex');
    const member = (await t.http.post('/api/members').set(staff).send({ name: `L ${suffix}`, contactEmail: `l${suffix}@example.org` }).expect(201)).body;
    const site = (await t.http.post('/api/sites').set(staff).send({ memberId: member.id, domains: [`limits-${suffix}.example`] }).expect(201)).body;
    await fs.mkdir(site.documentRoot, { recursive: true });
    for (const [name, content] of Object.entries(files)) await fs.writeFile(join(site.documentRoot, name), content);
    return { id: site.id as string, memberId: member.id as string, contactEmail: member.contactEmail as string, member: bearer(await t.token('member', member.id)) };
  }

  async function backupNow(siteId: string, as: { Authorization: string }): Promise<void> {
    const { operationId } = (await t.http.post(`/api/sites/${siteId}/backups`).set(as).expect(202)).body;
    await eventually(async () => expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: operationId } })).status).toBe('succeeded'), 60_000);
  }

  describe('schedules a member sets', () => {
    it.each(['* * * * *', '*/30 * * * *', '0,10 3 * * *'])('refuses %s from a member with 400 naming the schedule, and stores nothing', async (schedule) => {
      const site = await newSite({ 'index.html': 'x' });
      const res = await t.http.put(`/api/sites/${site.id}/backup-policy`).set(site.member).send({ enabled: true, schedule }).expect(400);
      expect(res.body.details).toEqual([{ field: 'schedule', problems: [expect.stringContaining('minimum interval is 60 minutes')] }]);
      expect(await t.prisma.backupPolicy.findUnique({ where: { siteId: site.id } })).toBeNull();
    });

    it('accepts an hourly schedule from a member, and anything from staff', async () => {
      const site = await newSite({ 'index.html': 'x' });
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(site.member).send({ enabled: true, schedule: '17 * * * *' }).expect(200);
      await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true, schedule: '*/5 * * * *' }).expect(200);
    });
  });

  it(`a member may start ${PER_HOUR} manual backups an hour; the next gets 429 with Retry-After; staff are not counted`, async () => {
    const site = await newSite({ 'index.html': 'small' });
    await t.http.put(`/api/sites/${site.id}/backup-policy`).set(site.member).send({ enabled: true }).expect(200);
    for (let i = 0; i < PER_HOUR; i += 1) await backupNow(site.id, site.member);
    const res = await t.http.post(`/api/sites/${site.id}/backups`).set(site.member).expect(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(JSON.stringify(res.body.details)).toContain('backups');
    await backupNow(site.id, staff);
  }, 120_000);

  it('over its quota a member gets 409 naming the quota, scheduled runs are skipped, and one alert goes to the member and staff', async () => {
    const site = await newSite({ 'noise.bin': randomBytes(2 * 1024 * 1024) });
    await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true }).expect(200);
    await backupNow(site.id, staff);
    const runsBefore = await t.prisma.backupRun.count({ where: { siteId: site.id } });

    const res = await t.http.post(`/api/sites/${site.id}/backups`).set(site.member).expect(409);
    expect(res.body.message).toContain('full');
    expect(res.body.details).toEqual([{ field: 'quota', problems: [expect.stringMatching(/^\d+ MiB used of 1 MiB$/)] }]);
    await t.http.post(`/api/sites/${site.id}/backups`).set(staff).expect(409);
    expect(await t.app.get(BackupJobs).runBackup(site.id, 'scheduled')).toBe('skipped');
    expect(await t.prisma.backupRun.count({ where: { siteId: site.id } })).toBe(runsBefore);

    const alerts = await eventually(async () => {
      const found = mails.filter((m) => m.body.includes('backup storage full'));
      expect(found).toHaveLength(1);
      return found;
    });
    expect(alerts[0].to.sort()).toEqual([site.contactEmail, 'staff@example.org'].sort());
    expect(await t.prisma.auditEvent.count({ where: { action: 'backups.quota-exceeded', targetId: site.memberId } })).toBe(1);
  }, 120_000);
});
