import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { AGENT_COMMANDS_JOB, AgentCommandJob, agentQueue } from '../../jobs/hosts.jobs.js';
import { redisOptions } from '../../src/core/queue/redis-connection.js';
import { AgentClient, answersIn } from '../../src/hosts/agent-client.service.js';
import type { HostsService } from '../../src/hosts/hosts.service.js';
import { testConfig } from '../support/test-env.js';

/**
 * The control plane's side of the fleet transport on the real Redis: commands
 * for one host asked for together travel as one job on that host's queue (a
 * storm of a thousand changes is a handful of jobs, not a thousand), in the
 * order they were asked, and never on another host's queue.
 */
describe('AgentClient.post (real Redis)', () => {
  const prefix = `hkt${randomUUID().slice(0, 8)}`;
  const config = { ...testConfig(), redisPrefix: prefix };
  // post() never asks whether the host is online (only call() does): the hosts service is not used
  const client = new AgentClient({} as HostsService, config);
  const queues: Queue[] = [];
  const queueOf = (hostId: string) => {
    const queue = new Queue(agentQueue(hostId), { connection: redisOptions(config.redisUrl), prefix });
    queues.push(queue);
    return queue;
  };

  beforeAll(() => client.onModuleInit());
  afterAll(async () => {
    for (const queue of queues) await queue.obliterate({ force: true }).catch(() => undefined);
    await Promise.all(queues.map((queue) => queue.close()));
    await client.onApplicationShutdown();
  });

  it('sends commands asked for in the same moment as one job per host, in order', async () => {
    const [web1, web2] = [randomUUID(), randomUUID()];
    await Promise.all([
      ...Array.from({ length: 300 }, (_, i) => client.post(web1, 'logs.purge', { siteKey: `s${i}.example`, mode: 'off' }, `c1-${i}`)),
      ...Array.from({ length: 3 }, (_, i) => client.post(web2, 'challenge.remove', { token: `t${i}` }, `c2-${i}`)),
    ]);
    const jobs1 = await queueOf(web1).getJobs(['wait', 'prioritized', 'delayed']);
    const jobs2 = await queueOf(web2).getJobs(['wait', 'prioritized', 'delayed']);
    expect(jobs1).toHaveLength(1);
    expect(jobs1[0].name).toBe(AGENT_COMMANDS_JOB);
    const commands = (jobs1[0].data as AgentCommandJob).commands;
    expect(commands.map((command) => command.commandId)).toEqual(Array.from({ length: 300 }, (_, i) => `c1-${i}`));
    expect(commands.every((command) => command.command === 'logs.purge' && command.expiresAt > Date.now())).toBe(true);
    expect(jobs2).toHaveLength(1);
    expect((jobs2[0].data as AgentCommandJob).commands.map((command) => command.commandId)).toEqual(['c2-0', 'c2-1', 'c2-2']);
  });

  it('splits a very large group into jobs of at most 500 commands', async () => {
    const host = randomUUID();
    await Promise.all(Array.from({ length: 1200 }, (_, i) => client.post(host, 'logs.held', { siteKey: `s${i}.example` }, `big-${i}`)));
    const jobs = await queueOf(host).getJobs(['wait', 'prioritized', 'delayed']);
    const sizes = jobs.map((job) => (job.data as AgentCommandJob).commands.length).sort((a, b) => b - a);
    expect(sizes).toEqual([500, 500, 200]);
  });

  it('announces answers on a channel of its own Redis database', () => {
    expect(client.channel).toBe(`${prefix}:agent-done:${new URL(config.redisUrl).pathname.slice(1) || '0'}`);
  });

  it('a lone command goes out at once, on its own', async () => {
    const host = randomUUID();
    await client.post(host, 'logs.held', { siteKey: 'alone.example' }, 'alone');
    const jobs = await queueOf(host).getJobs(['wait', 'prioritized', 'delayed']);
    expect(jobs.map((job) => (job.data as AgentCommandJob).commands.length)).toEqual([1]);
  });
});

describe('answersIn', () => {
  it('takes the answers of a message and ignores anything else on the channel', () => {
    expect(answersIn(JSON.stringify([{ commandId: 'a', ok: true, value: 1 }, { commandId: 'b', ok: false, error: 'no' }]))).toEqual([
      { commandId: 'a', ok: true, value: 1 },
      { commandId: 'b', ok: false, error: 'no' },
    ]);
    // an older control plane's single answer, a stranger's message, garbage: nothing, and nothing thrown
    expect(answersIn(JSON.stringify({ commandId: 'a', ok: true }))).toEqual([]);
    expect(answersIn('not json')).toEqual([]);
    expect(answersIn(JSON.stringify([null, 3, { commandId: 7, ok: true }, { commandId: 'c' }]))).toEqual([]);
  });
});
