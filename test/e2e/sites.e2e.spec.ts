import { bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('members and sites (e2e, real Postgres and Redis)', () => {
  let t: TestApp;
  let memberA: string;
  let memberB: string;

  beforeAll(async () => {
    t = await startTestApp();
    const staff = bearer(t.staffToken);
    memberA = (await t.http.post('/api/members').set(staff).send({ name: 'A', contactEmail: 'a@example.org' }).expect(201)).body.id;
    memberB = (await t.http.post('/api/members').set(staff).send({ name: 'B', contactEmail: 'b@example.org' }).expect(201)).body.id;
  });
  afterAll(() => t.close());

  const siteCount = () => t.prisma.site.count();

  it('a staff token creates a member and a site with its posture', async () => {
    const res = await t.http
      .post('/api/sites')
      .set(bearer(t.staffToken))
      .send({ memberId: memberA, domains: ['Climate-Action.example', 'www.climate-action.example'], campaign: { description: 'parody of an oil company', tags: ['parody'] } })
      .expect(201);
    expect(res.body.domains).toEqual(['climate-action.example', 'www.climate-action.example']);
    expect(res.body.documentRoot).toMatch(/climate-action\.example\/public$/);
    expect(res.body.posture.https).toMatchObject({ status: 'none' });
    expect(res.body.posture.logging).toMatchObject({ mode: 'off' });
    const audit = await t.http.get('/api/audit').set(bearer(t.staffToken)).expect(200);
    expect(audit.body.some((e: { action: string; targetId: string }) => e.action === 'site.create' && e.targetId === res.body.id)).toBe(true);
  });

  it('converts an international name to punycode', async () => {
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: memberA, domains: ['bücher.example'] }).expect(201);
    expect(res.body.domains).toEqual(['xn--bcher-kva.example']);
  });

  it.each([
    ['a space', { domains: ['bad domain.example'] }, 'domains'],
    ['a semicolon', { domains: ['bad.example;'] }, 'domains'],
    ['a slash', { domains: ['bad.example/x'] }, 'domains'],
    ['a brace', { domains: ['bad.example}'] }, 'domains'],
    ['300 characters', { domains: [`${'a'.repeat(296)}.org`] }, 'domains'],
    ['a wildcard', { domains: ['*.bad.example'] }, 'domains'],
    ['an unknown field', { domains: ['fine.example'], shell: 'rm -rf /' }, 'shell'],
    ['a wrong type', { domains: 'fine.example' }, 'domains'],
    ['a number as domain', { domains: [42] }, 'domains'],
    ['a duplicate', { domains: ['dup.example', 'DUP.example'] }, 'domains'],
    ['a bad member id', { memberId: 'nope', domains: ['fine.example'] }, 'memberId'],
  ])('rejects %s with 400 and creates nothing', async (_label, body, field) => {
    const before = await siteCount();
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: memberA, ...body }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(JSON.stringify(res.body.details)).toContain(field);
    expect(await siteCount()).toBe(before);
  });

  it('rejects invalid JSON with 400', async () => {
    const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).set('Content-Type', 'application/json').send('{"domains": [').expect(400);
    expect(res.body.statusCode).toBe(400);
  });

  it('refuses a domain that another site already serves with 409', async () => {
    await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: memberA, domains: ['taken.example'] }).expect(201);
    const before = await siteCount();
    await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: memberB, domains: ['other.example', 'taken.example'] }).expect(409);
    expect(await siteCount()).toBe(before);
  });

  it('answers 401 without a token and 403 for a role that may not', async () => {
    await t.http.get('/api/sites').expect(401);
    await t.http.get('/api/sites').set(bearer('hk_not-a-token')).expect(401);
    const member = await t.token('member', memberA);
    const res = await t.http.post('/api/sites').set(bearer(member)).send({ memberId: memberA, domains: ['mine.example'] }).expect(403);
    expect(res.body.error).toBe('Forbidden');
  });

  describe('member isolation', () => {
    let siteOfA: string;
    let siteOfB: string;
    let tokenA: string;

    beforeAll(async () => {
      siteOfA = (await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: memberA, domains: ['a-own.example'] })).body.id;
      siteOfB = (await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: memberB, domains: ['b-own.example'] })).body.id;
      tokenA = await t.token('member', memberA);
    });

    it('sees its own site', async () => {
      await t.http.get(`/api/sites/${siteOfA}`).set(bearer(tokenA)).expect(200);
    });

    it("gets 404 for another member's site, as if it did not exist", async () => {
      const res = await t.http.get(`/api/sites/${siteOfB}`).set(bearer(tokenA)).expect(404);
      expect(res.body.message).toBe('site not found');
    });

    it("never lists another member's sites", async () => {
      const res = await t.http.get('/api/sites?limit=500').set(bearer(tokenA)).expect(200);
      const ids = res.body.items.map((s: { id: string }) => s.id);
      expect(ids).toContain(siteOfA);
      expect(ids).not.toContain(siteOfB);
      expect(res.body.items.every((s: { memberId: string }) => s.memberId === memberA)).toBe(true);
    });

    it('cannot read members, tokens or the audit trail', async () => {
      await t.http.get('/api/members').set(bearer(tokenA)).expect(403);
      await t.http.post('/api/tokens').set(bearer(tokenA)).send({ role: 'staff' }).expect(403);
      await t.http.get('/api/audit').set(bearer(tokenA)).expect(403);
    });
  });

  it('pages through sites with a cursor', async () => {
    const first = await t.http.get('/api/sites?limit=2').set(bearer(t.staffToken)).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await t.http.get(`/api/sites?limit=2&cursor=${first.body.nextCursor}`).set(bearer(t.staffToken)).expect(200);
    expect(second.body.items[0].id > first.body.items[1].id).toBe(true);
  });

  it.each([
    ['/api/sites', 500],
    ['/api/legal/cases', 500],
    ['/api/audit', 1000],
  ])('%s takes a limit from 1 to %i and refuses anything else with 400', async (path, max) => {
    for (const ok of ['1', String(max)]) await t.http.get(`${path}?limit=${ok}`).set(bearer(t.staffToken)).expect(200);
    for (const bad of ['0', String(max + 1), '2.5', 'ten']) await t.http.get(`${path}?limit=${bad}`).set(bearer(t.staffToken)).expect(400);
  });

  it('issues tokens through the API, shown once and stored only hashed', async () => {
    const res = await t.http.post('/api/tokens').set(bearer(t.staffToken)).send({ role: 'member', memberId: memberB }).expect(201);
    expect(res.body.token).toMatch(/^hk_/);
    const rows = await t.prisma.apiToken.findMany();
    expect(rows.some((r) => r.tokenHash.includes(res.body.token) || r.tokenHash === res.body.token)).toBe(false);
    const audit = await t.prisma.auditEvent.findMany({ where: { action: 'token.create' } });
    expect(JSON.stringify(audit.map((e) => e.changes))).not.toContain(res.body.token);
    await t.http.get('/api/sites').set(bearer(res.body.token)).expect(200);
    await t.http.post('/api/tokens').set(bearer(t.staffToken)).send({ role: 'member' }).expect(400);
  });
});
