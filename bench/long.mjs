// The long benchmarks (BENCH_LONG=1): a full mirror sync from the service at --records 1000000, the page opened on that mirror,
// and 100,000 lines of batch pricing from the mirror and from the service.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../tests/e2e/harness.mjs';
import { batchLines } from '../tests/e2e/batch-lines.mjs';
import { scansOn } from './page.mjs';

const CHROMIUM = process.env.BOOKTAX_CHROMIUM || '/usr/bin/chromium';

/** Prices `lines` with checkBatch in the page (no Worker, so the phases can be timed alone). */
async function batch(page, text, mirror) {
  return page.evaluate(async ({ text, mirror }) => {
    const w = await import('./pkg/booktax.js');
    await w.default();
    const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample', mirror });
    const t0 = performance.now();
    const report = await client.checkBatch(text, { format: 'physical', ignoreBusyWindow: true });
    return { ms: performance.now() - t0, source: report.source, codes: report.codes, lines: report.summary.lines, csvBytes: report.csv.length };
  }, { text, mirror });
}

export async function longBenchmarks({ www, batchRuns = 3, scanCount = 500, records = 1000000, batchLineCount = 100000 }) {
  const server = await startServer(['--records', String(records)], { www });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'booktax-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ['--no-sandbox'], serviceWorkers: 'block' });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    // The full sync, from the first announcement day to today.
    const sync = await page.evaluate(async () => {
      const w = await import('./pkg/booktax.js');
      await w.default();
      const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample', mirror: true });
      let requests = 0;
      const observer = new PerformanceObserver((list) => { requests += list.getEntries().filter((e) => e.name.includes('/announcement/')).length; });
      observer.observe({ type: 'resource', buffered: false });
      const t0 = performance.now();
      const report = await client.sync();
      const ms = performance.now() - t0;
      observer.disconnect();
      const status = await client.mirrorStatus();
      return { ms, requests, days: report.days, isbns: status.isbns, eans: status.eans, bytes: status.bytes, heap: performance.memory?.usedJSHeapSize };
    });
    // Opening the page on that mirror, ten times.
    const opens = [];
    await page.evaluate(() => localStorage.setItem('booktax.mirror', '1'));
    for (let i = 0; i < 10; i++) {
      await page.reload();
      await page.waitForFunction(() => performance.getEntriesByName('booktax-ready').length > 0);
      opens.push(await page.evaluate(() => performance.getEntriesByName('booktax-ready')[0].startTime));
    }
    // Scans answered from that mirror (the page shows the mirror's verdict, then confirms with the service).
    const mirrorScans = await scansOn(page, scanCount);
    // The same while a sync runs: the page's own sync Worker fills a second mirror from the first day
    // (same origin, same IndexedDB backend, the same two cores) while the page scans.
    await page.evaluate(() => {
      const worker = new Worker('sync-worker.js', { type: 'module' });
      window.benchSync = { worker, done: 0, finished: false };
      worker.addEventListener('message', (event) => {
        if (event.data.type === 'progress') window.benchSync.done = event.data.done;
        else window.benchSync.finished = true;
      });
      worker.postMessage({ type: 'sync', baseUrl: '', appid: 'booktax-sample', mirrorName: 'booktax-bench-second' });
    });
    await page.waitForFunction(() => window.benchSync.done > 20, null, { timeout: 120000 });
    const duringSync = await scansOn(page, scanCount, { offset: scanCount });
    const { syncDays, stillSyncing } = await page.evaluate(() => ({ syncDays: window.benchSync.done, stillSyncing: !window.benchSync.finished }));
    await page.evaluate(async () => {
      window.benchSync.worker.terminate();
      await new Promise((resolve) => { const r = indexedDB.deleteDatabase('booktax-bench-second'); r.onsuccess = r.onerror = r.onblocked = () => resolve(undefined); });
    });
    const text = `${batchLines(batchLineCount).join('\n')}\n`;
    const fromMirror = [];
    for (let i = 0; i < batchRuns; i++) fromMirror.push(await batch(page, text, true));
    const fromLive = [await batch(page, text, false)];
    return { sync, opens, fromMirror, fromLive, mirrorScans, duringSync: { ...duringSync, syncDays, stillSyncing } };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await server.stop();
  }
}
