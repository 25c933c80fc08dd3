import { domainToUnicode } from 'node:url';

/**
 * Characters that pass for Latin letters in a domain (after Unicode TR39's
 * confusables, the part that matters for Latin brand names), and the digit and
 * letter-pair tricks of typosquatters.
 */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', в: 'b', с: 'c', д: 'd', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', ӏ: 'l', м: 'm', н: 'h', о: 'o', р: 'p', ԛ: 'q', ѕ: 's', т: 't', у: 'y', х: 'x', ԝ: 'w', ь: 'b', г: 'r', п: 'n', и: 'u',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w', ς: 'c', γ: 'y',
  ı: 'i', ł: 'l', ø: 'o', đ: 'd', ħ: 'h', ß: 'ss', æ: 'ae', œ: 'oe',
  '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '$': 's', '@': 'a',
};
const PAIRS: [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
  [/i/g, 'l'],
];

export interface LabelView {
  /** the label as written (ASCII, punycode if international) */
  ascii: string;
  /** the label as a reader sees it */
  unicode: string;
  punycode: boolean;
  /** non-ASCII letters from another script mixed in */
  mixedScript: boolean;
  /** what the label looks like: homoglyphs, accents and typosquatters' tricks folded away */
  skeleton: string;
}

export function viewLabel(ascii: string): LabelView {
  const unicode = ascii.startsWith('xn--') ? domainToUnicode(ascii) || ascii : ascii;
  return {
    ascii,
    unicode,
    punycode: ascii.startsWith('xn--'),
    mixedScript: /[a-z]/i.test(unicode) && /[\u0370-\u03ff\u0400-\u04ff]/.test(unicode),
    skeleton: skeleton(unicode),
  };
}

export function skeleton(text: string): string {
  const mapped = [...text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()].map((ch) => HOMOGLYPHS[ch] ?? ch).join('');
  return PAIRS.reduce((s, [from, to]) => s.replace(from, to), mapped.replace(/[^a-z]/g, ''));
}
