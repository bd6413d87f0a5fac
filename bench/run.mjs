// `cargo xtask bench`: runs the benchmarks, prints each figure, and writes BENCHMARKS.md (figures, budgets, the machine, the command).
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT, SITE } from '../tests/e2e/harness.mjs';
import { pageBenchmarks, SLOW_LINE } from './page.mjs';
import { elementBytes, jsBoundary, saleRedecide } from './work.mjs';
import { longBenchmarks } from './long.mjs';
import { nativeBenchmarks } from './native.mjs';
import { freshMachine } from './fresh.mjs';

/** min / median / max of a list of numbers. */
function spread(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.floor(q * (v.length - 1) + 0.5))];
  return { n: v.length, min: v[0], p50: at(0.5), p95: at(0.95), p99: at(0.99), max: v[v.length - 1] };
}

const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (x) => `${(x / 1024).toFixed(1)} KB`;

function machine() {
  const chromium = (() => {
    try { return execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return 'chromium ?'; }
  })();
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, ${os.type()} ${os.release()}; Node ${process.version}; ${chromium}`;
}

const www = SITE;
// What the page asks for before it is ready: what its HTML names (stylesheet, module script, preloads).
const startRequests = ((await readFile(path.join(www, 'index.html'), 'utf8')).match(/<link rel="(?:stylesheet|modulepreload|preload)"|<script type="module"/g) ?? []).length;
const rows = [];
const started = Date.now();

const page = await pageBenchmarks({ www, coldRuns: Number(process.env.BENCH_COLD_RUNS ?? 30), slowRuns: Number(process.env.BENCH_SLOW_RUNS ?? 12), scanCount: Number(process.env.BENCH_SCANS ?? 500) });
const cold = spread(page.cold.page);
const decides = spread(page.cold.decides);
const floor = spread(page.cold.floor);
const markup = spread(page.cold.markup);
const focused = spread(page.cold.focused);
const later = spread(page.cold.later);
const laterDecides = spread(page.cold.laterDecides);
const slow = Object.fromEntries(Object.entries(page.slow).map(([name, times]) => [name, spread(times)]));
const slowLine = `DevTools' emulation: ${SLOW_LINE.latency} ms round trip, ${(SLOW_LINE.kbps / 1000).toFixed(1)} Mbit/s down`;
const live = spread(page.live.total);
const service = spread(page.live.service);
rows.push(['bytes on the wire, first visit (the page, and its service worker caching the shell for offline use)', `${kb(page.wire.total)}: the page ${kb(page.wire.total - page.wire.worker)} (${Object.entries(page.wire.byFile).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([f, b]) => `${f} ${kb(b)}`).join(', ')}), the worker ${kb(page.wire.worker)} (${page.wire.cachedFiles} files cached at install, those the page loaded taken from the HTTP cache; the Workers' files, the full wasm (it reads the mirror) and the modules a scan never needs are cached on first use)`, '≤ 80 KB', page.wire.total <= 80 * 1024]);
rows.push([`cold start, navigation to booktax-ready: the code field keeps a code entered from then on, decided once the page can (${page.cold.page.length} loads, taken in turns with its floors)`, `page ${ms(cold.min)} / ${ms(cold.p50)} / ${ms(cold.max)}; floor ${ms(floor.min)} / ${ms(floor.p50)} / ${ms(floor.max)}; p50 overhead ${ms(cold.p50 - floor.p50)}`, 'p50 overhead ≤ 50 ms', cold.p50 - floor.p50 <= 50]);
rows.push([`cold start, navigation to booktax-decides: the page can decide (the same loads)`, `page ${ms(decides.min)} / ${ms(decides.p50)} / ${ms(decides.max)}; p50 overhead ${ms(decides.p50 - floor.p50)} over the same floor`, 'p50 overhead ≤ 50 ms', decides.p50 - floor.p50 <= 50]);
rows.push([`cold start, the alternative: the page asking for its module graph only after its first frame (later.html, the same loads)`, `ready p50 ${ms(later.p50)}, overhead ${ms(later.p50 - floor.p50)}; decides p50 ${ms(laterDecides.p50)}, overhead ${ms(laterDecides.p50 - floor.p50)}`, '— (compared)', true]);
rows.push([`cold start on a slow line (${slowLine}; ${slow.page.n} loads of each, in turns)`, `page: ready ${ms(slow.page.p50)}, decides ${ms(slow.decides.p50)}; the alternative: ready ${ms(slow.later.p50)}, decides ${ms(slow.laterDecides.p50)}; floor ${ms(slow.floor.p50)} (p50s)`, '— (compared)', true]);
const scanFloor = spread(page.liveFloor);
rows.push([`scan to verdict painted, live (${live.n} scans)`, `${ms(live.min)} / ${ms(live.p50)} / ${ms(live.max)}, p99 ${ms(live.p99)}; service ${ms(service.p50)} p50, ${ms(service.p99)} p99; floor (the empty page: fetch, one line of text, next frame) ${ms(scanFloor.min)} / ${ms(scanFloor.p50)} / ${ms(scanFloor.max)}, p99 ${ms(scanFloor.p99)}`, 'p50 ≤ service + 5 ms; p99 ≤ service + 16 ms', live.p50 <= service.p50 + 5 && live.p99 <= service.p99 + 16]);

const element = await elementBytes(www);
// The npm package's copy, as written (a bundler minifies it for its page).
const elementAsWritten = await elementBytes(path.join(REPO_ROOT, 'www'));
rows.push(['the element\'s own bytes beyond the shared wasm (brotli), as the site serves them (minified)', `${kb(element.total)} (${element.files.length} modules; the npm package's, as written, ${kb(elementAsWritten.total)})`, '≤ 10 KB', element.total <= 10 * 1024]);
const sale = await saleRedecide(www, Number(process.env.BENCH_SALE_RUNS ?? 20));
const call = spread(sale.call);
const handler = spread(sale.handler);
const work = spread(sale.work);
const painted = spread(sale.painted);
const saleFloor = spread(sale.floor);
rows.push(['re-deciding a 200-line sale after a change of checkout time: the page\'s handler and the style and layout it causes, the work its frame must hold', `${ms(work.min)} / ${ms(work.p50)} / ${ms(work.max)} (redecide() ${ms(call.p50)}, the handler ${ms(handler.p50)}); to the next frame ${ms(painted.min)} / ${ms(painted.p50)} / ${ms(painted.max)}, where a change that does nothing takes ${ms(saleFloor.min)} / ${ms(saleFloor.p50)} / ${ms(saleFloor.max)}`, '≤ 16 ms', work.p50 <= 16]);

const boundary = await jsBoundary(www, Number(process.env.BENCH_BOUNDARY_RUNS ?? 5));
const perCall = spread(boundary.perCall);
const batchCall = spread(boundary.batch);
rows.push([`the JS boundary in Chromium (the package's booktax.js): 100,000 book records, decideIsbn once per record (a decision object each) vs one decideIsbns call (verdict and reason codes)${boundary.agree ? ', same verdicts and reasons' : ', VERDICTS OR REASONS DIFFER'}`, `per call ${ms(perCall.min)} / ${ms(perCall.p50)} / ${ms(perCall.max)}; batch ${ms(batchCall.min)} / ${ms(batchCall.p50)} / ${ms(batchCall.max)}; ratio ${(perCall.p50 / batchCall.p50).toFixed(1)}×`, 'batch ≥ 5× per call', boundary.agree && perCall.p50 / batchCall.p50 >= 5]);

const native = await nativeBenchmarks();
const decide = native.core['read_code + decide_isbn, 1,000,000 mixed inputs'];
const readOnly = native.core['read_code alone, 1,000,000 mixed inputs'];
const perSecond = (n) => `${(n / 1e6).toFixed(1)} M/s`;
if (decide) rows.push(['core, native: read_code + decide_isbn on 1,000,000 mixed inputs (criterion)', `${perSecond(decide[0])} / ${perSecond(decide[1])} / ${perSecond(decide[2])}`, '≥ 10 M codes/s', decide[1] >= 10e6]);
const stdnum = spread(native.stdnum);
const isbn3 = spread(native.isbn3);
const wasmBatch = spread(native.wasm.batch);
const wasmStrings = spread(native.wasm.strings);
const wasmPerCall = spread(native.wasm.perCall);
const secs = (v) => `${v.min.toFixed(2)} / ${v.p50.toFixed(2)} / ${v.max.toFixed(2)} s`;
if (readOnly) {
  const rustSeconds = 1e6 / readOnly[1];
  rows.push([`core against python-stdnum (${native.peers.stdnum}): reading and validating the same 1,000,000 inputs`, `native Rust ${(rustSeconds * 1000).toFixed(1)} ms; python-stdnum ${stdnum.min.toFixed(2)} / ${stdnum.p50.toFixed(2)} / ${stdnum.max.toFixed(2)} s; ratio ${(stdnum.p50 / rustSeconds).toFixed(0)}×`, '≥ 20×', stdnum.p50 / rustSeconds >= 20]);
}
rows.push([`wasm under Node against isbn3 (${native.peers.isbn3}), same inputs (valid: wasm ${native.valid?.wasm}, isbn3 ${native.valid?.isbn3}: isbn3 takes ISBNs in assigned ranges only and hyphenates them, the wasm also reads boxed sets' EANs, labels and add-ons)`, `wasm, one readCodes call and each valid code made a string ${secs(wasmStrings)} (the call alone ${secs(wasmBatch)}; one normalizeCode call per input ${secs(wasmPerCall)}); isbn3 ${secs(isbn3)}; ratio ${(isbn3.p50 / wasmStrings.p50).toFixed(1)}× (${(isbn3.p50 / wasmBatch.p50).toFixed(1)}× the call alone, ${(isbn3.p50 / wasmPerCall.p50).toFixed(1)}× per call)`, '≥ 3× (batch call)', isbn3.p50 / wasmStrings.p50 >= 3]);

// The long figures take minutes: BENCH_LONG=1 measures them and keeps them in target/bench/long.json; otherwise the last ones kept are shown, dated.
const longFile = path.join(REPO_ROOT, 'target', 'bench', 'long.json');
let long = null;
if (process.env.BENCH_LONG === '1') {
  long = { ...(await longBenchmarks({ www })), measured: new Date().toISOString().slice(0, 16) };
  await writeFile(longFile, JSON.stringify(long));
} else {
  long = await readFile(longFile, 'utf8').then(JSON.parse).catch(() => null);
}
// Spread once, for the table and the notes: the full syncs (a long.json written before the sync was
// repeated holds one run) and what the live batch stands on.
const syncs = long?.sync.runs ? spread(long.sync.runs) : null;
const liveFloors = long?.live ? { codes: long.live.codes, runs: long.live.ours.length, ours: spread(long.live.ours), plain: spread(long.live.fetch), node: spread(long.live.node) } : null;
if (long) {
  const when = `measured ${long.measured.replace('T', ' ')} UTC`;
  const opens = spread(long.opens);
  rows.push([`mirror: full sync 20210107 → today at --records 1000000 (${when})`, `${syncs ? `${syncs.n} runs into an empty mirror ${(syncs.min / 1000).toFixed(1)} s / ${(syncs.p50 / 1000).toFixed(1)} s / ${(syncs.max / 1000).toFixed(1)} s; the last run:` : `${(long.sync.ms / 1000).toFixed(1)} s,`} ${long.sync.requests} requests, ${long.sync.days} days, ${long.sync.isbns} books + ${long.sync.eans} sets, ${(long.sync.bytes / 2 ** 20).toFixed(1)} MB stored, JS heap ${(long.sync.heap / 2 ** 20).toFixed(1)} MB`, 'sync ≤ 120 s', (syncs?.p50 ?? long.sync.ms) <= 120000]);
  if (long.floors) rows.push([`IndexedDB's floor on this machine, plain JS, the mirror's pattern: ${long.floors.records} books written in buckets of a thousand codes, ${long.floors.transactions} transactions; the ${long.floors.buckets} buckets of ${long.floors.codes} codes read from the synced mirror (${long.floors.found} found)`, `puts ${(long.floors.puts / 1000).toFixed(1)} s; gets ${(long.floors.gets / 1000).toFixed(1)} s`, '— (what the sync and the batch stand on)', true]);
  rows.push(['mirror: page open with that mirror, navigation to booktax-decides (10 loads)', `${ms(opens.min)} / ${ms(opens.p50)} / ${ms(opens.max)}`, '≤ 1 s', opens.max <= 1000]);
  const mirrorBatch = spread(long.fromMirror.map((r) => r.ms));
  rows.push([`batch pricing, 100,000 lines (${long.fromMirror[0].codes} distinct codes) from the mirror`, `${(mirrorBatch.min / 1000).toFixed(2)} s / ${(mirrorBatch.p50 / 1000).toFixed(2)} s / ${(mirrorBatch.max / 1000).toFixed(2)} s`, '≤ 2 s', mirrorBatch.p50 <= 2000]);
  if (long.mirrorScans) {
    const alone = spread(long.mirrorScans.total);
    const during = spread(long.duringSync.total);
    const from = (s) => Object.entries(s.sources).map(([k, n]) => `${n} ${k}`).join(', ');
    rows.push([`scan to verdict painted from that mirror (${alone.n} scans; first verdict from: ${from(long.mirrorScans)})`, `${ms(alone.min)} / ${ms(alone.p50)} / ${ms(alone.max)}, p99 ${ms(alone.p99)}`, 'p99 ≤ 16 ms', alone.p99 <= 16]);
    const d = long.duringSync;
    const syncNote = d.syncTotal ? `a sync Worker re-applying ${d.syncTotal} days (from ${d.rolledBackTo ?? '?'}) into the same mirror, ${d.syncDaysBefore === undefined ? '' : `at day ${d.syncDaysBefore} of them when the scans began, `}at day ${d.syncDays} when they ended${d.stillSyncing ? '' : ' (it had finished: the last scans ran without it)'}` : `a sync into a second mirror, at day ${d.syncDays}`;
    if (long.pageDuringSync) {
      const p = long.pageDuringSync;
      const pd = spread(p.total);
      rows.push([`the page during its own sync (立即同步, ${p.syncTotal} days from ${p.rolledBackTo}; ${p.syncDaysBefore === undefined ? '' : `at day ${p.syncDaysBefore} when the scans began, `}at day ${p.syncDays} when they ended${p.stillSyncing ? '' : ', it had finished'}), which asks the service first while it syncs (${pd.n} scans; ${from(p)})`, `${ms(pd.min)} / ${ms(pd.p50)} / ${ms(pd.max)}, p99 ${ms(pd.p99)}`, 'p99 ≤ 16 ms', pd.p99 <= 16]);
    }
    rows.push([`the mirror read during a sync (${during.n} scans; ${from(d)}; ${syncNote})`, `${ms(during.min)} / ${ms(during.p50)} / ${ms(during.max)}, p99 ${ms(during.p99)}`, 'p99 ≤ 16 ms', during.p99 <= 16]);
  }
  rows.push(['batch pricing, the same from the live service (4 in flight)', `${(long.fromLive[0].ms / 1000).toFixed(1)} s (one run)`, '—', true]);
  if (liveFloors) {
    const { ours, plain, node } = liveFloors;
    const secs = (x) => `${(x.min / 1000).toFixed(1)} / ${(x.p50 / 1000).toFixed(1)} / ${(x.max / 1000).toFixed(1)} s`;
    const each = (x) => `${(x.p50 / liveFloors.codes).toFixed(2)} ms of wall time a code`;
    rows.push([`what a batch from the live service stands on: ${liveFloors.codes} of its ISBNs asked four at a time by checkBatch, by plain fetch in the same page, and by Node (${liveFloors.runs} runs of each, in turns)`, `checkBatch ${secs(ours)} (${each(ours)}); fetch in the page ${secs(plain)} (${each(plain)}); Node ${secs(node)} (${each(node)})`, '— (what the live batch stands on)', true]);
  }
}

// The fresh-machine figure takes minutes and compiles everything again: BENCH_FRESH=1 measures it into target/bench/fresh.json.
const freshFile = path.join(REPO_ROOT, 'target', 'bench', 'fresh.json');
let fresh = null;
if (process.env.BENCH_FRESH === '1') {
  fresh = await freshMachine();
  await writeFile(freshFile, JSON.stringify(fresh));
} else {
  fresh = await readFile(freshFile, 'utf8').then(JSON.parse).catch(() => null);
}
if (fresh) {
  const steps = fresh.setup.filter((l) => / setup: installed|xtask serve:/.test(l)).map((l) => l.replace(/^[\d.]+ /, '')).join('; ');
  rows.push([`fresh machine: \`cargo xtask serve\` from a clean clone to the page served, with an empty cargo home and npm cache (rustup's toolchain and Node kept) (measured ${fresh.measured.replace('T', ' ')} UTC)`, `${fresh.seconds.toFixed(1)} s (${steps})`, '≤ 180 s', fresh.seconds <= 180]);
}

// Where a budget sits below what the floor itself takes on this machine, the figure is also judged against the floor.
const notes = [];
notes.push(`- **Cold start.** The budget's floor, an empty page with one module, has none of the page's own work. The page's markup and style with that one module instead of ours (no wasm, no request to the service) reach the mark in p50 ${ms(markup.p50)}, ${ms(markup.p50 - floor.p50)} over the empty page, but that mark comes before the browser first renders the page, and no scan can reach the input before then (autofocus is applied as the page is first rendered). The same markup ready once its input has the focus, the earliest a scanner's keys can reach it, takes p50 ${ms(focused.p50)}: ${ms(focused.p50 - floor.p50)} over the empty page, ${focused.p50 - floor.p50 > 50 ? 'more than the whole budget before any of our code runs' : 'before any of our code runs'}. So the budget is judged over that floor too: the page keeps codes ${ms(cold.p50 - focused.p50)} after it and can decide ${ms(decides.p50 - focused.p50)} after it (budget restated: ≤ 50 ms over the page's markup rendered with its input focused: ${cold.p50 - focused.p50 <= 50 ? 'met' : '**not met**'} for keeping codes, ${decides.p50 - focused.p50 <= 50 ? 'met' : '**not met**'} for deciding). The mark is set by \`www/accept.js\`, a module of 0.9 KB on the wire the page names before its own: from then on, with the input focused, an Enter is kept and handed, in order, to the page once it can decide (\`booktax-decides\`). Before it, the page took codes only once its own modules ran, and an Enter earlier sent the form as a GET that reloaded the page and lost the scan; the form's method is now \`dialog\`, so an Enter before any script has run sends nothing. The mark is read through a PerformanceObserver, not Playwright's \`waitForFunction\`, whose injected script (about 25 ms of the page's main thread here) would land in the middle of a start. Before the page can decide it asks for ${startRequests} files besides itself (its stylesheet, its modules, the wasm's glue and the wasm, all named in its HTML so that they are asked for at once) over at most six connections to one host (HTTP/1.1), ${Math.ceil(startRequests / 6)} rounds; the service sets TCP_NODELAY, without which every answer on a kept-alive connection waited up to 40 ms for the browser's delayed acknowledgement of its head (the floors' own module too). Only the modules a scan needs are among them: the sale's downloads, batch pricing, the sync's hold, the daily list and the offline worker's registration load after that. Where the markup's own time goes, read from Chromium traces of single fresh loads here: parsing the page (about 150 elements, a dozen form controls with the browser's own inner parts), its first style recalculation and layout, in which a fresh renderer asks the browser process for every font and size it sets (synchronous lookups: with \`system-ui\` first in the stack, 79 font lookups and 20 strikes, a third of the layout's time; with a Traditional Chinese face first, which sets Latin and Chinese alike, 55 and 11), and Chromium's own scan of the page's forms when the document has loaded, which lays the page out again before its first paint. Beyond the markup, what holds the mark back is the module graph the page fetches beside it. In a traced load (tracing slows every step) the network had every module by 95 ms, but the page's one thread took them in only at 128–139 ms, after issuing the twelve early requests (14 ms), parsing the page in two parts (25 ms) and a first frame of the half-parsed page (21 ms); accept.js ran at 157 ms. Ways around that, measured on 2026-12-07 (30 loads of each, taken in turns, p50 over the empty page), the page as it is marked ready at +68.5 ms and decided at +118.6; with the rest of the page below the result put in a \`<template>\` added after the first frame, and app.js imported from accept.js then, +60.2 and +124.5; the same without the modulepreload links, +42.9 and +139.8; the same with the graph's preloads added by accept.js only after the first frame, +46.6 and +144.3 (the page, in that run, +74.3 and +126.8); the same with the preloads as \`rel=preload\` (fetched, not parsed), +55.7 and +122.9; and the wasm's streaming compile started from accept.js and handed to the glue (40 loads), ready unchanged and the decision +6.1 ms later, within the noise: the compile is not what the decision waits for. Also tried that day, none a gain: the stylesheet inlined in the page (the CSP set aside for the trial), +71.4 ms against +70.7; a \`<link rel=expect blocking=render>\` to the page's end, so that no half-parsed frame is drawn, +60.8 against +55.5; the preloads at \`fetchpriority=low\`, ready 6 ms sooner and the decision 6 ms later; \`booktax-config.json\` preloaded too, the decision about 100 ms later on slow lines. The ready budget has been met here only by asking for the page's modules later: this bench runs that alternative beside the page (later.html: the page's own preloads and app.js, asked for once the first frame is drawn), which here marks ready at ${ms(later.p50 - floor.p50)} over the empty page and decides at ${ms(laterDecides.p50 - floor.p50)}, against ${ms(cold.p50 - floor.p50)} and ${ms(decides.p50 - floor.p50)} for the page. On a slow line (${slowLine}), what a shop's old PC may be on, the page is ready at ${ms(slow.page.p50)} against ${ms(slow.later.p50)} for the alternative, and decides at ${ms(slow.decides.p50)} against ${ms(slow.laterDecides.p50)} (the empty page ${ms(slow.floor.p50)}). ${slow.laterDecides.p50 > slow.decides.p50 ? `The alternative asks for its graph only once the page's stylesheet has come and its first frame is drawn, a round trip after the page would, so the budget as written, judged on loopback, rewards a page that is ${ms(slow.laterDecides.p50 - slow.decides.p50)} slower to decide on a slow line${slow.later.p50 > slow.page.p50 ? ` and ${ms(slow.later.p50 - slow.page.p50)} slower to keep codes` : ''}: there the budget is wrong, and the page keeps asking for its whole graph at once.` : '**The alternative is no slower to decide on a slow line: this run says take it.**'} What did help the slow line: accept.js's own imports (dom.js, render.js) named right after it, before app.js and the wasm; named after them, as until 2026-12-07, they were the seventh and eighth requests to one host and waited for one of its six connections: on that line, measured that day (12 loads of each), the mark came at 553 ms p50 with the old order and 437 ms with the new, the decision unchanged (875 and 873 ms), loopback unchanged.`);
{
  // The first visit by role: what is over the budget by itself, and what the rest is made of.
  const files = Object.entries(page.wire.byFile);
  const sum = (pick) => files.filter(([f]) => pick(f)).reduce((n, [, b]) => n + b, 0);
  const wasm = sum((f) => f.endsWith('_bg.wasm'));
  const glue = sum((f) => f === '/pkg/booktax-page.js');
  const markup = sum((f) => f === '/' || f.endsWith('.html') || f.endsWith('.css'));
  const modules = files.filter(([f]) => f.endsWith('.js') && f !== '/pkg/booktax-page.js');
  const moduleBytes = modules.reduce((n, [, b]) => n + b, 0);
  const rest = page.wire.total - page.wire.worker - wasm - glue - markup - moduleBytes;
  notes.push(`- **Bytes.** The page's wasm alone is ${kb(wasm)} on the wire, ${wasm > 80 * 1024 ? 'over the 80 KB budget by itself' : `${kb(80 * 1024 - wasm)} under the budget`}; then its glue ${kb(glue)}, the page's ${modules.length} other modules ${kb(moduleBytes)}, its markup and style ${kb(markup)}, the config, the service's answer and the shell's version ${kb(rest)}, and the worker ${kb(page.wire.worker)}. ${kb(page.wire.headers)} of the visit are response headers (${page.wire.responses} responses, about ${(page.wire.headers / page.wire.responses).toFixed(0)} B each). The budget was set for the lookup alone (a page of 91 KB gzipped, its wasm 71.8 KB); the page has since taken on what later issues asked of it: the sale (its totals and CSV in the wasm; \`sale*.js\`) and the offline start (the worker), beside the offline mirror and batch pricing, which a first visit does not load. Its wasm leaves out what runs in Workers (feature \`workers\`: the sync, the import, batch pricing), the offline mirror (feature \`mirror\`: a page with it on loads the package's \`booktax.js\`, which its Workers use anyway), English (feature \`english\`: the page is zh-TW only) and what only the package's other users call (feature \`library\`, the daily list among them: the page's list reads through \`booktax.js\`, loaded when it is first opened); batch pricing and the daily list load when their panels are first opened, the mirror's panel and the sync's hold only with the mirror on, and the worker caches them on first use; the wasm reads JSON through \`JSON.parse\` rather than a JSON parser of its own; every module and stylesheet is sent minified (esbuild, one file at a time, no bundling), the pages without their sources' comments, and, like every file, precompressed; the wasm's imports from its glue have short names instead of wasm-bindgen's hashed ones (3.1 KB of the wasm and its glue); its code slices no text where core cannot prove a character's boundary, whose panic would bring core's Unicode tables (3.4 KB); and the headers carry the CSP and the referrer policy only where a browser reads them, and neither Last-Modified nor Accept-Ranges. ${page.wire.total <= 80 * 1024 ? 'The budget is met.' : `The budget is **not met** (${kb(page.wire.total - 80 * 1024)} over), and not restated.`}`);
}
notes.push(`- **Scan to verdict.** The floor (an empty page that fetches the same record, writes one line and waits for the next frame) takes p50 ${ms(scanFloor.p50)} and p99 ${ms(scanFloor.p99)} while the service answers in p50 ${ms(service.p50)}: "painted" means the next animation frame, and frames come every 16.7 ms, so no page can be within 5 ms of the service's time at p50. Against the floor, the page is ${ms(live.p50 - scanFloor.p50)} over at p50 (budget restated: ≤ 5 ms) and ${ms(live.p99 - scanFloor.p99)} over at p99 (≤ 16 ms): ${live.p50 - scanFloor.p50 <= 5 && live.p99 - scanFloor.p99 <= 16 ? 'met' : '**not met**'}.`);
notes.push(`- **The sale.** From a change made at the start of a frame to the next frame, a change that does nothing takes p50 ${ms(saleFloor.p50)}: one frame, over the budget by itself. So the budget is judged on the work the change costs its frame, the page's handler and the style and layout it causes (forced in the same task), p50 ${ms(work.p50)}: ${work.p50 <= 16 ? 'met' : '**not met**'}. Painting the changed rows is not in that figure; to the next frame takes p50 ${ms(painted.p50)}, ${ms(painted.p50 - saleFloor.p50)} over the do-nothing change.`);
if (long?.mirrorScans) {
  const alone = spread(long.mirrorScans.total);
  const during = spread(long.duringSync.total);
  const pageDuring = long.pageDuringSync ? spread(long.pageDuringSync.total) : null;
  notes.push(`- **Scan to verdict from the mirror.** The same frame floor applies: p99 ≤ 16 ms is below it. Against the live floor above, the mirror's p99 is ${ms(alone.p99 - scanFloor.p99)} over alone and ${ms(during.p99 - scanFloor.p99)} over when read during a sync (budget restated: ≤ 16 ms over the floor): ${alone.p99 - scanFloor.p99 <= 16 ? 'met alone' : '**not met alone**'}, ${during.p99 - scanFloor.p99 <= 16 ? 'met during a sync' : '**not met during a sync**'}. During a sync, a scan's reads queue in IndexedDB behind the day the sync is writing (Chromium runs an origin's IndexedDB requests in order), and the sync's parsing shares the two cores: so the sync Worker holds between days while the page scans (\`www/sync-hold.js\`: until 1.5 s after the last scan, at most 10 s at a time), and only a write already under way when the scans start is waited on. A scan reads the mirror's state and the book's bucket in one IndexedDB transaction, one round trip (\`MirrorDb::state_and_book\`). The sync under these scans re-applies a year, so the mirror it writes is more than two days behind and decides nothing: each scan shows the mirror's unknown and the service's answer confirms it; a confirmation writes the service's record into the mirror only where the mirror holds another (it rewrote the record on every such scan before, a readwrite transaction ahead of the next scan's read)${pageDuring ? `; and the page asks the service first while its own sync runs, which makes its p99 during a sync ${ms(pageDuring.p99)} (${ms(pageDuring.p99 - scanFloor.p99)} over the floor: ${pageDuring.p99 - scanFloor.p99 <= 16 ? 'met' : '**not met**'})` : ''}.`);
}
if (liveFloors) {
  const { ours, plain, node } = liveFloors;
  const perCode = (x) => (x / liveFloors.codes).toFixed(2);
  const full = long.fromLive[0];
  const parts = [`- **Batch from the live service.** Asking the same ${liveFloors.codes} ISBNs four at a time (${liveFloors.runs} runs of each, in turns) takes the page's plain \`fetch\` p50 ${(plain.p50 / 1000).toFixed(1)} s (${perCode(plain.p50)} ms of wall time a code) and checkBatch ${(ours.p50 / 1000).toFixed(1)} s (${perCode(ours.p50)} ms a code, ${(ours.p50 / plain.p50).toFixed(2)}× fetch: the client's own work, reading and deciding, adds ${perCode(ours.p50 - plain.p50)} ms a code), while Node asks the same service for them in ${(node.p50 / 1000).toFixed(1)} s (${perCode(node.p50)} ms a code).`];
  if (node.p50 <= 0.5 * plain.p50 && ours.p50 <= 1.1 * plain.p50) parts.push(`So the browser's own cost per request on this machine, not the service nor the wasm, sets the pace; the 100,000-line batch above took ${(full.ms / full.codes).toFixed(2)} ms a code.`);
  parts.push('Against the ministry\'s service, the network\'s round trip is added to every request, and four in flight is what the batch asks of a public service.');
  notes.push(parts.join(' '));
}
if (long?.floors) {
  const syncMedian = syncs?.p50 ?? long.sync.ms;
  notes.push(`- **Mirror sync and batch.** IndexedDB alone, from plain JS with the mirror's buckets, takes ${(long.floors.puts / 1000).toFixed(1)} s to write ${long.floors.records} books in ${long.floors.transactions} transactions, and ${(long.floors.gets / 1000).toFixed(1)} s to read the ${long.floors.buckets} buckets of ${long.floors.codes} codes: the sync (${(syncMedian / 1000).toFixed(1)} s, median) is ${(syncMedian / long.floors.puts).toFixed(1)}× its store's floor, the mirror batch (${(spread(long.fromMirror.map((r) => r.ms)).p50 / 1000).toFixed(1)} s) ${(spread(long.fromMirror.map((r) => r.ms)).p50 / long.floors.gets).toFixed(1)}× its reads' floor.`);
}
const table = ['| what | min / median / max (and more) | budget | met |', '| --- | --- | --- | --- |',
  ...rows.map(([what, figure, budget, met]) => `| ${what} | ${figure} | ${budget} | ${met ? 'yes' : '**no**'} |`)].join('\n');
const doc = `# Benchmarks

Written by \`cargo xtask bench\` on ${new Date().toISOString().slice(0, 10)} in ${((Date.now() - started) / 1000).toFixed(0)} s.
Machine: ${machine()}. Headless Chromium and the local service (release build) on loopback.
Every figure depends on this machine except the byte counts.

${table}

## Against the floor

${notes.join('\n')}
`;
await writeFile(path.join(REPO_ROOT, 'BENCHMARKS.md'), doc);
console.log(table);
console.log(notes.join('\n'));
