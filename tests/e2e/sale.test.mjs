// The sale (本筆交易): scans become lines, prices typed from the keyboard, totals for the invoice, kept across a reload, re-decided when the checkout time changes, exported as CSV, JSON, text and print.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openSuite, closeSuite, openPage, lookup, screenshot, adminPost, api, TZ } from './harness.mjs';
import { csvCells } from './batch-page.mjs';

let suite;
before(async () => { suite = await openSuite({ page: false }); });
after(async () => closeSuite(suite ?? {}));

/** Types into the code field and presses Enter, as a keyboard-wedge scanner does. */
async function type(page, text) {
  await page.locator('#code').fill(text);
  await page.locator('#code').press('Enter');
}

/** The sale as the screen shows it. */
function screen(page) {
  return page.evaluate(() => ({
    lines: [...document.querySelectorAll('#sale-lines tr')].map((tr) => ({
      code: tr.dataset.code,
      verdict: tr.dataset.verdict,
      changed: tr.dataset.changed === 'true',
      quantity: tr.querySelector('.sale-qty').value,
      price: tr.querySelector('.sale-price').value,
      amount: tr.querySelector('.sale-amount').textContent,
      text: tr.textContent,
    })),
    exempt: document.getElementById('sale-exempt').textContent,
    taxable: document.getElementById('sale-taxable').textContent,
    tax: document.getElementById('sale-tax').textContent,
    total: document.getElementById('sale-total').textContent,
    type: document.getElementById('sale-type').dataset.type,
    notes: document.getElementById('sale-notes').textContent,
  }));
}

