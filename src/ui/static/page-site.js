import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { t } from '/ui/i18n.js';
import { displayDomain, siteName } from '/ui/domains.js';
import { requestProblem } from '/ui/errors.js';
import { HttpsSection } from '/ui/section-https.js';
import { LoggingSection } from '/ui/section-logging.js';
import { BackupsSection } from '/ui/section-backups.js';
import { LegalSection } from '/ui/section-legal.js';
import { HistorySection } from '/ui/section-history.js';

const PENDING_POLL_MS = 2000;

/** One site, every self-service task on it. Another member's site is simply "not found". */
export class SitePage extends Component {
  state = { site: undefined, problem: '' };

  componentDidMount() {
    this.reload();
  }

  componentWillUnmount() {
    clearTimeout(this.timer);
    this.gone = true;
  }

  /** While a certificate is being set up (from here or anywhere else), the page keeps itself current. */
  reload = async () => {
    clearTimeout(this.timer);
    try {
      const site = await api('GET', `/api/sites/${encodeURIComponent(this.props.id)}`);
      if (this.gone) return;
      this.setState({ site, problem: '' });
      if (site.posture.https.status === 'pending') this.timer = setTimeout(this.reload, PENDING_POLL_MS);
    } catch (error) {
      if (!this.gone) this.setState({ site: null, problem: error?.status === 404 || error?.status === 400 ? '' : requestProblem(error) });
    }
  };

  render() {
    const { site, problem } = this.state;
    if (site === undefined) return html`<p role="status">${t('common.loading')}</p>`;
    if (site === null) {
      return html`<h1>${t('site.notFound')}</h1>
        ${problem ? html`<p class="error" role="alert">${problem}</p>` : html`<p>${t('site.notFoundText')}</p>`}
        <p><a href="#/sites">${t('site.back')}</a></p>`;
    }
    const props = { site, session: this.props.session, name: siteName(site), onChange: this.reload };
    return html`<h1>${siteName(site)}</h1>
      ${site.domains.length > 1 ? html`<p>${t('site.alsoServes', { names: site.domains.slice(1).map(displayDomain).join(', ') })}</p>` : null}
      <${HttpsSection} ...${props} />
      <${LoggingSection} ...${props} />
      <${BackupsSection} ...${props} />
      <${LegalSection} ...${props} />
      <${HistorySection} ...${props} />`;
  }
}
