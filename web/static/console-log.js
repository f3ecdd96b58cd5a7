/* The curation log: filters, pages, CSV of what is filtered, undo of a latest event. */
(() => {
  'use strict';
  const { api, toast, when, el } = window.voc;
  const form = document.querySelector('[data-voc-logfilters]');
  const body = document.querySelector('[data-voc-events]');
  const more = document.querySelector('[data-voc-more]');
  const csv = document.querySelector('[data-voc-csv]');
  const curator = ['curator', 'admin'].includes(document.body.dataset.role);
  let next = null;

  function params() {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) p.append(k, String(v).trim());
    return p;
  }
  function change(e) {
    const keys = Object.keys(e.after || {});
    if (!keys.length) return e.detail && e.detail.text ? `note: ${e.detail.text}` : '';
    return keys.map((k) => `${k}: ${JSON.stringify(e.before[k])} → ${JSON.stringify(e.after[k])}`).join('; ');
  }
  function row(e) {
    const tr = el('tr');
    tr.append(el('td', when(e.at)), el('td', e.actor), el('td', e.action + (e.batch ? ' (bulk)' : '')));
    const link = el('a', e.verbatim_id || '');
    link.href = `/console?state=&q=&verbatim=${encodeURIComponent(e.verbatim_id || '')}`;
    const cell = el('td');
    cell.append(el('code', e.verbatim_id || ''), el('div', e.source || '', 'muted small'));
    tr.append(cell, el('td', change(e)), el('td', e.reason || ''));
    const undo = el('td');
    if (curator && e.undoable) {
      const b = el('button', 'Undo');
      b.type = 'button';
      b.setAttribute('aria-label', `Undo event ${e.id}`);
      b.addEventListener('click', async () => {
        try { await api('POST', `/api/v1/events/${e.id}/undo`); toast('Undone.'); load(); }
        catch (err) { toast(err.message, true); }
      });
      undo.append(b);
    }
    tr.append(undo);
    return tr;
  }
  async function load(append = false) {
    const p = params();
    if (append && next !== null) p.set('before', String(next));
    csv.href = '/api/v1/log?' + new URLSearchParams([...params(), ['format', 'csv']]).toString();
    try {
      const page = await api('GET', '/api/v1/log?' + p.toString());
      const rows = page.items.map(row);
      if (append) body.append(...rows); else body.replaceChildren(...rows);
      if (!append && !rows.length) {
        const tr = el('tr'); const td = el('td', 'No events match these filters.'); td.colSpan = 7; tr.append(td); body.append(tr);
      }
      next = page.next;
      more.hidden = next === null;
    } catch (e) { toast(e.message, true); }
  }
  api('GET', '/api/v1/feeds').then((feeds) => {
    const select = document.querySelector('[data-voc-feeds]');
    for (const f of feeds) { const o = el('option', f.title); o.value = f.name; select.append(o); }
  }).catch(() => {});
  form.addEventListener('change', () => load());
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  more.addEventListener('click', () => load(true));
  document.addEventListener('voc:changed', () => { if (window.scrollY < 200) load(); });
  load();
})();
