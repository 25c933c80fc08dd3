import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { formatDate, has, t } from '/ui/i18n.js';

const PAGE_SIZE = 20;

/** The site's own audit trail, newest first. */
export class HistorySection extends Component {
  state = { events: [], more: false };

  componentDidMount() {
    this.load();
  }

  componentDidUpdate(previous) {
    if (previous.site !== this.props.site) this.load();
  }

  load = async (before) => {
    const page = await api('GET', `/api/sites/${this.props.site.id}/history?limit=${PAGE_SIZE}${before ? `&before=${before}` : ''}`).catch(() => []);
    const events = before ? [...this.state.events, ...page] : page;
    this.setState({ events, more: page.length === PAGE_SIZE });
  };

  render() {
    const { events, more } = this.state;
    return html`<section aria-labelledby="history-title">
      <h2 id="history-title">${t('section.history')}</h2>
      ${events.length === 0 ? html`<p>${t('history.none')}</p>` : html`<ul class="history">
        ${events.map((e) => html`<li><time datetime=${e.at}>${formatDate(e.at)}</time> — ${has(`action.${e.action}`) ? t(`action.${e.action}`) : t('action.other')}</li>`)}
      </ul>`}
      ${more ? html`<button type="button" onClick=${() => this.load(events[events.length - 1].id)}>${t('history.more')}</button>` : null}
    </section>`;
  }
}
