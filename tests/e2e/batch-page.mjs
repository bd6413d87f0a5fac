// Batch pricing's page steps for the tests: a context on the page with the batch panel open, a run on a file, the CSV it offers, read back.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { TZ } from './harness.mjs';

/**
 * A context on the page with the batch panel open; `route`: a URL pattern and its handler, set before anything loads.
 * @param {{ mirror?: boolean, route?: [string, (route: any) => unknown] }} [how]
 */
export async function openBatch(browser, url, { mirror = false, route } = {}) {
  const options = { viewport: { width: 1000, height: 1100 }, locale: 'zh-TW', acceptDownloads: true };
  if (TZ) options.timezoneId = TZ;
  const context = await browser.newContext(options);
  if (route) await context.route(...route);
  if (mirror) await context.addInitScript(() => localStorage.setItem('booktax.mirror', '1'));
  const requests = [];
  context.on('request', (req) => requests.push(req.url()));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  await page.locator('#batch').evaluate((d) => { d.open = true; });
  return { context, page, errors, requests };
}

export const status = (page) => page.locator('#batch-status').textContent();

/** Starts a run on a file (or a string, pasted) and waits for its download button; returns the progress seen on the way. */
export async function run(page, file, { timeout = 120000 } = {}) {
  if (typeof file === 'string') {
    await page.locator('#batch-file').setInputFiles([]);
    await page.locator('#batch-text').fill(file);
  } else {
    await page.locator('#batch-file').setInputFiles(file);
  }
  await page.locator('#batch-run').click();
  // The progress the clerk sees: the bar's value and the status line, sampled until the end.
  const seen = await page.evaluate(async (timeout) => {
    const bar = document.getElementById('batch-progress');
    const samples = [];
    const end = Date.now() + timeout;
    while (document.getElementById('batch-download').hidden && Date.now() < end) {
      if (!bar.hidden) samples.push({ value: bar.value, max: bar.max, text: document.getElementById('batch-status').textContent });
      await new Promise((r) => setTimeout(r, 250));
    }
    return samples;
  }, timeout);
  await page.waitForSelector('#batch-download:not([hidden])', { timeout: 5000 });
  return seen;
}

export async function downloadCsv(page) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator('#batch-download').click()]);
  return readFile(await file.path(), 'utf8');
}

/** Our CSV documents (UTF-8 with BOM, CRLF, quoted cells may hold commas) as rows of cells, the header included. */
export function csvCells(text) {
  assert.ok(text.startsWith('\ufeff'), 'UTF-8 with BOM');
  const lines = text.slice(1).split('\r\n');
  assert.equal(lines.pop(), '', 'every row ends in CRLF');
  return lines.map((line) => {
    const cells = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) { cells.push(cell); cell = ''; } else cell += c;
    }
    cells.push(cell);
    return cells;
  });
}

/** A batch CSV's rows (without the header) by the columns the tests read. */
export function rows(text) {
  return csvCells(text).slice(1).map((cells) => ({ line: cells[0], text: cells[1], code: cells[2], verdict: cells[5], reason: cells[6] }));
}
