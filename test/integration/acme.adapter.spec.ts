import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcmeAdapter, AcmeError, IssueRequest, ariCertId } from '../../src/core/adapters/acme.adapter.js';
import { FilesAdapter } from '../../src/core/adapters/files.adapter.js';
import { NginxAdapter } from '../../src/core/adapters/nginx.adapter.js';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { NginxInstance, startNginx } from '../../scripts/lib/nginx-instance.js';
import { AriProxy, startAriProxy } from '../../scripts/lib/ari-proxy.js';
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
    for (const issued of await Promise.all(orders)) await shared.renewalInfo(issued.ariCertId);

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
    expect(issued.ariCertId).toBe(ariCertId(issued.certificatePem));
    await expect(acme.renewalInfo(issued.ariCertId)).resolves.toBeUndefined();
  });

  describe('behind the ARI/profiles proxy (what Let\'s Encrypt offers and pebble 2.4 lacks)', () => {
    let proxy: AriProxy;
    let viaProxy: AcmeAdapter;
    let proxied: { accountKeyPem: string; accountUrl: string };

    beforeAll(async () => {
      proxy = await startAriProxy({ upstream: new URL(pebble.directoryUrl).origin, tlsCertPem: pebble.caBundlePem, tlsKeyPem: pebble.tlsKeyPem });
      viaProxy = new AcmeAdapter({ directoryUrl: proxy.directoryUrl, caBundlePem: pebble.caBundlePem });
      proxied = await registerAccount(viaProxy);
    });
    afterAll(() => proxy?.stop());

    it('lists the profiles of the directory and sends profile and replaces on the order', async () => {
      expect(Object.keys(await viaProxy.profiles())).toEqual(['classic', 'tlsserver', 'shortlived']);
      const before = proxy.orders.length;
      const first = await viaProxy.issue({ ...proxied, domains: ['replaced.test'], keyType: 'ecdsa', profile: 'tlsserver', ...challenges() });
      const between = proxy.orders.length;
      const second = await viaProxy.issue({ ...proxied, domains: ['replaced.test'], keyType: 'ecdsa', profile: 'tlsserver', replaces: first.ariCertId, ...challenges() });

      expect(second.replacesSent).toBe(true);
      // pebble rejects some nonces on purpose and a rejected newOrder is sent again: count each issue's orders, not the last two
      const firstOrders = proxy.orders.slice(before, between);
      const secondOrders = proxy.orders.slice(between);
      expect(firstOrders.length).toBeGreaterThan(0);
      expect(secondOrders.length).toBeGreaterThan(0);
      for (const order of firstOrders) expect(order).toEqual({ identifiers: ['replaced.test'], profile: 'tlsserver' });
      for (const order of secondOrders) expect(order).toEqual({ identifiers: ['replaced.test'], profile: 'tlsserver', replaces: first.ariCertId });
    });

    it('orders again without replaces when the CA refuses it', async () => {
      const first = await viaProxy.issue({ ...proxied, domains: ['fallback.test'], keyType: 'ecdsa', ...challenges() });
      proxy.refuseReplaces = true;
      try {
        const second = await viaProxy.issue({ ...proxied, domains: ['fallback.test'], keyType: 'ecdsa', replaces: first.ariCertId, ...challenges() });
        expect(second.replacesSent).toBe(false);
        expect(second.serial).not.toBe(first.serial);
        expect(proxy.orders.slice(-2).map((order) => order.refused ?? 'sent')).toEqual(['replaces', 'sent']);
      } finally {
        proxy.refuseReplaces = false;
      }
    });

    it("reads the CA's window, explanation and Retry-After for one certificate", async () => {
      const issued = await viaProxy.issue({ ...proxied, domains: ['window.test'], keyType: 'ecdsa', ...challenges() });
      const start = new Date(Date.now() - 3_600_000);
      const end = new Date(Date.now() - 60_000);
      proxy.setWindow(issued.ariCertId, { start, end, explanationURL: 'https://ca.example/incident', retryAfterSeconds: 120 });

      await expect(viaProxy.renewalInfo(issued.ariCertId)).resolves.toEqual({
        window: { start, end, explanationUrl: 'https://ca.example/incident' },
        retryAfterSeconds: 120,
      });
    });

    it("carries the CA's Retry-After on a rateLimited refusal", async () => {
      proxy.rateLimitOrders = 1800;
      try {
        const failure = await viaProxy.issue({ ...proxied, domains: ['busy.test'], keyType: 'ecdsa', ...challenges() }).catch((error: unknown) => error);
        expect(failure).toMatchObject({ permanent: false, type: 'urn:ietf:params:acme:error:rateLimited' });
        const wait = ((failure as AcmeError).retryAt?.getTime() ?? 0) - Date.now();
        expect(wait).toBeGreaterThan(1790_000);
        expect(wait).toBeLessThanOrEqual(1800_000);
      } finally {
        proxy.rateLimitOrders = undefined;
      }
    });
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
