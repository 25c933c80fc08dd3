import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { drainWorkers } from '../../src/core/queue/worker-drain.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { eventually } from '../support/test-app.js';

const quiet = { log: () => undefined, warn: () => undefined };

/** Real BullMQ workers on the real Redis: what a worker does with the job in hand when the service stops. */
describe('drainWorkers (real BullMQ)', () => {
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  /** Workers get their own connections (BullMQ leaves a connection it was handed open), closed here. */
  const workerConnections: Redis[] = [];
  afterAll(async () => {
    await Promise.all(workerConnections.map((c) => c.quit()));
    await connection.quit();
  });

  async function busyWorker(): Promise<{ queue: Queue; worker: Worker; job: Job; release: () => void; finished: string[] }> {
    const name = `drain-${randomUUID()}`;
    const queue = new Queue(name, { connection });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const finished: string[] = [];
    const workerConnection = connection.duplicate();
    workerConnections.push(workerConnection);
    const worker = new Worker(
      name,
      async (job) => {
        await held;
        finished.push(job.id!);
      },
      { connection: workerConnection },
    );
    const job = await queue.add('work', {});
    await eventually(async () => expect(await job.getState()).toBe('active'));
    return { queue, worker, job, release, finished };
  }

  it('waits for the job in hand, which completes, and takes no new job', async () => {
    const { queue, worker, job, release, finished } = await busyWorker();
    let drained = false;
    const draining = drainWorkers([worker], 20_000, quiet).then((inTime) => {
      drained = true;
      return inTime;
    });
    const later = await queue.add('work', {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(drained).toBe(false);

    release();

    expect(await draining).toBe(true);
    expect(finished).toEqual([job.id]);
    expect(await job.getState()).toBe('completed');
    expect(await later.getState()).toBe('waiting');
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('cuts the job off when the grace period is over, leaving it in Redis to be retried', async () => {
    const { queue, worker, job, release, finished } = await busyWorker();

    expect(await drainWorkers([worker], 200, quiet)).toBe(false);

    expect(finished).toEqual([]);
    expect(await job.getState()).toBe('active'); // until its lock expires and stalled-job detection hands it on
    release();
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
