// @ts-check
// The batch pricing panel (整批查詢): a file or pasted list priced in a Worker, with progress, time left and cancel; the summary, the unreadable lines and the CSV to download.

import { byId, el, formatDate, workerFailed } from './dom.js';
import { downloadText, fileStamp } from './sale-export.js';

/** @typedef {{ baseUrl: string, appid?: string }} Service */
/** @typedef {import('./pkg/booktax.js').BatchSummary} BatchSummary */

const ui = {
  form: byId('batch-form', HTMLFormElement),
  file: byId('batch-file', HTMLInputElement),
  text: byId('batch-text', HTMLTextAreaElement),
  busy: byId('batch-busy', HTMLInputElement),
  run: byId('batch-run', HTMLButtonElement),
  cancel: byId('batch-cancel', HTMLButtonElement),
  download: byId('batch-download', HTMLButtonElement),
  progress: byId('batch-progress', HTMLProgressElement),
  status: byId('batch-status', HTMLElement),
  result: byId('batch-result', HTMLElement),
};

/** @type {Worker | null} */
let worker = null;
/** Stops the running batch at once, its Worker and all (after a cancel it did not answer). @type {(() => void) | null} */
let stopRun = null;
/** How long a cancelled batch has to send what it has before its Worker is stopped. */
const CANCEL_GRACE_MS = 10000;
/** The last result's CSV and file name. */
let lastCsv = { bytes: new Uint8Array(0), name: '' };

/** @param {number} n */
const count = (n) => n.toLocaleString('zh-TW');

/** @param {number} seconds */
function timeLeft(seconds) {
  if (!Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `約剩 ${Math.floor(s / 60)} 分 ${s % 60} 秒` : `約剩 ${s} 秒`;
}

/** @param {boolean} busy */
function running(busy) {
  ui.run.disabled = busy;
  ui.cancel.hidden = !busy;
  ui.progress.hidden = !busy;
  if (busy) ui.download.hidden = true;
}

/**
 * Shows the summary and the unreadable lines.
 * @param {{ summary: BatchSummary, source: string, cancelled: boolean, checkoutDate: string | null, codes: number,
 *   unreadable: Array<{ line: number, text: string, detail: string }> }} done
 */
function showResult(done) {
  const s = done.summary;
  const list = el(document, 'ul', 'batch-summary',
    el(document, 'li', null, `免稅 ${count(s.exempt)} 行`),
    el(document, 'li', null, `應稅 ${count(s.taxable)} 行`),
    el(document, 'li', null, `無法判定 ${count(s.unknown)} 行`),
    el(document, 'li', null, `無法讀取 ${count(s.unreadable)} 行`),
    s.notChecked ? el(document, 'li', null, `未查詢 ${count(s.notChecked)} 行`) : null,
    el(document, 'li', null, `標題或空白 ${count(s.skipped)} 行`));
  list.id = 'batch-summary';
  const parts = [list,
    el(document, 'p', 'hint', `共 ${count(s.lines)} 行、${count(done.codes)} 個不同條碼；依 ${formatDate(done.checkoutDate)} 判定，資料來源：${done.source === 'mirror' ? '離線資料' : '公告服務'}。無法判定者請以應稅處理。`)];
  if (done.unreadable.length) {
    const bad = el(document, 'ol', 'batch-unreadable');
    for (const row of done.unreadable) bad.append(el(document, 'li', null, `第 ${row.line} 行「${row.text}」：${row.detail}`));
    parts.push(el(document, 'p', null, `無法讀取的行（${count(s.unreadable)}${s.unreadable > done.unreadable.length ? `，列出前 ${count(done.unreadable.length)}` : ''}）：`), bad);
  }
  ui.result.replaceChildren(...parts);
}

/**
 * Wires the panel: `service()` says where to ask, `mirror()` whether the offline mirror is on, `terms()` the moment and format.
 * @param {{ service: () => Service, mirror: () => boolean, terms: () => { at?: string, format: 'physical' | 'ebook' } }} hooks
 */
export function setUpBatch({ service, mirror, terms }) {
  ui.run.disabled = false;
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (worker) return;
    const file = ui.file.files?.[0];
    const input = file ?? ui.text.value;
    if (!file && !ui.text.value.trim()) {
      ui.status.textContent = '請選擇檔案或貼上條碼清單。';
      return;
    }
    const w = new Worker(new URL('./batch-worker.js', import.meta.url), { type: 'module' });
    worker = w;
    running(true);
    ui.result.replaceChildren();
    ui.status.textContent = '準備中…';
    const started = performance.now();
    const finish = (/** @type {string} */ message) => {
      w.terminate();
      if (worker !== w) return;
      worker = null;
      stopRun = null;
      running(false);
      ui.status.textContent = message;
    };
    stopRun = () => finish('已取消：整批查詢沒有回應，已停止（沒有可下載的結果）。');
    w.addEventListener('message', (e) => {
      const m = e.data;
      if (m.type === 'progress') {
        ui.progress.max = Math.max(1, m.total);
        ui.progress.value = m.done;
        const elapsed = (performance.now() - started) / 1000;
        const left = m.done > 0 ? timeLeft(((m.total - m.done) * elapsed) / m.done) : '';
        ui.status.textContent = m.paused
          ? `晚間 21:30 至 24:00 公告服務最忙碌，已暫停（已完成 ${count(m.done)}／${count(m.total)} 個條碼）。可取消後勾選「也繼續查詢」再開始。`
          : `查詢中：${count(m.done)}／${count(m.total)} 個條碼（${m.source === 'mirror' ? '離線資料' : '公告服務'}）${left ? `，${left}` : ''}`;
      } else if (m.type === 'done') {
        lastCsv = { bytes: m.csv, name: `booktax-batch-${fileStamp(new Date(Date.now() + 8 * 3600000).toISOString())}.csv` };
        ui.download.hidden = false;
        showResult(m);
        finish(m.cancelled
          ? `已取消：已查詢的部分可下載（${count(m.summary.notChecked)} 行未查詢，結果中標示為「未查詢」）。`
          : `完成：${count(m.summary.lines)} 行，${((performance.now() - started) / 1000).toFixed(1)} 秒。`);
      } else if (m.type === 'failed') {
        finish(`無法查詢：${m.message}`);
      }
    });
    w.addEventListener('error', () => finish(workerFailed('整批查詢')));
    const { baseUrl, appid } = service();
    w.postMessage({ type: 'run', input, baseUrl, appid, mirror: mirror(), ignoreBusyWindow: ui.busy.checked, ...terms() });
  });
  ui.cancel.addEventListener('click', () => {
    const w = worker;
    if (!w) return;
    w.postMessage({ type: 'cancel' });
    ui.status.textContent = '取消中…';
    // A Worker that does not answer the cancel (still loading its module, which never came) is stopped.
    setTimeout(() => { if (worker === w) stopRun?.(); }, CANCEL_GRACE_MS);
  });
  ui.download.addEventListener('click', () => downloadText(lastCsv.bytes, lastCsv.name, 'text/csv;charset=utf-8'));
}
