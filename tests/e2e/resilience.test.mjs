// E2E: hostile record text stays text, settings, no request to another host, and the service stopping mid-session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSuite, openSuite, openPage, startServer, adminPost, adminHits, lookup, waitVerdict, screenshot, LOOK, TZ } from './harness.mjs';

let server;
let browser;
let page;
let requests;
let errors;
let fx;

before(async () => ({ server, fx, browser, page, requests, errors } = await openSuite()));
after(() => closeSuite({ browser, server }));

test('hostile record: shown as literal text, no script runs, no element created from it', async () => {
  const s = await lookup(page, fx.hostile);
  assert.equal(s.fields.title, '<img src=x onerror="window.__xss=1">');
  assert.equal(s.fields.publisher, '<script>window.__xss=2</script>');
  assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined');
  assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
  assert.equal(await page.evaluate(() => document.querySelectorAll('body script, #details *[onerror]').length), 0);
  await screenshot(page, 'hostile');
});

test('settings: a wrong appid gives unknown (never exempt), saved across reloads; reset restores', async () => {
  await page.click('#settings summary');
  assert.equal(await page.getAttribute('#appid', 'type'), 'password');
  await page.fill('#appid', 'wrong-appid');
  await page.click('#settings-save');
  let s = await lookup(page, fx.spec_example);
  assert.equal(s.verdict, 'unknown', s.text);
  assert.notEqual(s.background, LOOK.exempt.background);
  assert.match(s.text, /請以應稅處理並至認可公告頁面確認/);
  await screenshot(page, 'wrong_appid');

  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('#policy:not([data-state="loading"])');
  assert.equal(await page.inputValue('#appid'), 'wrong-appid', 'settings kept in localStorage');
  assert.equal(await page.getAttribute('#policy', 'data-state'), 'unknown');
  assert.ok(!(await page.evaluate(() => document.body.innerText)).includes('wrong-appid'), 'appid never shown as text');

  await page.click('#settings summary');
  await page.click('#settings-reset');
  await page.waitForSelector('#policy[data-state="ok"]');
  s = await lookup(page, fx.spec_example);
  assert.equal(s.verdict, 'exempt', s.text);
  assert.equal(await page.evaluate(() => localStorage.getItem('booktax.settings')), null);
});

test('daily section works and the page requested nothing from any other host', async () => {
  await page.click('#daily summary');
  await page.waitForFunction(() => {
    const r = document.getElementById('daily-result');
    return r.dataset.state && r.dataset.state !== 'loading';
  });
  await lookup(page, fx.ean_spec);
  const origin = new URL(server.url).origin;
  assert.ok(requests.length >= 5, `requests seen: ${requests.length}`);
  const foreign = requests.filter((u) => new URL(u).origin !== origin);
  assert.deepEqual(foreign, []);
  assert.ok(requests.some((u) => u.endsWith('/pkg/booktax-page_bg.wasm')), 'wasm loaded from the page origin');
  assert.deepEqual(errors.map(String), [], 'no uncaught page errors');
});

test('a static deploy without booktax-config.json: own origin, no appid, the service refuses: unknown, never exempt', async () => {
  const context = await browser.newContext({ locale: 'zh-TW', ...(TZ ? { timezoneId: TZ } : {}) });
  await context.route('**/booktax-config.json', (route) => route.fulfill({ status: 404, body: '' }));
  const bare = await context.newPage();
  await bare.goto(server.url);
  await bare.waitForSelector('html[data-ready="true"]');
  await bare.waitForSelector('#policy:not([data-state="loading"])');
  assert.equal(await bare.isHidden('#sample-banner'), true, 'no sample banner without the config');
  assert.equal(await bare.getAttribute('#policy', 'data-state'), 'unknown');
  const s = await lookup(bare, fx.spec_example);
  assert.equal(s.verdict, 'unknown', s.text);
  assert.equal(s.word, LOOK.unknown.word);
  assert.match(s.text, /appid/, 'the service\'s own message is shown');
  assert.match(s.text, /請以應稅處理並至認可公告頁面確認/);
  await screenshot(bare, 'static_deploy_no_config');
  await context.close();
});

