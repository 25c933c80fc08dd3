import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AGENT_RESULTS_QUEUE, AgentResultBody, AgentResultJob } from '../../jobs/hosts.jobs.js';
import { PrivatePostgres, startPrivatePostgres } from '../../scripts/lib/private-postgres.js';
import { AgentPrivateKeys, generateAgentKeys } from '../../src/core/crypto/agent-keys.js';
import { migrate } from '../../src/core/database/migrator.js';
import { redisOptions } from '../../src/core/queue/redis-connection.js';
import { AgentClient } from '../../src/hosts/agent-client.service.js';
import { eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';

/**
 * The control plane (ROLE=worker) on a Postgres server of the suite's own,
 * which is really shut down (pg_ctl stop -m fast) and started again. An
 * agent's answer that reaches the control queue meanwhile must wait for
 * Postgres, not be dropped: the operation that asked (a restore, a backup)
 * waits hours for it otherwise. Found by the fault suite's real restart.
 */
describe('the control queue while Postgres restarts (e2e: a private Postgres server stopped and started)', () => {
  let dir: string;
  let postgres: PrivatePostgres;
  let t: TestApp;
  let results: Queue;
  let subscriber: Redis;
  const announced: Array<{ commandId: string; ok: boolean }> = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(process.env.TEST_TMP_DIR ?? tmpdir(), 'pg-restart-'));
    postgres = await startPrivatePostgres({ baseDir: dir });
    const databaseUrl = postgres.url('hostkeeper');
    await migrate(databaseUrl);
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    t = await startTestApp(testConfig({ ROLE: 'worker', DATABASE_URL: databaseUrl, STATE_DIR: join(dir, 'state') }));
    results = new Queue(AGENT_RESULTS_QUEUE, { connection: redisOptions(t.config.redisUrl), prefix: t.config.redisPrefix });
    subscriber = new Redis(TEST_REDIS_URL);
    subscriber.on('message', (_channel: string, message: string) => announced.push(...(JSON.parse(message) as Array<{ commandId: string; ok: boolean }>)));
    await subscriber.subscribe(t.app.get(AgentClient, { strict: false }).channel);
  }, 120_000);

  afterAll(async () => {
    subscriber?.disconnect();
    await results?.close();
    if (postgres && !postgres.running) await postgres.start().catch(() => undefined);
    await t?.close();
    await postgres?.remove();
    await fs.rm(dir, { recursive: true, force: true });
  }, 60_000);

  async function newHost(): Promise<{ id: string; keys: AgentPrivateKeys }> {
    const keys = generateAgentKeys();
    const host = await t.prisma.host.create({
      data: { name: `restart-${randomUUID().slice(0, 8)}`, sealPublicKey: keys.sealPublicKey, signPublicKey: keys.signPublicKey, lastSeenAt: new Date() },
    });
    return { id: host.id, keys: new AgentPrivateKeys(keys.privateKey) };
  }

  async function answer(host: { id: string; keys: AgentPrivateKeys }, commandId: string): Promise<void> {
    const body: AgentResultBody = { type: 'results', results: [{ commandId, command: 'backup.restore', ok: true, value: { restored: true } }] };
    const text = JSON.stringify(body);
    const job: AgentResultJob = { hostId: host.id, body: text, signature: host.keys.sign(text) };
    // as the agent posts it
    await results.add(body.type, job, { removeOnComplete: true, removeOnFail: { count: 100 } });
  }

  it('an answer that arrives while Postgres is down is announced once it is back', async () => {
    const host = await newHost();
    const before = randomUUID();
    await answer(host, before);
    await eventually(async () => expect(announced.map((a) => a.commandId)).toContain(before), 10_000, 50);

    const other = await newHost();
    await postgres.stop();
    const during = randomUUID();
    await answer(other, during);
    // the control plane has read it and cannot check its signature without Postgres
    await eventually(async () => expect(await results.getJobCounts('active', 'waiting')).toEqual({ active: 0, waiting: 0 }), 10_000, 50);
    expect(announced.map((a) => a.commandId)).not.toContain(during);

    await postgres.start();
    await eventually(async () => expect(announced.map((a) => a.commandId)).toContain(during), 30_000, 100);
    expect(announced.filter((a) => a.commandId === during)).toEqual([{ commandId: during, ok: true, value: { restored: true } }]);
  }, 90_000);

  it('a message its host did not sign is still dropped', async () => {
    const host = await newHost();
    const impostor = await newHost();
    const commandId = randomUUID();
    const text = JSON.stringify({ type: 'results', results: [{ commandId, command: 'backup.restore', ok: true, value: {} }] } satisfies AgentResultBody);
    await results.add('results', { hostId: host.id, body: text, signature: impostor.keys.sign(text) } satisfies AgentResultJob, { removeOnComplete: true, removeOnFail: { count: 100 } });
    await eventually(async () => expect(await results.getJobCounts('active', 'waiting', 'delayed')).toEqual({ active: 0, waiting: 0, delayed: 0 }), 10_000, 50);
    expect(announced.map((a) => a.commandId)).not.toContain(commandId);
  });
});
