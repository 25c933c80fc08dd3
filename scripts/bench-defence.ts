/**
 * Under-attack benchmark (issue 11), loopback only. For each level (off,
 * guarded, challenge) in one run, against a real nginx rendering hostkeeper's
 * own vhost: a visitor from 127.0.0.3 reads pages at a human-ish pace, first
 * alone (idle), then while a flood from 127.0.0.2 (its own thread, keep-alive
 * connections) hammers the site. Prints how many flood requests reached the
 * site's content, the visitor's success rate and p50/p99.
 *
 *   npm run bench:defence        (VISITS=200 per phase, one every PACE_MS=110, FLOOD_CONNECTIONS=32)
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Agent } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadConfig } from '../src/config/config.js';
import { FilesAdapter } from '../src/core/adapters/files.adapter.js';
import { NginxAdapter } from '../src/core/adapters/nginx.adapter.js';
import { ProcessRunner } from '../src/core/adapters/process.adapter.js';
import { CHALLENGE_HTML, defenceDir, NJS_MODULE, passKeyConf, passKeyFile, POW_JS } from '../src/web/defence-assets.js';
import type { DefenceLevelName } from '../src/web/defence.renderer.js';
import { renderVhost } from '../src/web/vhost.renderer.js';
import { startNginx } from './lib/nginx-instance.js';
import { freePorts } from './lib/ports.js';
import { earnPass, visit } from './lib/visitor.js';

const VISITS = Number(process.env.VISITS ?? 200);
const PACE_MS = Number(process.env.PACE_MS ?? 110);
/** Requests before the timed ones: the first connection's setup is not what a reading visitor waits for. */
const WARM_UP = 5;
const FLOOD_CONNECTIONS = Number(process.env.FLOOD_CONNECTIONS ?? 32);
/** Bounds the flood whatever happens to the visitor. */
const FLOOD_MAX_REQUESTS = 2_000_000;
const FLOOD_MAX_MS = 60_000;
const FLOOD = '127.0.0.2';
const VISITOR = '127.0.0.3';
const HOST = 'bench.defence.test';
const MARKER = 'HK-BENCH-CONTENT';
const LEVELS: DefenceLevelName[] = ['off', 'guarded', 'challenge'];
/** hostkeeper's defaults (DEFENCE_RATE_PER_SECOND, DEFENCE_BURST, DEFENCE_CONNECTIONS). */
const LIMITS = loadConfig({ ...process.env, SECRETS_KEY: randomBytes(32).toString('base64') }).defence;

interface FloodResult {
  sent: number;
  reachedContent: number;
  statuses: Record<string, number>;
}

interface Phase {
  ok: number;
  total: number;
  p50: number;
  p99: number;
}

if (!isMainThread) void floodThread();
else
  main().catch((error: Error) => {
    console.error(error);
    process.exit(1);
  });

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hostkeeper-bench-defence-'));
  const [httpPort, httpsPort] = await freePorts(2);
  const stateDir = join(dataDir, 'state');
  const nginx = await startNginx({ dataDir: join(dataDir, 'nginx'), httpPort, httpsPort, sitesDir: join(dataDir, 'nginx.d'), challengeDir: join(stateDir, 'acme-challenges') });
  const files = new FilesAdapter();
  const adapter = new NginxAdapter({ bin: nginx.bin, conf: nginx.confPath, sitesDir: nginx.sitesDir, reloadWindowMs: 10 }, new ProcessRunner(), files);
  try {
    const documentRoot = join(dataDir, 'www', HOST, 'public');
    await fs.mkdir(documentRoot, { recursive: true });
    await fs.writeFile(join(documentRoot, 'index.html'), `<!doctype html><title>${HOST}</title><p>${MARKER}</p>${'<p>campaign text</p>'.repeat(200)}`);
    await writeDefenceFiles(files, stateDir);
    const rows: Array<{ level: string; idle: Phase; attacked: Phase; flood: FloodResult }> = [];
    for (const level of LEVELS) {
      await adapter.applySite(HOST, vhost(level, documentRoot, stateDir, nginx.listenAddress, httpPort, httpsPort));
      const pass = level === 'challenge' ? await earnPass(HOST, { port: httpPort, from: VISITOR }) : undefined;
      const idle = await visitorRun(httpPort, pass);
      const flood = startFlood(httpPort);
      const attacked = await visitorRun(httpPort, pass);
      const floodResult = await flood.stop();
      rows.push({ level, idle, attacked, flood: floodResult });
      console.log(`${level}: done`);
    }
    report(rows);
  } finally {
    await nginx.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

function vhost(level: DefenceLevelName, documentRoot: string, stateDir: string, address: string, httpPort: number, httpsPort: number): string {
  const dirs = defenceDir(stateDir);
  return renderVhost({
    siteKey: HOST,
    domains: [HOST],
    documentRoot,
    stateDir,
    accessLogDir: join(stateDir, 'logs'),
    loggingMode: 'off',
    listenAddresses: [address],
    httpPort,
    httpsPort,
    defence: { level, exemptPaths: [], shieldRanges: [], modulePath: dirs.module, pagesDir: dirs.pages, limits: LIMITS, ...(level === 'challenge' ? { keyFile: passKeyFile(stateDir, HOST) } : {}) },
  });
}

/** What hostkeeper's worker writes for a defended site (see src/web/defence-files.ts). */
async function writeDefenceFiles(files: FilesAdapter, stateDir: string): Promise<void> {
  const dirs = defenceDir(stateDir);
  await files.ensureDir(dirs.pages);
  await files.writeAtomic(dirs.module, NJS_MODULE);
  await files.writeAtomic(join(dirs.pages, 'challenge.html'), CHALLENGE_HTML);
  await files.writeAtomic(join(dirs.pages, 'pow.js'), POW_JS);
  await files.ensureDir(dirs.keys, 0o700);
  await files.writeAtomic(passKeyFile(stateDir, HOST), passKeyConf(randomBytes(32).toString('base64url')), 0o600);
}

/** The visitor: one page every PACE_MS on keep-alive connections, as a browser would. */
async function visitorRun(port: number, pass: string | undefined): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const timings: number[] = [];
  let ok = 0;
  for (let i = 0; i < WARM_UP; i += 1) await visit(HOST, { port, from: VISITOR, cookie: pass, agent }).catch(() => undefined);
  for (let i = 0; i < VISITS; i += 1) {
    const started = performance.now();
    const res = await visit(HOST, { port, from: VISITOR, cookie: pass, agent }).catch(() => undefined);
    timings.push(performance.now() - started);
    if (res?.status === 200 && res.body.includes(MARKER)) ok += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, PACE_MS - (performance.now() - started))));
  }
  agent.destroy();
  timings.sort((a, b) => a - b);
  const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))];
  return { ok, total: VISITS, p50: at(0.5), p99: at(0.99) };
}

