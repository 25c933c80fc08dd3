import { assessCampaignRisk, REVIEW_THRESHOLD } from './risk.js';

describe('assessCampaignRisk', () => {
  it('flags a spoof of a company for review, with reasons', () => {
    const risk = assessCampaignRisk({ description: 'A spoof of the Acme Oil press release', tags: ['climate'], domains: ['acme-oil-official.example'] });
    expect(risk.score).toBeGreaterThanOrEqual(REVIEW_THRESHOLD);
    expect(risk.reasons.join(' ')).toMatch(/spoof/);
    expect(risk.reasons.join(' ')).toMatch(/official/);
  });

  it('reads a parody tag as a parody of something', () => {
    expect(assessCampaignRisk({ description: 'Campaign page', tags: ['parody'], domains: ['x.example'] }).score).toBeGreaterThanOrEqual(REVIEW_THRESHOLD);
    expect(assessCampaignRisk({ description: 'An evening debating whether satire still works', tags: [], domains: ['x.example'] }).score).toBeLessThan(REVIEW_THRESHOLD);
  });

  it('flags leaked material', () => {
    expect(assessCampaignRisk({ description: '', tags: ['leaks'], domains: ['x.example'] }).score).toBeGreaterThanOrEqual(REVIEW_THRESHOLD);
  });

  it('leaves an ordinary campaign alone', () => {
    const risk = assessCampaignRisk({ description: 'Neighbourhood food bank opening hours', tags: ['community'], domains: ['foodbank.example'] });
    expect(risk.score).toBeLessThan(REVIEW_THRESHOLD);
    expect(risk.reasons).toEqual([]);
  });

  it('caps the score at 100', () => {
    const risk = assessCampaignRisk({ description: 'spoof parody leaked impersonating official site defamation logo', tags: [], domains: ['the-real-x.example'] });
    expect(risk.score).toBe(100);
  });
});
