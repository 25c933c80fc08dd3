import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { QueueRegistry } from '../../src/core/queue/queue.registry.js';
import { QUEUE } from '../../jobs/catalog.js';
import { eventually, startTestApp, TestApp } from '../support/test-app.js';
import { TEST_REDIS_URL, testConfig } from '../support/test-env.js';

/** The legal sweep as production runs it: a job on the legal queue, taken by a worker, reported back. */
describe('legal sweep worker (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    // Work other suites left queued is re-derived at start; it must not reach the machine's own nginx.
    t = await startTestApp(testConfig({ ROLE: 'all', NGINX_BIN: '/bin/false' }));
  });
  afterAll(() => t?.close());

  it('takes legal.sweep from the queue and lifts a gag whose review date has passed', async () => {
    // Written straight to Postgres: a site made through the API would also start nginx work in this ROLE=all process.
    const member = await t.prisma.member.create({ data: { name: 'W', contactEmail: 'w@example.org' } });
    const domain = `worker-${randomUUID().slice(0, 8)}.example`;
    const site = await t.prisma.site.create({ data: { memberId: member.id, primaryDomain: domain, domains: [domain], documentRoot: `/tmp/${domain}` } });
    const notice = await t.prisma.legalNotice.create({ data: { siteId: site.id, type: 'court_order', receivedAt: new Date(Date.now() - 10_000), gaggedUntil: new Date(Date.now() - 1000) } });

    const jobId = `legal-sweep-test-${randomUUID()}`;
    await t.app.get(QueueRegistry).add('legal.sweep', {}, jobId);
    const queue = t.app.get(QueueRegistry).of(QUEUE.legal);
    await eventually(async () => expect(await queue.getJobState(jobId)).toBe('completed'));
    // read again once completed: a job fetched while it ran carries no return value
    const job = (await queue.getJob(jobId))!;
    expect(job.returnvalue).toMatchObject({ gagsLifted: expect.any(Number), reminders: expect.any(Number) });
    expect((await t.prisma.legalNotice.findUniqueOrThrow({ where: { id: notice.id } })).gaggedUntil).toBeNull();
  });
});
