// E2E: code input (ISBN-10, full-width, bad codes), 20 keyboard-only scans, e-book choice and the checkout-time control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSuite, openSuite, lookup, waitVerdict, verdictState, screenshot, taipeiDay, LOOK } from './harness.mjs';

let server;
let browser;
let page;
let fx;

before(async () => ({ server, fx, browser, page } = await openSuite()));
after(() => closeSuite({ browser, server }));

function notExempt(s) {
  assert.notEqual(s.verdict, 'exempt');
  assert.notEqual(s.word, LOOK.exempt.word);
  assert.notEqual(s.background, LOOK.exempt.background);
}

test('ISBN-10 with hyphens reads as its ISBN-13', async () => {
  const s = await lookup(page, '957-678-000-4');
  assert.equal(s.verdict, 'exempt');
  assert.equal(s.code, '9789576780004');
  assert.equal(s.fields.title, '國立中央圖書館讀者指引');
  assert.equal(s.error, null);
});

test('full-width digits read as the same code', async () => {
  const s = await lookup(page, '９７８９５７６７８０００４');
  assert.equal(s.verdict, 'exempt');
  assert.equal(s.code, '9789576780004');
});

test('a wrong check digit: unknown, the error names the expected digit, the old result is gone', async () => {
  let s = await lookup(page, fx.spec_example);
  assert.equal(s.verdict, 'exempt');
  s = await lookup(page, '9789576780005');
  notExempt(s);
  assert.equal(s.verdict, 'unknown');
  assert.equal(s.reason, 'bad_checksum');
  assert.ok(s.error, 'error area shown');
  assert.match(s.error, /應為 4/);
  assert.match(s.text, /請以應稅處理並至認可公告頁面確認/);
  assert.deepEqual(s.fields, {}, 'details of the previous book are cleared');
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
  await screenshot(page, 'bad_checksum');
});

test('other bad codes: empty, letters, wrong length', async () => {
  for (const [text, reason] of [['', 'empty'], ['97895abc80004', 'invalid_chars'], ['12345', 'bad_length'], ['97895767800041234567', 'bad_length']]) {
    const s = await lookup(page, text);
    notExempt(s);
    assert.equal(s.verdict, 'unknown', text);
    assert.equal(s.reason, reason, text);
    assert.ok(s.error && s.error.length > 4, `error message for ${JSON.stringify(text)}`);
  }
  // A good code afterwards clears the error.
  const s = await lookup(page, fx.approved);
  assert.equal(s.verdict, 'exempt');
  assert.equal(s.error, null);
});

test('20 scans in a row with the keyboard only', async () => {
  const plan = [
    [fx.spec_example, 'exempt'], [fx.applying, 'taxable'], [fx.unknown_status, 'unknown'], [fx.ean_spec, 'exempt'],
    [fx.revoked, 'taxable'], [fx.approved, 'exempt'], ['9789869999991', 'taxable'], [fx.ean_mixed, 'taxable'],
    [fx.imported, 'exempt'], [fx.expired, 'taxable'],
  ];
  const scans = [...plan, ...plan];
  assert.equal(scans.length, 20);
  // Start from a selected input, as after any result.
  await page.locator('#code').focus();
  await page.locator('#code').selectText();
  for (const [i, [code, verdict]] of scans.entries()) {
    await page.keyboard.type(code);
    assert.equal(await page.inputValue('#code'), code, `scan ${i}: typed text replaced the previous code`);
    await page.keyboard.press('Enter');
    const s = await waitVerdict(page);
    assert.equal(s.verdict, verdict, `scan ${i} (${code}): ${s.text}`);
    assert.equal(s.code, code, `scan ${i}: verdict belongs to this code`);
    const sel = await page.evaluate(() => {
      const input = document.getElementById('code');
      return { focused: document.activeElement === input, start: input.selectionStart, end: input.selectionEnd, length: input.value.length };
    });
    assert.ok(sel.focused, `scan ${i}: input keeps the focus`);
    assert.equal(sel.start, 0, `scan ${i}: selection starts at 0`);
    assert.equal(sel.end, sel.length, `scan ${i}: whole text selected`);
  }
  await screenshot(page, 'after_20_scans');
});

