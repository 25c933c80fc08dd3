import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { formatDate, t } from '/ui/i18n.js';
import { siteName } from '/ui/domains.js';
import { requestProblem } from '/ui/errors.js';

const PAGE_SIZE = 50;

export function httpsSummary(https) {
  const status = t(`https.status.${https.status}`);
  return https.status === 'active' && https.notAfter ? t('https.activeUntil', { date: formatDate(https.notAfter) }) : status;
}

export function loggingSummary(logging) {
  return logging.mode === 'off' ? t('logging.mode.off') : t('logging.summary', { mode: t(`logging.mode.${logging.mode}`), days: logging.retentionDays });
}

/** My sites (or every site, for staff), a page at a time: fine with a thousand. */
export class SitesPage extends Component {
  state = { items: null, cursors: [undefined], index: 0, next: undefined, problem: '' };

  componentDidMount() {
    this.load(0);
  }

  async load(index) {
    const cursor = this.state.cursors[index];
    try {
      const page = await api('GET', `/api/sites?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const cursors = this.state.cursors.slice(0, index + 1);
      if (page.nextCursor) cursors.push(page.nextCursor);
      this.setState({ items: page.items, cursors, index, next: page.nextCursor, problem: '' });
    } catch (error) {
      this.setState({ problem: requestProblem(error) });
    }
  }

  render() {
    const { items, index, next, problem } = this.state;
    return html`<h1>${this.props.session.role === 'member' ? t('sites.mine') : t('sites.all')}</h1>
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
      ${items === null ? html`<p role="status">${t('common.loading')}</p>` : items.length === 0 ? html`<p>${t('sites.none')}</p>` : html`
      <div class="table-wrap"><table>
        <caption>${t('sites.caption', { page: index + 1 })}</caption>
        <thead><tr><th scope="col">${t('sites.site')}</th><th scope="col">${t('section.https')}</th><th scope="col">${t('section.logging')}</th><th scope="col">${t('section.backups')}</th><th scope="col">${t('section.legal')}</th></tr></thead>
        <tbody>${items.map((site) => html`<tr>
          <th scope="row"><a href="#/sites/${site.id}">${siteName(site)}</a></th>
          <td class="status-${site.posture.https.status}">${httpsSummary(site.posture.https)}</td>
          <td>${loggingSummary(site.posture.logging)}</td>
          <td>${site.posture.backups.enabled ? t(`backups.custody.${site.posture.backups.keyCustody}`) : t('backups.off')}</td>
          <td>${site.posture.legal.openCases ? t('legal.openCases', { count: site.posture.legal.openCases }) : t('legal.none')}</td>
        </tr>`)}</tbody>
      </table></div>`}
      <nav class="pager" aria-label=${t('sites.pages')}>
        <button type="button" disabled=${index === 0} onClick=${() => this.load(index - 1)}>${t('sites.previous')}</button>
        <button type="button" disabled=${!next} onClick=${() => this.load(index + 1)}>${t('sites.next')}</button>
      </nav>`;
  }
}
