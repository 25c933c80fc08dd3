import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { formatBytes, formatDate, t } from '/ui/i18n.js';
import { requestProblem } from '/ui/errors.js';
import { Field, fieldErrors } from '/ui/fields.js';
import { OperationStatus } from '/ui/operation.js';
import { isOpen, RestoreAsk, RestoreRequests } from '/ui/restore-request.js';

const PRESETS = { daily: '0 3 * * *', twiceDaily: '0 3,15 * * *', weekly: '0 3 * * 0' };

function presetOf(schedule) {
  return Object.keys(PRESETS).find((key) => PRESETS[key] === schedule) ?? 'daily';
}

export class BackupsSection extends Component {
  state = {
    enabled: this.props.site.posture.backups.enabled,
    custody: this.props.site.posture.backups.keyCustody ?? 'provider',
    preset: presetOf(this.props.site.posture.backups.schedule),
    publicKey: '',
    fingerprint: '',
    saved: false,
    runs: [],
    requests: [],
    askOf: null,
    asked: '',
    askOperationId: null,
    operationId: null,
    restoreOf: null,
    restoreOperationId: null,
    privateKey: '',
    passphrase: '',
    errors: {},
    problem: '',
  };

  componentDidMount() {
    this.loadRuns();
  }

  loadRuns = async () => {
    const id = this.props.site.id;
    const [page, requests] = await Promise.all([
      api('GET', `/api/sites/${id}/backups`).catch(() => ({ items: [] })),
      api('GET', `/api/sites/${id}/restore-requests`).catch(() => []),
    ]);
    this.setState({ runs: page.items ?? [], requests });
  };

  asked = (request) => {
    const started = request.status === 'restoring';
    this.setState({ askOf: null, asked: started ? '' : t('backups.askSent'), askOperationId: started ? request.operationId : null });
    this.loadRuns();
  };

  /** Staff restore at once; a member asks (see restore-request.js). */
  rowAction(run, name, staff, open) {
    if (run.status !== 'succeeded' || !run.snapshotId) return null;
    const date = formatDate(run.startedAt);
    if (staff) return html`<button type="button" onClick=${() => this.setState({ restoreOf: run })}>${t('backups.restore', { date, site: name })}</button>`;
    if (open) return null;
    return html`<button type="button" onClick=${() => this.setState({ askOf: run, asked: '' })}>${t('backups.ask', { site: name, date })}</button>`;
  }

  save = async (event) => {
    event.preventDefault();
    const { enabled, custody, preset, publicKey } = this.state;
    const body = enabled ? { enabled, schedule: PRESETS[preset], keyCustody: custody, ...(custody === 'member' && publicKey.trim() ? { memberPublicKey: publicKey.trim() } : {}) } : { enabled };
    try {
      const policy = await api('PUT', `/api/sites/${this.props.site.id}/backup-policy`, body);
      this.setState({ fingerprint: policy.memberKeyFingerprint ?? '', saved: true, errors: {}, problem: '' });
      this.props.onChange();
    } catch (error) {
      this.setState({ errors: fieldErrors('backups', error), problem: requestProblem(error), saved: false });
    }
  };

  runNow = async () => {
    try {
      const { operationId } = await api('POST', `/api/sites/${this.props.site.id}/backups`, {});
      this.setState({ operationId, problem: '' });
    } catch (error) {
      this.setState({ problem: requestProblem(error) });
    }
  };

  done = () => {
    this.props.onChange();
    this.loadRuns();
  };

  /** Staff only (the API's rule): a member-custody backup needs the member's private key, sent once and never stored. */
  restore = async (event) => {
    event.preventDefault();
    const { restoreOf, privateKey, passphrase } = this.state;
    const body = restoreOf.custody === 'member' ? { memberPrivateKey: privateKey, ...(passphrase ? { passphrase } : {}) } : {};
    try {
      const { operationId } = await api('POST', `/api/sites/${this.props.site.id}/backups/${encodeURIComponent(restoreOf.snapshotId)}/restore`, body);
      this.setState({ restoreOperationId: operationId, restoreOf: null, privateKey: '', passphrase: '', errors: {}, problem: '' });
    } catch (error) {
      this.setState({ errors: fieldErrors('restore', error), problem: requestProblem(error) });
    }
  };

  restoreForm() {
    const { restoreOf, privateKey, passphrase, errors } = this.state;
    const when = formatDate(restoreOf.startedAt);
    return html`<form onSubmit=${this.restore} novalidate aria-label=${t('backups.restoreTitle', { date: when })}>
      <h4>${t('backups.restoreTitle', { date: when })}</h4>
      <p class="hint">${t('backups.restoreWhat')}</p>
      ${restoreOf.custody === 'member' ? html`
        <${Field} id="restore-key" label=${t('backups.privateKey')} hint=${t('backups.privateKeyHint')} error=${errors.memberPrivateKey}>
          ${(a) => html`<textarea ...${a} rows="5" spellcheck="false" autocomplete="off" value=${privateKey} onInput=${(e) => this.setState({ privateKey: e.target.value })}></textarea>`}
        </${Field}>
        <${Field} id="restore-passphrase" label=${t('backups.passphrase')} error=${errors.passphrase}>
          ${(a) => html`<input ...${a} type="password" autocomplete="off" value=${passphrase} onInput=${(e) => this.setState({ passphrase: e.target.value })} />`}
        </${Field}>` : null}
      <button type="submit">${t('backups.restoreConfirm', { date: when })}</button>
      <button type="button" onClick=${() => this.setState({ restoreOf: null })}>${t('common.cancel')}</button>
    </form>`;
  }

