import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { POW_BITS, POW_JS } from './defence-assets.js';
import { defenceId, isCidr, isExemptPath, VhostDefence } from './defence.renderer.js';
import { renderDefaultServer } from './default-server.renderer.js';
import { renderVhost, VhostInput } from './vhost.renderer.js';

const base: VhostInput = {
  siteKey: 'example.org',
  domains: ['example.org'],
  documentRoot: '/var/www/example.org/public',
  stateDir: '/var/lib/hostkeeper',
  accessLogDir: '/var/log/hostkeeper',
  loggingMode: 'off',
  listenAddresses: ['127.0.0.1'],
  httpPort: 80,
  httpsPort: 443,
};
const tls = { serial: '0A', certificatePath: '/var/lib/hostkeeper/certs/example.org/fullchain.pem', keyPath: '/var/lib/hostkeeper/certs/example.org/privkey.pem', hsts: true };
const defence = (over: Partial<VhostDefence>): VhostDefence => ({
  level: 'off',
  exemptPaths: [],
  shieldRanges: [],
  modulePath: '/var/lib/hostkeeper/defence/hk-defence.js',
  pagesDir: '/var/lib/hostkeeper/defence/pages',
  keyFile: '/var/lib/hostkeeper/defence/keys/example.org.conf',
  limits: { ratePerSecond: 10, burst: 40, connections: 20 },
  ...over,
});
const id = defenceId('example.org');

