// @ts-check
// The offline mirror panel, once the mirror is on: sync in a Worker (automatically outside 21:30–24:00, or 「立即同步」), import the historical list, show how current and how big it is.

import { byId, el, formatDate, workerFailed } from './dom.js';
import { mirrorEnabled } from './mirror.js';

/** How often the page checks whether an automatic sync is due. */
const AUTO_CHECK_MS = 15 * 60 * 1000;
/** What the status line adds for a mirror that is not current. */
const FRESHNESS_WARNINGS = /** @type {Record<string, string>} */ ({
  stale: '已超過 2 天未更新：離線查詢一律顯示「無法判定」，請連線同步。',
  ahead: '本機時鐘的日期早於離線資料，時鐘有誤：離線查詢一律顯示「無法判定」，請校正電腦時間。',
});

/** @typedef {import('./pkg/booktax-page.js').BookTaxClient | import('./pkg/booktax.js').BookTaxClient} BookTaxClient */
/** @typedef {{ baseUrl: string, appid?: string }} Service */

const ui = {
  status: byId('mirror-status', HTMLElement),
  progress: byId('mirror-progress', HTMLProgressElement),
  sync: byId('mirror-sync', HTMLButtonElement),
  stop: byId('mirror-stop', HTMLButtonElement),
  message: byId('mirror-message', HTMLElement),
  importFile: byId('mirror-import', HTMLInputElement),
  importResult: byId('mirror-import-result', HTMLElement),
};

/** Whether this page's sync is writing the mirror now: lookups then ask the live service first. */
export function mirrorSyncing() {
  return worker !== null;
}

/** @type {Worker | null} */
let worker = null;
/** @type {(() => Service) | null} */
let serviceOf = null;
/** @type {(() => BookTaxClient | null) | null} */
let clientOf = null;
/** @type {() => string} */
let problemOf = () => '';

/** @param {number | null | undefined} bytes */
function megabytes(bytes) {
  return typeof bytes === 'number' ? `${(bytes / 1048576).toFixed(1)} MB` : '未知';
}

/** Shows what the mirror holds, or that it is off. */
export async function showMirrorStatus() {
  const client = clientOf?.();
  ui.sync.disabled = !mirrorEnabled() || worker !== null;
  ui.importFile.disabled = !mirrorEnabled();
  if (!mirrorEnabled() || !client) {
    ui.status.textContent = '未啟用：每次查詢都連線至公告服務。';
    ui.status.dataset.freshness = 'off';
    return;
  }
  // The page's own module has no mirror: the page is still loading booktax.js, or it could not.
  if (problemOf() || !('mirrorStatus' in client)) {
    ui.status.textContent = problemOf() || '離線資料讀取中…';
    ui.status.dataset.freshness = problemOf() ? 'error' : 'loading';
    return;
  }
  try {
    const s = await client.mirrorStatus();
    ui.status.dataset.freshness = s.freshness;
    ui.status.textContent = s.appliedThrough
      ? `資料更新至 ${formatDate(s.appliedThrough)}：${s.isbns.toLocaleString('zh-TW')} 筆書籍、${s.eans.toLocaleString('zh-TW')} 筆套書，政策施行到期日 ${formatDate(s.policyExpiryDate)}，本站資料共用 ${megabytes(s.bytes)}。${FRESHNESS_WARNINGS[s.freshness] ?? ''}`
      : `尚未下載離線資料（本站資料共用 ${megabytes(s.bytes)}）。`;
  } catch (e) {
    ui.status.textContent = `無法讀取離線資料：${(e instanceof Error && e.message) || e}`;
    ui.status.dataset.freshness = 'error';
  }
}

/** Whether an automatic sync may run now: not 21:30–24:00 Taipei, when many units read the lists. */
function busyWindow() {
  const client = clientOf?.();
  const time = client ? client.now().time.slice(11, 16) : '';
  return time >= '21:30';
}

/**
 * Syncs in a dedicated Worker; a second call while one runs does nothing.
 * @param {{ manual: boolean }} how
 */
