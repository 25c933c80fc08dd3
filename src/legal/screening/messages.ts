import type { DomainFinding } from './domain-screen.js';

export type Language = 'en' | 'es';
export type TextReason = 'genre' | 'spoof' | 'leak' | 'impersonation' | 'allegation' | 'allegation-named' | 'marks' | 'marks-named' | 'authenticity';

const TEXT: Record<TextReason, Record<Language, string>> = {
  genre: {
    en: 'mentions satire or parody ({words}) but aims it at nobody in particular: worth a look if it turns on someone',
    es: 'menciona la sátira o la parodia ({words}) sin apuntar a nadie en concreto: conviene revisarlo si apunta a alguien',
  },
  spoof: {
    en: 'spoof or parody ({words}): trademark, copyright and impersonation claims are likely; parody is a defence, not a shield',
    es: 'parodia o sátira ({words}): son probables reclamaciones de marca, derechos de autor y suplantación; la parodia es una defensa, no un escudo',
  },
  leak: {
    en: 'leaked or confidential material ({words}): breach-of-confidence, copyright and data-protection claims',
    es: 'material filtrado o confidencial ({words}): reclamaciones por revelación de secretos, derechos de autor y protección de datos',
  },
  impersonation: {
    en: "impersonation ({words}): speaking in someone else's name invites fraud and trademark claims",
    es: 'suplantación ({words}): hablar en nombre de otro expone a reclamaciones por fraude y marca',
  },
  allegation: {
    en: 'allegations of wrongdoing ({words}): keep the evidence at hand',
    es: 'acusaciones de conducta ilícita ({words}): conviene tener las pruebas a mano',
  },
  'allegation-named': {
    en: 'allegations about named people or companies ({words} about {named}): defamation claims are likely',
    es: 'acusaciones contra personas o empresas con nombre ({words} contra {named}): son probables demandas por difamación',
  },
  marks: {
    en: "uses someone else's marks ({words}): trademark and copyright claims",
    es: 'usa marcas ajenas ({words}): reclamaciones de marca y derechos de autor',
  },
  'marks-named': {
    en: "uses the marks of {named} ({words}): trademark and copyright claims",
    es: 'usa las marcas de {named} ({words}): reclamaciones de marca y derechos de autor',
  },
  authenticity: {
    en: 'claims to be the official or real voice of {words}: impersonation and trademark claims',
    es: 'dice ser la voz oficial o verdadera de {words}: reclamaciones por suplantación y marca',
  },
};

const DOMAIN: Record<DomainFinding['kind'], Record<Language, string>> = {
  homoglyph: {
    en: 'look-alike domain: {domain} reads as "{evidence}", written with look-alike characters to pass for {org}',
    es: 'dominio engañoso: {domain} se lee "{evidence}", escrito con caracteres parecidos para pasar por {org}',
  },
  typosquat: {
    en: 'look-alike domain: {domain} is a small edit away from the name of {org}',
    es: 'dominio engañoso: {domain} está a un pequeño cambio del nombre de {org}',
  },
  'brand-claim': {
    en: 'look-alike domain: {domain} joins the name of {org} with "{evidence}", claiming to be the official or real one',
    es: 'dominio engañoso: {domain} une el nombre de {org} con "{evidence}", como si fuera el oficial o verdadero',
  },
  'brand-name': {
    en: 'the domain {domain} is the name of {org}: trademark and impersonation claims',
    es: 'el dominio {domain} es el nombre de {org}: reclamaciones de marca y suplantación',
  },
  'brand-mention': {
    en: 'the domain {domain} uses the name of {org}',
    es: 'el dominio {domain} usa el nombre de {org}',
  },
  'mixed-script': {
    en: 'the domain {domain} mixes alphabets ("{evidence}"), a common disguise',
    es: 'el dominio {domain} mezcla alfabetos ("{evidence}"), un disfraz habitual',
  },
  'official-claim': {
    en: 'the domain {domain} claims to be the official or real one ("{evidence}")',
    es: 'el dominio {domain} dice ser el oficial o verdadero ("{evidence}")',
  },
};

export function describeText(reason: TextReason, language: Language, evidence: string[], named: string[] = []): string {
  return fill(TEXT[reason][language], { words: evidence.map((w) => `"${w}"`).join(', '), named: named.join(', ') });
}

export function describeDomain(finding: DomainFinding, language: Language): string {
  return fill(DOMAIN[finding.kind][language], { domain: finding.domain, evidence: finding.evidence, org: finding.organisation ?? '' });
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}
