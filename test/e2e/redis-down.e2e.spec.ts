import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, startDaemon, waitUntil } from '../../scripts/lib/daemon.js';
import { freePort } from '../../scripts/lib/ports.js';
import { Redis } from 'ioredis';
import { JOB, OperationKind, operationJobId } from '../../jobs/catalog.js';
import { ReconcileService } from '../../src/core/operations/reconcile.service.js';
import { QueueRegistry } from '../../src/core/queue/queue.registry.js';
import { closeLeftoverOperations } from '../support/suite-leftovers.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

/** Far above the one-second answer and far below a hung request; a time-out fails the test. */
const NO_HANG_MS = 5_000;

/** A Redis of the suite's own on a free port, which it may stop: never the shared one. */
async function startRedis(dir: string, port: number): Promise<Daemon> {
  const daemon = startDaemon('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { logPath: join(dir, 'redis.log') });
  await waitUntil(daemon, 'redis answers', async () => {
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } finally {
      probe.disconnect();
    }
  });
  return daemon;
}

describe('Redis down never hangs a request (e2e: a Redis of its own, stopped and started)', () => {
  let dir: string;
  let port: number;
  let redis: Daemon;
  let t: TestApp;
  let staff: { Authorization: string };
  let siteId: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'hk-redis-down-'));
    port = await freePort();
    redis = await startRedis(dir, port);
    t = await startTestApp(testConfig({ ROLE: 'api', REDIS_URL: `redis://127.0.0.1:${port}/0`, STATE_DIR: join(dir, 'state'), SITES_ROOT: join(dir, 'www') }));
    staff = bearer(t.staffToken);
    const member = (await t.http.post('/api/members').set(staff).send({ name: 'Down', contactEmail: 'down@example.org' }).expect(201)).body;
    siteId = (await t.http.post('/api/sites').set(staff).send({ memberId: member.id, domains: ['redis-down.example'] }).expect(201)).body.id;
    await redis.stop();
  }, 60_000);

  afterAll(async () => {
    if (t) await closeLeftoverOperations(t.prisma);
    await t?.close();
    await redis?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const accepted: { id: string; kind: OperationKind }[] = [];

  it.each([
    ['PUT logging', 'logging.apply', () => t.http.put(`/api/sites/${siteId}/logging`).set(staff).send({ mode: 'anonymized' })],
    ['POST https', 'https.enable', () => t.http.post(`/api/sites/${siteId}/https`).set(staff)],
  ] as const)('%s answers 202 with the operation queued in Postgres', async (_label, kind, send) => {
    const res = await send().timeout(NO_HANG_MS).expect(202);
    const row = await t.prisma.operation.findUniqueOrThrow({ where: { id: res.body.operationId } });
    expect(row).toMatchObject({ kind, status: 'queued' });
    accepted.push({ id: row.id, kind });
  });

  it('a backup policy is saved and a manual backup accepted (its schedule follows from Postgres)', async () => {
    await t.http.put(`/api/sites/${siteId}/backup-policy`).set(staff).send({ enabled: true, schedule: '0 3 * * *' }).timeout(NO_HANG_MS).expect(200);
    const res = await t.http.post(`/api/sites/${siteId}/backups`).set(staff).timeout(NO_HANG_MS).expect(202);
    accepted.push({ id: res.body.operationId, kind: 'backups.run' });
  });

  it('/health says 503 and /metrics still answers', async () => {
    const health = await t.http.get('/health').timeout(NO_HANG_MS).expect(503);
    expect(health.body.redis).toBe('down');
    await t.http.get('/metrics').set(staff).timeout(NO_HANG_MS).expect(200);
  });

  it('once Redis is back, every accepted operation is on its queue', async () => {
    redis = await startRedis(dir, port);
    const queues = t.app.get(QueueRegistry);
    await eventually(async () => {
      await t.app.get(ReconcileService).reconcileOperations();
      for (const op of accepted) expect(await queues.of(JOB[op.kind].queue).getJob(operationJobId(op.id))).toBeDefined();
    }, 30_000, 500);
  });
});
