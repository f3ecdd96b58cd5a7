/* Outlets: each Slack or Teams destination's health, and "send digest now" for admins. */
(() => {
  'use strict';
  const { api, toast, when, el, actionButton } = window.voc;
  const body = document.querySelector('[data-voc-outlets]');
  const admin = document.body.dataset.role === 'admin';
  const KINDS = { slack: 'Slack', teams: 'Teams' };

  function schedule(o) {
    const parts = [];
    if (o.digest) parts.push(`${o.digest} (${o.timezone})`);
    if (o.instant_ugly) parts.push('each new ugly comment');
    return parts.join(', ');
  }
  function retries(o) {
    if (!o.failures) return '';
    const again = o.next_attempt_at ? `, next try ${when(o.next_attempt_at)}` : ', next try at the next digest';
    return ` · ${o.failures} failed in a row${again}`;
  }
  function row(o) {
    const tr = el('tr');
    tr.dataset.outlet = o.name;
    tr.append(el('td', o.name), el('td', KINDS[o.kind] || o.kind), el('td', o.feed), el('td', schedule(o)));
    tr.append(el('td', o.sending ? 'sending…' : o.status, `status-${o.status}`));
    tr.append(el('td', when(o.last_sent_at) || 'never'), el('td', when(o.next_digest)));
    const error = o.last_error && o.status !== 'healthy' ? `${o.last_error}${o.last_error_at ? ` (${when(o.last_error_at)})` : ''}${retries(o)}` : '';
    tr.append(el('td', error));
    const cell = el('td');
    if (admin) {
      const path = `/api/v1/outlets/${encodeURIComponent(o.name)}/send`;
      const b = actionButton(o.sending ? 'Sending…' : 'Send digest now', `Send digest now: ${o.name}`, 'POST', path, `Sending the digest of ${o.name}…`, load);
      b.disabled = Boolean(o.sending) || o.status === 'misconfigured';
      cell.append(b);
    }
    tr.append(cell);
    return tr;
  }
  async function load() {
    try {
      const rows = await api('GET', '/api/v1/outlets');
      body.replaceChildren(...rows.map(row));
      if (!rows.length) { const tr = el('tr'); const td = el('td', 'No outlets yet: add [outlets.NAME] to the config file.'); td.colSpan = 9; tr.append(td); body.append(tr); }
      if (rows.some((o) => o.sending)) setTimeout(load, 300);
    } catch (e) { toast(e.message, true); }
  }
  setInterval(load, 10000);
  load();
})();
