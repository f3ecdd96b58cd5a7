/* The queue: comments newest first, filters, live updates, keys, bulk actions and undo. */
(() => {
  'use strict';
  const { api, toast, when, el } = window.voc;
  const form = document.querySelector('[data-voc-filters]');
  const list = document.querySelector('[data-voc-cards]');
  const tpl = document.querySelector('template[data-voc-card]');
  const more = document.querySelector('[data-voc-more]');
  const fresh = document.querySelector('[data-voc-fresh]');
  const summary = document.querySelector('[data-voc-summary]');
  const bulkBar = document.querySelector('[data-voc-bulk]');
  const curator = ['curator', 'admin'].includes(document.body.dataset.role);
  const PAGE = 50;

  let items = [];
  let next = null;
  let current = -1;
  const picked = new Set();
  const undo = [];
  let loading = 0;

  // -- filters <-> URL -------------------------------------------------------------------------
  function params() {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) p.append(k, String(v).trim());
    return p;
  }
  function restore() {
    const p = new URLSearchParams(location.search);
    if (![...p.keys()].length) return;
    for (const input of form.elements) {
      if (!input.name) continue;
      const values = p.getAll(input.name);
      if (input.type === 'checkbox') input.checked = values.includes(input.value);
      else if (input.type === 'radio') input.checked = (values[0] || '') === input.value;
      else input.value = values[0] || '';
    }
  }

  // -- loading ---------------------------------------------------------------------------------
  async function load({ append = false, keep = true } = {}) {
    const p = params();
    p.set('limit', String(append ? PAGE : Math.max(PAGE, Math.min(items.length, 200))));
    if (append && next !== null) p.set('before', String(next));
    const ticket = ++loading;
    let page;
    try {
      page = await api('GET', '/api/v1/queue?' + p.toString());
    } catch (e) {
      toast(e.message, true);
      return;
    }
    if (ticket !== loading) return; // a newer load won
    const keepId = keep && current >= 0 && items[current] ? items[current].id : null;
    items = append ? items.concat(page.items) : page.items;
    next = page.next;
    render();
    const found = keepId ? items.findIndex((c) => c.id === keepId) : -1;
    select(found >= 0 ? found : (items.length ? Math.min(Math.max(current, 0), items.length - 1) : -1), false);
    fresh.hidden = true;
    if (!append) {
      const shown = new URLSearchParams(params());
      history.replaceState(null, '', location.pathname + (shown.toString() ? '?' + shown : ''));
    }
  }

  function describe() {
    const state = new FormData(form).get('state');
    const label = { pending: 'waiting for a curator', approved: 'shown on screens', hidden: 'hidden', '': 'in every state' }[state || ''];
    const n = items.length;
    summary.textContent = n
      ? `${n}${next !== null ? '+' : ''} comment${n === 1 ? '' : 's'} ${label}, newest first`
      : `No comments ${label} match these filters.`;
  }

  // -- rendering -------------------------------------------------------------------------------
  function renderText(node, card) {
    node.replaceChildren();
    let at = 0;
    for (const m of card.masks) {
      if (m.start > at) node.append(document.createTextNode(card.text.slice(at, m.start)));
      const mark = el('mark', card.text.slice(m.start, m.end));
      mark.dataset.label = m.label;
      mark.dataset.start = String(m.start);
      mark.title = `masked on screens as [${m.label}] by ${m.by}; select it and press m to unmask`;
      node.append(mark);
      at = m.end;
    }
    node.append(document.createTextNode(card.text.slice(at)));
  }

  function score(card) {
    if (card.score === null || card.score === undefined) return 'no score';
    const scale = { nps: 'NPS', csat5: 'CSAT', stars5: '★' }[card.scale] || card.scale;
    return scale === '★' ? `${card.score} ★` : `${scale} ${card.score}`;
  }

  function fill(li, card, index) {
    li.dataset.id = card.id;
    li.dataset.index = String(index);
    li.className = `card b-${card.bucket}` + (picked.has(card.id) ? ' picked' : '');
    li.setAttribute('aria-label', `${card.bucket} comment from ${card.source}, ${card.state}`);
    const q = (s) => li.querySelector(s);
    q('.pick').checked = picked.has(card.id);
    q('.pick').setAttribute('aria-label', `Select comment ${index + 1}`);
    const bucket = q('.bucket');
    bucket.textContent = card.bucket + (card.bucket_by ? ' (curator)' : '');
    bucket.className = `chip bucket b-${card.bucket}`;
    q('.score').textContent = score(card);
    const state = q('.state');
    state.textContent = { pending: 'waiting', approved: 'shown', hidden: 'hidden' }[card.state];
    state.className = `state s-${card.state}`;
    q('.pinned').hidden = !card.pinned;
    q('.source').textContent = card.source + (card.language ? ` · ${card.language}` : '');
    q('.when').textContent = when(card.given_at || card.ingested_at);
    q('.question').textContent = card.question || '';
    renderText(q('.text'), card);
    const meta = q('.meta');
    meta.replaceChildren(...Object.entries(card.meta).map(([k, v]) => el('li', `${k}: ${v}`)));
    q('.why').textContent = card.why;
    const notes = q('.notes');
    notes.replaceChildren(...(card.notes || []).map((n) => el('li', `${n.actor}: ${n.text}`)));
    const approve = li.querySelector('[data-act="approve"]');
    if (approve) approve.disabled = card.state === 'approved';
    const pin = li.querySelector('[data-act="pin"] span');
    if (pin) pin.textContent = card.pinned ? 'Unpin' : 'Pin';
    const retag = li.querySelector('select[data-act="retag"]');
    if (retag) {
      retag.value = card.bucket;
      retag.setAttribute('aria-label', 'Set the bucket');
    }
  }

  function render() {
    const nodes = items.map((card, i) => {
      const li = tpl.content.firstElementChild.cloneNode(true);
      fill(li, card, i);
      return li;
    });
    list.replaceChildren(...nodes);
    more.hidden = next === null;
    describe();
    showBulk();
  }

  function replace(card) {
    const i = items.findIndex((c) => c.id === card.id);
    if (i < 0) return;
    items[i] = card;
    const li = list.children[i];
    if (li) fill(li, card, i);
    if (i === current) li.classList.add('current');
  }

  function select(i, scroll = true) {
    for (const li of list.querySelectorAll('.card.current')) li.classList.remove('current');
    current = i;
    const li = list.children[i];
    if (!li) return;
    li.classList.add('current');
    if (scroll) {
      li.scrollIntoView({ block: 'nearest', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
      li.focus({ preventScroll: true });
    }
  }

  function showBulk() {
    bulkBar.hidden = picked.size === 0;
    const label = bulkBar.querySelector('[data-voc-selected]');
    label.textContent = `${picked.size.toLocaleString()} selected`;
  }

  function toggle(i) {
    const card = items[i];
    if (!card) return;
    if (picked.has(card.id)) picked.delete(card.id); else picked.add(card.id);
    fill(list.children[i], card, i);
    if (i === current) list.children[i].classList.add('current');
    showBulk();
  }

  // -- actions ---------------------------------------------------------------------------------
  async function act(action, card, body = {}) {
    if (!curator) { toast('Viewers see the queue; a curator or admin acts on it.', true); return; }
    const li = list.children[items.indexOf(card)];
    li?.classList.add('busy');
    try {
      const done = await api('POST', `/api/v1/comments/${encodeURIComponent(card.id)}/${action}`, body);
      done.notes = action === 'notes' ? (await api('GET', `/api/v1/comments/${encodeURIComponent(card.id)}`)).notes : card.notes;
      if (done.latest_event) undo.push({ event: done.latest_event, what: `${action} of one comment` });
      replace(done);
      toast(`${{ approve: 'Approved', hide: 'Hidden', pin: 'Pinned', unpin: 'Unpinned', retag: 'Bucket set', mask: 'Masked', unmask: 'Unmasked', notes: 'Note saved', spotlight: 'In the spotlight' }[action]}. Press u to undo.`);
    } catch (e) {
      toast(e.message, true);
    } finally {
      li?.classList.remove('busy');
    }
  }

  async function bulk(action, body = {}) {
    if (!picked.size) return;
    const ids = [...picked];
    try {
      const done = await api('POST', '/api/v1/bulk', { ids, action, ...body });
      undo.push({ batch: done.batch, what: `${action} of ${done.count} comments` });
      picked.clear();
      toast(`${done.count} comments: ${action}. Press u to undo them all.`);
      await load();
    } catch (e) {
      toast(e.message, true);
    }
  }

  async function pickAll() {
    try {
      const found = await api('GET', '/api/v1/queue/ids?' + params().toString());
      for (const id of found.ids) picked.add(id);
      render();
      select(current, false);
      if (found.more) toast(`The first ${found.ids.length.toLocaleString()} matches are selected: one bulk action takes at most that many.`);
    } catch (e) { toast(e.message, true); }
  }

  async function undoLast() {
    const last = undo.pop();
    if (!last) { toast('Nothing of yours to undo on this page.'); return; }
    try {
      if (last.batch) await api('POST', `/api/v1/batches/${encodeURIComponent(last.batch)}/undo`);
      else await api('POST', `/api/v1/events/${last.event}/undo`);
      toast(`Undone: ${last.what}.`);
      await load();
    } catch (e) {
      toast(e.message, true);
    }
  }

  function ask(dialog) {
    return new Promise((resolve) => {
      const f = dialog.querySelector('form');
      f.reset();
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok' ? new FormData(f) : null), { once: true });
      dialog.showModal();
    });
  }

  async function hide(card) {
    const got = await ask(document.querySelector('[data-voc-hide]'));
    if (!got) return;
    const reason = String(got.get('other') || '').trim() || String(got.get('reason') || '');
    if (picked.size) await bulk('hide', { reason });
    else await act('hide', card, { reason });
  }

  async function note(card) {
    const got = await ask(document.querySelector('[data-voc-note]'));
    if (got && String(got.get('text')).trim()) await act('notes', card, { text: String(got.get('text')) });
  }

  async function spot(card) {
    const select = document.querySelector('[data-voc-spot-feeds]');
    if (!select.options.length) {
      try {
        for (const f of await api('GET', '/api/v1/feeds')) {
          const o = el('option', f.title);
          o.value = f.name;
          select.append(o);
        }
      } catch (e) { toast(e.message, true); return; }
    }
    const got = await ask(document.querySelector('[data-voc-spotlight]'));
    if (!got) return;
    await act('spotlight', card, { feed: String(got.get('feed')), seconds: Number(got.get('seconds')) });
  }

  async function youSaid(card) {
    const got = await ask(document.querySelector('[data-voc-action]'));
    if (!got) return;
    const body = Object.fromEntries(['you_said', 'we_did', 'owner', 'status'].map((k) => [k, String(got.get(k) || '')]));
    body.due = String(got.get('due') || '') || null;
    body.comments = picked.size ? [...picked] : [card.id];
    try {
      await api('POST', '/api/v1/actions', body);
      toast('Saved: screens show it after the comment it answers.');
    } catch (e) { toast(e.message, true); }
  }

  function offsetIn(container, node, offset) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    let at = 0;
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (t === node) return at + offset;
      at += t.nodeValue.length;
    }
    return at;
  }

  async function maskSelection(card, li) {
    const text = li.querySelector('.text');
    const sel = getSelection();
    const mark = sel.anchorNode && sel.anchorNode.parentElement?.closest('mark');
    if (mark && text.contains(mark)) {
      await act('unmask', card, { start: Number(mark.dataset.start) });
      return;
    }
    if (!sel.rangeCount || sel.isCollapsed || !text.contains(sel.anchorNode) || !text.contains(sel.focusNode)) {
      toast('Select words in the comment first (a name, a store, a number), then press m.', true);
      return;
    }
    const r = sel.getRangeAt(0);
    let start = offsetIn(text, r.startContainer, r.startOffset);
    let end = offsetIn(text, r.endContainer, r.endOffset);
    while (start < end && /\s/.test(card.text[start])) start++;
    while (end > start && /\s/.test(card.text[end - 1])) end--;
    sel.removeAllRanges();
    await act('mask', card, { start, end });
  }

  // -- events ----------------------------------------------------------------------------------
  list.addEventListener('click', (ev) => {
    const li = ev.target.closest('.card');
    if (!li) return;
    const i = Number(li.dataset.index);
    const card = items[i];
    if (ev.target.classList.contains('pick')) { toggle(i); select(i, false); return; }
    const button = ev.target.closest('button[data-act]');
    select(i, false);
    if (!button) return;
    const action = button.dataset.act;
    if (action === 'hide') hide(card);
    else if (action === 'pin') act(card.pinned ? 'unpin' : 'pin', card);
    else if (action === 'mask') maskSelection(card, li);
    else if (action === 'note') note(card);
    else if (action === 'spotlight') spot(card);
    else if (action === 'action') youSaid(card);
    else act(action, card);
  });
  list.addEventListener('mousedown', (ev) => {
    if (ev.target.closest('button[data-act="mask"]')) ev.preventDefault(); // keep the selection
  });
  list.addEventListener('change', (ev) => {
    if (!ev.target.matches('select[data-act="retag"]')) return;
    const li = ev.target.closest('.card');
    const card = items[Number(li.dataset.index)];
    if (ev.target.value !== card.bucket) act('retag', card, { bucket: ev.target.value });
  });
  bulkBar.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-bulk]');
    if (!b) return;
    if (b.dataset.bulk === 'clear') { picked.clear(); render(); select(current, false); return; }
    if (b.dataset.bulk === 'all') { pickAll(); return; }
    if (b.dataset.bulk === 'hide') hide(null); else bulk(b.dataset.bulk);
  });
  more.addEventListener('click', () => load({ append: true }));
  document.querySelector('[data-voc-refresh]').addEventListener('click', () => load());
  document.querySelector('[data-voc-help]').addEventListener('click', () => document.querySelector('[data-voc-keys]').showModal());
  let typing = 0;
  form.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => { picked.clear(); current = -1; load({ keep: false }); }, 200); });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load({ keep: false }); });
  form.addEventListener('reset', () => setTimeout(() => { picked.clear(); load({ keep: false }); }, 0));

  document.addEventListener('voc:changed', () => {
    const quiet = window.scrollY < 200 && !picked.size && !document.querySelector('dialog[open]');
    if (quiet) load(); else fresh.hidden = false;
  });

  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (document.querySelector('dialog[open]')) return;
    const t = ev.target;
    if (t.matches && t.matches('input:not([type=radio]):not([type=checkbox]), select, textarea')) {
      if (ev.key === 'Escape') t.blur();
      return;
    }
    const card = items[current];
    const li = list.children[current];
    const keys = {
      j: () => select(Math.min(current + 1, items.length - 1)),
      k: () => select(Math.max(current - 1, 0)),
      x: () => toggle(current),
      a: () => (picked.size ? bulk('approve') : card && act('approve', card)),
      h: () => (picked.size || card) && hide(card),
      p: () => (picked.size ? bulk('pin') : card && act(card.pinned ? 'unpin' : 'pin', card)),
      m: () => card && maskSelection(card, li),
      n: () => card && note(card),
      s: () => card && spot(card),
      w: () => card && youSaid(card),
      u: () => undoLast(),
      '/': () => form.querySelector('[name=q]').focus(),
      '.': () => load(),
      '?': () => document.querySelector('[data-voc-keys]').showModal(),
    };
    const run = keys[ev.key];
    if (!run) return;
    ev.preventDefault();
    run();
  });

  async function sources() {
    try {
      const rows = await api('GET', '/api/v1/sources');
      const select = document.querySelector('[data-voc-sources]');
      const chosen = new URLSearchParams(location.search).get('source') || '';
      for (const row of rows) {
        const o = el('option', row.name);
        o.value = row.name;
        select.append(o);
      }
      select.value = chosen;
    } catch (e) { /* the filter works without the list */ }
  }

  // Beside the list on a wide screen, the filters are always open; on a tablet, folded away.
  const wide = matchMedia('(min-width: 901px)');
  const folded = document.querySelector('[data-voc-more-filters]');
  const fold = () => { folded.open = wide.matches || new URLSearchParams(location.search).size > 1; };
  wide.addEventListener('change', fold);
  fold();

  restore();
  sources().then(() => load({ keep: false }));
  api('GET', '/api/v1/counts').then(window.voc.setCounts).catch(() => {});
})();
