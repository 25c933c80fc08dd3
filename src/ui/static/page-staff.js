import { Component, html } from '/ui/html.js';
import { api } from '/ui/api.js';
import { formatDate, formatDay, has, t } from '/ui/i18n.js';
import { ErrorText, requestProblem } from '/ui/errors.js';
import { Field, fieldErrors } from '/ui/fields.js';
import { displayDomain } from '/ui/domains.js';
import { WaitingRestoreRequests } from '/ui/restore-requests-staff.js';

/** A staff page that loads one list; a 404 means this install does not offer it yet. */
class ListPage extends Component {
  state = { items: null, missing: false, problem: '' };

  componentDidMount() {
    this.load();
  }

  load = async () => {
    try {
      const data = await api('GET', this.path());
      this.setState({ items: Array.isArray(data) ? data : data?.items ?? [], problem: '' });
    } catch (error) {
      this.setState({ items: [], missing: error?.status === 404, problem: error?.status === 404 ? '' : requestProblem(error) });
    }
  };

  list() {
    const { items, missing, problem } = this.state;
    if (problem) return html`<p class="error" role="alert">${problem}</p>`;
    if (missing) return html`<p>${t('staff.notOffered')}</p>`;
    if (items === null) return html`<p role="status">${t('common.loading')}</p>`;
    if (items.length === 0) return html`<p>${t('staff.empty')}</p>`;
    return this.table(items);
  }
}

export class MembersPage extends ListPage {
  state = { ...this.state, name: '', email: '', errors: {}, formProblem: '', notice: '' };
  path = () => '/api/members';

  create = async (event) => {
    event.preventDefault();
    try {
      const member = await api('POST', '/api/members', { name: this.state.name.trim(), contactEmail: this.state.email.trim() });
      this.setState({ name: '', email: '', errors: {}, formProblem: '', notice: t('members.created', { name: member.name }) });
      this.load();
    } catch (error) {
      this.setState({ errors: fieldErrors('member', error), formProblem: requestProblem(error), notice: '' });
    }
  };

  invite = async (member) => {
    await api('POST', '/auth/link', { email: member.contactEmail });
    this.setState({ notice: t('members.linkSent', { email: member.contactEmail }) });
  };

  table(items) {
    return html`<div class="table-wrap"><table><caption>${t('members.caption')}</caption>
      <thead><tr><th scope="col">${t('members.name')}</th><th scope="col">${t('members.email')}</th><th scope="col">${t('members.since')}</th><th scope="col">${t('members.actions')}</th></tr></thead>
      <tbody>${items.map((m) => html`<tr><th scope="row">${m.name}</th><td>${m.contactEmail}</td><td>${formatDate(m.createdAt)}</td>
        <td><button type="button" onClick=${() => this.invite(m)}>${t('members.sendLink', { name: m.name })}</button></td></tr>`)}</tbody>
    </table></div>`;
  }

  render() {
    const { name, email, errors, formProblem, notice } = this.state;
    return html`<h1>${t('nav.members')}</h1>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${this.list()}
      <h2>${t('members.new')}</h2>
      <form onSubmit=${this.create} novalidate>
        <${Field} id="member-name" label=${t('members.name')} error=${errors.name}>
          ${(a) => html`<input ...${a} value=${name} onInput=${(e) => this.setState({ name: e.target.value })} />`}
        </${Field}>
        <${Field} id="member-email" label=${t('members.email')} error=${errors.contactEmail}>
          ${(a) => html`<input ...${a} type="email" value=${email} onInput=${(e) => this.setState({ email: e.target.value })} />`}
        </${Field}>
        ${formProblem ? html`<p class="error" role="alert">${formProblem}</p>` : null}
        <button type="submit">${t('members.create')}</button>
      </form>`;
  }
}

export class OperationsPage extends ListPage {
  state = { ...this.state, which: 'active' };
  path = () => `/api/operations?state=${this.state.which}&limit=100`;

  componentDidMount() {
    this.load();
    this.timer = setInterval(this.load, 2000);
  }

  componentWillUnmount() {
    clearInterval(this.timer);
  }

  show = (which) => this.setState({ which, items: null }, this.load);

  table(items) {
    return html`<div class="table-wrap"><table><caption>${t(`operations.${this.state.which}`)}</caption>
      <thead><tr><th scope="col">${t('operations.kind')}</th><th scope="col">${t('operations.status')}</th><th scope="col">${t('operations.created')}</th><th scope="col">${t('operations.error')}</th></tr></thead>
      <tbody>${items.map((op) => html`<tr><td>${has(`kind.${op.kind}`) ? t(`kind.${op.kind}`) : t('kind.other')}</td><td>${t(`op.status.${op.status}`)}</td><td>${formatDate(op.createdAt)}</td>
        <td>${op.siteId ? html`<a href="#/sites/${op.siteId}">${t('operations.site')}</a>` : null}${op.error ? html`<${ErrorText} raw=${op.error} />` : null}</td></tr>`)}</tbody>
    </table></div>`;
  }

