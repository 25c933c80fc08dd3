import { Logger, LoggerService, LogLevel } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { SESSION_COOKIE } from '../../src/core/auth/session.service.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';
import { FuzzRequest, OpenApiDocument, RequestFuzzer, seededRandom } from '../support/openapi-fuzz.js';

/** FUZZ_SEED=n reproduces a run; the default keeps CI deterministic. */
const SEED = Number(process.env.FUZZ_SEED ?? 9);
const PER_OPERATION = Number(process.env.FUZZ_PER_OPERATION ?? 22);
const TIME_LIMIT_MS = 5_000;
/** Identical requests sent at once per changing operation: races must end in 409s, not 500s. */
const STORM = 6;
/** Served routes the document does not describe (the console's assets), probed with names inherited from Object. */
const UNDOCUMENTED = ['/', '/ui/constructor', '/ui/__proto__', '/ui/toString', '/ui/vendor/hasOwnProperty', '/ui/%2e%2e%2fpackage.json', '/ui/vendor/..%2f..%2fpackage.json', '/docs/openapi.json'];

/** An address no test request comes from: if it shows up in a log, a header was logged. */
const VISITOR_ADDRESS = '203.0.113.77';

interface Outcome {
  request: FuzzRequest;
  caller: string;
  status: number | 'hang' | 'network error';
  ms: number;
  body: string;
}

/**
 * Requests generated from the app's own /docs/openapi.json against the real app on Postgres and
 * Redis, as installed on one server (ROLE=all: its own web host's agent answers what the disk holds).
 */
describe('API fuzz from the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let stack: WebStack;
  let baseUrl: string;
  const logLines: string[] = [];
  const outcomes: Outcome[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false' } });
    t = await startTestApp(stack.config);
    t.app.useLogger(capturingLogger(logLines));
    Logger.overrideLogger(['log', 'warn', 'error', 'debug', 'verbose']);
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  }, 60_000);

  it('answers every generated request with 2xx or 4xx, in time, and logs no secret or address', async () => {
    const document = (await (await fetch(`${baseUrl}/docs/openapi.json`)).json()) as OpenApiDocument;
    const ids = await seedData();
    const fuzzer = new RequestFuzzer(document, SEED);
    const callerRandom = seededRandom(SEED + 1);
    const operations = fuzzer.operations();
    expect(operations.length).toBeGreaterThan(40);

    for (const operation of operations) {
      for (let i = 0; i < PER_OPERATION; i++) {
        const caller = pickCaller(callerRandom(), ids.tokens);
        const known = caller.name === 'member-a' ? ids.ownedByA : ids.all;
        const request = fuzzer.next(operation, { known });
        outcomes.push(await send(request, caller));
      }
    }
    for (const operation of operations.filter((op) => op.method !== 'GET')) {
      for (const caller of [pickCaller(0, ids.tokens), pickCaller(0.4, ids.tokens)]) {
        const request = fuzzer.shaped(operation, { known: ids.storm });
        outcomes.push(...(await Promise.all(Array.from({ length: STORM }, () => send(request, caller)))));
      }
    }
    for (const url of UNDOCUMENTED) {
      const caller = pickCaller(callerRandom(), ids.tokens);
      outcomes.push(await send({ operation: `GET ${url}`, method: 'GET', url, headers: {}, mutation: 'undocumented route' }, caller));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));

    console.log(summary(outcomes));
    if (process.env.FUZZ_OUTCOMES) await writeFile(process.env.FUZZ_OUTCOMES, JSON.stringify(outcomes.map((o) => ({ ...o, line: describeOutcome(o) })), null, 1));
    expect(outcomes.length).toBeGreaterThanOrEqual(1000);
    for (const operation of operations) {
      expect(outcomes.filter((o) => o.request.operation === `${operation.method} ${operation.path}`).length).toBeGreaterThanOrEqual(PER_OPERATION);
    }
    const bad = outcomes.filter((o) => typeof o.status !== 'number' || o.status >= 500 || o.status < 200 || o.ms > TIME_LIMIT_MS);
    expect(bad.map(describeOutcome)).toEqual([]);

    const log = logLines.join('\n');
    for (const secret of [...secrets, ...collectIssuedTokens()]) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/PRIVATE KEY/);
    expect(log).not.toContain(VISITOR_ADDRESS);
    expect(log).not.toMatch(/\b127\.0\.0\.1\b|::ffff:/);
  }, 180_000);

  async function seedData() {
    const member = async (name: string) =>
      (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name, contactEmail: `${name}@example.org` })).body.id as string;
    const site = async (memberId: string, domain: string) => {
      const res = await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId, domains: [domain] });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const memberA = await member('a');
    const memberB = await member('b');
    const siteA = await site(memberA, 'fuzz-a.test');
    const siteB = await site(memberB, 'fuzz-b.test');
    const tokens = {
      staff: t.staffToken,
      memberA: await t.token('member', memberA),
      memberB: await t.token('member', memberB),
      legal: await t.token('legal'),
    };
    secrets.push(...Object.values(tokens), t.config.secretsKey.toString('base64'));
    const operation = await t.prisma.operation.findFirstOrThrow({ where: { siteId: siteA } });
    const someUuid = '6f1c2b8e-1a7d-4c3e-9a55-0d2a6f0e9b11';
    return {
      tokens,
      ownedByA: { id: [siteA, operation.id], snapshotId: ['latest', 'abcdef12', someUuid], passkeyId: [someUuid] },
      storm: { id: [siteA], snapshotId: ['latest'], passkeyId: [someUuid], memberId: [memberA] },
      all: { id: [siteA, siteB, memberA, memberB, operation.id, someUuid], snapshotId: ['latest', 'abcdef12', '0'.repeat(64)], passkeyId: [someUuid] },
    };
  }

  async function send(request: FuzzRequest, caller: Caller): Promise<Outcome> {
    const headers: Record<string, string> = { ...request.headers, 'x-forwarded-for': VISITOR_ADDRESS, 'x-real-ip': VISITOR_ADDRESS, ...caller.headers };
    const started = Date.now();
    try {
      const res = await fetch(`${baseUrl}${request.url}`, {
        method: request.method,
        headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIME_LIMIT_MS + 1_000),
      });
      const body = await res.text();
      return { request, caller: caller.name, status: res.status, ms: Date.now() - started, body };
    } catch (error) {
      const hang = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return { request, caller: caller.name, status: hang ? 'hang' : 'network error', ms: Date.now() - started, body: String(error) };
    }
  }

  function collectIssuedTokens(): string[] {
    return outcomes.flatMap((o) => {
      if (o.status !== 201 || !o.request.operation.includes('/api/tokens')) return [];
      try {
        const token = (JSON.parse(o.body) as { token?: unknown }).token;
        return typeof token === 'string' ? [token] : [];
      } catch {
        return [];
      }
    });
  }
});

