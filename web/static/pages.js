/* Helpers for VoC Ticker's own pages (kept out of the HTML: CSP script-src 'self').
 * - [data-voc-copy="ID"] buttons copy the text of #ID.
 * - [data-voc-clock] shows the time (display page).
 * - [data-voc-reload="SECONDS"] reloads the page after SECONDS (default 24 h),
 *   but only once GET /healthz answers; otherwise retries every 5 minutes.
 * - [data-voc-offline] registers the service worker (/sw.js) that keeps the page for a reload
 *   while the server is down (secure contexts only: HTTPS, or localhost). */
(() => {
  'use strict';

  for (const btn of document.querySelectorAll('[data-voc-copy]')) {
    const label = btn.textContent;
    let timer = 0;
    btn.addEventListener('click', async () => {
      const src = document.getElementById(btn.getAttribute('data-voc-copy'));
      if (!src) return;
      let ok = false;
      try {
        await navigator.clipboard.writeText(src.textContent);
        ok = true;
      } catch (e) {
        // No clipboard API (e.g. plain http): select the text for Ctrl+C / ⌘C.
        const range = document.createRange();
        range.selectNodeContents(src);
        const sel = getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        try { ok = document.execCommand('copy'); } catch (e2) { ok = false; }
      }
      btn.textContent = ok ? 'Copied ✓' : 'Press Ctrl+C';
      clearTimeout(timer);
      timer = setTimeout(() => { btn.textContent = label; }, 2000);
    });
  }

  const clock = document.querySelector('[data-voc-clock]');
  if (clock) {
    const fmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
    const tick = () => {
      const now = new Date();
      const s = fmt.format(now);
      if (clock.textContent !== s) clock.textContent = s;
      setTimeout(tick, 1000 - now.getMilliseconds());
    };
    tick();
  }

  if (document.querySelector('[data-voc-offline]') && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(() => { /* not a secure context */ });
  }

  const reload = document.querySelector('[data-voc-reload]');
  if (reload) {
    const every = (Number(reload.getAttribute('data-voc-reload')) || 86400) * 1000;
    const attempt = async () => {
      try {
        const r = await fetch('/healthz', { cache: 'no-store' });
        if (r.ok) { location.reload(); return; }
      } catch (e) { /* server down: keep showing what we have */ }
      setTimeout(attempt, 5 * 60 * 1000);
    };
    setTimeout(attempt, every);

    // Keep office screens awake where supported (secure contexts only).
    const wake = () => {
      if (document.visibilityState === 'visible' && navigator.wakeLock) navigator.wakeLock.request('screen').catch(() => {});
    };
    document.addEventListener('visibilitychange', wake);
    wake();
  }
})();
