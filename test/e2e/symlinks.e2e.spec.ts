import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { ArchiveAdapter } from '../../src/core/adapters/archive.adapter.js';
import { forgetBackupSecrets } from '../support/backup-secrets.js';
import { closeLeftoverOperations } from '../support/suite-leftovers.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

/** Real nginx, real restic and tar: a symlink in a site never leads out of it. */
describe('symlinks never lead out of a site (e2e)', () => {
  let stack: WebStack;
  let t: TestApp;
  let staff: { Authorization: string };
  let memberId: string;
  let outside: string;
  const SECRET = `outside-the-site-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false' } });
    t = await startTestApp(stack.config);
    staff = bearer(t.staffToken);
    memberId = (await t.http.post('/api/members').set(staff).send({ name: 'S', contactEmail: 's@example.org' }).expect(201)).body.id;
    outside = join(stack.dataDir, 'someone-elses');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(join(outside, 'secret.txt'), SECRET);
  }, 60_000);

  afterAll(async () => {
    if (t) await closeLeftoverOperations(t.prisma);
    if (t) await forgetBackupSecrets(t.prisma);
    await t?.close();
    await stack?.stop();
  });

  async function servedSite(domain: string): Promise<{ id: string; documentRoot: string }> {
    const site = (await t.http.post('/api/sites').set(staff).send({ memberId, domains: [domain] }).expect(201)).body;
    await eventually(async () => expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: site.operationId } })).status).toBe('succeeded'), 30_000);
    await fs.mkdir(site.documentRoot, { recursive: true });
    await fs.writeFile(join(site.documentRoot, 'index.html'), '<h1>ours</h1>');
    await fs.symlink(join(outside, 'secret.txt'), join(site.documentRoot, 'leak.txt'));
    await fs.symlink(outside, join(site.documentRoot, 'leakdir'));
    return site;
  }

  async function backedUp(siteId: string): Promise<{ status: string; error?: string }> {
    const { operationId } = (await t.http.post(`/api/sites/${siteId}/backups`).set(staff).expect(202)).body;
    return eventually(async () => {
      const op = (await t.http.get(`/api/operations/${operationId}`).set(staff).expect(200)).body;
      if (op.status !== 'succeeded' && op.status !== 'failed') throw new Error(op.status);
      return op;
    }, 60_000);
  }

  it('nginx serves the site but not a file or folder a symlink points at outside it', async () => {
    await servedSite('links.example');
    const page = await stack.curl('links.example', { path: '/index.html' });
    expect(page).toMatchObject({ status: 200, body: '<h1>ours</h1>' });
    for (const path of ['/leak.txt', '/leakdir/secret.txt']) {
      const res = await stack.curl('links.example', { path });
      // try_files finds nothing it may open, so 404 (a plain root gives 403)
      expect([403, 404]).toContain(res.status);
      expect(res.body).not.toContain(SECRET);
    }
  });

  it('a backup stores a symlink inside the site as a symlink, never what it points at (restic and tar)', async () => {
    const site = await servedSite('links-backup.example');
    await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true }).expect(200);
    expect(await backedUp(site.id)).toMatchObject({ status: 'succeeded' });
    const tar = await t.http.get(`/api/sites/${site.id}/backups/latest/download`).set(staff).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    const text = (tar.body as Buffer).toString('latin1');
    expect(text).toContain('<h1>ours</h1>');
    expect(text).toContain('leak.txt');
    expect(text).not.toContain(SECRET);

    const chunks: Buffer[] = [];
    for await (const chunk of new ArchiveAdapter().pack(site.documentRoot)) chunks.push(chunk as Buffer);
    const packed = gunzipSync(Buffer.concat(chunks)).toString('latin1');
    expect(packed).toContain('<h1>ours</h1>');
    expect(packed).not.toContain(SECRET);
  });

  it('a document root that is itself a symlink out of SITES_ROOT is refused, with a reason, and nothing is backed up', async () => {
    const site = await servedSite('root-link.example');
    await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true }).expect(200);
    await fs.rm(site.documentRoot, { recursive: true });
    await fs.symlink(outside, site.documentRoot);
    const result = await backedUp(site.id);
    expect(result.status).toBe('failed');
    expect(result.error).toContain('symbolic link');
    expect(await t.prisma.backupRun.count({ where: { siteId: site.id, status: 'succeeded' } })).toBe(0);
    await t.http.get(`/api/sites/${site.id}/backups/latest/download`).set(staff).expect(404);
  });
});
