/* The feed builder: a form in sections (filter, mix, display, access), a live preview of the
 * playlist as screens will get it (POST /api/v1/feeds/preview, debounced as one types), the
 * draft's honesty meter, the praise-wall confirmation and the embed snippets. Customer text
 * reaches the page only through textContent. Ctrl/Cmd+S saves; Esc goes back to the feeds. */
(() => {
  'use strict';
  const { api, toast, el, mixbar } = window.voc;
  const root = document.querySelector('[data-voc-builder]');
  const form = document.querySelector('[data-voc-feedform]');
  const $ = (sel) => root.querySelector(sel);
  const NEW = '+new';
  const SHOWN = ['good', 'bad', 'ugly'];
  const NAMES = { good: 'Good', bad: 'Bad', ugly: 'Ugly', neutral: 'Neutral', noise: 'Noise (“n/a”, “.”)', untagged: 'Untagged' };
  const SCALES = { nps: 'NPS', csat5: 'CSAT', stars5: 'Stars' };
  const FIVE = [['unhappy (1–2)', 1, 2], ['neutral (3)', 3, 3], ['happy (4–5)', 4, 5]];
  const GROUPS = { nps: [['detractors (0–6)', 0, 6], ['passives (7–8)', 7, 8], ['promoters (9–10)', 9, 10]], csat5: FIVE, stars5: FIVE };
  const admin = document.body.dataset.role === 'admin';
  let name = root.dataset.feed === NEW ? '' : root.dataset.feed;
  let base = null; // the definition being edited: fields the form does not show are kept
  let choices = null;
  let dirty = false;
  let asked = 0;
  let leaving = 0;

  const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
  const num = (input) => (input.value.trim() === '' ? null : Number(input.value));

  function check(value, label, checked, group) {
    const box = el('input');
    box.type = 'checkbox';
    box.name = group;
    box.value = value;
    box.checked = checked;
    const l = el('label');
    l.append(box, ` ${label}`);
    return l;
  }

  // A labelled input (type and other properties from `attrs`) in a wrapper; the input is last.
  function field(id, label, attrs) {
    const wrap = el('div');
    const l = el('label', label);
    l.htmlFor = id;
    const input = el('input');
    Object.assign(input, { id, autocomplete: 'off', ...attrs });
    wrap.append(l, input);
    return wrap;
  }

  function build() {
    $('[data-voc-buckets]').replaceChildren(...choices.buckets.map((b) => check(b, NAMES[b] || b, false, 'bucket')));
    $('[data-voc-scores]').replaceChildren(...Object.entries(choices.scales).map(([scale, [lo, hi]]) => {
      const row = el('div', null, 'score-row');
      row.dataset.scale = scale;
      const pick = el('select');
      pick.id = `f-score-${scale}-pick`;
      pick.append(new Option('any', ''), ...GROUPS[scale].map(([label, a, b]) => new Option(label, `${a}-${b}`)), new Option('my own range', 'own'));
      const pl = el('label', `${SCALES[scale]} (${lo}–${hi})`);
      pl.htmlFor = pick.id;
      const from = field(`f-score-${scale}-from`, 'from', { type: 'number', step: '1', min: lo, max: hi });
      const to = field(`f-score-${scale}-to`, 'to', { type: 'number', step: '1', min: lo, max: hi });
      const err = el('p', null, 'field-error');
      err.dataset.errorFor = `filter.scores.${scale}`;
      err.id = `err-score-${scale}`;
      err.hidden = true;
      for (const i of [pick, from.lastChild, to.lastChild]) i.setAttribute('aria-describedby', err.id);
      pick.addEventListener('change', () => {
        if (pick.value === 'own') return;
        const [a, b] = pick.value ? pick.value.split('-') : ['', ''];
        from.lastChild.value = a;
        to.lastChild.value = b;
      });
      const follow = () => { // typed numbers: the group they make, or "my own range"
        const typed = `${from.lastChild.value}-${to.lastChild.value}`;
        pick.value = typed === '-' ? '' : typed;
        if (pick.selectedIndex < 0) pick.value = 'own';
      };
      from.lastChild.addEventListener('input', follow);
      to.lastChild.addEventListener('input', follow);
      const first = el('div');
      first.append(pl, pick);
      row.append(first, from, to, err);
      return row;
    }));
    $('[data-voc-sources]').replaceChildren(...choices.sources.map((s) => check(s, s, false, 'source')));
    if (!choices.sources.length) $('[data-voc-sources]').append(el('p', 'No source has sent a comment yet.', 'hint'));
    const seen = choices.languages;
    $('[data-voc-seen-languages]').textContent = seen.length ? `Comments here are in: ${seen.join(', ')}.` : '';
    for (const [key, holder, about] of [['shares', '[data-voc-shares]', 'shares-sum err-mix-shares'], ['floors', '[data-voc-floors]', 'hint-floors err-mix-floors']]) {
      $(holder).replaceChildren(...SHOWN.map((b) => {
        const wrap = field(`f-${key}-${b}`, NAMES[b], { type: 'number', step: '1', min: 0, max: key === 'shares' ? 100 : 500 });
        wrap.lastChild.setAttribute('aria-describedby', about);
        return wrap;
      }));
    }
    const keys = el('datalist');
    keys.id = 'meta-keys';
    keys.append(...Object.keys(choices.meta).map((k) => new Option(k)));
    root.append(keys);
  }

  function metaRow(key = '', values = []) {
    const row = el('div', null, 'meta-row');
    const n = $('[data-voc-meta]').children.length;
    const k = field(`f-meta-key-${n}`, 'Metadata name', { value: key });
    k.lastChild.setAttribute('list', 'meta-keys');
    const v = field(`f-meta-values-${n}`, 'is one of (separated by commas)', { value: values.join(', ') });
    const drop = el('button', 'Remove');
    drop.type = 'button';
    drop.setAttribute('aria-label', `Remove the metadata condition ${key || n + 1}`);
    drop.addEventListener('click', () => { row.remove(); changed(); });
    const hint = el('p', null, 'hint');
    const suggest = () => {
      const known = choices.meta[k.lastChild.value.trim()];
      hint.textContent = known ? `Values seen: ${known.slice(0, 12).join(', ')}${known.length > 12 ? '…' : ''}` : '';
    };
    k.lastChild.addEventListener('input', suggest);
    suggest();
    row.append(k, v, drop, hint);
    return row;
  }

  function fill(d) {
    const f = form.elements;
    f.name.value = d.name;
    f.name.disabled = !!name;
    f.title.value = d.title;
    for (const box of form.querySelectorAll('input[name=source]')) box.checked = d.filter.sources.includes(box.value);
    for (const box of form.querySelectorAll('input[name=bucket]')) box.checked = d.filter.buckets.includes(box.value);
    for (const row of form.querySelectorAll('.score-row')) {
      const range = d.filter.scores[row.dataset.scale];
      const [from, to] = row.querySelectorAll('input');
      from.value = range ? range[0] : '';
      to.value = range ? range[1] : '';
      const pick = row.querySelector('select');
      pick.value = range ? `${range[0]}-${range[1]}` : '';
      if (pick.selectedIndex < 0) pick.value = 'own';
    }
    f.languages.value = d.filter.languages.join(', ');
    $('[data-voc-meta]').replaceChildren(...Object.entries(d.filter.meta).map(([k, v]) => metaRow(k, v)));
    const age = d.filter.max_age_days;
    f.age.value = age === null ? '' : String(age);
    if (age !== null && f.age.value !== String(age)) f.age.value = 'custom';
    f.age_days.value = age === null ? '' : age;
    f.age_days.hidden = f.age.value !== 'custom';
    for (const b of SHOWN) {
      f[`f-shares-${b}`].value = d.mix.shares[b] === undefined ? 0 : Math.round(d.mix.shares[b] * 1000) / 10;
      f[`f-floors-${b}`].value = d.mix.floors[b] || '';
    }
    f.size.value = d.mix.size;
    f.ugly_per_hour.value = d.mix.ugly_per_hour ?? '';
    f.spaced.checked = d.mix.spaced.includes('ugly');
    f.layout.value = d.display.layout;
    f.speed.value = d.display.speed;
    f.direction.value = d.display.direction;
    f.theme.value = d.display.theme;
    f.labels.value = d.display.meta.join(', ');
    f.pacing.value = d.display.pacing;
    f.dwell_seconds.value = d.display.dwell_seconds;
    f.access.value = d.access;
  }

  function read() {
    const f = form.elements;
    const ticked = (group) => [...form.querySelectorAll(`input[name=${group}]:checked`)].map((b) => b.value);
    const scores = {};
    for (const row of form.querySelectorAll('.score-row')) {
      const [from, to] = [...row.querySelectorAll('input')].map(num);
      const [lo, hi] = choices.scales[row.dataset.scale];
      if (from !== null || to !== null) scores[row.dataset.scale] = [from ?? lo, to ?? hi];
    }
    const meta = {};
    for (const row of form.querySelectorAll('.meta-row')) {
      const [key, values] = row.querySelectorAll('input');
      if (key.value.trim()) meta[key.value.trim()] = list(values.value);
    }
    const shares = { ...base.mix.shares };
    const floors = { ...base.mix.floors };
    for (const b of SHOWN) {
      shares[b] = (num(f[`f-shares-${b}`]) ?? 0) / 100;
      const floor = num(f[`f-floors-${b}`]);
      if (floor) floors[b] = floor; else delete floors[b];
    }
    const age = f.age.value === 'custom' ? num(f.age_days) : (f.age.value ? Number(f.age.value) : null);
    const spaced = base.mix.spaced.filter((b) => b !== 'ugly').concat(f.spaced.checked ? ['ugly'] : []);
    return {
      name: name || f.name.value.trim(),
      title: f.title.value,
      filter: { ...base.filter, sources: ticked('source'), buckets: ticked('bucket'), scores, languages: list(f.languages.value), meta, max_age_days: age },
      mix: { ...base.mix, shares, floors, size: num(f.size) ?? 0, ugly_per_hour: num(f.ugly_per_hour), spaced },
      display: {
        ...base.display,
        layout: f.layout.value,
        speed: num(f.speed) ?? 0,
        direction: f.direction.value,
        theme: f.theme.value,
        meta: list(f.labels.value),
        pacing: f.pacing.value,
        dwell_seconds: num(f.dwell_seconds) ?? 0,
      },
      access: f.access.value,
    };
  }

  // Each problem beside its field (the closest one named), the rest above the form.
  function showProblems(problems) {
    for (const p of root.querySelectorAll('[data-error-for]')) { p.hidden = true; p.textContent = ''; }
    for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    const loose = [];
    for (const { field, message } of problems) {
      let at = field;
      let spot = null;
      while (at && !(spot = root.querySelector(`[data-error-for="${CSS.escape(at)}"]`))) at = at.split('.').slice(0, -1).join('.');
      if (!spot) { loose.push(message); continue; }
      spot.textContent = spot.textContent ? `${spot.textContent} ${message}` : message;
      spot.hidden = false;
      for (const input of root.querySelectorAll(`[aria-describedby~="${spot.id}"]`)) input.setAttribute('aria-invalid', 'true');
    }
    const box = $('[data-voc-refused]');
    box.textContent = loose.join(' ');
    box.hidden = !loose.length;
  }

  function sum() {
    const total = SHOWN.reduce((n, b) => n + (num(form.elements[`f-shares-${b}`]) ?? 0), 0);
    $('[data-voc-shares-sum]').textContent = Math.abs(total - 100) <= 1.1
      ? `Together ${Math.round(total)} %.`
      : `Together ${Math.round(total * 10) / 10} %: they must add up to 100 %.`;
  }

  function item(i) {
    const li = el('li', null, `preview-item b-${i.bucket}`);
    const top = el('div', null, 'card-top');
    top.append(el('span', i.bucket === 'action' ? 'You said, we did' : i.bucket, `chip b-${i.bucket}`));
    if (i.pinned) top.append(el('span', 'pinned', 'pinned'));
    if (i.score !== null && i.score !== undefined) top.append(el('span', `${SCALES[i.scale] || ''} ${i.score}`, 'muted small'));
    const labels = Object.entries(i.meta || {}).map(([k, v]) => `${k}: ${v}`).join(' · ');
    li.append(top, el('p', i.text, 'text'));
    if (labels) li.append(el('p', labels, 'muted small'));
    return li;
  }

  async function preview() {
    const mine = ++asked;
    const draft = read();
    snippets(draft.name);
    let res;
    try {
      res = await api('POST', '/api/v1/feeds/preview', draft);
    } catch (e) {
      if (mine === asked) $('[data-voc-preview-status]').textContent = e.message;
      return;
    }
    if (mine !== asked) return; // a newer draft is on its way
    showProblems(res.problems);
    const status = $('[data-voc-preview-status]');
    const items = res.snapshot ? res.snapshot.items : [];
    $('[data-voc-preview-items]').replaceChildren(...items.map(item));
    $('[data-voc-preview-empty]').textContent = res.empty || '';
    $('[data-voc-preview-empty]').hidden = !res.empty;
    $('[data-voc-preview-mix]').hidden = !res.mix;
    if (!res.snapshot) {
      status.textContent = 'Fix what is marked to see the preview.';
      return;
    }
    const minutes = Math.max(1, Math.round(res.cycle_seconds / 60));
    let said = `${items.length} comment${items.length === 1 ? '' : 's'}; one loop takes about ${minutes} min on an embedded ticker.`;
    if (res.ugly_allowed !== null) said += ` The cap allows ${res.ugly_allowed} ugly in a loop.`;
    if (res.problems.length) said += ' Not saved until what is marked is fixed.';
    status.textContent = said;
    const m = res.mix;
    mixbar($('[data-mix=shown]'), m.shown, m.shown_percent);
    mixbar($('[data-mix=received]'), m.received, m.received_percent);
    const total = (c) => SHOWN.reduce((n, b) => n + c[b], 0);
    $('[data-n=shown]').textContent = `${total(m.shown)} in the playlist`;
    $('[data-n=received]').textContent = `${total(m.received).toLocaleString()} in ${m.window_days} days`;
    $('[data-voc-preview-wall]').hidden = !m.praise_wall;
  }

  function snippets(feed) {
    const origin = location.origin;
    const shown = feed || 'NAME';
    $('[data-voc-snippet=script]').textContent = `<script src="${origin}/static/ticker.js" defer></script>\n<voc-ticker feed="${shown}" server="${origin}"></voc-ticker>`;
    $('[data-voc-snippet=iframe]').textContent = `<iframe src="${origin}/embed/${shown}" title="Customer comments" style="width:100%;height:120px;border:0" loading="lazy"></iframe>`;
    $('[data-voc-snippet=display]').textContent = `${origin}/display/${shown}`;
    $('[data-voc-open]').hidden = !name;
    $('[data-voc-open-embed]').href = `/embed/${encodeURIComponent(shown)}`;
    $('[data-voc-open-display]').href = `/display/${encodeURIComponent(shown)}`;
  }

  function changed() {
    dirty = true;
    sum();
    form.elements.age_days.hidden = form.elements.age.value !== 'custom';
    $('[data-voc-wall]').hidden = true;
    clearTimeout(changed.t);
    changed.t = setTimeout(preview, 300);
  }

  async function save(reason) {
    const draft = read();
    if (!draft.name) { showProblems([{ field: 'name', message: 'Give the feed a name.' }]); form.elements.name.focus(); return; }
    const body = reason ? { ...draft, confirm_praise_wall: reason } : draft;
    try {
      const saved = await api('PUT', `/api/v1/feeds/${encodeURIComponent(draft.name)}`, body);
      base = draft; // the answer's `mix` is the honesty meter, not the mix policy
      dirty = false;
      $('[data-voc-wall]').hidden = true;
      if (!name) {
        name = draft.name;
        history.replaceState(null, '', `/console/feeds/${encodeURIComponent(name)}`);
        form.elements.name.disabled = true;
      }
      $('[data-voc-heading]').textContent = `Feed builder: ${saved.title}`;
      toast('Saved. Screens of this feed have it within a second.');
      preview();
    } catch (e) {
      if (e.status === 409) return wall(e.message);
      const [field, ...rest] = e.message.split(': ');
      showProblems([rest.length && root.querySelector(`[data-error-for="${CSS.escape(field)}"]`) ? { field, message: rest.join(': ') } : { field: '', message: e.message }]);
      toast(e.message, true);
    }
  }

  function wall(message) {
    const box = $('[data-voc-wall]');
    box.hidden = false;
    $('[data-voc-wall-why]').textContent = message.replace(/; send confirm_praise_wall.*$/, '.');
    $('[data-voc-wall-admin]').hidden = !admin;
    $('[data-voc-wall-curator]').hidden = admin;
    (admin ? $('#f-wall-reason') : box).focus();
  }

  $('[data-voc-wall-save]').addEventListener('click', () => {
    const reason = $('#f-wall-reason').value.trim();
    if (!reason) { toast('Say why this feed may show mostly praise: the log keeps it.', true); $('#f-wall-reason').focus(); return; }
    save(reason);
  });
  $('[data-voc-wall]').tabIndex = -1;
  $('[data-voc-add-meta]').addEventListener('click', () => {
    const row = metaRow();
    $('[data-voc-meta]').append(row);
    row.querySelector('input').focus();
  });
  form.addEventListener('input', (e) => { if (!e.target.closest('[data-voc-wall]')) changed(); });
  form.addEventListener('change', (e) => { if (!e.target.closest('[data-voc-wall]')) changed(); });
  form.addEventListener('submit', (e) => { e.preventDefault(); save(); });
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') { e.preventDefault(); save(); return; }
    if (e.key !== 'Escape') return;
    if (dirty && Date.now() - leaving > 3000) {
      leaving = Date.now();
      toast('Unsaved changes: press Esc again to leave without saving.', true);
      return;
    }
    location.assign('/console/feeds');
  });
  window.addEventListener('beforeunload', (e) => { if (dirty && Date.now() - leaving > 3000) e.preventDefault(); });

  // The preview stays in sight below the console's bar, however many lines the bar takes.
  const bar = document.querySelector('.bar');
  const underBar = () => document.documentElement.style.setProperty('--bar-h', `${bar ? bar.offsetHeight : 0}px`);
  window.addEventListener('resize', underBar);
  underBar();

  async function start() {
    try {
      const [me, feeds] = await Promise.all([api('GET', '/api/v1/me'), api('GET', '/api/v1/feeds')]);
      choices = await api('GET', '/api/v1/feeds/choices');
      const found = feeds.find((f) => f.name === name);
      let refused = '';
      if (name && !found) refused = `There is no feed named ${name}.`;
      else if (!name && !admin) refused = 'Only an admin makes a new feed; you can change the feeds you curate.';
      else if (!admin && me.feeds.length && !me.feeds.includes(name)) refused = `You curate ${me.feeds.join(', ')}, not ${name}: ask an admin to change this feed.`;
      if (refused) {
        const box = $('[data-voc-refused]');
        box.textContent = refused;
        box.hidden = false;
        form.hidden = true;
        $('.builder-preview').hidden = true;
        return;
      }
      base = found || choices.defaults;
      build();
      fill(base);
      $('[data-voc-heading]').textContent = name ? `Feed builder: ${base.title}` : 'New feed';
      sum();
      preview();
      (name ? form.elements.title : form.elements.name).focus();
    } catch (e) { toast(e.message, true); }
  }
  start();
})();
