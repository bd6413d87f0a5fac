// The long benchmarks (BENCH_LONG=1): a full mirror sync from the service at --records 1000000 (three times, into an empty
// mirror), the page opened on that mirror, scans from it (also during a sync), 100,000 lines of batch pricing from the
// mirror and from the service, what the live batch stands on (the same codes by plain fetch and by Node), and IndexedDB's floors.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../tests/e2e/harness.mjs';
import { batchLines } from '../tests/e2e/batch-lines.mjs';
import { readyMark, scansOn } from './page.mjs';

const CHROMIUM = process.env.BOOKTAX_CHROMIUM || '/usr/bin/chromium';
// How far back the mirror is set for the scans during a sync: a year of days to apply again.
const ROLLBACK_TO = '20251124';

/** Prices `lines` with checkBatch in the page (no Worker, so the phases can be timed alone), as the batch Worker asks. */
async function batch(page, text, mirror) {
  return page.evaluate(async ({ text, mirror }) => {
    const w = await import('./pkg/booktax.js');
    await w.default();
    const client = new w.BookTaxClient({ baseUrl: '', appid: 'booktax-sample', mirror });
    const t0 = performance.now();
    const report = await client.checkBatch(text, { format: 'physical', ignoreBusyWindow: true, rows: 'unreadable' });
    return { ms: performance.now() - t0, source: report.source, codes: report.codes, lines: report.summary.lines, csvBytes: report.csv.length };
  }, { text, mirror });
}

/**
 * What a batch from the live service stands on: the same `codes` (ISBN-13s) asked by checkBatch (live, no mirror),
 * by plain `fetch` in the same page (four in flight, each answer read and parsed, as the client does), and by Node
 * (four in flight, brotli asked as the browser asks): `runs` rounds taken in turns, milliseconds each. Only
 * answers of 200 or 404 are taken: anything else would make a floor of fast failures.
 */
async function liveFloors(page, serviceUrl, codes, runs) {
  const out = { codes: codes.length, ours: [], fetch: [], node: [] };
  const answered = (status, by) => {
    if (status !== 200 && status !== 404) throw new Error(`${by}: the service answered ${status}`);
  };
  const text = `${codes.join('\n')}\n`;
  for (let r = 0; r < runs; r++) {
    out.ours.push((await batch(page, text, false)).ms);
    const fetched = await page.evaluate(async (codes) => {
      let next = 0;
      const statuses = new Set();
      const lane = async () => {
        while (next < codes.length) {
          const res = await fetch(`/v1/announcement/isbn/${codes[next++]}?appid=booktax-sample`, { cache: 'no-store' });
          const body = await res.text();
          statuses.add(res.status);
          if (res.ok) JSON.parse(body);
        }
      };
      const t0 = performance.now();
      await Promise.all([lane(), lane(), lane(), lane()]);
      return { ms: performance.now() - t0, statuses: [...statuses] };
    }, codes);
    for (const status of fetched.statuses) answered(status, 'fetch in the page');
    out.fetch.push(fetched.ms);
    // node:http on four kept-alive connections: a light client, so this is near the service's own time.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const get = (code) => new Promise((resolve, reject) => {
        http.get(`${serviceUrl}/v1/announcement/isbn/${code}?appid=booktax-sample`, { agent, headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
          res.on('data', () => {});
          res.on('end', () => {
            try {
              answered(res.statusCode, 'Node');
              resolve(undefined);
            } catch (e) {
              reject(e);
            }
          });
        }).on('error', reject);
      });
      let next = 0;
      const lane = async () => {
        while (next < codes.length) await get(codes[next++]);
      };
      const t0 = performance.now();
      await Promise.all([lane(), lane(), lane(), lane()]);
      out.node.push(performance.now() - t0);
    } finally {
      agent.destroy();
    }
  }
  return out;
}

