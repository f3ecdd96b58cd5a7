/* The console's shared part: the API client, the live line, the pending badge and the toast.
 * Everything goes through the REST API (/api/v1/…) with the session's CSRF token; customer
 * text only ever reaches the page through textContent. */
(() => {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(method, path, body) {
    const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    if (method !== 'GET') init.headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'The server cannot be reached; your change was not made. Try again.');
    }
    if (res.status === 401) {
      location.assign('/console/signin?next=' + encodeURIComponent(location.pathname + location.search));
      throw new ApiError(401, 'Signed out');
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, data.error || `The server answered ${res.status}.`);
    return data;
  }

  let toastTimer = 0;
  function toast(message, isError = false) {
    const el = document.querySelector('[data-voc-toast]');
    if (!el) return;
    el.textContent = message;
    el.classList.toggle('error', isError);
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.hidden = true; }, isError ? 8000 : 3500);
  }

  function setCounts(counts) {
    const badge = document.querySelector('[data-voc-pending]');
    if (badge) {
      badge.textContent = String(counts.pending);
      badge.classList.toggle('zero', counts.pending === 0);
      badge.title = `${counts.pending} comment${counts.pending === 1 ? '' : 's'} waiting for a curator`;
    }
    document.title = document.title.replace(/^\(\d+\) /, '');
    if (counts.pending) document.title = `(${counts.pending}) ${document.title}`;
    for (const el of document.querySelectorAll('[data-voc-count]')) {
      const key = el.getAttribute('data-voc-count');
      const n = key === 'all' ? counts.pending + counts.approved + counts.hidden : counts[key];
      el.textContent = n === undefined ? '' : n.toLocaleString();
    }
  }

  function live() {
    const status = document.querySelector('[data-voc-live]');
    if (!status) return;
    let delay = 500;
    const connect = () => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/console`);
      ws.onopen = () => { status.textContent = 'live'; status.className = 'live on'; delay = 500; };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(ev.data);
        if (msg.type === 'changed') {
          setCounts(msg.counts);
          document.dispatchEvent(new CustomEvent('voc:changed', { detail: msg }));
        }
      };
      ws.onclose = (ev) => {
        if (ev.code === 4401) { location.assign('/console/signin?signed_out=1'); return; }
        status.textContent = 'reconnecting…';
        status.className = 'live off';
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 10000);
      };
    };
    connect();
  }

  function when(stamp) {
    if (!stamp) return '';
    const d = new Date(stamp);
    if (Number.isNaN(d.getTime())) return stamp;
    return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  // A honesty meter's bar: each shown bucket's share, and the counts for screen readers.
  const SHOWN = ['good', 'bad', 'ugly'];
  function mixbar(node, counts, percent) {
    node.replaceChildren(...SHOWN.map((b) => {
      const part = el('span', percent[b] >= 8 ? `${Math.round(percent[b])} %` : '', `part b-${b}`);
      part.style.width = `${percent[b]}%`; // CSSOM, which the CSP allows
      return part;
    }));
    node.setAttribute('aria-label', SHOWN.map((b) => `${b} ${Math.round(percent[b])} % (${counts[b]})`).join(', '));
  }

  /* A button that makes one API call, then says `done` and runs `then` (a table's reload). */
  function actionButton(label, aria, method, path, done, then) {
    const b = el('button', label);
    b.type = 'button';
    b.setAttribute('aria-label', aria);
    b.addEventListener('click', async () => {
      try { await api(method, path); toast(done); then(); }
      catch (e) { toast(e.message, true); }
    });
    return b;
  }

  window.voc = { api, toast, setCounts, when, el, mixbar, ApiError, actionButton };
  live();
})();