function startFlood(port: number): { stop(): Promise<FloodResult> } {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { port } });
  const result = new Promise<FloodResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const outcome = await result;
      await worker.terminate();
      return outcome;
    },
  };
}

/** The flood: FLOOD_CONNECTIONS keep-alive loops from 127.0.0.2 without a pass, until told to stop or out of bounds. */
async function floodThread(): Promise<void> {
  const { port } = workerData as { port: number };
  const agent = new Agent({ keepAlive: true, maxSockets: FLOOD_CONNECTIONS });
  const result: FloodResult = { sent: 0, reachedContent: 0, statuses: {} };
  const deadline = Date.now() + FLOOD_MAX_MS;
  let stopped = false;
  parentPort!.once('message', () => (stopped = true));
  const loop = async () => {
    while (!stopped && result.sent < FLOOD_MAX_REQUESTS && Date.now() < deadline) {
      result.sent += 1;
      const res = await visit(HOST, { port, from: FLOOD, agent }).catch(() => undefined);
      const status = String(res?.status ?? 'error');
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      if (res?.status === 200 && res.body.includes(MARKER)) result.reachedContent += 1;
    }
  };
  await Promise.all(Array.from({ length: FLOOD_CONNECTIONS }, loop));
  agent.destroy();
  parentPort!.postMessage(result);
}

function report(rows: Array<{ level: string; idle: Phase; attacked: Phase; flood: FloodResult }>): void {
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  console.log(`\nflood from ${FLOOD} (${FLOOD_CONNECTIONS} keep-alive connections), visitor from ${VISITOR} (${VISITS} pages, one per ${PACE_MS} ms), one nginx worker`);
  console.log('| level | flood requests | reached content | visitor ok (idle / flood) | visitor p50 idle → flood | visitor p99 idle → flood |');
  console.log('|---|---|---|---|---|---|');
  for (const { level, idle, attacked, flood } of rows) {
    const share = flood.sent ? ((100 * flood.reachedContent) / flood.sent).toFixed(2) : '0';
    console.log(
      `| ${level} | ${flood.sent} (${Object.entries(flood.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')}) | ${flood.reachedContent} (${share} %) | ${idle.ok}/${idle.total} / ${attacked.ok}/${attacked.total} | ${ms(idle.p50)} → ${ms(attacked.p50)} | ${ms(idle.p99)} → ${ms(attacked.p99)} |`,
    );
  }
  const challenge = rows.find((row) => row.level === 'challenge')!;
  const blocked = challenge.flood.sent ? 1 - challenge.flood.reachedContent / challenge.flood.sent : 1;
  const meets = blocked >= 0.99 && challenge.attacked.ok === challenge.attacked.total && challenge.attacked.p99 <= 2 * challenge.idle.p99;
  console.log(`goal (challenge): >= 99 % of flood requests kept from the content (${(100 * blocked).toFixed(2)} %), visitor 100 % (${challenge.attacked.ok}/${challenge.attacked.total}), p99 <= 2x idle p99 (${ms(challenge.attacked.p99)} vs ${ms(challenge.idle.p99)})`);
  console.log(`result: ${meets ? 'meets' : 'misses'} the goal`);
}
