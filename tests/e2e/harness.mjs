// Shared end-to-end helpers: start booktax-server, launch Debian chromium via playwright-core, look codes up, screenshot.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The site the service serves (`cargo xtask build` makes it from www/: minified, precompressed, with its shell manifest). */
export const SITE = path.resolve(REPO_ROOT, process.env.BOOKTAX_WWW || 'target/site');
export const TZ = process.env.BOOKTAX_TZ || '';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'target', 'e2e-screenshots', TZ ? TZ.replaceAll('/', '_') : 'default');
export const APPID = 'booktax-sample';

const CHROMIUM = process.env.BOOKTAX_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

// Starts the server on a free loopback port (with `args` added, serving the site, or `www` if given); resolves to { url, stop, exited }.
export async function startServer(args = [], { www: servedDir } = {}) {
  const bin = process.env.BOOKTAX_SERVER_BIN;
  if (!bin) {
    throw new Error('BOOKTAX_SERVER_BIN is not set: point it at the booktax-server binary (e.g. target/debug/booktax-server)');
  }
  const www = servedDir ?? SITE;
  // The test admin's token for this server: sent with every admin request.
  const token = randomBytes(16).toString('hex');
  const proc = spawn(path.resolve(REPO_ROOT, bin), ['--listen', '127.0.0.1:0', '--www', www, '--test-admin', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, BOOKTAX_TEST_ADMIN_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const lines = createInterface({ input: proc.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`booktax-server printed no URL within 30 s; stderr: ${stderr}`)), 30000);
    proc.once('error', (e) => { clearTimeout(timer); reject(new Error(`cannot start ${bin}: ${e.message}`)); });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`booktax-server exited (${code ?? signal}) before listening; stderr: ${stderr}`)); });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve(m[1]); else reject(new Error(`unexpected first line from booktax-server: ${line}`));
    });
  });
  lines.on('line', () => {}); // keep draining stdout
  let stopped = false;
  async function stop() {
    if (stopped) return exited;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }
  TOKENS.set(url, token);
  return { url, stop, exited, pid: proc.pid, token };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// A fresh context and page; every request URL the page makes is collected in `requests`.
export async function openPage(browser, url, { waitPolicy = true } = {}) {
  const options = { viewport: { width: 1000, height: 1100 }, locale: 'zh-TW' };
  if (TZ) options.timezoneId = TZ;
  const context = await browser.newContext(options);
  const requests = [];
  context.on('request', (req) => requests.push(req.url()));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  if (waitPolicy) await page.waitForSelector('#policy:not([data-state="loading"])');
  return { context, page, requests, errors };
}

// Each started server's admin token, by its URL.
const TOKENS = new Map();
const adminHeaders = (base) => ({ 'x-booktax-admin-token': TOKENS.get(base) ?? '' });

// Test-admin and API calls made from Node (not from the page).
export async function adminFixtures(base) {
  const res = await fetch(`${base}/__admin/fixtures`, { headers: adminHeaders(base) });
  if (!res.ok) throw new Error(`GET /__admin/fixtures: HTTP ${res.status}`);
  return res.json();
}

export async function adminPost(base, what, body) {
  const res = await fetch(`${base}/__admin/${what}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders(base) },
    body: body === undefined ? '' : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST /__admin/${what}: HTTP ${res.status} ${await res.text()}`);
}

// How many requests the service has had with this appid.
export async function adminHits(base, appid) {
  const res = await fetch(`${base}/__admin/hits?appid=${encodeURIComponent(appid)}`, { headers: adminHeaders(base) });
  if (!res.ok) throw new Error(`GET /__admin/hits: HTTP ${res.status}`);
  return (await res.json()).hits;
}

export async function api(base, pathname) {
  const res = await fetch(`${base}/v1/announcement/${pathname}?appid=${APPID}`);
  return { status: res.status, body: res.status === 200 ? await res.json() : null };
}

// Types (or scans) `text` into the code box, presses Enter and waits for the verdict; returns its state.
export async function lookup(page, text) {
  const input = page.locator('#code');
  await input.fill(text);
  await input.press('Enter');
  return waitVerdict(page);
}

