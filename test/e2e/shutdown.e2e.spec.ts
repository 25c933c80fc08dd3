import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../scripts/lib/ports.js';
import { waitHealthy } from '../../scripts/lib/wait-healthy.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env.js';
import { eventually, startTestApp, TestApp } from '../support/test-app.js';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'main.js');

/**
 * A deploy's SIGTERM arrives while a request is in hand (here: held up by a
 * table lock the test owns). The service stops taking connections, answers
 * that request in full, and only then closes its database and exits 0.
 */
describe('stopping the service (e2e: the built service as its own process)', () => {
  let seed: TestApp;
  let service: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    seed = await startTestApp(); // only to mint a staff token in the shared test database
    port = await freePort();
  });
  afterAll(async () => {
    service?.kill('SIGKILL');
    await seed?.close();
  });

  function start(): ChildProcess {
    return spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        ROLE: 'api',
        PORT: String(port),
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL: TEST_REDIS_URL,
        CRONS_ENABLED: 'false',
        SECRETS_KEY: randomBytes(32).toString('base64'),
        SHUTDOWN_GRACE_SECONDS: '20',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  it('on SIGTERM answers the request in hand, refuses new connections, and exits 0', async () => {
    service = start();
    const output: string[] = [];
    service.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(port, service).catch((error: Error) => {
      throw new Error(`the service did not come up: ${error.message}\n${output.join('')}`);
    });

    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query('LOCK TABLE members IN ACCESS EXCLUSIVE MODE');
      const inHand = fetch(`${url}/api/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${seed.staffToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Mid-deploy', contactEmail: 'mid-deploy@example.org' }),
      });
      // The insert is waiting on our lock: the request is truly in hand.
      await eventually(async () => {
        const waiting = await seed.prisma.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO%members%'`;
        expect(waiting[0].n).toBe(1);
      });

      const exited = once(service, 'exit');
      service.kill('SIGTERM');
      await eventually(() => expect(fetch(`${url}/health`)).rejects.toThrow(/fetch failed/));

      await db.query('COMMIT');
      const answer = await inHand;
      expect(answer.status).toBe(201);
      const member = (await answer.json()) as { id: string };
      expect(await seed.prisma.member.findUnique({ where: { id: member.id } })).not.toBeNull();
      expect((await exited)[0]).toBe(0);
      service = undefined;
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
      await db.end();
    }
  });
});
