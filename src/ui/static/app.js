// A thin page over the admin API: everything it does, the API does.
const $ = (sel) => document.querySelector(sel);
const token = () => sessionStorage.getItem('hk_token');

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${token()}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(data?.message ?? res.statusText);
  return data;
}

function say(text, isError = false) {
  $('#status').textContent = text;
  $('#status').className = isError ? 'error' : '';
}

async function follow(operationId, label) {
  for (;;) {
    const op = await api('GET', `/api/operations/${operationId}`);
    say(`${label}: ${op.status}${op.error ? ` (${op.error})` : ''}`, op.status === 'failed');
    if (op.status === 'succeeded' || op.status === 'failed') return load();
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function button(label, onClick) {
  const b = document.createElement('button');
  b.textContent = label;
  b.addEventListener('click', () => onClick().catch((e) => say(e.message, true)));
  return b;
}

function row(site) {
  const { https, logging, backups, legal } = site.posture;
  const tr = document.createElement('tr');
  tr.append(
    cell(site.domains.join(', ')),
    cell(`${https.status}${https.notAfter ? ` until ${https.notAfter.slice(0, 10)}` : ''}${https.lastError ? ` — ${https.lastError}` : ''}`, https.status),
    cell(`${logging.mode}${logging.mode === 'full' ? `, ${logging.retentionDays} days` : ''}`),
    cell(backups.enabled ? `${backups.keyCustody} custody${backups.lastSuccessAt ? `, last ${backups.lastSuccessAt.slice(0, 16)}` : ''}` : 'off'),
    cell(legal.openCases ? `${legal.openCases} open case(s)` : '—'),
  );
  const actions = document.createElement('td');
  if (https.status !== 'active' && https.status !== 'pending') {
    actions.append(button('Enable HTTPS', async () => follow((await api('POST', `/api/sites/${site.id}/https`, {})).operationId, `HTTPS for ${site.domains[0]}`)));
  }
  if (logging.mode !== 'off') {
    actions.append(button('Stop visitor logs', async () => follow((await api('PUT', `/api/sites/${site.id}/logging`, { mode: 'off' })).operationId, `Logs off for ${site.domains[0]}`)));
  }
  tr.append(actions);
  return tr;
}

async function load() {
  const page = await api('GET', '/api/sites?limit=500');
  const body = $('#sites tbody');
  body.replaceChildren(...page.items.map(row));
  $('#sites').hidden = false;
  if (!$('#status').textContent) say(`${page.items.length} site(s)`);
}

$('#login').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('hk_token', $('#token').value.trim());
  say('');
  load().catch((e) => say(e.message, true));
});
// The sandbox prints a link with the token in the fragment (never sent to the server); keep it for this tab only.
if (location.hash.startsWith('#token=')) {
  sessionStorage.setItem('hk_token', decodeURIComponent(location.hash.slice('#token='.length)));
  history.replaceState(null, '', location.pathname);
}
if (token()) load().catch((e) => say(e.message, true));
