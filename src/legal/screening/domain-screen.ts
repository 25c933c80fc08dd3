import { getDomainWithoutSuffix } from 'tldts';
import { damerau } from './damerau.js';
import { LabelView, skeleton, viewLabel } from './confusables.js';
import { AUTHENTICITY_WORDS, ORGANISATIONS, Organisation, SERVICE_WORDS } from './organisations.js';

export type DomainFindingKind = 'homoglyph' | 'typosquat' | 'brand-claim' | 'brand-name' | 'brand-mention' | 'mixed-script' | 'official-claim';

export interface DomainFinding {
  kind: DomainFindingKind;
  domain: string;
  organisation?: string;
  /** what was seen: the label as a reader sees it, the claim word… */
  evidence: string;
}

const STEMS = ORGANISATIONS.flatMap((org) => org.stems.filter((stem) => /^[a-z]+$/.test(stem)).map((stem) => ({ org, stem, shape: skeleton(stem) })));
const CLAIMS = new Set([...AUTHENTICITY_WORDS, ...SERVICE_WORDS]);

export function screenDomains(domains: string[]): DomainFinding[] {
  return domains.flatMap(screenDomain);
}

function screenDomain(written: string): DomainFinding[] {
  const domain = written.trim().toLowerCase().replace(/\.$/, '');
  const name = getDomainWithoutSuffix(domain) ?? domain.split('.')[0];
  const labels = [...new Set([...name.split('.'), ...subLabels(domain, name)])].filter(Boolean);
  return dedupe(labels.flatMap((label) => screenLabel(domain, viewLabel(label))));
}

/** Subdomains in front of the registered name ("shell.official-news.org") are screened too. */
function subLabels(domain: string, name: string): string[] {
  const index = domain.indexOf(name);
  return index > 0 ? domain.slice(0, index - 1).split('.') : [];
}

function screenLabel(domain: string, label: LabelView): DomainFinding[] {
  const findings: DomainFinding[] = [];
  const tokens = label.unicode.split(/[-_]+/).filter(Boolean);
  const whole = label.skeleton;
  const claim = tokens.find((token) => CLAIMS.has(skeletonWord(token)));
  for (const { org, stem, shape } of STEMS) {
    const exactToken = tokens.some((token) => token.toLowerCase() === stem) || label.unicode.toLowerCase() === stem;
    const lookAlike = !exactToken && (whole === shape || tokens.some((token) => skeleton(token) === shape) || (label.punycode && whole.includes(shape) && shape.length >= 4));
    if (lookAlike) {
      findings.push({ kind: label.punycode || label.mixedScript ? 'homoglyph' : 'typosquat', domain, organisation: org.name, evidence: label.unicode });
    } else if (!exactToken && isTyposquat(whole, tokens, stem, shape, claim !== undefined)) {
      findings.push({ kind: 'typosquat', domain, organisation: org.name, evidence: label.unicode });
    } else if (exactToken || gluedClaim(label.ascii, stem)) {
      findings.push(brandUse(domain, org, stem, label, claim ?? gluedClaim(label.ascii, stem)));
    }
  }
  if (label.mixedScript && !findings.some((f) => f.kind === 'homoglyph')) findings.push({ kind: 'mixed-script', domain, evidence: label.unicode });
  const authentic = tokens.find((token) => AUTHENTICITY_WORDS.includes(skeletonWord(token)));
  if (authentic && tokens.length > 1 && !findings.some((f) => f.kind === 'brand-claim')) findings.push({ kind: 'official-claim', domain, evidence: authentic });
  return findings;
}

function brandUse(domain: string, org: Organisation, stem: string, label: LabelView, claim: string | undefined): DomainFinding {
  if (claim) return { kind: 'brand-claim', domain, organisation: org.name, evidence: claim };
  if (label.ascii === stem) return { kind: 'brand-name', domain, organisation: org.name, evidence: label.unicode };
  return { kind: 'brand-mention', domain, organisation: org.name, evidence: stem };
}

/**
 * One edit from a brand name of six letters or more (two from nine), but not the name with an
 * ending added ("amazons", "bayern").
 */
function isTyposquat(whole: string, tokens: string[], stem: string, shape: string, claimed: boolean): boolean {
  if (stem.length < 6) return false;
  const limit = stem.length >= 9 ? 2 : 1;
  // A swapped letter in a part ("boring" for Boeing) is usually a word of its own; a doubled or dropped one ("paypall") is not.
  const parts = tokens.map(skeleton).filter((part) => claimed || part.length !== shape.length);
  const candidates = [whole, ...parts].filter((c) => c.length >= stem.length - limit && c.length <= stem.length + limit);
  return candidates.some((c) => !isInflection(c, shape) && damerau(c, shape) <= limit);
}

const ENDINGS = ['s', 'es', 'd', 'ed', 'r', 'er', 'n', 'a', 'o', 'ia', 'ing'];

/** "amazons", "bayern", "nestled": a word of its own, not a typo of the brand ("paypall" is one). */
function isInflection(candidate: string, shape: string): boolean {
  if (shape.startsWith(candidate)) return true;
  return candidate.startsWith(shape) && ENDINGS.includes(candidate.slice(shape.length));
}

/** "realshell", "shelloficial", "therealexxon": the brand glued to a claim word, no hyphen. */
function gluedClaim(label: string, stem: string): string | undefined {
  if (stem.length < 4 || label === stem || !label.includes(stem)) return undefined;
  const rest = label.replace(stem, '').replace(/[-_0-9]/g, '').replace(/^the/, '');
  return CLAIMS.has(rest) ? rest : undefined;
}

function skeletonWord(token: string): string {
  return token.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function dedupe(findings: DomainFinding[]): DomainFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.kind}|${f.domain}|${f.organisation ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