/** Clicks an export button and reads the downloaded file. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator(button).click()]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

test('a mixed sale: each line decided, prices typed, exact totals and invoice type 9; a reload keeps it; CSV and JSON match the screen; an earlier checkout time re-decides and marks the line', async () => {
  const { fx } = suite;
  const options = { viewport: { width: 1000, height: 1400 }, locale: 'zh-TW', acceptDownloads: true };
  if (TZ) options.timezoneId = TZ;
  const context = await suite.browser.newContext(options);
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(suite.server.url);
    await page.waitForSelector('html[data-ready="true"]');
    await page.waitForSelector('#policy:not([data-state="loading"])');

    // 7 scans, 6 lines: the approved book twice; its price from the line's own field, the others by $ in the code field.
    const scans = [
      [fx.approved, '$380'],
      [fx.revoked, '$120'],
      [fx.unknown_status, '＄99'],
      [fx.ean_spec, '$1500'],
      [fx.approved, null],
      [fx.approved_with_ebook, '$250'],
      ['9789869999991', '$50'],
    ];
    for (const [code, price] of scans) {
      const shown = await lookup(page, code);
      assert.equal(shown.code, code);
      if (price) await type(page, price);
    }
    // A price by the line's field: Enter goes back to the code field for the next scan.
    await page.locator('#sale-lines tr[data-code="9789869999991"] .sale-price').fill('60');
    await page.locator('#sale-lines tr[data-code="9789869999991"] .sale-price').press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'code');
    // A bad price is refused and said so; nothing changes.
    await type(page, '$12.5');
    assert.match(await page.locator('#code-error').textContent(), /整數/);

    const s = await screen(page);
    assert.deepEqual(s.lines.map((l) => [l.code, l.verdict, l.quantity, l.price]), [
      [fx.approved, 'exempt', '2', '380'],
      [fx.revoked, 'taxable', '1', '120'],
      [fx.unknown_status, 'unknown', '1', '99'],
      [fx.ean_spec, 'exempt', '1', '1500'],
      [fx.approved_with_ebook, 'exempt', '1', '250'],
      ['9789869999991', 'taxable', '1', '60'],
    ]);
    // Exempt 760 + 1500 + 250; taxable 120 + 99 + 60 = 279, tax 279 − round(279 ÷ 1.05 = 265.71) = 13.
    assert.equal(s.exempt, 'NT$ 2,510');
    assert.equal(s.taxable, 'NT$ 279');
    assert.equal(s.tax, 'NT$ 13');
    assert.equal(s.total, 'NT$ 2,789');
    assert.equal(s.type, '9');
    assert.match(s.lines[2].text, /以應稅計/, 'the unknown line is flagged');
    assert.match(s.notes, /1 項無法判定，已以應稅計算/);
    // The rows are laid out as a grid; assistive technology still reads a table of 7 columns.
    const table = page.locator('#sale-table');
    assert.deepEqual([await table.getByRole('columnheader').count(), await table.getByRole('row').count(), await table.getByRole('cell').count()], [7, 7, 42]);
    await screenshot(page, 'sale-mixed');

    // A reload (or a crashed tab) keeps the sale.
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.deepEqual(await screen(page), s);

    // The exports say what the screen says.
    const csv = await download(page, '#sale-csv');
    assert.match(csv.name, /^booktax-sale-\d{8}-\d{4}\.csv$/);
    const rows = csvCells(csv.text);
    assert.deepEqual(rows[0], ['項次', '條碼', '書名', '判定', '發票課稅別', '數量', '單價', '金額', '說明']);
    assert.deepEqual(rows.slice(1, 7).map((r) => [r[1], r[4], r[5], r[6], r[7]]), [
      [fx.approved, '3', '2', '380', '760'],
      [fx.revoked, '1', '1', '120', '120'],
      [fx.unknown_status, '1', '1', '99', '99'],
      [fx.ean_spec, '3', '1', '1500', '1500'],
      [fx.approved_with_ebook, '3', '1', '250', '250'],
      ['9789869999991', '1', '1', '60', '60'],
    ]);
    const totals = Object.fromEntries(rows.slice(8).map((r) => [r[0], r[1]]));
    assert.equal(totals['應稅銷售額（含稅，SalesAmount）'], '279');
    assert.equal(totals['免稅銷售額（FreeTaxSalesAmount）'], '2510');
    assert.equal(totals['內含營業稅'], '13');
    assert.equal(totals['發票課稅別（TaxType）'], '9');

    const json = await download(page, '#sale-json');
    const invoice = JSON.parse(json.text);
    assert.equal(invoice.TaxType, 9);
    assert.equal(invoice.SalesAmount, 279);
    assert.equal(invoice.FreeTaxSalesAmount, 2510);
    assert.equal(invoice.TotalAmount, 2789);
    assert.equal(invoice.taxIncluded, 13);
    assert.deepEqual(invoice.items.map((i) => [i.code, i.TaxType, i.Quantity, i.UnitPrice, i.Amount]),
      rows.slice(1, 7).map((r) => [r[1], Number(r[4]), Number(r[5]), Number(r[6]), Number(r[7])]));

    // Copy: tab-separated text that pastes into a spreadsheet's columns.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    await page.locator('#sale-copy').click();
    await page.waitForFunction(() => /已複製/.test(document.getElementById('sale-status').textContent));
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(copied.startsWith('項次\t條碼\t'), copied.slice(0, 40));
    assert.ok(copied.includes(`${fx.approved}\t`));

    // Print: the sale alone.
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => ({
      sale: getComputedStyle(document.getElementById('sale')).display,
      form: getComputedStyle(document.getElementById('lookup-form')).display,
      buttons: getComputedStyle(document.querySelector('.sale-buttons')).display,
    }));
    assert.deepEqual(printed, { sale: 'block', form: 'none', buttons: 'none' });
    await page.emulateMedia({ media: 'screen' });

    // A checkout time before the approvals: every line is decided again and the changed ones are marked.
    await page.locator('#at').fill('2021-03-10T12:00');
    await page.locator('#at').dispatchEvent('change');
    await page.waitForFunction(() => /重新判定/.test(document.getElementById('sale-status').textContent));
    const earlier = await screen(page);
    const byCode = Object.fromEntries(earlier.lines.map((l) => [l.code, l]));
    assert.equal(byCode[fx.approved].verdict, 'taxable', 'approved from 2021-03-15');
    assert.equal(byCode[fx.approved].changed, true);
    assert.match(byCode[fx.approved].text, /判定已改變：免稅 → 應稅/);
    assert.equal(byCode[fx.ean_spec].verdict, 'exempt', 'the set was listed from 2021-03-01');
    assert.equal(byCode[fx.ean_spec].changed, false);
    assert.equal(byCode[fx.unknown_status].verdict, 'unknown', 'unknown stays unknown');
    assert.equal(earlier.type, '9');
    // The e-book-covering fixture's own approval day decides whether it counts.
    const ebookApproved = (await api(suite.server.url, `isbn/${fx.approved_with_ebook}`)).body.data.approved_effective_date;
    assert.equal(byCode[fx.approved_with_ebook].verdict, ebookApproved <= '20210310' ? 'exempt' : 'taxable');
    assert.equal(earlier.exempt, ebookApproved <= '20210310' ? 'NT$ 1,750' : 'NT$ 1,500');
    await screenshot(page, 'sale-redecided');
    // A reload starts at "now" again: the lines are decided at now, not left at the earlier time.
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    const now = Object.fromEntries((await screen(page)).lines.map((l) => [l.code, l]));
    assert.equal(now[fx.approved].verdict, 'exempt');
    assert.equal((await screen(page)).exempt, 'NT$ 2,510');

    // A line goes with the keyboard; 新交易 empties the sale and can be undone once.
    await page.locator(`#sale-lines tr[data-code="${fx.revoked}"] .sale-remove`).press('Enter');
    assert.equal((await screen(page)).lines.length, 5);
    await page.locator('#sale-new').click();
    assert.equal((await screen(page)).lines.length, 0);
    await page.locator('#sale-undo').press('Enter');
    assert.equal((await screen(page)).lines.length, 5);
    assert.equal(await page.locator('#sale-undo').isHidden(), true, 'undo is once');
    // A second tab changes the sale: this tab shows it, and a price typed here afterwards counts and is kept.
    const other = await context.newPage();
    await other.goto(suite.server.url);
    await other.waitForSelector('html[data-ready="true"]');
    await other.locator(`#sale-lines tr[data-code="${fx.approved}"] .sale-qty`).fill('3');
    await other.locator(`#sale-lines tr[data-code="${fx.approved}"] .sale-qty`).press('Enter');
    await page.waitForFunction((c) => document.querySelector(`#sale-lines tr[data-code="${c}"] .sale-qty`)?.value === '3', fx.approved);
    await page.locator(`#sale-lines tr[data-code="${fx.ean_spec}"] .sale-price`).fill('1200');
    await page.locator(`#sale-lines tr[data-code="${fx.ean_spec}"] .sale-price`).press('Enter');
    await other.close();
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    const back = Object.fromEntries((await screen(page)).lines.map((l) => [l.code, l]));
    assert.equal(back[fx.ean_spec].amount, 'NT$ 1,200');
    assert.equal(back[fx.approved].quantity, '3');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the lines follow the stack as it was scanned, not the order the answers came in', async () => {
  const { fx } = suite;
  const { context, page, errors } = await openPage(suite.browser, suite.server.url);
  try {
    // The first scan's request fails once (503) and is asked again after a pause: the other two answer first.
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample', fail_status: 503, fail_count: 1 });
    const codes = [fx.approved, fx.revoked, fx.ean_spec];
    for (const code of codes) await type(page, code);
    await page.waitForFunction(() => document.querySelectorAll('#sale-lines tr').length === 3, null, { timeout: 30000 });
    assert.deepEqual((await screen(page)).lines.map((l) => l.code), codes);
    // Kept in that order across a reload.
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.deepEqual((await screen(page)).lines.map((l) => l.code), codes);
    assert.deepEqual(errors, []);
  } finally {
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample' });
    await context.close();
  }
});

test('a sale brought back by 復原 is decided at the terms of now; a kept sale the page cannot decide shows unknown, not the verdicts of then', async () => {
  const { fx } = suite;
  // No service worker: it would serve the wasm this test takes away.
  const context = await suite.browser.newContext({ locale: 'zh-TW', serviceWorkers: 'block', ...(TZ ? { timezoneId: TZ } : {}) });
  try {
    let page = await context.newPage();
    await page.goto(suite.server.url);
    await page.waitForSelector('html[data-ready="true"]');
    await lookup(page, fx.approved);
    assert.deepEqual((await screen(page)).lines.map((l) => l.verdict), ['exempt']);
    await page.locator('#sale-new').click();
    // 電子書, which this book's approval does not cover, then the sale back.
    await page.locator('input[name="format"][value="ebook"]').check();
    await page.locator('#sale-undo').click();
    // At once, not at the page's next 30-second check of "now".
    await page.waitForFunction(() => document.querySelector('#sale-lines tr')?.dataset.verdict === 'taxable', null, { timeout: 2000 });
    await page.locator('input[name="format"][value="physical"]').check();
    await page.waitForFunction(() => document.querySelector('#sale-lines tr')?.dataset.verdict === 'exempt');
    await page.close();

    // The same kept sale, the wasm missing: it was exempt, and nothing can say it still is.
    await context.route('**/pkg/booktax-page_bg.wasm', (route) => route.fulfill({ status: 404, body: '' }));
    page = await context.newPage();
    await page.goto(suite.server.url);
    await page.waitForSelector('html[data-ready="true"]');
    const kept = (await screen(page)).lines;
    assert.deepEqual(kept.map((l) => [l.code, l.verdict]), [[fx.approved, 'unknown']]);
    assert.match(kept[0].text, /目前無法判定.*判定已改變：免稅 → 無法判定/);
  } finally {
    await context.close();
  }
});

