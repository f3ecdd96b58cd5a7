/* Screens: register a new screen by its code, see each one online or not and what it shows,
 * change its feed or schedule, remove it; make and revoke embeds' display tokens. */
(() => {
  'use strict';
  const { api, toast, when, el } = window.voc;
  const form = document.querySelector('[data-voc-screenform]');
  const curator = form.dataset.curator === 'yes';
  const slots = document.querySelector('[data-voc-slots]');
  const list = document.querySelector('[data-voc-screens]');
  const embeds = document.querySelector('[data-voc-embeds]');
  const embedForm = document.querySelector('[data-voc-addembed]');
  const secretBox = document.querySelector('[data-voc-embedsecret]');
  const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const STATUS = {
    online: 'online',
    offline: 'offline (missed its heartbeats)',
    lost: 'lost: offline for too long',
    waiting: 'registered, not seen yet',
  };
  let feeds = [];
  let editing = null;

  function feedOptions(select, chosen) {
    select.replaceChildren(...feeds.map((f) => {
      const o = el('option', f.title === f.name ? f.name : `${f.title} (${f.name})`);
      o.value = f.name;
      o.selected = f.name === chosen;
      return o;
    }));
  }

  let slotCount = 0;
  function addSlot(slot = { days: DAYS.slice(0, 5), start: '12:00', end: '14:00', feed: feeds[0]?.name }) {
    const n = ++slotCount;
    const row = el('fieldset', null, 'slot');
    row.append(el('legend', 'Time slot', 'sr-only'));
    const days = el('div', null, 'days');
    for (const d of DAYS) {
      const label = el('label', null, 'day');
      const box = el('input');
      box.type = 'checkbox';
      box.value = d;
      box.checked = slot.days.includes(d);
      label.append(box, document.createTextNode(` ${d}`));
      days.append(label);
    }
    const field = (text, node) => { const w = el('div'); const l = el('label', text); node.id = `slot-${n}-${text.toLowerCase()}`; l.htmlFor = node.id; w.append(l, node); return w; };
    const start = el('input'); start.type = 'time'; start.value = slot.start; start.dataset.part = 'start';
    const end = el('input'); end.type = 'time'; end.value = slot.end === '24:00' ? '23:59' : slot.end; end.dataset.part = 'end';
    const feed = el('select'); feed.dataset.part = 'feed'; feedOptions(feed, slot.feed);
    const remove = el('button', 'Remove slot'); remove.type = 'button';
    remove.addEventListener('click', () => row.remove());
    row.append(days, field('From', start), field('Until', end), field('Feed', feed), remove);
    slots.append(row);
  }

  function schedule() {
    return [...slots.querySelectorAll('.slot')].map((row) => ({
      days: [...row.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value),
      start: row.querySelector('[data-part=start]').value,
      end: row.querySelector('[data-part=end]').value === '23:59' ? '24:00' : row.querySelector('[data-part=end]').value,
      feed: row.querySelector('[data-part=feed]').value,
    }));
  }

  function days(list) {
    const key = list.join(',');
    if (key === DAYS.join(',')) return 'every day';
    if (key === DAYS.slice(0, 5).join(',')) return 'Mon–Fri';
    if (key === 'sat,sun') return 'weekends';
    return list.map((d) => d[0].toUpperCase() + d.slice(1)).join(', ');
  }

  function summary(s) {
    const parts = [s.feed];
    for (const slot of s.schedule) parts.push(`${days(slot.days)} ${slot.start}–${slot.end}: ${slot.feed}`);
    return parts.join('; ');
  }

  function showing(s) {
    const now = s.showing;
    if (!now || !now.feed) return s.status === 'waiting' ? '' : `${s.feed_now} (nothing reported yet)`;
    const counts = Object.entries(now.buckets || {}).map(([b, n]) => `${n} ${b}`).join(', ');
    return `${now.feed}${now.layout ? `, ${now.layout}` : ''}${now.spotlight ? ', spotlight' : ''}${counts ? `: ${counts}` : ''}`;
  }

  function row(s) {
    const tr = el('tr');
    const who = el('td');
    who.append(el('strong', s.name), el('br'), el('span', s.location, 'muted'));
    const state = el('td');
    state.append(el('span', STATUS[s.status] || s.status, `status-${s.status}`));
    if (s.last_seen_at) state.append(el('br'), el('span', `last seen ${when(s.last_seen_at)}`, 'muted'));
    tr.append(who, state, el('td', showing(s)), el('td', summary(s)));
    const end = el('td');
    if (curator) {
      const change = el('button', 'Change');
      change.type = 'button';
      change.setAttribute('aria-label', `Change ${s.name}`);
      change.addEventListener('click', () => edit(s));
      const remove = el('button', 'Remove');
      remove.type = 'button';
      remove.setAttribute('aria-label', `Remove ${s.name}`);
      remove.addEventListener('click', async () => {
        if (!confirm(`Remove ${s.name}? It goes dark and shows a new code.`)) return;
        try { await api('DELETE', `/api/v1/screens/${s.id}`); toast(`${s.name} removed.`); load(); }
        catch (e) { toast(e.message, true); }
      });
      end.append(change, remove);
    }
    tr.append(end);
    return tr;
  }

  function edit(s) {
    editing = s;
    form.elements.name.value = s.name;
    form.elements.location.value = s.location;
    form.elements.timezone.value = s.timezone;
    feedOptions(form.elements.feed, s.feed);
    slots.replaceChildren();
    s.schedule.forEach(addSlot);
    document.querySelector('[data-voc-codefield]').hidden = true;
    form.elements.code.required = false;
    document.querySelector('[data-voc-formtitle]').textContent = `Change ${s.name}`;
    document.querySelector('[data-voc-submit]').textContent = 'Save the change';
    document.querySelector('[data-voc-cancel]').hidden = false;
    form.elements.name.focus();
  }

  function reset() {
    editing = null;
    form.reset();
    form.elements.timezone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    slots.replaceChildren();
    document.querySelector('[data-voc-codefield]').hidden = false;
    form.elements.code.required = true;
    document.querySelector('[data-voc-formtitle]').textContent = 'Register a screen';
    document.querySelector('[data-voc-submit]').textContent = 'Register screen';
    document.querySelector('[data-voc-cancel]').hidden = true;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {
      name: form.elements.name.value,
      location: form.elements.location.value,
      feed: form.elements.feed.value,
      timezone: form.elements.timezone.value,
      schedule: schedule(),
    };
    try {
      if (editing) {
        await api('PUT', `/api/v1/screens/${editing.id}`, body);
        toast(`${body.name} changed; it follows at its next heartbeat.`);
      } else {
        await api('POST', '/api/v1/screens', { ...body, code: form.elements.code.value });
        toast(`${body.name} registered; it starts showing ${body.feed} within seconds.`);
      }
      reset();
      load();
    } catch (e) { toast(e.message, true); }
  });
  document.querySelector('[data-voc-addslot]').addEventListener('click', () => addSlot());
  document.querySelector('[data-voc-cancel]').addEventListener('click', reset);
  form.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && editing) reset(); });

  function embedRow(t) {
    const tr = el('tr');
    tr.append(el('td', t.label), el('td', t.feeds.join(', ')), el('td', when(t.created_at)), el('td', t.last_used_at ? when(t.last_used_at) : 'never'));
    tr.append(el('td', t.revoked_at ? `revoked ${when(t.revoked_at)}` : 'active', t.revoked_at ? 'muted' : 'status-ok'));
    const end = el('td');
    if (curator && !t.revoked_at) {
      const b = el('button', 'Revoke');
      b.type = 'button';
      b.setAttribute('aria-label', `Revoke the display token of ${t.label}`);
      b.addEventListener('click', async () => {
        if (!confirm(`Revoke the token of ${t.label}? Its screens go dark within a minute.`)) return;
        try { await api('DELETE', `/api/v1/display-tokens/${t.id}`); toast('Revoked.'); load(); }
        catch (e) { toast(e.message, true); }
      });
      end.append(b);
    }
    tr.append(end);
    return tr;
  }

  embedForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const made = await api('POST', '/api/v1/display-tokens', { label: embedForm.elements.label.value, feeds: [embedForm.elements.feed.value] });
      const links = made.links[made.token.feeds[0]];
      secretBox.replaceChildren(el('strong', 'Copy these now: the token is shown only once.'));
      for (const [kind, url] of Object.entries(links)) {
        const line = el('p');
        const code = el('code', url);
        const copy = el('button', `Copy ${kind} address`);
        copy.type = 'button';
        copy.addEventListener('click', async () => {
          try { await navigator.clipboard.writeText(url); toast('Copied.'); } catch { toast('Select the address and copy it.', true); }
        });
        line.append(el('span', `${kind}: `), code, document.createTextNode(' '), copy);
        secretBox.append(line);
      }
      secretBox.hidden = false;
      embedForm.reset();
      load();
    } catch (e) { toast(e.message, true); }
  });

  async function load() {
    try {
      const [found, tokens, waiting] = await Promise.all([
        api('GET', '/api/v1/screens'),
        curator ? api('GET', '/api/v1/display-tokens') : Promise.resolve([]),
        api('GET', '/api/v1/screens/waiting'),
      ]);
      list.replaceChildren(...found.map(row));
      if (!found.length) { const tr = el('tr'); const td = el('td', 'No screens registered yet.'); td.colSpan = 5; tr.append(td); list.append(tr); }
      embeds.replaceChildren(...tokens.map(embedRow));
      if (!tokens.length) { const tr = el('tr'); const td = el('td', curator ? 'No display tokens yet.' : 'Curators see display tokens.'); td.colSpan = 6; tr.append(td); embeds.append(tr); }
      const n = waiting.waiting;
      document.querySelector('[data-voc-waiting]').textContent = n ? `${n} new screen${n === 1 ? '' : 's'} ${n === 1 ? 'shows' : 'show'} a code, waiting to be registered.` : '';
    } catch (e) { toast(e.message, true); }
  }

  (async () => {
    try { feeds = await api('GET', '/api/v1/feeds'); } catch (e) { toast(e.message, true); }
    for (const select of document.querySelectorAll('[data-voc-feedselect]')) feedOptions(select);
    reset();
    if (!curator) { form.hidden = true; document.querySelector('[data-voc-formtitle]').hidden = true; embedForm.hidden = true; }
    load();
    setInterval(load, 15000);
  })();
})();
