import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { ClientRequest, get, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { forgetBackupSecrets } from '../support/backup-secrets.js';
import { closeLeftoverOperations } from '../support/suite-leftovers.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { testConfig, TEST_REDIS_URL } from '../support/test-env.js';

const CAP = 20;

/** restic processes started by this test process (the app runs in it), by pid. */
function resticChildren(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => /\brestic\b.*\bdump\b/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

interface Open {
  request: ClientRequest;
  response: IncomingMessage;
}

describe('downloads end cleanly (e2e: real restic dump, clients that go away)', () => {
  let dir: string;
  let t: TestApp;
  let url: (path: string) => string;
  let siteId: string;
  let memberToken: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'hk-downloads-'));
    const redis = new Redis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    t = await startTestApp(
      testConfig({ ROLE: 'all', CRONS_ENABLED: 'false', DOWNLOADS_PER_MEMBER: String(CAP), STATE_DIR: join(dir, 'state'), SITES_ROOT: join(dir, 'www'), BACKUP_TARGET: join(dir, 'backups') }),
    );
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    url = (path) => `http://127.0.0.1:${port}${path}`;
    const staff = bearer(t.staffToken);
    const member = (await t.http.post('/api/members').set(staff).send({ name: 'Dl', contactEmail: 'dl@example.org' }).expect(201)).body;
    const site = (await t.http.post('/api/sites').set(staff).send({ memberId: member.id, domains: ['downloads.example'] }).expect(201)).body;
    siteId = site.id;
    memberToken = await t.token('member', member.id);
    await fs.mkdir(site.documentRoot, { recursive: true });
    // Incompressible and larger than the socket buffers, so a dump nobody reads stays blocked, alive.
    await fs.writeFile(join(site.documentRoot, 'big.bin'), randomBytes(24 * 1024 * 1024));
    await t.http.put(`/api/sites/${siteId}/backup-policy`).set(staff).send({ enabled: true }).expect(200);
    const { operationId } = (await t.http.post(`/api/sites/${siteId}/backups`).set(staff).expect(202)).body;
    await eventually(async () => expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: operationId } })).status).toBe('succeeded'), 90_000);
  }, 120_000);

  afterAll(async () => {
    if (t) await closeLeftoverOperations(t.prisma);
    if (t) await forgetBackupSecrets(t.prisma);
    await t?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function open(): Promise<Open> {
    return new Promise((resolve, reject) => {
      const request = get(url(`/api/sites/${siteId}/backups/latest/download`), { headers: bearer(memberToken) }, (response) => {
        if (response.statusCode !== 200) return resolve({ request, response });
        // Read the first chunk, then stop reading: a client on a stalled connection.
        response.once('data', () => {
          response.pause();
          resolve({ request, response });
        });
      });
      request.on('error', reject);
    });
  }

  it(`${CAP} downloads run at once; one more gets 429 with Retry-After; aborting them leaves no restic process behind`, async () => {
    const downloads = await Promise.all(Array.from({ length: CAP }, () => open()));
    expect(downloads.map((d) => d.response.statusCode)).toEqual(Array(CAP).fill(200));
    expect(resticChildren().length).toBe(CAP);

    const refused = await t.http.get(`/api/sites/${siteId}/backups/latest/download`).set(bearer(memberToken)).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.stringify(refused.body.details)).toContain('downloads');

    for (const { request } of downloads) request.destroy();
    await eventually(async () => expect(resticChildren()).toEqual([]), 20_000);

    // Every slot came back: a whole download goes through and is a tar holding the file.
    const whole = await t.http.get(`/api/sites/${siteId}/backups/latest/download`).set(bearer(memberToken)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect((whole.body as Buffer).length).toBeGreaterThan(24 * 1024 * 1024);
    expect((whole.body as Buffer).subarray(257, 262).toString()).toBe('ustar');
  }, 120_000);
});
