// Page benchmarks: bytes on the wire for a first visit, cold start against an empty one-module page, scan to verdict painted.
import { cp, readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, transfers } from '../tests/e2e/harness.mjs';
import { candidateIsbn } from '../tests/e2e/batch-lines.mjs';

/**
 * A copy of the page with three floors beside it: an empty page with one module script that marks itself ready
 * (floor.html); the page's own markup and style with only that module (markup.html: what the browser's work on
 * the page costs before any of our scripts or the wasm); and that markup ready once its input has the focus
 * (focused.html: the page first rendered). And one alternative: the page asking for its module graph only after
 * its first frame (later.html).
 */
async function wwwWithFloor(www) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'booktax-bench-www-'));
  // Timestamps kept: the service sends a precompressed copy only while it has exactly its file's modification time.
  await cp(www, dir, { recursive: true, preserveTimestamps: true });
  await writeFile(path.join(dir, 'floor.html'), '<!doctype html><html lang="zh-Hant-TW"><head><meta charset="utf-8"><title>floor</title><script type="module" src="floor.js"></script></head><body><input id="code"></body></html>\n');
  await writeFile(path.join(dir, 'floor.js'), "performance.mark('booktax-ready');\n");
  const index = await readFile(path.join(dir, 'index.html'), 'utf8');
  // The page's preloads, and the page without them: what both the markup floor and the alternative start from.
  const preloads = [...index.matchAll(/<link rel="(?:modulepreload|preload)"[^>]*>\n?/g)].map((m) => m[0]);
  const withoutPreloads = preloads.reduce((html, link) => html.replace(link, ''), index);
  const markup = withoutPreloads
    .replace(/<script type="module" src="accept.js"><\/script>\n/, '')
    .replace(/<script type="module" src="app.js"><\/script>/, '<script type="module" src="floor.js"></script>');
  if (!markup.includes('floor.js') || markup.includes('app.js') || markup.includes('accept.js')) throw new Error('index.html: its module scripts are not where the markup floor expects them');
  await writeFile(path.join(dir, 'markup.html'), markup);
  // The same markup, ready when its input has the focus: autofocus is applied as the browser first renders the
  // page, so this is the earliest a scanner's keys can reach the input, whatever the scripts do.
  // Marked on the focus event, as accept.js marks the page: polling activeElement from requestAnimationFrame, as
  // this floor did before 2026-12-07, saw the focus only at a later frame: 12.4 ms later at p50 (30 loads of each here).
  await writeFile(path.join(dir, 'focused.js'), "const input = document.getElementById('code');\nif (document.activeElement === input) performance.mark('booktax-ready');\nelse input.addEventListener('focus', () => performance.mark('booktax-ready'), { once: true });\n");
  await writeFile(path.join(dir, 'focused.html'), markup.replace('src="floor.js"', 'src="focused.js"'));
  // The alternative that meets the budget on loopback: the page whose module graph is asked for only after its
  // first frame (later.js adds the same preloads then and imports app.js), so that accept.js and the first render
  // have the page's one thread to themselves.
  const later = withoutPreloads
    .replace(/<script type="module" src="app.js"><\/script>/, '<script type="module" src="later.js"></script>');
  if (preloads.length === 0 || !later.includes('later.js') || later.includes('app.js')) throw new Error('index.html: its preloads and app.js are not where the deferred alternative expects them');
  await writeFile(path.join(dir, 'later.html'), later);
  const attributes = preloads.map((link) => Object.fromEntries([...link.slice('<link'.length).matchAll(/([a-z-]+)(?:="([^"]*)")?/g)].map(([, name, value]) => [name, value ?? ''])));
  for (const [i, found] of attributes.entries()) {
    if (!/preload$/.test(found.rel) || !found.href) throw new Error(`index.html: a preload the deferred alternative cannot read (attributes quoted, please): ${preloads[i].trim()}`);
  }
  await writeFile(path.join(dir, 'later.js'), `// The bench's alternative: the module graph asked for after the first frame.
requestAnimationFrame(() => setTimeout(() => {
  for (const attributes of ${JSON.stringify(attributes)}) {
    const link = document.createElement('link');
    for (const [name, value] of Object.entries(attributes)) link.setAttribute(name, value);
    document.head.append(link);
  }
  import('./app.js');
}, 0));
`);
  return dir;
}

/** A slow line, as an old shop PC may have (DevTools' network emulation): round trip, and bits a second down (half of it up). */
export const SLOW_LINE = { latency: 150, kbps: 1500 };

/**
 * Everything a first visit transfers (compressed as sent, headers included), until the page is ready and its
 * service worker has installed: the page's own requests and the worker's (its install caches the shell).
 */
async function wireBytes(browser, url) {
  const context = await browser.newContext();
  const sent = transfers(context);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('#policy:not([data-state="loading"])');
  await page.evaluate(async () => { await navigator.serviceWorker?.ready; });
  await page.waitForTimeout(500);
  const cachedFiles = await page.evaluate(async () => {
    let n = 0;
    for (const name of await caches.keys()) n += (await (await caches.open(name)).keys()).length;
    return n;
  });
  // Every size read before the context goes (a closed target cannot answer).
  const finished = await sent.read();
  await context.close();
  const byFile = {};
  let total = 0;
  let worker = 0;
  let headers = 0;
  let responses = 0;
  for (const { name, worker: fromWorker, sent: bytes, body } of finished) {
    total += bytes;
    // A response taken from the HTTP cache reports its headers and minus as much body: nothing sent.
    if (bytes > 0) { headers += bytes - Math.max(body, 0); responses++; }
    if (fromWorker) worker += bytes;
    else byFile[name] = (byFile[name] ?? 0) + bytes;
  }
  return { total, worker, byFile, cachedFiles, headers, responses };
}

/**
 * Resolves with the time of the mark `name` once the page sets it: `booktax-ready` (accept.js: a code entered
 * from then on is kept, and decided once the page can) or `booktax-decides` (app.js: the page can decide). Asked only after the mark or after the
 * page's load event: Playwright's `waitForFunction` evaluates its injected script on the page's main thread
 * (about 25 ms here), which during a start would be timed as the page's own.
 */
export function readyMark(page, name = 'booktax-ready') {
  return page.evaluate((name) => new Promise((resolve, reject) => {
    const seen = () => performance.getEntriesByName(name)[0]?.startTime;
    if (seen() !== undefined) return resolve(seen());
    new PerformanceObserver((list, observer) => {
      const mark = list.getEntriesByName(name)[0];
      if (mark) { observer.disconnect(); resolve(mark.startTime); }
    }).observe({ type: 'mark' });
    setTimeout(() => reject(new Error(`${location.pathname}: no ${name} mark after 60 s`)), 60000);
  }), name);
}

/**
 * Navigation start to the `booktax-ready` mark (and `booktax-decides` for the pages in `decided`), over fresh contexts, on `line` if given: `runs` rounds, each loading every one of
 * `urls` once, the order turned by one each round. Taken in turns, not one block after another, so that what
 * drifts on the machine over a minute (another process, the CPU's clock) lands on the page and its floors alike.
 */
async function coldStarts(browser, urls, runs, { decided = [0], line = null } = {}) {
  const times = urls.map(() => []);
  // The other mark of the pages that set it (`decided`: indexes into `urls`), from the same loads.
  const decides = urls.map(() => []);
  // Round -1 is not kept: the browser's and the service's first loads of these files.
  for (let round = -1; round < runs; round++) {
    for (let k = 0; k < urls.length; k++) {
      const which = (round + 1 + k) % urls.length;
      const context = await browser.newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      if (line) {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: line.latency, downloadThroughput: (line.kbps * 1000) / 8, uploadThroughput: (line.kbps * 500) / 8 });
      }
      await page.goto(urls[which]);
      const mark = await readyMark(page);
      if (round >= 0) times[which].push(mark);
      if (round >= 0 && decided.includes(which)) decides[which].push(await readyMark(page, 'booktax-decides'));
      await context.close();
    }
  }
  return { times, decides };
}