  render() {
    return html`<h1>${t('nav.operations')}</h1>
      <${WaitingRestoreRequests} />
      <h2>${t('operations.title')}</h2>
      <div role="group" aria-label=${t('operations.which')}>
        ${['active', 'failed', 'succeeded'].map((w) => html`<button type="button" aria-pressed=${this.state.which === w ? 'true' : 'false'} onClick=${() => this.show(w)}>${t(`operations.${w}`)}</button>`)}
      </div>
      <div aria-live="polite">${this.list()}</div>`;
  }
}

export class TokensPage extends ListPage {
  state = { ...this.state, role: 'member', memberId: '', days: '', members: [], created: '', errors: {}, formProblem: '', notice: '' };
  path = () => '/api/tokens';

  componentDidMount() {
    this.load();
    api('GET', '/api/members').then((members) => this.setState({ members, memberId: members[0]?.id ?? '' })).catch(() => undefined);
  }

  /** Whose token it is, in words: the member's name, the note it was made with, or its role. */
  whose(tok) {
    const member = this.state.members.find((m) => m.id === tok.memberId);
    return member?.name ?? tok.label ?? t(`role.${tok.role}`);
  }

  revoke = async (tok) => {
    const who = this.whose(tok);
    try {
      await api('DELETE', `/api/tokens/${tok.id}`);
      this.setState({ created: '', notice: t('tokens.revoked', { who }), formProblem: '' });
    } catch (error) {
      this.setState({ notice: '', formProblem: requestProblem(error) });
    }
    this.load();
  };

  /** The token is shown once, here, and never again: only its hash is stored. */
  create = async (event) => {
    event.preventDefault();
    const { role, memberId, days } = this.state;
    const typed = days.trim();
    // Anything but digits goes as typed, so the API names the field instead of the token silently never expiring.
    const expiry = typed ? { expiresInDays: /^[0-9]+$/.test(typed) ? Number(typed) : typed } : {};
    try {
      const { token } = await api('POST', '/api/tokens', { role, ...(role === 'member' ? { memberId } : {}), ...expiry });
      this.setState({ created: token, days: '', errors: {}, formProblem: '', notice: '' });
      this.load();
    } catch (error) {
      this.setState({ created: '', errors: fieldErrors('token', error), formProblem: requestProblem(error) });
    }
  };

  table(items) {
    return html`<div class="table-wrap"><table data-testid="tokens"><caption>${t('tokens.caption')}</caption>
      <thead><tr><th scope="col">${t('tokens.whose')}</th><th scope="col">${t('tokens.role')}</th><th scope="col">${t('tokens.created')}</th><th scope="col">${t('tokens.lastUsed')}</th><th scope="col">${t('tokens.expires')}</th><th scope="col">${t('members.actions')}</th></tr></thead>
      <tbody>${items.map((tok) => {
        const who = this.whose(tok);
        return html`<tr><th scope="row">${who}</th><td>${t(`role.${tok.role}`)}</td><td>${formatDate(tok.createdAt)}</td><td>${tok.lastUsedAt ? formatDate(tok.lastUsedAt) : t('account.neverUsed')}</td>
        <td>${tok.expiresAt ? formatDate(tok.expiresAt) : t('tokens.untilRevoked')}</td>
        <td><button type="button" onClick=${() => this.revoke(tok)}>${t('tokens.revoke', { who, date: formatDate(tok.createdAt) })}</button></td></tr>`;
      })}</tbody>
    </table></div>`;
  }

  render() {
    const { role, memberId, days, members, created, errors, formProblem, notice } = this.state;
    return html`<h1>${t('nav.tokens')}</h1>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${this.list()}
      <h2>${t('tokens.new')}</h2>
      <p class="hint">${t('tokens.why')}</p>
      <form onSubmit=${this.create} novalidate>
        <${Field} id="token-role" label=${t('tokens.role')} error=${errors.role}>
          ${(a) => html`<select ...${a} value=${role} onChange=${(e) => this.setState({ role: e.target.value })}>
            ${['member', 'staff', 'legal'].map((r) => html`<option value=${r}>${t(`role.${r}`)}</option>`)}
          </select>`}
        </${Field}>
        ${role === 'member' ? html`<${Field} id="token-member" label=${t('tokens.member')} error=${errors.memberId}>
          ${(a) => html`<select ...${a} value=${memberId} onChange=${(e) => this.setState({ memberId: e.target.value })}>
            ${members.map((m) => html`<option value=${m.id}>${m.name}</option>`)}
          </select>`}
        </${Field}>` : null}
        <${Field} id="token-days" label=${t('tokens.days')} hint=${t('tokens.daysHint')} error=${errors.expiresInDays}>
          ${(a) => html`<input ...${a} inputmode="numeric" value=${days} onInput=${(e) => this.setState({ days: e.target.value })} />`}
        </${Field}>
        ${formProblem ? html`<p class="error" role="alert">${formProblem}</p>` : null}
        <button type="submit">${t('tokens.create')}</button>
      </form>
      ${created ? html`<div class="notice" role="status"><p>${t('tokens.createdOnce')}</p><pre data-testid="new-token">${created}</pre></div>` : null}`;
  }
}

