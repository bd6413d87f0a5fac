// E2E: each fixture book and boxed set shows the right verdict, words, glyph, colour and record details.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSuite, openSuite, lookup, screenshot, taipeiDay, LOOK } from './harness.mjs';

let server;
let browser;
let page;
let fx;

before(async () => ({ server, fx, browser, page } = await openSuite()));
after(() => closeSuite({ browser, server }));

function expectVerdict(state, verdict, reason) {
  assert.equal(state.verdict, verdict, `verdict (reason ${state.reason}): ${state.text}`);
  if (reason) assert.equal(state.reason, reason, `reason: ${state.text}`);
  assert.equal(state.word, LOOK[verdict].word);
  assert.equal(state.glyph, LOOK[verdict].glyph);
  assert.equal(state.background, LOOK[verdict].background);
  if (verdict !== 'exempt') assert.ok(!state.text.includes('免稅（'), `non-exempt verdict must not read as exempt: ${state.text}`);
  if (verdict === 'unknown') assert.match(state.text, /請以應稅處理並至認可公告頁面確認/);
}

test('page basics: title, lang, autofocus, sample banner, policy date, footer', async () => {
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hant-TW');
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'code');
  const code = page.locator('#code');
  assert.equal(await code.getAttribute('autocomplete'), 'off');
  assert.equal(await code.getAttribute('spellcheck'), 'false');
  assert.equal(await code.getAttribute('name'), 'code');
  assert.equal(await page.getAttribute('#verdict', 'aria-live'), 'polite');
  assert.ok(await page.isVisible('#sample-banner'), 'sample banner shown for sample config');
  assert.match(await page.textContent('#sample-banner'), /樣本資料，僅供測試/);
  assert.equal(await page.textContent('#policy-date'), '2031-02-28');
  assert.equal(await page.getAttribute('#policy', 'data-state'), 'ok');
  const footer = await page.textContent('footer');
  assert.match(footer, /文化藝術事業減免營業稅及娛樂稅 圖書出版品類/);
  assert.match(footer, /查詢結果僅供參考，以文化部認可公告為準/);
  const link = page.locator('footer a[href="https://test.smartfun.com.tw/book_tax_relief_apply/announcement.do"]');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  assert.equal(await page.getAttribute('#appid', 'type'), 'password');
  // The appid is never shown as text anywhere on the page.
  assert.ok(!(await page.evaluate(() => document.body.innerText)).includes('booktax-sample'));
  await screenshot(page, 'start');
});

test('approved book: exempt with every detail', async () => {
  const s = await lookup(page, fx.spec_example);
  expectVerdict(s, 'exempt', 'approved');
  assert.equal(s.code, '9789576780004');
  assert.match(s.text, /免稅（認可生效 2021-03-01 起，至 2031-02-28 止）/);
  assert.equal(s.fields.title, '國立中央圖書館讀者指引');
  assert.equal(s.fields.publisher, '中央圖書館');
  assert.equal(s.fields.kind, '實體');
  assert.equal(s.fields.type, '本國');
  assert.equal(s.fields.include_ebook, '是');
  assert.equal(s.fields.status, '已認可');
  assert.equal(s.fields.approved_effective_date, '2021-03-01');
  assert.equal(s.fields.revoked_effective_date, '—');
  assert.equal(s.fields.exempt_period, '2021-03-01 至 2031-02-28');
  const labels = await page.$$eval('#details dt', (dts) => dts.map((d) => d.textContent));
  for (const l of ['書名', '出版者', '書籍類型', '案件類別', '含電子書', '狀態', '認可生效日', '撤銷生效日', '免稅期間']) {
    assert.ok(labels.includes(l), `label ${l}`);
  }
  await screenshot(page, 'approved');
});

test('imported book: exempt, case type 進口', async () => {
  const s = await lookup(page, fx.imported);
  expectVerdict(s, 'exempt', 'approved');
  assert.equal(s.fields.type, '進口');
  assert.equal(s.fields.include_ebook, '否');
});

