import { wellFormedStrings } from './json-strings.js';

const parse = (text: string) => JSON.parse(text, wellFormedStrings);

describe('wellFormedStrings', () => {
  it('keeps ordinary and non-ASCII text, emoji pairs and combining marks included', () => {
    expect(parse('{"name":"Zoë \\u202e 👩‍👩‍👧 e\\u0301","list":["\\ud83d\\ude00"]}')).toEqual({ name: 'Zoë \u202e 👩‍👩‍👧 e\u0301', list: ['😀'] });
  });

  it.each([
    ['a lone high surrogate', '{"email":"\\ud800"}'],
    ['a lone low surrogate', '{"email":"x\\udfffy"}'],
    ['reversed surrogates', '{"email":"\\udfff\\ud800"}'],
    ['NUL in a value', '{"name":"a\\u0000b"}'],
    ['NUL in a nested value', '{"a":[{"b":"\\u0000"}]}'],
    ['NUL in a key', '{"a\\u0000":1}'],
  ])('refuses %s', (_what, text) => {
    expect(() => parse(text)).toThrow(SyntaxError);
  });
});
