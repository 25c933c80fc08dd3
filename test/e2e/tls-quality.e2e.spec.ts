import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { gradeFromTestssl } from '../../scripts/lib/tls-grade.js';
import { bearer, eventually, startTestApp, TestApp } from '../support/test-app.js';
import { startWebStack, WebStack } from '../support/web-stack.js';

describe('TLS grade from testssl findings (SSL Labs rules)', () => {
  const good = [
    { id: 'SSLv2', severity: 'OK', finding: 'not offered' },
    { id: 'SSLv3', severity: 'OK', finding: 'not offered' },
    { id: 'TLS1', severity: 'INFO', finding: 'not offered' },
    { id: 'TLS1_1', severity: 'INFO', finding: 'not offered' },
    { id: 'TLS1_2', severity: 'OK', finding: 'offered' },
    { id: 'TLS1_3', severity: 'OK', finding: 'offered with final' },
    { id: 'FS', severity: 'OK', finding: 'offered' },
    { id: 'cert_chain_of_trust', severity: 'OK', finding: 'passed.' },
    { id: 'HSTS_time', severity: 'OK', finding: '730 days (=63072000 seconds) > 15552000 seconds' },
  ];
  const without = (id: string) => good.filter((finding) => finding.id !== id);

  it('gives A+ with HSTS of 6 months or more and no warnings, A without HSTS', () => {
    expect(gradeFromTestssl(good).grade).toBe('A+');
    expect(gradeFromTestssl([...without('HSTS_time'), { id: 'HSTS', severity: 'LOW', finding: 'not offered' }]).grade).toBe('A');
    expect(gradeFromTestssl([...without('HSTS_time'), { id: 'HSTS_time', severity: 'LOW', finding: '30 days (=2592000 seconds) < 15552000 seconds' }]).grade).toBe('A');
  });

  it('caps as SSL Labs does: no TLS 1.3 at A-, TLS 1.0 at B, 3DES at C, SSLv3 fails, an untrusted chain is T', () => {
    expect(gradeFromTestssl([...without('TLS1_3'), { id: 'TLS1_3', severity: 'INFO', finding: 'not offered' }]).grade).toBe('A-');
    expect(gradeFromTestssl([...without('TLS1'), { id: 'TLS1', severity: 'LOW', finding: 'offered (deprecated)' }]).grade).toBe('B');
    expect(gradeFromTestssl([...good, { id: 'cipherlist_3DES_IDEA', severity: 'MEDIUM', finding: 'offered' }]).grade).toBe('C');
    expect(gradeFromTestssl([...without('SSLv3'), { id: 'SSLv3', severity: 'CRITICAL', finding: 'offered (NOT ok)' }]).grade).toBe('F');
    expect(gradeFromTestssl([...without('cert_chain_of_trust'), { id: 'cert_chain_of_trust', severity: 'CRITICAL', finding: 'failed (chain incomplete).' }]).grade).toBe('T');
  });
});

/** `npm run check:tls` (Debian's testssl.sh 3.0.8) against sites served by the real nginx with pebble certificates. */
describe('npm run check:tls against served sites', () => {
  let stack: WebStack;
  let t: TestApp;
  const processes = new ProcessRunner();

  beforeAll(async () => {
    stack = await startWebStack({ env: { ROLE: 'all', CRONS_ENABLED: 'false' } });
    t = await startTestApp(stack.config);
  });
  afterAll(async () => {
    await t?.close();
    await stack?.stop();
  });

  async function served(domain: string, hsts: boolean): Promise<void> {
    const member = (await t.http.post('/api/members').set(bearer(t.staffToken)).send({ name: domain, contactEmail: 'tls@example.org' })).body.id;
    const siteId = (await t.http.post('/api/sites').set(bearer(t.staffToken)).send({ memberId: member, domains: [domain] })).body.id;
    const operationId = (await t.http.post(`/api/sites/${siteId}/https`).set(bearer(t.staffToken)).send({ hsts })).body.operationId;
    await eventually(async () => expect((await t.prisma.operation.findUniqueOrThrow({ where: { id: operationId } })).status).toBe('succeeded'), 60_000, 200);
  }

  const checkTls = async (domain: string) =>
    (
      await processes.runChecked(
        'node',
        [join(process.cwd(), 'dist/scripts/check-tls.js'), domain, '--port', String(stack.config.siteHttpsPort), '--address', '127.0.0.1', '--ca', stack.rootPath],
        { timeoutMs: 15 * 60_000 },
      )
    ).stdout.trim();

  it('grades A+ with HSTS and A without (Mozilla intermediate, TLS 1.2 and 1.3, no stapling)', async () => {
    await served('hsts.test', true);
    await served('plain.test', false);
    expect(await checkTls('hsts.test')).toBe(`hsts.test:${stack.config.siteHttpsPort} grade A+`);
    expect(await checkTls('plain.test')).toMatch(new RegExp(`^plain\\.test:${stack.config.siteHttpsPort} grade A \\(no HSTS`));
    const vhost = await readFile(join(stack.config.nginx.sitesDir, 'hsts.test.conf'), 'utf8');
    expect(vhost).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
    expect(vhost).not.toMatch(/ssl_stapling/);
  }, 20 * 60_000);
});
