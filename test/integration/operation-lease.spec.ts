import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { OperationJobData } from '../../jobs/catalog.js';
import { OperationRunner } from '../../src/core/operations/operation-runner.service.js';
import { closeLeftoverOperations } from '../support/suite-leftovers.js';
import { eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';

/**
 * A job delivered for an operation another holder's lease still covers (BullMQ's
 * stalled-job check hands a killed worker's job on; a reconcile from before leases)
 * waits for the lease and asks again, instead of being dropped: the operation of
 * a dead holder runs as soon as its lease lapses, without a reconcile (crons off,
 * ROLE=api: nothing here re-queues), and one of a live holder is never run twice.
 * Real OperationRunner, real Postgres, real BullMQ workers on their own queue.
 */
describe('an operation whose lease another holds (real BullMQ, real Postgres)', () => {
  let t: TestApp;
  let queue: Queue;
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  /** Workers get their own connections (BullMQ leaves a connection it was handed open). */
  const workerConnections: Redis[] = [];
  const workers: Worker[] = [];
  const name = `lease-${randomUUID()}`;
  const runs: { id: string; at: number }[] = [];
  const held = new Map<string, Promise<void>>();
  const releases: (() => void)[] = [];

  beforeAll(async () => {
    t = await startTestApp(testConfig({ ROLE: 'api', CRONS_ENABLED: 'false' }));
    queue = new Queue(name, { connection });
    const runner = t.app.get(OperationRunner);
    // two workers, as two processes would be
    for (let i = 0; i < 2; i += 1) {
      const workerConnection = connection.duplicate();
      workerConnections.push(workerConnection);
      workers.push(
        new Worker(
          name,
          (job: Job<OperationJobData>) =>
            runner.run(job, async (operation) => {
              runs.push({ id: operation.id, at: Date.now() });
              await held.get(operation.id);
            }),
          { connection: workerConnection },
        ),
      );
    }
  });

  afterAll(async () => {
    releases.forEach((release) => release());
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all(workerConnections.map((c) => c.quit()));
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
    await closeLeftoverOperations(t.prisma);
    await t.close();
  });

  function runsOf(id: string): number {
    return runs.filter((run) => run.id === id).length;
  }

  async function deliver(operationId: string, jobId: string): Promise<Job> {
    return queue.add('backups.delete', { operationId }, { jobId });
  }

  async function settled(jobId: string): Promise<Job> {
    await eventually(async () => expect(await queue.getJobState(jobId)).toBe('completed'), 30_000, 100);
    // read once completed: a job fetched while still active has no return value yet
    return (await queue.getJob(jobId))!;
  }

  it('a dead holder’s operation runs once its lease lapses, with no reconcile', async () => {
    // a worker that was killed: the row says running, its lease still runs for a few seconds, nobody renews it
    const leaseUntil = new Date(Date.now() + 4_000);
    const row = await t.prisma.operation.create({
      data: { kind: 'backups.delete', targetType: 'site', actor: 'system', status: 'running', attempts: 1, startedAt: new Date(), leaseUntil },
    });
    // BullMQ's stalled-job check hands the killed worker's job to a live one
    await deliver(row.id, row.id);
    await eventually(async () => expect(await queue.getJobState(row.id)).toBe('delayed'), 10_000, 50);
    expect(runsOf(row.id)).toBe(0);

    const job = await settled(row.id);
    expect(job.returnvalue).toBe('succeeded');
    expect(runsOf(row.id)).toBe(1);
    const ran = runs.find((run) => run.id === row.id)!.at;
    expect(ran).toBeGreaterThanOrEqual(leaseUntil.getTime());
    expect(await t.prisma.operation.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'succeeded', attempts: 2, leaseUntil: null });
    console.log(`the held operation ran ${ran - leaseUntil.getTime()} ms after its lease lapsed`);
  }, 60_000);

  it('a live holder’s operation is not run by a second delivery, which waits and is skipped once the holder finished', async () => {
    const row = await t.prisma.operation.create({ data: { kind: 'backups.delete', targetType: 'site', actor: 'system' } });
    let release!: () => void;
    held.set(row.id, new Promise<void>((resolve) => (release = resolve)));
    releases.push(release);
    await deliver(row.id, row.id);
    await eventually(async () => expect(runsOf(row.id)).toBe(1), 10_000, 50);
    const holder = await t.prisma.operation.findUniqueOrThrow({ where: { id: row.id } });
    expect(holder.status).toBe('running');

    // the same operation delivered again while the first worker runs it
    const again = `${row.id}-again`;
    await deliver(row.id, again);
    await eventually(async () => expect(await queue.getJobState(again)).toBe('delayed'), 10_000, 50);
    const delayed = (await queue.getJob(again))!;
    // it asks again just after the holder's lease would lapse, not before
    expect(delayed.timestamp + delayed.delay).toBeGreaterThanOrEqual(holder.leaseUntil!.getTime());
    // woken early by hand, it finds the lease still held: it waits again and the work is not run
    await delayed.promote();
    await eventually(async () => {
      const job = (await queue.getJob(again))!;
      expect(job.attemptsStarted).toBe(2);
      expect(await job.getState()).toBe('delayed');
    }, 10_000, 50);
    expect(runsOf(row.id)).toBe(1);

    release();
    expect((await settled(row.id)).returnvalue).toBe('succeeded');
    await (await queue.getJob(again))!.promote();
    expect((await settled(again)).returnvalue).toBe('skipped');
    expect(runsOf(row.id)).toBe(1);
    expect(await t.prisma.operation.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'succeeded', attempts: 1, leaseUntil: null });
  }, 60_000);

  it('a finished operation delivered again is skipped at once', async () => {
    for (const status of ['succeeded', 'failed'] as const) {
      const row = await t.prisma.operation.create({ data: { kind: 'backups.delete', targetType: 'site', actor: 'system', status, attempts: 1, finishedAt: new Date() } });
      await deliver(row.id, row.id);
      expect((await settled(row.id)).returnvalue).toBe('skipped');
      expect(runsOf(row.id)).toBe(0);
      expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: row.id } })).status).toBe(status);
    }
  });
});
