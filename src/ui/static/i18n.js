// Every visible string comes from /ui/i18n-<lang>.json; the language is the browser's unless the person picked one.
export const LANGUAGES = ['en', 'es'];
const STORE_KEY = 'hk_lang';
let language = 'en';
let catalog = {};

function preferred() {
  const stored = localStorage.getItem(STORE_KEY);
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = String(tag).slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(primary)) return primary;
  }
  return 'en';
}

export async function loadLanguage(choice = preferred()) {
  const res = await fetch(`/ui/i18n-${choice}.json`);
  catalog = await res.json();
  language = choice;
  document.documentElement.lang = choice;
  document.title = catalog['app.title'];
}

export async function chooseLanguage(choice) {
  localStorage.setItem(STORE_KEY, choice);
  await loadLanguage(choice);
}

export const currentLanguage = () => language;

export function t(key, vars = {}) {
  const text = catalog[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
}

export function formatDate(value) {
  if (!value) return '';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(value)) + ' UTC';
}

/** A calendar day (a launch date), without a time of day. */
export function formatDay(value) {
  if (!value) return '';
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(value));
}

export function formatBytes(bytes) {
  return new Intl.NumberFormat(language, { style: 'unit', unit: bytes >= 1e6 ? 'megabyte' : 'kilobyte', maximumFractionDigits: 1 }).format(bytes >= 1e6 ? bytes / 1e6 : bytes / 1e3);
}

export const has = (key) => Object.hasOwn(catalog, key);