function startSync({ manual }) {
  if (!mirrorEnabled() || worker || !serviceOf) return;
  if (!manual && busyWindow()) {
    ui.message.textContent = '每晚 21:30 至 24:00 不自動同步（公告服務此時最忙碌）；需要時請按「立即同步」。';
    return;
  }
  const service = serviceOf();
  const w = new Worker(new URL('./sync-worker.js', import.meta.url), { type: 'module' });
  worker = w;
  ui.sync.disabled = true;
  ui.stop.hidden = false;
  ui.progress.hidden = false;
  ui.progress.removeAttribute('value');
  ui.message.textContent = '同步中…';
  const finish = (/** @type {string} */ message) => {
    w.terminate();
    worker = null;
    ui.stop.hidden = true;
    ui.progress.hidden = true;
    ui.message.textContent = message;
    showMirrorStatus();
  };
  w.addEventListener('message', (event) => {
    const m = event.data;
    if (m.type === 'progress') {
      ui.progress.max = Math.max(1, m.total);
      ui.progress.value = m.done;
      ui.message.textContent = `同步中：${formatDate(m.day)}（${m.done}／${m.total} 天）`;
    } else if (m.type === 'done') {
      finish(m.report.days ? `同步完成：套用 ${m.report.days} 天的公告。` : '離線資料已是最新。');
    } else if (m.type === 'busy') {
      finish('另一個分頁正在同步，這裡不重複進行。');
    } else if (m.type === 'failed') {
      finish(m.code === 'aborted' ? '已停止同步，已完成的日期都已保存。' : `同步中斷（${m.message}），已完成的日期都已保存，下次會從中斷處繼續。`);
    }
  });
  w.addEventListener('error', () => finish(workerFailed('同步')));
  // No mirror name: the client names the mirror after its service, as the page's client does.
  w.postMessage({ type: 'sync', baseUrl: service.baseUrl, appid: service.appid });
}

/**
 * Wires the panel: `service()` says where to sync from, `client()` gives the page's client, `problem()` why it
 * cannot read the mirror.
 * @param {{ service: () => Service, client: () => BookTaxClient | null, problem: () => string }} hooks
 */
export function setUpPanel({ service, client, problem }) {
  serviceOf = service;
  clientOf = client;
  problemOf = problem;
  ui.sync.addEventListener('click', () => startSync({ manual: true }));
  ui.importFile.addEventListener('change', () => importFile());
  ui.stop.addEventListener('click', () => worker?.postMessage({ type: 'abort' }));
  showMirrorStatus();
}

/** The clerk just turned the mirror on: keep its data, sync now, and cache the Workers' files for offline use. */
export async function turnedOn() {
  // Ask the browser to keep the data when space runs short.
  const kept = await navigator.storage?.persist?.().catch(() => false);
  ui.message.textContent = kept ? '已啟用，瀏覽器會長期保存離線資料。' : '已啟用（瀏覽器可能在空間不足時清除離線資料）。';
  startSync({ manual: true });
  keepWorkersOffline();
}

/**
 * The historical list imported in the mirror's Worker (the page's wasm has no importer: it is the
 * Workers' part of the package), resolving to its report or rejecting with `{ code, message }`.
 * @param {File} file
 * @returns {Promise<import('./pkg/booktax.js').ImportReport>}
 */
function importInWorker(file) {
  const service = serviceOf?.();
  if (!service) return Promise.reject(new Error('沒有設定公告服務'));
  const w = new Worker(new URL('./sync-worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    w.addEventListener('message', (event) => {
      const m = event.data;
      if (m.type === 'imported') resolve(m.report);
      else if (m.type === 'failed') reject(m);
    });
    w.addEventListener('error', () => reject(new Error(workerFailed('匯入'))));
    w.postMessage({ type: 'import', file, baseUrl: service.baseUrl, appid: service.appid });
  }).finally(() => w.terminate());
}

/** Imports the picked historical list and reports every rejected row by its line; the file input is cleared for the next one. */
async function importFile() {
  const file = ui.importFile.files?.[0];
  if (!file || !clientOf?.()) return;
  ui.importResult.replaceChildren(el(document, 'p', null, `匯入中：${file.name}…`));
  try {
    const report = await importInWorker(file);
    const held = report.alreadyHeld ? `另 ${report.alreadyHeld.toLocaleString('zh-TW')} 筆離線資料已有（以每日公告為準）。` : '';
    const parts = [el(document, 'p', 'import-summary', `已匯入 ${report.imported.toLocaleString('zh-TW')} 筆；${report.rejected.length} 列未匯入。${held}`)];
    for (const note of report.notes) parts.push(el(document, 'p', 'import-note', note));
    if (report.rejected.length) {
      const list = el(document, 'ol', 'import-rejected');
      for (const row of report.rejected) list.append(el(document, 'li', null, `第 ${row.line} 列：${row.reason}`));
      parts.push(list);
    }
    ui.importResult.replaceChildren(...parts);
  } catch (e) {
    const error = /** @type {{ message?: string }} */ (e ?? {});
    ui.importResult.replaceChildren(el(document, 'p', 'import-failed', `未匯入任何資料：${error.message ?? String(e)}`));
  } finally {
    ui.importFile.value = '';
    showMirrorStatus();
  }
}

/** With the mirror on, the Workers' files are cached now (after the page is ready), so a batch or an import works offline. */
function keepWorkersOffline() {
  navigator.serviceWorker?.ready.then((r) => r.active?.postMessage('cache-workers')).catch(() => {});
}

/** The automatic sync: now (once the page knows the service's clock) and every 15 minutes, outside the busy window. */
export function autoSync() {
  if (mirrorEnabled()) keepWorkersOffline();
  startSync({ manual: false });
  setInterval(() => startSync({ manual: false }), AUTO_CHECK_MS);
}
