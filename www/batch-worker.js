// @ts-check
// Batch pricing in a dedicated Worker, so a list of tens of thousands of codes never freezes the page: progress, then the summary and the CSV, posted back.
import init, { BookTaxClient } from './pkg/booktax.js';

// The wasm comes through the service worker: a page older than the server, or offline before these files were
// ever downloaded, gets none, and the clerk is told so in words, not in the engine's.
const loadFailed = () => ({ code: 'load_failed', message: navigator.onLine ? '無法載入判定程式：可能已有新版本，請重新載入頁面後再試。' : '無法載入判定程式：離線時須先在連線狀態下使用過一次。' });

/**
 * @typedef {{ type: 'run', input: string | Blob, baseUrl: string, appid?: string, mirror: boolean,
 *   at?: string, format: 'physical' | 'ebook', ignoreBusyWindow: boolean } | { type: 'cancel' }} Command
 */

/** How many unreadable lines the page lists (all of them are in the CSV). */
const UNREADABLE_SHOWN = 1000;

/** @type {AbortController | null} */
let running = null;

// The worker's own postMessage (the page's type library knows only the window's).
const post = /** @type {(message: unknown, transfer?: Transferable[]) => void} */ (/** @type {any} */ (self).postMessage.bind(self));

self.addEventListener('message', async (event) => {
  const command = /** @type {Command} */ (event.data);
  if (command.type === 'cancel') {
    running?.abort();
    return;
  }
  if (command.type !== 'run' || running) return;
  const controller = new AbortController();
  running = controller;
  try {
    await init().catch(() => { throw loadFailed(); });
    const client = new BookTaxClient({ baseUrl: command.baseUrl, appid: command.appid, mirror: command.mirror });
    const report = await client.checkBatch(command.input, {
      at: command.at,
      format: command.format,
      ignoreBusyWindow: command.ignoreBusyWindow,
      signal: controller.signal,
      onProgress: (p) => post({ type: 'progress', ...p }),
      // The page shows the summary and the unreadable lines and offers the CSV: no other row is handed over.
      rows: 'unreadable',
    });
    const unreadable = report.rows;
    // The CSV's bytes move to the page instead of being copied.
    post({
      type: 'done',
      summary: report.summary,
      csv: report.csv,
      source: report.source,
      cancelled: report.cancelled,
      checkoutDate: report.checkoutDate,
      codes: report.codes,
      unreadable: unreadable.slice(0, UNREADABLE_SHOWN).map(({ line, text, detail }) => ({ line, text, detail })),
    }, [report.csv.buffer]);
  } catch (e) {
    const error = /** @type {{ code?: string, message?: string }} */ (e ?? {});
    post({ type: 'failed', code: error.code ?? 'internal', message: error.message ?? String(e) });
  } finally {
    running = null;
  }
});