describe('defence in the vhost', () => {
  it('renders nothing for off without a shield: the file is what it was before', () => {
    expect(renderVhost({ ...base, defence: defence({ level: 'off' }) })).toBe(renderVhost(base));
  });

  it('guarded: per-site zones keyed by the client address, limits on content but not on the ACME path, refusals never logged', () => {
    const text = renderVhost({ ...base, defence: defence({ level: 'guarded' }) });
    expect(text).toContain(`limit_req_zone $binary_remote_addr zone=${id}_req:2m rate=10r/s;`);
    expect(text).toContain(`limit_conn_zone $binary_remote_addr zone=${id}_conn:2m;`);
    expect(text).toContain('limit_req_log_level info;');
    expect(text).toContain('error_page 429 @hk_too_many;');
    const acme = text.slice(text.indexOf('location ^~ /.well-known/acme-challenge/'), text.indexOf('root '));
    expect(acme).not.toContain('limit_');
    expect(text).toMatch(/location \/ \{\n\s+limit_req zone=\S+_req burst=40 nodelay;\n\s+limit_conn \S+_conn 20;\n\s+try_files/);
    expect(text).not.toContain('js_');
  });

  it('zone and variable names differ per site', () => {
    expect(defenceId('a.example')).not.toBe(defenceId('b.example'));
    expect(defenceId('a-b.example')).not.toBe(defenceId('a.b-example'));
  });

  it('challenge: the key comes from its own file, every content request is checked, exempt paths and the redirect are limited instead', () => {
    const text = renderVhost({ ...base, tls, defence: defence({ level: 'challenge', exemptPaths: ['/feed/'] }) });
    const [http, https] = text.split(/(?=server \{)/).filter((block) => block.startsWith('server'));
    expect(text).not.toMatch(/hk_pass_key "/);
    expect(https).toContain('include /var/lib/hostkeeper/defence/keys/example.org.conf;');
    expect(https).toMatch(/# njs module [0-9a-f]{12}\n/);
    expect(https).toContain(`js_set $${id}_pass hk_defence.passOk;`);
    expect(https).toContain(`if ($${id}_pass != 1) {\n            return 418;`);
    expect(https).toContain('location = /.well-known/hostkeeper-pass {');
    expect(https).toMatch(/location \^~ \/feed\/ \{\n\s+limit_req/);
    expect(http).toMatch(/location \/ \{\n\s+limit_req[^]*return 301/);
    expect(http).not.toContain('return 418');
    expect(http).not.toContain('location ^~ /feed/');
    expect(https).toContain('add_header Strict-Transport-Security');
  });

  it('shield: trusts X-Forwarded-For from the ranges only and refuses other direct visits, never on the ACME path', () => {
    const text = renderVhost({ ...base, defence: defence({ shieldRanges: ['203.0.113.0/24', '2001:db8::/32'] }) });
    expect(text).toContain(`geo $realip_remote_addr $${id}_shielded {\n    default 0;\n    203.0.113.0/24 1;\n    2001:db8::/32 1;\n}`);
    expect(text).toContain('set_real_ip_from 203.0.113.0/24;');
    expect(text).toContain('real_ip_header X-Forwarded-For;');
    expect(text).toContain(`location / {\n        if ($${id}_shielded = 0) {\n            return 403;`);
    const acme = text.slice(text.indexOf('location ^~ /.well-known/acme-challenge/'), text.indexOf('root '));
    expect(acme).not.toContain('shielded');
    expect(text).not.toContain('limit_req');
  });

  it.each([
    ['exempt path', { level: 'challenge', exemptPaths: ['/feed/; include /etc/passwd'] }],
    ['exempt path', { level: 'challenge', exemptPaths: ['/../etc'] }],
    ['exempt path', { level: 'challenge', exemptPaths: ['/.well-known/acme-challenge/'] }],
    ['shield range', { shieldRanges: ['10.0.0.0/33'] }],
    ['shield range', { shieldRanges: ['10.0.0.0/8; deny all'] }],
    ['level', { level: 'panic' }],
    ['key file', { level: 'challenge', keyFile: undefined }],
    ['key file', { level: 'challenge', keyFile: '/var/lib/x y.conf' }],
    ['limit', { level: 'guarded', limits: { ratePerSecond: 0, burst: 1, connections: 1 } }],
    ['limit', { level: 'guarded', limits: { ratePerSecond: 1.5, burst: 1, connections: 1 } }],
  ])('rejects an unsafe %s', (_what, override) => {
    expect(() => renderVhost({ ...base, defence: defence(override as Partial<VhostDefence>) })).toThrow();
  });

  it('accepts what a member would mean and nothing else', () => {
    expect(['/feed/', '/api', '/wp-json/v2/'].every(isExemptPath)).toBe(true);
    expect(['/', 'feed', '/a//b', '/a/./b', '/a b', '/%2e%2e/'].some(isExemptPath)).toBe(false);
    expect(['192.0.2.1', '192.0.2.0/24', '2001:db8::/32', '::1'].every(isCidr)).toBe(true);
    expect(['192.0.2.0/024', '300.1.1.1', '2001:db8::/129', '192.0.2.0/', 'all'].some(isCidr)).toBe(false);
  });
});

describe('the default server', () => {
  it('refuses TLS and closes plain HTTP for unknown names, serves ACME tokens, logs nothing', () => {
    const text = renderDefaultServer({ listenAddresses: ['127.0.0.1', '[::1]'], httpPort: 80, httpsPort: 443, challengeDir: '/var/lib/hostkeeper/acme-challenges' });
    expect(text).toContain('listen 127.0.0.1:80 default_server;');
    expect(text).toContain('listen [::1]:443 ssl default_server;');
    expect(text).toContain('ssl_reject_handshake on;');
    expect(text).toContain('return 444;');
    expect(text).toContain('error_log /dev/null;');
    expect(text).toContain('alias /var/lib/hostkeeper/acme-challenges/;');
  });

  it('listens on every address when none is configured, and refuses unsafe input', () => {
    const text = renderDefaultServer({ listenAddresses: [], httpPort: 8080, httpsPort: 8443, challengeDir: '/c' });
    expect(text).toContain('listen 8080 default_server;');
    expect(text).toContain('listen [::]:8443 ssl default_server;');
    expect(() => renderDefaultServer({ listenAddresses: ['0.0.0.0; x'], httpPort: 80, httpsPort: 443, challengeDir: '/c' })).toThrow();
    expect(() => renderDefaultServer({ listenAddresses: [], httpPort: 80, httpsPort: 443, challengeDir: '/c d' })).toThrow();
  });
});

describe("the visitor's proof of work", () => {
  const context: { hkSolve?: (challenge: string, bits: number) => number; hkSha256Words?: (text: string) => number[] } = {};
  runInNewContext(POW_JS, context);

  it('hashes as SHA-256 does', () => {
    for (const text of ['', 'abc', '1796146026.BfQhZF45xF1evESpf2PUvkXMiSxd2af5Z1iRy8yqS5k.12345', 'x'.repeat(200)]) {
      const words = context.hkSha256Words!(text).map((word) => (word >>> 0).toString(16).padStart(8, '0')).join('');
      expect(words).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });

  it('finds a nonce the verifier accepts', () => {
    const challenge = '1796146026.BfQhZF45xF1evESpf2PUvkXMiSxd2af5Z1iRy8yqS5k';
    const nonce = context.hkSolve!(challenge, POW_BITS);
    const digest = createHash('sha256').update(`${challenge}.${nonce}`).digest();
    expect(digest.readUInt16BE(0)).toBe(0);
  });
});