test('hostile text from the service stays text in the sale; a stored sale that does not read is reported, not shown', async () => {
  const { context, page, errors } = await openPage(suite.browser, suite.server.url);
  try {
    await lookup(page, suite.fx.hostile);
    const title = await page.locator('#sale-lines tr .sale-title').first().textContent();
    assert.ok(title.length > 0);
    assert.equal(await page.locator('#sale-lines img, #sale-lines script').count(), 0, 'no markup from the service');
    await page.evaluate(() => localStorage.setItem('booktax.sale', JSON.stringify({ lines: [{ code: 'x', quantity: -1 }, 7] })));
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.match(await page.locator('#sale-status').textContent(), /2 項無法讀取/);
    assert.equal(await page.locator('#sale-lines tr').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a stack scanned faster than the service answers keeps every item; $ waits for the scan and prices the item scanned last; an answer does not take the keys from a price being typed; Enter in the checkout time is no scan', async () => {
  const { fx } = suite;
  // 400 ms per answer: three scans are all in flight at once.
  await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample', latency_ms: 400 });
  const { context, page, errors } = await openPage(suite.browser, suite.server.url);
  try {
    for (const code of [fx.approved, fx.revoked, fx.ean_spec]) await type(page, code);
    await type(page, '$99');
    assert.match(await page.locator('#code-error').textContent(), /還在查詢中/, 'no price while a scan is unanswered');
    // Selected, so the next scan replaces the refused price instead of being typed after it.
    assert.deepEqual(await page.locator('#code').evaluate((i) => [i.value, i.selectionStart, i.selectionEnd]), ['$99', 0, 3]);
    await page.waitForFunction(() => document.querySelectorAll('#sale-lines tr').length === 3, null, { timeout: 30000 });
    assert.deepEqual((await screen(page)).lines.map((l) => l.code).sort(), [fx.approved, fx.revoked, fx.ean_spec].sort());
    // A repeat scan, then $: the price goes to the repeated item, wherever its line is.
    await lookup(page, fx.approved);
    await type(page, '$380');
    const lines = Object.fromEntries((await screen(page)).lines.map((l) => [l.code, l]));
    assert.deepEqual([lines[fx.approved].quantity, lines[fx.approved].price], ['2', '380']);
    assert.equal(lines[fx.ean_spec].price, '');

    // A price typed in the sale while a scan is answered: its answer does not take the keys.
    await type(page, fx.revoked);
    const price = page.locator(`#sale-lines tr[data-code="${fx.ean_spec}"] .sale-price`);
    await price.click();
    await page.keyboard.type('3');
    await page.waitForFunction(() => !document.getElementById('verdict').hasAttribute('aria-busy'), null, { timeout: 30000 });
    await page.keyboard.type('50');
    assert.ok(await price.evaluate((i) => i === document.activeElement), 'the price field keeps the focus');
    await page.keyboard.press('Tab');
    assert.equal(Object.fromEntries((await screen(page)).lines.map((l) => [l.code, l]))[fx.ean_spec].price, '350');

    // Enter in the checkout-time field sends the form, but is no scan: the last code is not added again.
    const before = (await screen(page)).lines.map((l) => [l.code, l.quantity]);
    await page.locator('#code').fill(fx.approved);
    await page.locator('#at').focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    assert.deepEqual((await screen(page)).lines.map((l) => [l.code, l.quantity]), before);
    assert.deepEqual(errors, []);
  } finally {
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample' });
    await context.close();
  }
});

test('codes scanned while the page is still loading are kept and join the sale once it can decide; an Enter before any script sends nothing and is offered again; a page whose modules cannot load says unknown', async () => {
  const { fx } = suite;
  const options = { locale: 'zh-TW', ...(TZ ? { timezoneId: TZ } : {}) };
  const pending = () => document.getElementById('verdict').textContent;
  // The page's wasm held back: the code field takes codes (accept.js) long before the page can decide.
  let context = await suite.browser.newContext(options);
  try {
    let release = () => {};
    const held = new Promise((resolve) => { release = resolve; });
    await context.route('**/pkg/booktax-page_bg.wasm', async (route) => { await held; await route.continue(); });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(suite.server.url, { waitUntil: 'commit' });
    await page.waitForFunction(() => performance.getEntriesByName('booktax-ready').length > 0);
    // Typed key by key, as a scanner does: each Enter leaves the code selected, so the next one replaces it.
    for (const code of [fx.approved, '97898', fx.revoked, fx.approved]) {
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');
    }
    assert.match(await page.evaluate(pending), /已收到 4 筆/);
    // A price cannot go to a line not decided yet: said, and kept in the field to be entered again.
    await page.keyboard.type('$350');
    await page.keyboard.press('Enter');
    assert.match(await page.locator('#code-error').textContent(), /載入中.*單價/);
    assert.equal(await page.inputValue('#code'), '$350');
    assert.equal(await page.evaluate(() => {
      const field = /** @type {HTMLInputElement} */ (document.getElementById('code'));
      return Number(field.selectionEnd) - Number(field.selectionStart);
    }), 4, 'the refused price is selected, so the next scan replaces it');
    assert.match(await page.evaluate(pending), /已收到 4 筆/, 'the price was not taken as a code');
    assert.equal(await page.evaluate(() => performance.getEntriesByName('booktax-decides').length), 0, 'the scans came before the page could decide');
    assert.equal(page.url(), `${suite.server.url}/`, 'no scan was sent as a form');
    release();
    await page.waitForFunction((codes) => {
      const qty = Object.fromEntries([...document.querySelectorAll('#sale-lines tr')].map((tr) => [tr.dataset.code, tr.querySelector('.sale-qty').value]));
      return qty[codes[0]] === '2' && qty[codes[1]] === '1';
    }, [fx.approved, fx.revoked], { timeout: 30000 });
    // The code that does not read joins nothing, and the clerk is told which it was.
    await page.waitForFunction(() => /未加入本筆交易.*「97898」/.test(document.getElementById('code-error').textContent));
    const lines = Object.fromEntries((await screen(page)).lines.map((l) => [l.code, l]));
    assert.deepEqual(Object.keys(lines).sort(), [fx.approved, fx.revoked].sort());
    assert.deepEqual([lines[fx.approved].verdict, lines[fx.approved].quantity], ['exempt', '2']);
    assert.deepEqual([lines[fx.revoked].verdict, lines[fx.revoked].quantity], ['taxable', '1']);
    // The page decides now: the price goes to the line of the code scanned last, whichever answer came last.
    await type(page, '$350');
    assert.equal((await screen(page)).lines.find((l) => l.code === fx.approved).price, '350');
    assert.match(await page.locator('#code-error').textContent(), /「97898」/, 'still named until it is scanned again');
    await lookup(page, '97898');
    await type(page, '$351');
    assert.equal(await page.locator('#code-error').isHidden(), true, 'its own error seen, it is no longer named');
    await screenshot(page, 'sale_scanned_while_loading');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }

  // No script of the page's yet: an Enter sends nothing (a GET would reload the page and lose the scan).
  context = await suite.browser.newContext(options);
  try {
    await context.route(/\/(accept|app)\.js$/, () => {});
    const page = await context.newPage();
    // Not to DOMContentLoaded, which waits for the module scripts held here.
    await page.goto(suite.server.url, { waitUntil: 'commit' });
    await page.waitForSelector('#code');
    await page.evaluate(() => { window.__samePage = true; });
    await type(page, fx.approved);
    await page.waitForTimeout(300);
    assert.equal(page.url(), `${suite.server.url}/`);
    assert.equal(await page.evaluate(() => window.__samePage), true, 'the page was not reloaded');
    assert.equal(await page.inputValue('#code'), fx.approved, 'the code is still in the field');
    // Once the code field's listener runs, the code is offered to be sent again or replaced.
    await context.unroute(/\/(accept|app)\.js$/);
    // Another URL than the one held (a module is fetched once per URL).
    await page.addScriptTag({ url: '/accept.js?again', type: 'module' });
    await page.waitForFunction(() => /請按 Enter 查詢/.test(document.getElementById('verdict').textContent));
    assert.equal(await page.evaluate(() => {
      const field = /** @type {HTMLInputElement} */ (document.getElementById('code'));
      return Number(field.selectionEnd) - Number(field.selectionStart);
    }), fx.approved.length, 'the code is selected, to be replaced by the next scan');
  } finally {
    await context.close();
  }

  // The page's modules cannot be fetched: a code entered is unknown, never exempt.
  context = await suite.browser.newContext(options);
  try {
    await context.route('**/sale.js', (route) => route.fulfill({ status: 404, body: '' }));
    const page = await context.newPage();
    await page.goto(suite.server.url);
    await page.waitForFunction(() => performance.getEntriesByName('booktax-ready').length > 0);
    await type(page, fx.approved);
    await page.waitForSelector('#verdict[data-verdict="unknown"][data-reason="load_failed"]');
    assert.match(await page.evaluate(pending), /無法判定.*請以應稅處理/);
    assert.equal(await page.locator('#verdict .verdict-word').textContent(), '無法判定');
  } finally {
    await context.close();
  }
});
