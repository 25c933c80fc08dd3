import { Redis } from 'ioredis';
import { createApp } from '../../src/bootstrap.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

/**
 * The API accepts work while no worker runs; Redis then loses everything.
 * A worker started afterwards re-derives the work from Postgres and does it.
 */
describe('flushing Redis loses no accepted operation (e2e: an API-only app, then a worker with its host’s agent)', () => {
  let stack: WebStack;
  let api: TestApp;

  beforeAll(async () => {
    stack = await startWebStack({ env: { ROLE: 'api', CRONS_ENABLED: 'false' } });
    api = await startTestApp(stack.config);
  });
  afterAll(async () => {
    await api?.close();
    await stack?.stop();
  });

  it('completes operations accepted before the flush', async () => {
    const memberId = (await api.http.post('/api/members').set(bearer(api.staffToken)).send({ name: 'R', contactEmail: 'r@example.org' })).body.id;
    // the web host the worker below serves (its agent runs in the same process, ROLE=all)
    const hostId = (await api.http.post('/api/hosts').set(bearer(api.staffToken)).send({ name: stack.env.HOST_NAME }).expect(201)).body.id;
    const site = (await api.http.post('/api/sites').set(bearer(api.staffToken)).send({ memberId, domains: ['flushed.example'], hostId }).expect(201)).body;
    const change = (await api.http.put(`/api/sites/${site.id}/logging`).set(bearer(api.staffToken)).send({ mode: 'anonymized' }).expect(202)).body;

    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // past the reconcile grace period

    const worker = await createApp(testConfig({ ...stack.env, ROLE: 'all', CRONS_ENABLED: 'false', PORT: '0' }), { logger: ['error'] });
    await worker.init();
    try {
      for (const operationId of [site.operationId, change.operationId]) {
        await eventually(async () => {
          const op = await api.http.get(`/api/operations/${operationId}`).set(bearer(api.staffToken));
          expect(op.body.status).toBe('succeeded');
        }, 30_000);
      }
      expect((await stack.curl('flushed.example')).status).toBe(200);
      const posture = (await api.http.get(`/api/sites/${site.id}`).set(bearer(api.staffToken))).body.posture;
      expect(posture.logging.mode).toBe('anonymized');
    } finally {
      await worker.close();
    }
  });
});
