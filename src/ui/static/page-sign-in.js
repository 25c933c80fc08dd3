import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { currentLanguage, t } from '/ui/i18n.js';
import { Field, fieldErrors } from '/ui/fields.js';
import { requestProblem } from '/ui/errors.js';

export class SignInPage extends Component {
  state = { email: '', sent: false, errors: {}, problem: '' };

  componentDidMount() {
    document.getElementById('main')?.focus();
  }

  send = async (event) => {
    event.preventDefault();
    try {
      await api('POST', '/auth/link', { email: this.state.email.trim(), language: currentLanguage() });
      this.setState({ sent: true, errors: {}, problem: '' });
    } catch (error) {
      this.setState({ errors: fieldErrors('signin', error), problem: requestProblem(error) });
    }
  };

  passkey = async () => {
    try {
      const { challengeId, options } = await api('POST', '/auth/passkeys/sign-in/options', {});
      const response = await window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
      this.props.onSignedIn(await api('POST', '/auth/passkeys/sign-in', { challengeId, response }));
    } catch (error) {
      this.setState({ problem: error?.status ? requestProblem(error) : t('signin.passkeyFailed') });
    }
  };

  render() {
    const { sent, errors, problem, email } = this.state;
    return html`<h1>${t('signin.title')}</h1>
      <p>${t('signin.intro')}</p>
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
      ${sent ? html`<p class="notice" role="status">${t('signin.sent')}</p>` : null}
      <form onSubmit=${this.send} novalidate>
        <${Field} id="signin-email" label=${t('signin.email')} error=${errors.email}>
          ${(a) => html`<input ...${a} type="email" autocomplete="email" value=${email} onInput=${(e) => this.setState({ email: e.target.value })} />`}
        </${Field}>
        <button type="submit">${t('signin.send')}</button>
      </form>
      <h2>${t('signin.passkeyTitle')}</h2>
      <p>${t('signin.passkeyIntro')}</p>
      <button type="button" onClick=${this.passkey}>${t('signin.passkey')}</button>`;
  }
}

/** Where the mailed link lands: the token is in the fragment, so only this page ever sees it. */
export class LinkPage extends Component {
  state = { problem: '' };

  async componentDidMount() {
    try {
      const session = await api('POST', '/auth/link/redeem', { token: this.props.token });
      this.props.onSignedIn(session);
    } catch {
      this.setState({ problem: t('signin.linkRefused') });
    }
  }

  render() {
    return html`<h1>${t('signin.title')}</h1>
      ${this.state.problem ? html`<p class="error" role="alert">${this.state.problem}</p><p><a href="#/">${t('signin.again')}</a></p>` : html`<p role="status">${t('signin.checking')}</p>`}`;
  }
}