/** Sets the page's mirror back: its state says it is applied through `through`, so a sync applies the days after again. */
async function rollBack(page, through) {
  await page.evaluate(async (through) => {
    const db = await new Promise((resolve, reject) => { const r = indexedDB.open('booktax'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    await new Promise((resolve, reject) => {
      const tx = db.transaction('meta', 'readwrite');
      const meta = tx.objectStore('meta');
      const got = meta.get('state');
      got.onsuccess = () => meta.put({ ...got.result, appliedThrough: through }, 'state');
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, through);
}

/** A line that is an ISBN-13 with its check digit right: the keys the batch reads from the books store. */
function isIsbn13(line) {
  if (!/^97[89]\d{10}$/.test(line)) return false;
  const sum = [...line.slice(0, 12)].reduce((a, d, i) => a + Number(d) * (i % 2 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === Number(line[12]);
}

/**
 * IndexedDB's own floor on this machine, in plain JS, for the mirror's storage pattern (src/shell/idb.rs,
 * src/core/mirror/bucket.rs): as many books as the sync wrote, one text line each, in buckets of their
 * first nine digits stored as UTF-8 bytes, every bucket a group touches read and written back in one
 * transaction per 100,000 books (src/shell/sync.rs GROUP_RECORDS), into a scratch database; and one `get`
 * per distinct bucket of the batch's codes from the synced mirror, all in one transaction.
 */
async function idbFloors(page, { records, codes }) {
  return page.evaluate(async ({ records, codes }) => {
    const open = (name, upgrade) => new Promise((resolve, reject) => {
      const r = indexedDB.open(name);
      if (upgrade) r.onupgradeneeded = () => upgrade(r.result);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const done = (tx) => new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
    const got = (request) => new Promise((resolve, reject) => { request.onsuccess = () => resolve(request.result); request.onerror = () => reject(request.error); });
    const scratch = await open('booktax-bench-floor', (db) => db.createObjectStore('books'));
    const [encoder, decoder] = [new TextEncoder(), new TextDecoder()];
    const GROUP = 100000;
    // The sample service's codes are spread over three prefixes; a stride keeps them spread the same way.
    const isbn = (i) => `${['978957', '978986', '978626'][i % 3]}${String((Math.floor(i / 3) * 7919 + 12345) % 1000000).padStart(6, '0')}0`;
    let transactions = 0;
    let t0 = performance.now();
    for (let n = 0; n < records; n += GROUP) {
      const group = new Map();
      for (let i = n; i < Math.min(records, n + GROUP); i++) {
        const code = isbn(i);
        const key = code.slice(0, 9);
        if (!group.has(key)) group.set(key, []);
        group.get(key).push(`${code}\t=${code}\t-\t-\t=書名 ${i}，一本測試用的書\t=出版社\t=實體\t-\t=0\t=approved\t=20210301\t-`);
      }
      const tx = scratch.transaction('books', 'readwrite');
      const store = tx.objectStore('books');
      const keys = [...group.keys()];
      const held = await Promise.all(keys.map((k) => got(store.get(k))));
      keys.forEach((k, j) => {
        const lines = new Map((held[j] ? decoder.decode(held[j]).split('\n').filter(Boolean) : []).map((l) => [l.slice(0, 13), l]));
        for (const line of group.get(k)) lines.set(line.slice(0, 13), line);
        store.put(encoder.encode([...lines.keys()].sort().map((c) => `${lines.get(c)}\n`).join('')), k);
      });
      await done(tx);
      transactions++;
    }
    const puts = performance.now() - t0;
    scratch.close();
    await new Promise((resolve) => { const r = indexedDB.deleteDatabase('booktax-bench-floor'); r.onsuccess = r.onerror = r.onblocked = () => resolve(undefined); });
    const mirror = await open('booktax');
    const buckets = [...new Set(codes.map((c) => c.slice(0, 9)))];
    t0 = performance.now();
    // The mirror's books store (src/shell/idb.rs BOOKS).
    const tx = mirror.transaction('books', 'readonly');
    const store = tx.objectStore('books');
    let found = 0;
    await Promise.all(buckets.map((b) => got(store.get(b)).then((v) => { found += v ? 1 : 0; }, () => {})));
    const gets = performance.now() - t0;
    mirror.close();
    return { puts, records, transactions, gets, codes: codes.length, buckets: buckets.length, found };
  }, { records, codes });
}

/** A full sync (20210107 to today) by the package's client in the page: its time, requests, days and what the mirror then holds. */
async function fullSync(page) {
  return page.evaluate(async () => {
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
}

export async function longBenchmarks({ www, syncRuns = 3, batchRuns = 5, liveCodes = 5000, liveRuns = 3, scanCount = 500, records = 1000000, batchLineCount = 100000 }) {
  const server = await startServer(['--records', String(records)], { www });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'booktax-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ['--no-sandbox'], serviceWorkers: 'block' });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    // The full sync, from the first announcement day to today, `syncRuns` times into an empty mirror (the last one kept).
    const syncTimes = [];
    for (let run = 1; run < syncRuns; run++) {
      syncTimes.push((await fullSync(page)).ms);
      await page.reload();
      await page.waitForSelector('html[data-ready="true"]');
      // `blocked` is not the end: the delete goes on once the page before the reload has closed the mirror.
      await page.evaluate(() => new Promise((resolve, reject) => {
        const r = indexedDB.deleteDatabase('booktax');
        const stuck = setTimeout(() => reject(new Error('the mirror stayed open for 30 s: it cannot be deleted')), 30000);
        r.onsuccess = () => { clearTimeout(stuck); resolve(undefined); };
        r.onerror = () => { clearTimeout(stuck); reject(r.error); };
      }));
    }
    const sync = await fullSync(page);
    syncTimes.push(sync.ms);
    sync.runs = syncTimes;
    // Opening the page on that mirror, ten times.
    const opens = [];
    await page.evaluate(() => localStorage.setItem('booktax.mirror', '1'));
    for (let i = 0; i < 10; i++) {
      await page.reload();
      opens.push(await readyMark(page, 'booktax-decides'));
    }
    // Scans answered from that mirror (the page shows the mirror's verdict, then confirms with the service).
    const mirrorScans = await scansOn(page, scanCount);
    // The same while a sync runs into the mirror being read: the mirror is set back a year (its state
    // says it is applied through ROLLBACK_TO) and the page's own sync Worker applies that year again,
    // writing the same database the scans read, while the page scans.
    await rollBack(page, ROLLBACK_TO);
    await page.evaluate(async () => {
      const worker = new Worker('sync-worker.js', { type: 'module' });
      window.benchSync = { worker, done: 0, total: 0, outcome: null };
      worker.addEventListener('message', (event) => {
        if (event.data.type === 'progress') Object.assign(window.benchSync, { done: event.data.done, total: event.data.total });
        else window.benchSync.outcome = event.data;
      });
      worker.postMessage({ type: 'sync', baseUrl: '', appid: 'booktax-sample' });
    });
    await page.waitForFunction(() => window.benchSync.done > 5 || window.benchSync.outcome, null, { timeout: 120000 });
    const early = await page.evaluate(() => window.benchSync.outcome);
    if (early) throw new Error(`the sync under the scans did not run: ${JSON.stringify(early)}`);
    const syncDaysBefore = await page.evaluate(() => window.benchSync.done);
    const duringSync = await scansOn(page, scanCount, { offset: scanCount });
    const { syncDays, syncTotal, stillSyncing } = await page.evaluate(() => ({ syncDays: window.benchSync.done, syncTotal: window.benchSync.total, stillSyncing: !window.benchSync.outcome }));
    // Let it finish, so the batch below reads a whole mirror.
    await page.waitForFunction(() => window.benchSync.outcome, null, { timeout: 600000 });
    const outcome = await page.evaluate(() => { window.benchSync.worker.terminate(); return window.benchSync.outcome; });
    if (outcome.type !== 'done') throw new Error(`the sync under the scans ended with ${JSON.stringify(outcome)}`);
    // The page as shipped: its own sync (the 立即同步 button) while it scans, when it asks the
    // service first and the mirror only when the service cannot answer.
    await rollBack(page, ROLLBACK_TO);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    // The page syncs a mirror that is behind on its own when it opens; if it has not, the button does.
    await page.evaluate(() => { /** @type {HTMLDetailsElement} */ (document.getElementById('mirror')).open = true; });
    await page.waitForFunction(() => !document.getElementById('mirror-stop').hidden || !document.getElementById('mirror-sync').disabled);
    if (await page.locator('#mirror-stop').isHidden()) await page.locator('#mirror-sync').click();
    await page.waitForFunction(() => Number(document.getElementById('mirror-progress').value) > 5, null, { timeout: 120000 });
    const pageSyncDaysBefore = await page.evaluate(() => Number(/** @type {HTMLProgressElement} */ (document.getElementById('mirror-progress')).value));
    const pageDuringSync = await scansOn(page, scanCount, { offset: 2 * scanCount });
    const pageSync = await page.evaluate(() => {
      const p = /** @type {HTMLProgressElement} */ (document.getElementById('mirror-progress'));
      return { syncDays: p.value, syncTotal: p.max, stillSyncing: !document.getElementById('mirror-stop').hidden };
    });
    await page.waitForFunction(() => document.getElementById('mirror-stop').hidden, null, { timeout: 600000 });
    const pageOutcome = await page.locator('#mirror-message').textContent();
    if (!/同步完成/.test(pageOutcome ?? '')) throw new Error(`the page's sync ended with ${pageOutcome}`);
    const text = `${batchLines(batchLineCount).join('\n')}\n`;
    const fromMirror = [];
    for (let i = 0; i < batchRuns; i++) fromMirror.push(await batch(page, text, true));
    const fromLive = [await batch(page, text, false)];
    const distinctIsbns = [...new Set(batchLines(batchLineCount).filter(isIsbn13))];
    const live = await liveFloors(page, server.url, distinctIsbns.slice(0, liveCodes), liveRuns);
    const floors = await idbFloors(page, { records: sync.isbns, codes: distinctIsbns });
    return { sync, opens, fromMirror, fromLive, live, floors, mirrorScans, duringSync: { ...duringSync, syncDaysBefore, syncDays, syncTotal, stillSyncing, rolledBackTo: ROLLBACK_TO }, pageDuringSync: { ...pageDuringSync, ...pageSync, syncDaysBefore: pageSyncDaysBefore, rolledBackTo: ROLLBACK_TO } };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await server.stop();
  }
}
