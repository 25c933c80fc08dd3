import 'reflect-metadata';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/config.js';
import { hashToken } from '../src/core/auth/token.service.js';
import { WebServerService } from '../src/web/web-server.service.js';
import { apiClient, Http } from './lib/api-client.js';
import { cpuSeconds, cpuSince } from './lib/cpu-usage.js';
import { freshDatabase } from './lib/bench-db.js';
import { NginxInstance, startNginx } from './lib/nginx-instance.js';
import { startPebble } from './lib/pebble.js';
import { freePorts } from './lib/ports.js';
import { waitHealthy } from './lib/wait-healthy.js';

/**
 * The fleet benchmark (issue 8): one control plane, two web hosts, each a
 * real agent process (ROLE=agent, only the settings `host:credentials`
 * printed, its own Redis ACL user, no database) in front of its own nginx;
 * BENCH_SITES_PER_HOST sites (1,000) on each. Laid out like production: the
 * API is its own ROLE=api process, the worker runs in this process
 * (ROLE=worker, no agent of its own), the storms' PUTs are sent from here.
 *
 *  1. logging storm: every site full -> off at once through the API; timed
 *     until every logging.apply operation succeeded and every site's applied
 *     revision equals its desired revision; nginx reloads per host.
 *  2. HTTPS storm: BENCH_HTTPS_SITES_PER_HOST (100) sites on each host enable
 *     HTTPS at once against pebble (HTTP-01 answered by each host's agent and
 *     nginx, which share ports on their own loopback addresses, 127.0.0.2 and
 *     .3); timed until every operation succeeded and each host's agent saw the
 *     new certificate served (posture active with its serial); reloads per host.
 *  3. dead host: A's sites plus half of B's switch off -> anonymized at once,
 *     first with B alive, then (after switching back, untimed) with B's agent
 *     killed (-9) and known offline; A's convergence time compared.
 *  4. catch-up: B's half changed while it was dead; B is started again and
 *     timed until those sites converged and their operations succeeded.
 *
 * Reloads are counted from each nginx's own error log: the master writes
 * `signal 1 (SIGHUP) received from …, reconfiguring` (notice level) once per
 * reload it is asked for, whoever asks.
 *
 * BENCH_NJS=0 leaves Debian's njs module out of both nginx (loaded by default
 * when installed, as the package does: njs before 0.8.8 makes an OpenSSL
 * context for every location of every server, so each parse of 1,000 vhosts
 * costs several times more). BENCH_ONLY_STORM=1 stops after the two storms.
 * CPU rows: an agent's includes the `nginx -t` it runs (only for a batch its
 * nginx refused; none in a storm that loads).
 *
 * Own Postgres database (BENCH_DATABASE_URL, recreated) and Redis database
 * (BENCH_REDIS_URL, flushed); the agents' Redis users are deleted at the end.
 */
const PER_HOST = Number(process.env.BENCH_SITES_PER_HOST || 1000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/hostkeeper_bench_fleet';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/8';
const REDIS_PREFIX = 'hkbenchfleet';
const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'src', 'main.js');
const GOALS = { stormSeconds: 10, catchUpSeconds: 15, deadHostRatio: 1.1 };
const PATIENCE_MS = 300_000;
/** Sites per host in the HTTPS storm (BENCH_HTTPS_SITES_PER_HOST). */
const HTTPS_PER_HOST = Number(process.env.BENCH_HTTPS_SITES_PER_HOST || 100);
/** BENCH_NJS=0: leave Debian's njs module out of both nginx (it is loaded when installed, as the package does). */
const NJS = process.env.BENCH_NJS !== '0';

interface Agent {
  name: string;
  hostId: string;
  dir: string;
  nginx: NginxInstance;
  settings: Record<string, string>;
  process?: ChildProcess;
  output: string[];
  siteIds: string[];
}

type Mode = 'off' | 'anonymized' | 'full';

