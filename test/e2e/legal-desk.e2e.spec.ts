import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SMTPServer } from 'smtp-server';
import { LegalClock } from '../../src/legal/clock.js';
import { LegalSweepService } from '../../src/legal/sweep/legal-sweep.service.js';
import { NOTICE_TYPES } from '../../src/legal/notices/notice-types.js';
import { Mail, startSmtpSink } from '../support/smtp-sink.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-03-02T09:00:00Z');

/** The mail as text: quoted-printable soft breaks joined. */
function text(mail: Mail): string {
  return mail.body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe('legal desk (e2e)', () => {
  let t: TestApp;
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  let clock: LegalClock;
  let sweep: LegalSweepService;
  let staff: { Authorization: string };
  let legal: { Authorization: string };
  let member: { Authorization: string };
  let other: { Authorization: string };
  let memberId: string;
  let siteId: string;
  let otherSiteId: string;
  const run = Date.now().toString(36);
  const domain = `mareas-${run}.example`;
  const memberName = `Colectivo Mareas ${run}`;

  const setNow = (date: Date) => (clock.now = () => new Date(date));
  const mailsAbout = (needle: string) => mails.filter((m) => text(m).includes(needle));

  beforeAll(async () => {
    smtp = (await startSmtpSink(mails)).server;
    t = await startTestApp(
      testConfig({
        SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`,
        STAFF_ALERT_EMAIL: 'staff@example.org',
        LEGAL_ALERT_EMAIL: 'lawyers@example.org',
        LEGAL_HOST_NAME: 'Red Solidaria Hosting',
      }),
    );
    clock = t.app.get(LegalClock);
    sweep = t.app.get(LegalSweepService);
    staff = bearer(t.staffToken);
    legal = bearer(await t.token('legal'));
    memberId = (await t.http.post('/api/members').set(staff).send({ name: memberName, contactEmail: `mareas-${run}@example.org` }).expect(201)).body.id;
    member = bearer(await t.token('member', memberId));
    const otherId = (await t.http.post('/api/members').set(staff).send({ name: 'Other', contactEmail: 'other@example.org' }).expect(201)).body.id;
    other = bearer(await t.token('member', otherId));
    siteId = (await t.http.post('/api/sites').set(staff).send({ memberId, domains: [domain] }).expect(201)).body.id;
    otherSiteId = (await t.http.post('/api/sites').set(staff).send({ memberId: otherId, domains: [`other-${run}.example`] }).expect(201)).body.id;
  });

  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it('describes the legal desk in the OpenAPI document', async () => {
    const res = await t.http.get('/docs/openapi.json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/sites/{id}/legal-checkins',
        '/api/sites/{id}/legal-notices',
        '/api/legal/screen',
        '/api/legal/notices',
        '/api/legal/notices/{id}/transitions',
        '/api/legal/canary',
        '/api/transparency',
        '/api/transparency.csv',
        '/transparency',
        '/canary',
      ]),
    );
  });

  describe('check in before launch', () => {
    let caseId: string;

    it('a member checks in about its own site; legal and staff are told', async () => {
      const res = await t.http
        .post(`/api/sites/${siteId}/legal-checkins`)
        .set(member)
        .send({ description: 'Parodia de los anuncios de Repsol con un comunicado falso', materials: 'maqueta en PDF', launchDate: '2026-04-01T00:00:00Z', language: 'es' })
        .expect(201);
      expect(res.body).toEqual({ caseId: expect.any(String), status: 'open' });
      caseId = res.body.caseId;
      const mail = await eventually(async () => {
        const found = mails.find((m) => m.body.includes('check-in') && text(m).includes(domain));
        expect(found).toBeDefined();
        return found!;
      });
      expect(mail.to.sort()).toEqual(['lawyers@example.org', 'staff@example.org']);
      expect(text(mail)).toMatch(/parodia/i);
    });

    it("refuses another member's site as not found, legal as not allowed, and bad input with its fields", async () => {
      await t.http.post(`/api/sites/${otherSiteId}/legal-checkins`).set(member).send({ description: 'a campaign about something' }).expect(404);
      await t.http.get(`/api/sites/${otherSiteId}/legal-checkins`).set(member).expect(404);
      await t.http.post(`/api/sites/${siteId}/legal-checkins`).set(legal).send({ description: 'a campaign about something' }).expect(403);
      const bad = await t.http.post(`/api/sites/${siteId}/legal-checkins`).set(member).send({ description: 'short', launchDate: 'soon', language: 'fr' }).expect(400);
      expect(JSON.stringify(bad.body.details)).toMatch(/description/);
      expect(JSON.stringify(bad.body.details)).toMatch(/launchDate/);
      expect(JSON.stringify(bad.body.details)).toMatch(/language/);
    });

    it('the member sees status and advice, never the internal notes', async () => {
      const before = await t.http.get(`/api/sites/${siteId}/legal-checkins`).set(member).expect(200);
      expect(before.body).toHaveLength(1);
      expect(before.body[0]).toMatchObject({ caseId, status: 'open', advice: null });
      const mailCount = mails.length;
      await t.http
        .patch(`/api/legal/cases/${caseId}`)
        .set(legal)
        .send({ status: 'cleared', notes: 'INTERNAL: riesgo de marca alto, pero parodia clara', advice: 'Podéis lanzar: añadid un aviso visible de parodia y no uséis el logotipo.' })
        .expect(200);
      const after = await t.http.get(`/api/sites/${siteId}/legal-checkins`).set(member).expect(200);
      expect(after.body[0]).toMatchObject({ caseId, status: 'cleared', advice: expect.stringMatching(/aviso visible de parodia/) });
      expect(JSON.stringify(after.body)).not.toContain('INTERNAL');
      expect(after.body[0]).not.toHaveProperty('notes');
      expect(after.body[0]).not.toHaveProperty('reasons');
      const desk = await t.http.get(`/api/sites/${siteId}/legal-checkins`).set(legal).expect(200);
      expect(desk.body[0].notes).toMatch(/INTERNAL/);
      expect(desk.body[0].reasons.join(' ')).toMatch(/parodia/);
      const adviceMail = await eventually(async () => {
        const found = mails.slice(mailCount).find((m) => m.to.includes(`mareas-${run}@example.org`));
        expect(found).toBeDefined();
        return found!;
      });
      expect(text(adviceMail)).toMatch(/aviso visible de parodia/);
      expect(text(adviceMail)).not.toContain('INTERNAL');
    });
  });

  describe('screening alone', () => {
    it('explains a look-alike domain in Spanish, and is for staff and legal only', async () => {
      const res = await t.http.post('/api/legal/screen').set(legal).send({ description: 'Campaña de los trabajadores', domains: ['iberdrola-oficial.es', 'xn--bbv-8cd.com'], language: 'es' }).expect(200);
      expect(res.body.flagged).toBe(true);
      expect(res.body.score).toBeGreaterThanOrEqual(30);
      expect(res.body.reasons.join(' ')).toMatch(/dominio engañoso.*Iberdrola/);
      expect(res.body.reasons.join(' ')).toMatch(/BBVA/);
      const clear = await t.http.post('/api/legal/screen').set(staff).send({ description: 'Neighbourhood food bank opening hours', domains: ['foodbank.example'] }).expect(200);
      expect(clear.body).toMatchObject({ flagged: false, reasons: [] });
      const tagged = await t.http.post('/api/legal/screen').set(legal).send({ description: 'Campaign page', domains: ['x.example'], tags: ['parody'] }).expect(200);
      expect(tagged.body.flagged).toBe(true);
      await t.http.post('/api/legal/screen').set(member).send({ description: 'x', domains: [] }).expect(403);
      const bad = await t.http.post('/api/legal/screen').set(legal).send({ description: 3, domains: 'x.org' }).expect(400);
      expect(JSON.stringify(bad.body.details)).toMatch(/domains/);
    });
  });

  describe('notices through their states, on a controlled clock', () => {
    const EXPECTED_HOURS: Record<string, number> = {
      dmca: 72,
      counter_notice: 14 * 24,
      trademark: 14 * 24,
      defamation: 14 * 24,
      court_order: 7 * 24,
      government_request: 24,
      law_enforcement_request: 72,
      data_protection: 30 * 24,
      private_information: 48,
      other: 14 * 24,
    };

    it.each(NOTICE_TYPES.map((type) => [type]))('%s: default deadline, reminders before and after it, every step audited, 409 on a wrong step', async (type) => {
      setNow(T0);
      const created = await t.http.post(`/api/sites/${siteId}/legal-notices`).set(legal).send({ type, received: T0.toISOString(), senderRole: 'company', jurisdiction: 'ES' }).expect(201);
      const id = created.body.id as string;
      const deadline = new Date(created.body.deadline);
      expect(deadline.getTime() - T0.getTime()).toBe(EXPECTED_HOURS[type] * HOUR);
      expect(created.body.status).toBe('received');

      await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'resolved', outcome: 'rejected' }).expect(409);
      await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'member_told' }).expect(409);

      const lead = Math.min(DAY, (deadline.getTime() - T0.getTime()) / 2);
      await sweep.sweep(new Date(deadline.getTime() - lead - 60_000));
      expect(mailsAbout(id)).toHaveLength(0);
      await sweep.sweep(new Date(deadline.getTime() - lead + 60_000));
      await sweep.sweep(new Date(deadline.getTime() - lead + 120_000));
      const soon = mailsAbout(id);
      expect(soon).toHaveLength(1);
      expect(soon[0].to.sort()).toEqual(['lawyers@example.org', 'staff@example.org']);
      expect(soon[0].body).toMatch(/due/);

      await sweep.sweep(new Date(deadline.getTime() + 60_000));
      expect(mailsAbout(id)).toHaveLength(2);
      expect(mailsAbout(id)[1].body).toMatch(/OVERDUE/);

      const path = type === 'dmca' ? ['triage', 'member_told', 'counter_notice'] : ['triage', 'member_told', 'responding'];
      const memberMails = () => mails.filter((m) => m.to.includes(`mareas-${run}@example.org`) && m.body.includes(`a ${type} notice about`));
      const toldBefore = memberMails().length;
      for (const to of path) {
        const res = await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to, note: `INTERNAL moving to ${to}` }).expect(200);
        expect(res.body.status).toBe(to);
      }
      const told = await eventually(async () => {
        expect(memberMails().length).toBe(toldBefore + 1);
        return memberMails()[toldBefore];
      });
      expect(text(told)).not.toMatch(/INTERNAL/);
      await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'triage' }).expect(409);
      const missing = await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'resolved' }).expect(400);
      expect(JSON.stringify(missing.body.details)).toMatch(/outcome/);
      const resolved = await t.http.post(`/api/legal/notices/${id}/transitions`).set(staff).send({ to: 'resolved', outcome: 'partially_complied' }).expect(200);
      expect(resolved.body).toMatchObject({ status: 'resolved', outcome: 'partially_complied', actionTaken: 'partial' });
      await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'responding' }).expect(409);

      const audit = await t.http.get(`/api/audit?targetType=legal_notice&targetId=${id}`).set(staff).expect(200);
      const steps = (audit.body.items ?? audit.body).filter((e: { action: string }) => e.action === 'legal.notice.transition').map((e: { changes: { to: string } }) => e.changes.to);
      expect(steps.sort()).toEqual([...path, 'resolved'].sort());

      const before = mailsAbout(id).length;
      await sweep.sweep(new Date(deadline.getTime() + 30 * DAY));
      expect(mailsAbout(id)).toHaveLength(before);
    });

    it('two reviewers moving one notice at once: one wins, the other gets a 409', async () => {
      setNow(T0);
      const id = (await t.http.post(`/api/sites/${siteId}/legal-notices`).set(legal).send({ type: 'trademark', received: T0.toISOString() }).expect(201)).body.id;
      const answers = await Promise.all([1, 2, 3].map(() => t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'triage' })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
      const audit = await t.http.get(`/api/audit?targetType=legal_notice&targetId=${id}`).set(staff).expect(200);
      expect((audit.body.items ?? audit.body).filter((e: { action: string }) => e.action === 'legal.notice.transition')).toHaveLength(1);
    });

    it('a DMCA counter-notice opens its own 14-day window', async () => {
      setNow(T0);
      const id = (await t.http.post(`/api/sites/${siteId}/legal-notices`).set(legal).send({ type: 'dmca', received: T0.toISOString() }).expect(201)).body.id;
      for (const to of ['triage', 'member_told']) await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to }).expect(200);
      const filed = new Date(T0.getTime() + 2 * DAY);
      setNow(filed);
      const res = await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'counter_notice' }).expect(200);
      expect(new Date(res.body.deadline).getTime()).toBe(filed.getTime() + 14 * DAY);
    });

    it('only staff and legal record or move notices; members see their own, without sender or notes', async () => {
      setNow(T0);
      await t.http.post(`/api/sites/${siteId}/legal-notices`).set(member).send({ type: 'other', received: T0.toISOString() }).expect(403);
      const id = (await t.http.post(`/api/sites/${siteId}/legal-notices`).set(legal).send({ type: 'defamation', received: T0.toISOString(), sender: 'Juan Pérez', notes: 'INTERNAL' }).expect(201)).body.id;
      await t.http.post(`/api/legal/notices/${id}/transitions`).set(member).send({ to: 'triage' }).expect(403);
      const seen = await t.http.get(`/api/sites/${siteId}/legal-notices`).set(member).expect(200);
      expect(seen.body.map((n: { id: string }) => n.id)).toContain(id);
      expect(JSON.stringify(seen.body)).not.toMatch(/Juan|INTERNAL/);
      await t.http.get(`/api/sites/${siteId}/legal-notices`).set(other).expect(404);
    });
  });

  describe('gag orders', () => {
    let id: string;
    let toldBefore: number;
    const review = new Date(T0.getTime() + 60 * DAY);
    const toldOfIt = () => mails.filter((m) => m.to.includes(`mareas-${run}@example.org`) && m.body.includes('law_enforcement_request')).length;

    it('hide a notice from the member and the public until its review date', async () => {
      setNow(T0);
      toldBefore = toldOfIt();
      const publicBefore = (await t.http.get('/api/transparency').expect(200)).body;
      const noticesBefore = (await t.http.get(`/api/sites/${siteId}`).set(member).expect(200)).body.posture.legal.notices;
      id = (
        await t.http
          .post(`/api/sites/${siteId}/legal-notices`)
          .set(legal)
          .send({ type: 'law_enforcement_request', received: T0.toISOString(), sender: 'Inspector Gadget', gaggedUntil: review.toISOString(), publish: true, summary: 'A request for subscriber data.' })
          .expect(201)
      ).body.id;
      const seen = await t.http.get(`/api/sites/${siteId}/legal-notices`).set(member).expect(200);
      expect(seen.body.map((n: { id: string }) => n.id)).not.toContain(id);
      expect((await t.http.get(`/api/sites/${siteId}`).set(member).expect(200)).body.posture.legal.notices).toBe(noticesBefore);
      const publicNow = (await t.http.get('/api/transparency').expect(200)).body;
      expect(JSON.stringify(publicNow.halfYears)).toBe(JSON.stringify(publicBefore.halfYears));
      expect(publicNow.published).toEqual(publicBefore.published);
      await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'triage' }).expect(200);
      const told = await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'member_told' }).expect(409);
      expect(told.body.message).toMatch(/gag/);
      await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'responding' }).expect(200);
      const desk = await t.http.get(`/api/legal/notices?status=responding`).set(legal).expect(200);
      expect(desk.body.find((n: { id: string }) => n.id === id)).toMatchObject({ gagged: true });
      expect(toldOfIt()).toBe(toldBefore);
    });

    it('reminds legal and staff to revisit it, then it reappears after review', async () => {
      await sweep.sweep(new Date(review.getTime() - 8 * DAY));
      expect(mailsAbout(id).filter((m) => /gag order review/.test(m.body))).toHaveLength(0);
      await sweep.sweep(new Date(review.getTime() - 6 * DAY));
      await sweep.sweep(new Date(review.getTime() - 5 * DAY));
      expect(mailsAbout(id).filter((m) => /gag order review/.test(m.body))).toHaveLength(1);

      const after = new Date(review.getTime() + HOUR);
      setNow(after);
      const result = await sweep.sweep(after);
      expect(result.gagsLifted).toBeGreaterThanOrEqual(1);
      const row = await t.prisma.legalNotice.findUniqueOrThrow({ where: { id } });
      expect(row.gaggedUntil).toBeNull();
      const seen = await t.http.get(`/api/sites/${siteId}/legal-notices`).set(member).expect(200);
      expect(seen.body.map((n: { id: string }) => n.id)).toContain(id);
      const audit = await t.http.get(`/api/audit?targetType=legal_notice&targetId=${id}`).set(staff).expect(200);
      expect((audit.body.items ?? audit.body).map((e: { action: string }) => e.action)).toContain('legal.notice.gag-lifted');
      const report = (await t.http.get('/api/transparency').expect(200)).body;
      expect(report.published.some((p: { summary: string }) => p.summary === 'A request for subscriber data.')).toBe(true);
      await t.http.post(`/api/legal/notices/${id}/transitions`).set(legal).send({ to: 'member_told' }).expect(200);
      expect(toldOfIt()).toBe(toldBefore + 1);
    });
  });

  describe('publication', () => {
    const delayedUntil = new Date(T0.getTime() + 90 * DAY);
    const secret = ['Inspector Gadget', 'Juan Pérez', 'maria.lopez@gmail.example', '+34 612 345 678', 'Acme Abogados'];

    beforeAll(async () => {
      setNow(T0);
      await t.http
        .post(`/api/sites/${siteId}/legal-notices`)
        .set(legal)
        .send({
          type: 'defamation',
          received: T0.toISOString(),
          sender: 'María López',
          senderRole: 'private_person',
          publish: true,
          summary: `María López (maria.lopez@gmail.example, +34 612 345 678) demanded that ${memberName} remove a post on ${domain} about her.`,
        })
        .expect(201);
      await t.http
        .post(`/api/sites/${siteId}/legal-notices`)
        .set(legal)
        .send({
          type: 'trademark',
          received: T0.toISOString(),
          sender: 'Acme Abogados',
          senderRole: 'lawyer',
          publish: true,
          publishAfter: delayedUntil.toISOString(),
          summary: `Acme Abogados on behalf of a bank objected to the logo on ${domain}.`,
        })
        .expect(201);
    });

    async function everyPublicOutput(): Promise<string[]> {
      const outputs = [
        (await t.http.get('/transparency').expect(200)).text,
        (await t.http.get('/transparency?lang=es').expect(200)).text,
        (await t.http.get('/transparency').set('Accept-Language', 'es-ES,es;q=0.9').expect(200)).text,
        JSON.stringify((await t.http.get('/api/transparency').expect(200)).body),
        (await t.http.get('/api/transparency.csv').expect(200)).text,
      ];
      return outputs;
    }

    it('never names a member, site, domain or private sender, gagged or delayed', async () => {
      setNow(new Date(T0.getTime() + DAY));
      for (const output of await everyPublicOutput()) {
        for (const name of [memberName, memberId, siteId, domain, domain.split('.')[0], 'María', 'López', 'maria.lopez', '612 345', ...secret]) {
          expect(output).not.toContain(name);
        }
      }
      const report = (await t.http.get('/api/transparency').expect(200)).body;
      const defamation = report.published.find((p: { type: string; summary: string }) => p.type === 'defamation' && /demanded/.test(p.summary));
      expect(defamation.summary).toMatch(/\[name\].*\[e-mail\].*\[phone\].*\[domain\]/);
      expect(report.published.some((p: { type: string }) => p.type === 'trademark')).toBe(false);
    });

    it('shows a delayed notice once its date has passed, still redacted', async () => {
      setNow(new Date(delayedUntil.getTime() + HOUR));
      const report = (await t.http.get('/api/transparency').expect(200)).body;
      const trademark = report.published.find((p: { type: string }) => p.type === 'trademark');
      expect(trademark).toMatchObject({ senderRole: 'lawyer', period: '2026-H1', received: '2026-03' });
      for (const output of await everyPublicOutput()) {
        for (const name of [memberName, domain, 'Acme Abogados', 'María López']) expect(output).not.toContain(name);
      }
    });

    it('serves HTML without JavaScript in English and Spanish, and CSV counts by half-year, type and outcome', async () => {
      const en = await t.http.get('/transparency').expect(200);
      expect(en.headers['content-type']).toMatch(/text\/html/);
      expect(en.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(en.text).toContain('<html lang="en">');
      expect(en.text).toContain('Transparency report');
      expect(en.text).not.toMatch(/<script/i);
      const es = await t.http.get('/transparency?lang=es').expect(200);
      expect(es.text).toContain('<html lang="es">');
      expect(es.text).toContain('Informe de transparencia');
      expect(es.text).toContain('Difamación');
      const csv = await t.http.get('/api/transparency.csv').expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe('period,type,outcome,count');
      expect(lines).toContain(lines.find((l) => /^2026-H1,defamation,pending,\d+$/.test(l)));
      for (const line of lines.slice(1)) expect(line).toMatch(/^\d{4}-H[12],[a-z_]+,[a-z_]+,\d+$/);
    });
  });

  describe('warrant canary', () => {
    let gnupg: string;

    beforeAll(async () => {
      gnupg = await fs.mkdtemp(join(tmpdir(), 'hk-canary-gpg-'));
    });
    afterAll(() => fs.rm(gnupg, { recursive: true, force: true }));

    function gpg(args: string[], input?: string) {
      return spawnSync('gpg', ['--homedir', gnupg, '--batch', '--status-fd', '1', ...args], { input, encoding: 'utf8' });
    }

    it('only staff publish it; it is signed with a key sealed at rest and verifies with gpg', async () => {
      setNow(T0);
      await t.http.post('/api/legal/canary').set(legal).send({ statement: 'We have received no secret orders.' }).expect(403);
      const bad = await t.http.post('/api/legal/canary').set(staff).send({ statement: 'short', validDays: 0 }).expect(400);
      expect(JSON.stringify(bad.body.details)).toMatch(/validDays/);
      const res = await t.http
        .post('/api/legal/canary')
        .set(staff)
        .send({ statement: 'As of today, Red Solidaria Hosting has received no national security letters, no gag orders and no secret warrants.', validDays: 30 })
        .expect(201);
      expect(res.body).toMatchObject({ status: 'valid', expiresAt: new Date(T0.getTime() + 30 * DAY).toISOString() });
      expect(JSON.stringify(res.body)).not.toMatch(/PRIVATE KEY/);
      const row = await t.prisma.signingKey.findUniqueOrThrow({ where: { id: 'canary' } });
      expect(row.privateKeyEncrypted).toMatch(/^v1:/);
      expect(row.privateKeyEncrypted).not.toMatch(/PGP/);

      const key = (await t.http.get('/canary/key.asc').expect(200)).text;
      const signed = (await t.http.get('/canary.txt').expect(200)).text;
      expect(signed).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
      expect(signed).toContain(`Expires: ${new Date(T0.getTime() + 30 * DAY).toISOString()}`);
      expect(gpg(['--import'], key).status).toBe(0);
      const verified = gpg(['--verify'], signed);
      expect(verified.stdout).toMatch(/GOODSIG/);
      expect(verified.stdout).toContain(row.fingerprint);
      const tampered = gpg(['--verify'], signed.replace('no gag orders', 'one gag order'));
      expect(tampered.status).not.toBe(0);
      expect(tampered.stdout).toMatch(/BADSIG/);
      execFileSync('gpg', ['--homedir', gnupg, '--batch', '--list-keys'], { encoding: 'utf8' });
    });

    it('the page shows the signed statement, its expiry and the key, in English and Spanish', async () => {
      setNow(new Date(T0.getTime() + DAY));
      const en = await t.http.get('/canary').expect(200);
      expect(en.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(en.text).toContain('BEGIN PGP SIGNED MESSAGE');
      expect(en.text).toContain('BEGIN PGP PUBLIC KEY BLOCK');
      expect(en.text).toMatch(/This statement is current\. It expires on 2026-04-01 09:00 UTC/);
      expect(en.text).not.toMatch(/<script/i);
      const es = await t.http.get('/canary?lang=es').expect(200);
      expect(es.text).toMatch(/Esta declaración está vigente/);
    });

    it('reminds staff before it expires, and says by itself once it has lapsed', async () => {
      const expires = new Date(T0.getTime() + 30 * DAY);
      const count = () => mails.filter((m) => /warrant canary expires/.test(m.body)).length;
      const before = count();
      await sweep.sweep(new Date(expires.getTime() - 15 * DAY));
      expect(count()).toBe(before);
      await sweep.sweep(new Date(expires.getTime() - 13 * DAY));
      await sweep.sweep(new Date(expires.getTime() - 12 * DAY));
      expect(count()).toBe(before + 1);

      setNow(new Date(expires.getTime() + 60_000));
      const en = await t.http.get('/canary').expect(200);
      expect(en.text).toMatch(/LAPSED/);
      expect(en.text).toMatch(/expired on 2026-04-01 09:00 UTC/);
      expect((await t.http.get('/canary?lang=es').expect(200)).text).toMatch(/HA CADUCADO/);
      expect((await t.http.get('/api/canary').expect(200)).body.status).toBe('lapsed');
      await sweep.sweep(new Date(expires.getTime() + 60_000));
      expect(mails.some((m) => /warrant canary has lapsed/.test(m.body))).toBe(true);

      await t.http.post('/api/legal/canary').set(staff).send({ statement: 'Still no secret orders, renewed on time this time.' }).expect(201);
      expect((await t.http.get('/api/canary').expect(200)).body.status).toBe('valid');
      expect((await t.http.get('/canary').expect(200)).text).not.toMatch(/LAPSED/);
    });
  });
});
