// The service worker: the lookup page's shell and the wasm from one versioned cache, so a page that loaded once opens with no network; a new version replaces the old whole.
// (Plain script, not // @ts-check: the page's type library describes a window, not a worker.)
'use strict';

/** The build's version, from the URL the page registered (`sw.js?v=<hash of the shell>`). */
const VERSION = new URL(self.location.href).searchParams.get('v') || 'unversioned';
const PREFIX = 'booktax-shell-';
const CACHE = PREFIX + VERSION;
/** This version's files cached on first use, and their hashes once read: stored at install, beside the shell. */
const LAZY_KEY = '__booktax-lazy.json';

// Install: every file of this version, or none, each checked against the manifest's SHA-256
// (`integrity`; those the install carries over from an older version, against `pkg/shell-lazy.json`'s). A file is taken first from the HTTP cache as it is (`force-cache`): on a first visit
// that is what the page has just loaded, so nothing is sent twice (with `no-store` the worker
// downloaded the page and the wasm again, 197 KB; with `no-cache` each came back as a 304, 31 KB of
// headers). A copy that fails its hash (an older version's file) is revalidated (`no-cache`), and if
// that lets an old copy through too (a deploy that kept sizes and times), fetched afresh (`reload`).
self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const res = await fetch(`pkg/shell-manifest.json?v=${encodeURIComponent(VERSION)}`, { cache: 'no-store' });
    const manifest = await res.json();
    if (manifest.version !== VERSION) throw new Error(`the shell changed during install (${manifest.version})`);
    // With them, the lazy files this browser has used under an older version (booktax.js and the panels
    // of a till with the mirror on): an update must not leave such a till, opened offline the next
    // morning, without the module that reads its mirror. Their hashes are in a file of their own,
    // asked for only then: a first visit does not download them.
    /** @type {string[]} */
    const used = await usedBefore(manifest.lazy ?? []);
    const lazyIntegrity = used.length ? await lazyHashes() : null;
    /** @type {Record<string, string>} */
    const integrity = { ...(lazyIntegrity ?? {}), ...(manifest.integrity ?? {}) };
    const files = [...manifest.files, ...used];
    // Every file checked by its hash: one without is not this version's to keep.
    const unhashed = files.find((file) => !integrity[file]);
    if (unhashed) throw new Error(`${unhashed}: no hash of ${VERSION}`);
    // Fetched whole before any is stored: a file that cannot be had leaves no partial version.
    const responses = await Promise.all(files.map((file) => fetchChecked(file, integrity[file], { justLoaded: manifest.files.includes(file) })));
    const cache = await caches.open(CACHE);
    try {
      await Promise.all(files.map((file, i) => cache.put(file, responses[i])));
      await cache.put(LAZY_KEY, new Response(JSON.stringify({ lazy: manifest.lazy ?? [], integrity: lazyIntegrity })));
      // A deploy while caching could have mixed files: then this version does not install.
      const after = await shellVersion(`pkg/shell-version.txt?v=${encodeURIComponent(VERSION)}`);
      if (after !== VERSION) throw new Error(`the shell changed during install (${after})`);
    } catch (e) {
      await caches.delete(CACHE); // no partial or mixed version left taking space
      throw e;
    }
  })());
});

/**
 * Those of `lazy` (this version's lazy files) that an older version's cache holds: used in this browser.
 * @param {string[]} lazy
 */
async function usedBefore(lazy) {
  const older = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE);
  const used = new Set();
  for (const name of older) {
    const cache = await caches.open(name);
    for (const file of lazy) if (!used.has(file) && (await cache.match(file))) used.add(file);
  }
  return lazy.filter((file) => used.has(file));
}

/**
 * This version's lazy files' hashes (`pkg/shell-lazy.json`); rejects when the server has another version.
 * @returns {Promise<Record<string, string>>}
 */
async function lazyHashes() {
  const res = await fetch(`pkg/shell-lazy.json?v=${encodeURIComponent(VERSION)}`, { cache: 'no-store' });
  const note = res.ok ? await res.json() : null;
  const integrity = note?.version === VERSION ? note.integrity : null;
  if (!integrity || typeof integrity !== 'object' || Array.isArray(integrity)) throw new Error(`no lazy hashes of ${VERSION}`);
  return integrity;
}

/**
 * The server's shell version now (`pkg/shell-version.txt`: the manifest's version alone), or null.
 * @param {string} url
 */
async function shellVersion(url) {
  const res = await fetch(url, { cache: 'no-store' });
  const text = res.ok ? (await res.text()).trim() : '';
  return /^[\w.-]{1,64}$/.test(text) ? text : null;
}

/**
 * One shell file whose bytes match its hash, from the cheapest source that has them: revalidated
 * (`no-cache`), or with `justLoaded` (the install, for the files the page has just loaded) first the
 * HTTP cache's copy as it is. Only there: a copy once asked for as a module came without the policy
 * a Worker or a page needs, and a revalidation's 304 brings it.
 * @param {string} file
 * @param {string | undefined} hash
 * @param {{ justLoaded?: boolean }} [how]
 */
