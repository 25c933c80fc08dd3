import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { currentLanguage, formatDate, t } from '/ui/i18n.js';
import { requestProblem } from '/ui/errors.js';
import { Field, fieldErrors } from '/ui/fields.js';

/** A request is still open while it waits for staff or its restore runs: one at a time per site. */
export const isOpen = (request) => request.status === 'requested' || request.status === 'restoring';

/**
 * The member's "ask for a restore", confirmed in one form. Member custody: only the member's
 * private key opens the archive, so it is sent with the request and the restore starts at once.
 */
export class RestoreAsk extends Component {
  state = { note: '', privateKey: '', passphrase: '', errors: {}, problem: '' };

  send = async (event) => {
    event.preventDefault();
    const { run, site } = this.props;
    const { note, privateKey, passphrase } = this.state;
    const key = run.custody === 'member' ? { memberPrivateKey: privateKey, ...(passphrase ? { passphrase } : {}) } : {};
    try {
      // staff's answer is mailed in the language the member reads the console in
      const request = await api('POST', `/api/sites/${site.id}/restore-requests`, { snapshotId: run.snapshotId, language: currentLanguage(), ...(note.trim() ? { note: note.trim() } : {}), ...key });
      this.setState({ privateKey: '', passphrase: '' });
      this.props.onSent(request);
    } catch (error) {
      this.setState({ errors: fieldErrors('ask', error), problem: requestProblem(error) });
    }
  };

  render() {
    const { run, name } = this.props;
    const { note, privateKey, passphrase, errors, problem } = this.state;
    const what = t('backups.ask', { site: name, date: formatDate(run.startedAt) });
    const member = run.custody === 'member';
    return html`<form onSubmit=${this.send} novalidate aria-label=${what} data-testid="restore-ask">
      <h4>${what}</h4>
      <p class="hint">${t(member ? 'backups.askMember' : 'backups.askProvider')}</p>
      ${member ? html`
        <${Field} id="ask-key" label=${t('backups.myPrivateKey')} hint=${t('backups.privateKeyHint')} error=${errors.memberPrivateKey}>
          ${(a) => html`<textarea ...${a} rows="5" spellcheck="false" autocomplete="off" value=${privateKey} onInput=${(e) => this.setState({ privateKey: e.target.value })}></textarea>`}
        </${Field}>
        <${Field} id="ask-passphrase" label=${t('backups.passphrase')} error=${errors.passphrase}>
          ${(a) => html`<input ...${a} type="password" autocomplete="off" value=${passphrase} onInput=${(e) => this.setState({ passphrase: e.target.value })} />`}
        </${Field}>` : null}
      <${Field} id="ask-note" label=${t('backups.note')} error=${errors.note}>
        ${(a) => html`<textarea ...${a} rows="2" maxlength="2000" value=${note} onInput=${(e) => this.setState({ note: e.target.value })}></textarea>`}
      </${Field}>
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
      <button type="submit">${t('backups.askConfirm', { site: name, date: formatDate(run.startedAt) })}</button>
      <button type="button" onClick=${this.props.onCancel}>${t('common.cancel')}</button>
    </form>`;
  }
}

/** What became of the site's restore requests, newest first. */
export function RestoreRequests({ requests, name }) {
  if (requests.length === 0) return null;
  return html`<h4>${t('backups.requests', { site: name })}</h4>
    <ul data-testid="restore-requests">
      ${requests.map((r) => html`<li>${t('backups.requestLine', { date: formatDate(r.snapshotAt), asked: formatDate(r.createdAt), status: t(`backups.request.${r.status}`) })}
        ${r.reason ? html`<br />${t('backups.declinedBecause', { reason: r.reason })}` : null}</li>`)}
    </ul>`;
}
