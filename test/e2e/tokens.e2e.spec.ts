import { randomBytes } from 'node:crypto';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

const METRICS_TOKEN = randomBytes(32).toString('hex');
const FAILURES_PER_MINUTE = 5;

describe('tokens: listed, revoked, expiring; failed sign-ins limited; /metrics closed (e2e)', () => {
  let t: TestApp;
  let staff: { Authorization: string };
  let memberId: string;

  beforeAll(async () => {
    t = await startTestApp(testConfig({ METRICS_TOKEN, AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE) }));
    staff = bearer(t.staffToken);
    memberId = (await t.http.post('/api/members').set(staff).send({ name: 'Tokens', contactEmail: 'tokens@example.org' }).expect(201)).body.id;
  });
  afterAll(() => t.close());

  it('GET /api/tokens lists tokens with their use, never the secret or its hash', async () => {
    const made = (await t.http.post('/api/tokens').set(staff).send({ role: 'member', memberId, label: 'laptop' }).expect(201)).body;
    await t.http.get('/api/sites').set(bearer(made.token)).expect(200);
    const list = await eventually(async () => {
      const res = (await t.http.get('/api/tokens').set(staff).expect(200)).body;
      const entry = res.items.find((i: { id: string }) => i.id === made.id);
      expect(entry.lastUsedAt).toBeDefined();
      return res;
    });
    expect(list.items.find((i: { id: string }) => i.id === made.id)).toMatchObject({ role: 'member', memberId, label: 'laptop' });
    const text = JSON.stringify(list);
    expect(text).not.toContain(made.token);
    expect(text).not.toMatch(/tokenHash|token_hash/);
    expect(Object.keys(list.items[0]).sort()).toEqual(expect.arrayContaining(['createdAt', 'id', 'role']));
  });

  it('DELETE /api/tokens/:id answers 204, refuses the token at once, audits, and drops it from the list', async () => {
    const made = (await t.http.post('/api/tokens').set(staff).send({ role: 'legal' }).expect(201)).body;
    await t.http.get('/api/sites').set(bearer(made.token)).expect(200);
    await t.http.delete(`/api/tokens/${made.id}`).set(staff).expect(204);
    await t.http.get('/api/sites').set(bearer(made.token)).expect(401);
    await t.http.delete(`/api/tokens/${made.id}`).set(staff).expect(404);
    const list = (await t.http.get('/api/tokens').set(staff).expect(200)).body.items;
    expect(list.map((i: { id: string }) => i.id)).not.toContain(made.id);
    expect(await t.prisma.auditEvent.count({ where: { action: 'token.revoke', targetId: made.id } })).toBe(1);
  });

  it('only staff list and revoke tokens', async () => {
    const member = await t.token('member', memberId);
    await t.http.get('/api/tokens').set(bearer(member)).expect(403);
    await t.http.delete(`/api/tokens/${memberId}`).set(bearer(member)).expect(403);
  });

  it('POST /api/tokens {expiresInDays} sets an expiry; an expired token is refused', async () => {
    const made = (await t.http.post('/api/tokens').set(staff).send({ role: 'staff', expiresInDays: 30 }).expect(201)).body;
    const days = (new Date(made.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    await t.prisma.apiToken.update({ where: { id: made.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await t.http.get('/api/sites').set(bearer(made.token)).expect(401);
    const list = (await t.http.get('/api/tokens').set(staff).expect(200)).body.items;
    expect(list.map((i: { id: string }) => i.id)).not.toContain(made.id);
  });

  it.each([[0], [-1], [1.5], ['7'], [100000]])('refuses expiresInDays %p with 400', async (value) => {
    const res = await t.http.post('/api/tokens').set(staff).send({ role: 'staff', expiresInDays: value }).expect(400);
    expect(JSON.stringify(res.body.details)).toContain('expiresInDays');
  });

  it('GET /metrics wants METRICS_TOKEN or a staff token', async () => {
    await t.http.get('/metrics').expect(401);
    await t.http.get('/metrics').set(bearer(await t.token('member', memberId))).expect(403);
    const res = await t.http.get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
    expect(res.text).toMatch(/hostkeeper_http_request_duration_seconds/);
    await t.http.get('/metrics').set(staff).expect(200);
  });

  // Last: it fills this address's failure window.
  it('bad bearer tokens from one address, on /api or /metrics, get 429 with Retry-After; a valid token still passes', async () => {
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < FAILURES_PER_MINUTE + 3; i += 1) {
      // /metrics takes bearer tokens too, and shares the address's count
      const res = await t.http.get(i % 2 ? '/metrics' : '/api/sites').set(bearer(`hk_${randomBytes(32).toString('base64url')}`));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    // the revoked and the expired token above were failures from this address too
    const refused = statuses.filter((s) => s === 401).length;
    expect(refused).toBe(FAILURES_PER_MINUTE - 2);
    expect(statuses).toEqual([...Array(refused).fill(401), ...Array(statuses.length - refused).fill(429)]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    await t.http.get('/api/sites').set(staff).expect(200);
    await t.http.get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
  });
});
