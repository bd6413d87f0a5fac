// The service worker's update: a new build installs beside the old one, waits, and replaces it whole when the clerk agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, SITE, TZ, launchBrowser, outsideBusyWindow, startServer, transfers } from './harness.mjs';

const WWW = path.join(REPO_ROOT, 'target', 'sw-update-test', TZ ? TZ.replaceAll('/', '_') : 'default');


/** Opens the page, waits for its service worker, and reloads so that the worker controls it. */
async function openControlled(page, url) {
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
}

/** The paths in the page's current shell cache. */
function shellCached(page) {
  return page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names.find((n) => n.startsWith('booktax-shell-')) ?? '');
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
}

/**
 * A deploy into `www` as `version`: the sync Worker's script gets other bytes, and the manifest, the lazy
 * files' hashes (with that script's new one) and the version file name the new version.
 */
async function deployEditedWorker(www, version) {
  const worker = path.join(www, 'sync-worker.js');
  const edited = `${await readFile(worker, 'utf8')}\n// ${version}\n`;
  await writeFile(worker, edited);
  const manifestFile = path.join(www, 'pkg', 'shell-manifest.json');
  await writeFile(manifestFile, JSON.stringify({ ...JSON.parse(await readFile(manifestFile, 'utf8')), version }));
  const lazyFile = path.join(www, 'pkg', 'shell-lazy.json');
  const lazy = JSON.parse(await readFile(lazyFile, 'utf8'));
  assert.ok(lazy.integrity['sync-worker.js'], 'the lazy files\' hashes are apart');
  lazy.version = version;
  lazy.integrity['sync-worker.js'] = `sha256-${createHash('sha256').update(edited).digest('base64')}`;
  await writeFile(lazyFile, JSON.stringify(lazy));
  await writeFile(path.join(www, 'pkg', 'shell-version.txt'), `${version}\n`);
}

