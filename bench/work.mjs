// Work benchmarks: re-deciding a 200-line sale, and the bytes the embeddable element adds beyond the shared wasm.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, launchBrowser } from '../tests/e2e/harness.mjs';
import { candidateIsbn } from '../tests/e2e/batch-lines.mjs';

/** Brotli at the level the build precompresses with. */
const brotli = (bytes) => zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** The element's own modules as sent (brotli), beyond the wasm and glue every page shares. */
export async function elementBytes(www) {
  const pkg = path.join(www, 'pkg');
  const manifest = JSON.parse(await readFile(path.join(pkg, 'package.json'), 'utf8'));
  const files = manifest.files.filter((f) => /^(book-tax-lookup|lookup-).*\.js$/.test(f));
  let total = 0;
  for (const f of files) total += brotli(await readFile(path.join(pkg, f)));
  return { files, total };
}

/** A 200-line sale decided again after the checkout time changes: the wasm call, the handler, the paint. */
/** Runs `work(page)` on the ready lookup page served by a fresh local service, then closes both. */
async function onReadyPage(www, work) {
  const server = await startServer([], { www });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    return await work(page, context);
  } finally {
    await browser.close();
    await server.stop();
  }
}

export async function saleRedecide(www, runs) {
  return onReadyPage(www, async (page, context) => {
    const codes = Array.from({ length: 200 }, (_, i) => candidateIsbn(i * 13));
    await page.evaluate(async (codes) => {
      const w = await import('./pkg/booktax-page.js');
      await w.default();
      const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample' });
      const lines = [];
      for (const code of codes) lines.push({ code, quantity: 1, unitPrice: 100, result: await client.lookup(code) });
      localStorage.setItem('booktax.sale', JSON.stringify({ lines }));
    }, codes);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    await page.waitForSelector('#policy:not([data-state="loading"])');
    const times = await page.evaluate(async (runs) => {
      const w = await import('./pkg/booktax-page.js'); // the page's own instance, initialised by the page
      const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample' });
      const out = { call: [], handler: [], work: [], painted: [], floor: [] };
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
      const idle = document.createElement('input');
      for (let i = 0; i < runs; i++) {
        const at = i % 2 ? '2021-03-10T12:00' : '2026-01-20T12:00';
        const results = JSON.parse(localStorage.getItem('booktax.sale')).lines.map((l) => l.result);
        let t0 = performance.now();
        client.redecide(results, { at, format: 'physical' });
        out.call.push(performance.now() - t0);
        await frame();
        const input = document.getElementById('at');
        input.value = at;
        t0 = performance.now();
        input.dispatchEvent(new Event('change'));
        out.handler.push(performance.now() - t0);
        // Style and layout now, in this task: the work the change costs its frame, without the wait for the frame.
        document.body.getBoundingClientRect();
        out.work.push(performance.now() - t0);
        await frame();
        out.painted.push(performance.now() - t0);
        // The same from the same point in a frame, for a change that does nothing: what "to the next frame" costs alone.
        await frame();
        t0 = performance.now();
        idle.dispatchEvent(new Event('change'));
        document.body.getBoundingClientRect();
        await frame();
        out.floor.push(performance.now() - t0);
      }
      return out;
    }, runs);
    await context.close();
    return times;
  });
}

/**
 * The JS boundary in Chromium: 100,000 book records decided by one decideIsbn call each (a whole decision
 * object back, words included, as the page uses it), and by one decideIsbns call for all (verdict and reason
 * codes back); verdicts and reasons must agree record by record.
 */
export async function jsBoundary(www, runs) {
  return onReadyPage(www, (page) => page.evaluate(async (runs) => {
    // The package's build: the checkout page's own wasm has no decideIsbn (feature `library`).
    const w = await import('./pkg/booktax.js');
    await w.default();
    const statuses = ['approved', 'approved', 'approved', 'revoked', 'applying', 'expired', null];
    const records = Array.from({ length: 100000 }, (_, i) => ({
      isbn: `978${String(957000000 + i).padStart(9, '0')}0`,
      title: `書名 ${i}`,
      status: statuses[i % statuses.length],
      approved_effective_date: i % 11 ? '20210301' : '20270101',
      revoked_effective_date: statuses[i % statuses.length] === 'revoked' ? '20220101' : null,
    }));
    const opts = { policyExpiryDate: '20310228', at: '2026-11-24T12:00' };
    const out = { perCall: [], batch: [], agree: true };
    for (let r = 0; r < runs; r++) {
      let t0 = performance.now();
      const one = records.map((rec) => w.decideIsbn(rec, opts));
      out.perCall.push(performance.now() - t0);
      t0 = performance.now();
      const all = w.decideIsbns(records, opts);
      out.batch.push(performance.now() - t0);
      const names = ['exempt', 'taxable', 'unknown'];
      out.agree &&= one.every((d, i) => d.verdict === names[all.verdicts[i]] && d.reason === all.reasonNames[all.reasons[i]]);
    }
    return out;
  }, runs));
}
