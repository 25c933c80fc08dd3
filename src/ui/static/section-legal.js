import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { currentLanguage, formatDate, formatDay, t } from '/ui/i18n.js';
import { requestProblem } from '/ui/errors.js';
import { Field, fieldErrors } from '/ui/fields.js';

/** "Check in with us before launch": the campaign goes to the host's legal desk, the member sees the case's status. Legal reviewers answer from the queue, so they get no form here. */
export class LegalSection extends Component {
  state = { description: '', launchDate: '', checkins: [], available: true, sent: false, errors: {}, problem: '' };

  componentDidMount() {
    this.load();
  }

  /** An install without the legal desk's check-ins answers 404 here: the form is then not offered. */
  load = async () => {
    try {
      const list = await api('GET', `/api/sites/${this.props.site.id}/legal-checkins`);
      this.setState({ checkins: Array.isArray(list) ? list : list?.items ?? [], available: true });
    } catch (error) {
      this.setState({ checkins: [], available: error?.status !== 404 });
    }
  };

  send = async (event) => {
    event.preventDefault();
    const { description, launchDate } = this.state;
    const body = { description: description.trim(), language: currentLanguage(), ...(launchDate ? { launchDate } : {}) };
    try {
      await api('POST', `/api/sites/${this.props.site.id}/legal-checkins`, body);
      this.setState({ sent: true, description: '', launchDate: '', errors: {}, problem: '' });
      this.props.onChange();
      this.load();
    } catch (error) {
      this.setState({ errors: fieldErrors('legal', error), problem: requestProblem(error), sent: false });
    }
  };

  render() {
    const { site } = this.props;
    const { checkins, available } = this.state;
    const open = site.posture.legal.openCases;
    return html`<section aria-labelledby="legal-title">
      <h2 id="legal-title">${t('section.legal')}</h2>
      <p data-testid="legal-status">${open ? t('legal.openCases', { count: open }) : t('legal.none')}</p>
      ${checkins.length ? html`<ul data-testid="legal-checkins">${checkins.map(checkinItem)}</ul>` : null}
      <p class="hint">${t('legal.why')}</p>
      ${this.props.session?.role === 'legal' ? null : available ? this.form() : html`<p>${t('legal.askHost')}</p>`}
    </section>`;
  }

  form() {
    const { name } = this.props;
    const { description, launchDate, sent, errors, problem } = this.state;
    return html`<form onSubmit=${this.send} novalidate>
        <${Field} id="legal-description" label=${t('legal.description')} hint=${t('legal.descriptionHint')} error=${errors.description}>
          ${(a) => html`<textarea ...${a} rows="4" value=${description} onInput=${(e) => this.setState({ description: e.target.value })}></textarea>`}
        </${Field}>
        <${Field} id="legal-launch" label=${t('legal.launchDate')} error=${errors.launchDate}>
          ${(a) => html`<input ...${a} type="date" value=${launchDate} onInput=${(e) => this.setState({ launchDate: e.target.value })} />`}
        </${Field}>
        ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
        ${sent ? html`<p class="notice" role="status">${t('legal.sent')}</p>` : null}
        <button type="submit">${t('legal.send', { site: name })}</button>
      </form>`;
  }
}

/** The member's own words, the case's status and the desk's advice; the API never sends a member the internal notes. */
function checkinItem(c) {
  return html`<li>
    <p>${t('legal.checkin', { date: formatDate(c.createdAt), status: t(`legal.status.${c.status}`) })}</p>
    ${c.launchDate ? html`<p>${t('legal.launchOn', { date: formatDay(c.launchDate) })}</p>` : null}
    ${c.advice ? html`<p class="advice"><strong>${t('legal.advice')}</strong> ${c.advice}</p>` : html`<p class="hint">${t('legal.noAdviceYet')}</p>`}
  </li>`;
}
