// The service worker: the lookup page's shell and the wasm from one versioned cache, so a page that loaded once opens with no network; a new version replaces the old whole.
// (Plain script, not // @ts-check: the page's type library describes a window, not a worker.)
'use strict';

/** The build's version, from the URL the page registered (`sw.js?v=<hash of the shell>`). */
const VERSION = new URL(self.location.href).searchParams.get('v') || 'unversioned';
const PREFIX = 'booktax-shell-';
const CACHE = PREFIX + VERSION;

// Install: every file of this version, or none (addAll fails whole), checked against the manifest.
// Each file is revalidated (`no-cache`), not fetched afresh: what the page has just loaded comes back
// as a 304 from the same server, so a first visit does not download the page and the wasm twice
// (it did, 197 KB more, with `no-store`). Each must also match the manifest's SHA-256 (`integrity`):
// a copy a 304 let through although its bytes changed (a deploy that kept sizes and times) fails it,
// and then every file is fetched afresh.
self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const res = await fetch(`pkg/shell-manifest.json?v=${encodeURIComponent(VERSION)}`, { cache: 'no-store' });
    const manifest = await res.json();
    if (manifest.version !== VERSION) throw new Error(`the shell changed during install (${manifest.version})`);
    const cache = await caches.open(CACHE);
    const integrity = manifest.integrity ?? {};
    /** @param {RequestCache} mode */
    const requests = (mode) => manifest.files.map((file) => new Request(file, { cache: mode, integrity: integrity[file] ?? '' }));
    try {
      await cache.addAll(requests('no-cache'));
    } catch {
      await cache.addAll(requests('reload'));
    }
    // A deploy while caching could have mixed files: then this version does not install.
    const after = await (await fetch(`pkg/shell-manifest.json?v=${encodeURIComponent(VERSION)}`, { cache: 'no-store' })).json();
    if (after.version !== VERSION) {
      await caches.delete(CACHE);
      throw new Error(`the shell changed during install (${after.version})`);
    }
  })());
});

// Activate: the old versions' caches go; a page already open keeps the version it started with
// until it reloads (no skipWaiting unless the clerk asks), so old and new files never mix.
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

// Fetch: the shell from this version's cache; everything else (the API, the config) from the network.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The API, the test admin and the deployment's config go straight to the network, untouched:
  // a sync's thousands of requests pay nothing for the worker.
  if (/^\/(v\d+|__admin)\//.test(url.pathname) || url.pathname.endsWith('/booktax-config.json')) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = request.mode === 'navigate' && (url.pathname === '/' || url.pathname.endsWith('/index.html'))
      ? new URL('./', self.location.href).href
      : request;
    const hit = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
    return hit || fetch(request);
  })());
});
