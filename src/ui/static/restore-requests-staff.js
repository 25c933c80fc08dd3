import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { formatDate, t } from '/ui/i18n.js';
import { requestProblem } from '/ui/errors.js';
import { displayDomain } from '/ui/domains.js';
import { OperationStatus } from '/ui/operation.js';

/** Staff: the restore requests waiting, each restored (the usual restore) or declined with a reason the member reads. */
export class WaitingRestoreRequests extends Component {
  state = { items: null, reasons: {}, started: [], notice: '', problem: '' };

  componentDidMount() {
    this.load();
  }

  load = async () => {
    try {
      this.setState({ items: await api('GET', '/api/restore-requests?status=requested') });
    } catch (error) {
      this.setState({ items: [], problem: requestProblem(error) });
    }
  };

  restore = async (request, name) => {
    try {
      const done = await api('POST', `/api/restore-requests/${request.id}/fulfil`);
      this.setState({ started: [...this.state.started, { id: done.operationId, name }], notice: '', problem: '' });
    } catch (error) {
      this.setState({ notice: '', problem: requestProblem(error) });
    }
    this.load();
  };

  decline = async (request, name) => {
    const reason = (this.state.reasons[request.id] ?? '').trim();
    try {
      await api('POST', `/api/restore-requests/${request.id}/decline`, reason ? { reason } : {});
      this.setState({ notice: t('requests.declined', { site: name }), problem: '' });
    } catch (error) {
      this.setState({ notice: '', problem: requestProblem(error) });
    }
    this.load();
  };

  table(items) {
    return html`<div class="table-wrap"><table data-testid="restore-requests-waiting"><caption>${t('requests.caption')}</caption>
      <thead><tr><th scope="col">${t('sites.site')}</th><th scope="col">${t('requests.backup')}</th><th scope="col">${t('requests.asked')}</th><th scope="col">${t('requests.note')}</th><th scope="col">${t('members.actions')}</th></tr></thead>
      <tbody>${items.map((r) => {
        const name = displayDomain(r.primaryDomain);
        const date = formatDate(r.snapshotAt);
        return html`<tr><th scope="row"><a href="#/sites/${r.siteId}">${name}</a></th><td>${date}</td><td>${formatDate(r.createdAt)}</td><td>${r.note ?? ''}</td>
          <td><button type="button" onClick=${() => this.restore(r, name)}>${t('requests.restoreNow', { site: name, date })}</button>
            <label for="decline-${r.id}">${t('requests.reason', { site: name })}</label>
            <input id="decline-${r.id}" value=${this.state.reasons[r.id] ?? ''} onInput=${(e) => this.setState({ reasons: { ...this.state.reasons, [r.id]: e.target.value } })} />
            <button type="button" onClick=${() => this.decline(r, name)}>${t('requests.decline', { site: name })}</button></td></tr>`;
      })}</tbody>
    </table></div>`;
  }

  render() {
    const { items, started, notice, problem } = this.state;
    return html`<section aria-labelledby="requests-title">
      <h2 id="requests-title">${t('requests.title')}</h2>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
      ${items === null ? html`<p role="status">${t('common.loading')}</p>` : items.length === 0 ? html`<p>${t('requests.none')}</p>` : this.table(items)}
      ${started.map((s) => html`<${OperationStatus} key=${s.id} id=${s.id} label=${t('backups.restoreOpLabel', { site: s.name })} />`)}
    </section>`;
  }
}
