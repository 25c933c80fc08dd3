import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { operationJobId } from '../../jobs/catalog.js';
import { createApp } from '../../src/bootstrap.js';
import { OperationsService } from '../../src/core/operations/operations.service.js';
import { ReconcileService } from '../../src/core/operations/reconcile.service.js';
import { QueueRegistry } from '../../src/core/queue/queue.registry.js';
import { forgetBackupSecrets } from '../support/backup-secrets.js';
import { closeLeftoverOperations } from '../support/suite-leftovers.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';

/**
 * Two worker processes' worth of application on one Postgres and one Redis,
 * on one web host (each runs that host's agent too, ROLE=all, as two
 * single-server processes would). Redis is flushed while a backup runs and
 * the job reaches the other worker again: it must not run the backup too.
 */
describe('no operation runs twice at once (e2e: two workers, real restic, Redis flushed mid-run)', () => {
  let dir: string;
  let env: Record<string, string>;
  let api: TestApp;
  const workers: INestApplication[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'hk-two-workers-'));
    env = {
      CRONS_ENABLED: 'false',
      STATE_DIR: join(dir, 'state'),
      SITES_ROOT: join(dir, 'www'),
      BACKUP_TARGET: join(dir, 'backups'),
      HOST_NAME: `two-workers-${Date.now().toString(36)}`,
    };
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    api = await startTestApp(testConfig({ ...env, ROLE: 'api' }));
    env.SECRETS_KEY = api.config.secretsKey.toString('base64');
  });

  afterAll(async () => {
    if (api) await closeLeftoverOperations(api.prisma);
    if (api) await forgetBackupSecrets(api.prisma);
    for (const worker of workers) await worker.close();
    await api?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<INestApplication> {
    const worker = await createApp(testConfig({ ...env, ROLE: 'all' }), { logger: ['error', 'warn'] });
    await worker.init();
    workers.push(worker);
    return worker;
  }

  it('the second worker waits for the operation the first still runs, then skips it', async () => {
    const staff = bearer(api.staffToken);
    const marker = join(dir, 'hook-runs');
    const member = (await api.http.post('/api/members').set(staff).send({ name: 'Twice', contactEmail: 'twice@example.org' }).expect(201)).body;
    // the web host both workers serve (their agents share its queue)
    const hostId = (await api.http.post('/api/hosts').set(staff).send({ name: env.HOST_NAME }).expect(201)).body.id;
    const site = (await api.http.post('/api/sites').set(staff).send({ memberId: member.id, domains: ['twice.example'], hostId }).expect(201)).body;
    await fs.mkdir(site.documentRoot, { recursive: true });
    await fs.writeFile(join(site.documentRoot, 'index.html'), 'hello');
    // The hook marks each run of the backup and holds it long enough for the second worker to see it.
    const hook = ['/bin/sh', '-c', `echo run >> ${marker}; sleep 10`];
    await api.http.put(`/api/sites/${site.id}/backup-policy`).set(staff).send({ enabled: true, preBackupHook: hook }).expect(200);

    await startWorker();
    const { operationId } = (await api.http.post(`/api/sites/${site.id}/backups`).set(staff).expect(202)).body;
    await eventually(async () => expect(await fs.readFile(marker, 'utf8')).toBe('run\n'), 20_000);

    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    const second = await startWorker();
    // The reconcile leaves an operation whose lease is held alone; a redelivery (BullMQ's stalled-job
    // check, or a reconcile from before leases) still reaches the second worker, which must not run it
    // but wait for the first worker's lease.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const queue = second.get(QueueRegistry).of('backups');
    await second.get(ReconcileService).reconcileOperations();
    expect(await queue.getJob(operationJobId(operationId))).toBeUndefined();
    // read before the delivery: the first worker's heartbeat only moves the lease later
    const held = await api.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
    await second.get(OperationsService).enqueue({ id: operationId, kind: 'backups.run' });
    await eventually(async () => expect(await queue.getJobState(operationJobId(operationId))).toBe('delayed'), 20_000, 200);
    expect((await api.prisma.operation.findUniqueOrThrow({ where: { id: operationId } })).status).toBe('running');
    const waiting = (await queue.getJob(operationJobId(operationId)))!;
    expect(waiting.timestamp + waiting.delay).toBeGreaterThanOrEqual(held.leaseUntil!.getTime());

    await eventually(async () => expect((await api.prisma.operation.findUniqueOrThrow({ where: { id: operationId } })).status).toBe('succeeded'), 30_000);
    // asked again now rather than when the lease would have lapsed: the work is done, so it is skipped
    await waiting.promote();
    await eventually(async () => expect(await queue.getJobState(operationJobId(operationId))).toBe('completed'), 20_000, 200);
    // read once completed: a job fetched while still active has no return value yet
    expect((await queue.getJob(operationJobId(operationId)))?.returnvalue).toBe('skipped');
    expect(await fs.readFile(marker, 'utf8')).toBe('run\n');
    const op = await api.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
    expect(op.attempts).toBe(1);
    expect(op.leaseUntil).toBeNull();
    expect(await api.prisma.backupRun.count({ where: { siteId: site.id, kind: 'backup' } })).toBe(1);
  }, 120_000);
});
