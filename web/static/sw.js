/* VoC Ticker's service worker, for office displays: the display page, its scripts and styles are
 * kept from the last time they loaded, so a reload while the server is down still shows the page
 * (the widget then shows the last playlist it kept in localStorage and reconnects on its own).
 * Network first: a reachable server always gives the current page. Only GETs of this origin
 * under /display/ and /static/ are touched; the stream, the API and the console never are.
 * No comment is kept here: a screen whose display token is refused (close 4403) forgets them in
 * localStorage, so a reload, even offline, shows nothing of the feed. */
'use strict';
const CACHE = 'voc-display-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith('/display/') && !url.pathname.startsWith('/static/')) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const fresh = await fetch(event.request);
      if (fresh.ok) await cache.put(event.request, fresh.clone());
      return fresh;
    } catch (offline) {
      const kept = await cache.match(event.request, { ignoreVary: true });
      if (kept) return kept;
      throw offline;
    }
  })());
});
