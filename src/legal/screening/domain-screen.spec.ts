import { damerau } from './damerau.js';
import { skeleton } from './confusables.js';
import { screenDomains } from './domain-screen.js';

describe('look-alike domains', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(damerau('paypal', 'paypla')).toBe(1);
    expect(damerau('google', 'gooogle')).toBe(1);
    expect(damerau('shell', 'spell')).toBe(1);
  });

  it('folds homoglyphs, digits and letter pairs into one skeleton', () => {
    expect(skeleton('раураl')).toBe(skeleton('paypal'));
    expect(skeleton('g00gle')).toBe(skeleton('google'));
    expect(skeleton('rnicrosoft')).toBe(skeleton('microsoft'));
  });

  it.each([
    ['xn--mazon-3ve.com', 'homoglyph'],
    ['paypa1-donate.org', 'typosquat'],
    ['paypall-huelga.org', 'typosquat'],
    ['shell-official.org', 'brand-claim'],
    ['therealexxon.org', 'brand-claim'],
    ['iberdrola-oficial.es', 'brand-claim'],
    ['shell.org', 'brand-name'],
    ['stop-exxon.org', 'brand-mention'],
  ])('%s is a %s', (domain, kind) => {
    expect(screenDomains([domain]).map((f) => f.kind)).toContain(kind);
  });

  it.each([['apply-now.org'], ['boring-meetings.org'], ['amazons-of-history.org'], ['bayern-fans.de'], ['shellfish-recipes.org'], ['olympia-food.coop']])('%s looks like nobody', (domain) => {
    expect(screenDomains([domain]).filter((f) => f.kind !== 'brand-mention')).toEqual([]);
  });
});
