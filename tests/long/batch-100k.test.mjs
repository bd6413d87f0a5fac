// The long run of batch pricing: 100,000 lines priced against the local service at --records 1000000 (a few minutes; `cargo xtask test` runs it once, in its own step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, outsideBusyWindow, screenshot } from '../e2e/harness.mjs';
import { batchLines } from '../e2e/batch-lines.mjs';
import { openBatch, run, downloadCsv, rows, status } from '../e2e/batch-page.mjs';

test('100,000 lines against the service at --records 1000000: progress shown, one CSV row per input line in order, every line read as it should be', async () => {
  const big = await startServer(['--records', '1000000']);
  await outsideBusyWindow(big.url);
  const browser = await launchBrowser();
  const { context, page, errors } = await openBatch(browser, big.url);
  try {
    const input = batchLines(100000);
    const seen = await run(page, { name: 'stock.txt', mimeType: 'text/plain', buffer: Buffer.from(`${input.join('\n')}\n`) }, { timeout: 18 * 60 * 1000 });
    assert.ok(seen.some((s) => s.value > 0 && s.value < s.max && /查詢中：[\d,]+／[\d,]+ 個條碼.*約剩/.test(s.text)),
      `a progress indicator with time left: ${JSON.stringify(seen.slice(-3))}`);
    assert.match(await status(page), /完成：100,000 行/);
    const out = rows(await downloadCsv(page));
    assert.equal(out.length, 100000);
    const byCode = new Map();
    out.forEach((row, i) => {
      assert.equal(row.line, String(i + 1));
      assert.equal(row.text, input[i]);
      if (input[i] === '') assert.equal(row.reason, 'blank');
      else if (/[a-z]/.test(input[i])) assert.equal(row.verdict, '無法讀取');
      if (row.code) {
        // A code is decided once: a repeat, or its ISBN-10, reads the same.
        const first = byCode.get(row.code);
        if (first) assert.deepEqual([row.verdict, row.reason], [first.verdict, first.reason], `line ${i + 1}`);
        else byCode.set(row.code, row);
        assert.ok(['免稅', '應稅', '無法判定（請以應稅處理）'].includes(row.verdict), `line ${i + 1}: ${row.verdict}`);
      }
    });
    const tens = out.filter((r, i) => input[i].length === 10 && r.code);
    assert.ok(tens.length > 1000 && tens.every((r) => r.code.startsWith('978')), 'ISBN-10 lines read as their ISBN-13');
    // Against single lookups of the same codes (the page's own client, the same terms): the same verdict and reason.
    const sample = [...byCode.values()].filter((_, i) => i % 997 === 0).slice(0, 60);
    const single = await page.evaluate(async (codes) => {
      const w = await import('./pkg/booktax.js');
      await w.default();
      const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample' });
      const out = [];
      for (const code of codes) {
        const r = await client.lookup(code, { format: 'physical' });
        out.push([r.decision.verdict, r.decision.reason]);
      }
      return out;
    }, sample.map((r) => r.code));
    const words = { exempt: '免稅', taxable: '應稅', unknown: '無法判定（請以應稅處理）' };
    assert.deepEqual(sample.map((r) => [r.verdict, r.reason]), single.map(([v, reason]) => [words[v], reason]));
    assert.ok(single.some(([v]) => v === 'exempt') && single.some(([, r]) => r === 'not_listed'), 'the sample holds both');
    const summary = await page.locator('#batch-summary').textContent();
    const count = (v) => out.filter((r) => r.verdict === v).length.toLocaleString('zh-TW');
    assert.match(summary, new RegExp(`免稅 ${count('免稅')} 行`));
    assert.match(summary, new RegExp(`無法讀取 ${count('無法讀取')} 行`));
    await screenshot(page, 'batch-100k');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await browser.close();
    await big.stop();
  }
});