interface Caller {
  name: string;
  headers: Record<string, string>;
}

function pickCaller(roll: number, tokens: { staff: string; memberA: string; memberB: string; legal: string }): Caller {
  if (roll < 0.3) return { name: 'staff', headers: bearer(tokens.staff) };
  if (roll < 0.55) return { name: 'member-a', headers: bearer(tokens.memberA) };
  if (roll < 0.65) return { name: 'legal', headers: bearer(tokens.legal) };
  if (roll < 0.8) return { name: 'anonymous', headers: {} };
  if (roll < 0.85) return { name: 'session cookie', headers: { cookie: `${SESSION_COOKIE}=${'%00'.repeat(20)}; ${SESSION_COOKIE}=x`, 'x-csrf-token': 'x' } };
  const garbage = ['Bearer ', 'Bearer abc', 'Basic YTpi', `Bearer ${'x'.repeat(5000)}`, 'Bearer __proto__', 'bearer  two  spaces', `Bearer ${tokens.memberB}x`];
  return { name: 'garbage token', headers: { authorization: garbage[Math.floor(roll * 1000) % garbage.length] } };
}

function summary(outcomes: Outcome[]): string {
  const byStatus = new Map<string, number>();
  for (const o of outcomes) byStatus.set(String(o.status), (byStatus.get(String(o.status)) ?? 0) + 1);
  const slowest = Math.max(...outcomes.map((o) => o.ms));
  const rows = [...byStatus.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([status, count]) => `  ${status}: ${count}`);
  return [`fuzz (seed ${SEED}): ${outcomes.length} requests, slowest ${slowest} ms`, ...rows].join('\n');
}

function describeOutcome(o: Outcome): string {
  return `${o.status} in ${o.ms} ms — ${o.request.method} ${o.request.url.slice(0, 120)} as ${o.caller}; ${o.request.mutation}; ${o.body.slice(0, 200)}`;
}

function capturingLogger(lines: string[]): LoggerService {
  const keep = (level: string) => (message: unknown, ...rest: unknown[]) => {
    lines.push(`${level} ${[message, ...rest].map((part) => (part instanceof Error ? part.stack : typeof part === 'string' ? part : JSON.stringify(part))).join(' ')}`);
  };
  return {
    log: keep('log'),
    warn: keep('warn'),
    error: keep('error'),
    debug: keep('debug'),
    verbose: keep('verbose'),
    fatal: keep('fatal'),
    setLogLevels: (_levels: LogLevel[]) => undefined,
  };
}
