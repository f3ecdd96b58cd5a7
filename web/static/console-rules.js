/* Moderation rules: the list in order (admins move, enable, edit and delete rules) and the form,
 * which previews what the rule would have matched in the last 30 days as it changes. Comment
 * text reaches the page through textContent only. */
(() => {
  'use strict';
  const { api, toast, el } = window.voc;
  const list = document.querySelector('[data-voc-rules]');
  const form = document.querySelector('[data-voc-ruleform]');
  const admin = document.body.dataset.role === 'admin';
  let rules = [];
  let editing = null; // the id of the rule in the form, null for a new one

  const words = (values, joint = ' or ') => values.map((v) => `"${v}"`).join(joint);
  function describe(c) {
    switch (c.kind) {
      case 'source': return `source is ${words(c.values)}`;
      case 'bucket': return `bucket is ${c.values.join(' or ')}`;
      case 'language': return `language is ${c.values.join(' or ')}`;
      case 'band': return `score is ${c.values.join(' or ')}`;
      case 'words': return `it says ${words(c.values)}`;
      case 'pattern': return `it matches /${c.pattern}/`;
      case 'meta': return `${c.key} is ${words(c.values)}`;
      case 'score': {
        const parts = [];
        if (c.at_least !== null) parts.push(`at least ${c.at_least}`);
        if (c.at_most !== null) parts.push(`at most ${c.at_most}`);
        return `${c.scale} score ${parts.join(' and ')}`;
      }
      default: return c.kind;
    }
  }
  const summary = (r) => r.conditions.map(describe).join(r.match === 'all' ? ' and ' : ' or ');

  async function move(r, by) {
    const ids = rules.map((x) => x.id);
    const at = ids.indexOf(r.id);
    const to = at + by;
    if (to < 0 || to >= ids.length) return;
    [ids[at], ids[to]] = [ids[to], ids[at]];
    try {
      rules = await api('POST', '/api/v1/rules/order', { ids });
      render();
      const again = list.querySelector(`[data-rule="${r.id}"] [data-move="${by < 0 ? 'up' : 'down'}"]`);
      (again && !again.disabled ? again : list.querySelector(`[data-rule="${r.id}"]`))?.focus();
      toast(`${r.name} is now number ${to + 1}.`);
    } catch (e) { toast(e.message, true); load(); }
  }

  function button(text, label, onClick) {
    const b = el('button', text);
    b.type = 'button';
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  function item(r, i) {
    const li = el('li', undefined, `rule card${r.enabled ? '' : ' off'}`);
    li.dataset.rule = String(r.id);
    li.tabIndex = -1;
    const top = el('div', undefined, 'card-top');
    top.append(el('span', String(i + 1), 'rule-n'), el('strong', r.name), el('span', r.action, `chip a-${r.action}`));
    if (!r.enabled) top.append(el('span', 'disabled', 'muted'));
    li.append(top, el('p', `When ${summary(r)}`, 'rule-when'));
    if (r.reason) li.append(el('p', `Reason: ${r.reason}`, 'muted small'));
    if (r.action === 'approve') li.append(el('p', `Clears: ${r.overrides.join(', ') || 'nothing'}`, 'muted small'));
    if (admin) {
      const tools = el('div', undefined, 'actions');
      const up = button('↑', `Move ${r.name} up`, () => move(r, -1));
      up.dataset.move = 'up';
      up.disabled = i === 0;
      const down = button('↓', `Move ${r.name} down`, () => move(r, 1));
      down.dataset.move = 'down';
      down.disabled = i === rules.length - 1;
      const on = el('label', undefined, 'inline');
      const box = el('input');
      box.type = 'checkbox';
      box.checked = r.enabled;
      box.addEventListener('change', async () => {
        try { await api('PUT', `/api/v1/rules/${r.id}`, { ...body(r), enabled: box.checked }); toast(`${r.name} ${box.checked ? 'enabled' : 'disabled'}.`); load(); }
        catch (e) { toast(e.message, true); load(); }
      });
      on.append(box, ' enabled');
      const edit = button('Edit', `Edit ${r.name}`, () => fill(r));
      const remove = button('Delete', `Delete ${r.name}`, async () => {
        if (!confirm(`Delete the rule "${r.name}"? Comments it acted on stay as they are.`)) return;
        try { await api('DELETE', `/api/v1/rules/${r.id}`); toast(`${r.name} deleted.`); if (editing === r.id) fill(null); load(); }
        catch (e) { toast(e.message, true); }
      });
      tools.append(up, down, on, edit, remove);
      li.append(tools);
      li.addEventListener('keydown', (ev) => {
        if (!ev.altKey || (ev.key !== 'ArrowUp' && ev.key !== 'ArrowDown')) return;
        ev.preventDefault();
        move(r, ev.key === 'ArrowUp' ? -1 : 1);
      });
    }
    return li;
  }

  function render() {
    list.replaceChildren(...rules.map(item));
    if (!rules.length) list.append(el('li', 'No rules yet: every comment goes by its flags alone.', 'muted'));
  }

  async function load() {
    try { rules = await api('GET', '/api/v1/rules'); render(); }
    catch (e) { toast(e.message, true); }
  }

  const body = (r) => ({ name: r.name, enabled: r.enabled, match: r.match, action: r.action, reason: r.reason, overrides: r.overrides, conditions: r.conditions });
  const split = (text, by) => String(text || '').split(by).map((s) => s.trim()).filter(Boolean);

  /* The form as a rule: each filled-in field is one condition. */
  function fromForm() {
    const f = new FormData(form);
    const conditions = [];
    const sources = split(f.get('sources'), ',');
    if (sources.length) conditions.push({ kind: 'source', values: sources });
    for (const kind of ['bucket', 'band']) {
      const values = f.getAll(kind);
      if (values.length) conditions.push({ kind, values });
    }
    const least = f.get('at_least'), most = f.get('at_most');
    if (f.get('scale') || least || most) {
      conditions.push({ kind: 'score', scale: f.get('scale') || null, at_least: least === '' ? null : Number(least), at_most: most === '' ? null : Number(most) });
    }
    const languages = split(f.get('languages'), ',');
    if (languages.length) conditions.push({ kind: 'language', values: languages });
    const phrases = split(f.get('words'), '\n');
    if (phrases.length) conditions.push({ kind: 'words', values: phrases });
    if (String(f.get('pattern') || '').trim()) conditions.push({ kind: 'pattern', pattern: String(f.get('pattern')).trim() });
    const meta = new Map();
    for (const line of split(f.get('meta'), '\n')) {
      const at = line.indexOf('=');
      const key = at > 0 ? line.slice(0, at).trim() : line;
      meta.set(key, [...(meta.get(key) || []), at > 0 ? line.slice(at + 1).trim() : '']);
    }
    for (const [key, values] of meta) conditions.push({ kind: 'meta', key, values });
    return {
      name: String(f.get('name') || '').trim(),
      enabled: f.get('enabled') === 'on',
      match: f.get('match'),
      action: f.get('action'),
      reason: String(f.get('reason') || '').trim(),
      overrides: f.getAll('overrides'),
      conditions,
    };
  }

  function fill(r) {
    form.reset();
    editing = r ? r.id : null;
    form.querySelector('[data-voc-formtitle]').textContent = r ? `Change ${r.name}` : 'New rule';
    if (r) {
      const set = (name, value) => { form.elements[name].value = value; };
      set('name', r.name);
      set('action', r.action);
      set('match', r.match);
      set('reason', r.reason);
      form.elements.enabled.checked = r.enabled;
      for (const box of form.querySelectorAll('[name=overrides]')) box.checked = r.overrides.includes(box.value);
      const meta = [];
      for (const c of r.conditions) {
        if (c.kind === 'source') set('sources', c.values.join(', '));
        if (c.kind === 'language') set('languages', c.values.join(', '));
        if (c.kind === 'words') set('words', c.values.join('\n'));
        if (c.kind === 'pattern') set('pattern', c.pattern);
        if (c.kind === 'meta') meta.push(...c.values.map((v) => `${c.key}=${v}`));
        if (c.kind === 'score') { set('scale', c.scale); set('at_least', c.at_least ?? ''); set('at_most', c.at_most ?? ''); }
        if (c.kind === 'bucket' || c.kind === 'band') {
          for (const box of form.querySelectorAll(`[name=${c.kind}]`)) box.checked = c.values.includes(box.value);
        }
      }
      set('meta', meta.join('\n'));
    }
    shown();
    preview();
    form.elements.name.focus();
  }

  function shown() {
    form.querySelector('[data-voc-overrides]').hidden = form.elements.action.value !== 'approve';
  }

  const count = form && form.querySelector('[data-voc-previewcount]');
  const samples = form && form.querySelector('[data-voc-samples]');
  let asked = 0;
  let timer = 0;
  function showPreview(p) {
    const of = p.complete ? '' : ` (of the newest ${p.examined.toLocaleString()} read)`;
    count.textContent = `Would have matched ${p.matched.toLocaleString()} of the last ${p.days} days' comments${of}.`;
    count.className = '';
    samples.replaceChildren(...p.samples.map((s) => {
      const li = el('li', undefined, 'sample');
      const top = el('div', undefined, 'card-top');
      top.append(el('span', s.bucket, `chip b-${s.bucket}`), el('span', s.state, `state s-${s.state}`), el('code', s.id));
      li.append(top, el('p', s.text, 'sample-text'));
      return li;
    }));
  }
  async function preview() {
    const rule = fromForm();
    const n = ++asked;
    if (!rule.conditions.length) {
      count.textContent = 'Fill in a condition to see what the rule would have matched.';
      count.className = 'muted';
      samples.replaceChildren();
      return;
    }
    try {
      const p = await api('POST', '/api/v1/rules/preview', { ...rule, name: rule.name || 'preview', reason: rule.reason || 'preview' });
      if (n === asked) showPreview(p);
    } catch (e) {
      if (n !== asked) return;
      count.textContent = e.message;
      count.className = 'error-text';
      samples.replaceChildren();
    }
  }

  if (form) {
    form.addEventListener('input', () => { shown(); clearTimeout(timer); timer = setTimeout(preview, 350); });
    form.querySelector('[data-voc-newrule]').addEventListener('click', () => fill(null));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const rule = fromForm();
      try {
        const saved = editing === null
          ? await api('POST', '/api/v1/rules', rule)
          : await api('PUT', `/api/v1/rules/${editing}`, rule);
        editing = saved.id;
        form.querySelector('[data-voc-formtitle]').textContent = `Change ${saved.name}`;
        showPreview(saved.preview);
        toast(`Saved ${saved.name}: it would have matched ${saved.preview.matched.toLocaleString()} comments in ${saved.preview.days} days.`);
        load();
      } catch (e) { toast(e.message, true); }
    });
    shown();
    api('GET', '/api/v1/sources').then((sources) => {
      const names = form.querySelector('[data-voc-sourcenames]');
      names.replaceChildren(...sources.map((s) => { const o = el('option'); o.value = s.name; return o; }));
    }).catch(() => {});
  }
  load();
})();
