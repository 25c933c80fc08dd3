export interface DefaultServerInput {
  /** The same addresses the site files listen on; empty = every address. */
  listenAddresses: string[];
  httpPort: number;
  httpsPort: number;
  challengeDir: string;
}

/** Named like a site file so it lives in NGINX_SITES_DIR; sorts before every domain. */
export const DEFAULT_SERVER_KEY = '00-hostkeeper-default';

const ADDRESS = /^((\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:.]+\])$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/@+-]+$/;

/**
 * The server for names no site claims, and for no name at all: TLS handshakes
 * are refused, so scanning the address never shows a member's certificate;
 * plain HTTP is closed without an answer. ACME tokens are public and served
 * to any name, so a validation that arrives before a site's file still works.
 * Nothing about these visitors is logged.
 */
export function renderDefaultServer(input: DefaultServerInput): string {
  if (input.listenAddresses.some((address) => !ADDRESS.test(address))) throw new Error('invalid listen address');
  if (!SAFE_PATH.test(input.challengeDir) || input.challengeDir.split('/').includes('..')) throw new Error('invalid challenge folder');
  for (const port of [input.httpPort, input.httpsPort]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
  }
  const addresses = input.listenAddresses.length > 0 ? input.listenAddresses : [undefined, '[::]'];
  const listen = (port: number, suffix: string) =>
    addresses.map((address) => `    listen ${address ? `${address}:` : ''}${port}${suffix} default_server;`);
  return [
    '# managed by hostkeeper: the answer for names no site claims; edits are overwritten',
    'server {',
    ...listen(input.httpPort, ''),
    ...listen(input.httpsPort, ' ssl'),
    '    server_name _;',
    '    ssl_reject_handshake on;',
    // nginx agrees the protocol version with the default server before SNI picks a site
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    '    access_log off;',
    '    error_log /dev/null;',
    '',
    '    location ^~ /.well-known/acme-challenge/ {',
    `        alias ${input.challengeDir}/;`,
    '        default_type text/plain;',
    '    }',
    '',
    '    location / {',
    '        return 444;',
    '    }',
    '}',
    '',
  ].join('\n');
}
