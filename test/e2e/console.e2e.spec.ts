import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import * as openpgp from 'openpgp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { createApp } from '../../src/bootstrap.js';
import { TokenService } from '../../src/core/auth/token.service.js';
import { PrismaService } from '../../src/core/database/prisma.service.js';
import { freshDatabase } from '../../scripts/lib/bench-db.js';
import { freePort } from '../../scripts/lib/ports.js';
import { launchChromium, openContext, seriousViolations, visibleTexts } from '../support/browser.js';
import { signInLinks } from '../support/sign-in-mail.js';
import { Mail, startSmtpSink } from '../support/smtp-sink.js';
import { bearer, eventually } from '../support/test-app.js';
import { TEST_DATABASE_URL, testConfig } from '../support/test-env.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

const IDN = 'ñandú-solidaridad.example';
const CATALOG_DIR = join(process.cwd(), 'src', 'ui', 'static', 'i18n');
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;
/** A fresh install of its own: work other suites leave queued in the shared test database must not run ahead of this one's. */
const DATABASE_URL = TEST_DATABASE_URL.replace(/\/([^/]+)$/, '/$1_console_ui');

/**
 * The console in Debian's Chromium, against the real service (ROLE=all) on the
 * real web stack: pebble issues the certificate, nginx serves it, mail goes
 * through an SMTP sink. axe-core checks every page the tests open.
 */
