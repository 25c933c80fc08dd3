import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import { migrate } from '../../src/core/database/migrator.js';
import { TEST_DATABASE_URL } from '../support/test-env.js';

const SCRATCH_URL = TEST_DATABASE_URL.replace(/\/[^/]+$/, '/hostkeeper_schema_check');

/**
 * schema.prisma and the hand-written migrations must agree: migrate an empty
 * database, then write and read every model through the generated client.
 */
describe('schema.prisma and prisma/migrations agree', () => {
  let prisma: PrismaClient;

  beforeAll(async () => {
    const admin = new Client({ connectionString: TEST_DATABASE_URL.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS hostkeeper_schema_check WITH (FORCE)');
    await admin.end();
    await migrate(SCRATCH_URL);
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: SCRATCH_URL }) });
  });
  afterAll(() => prisma.$disconnect());

  it('migrating twice applies nothing the second time, as two machines at once would', async () => {
    const [a, b] = await Promise.all([migrate(SCRATCH_URL), migrate(SCRATCH_URL)]);
    expect(a.applied).toEqual([]);
    expect(b.applied).toEqual([]);
    const rows = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`;
    expect(Number(rows[0].n)).toBeGreaterThan(0);
  });

  it('every model can be written and read through the generated client', async () => {
    const now = new Date();
    const member = await prisma.member.create({ data: { name: 'm', contactEmail: 'm@example.org' } });
    const site = await prisma.site.create({
      data: {
        memberId: member.id,
        primaryDomain: 'schema.example',
        domains: ['schema.example'],
        documentRoot: '/srv/schema.example/public',
        campaignTags: ['parody'],
        domainRows: { create: [{ domain: 'schema.example' }] },
        https: { create: { status: 'active', notAfter: now, renewAt: now } },
        logging: { create: { mode: 'anonymized', retentionDays: 7, lastPurgedAt: now } },
        backupPolicy: { create: { enabled: true, keyCustody: 'member', memberPublicKey: 'k', preBackupHook: ['/bin/true'] } },
      },
    });
    await prisma.apiToken.create({ data: { tokenHash: randomUUID(), role: 'member', memberId: member.id, lastUsedAt: now } });
    await prisma.auditEvent.create({ data: { actor: 'a', actorRole: 'staff', action: 'x', targetType: 'site', changes: { a: 1 } } });
    await prisma.operation.create({ data: { kind: 'https.enable', siteId: site.id, targetType: 'site', actor: 'a', payload: { x: 1 } } });
    await prisma.acmeAccount.create({ data: { directoryUrl: 'https://ca.example/dir', keyEncrypted: 'e', accountUrl: 'u' } });
    await prisma.certificate.create({
      data: { siteId: site.id, domains: ['schema.example'], chainPem: 'c', keyEncrypted: 'k', keyType: 'ecdsa', notBefore: now, notAfter: now },
    });
    await prisma.attestation.create({ data: { siteId: site.id, kind: 'logs.purge', requestedBy: 'a', files: [{ f: 1 }], fileCount: 1, bytes: 10n } });
    await prisma.backupRepository.create({ data: { memberId: member.id, location: '/b', passwordEncrypted: 'p' } });
    await prisma.backupRun.create({ data: { siteId: site.id, custody: 'provider', status: 'succeeded', bytesAdded: 1n, totalBytes: 2n } });
    await prisma.signingKey.create({ data: { fingerprint: 'f', publicKey: 'p', privateKeyEncrypted: 'e' } });
    await prisma.siteDefence.create({ data: { siteId: site.id, level: 'challenge', until: now, exemptPaths: ['/feed/'], shieldRanges: ['192.0.2.0/24'], passKeyEncrypted: 'e', warnedAt: now } });
    await prisma.legalCase.create({ data: { siteId: site.id, riskScore: 50, reasons: ['parody'], kind: 'checkin', description: 'd', materials: 'm', launchDate: now, language: 'es', advice: 'a' } });
    await prisma.legalNotice.create({
      data: { siteId: site.id, type: 'dmca', receivedAt: now, deadline: now, status: 'triage', senderRole: 'rights_holder', jurisdiction: 'US', gaggedUntil: now, publish: true, publishAfter: now, summary: 's' },
    });
    await prisma.restoreRequest.create({ data: { siteId: site.id, snapshotId: 'abcdef01', custody: 'provider', snapshotAt: now, note: 'n', requestedBy: 'a' } });
    await expect(prisma.restoreRequest.create({ data: { siteId: site.id, snapshotId: 'abcdef02', custody: 'provider', snapshotAt: now, requestedBy: 'a' } })).rejects.toThrow();
    await prisma.legalReminder.create({ data: { subject: 'notice:x', kind: 'deadline-soon', dueAt: now } });
    await prisma.canaryStatement.create({ data: { statement: 's', signed: 'sig', fingerprint: 'f', issuedAt: now, expiresAt: now, actor: 'a' } });

    const loaded = await prisma.site.findUniqueOrThrow({
      where: { id: site.id },
      include: {
        domainRows: true, https: true, logging: true, backupPolicy: true, certificates: true,
        attestations: true, backupRuns: true, legalCases: true, legalNotices: true, defence: true, restoreRequests: true, member: { include: { tokens: true } },
      },
    });
    expect(loaded.domainRows).toHaveLength(1);
    expect(loaded.https?.status).toBe('active');
    expect(loaded.logging?.mode).toBe('anonymized');
    expect(loaded.backupPolicy?.preBackupHook).toEqual(['/bin/true']);
    expect(loaded.certificates).toHaveLength(1);
    expect(loaded.attestations[0].bytes).toBe(10n);
    expect(loaded.backupRuns[0].totalBytes).toBe(2n);
    expect(loaded.legalCases[0].reasons).toEqual(['parody']);
    expect(loaded.legalNotices).toHaveLength(1);
    expect(loaded.defence).toMatchObject({ level: 'challenge', exemptPaths: ['/feed/'], shieldRanges: ['192.0.2.0/24'] });
    expect(loaded.member.tokens).toHaveLength(1);
    expect(loaded.restoreRequests).toEqual([expect.objectContaining({ status: 'requested', note: 'n' })]);
    expect(await prisma.operation.count()).toBe(1);
    expect(await prisma.auditEvent.count()).toBe(1);
    expect(await prisma.acmeAccount.count()).toBe(1);
    expect(await prisma.backupRepository.count()).toBe(1);
    expect(await prisma.signingKey.count()).toBe(1);
    expect(await prisma.legalReminder.count()).toBe(1);
    expect((await prisma.canaryStatement.findFirstOrThrow()).signed).toBe('sig');
    expect(loaded.legalNotices[0]).toMatchObject({ status: 'triage', publish: true });
  });

  it('the console tables can be written and read', async () => {
    const later = new Date(Date.now() + 60_000);
    await prisma.signInLink.create({ data: { tokenHash: randomUUID(), email: 'c@example.org', role: 'staff', expiresAt: later } });
    await prisma.consoleSession.create({ data: { tokenHash: randomUUID(), csrfToken: 'c', email: 'c@example.org', role: 'staff', expiresAt: later } });
    await prisma.passkeyCredential.create({ data: { id: 'cred', email: 'c@example.org', role: 'staff', publicKey: Buffer.from([1, 2]), counter: 3n, transports: ['internal'] } });
    await prisma.passkeyChallenge.create({ data: { challenge: 'ch', expiresAt: later } });
    expect((await prisma.passkeyCredential.findUniqueOrThrow({ where: { id: 'cred' } })).publicKey).toEqual(new Uint8Array([1, 2]));
    expect(await prisma.signInLink.count()).toBe(1);
    expect(await prisma.consoleSession.count()).toBe(1);
    expect(await prisma.passkeyChallenge.count()).toBe(1);
  });

  it('the database refuses one domain on two sites', async () => {
    const member = await prisma.member.create({ data: { name: 'n', contactEmail: 'n@example.org' } });
    const make = (primary: string) =>
      prisma.site.create({
        data: { memberId: member.id, primaryDomain: primary, domains: [primary, 'shared.example'], documentRoot: '/x', domainRows: { create: [{ domain: primary }, { domain: 'shared.example' }] } },
      });
    await make('one.example');
    await expect(make('two.example')).rejects.toMatchObject({ code: 'P2002' });
  });
});