test('a scan made while the previous lookup is still running replaces the text; the last code wins', async () => {
  await page.locator('#code').focus();
  await page.locator('#code').selectText();
  await page.keyboard.type(fx.spec_example);
  await page.keyboard.press('Enter');
  await page.keyboard.type(fx.applying);
  assert.equal(await page.inputValue('#code'), fx.applying);
  await page.keyboard.press('Enter');
  let s = await waitVerdict(page);
  // Give a late answer for the first code time to arrive: it must not replace the second.
  await page.waitForTimeout(300);
  s = await verdictState(page);
  assert.equal(s.code, fx.applying);
  assert.equal(s.verdict, 'taxable', s.text);
  assert.equal(s.fields.isbn, fx.applying);
});

async function chooseFormat(value) {
  await page.check(`input[name="format"][value="${value}"]`);
  return waitVerdict(page);
}

test('e-book choice: approval scope decides', async () => {
  let s = await lookup(page, fx.approved);
  assert.equal(s.verdict, 'exempt');
  s = await chooseFormat('ebook');
  assert.equal(s.verdict, 'taxable', s.text);
  assert.equal(s.reason, 'out_of_scope');
  await screenshot(page, 'ebook_out_of_scope');

  s = await lookup(page, fx.approved_with_ebook);
  assert.equal(s.verdict, 'exempt', s.text);
  assert.equal(s.fields.include_ebook, '是');

  s = await lookup(page, fx.ebook);
  assert.equal(s.verdict, 'exempt', s.text);
  assert.equal(s.fields.kind, '電子');
  s = await chooseFormat('physical');
  assert.equal(s.verdict, 'taxable', s.text);
  assert.equal(s.reason, 'out_of_scope');
});

async function setCheckout(value) {
  await page.fill('#at', value);
  return waitVerdict(page);
}

test('checkout time: a receipt from before the revocation, and after the approval takes effect', async () => {
  let s = await lookup(page, fx.revoked);
  assert.equal(s.verdict, 'taxable');
  // Taipei local time: 23:59 on the last exempt day (a browser in another zone must not shift it).
  s = await setCheckout('2024-12-31T23:59');
  assert.equal(s.verdict, 'exempt', s.text);
  assert.equal(s.fields.exempt_period, '2021-05-01 至 2024-12-31');
  assert.match(await page.textContent('#at-state'), /指定時間/);
  assert.equal(await page.getAttribute('#at-now', 'aria-pressed'), 'false');
  await screenshot(page, 'checkout_time_before_revocation');
  s = await setCheckout('2025-01-01T00:00');
  assert.equal(s.verdict, 'taxable', s.text);
  assert.equal(s.reason, 'revoked');

  s = await lookup(page, fx.not_yet_effective);
  assert.equal(s.verdict, 'taxable');
  s = await setCheckout(`${taipeiDay(30)}T00:00`);
  assert.equal(s.verdict, 'exempt', s.text);
  s = await setCheckout(`${taipeiDay(29)}T23:59`);
  assert.equal(s.verdict, 'taxable', s.text);
  assert.equal(s.reason, 'not_yet_effective');

  // Back to now: the approval is still 30 days away.
  s = await setCheckout(`${taipeiDay(31)}T12:00`);
  assert.equal(s.verdict, 'exempt');
  await page.click('#at-now');
  s = await waitVerdict(page);
  assert.equal(s.verdict, 'taxable', s.text);
  assert.equal(s.reason, 'not_yet_effective');
  assert.equal(await page.getAttribute('#at-now', 'aria-pressed'), 'true');
  assert.match(await page.textContent('#at-state'), /現在/);
  assert.equal((await page.inputValue('#at')).slice(0, 10), taipeiDay(0));
  s = await verdictState(page);
  assert.equal(s.code, fx.not_yet_effective);
});
