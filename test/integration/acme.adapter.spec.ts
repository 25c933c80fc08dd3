import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcmeAdapter, AcmeError, IssueRequest, ariCertId } from '../../src/core/adapters/acme.adapter.js';
import { FilesAdapter } from '../../src/core/adapters/files.adapter.js';
import { NginxAdapter } from '../../src/core/adapters/nginx.adapter.js';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { NginxInstance, startNginx } from '../../scripts/lib/nginx-instance.js';
import { PebbleHandle, startPebble } from '../../scripts/lib/pebble.js';
import { freePorts } from '../../scripts/lib/ports.js';

/** Real pebble issuing, real nginx serving the HTTP-01 challenges and the resulting certificates. */
describe('AcmeAdapter against pebble', () => {
  const files = new FilesAdapter();
  const processes = new ProcessRunner();
  let dataDir: string;
  let nginx: NginxInstance;
  let sites: NginxAdapter;
  let pebble: PebbleHandle;
  let acme: AcmeAdapter;
  let account: { accountKeyPem: string; accountUrl: string };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hostkeeper-acme-'));
    const [httpPort, httpsPort] = await freePorts(2);
    nginx = await startNginx({ dataDir: join(dataDir, 'nginx'), httpPort, httpsPort, sitesDir: join(dataDir, 'sites') });
    sites = new NginxAdapter({ bin: nginx.bin, conf: nginx.confPath, sitesDir: nginx.sitesDir, reloadWindowMs: 50 }, processes, files);
    pebble = await startPebble({ dataDir: join(dataDir, 'pebble'), httpPort });
    acme = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, caBundlePem: pebble.caBundlePem, contactEmail: 'ops@example.org' });
    account = await registerAccount(acme);
  });

  afterAll(async () => {
    await pebble?.stop();
    await nginx?.stop();
    if (dataDir && !process.env.KEEP_TEST_DIRS) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const challenges = (): Pick<IssueRequest, 'writeChallenge' | 'removeChallenge'> => ({
    writeChallenge: (token, keyAuthorization) => files.writeAtomic(join(nginx.challengeDir, token), keyAuthorization),
    removeChallenge: (token) => files.remove(join(nginx.challengeDir, token)),
  });

  it('issues one certificate for two domains that nginx then serves', async () => {
    const domains = ['site1.test', 'www.site1.test'];
    const issued = await acme.issue({ ...account, domains, keyType: 'ecdsa', ...challenges() });

    expect(issued.certificatePem.match(/BEGIN CERTIFICATE/g)?.length).toBeGreaterThanOrEqual(2);
    expect(issued.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(issued.notBefore.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(await fs.readdir(nginx.challengeDir)).toEqual([]);

    await installSite('site1.test', domains, issued);
    const rootPath = join(dataDir, 'pebble-root.pem');
    await fs.writeFile(rootPath, await pebble.fetchRootPem());
    for (const domain of domains) {
      const page = await curlHttps(rootPath, domain, nginx.httpsPort);
      expect(page).toBe(`hello from ${domains[0]}`);
    }
  });

  it('issues RSA certificates too', async () => {
    const issued = await acme.issue({ ...account, domains: ['rsa.test'], keyType: 'rsa', ...challenges() });
    expect(issued.privateKeyPem).toMatch(/BEGIN (RSA )?PRIVATE KEY/);
  });

  it('reuses a known account instead of registering again', async () => {
    await expect(acme.ensureAccount(account.accountKeyPem, account.accountUrl)).resolves.toEqual({ accountUrl: account.accountUrl });
  });

  // acme-client retries a rejected nonce 5 times; at 60% the adapter's own retries are needed too.
  it.each([30, 60])('keeps issuing when pebble rejects %i%% of nonces', async (nonceRejectPercent) => {
    const flaky = await startPebble({ dataDir: join(dataDir, `pebble-flaky-${nonceRejectPercent}`), httpPort: nginx.httpPort, nonceRejectPercent });
    try {
      const adapter = new AcmeAdapter({ directoryUrl: flaky.directoryUrl, caBundlePem: flaky.caBundlePem });
      const flakyAccount = await registerAccount(adapter);
      const orders = ['n1', 'n2', 'n3', 'n4'].map((name) =>
        adapter.issue({ ...flakyAccount, domains: [`${name}.test`, `www.${name}.test`], keyType: 'ecdsa', ...challenges() }),
      );
      expect(await Promise.all(orders)).toHaveLength(4);
    } finally {
      await flaky.stop();
    }
  });

  it('shares the directory and the nonces between orders instead of asking for them each time', async () => {
    const shared = new AcmeAdapter({ directoryUrl: pebble.directoryUrl, caBundlePem: pebble.caBundlePem });
    const logPath = join(dataDir, 'pebble', 'pebble.log');
    const logBefore = (await fs.readFile(logPath, 'utf8')).length;

    const orders = ['shared1', 'shared2', 'shared3'].map((name) =>
      shared.issue({ ...account, domains: [`${name}.test`], keyType: 'ecdsa', ...challenges() }),
    );
    for (const issued of await Promise.all(orders)) await shared.renewalInfo(issued.certificatePem);

    const requests = (await fs.readFile(logPath, 'utf8')).slice(logBefore);
    expect(requests.match(/GET \/dir /g)).toHaveLength(1);
    expect(requests.match(/HEAD \/nonce-plz /g)?.length ?? 0).toBeLessThanOrEqual(orders.length);
  });

  it('explains a domain that does not point at this server', async () => {
    await pebble.setARecord('elsewhere.test', ['127.0.0.2']);
    const failure = await acme
      .issue({ ...account, domains: ['elsewhere.test'], keyType: 'ecdsa', ...challenges() })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AcmeError);
    expect(failure).toMatchObject({ permanent: true, type: 'urn:ietf:params:acme:error:connection', domain: 'elsewhere.test' });
    expect((failure as AcmeError).message).toMatch(
      /^the CA could not reach elsewhere\.test over HTTP: the domain does not resolve to this server or port 80 is closed \(CA said: .+\)$/,
    );
    expect(await fs.readdir(nginx.challengeDir)).toEqual([]);
  });

  it('explains a challenge file that is not where the CA looks', async () => {
    const failure = await acme
      .issue({ ...account, domains: ['lost.test'], keyType: 'ecdsa', writeChallenge: async () => undefined, removeChallenge: async () => undefined })
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ permanent: true, type: 'urn:ietf:params:acme:error:unauthorized', domain: 'lost.test' });
    expect(String(failure)).not.toMatch(/PRIVATE KEY/);
  });

  it('revokes, and classifies revoking twice as permanent', async () => {
    const issued = await acme.issue({ ...account, domains: ['revoked.test'], keyType: 'ecdsa', ...challenges() });
    await acme.revoke(account.accountKeyPem, account.accountUrl, issued.certificatePem);
    await expect(acme.revoke(account.accountKeyPem, account.accountUrl, issued.certificatePem)).rejects.toMatchObject({
      permanent: true,
      type: 'urn:ietf:params:acme:error:alreadyRevoked',
    });
  });

  it('computes the RFC 9773 CertID and reports no renewal info when the CA offers none', async () => {
    const issued = await acme.issue({ ...account, domains: ['ari.test'], keyType: 'ecdsa', ...challenges() });
    const [keyId, serial] = await opensslAkiAndSerial(issued.certificatePem);

    expect(ariCertId(issued.certificatePem)).toBe(`${keyId.toString('base64url')}.${serial.toString('base64url')}`);
    await expect(acme.renewalInfo(issued.certificatePem)).resolves.toBeUndefined();
  });

  async function installSite(siteKey: string, domains: string[], issued: { certificatePem: string; privateKeyPem: string }) {
    const certDir = join(dataDir, 'certs', siteKey);
    await files.writeAtomic(join(certDir, 'fullchain.pem'), issued.certificatePem);
    await files.writeAtomic(join(certDir, 'privkey.pem'), issued.privateKeyPem, 0o600);
    await sites.applySite(
      siteKey,
      [
        'server {',
        `  listen ${nginx.listenAddress}:${nginx.httpsPort} ssl;`,
        `  server_name ${domains.join(' ')};`,
        `  ssl_certificate ${certDir}/fullchain.pem;`,
        `  ssl_certificate_key ${certDir}/privkey.pem;`,
        `  location / { return 200 "hello from ${siteKey}"; }`,
        '}',
      ].join('\n'),
    );
  }

  async function curlHttps(caPath: string, domain: string, port: number): Promise<string> {
    const url = `https://${domain}:${port}/`;
    const args = ['--silent', '--show-error', '--fail', '--noproxy', '*', '--cacert', caPath, '--resolve', `${domain}:${port}:127.0.0.1`, url];
    return (await processes.runChecked('curl', args, { timeoutMs: 10_000 })).stdout;
  }

  async function opensslAkiAndSerial(certPem: string): Promise<[Buffer, Buffer]> {
    const { stdout } = await processes.runChecked('openssl', ['x509', '-noout', '-serial', '-ext', 'authorityKeyIdentifier'], {
      input: certPem,
    });
    const hex = (text: string) => Buffer.from(text.replace(/[^0-9A-Fa-f]/g, ''), 'hex');
    const serialHex = /serial=([0-9A-F]+)/.exec(stdout)?.[1] ?? '';
    const serial = hex(serialHex.length % 2 ? `0${serialHex}` : serialHex);
    const derSerial = serial[0] & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial;
    const keyId = hex(/Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(stdout)?.[1] ?? '');
    return [keyId, derSerial];
  }
});

async function registerAccount(adapter: AcmeAdapter): Promise<{ accountKeyPem: string; accountUrl: string }> {
  const accountKeyPem = await adapter.createAccountKey();
  const { accountUrl } = await adapter.ensureAccount(accountKeyPem);
  return { accountKeyPem, accountUrl };
}
