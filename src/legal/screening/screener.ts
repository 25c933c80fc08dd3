import { DomainFinding, screenDomains } from './domain-screen.js';
import { ENGLISH_MARKERS, SPANISH_MARKERS } from './lexicon.js';
import { describeDomain, describeText, Language, TextReason } from './messages.js';
import { words } from './normalize.js';
import { screenText, TextHit } from './text-screen.js';

export type { Language } from './messages.js';

export interface ScreenInput {
  description: string;
  domains: string[];
  language?: Language;
  /** a site's campaign tags: read as part of the text, and as what the campaign is */
  tags?: string[];
}

export interface ScreenFlag {
  category: string;
  weight: number;
  evidence: string[];
  reason: string;
}

export interface ScreenResult {
  flagged: boolean;
  score: number;
  language: Language;
  reasons: string[];
  flags: ScreenFlag[];
}

/** At or above this score a campaign goes in front of the host's lawyers. */
export const FLAG_THRESHOLD = 30;

const TEXT_WEIGHT = { spoof: 40, leak: 45, impersonation: 40, allegation: 20, marks: 15 } as const;
/** Satire or parody named as a genre, aimed at nobody yet. */
const UNAIMED_GENRE_WEIGHT = 15;
const NAMED_BONUS = { allegation: 25, marks: 15 } as const;
const DOMAIN_WEIGHT: Record<DomainFinding['kind'], number> = {
  homoglyph: 60,
  typosquat: 50,
  'brand-claim': 45,
  'brand-name': 35,
  'mixed-script': 30,
  'official-claim': 15,
  'brand-mention': 10,
};
const AUTHENTICITY_WEIGHT = 35;

/**
 * An explainable screen for takedown risk. It never decides: it says why a
 * lawyer should look, in the campaign's language, with the words it saw.
 */
export function screenCampaign(input: ScreenInput): ScreenResult {
  const language = input.language ?? detectLanguage(input.description);
  const tags = input.tags ?? [];
  const text = screenText([input.description, ...tags].filter(Boolean).join('. '), tags);
  const flags = [
    ...text.hits.map((hit) => textFlag(hit, text.named, language)),
    ...text.claimsAuthenticity.map((org) => ({ category: 'impersonation', weight: AUTHENTICITY_WEIGHT, evidence: [org], reason: describeText('authenticity', language, [org]) })),
    ...screenDomains(input.domains).map((finding) => ({
      category: `domain:${finding.kind}`,
      weight: domainWeight(finding),
      evidence: [finding.domain, finding.evidence],
      reason: describeDomain(finding, language),
    })),
  ];
  // the weightiest reason first: it is the one a reviewer reads
  flags.sort((a, b) => b.weight - a.weight);
  const score = Math.min(100, flags.reduce((sum, flag) => sum + flag.weight, 0));
  return { flagged: score >= FLAG_THRESHOLD, score, language, reasons: flags.map((flag) => flag.reason), flags };
}

/** "official" is a claim about oneself; "real" or "true" is as often a campaign's own word ("real food"). */
function domainWeight(finding: DomainFinding): number {
  if (finding.kind === 'official-claim' && /^(official|officiel|oficial)$/.test(finding.evidence)) return 30;
  return DOMAIN_WEIGHT[finding.kind];
}

function textFlag(hit: TextHit, named: string[], language: Language): ScreenFlag {
  const category = hit.category;
  if (hit.unaimed) return { category, weight: UNAIMED_GENRE_WEIGHT, evidence: hit.evidence, reason: describeText('genre', language, hit.evidence) };
  const namedKind = category === 'allegation' || category === 'marks' ? category : undefined;
  // Each further accusation makes a claim likelier ("a dossier on the abuses…").
  const piling = category === 'allegation' ? Math.min(20, 10 * (hit.evidence.length - 1)) : 0;
  const bonus = (namedKind && named.length ? NAMED_BONUS[namedKind] : 0) + piling;
  const kind: TextReason = namedKind && bonus ? `${namedKind}-named` : category;
  return {
    category: hit.category,
    weight: TEXT_WEIGHT[hit.category] + bonus,
    evidence: bonus ? [...hit.evidence, ...named] : hit.evidence,
    reason: describeText(kind, language, hit.evidence, named),
  };
}

export function detectLanguage(text: string): Language {
  const all = words(text);
  const count = (markers: string[]) => all.filter((word) => markers.includes(word)).length;
  return count(SPANISH_MARKERS) > count(ENGLISH_MARKERS) ? 'es' : 'en';
}
