/* Sources: health, last and next runs, and "pull now" for admins. */
(() => {
  'use strict';
  const { api, toast, when, el, actionButton } = window.voc;
  const body = document.querySelector('[data-voc-sources-table]');
  const admin = document.body.dataset.role === 'admin';

  function row(s) {
    const tr = el('tr');
    const status = el('td', s.status, `status-${String(s.status).replace(/\s+/g, '-')}`);
    tr.append(el('td', s.name), el('td', s.kind || s.adapter || ''), status, el('td', (s.comments || 0).toLocaleString(), 'num'));
    tr.append(el('td', when(s.last_pull_at || s.last_ingest_at || s.last_delivery_at)), el('td', s.pulling ? 'pulling now…' : when(s.next_run)));
    tr.append(el('td', s.last_error ? `${s.last_error} (${when(s.last_error_at)})` : ''));
    const cell = el('td');
    if (admin && s.pullable && s.kind !== 'webhook') {
      const path = `/api/v1/sources/${encodeURIComponent(s.name)}/pull`;
      const b = actionButton(s.pulling ? 'Pulling…' : 'Pull now', `Pull ${s.name} now`, 'POST', path, `Pulling ${s.name}…`, load);
      b.disabled = Boolean(s.pulling);
      cell.append(b);
    }
    tr.append(cell);
    return tr;
  }
  async function load() {
    try {
      const rows = await api('GET', '/api/v1/sources');
      body.replaceChildren(...rows.map(row));
      if (!rows.length) { const tr = el('tr'); const td = el('td', 'No sources yet: import a file or configure one.'); td.colSpan = 8; tr.append(td); body.append(tr); }
    } catch (e) { toast(e.message, true); }
  }
  document.addEventListener('voc:changed', load);
  setInterval(load, 10000);
  load();
})();
