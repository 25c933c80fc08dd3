import { checkedDomain, isNormalDomain, normalizeDomain } from './domain-name.js';

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

describe('checkedDomain', () => {
  it('passes a name already in normal form through unchanged', () => {
    expect(checkedDomain('www.example.org')).toBe('www.example.org');
    expect(checkedDomain('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
    expect(isNormalDomain('example.org')).toBe(true);
  });

  it.each(['Example.org', 'example.org.', 'bücher.example'])('refuses %j, which normalizeDomain would have to change', (name) => {
    expect(isNormalDomain(name)).toBe(false);
    expect(() => checkedDomain(name)).toThrow(`not a domain name this host will use: ${JSON.stringify(name)}`);
  });

  it.each(['../etc', 'example.org; include /etc/passwd', '', 42, undefined])('refuses %j', (name) => {
    expect(isNormalDomain(name)).toBe(false);
    expect(() => checkedDomain(name)).toThrow(/^not a domain name this host will use: /);
  });

  it('cuts a long bad name short in its message', () => {
    const name = `${'a'.repeat(300)}/`;
    expect(() => checkedDomain(name)).toThrow(`not a domain name this host will use: ${JSON.stringify(name).slice(0, 80)}`);
  });
});
