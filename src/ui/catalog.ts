import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/database/migrator.js';

/** The console's languages; the first is the fallback. Pages and e-mails share one catalog per language. */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

const CATALOG_DIR = join(projectRoot(), 'src', 'ui', 'static', 'i18n');
const catalogs = new Map<Language, Record<string, string>>(
  LANGUAGES.map((language) => [language, JSON.parse(readFileSync(join(CATALOG_DIR, `${language}.json`), 'utf8')) as Record<string, string>]),
);

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The best of our languages for an Accept-Language header. */
export function languageFrom(acceptLanguage: string | undefined): Language {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const primary = part.split(';')[0].trim().slice(0, 2).toLowerCase();
    if (isLanguage(primary)) return primary;
  }
  return LANGUAGES[0];
}

/** The language a request asked for in its body, else the best for its Accept-Language header. */
export function chosenLanguage(asked: unknown, acceptLanguage: string | undefined): Language {
  return isLanguage(asked) ? asked : languageFrom(acceptLanguage);
}

export function message(language: Language, key: string, vars: Record<string, string> = {}): string {
  const text = catalogs.get(language)?.[key] ?? catalogs.get(LANGUAGES[0])?.[key];
  if (text === undefined) throw new Error(`no message "${key}" in the console catalog`);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name] : whole));
}
