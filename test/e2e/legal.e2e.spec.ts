import { bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('legal review (e2e)', () => {
  let t: TestApp;
  let legal: string;
  let member: string;
  let memberId: string;
  let riskySite: string;

  beforeAll(async () => {
    t = await startTestApp();
    legal = await t.token('legal');
    memberId = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: 'Yes Lab', contactEmail: 'lab@example.org' })).body.id;
    member = await t.token('member', memberId);
    riskySite = (
      await t.http
        .post('/api/sites')
        .set(bearer(t.staffToken))
        .send({ memberId, domains: ['acme-official.example'], campaign: { description: 'A spoof press release of Acme Corp', tags: ['spoof', 'parody'] } })
        .expect(201)
    ).body.id;
    await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId, domains: ['bakesale.example'], campaign: { description: 'bake sale', tags: ['community'] } }).expect(201);
  });
  afterAll(() => t.close());

  it('flags a spoof campaign for the lawyers, and only that one', async () => {
    const res = await t.http.get('/api/legal/cases').set(bearer(legal)).expect(200);
    const ours = res.body.filter((c: { site: { memberId: string } }) => c.site.memberId === memberId);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ siteId: riskySite, status: 'open' });
    expect(ours[0].reasons.join(' ')).toMatch(/spoof/);
    const site = await t.http.get(`/api/sites/${riskySite}`).set(bearer(member)).expect(200);
    expect(site.body.posture.legal.openCases).toBe(1);
  });

  it('keeps case notes away from members', async () => {
    await t.http.get('/api/legal/cases').set(bearer(member)).expect(403);
    const legalCase = (await t.http.get('/api/legal/cases').set(bearer(legal))).body.find((c: { siteId: string }) => c.siteId === riskySite);
    await t.http.patch(`/api/legal/cases/${legalCase.id}`).set(bearer(member)).send({ notes: 'x' }).expect(403);
    const res = await t.http.patch(`/api/legal/cases/${legalCase.id}`).set(bearer(legal)).send({ status: 'in_review', notes: 'parody defence looks strong' }).expect(200);
    expect(res.body.status).toBe('in_review');
    await t.http.patch(`/api/legal/cases/${legalCase.id}`).set(bearer(legal)).send({ status: 'maybe' }).expect(400);
  });

  it('records notices and publishes only redacted counts', async () => {
    const year2026 = async () => (await t.http.get('/api/transparency').expect(200)).body.years.find((y: { year: number }) => y.year === 2026) ?? { total: 0, byType: {} };
    const before = await year2026();
    await t.http
      .post(`/api/sites/${riskySite}/legal-notices`)
      .set(bearer(legal))
      .send({ type: 'cease_and_desist', received: '2026-11-01T10:00:00Z', deadline: '2026-11-15T00:00:00Z', sender: 'Acme Corp Legal' })
      .expect(201);
    await t.http.post(`/api/sites/${riskySite}/legal-notices`).set(bearer(legal)).send({ type: 'nonsense', received: '2026-11-01' }).expect(400);
    await t.http.post(`/api/sites/${riskySite}/legal-notices`).set(bearer(member)).send({ type: 'other', received: '2026-11-01' }).expect(403);
    const res = await t.http.get('/api/transparency').expect(200);
    // the first version's type names are still accepted, and counted under Lumen's
    const after = await year2026();
    expect(after.total).toBe(before.total + 1);
    expect(after.byType.other).toBe((before.byType.other ?? 0) + 1);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('acme');
    expect(text).not.toContain('Acme');
    expect(text).not.toContain(riskySite);
  });
});
