import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import type { SMTPServer } from 'smtp-server';
import { readTree, writeTree } from '../support/file-tree.js';
import { Mail, startSmtpSink } from '../support/smtp-sink.js';
import { forgetBackupSecrets } from '../support/backup-secrets.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

const ORIGINAL = { 'index.html': '<h1>Before the raid</h1>', 'img/logo.bin': randomBytes(50_000) };
const PASSPHRASE = 'a restore passphrase';
const KEEP_ALL = { keepDaily: 0, keepWeekly: 0, keepMonthly: 0 };

interface Site {
  id: string;
  memberId: string;
  documentRoot: string;
  domain: string;
  email: string;
  member: { Authorization: string };
}

describe('restore requests (e2e: a member asks, staff restores with real restic)', () => {
  let t: TestApp;
  let root: string;
  let staff: { Authorization: string };
  let smtp: SMTPServer;
  const mails: Mail[] = [];

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'hk-restore-requests-'));
    const sink = await startSmtpSink(mails);
    smtp = sink.server;
    t = await startTestApp(
      testConfig({
        ROLE: 'all',
        CRONS_ENABLED: 'false',
        STATE_DIR: join(root, 'state'),
        SITES_ROOT: join(root, 'www'),
        BACKUP_TARGET: join(root, 'backups'),
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        STAFF_ALERT_EMAIL: 'staff@example.org',
      }),
    );
    staff = bearer(t.staffToken);
    // suites share one database, each with its own SECRETS_KEY: a signing key another suite sealed cannot be opened here
    await forgetBackupSecrets(t.prisma);
  }, 120_000);

  afterAll(async () => {
    if (t) await forgetBackupSecrets(t.prisma);
    await t?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await fs.rm(root, { recursive: true, force: true });
  });

  async function newSite(policy: object): Promise<Site> {
    const suffix = randomBytes(4).toString('hex');
    const member = (await t.http.post('/api/members').set(staff).send({ name: `M ${suffix}`, contactEmail: `m${suffix}@example.org` }).expect(201)).body;
    const domain = `restore-${suffix}.example`;
    const site = (await t.http.post('/api/sites').set(staff).send({ memberId: member.id, domains: [domain] }).expect(201)).body;
    await writeTree(site.documentRoot, ORIGINAL);
    await t.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true, ...KEEP_ALL, ...policy }).expect(200);
    return { id: site.id, memberId: member.id, documentRoot: site.documentRoot, domain, email: member.contactEmail, member: bearer(await t.token('member', member.id)) };
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

  async function vandalise(site: Site): Promise<void> {
    await writeTree(site.documentRoot, { 'index.html': '<h1>defaced</h1>' });
    await fs.rm(join(site.documentRoot, 'img'), { recursive: true });
  }

  /** The body as a person reads it: quoted-printable soft breaks and escapes undone. */
  const readable = (mail: Mail) => mail.body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const mailTo = (address: string, text: string) => eventually(async () => expect(mails.some((m) => m.to.includes(address) && readable(m).includes(text))).toBe(true));

  it('the OpenAPI document describes the restore requests', async () => {
    const doc = (await t.http.get('/docs/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/sites/{id}/restore-requests', '/api/restore-requests', '/api/restore-requests/{requestId}/fulfil', '/api/restore-requests/{requestId}/decline']),
    );
    expect(Object.keys(doc.components.schemas.CreateRestoreRequestDto.properties).sort()).toEqual(['language', 'memberPrivateKey', 'note', 'passphrase', 'snapshotId']);
    expect(doc.components.schemas.RestoreRequestView.properties.status.enum).toEqual(['requested', 'restoring', 'restored', 'failed', 'declined']);
  });

  describe('provider custody: the request waits for staff', () => {
    let site: Site;
    let other: Site;
    let snapshot: string;
    let otherSnapshot: string;
    let requestId: string;

    beforeAll(async () => {
      site = await newSite({ keyCustody: 'provider' });
      other = await newSite({ keyCustody: 'provider' });
      snapshot = await backupNow(site);
      otherSnapshot = await backupNow(other);
    }, 120_000);

    it.each([
      ['an unknown snapshot', () => ({ snapshotId: 'deadbeef' }), 404],
      ['a snapshot id that is no id at all', () => ({ snapshotId: '../../etc' }), 404],
      ['a key for a provider-custody snapshot', () => ({ snapshotId: snapshot, memberPrivateKey: '-----BEGIN PGP PRIVATE KEY BLOCK-----' }), 400],
      ['an unknown field', () => ({ snapshotId: snapshot, shell: 'rm -rf /' }), 400],
      ['no snapshot id', () => ({}), 400],
      ['a note of 5,000 characters', () => ({ snapshotId: snapshot, note: 'x'.repeat(5000) }), 400],
      ['a language the service does not write', () => ({ snapshotId: snapshot, language: 'fr' }), 400],
    ])('refuses %s and writes nothing', async (_label, body, status) => {
      const audit = await t.prisma.auditEvent.count();
      await t.http.post(`/api/sites/${site.id}/restore-requests`).set(site.member).send(body()).expect(status);
      expect(await t.prisma.restoreRequest.count({ where: { siteId: site.id } })).toBe(0);
      expect(await t.prisma.auditEvent.count()).toBe(audit);
    });

    it("another member's site is 404, and so is another site's snapshot", async () => {
      await t.http.post(`/api/sites/${other.id}/restore-requests`).set(site.member).send({ snapshotId: snapshot }).expect(404);
      await t.http.get(`/api/sites/${other.id}/restore-requests`).set(site.member).expect(404);
      await t.http.post(`/api/sites/${other.id}/restore-requests`).set(other.member).send({ snapshotId: snapshot }).expect(404);
      expect(await t.prisma.restoreRequest.count()).toBe(0);
    });

    it('the member asks: 201 "requested", staff are mailed, the site history shows it, one open request per site', async () => {
      const res = await t.http.post(`/api/sites/${site.id}/restore-requests`).set(site.member).send({ snapshotId: snapshot, note: 'The site was defaced last night' }).expect(201);
      expect(res.body).toMatchObject({ id: expect.any(String), status: 'requested', snapshotId: snapshot, custody: 'provider' });
      requestId = res.body.id;
      await mailTo('staff@example.org', `The member of ${site.domain} asks for its backup`);
      expect(mails.map(readable).find((body) => body.includes(requestId))).toContain('The site was defaced last night');
      const again = await t.http.post(`/api/sites/${site.id}/restore-requests`).set(site.member).send({ snapshotId: snapshot }).expect(409);
      expect(again.body.message).toMatch(/already has a restore request/);
      const history = (await t.http.get(`/api/sites/${site.id}/history`).set(site.member).expect(200)).body;
      expect(history.map((e: { action: string }) => e.action)).toContain('backups.restore-request');
      const mine = (await t.http.get(`/api/sites/${site.id}/restore-requests`).set(site.member).expect(200)).body;
      expect(mine).toEqual([expect.objectContaining({ id: requestId, status: 'requested', note: 'The site was defaced last night' })]);
    });

    it('only staff list every open request and fulfil one', async () => {
      await t.http.get('/api/restore-requests').set(site.member).expect(403);
      await t.http.post(`/api/restore-requests/${requestId}/fulfil`).set(site.member).expect(403);
      await t.http.get('/api/restore-requests?status=everything').set(staff).expect(400);
      const open = (await t.http.get('/api/restore-requests?status=requested').set(staff).expect(200)).body;
      expect(open).toEqual([expect.objectContaining({ id: requestId, siteId: site.id, primaryDomain: site.domain, status: 'requested' })]);
    });

    it('staff fulfil: the restore operation is linked, succeeds with restic, and puts the files back byte for byte', async () => {
      const original = await readTree(site.documentRoot);
      await vandalise(site);
      const res = await t.http.post(`/api/restore-requests/${requestId}/fulfil`).set(staff).expect(200);
      expect(res.body).toMatchObject({ id: requestId, status: 'restoring', operationId: expect.any(String) });
      expect(await finished(res.body.operationId)).toMatchObject({ status: 'succeeded' });
      expect(await readTree(site.documentRoot)).toEqual(original);
      const op = await t.prisma.operation.findUniqueOrThrow({ where: { id: res.body.operationId } });
      expect(op).toMatchObject({ kind: 'backups.restore', siteId: site.id, payload: { snapshotId: snapshot } });
      const mine = (await t.http.get(`/api/sites/${site.id}/restore-requests`).set(site.member).expect(200)).body;
      expect(mine[0]).toMatchObject({ id: requestId, status: 'restored', operationId: res.body.operationId });
      await t.http.get(`/api/operations/${res.body.operationId}`).set(site.member).expect(200);
      await mailTo(site.email, 'is being restored');
      const history = (await t.http.get(`/api/sites/${site.id}/history`).set(staff).expect(200)).body.map((e: { action: string }) => e.action);
      expect(history).toEqual(expect.arrayContaining(['backups.restore-request', 'backups.restore-request.fulfil', 'backups.restore']));
      await t.http.post(`/api/restore-requests/${requestId}/fulfil`).set(staff).expect(409);
      expect(await t.prisma.operation.count({ where: { kind: 'backups.restore', siteId: site.id } })).toBe(1);
      expect((await t.http.get('/api/restore-requests').set(staff).expect(200)).body).toEqual([]);
    }, 90_000);

    it('staff decline with a reason the member reads; the site may ask again afterwards', async () => {
      const asked = (await t.http.post(`/api/sites/${site.id}/restore-requests`).set(site.member).send({ snapshotId: snapshot }).expect(201)).body;
      await t.http.post(`/api/restore-requests/${asked.id}/decline`).set(staff).send({ reason: 'That backup predates your last change; pick a newer one.' }).expect(200);
      const mine = (await t.http.get(`/api/sites/${site.id}/restore-requests`).set(site.member).expect(200)).body;
      expect(mine[0]).toMatchObject({ id: asked.id, status: 'declined', reason: 'That backup predates your last change; pick a newer one.' });
      await mailTo('staff@example.org', 'pick a newer one');
      await t.http.post(`/api/restore-requests/${asked.id}/fulfil`).set(staff).expect(409);
      await t.http.post(`/api/restore-requests/00000000-0000-4000-8000-000000000000/fulfil`).set(staff).expect(404);
      await t.http.post(`/api/sites/${site.id}/restore-requests`).set(site.member).send({ snapshotId: snapshot }).expect(201);
    });

    it("a member whose browser reads Spanish hears staff's answer in Spanish, alone; staff get their copy in English", async () => {
      const asked = (
        await t.http.post(`/api/sites/${other.id}/restore-requests`).set(other.member).set('Accept-Language', 'es-AR,es;q=0.9,en;q=0.5').send({ snapshotId: otherSnapshot }).expect(201)
      ).body;
      expect(await t.prisma.restoreRequest.findUniqueOrThrow({ where: { id: asked.id } })).toMatchObject({ language: 'es' });
      await t.http.post(`/api/restore-requests/${asked.id}/decline`).set(staff).send({ reason: 'Esa copia es anterior al ataque.' }).expect(200);
      await mailTo(other.email, 'fue rechazado');
      await mailTo(other.email, 'Motivo: Esa copia es anterior al ataque.');
      await mailTo('staff@example.org', `Your request to restore ${other.domain}`);
      const toMember = mails.filter((mail) => mail.to.includes(other.email));
      expect(toMember.some((mail) => mail.to.includes('staff@example.org'))).toBe(false);
      expect(toMember.map(readable).some((body) => body.includes('was declined'))).toBe(false);

      // the language the console sends wins over the browser's header
      const english = (
        await t.http.post(`/api/sites/${other.id}/restore-requests`).set(other.member).set('Accept-Language', 'es').send({ snapshotId: otherSnapshot, language: 'en' }).expect(201)
      ).body;
      expect(await t.prisma.restoreRequest.findUniqueOrThrow({ where: { id: english.id } })).toMatchObject({ language: 'en' });
    });
  });

  describe('member custody: the member sends its key and the restore starts at once', () => {
    let site: Site;
    let key: { privateKey: string; publicKey: string };

    beforeAll(async () => {
      key = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Member', email: 'm@example.org' }], passphrase: PASSPHRASE, format: 'armored' });
      site = await newSite({ keyCustody: 'member', memberPublicKey: key.publicKey });
    });

    it('without the key: 400 naming the field; with it: "restoring", restored byte for byte, the key nowhere in Postgres', async () => {
      const original = await readTree(site.documentRoot);
      const archive = await backupNow(site);
      await vandalise(site);
      const missing = await t.http.post(`/api/sites/${site.id}/restore-requests`).set(site.member).send({ snapshotId: archive }).expect(400);
      expect(JSON.stringify(missing.body.details)).toContain('memberPrivateKey');
      const res = await t.http
        .post(`/api/sites/${site.id}/restore-requests`)
        .set(site.member)
        .send({ snapshotId: archive, memberPrivateKey: key.privateKey, passphrase: PASSPHRASE })
        .expect(201);
      expect(res.body).toMatchObject({ status: 'restoring', custody: 'member', operationId: expect.any(String) });
      expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');
      expect(await finished(res.body.operationId)).toMatchObject({ status: 'succeeded' });
      expect(await readTree(site.documentRoot)).toEqual(original);
      await mailTo('staff@example.org', 'the restore has started');
      const traces = [key.privateKey.split('\n')[3], PASSPHRASE];
      const rows = JSON.stringify(
        [
          await t.prisma.restoreRequest.findMany({ where: { siteId: site.id } }),
          await t.prisma.auditEvent.findMany({ where: { targetId: site.id } }),
          await t.prisma.operation.findMany({ where: { siteId: site.id } }),
        ],
        (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
      );
      for (const trace of traces) expect(rows).not.toContain(trace);
      expect(rows).not.toMatch(/sealed|PRIVATE KEY/);
      const mine = (await t.http.get(`/api/sites/${site.id}/restore-requests`).set(site.member).expect(200)).body;
      expect(mine).toEqual([expect.objectContaining({ id: res.body.id, status: 'restored' })]);
      expect((await t.http.get('/api/restore-requests').set(staff).expect(200)).body.map((r: { siteId: string }) => r.siteId)).not.toContain(site.id);
    }, 90_000);
  });
});
