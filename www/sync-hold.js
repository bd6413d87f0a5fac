// @ts-check
// The mirror's sync held while the clerk scans, in any tab of this origin: a scan's mirror read waits behind the sync's writes, and both share the till's cores.

/** The channel the page's scans are told on and the sync Worker listens to. */
const CHANNEL = 'booktax-scans';
/** A held sync goes on once no scan has come for this long: the gap between a stack's items is shorter. */
const QUIET_MS = 1500;
/** It is held at most this long at a time, so a till that never stops scanning still syncs, a day at a time. */
const HOLD_AT_MOST_MS = 10000;

/** @type {BroadcastChannel | null} */
let teller = null;

/** The page: a scan is starting. */
export function tellScan() {
  try {
    teller ??= new BroadcastChannel(CHANNEL);
    teller.postMessage(0);
  } catch {
    // No BroadcastChannel: the sync is never held.
  }
}

/** When the last scan was heard, by this context's clock; -Infinity before any (or with no channel). */
let lastScan = -Infinity;
/** @type {BroadcastChannel | null} the sync Worker's ear, open for the Worker's life */
let listener = null;

/**
 * The sync Worker: `client.sync`'s `pause`, holding each day until scans have stopped.
 * @returns {() => Promise<void> | undefined}
 */
export function holdWhileScanning() {
  if (!listener) {
    try {
      listener = new BroadcastChannel(CHANNEL);
      listener.addEventListener('message', () => { lastScan = performance.now(); });
    } catch {
      // No BroadcastChannel: never held.
    }
  }
  return () => {
    if (performance.now() - lastScan >= QUIET_MS) return undefined;
    const start = performance.now();
    return new Promise((resolve) => {
      const check = () => {
        const now = performance.now();
        if (now - lastScan >= QUIET_MS || now - start >= HOLD_AT_MOST_MS) resolve();
        else setTimeout(check, Math.min(QUIET_MS - (now - lastScan), HOLD_AT_MOST_MS - (now - start)));
      };
      check();
    });
  };
}
