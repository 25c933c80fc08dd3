import { normalizeDomain } from './domain-name.js';

describe('normalizeDomain', () => {
  it.each([
    ['example.org', 'example.org'],
    ['Example.ORG', 'example.org'],
    ['www.example.org.', 'www.example.org'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['a-b.c-d.org', 'a-b.c-d.org'],
  ])('accepts %s as %s', (input, expected) => {
    expect(normalizeDomain(input)).toEqual({ ok: true, domain: expected });
  });

  it.each([
    'exa mple.org',
    'example.org;',
    'example.org; include /etc/passwd',
    'ex/ample.org',
    '../etc',
    'example.org{',
    '*.example.org',
    'localhost',
    '-bad.org',
    'bad-.org',
    `${'a'.repeat(64)}.org`,
    `${'a.'.repeat(150)}org`,
    '',
    '1.2.3.4',
    'exa\nmple.org',
    'example..org',
    'exam_ple.org',
  ])('rejects %j', (input) => {
    expect(normalizeDomain(input).ok).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(normalizeDomain(42).ok).toBe(false);
    expect(normalizeDomain(null).ok).toBe(false);
  });
});