test('a deploy that lost the modules loaded after the start: scans still decide and join the sale, an export says it cannot', async () => {
  const context = await browser.newContext({ locale: 'zh-TW', ...(TZ ? { timezoneId: TZ } : {}) });
  await context.route(/\/(sale-export|sync-hold)\.js$/, (route) => route.fulfill({ status: 404, body: '' }));
  const till = await context.newPage();
  const errors = [];
  till.on('pageerror', (e) => errors.push(e));
  await till.goto(server.url);
  await till.waitForSelector('html[data-ready="true"]');
  const s = await lookup(till, fx.spec_example);
  assert.equal(s.verdict, 'exempt', s.text);
  assert.equal(await till.locator('#sale-lines tr').count(), 1, 'the scan joined the sale');
  await till.locator('#sale-csv').click();
  await till.waitForFunction(() => /無法匯出/.test(document.getElementById('sale-status')?.textContent ?? ''));
  assert.equal(await till.locator('#sale-lines tr').count(), 1, 'the sale is kept');
  // The batch panel, once opened, imports the same module: it says it cannot load, and its button stays off.
  await till.locator('#batch').evaluate((d) => { d.open = true; });
  await till.waitForFunction(() => /無法載入整批查詢/.test(document.getElementById('batch-status')?.textContent ?? ''));
  assert.ok(await till.locator('#batch-run').isDisabled(), 'the batch cannot be sent');
  assert.deepEqual(errors.map(String), [], 'no uncaught page errors');
  await context.close();
});

test('a quick second scan takes the screen; the first still completes (its retry too) and both join the sale', async () => {
  // Every answer for this appid is a 503 asking for a 1 s wait; the page retries once.
  await adminPost(server.url, 'faults', { appid: 't-abort-page', fail_status: 503, fail_count: 100000, retry_after: '1' });
  const { context, page: till } = await openPage(browser, server.url, { waitPolicy: false });
  await till.evaluate(() => localStorage.setItem('booktax.settings', JSON.stringify({ baseUrl: '', appid: 't-abort-page' })));
  await till.reload();
  await till.waitForSelector('html[data-ready="true"]');
  await till.waitForSelector('#policy[data-state="unknown"]');
  const before = await adminHits(server.url, 't-abort-page');
  const input = till.locator('#code');
  await input.fill(fx.spec_example);
  await input.press('Enter');
  await till.waitForTimeout(200);
  await input.fill(fx.ean_spec);
  await input.press('Enter');
  const s = await waitVerdict(till);
  assert.equal(s.verdict, 'unknown', s.text);
  assert.equal(s.code, fx.ean_spec, 'the verdict is the second scan\'s');
  // Each scanned item is in the sale (a stack is never cut short), each unknown: the service failed.
  await till.waitForFunction(() => document.querySelectorAll('#sale-lines tr').length === 2, null, { timeout: 10000 });
  assert.deepEqual(await till.evaluate(() => [...document.querySelectorAll('#sale-lines tr')].map((tr) => tr.dataset.verdict)), ['unknown', 'unknown']);
  assert.equal(await adminHits(server.url, 't-abort-page') - before, 4, 'each scan: 1 request and its retry');
  await context.close();
});

test('an option changed while a scan is still being looked up re-runs that scan, not the one before', async () => {
  // Every answer for this appid takes 1.5 s.
  await adminPost(server.url, 'faults', { appid: 't-slow-page', latency_ms: 1500 });
  const { context, page: till } = await openPage(browser, server.url, { waitPolicy: false });
  await till.evaluate(() => localStorage.setItem('booktax.settings', JSON.stringify({ baseUrl: '', appid: 't-slow-page' })));
  await till.reload();
  await till.waitForSelector('html[data-ready="true"]');
  await till.waitForSelector('#policy:not([data-state="loading"])');
  let s = await lookup(till, fx.spec_example);
  assert.equal(s.code, fx.spec_example);
  // Scan B, and switch to e-book while B is still being asked.
  const input = till.locator('#code');
  await input.fill(fx.ean_spec);
  await input.press('Enter');
  await till.waitForTimeout(200);
  await till.check('input[name="format"][value="ebook"]');
  s = await waitVerdict(till);
  assert.equal(s.code, fx.ean_spec, `the verdict shown is for the code on screen: ${s.text}`);
  await context.close();
});

