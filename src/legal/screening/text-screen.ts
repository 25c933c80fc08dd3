import { AUTHENTICITY_WORDS, EVERYDAY_STEMS, LOOKALIKE_PHRASES, ORGANISATIONS } from './organisations.js';
import { Category, GENRE, GENRE_AIM, GENRE_VEHICLE, GROUP_TITLES, LEXICON, NEAR, TITLES } from './lexicon.js';
import { fold } from './normalize.js';

export interface TextHit {
  category: Category;
  /** the words of the text that matched */
  evidence: string[];
  /** only a genre named ("satire"), aimed at nothing in particular */
  unaimed?: boolean;
}

export interface TextFindings {
  hits: TextHit[];
  /** organisations or people the text names */
  named: string[];
  /** an organisation's name next to "official", "real", "oficial"… */
  claimsAuthenticity: string[];
}

const PATTERNS = Object.fromEntries(
  Object.entries(LEXICON).map(([category, lists]) => [category, [...[...lists.en, ...lists.es].map(termPattern), ...NEAR[category as Category].map(nearPattern)]]),
) as Record<Category, RegExp[]>;

function alternation(words: string[]): string {
  return `(?:${words.map((word) => word.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[a-z0-9]*')).join('|')})`;
}

function nearPattern([left, right]: [string[], string[]]): RegExp {
  const a = alternation(left);
  const b = alternation(right);
  const gap = '(?:[^a-z0-9]+[a-z0-9]+){0,2}[^a-z0-9]+';
  return new RegExp(`(?<![a-z0-9])(?:${a}${gap}${b}|${b}${gap}${a})(?![a-z0-9])`, 'g');
}

function termPattern(term: string): RegExp {
  const body = term
    .split(/\s+/)
    .map((word) =>
      word
        .split('-')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, (ch) => (ch === '*' ? '[a-z0-9]*' : `\\${ch}`)))
        .join('[\\s-]?'),
    )
    .join('[\\s-]+');
  return new RegExp(`(?<![a-z0-9])${body}(?![a-z0-9])`, 'g');
}

const GENRE_PATTERN = new RegExp(`(?<![a-z0-9])${alternation(GENRE)}(?![a-z0-9])`, 'g');
const AIMED = new RegExp(`^[^a-z0-9]*(?:[a-z0-9]+[^a-z0-9]+){0,2}?${alternation(GENRE_AIM)}(?![a-z0-9])`);
const VEHICLE = new RegExp(`(?<![a-z0-9])${alternation(GENRE_VEHICLE)}(?![a-z0-9])`);

/** Satire and parody as genres: aimed when followed by "of…"/"del…", or carried by a site, an ad, or a name. */
function genreHit(text: string, named: string[], tags: string[]): TextHit | undefined {
  const matches = [...text.matchAll(GENRE_PATTERN)];
  if (matches.length === 0) return undefined;
  // a tag says what the campaign is: a "parody" tag is a parody of something
  const tagged = tags.some((tag) => new RegExp(GENRE_PATTERN.source).test(fold(tag)));
  const aimed = tagged || named.length > 0 || VEHICLE.test(text) || matches.some((m) => AIMED.test(text.slice(m.index! + m[0].length, m.index! + m[0].length + 40)));
  return { category: 'spoof', evidence: [...new Set(matches.map((m) => m[0]))], ...(aimed ? {} : { unaimed: true }) };
}

/** Ordinary phrases that contain a signal word: "water leaks" are a plumbing problem. */
const BENIGN = new RegExp(
  [
    '(?:water|roof|gas|pipe|oil|radiator)[\\s-]+leaks?',
    'leak[\\s-]?proof',
    'a prueba de (?:filtraciones|fugas)',
    'fake news',
    'noticias falsas',
    'falsas? promesas?',
    'falsos? autonomos?',
    'falsa alarma',
    'false alarm',
    // learning to spot fakes is not making one
    '(?:spot|spotting|detect|detecting|recogni[sz]e|recogni[sz]ing|avoid|identify|report|check)(?:[\\s-]+[a-z]+){0,2}[\\s-]+(?:fake|false|bogus)',
    '(?:detectar|reconocer|evitar|identificar|denunciar|desmontar)(?:[\\s-]+[a-z]+){0,3}[\\s-]+fals[oa]s?',
  ]
    .map((phrase) => `(?<![a-z0-9])${phrase}(?![a-z0-9])`)
    .join('|'),
  'g',
);

export function screenText(original: string, tags: string[] = []): TextFindings {
  const text = fold(original).replace(BENIGN, ' ');
  const hits: TextHit[] = [];
  for (const [category, patterns] of Object.entries(PATTERNS) as [Category, RegExp[]][]) {
    const found = [...new Set(patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[0])))];
    const evidence = found.filter((e) => !found.some((other) => other !== e && other.includes(e)));
    if (evidence.length) hits.push({ category, evidence });
  }
  const named = [...organisationsIn(original), ...peopleIn(original), ...companiesIn(original)];
  const genre = genreHit(text, named, tags);
  const spoof = hits.find((hit) => hit.category === 'spoof');
  if (genre && spoof) spoof.evidence.push(...genre.evidence);
  else if (genre) hits.push(genre);
  return { hits, named, claimsAuthenticity: authenticityClaims(text) };
}