  render() {
    const { site, name } = this.props;
    const { enabled, custody, preset, publicKey, fingerprint, saved, runs, operationId, errors, problem, restoreOf, restoreOperationId, requests, askOf, asked, askOperationId } = this.state;
    const staff = this.props.session.role === 'staff';
    const open = requests.some(isOpen);
    const backups = runs.filter((run) => run.kind === 'backup');
    return html`<section aria-labelledby="backups-title">
      <h2 id="backups-title">${t('section.backups')}</h2>
      <form onSubmit=${this.save} novalidate>
        <div class="choice">
          <input type="checkbox" id="backups-enabled" checked=${enabled} onChange=${(e) => this.setState({ enabled: e.target.checked })} />
          <label for="backups-enabled">${t('backups.enabled', { site: name })}</label>
        </div>
        ${enabled ? html`<fieldset>
          <legend>${t('backups.custodyChoice')}</legend>
          ${['provider', 'member'].map((c) => html`<div class="choice">
            <input type="radio" name="custody" id="custody-${c}" value=${c} checked=${custody === c} onChange=${() => this.setState({ custody: c })} aria-describedby="custody-${c}-why" />
            <label for="custody-${c}">${t(`backups.custody.${c}`)}</label>
            <p class="hint" id="custody-${c}-why">${t(`backups.why.${c}`)}</p>
          </div>`)}
        </fieldset>
        ${custody === 'member' ? html`<${Field} id="backups-key" label=${t('backups.publicKey')} hint=${t('backups.publicKeyHint')} error=${errors.memberPublicKey}>
          ${(a) => html`<textarea ...${a} rows="6" spellcheck="false" value=${publicKey} onInput=${(e) => this.setState({ publicKey: e.target.value })}></textarea>`}
        </${Field}>` : null}
        <${Field} id="backups-schedule" label=${t('backups.schedule')} error=${errors.schedule}>
          ${(a) => html`<select ...${a} value=${preset} onChange=${(e) => this.setState({ preset: e.target.value })}>
            ${Object.keys(PRESETS).map((key) => html`<option value=${key}>${t(`backups.preset.${key}`)}</option>`)}
          </select>`}
        </${Field}>` : null}
        ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
        ${saved ? html`<p class="notice" role="status">${fingerprint ? t('backups.savedWithKey', { fingerprint }) : t('backups.saved')}</p>` : null}
        <button type="submit">${t('backups.save', { site: name })}</button>
      </form>
      <h3>${t('backups.list')}</h3>
      ${site.posture.backups.enabled ? html`<button type="button" onClick=${this.runNow}>${t('backups.runNow', { site: name })}</button>` : null}
      ${operationId ? html`<${OperationStatus} id=${operationId} label=${t('backups.opLabel', { site: name })} onDone=${this.done} />` : null}
      ${backups.length === 0 ? html`<p>${t('backups.none')}</p>` : html`<div class="table-wrap"><table data-testid="backups">
        <caption>${t('backups.listCaption', { site: name })}</caption>
        <thead><tr><th scope="col">${t('backups.when')}</th><th scope="col">${t('backups.status')}</th><th scope="col">${t('backups.size')}</th><th scope="col">${t('members.actions')}</th></tr></thead>
        <tbody>${backups.map((run) => html`<tr>
          <td>${formatDate(run.startedAt)}</td><td>${t(`backups.run.${run.status}`)}</td><td>${run.totalBytes !== undefined ? formatBytes(run.totalBytes) : ''}</td>
          <td>${this.rowAction(run, name, staff, open)}</td>
        </tr>`)}</tbody>
      </table></div>
      ${restoreOf ? this.restoreForm() : null}
      ${askOf ? html`<${RestoreAsk} key=${askOf.id} run=${askOf} site=${site} name=${name} onSent=${this.asked} onCancel=${() => this.setState({ askOf: null })} />` : null}
      ${asked ? html`<p class="notice" role="status">${asked}</p>` : null}
      ${askOperationId ? html`<${OperationStatus} id=${askOperationId} label=${t('backups.restoreOpLabel', { site: name })} onDone=${this.done} />` : null}
      ${!staff && open ? html`<p data-testid="restore-open">${t('backups.askOpen', { site: name })}</p>` : null}
      <${RestoreRequests} requests=${requests} name=${name} />
      ${restoreOperationId ? html`<${OperationStatus} id=${restoreOperationId} label=${t('backups.restoreOpLabel', { site: name })} onDone=${this.done} />` : null}
      <p><a href="/api/sites/${site.id}/backups/latest/download" download>${t('backups.download', { site: name })}</a></p>
      ${staff ? null : html`<p class="hint">${t('backups.restoreHint')}</p>`}`}
    </section>`;
  }
}
