/** Escapes text for HTML; every value on the public pages goes through it. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export type PageLanguage = 'en' | 'es';

/** ?lang= first, then the browser's Accept-Language; English otherwise. */
export function pickLanguage(query: unknown, acceptLanguage: string | undefined): PageLanguage {
  if (query === 'es' || query === 'en') return query;
  return /^\s*es\b/i.test(acceptLanguage ?? '') ? 'es' : 'en';
}

/** No JavaScript, no outside resources: the page reads the same in any browser or reader. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function page(language: PageLanguage, title: string, body: string): string {
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #999;padding:.3rem .6rem;text-align:left}
pre{white-space:pre-wrap;background:#f4f4f4;padding:1rem;border:1px solid #ccc}
.lapsed{background:#fee;border:3px solid #b00;padding:1rem;font-weight:bold}.valid{background:#efe;border:2px solid #070;padding:1rem}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