/** How each stem is recognised: short ones (BP, HSBC) only in capitals, everyday words only capitalised, others as words. */
const MENTIONS = ORGANISATIONS.map((org) => ({
  name: org.name,
  patterns: org.stems.map((stem) => {
    // a possessive loses its apostrophe in folding: "Nestlé's" reads "nestles"
    if (stem.length < 4) return { on: 'original' as const, pattern: new RegExp(`(?<![A-Za-z0-9])${escape(stem.toUpperCase())}(?![A-Za-z])`) };
    if (EVERYDAY_STEMS.has(stem)) {
      return { on: 'cased' as const, pattern: new RegExp(`(?<![A-Za-z0-9])${escape(stem[0].toUpperCase())}(?:${escape(stem.slice(1))}|${escape(stem.slice(1).toUpperCase())})s?(?![a-zA-Z])`) };
    }
    return { on: 'folded' as const, pattern: new RegExp(`(?<![a-z0-9])${escape(stem)}s?(?![a-z])`) };
  }),
}));

function organisationsIn(original: string): string[] {
  const texts = {
    original,
    folded: fold(original),
    // folded, but with the capitals kept
    cased: fold(original.replace(/\p{Lu}/gu, (ch) => `^${ch}`)).replace(/\^([a-z])/g, (_, ch: string) => ch.toUpperCase()),
  };
  return MENTIONS.filter((org) => org.patterns.some(({ on, pattern }) => pattern.test(texts[on]))).map((org) => org.name);
}

/** A capitalised word or an acronym with digits ("Mills", "G4S"). */
const CAPITALISED = "\\p{Lu}(?:[\\p{Ll}'’-]+|[\\p{Lu}0-9&]+)";

function peopleIn(original: string): string[] {
  const titled = new RegExp(`(?<![\\p{L}])(?:${TITLES.join('|')})\\.?\\s+(${CAPITALISED}(?:\\s+${CAPITALISED})?)`, 'giu');
  const honorific = new RegExp(`(?<![\\p{L}])(?:Mr|Mrs|Ms|Dr|Sr|Sra|Srta|Don|Doña|Dña)\\.?\\s+(${CAPITALISED})`, 'gu');
  // "the mayor", "el alcalde": one identifiable person even without a name
  const office = new RegExp(`(?<![\\p{L}])(?:the|our|their|el|la|los|las|del|al|sus|\\p{L}+['’]s)\\s+(${[...TITLES, ...GROUP_TITLES].join('|')})(?![\\p{L}])`, 'giu');
  return [
    ...[...original.matchAll(titled), ...original.matchAll(honorific)].map((m) => m[1]).filter((name) => /^\p{Lu}/u.test(name)),
    ...[...original.matchAll(office)].map((m) => m[0]),
  ];
}

const COMPANY_SUFFIX = '(?:Corp|Corporation|Inc|Ltd|LLC|plc|PLC|S\\.?A\\.?|S\\.?L\\.?|GmbH|Group|Grupo|Holdings|Mining|Minera|Oil|Petroleum|Energy|Energía|Bank|Banco|Chemicals|Foods|Pharma|Airlines)';
const COMPANY_PREFIX = '(?:company|firm|corporation|multinational|empresa|compañía|compania|multinacional|constructora|minera|petrolera|farmacéutica|eléctrica|banco|bank)';

function companiesIn(original: string): string[] {
  const suffixed = new RegExp(`(${CAPITALISED}(?:\\s+${CAPITALISED})?)\\s+${COMPANY_SUFFIX}(?![\\p{L}])`, 'gu');
  const prefixed = new RegExp(`(?<![\\p{L}])${COMPANY_PREFIX}\\s+(${CAPITALISED}(?:\\s+${CAPITALISED})?)`, 'giu');
  return [...original.matchAll(suffixed), ...original.matchAll(prefixed)].map((m) => m[1]).filter((name) => /^\p{Lu}/u.test(name));
}

const AUTHENTIC = `(?:${AUTHENTICITY_WORDS.join('|')})`;
const LOOKALIKE = `(?:${LOOKALIKE_PHRASES.join('|')})`;
const CLAIM_PATTERNS = ORGANISATIONS.flatMap((org) =>
  org.stems
    .filter((stem) => stem.length >= 4)
    .map((stem) => ({
      org: org.name,
      pattern: new RegExp(
        `(?<![a-z0-9])(?:${AUTHENTIC}(?:\\W+\\w+){0,2}\\W+${escape(stem)}|${escape(stem)}s?(?:\\W+\\w+){0,2}\\W+${AUTHENTIC}|${LOOKALIKE}(?:\\W+\\w+){0,3}\\W+${escape(stem)})(?![a-z0-9])`,
      ),
    })),
);

/** "the official Shell site", "la web oficial de Repsol", "real-exxon". */
function authenticityClaims(text: string): string[] {
  return [...new Set(CLAIM_PATTERNS.filter(({ pattern }) => pattern.test(text)).map(({ org }) => org))];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
