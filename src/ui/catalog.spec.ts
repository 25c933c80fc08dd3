import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chosenLanguage, LANGUAGES, languageFrom, message } from './catalog.js';

const STATIC_DIR = join(process.cwd(), 'src', 'ui', 'static');
const catalog = (language: string): Record<string, string> => JSON.parse(readFileSync(join(STATIC_DIR, 'i18n', `${language}.json`), 'utf8'));

describe('the console message catalogs', () => {
  it('every language has exactly the keys of English, with the same placeholders', () => {
    const en = catalog('en');
    for (const language of LANGUAGES) {
      const other = catalog(language);
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en)) {
        const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
        expect({ key, placeholders: placeholders(other[key]) }).toEqual({ key, placeholders: placeholders(en[key]) });
      }
    }
  });

  it('every literal key the pages ask for exists', () => {
    const en = catalog('en');
    const used = readdirSync(STATIC_DIR)
      .filter((name) => name.endsWith('.js'))
      .flatMap((name) => [...readFileSync(join(STATIC_DIR, name), 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(100);
    expect(used.filter((key) => !(key in en))).toEqual([]);
  });

  it('picks the language from Accept-Language and fills placeholders', () => {
    expect(languageFrom('es-AR,es;q=0.9,en;q=0.8')).toBe('es');
    expect(languageFrom('fr-FR,de;q=0.8')).toBe('en');
    expect(languageFrom(undefined)).toBe('en');
    expect(chosenLanguage('es', 'en-GB')).toBe('es');
    expect(chosenLanguage(undefined, 'es-AR')).toBe('es');
    expect(chosenLanguage('fr', 'es-AR')).toBe('es');
    expect(message('es', 'mail.signin.asMember', { name: 'Río' })).toBe('Sitios de Río');
    expect(() => message('en', 'no.such.key')).toThrow();
  });
});