test('a new version waits while the page runs the old one, then replaces every file at once', async () => {
  await rm(WWW, { recursive: true, force: true });
  await cp(SITE, WWW, { recursive: true });
  // dom.js at a whole second, so that the new build below can give it back exactly the same time.
  const domFile = path.join(WWW, 'dom.js');
  const domTime = Math.floor(Date.now() / 1000) - 60;
  await utimes(domFile, domTime, domTime);
  const server = await startServer([], { www: WWW });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext(TZ ? { timezoneId: TZ } : {});
    const page = await context.newPage();
    await openControlled(page, server.url);
    const v1 = JSON.parse(await readFile(path.join(WWW, 'pkg', 'shell-manifest.json'), 'utf8')).version;
    assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)));
    // A lazy file used under this version (as a till with the mirror on uses booktax.js): the worker keeps it.
    assert.equal(await page.evaluate(async () => (await fetch('daily.js')).status), 200);
    assert.ok((await shellCached(page)).includes('/daily.js'), 'a lazy file is cached on first use');

    // A new build: the page's module and the manifest change (a real build hashes the files). The module keeps
    // its size and modification time, as a deploy that sets every file's time can leave it: its validators do
    // not change, so the worker's revalidation gets a 304 for the old bytes, which the manifest's hash refuses.
    const old = await readFile(domFile, 'utf8');
    // A string the minifier keeps (the site's dom.js has no comments left).
    const edited = old.replace('is missing or not a', 'build 2 ###########');
    assert.ok(edited.includes('build 2'), 'dom.js edited');
    assert.equal(Buffer.byteLength(edited), Buffer.byteLength(old), 'the edit keeps the size');
    await writeFile(domFile, edited);
    await utimes(domFile, domTime, domTime);
    const manifest = JSON.parse(await readFile(path.join(WWW, 'pkg', 'shell-manifest.json'), 'utf8'));
    manifest.version = 'test-build-2';
    manifest.integrity['dom.js'] = `sha256-${createHash('sha256').update(edited).digest('base64')}`;
    await writeFile(path.join(WWW, 'pkg', 'shell-manifest.json'), JSON.stringify(manifest));
    // The lazy files' hashes carry the version too (the install asks for them: a lazy file was used).
    const lazyFile = path.join(WWW, 'pkg', 'shell-lazy.json');
    await writeFile(lazyFile, JSON.stringify({ ...JSON.parse(await readFile(lazyFile, 'utf8')), version: manifest.version }));
    await writeFile(path.join(WWW, 'pkg', 'shell-version.txt'), `${manifest.version}\n`);

    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    await page.waitForSelector('#update-banner:not([hidden])', { timeout: 30000 });
    // Still the old version, whole: the open page gets the old files.
    const before = await page.evaluate(async () => (await (await fetch('dom.js')).text()).includes('build 2'));
    assert.equal(before, false, 'the old version serves the old file until the update is taken');

    await Promise.all([
      page.waitForEvent('load'),
      page.locator('#update-now').click(),
    ]);
    await page.waitForSelector('html[data-ready="true"]');
    const after = await page.evaluate(async () => ({
      file: (await (await fetch('dom.js')).text()).includes('build 2'),
      script: navigator.serviceWorker.controller?.scriptURL ?? '',
      caches: await caches.keys(),
    }));
    assert.equal(after.file, true, 'the new version serves the new file');
    assert.match(after.script, /sw\.js\?v=test-build-2$/);
    assert.deepEqual(after.caches.filter((c) => c.startsWith('booktax-shell-')), ['booktax-shell-test-build-2'], `old cache ${v1} removed`);
    // The new version's install took the lazy file used under the old one, and only that one: a till that
    // opens offline after the update still has what it used (with the mirror on, the module that reads it).
    const cachedAfter = await shellCached(page);
    assert.ok(cachedAfter.includes('/daily.js'), 'the lazy file used before is cached by the new version');
    assert.ok(!cachedAfter.includes('/batch.js'), 'a lazy file never used is still left for its first use');
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a first visit downloads each file once: the worker takes what the page loaded from the HTTP cache, and caches the page', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext(TZ ? { timezoneId: TZ } : {});
    const sent = transfers(context);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cached = await shellCached(page);
    // Every size read before the context goes (a closed target cannot answer).
    const requests = await sent.read();
    await context.close();
    const byPage = new Set(requests.filter((r) => !r.worker && r.body > 0).map((r) => r.name));
    // The version is asked afresh by both (a 16-byte file); the manifest, 1.6 KB of hashes, by the worker alone, once.
    const again = requests.filter((r) => r.worker && byPage.has(r.name) && !r.name.endsWith('shell-version.txt'));
    assert.deepEqual(requests.filter((r) => r.name.endsWith('shell-manifest.json')).map((r) => r.worker), [true]);
    // The lazy files' hashes are asked for once one of them is needed: not on a first visit.
    assert.deepEqual(requests.filter((r) => r.name.endsWith('shell-lazy.json')), []);
    assert.ok(again.length >= 10, `the worker asked for the page's files (${again.map((r) => r.name)})`);
    for (const r of again) assert.equal(r.sent, 0, `${r.name} came twice (${r.sent} bytes)`);
    for (const file of ['/', '/app.js', '/pkg/booktax-page_bg.wasm', '/sale.js', '/sale-export.js']) {
      assert.ok(cached.includes(file), `${file} cached for offline use`);
    }
    // The Workers' part (their scripts and the full wasm, which reads the mirror), and the panels a scan
    // never needs (batch pricing, the daily list, the sync's hold), are left for their first use.
    for (const file of ['/sync-worker.js', '/batch-worker.js', '/pkg/booktax.js', '/pkg/booktax_bg.wasm', '/batch.js', '/daily.js', '/sync-hold.js', '/mirror-panel.js']) {
      assert.ok(!cached.includes(file), `${file} not cached before it is used`);
      assert.ok(!requests.some((r) => r.name === file), `${file} not downloaded on a first visit`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("a Worker's script the HTTP cache holds without the policy (asked for as a module) is kept with it", async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext(TZ ? { timezoneId: TZ } : {});
    // On the first visit, before any service worker controls the page: asked for as a script, the
    // Worker's script comes without the policy, and the HTTP cache keeps that copy.
    await context.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
      const link = document.createElement('link');
      link.rel = 'preload';
      link.as = 'script';
      link.href = 'batch-worker.js';
      document.head.append(link);
    }));
    const page = await context.newPage();
    const preloaded = page.waitForResponse((r) => r.url().endsWith('/batch-worker.js'));
    await page.goto(server.url);
    const first = await preloaded;
    assert.equal(first.headers()['content-security-policy'], undefined, 'asked for as a script: no policy');
    assert.equal(first.request().serviceWorker(), null);
    await page.waitForSelector('html[data-ready="true"]');
    await page.evaluate(() => navigator.serviceWorker.ready);
    // The service worker then keeps it for the Worker, with the policy a Worker reads.
    await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.postMessage('cache-workers'));
    const policy = await page.evaluate(async () => {
      for (let tries = 0; tries < 150; tries++) {
        const names = await caches.keys();
        const cache = await caches.open(names.find((n) => n.startsWith('booktax-shell-')) ?? '');
        const kept = await cache.match('batch-worker.js');
        if (kept) return `${kept.headers.get('content-security-policy') ?? 'none'}; referrer ${kept.headers.get('referrer-policy')}`;
        await new Promise((r) => setTimeout(r, 200));
      }
      return 'not cached after 30 s';
    });
    assert.match(policy, /script-src 'self'.*; referrer no-referrer$/);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("the Workers' files are cached on their first use, and only with this version's bytes", async () => {
  const www = `${WWW}-lazy`;
  await rm(www, { recursive: true, force: true });
  await cp(SITE, www, { recursive: true });
  const server = await startServer([], { www });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ acceptDownloads: true, ...(TZ ? { timezoneId: TZ } : {}) });
    const page = await context.newPage();
    await openControlled(page, server.url);
    const cachedNow = () => shellCached(page);
    assert.ok(!(await cachedNow()).includes('/pkg/booktax_bg.wasm'));

    // A batch runs in its Worker on the full wasm: both come through the service worker, which keeps them.
    await page.locator('#batch').evaluate((d) => { d.open = true; });
    await page.locator('#batch-text').fill('abc\n');
    await page.locator('#batch-run').click();
    await page.waitForFunction(() => /完成：1 行/.test(document.getElementById('batch-status')?.textContent ?? ''));
    const cached = await cachedNow();
    for (const file of ['/batch-worker.js', '/pkg/booktax.js', '/pkg/booktax_bg.wasm']) {
      assert.ok(cached.includes(file), `${file} cached once used (${cached})`);
    }

    // A deploy while the page is open: the server now has other bytes for a file this version has not
    // cached yet. Refused, not kept; and the page is told, registers the new version and offers it.
    await deployEditedWorker(www, 'test-build-3');
    const status = await page.evaluate(async () => (await fetch('sync-worker.js?x=1')).status);
    assert.equal(status, 503, "a file whose bytes are not this version's is refused, whatever its query");
    assert.ok(!(await cachedNow()).includes('/sync-worker.js'), 'and not cached');
    await page.waitForSelector('#update-banner:not([hidden])', { timeout: 30000 });
    assert.equal(await page.evaluate(async () => (await fetch('__booktax-lazy.json')).status), 404, "the worker's own note is not served");
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("a lazy file is refused, not served unchecked, when the server no longer has this version's hashes for it", async () => {
  const www = `${WWW}-hashes`;
  await rm(www, { recursive: true, force: true });
  await cp(SITE, www, { recursive: true });
  const server = await startServer([], { www });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext(TZ ? { timezoneId: TZ } : {});
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    await page.evaluate(() => navigator.serviceWorker.ready);
    // A deploy before this version ever asked for its lazy files' hashes: the server has the next
    // version's, with other bytes for a Worker's script.
    await deployEditedWorker(www, 'test-build-4');

    // The page, now controlled by the first version, opens from its cache; the Worker's script is asked for.
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), 'controlled by the first version');
    const status = await page.evaluate(async () => (await fetch('sync-worker.js')).status);
    assert.equal(status, 503, 'no hash of this version: refused');
    assert.ok(!(await shellCached(page)).includes('/sync-worker.js'), 'and not cached');
    await page.waitForSelector('#update-banner:not([hidden])', { timeout: 30000 });
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('with the offline mirror on, the Workers are cached after a sync, and a batch from the mirror runs offline', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    await outsideBusyWindow(server.url);
    const context = await browser.newContext({ acceptDownloads: true, ...(TZ ? { timezoneId: TZ } : {}) });
    await context.addInitScript(() => localStorage.setItem('booktax.mirror', '1'));
    const page = await context.newPage();
    await openControlled(page, server.url);
    await page.waitForFunction(() => /同步完成|已是最新/.test(document.getElementById('mirror-message')?.textContent ?? ''), null, { timeout: 120000 });
    let cached = await shellCached(page);
    const workers = ['/batch-worker.js', '/sync-worker.js', '/pkg/booktax.js', '/pkg/booktax_bg.wasm'];
    for (let tries = 0; !workers.every((f) => cached.includes(f)); tries++) {
      assert.ok(tries < 120, `the Workers' files cached once the mirror is on (${cached})`);
      await page.waitForTimeout(250);
      cached = await shellCached(page);
    }

    await context.setOffline(true);
    await page.locator('#batch').evaluate((d) => { d.open = true; });
    await page.locator('#batch-text').fill('9789576780004\nabc\n');
    await page.locator('#batch-run').click();
    await page.waitForFunction(() => /完成：2 行|無法/.test(document.getElementById('batch-status')?.textContent ?? ''), null, { timeout: 60000 });
    assert.match(await page.locator('#batch-status').textContent(), /完成：2 行/);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});
