/** A lone UTF-16 surrogate: with the u flag, paired surrogates are one code point and never match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * JSON.parse reviver for request bodies: refuses strings (keys included) that
 * are not well-formed Unicode or hold NUL. Postgres cannot store NUL in text,
 * and validators such as isEmail throw on lone surrogates; refused here, both
 * become the parser's 400 instead of a 500 further in.
 */
export function wellFormedStrings(key: string, value: unknown): unknown {
  if (!isClean(key) || (typeof value === 'string' && !isClean(value))) {
    throw new SyntaxError('strings must be well-formed Unicode without NUL characters');
  }
  return value;
}

function isClean(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}
