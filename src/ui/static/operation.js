import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { t } from '/ui/i18n.js';
import { ErrorText } from '/ui/errors.js';

const POLL_MS = 1000;

/** Follows one operation live (no reload) and says how it ends; onDone lets the page refresh what changed (showError=false where the page shows the error itself). */
export class OperationStatus extends Component {
  state = { op: null };

  componentDidMount() {
    this.poll();
  }

  componentWillUnmount() {
    clearTimeout(this.timer);
    this.gone = true;
  }

  poll = async () => {
    const op = await api('GET', `/api/operations/${this.props.id}`).catch(() => null);
    if (this.gone) return;
    if (op) this.setState({ op });
    if (op && (op.status === 'succeeded' || op.status === 'failed')) {
      this.props.onDone?.(op);
      return;
    }
    this.timer = setTimeout(this.poll, POLL_MS);
  };

  render() {
    const { op } = this.state;
    const status = op?.status ?? 'queued';
    return html`<div class="operation" role="status">
      <p>${t('op.label', { what: this.props.label, status: t(`op.status.${status}`) })}</p>
      ${op?.error && this.props.showError !== false ? html`<${ErrorText} raw=${op.error} />` : null}
    </div>`;
  }
}
