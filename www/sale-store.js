// @ts-check
// The current sale (本筆交易) as data: its lines, kept in localStorage at every change so a reload or a crashed tab loses nothing; a new sale can be undone once; its lines as the wasm's sale functions read them.

/** @typedef {import('./pkg/booktax.js').Lookup} Lookup */
/** @typedef {import('./pkg/booktax.js').SaleLine} WasmSaleLine */
/**
 * One line: the code's latest answer and the terms it was decided at, how many, the unit price (whole NT$,
 * tax included; null: not typed yet), the verdict before the last re-decision, and when it was scanned (ms since the epoch).
 * @typedef {{ code: string, quantity: number, unitPrice: number | null, result: Lookup, decidedAt?: string, was?: string, scannedAt?: number }} SaleLine
 */
/** @typedef {{ lines: SaleLine[] }} Sale */

const SALE_KEY = 'booktax.sale';
const PREVIOUS_KEY = 'booktax.sale.previous';

/** @param {unknown} n */
const isCount = (n) => Number.isSafeInteger(n) && /** @type {number} */ (n) >= 0;

/**
 * A stored line, when it still reads as one.
 * @param {any} line
 * @returns {line is SaleLine}
 */
function readsAsLine(line) {
  return Boolean(line) && typeof line.code === 'string' && isCount(line.quantity) && line.quantity > 0 &&
    (line.unitPrice === null || isCount(line.unitPrice)) &&
    Boolean(line.result) && typeof line.result.code === 'string' && typeof line.result.decision?.verdict === 'string';
}

/**
 * The sale stored under `key`; `dropped` counts stored lines that no longer read (they are not shown, and
 * stay stored until the sale changes), `merged` lines of a code stored twice (added into its first line).
 * @param {string} [key]
 * @returns {{ sale: Sale, dropped: number, merged: number }}
 */
export function loadSale(key = SALE_KEY) {
  let stored;
  try {
    stored = JSON.parse(localStorage.getItem(key) ?? 'null');
  } catch {
    return { sale: { lines: [] }, dropped: 1, merged: 0 };
  }
  const lines = Array.isArray(stored?.lines) ? stored.lines : [];
  const readable = lines.filter(readsAsLine);
  // A sale holds one line per code (a scan of the same code adds to its quantity): a code stored
  // twice is one line, its quantities added, priced as its first line.
  /** @type {Map<string, SaleLine>} */
  const byCode = new Map();
  for (const line of readable) {
    const first = byCode.get(line.code);
    if (first) first.quantity += line.quantity;
    else byCode.set(line.code, line);
  }
  return { sale: { lines: [...byCode.values()] }, dropped: lines.length - readable.length, merged: readable.length - byCode.size };
}

/**
 * Stores the sale; returns why it could not be, or ''.
 * @param {Sale} sale
 * @param {string} [key]
 */
export function saveSale(sale, key = SALE_KEY) {
  try {
    localStorage.setItem(key, JSON.stringify(sale));
    return '';
  } catch (e) {
    return `無法保存本筆交易（${(e instanceof Error && e.message) || e}），重新整理前請先匯出。`;
  }
}

/**
 * A scan: a new line, or one more of a code already in the sale (its answer refreshed). Returns the line's index.
 * A new line goes where its scan was made: an answer that came late (a retry) goes before the lines
 * of the scans made after it, so the lines follow the stack as it was scanned.
 * @param {Sale} sale
 * @param {Lookup} result
 * @param {number} [scannedAt] when the scan was made (ms since the epoch)
 */
export function addScan(sale, result, scannedAt = Date.now()) {
  const index = sale.lines.findIndex((l) => l.code === result.code);
  if (index < 0) {
    const line = { code: result.code, quantity: 1, unitPrice: null, result, scannedAt };
    const after = sale.lines.findIndex((l) => (l.scannedAt ?? -Infinity) > scannedAt);
    if (after >= 0) {
      sale.lines.splice(after, 0, line);
      return after;
    }
    sale.lines.push(line);
    return sale.lines.length - 1;
  }
  const line = sale.lines[index];
  line.quantity += 1;
  line.result = result;
  delete line.was;
  return index;
}

/**
 * A later answer for a code already in the sale (the live service confirming the mirror): no more items.
 * @param {Sale} sale
 * @param {Lookup} result
 * @param {string} decidedAt the terms it was decided at (the line is decided again if they are no longer the page's)
 */
export function replaceAnswer(sale, result, decidedAt) {
  const line = sale.lines.find((l) => l.code === result.code);
  if (!line) return false;
  line.result = result;
  line.decidedAt = decidedAt;
  return true;
}

/**
 * Starts a new sale: the current one is kept once, for `undoNewSale`; null (nothing changed) when it cannot be kept.
 * @param {Sale} sale
 * @returns {Sale | null}
 */
export function newSale(sale) {
  if (saveSale(sale, PREVIOUS_KEY)) return null;
  const empty = { lines: [] };
  saveSale(empty);
  return empty;
}

/** Whether a sale can be brought back. */
export function canUndoNewSale() {
  try {
    return localStorage.getItem(PREVIOUS_KEY) !== null;
  } catch {
    return false;
  }
}

/** Forgets the sale kept for undo (the new sale has begun in earnest). */
export function forgetPrevious() {
  try {
    localStorage.removeItem(PREVIOUS_KEY);
  } catch {
    // Nothing kept, nothing to forget.
  }
}

/**
 * Brings the sale before the last 「新交易」 back, once.
 * @returns {Sale | null}
 */
export function undoNewSale() {
  if (!canUndoNewSale()) return null;
  const { sale } = loadSale(PREVIOUS_KEY);
  forgetPrevious();
  saveSale(sale);
  return sale;
}

/** The storage key, for noticing another tab's change. */
export const SALE_STORAGE_KEY = SALE_KEY;

/**
 * Each line as `saleTotals` / `saleCsv` read it; a price not typed yet counts as 0.
 * @param {Sale} sale
 * @returns {WasmSaleLine[]}
 */
export function saleItems(sale) {
  return sale.lines.map((l) => {
    const record = /** @type {{ title?: string | null } | null} */ (l.result.record);
    return {
      code: l.code,
      title: record?.title ?? '',
      detail: l.result.decision.detail,
      verdict: l.result.decision.verdict,
      unitPrice: l.unitPrice ?? 0,
      quantity: l.quantity,
    };
  });
}
