import { FLAG_THRESHOLD, screenCampaign } from './screening/screener.js';

/**
 * The screen of a new site's campaign, as site creation asks for it. It never
 * decides anything: it puts a site in front of the host's lawyers with the
 * reasons it was flagged.
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

export const REVIEW_THRESHOLD = FLAG_THRESHOLD;

export function assessCampaignRisk(input: RiskInput): RiskAssessment {
  const { score, reasons } = screenCampaign({ description: input.description ?? '', tags: input.tags, domains: input.domains });
  return { score, reasons };
}
