import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { CHALLENGE_ASSETS_PATH, NJS_MODULE, VERIFIER_PATH } from './defence-assets.js';

export type DefenceLevelName = 'off' | 'guarded' | 'challenge';

export interface VhostDefence {
  level: DefenceLevelName;
  /** URL path prefixes a challenge never stands in front of (feeds, APIs); still rate-limited. */
  exemptPaths: string[];
  /** CIDR ranges of an upstream shield: their X-Forwarded-For is trusted, every other direct visit refused. */
  shieldRanges: string[];
  /** The module and the challenge page (STATE_DIR/defence). */
  modulePath: string;
  pagesDir: string;
  /** Root-only file setting $hk_pass_key; challenge only. */
  keyFile?: string;
  limits: GuardLimits;
}

/** Per client address: sustained rate, burst answered at once, and requests in progress. */
export interface GuardLimits {
  ratePerSecond: number;
  burst: number;
  connections: number;
}

/** About 16,000 client addresses per megabyte of zone; nginx drops the oldest when it is full. */
const ZONE_MEGABYTES = 2;

const EXEMPT_PATH = /^\/[A-Za-z0-9._~/-]{0,200}$/;
const MAX_EXEMPT_PATHS = 20;
const MAX_SHIELD_RANGES = 64;

const TOO_MANY_PAGE =
  '<!doctype html><html><head><meta charset=utf-8><title>Too many requests</title></head><body><h1>Too many requests</h1><p>Please wait a few seconds and try again.</p></body></html>';

export class DefenceInputError extends Error {}

/** Names in nginx's global namespaces (zones, variables) for one site: a hash, so any site key fits. */
export function defenceId(siteKey: string): string {
  return `hk_${createHash('sha256').update(siteKey).digest('hex').slice(0, 12)}`;
}

export function isActive(defence: VhostDefence | undefined): defence is VhostDefence {
  return defence !== undefined && (defence.level !== 'off' || defence.shieldRanges.length > 0);
}

/** http-level lines at the top of the site file (vhost files are included inside http {}). */
export function defenceHttpLines(siteKey: string, defence: VhostDefence): string[] {
  const id = defenceId(siteKey);
  const lines: string[] = [];
  if (defence.level !== 'off') {
    lines.push(
      `limit_req_zone $binary_remote_addr zone=${id}_req:${ZONE_MEGABYTES}m rate=${defence.limits.ratePerSecond}r/s;`,
      `limit_conn_zone $binary_remote_addr zone=${id}_conn:${ZONE_MEGABYTES}m;`,
    );
  }
  if (defence.shieldRanges.length > 0) {
    lines.push(`geo $realip_remote_addr $${id}_shielded {`, '    default 0;', ...defence.shieldRanges.map((range) => `    ${range} 1;`), '}');
  }
  return lines;
}

/** Server-level lines: where the client address comes from, and how refusals are answered (never logged). */
export function defenceServerLines(siteKey: string, defence: VhostDefence): string[] {
  const id = defenceId(siteKey);
  const lines: string[] = [];
  if (defence.shieldRanges.length > 0) {
    lines.push(...defence.shieldRanges.map((range) => `set_real_ip_from ${range};`), 'real_ip_header X-Forwarded-For;', 'real_ip_recursive on;');
  }
  if (defence.level !== 'off') {
    lines.push('limit_req_status 429;', 'limit_conn_status 429;', 'limit_req_log_level info;', 'limit_conn_log_level info;', 'error_page 429 @hk_too_many;');
  }
  if (defence.level === 'challenge') {
    // Named so a new module changes the file, and nginx reloads and compiles it.
    const moduleVersion = createHash('sha256').update(NJS_MODULE).digest('hex').slice(0, 12);
    lines.push(`# njs module ${moduleVersion}`, `include ${defence.keyFile};`, `js_import hk_defence from ${defence.modulePath};`, `js_set $${id}_pass hk_defence.passOk;`);
  }
  return lines;
}

/** Lines at the head of a location that serves the site: shield first, then limits or the challenge. */
export function contentGate(siteKey: string, defence: VhostDefence | undefined, kind: 'content' | 'exempt'): string[] {
  if (!isActive(defence)) return [];
  const id = defenceId(siteKey);
  const lines = shieldGate(id, defence);
  const limited = defence.level === 'guarded' || (defence.level === 'challenge' && kind === 'exempt');
  if (limited) lines.push(...limits(id, defence.limits));
  // 418 only travels inside nginx: the visitor gets the page as a 403, and other 403s stay plain.
  if (defence.level === 'challenge' && kind === 'content') lines.push('error_page 418 =403 @hk_challenge;', `if ($${id}_pass != 1) {`, '    return 418;', '}');
  return lines;
}

