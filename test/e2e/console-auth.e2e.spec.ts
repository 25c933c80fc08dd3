import type { SMTPServer } from 'smtp-server';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { Mail, startSmtpSink } from '../support/smtp-sink.js';
import { signInLinks, tokenOf } from '../support/sign-in-mail.js';

/** Console sign-in over HTTP: links, the session cookie, CSRF, sign-out, limits. */
describe('console sign-in (e2e)', () => {
  let t: TestApp;
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  let memberId: string;
  let otherSiteId: string;

  beforeAll(async () => {
    const sink = await startSmtpSink(mails);
    smtp = sink.server;
    t = await startTestApp(
      testConfig({
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        STAFF_EMAILS: 'desk@host.example',
        PUBLIC_URL: 'https://console.host.example',
        TRUST_PROXY: 'loopback',
        SIGNIN_LINKS_PER_ADDRESS_HOUR: '3',
      }),
    );
    memberId = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'Río Libre', contactEmail: 'Org@Rio.example' }).expect(201)).body.id;
    const other = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'Other', contactEmail: 'other@elsewhere.example' }).expect(201)).body.id;
    otherSiteId = (await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: other, domains: ['other-console.example'] }).expect(201)).body.id;
  });

  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  /** Each sign-in starts with a clean per-address count (the limit has its own test). */
  async function signIn(email: string, headers: Record<string, string> = {}) {
    await t.prisma.signInLink.deleteMany({ where: { email: email.toLowerCase() } });
    const before = mails.length;
    await t.http.post('/auth/link').send({ email }).expect(202);
    const [link] = await signInLinks(mails, email.toLowerCase(), before);
    const res = await t.http.post('/auth/link/redeem').set(headers).send({ token: tokenOf(link) }).expect(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0];
    return { cookie: cookie.split(';')[0], setCookie: cookie, csrf: res.body.csrfToken as string, body: res.body, link };
  }

  it('answers 202 for any address and mails a link only to a known one, in the asked language', async () => {
    await t.http.post('/auth/link').send({ email: 'nobody@nowhere.example' }).expect(202);
    const before = mails.length;
    await t.http.post('/auth/link').set('Accept-Language', 'es-ES,es;q=0.9').send({ email: 'org@rio.example' }).expect(202);
    const [link] = await signInLinks(mails, 'org@rio.example', before);
    expect(link.startsWith('https://console.host.example/#/signin/')).toBe(true);
    const mail = mails[mails.length - 1].body;
    expect(mail).toContain('Sitios de');
    expect(mails.some((m) => m.to.includes('nobody@nowhere.example'))).toBe(false);
  });

  it('refuses a malformed address with the field named', async () => {
    const res = await t.http.post('/auth/link').send({ email: 'not an address' }).expect(400);
    expect(JSON.stringify(res.body.details)).toContain('email');
  });

  it('a link signs in once, as the member, with an HttpOnly SameSite=Strict cookie (Secure behind HTTPS)', async () => {
    const { cookie, setCookie, csrf, body, link } = await signIn('org@rio.example', { 'X-Forwarded-Proto': 'https' });
    expect(body).toMatchObject({ role: 'member', memberId, email: 'org@rio.example' });
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Secure/i);
    await t.http.post('/auth/link/redeem').send({ token: tokenOf(link) }).expect(401);
    const me = await t.http.get('/auth/session').set('Cookie', cookie).expect(200);
    expect(me.body.csrfToken).toBe(csrf);
    await t.http.get('/api/sites').set('Cookie', cookie).expect(200);
    await t.http.get(`/api/sites/${otherSiteId}`).set('Cookie', cookie).expect(404);
    await t.http.get(`/api/sites/${otherSiteId}/history`).set('Cookie', cookie).expect(404);
    await t.http.get('/api/operations').set('Cookie', cookie).expect(403);
  });

  it('the cookie is Secure when PUBLIC_URL is https, even if the proxy does not say so', async () => {
    const { setCookie } = await signIn('org@rio.example');
    expect(setCookie).toMatch(/Secure/i);
  });

  it('limits link requests per source address', async () => {
    const limited = await startTestApp(testConfig({ SIGNIN_LINKS_PER_SOURCE_HOUR: '2', PUBLIC_URL: 'http://localhost:1' }));
    try {
      await limited.prisma.signInLink.deleteMany({ where: { email: 'org@rio.example' } });
      for (let i = 0; i < 3; i++) await limited.http.post('/auth/link').send({ email: 'org@rio.example' }).expect(202);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await limited.prisma.signInLink.count({ where: { email: 'org@rio.example' } })).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it('a change through the cookie needs the CSRF token; sign-out ends the session', async () => {
    const { cookie, csrf } = await signIn('org@rio.example');
    const site = (await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId, domains: ['csrf-console.example'] }).expect(201)).body.id;
    await t.http.put(`/api/sites/${site}/logging`).set('Cookie', cookie).send({ mode: 'off' }).expect(403);
    await t.http.put(`/api/sites/${site}/logging`).set('Cookie', cookie).set('X-CSRF-Token', 'x'.repeat(csrf.length)).send({ mode: 'off' }).expect(403);
    await t.http.put(`/api/sites/${site}/logging`).set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ mode: 'off' }).expect(202);
    await t.http.post('/auth/logout').set('Cookie', cookie).expect(403);
    await t.http.post('/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    await t.http.get('/api/sites').set('Cookie', cookie).expect(401);
    await t.http.get('/auth/session').set('Cookie', cookie).expect(401);
  });

  it('staff sign in by an address in STAFF_EMAILS', async () => {
    const { cookie, body } = await signIn('desk@host.example');
    expect(body.role).toBe('staff');
    await t.http.get('/api/members').set('Cookie', cookie).expect(200);
  });

  it('an expired link and an idle session are refused', async () => {
    const { cookie } = await signIn('org@rio.example');
    await t.prisma.consoleSession.updateMany({ where: {}, data: { lastSeenAt: new Date(Date.now() - 31 * 60_000) } });
    await t.http.get('/api/sites').set('Cookie', cookie).expect(401);
    await t.prisma.signInLink.deleteMany({ where: { email: 'desk@host.example' } });
    const before = mails.length;
    await t.http.post('/auth/link').send({ email: 'desk@host.example' }).expect(202);
    const [link] = await signInLinks(mails, 'desk@host.example', before);
    await t.prisma.signInLink.updateMany({ where: { usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await t.http.post('/auth/link/redeem').send({ token: tokenOf(link) }).expect(401);
  });

  it('stores links and sessions only as hashes', async () => {
    const { cookie, link } = await signIn('desk@host.example');
    const value = cookie.split('=')[1];
    const rows = JSON.stringify([await t.prisma.signInLink.findMany(), await t.prisma.consoleSession.findMany()]);
    expect(rows).not.toContain(value);
    expect(rows).not.toContain(tokenOf(link));
  });

  it('limits links per address: the fourth request within the hour mails nothing', async () => {
    await t.prisma.signInLink.deleteMany({ where: { email: 'other@elsewhere.example' } });
    for (let i = 0; i < 3; i++) await signInLinks(mails, 'other@elsewhere.example', await requestAndCount('other@elsewhere.example'));
    const before = mails.length;
    await t.http.post('/auth/link').send({ email: 'other@elsewhere.example' }).expect(202);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(mails.slice(before).filter((m) => m.to.includes('other@elsewhere.example'))).toHaveLength(0);
    expect(await t.prisma.signInLink.count({ where: { email: 'other@elsewhere.example' } })).toBe(3);
  });

  async function requestAndCount(email: string): Promise<number> {
    const before = mails.length;
    await t.http.post('/auth/link').send({ email }).expect(202);
    return before;
  }

  it('answers bad input to every sign-in route with a 4xx, never a 5xx', async () => {
    const bodies: unknown[] = [{}, { email: 42 }, { token: null }, { challengeId: 'x', response: 'y' }, { challengeId: '00000000-0000-0000-0000-000000000000', response: { id: { a: 1 }, rawId: [], type: 7 } }, { email: 'a@b.example'.repeat(100) }, 'plain'];
    const routes = ['/auth/link', '/auth/link/redeem', '/auth/passkeys/sign-in/options', '/auth/passkeys/sign-in', '/auth/passkeys/register', '/auth/passkeys/register/options', '/auth/logout'];
    for (const route of routes) {
      for (const body of bodies) {
        const res = await t.http.post(route).set('Cookie', 'hk_session=forged').send(body as object);
        expect({ route, body, status: res.status < 500 }).toEqual({ route, body, status: true });
      }
    }
    await t.http.delete('/auth/passkeys/nope').set('Cookie', 'hk_session=forged').expect(401);
    await t.http.get('/api/operations?before=yesterday').set(bearer(t.staffToken)).expect(400);
    await t.http.get(`/api/sites/${otherSiteId}/history?before=-1`).set(bearer(t.staffToken)).expect(400);
  });

  it('bearer tokens still work, without any CSRF token', async () => {
    await t.http.get('/api/members').set(bearer(t.staffToken)).expect(200);
    await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'Bearer', contactEmail: 'b@b.example' }).expect(201);
  });

  it('serves the console and its files under a strict CSP; names inherited from JavaScript objects are 404', async () => {
    const page = await t.http.get('/').expect(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script>(?!<)/);
    await t.http.get('/ui/app.js').expect(200).expect('content-type', /javascript/);
    await t.http.get('/ui/vendor/preact.mjs').expect(200);
    await t.http.get('/ui/i18n-es.json').expect(200);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'index.html']) {
      await t.http.get(`/ui/${name}`).expect(404);
      await t.http.get(`/ui/vendor/${name}`).expect(404);
    }
    await t.http.get('/ui/..%2Fpackage.json').expect(404);
  });
});
