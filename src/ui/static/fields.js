import { html } from '/ui/html.js';
import { has, t } from '/ui/i18n.js';

/** A labelled field with its own error message, tied to it for screen readers. */
export function Field({ id, label, error, hint, children }) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field ${error ? 'invalid' : ''}">
    <label for=${id}>${label}</label>
    ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : null}
    ${children({ id, 'aria-describedby': describedBy || undefined, 'aria-invalid': error ? 'true' : undefined })}
    ${error ? html`<p class="field-error" id="${id}-error">${t(error)}</p>` : null}
  </div>`;
}

/** Catalog keys for the fields the API refused: "invalid.<form>.<field>". */
export function fieldErrors(form, apiError) {
  const fields = apiError?.fields?.() ?? {};
  return Object.fromEntries(Object.keys(fields).map((field) => [field, has(`invalid.${form}.${field}`) ? `invalid.${form}.${field}` : 'invalid.generic']));
}
