import { bearer, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

describe('operator endpoints (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET /health is 200 when Postgres and Redis answer', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
  });

  it('GET /metrics speaks Prometheus, with request durations and queue depths', async () => {
    await t.http.get('/health');
    await t.http.get('/api/members').expect(401);
    const res = await t.http.get('/metrics').set(bearer(t.staffToken)).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/hostkeeper_http_request_duration_seconds_bucket\{.*route="\/health"/);
    expect(res.text).toMatch(/hostkeeper_http_request_duration_seconds_count\{method="GET",route="\/api\/members",status="401"\} 1/);
    expect(res.text).toMatch(/hostkeeper_queue_jobs\{queue="https",state="waiting"\}/);
  });

  it('GET /docs/openapi.json describes the API', async () => {
    const res = await t.http.get('/docs/openapi.json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/sites', '/api/sites/{id}', '/api/members', '/api/tokens', '/api/operations/{id}', '/api/sites/{id}/defence', '/auth/link', '/auth/session', '/api/sites/{id}/history', '/api/operations']));
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('GET /ui/%s and /ui/vendor/%s are 404, not 500', async (name) => {
    for (const path of [`/ui/${name}`, `/ui/vendor/${name}`]) {
      const res = await t.http.get(path);
      expect(res.status).toBe(404);
    }
  });

  it('GET /health is 503 when Redis does not answer', async () => {
    const broken = await startTestApp(testConfig({ REDIS_URL: 'redis://127.0.0.1:1/0', ROLE: 'api' }));
    try {
      const res = await broken.http.get('/health').expect(503);
      expect(res.body).toMatchObject({ postgres: 'up', redis: 'down' });
    } finally {
      await broken.close();
    }
  });
});

describe('the web page (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves the page and its script without a token, with a strict CSP', async () => {
    const page = await t.http.get('/').expect(200);
    expect(page.text).toContain('<script type="module" src="/ui/app.js">');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'; script-src 'self'");
    const script = await t.http.get('/ui/app.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.text).toContain('/auth/session');
    await t.http.get('/ui/..%2Fpackage.json').expect(404);
  });
});