test('a base URL that answers 404 to everything: unknown, never 「不在清單中」', async () => {
  const { context, page: till } = await openPage(browser, server.url, { waitPolicy: false });
  await till.evaluate((base) => localStorage.setItem('booktax.settings', JSON.stringify({ baseUrl: `${base}/no-such-service`, appid: 'booktax-sample' })), server.url);
  await till.reload();
  await till.waitForSelector('html[data-ready="true"]');
  await till.waitForSelector('#policy[data-state="unknown"]');
  const s = await lookup(till, fx.spec_example);
  assert.equal(s.verdict, 'unknown', s.text);
  assert.equal(s.reason, 'lookup_failed');
  assert.doesNotMatch(s.text, /不在文化部認可公告清單中/);
  assert.match(s.text, /公告 API/);
  assert.match(s.text, /請以應稅處理並至認可公告頁面確認/);
  await screenshot(till, 'base_url_404_everything');
  await context.close();
});

test('--connect-src lets the page ask a store\'s own service on another origin; without it the CSP blocks it', async () => {
  const other = await startServer();
  try {
    for (const [args, verdict] of [[['--connect-src', other.url], 'exempt'], [[], 'unknown']]) {
      const pageServer = await startServer(args);
      try {
        const { context, page: till } = await openPage(browser, pageServer.url, { waitPolicy: false });
        await till.evaluate((base) => localStorage.setItem('booktax.settings', JSON.stringify({ baseUrl: base, appid: 'booktax-sample' })), other.url);
        await till.reload();
        await till.waitForSelector('html[data-ready="true"]');
        const s = await lookup(till, fx.spec_example);
        assert.equal(s.verdict, verdict, `${args.join(' ')}: ${s.text}`);
        await context.close();
      } finally {
        await pageServer.stop();
      }
    }
  } finally {
    await other.stop();
  }
});

test('a page from another origin cannot use the admin endpoints', async () => {
  const other = await startServer();
  try {
    const { context, page: foreign } = await openPage(browser, other.url, { waitPolicy: false });
    const outcome = await foreign.evaluate(async (target) => {
      const tries = [];
      const attempts = [
        ['GET', '/__admin/fixtures', undefined, {}],
        ['POST', '/__admin/clock', '{"now":"2020-01-01T00:00:00+08:00"}', { 'content-type': 'text/plain' }],
        ['POST', '/__admin/clock', '{"now":"2020-01-01T00:00:00+08:00"}', { 'content-type': 'application/json' }],
      ];
      for (const [method, path, body, headers] of attempts) {
        try {
          const res = await fetch(`${target}${path}`, { method, body, headers });
          tries.push(`${method} ${path}: read ${res.status} ${await res.text()}`);
        } catch {
          tries.push(`${method} ${path}: blocked`);
        }
      }
      return tries;
    }, server.url);
    await context.close();
    for (const t of outcome) assert.match(t, /blocked$/, t);
    // Nothing reached the admin: the service's clock is untouched.
    const res = await fetch(`${server.url}/v1/announcement/policy_expiry_date?appid=booktax-sample`);
    assert.ok(Math.abs(Date.parse(res.headers.get('date')) - Date.now()) < 60_000, 'the service clock is untouched');
  } finally {
    await other.stop();
  }
});

test('service stopped mid-session: unknown with a clear message, never exempt', async () => {
  let s = await lookup(page, fx.spec_example);
  assert.equal(s.verdict, 'exempt');
  await server.stop();
  for (const code of [fx.spec_example, fx.ean_spec]) {
    s = await lookup(page, code);
    assert.equal(s.verdict, 'unknown', s.text);
    assert.equal(s.reason, 'lookup_failed');
    assert.equal(s.word, LOOK.unknown.word);
    assert.equal(s.background, LOOK.unknown.background);
    assert.match(s.text, /無法連線/);
    assert.match(s.text, /請以應稅處理並至認可公告頁面確認/);
    assert.deepEqual(s.fields, {}, 'no stale record details');
  }
  await screenshot(page, 'service_stopped');
  // The daily section says it could not load, rather than "no announcements".
  await page.click('#daily-button');
  await page.waitForSelector('#daily-result[data-state="error"]');
  assert.match(await page.textContent('#daily-result'), /無法取得公告/);
});
