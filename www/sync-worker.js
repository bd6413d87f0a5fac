// @ts-check
// The offline mirror's sync in a dedicated Worker: one tab at a time (Web Locks), progress and the outcome posted to the page.
import init, { BookTaxClient } from './pkg/booktax.js';

/** @typedef {{ type: 'sync', baseUrl: string, appid?: string, mirrorName?: string } | { type: 'abort' }} Command */

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
  if (command.type !== 'sync' || running) return;
  const controller = new AbortController();
  running = controller;
  try {
    await init();
    const client = new BookTaxClient({ baseUrl: command.baseUrl, appid: command.appid, mirror: true, mirrorName: command.mirrorName });
    const lockName = `booktax-sync:${command.mirrorName ?? command.baseUrl}`;
    const outcome = await navigator.locks.request(lockName, { ifAvailable: true }, async (lock) => {
      if (!lock) return null;
      return client.sync({ signal: controller.signal, onProgress: (p) => post({ type: 'progress', ...p }) });
    });
    post(outcome ? { type: 'done', report: outcome } : { type: 'busy' });
  } catch (e) {
    const error = /** @type {{ code?: string, message?: string }} */ (e ?? {});
    post({ type: 'failed', code: error.code ?? 'internal', message: error.message ?? String(e) });
  } finally {
    running = null;
  }
});
