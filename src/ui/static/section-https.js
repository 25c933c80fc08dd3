import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { formatDate, t } from '/ui/i18n.js';
import { ErrorText, requestProblem } from '/ui/errors.js';
import { OperationStatus } from '/ui/operation.js';
import { httpsSummary } from '/ui/page-sites.js';

export class HttpsSection extends Component {
  state = { operationId: null, problem: '' };

  enable = async () => {
    try {
      const { operationId } = await api('POST', `/api/sites/${this.props.site.id}/https`, {});
      this.setState({ operationId, problem: '' });
    } catch (error) {
      this.setState({ problem: requestProblem(error) });
    }
  };

  render() {
    const { site, name, onChange } = this.props;
    const https = site.posture.https;
    const canEnable = https.status === 'none' || https.status === 'failed';
    return html`<section aria-labelledby="https-title">
      <h2 id="https-title">${t('section.https')}</h2>
      <p class="status-${https.status}" data-testid="https-status">${httpsSummary(https)}</p>
      ${https.status === 'active' && https.notAfter ? html`<p>${t('https.expiry', { date: formatDate(https.notAfter) })}</p>` : null}
      ${https.lastError ? html`<${ErrorText} raw=${https.lastError} />` : null}
      <p class="hint">${t('https.why')}</p>
      ${canEnable ? html`<button type="button" onClick=${this.enable}>${t('https.enable', { site: name })}</button>` : null}
      ${this.state.problem ? html`<p class="error" role="alert">${this.state.problem}</p>` : null}
      ${this.state.operationId ? html`<${OperationStatus} id=${this.state.operationId} label=${t('https.opLabel', { site: name })} showError=${false} onDone=${onChange} />` : null}
    </section>`;
  }
}
