/* "You said, we did": every note by status; curators change a status or remove a note. */
(() => {
  'use strict';
  const { api, toast, when, el } = window.voc;
  const body = document.querySelector('[data-voc-actions]');
  const filter = document.querySelector('[data-voc-actionfilter]');
  const curator = ['curator', 'admin'].includes(document.body.dataset.role);
  const STATUSES = ['planned', 'in progress', 'done'];

  function row(n) {
    const tr = el('tr');
    tr.append(el('td', n.you_said), el('td', n.we_did), el('td', n.owner));
    const cell = el('td');
    if (curator) {
      const select = el('select');
      select.setAttribute('aria-label', `Status of the note on "${n.you_said}"`);
      for (const s of STATUSES) { const o = el('option', s); o.selected = s === n.status; select.append(o); }
      select.addEventListener('change', async () => {
        try {
          await api('PUT', `/api/v1/actions/${n.id}`, { you_said: n.you_said, we_did: n.we_did, owner: n.owner, status: select.value, due: n.due, comments: n.comments });
          toast(`Now ${select.value}.`);
        } catch (e) { toast(e.message, true); load(); }
      });
      cell.append(select);
    } else cell.textContent = n.status;
    tr.append(cell, el('td', n.due ? when(n.due) : ''), el('td', String(n.comments.length), 'num'));
    const end = el('td');
    if (curator) {
      const b = el('button', 'Remove');
      b.type = 'button';
      b.setAttribute('aria-label', `Remove the note on "${n.you_said}"`);
      b.addEventListener('click', async () => {
        try { await api('DELETE', `/api/v1/actions/${n.id}`); toast('Removed.'); load(); }
        catch (e) { toast(e.message, true); }
      });
      end.append(b);
    }
    tr.append(end);
    return tr;
  }
  async function load() {
    const status = new FormData(filter).get('status');
    try {
      const notes = await api('GET', '/api/v1/actions' + (status ? `?status=${encodeURIComponent(status)}` : ''));
      body.replaceChildren(...notes.map(row));
      if (!notes.length) { const tr = el('tr'); const td = el('td', 'No notes yet.'); td.colSpan = 7; tr.append(td); body.append(tr); }
    } catch (e) { toast(e.message, true); }
  }
  filter.addEventListener('change', load);
  load();
})();
