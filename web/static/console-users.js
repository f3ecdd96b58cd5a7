/* Users and API tokens (admins). A new token's secret is shown once, here. */
(() => {
  'use strict';
  const { api, toast, when, el } = window.voc;
  const users = document.querySelector('[data-voc-users]');
  const tokens = document.querySelector('[data-voc-tokens]');
  const secret = document.querySelector('[data-voc-secret]');
  const ROLES = ['viewer', 'curator', 'admin'];

  function userRow(u) {
    const tr = el('tr');
    const role = el('select');
    role.setAttribute('aria-label', `Role of ${u.email}`);
    for (const r of ROLES) { const o = el('option', r); o.selected = r === u.role; role.append(o); }
    const feeds = el('input');
    feeds.value = u.feeds.join(', ');
    feeds.placeholder = 'every feed';
    feeds.setAttribute('aria-label', `Feeds ${u.email} curates (comma-separated; empty: every feed)`);
    const save = async () => {
      const list = feeds.value.split(',').map((f) => f.trim()).filter(Boolean);
      try { await api('PATCH', `/api/v1/users/${encodeURIComponent(u.email)}`, { role: role.value, feeds: list }); toast(`${u.email} is now ${role.value}.`); }
      catch (e) { toast(e.message, true); load(); }
    };
    role.addEventListener('change', save);
    feeds.addEventListener('change', save);
    const remove = el('button', 'Remove');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Remove ${u.email}`);
    remove.addEventListener('click', async () => {
      if (!confirm(`Remove ${u.email}? Their sessions and tokens end now.`)) return;
      try { await api('DELETE', `/api/v1/users/${encodeURIComponent(u.email)}`); toast(`${u.email} removed.`); load(); }
      catch (e) { toast(e.message, true); }
    });
    const c = (node) => { const td = el('td'); td.append(node); return td; };
    tr.append(el('td', u.email), c(role), c(feeds), el('td', u.origin), el('td', when(u.created_at)), c(remove));
    return tr;
  }
  function tokenRow(t) {
    const tr = el('tr');
    tr.append(el('td', t.id), el('td', t.email), el('td', t.scope), el('td', t.label), el('td', when(t.created_at)), el('td', t.expires_at ? when(t.expires_at) : 'never'), el('td', t.revoked_at ? `revoked ${when(t.revoked_at)}` : when(t.last_used_at) || 'never'));
    const td = el('td');
    if (!t.revoked_at) {
      const b = el('button', 'Revoke');
      b.type = 'button';
      b.setAttribute('aria-label', `Revoke token ${t.id}`);
      b.addEventListener('click', async () => {
        try { await api('DELETE', `/api/v1/tokens/${encodeURIComponent(t.id)}`); toast('Token revoked.'); load(); }
        catch (e) { toast(e.message, true); }
      });
      td.append(b);
    }
    tr.append(td);
    return tr;
  }
  async function load() {
    try {
      const [u, t] = await Promise.all([api('GET', '/api/v1/users'), api('GET', '/api/v1/tokens')]);
      users.replaceChildren(...u.map(userRow));
      tokens.replaceChildren(...t.map(tokenRow));
    } catch (e) { toast(e.message, true); }
  }
  document.querySelector('[data-voc-adduser]').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = { email: f.get('email'), role: f.get('role') };
    if (f.get('password')) body.password = f.get('password');
    try { await api('POST', '/api/v1/users', body); ev.target.reset(); toast(`${body.email} added.`); load(); }
    catch (e) { toast(e.message, true); }
  });
  document.querySelector('[data-voc-addtoken]').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = { email: f.get('email'), scope: f.get('scope'), days: Number(f.get('days')) || null, label: f.get('label') };
    try {
      const made = await api('POST', '/api/v1/tokens', body);
      secret.textContent = `Copy this token now; it is not shown again: ${made.secret}`;
      secret.hidden = false;
      load();
    } catch (e) { toast(e.message, true); }
  });
  load();
})();
