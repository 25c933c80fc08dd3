import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { screenCampaign } from '../../src/legal/screening/screener.js';

interface Labelled {
  id: number | string;
  language?: 'en' | 'es';
  description: string;
  domains: string[];
  flagged: boolean;
}

const OWN_SET = join(process.cwd(), 'test', 'fixtures', 'legal-screening.json');
/** LEGAL_SCREENING_SET=other.json runs another labelled set of the same shape as well. */
const SETS = [OWN_SET, ...(process.env.LEGAL_SCREENING_SET ? [resolve(process.env.LEGAL_SCREENING_SET)] : [])];

function load(path: string): Labelled[] {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('campaign screening against the labelled set', () => {
  it('holds at least 100 cases in English and Spanish, about half of them flagged', () => {
    const set = load(OWN_SET);
    expect(set.length).toBeGreaterThanOrEqual(100);
    for (const language of ['en', 'es']) expect(set.filter((c) => c.language === language).length).toBeGreaterThanOrEqual(40);
    const flagged = set.filter((c) => c.flagged).length;
    expect(flagged / set.length).toBeGreaterThan(0.4);
    expect(flagged / set.length).toBeLessThan(0.6);
  });

  it.each(SETS.map((path) => [path]))('reaches precision and recall of at least 0.9 on %s', (path) => {
    const set = load(path);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const misses: string[] = [];
    for (const c of set) {
      const result = screenCampaign({ description: c.description, domains: c.domains, language: c.language });
      if (result.flagged && c.flagged) tp++;
      if (result.flagged && !c.flagged) fp++;
      if (!result.flagged && c.flagged) fn++;
      if (result.flagged !== c.flagged) misses.push(`#${c.id} expected ${c.flagged ? 'flagged' : 'clear'}, got score ${result.score}: ${result.reasons.join(' | ') || '(no reasons)'}`);
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(`legal screening: ${set.length} cases in ${path}, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}\n${misses.join('\n')}`);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('gives every flag its reasons, in the language of the campaign', () => {
    for (const c of load(OWN_SET)) {
      const result = screenCampaign({ description: c.description, domains: c.domains });
      if (result.flagged) expect(result.reasons.length).toBeGreaterThan(0);
      expect(result.reasons).toHaveLength(result.flags.length);
    }
    const es = screenCampaign({ description: 'Parodia de los anuncios de la petrolera', domains: ['x.org'] });
    expect(es.language).toBe('es');
    expect(es.reasons[0]).toMatch(/parodia o sátira/);
    const en = screenCampaign({ description: 'Parodia de los anuncios de la petrolera', domains: ['x.org'], language: 'en' });
    expect(en.reasons[0]).toMatch(/spoof or parody/);
  });
});