/** Enter to the verdict painted (the next frame after the DOM says it), and the service's own time for each request. */
async function scans(browser, url, count) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto(url);
  try {
    return await scansOn(page, count);
  } finally {
    await context.close();
  }
}

/**
 * `count` scans on an open page: Enter to the first verdict painted for each code (from the mirror, when the page
 * has one), and the service's time for the code's request, if one was made before the paint.
 */
export async function scansOn(page, count, { offset = 0 } = {}) {
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('#policy:not([data-state="loading"])');
  const codes = Array.from({ length: count }, (_, i) => candidateIsbn((i + offset) * 7));
  const result = await page.evaluate(async (codes) => {
    const input = document.getElementById('code');
    const verdict = document.getElementById('verdict');
    const out = [];
    /** @type {Record<string, number>} which source gave each first verdict */
    const sources = {};
    for (const [i, code] of codes.entries()) {
      // A till's sale is a stack, not the whole day: a new sale every 20 items (not timed).
      if (i % 20 === 0) document.getElementById('sale-new').click();
      performance.clearResourceTimings();
      input.value = code;
      const done = new Promise((resolve) => {
        const seen = new MutationObserver(() => {
          if (verdict.dataset.code === code && ['exempt', 'taxable', 'unknown'].includes(verdict.dataset.verdict)) {
            seen.disconnect();
            sources[verdict.dataset.source || 'none'] = (sources[verdict.dataset.source || 'none'] ?? 0) + 1;
            requestAnimationFrame(() => resolve(performance.now()));
          }
        });
        seen.observe(verdict, { attributes: true, childList: true, subtree: true });
      });
      const t0 = performance.now();
      input.form.requestSubmit();
      const painted = await done;
      const api = performance.getEntriesByType('resource').filter((r) => r.name.includes('/announcement/isbn/'));
      const service = api.length ? api[0].responseStart - api[0].requestStart : NaN;
      out.push([painted - t0, service]);
    }
    return { out, sources };
  }, codes);
  return { total: result.out.map((r) => r[0]), service: result.out.map((r) => r[1]), sources: result.sources };
}

