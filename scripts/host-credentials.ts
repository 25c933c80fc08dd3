import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AGENT_RESULTS_QUEUE, agentQueue } from '../jobs/hosts.jobs.js';
import { loadConfig } from '../src/config/config.js';
import { generateAgentKeys } from '../src/core/crypto/agent-keys.js';
import { redisOptions } from '../src/core/queue/redis-connection.js';

/**
 * The Redis ACL an agent gets: its own queue's keys and the control queue's,
 * the commands BullMQ runs (scripts included: Redis checks their keys against
 * the same patterns), and nothing administrative. Another host's queue, the
 * service's own queues and every other key are refused.
 */
export function agentAcl(prefix: string, hostId: string, password: string): string[] {
  return [
    'reset',
    'on',
    `>${password}`,
    `~${prefix}:${agentQueue(hostId)}:*`,
    `~${prefix}:${AGENT_RESULTS_QUEUE}:*`,
    'resetchannels',
    '+@all',
    '-@admin',
    '-@dangerous',
    // BullMQ reads the server's version and names its connections
    '+info',
    '+client|setname',
    '+client|getname',
    '+client|id',
    '+client|info',
  ];
}

export function agentUser(hostId: string): string {
  return `hk-agent-${hostId}`;
}

/**
 * npm run host:credentials -- --host <id or name> [--redis-url redis://host:port/db]
 *
 * Makes the agent of one web host: a new key pair (the public halves go to
 * Postgres, the private ones are printed and kept nowhere else) and a Redis
 * user that can touch only that host's queue and post results. Prints the
 * agent's settings as KEY=value lines. Run again to rotate both.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { host: { type: 'string' }, 'redis-url': { type: 'string' } } });
  if (!values.host) throw new Error('usage: npm run host:credentials -- --host <id or name> [--redis-url <url the agent reaches Redis at>]');
  const config = loadConfig({ ...process.env, SECRETS_KEY: process.env.SECRETS_KEY || Buffer.alloc(32).toString('base64') });
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  const redis = new Redis({ ...redisOptions(config.redisUrl), maxRetriesPerRequest: 3 });
  try {
    const byId = /^[0-9a-f-]{36}$/i.test(values.host);
    const found = await db.query<{ id: string; name: string }>(`SELECT id::text, name FROM hosts WHERE ${byId ? 'id = $1::uuid' : 'name = $1'}`, [values.host]);
    const host = found.rows[0];
    if (!host) throw new Error(`no host ${values.host}: register it first (POST /api/hosts {"name": "…"})`);
    const keys = generateAgentKeys();
    const password = randomBytes(32).toString('hex');
    await redis.call('ACL', 'SETUSER', agentUser(host.id), ...agentAcl(config.redisPrefix, host.id, password));
    await db.query('UPDATE hosts SET seal_public_key = $2, sign_public_key = $3 WHERE id = $1::uuid', [host.id, keys.sealPublicKey, keys.signPublicKey]);
    const url = new URL(values['redis-url'] || config.redisUrl);
    url.username = agentUser(host.id);
    url.password = password;
    console.error(`agent settings for host ${host.name} (shown once; the private key and password are kept nowhere else):`);
    console.log(`ROLE=agent`);
    console.log(`HOST_ID=${host.id}`);
    console.log(`REDIS_URL=${url.toString()}`);
    console.log(`REDIS_PREFIX=${config.redisPrefix}`);
    console.log(`AGENT_PRIVATE_KEY=${keys.privateKey}`);
  } finally {
    redis.disconnect();
    await db.end();
  }
}

if (process.argv[1]?.endsWith('host-credentials.js')) {
  main().catch((error: Error) => {
    console.error(`host:credentials: ${error.message}`);
    process.exit(1);
  });
}
