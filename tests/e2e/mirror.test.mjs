// The offline mirror in the page: sync in a Worker, answers with the service stopped, offline start, the busy window, one tab at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSuite, closeSuite, adminPost, outsideBusyWindow, taipeiDay, screenshot, TZ } from './harness.mjs';

let suite;
before(async () => {
  suite = await openSuite({ page: false });
  await outsideBusyWindow(suite.server.url);
});
after(async () => closeSuite(suite ?? {}));

// A context whose pages start with the mirror turned on; `requests` collects every URL.
async function openMirrorContext() {
  const options = { viewport: { width: 1000, height: 1100 }, locale: 'zh-TW' };
  if (TZ) options.timezoneId = TZ;
  const context = await suite.browser.newContext(options);
  await context.addInitScript(() => localStorage.setItem('booktax.mirror', '1'));
  const requests = [];
  context.on('request', (req) => requests.push(req.url()));
  return { context, requests };
}

async function openLookup(context, path = '/') {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(suite.server.url + path);
  await page.waitForSelector('html[data-ready="true"]');
  await page.locator('#mirror').evaluate((d) => { d.open = true; });
  return { page, errors };
}

const message = (page) => page.locator('#mirror-message').textContent();

async function syncNow(page) {
  await page.locator('#mirror-sync').click();
  await page.waitForFunction(() => /同步完成|已是最新|中斷|另一個分頁/.test(document.getElementById('mirror-message').textContent), null, { timeout: 120000 });
  return message(page);
}

async function scan(page, code) {
  await page.locator('#code').fill(code);
  await page.locator('#code').press('Enter');
  await page.waitForFunction((c) => {
    const v = document.getElementById('verdict');
    return v.dataset.code === c && !v.hasAttribute('aria-busy');
  }, code, { timeout: 30000 });
  return page.evaluate(() => {
    const v = document.getElementById('verdict');
    return { verdict: v.dataset.verdict, reason: v.dataset.reason, source: v.dataset.source, text: v.textContent };
  });
}

const dailyRequests = (requests) => requests.filter((u) => /\/v1\/announcement\/\d{8}\?/.test(u));

test('one tab syncs at a time; a scan during the sync gets its verdict while the sync goes on', async () => {
  // Every sample answer takes 40 ms, so the full sync (2,000+ days, 4 at a time) lasts long enough to overlap.
  await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample', latency_ms: 40 });
  const { context } = await openMirrorContext();
  try {
    const first = await openLookup(context);
    const second = await openLookup(context);
    // The first tab's automatic sync is running (its Worker holds the lock): the second stands aside.
    await first.page.waitForFunction(() => /同步中/.test(document.getElementById('mirror-message').textContent));
    assert.match(await syncNow(second.page), /另一個分頁正在同步/);
    const during = await scan(first.page, suite.fx.approved);
    assert.ok(['exempt', 'unknown'].includes(during.verdict), JSON.stringify(during));
    assert.match(await message(first.page), /同步中/, 'the sync was still running when the verdict came');
  } finally {
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample' });
    await context.close();
  }
});

test('the sync is held while the clerk scans, and goes on once the scanning stops', async () => {
  // 40 ms a day: the full sync takes long enough to scan in the middle of it.
  await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample', latency_ms: 40 });
  const { context } = await openMirrorContext();
  /** When each day's list was asked (ms, this process's clock). */
  const dayAsked = [];
  context.on('request', (req) => { if (/\/v1\/announcement\/\d{8}\?/.test(req.url())) dayAsked.push(Date.now()); });
  try {
    const { page } = await openLookup(context);
    await page.waitForFunction(() => /同步中/.test(document.getElementById('mirror-message').textContent));
    await assert.doesNotReject(waitFor(() => dayAsked.length > 20), 'the sync asks for days');
    // Scanning for three seconds: the days in flight when it starts come in, then no day is asked
    // (counted from the first verdict on: the sync heard of the scan before it was answered).
    await scan(page, suite.fx.revoked);
    const held = Date.now();
    let scans = 1;
    let longestGap = 0;
    while (Date.now() - held < 3000) {
      const before = Date.now();
      await scan(page, scans % 2 ? suite.fx.approved : suite.fx.revoked);
      longestGap = Math.max(longestGap, Date.now() - before);
      scans += 1;
    }
    const scanningEnded = Date.now();
    const askedWhileScanning = dayAsked.filter((t) => t > held && t <= scanningEnded).length;
    assert.equal(askedWhileScanning, 0, `days asked while ${scans} scans were made (the longest took ${longestGap} ms; the hold lets go after 1.5 s without one)`);
    assert.match(await message(page), /同步中/, 'held, not ended');
    // Quiet again: the sync goes on by itself.
    await assert.doesNotReject(waitFor(() => dayAsked.some((t) => t > scanningEnded)), 'the sync goes on after the scans');
    // 停止同步 while the scans hold it: the sync stops at once, not when the scanning ends.
    await scan(page, suite.fx.approved);
    await page.locator('#mirror-stop').click();
    const stopped = () => page.evaluate(() => /已停止同步/.test(document.getElementById('mirror-message').textContent));
    let scansAfterStop = 0;
    while (!(await stopped()) && scansAfterStop < 40) {
      await scan(page, scansAfterStop % 2 ? suite.fx.approved : suite.fx.revoked);
      scansAfterStop += 1;
    }
    assert.ok(await stopped(), `still syncing after ${scansAfterStop} more scans: ${await message(page)}`);
  } finally {
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample' });
    await context.close();
  }
});

