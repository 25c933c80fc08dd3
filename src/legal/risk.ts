/**
 * A first, explainable screen of a campaign for legal-takedown risk. It
 * never decides anything: it puts a site in front of the host's lawyers with
 * the reasons it was flagged.
 */
export interface RiskInput {
  description?: string | null;
  tags: string[];
  domains: string[];
}

export interface RiskAssessment {
  score: number;
  reasons: string[];
}

export const REVIEW_THRESHOLD = 30;

const SIGNALS: { pattern: RegExp; weight: number; reason: string }[] = [
  { pattern: /\b(spoof|spoofs|spoofing|fake|hoax)\b/, weight: 40, reason: 'spoof or fake: impersonation and trademark claims' },
  { pattern: /\b(parody|parodies|satire|satirical|mock|culture jam(ming)?)\b/, weight: 30, reason: 'parody or satire: trademark and copyright claims' },
  { pattern: /\b(leak|leaks|leaked|whistle ?blow(er|ing)?|internal documents?|confidential)\b/, weight: 45, reason: 'leaked material: breach-of-confidence and copyright claims' },
  { pattern: /\b(impersonat\w*|official site|press release)\b/, weight: 25, reason: 'looks like an official voice of someone else' },
  { pattern: /\b(defam\w*|libel|accus\w*|corrupt\w*)\b/, weight: 20, reason: 'allegations about people or companies: defamation claims' },
  { pattern: /\b(logo|trademark|brand)\b/, weight: 15, reason: "uses someone else's marks" },
];

export function assessCampaignRisk(input: RiskInput): RiskAssessment {
  const text = [input.description ?? '', ...input.tags].join(' ').toLowerCase();
  const hits = SIGNALS.filter((signal) => signal.pattern.test(text));
  const reasons = hits.map((hit) => hit.reason);
  let score = hits.reduce((sum, hit) => sum + hit.weight, 0);
  if (input.domains.some((domain) => /(^|[.-])(official|real|true|the-real)[.-]/.test(domain))) {
    score += 15;
    reasons.push('domain claims to be the official or real one');
  }
  return { score: Math.min(100, score), reasons };
}
