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
