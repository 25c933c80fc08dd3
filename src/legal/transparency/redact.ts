/**
 * Redaction before anything is public: e-mail addresses, phone numbers, web
 * addresses and domains, names the host knows (member, sender, the site's
 * domains), and what looks like a person's name. It errs towards hiding.
 */
const EMAIL = /[\p{L}0-9._%+-]+@[\p{L}0-9.-]+\.[\p{L}]{2,}/gu;
const URL = /\b(?:https?:\/\/|www\.)\S+/giu;
const DOMAIN = /\b(?:[\p{L}0-9](?:[\p{L}0-9-]{0,61}[\p{L}0-9])?\.)+(?:xn--[a-z0-9-]+|[\p{L}]{2,})\b/giu;
const PHONE = /(?:\+|\b)\d[\d\s().-]{5,}\d\b/g;
const DATE = /^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})$/;
const CAPITALISED = "\\p{Lu}[\\p{Ll}'’-]+";
const TITLED = new RegExp(`\\b(?:Mr|Mrs|Ms|Dr|Sr|Sra|Srta|Don|Doña)\\.?\\s+${CAPITALISED}(?:\\s+${CAPITALISED})*`, 'gu');
/** Two or more capitalised words in a row: a person's (or a company's) name. */
const NAME = new RegExp(`${CAPITALISED}(?:\\s+(?:de|del|la|van|von|da)?\\s*${CAPITALISED})+`, 'gu');

export function redact(text: string, known: string[] = []): string {
  let out = text.replace(EMAIL, '[e-mail]').replace(URL, '[address]').replace(DOMAIN, '[domain]').replace(PHONE, (match) => (DATE.test(match) || match.replace(/\D/g, '').length < 7 ? match : '[phone]'));
  for (const name of knownForms(known)) out = out.replace(new RegExp(`(?<![\\p{L}0-9])${escape(name)}(?![\\p{L}0-9])`, 'giu'), '[name]');
  return out.replace(TITLED, '[name]').replace(NAME, '[name]');
}

/** Each known name as written, and a domain's name without its suffix ("acme-official" of acme-official.example). */
function knownForms(known: string[]): string[] {
  const forms = known.flatMap((k) => [k, ...(k.includes('.') ? [k.split('.')[0]] : [])]).map((k) => k.trim()).filter((k) => k.length >= 3);
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