describe('the console in Chromium (e2e)', () => {
  let stack: WebStack;
  let app: INestApplication;
  let prisma: PrismaService;
  let http: ReturnType<typeof request>;
  let staffToken: string;
  let smtp: SMTPServer;
  let browser: Browser;
  let base: string;
  const mails: Mail[] = [];
  const problems: string[] = [];
  const axeFindings: string[] = [];
  let memberA: string;
  let siteA: string;
  let campaignSite: string;
  let siteB: string;
  let member: BrowserContext;
  let page: Page;
  let memberPrivateKey: string;

  beforeAll(async () => {
    const sink = await startSmtpSink(mails);
    smtp = sink.server;
    const port = await freePort();
    base = `http://localhost:${port}`;
    await freshDatabase(DATABASE_URL);
    stack = await startWebStack({
      env: { DATABASE_URL, REDIS_PREFIX: `hk-console-ui-${process.pid}`, ROLE: 'all', CRONS_ENABLED: 'false', SMTP_URL: `smtp://127.0.0.1:${sink.port}`, PUBLIC_URL: base, STAFF_EMAILS: 'desk@host.example', STAFF_ALERT_EMAIL: 'alerts@host.example', LEGAL_EMAILS: 'counsel@host.example', PORT: String(port) },
    });
    app = await createApp(testConfig(stack.env), { logger: ['error'] });
    await app.listen(port, '127.0.0.1');
    prisma = app.get(PrismaService);
    http = request(app.getHttpServer());
    staffToken = (await app.get(TokenService).create('staff')).token;
    memberA = await createMember('Ñandú Solidaridad', 'org@nandu.example');
    const memberB = await createMember('Other Collective', 'other@other.example');
    siteA = await createSite(memberA, [IDN]);
    campaignSite = await createSite(memberA, ['parody-console.example'], { description: 'A parody of the official Acme Corp site with leaked internal memos', tags: ['parody', 'spoof', 'leak'] });
    siteB = await createSite(memberB, ['other-collective.example']);
    browser = await launchChromium();
    member = await openContext(browser, problems);
    page = await member.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await stack?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
    expect(axeFindings.splice(0)).toEqual([]);
  });

  async function createMember(name: string, contactEmail: string): Promise<string> {
    return (await http.post('/api/members').set(bearer(staffToken)).send({ name, contactEmail }).expect(201)).body.id;
  }

  async function createSite(memberId: string, domains: string[], campaign?: object): Promise<string> {
    const res = await http.post('/api/sites').set(bearer(staffToken)).send({ memberId, domains, ...(campaign ? { campaign } : {}) }).expect(201);
    await finished(res.body.operationId);
    return res.body.id;
  }

  async function finished(operationId: string) {
    return eventually(async () => {
      const res = await http.get(`/api/operations/${operationId}`).set(bearer(staffToken)).expect(200);
      expect(['succeeded', 'failed']).toContain(res.body.status);
      return res.body;
    }, 60_000, 200);
  }

  async function site(id: string) {
    return (await http.get(`/api/sites/${id}`).set(bearer(staffToken)).expect(200)).body;
  }

  /** axe on the page as it stands; serious and critical findings fail the test. */
  async function checkPage(p: Page, name: string): Promise<void> {
    for (const v of await seriousViolations(p)) axeFindings.push(`${name}: ${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    if (SCREENSHOTS) await p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** By keyboard: type the address, press Enter, open the link the sink caught. */
  async function signIn(p: Page, email: string): Promise<void> {
    await p.goto(`${base}/`);
    await p.locator('#signin-email').focus();
    await p.keyboard.type(email);
    const before = mails.length;
    await p.keyboard.press('Enter');
    const [link] = await signInLinks(mails, email, before);
    await p.goto(link);
    await p.locator('nav a[href="#/account"]').waitFor();
  }

  it('a member signs in from the mailed link and sees its sites, the IDN in Unicode', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await checkPage(page, 'sign-in');
    await signIn(page, 'org@nandu.example');
    await page.getByRole('heading', { name: 'My sites', exact: true }).waitFor();
    await page.getByRole('link', { name: IDN, exact: true }).waitFor();
    await expect(page.getByText('other-collective.example').count()).resolves.toBe(0);
    await checkPage(page, 'sites');
  });

  it('enables HTTPS with one click and sees it active with its expiry, live', async () => {
    await page.getByRole('link', { name: IDN, exact: true }).click();
    await page.getByRole('heading', { name: IDN, level: 1, exact: true }).waitFor();
    await checkPage(page, 'site');
    const enable = page.getByRole('button', { name: `Enable HTTPS for ${IDN}` });
    await enable.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('https-status').getByText(/^Active until /).waitFor({ timeout: 90_000 });
    const { posture } = await site(siteA);
    expect(posture.https.status).toBe('active');
    await expect(page.getByText(/^The certificate expires on /).count()).resolves.toBe(1);
    const served = await stack.curl(new URL(`http://${IDN}`).hostname, { https: true });
    expect(served.status).toBeLessThan(500);
    await checkPage(page, 'site-https-active');
  });

  it("a CA error reads as a sentence with the next step, the CA's own words one click away", async () => {
    await stack.pebble.setARecord('parody-console.example', ['127.0.0.2']);
    await page.goto(`${base}/#/sites/${campaignSite}`);
    await page.getByRole('button', { name: 'Enable HTTPS for parody-console.example', exact: true }).click();
    await page.getByText('HTTPS for parody-console.example: failed').waitFor({ timeout: 90_000 });
    const problem = page.getByRole('alert').filter({ hasText: 'The certificate authority could not reach the site.' }).first();
    await problem.waitFor();
    await expect(problem.locator('pre').isVisible()).resolves.toBe(false);
    await problem.getByText('Show the technical detail', { exact: true }).click();
    await expect(problem.locator('pre').textContent()).resolves.toMatch(/could not reach parody-console\.example/);
    await checkPage(page, 'site-https-failed');
  });

  it('switches visitor logs off and sees the proof of deletion', async () => {
    await page.goto(`${base}/#/sites/${siteA}`);
    const full = await http.put(`/api/sites/${siteA}/logging`).set(bearer(staffToken)).send({ mode: 'full', retentionDays: 7 }).expect(202);
    await finished(full.body.operationId);
    await stack.curl(new URL(`http://${IDN}`).hostname);
    await page.reload();
    await page.getByRole('radio', { name: 'Full', exact: true }).waitFor();
    await page.getByRole('radio', { name: 'Off', exact: true }).check();
    await page.getByRole('button', { name: `Save visitor logs for ${IDN}` }).click();
    await page.getByText(`Visitor logs of ${IDN}: done`).waitFor({ timeout: 60_000 });
    await page.getByTestId('attestations').getByText(/files deleted/).waitFor();
    await page.getByTestId('data-held').getByText(/^Nothing:/).waitFor();
    expect((await site(siteA)).posture.logging.mode).toBe('off');
  });

  it('bad input gets a message next to the field and nothing is saved', async () => {
    await page.getByRole('radio', { name: 'Full', exact: true }).check();
    await page.locator('#logging-days').fill('500');
    await page.getByRole('button', { name: `Save visitor logs for ${IDN}` }).click();
    await expect(page.locator('#logging-days-error').textContent()).resolves.toContain('from 1 to 90');
    await expect(page.locator('#logging-days').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByRole('checkbox', { name: `Back up ${IDN}` }).check();
    await page.getByRole('radio', { name: 'You (privacy)', exact: true }).check();
    await page.locator('#backups-key').fill('-----BEGIN PGP PRIVATE KEY BLOCK-----\nnot a key\n-----END PGP PRIVATE KEY BLOCK-----');
    await page.getByRole('button', { name: `Save backups for ${IDN}` }).click();
    await page.locator('#backups-key-error').waitFor();
    await checkPage(page, 'site-bad-input');
    const { posture } = await site(siteA);
    expect(posture.logging.mode).toBe('off');
    expect(posture.backups.enabled).toBe(false);
    expect(await prisma.backupPolicy.count({ where: { siteId: siteA } })).toBe(0);
  });

  it('uploads a public key, sees its fingerprint back, backs up and sees the backup listed', async () => {
    const { publicKey, privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Ñandú', email: 'org@nandu.example' }], format: 'armored' });
    memberPrivateKey = privateKey;
    const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
    await page.locator('#backups-key').fill(publicKey);
    await page.getByRole('button', { name: `Save backups for ${IDN}` }).click();
    const saved = await page.getByText(/^Saved\. Backups are encrypted to the key with fingerprint /).textContent();
    expect(saved?.toUpperCase().replace(/\s/g, '')).toContain(fingerprint);
    await page.getByRole('button', { name: `Back up ${IDN} now` }).click();
    await page.getByText(`Backup of ${IDN}: done`).waitFor({ timeout: 90_000 });
    await page.getByTestId('backups').getByText('Succeeded').waitFor();
    await expect(page.getByRole('link', { name: `Download the latest backup of ${IDN}` }).count()).resolves.toBe(1);
    await checkPage(page, 'site-backups');
  }, 150_000);

  it('sees the legal review its campaign asked for, and the site history', async () => {
    await page.goto(`${base}/#/sites/${campaignSite}`);
    await page.getByTestId('legal-status').getByText('1 open case(s)').waitFor();
    await page.goto(`${base}/#/sites/${siteA}`);
    await page.getByRole('heading', { name: 'History', exact: true }).waitFor();
    await page.getByText(/Certificate issued and installed/).waitFor();
    await page.getByText(/Backup settings changed/).first().waitFor();
  });

  it('asks for a restore of a backup, confirming first, and sees the request wait for staff', async () => {
    const CAMPAIGN = 'parody-console.example';
    await page.goto(`${base}/#/sites/${campaignSite}`);
    const backups = page.locator('section[aria-labelledby="backups-title"]');
    await page.locator('#backups-enabled').check();
    await page.getByRole('button', { name: `Save backups for ${CAMPAIGN}` }).click();
    await backups.getByText('Saved.', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Back up ${CAMPAIGN} now` }).click();
    await page.getByText(`Backup of ${CAMPAIGN}: done`).waitFor({ timeout: 90_000 });
    await page.getByTestId('backups').getByText('Succeeded').waitFor();
    const before = mails.length;
    await page.getByRole('button', { name: new RegExp(`^Ask for a restore of ${CAMPAIGN.replace('.', '\\.')} from .+ UTC$`) }).click();
    const form = page.getByTestId('restore-ask');
    await form.getByText(/staff are told at once/).waitFor();
    await checkPage(page, 'site-restore-ask');
    expect(await prisma.restoreRequest.count({ where: { siteId: campaignSite } })).toBe(0);
    await page.locator('#ask-note').fill('Defaced overnight');
    await form.getByRole('button', { name: new RegExp(`^Yes, restore ${CAMPAIGN.replace('.', '\\.')} from .+ UTC$`) }).click();
    await page.getByText('Request sent. Staff have been told; its progress shows below.', { exact: true }).waitFor();
    await page.getByTestId('restore-requests').getByText(/: waiting for staff$/).waitFor();
    await page.getByTestId('restore-open').waitFor();
    await expect(page.getByRole('button', { name: /^Ask for a restore of / }).count()).resolves.toBe(0);
    await checkPage(page, 'site-restore-requested');
    expect(await prisma.restoreRequest.findFirstOrThrow({ where: { siteId: campaignSite } })).toMatchObject({ status: 'requested', note: 'Defaced overnight', custody: 'provider' });
    await eventually(async () => expect(mails.slice(before).some((m) => m.to.includes('alerts@host.example') && m.body.includes(CAMPAIGN))).toBe(true));
    await page.reload();
    await page.getByRole('heading', { name: 'History', exact: true }).waitFor();
    await page.getByText(/ — Restore asked for$/).first().waitFor();
  }, 150_000);

  it("typing another member's site address shows \"not found\"", async () => {
    await page.goto(`${base}/#/sites/${siteB}`);
    await page.getByRole('heading', { name: 'Not found', exact: true }).waitFor();
    await expect(page.getByText('other-collective.example').count()).resolves.toBe(0);
    await checkPage(page, 'not-found');
  });

  it('adds a passkey and signs in with it (Chromium virtual authenticator)', async () => {
    const cdp = await member.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await page.goto(`${base}/#/account`);
    await page.getByRole('heading', { name: 'My account', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
    await page.getByText('Passkey added. Next time, sign in with it.').waitFor();
    await page.getByTestId('passkeys').locator('li').first().waitFor();
    await checkPage(page, 'account');
    expect(await prisma.passkeyCredential.count({ where: { memberId: memberA } })).toBe(1);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    const before = mails.length;
    await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
    await page.getByRole('heading', { name: 'My sites', exact: true }).waitFor();
    expect(mails.length).toBe(before);
    const session = await page.evaluate(() => fetch('/auth/session').then((r) => r.json()));
    expect(session).toMatchObject({ role: 'member', memberId: memberA });
    await page.goto(`${base}/#/account`);
    await page.getByRole('button', { name: /^Remove the passkey added / }).click();
    await page.getByText('Passkey removed: it can no longer sign you in.').waitFor();
    expect(await prisma.passkeyCredential.count({ where: { memberId: memberA } })).toBe(0);
  });

  it('a member with 1,000 sites gets them 50 at a time, and pages through them', async () => {
    const many = await createMember('Mil Sitios', 'mil@sitios.example');
    await prisma.$executeRaw`
      WITH made AS (
        INSERT INTO sites (id, member_id, primary_domain, domains, document_root, updated_at)
        SELECT gen_random_uuid(), ${many}::uuid, 'sitio' || i || '.mil.example', ARRAY['sitio' || i || '.mil.example'], '/srv/sitio' || i, now()
        FROM generate_series(1, 1000) AS i
        RETURNING id, primary_domain
      ), domains AS (INSERT INTO site_domains (domain, site_id) SELECT primary_domain, id FROM made)
      INSERT INTO https_states (site_id, updated_at) SELECT id, now() FROM made`;
    const context = await openContext(browser, problems);
    const p = await context.newPage();
    const pageSizes: string[] = [];
    p.on('request', (r) => {
      if (r.url().includes('/api/sites?')) pageSizes.push(new URL(r.url()).searchParams.get('limit') ?? '');
    });
    await signIn(p, 'mil@sitios.example');
    await p.getByText('Sites, page 1', { exact: true }).waitFor();
    await expect(p.locator('tbody tr').count()).resolves.toBe(50);
    const first = await p.locator('tbody th').first().textContent();
    await p.getByRole('button', { name: 'Next page', exact: true }).click();
    await p.getByText('Sites, page 2', { exact: true }).waitFor();
    await expect(p.locator('tbody tr').count()).resolves.toBe(50);
    expect(await p.locator('tbody th').first().textContent()).not.toBe(first);
    await p.getByRole('button', { name: 'Previous page', exact: true }).click();
    await p.getByText('Sites, page 1', { exact: true }).waitFor();
    expect(await p.locator('tbody th').first().textContent()).toBe(first);
    expect(new Set(pageSizes)).toEqual(new Set(['50']));
    await checkPage(p, 'sites-1000');
    await context.close();
  });

  it('a session that ended on the server takes the person back to the sign-in page', async () => {
    const context = await openContext(browser, problems);
    const p = await context.newPage();
    await signIn(p, 'org@nandu.example');
    await p.getByRole('heading', { name: 'My sites', exact: true }).waitFor();
    const session = await prisma.consoleSession.findFirstOrThrow({ where: { email: 'org@nandu.example' }, orderBy: { createdAt: 'desc' } });
    await prisma.consoleSession.update({ where: { id: session.id }, data: { lastSeenAt: new Date(Date.now() - 31 * 60_000) } });
    await p.getByRole('link', { name: IDN, exact: true }).click();
    await p.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await context.close();
  });

  it('works at 390 px wide without sideways scrolling', async () => {
    const narrow = await openContext(browser, problems, { width: 390 });
    const p = await narrow.newPage();
    await signIn(p, 'org@nandu.example');
    for (const path of ['#/sites', `#/sites/${siteA}`, '#/account']) {
      await p.goto(`${base}/${path}`);
      await p.locator('main h1').waitFor();
      await p.getByRole('heading', { name: 'History', exact: true }).or(p.locator('main h1')).first().waitFor();
      const overflow = await p.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
    }
    await narrow.close();
  });

  it('staff see the legal case, members, operations, tokens and hosts', async () => {
    const staff = await openContext(browser, problems);
    const p = await staff.newPage();
    await signIn(p, 'desk@host.example');
    await p.getByRole('heading', { name: 'All sites', exact: true }).waitFor();
    await checkPage(p, 'staff-sites');
    await p.getByRole('link', { name: 'Legal queue', exact: true }).click();
    await p.getByTestId('legal-queue').getByRole('link', { name: 'parody-console.example', exact: true }).waitFor();
    await checkPage(p, 'staff-legal');
    await p.goto(`${base}/#/sites/${siteA}`);
    await p.getByRole('button', { name: new RegExp(`^Restore the backup of .+ to ${IDN}$`) }).click();
    await p.locator('#restore-key').fill(memberPrivateKey);
    await p.getByRole('button', { name: /^Restore the backup of .+ now$/ }).click();
    await p.getByText(`Restore of ${IDN}: done`).waitFor({ timeout: 90_000 });
    await checkPage(p, 'staff-site-restored');
    expect(await prisma.operation.count({ where: { kind: 'backups.restore', siteId: siteA, status: 'succeeded' } })).toBe(1);
    await p.getByRole('link', { name: 'Operations', exact: true }).click();
    const waiting = p.getByTestId('restore-requests-waiting');
    await waiting.getByRole('rowheader', { name: 'parody-console.example', exact: true }).waitFor();
    await waiting.getByText('Defaced overnight', { exact: true }).waitFor();
    await checkPage(p, 'staff-restore-requests');
    await p.getByRole('button', { name: /^Restore parody-console\.example from .+ now$/ }).click();
    await p.getByText('Restore of parody-console.example: done').waitFor({ timeout: 90_000 });
    await p.getByText('No restore request is waiting.', { exact: true }).waitFor();
    const fulfilled = await prisma.restoreRequest.findFirstOrThrow({ where: { siteId: campaignSite } });
    expect(fulfilled.status).toBe('started');
    expect(await prisma.operation.findUniqueOrThrow({ where: { id: fulfilled.operationId! } })).toMatchObject({ kind: 'backups.restore', siteId: campaignSite, status: 'succeeded' });
    await page.goto(`${base}/#/sites`);
    await page.goto(`${base}/#/sites/${campaignSite}`);
    await page.getByTestId('restore-requests').getByText(/: restored$/).waitFor();
    await expect(page.getByRole('button', { name: /^Ask for a restore of parody-console\.example from / }).count()).resolves.toBe(1);
    for (const [link, name] of [['Members', 'staff-members'], ['Operations', 'staff-operations'], ['API tokens', 'staff-tokens'], ['Web hosts', 'staff-hosts']]) {
      await p.getByRole('link', { name: link, exact: true }).click();
      await p.getByRole('heading', { name: link, level: 1, exact: true }).waitFor();
      await p.locator('main p, main table').first().waitFor();
      await checkPage(p, name);
    }
    // this install's own web host (its agent runs in the app) is listed, online and up to date
    await p.getByRole('link', { name: 'Web hosts', exact: true }).click();
    const ownHost = p.getByTestId('host-row').filter({ hasText: stack.env.HOST_NAME });
    await ownHost.getByText('online', { exact: true }).waitFor();
    await ownHost.getByText('up to date', { exact: true }).waitFor();
    await p.getByRole('link', { name: 'API tokens', exact: true }).click();
    await p.locator('#token-member').selectOption({ label: 'Ñandú Solidaridad' });
    const tokenRows = await prisma.apiToken.count();
    await p.locator('#token-days').fill('0');
    await p.getByRole('button', { name: 'Create the token', exact: true }).click();
    await expect(p.locator('#token-days-error').textContent()).resolves.toBe('A whole number of days, from 1 to 3650.');
    await expect(p.getByTestId('new-token').count()).resolves.toBe(0);
    expect(await prisma.apiToken.count()).toBe(tokenRows);
    await p.locator('#token-days').fill('30');
    await p.getByRole('button', { name: 'Create the token', exact: true }).click();
    const token = (await p.getByTestId('new-token').textContent()) ?? '';
    const made = await prisma.apiToken.findFirstOrThrow({ where: { memberId: memberA } });
    expect(Math.round((made.expiresAt!.getTime() - made.createdAt.getTime()) / 86_400_000)).toBe(30);
    const seenWithToken = await http.get('/api/sites?limit=500').set(bearer(token)).expect(200);
    expect(seenWithToken.body.items.map((s: { id: string }) => s.id).sort()).toEqual([siteA, campaignSite].sort());
    const tokens = p.getByTestId('tokens');
    const expiresOn = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(made.expiresAt!);
    await expect(tokens.getByRole('row').filter({ hasText: 'Ñandú Solidaridad' }).getByRole('cell').nth(3).textContent()).resolves.toMatch(new RegExp(`^${expiresOn}, .+ UTC$`));
    await tokens.getByRole('rowheader', { name: 'Staff', exact: true }).first().waitFor();
    const listed = (await tokens.textContent()) ?? '';
    expect([token, staffToken].filter((secret) => listed.includes(secret))).toEqual([]);
    await checkPage(p, 'staff-token-created');
    await p.getByRole('button', { name: /^Revoke the token of Ñandú Solidaridad, created / }).click();
    await p.getByText('Token of Ñandú Solidaridad revoked: it is refused from now on.', { exact: true }).waitFor();
    // the list is read again after the message shows: wait for the row to go rather than counting at once
    await tokens.getByRole('rowheader', { name: 'Ñandú Solidaridad', exact: true }).waitFor({ state: 'detached' });
    await expect(p.getByTestId('new-token').count()).resolves.toBe(0);
    expect(await p.content()).not.toContain(staffToken);
    await http.get('/api/sites').set(bearer(token)).expect(401);
    await http.get('/api/sites').set(bearer(staffToken)).expect(200);
    await p.getByRole('link', { name: 'Members', exact: true }).click();
    const members = await prisma.member.count();
    await p.getByRole('button', { name: 'Create member', exact: true }).click();
    await p.locator('#member-email-error').waitFor();
    await p.locator('#member-name-error').waitFor();
    expect(await prisma.member.count()).toBe(members);
    await staff.close();
  }, 150_000);

  it('a member-custody backup: the member restores it by sending its own key with the request (a missing key is named next to the field)', async () => {
    await page.goto(`${base}/#/sites`);
    await page.goto(`${base}/#/sites/${siteA}`);
    await page.getByRole('button', { name: new RegExp(`^Ask for a restore of ${IDN} from .+ UTC$`) }).first().click();
    const form = page.getByTestId('restore-ask');
    await form.getByText(/^Only your private key can open this backup/).waitFor();
    const confirm = form.getByRole('button', { name: new RegExp(`^Yes, restore ${IDN} from .+ UTC$`) });
    await confirm.click();
    await page.locator('#ask-key-error').waitFor();
    expect(await prisma.restoreRequest.count({ where: { siteId: siteA } })).toBe(0);
    await checkPage(page, 'site-restore-ask-key');
    await page.locator('#ask-key').fill(memberPrivateKey);
    await confirm.click();
    await page.getByText(`Restore of ${IDN}: done`).waitFor({ timeout: 90_000 });
    await page.getByTestId('restore-requests').getByText(/: restored$/).waitFor();
    const request = await prisma.restoreRequest.findFirstOrThrow({ where: { siteId: siteA } });
    expect(request).toMatchObject({ status: 'started', custody: 'member' });
    expect(JSON.stringify(request)).not.toContain('PRIVATE KEY');
    expect(await page.locator('#ask-key').count()).toBe(0);
  }, 120_000);

  it('a legal reviewer moves the case along from the legal queue', async () => {
    const context = await openContext(browser, problems);
    const p = await context.newPage();
    await signIn(p, 'counsel@host.example');
    await expect(p.locator('nav a').allTextContents()).resolves.toEqual(['Sites', 'Legal queue', 'My account']);
    await p.getByRole('link', { name: 'Legal queue', exact: true }).click();
    await p.getByRole('combobox', { name: 'Status of the case of parody-console.example', exact: true }).selectOption('in_review');
    await eventually(async () => {
      const cases = await prisma.legalCase.findMany({ where: { siteId: campaignSite } });
      expect(cases.map((c) => c.status)).toEqual(['in_review']);
    });
    await checkPage(p, 'legal-queue');
    await context.close();
  });

  it('a member checks in before launch, the legal desk answers, and the member reads the advice but never the notes', async () => {
    const advice = 'Go ahead: name the sources of the river photos and keep the originals.';
    const notes = 'Counsel only: the water company sued a blogger in 2025.';
    await page.goto(`${base}/#/sites/${siteA}`);
    const send = page.getByRole('button', { name: `Ask for legal review of ${IDN}`, exact: true });
    await send.click();
    await expect(page.locator('#legal-description-error').textContent()).resolves.toBe('Describe the campaign in a few sentences.');
    await expect(page.locator('#legal-description').getAttribute('aria-invalid')).resolves.toBe('true');
    await checkPage(page, 'site-legal-bad-input');
    expect(await prisma.legalCase.count({ where: { siteId: siteA } })).toBe(0);
    await page.locator('#legal-description').fill('A report on the water company: photos of the polluted river and the permits it was given.');
    await page.locator('#legal-launch').fill('2027-01-15');
    await send.click();
    await page.getByText("Sent. The legal desk will look at it; the case's status shows here.", { exact: true }).waitFor();
    const checkin = page.getByTestId('legal-checkins').locator('li');
    await checkin.getByText(/^Check-in of .+: waiting for review$/).waitFor();
    await checkin.getByText('Launch on January 15, 2027', { exact: true }).waitFor();
    await expect(page.locator('#legal-description-error').count()).resolves.toBe(0);
    const cases = await prisma.legalCase.findMany({ where: { siteId: siteA } });
    expect(cases).toEqual([expect.objectContaining({ kind: 'checkin', status: 'open', launchDate: new Date('2027-01-15T00:00:00Z'), advice: null })]);
    await checkPage(page, 'site-legal-checkin');

    const context = await openContext(browser, problems);
    const p = await context.newPage();
    await signIn(p, 'counsel@host.example');
    await p.getByRole('link', { name: 'Legal queue', exact: true }).click();
    await p.getByTestId('legal-queue').getByRole('row').filter({ hasText: 'Check-in before launch' }).getByRole('link', { name: IDN, exact: true }).waitFor();
    await p.getByRole('textbox', { name: `Advice for ${IDN} (the member reads it)`, exact: true }).fill(advice);
    await p.getByRole('textbox', { name: `Internal notes on ${IDN} (never shown to the member)`, exact: true }).fill(notes);
    const before = mails.length;
    await p.getByRole('button', { name: `Save the answer on ${IDN}`, exact: true }).click();
    await p.getByText(`Saved the case of ${IDN}.`, { exact: true }).waitFor();
    await p.getByRole('combobox', { name: `Status of the case of ${IDN}`, exact: true }).selectOption('in_review');
    await eventually(async () => expect(await prisma.legalCase.findUniqueOrThrow({ where: { id: cases[0].id } })).toMatchObject({ status: 'in_review', advice, notes }));
    await expect(p.getByRole('textbox', { name: `Advice for ${IDN} (the member reads it)`, exact: true }).inputValue()).resolves.toBe(advice);
    await checkPage(p, 'legal-queue-answered');
    await p.goto(`${base}/#/sites/${siteA}`);
    await p.getByTestId('legal-checkins').getByText(advice).waitFor();
    await expect(p.getByRole('button', { name: `Ask for legal review of ${IDN}`, exact: true }).count()).resolves.toBe(0);
    await context.close();
    const told = await eventually(async () => {
      const mail = mails.slice(before).find((m) => m.to.includes('org@nandu.example') && m.body.includes('Go ahead: name'));
      expect(mail).toBeDefined();
      return mail?.body.replace(/=\r?\n/g, '') ?? '';
    });
    expect(told).not.toContain('sued a blogger');

    await page.reload();
    await checkin.getByText(/^Check-in of .+: in review$/).waitFor();
    await checkin.getByText(advice).waitFor();
    await checkin.getByText('Advice from the legal desk:', { exact: true }).waitFor();
    expect(await page.content()).not.toContain('sued a blogger');
    const seenByMember = await page.evaluate((id) => fetch(`/api/sites/${id}/legal-checkins`).then((r) => r.json()), siteA);
    expect(seenByMember).toEqual([expect.objectContaining({ caseId: cases[0].id, status: 'in_review', advice })]);
    expect(JSON.stringify(seenByMember)).not.toContain('sued a blogger');
    await checkPage(page, 'site-legal-advice');
  });

  it('the Spanish console shows no English string', async () => {
    const en = JSON.parse(readFileSync(join(CATALOG_DIR, 'en.json'), 'utf8')) as Record<string, string>;
    const es = JSON.parse(readFileSync(join(CATALOG_DIR, 'es.json'), 'utf8')) as Record<string, string>;
    const english = Object.keys(en).filter((key) => en[key] !== es[key]).map((key) => ({ key, pattern: templatePattern(en[key]) }));
    expect(['My sites', 'Active until 2 Mar 2027, 10:00 UTC', 'Back up ñandú.example now'].every((text) => english.some(({ pattern }) => pattern.test(text)))).toBe(true);
    const spanish = await openContext(browser, problems, { locale: 'es-ES' });
    const p = await spanish.newPage();
    await p.goto(`${base}/`);
    await p.getByRole('heading', { name: 'Iniciar sesión', exact: true }).waitFor();
    const seen: string[] = await visibleTexts(p);
    await signIn(p, 'org@nandu.example');
    for (const path of ['#/sites', `#/sites/${siteA}`, `#/sites/${campaignSite}`, '#/account', `#/sites/${siteB}`]) {
      await p.goto(`${base}/${path}`);
      await p.locator('main h1').waitFor();
      await eventually(async () => expect(await p.getByText('Cargando…', { exact: true }).count()).toBe(0));
      await p.waitForLoadState('networkidle');
      seen.push(...(await visibleTexts(p)));
      await checkPage(p, `es-${path.replace(/[#/]+/g, '-').replace(/-[0-9a-f-]{36}$/, '')}`);
    }
    await p.getByRole('button', { name: 'Cerrar sesión', exact: true }).click();
    await p.getByRole('heading', { name: 'Iniciar sesión', exact: true }).waitFor();
    await signIn(p, 'desk@host.example');
    for (const path of ['#/sites', '#/members', '#/operations', '#/tokens', '#/legal', '#/hosts']) {
      await p.goto(`${base}/${path}`);
      await p.locator('main h1').waitFor();
      await eventually(async () => expect(await p.getByText('Cargando…', { exact: true }).count()).toBe(0));
      await p.waitForLoadState('networkidle');
      seen.push(...(await visibleTexts(p)));
      await checkPage(p, `es-staff-${path.slice(2)}`);
    }
    const leaks = [...new Set(seen)].filter((text) => english.some(({ pattern }) => pattern.test(text)));
    expect(leaks).toEqual([]);
    expect(seen).toEqual(expect.arrayContaining(['Registros de visitas', 'Copias de seguridad', 'No encontrado']));
    await spanish.close();
  });
});

function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\w+\\\}/g, '.+');
  return new RegExp(`^${escaped}$`);
}