test('approval not yet effective: taxable', async () => {
  const s = await lookup(page, fx.not_yet_effective);
  expectVerdict(s, 'taxable', 'not_yet_effective');
  assert.equal(s.fields.approved_effective_date, taipeiDay(30));
  await screenshot(page, 'not_yet_effective');
});

test('revoked book: taxable', async () => {
  const s = await lookup(page, fx.revoked);
  expectVerdict(s, 'taxable', 'revoked');
  assert.equal(s.fields.status, '已撤銷');
  assert.equal(s.fields.revoked_effective_date, '2025-01-01');
  await screenshot(page, 'revoked');
});

test('revocation not yet effective: still exempt until the day before', async () => {
  const s = await lookup(page, fx.revoking_soon);
  expectVerdict(s, 'exempt', 'approved');
  assert.equal(s.fields.exempt_period, `2021-06-01 至 ${taipeiDay(9)}`);
});

test('applying: taxable', async () => {
  const s = await lookup(page, fx.applying);
  expectVerdict(s, 'taxable', 'applying');
  assert.equal(s.fields.status, '申請中');
  assert.equal(s.fields.approved_effective_date, '—');
  await screenshot(page, 'applying');
});

test('expired: taxable', async () => {
  const s = await lookup(page, fx.expired);
  expectVerdict(s, 'taxable', 'expired');
  assert.equal(s.fields.status, '已到期');
});

test('unknown status: unknown, shown verbatim', async () => {
  const s = await lookup(page, fx.unknown_status);
  expectVerdict(s, 'unknown', 'unknown_status');
  assert.equal(s.fields.status, 'suspended');
  await screenshot(page, 'unknown_status');
});

test('missing status and impossible date: unknown', async () => {
  let s = await lookup(page, fx.missing_status);
  expectVerdict(s, 'unknown', 'missing_status');
  s = await lookup(page, fx.invalid_date);
  expectVerdict(s, 'unknown', 'invalid_record');
  assert.equal(s.fields.approved_effective_date, '2021-02-30');
});

test('boxed set with one book still applying: taxable, every book listed with its verdict', async () => {
  const s = await lookup(page, fx.ean_mixed);
  expectVerdict(s, 'taxable', 'component_taxable');
  assert.equal(s.fields.title, '混合狀態套書：一冊申請中（樣本資料）');
  assert.equal(s.fields.status, '已建立');
  assert.equal(s.items.length, 3);
  const byIsbn = Object.fromEntries(s.items.map((i) => [i.isbn, i]));
  assert.equal(byIsbn[fx.approved].verdict, 'exempt');
  assert.equal(byIsbn[fx.approved_with_ebook].verdict, 'exempt');
  assert.equal(byIsbn[fx.applying].verdict, 'taxable');
  assert.match(byIsbn[fx.applying].text, /應稅/);
  assert.match(byIsbn[fx.applying].text, /申請中/);
  assert.match(byIsbn[fx.approved].text, /免稅/);
  await screenshot(page, 'ean_mixed');
});

test('the spec boxed set: exempt, six books all exempt', async () => {
  const s = await lookup(page, fx.ean_spec);
  expectVerdict(s, 'exempt');
  assert.equal(s.code, '8667106506069');
  assert.equal(s.fields.title, '地中海六部曲套書 經典收藏書盒紀念版');
  assert.equal(s.items.length, 6);
  assert.ok(s.items.every((i) => i.verdict === 'exempt'), JSON.stringify(s.items));
  await screenshot(page, 'ean_spec');
});

test('deleted and not-yet-listed boxed sets: taxable', async () => {
  let s = await lookup(page, fx.ean_deleted);
  expectVerdict(s, 'taxable', 'ean_deleted');
  assert.equal(s.fields.deleted_date, '2024-01-01');
  s = await lookup(page, fx.ean_future);
  expectVerdict(s, 'taxable', 'ean_not_yet_listed');
});

test('a code the service does not list: taxable (not_listed)', async () => {
  const s = await lookup(page, '9789869999991');
  expectVerdict(s, 'taxable', 'not_listed');
  assert.equal(await page.$$eval('#details dl', (d) => d.length), 0);
  await screenshot(page, 'not_listed');
});