/** Resolves once `check()` holds, polling; rejects after 20 s. */
async function waitFor(check) {
  for (let waited = 0; waited < 20000; waited += 50) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('not within 20 s');
}

test('automatic sync waits out 21:30–24:00; 立即同步 runs then, and takes tomorrow\'s list too', async () => {
  const today = taipeiDay(0);
  await adminPost(suite.server.url, 'clock', { now: `${today}T21:45:00+08:00` });
  const { context, requests } = await openMirrorContext();
  try {
    const { page } = await openLookup(context);
    await page.waitForFunction(() => /21:30 至 24:00 不自動同步/.test(document.getElementById('mirror-message').textContent));
    assert.equal(dailyRequests(requests).length, 0, 'no announcement asked automatically');
    assert.match(await syncNow(page), /同步完成/);
    const tomorrow = taipeiDay(1);
    await page.waitForFunction((d) => document.getElementById('mirror-status').textContent.includes(`資料更新至 ${d}`), tomorrow);
    assert.ok(requests.some((u) => u.includes(`/v1/announcement/${tomorrow.replaceAll('-', '')}?`)), 'tomorrow\'s list was asked');
  } finally {
    await outsideBusyWindow(suite.server.url);
    await context.close();
  }
});

test('the historical list imports from the page, rows rejected by line; a layout it cannot map imports nothing', async () => {
  const { context } = await openMirrorContext();
  try {
    const { page } = await openLookup(context);
    await page.waitForFunction(() => !document.getElementById('mirror-import').disabled);
    const csv = '書名,ISBN,認可生效日\n讀者指引,9789576780004,2021/1/31\n壞列,123,2021/1/31\n';
    await page.locator('#mirror-import').setInputFiles({ name: 'history.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${csv}`) });
    await page.waitForFunction(() => /已匯入|未匯入任何資料/.test(document.getElementById('mirror-import-result').textContent));
    const result = await page.locator('#mirror-import-result').textContent();
    assert.match(result, /已匯入 1 筆；1 列未匯入/);
    assert.match(result, /第 3 列：/);
    await page.locator('#mirror-import').setInputFiles({ name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from('品項,價格\n書,100\n') });
    await page.waitForFunction(() => /未匯入任何資料/.test(document.getElementById('mirror-import-result').textContent));
    assert.match(await page.locator('#mirror-import-result').textContent(), /無法對應檔案的欄位/);
  } finally {
    await context.close();
  }
});

test('a mirror kept by an earlier version of the rules starts afresh: none of its records answers', async () => {
  const { context } = await openMirrorContext();
  try {
    // Version 1's database, as an earlier release left it: an unlisted code stored as approved, applied through today.
    const setup = await context.newPage();
    await setup.goto(`${suite.server.url}/booktax-config.json`);
    await setup.evaluate(async (today) => {
      await new Promise((resolve, reject) => {
        const open = indexedDB.open('booktax', 1);
        open.onupgradeneeded = () => { for (const s of ['isbns', 'eans', 'meta']) open.result.createObjectStore(s); };
        open.onsuccess = () => {
          const tx = open.result.transaction(['isbns', 'meta'], 'readwrite');
          tx.objectStore('isbns').put(['9789869999991', null, null, '舊版資料', null, '實體', null, '0', 'approved', '20210301', null], '9789869999991');
          tx.objectStore('meta').put({ appliedThrough: today, policyExpiryDate: '20310228' }, 'state');
          tx.oncomplete = () => { open.result.close(); resolve(); };
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      });
    }, taipeiDay(0).replaceAll('-', ''));
    await setup.close();
    const { page } = await openLookup(context);
    await page.waitForFunction(() => /同步完成|已是最新|中斷/.test(document.getElementById('mirror-message').textContent), null, { timeout: 120000 });
    assert.match(await message(page), /同步完成：套用 \d+ 天/, 'synced again from the first day');
    // From the mirror alone (no live confirmation): the old record is gone.
    const fromMirror = await page.evaluate(async () => {
      const w = await import('./pkg/booktax.js');
      await w.default();
      const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample', mirror: true });
      const r = await client.lookup('9789869999991');
      return [r.source, r.decision.verdict, r.decision.reason];
    });
    assert.deepEqual(fromMirror, ['mirror', 'taxable', 'not_listed']);
  } finally {
    await context.close();
  }
});

test('the mirror is read by booktax.js alone: a page without it does not ask for that module to scan, and turning the mirror on loads it', async () => {
  const options = { viewport: { width: 1000, height: 1100 }, locale: 'zh-TW' };
  if (TZ) options.timezoneId = TZ;
  const context = await suite.browser.newContext(options);
  const requests = [];
  context.on('request', (req) => requests.push(new URL(req.url()).pathname));
  try {
    const { page, errors } = await openLookup(context);
    assert.equal((await scan(page, suite.fx.approved)).source, 'live');
    await page.evaluate(() => navigator.serviceWorker.ready);
    assert.ok(requests.includes('/pkg/booktax-page_bg.wasm'), 'the page\'s own wasm');
    assert.deepEqual(requests.filter((u) => u.startsWith('/pkg/booktax.') || u.startsWith('/pkg/booktax_bg')), [], 'nothing of the package\'s build without the mirror');
    assert.equal(await page.locator('#mirror-status').getAttribute('data-freshness'), 'off');

    await page.locator('#mirror-enabled').check();
    await page.waitForFunction(() => /同步完成|已是最新/.test(document.getElementById('mirror-message').textContent), null, { timeout: 120000 });
    await page.waitForFunction(() => /資料更新至/.test(document.getElementById('mirror-status').textContent));
    assert.ok(requests.includes('/pkg/booktax_bg.wasm'), 'the package\'s wasm, which reads the mirror');
    // The mirror answers first: the service, slowed, confirms after.
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample', latency_ms: 1500 });
    try {
      const fromMirror = await scan(page, suite.fx.revoked);
      assert.deepEqual([fromMirror.verdict, fromMirror.source], ['taxable', 'mirror']);
    } finally {
      await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample' });
    }
    assert.deepEqual(errors.map(String), []);
  } finally {
    await context.close();
  }
});

test('with the mirror on and its module not loading, the page looks up live and the panel says why', async () => {
  const { context } = await openMirrorContext();
  await context.route('**/pkg/booktax_bg.wasm', (route) => route.fulfill({ status: 404, body: '' }));
  try {
    const { page, errors } = await openLookup(context);
    const live = await scan(page, suite.fx.approved);
    assert.deepEqual([live.verdict, live.source], ['exempt', 'live']);
    await page.waitForFunction(() => /無法載入離線查詢程式/.test(document.getElementById('mirror-status').textContent));
    assert.equal(await page.locator('#mirror-status').getAttribute('data-freshness'), 'error');
    assert.deepEqual(errors.map(String), []);
  } finally {
    await context.close();
  }
});

test('a synced mirror answers with the service stopped, says how fresh it is, and the page reopens offline', async () => {
  const { context, requests } = await openMirrorContext();
  try {
    const { page, errors } = await openLookup(context);
    await page.waitForFunction(() => /同步完成|已是最新/.test(document.getElementById('mirror-message').textContent), null, { timeout: 120000 });
    await page.waitForFunction(() => /資料更新至/.test(document.getElementById('mirror-status').textContent));
    const today = taipeiDay(0);
    assert.match(await page.locator('#mirror-status').textContent(), new RegExp(`資料更新至 ${today}`));
    assert.ok(dailyRequests(requests).length > 2000, `a full sync: ${dailyRequests(requests).length} days asked`);
    // The service worker controls the page once it is installed and the page reloads.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), 'controlled by the service worker');

    // The element in mirror mode: the mirror answers, then the live service confirms.
    const embed = await context.newPage();
    await embed.goto(`${suite.server.url}/embed.html`);
    await embed.waitForSelector('html[data-ready="true"]');
    const sources = await embed.evaluate(async (code) => {
      const el = document.getElementById('item1');
      el.mode = 'mirror';
      const seen = [];
      const both = new Promise((resolve) => el.addEventListener('booktax-decision', (e) => {
        seen.push([e.detail.source, e.detail.decision.verdict, e.detail.appliedThrough]);
        if (seen.length === 2) resolve(seen);
      }));
      await el.lookup(code);
      return both;
    }, suite.fx.approved);
    const through = today.replaceAll('-', '');
    assert.deepEqual(sources, [['mirror', 'exempt', through], ['live', 'exempt', null]]);

    // The live confirmation of a mirror answer comes back after the clerk changed the terms (電子書,
    // which this book's approval does not cover): the line is decided at the page's terms, not the scan's.
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample', latency_ms: 1500 });
    const confirmation = page.waitForResponse((r) => r.url().includes(`/isbn/${suite.fx.approved}`));
    assert.equal((await scan(page, suite.fx.approved)).source, 'mirror');
    await page.locator('input[name="format"][value="ebook"]').check();
    await confirmation;
    // The sale holds the live answer once the confirmation is in (the line is drawn in the same task).
    await page.waitForFunction((c) => JSON.parse(localStorage.getItem('booktax.sale') ?? '{}').lines?.find((l) => l.code === c)?.result.source === 'live', suite.fx.approved);
    const line = () => page.locator(`#sale-lines tr[data-code="${suite.fx.approved}"]`).getAttribute('data-verdict');
    assert.equal(await line(), 'taxable', 'the confirmation, asked as 實體書, is decided again as 電子書');
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample' });
    await page.locator('input[name="format"][value="physical"]').check();
    await page.waitForFunction((c) => document.querySelector(`#sale-lines tr[data-code="${c}"]`)?.dataset.verdict === 'exempt', suite.fx.approved);

    await suite.server.stop();
    const offlineElement = await embed.evaluate((code) => document.getElementById('item1').lookup(code).then((r) => [r.source, r.decision.verdict]), suite.fx.revoked);
    assert.deepEqual(offlineElement, ['mirror', 'taxable']);
    const exempt = await scan(page, suite.fx.approved);
    assert.equal(exempt.verdict, 'exempt');
    assert.equal(exempt.source, 'mirror');
    assert.match(exempt.text, new RegExp(`離線資料：資料更新至 ${today}`));
    const revoked = await scan(page, suite.fx.revoked);
    assert.equal(revoked.verdict, 'taxable');
    // A current mirror knows what is not listed.
    const unlisted = await scan(page, '9789999999991');
    assert.deepEqual([unlisted.verdict, unlisted.reason, unlisted.source], ['taxable', 'not_listed', 'mirror']);

    // Offline start: the shell and the wasm come from the service worker's cache.
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    const offline = await scan(page, suite.fx.approved);
    assert.deepEqual([offline.verdict, offline.source], ['exempt', 'mirror']);
    await screenshot(page, 'mirror-offline');
    // The page is cached once, as "./": /index.html opens offline from that same entry.
    await page.goto(new URL('index.html', page.url()).href);
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal((await scan(page, suite.fx.approved)).verdict, 'exempt');

    // A clock behind the mirror's last list (a flat battery): nothing is decided from the mirror on it.
    await page.clock.setFixedTime(Date.now() - 10 * 86400000);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    const wrongClock = await scan(page, suite.fx.approved);
    assert.deepEqual([wrongClock.verdict, wrongClock.source], ['unknown', 'mirror']);
    assert.match(wrongClock.text, /時鐘/);
    await page.locator('#mirror').evaluate((d) => { d.open = true; });
    await page.waitForFunction(() => /時鐘有誤/.test(document.getElementById('mirror-status').textContent));

    // Ten days on with no sync: a book revoked since could read as approved, so the mirror decides nothing.
    await page.clock.setFixedTime(Date.now() + 10 * 86400000);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    const stale = await scan(page, suite.fx.approved);
    assert.deepEqual([stale.verdict, stale.source], ['unknown', 'mirror']);
    assert.match(stale.text, /超過 2 天未同步/);
    await page.locator('#mirror').evaluate((d) => { d.open = true; });
    await page.waitForFunction(() => /超過 2 天未更新/.test(document.getElementById('mirror-status').textContent));
    assert.deepEqual(errors.map(String), []);
  } finally {
    await context.close();
    suite = { ...suite, server: null };
  }
});
