import { html } from '/ui/html.js';
import { t } from '/ui/i18n.js';

// CA and nginx errors as a sentence with the next step; the raw text stays one click away.
const KNOWN = [
  [/rate.?limit|next possible|too many/i, 'err.rateLimited'],
  [/could not reach|connection|timeout|timed out|resolve|dns|unreachable|refused/i, 'err.unreachable'],
  [/caa/i, 'err.caa'],
  [/nginx|vhost|configuration/i, 'err.nginx'],
  [/key|gpg|openpgp/i, 'err.key'],
];

export function explain(raw) {
  const found = KNOWN.find(([pattern]) => pattern.test(raw));
  return t(found ? found[1] : 'err.generic');
}

export function ErrorText({ raw }) {
  if (!raw) return null;
  return html`<div class="problem" role="alert"><p>${explain(raw)}</p>
    <details><summary>${t('err.raw')}</summary><pre>${raw}</pre></details></div>`;
}

/** A message for a failed request: the field messages sit next to their fields, this one above the form. */
export function requestProblem(error) {
  if (error?.status === 404) return t('err.notFound');
  if (error?.status === 409) return t('err.conflict');
  if (error?.status === 400) return t('err.invalid');
  if (error?.status === 401) return t('err.signedOut');
  if (error?.status === 403) return t('err.forbidden');
  if (error?.status === 429) return t('err.tooMany');
  return t('err.generic');
}
