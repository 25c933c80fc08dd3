import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { formatBytes, formatDate, t } from '/ui/i18n.js';
import { requestProblem } from '/ui/errors.js';
import { Field, fieldErrors } from '/ui/fields.js';
import { OperationStatus } from '/ui/operation.js';

const MODES = ['off', 'anonymized', 'full'];

export class LoggingSection extends Component {
  state = {
    mode: this.props.site.posture.logging.mode,
    days: String(this.props.site.posture.logging.retentionDays),
    held: null,
    attestations: [],
    operationId: null,
    errors: {},
    problem: '',
  };

  componentDidMount() {
    this.loadHeld();
  }

  loadHeld = async () => {
    const id = this.props.site.id;
    const [held, attestations] = await Promise.all([api('GET', `/api/sites/${id}/data-held`).catch(() => null), api('GET', `/api/sites/${id}/attestations`).catch(() => [])]);
    this.setState({ held, attestations: Array.isArray(attestations) ? attestations : attestations?.items ?? [] });
  };

  save = async (event) => {
    event.preventDefault();
    const { mode, days } = this.state;
    const body = mode === 'off' ? { mode } : { mode, retentionDays: /^\d+$/.test(days.trim()) ? Number(days) : days };
    try {
      const { operationId } = await api('PUT', `/api/sites/${this.props.site.id}/logging`, body);
      this.setState({ operationId, errors: {}, problem: '' });
    } catch (error) {
      this.setState({ errors: fieldErrors('logging', error), problem: requestProblem(error) });
    }
  };

  done = () => {
    this.props.onChange();
    this.loadHeld();
  };

  render() {
    const { name } = this.props;
    const { mode, days, held, attestations, operationId, errors, problem } = this.state;
    return html`<section aria-labelledby="logging-title">
      <h2 id="logging-title">${t('section.logging')}</h2>
      <form onSubmit=${this.save} novalidate>
        <fieldset>
          <legend>${t('logging.choose', { site: name })}</legend>
          ${MODES.map((m) => html`<div class="choice">
            <input type="radio" name="logging-mode" id="logging-${m}" value=${m} checked=${mode === m} onChange=${() => this.setState({ mode: m })} aria-describedby="logging-${m}-why" />
            <label for="logging-${m}">${t(`logging.mode.${m}`)}</label>
            <p class="hint" id="logging-${m}-why">${t(`logging.why.${m}`)}</p>
          </div>`)}
        </fieldset>
        ${mode !== 'off' ? html`<${Field} id="logging-days" label=${t('logging.days')} error=${errors.retentionDays} hint=${t('logging.daysHint')}>
          ${(a) => html`<input ...${a} inputmode="numeric" value=${days} onInput=${(e) => this.setState({ days: e.target.value })} />`}
        </${Field}>` : null}
        ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
        <button type="submit">${t('logging.save', { site: name })}</button>
      </form>
      ${operationId ? html`<${OperationStatus} id=${operationId} label=${t('logging.opLabel', { site: name })} onDone=${this.done} />` : null}
      <h3>${t('logging.heldTitle')}</h3>
      ${held ? html`<p data-testid="data-held">${held.nothingHeld ? t('logging.nothingHeld') : t('logging.held', { files: held.fileCount, size: formatBytes(held.bytes) })}</p>` : null}
      <h3>${t('logging.attestations')}</h3>
      ${attestations.length === 0 ? html`<p>${t('logging.noAttestations')}</p>` : html`<ul data-testid="attestations">
        ${attestations.map((a) => html`<li>${t('logging.attestation', { date: formatDate(a.createdAt), files: a.fileCount, size: formatBytes(a.bytes) })}</li>`)}
      </ul>`}
    </section>`;
  }
}