export async function waitVerdict(page) {
  await page.waitForFunction(() => {
    const v = document.getElementById('verdict');
    return v && !v.hasAttribute('aria-busy') && ['exempt', 'taxable', 'unknown'].includes(v.dataset.verdict);
  }, null, { timeout: 30000 });
  return verdictState(page);
}

export async function verdictState(page) {
  return page.evaluate(() => {
    const v = document.getElementById('verdict');
    const fields = {};
    for (const dd of document.querySelectorAll('#details dd[data-field]')) fields[dd.dataset.field] = dd.textContent;
    const items = [...document.querySelectorAll('#ean-items > li')].map((li) => ({
      isbn: li.dataset.isbn,
      verdict: li.dataset.verdict,
      text: li.textContent,
    }));
    const error = document.getElementById('code-error');
    return {
      verdict: v.dataset.verdict,
      reason: v.dataset.reason,
      code: v.dataset.code,
      text: v.textContent,
      word: v.querySelector('.verdict-word')?.textContent ?? null,
      glyph: v.querySelector('.verdict-glyph')?.textContent ?? null,
      background: getComputedStyle(v).backgroundColor,
      fields,
      items,
      error: error.hidden ? null : error.textContent,
    };
  });
}

// The Taipei calendar date `days` from now as YYYY-MM-DD (Taiwan is UTC+08:00 all year).
export function taipeiDay(days = 0) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

/**
 * Keeps the service's clock outside the evening busy window (21:30–24:00 Taipei), in which the page's
 * automatic sync and a batch from the service wait: from 21:00 (a suite takes minutes) it is fixed at
 * 21:00 today, the same Taipei day as the device's; before, it keeps real time, so the pages tested
 * have no clock difference to show. (A run still going at Taipei midnight sees the two clocks on
 * different days.)
 */
export async function outsideBusyWindow(base) {
  const taipeiTime = new Date(Date.now() + 8 * 3600e3).toISOString().slice(11, 16);
  await adminPost(base, 'clock', { now: taipeiTime >= '21:00' ? `${taipeiDay(0)}T21:00:00+08:00` : null });
}

/**
 * Starts collecting what every request of `context` transferred, from its pages and their service workers
 * (encoded body and headers, as sent); `read()` resolves to the list, and must be awaited before the context closes.
 */
export function transfers(context) {
  /** @type {Promise<{ name: string, worker: boolean, body: number, headers: number, sent: number }>[]} */
  const sizes = [];
  context.on('requestfinished', (request) => {
    sizes.push(request.sizes().then((s) => ({
      name: new URL(request.url()).pathname,
      worker: Boolean(request.serviceWorker()),
      body: s.responseBodySize,
      headers: s.responseHeadersSize,
      // What crossed the wire: a response from the HTTP cache reports its stored headers and minus as much body.
      sent: s.responseBodySize + s.responseHeadersSize,
    })));
  });
  return { read: () => Promise.all(sizes) };
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

// The words, glyphs and colours a verdict must show (never colour alone).
export const LOOK = {
  exempt: { word: '免稅', glyph: '✓', background: 'rgb(11, 107, 46)' },
  taxable: { word: '應稅', glyph: '✕', background: 'rgb(168, 0, 28)' },
  unknown: { word: '無法判定', glyph: '⚠', background: 'rgb(255, 176, 0)' },
};

// A suite's world: its own server, the fixture codes, a browser and (unless `page: false`) a page on the lookup.
// If any part fails, what was started is stopped again, so a failed setup cannot leave the run hanging.
export async function openSuite({ page = true } = {}) {
  const server = await startServer();
  let browser;
  try {
    const fx = await adminFixtures(server.url);
    browser = await launchBrowser();
    const opened = page ? await openPage(browser, server.url) : {};
    return { server, fx, browser, ...opened };
  } catch (e) {
    await browser?.close();
    await server.stop();
    throw e;
  }
}

export async function closeSuite({ browser, server }) {
  await browser?.close();
  await server?.stop();
}