const CASE_STATUSES = ['open', 'in_review', 'cleared', 'action_required', 'closed'];

/** The review queue: a case's status, and the advice the member will read (the notes stay with the desk). */
export class LegalQueuePage extends ListPage {
  state = { ...this.state, drafts: {}, notice: '', formProblem: '' };
  path = () => '/api/legal/cases';

  move = async (item, status) => {
    await this.patch(item, { status });
  };

  draft(c, field) {
    return this.state.drafts[c.id]?.[field] ?? c[field] ?? '';
  }

  edit(c, field, value) {
    this.setState({ drafts: { ...this.state.drafts, [c.id]: { ...this.state.drafts[c.id], [field]: value } } });
  }

  advise = async (event, c) => {
    event.preventDefault();
    await this.patch(c, { advice: this.draft(c, 'advice').trim(), notes: this.draft(c, 'notes') });
  };

  async patch(c, body) {
    const site = c.site ? displayDomain(c.site.primaryDomain) : '';
    try {
      await api('PATCH', `/api/legal/cases/${c.id}`, body);
      const drafts = { ...this.state.drafts };
      delete drafts[c.id];
      this.setState({ drafts, notice: t('legalQueue.saved', { site }), formProblem: '' });
    } catch (error) {
      this.setState({ notice: '', formProblem: requestProblem(error) });
    }
    this.load();
  }

  table(items) {
    return html`<div class="table-wrap"><table data-testid="legal-queue"><caption>${t('legalQueue.caption')}</caption>
      <thead><tr><th scope="col">${t('sites.site')}</th><th scope="col">${t('legalQueue.risk')}</th><th scope="col">${t('legalQueue.campaign')}</th><th scope="col">${t('legalQueue.status')}</th><th scope="col">${t('legalQueue.answer')}</th></tr></thead>
      <tbody>${items.map((c) => {
        const name = c.site ? displayDomain(c.site.primaryDomain) : '';
        return html`<tr><th scope="row"><a href="#/sites/${c.siteId}">${name}</a></th><td>${c.riskScore}</td>
        <td><p>${has(`legalQueue.kind.${c.kind}`) ? t(`legalQueue.kind.${c.kind}`) : ''}${c.launchDate ? ` · ${t('legal.launchOn', { date: formatDay(c.launchDate) })}` : ''}</p>${c.description ?? c.site?.campaignDescription ?? ''}</td>
        <td><label class="visually-hidden" for="case-${c.id}">${t('legalQueue.statusOf', { site: name })}</label>
          <select id="case-${c.id}" value=${c.status} onChange=${(e) => this.move(c, e.target.value)}>
            ${CASE_STATUSES.map((s) => html`<option value=${s}>${t(`legal.status.${s}`)}</option>`)}
          </select></td>
        <td>${this.answerForm(c, name)}</td></tr>`;
      })}</tbody>
    </table></div>`;
  }

  answerForm(c, name) {
    return html`<form onSubmit=${(e) => this.advise(e, c)} novalidate>
      <label for="advice-${c.id}">${t('legalQueue.advice', { site: name })}</label>
      <textarea id="advice-${c.id}" rows="3" value=${this.draft(c, 'advice')} onInput=${(e) => this.edit(c, 'advice', e.target.value)}></textarea>
      <label for="notes-${c.id}">${t('legalQueue.notes', { site: name })}</label>
      <textarea id="notes-${c.id}" rows="2" value=${this.draft(c, 'notes')} onInput=${(e) => this.edit(c, 'notes', e.target.value)}></textarea>
      <button type="submit">${t('legalQueue.send', { site: name })}</button>
    </form>`;
  }

  render() {
    const { notice, formProblem } = this.state;
    return html`<h1>${t('nav.legal')}</h1>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${formProblem ? html`<p class="error" role="alert">${formProblem}</p>` : null}
      ${this.list()}`;
  }
}

export class HostsPage extends ListPage {
  path = () => '/api/hosts';

  table(items) {
    return html`<div class="table-wrap"><table><caption>${t('hosts.caption')}</caption>
      <thead><tr><th scope="col">${t('hosts.name')}</th><th scope="col">${t('hosts.status')}</th><th scope="col">${t('hosts.sites')}</th><th scope="col">${t('hosts.behind')}</th><th scope="col">${t('hosts.lastSeen')}</th><th scope="col">${t('hosts.version')}</th></tr></thead>
      <tbody>${items.map((host) => html`<tr data-testid="host-row"><th scope="row">${host.name}</th><td>${t(`hosts.state.${host.status}`)}</td><td>${host.siteCount}</td><td>${host.lagging > 0 ? t('hosts.lagging', { count: host.lagging }) : t('hosts.upToDate')}</td><td>${host.lastSeenAt ? formatDate(host.lastSeenAt) : ''}</td><td>${host.agentVersion ?? ''}</td></tr>`)}</tbody>
    </table></div>`;
  }

  render() {
    return html`<h1>${t('nav.hosts')}</h1>${this.list()}`;
  }
}
