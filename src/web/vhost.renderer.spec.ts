import { renderVhost, VhostInput } from './vhost.renderer.js';

const base: VhostInput = {
  siteKey: 'example.org',
  domains: ['example.org', 'www.example.org'],
  documentRoot: '/var/www/example.org/public',
  stateDir: '/var/lib/hostkeeper',
  accessLogDir: '/var/log/hostkeeper',
  loggingMode: 'off',
  listenAddresses: ['127.0.0.1', '[::1]'],
  httpPort: 80,
  httpsPort: 443,
};
const tls = { serial: '0CA3AA791ADFB359', certificatePath: '/var/lib/hostkeeper/certs/example.org/fullchain.pem', keyPath: '/var/lib/hostkeeper/certs/example.org/privkey.pem', hsts: false };

describe('renderVhost', () => {
  it('serves the document root over HTTP before a certificate exists, challenges included', () => {
    const text = renderVhost(base);
    expect(text.match(/server \{/g)).toHaveLength(1);
    expect(text).toContain('listen 127.0.0.1:80;');
    expect(text).toContain('listen [::1]:80;');
    expect(text).toContain('server_name example.org www.example.org;');
    expect(text).toContain('location ^~ /.well-known/acme-challenge/ {\n        alias /var/lib/hostkeeper/acme-challenges/;');
    expect(text).toContain('root /var/www/example.org/public;');
    expect(text).not.toContain('return 301');
    expect(text).not.toContain('ssl');
  });

  it('redirects HTTP to HTTPS except the challenge path once TLS is active, with intermediate settings', () => {
    const text = renderVhost({ ...base, tls });
    const [http, https] = text.split(/(?=server \{)/).filter((block) => block.startsWith('server'));
    expect(http).toContain('return 301 https://$host$request_uri;');
    expect(http).toContain('/.well-known/acme-challenge/');
    expect(http).not.toContain('root ');
    expect(https).toContain('listen 127.0.0.1:443 ssl;');
    expect(https).toContain('listen [::1]:443 ssl;');
    expect(https).toContain(`ssl_certificate ${tls.certificatePath};`);
    expect(https).toContain(`ssl_certificate_key ${tls.keyPath};`);
    expect(https).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
    expect(https).toContain('ssl_prefer_server_ciphers off;');
    expect(https).toMatch(/ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:[A-Z0-9:-]+;/);
    expect(https).toContain('ssl_session_tickets off;');
    expect(https).not.toContain('Strict-Transport-Security');
    expect(https).toContain('root /var/www/example.org/public;');
  });

  it('keeps a non-standard HTTPS port in the redirect and adds HSTS on request', () => {
    const text = renderVhost({ ...base, httpsPort: 8443, tls: { ...tls, hsts: true } });
    expect(text).toContain('return 301 https://$host:8443$request_uri;');
    expect(text).toContain('add_header Strict-Transport-Security "max-age=63072000" always;');
  });

  it('puts the logging lines of the mode into both server blocks', () => {
    const text = renderVhost({ ...base, loggingMode: 'anonymized', tls });
    expect(text.match(/access_log \/var\/log\/hostkeeper\/example.org\/access-\$hk_log_day.log hk_anonymized;/g)).toHaveLength(2);
    expect(renderVhost({ ...base, tls }).match(/access_log off;/g)).toHaveLength(2);
  });

  it('listens on every address when none is configured', () => {
    const text = renderVhost({ ...base, listenAddresses: [] });
    expect(text).toContain('listen 80;');
    expect(text).toContain('listen [::]:80;');
  });

  it.each([
    ['site key', { siteKey: 'example.org; include /etc/passwd' }],
    ['site key', { siteKey: '../etc' }],
    ['domain', { domains: ['example.org', 'evil.org;}'] }],
    ['domain', { domains: ['Example.org'] }],
    ['domain', { domains: [] }],
    ['listen address', { listenAddresses: ['0.0.0.0:80; x'] }],
    ['path', { documentRoot: '/var/www/a b' }],
    ['path', { documentRoot: '/var/www/../../etc' }],
    ['path', { stateDir: 'relative/state' }],
    ['port', { httpPort: 0 }],
  ])('rejects an unsafe %s', (_what, override) => {
    expect(() => renderVhost({ ...base, ...override } as VhostInput)).toThrow();
  });
});
