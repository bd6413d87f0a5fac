// @ts-check
// The offline mirror's writers in a dedicated Worker: the sync (one tab at a time, by Web Locks) and the historical import, progress and outcomes posted to the page.
import init, { BookTaxClient } from './pkg/booktax.js';
import { holdWhileScanning } from './sync-hold.js';

// The wasm comes through the service worker: a page older than the server, or offline before these files were
// ever downloaded, gets none, and the clerk is told so in words, not in the engine's.
const loadFailed = () => ({ code: 'load_failed', message: navigator.onLine ? '無法載入判定程式：可能已有新版本，請重新載入頁面後再試。' : '無法載入判定程式：離線時須先在連線狀態下使用過一次。' });

/** @typedef {{ type: 'sync', baseUrl: string, appid?: string, mirrorName?: string } | { type: 'import', file: Blob, baseUrl: string, appid?: string } | { type: 'abort' }} Command */

/** @type {AbortController | null} */
let running = null;

// The worker's own postMessage (the page's type library knows only the window's).
const post = /** @type {(message: unknown) => void} */ (/** @type {any} */ (self).postMessage.bind(self));

self.addEventListener('message', async (event) => {
  const command = /** @type {Command} */ (event.data);
  if (command.type === 'abort') {
    running?.abort();
    return;
  }
  if (command.type === 'import') {
    // The historical list: every good row in one transaction, or none (the page's thread stays free meanwhile).
    try {
      await init().catch(() => { throw loadFailed(); });
      const client = new BookTaxClient({ baseUrl: command.baseUrl, appid: command.appid, mirror: true });
      post({ type: 'imported', report: await client.importHistorical(command.file) });
    } catch (e) {
      const error = /** @type {{ code?: string, message?: string }} */ (e ?? {});
      post({ type: 'failed', code: error.code ?? 'internal', message: error.message ?? String(e) });
    }
    return;
  }
  if (command.type !== 'sync' || running) return;
  const controller = new AbortController();
  running = controller;
  try {
    await init().catch(() => { throw loadFailed(); });
    const client = new BookTaxClient({ baseUrl: command.baseUrl, appid: command.appid, mirror: true, mirrorName: command.mirrorName });
    const lockName = `booktax-sync:${command.mirrorName ?? command.baseUrl}`;
    const outcome = await navigator.locks.request(lockName, { ifAvailable: true }, async (lock) => {
      if (!lock) return null;
      return client.sync({ signal: controller.signal, onProgress: (p) => post({ type: 'progress', ...p }), pause: holdWhileScanning() });
    });
    post(outcome ? { type: 'done', report: outcome } : { type: 'busy' });
  } catch (e) {
    const error = /** @type {{ code?: string, message?: string }} */ (e ?? {});
    post({ type: 'failed', code: error.code ?? 'internal', message: error.message ?? String(e) });
  } finally {
    running = null;
  }
});
