import { esc, page, PageLanguage } from './html.js';
import type { TransparencyReport } from './transparency.service.js';

const WORDS = {
  en: {
    title: 'Transparency report: legal threats',
    intro: (host: string) =>
      `${host} hosts the sites of movements and campaigns. This page counts every legal demand we received about them, by half-year, type and outcome, and lists the ones we chose to publish, with names, e-mail addresses, phone numbers and domains removed. Demands under a gag order are counted once the order lets us.`,
    counts: 'Demands received',
    period: 'Half-year',
    type: 'Type',
    outcome: 'Outcome',
    count: 'Count',
    total: 'Total',
    none: 'No legal demands received yet.',
    published: 'Published cases',
    nonePublished: 'No cases published yet.',
    received: 'Received',
    sender: 'Sender',
    jurisdiction: 'Jurisdiction',
    action: 'Action taken',
    summary: 'Summary',
    data: 'The same data:',
    canary: 'Warrant canary',
    other: 'Versión en español',
    otherLang: 'es',
  },
  es: {
    title: 'Informe de transparencia: amenazas legales',
    intro: (host: string) =>
      `${host} aloja las webs de movimientos y campañas. Esta página cuenta cada requerimiento legal que recibimos sobre ellas, por semestre, tipo y resultado, y enumera los que decidimos publicar, sin nombres, correos, teléfonos ni dominios. Los requerimientos con orden de silencio se cuentan cuando la orden lo permite.`,
    counts: 'Requerimientos recibidos',
    period: 'Semestre',
    type: 'Tipo',
    outcome: 'Resultado',
    count: 'Número',
    total: 'Total',
    none: 'Aún no hemos recibido requerimientos legales.',
    published: 'Casos publicados',
    nonePublished: 'Aún no hay casos publicados.',
    received: 'Recibido',
    sender: 'Remitente',
    jurisdiction: 'Jurisdicción',
    action: 'Medidas tomadas',
    summary: 'Resumen',
    data: 'Los mismos datos:',
    canary: 'Canario de garantías',
    other: 'English version',
    otherLang: 'en',
  },
} as const;

const LABELS: Record<PageLanguage, Record<string, string>> = {
  en: {
    dmca: 'DMCA takedown', counter_notice: 'DMCA counter-notice', trademark: 'Trademark', defamation: 'Defamation', court_order: 'Court order',
    government_request: 'Government request', law_enforcement_request: 'Law-enforcement request', data_protection: 'Data protection', private_information: 'Private information', other: 'Other',
    pending: 'pending', rejected: 'rejected', complied: 'complied', partially_complied: 'partly complied', withdrawn: 'withdrawn', challenged_in_court: 'challenged in court',
    yes: 'yes', no: 'no', partial: 'partly',
    rights_holder: 'rights holder', agent: 'agent', company: 'company', private_person: 'private person', lawyer: 'lawyer', government: 'government', law_enforcement: 'law enforcement', court: 'court',
  },
  es: {
    dmca: 'Retirada DMCA', counter_notice: 'Contranotificación DMCA', trademark: 'Marca', defamation: 'Difamación', court_order: 'Orden judicial',
    government_request: 'Petición del gobierno', law_enforcement_request: 'Petición policial', data_protection: 'Protección de datos', private_information: 'Información privada', other: 'Otros',
    pending: 'pendiente', rejected: 'rechazado', complied: 'atendido', partially_complied: 'atendido en parte', withdrawn: 'retirado', challenged_in_court: 'recurrido ante el juez',
    yes: 'sí', no: 'no', partial: 'en parte',
    rights_holder: 'titular de derechos', agent: 'representante', company: 'empresa', private_person: 'particular', lawyer: 'abogado', government: 'gobierno', law_enforcement: 'policía', court: 'juzgado',
  },
};

export function renderTransparencyPage(report: TransparencyReport, language: PageLanguage, host: string): string {
  const w = WORDS[language];
  const label = (key: string | null) => esc(key === null ? '—' : (LABELS[language][key] ?? key));
  const counts = report.halfYears.length
    ? `<table><thead><tr><th>${w.period}</th><th>${w.type}</th><th>${w.outcome}</th><th>${w.count}</th></tr></thead><tbody>${report.halfYears
        .flatMap((p) => [
          ...Object.entries(p.byTypeAndOutcome).flatMap(([type, outcomes]) =>
            Object.entries(outcomes).map(([outcome, n]) => `<tr><td>${esc(p.period)}</td><td>${label(type)}</td><td>${label(outcome)}</td><td>${n}</td></tr>`),
          ),
          `<tr><th>${esc(p.period)}</th><th colspan="2">${w.total}</th><th>${p.total}</th></tr>`,
        ])
        .join('\n')}</tbody></table>`
    : `<p>${w.none}</p>`;
  const published = report.published.length
    ? `<table><thead><tr><th>${w.received}</th><th>${w.type}</th><th>${w.sender}</th><th>${w.jurisdiction}</th><th>${w.outcome}</th><th>${w.action}</th><th>${w.summary}</th></tr></thead><tbody>${report.published
        .map((n) => `<tr><td>${esc(n.received)}</td><td>${label(n.type)}</td><td>${label(n.senderRole)}</td><td>${esc(n.jurisdiction ?? '—')}</td><td>${label(n.outcome)}</td><td>${label(n.actionTaken)}</td><td>${esc(n.summary ?? '')}</td></tr>`)
        .join('\n')}</tbody></table>`
    : `<p>${w.nonePublished}</p>`;
  return page(
    language,
    w.title,
    `<p><a href="/transparency?lang=${w.otherLang}" hreflang="${w.otherLang}">${w.other}</a></p>
<h1>${w.title}</h1>
<p>${esc(w.intro(host))}</p>
<h2>${w.counts}</h2>
${counts}
<h2>${w.published}</h2>
${published}
<p>${w.data} <a href="/api/transparency">JSON</a> · <a href="/api/transparency.csv">CSV</a> · <a href="/canary?lang=${language}">${w.canary}</a></p>`,
  );
}
