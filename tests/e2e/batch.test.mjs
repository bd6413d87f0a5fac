// Batch pricing (整批查詢): a stock list priced in a Worker, one CSV row per input line in order, Big5 and UTF-8 alike, cancelling keeps what was done, the busy window, the mirror (the 100,000-line run is tests/long/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSuite, closeSuite, adminPost, lookup, outsideBusyWindow, taipeiDay } from './harness.mjs';
import { openBatch, run, downloadCsv, rows, status } from './batch-page.mjs';
import { candidateIsbn, candidateEan, big5 } from './batch-lines.mjs';

let suite;
before(async () => {
  suite = await openSuite({ page: false });
  await outsideBusyWindow(suite.server.url);
});
after(async () => closeSuite(suite ?? {}));

test('a Big5 file, a UTF-8-with-BOM file and the same text pasted give the same rows', async () => {
  const { fx } = suite;
  const titles = ['臺灣史料集成', '國立中央圖書館讀者指引', '地中海六部曲', '書名, 含逗號'];
  const lines = ['書名,ISBN,定價'];
  const codes = [fx.approved, fx.revoked, fx.spec_example, '957-678-000-4', '9789869999991', 'abc', fx.ean_spec];
  for (let i = 0; i < 300; i++) {
    const title = titles[i % titles.length];
    lines.push(`${title.includes(',') ? `"${title}"` : title},${i % 5 === 4 ? candidateIsbn(i) : codes[i % codes.length]},${100 + i}`);
  }
  const text = `${lines.join('\r\n')}\r\n`;
  const { context, page, errors } = await openBatch(suite.browser, suite.server.url);
  try {
    await run(page, { name: 'big5.csv', mimeType: 'text/csv', buffer: big5(text) });
    const fromBig5 = await downloadCsv(page);
    await run(page, { name: 'utf8.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${text}`) });
    const fromUtf8 = await downloadCsv(page);
    assert.equal(fromBig5, fromUtf8);
    // Pasted, the text comes in as a string (through TextEncoder, Chinese and all).
    await run(page, text);
    assert.equal(await downloadCsv(page), fromUtf8);
    const out = rows(fromUtf8);
    assert.equal(out.length, 301);
    assert.equal(out[0].reason, 'header');
    assert.equal(out[1].text, `臺灣史料集成,${fx.approved},100`, 'the Big5 text read as written');
    assert.equal(out[1].verdict, '免稅');
    assert.equal(out[4].code, '9789576780004');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('cancelling mid-run keeps what was done, marks the rest 未查詢, and the page answers scans all the while', async () => {
  // 40 ms per answer: 3,000 codes take long enough to cancel in the middle.
  await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample', latency_ms: 40 });
  const { context, page, errors } = await openBatch(suite.browser, suite.server.url);
  try {
    const input = Array.from({ length: 3000 }, (_, i) => candidateIsbn(i));
    await page.locator('#batch-file').setInputFiles({ name: 'stock.txt', mimeType: 'text/plain', buffer: Buffer.from(input.join('\n')) });
    await page.locator('#batch-run').click();
    await page.waitForFunction(() => document.getElementById('batch-progress').value >= 40);
    // The batch runs in a Worker: the till page still answers.
    const scanned = await lookup(page, suite.fx.approved);
    assert.equal(scanned.verdict, 'exempt');
    assert.match(await status(page), /查詢中/);
    await page.locator('#batch-cancel').click();
    await page.waitForSelector('#batch-download:not([hidden])');
    assert.match(await status(page), /已取消/);
    const out = rows(await downloadCsv(page));
    assert.equal(out.length, 3000);
    const done = out.filter((r) => r.verdict !== '未查詢');
    assert.ok(done.length >= 40 && done.length < 3000, `${done.length} done`);
    assert.ok(done.every((r) => ['免稅', '應稅'].includes(r.verdict)));
    assert.ok(out.filter((r) => r.verdict === '未查詢').every((r) => r.reason === 'cancelled'));
    assert.match(await page.locator('#batch-summary').textContent(), /未查詢 [\d,]+ 行/);
    assert.deepEqual(errors, []);
  } finally {
    await adminPost(suite.server.url, 'faults', { appid: 'booktax-sample' });
    await context.close();
  }
});

test('a batch whose Worker never starts is stopped when cancelled, and the panel is free again', async () => {
  const { context, page, errors } = await openBatch(suite.browser, suite.server.url, {
    // Its module asked for and never answered: the Worker cannot answer the cancel.
    route: ['**/batch-worker.js', () => {}],
  });
  try {
    await page.locator('#batch-text').fill(suite.fx.approved);
    await page.locator('#batch-run').click();
    await page.waitForFunction(() => document.getElementById('batch-run').disabled);
    await page.locator('#batch-cancel').click();
    await page.waitForFunction(() => !document.getElementById('batch-run').disabled, null, { timeout: 20000 });
    assert.match(await status(page), /沒有回應，已停止/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('21:30–24:00 the run waits for the service unless told not to; pasted text works as a file does', async () => {
  await adminPost(suite.server.url, 'clock', { now: `${taipeiDay(0)}T21:45:00+08:00` });
  const { context, page, requests, errors } = await openBatch(suite.browser, suite.server.url);
  try {
    await page.locator('#batch-text').fill(`${suite.fx.approved}\n${suite.fx.revoked}\n`);
    await page.locator('#batch-run').click();
    await page.waitForFunction(() => /已暫停/.test(document.getElementById('batch-status').textContent));
    assert.equal(requests.filter((u) => /\/announcement\/isbn\//.test(u)).length, 0, 'no code asked in the busy window');
    await page.locator('#batch-cancel').click();
    await page.waitForSelector('#batch-download:not([hidden])');
    assert.match(await page.locator('#batch-summary').textContent(), /未查詢 2 行/);
    // A list with nothing to ask does not wait for midnight.
    await page.locator('#batch-text').fill('abc\n\n');
    await page.locator('#batch-run').click();
    await page.waitForFunction(() => /完成：2 行/.test(document.getElementById('batch-status').textContent));
    await page.locator('#batch-text').fill(`${suite.fx.approved}\n${suite.fx.revoked}\n`);
    await page.locator('#batch-busy').check();
    await page.locator('#batch-run').click();
    await page.waitForFunction(() => /完成：2 行/.test(document.getElementById('batch-status').textContent) && /免稅 1 行/.test(document.getElementById('batch-summary').textContent));
    assert.match(await page.locator('#batch-summary').textContent(), /免稅 1 行.*應稅 1 行/);
    assert.deepEqual(errors, []);
  } finally {
    await outsideBusyWindow(suite.server.url);
    await context.close();
  }
});

test('with a current offline mirror the batch asks the service nothing', async () => {
  const { context, page, requests, errors } = await openBatch(suite.browser, suite.server.url, { mirror: true });
  try {
    await page.locator('#mirror').evaluate((d) => { d.open = true; });
    await page.waitForFunction(() => /同步完成|已是最新/.test(document.getElementById('mirror-message').textContent), null, { timeout: 120000 });
    const before = requests.length;
    const input = [suite.fx.approved, suite.fx.revoked, '9789869999991', suite.fx.ean_spec, 'x'];
    await run(page, { name: 'stock.txt', mimeType: 'text/plain', buffer: Buffer.from(input.join('\n')) });
    assert.deepEqual(requests.slice(before).filter((u) => /\/announcement\//.test(u)), [], 'every record from the mirror');
    assert.match(await page.locator('#batch-result').textContent(), /資料來源：離線資料/);
    const out = rows(await downloadCsv(page));
    assert.deepEqual(out.map((r) => r.verdict), ['免稅', '應稅', '應稅', '免稅', '無法讀取']);
    assert.equal(out[2].reason, 'not_listed', 'a current mirror may say "not listed"');

    // Every code the service could hold, from the mirror and from the service: the same verdict for each.
    const every = [...Object.values(suite.fx), ...Array.from({ length: 6000 }, (_, k) => candidateIsbn(k)),
      ...Array.from({ length: 120 }, (_, k) => candidateEan(k))];
    const file = { name: 'all.txt', mimeType: 'text/plain', buffer: Buffer.from(every.join('\n')) };
    await run(page, file);
    const fromMirror = rows(await downloadCsv(page));
    const live = await openBatch(suite.browser, suite.server.url);
    try {
      await run(live.page, file);
      assert.match(await live.page.locator('#batch-result').textContent(), /資料來源：公告服務/);
      const fromLive = rows(await downloadCsv(live.page));
      const differ = fromMirror.flatMap((r, i) => (r.verdict === fromLive[i].verdict ? [] : [[r.code, r.verdict, r.reason, fromLive[i].verdict, fromLive[i].reason]]));
      // The one record the service answers for but never announced (its approval date does not read): the
      // mirror cannot hold it, so it is "not listed" there, unknown from the service; neither says exempt.
      assert.deepEqual(differ, [[suite.fx.invalid_date, '應稅', 'not_listed', '無法判定（請以應稅處理）', 'invalid_record']],
        'the mirror and the service disagree');
      assert.ok(fromMirror.filter((r) => r.verdict === '免稅').length > 1000);
    } finally {
      await live.context.close();
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the page's own wasm leaves out the mirror, batch pricing, sync and import (the package's build and its Workers have them), English and the package's other calls", async () => {
  const { context, page, errors } = await openBatch(suite.browser, suite.server.url);
  try {
    const codes = await page.evaluate(async () => {
      const w = await import('./pkg/booktax-page.js');
      await w.default();
      const code = (p) => p.then(() => 'resolved', (e) => e.code);
      // The mirror is read by booktax.js only (feature `mirror`): a page with it on loads that one.
      const withMirror = await code((async () => new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample', mirror: true }))());
      const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample' });
      const refusals = [withMirror];
      // The page is zh-TW only (feature `english`): English is refused, zh-TW asked by name is served.
      const english = await code(client.lookup('9789576780004', { lang: 'en' }));
      const chinese = await code(client.lookup('9789576780004', { lang: 'zh-TW' }));
      // What only the package's other users call is not in the page's wasm at all (feature `library`).
      const full = await import('./pkg/booktax.js');
      await full.default();
      const fullClient = new full.BookTaxClient({ baseUrl: '', appid: 'booktax-sample' });
      const library = ['normalizeCode', 'decideIsbn', 'decideEan', 'decideIsbns', 'readCodes', 'taipeiDate'];
      // The raw calls and the daily list (read by the page's panel through booktax.js), what the page hands to
      // its Workers (feature `workers`), and the mirror's status (feature `mirror`).
      const raw = ['isbn', 'ean', 'today', 'daily', 'policyExpiryDate', 'sync', 'importHistorical', 'checkBatch', 'mirrorStatus'];
      const shape = (module, c) => [...library.map((f) => typeof module[f]), ...raw.map((m) => typeof c[m])];
      const fullEnglish = (await fullClient.lookup('9789576780004', { lang: 'en' })).decision.message;
      return { refusals, english, chinese, fullEnglish, page: shape(w, client), full: shape(full, fullClient) };
    });
    assert.deepEqual(codes.refusals, ['not_in_this_build']);
    assert.deepEqual([codes.english, codes.chinese], ['not_in_this_build', 'resolved']);
    assert.match(codes.fullEnglish, /^(Exempt|Taxable|Unknown)/, 'the package\'s build answers in English');
    assert.deepEqual(codes.page, Array(15).fill('undefined'));
    assert.deepEqual(codes.full, Array(15).fill('function'));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("rows: 'unreadable' keeps the unreadable lines' rows only, with the same summary and CSV; any other value is refused", async () => {
  const { fx } = suite;
  const { context, page, errors } = await openBatch(suite.browser, suite.server.url);
  try {
    const text = ['isbn', fx.approved, 'abc', fx.revoked, '978-957-678-000', '', fx.spec_example].join('\n');
    const got = await page.evaluate(async (text) => {
      const w = await import('./pkg/booktax.js');
      await w.default();
      const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample' });
      const opts = { format: 'physical', ignoreBusyWindow: true };
      const all = await client.checkBatch(text, opts);
      const few = await client.checkBatch(text, { ...opts, rows: 'unreadable' });
      const refused = await client.checkBatch(text, { ...opts, rows: 'some' }).then(() => 'resolved', (e) => e.code);
      // The CSV comes as the file's bytes.
      const csv = (report) => (report.csv instanceof Uint8Array ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(report.csv) : null);
      return { all: { ...all, csv: csv(all) }, few: { ...few, csv: csv(few) }, csvType: Object.prototype.toString.call(all.csv), refused };
    }, text);
    assert.equal(got.all.rows.length, 7);
    const unreadable = got.all.rows.filter((r) => r.verdict === 'unreadable');
    assert.equal(unreadable.length, 2, 'abc and the short ISBN');
    assert.deepEqual(got.few.rows, unreadable);
    assert.deepEqual(got.few.summary, got.all.summary);
    assert.equal(got.csvType, '[object Uint8Array]', 'the CSV comes as the file\'s bytes');
    assert.equal(got.few.csv, got.all.csv);
    const csvLines = got.all.csv.split('\r\n');
    assert.ok(csvLines[0].startsWith('\ufeff'), 'UTF-8 with a BOM');
    assert.equal(csvLines.length, 1 + 7 + 1, 'a header, every line, the last ended');
    assert.equal(got.refused, 'bad_option');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
