import { domainToASCII } from 'node:url';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_LENGTH = 253;

export type DomainCheck = { ok: true; domain: string } | { ok: false; problem: string };

/**
 * The only gate between a request and an nginx server_name, a file path or a
 * command line: after this, a domain is lowercase LDH labels and dots only.
 * International names are accepted and stored as punycode (IDNA).
 */
export function normalizeDomain(input: unknown): DomainCheck {
  if (typeof input !== 'string') return { ok: false, problem: 'must be a string' };
  if (input.length === 0 || input.length > MAX_LENGTH) return { ok: false, problem: `must be 1 to ${MAX_LENGTH} characters` };
  if (/[\s;{}/\\'"`$*?#@:%,<>|()[\]=&!~^]/.test(input) || /[\u0000-\u001f\u007f]/.test(input)) {
    return { ok: false, problem: 'may hold only letters, digits, hyphens and dots (no wildcards, spaces or punctuation)' };
  }
  const ascii = domainToASCII(input.replace(/\.$/, ''));
  if (!ascii) return { ok: false, problem: 'is not a valid domain name' };
  if (ascii.length > MAX_LENGTH) return { ok: false, problem: `must be at most ${MAX_LENGTH} characters once converted to punycode` };
  const labels = ascii.split('.');
  if (labels.length < 2) return { ok: false, problem: 'needs at least two labels (like example.org)' };
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return { ok: false, problem: 'labels must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen' };
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return { ok: false, problem: 'must be a name, not an IP address' };
  return { ok: true, domain: ascii };
}

/** True only for a name `normalizeDomain` would leave as it is: something already checked, sent on. */
export function isNormalDomain(name: unknown): name is string {
  const check = normalizeDomain(name);
  return check.ok && check.domain === name;
}

/**
 * For names the control plane validated already: a web host checks them again
 * before they reach its nginx files and paths, and refuses rather than fixes.
 */
export function checkedDomain(name: unknown): string {
  if (!isNormalDomain(name)) throw new Error(`not a domain name this host will use: ${String(JSON.stringify(name)).slice(0, 80)}`);
  return name;
}