async function main(): Promise<void> {
  const base = process.env.TEST_TMP_DIR || tmpdir();
  await fs.mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'hostkeeper-bench-fleet-'));
  const [apiPort, httpPort, httpsPort] = await freePorts(3);
  // the CA: pebble validates HTTP-01 on the hosts' shared HTTP port, at the address its fake DNS gives for each name
  const pebble = await startPebble({ dataDir: join(dir, 'pebble'), httpPort });
  const rootPath = join(dir, 'pebble-root.pem');
  await fs.writeFile(rootPath, await pebble.fetchRootPem());
  await freshDatabase(DATABASE_URL);
  const admin = new Redis(REDIS_URL);
  await admin.flushdb();

  const token = `hk_${randomBytes(32).toString('base64url')}`;
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  await db.query(`INSERT INTO api_tokens (id, token_hash, role) VALUES ($1, $2, 'staff')`, [randomUUID(), hashToken(token)]);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    CRONS_ENABLED: 'false',
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    STATE_DIR: join(dir, 'control', 'state'),
    SITES_ROOT: join(dir, 'control', 'www'),
    ACCESS_LOG_DIR: join(dir, 'control', 'logs'),
    PORT: String(apiPort),
    ACME_DIRECTORY_URL: pebble.directoryUrl,
    ACME_CA_BUNDLE: pebble.caBundlePath,
    ACME_SERVED_TRUST_BUNDLE: rootPath,
    // one member owns every bench site: its budget and the account's must not be what is measured
    ACME_MEMBER_ORDER_BUDGET: '1000000',
    ACME_LIMIT_ORDERS_PER_ACCOUNT: '1000000',
    ACME_LIMIT_CERTS_PER_DOMAIN: '1000000',
  };
  const config = loadConfig({ ...env, ROLE: 'worker' });
  const app = await createApp(config, { logger: ['error'] });
  const agents: Agent[] = [];
  let api: ChildProcess | undefined;
  // stopped from outside (Ctrl-C, a timeout): the agents, the API and both nginx stop with it
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    await app.init();
    api = await startChild({ ...env, ROLE: 'api' }, apiPort);
    const http = apiClient(apiPort, token);

    // two web servers on the same ports, each on its own (loopback) address, as separate machines are
    for (const [name, address] of [['web-a', '127.0.0.2'], ['web-b', '127.0.0.3']] as const) {
      const created = await http('POST', '/api/hosts', { name });
      if (created.status !== 201) throw new Error(`POST /api/hosts answered ${created.status}: ${JSON.stringify(created.body)}`);
      agents.push(await prepareAgent(dir, name, String(created.body.id), { address, httpPort, httpsPort }));
    }
    for (const agent of agents) startAgent(agent);
    for (const agent of agents) await until(`${agent.name} online`, 60_000, async () => (await http('GET', `/api/hosts/${agent.hostId}`)).body.status === 'online');
    const [hostA, hostB] = agents;

    console.log(`njs module ${NJS ? 'loaded (as installed)' : 'left out (BENCH_NJS=0)'} in both nginx; worker LOGGING_CONCURRENCY=${config.loggingConcurrency}, NGINX_RELOAD_WINDOW_MS=${config.nginx.reloadWindowMs}, AGENT_RELOAD_JITTER_MS=${config.fleet.reloadJitterMs}`);
    console.log(`seeding ${PER_HOST} sites on each of 2 hosts (logging full) ...`);
    await seedSites(db, agents);
    let started = performance.now();
    const initial = await app.get(WebServerService, { strict: false }).applyMany(agents.flatMap((agent) => agent.siteIds));
    const initialFailures = initial.filter((result) => !result.ok);
    console.log(`initial vhosts: ${initial.length} applied in ${seconds(started).toFixed(2)} s (${initialFailures.length} failed)`);
    if (initialFailures.length > 0) throw new Error(`initial vhosts failed: ${initialFailures[0].ok ? '' : initialFailures[0].error}`);
    await until('initial revisions recorded', 60_000, async () => (await lagging(db, agents.flatMap((a) => a.siteIds))) === 0);
    // warm the API's code paths and pool, as a running API has them
    await Promise.all(hostA.siteIds.slice(0, 50).map((id) => http('GET', `/api/sites/${id}`)));

    // 1. logging storm, both hosts
    console.log(`\n1. logging storm: ${2 * PER_HOST} sites full -> off at once`);
    const cpuBefore = cpuOf(agents, api);
    const storm = await timedStorm(db, http, agents, agents.map((agent) => agent.siteIds), 'off');
    printStorm(storm);
    printCpu(cpuSince(cpuBefore, cpuOf(agents, api)), storm.total);
    if (process.env.BENCH_VERBOSE === '1') for (const agent of agents) console.log(`--- ${agent.name}'s batches:\n${agent.output.join('').split('\n').filter((line) => line.includes('batch')).join('\n')}`);
    // 2. HTTPS storm, both hosts
    const tlsSites = agents.map((agent) => agent.siteIds.slice(0, HTTPS_PER_HOST));
    console.log(`\n2. HTTPS storm: ${HTTPS_PER_HOST} sites on each host enable HTTPS at once (ACME_CONCURRENCY=${config.acme.concurrency})`);
    for (const agent of agents) {
      for (let i = 1; i <= HTTPS_PER_HOST; i += 1) await pebble.setARecord(siteName(agent, i), [agent.nginx.listenAddress]);
    }
    const tlsCpuBefore = cpuOf(agents, api);
    const tls = await timedHttpsStorm(db, http, agents, tlsSites);
    printStorm(tls);
    printCpu(cpuSince(tlsCpuBefore, cpuOf(agents, api)), tls.total);
    const sample = await servedOverTls(agents, rootPath);
    console.log(`   over TLS from here, one site per host: ${sample}`);

    if (process.env.BENCH_ONLY_STORM === '1') {
      console.log(`\nlogging storm, ${2 * PER_HOST} sites on 2 hosts: ${storm.total.toFixed(2)} s (goal <= ${GOALS.stormSeconds} s: ${storm.total <= GOALS.stormSeconds ? 'met' : 'NOT met'}); BENCH_ONLY_STORM=1 skipped the dead host and the catch-up`);
      return;
    }

    // 3. dead host: A's sites and half of B's, off -> anonymized, with B alive and with B dead
    const half = hostB.siteIds.slice(0, Math.floor(PER_HOST / 2));
    console.log(`\n3a. ${PER_HOST} sites on ${hostA.name} + ${half.length} on ${hostB.name}, off -> anonymized, ${hostB.name} alive`);
    const alive = await timedStorm(db, http, agents, [hostA.siteIds, half], 'anonymized');
    printStorm(alive);
    console.log('   (switching them back to off, untimed)');
    await timedStorm(db, http, agents, [hostA.siteIds, half], 'off');

    await stopAgent(hostB, 'SIGKILL');
    started = performance.now();
    await until(`${hostB.name} offline`, 60_000, async () => (await http('GET', `/api/hosts/${hostB.hostId}`)).body.status === 'offline');
    console.log(`\n3b. ${hostB.name}'s agent killed (-9); the control plane saw it offline after ${seconds(started).toFixed(1)} s; same storm again`);
    const dead = await timedStorm(db, http, [hostA], [hostA.siteIds, half], 'anonymized');
    printStorm(dead);
    const waiting = await db.query<{ n: string; sample: string | null }>(
      `SELECT count(*) AS n, min(waiting_for) AS sample FROM operations WHERE id = ANY($1::uuid[]) AND status <> 'succeeded'`,
      [dead.operationIds.get(hostB.hostId) ?? []],
    );
    console.log(`   ${hostB.name}'s operations not done meanwhile: ${waiting.rows[0].n}/${half.length}; one says: ${waiting.rows[0].sample ?? '(nothing)'}`);

    // 4. catch-up
    const reloadsBefore = await countReloads(hostB);
    startAgent(hostB);
    started = performance.now();
    const bOps = dead.operationIds.get(hostB.hostId) ?? [];
    // a host that is away gets no new revisions (its operations wait), so its sites lag only once they are woken
    await until('catch-up', PATIENCE_MS, async () => (await done(db, bOps)).finished === bOps.length && (await lagging(db, half)) === 0, 100);
    const catchUp = seconds(started);
    if (process.env.BENCH_VERBOSE === '1') console.log(`--- ${hostB.name}'s batches after its restart:\n${hostB.output.join('').split('\n').filter((line) => line.includes('batch')).join('\n')}`);
    const catchUpOps = await done(db, bOps);
    const catchUpReloads = (await countReloads(hostB)) - reloadsBefore;
    const rewritten = await countMarked(hostB, half.length);
    console.log(`\n4. catch-up: ${hostB.name} restarted with ${half.length} sites changed while it was down`);
    console.log(`   every operation finished and every site's revision applied after ${catchUp.toFixed(2)} s (${catchUpOps.failed} failed); ${catchUpReloads} reload(s); vhosts anonymized on its disk: ${rewritten}/${half.length}`);

    const ratio = dead.perHost.get(hostA.hostId)! / alive.perHost.get(hostA.hostId)!;
    const rows: Array<[string, string, string, boolean]> = [
      [`logging storm, ${2 * PER_HOST} sites on 2 hosts, converged`, `${storm.total.toFixed(2)} s`, `<= ${GOALS.stormSeconds} s`, storm.total <= GOALS.stormSeconds && storm.failed === 0],
      ...agents.map((agent): [string, string, string, boolean] => [`  reloads on ${agent.name} during the storm`, String(storm.reloads.get(agent.hostId)), '(few)', true]),
      [`HTTPS storm, ${2 * HTTPS_PER_HOST} sites on 2 hosts, all served`, `${tls.total.toFixed(2)} s (${tls.failed} failed)`, '(no goal)', tls.failed === 0],
      ...agents.map((agent): [string, string, string, boolean] => [`  reloads on ${agent.name} during the HTTPS storm`, String(tls.reloads.get(agent.hostId)), '(few)', true]),
      [`catch-up of ${half.length} sites after restart`, `${catchUp.toFixed(2)} s`, `<= ${GOALS.catchUpSeconds} s`, catchUp <= GOALS.catchUpSeconds && catchUpOps.failed === 0],
      [`${hostA.name}'s storm time, ${hostB.name} alive -> dead`, `${alive.perHost.get(hostA.hostId)!.toFixed(2)} s -> ${dead.perHost.get(hostA.hostId)!.toFixed(2)} s (x${ratio.toFixed(2)})`, `<= x${GOALS.deadHostRatio}`, ratio <= GOALS.deadHostRatio],
    ];
    console.log(`\nbench:fleet, ${PER_HOST} sites per host, 2 agents (each its own process and nginx), API as its own process, worker in this one`);
    const width = Math.max(...rows.map((row) => row[0].length));
    const width2 = Math.max(...rows.map((row) => row[1].length));
    for (const [figure, value, goal, met] of rows) {
      const verdict = goal.startsWith('(') ? (met ? '' : 'FAILED') : met ? 'met' : 'NOT met';
      console.log(`${figure.padEnd(width)}  ${value.padEnd(width2)}  ${goal.padEnd(8)}  ${verdict}`);
    }
  } catch (error) {
    for (const agent of agents) if (agent.output.length) console.error(`--- ${agent.name} said:\n${agent.output.join('').slice(-3000)}`);
    throw error;
  } finally {
    await cleanUp();
  }

  async function cleanUp(): Promise<void> {
    for (const agent of agents) await stopAgent(agent, 'SIGTERM');
    if (api) await stopChild(api);
    // the worker's close waits for jobs in hand, which may wait on an agent that is gone: bounded
    await Promise.race([app.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    for (const agent of agents) {
      await agent.nginx.stop().catch(() => undefined);
      await admin.call('ACL', 'DELUSER', `hk-agent-${agent.hostId}`).catch(() => undefined);
    }
    admin.disconnect();
    await db.end().catch(() => undefined);
    await pebble.stop().catch(() => undefined);
    if (!process.env.KEEP_BENCH_DIR) await fs.rm(dir, { recursive: true, force: true });
  }
}

interface StormResult {
  accepted: number;
  answeredAfter: number;
  total: number;
  failed: number;
  perHost: Map<string, number>;
  reloads: Map<string, number>;
  operationIds: Map<string, string[]>;
  names: Map<string, string>;
}

/**
 * PUTs the mode for every given site at once and waits until, per host, every
 * operation succeeded (or failed) and every site's applied revision caught up.
 * Only the hosts in `timed` are waited for.
 */
async function timedStorm(db: pg.Client, http: Http, timed: Agent[], siteSets: string[][], mode: Mode): Promise<StormResult> {
  const hostOf = new Map<string, Agent>();
  for (const agent of timed) for (const id of agent.siteIds) hostOf.set(id, agent);
  const ids = siteSets.flat();
  return sendStorm(
    db,
    timed,
    ids,
    `storm to ${mode}`,
    (id) => http('PUT', `/api/sites/${id}/logging`, { mode, ...(mode === 'off' ? {} : { retentionDays: 7 }) }),
    async (agent, _index, state) => ((await lagging(db, ids.filter((id) => hostOf.get(id) === agent))) === 0 ? state.failed : undefined),
  );
}

/**
 * What both storms share: one request per site, all sent at once, each
 * answered 202 with an operationId; then, every 100 ms (the polling's own
 * queries over thousands of ids must not be what loads Postgres and this
 * process), each host not yet done whose operations have all finished is asked
 * `converged`, which answers how many of them failed once the host is done.
 * Reloads are counted from each nginx's error log across the storm.
 */
async function sendStorm(
  db: pg.Client,
  timed: Agent[],
  ids: string[],
  what: string,
  send: (id: string) => ReturnType<Http>,
  converged: (agent: Agent, index: number, state: { finished: number; failed: number }) => Promise<number | undefined>,
): Promise<StormResult> {
  const reloadsBefore = new Map(await Promise.all(timed.map(async (agent) => [agent.hostId, await countReloads(agent)] as const)));
  const started = performance.now();
  const responses = await Promise.all(ids.map(send));
  const answeredAfter = seconds(started);
  const bad = responses.filter((res) => res.status !== 202);
  if (bad.length > 0) throw new Error(`${bad.length} requests were not accepted: ${bad[0].status} ${JSON.stringify(bad[0].body)}`);
  const operationIds = new Map<string, string[]>();
  ids.forEach((id, index) => {
    const hostId = siteHost.get(id)!;
    operationIds.set(hostId, [...(operationIds.get(hostId) ?? []), String(responses[index].body.operationId)]);
  });
  const perHost = new Map<string, number>();
  let failed = 0;
  await until(what, PATIENCE_MS, async () => {
    for (const [index, agent] of timed.entries()) {
      if (perHost.has(agent.hostId)) continue;
      const ops = operationIds.get(agent.hostId) ?? [];
      const state = await done(db, ops);
      if (state.finished < ops.length) continue;
      const hostFailed = await converged(agent, index, state);
      if (hostFailed === undefined) continue;
      perHost.set(agent.hostId, seconds(started));
      failed += hostFailed;
    }
    return perHost.size === timed.length;
  }, 100);
  const total = Math.max(...perHost.values());
  // a reload asked for at the end of the storm is logged a moment later
  await new Promise((resolve) => setTimeout(resolve, 500));
  const reloads = new Map(await Promise.all(timed.map(async (agent) => [agent.hostId, (await countReloads(agent)) - reloadsBefore.get(agent.hostId)!] as const)));
  return { accepted: responses.length, answeredAfter, total, failed, perHost, reloads, operationIds, names: new Map(timed.map((agent) => [agent.hostId, agent.name])) };
}

/** CPU seconds so far of each part of the fleet on this machine. */
function cpuOf(agents: Agent[], api: ChildProcess | undefined): Record<string, number> {
  const groups: Parameters<typeof cpuSeconds>[0] = {
    'worker (this process)': { pids: [process.pid], descend: false },
    api: { pids: api?.pid ? [api.pid] : [] },
    postgres: { comm: 'postgres' },
    redis: { comm: 'redis-server' },
  };
  for (const agent of agents) {
    groups[`agent ${agent.name} (+ nginx -t)`] = { pids: agent.process?.pid ? [agent.process.pid] : [] };
    groups[`nginx ${agent.name}`] = { pids: nginxMaster(agent) };
  }
  return cpuSeconds(groups);
}

function nginxMaster(agent: Agent): number[] {
  try {
    const pid = Number(readFileSync(agent.nginx.pidPath, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? [pid] : [];
  } catch {
    return [];
  }
}

function printCpu(used: Record<string, number>, wallSeconds: number): void {
  const total = Object.values(used).reduce((sum, seconds) => sum + seconds, 0);
  console.log(`   CPU used: ${total.toFixed(1)} s in ${wallSeconds.toFixed(1)} s on ${cpus().length} cores (${((100 * total) / (wallSeconds * cpus().length)).toFixed(0)} %)`);
  for (const [name, seconds] of Object.entries(used).sort((a, b) => b[1] - a[1])) console.log(`     ${name.padEnd(32)} ${seconds.toFixed(1)} s`);
}

/**
 * POSTs /https for every given site at once and waits until, per host, every
 * https.enable operation finished and every site's certificate was seen
 * served by its host (the agent's own TLS handshake: posture "active" with
 * the current serial).
 */
async function timedHttpsStorm(db: pg.Client, http: Http, timed: Agent[], siteSets: string[][]): Promise<StormResult> {
  return sendStorm(db, timed, siteSets.flat(), 'HTTPS storm', (id) => http('POST', `/api/sites/${id}/https`, {}), async (_agent, index, state) => {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM https_states h JOIN certificates c ON c.site_id = h.site_id AND c.current
       WHERE h.site_id = ANY($1::uuid[]) AND h.status = 'active' AND h.served_serial = c.serial`,
      [siteSets[index]],
    );
    return Number(rows[0].n) + state.failed >= siteSets[index].length ? state.failed : undefined;
  });
}

/** One TLS handshake per host from this process, to its first site, verified against the CA's root: the serial it presents. */
async function servedOverTls(agents: Agent[], rootPath: string): Promise<string> {
  const ca = await fs.readFile(rootPath, 'utf8');
  const answers = await Promise.all(
    agents.map(
      (agent) =>
        new Promise<string>((resolve) => {
          const socket = tlsConnect({ host: agent.nginx.listenAddress, port: agent.nginx.httpsPort, servername: siteName(agent, 1), ca }, () => {
            const serial = socket.getPeerCertificate().serialNumber;
            socket.end();
            resolve(`${agent.name} ${siteName(agent, 1)}: serial ${serial}, verified`);
          });
          socket.once('error', (error) => resolve(`${agent.name} ${siteName(agent, 1)}: ${error.message}`));
        }),
    ),
  );
  return answers.join('; ');
}

function siteName(agent: Agent, index: number): string {
  return `site${index}.${agent.name}.bench.example`;
}

function printStorm(result: StormResult): void {
  console.log(`   ${result.accepted} requests answered 202 after ${result.answeredAfter.toFixed(2)} s`);
  for (const [hostId, time] of result.perHost) {
    console.log(`   ${result.names.get(hostId)}: converged after ${time.toFixed(2)} s, ${result.reloads.get(hostId)} nginx reload(s)`);
  }
  console.log(`   all converged after ${result.total.toFixed(2)} s (${result.failed} operation(s) failed)`);
}

/** Which host each seeded site is on (all of them, timed or not). */
const siteHost = new Map<string, string>();

async function seedSites(db: pg.Client, agents: Agent[]): Promise<void> {
  const memberId = randomUUID();
  await db.query(`INSERT INTO members (id, name, contact_email) VALUES ($1, 'bench', 'bench@example.org')`, [memberId]);
  for (const agent of agents) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO sites (id, member_id, host_id, primary_domain, domains, document_root, updated_at)
       SELECT gen_random_uuid(), $1, $2::uuid, 'site' || i || '.' || $3 || '.bench.example', ARRAY['site' || i || '.' || $3 || '.bench.example'],
              $4 || '/site' || i || '.' || $3 || '.bench.example/public', now()
       FROM generate_series(1, $5::int) AS i RETURNING id::text AS id`,
      [memberId, agent.hostId, agent.name, agent.settings.SITES_ROOT, PER_HOST],
    );
    agent.siteIds = rows.map((row) => row.id);
    for (const id of agent.siteIds) siteHost.set(id, agent.hostId);
  }
  await db.query(`INSERT INTO site_domains (domain, site_id) SELECT primary_domain, id FROM sites`);
  await db.query(`INSERT INTO https_states (site_id, updated_at) SELECT id, now() FROM sites`);
  await db.query(`INSERT INTO logging_policies (site_id, mode, retention_days, updated_at) SELECT id, 'full', 7, now() FROM sites`);
}

async function lagging(db: pg.Client, siteIds: string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM sites WHERE id = ANY($1::uuid[]) AND (applied_revision < desired_revision OR desired_revision = 0)`,
    [siteIds],
  );
  return Number(rows[0].n);
}

async function done(db: pg.Client, operationIds: string[]): Promise<{ finished: number; failed: number }> {
  const { rows } = await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM operations WHERE id = ANY($1::uuid[]) GROUP BY status`, [operationIds]);
  const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
  return { finished: count('succeeded') + count('failed'), failed: count('failed') };
}

/** Reloads this host's nginx master has done since it started (one `reconfiguring` line each). */
async function countReloads(agent: Agent): Promise<number> {
  const text = await fs.readFile(agent.nginx.errorLogPath, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.includes('reconfiguring')).length;
}

async function countMarked(agent: Agent, count: number): Promise<number> {
  const names = Array.from({ length: count }, (_, i) => join(agent.nginx.sitesDir, `site${i + 1}.${agent.name}.bench.example.conf`));
  const texts = await Promise.all(names.map((name) => fs.readFile(name, 'utf8').catch(() => '')));
  return texts.filter((text) => /anonym/.test(text)).length;
}

async function prepareAgent(dir: string, name: string, hostId: string, net: { address: string; httpPort: number; httpsPort: number }): Promise<Agent> {
  const home = join(dir, name);
  await fs.mkdir(home, { recursive: true });
  const { httpPort, httpsPort } = net;
  const nginx = await startNginx({
    dataDir: join(home, 'nginx'),
    httpPort,
    httpsPort,
    listenAddress: net.address,
    sitesDir: join(home, 'nginx.d'),
    challengeDir: join(home, 'state', 'acme-challenges'),
    njs: NJS,
  });
  const printed = spawnSync(process.execPath, [join(ROOT, 'scripts', 'host-credentials.js'), '--host', hostId], {
    env: { PATH: process.env.PATH, DATABASE_URL, REDIS_URL, REDIS_PREFIX },
    encoding: 'utf8',
  });
  if (printed.status !== 0) {
    await nginx.stop();
    throw new Error(`host:credentials failed: ${printed.stderr}`);
  }
  const settings = Object.fromEntries(
    printed.stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    name,
    hostId,
    dir: home,
    nginx,
    output: [],
    siteIds: [],
    settings: {
      ...settings,
      NGINX_BIN: nginx.bin,
      NGINX_CONF: nginx.confPath,
      NGINX_SITES_DIR: nginx.sitesDir,
      ...(nginx.workerUser ? { NGINX_WORKER_USER: nginx.workerUser } : {}),
      SITES_ROOT: join(home, 'www'),
      STATE_DIR: join(home, 'state'),
      ACCESS_LOG_DIR: join(home, 'logs'),
      SITE_HTTP_PORT: String(httpPort),
      SITE_HTTPS_PORT: String(httpsPort),
      SITE_LISTEN_ADDRESS: nginx.listenAddress,
    },
  };
}

/** Only the agent's own settings: nothing inherited from this process (which has a database). */
function startAgent(agent: Agent): void {
  const args = process.env.BENCH_AGENT_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_AGENT_CPU_PROF}`, MAIN] : [MAIN];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...agent.settings }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    agent.output.push(chunk.toString());
    if (agent.output.length > 200) agent.output.splice(0, 100);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  agent.process = child;
}

async function stopAgent(agent: Agent, signal: NodeJS.Signals): Promise<void> {
  const child = agent.process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function startChild(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitHealthy(port, child);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
