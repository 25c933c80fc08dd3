import { esc, page, PageLanguage } from '../transparency/html.js';
import type { CanaryView } from './canary.service.js';

const WORDS = {
  en: {
    title: 'Warrant canary',
    valid: (until: string) => `This statement is current. It expires on ${until} unless a newer one replaces it.`,
    lapsed: (until: string) =>
      `This warrant canary has LAPSED. It expired on ${until} and no newer statement has been published. Do not rely on it; draw your own conclusions.`,
    none: 'No warrant canary has been published yet.',
    verify: 'Check the signature yourself: download',
    key: 'The host’s public key',
    text: 'The signed statement as text',
    fingerprint: 'Key fingerprint',
    other: 'Versión en español',
    otherLang: 'es',
  },
  es: {
    title: 'Canario de garantías',
    valid: (until: string) => `Esta declaración está vigente. Caduca el ${until} salvo que la sustituya otra más reciente.`,
    lapsed: (until: string) =>
      `Este canario HA CADUCADO. Venció el ${until} y no se ha publicado ninguna declaración nueva. No confíes en él; saca tus propias conclusiones.`,
    none: 'Aún no se ha publicado ningún canario.',
    verify: 'Comprueba la firma tú misma: descarga',
    key: 'La clave pública del proveedor',
    text: 'La declaración firmada, en texto',
    fingerprint: 'Huella de la clave',
    other: 'English version',
    otherLang: 'en',
  },
} as const;

export function renderCanaryPage(canary: CanaryView, language: PageLanguage): string {
  const w = WORDS[language];
  const until = canary.expiresAt ? canary.expiresAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '';
  const banner =
    canary.status === 'none' ? `<p class="lapsed">${w.none}</p>` : canary.status === 'lapsed' ? `<p class="lapsed" role="alert">${esc(w.lapsed(until))}</p>` : `<p class="valid">${esc(w.valid(until))}</p>`;
  const statement = canary.signed
    ? `<pre>${esc(canary.signed)}</pre>
<p>${w.fingerprint}: <code>${esc(canary.fingerprint)}</code></p>`
    : '';
  return page(
    language,
    w.title,
    `<p><a href="/canary?lang=${w.otherLang}" hreflang="${w.otherLang}">${w.other}</a></p>
<h1>${w.title}</h1>
${banner}
${statement}
<p>${w.verify} <a href="/canary/key.asc">key.asc</a> (${w.key}) · <a href="/canary.txt">canary.txt</a> (${w.text})</p>
<pre>gpg --import key.asc
gpg --verify canary.txt</pre>
<h2>${w.key}</h2>
<pre>${esc(canary.publicKey)}</pre>`,
  );
}