async function fetchChecked(file, hash, { justLoaded = false } = {}) {
  /** @type {RequestCache[]} */
  const modes = hash && justLoaded ? ['force-cache', 'no-cache', 'reload'] : ['no-cache', 'reload'];
  let failure;
  for (const mode of modes) {
    try {
      const response = await fetch(new Request(file, { cache: mode, integrity: hash ?? '' }));
      if (response.ok) return response;
      failure = new Error(`${file}: HTTP ${response.status}`);
    } catch (e) {
      failure = e; // a hash mismatch or the network: the next, stricter mode
    }
  }
  throw failure;
}

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
  // A page with the offline mirror on: the lazy files now (the module that reads the mirror, its panel,
  // the Workers' files), so lookups, a batch from the mirror or an import work offline from then on,
  // even before any was first used online.
  if (event.data === 'cache-workers') event.waitUntil(cacheLazyFiles());
});

// Fetch: the shell from this version's cache; everything else (the API, the config) from the network.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The API, the test admin and the deployment's config go straight to the network, untouched:
  // a sync's thousands of requests pay nothing for the worker.
  if (/^\/(v\d+|__admin)\//.test(url.pathname) || url.pathname.endsWith('/booktax-config.json')) return;
  // The worker's own note of the lazy files is not a page's to read.
  if (url.pathname === new URL(LAZY_KEY, self.location.href).pathname) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = request.mode === 'navigate' && (url.pathname === '/' || url.pathname.endsWith('/index.html'))
      ? new URL('./', self.location.href).href
      : request;
    const hit = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
    // A page opened from this version's cache: the lazy files' hashes are asked for now, while the
    // network is likely there, so those files can be checked later even after a deploy.
    if (hit && request.mode === 'navigate') {
      event.waitUntil(lazyNote(cache).then((note) => note && noteHashes(cache, note)).catch(() => {}));
    }
    if (hit) return hit;
    const hash = await lazyHash(cache, url);
    return hash === undefined ? fetch(request) : fetchLazy(cache, url, hash, event);
  })());
});

/**
 * This version's lazy files and their hashes, as the install noted them; null before the install did.
 * @param {Cache} cache
 * @returns {Promise<{ lazy: string[], integrity: Record<string, string> | null } | null>}
 */
async function lazyNote(cache) {
  const stored = await cache.match(LAZY_KEY);
  return stored ? stored.json() : null;
}

/** @type {Promise<Record<string, string> | null> | null} the hashes being asked for, once at a time */
let hashesAsked = null;

/**
 * The lazy files' hashes of `note`: asked for the first time they are needed (or on a page's load after
 * the first) and kept with it; null while they cannot be had (offline, or the server already on another
 * version).
 * @param {Cache} cache
 * @param {{ lazy: string[], integrity: Record<string, string> | null }} note
 * @returns {Promise<Record<string, string> | null>}
 */
async function noteHashes(cache, note) {
  if (note.integrity) return note.integrity;
  hashesAsked ??= (async () => {
    const integrity = await lazyHashes().catch(() => null);
    if (integrity) await cache.put(LAZY_KEY, new Response(JSON.stringify({ ...note, integrity }))).catch(() => {});
    return integrity;
  })().finally(() => { hashesAsked = null; });
  return hashesAsked;
}

/**
 * The hash of `url` when it is one of this version's files cached on first use (the Workers, the full
 * wasm, the page's modules a scan never needs, the embedding example): '' when its hashes cannot be had
 * (the file is then refused); undefined for any other file.
 * @param {Cache} cache
 * @param {URL} url
 * @returns {Promise<string | undefined>}
 */
async function lazyHash(cache, url) {
  const note = await lazyNote(cache);
  if (!note) return undefined;
  // By path whatever the query: `?x` must not reach the network unchecked.
  const name = note.lazy.find((/** @type {string} */ f) => new URL(f, self.location.href).pathname === url.pathname);
  if (name === undefined) return undefined;
  return (await noteHashes(cache, note))?.[name] ?? '';
}

/** Every lazy file of this version not yet cached, checked like the rest; one that fails is left for its first use. */
async function cacheLazyFiles() {
  const cache = await caches.open(CACHE);
  const note = await lazyNote(cache);
  if (!note) return;
  const { lazy } = note;
  const integrity = await noteHashes(cache, note);
  if (!integrity) {
    await staleOrOffline();
    return;
  }
  let failed = false;
  for (const file of lazy) {
    if (!integrity[file] || (await cache.match(file))) continue;
    try {
      await cache.put(file, await fetchChecked(file, integrity[file]));
    } catch {
      failed = true; // the others are still worth keeping
    }
  }
  if (failed) await staleOrOffline();
}

/** When a file is not this version's, the pages look for the new version (the worker cannot: its URL names its version). */
async function staleOrOffline() {
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'booktax-stale' });
}

/**
 * A file of this version fetched on first use, kept only if its bytes match this version's hash: a
 * server already on a newer version gets no say in an older page's Workers (they fail, and the
 * pages are told, so they register the newer version for the clerk to take, as any update).
 * @param {Cache} cache
 * @param {URL} url
 * @param {string} hash
 * @param {FetchEvent} event
 */
async function fetchLazy(cache, url, hash, event) {
  let response;
  try {
    if (!hash) throw new Error(`${url.pathname}: no hash of this version (offline, or the server on another)`);
    response = await fetchChecked(url.pathname, hash);
  } catch {
    event.waitUntil(staleOrOffline());
    return new Response('此檔案與目前版本不符或無法下載；請重新載入頁面。', {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  // Checked bytes are answered even if keeping them fails (storage full, say).
  event.waitUntil(cache.put(url.pathname, response.clone()).catch(() => {}));
  return response;
}