/** The floor for a scan: the empty page fetches the same record, writes one line of text and waits for the next frame. */
async function floorScans(browser, url, count) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto(url);
  const codes = Array.from({ length: count }, (_, i) => candidateIsbn(i * 7 + 1));
  const total = await page.evaluate(async (codes) => {
    const out = [];
    const line = document.body.appendChild(document.createElement('p'));
    for (const code of codes) {
      const t0 = performance.now();
      const res = await fetch(`/v1/announcement/isbn/${code}?appid=booktax-sample`, { cache: 'no-store' });
      const body = res.status === 200 ? JSON.parse(await res.text()) : null;
      line.textContent = body?.data?.status ?? 'not listed';
      await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
      out.push(performance.now() - t0);
    }
    return out;
  }, codes);
  await context.close();
  return total;
}

export async function pageBenchmarks({ www, coldRuns = 30, slowRuns = 12, scanCount = 500 }) {
  const dir = await wwwWithFloor(www);
  const server = await startServer([], { www: dir });
  const browser = await launchBrowser();
  try {
    const url = `${server.url}/`;
    const wire = await wireBytes(browser, url);
    const { times: [page, floor, markup, focused, later], decides: [decides, , , , laterDecides] } = await coldStarts(
      browser,
      [url, ...['floor', 'markup', 'focused', 'later'].map((name) => `${server.url}/${name}.html`)],
      coldRuns,
      { decided: [0, 4] },
    );
    // The same page, its floor and the deferred alternative on a slow line: fewer loads, each takes a second.
    const slow = await coldStarts(browser, [url, `${server.url}/floor.html`, `${server.url}/later.html`], slowRuns, { decided: [0, 2], line: SLOW_LINE });
    const live = await scans(browser, url, scanCount);
    const liveFloor = await floorScans(browser, `${server.url}/floor.html`, scanCount);
    return {
      wire,
      cold: { page, decides, floor, markup, focused, later, laterDecides },
      slow: { page: slow.times[0], decides: slow.decides[0], floor: slow.times[1], later: slow.times[2], laterDecides: slow.decides[2] },
      live,
      liveFloor,
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
