import { join } from 'node:path';
import { loggingDirectives, LoggingModeName, siteLogDir } from '../logging/logging-directives.js';
import { contentGate, defenceHttpLines, defenceLocations, defenceServerLines, isActive, validateDefence, VhostDefence } from './defence.renderer.js';

export interface VhostTls {
  /** Named in the file so a new certificate changes it: that is what makes nginx test and reload. */
  serial: string;
  certificatePath: string;
  keyPath: string;
  hsts: boolean;
}

export interface VhostInput {
  /** The site's first domain: names its files. */
  siteKey: string;
  domains: string[];
  documentRoot: string;
  stateDir: string;
  accessLogDir: string;
  loggingMode: LoggingModeName;
  /** IPv4 literals or bracketed IPv6 literals; empty = every address. */
  listenAddresses: string[];
  httpPort: number;
  httpsPort: number;
  /** Present once a certificate is installed: HTTP then redirects to HTTPS. */
  tls?: VhostTls;
  /** Under-attack mode and shield; absent or off without a shield renders nothing. */
  defence?: VhostDefence;
}

export class VhostInputError extends Error {}

const NAME = /^[a-z0-9.-]+$/;
const ADDRESS = /^((\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:.]+\])$/;
/** Unquoted nginx arguments: no whitespace, quotes, semicolons, braces or variables. */
const SAFE_PATH = /^\/[A-Za-z0-9._/@+-]+$/;

/** Mozilla's "intermediate" profile (ssl-config.mozilla.org, guideline 5.7). */
const INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

const HSTS_MAX_AGE = 63_072_000;

/** Where a site's certificate lives once installed. */
export function certificatePaths(stateDir: string, siteKey: string): { dir: string; certificatePath: string; keyPath: string } {
  const dir = join(stateDir, 'certs', siteKey);
  return { dir, certificatePath: join(dir, 'fullchain.pem'), keyPath: join(dir, 'privkey.pem') };
}

export function challengeDir(stateDir: string): string {
  return join(stateDir, 'acme-challenges');
}

/** The site's nginx file. Pure: the same input always gives the same text. */
export function renderVhost(input: VhostInput): string {
  validate(input);
  const logging = loggingDirectives(input.loggingMode, siteLogDir(input.accessLogDir, input.siteKey)).serverLines;
  const defence = isActive(input.defence) ? input.defence : undefined;
  const head = defence ? `${defenceHttpLines(input.siteKey, defence).join('\n')}\n` : '';
  const serverLines = defence ? [...logging, ...defenceServerLines(input.siteKey, defence)] : logging;
  const blocks = [httpBlock(input, serverLines)];
  if (input.tls) blocks.push(httpsBlock(input, input.tls, serverLines));
  return `# managed by hostkeeper for ${input.siteKey}; edits are overwritten\n${head}${blocks.join('\n')}`;
}

function httpBlock(input: VhostInput, logging: string[]): string {
  const lines = [
    ...listen(input.listenAddresses, input.httpPort, ''),
    `server_name ${input.domains.join(' ')};`,
    ...logging,
    '',
    'location ^~ /.well-known/acme-challenge/ {',
    `    alias ${challengeDir(input.stateDir)}/;`,
    '    default_type text/plain;',
    '}',
  ];
  if (input.tls) {
    const port = input.httpsPort === 443 ? '' : `:${input.httpsPort}`;
    // The redirect costs nothing to serve: shielded and limited, never challenged.
    const gate = contentGate(input.siteKey, input.defence, 'exempt').map((line) => `    ${line}`);
    lines.push('', 'location / {', ...gate, `    return 301 https://$host${port}$request_uri;`, '}');
    lines.push(...defenceLocations(input.siteKey, input.defence, false));
  } else {
    lines.push('', ...documentRoot(input));
  }
  return server(lines);
}

function httpsBlock(input: VhostInput, tls: VhostTls, logging: string[]): string {
  const lines = [
    `# certificate serial ${tls.serial}`,
    ...listen(input.listenAddresses, input.httpsPort, ' ssl'),
    `server_name ${input.domains.join(' ')};`,
    ...logging,
    '',
    `ssl_certificate ${tls.certificatePath};`,
    `ssl_certificate_key ${tls.keyPath};`,
    'ssl_protocols TLSv1.2 TLSv1.3;',
    'ssl_ecdh_curve X25519:prime256v1:secp384r1;',
    `ssl_ciphers ${INTERMEDIATE_CIPHERS};`,
    'ssl_prefer_server_ciphers off;',
    'ssl_session_timeout 1d;',
    'ssl_session_cache shared:HostkeeperTLS:10m;',
    'ssl_session_tickets off;',
  ];
  if (tls.hsts) lines.push(`add_header Strict-Transport-Security "max-age=${HSTS_MAX_AGE}" always;`);
  lines.push('', ...documentRoot(input));
  return server(lines);
}

function documentRoot(input: VhostInput): string[] {
  const gate = contentGate(input.siteKey, input.defence, 'content').map((line) => `    ${line}`);
  return [
    `root ${input.documentRoot};`,
    'disable_symlinks on from=$document_root;',
    'index index.html;',
    'location / {',
    ...gate,
    '    try_files $uri $uri/ =404;',
    '}',
    ...defenceLocations(input.siteKey, input.defence, true),
  ];
}

function listen(addresses: string[], port: number, suffix: string): string[] {
  if (addresses.length === 0) return [`listen ${port}${suffix};`, `listen [::]:${port}${suffix};`];
  return addresses.map((address) => `listen ${address}:${port}${suffix};`);
}

function server(lines: string[]): string {
  return `server {\n${lines.map((line) => (line ? `    ${line}` : '')).join('\n')}\n}\n`;
}

function validate(input: VhostInput): void {
  if (!NAME.test(input.siteKey) || input.siteKey.startsWith('.')) throw new VhostInputError(`invalid site key ${JSON.stringify(input.siteKey)}`);
  if (input.tls && !/^[0-9A-Fa-f]{1,64}$/.test(input.tls.serial)) throw new VhostInputError('invalid certificate serial');
  if (input.domains.length === 0) throw new VhostInputError('a site needs at least one domain');
  const badDomain = input.domains.find((domain) => !NAME.test(domain) || domain.startsWith('.') || domain.startsWith('-'));
  if (badDomain !== undefined) throw new VhostInputError(`invalid domain ${JSON.stringify(badDomain)}`);
  const badAddress = input.listenAddresses.find((address) => !ADDRESS.test(address));
  if (badAddress !== undefined) throw new VhostInputError(`invalid listen address ${JSON.stringify(badAddress)}`);
  for (const port of [input.httpPort, input.httpsPort]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new VhostInputError(`invalid port ${port}`);
  }
  if (input.defence) validateDefence(input.defence);
  const defencePaths = input.defence ? [input.defence.modulePath, input.defence.pagesDir, input.defence.keyFile] : [];
  const paths = [input.documentRoot, input.stateDir, input.accessLogDir, input.tls?.certificatePath, input.tls?.keyPath, ...defencePaths];
  const badPath = paths.find((path) => path !== undefined && (!SAFE_PATH.test(path) || path.split('/').includes('..')));
  if (badPath !== undefined) throw new VhostInputError(`path not usable in an nginx file: ${JSON.stringify(badPath)}`);
}