/** Locations a defended site gains: the verifier, the challenge page and its script, the 429 page, exempt paths. */
export function defenceLocations(siteKey: string, defence: VhostDefence | undefined, servesContent: boolean): string[] {
  if (!isActive(defence) || defence.level === 'off') return [];
  const id = defenceId(siteKey);
  const lines = ['', 'location @hk_too_many {', '    default_type text/html;', `    return 429 '${TOO_MANY_PAGE}';`, '}'];
  if (defence.level !== 'challenge') return lines;
  lines.push(
    '',
    `location = ${VERIFIER_PATH} {`,
    ...indent([...shieldGate(id, defence), ...limits(id, defence.limits), 'js_content hk_defence.verify;']),
    '}',
    '',
    `location ^~ ${CHALLENGE_ASSETS_PATH} {`,
    ...indent([...shieldGate(id, defence), `alias ${defence.pagesDir}/;`, 'expires -1;']),
    '}',
    '',
    'location @hk_challenge {',
    ...indent([`root ${defence.pagesDir};`, 'default_type text/html;', 'expires -1;', 'try_files /challenge.html =404;']),
    '}',
  );
  if (servesContent) {
    for (const path of defence.exemptPaths) {
      lines.push('', `location ^~ ${path} {`, ...indent([...contentGate(siteKey, defence, 'exempt'), 'try_files $uri $uri/ =404;']), '}');
    }
  }
  return lines;
}

export function validateDefence(defence: VhostDefence): void {
  if (!['off', 'guarded', 'challenge'].includes(defence.level)) throw new DefenceInputError(`unknown defence level ${JSON.stringify(defence.level)}`);
  const badPath = defence.exemptPaths.find((path) => !isExemptPath(path));
  if (badPath !== undefined || defence.exemptPaths.length > MAX_EXEMPT_PATHS) throw new DefenceInputError(`exempt path not usable: ${JSON.stringify(badPath)}`);
  const badRange = defence.shieldRanges.find((range) => !isCidr(range));
  if (badRange !== undefined || defence.shieldRanges.length > MAX_SHIELD_RANGES) throw new DefenceInputError(`shield range not usable: ${JSON.stringify(badRange)}`);
  if (defence.level === 'challenge' && !defence.keyFile) throw new DefenceInputError('the challenge needs its key file');
  const { ratePerSecond, burst, connections } = defence.limits;
  if (![ratePerSecond, burst, connections].every((n) => Number.isInteger(n) && n >= 0) || ratePerSecond < 1 || connections < 1) {
    throw new DefenceInputError('limits must be whole numbers (rate and connections at least 1)');
  }
}

/** A path prefix that is safe unquoted in nginx and does not shadow the ACME or hostkeeper paths. */
export function isExemptPath(path: string): boolean {
  return (
    EXEMPT_PATH.test(path) &&
    path !== '/' &&
    !path.split('/').some((part) => part === '..' || part === '.') &&
    !path.includes('//') &&
    !path.startsWith('/.well-known/')
  );
}

/** An IPv4 or IPv6 address with an optional prefix length, in a form nginx reads. */
export function isCidr(range: string): boolean {
  const match = /^([0-9a-fA-F:.]{2,45})(?:\/(\d{1,3}))?$/.exec(range);
  if (!match) return false;
  const family = isIP(match[1]);
  if (family === 0) return false;
  if (match[2] === undefined) return true;
  const prefix = Number(match[2]);
  return prefix >= 0 && prefix <= (family === 4 ? 32 : 128) && String(prefix) === match[2];
}

function shieldGate(id: string, defence: VhostDefence): string[] {
  return defence.shieldRanges.length > 0 ? [`if ($${id}_shielded = 0) {`, '    return 403;', '}'] : [];
}

function limits(id: string, guard: GuardLimits): string[] {
  return [`limit_req zone=${id}_req burst=${guard.burst} nodelay;`, `limit_conn ${id}_conn ${guard.connections};`];
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `    ${line}`);
}
