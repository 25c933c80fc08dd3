import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { formatDate, t } from '/ui/i18n.js';
import { requestProblem } from '/ui/errors.js';

/** Passkeys: phishing-proof sign-in for people who are targets. */
export class AccountPage extends Component {
  state = { passkeys: [], notice: '', problem: '' };

  componentDidMount() {
    this.load();
  }

  load = async () => {
    this.setState({ passkeys: await api('GET', '/auth/passkeys').catch(() => []) });
  };

  add = async () => {
    try {
      const { challengeId, options } = await api('POST', '/auth/passkeys/register/options', {});
      const response = await window.SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options });
      await api('POST', '/auth/passkeys/register', { challengeId, response });
      this.setState({ notice: t('account.passkeyAdded'), problem: '' });
      this.load();
    } catch (error) {
      this.setState({ notice: '', problem: error?.status ? requestProblem(error) : t('account.passkeyFailed') });
    }
  };

  remove = async (passkey) => {
    try {
      await api('DELETE', `/auth/passkeys/${encodeURIComponent(passkey.id)}`);
      this.setState({ notice: t('account.passkeyRemoved'), problem: '' });
      this.load();
    } catch (error) {
      this.setState({ notice: '', problem: requestProblem(error) });
    }
  };

  render() {
    const { session } = this.props;
    const { passkeys, notice, problem } = this.state;
    return html`<h1>${t('account.title')}</h1>
      <p>${t('account.signedInAs', { email: session.email, role: t(`role.${session.role}`) })}</p>
      <h2>${t('account.passkeys')}</h2>
      <p>${t('account.passkeysWhy')}</p>
      ${passkeys.length === 0 ? html`<p>${t('account.noPasskeys')}</p>` : html`<ul data-testid="passkeys">
        ${passkeys.map((p) => html`<li>${t('account.passkey', { date: formatDate(p.createdAt), used: p.lastUsedAt ? formatDate(p.lastUsedAt) : t('account.neverUsed') })}
          <button type="button" onClick=${() => this.remove(p)}>${t('account.removePasskey', { date: formatDate(p.createdAt) })}</button></li>`)}
      </ul>`}
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
      <button type="button" onClick=${this.add}>${t('account.addPasskey')}</button>`;
  }
}
