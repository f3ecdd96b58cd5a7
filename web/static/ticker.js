/* VoC Ticker widget: <voc-ticker feed="support" server="https://host:port">.
 * Plain ES2020, no dependencies. Its other attributes (stream, token, layout: ticker, cards or
 * wall, theme, variant, speed) and its voc-now-showing event: docs/protocol.md, "The widget".
 * Server data is only ever written with textContent. */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('voc-ticker')) return;

  // Default server: origin of this script's own URL, else the page's origin.
  const HOME = (() => {
    try { return new URL(document.currentScript.src).origin; } catch (e) { return location.origin; }
  })();

  const BUCKETS = { good: ['👍', 'Good'], bad: ['👎', 'Bad'], ugly: ['⚠', 'Ugly'], neutral: ['•', 'Neutral'], noise: ['·', 'Noise'], untagged: ['?', 'Untagged'], action: ['✔', 'You said, we did'] };
  const EMPTY = 'No comments to show yet. New ones appear here as customers write them.';
  const REVOKED = 'This screen is no longer allowed to show this feed. Ask your CX team for a new link.';
  const SWAP_MS = 8000; // reduced motion: one comment at a time
  const LAYOUT = /^(ticker|cards|wall)$/;

  const CSS = `
:host{display:block;contain:content;--fs:15px;--lines:3;--maxw:40em;--wh:var(--voc-wall-height,12em)}
:host([variant=display]){--fs:clamp(24px,5vh,120px);--lines:4;--maxw:min(26em,80vw);--wh:var(--voc-wall-height,78vh)}
[hidden]{display:none!important}
.r{--bg:#fff;--fg:#1f2328;--mu:#57606a;--ln:#d0d7de;--bt:#f3f4f6;--fo:#0969da;--g:#116329;--gb:#dafbe1;--b:#a34a00;--bb:#fff1d6;--u:#a40e26;--ub:#ffebe9;
 all:initial;visibility:inherit;cursor:inherit;direction:ltr;font:var(--fs)/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif,"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji";
 position:relative;display:flex;align-items:center;box-sizing:border-box;background:var(--bg);color:var(--fg);border:1px solid var(--ln);border-radius:.6em;overflow:hidden;text-align:start}
.r.dark{--bg:#111827;--fg:#e6edf3;--mu:#9ca3af;--ln:#30363d;--bt:#1f2937;--fo:#58a6ff;--g:#6ee7a0;--gb:#0f2e1d;--b:#fbbf24;--bb:#33240a;--u:#fca5a5;--ub:#3b1219}
:host([variant=display]) .r{background:transparent;border:0}
.pp{flex:none;box-sizing:border-box;width:2.2em;height:2.2em;margin:0 .2em 0 .6em;padding:0;display:grid;place-items:center;border:1px solid var(--ln);border-radius:50%;background:var(--bt);color:var(--mu);font:inherit;cursor:pointer}
.pp:hover{color:var(--fg)}
.pp:focus-visible{outline:2px solid var(--fo);outline-offset:2px}
.pp::before{content:"";box-sizing:border-box;width:.7em;height:.8em;border:solid currentColor;border-width:0 .24em}
.pp[aria-pressed=true]::before{width:0;height:0;border-width:.42em 0 .42em .7em;border-color:transparent transparent transparent currentColor;margin-left:.18em}
:host([variant=display]) .pp{font-size:.4em;opacity:.6;cursor:inherit}
.vp{flex:1;min-width:0;height:calc(var(--lines)*1.4em + 2.2em);display:flex;align-items:center;overflow:hidden;position:relative}
.vp.rev{justify-content:flex-end}
.vp{--m:linear-gradient(90deg,transparent,#000 1.2em,#000 calc(100% - 1.2em),transparent);-webkit-mask-image:var(--m);mask-image:var(--m)}
.rm .vp{--m:none}
.track{flex:none;display:flex;align-items:center;will-change:transform}
.track.rev{flex-direction:row-reverse}
.item{flex:none;display:flex;align-items:flex-start;gap:.55em;padding:.4em .9em;box-sizing:border-box}
.lab,.pin{flex:none;margin-top:.12em;font-size:.8em;font-weight:600;white-space:nowrap}
.lab{padding:.1em .6em;border-radius:1em;color:var(--k,var(--fg));background:var(--kb,var(--bt))}
[data-bucket=good]{--k:var(--g);--kb:var(--gb)}[data-bucket=bad]{--k:var(--b);--kb:var(--bb)}[data-bucket=ugly]{--k:var(--u);--kb:var(--ub)}[data-bucket=action]{--k:var(--fo)}
[data-bucket=action] .text::before,[data-bucket=action] .text::after{content:none}
.pin{margin-right:-.3em}
.body{min-width:0;max-width:var(--maxw)}
.text{margin:0;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:var(--lines);line-clamp:var(--lines);overflow:hidden;overflow-wrap:anywhere}
.text::before{content:"\\201C"}.text::after{content:"\\201D"}
.meta{margin:.2em 0 0;font-size:.8em;color:var(--mu);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.empty{margin:0 .6em;color:var(--mu);font-style:italic}
.status{position:absolute;top:.3em;right:.4em;font-size:.7em;padding:0 .6em;border-radius:1em;background:var(--bt);color:var(--mu);pointer-events:none}
:host([variant=display]) .status{font-size:.3em}
.rm .track{transform:none!important}
.rm .vp .item{display:none;margin:0!important}
.rm .track{flex:auto;min-width:0}
.rm .item.cur{display:flex;flex:0 1 auto;min-width:0}
.next{display:none}
.r.cards{flex-direction:column;align-items:stretch}
.cards .pp,.wall .pp{position:absolute;top:.4em;left:.2em;margin:0}
.cards .vp{height:auto;min-height:calc(var(--lines)*1.4em + 2.2em);--m:none}
.cards .item.cur .text{-webkit-line-clamp:calc(var(--lines) + 2);line-clamp:calc(var(--lines) + 2)}
.cards .next{display:flex;gap:1.2em;padding:.3em .9em .6em;font-size:.42em;color:var(--mu);overflow:hidden;white-space:nowrap}
.next .nx{display:flex;gap:.5em;align-items:center;min-width:0;flex:1}
.next .nt{overflow:hidden;text-overflow:ellipsis;min-width:0}
.next .lab{flex:none;margin:0}
.spot{flex:1;min-width:0;display:flex;align-items:center;gap:.8em;padding:.4em .9em}
.spotting .vp{display:none}
.spot .item{flex:1;min-width:0;padding:0}
.spot .body{max-width:none}
.spot-lab{flex:none;font-size:.7em;font-weight:700;letter-spacing:.08em;text-transform:uppercase;color:var(--fo)}
:host([variant=display]) .spot{font-size:1.3em;flex-direction:column;align-items:flex-start;padding:0 4vw}
:host([variant=display]) .spot .text{-webkit-line-clamp:6;line-clamp:6}
:host([variant=display]) .empty{margin:0 auto;max-width:24em;text-align:center}
.grid,.wall .vp{display:none}
.r.wall{flex-direction:column;align-items:stretch}
.wall .grid{display:grid;height:var(--wh);box-sizing:border-box;gap:.5em;padding:.5em .5em .5em 3em;grid:auto-flow minmax(0,1fr)/repeat(var(--c),minmax(0,1fr))}
:host([variant=display]) .wall .grid{font-size:.667em;padding:0 3vw;margin-top:8vh}
.wall.none .vp{display:flex;height:var(--wh)}.none .track{display:none}
.wall.none .grid,.spotting .grid{display:none}
.tile{display:grid;grid-template:auto minmax(0,1fr)/auto 1fr;gap:.35em;min-width:0;padding:.6em .8em;border-radius:.5em;background:var(--bg);border:2px solid var(--ln);border-top:.3em solid var(--k,var(--ln));transition:opacity .6s}
.tile.out{opacity:0}
.tile .lab,.tile .meta{font-size:.85em;margin:0}.tile .meta{margin-top:auto}.tile .lab{justify-self:start}
.tile .body{grid-area:2/1/3/-1;max-width:none;display:flex;flex-direction:column;gap:.35em;min-height:0}
.tile .text{line-height:1.3;-webkit-line-clamp:var(--tl,3);line-clamp:var(--tl,3)}
@media (prefers-reduced-motion:reduce){.tile{transition:none}}
`;

  // Element helper: attributes are static strings from this file; data goes in via textContent.
  const h = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    e.append(...kids);
    return e;
  };
  const txt = (tag, cls, text) => {
    const e = document.createElement(tag);
    e.className = cls;
    e.textContent = text;
    return e;
  };

  const clamp = (lo, x, hi) => Math.max(lo, Math.min(hi, x));
  const scoreText = (s, scale) => {
    if (typeof s !== 'number' || !isFinite(s)) return '';
    if (scale === 'nps') return `NPS ${s}/10`;
    if (scale === 'csat5') return `CSAT ${s}/5`;
    if (scale === 'stars5') return `★ ${clamp(0, Math.round(s), 5)}/5`;
    return String(s);
  };

  // Normalise an item from the wire (or the cache); null if unusable.
  const norm = (it) => (it && typeof it === 'object' && typeof it.id === 'string')
    ? { ...it, text: String(it.text ?? ''), bucket: String(it.bucket ?? '') } : null;

  // Fill an item element; every server string goes through textContent.
  const fill = (el, it) => {
    const b = BUCKETS[it.bucket] || ['•', it.bucket];
    el.dataset.id = it.id;
    el.dataset.bucket = it.bucket;
    const kids = [];
    if (it.pinned) {
      const pin = txt('span', 'pin', '📌');
      pin.setAttribute('role', 'img');
      pin.setAttribute('aria-label', 'Pinned');
      kids.push(pin);
    }
    kids.push(txt('span', 'lab', `${b[0]} ${b[1]}`));
    const text = txt('p', 'text', it.text);
    text.dir = 'auto';
    const meta = txt('p', 'meta', '');
    const parts = [];
    const sc = scoreText(it.score, it.scale); // first: the customer's own word, never cut off
    if (sc) parts.push(txt('span', '', sc));
    if (it.source && it.bucket !== 'action') parts.push(txt('span', '', String(it.source))); // its label says it
    if (it.meta && typeof it.meta === 'object') {
      for (const k of Object.keys(it.meta)) parts.push(txt('span', '', `${k}: ${it.meta[k]}`));
    }
    parts.forEach((p, i) => { if (i) meta.append(' · '); meta.append(p); });
    meta.hidden = !parts.length;
    kids.push(h('div', { class: 'body' }, text, meta));
    el.replaceChildren(...kids);
  };

  const padOf = (el) => el._pad || 0;
  let sheet = null;

  class VocTicker extends HTMLElement {
    static get observedAttributes() { return ['feed', 'server', 'stream', 'token', 'theme', 'variant', 'speed', 'layout']; }

    constructor() {
      super();
      this._btn = h('button', { class: 'pp', type: 'button', 'aria-label': 'Pause ticker', 'aria-pressed': 'false' });
      this._track = h('div', { class: 'track' });
      this._empty = txt('p', 'empty', EMPTY);
      this._vp = h('div', { class: 'vp', 'aria-live': 'off' }, this._track, this._empty);
      this._status = h('span', { class: 'status', role: 'status', hidden: '' });
      this._spot = h('div', { class: 'spot', hidden: '' });
      this._next = h('div', { class: 'next', 'aria-hidden': 'true' });
      this._grid = h('div', { class: 'grid' });
      this._root = h('div', { class: 'r', role: 'region', 'aria-label': 'Customer comments', 'aria-live': 'off' },
        this._btn, this._vp, this._grid, this._spot, this._next, this._status);
      const style = h('style', {});
      style.textContent = CSS;
      const shadow = this.attachShadow({ mode: 'open' });
      shadow.append(style, this._root);
      // Also adopt the sheet: unlike <style>, it works under a strict style-src CSP.
      try {
        if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
        shadow.adoptedStyleSheets = [sheet];
      } catch (e) { /* older browser: the <style> element is enough */ }

      this._items = [];          // playlist, server order
      this._els = new Map();     // id -> element
      this._tiles = [];          // the wall's tiles, in grid order
      this._wp = this._seq = 0;  // the wall: next playlist position; tile age counter
      this._c = 3; this._slots = 6;
      this._ro = new ResizeObserver(() => this._fit());
      this._disp = { speed: 60, direction: 'left', theme: 'light', layout: 'ticker' };
      this._L = true;            // direction left
      this._pos = 0;             // px scrolled in the crawl direction
      this._hb = 20;             // heartbeat seconds
      this._tries = 0;
      this._user = this._hover = this._focus = false;
      this._frame = this._frame.bind(this);
      this._onMq = () => this._setRm();

      this._btn.addEventListener('click', () => {
        this._user = !this._user;
        if (!this._user) this._hover = this._focus = false; // an explicit "play" wins
        this._pauseChanged();
      });
      this.addEventListener('pointerenter', () => {
        if (this.getAttribute('variant') !== 'display') { this._hover = true; this._pauseChanged(); }
      });
      this.addEventListener('pointerleave', () => { this._hover = false; this._pauseChanged(); });
      this.addEventListener('focusin', () => { this._focus = true; this._pauseChanged(); });
      this.addEventListener('focusout', (e) => { this._focus = this.contains(e.relatedTarget); this._pauseChanged(); });
    }

    connectedCallback() {
      this._mq = matchMedia('(prefers-reduced-motion: reduce)');
      this._mq.addEventListener('change', this._onMq);
      this._ro.observe(this._grid);
      this._applyDisplay();
      this._start();
    }

    disconnectedCallback() {
      if (this._mq) this._mq.removeEventListener('change', this._onMq);
      this._ro.disconnect();
      this._drop();
      clearTimeout(this._tellT);
      this._tellT = 0;
      clearTimeout(this._retryT);
      clearTimeout(this._spotT);
      clearTimeout(this._rmT);
      this._rmT = 0;
      cancelAnimationFrame(this._raf);
      this._raf = 0;
    }

    attributeChangedCallback(name, was, now) {
      if (!this._mq || !this.isConnected || was === now) return;
      if (name === 'feed' || name === 'server' || name === 'token') this._start();
      else if (name === 'layout') this._setRm();
      else this._applyDisplay();
    }

    // ---- connection -------------------------------------------------------

    // With `tok`, ?token= too (not in the cache key).
    _url(tok) {
      const feed = this.getAttribute('feed');
      if (!feed) return null;
      try {
        const u = new URL(this.getAttribute('stream') || this.getAttribute('server') || HOME, location.href);
        if (!/^wss?:$/.test(u.protocol)) u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
        u.pathname = u.pathname.replace(/\/+$/, '') + '/ws/feeds/' + encodeURIComponent(feed);
        u.search = u.hash = '';
        const q = new URLSearchParams(), t = tok && this.getAttribute('token');
        if (t) q.set('token', t);
        if (tok && this._ep) { q.set('epoch', this._ep); q.set('offset', this._off); } // resume
        u.search = q;
        return u.href;
      } catch (e) { return null; }
    }

    _start() {
      this._key = 'voc-ticker:' + this._url();
      this._tries = 0;
      this._note = '';
      this._retrying = this._live = false;
      let cached = null;
      try { cached = JSON.parse(localStorage.getItem(this._key)); } catch (e) { /* no storage */ }
      this._gone = Boolean(cached && cached.revoked); // refused (4403) last time
      this._ep = cached && cached.ep; // where the cached playlist is in the feed's changes
      this._off = (cached && cached.off) | 0;
      if (cached && Array.isArray(cached.items)) {
        this._setDisplay(cached.display);
        this._set(cached.items.map(norm).filter(Boolean), false);
      } else this._set([], false);
      this._setRm();
      this._connect();
    }

    _connect() {
      clearTimeout(this._retryT);
      this._drop();
      const url = this._url(true);
      if (!url) { this._note = 'No feed configured'; this._state('offline'); return; }
      this._state('connecting');
      let ws;
      try { ws = new WebSocket(url); } catch (e) { this._ws = null; this._closed(null, 0); return; }
      this._ws = ws;
      this._err = null;
      ws.onmessage = (e) => this._msg(e.data);
      ws.onclose = (e) => this._closed(ws, e.code);
      ws.onerror = () => {}; // a close event always follows
      this._watch();
    }

    // Dead-connection watchdog: nothing received for 2.5 heartbeats => reconnect.
    _watch() {
      clearTimeout(this._wd);
      const ws = this._ws;
      this._wd = setTimeout(() => this._closed(ws, 0), 2500 * this._hb);
    }

    _drop() {
      const ws = this._ws;
      this._ws = null;
      clearTimeout(this._wd);
      if (ws) {
        ws.onmessage = ws.onclose = ws.onerror = null;
        try { ws.close(); } catch (e) { /* already closed */ }
      }
    }

    _closed(ws, code) {
      if (ws !== this._ws) return; // stale socket
      this._drop();
      this._live = false;
      this._retrying = true;
      let delay;
      if (code === 4403) {
        // Unknown or revoked display token: forget the comments, cache included.
        this._gone = true;
        this._note = '';
        try { localStorage.setItem(this._key, '{"revoked":true}'); } catch (e) { /* no storage */ }
        this._setSpot(null);
        this._set([], false);
        delay = 60000;
      } else if (code === 4404) {
        this._note = this._err || 'Unknown feed';
        delay = 60000;
      } else {
        // Exponential backoff with full jitter: 500 ms doubling, capped at 30 s.
        delay = Math.random() * Math.min(30000, 500 * 2 ** this._tries);
        this._tries = Math.min(this._tries + 1, 20);
      }
      this._state(this._gone ? 'revoked' : 'offline');
      this._retryT = setTimeout(() => this._connect(), delay);
    }

    _msg(data) {
      this._watch();
      let m;
      try { m = JSON.parse(data); } catch (e) { return; }
      if (!m || typeof m !== 'object') return;
      const at = (l) => (Number.isInteger(m.index) ? clamp(0, m.index, l.length) : l.length);
      const up = () => {
        this._hb = m.heartbeat > 0 ? +m.heartbeat : 20;
        this._tries = 0;
        this._note = '';
        this._retrying = false;
        this._live = true;
        this._gone = false;
        this._ep = m.epoch;
        this._off = m.offset | 0;
        this._state('live');
        this._watch();
      };
      // A change has an offset: one seen already is skipped; a gap means one was missed.
      if (Number.isInteger(m.offset) && m.type !== 'snapshot' && m.type !== 'resumed') {
        if (m.offset <= this._off) return;
        if (m.offset > this._off + 1) { this._closed(this._ws, 0); return; }
        this._off = m.offset;
      }
      switch (m.type) {
        case 'snapshot':
          up();
          this._setDisplay(m.display);
          this._set(Array.isArray(m.items) ? m.items.map(norm).filter(Boolean) : []);
          this._setSpot(m.spotlight);
          break;
        case 'resumed': // up to date at m.offset: what it missed follows
          up();
          this._set(this._items);
          break;
        case 'add':
        case 'update': {
          const it = norm(m.item);
          if (!it) break;
          const l = this._items.filter((x) => x.id !== it.id);
          l.splice(at(l), 0, it);
          this._set(l);
          break;
        }
        case 'remove':
          this._set(this._items.filter((x) => x.id !== m.id));
          break;
        case 'display':
          this._setDisplay(m.display);
          break;
        case 'spotlight':
          this._setSpot(m.spotlight);
          break;
        case 'error':
          this._err = String(m.message || m.code || '');
          if (m.code !== 'too_slow' && m.code !== 'unknown_feed') this._note = this._err;
          break;
        // heartbeat, pong: the watchdog reset above is all they need
      }
    }

    // One comment large, over the playlist, until its time is up (docs/protocol.md).
    _setSpot(s) {
      clearTimeout(this._spotT);
      const it = s && typeof s === 'object' ? norm(s.item) : null;
      this._spot.hidden = !it;
      this._root.classList.toggle('spotting', Boolean(it));
      this._tell();
      if (!it) { this._spot.replaceChildren(); return; }
      const total = Number(s.seconds) > 0 ? Number(s.seconds) : 60;
      let left = (Date.parse(s.until) - Date.now()) / 1000;
      if (!(left > 0 && left <= total + 5)) left = total; // this clock is off: trust the length
      const el = h('div', { class: 'item' });
      fill(el, it);
      this._spot.replaceChildren(txt('span', 'spot-lab', 'Spotlight'), el);
      this._spotT = setTimeout(() => this._setSpot(null), left * 1000);
    }

    _state(s) {
      this.setAttribute('data-state', s);
      const msg = this._note || (s !== 'live' && this._retrying && !this._gone ? 'reconnecting…' : '');
      this._status.textContent = msg;
      this._status.hidden = !msg;
    }

    // ---- playlist ---------------------------------------------------------

    _set(items, save = true) {
      this._items = items;
      this._sync();
      if (save && this._live) {
        try {
          localStorage.setItem(this._key, JSON.stringify({ items, display: this._disp, ep: this._ep, off: this._off }));
        } catch (e) { /* quota or privacy mode */ }
      }
      this.setAttribute('data-count', String(this._els.size));
      this._empty.textContent = this._gone ? REVOKED : EMPTY;
      this._root.classList.toggle('none', !this._els.size);
      if (this._els.size) this._empty.remove();
      else if (!this._empty.isConnected) this._vp.append(this._empty);
      this._wallSync();
      this._kick();
      this._tell();
    }

    // Reconcile the DOM with this._items without restarting the crawl.
    _sync() {
      const tr = this._track, old = this._els, els = new Map(), want = [];
      for (const it of this._items) {
        if (els.has(it.id)) continue;
        let el = old.get(it.id);
        if (!el) el = h('div', { class: 'item' });
        const k = JSON.stringify(it);
        if (el._k !== k) { el._k = k; fill(el, it); }
        els.set(it.id, el);
        want.push(el);
      }
      let vr;
      for (const [id, el] of old) {
        if (els.has(id)) continue;
        const n = el.nextElementSibling;
        if (n && !this._rm && el.isConnected) {
          // Keep the neighbours where they are: the gap scrolls away naturally.
          vr = vr || this._vp.getBoundingClientRect();
          const r = el.getBoundingClientRect();
          if (this._L ? r.left < vr.right : r.right > vr.left) this._setPad(n, padOf(n) + r.width + padOf(el));
        }
        el.remove();
      }
      // Keep the current rotation: start from the element that is first on screen.
      let k = want.indexOf(tr.firstElementChild);
      if (k < 0) k = 0;
      let ref = tr.firstElementChild;
      for (let i = 0; i < want.length; i++) {
        const el = want[(i + k) % want.length];
        if (el === ref) ref = ref.nextElementSibling;
        else tr.insertBefore(el, ref);
      }
      this._els = els;
      if (!this._cur || !this._cur.isConnected) this._show(tr.firstElementChild);
      else if (this._cards) this._strip();
    }

    _setPad(el, px) {
      el._pad = px;
      el.style.marginLeft = el.style.marginRight = '';
      if (px) el.style[this._L ? 'marginLeft' : 'marginRight'] = px + 'px';
    }

    // ---- display settings -------------------------------------------------

    _setDisplay(d) {
      if (!d || typeof d !== 'object') return;
      if (typeof d.speed === 'number' && d.speed >= 0) this._disp.speed = d.speed;
      if (d.direction === 'left' || d.direction === 'right') this._disp.direction = d.direction;
      if (d.theme === 'light' || d.theme === 'dark') this._disp.theme = d.theme;
      if (d.pacing === 'reading' || d.pacing === 'fixed') this._disp.pacing = d.pacing;
      if (d.dwell_seconds > 0) this._disp.dwell = d.dwell_seconds;
      if (LAYOUT.test(d.layout)) {
        const was = this._disp.layout;
        this._disp.layout = d.layout;
        if (was !== d.layout && this._mq) this._setRm();
      }
      this._applyDisplay();
    }

    _applyDisplay() {
      const t = this.getAttribute('theme');
      this._root.classList.toggle('dark', (t === 'light' || t === 'dark' ? t : this._disp.theme) === 'dark');
      const sp = parseFloat(this.getAttribute('speed'));
      this._speed = sp >= 0 ? sp : this._disp.speed;
      const L = this._disp.direction !== 'right';
      if (L !== this._L) {
        this._L = L;
        this._vp.classList.toggle('rev', !L);
        this._track.classList.toggle('rev', !L);
        for (const el of this._track.children) this._setPad(el, 0);
        this._pos = 0;
        this._place();
      }
      this._kick();
    }

    // ---- motion -----------------------------------------------------------

    _paused() { return this._user || this._hover || this._focus; }

    _pauseChanged() {
      this._btn.setAttribute('aria-pressed', String(this._user));
      this._btn.setAttribute('aria-label', this._user ? 'Play ticker' : 'Pause ticker');
      this._kick();
    }

    // One at a time: for reduced motion (every SWAP_MS) and the cards layout (reading time);
    // the wall's turns too.
    _setRm() {
      const layout = this.getAttribute('layout') || this._disp.layout; // the page's, else the feed's
      this._layout = LAYOUT.test(layout) ? layout : 'ticker';
      this._cards = layout === 'cards';
      this._wall = layout === 'wall';
      this._rm = this._cards || this._wall || !!(this._mq && this._mq.matches);
      this._root.classList.toggle('rm', this._rm);
      this._root.classList.toggle('cards', this._cards);
      this._root.classList.toggle('wall', this._wall);
      clearTimeout(this._rmT);
      this._rmT = 0;
      if (this._rm) {
        for (const el of this._track.children) this._setPad(el, 0);
        this._pos = 0;
        this._place();
        this._show(this._track.firstElementChild);
        const turn = () => {
          this._rmT = setTimeout(() => {
            if (this._paused()) { /* the pause button holds every layout */ }
            else if (this._wall) this._swap();
            else if (this._cur) this._show(this._cur.nextElementSibling || this._track.firstElementChild);
            turn();
          }, this._dwell());
        };
        turn();
      }
      this._wallSync();
      this._kick();
      this._tell();
    }

    // How long a card stays, and the wall until its next change (ticker/pacing.py counts on it):
    // about 220 words a minute, 6 to 20 seconds, or the feed's fixed dwell.
    _dwell() {
      const n = this._wall ? this._fresh : this._cards && this._cur ? this._cur.querySelector('.text').textContent.length : -1;
      if (!(n >= 0)) return SWAP_MS;
      return this._disp.pacing === 'fixed' ? 1000 * this._disp.dwell : clamp(6000, 2500 + 55 * n, 20000);
    }

    _show(el) {
      if (this._cur) this._cur.classList.remove('cur');
      this._cur = el;
      if (el) el.classList.add('cur');
      if (this._cards) this._strip();
      this._tell();
    }

    // The next three, small, below the card: what is coming.
    _strip() {
      const kids = [];
      let el = this._cur;
      for (let i = 0; i < 3 && this._track.children.length > 1; i++) {
        el = (el && el.nextElementSibling) || this._track.firstElementChild;
        if (!el || el === this._cur) break;
        const lab = el.querySelector('.lab');
        const text = el.querySelector('.text');
        const one = h('span', { class: 'nx' }, txt('span', 'lab', lab ? lab.textContent : ''), txt('span', 'nt', text ? text.textContent : ''));
        one.dataset.bucket = el.dataset.bucket || '';
        kids.push(one);
      }
      this._next.replaceChildren(...kids);
    }

    // ---- the wall: each turn the oldest tile takes the next item in playlist order, a window
    // sliding over a playlist the mixer spreads so that its mix (bad and ugly too) holds anywhere.

    // As many 14×9 em tiles as fit (3×2 at 1080p).
    _fit() {
      const g = this._grid, f = parseFloat(getComputedStyle(g).fontSize);
      if (!this._wall || !g.clientWidth) return;
      const c = clamp(1, Math.floor(g.clientWidth / (14 * f)), 4);
      const n = c * clamp(1, Math.floor(g.clientHeight / (9 * f)), 3);
      if (c !== this._c || n !== this._slots) { this._c = c; this._slots = n; this._wallSync(); }
    }

    // Tiles from the playlist: a removed or changed comment goes or changes at once.
    _wallSync() {
      const by = new Map(this._items.map((it) => [it.id, it]));
      const n = this._wall ? Math.min(this._slots, by.size) : 0;
      const gone = this._tiles.filter((t) => !by.has(t._id));
      while (this._tiles.length > n) {
        const t = gone.pop() || this._tiles.at(-1);
        this._tiles.splice(this._tiles.indexOf(t), 1);
        t.remove();
      }
      for (const t of this._tiles) {
        const it = by.get(t._id) || this._upNext();
        if (JSON.stringify(it) !== t._k) this._put(t, it, false);
      }
      while (this._tiles.length < n) {
        const t = h('div', { class: 'tile' });
        this._tiles.push(t);
        this._grid.append(t);
        this._put(t, this._upNext(), false);
      }
      const gs = this._grid.style, text = this._grid.querySelector('.text'), b = text && text.parentNode;
      gs.setProperty('--c', Math.min(this._c, n) || 1);
      // The lines a tile holds above its labels (and their gap); the last ends in an ellipsis.
      if (b) gs.setProperty('--tl', Math.max(1, Math.floor((b.clientHeight - b.lastChild.offsetHeight) / (1.3 * parseFloat(getComputedStyle(text).fontSize)) - 0.3)));
    }

    // The next playlist item that is not on the wall.
    _upNext() {
      const l = this._items, on = new Set(this._tiles.map((t) => t._id));
      for (let i = 0; i < l.length; i++) {
        const it = l[(this._wp + i) % l.length];
        if (!on.has(it.id)) { this._wp = (this._wp + i + 1) % l.length; return it; }
      }
      return null;
    }

    _swap() {
      const t = this._tiles.reduce((a, b) => (b._at < a._at ? b : a), this._tiles[0]);
      const it = t && this._upNext();
      if (it) this._put(t, it, true);
    }

    // `it` on tile `t`, at once or with a fade (never under reduced motion).
    _put(t, it, fade) {
      t._id = it.id;
      t._it = it;
      t._k = JSON.stringify(it);
      t._at = ++this._seq;
      this._fresh = it.text.length;
      const draw = () => { fill(t, t._it); t.classList.remove('out'); this._tell(); };
      if (!fade || this._mq.matches) { draw(); return; }
      t.classList.add('out');
      setTimeout(draw, 600); // the .tile transition
    }

    _shown() {
      if (!this._spot.hidden) return [...this._spot.querySelectorAll('.item')];
      if (this._wall) return this._tiles;
      if (this._rm) return this._cur ? [this._cur] : [];
      const vr = this._vp.getBoundingClientRect();
      return [...this._track.children].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.right > vr.left && r.left < vr.right;
      });
    }

    // `voc-now-showing`: what is on screen, when it changes, at most once a second.
    _tell() {
      if (this._tellT || !this.isConnected) return;
      this._tellT = setTimeout(() => {
        this._tellT = 0;
        const els = this._shown(), buckets = {};
        for (const e of els) buckets[e.dataset.bucket] = (buckets[e.dataset.bucket] || 0) + 1;
        const detail = { feed: this.getAttribute('feed'), layout: this._layout, ids: els.map((e) => e.dataset.id), buckets, spotlight: !this._spot.hidden };
        const k = JSON.stringify(detail);
        if (k === this._told) return;
        this._told = k;
        this._toldAt = Date.now();
        this.dispatchEvent(new CustomEvent('voc-now-showing', { bubbles: true, composed: true, detail }));
      }, Math.max(0, (this._toldAt || 0) + 1000 - Date.now()));
    }

    // Start or stop the animation loop as needed.
    _kick() {
      const run = this.isConnected && !this._rm && !this._paused() && this._els.size > 0;
      if (run && !this._raf) { this._last = 0; this._raf = requestAnimationFrame(this._frame); }
      if (!run && this._raf) { cancelAnimationFrame(this._raf); this._raf = 0; }
    }

    _frame(t) {
      const dt = this._last ? Math.min(t - this._last, 100) / 1000 : 0;
      this._last = t;
      this._pos += dt * this._speed;
      this._place();
      this._recycle();
      if (t - (this._tf || 0) > 1000) { this._tf = t; this._tell(); }
      this._raf = requestAnimationFrame(this._frame);
    }

    _place() {
      this._track.style.transform = `translate3d(${this._L ? -this._pos : this._pos}px,0,0)`;
    }

    // An item that has scrolled fully out moves to the other end of the strip,
    // never closer than the far edge of the viewport (no pop-in).
    _recycle() {
      const tr = this._track, L = this._L;
      const vr = this._vp.getBoundingClientRect();
      if (!vr.width) return; // not rendered
      for (let guard = tr.children.length; guard > 0; guard--) {
        const f = tr.firstElementChild;
        const r = f.getBoundingClientRect();
        if (L ? r.right > vr.left : r.left < vr.right) break;
        const last = tr.lastElementChild.getBoundingClientRect();
        this._pos -= r.width + padOf(f);
        this._setPad(f, Math.max(0, L ? vr.right - last.right : last.left - vr.left));
        tr.append(f);
        this._place();
      }
    }
  }

  customElements.define('voc-ticker', VocTicker);
})();
