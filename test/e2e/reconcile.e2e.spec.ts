import { Redis } from 'ioredis';
import { operationJobId, QUEUE } from '../../jobs/catalog.js';
import { ReconcileService } from '../../src/core/operations/reconcile.service.js';
import { QueueRegistry } from '../../src/core/queue/queue.registry.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';

/**
 * Redis keeps nothing on disk. Operations accepted into Postgres must survive
 * it losing everything: the reconcile step enqueues them again.
 */
describe('reconcile after Redis loses its data (e2e)', () => {
  let t: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    t = await startTestApp(testConfig({ ROLE: 'api' }));
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  it('re-enqueues queued and running operations whose jobs vanished, once', async () => {
    // suites share the database: settle what earlier suites left pending, so the counts below are ours
    await t.prisma.operation.updateMany({ where: { status: { in: ['queued', 'running'] } }, data: { status: 'failed', error: 'settled by the reconcile test' } });
    const old = new Date(Date.now() - 60_000);
    const queued = await t.prisma.operation.create({ data: { kind: 'https.enable', targetType: 'site', actor: 'test', createdAt: old } });
    const running = await t.prisma.operation.create({ data: { kind: 'logging.apply', targetType: 'site', actor: 'test', status: 'running', createdAt: old } });
    const done = await t.prisma.operation.create({ data: { kind: 'https.enable', targetType: 'site', actor: 'test', status: 'succeeded', createdAt: old } });

    await redis.flushdb();
    const reconcile = t.app.get(ReconcileService);
    const queues = t.app.get(QueueRegistry);
    expect(await reconcile.reconcileOperations()).toBe(2);

    expect(await queues.of(QUEUE.https).getJob(operationJobId(queued.id))).toBeDefined();
    expect(await queues.of(QUEUE.logging).getJob(operationJobId(running.id))).toBeDefined();
    expect(await queues.of(QUEUE.https).getJob(operationJobId(done.id))).toBeUndefined();

    expect(await reconcile.reconcileOperations()).toBe(0);
    expect(await queues.of(QUEUE.https).getJobCounts('waiting')).toMatchObject({ waiting: 1 });
  });

  it('enqueues a scheduled job once per period, however often the schedule fires', async () => {
    const queues = t.app.get(QueueRegistry);
    await redis.flushdb();
    await Promise.all([queues.addPeriodic('https.sweep', 3_600_000), queues.addPeriodic('https.sweep', 3_600_000)]);
    await queues.addPeriodic('https.sweep', 3_600_000);
    const jobs = await queues.of(QUEUE.https).getJobs(['waiting']);
    expect(jobs.filter((job) => job.name === 'https.sweep')).toHaveLength(1);
  });
});
