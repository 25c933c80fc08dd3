// The console: a hash router over pages that each speak only the public API.
import { Component, html, render } from '/ui/html.js';
import { api, SIGNED_OUT, useSession } from '/ui/api.js';
import { chooseLanguage, currentLanguage, LANGUAGES, loadLanguage, t } from '/ui/i18n.js';
import { SignInPage, LinkPage } from '/ui/page-sign-in.js';
import { SitesPage } from '/ui/page-sites.js';
import { SitePage } from '/ui/page-site.js';
import { AccountPage } from '/ui/page-account.js';
import { MembersPage, OperationsPage, TokensPage, LegalQueuePage, HostsPage } from '/ui/page-staff.js';

const STAFF_PAGES = { members: MembersPage, operations: OperationsPage, tokens: TokensPage, legal: LegalQueuePage, hosts: HostsPage };

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] ?? 'sites', arg: parts[1] };
}

class App extends Component {
  state = { session: undefined, route: route(), ready: false };

  async componentDidMount() {
    await loadLanguage();
    addEventListener('hashchange', () => this.setState({ route: route() }, () => document.getElementById('main')?.focus()));
    addEventListener(SIGNED_OUT, () => {
      useSession(null);
      this.setState({ session: null });
    });
    const session = await api('GET', '/auth/session').catch(() => null);
    useSession(session);
    this.setState({ session, ready: true });
  }

  /** The sign-in link's token leaves the address bar and the history at once. */
  signedIn = (session) => {
    useSession(session);
    history.replaceState(null, '', '/#/sites');
    this.setState({ session, route: route() });
  };

  signOut = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    useSession(null);
    this.setState({ session: null });
    location.hash = '#/';
  };

  language = async (event) => {
    await chooseLanguage(event.target.value);
    this.forceUpdate();
  };

  page() {
    const { session, route } = this.state;
    if (route.page === 'signin' && route.arg) return html`<${LinkPage} token=${route.arg} onSignedIn=${this.signedIn} />`;
    if (!session) return html`<${SignInPage} onSignedIn=${this.signedIn} />`;
    if (route.page === 'sites' && route.arg) return html`<${SitePage} key=${route.arg} id=${route.arg} session=${session} />`;
    if (route.page === 'account') return html`<${AccountPage} session=${session} />`;
    const Staff = session.role === 'staff' || (session.role === 'legal' && route.page === 'legal') ? STAFF_PAGES[route.page] : undefined;
    if (Staff) return html`<${Staff} key=${route.page} session=${session} />`;
    return html`<${SitesPage} session=${session} />`;
  }

  nav() {
    const { session } = this.state;
    if (!session) return null;
    const links = [['#/sites', 'nav.sites']];
    if (session.role === 'staff') links.push(['#/members', 'nav.members'], ['#/operations', 'nav.operations'], ['#/tokens', 'nav.tokens'], ['#/legal', 'nav.legal'], ['#/hosts', 'nav.hosts']);
    if (session.role === 'legal') links.push(['#/legal', 'nav.legal']);
    links.push(['#/account', 'nav.account']);
    const here = `#/${this.state.route.page}`;
    return html`<nav aria-label=${t('nav.label')}><ul>
      ${links.map(([href, key]) => html`<li><a href=${href} aria-current=${href === here ? 'page' : undefined}>${t(key)}</a></li>`)}
      <li><button type="button" class="link" onClick=${this.signOut}>${t('nav.signOut')}</button></li>
    </ul></nav>`;
  }

  render() {
    if (!this.state.ready) return null;
    return html`<a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>${t('nav.skip')}</a>
      <header>
        <p class="brand">${t('app.title')}</p>
        ${this.nav()}
        <div class="language">
          <label for="language">${t('nav.language')}</label>
          <select id="language" value=${currentLanguage()} onChange=${this.language}>
            ${LANGUAGES.map((code) => html`<option value=${code} lang=${code}>${t(`language.${code}`)}</option>`)}
          </select>
        </div>
      </header>
      <main id="main" tabindex="-1">${this.page()}</main>`;
  }
}

render(html`<${App} />`, document.getElementById('app'));
