/* Feeds: each feed's honesty meter (shown beside received) and its pages. */
(() => {
  'use strict';
  const { api, toast, mixbar: bar } = window.voc;
  const list = document.querySelector('[data-voc-feeds-list]');
  const tpl = document.querySelector('template[data-voc-feed]');
  const BUCKETS = ['good', 'bad', 'ugly'];
  const builds = ['admin', 'curator'].includes(document.body.dataset.role);

  function describe(f) {
    const parts = [];
    parts.push(f.filter.sources.length ? `sources: ${f.filter.sources.join(', ')}` : 'every source');
    for (const [k, v] of Object.entries(f.filter.meta)) parts.push(`${k} = ${v.join(' or ')}`);
    if (f.filter.languages?.length) parts.push(`languages: ${f.filter.languages.join(', ')}`);
    for (const [scale, [lo, hi]] of Object.entries(f.filter.scores || {})) parts.push(`${scale} ${lo}–${hi}`);
    parts.push(`buckets: ${f.filter.buckets.join(', ')}`);
    parts.push(f.filter.max_age_days ? `last ${f.filter.max_age_days} days` : 'any age');
    return parts.join(' · ');
  }

  async function card(f) {
    const node = tpl.content.firstElementChild.cloneNode(true);
    node.querySelector('.feed-title').textContent = f.title;
    node.querySelector('.feed-name').textContent = f.name;
    node.querySelector('.feed-filter').textContent = describe(f);
    node.querySelector('.open-display').href = `/display/${encodeURIComponent(f.name)}`;
    node.querySelector('.open-embed').href = `/embed/${encodeURIComponent(f.name)}`;
    const edit = node.querySelector('.open-builder');
    edit.href = `/console/feeds/${encodeURIComponent(f.name)}`;
    node.querySelector('.open-builder-wrap').hidden = !builds;
    node.setAttribute('aria-label', `Feed ${f.title}`);
    try {
      const mix = await api('GET', `/api/v1/feeds/${encodeURIComponent(f.name)}/mix`);
      bar(node.querySelector('[data-mix=shown]'), mix.shown, mix.shown_percent);
      bar(node.querySelector('[data-mix=received]'), mix.received, mix.received_percent);
      const total = (c) => BUCKETS.reduce((n, b) => n + c[b], 0);
      node.querySelector('[data-n=shown]').textContent = `${total(mix.shown)} in the playlist`;
      node.querySelector('[data-n=received]').textContent = `${total(mix.received).toLocaleString()} in ${mix.window_days} days`;
      const wall = node.querySelector('.wall');
      wall.hidden = !mix.praise_wall;
      node.classList.toggle('is-wall', mix.praise_wall);
    } catch (e) { toast(e.message, true); }
    return node;
  }

  async function load() {
    try {
      const feeds = await api('GET', '/api/v1/feeds');
      list.replaceChildren(...await Promise.all(feeds.map(card)));
    } catch (e) { toast(e.message, true); }
  }
  document.addEventListener('voc:changed', () => { clearTimeout(load.t); load.t = setTimeout(load, 500); });
  load();
})();
