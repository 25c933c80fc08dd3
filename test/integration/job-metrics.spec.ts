import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { MetricsService } from '../../src/core/metrics/metrics.service.js';
import { countOutcomes } from '../../src/core/queue/job-metrics.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { eventually } from '../support/test-app.js';

/** Job outcomes as /metrics shows them, counted from real BullMQ workers' events. */
describe('countOutcomes (real BullMQ)', () => {
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  afterAll(() => connection.quit());

  it('counts successes, skips, retries and final failures by job name', async () => {
    const metrics = new MetricsService();
    const name = `outcomes-${randomUUID()}`;
    const queue = new Queue(name, { connection });
    const workerConnection = connection.duplicate(); // BullMQ leaves a connection it was handed open
    const worker = new Worker(
      name,
      async (job) => {
        if (job.name === 'sweep') return undefined;
        if (job.name === 'already-done') return 'skipped';
        if (job.name === 'flaky') throw new Error('try again');
        throw new UnrecoverableError('no point retrying');
      },
      { connection: workerConnection },
    );
    countOutcomes(worker, metrics);
    try {
      await queue.add('sweep', {});
      await queue.add('already-done', {});
      await queue.add('flaky', {}, { attempts: 2 });
      await queue.add('hopeless', {}, { attempts: 5 });

      const count = async (job: string, outcome: string) =>
        (await metrics.jobOutcomes.get()).values.find((v) => v.labels.job === job && v.labels.outcome === outcome)?.value ?? 0;
      await eventually(async () => {
        expect(await count('sweep', 'succeeded')).toBe(1);
        expect(await count('already-done', 'skipped')).toBe(1);
        expect(await count('flaky', 'retried')).toBe(1);
        expect(await count('flaky', 'failed')).toBe(1);
        expect(await count('hopeless', 'failed')).toBe(1);
      });
      expect(await count('hopeless', 'retried')).toBe(0);
      expect(await metrics.registry.metrics()).toMatch(/hostkeeper_job_outcomes_total\{job="sweep",outcome="succeeded"\} 1/);
    } finally {
      await worker.close();
      await workerConnection.quit();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
