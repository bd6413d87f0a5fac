// @ts-check
// One wasm instance for every <book-tax-lookup> on the page, and one client (so one policy-date cache) per service.
import init, { BookTaxClient } from './booktax.js';

/** @type {Promise<void> | undefined} */
let loading;

/**
 * Loads the wasm once; a failed load is tried again on the next call.
 * @returns {Promise<void>}
 */
function loadWasm() {
  loading ??= init().then(
    () => undefined,
    (e) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/**
 * Starts loading the wasm when an element is put on a page, so that the first scan does not wait for it (on a
 * 150 ms, 1.5 Mbit/s line, a first lookup a second after load took 1,056 ms when the wasm was fetched for it).
 * A failure is left to that lookup, which tries again and says so.
 */
export function warmUp() {
  loadWasm().catch(() => {});
}

/** @type {Map<string, BookTaxClient>} */
const clients = new Map();

/**
 * The shared client for a service and appid, live or over the offline mirror (created on first use).
 * @param {string} baseUrl "" for this page's origin
 * @param {string} appid
 * @param {boolean} mirror answer from this origin's offline mirror (IndexedDB `booktax`) first
 * @returns {Promise<BookTaxClient>}
 */
export async function clientFor(baseUrl, appid, mirror) {
  await loadWasm();
  const key = JSON.stringify([baseUrl, appid, mirror]);
  let client = clients.get(key);
  if (!client) {
    client = new BookTaxClient({ baseUrl, appid, mirror });
    clients.set(key, client);
  }
  return client;
}
