// @ts-check
// The sale panel (本筆交易): each scan a line, quantities and prices typed from the keyboard, totals from the wasm, every line re-decided when the checkout time or format changes, exported for the invoice.

import { byId, el, setText } from './dom.js';
import { unknownDecision, verdictBadge, verdictOf } from './render.js';
import { addScan, canUndoNewSale, forgetPrevious, loadSale, newSale, replaceAnswer, saleItems, saveSale, undoNewSale, SALE_STORAGE_KEY } from './sale-store.js';

/** @typedef {import('./pkg/booktax-page.js')} Wasm */
/** @typedef {import('./pkg/booktax-page.js').BookTaxClient} BookTaxClient */
/** @typedef {import('./pkg/booktax.js').Lookup} Lookup */
/** @typedef {import('./sale-store.js').Sale} Sale */
/** @typedef {import('./sale-store.js').SaleLine} SaleLine */
/**
 * What the panel needs from the page.
 * @typedef {{ wasm: () => Wasm | null, client: () => BookTaxClient | null, terms: () => { at?: string, format: 'physical' | 'ebook' }, code: HTMLInputElement }} Hooks
 */

const WORDS = { exempt: '免稅', taxable: '應稅', unknown: '無法判定' };
const INVOICE_TYPES = { 1: '1 應稅', 3: '3 免稅', 9: '9 混合（應稅與免稅）' };

const ui = {
  lines: byId('sale-lines', HTMLTableSectionElement),
  table: byId('sale-table', HTMLTableElement),
  empty: byId('sale-empty', HTMLElement),
  exempt: byId('sale-exempt', HTMLElement),
  taxable: byId('sale-taxable', HTMLElement),
  tax: byId('sale-tax', HTMLElement),
  total: byId('sale-total', HTMLElement),
  type: byId('sale-type', HTMLElement),
  notes: byId('sale-notes', HTMLElement),
  status: byId('sale-status', HTMLElement),
  newSale: byId('sale-new', HTMLButtonElement),
  undo: byId('sale-undo', HTMLButtonElement),
  csv: byId('sale-csv', HTMLButtonElement),
  json: byId('sale-json', HTMLButtonElement),
  copy: byId('sale-copy', HTMLButtonElement),
  print: byId('sale-print', HTMLButtonElement),
  printed: byId('sale-printed', HTMLElement),
};

/** @type {Sale} */
let sale = { lines: [] };
/** @type {Hooks | null} */
let hooks = null;
/** Re-decisions under way: a newer one supersedes. */
let redecideSeq = 0;
/** Scans asked and not yet answered: 「$」 waits for them, so a price never lands on the item before. */
let scansPending = 0;
/** The code scanned last: 「$」 prices its line. */
let lastScanned = '';
/** Scans asked so far, and which of them gave `lastScanned`: answers may come back in another order. */
let scansAsked = 0;
let lastScannedAsked = 0;
/** When the last scan was made, as its line is ordered (ms since the epoch, never going back). */
let lastScanAt = 0;

// Whole dollars with thousands commas, as zh-TW writes them. Not Intl.NumberFormat: building its
// zh-TW data took about 40 ms of the page's start on the bench machine.
/** @param {number} n */
const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** @param {number} n */
const money = (n) => `NT$ ${grouped(n)}`;

/** Each line's row by code: a row is built once and its cells are updated in place. @type {Map<string, Row>} */
const built = new Map();

/**
 * Reads a typed whole number (a price or a quantity).
 * @param {string} typed
 * @returns {number | null}
 */
function wholeNumber(typed) {
  const t = typed.trim().replace(/[,，]/g, '');
  if (!/^\d{1,15}$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** @param {string} message */
function say(message) {
  ui.status.textContent = message;
}

/**
 * The terms every line must be decided at: the checkout day (for "now", today by the corrected clock,
 * so a sale kept past midnight is decided again) and the format. Lines carry the key they were decided at.
 */
function termsKey() {
  const terms = hooks?.terms() ?? { format: 'physical' };
  const day = terms.at ? terms.at.slice(0, 10) : `now ${hooks?.client()?.now().date ?? ''}`;
  return JSON.stringify([day, terms.format]);
}

/** A store put off by `showThenStore`, not yet done, and the sale it is for. */
let storeLater = 0;
/** @type {Sale | null} */
let pendingStore = null;

/** Stores the sale; the sale kept for undo goes once the new one has lines. */
function store() {
  dropPendingStore();
  const problem = saveSale(sale);
  if (sale.lines.length) forgetPrevious();
  if (problem) say(problem);
}

/** Stores the sale and shows it. */
function commit() {
  store();
  render();
}

/**
 * Shows the sale now and stores it after the next frame: for a re-decision, which a reload makes
 * again from the stored lines' terms, so nothing is lost if the tab goes first.
 */
function showThenStore() {
  render();
  const shown = sale;
  pendingStore = shown;
  requestAnimationFrame(() => {
    clearTimeout(storeLater);
    // Only the sale it was for: another tab's sale read in meanwhile, a new sale or an undo is not this one.
    storeLater = setTimeout(() => { if (sale === shown && pendingStore === shown) store(); }, 0);
  });
}

/** Drops a store put off by `showThenStore` (the sale it was for is no longer this tab's to write). */
function dropPendingStore() {
  clearTimeout(storeLater);
  pendingStore = null;
}

/** The totals the wasm computes, or null (and why) when they cannot be had. */
function totals() {
  const wasm = hooks?.wasm();
  if (!wasm) return { totals: null, problem: '判定程式未載入，無法計算金額。' };
  try {
    return { totals: wasm.saleTotals(saleItems(sale)), problem: '' };
  } catch (e) {
    return { totals: null, problem: (e instanceof Error && e.message) || String(e) };
  }
}

/**
 * The index of the line with this code now, or -1: a row outlives the objects it was built from
 * (a reload from another tab, an undone new sale), so it finds its line when it is used.
 * @param {string} code
 */
const lineIndex = (code) => sale.lines.findIndex((l) => l.code === code);

/**
 * A number field of a line: Enter keeps it and goes back to the code field.
 * @param {string} code
 * @param {'quantity' | 'unitPrice'} which
 */
function numberField(code, which) {
  const input = document.createElement('input');
  input.type = 'text';
  input.inputMode = 'numeric';
  input.autocomplete = 'off';
  input.className = `sale-${which === 'quantity' ? 'qty' : 'price'}`;
  input.placeholder = which === 'unitPrice' ? '未填' : '';
  const keep = () => {
    const at = lineIndex(code);
    if (at < 0) return true;
    const current = sale.lines[at];
    const typed = input.value.trim();
    const n = typed === '' ? null : wholeNumber(typed);
    // A quantity is 1 or more; a price is 0 or more, or nothing yet (an empty field).
    const bad = which === 'quantity' ? !n : typed !== '' && n === null;
    if (bad) {
      input.setAttribute('aria-invalid', 'true');
      say(which === 'quantity' ? `第 ${at + 1} 項：數量須為 1 以上的整數。` : `第 ${at + 1} 項：單價須為 0 以上的整數（元）。`);
      return false;
    }
    input.removeAttribute('aria-invalid');
    if (current[which] !== n) {
      if (which === 'quantity') current.quantity = n ?? 1;
      else current.unitPrice = n;
      commit();
    }
    return true;
  };
  input.addEventListener('change', () => { keep(); });
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    if (!keep()) return;
    hooks?.code.focus();
    hooks?.code.select();
  });
  return input;
}

/**
 * A line's row, built once per code: its cells, and what each last showed.
 * @typedef {{ tr: HTMLTableRowElement, n: HTMLElement, what: HTMLElement, why: HTMLElement,
 *   quantity: HTMLInputElement, price: HTMLInputElement, amount: HTMLElement, remove: HTMLButtonElement,
 *   shown: Record<string, string> }} Row
 */

/**
 * Builds the row of the line with this code, empty: `update` fills it.
 * @param {string} code
 * @returns {Row}
 */
function buildRow(code) {
  const tr = document.createElement('tr');
  tr.dataset.code = code;
  tr.setAttribute('role', 'row');
  const cell = (/** @type {string | null} */ className) => {
    const td = el(document, 'td', className);
    td.setAttribute('role', 'cell');
    return td;
  };
  const r = {
    tr, n: cell('sale-n'), what: cell('sale-what'), why: cell('sale-why'),
    quantity: numberField(code, 'quantity'), price: numberField(code, 'unitPrice'),
    amount: cell('sale-num sale-amount'),
    remove: /** @type {HTMLButtonElement} */ (el(document, 'button', 'sale-remove', '移除')),
    shown: {},
  };
  r.remove.type = 'button';
  r.remove.addEventListener('click', () => {
    const at = lineIndex(code);
    if (at < 0) return;
    sale.lines.splice(at, 1);
    commit();
    say(`已移除第 ${at + 1} 項。`);
    hooks?.code.focus();
  });
  const holding = (/** @type {HTMLElement} */ child, /** @type {string | null} */ className) => {
    const td = cell(className);
    td.append(child);
    return td;
  };
  tr.append(r.n, r.what, r.why, holding(r.quantity, 'sale-num'), holding(r.price, 'sale-num'), r.amount, holding(r.remove, null));
  return r;
}

/**
 * Writes into the row only what changed since it was last shown: re-deciding a long sale
 * touches the verdict cells of the lines whose verdict moved, and builds nothing.
 * @param {Row} r
 * @param {SaleLine} line
 * @param {number} index
 * @param {number | undefined} amount
 */
function update(r, line, index, amount) {
  const { result } = line;
  const d = result.decision;
  const title = /** @type {{ title?: string | null } | null} */ (result.record)?.title || '';
  const verdict = verdictOf(d);
  const changed = Boolean(line.was && line.was !== verdict);
  /** Runs `write` when `key` shows something new. @param {string} key @param {string} now @param {() => void} write */
  const once = (key, now, write) => {
    if (r.shown[key] === now) return;
    r.shown[key] = now;
    write();
  };
  once('index', `${index}\u0000${title}`, () => {
    r.n.textContent = String(index + 1);
    r.quantity.setAttribute('aria-label', `第 ${index + 1} 項數量`);
    r.price.setAttribute('aria-label', `第 ${index + 1} 項單價（元，含稅）`);
    r.remove.setAttribute('aria-label', `移除第 ${index + 1} 項 ${title || line.code}`);
  });
  once('what', `${title}\u0000${result.kind}`, () => r.what.replaceChildren(
    el(document, 'span', 'sale-title', title || '（無書名）'),
    el(document, 'span', 'sale-code', `${result.kind === 'ean' ? 'EAN' : 'ISBN'} ${line.code}`)));
  once('why', JSON.stringify([verdict, d.reason, d.detail, changed && line.was]), () => {
    r.tr.dataset.verdict = verdict;
    if (changed) r.tr.dataset.changed = 'true';
    else delete r.tr.dataset.changed;
    r.why.replaceChildren(verdictBadge(document, d), el(document, 'span', 'sale-detail', d.detail));
    if (verdict === 'unknown') r.why.append(el(document, 'span', 'sale-flag', '以應稅計，請至認可公告頁面確認'));
    if (changed) {
      r.why.append(el(document, 'strong', 'sale-changed',
        `判定已改變：${WORDS[/** @type {keyof typeof WORDS} */ (line.was)] ?? line.was} → ${WORDS[verdict]}`));
    }
  });
  // A field the clerk is typing in keeps what is typed.
  for (const [input, value] of /** @type {const} */ ([[r.quantity, line.quantity], [r.price, line.unitPrice]])) {
    const text = value === null ? '' : String(value);
    if (input.value !== text && document.activeElement !== input) input.value = text;
  }
  once('amount', String(amount), () => { r.amount.textContent = amount === undefined ? '—' : money(amount); });
}

/**
 * The line's row, kept across renders by code and brought up to date.
 * @param {SaleLine} line
 * @param {number} index
 * @param {number | undefined} amount
 */
function rowFor(line, index, amount) {
  let r = built.get(line.code);
  if (!r) {
    r = buildRow(line.code);
    built.set(line.code, r);
  }
  update(r, line, index, amount);
  return r.tr;
}

/**
 * Puts `rows` in the table, moving and removing as little as it can (rows kept stay where they are).
 * @param {HTMLElement[]} rows
 */
function place(rows) {
  const keep = new Set(rows);
  let at = ui.lines.firstElementChild;
  const drop = () => {
    while (at && !keep.has(/** @type {HTMLElement} */ (at))) {
      const next = at.nextElementSibling;
      at.remove();
      at = next;
    }
  };
  for (const tr of rows) {
    drop();
    if (tr === at) at = at.nextElementSibling;
    else ui.lines.insertBefore(tr, at);
  }
  drop();
  const codes = new Set(sale.lines.map((l) => l.code));
  for (const code of built.keys()) if (!codes.has(code)) built.delete(code);
}

/** Shows the lines and the totals; a field the clerk is in keeps the focus and what was typed in it (rows are kept, not rebuilt). */
function render() {
  const { totals: t, problem } = totals();
  place(sale.lines.map((line, i) => rowFor(line, i, t?.items[i]?.amount)));
  ui.table.hidden = sale.lines.length === 0;
  ui.empty.hidden = sale.lines.length > 0;
  setText(ui.exempt, t ? money(t.exemptAmount) : '—');
  setText(ui.taxable, t ? money(t.taxableAmount) : '—');
  setText(ui.tax, t ? money(t.taxIncluded) : '—');
  setText(ui.total, t ? money(t.exemptAmount + t.taxableAmount) : '—');
  setText(ui.type, t && sale.lines.length ? INVOICE_TYPES[/** @type {1 | 3 | 9} */ (t.invoiceTaxType)] : '—');
  ui.type.dataset.type = t && sale.lines.length ? String(t.invoiceTaxType) : '';
  const notes = [];
  if (problem) notes.push(problem);
  if (t?.unknownLines.length) notes.push(`${t.unknownLines.length} 項無法判定，已以應稅計算，請至認可公告頁面確認。`);
  const unpriced = sale.lines.filter((l) => l.unitPrice === null).length;
  if (unpriced) notes.push(`${unpriced} 項尚未輸入單價（以 0 元計）。`);
  if (notes.join('\n') !== [...ui.notes.children].map((p) => p.textContent).join('\n')) {
    ui.notes.replaceChildren(...notes.map((n) => el(document, 'p', null, n)));
  }
  const empty = sale.lines.length === 0;
  for (const b of [ui.csv, ui.json, ui.copy, ui.print, ui.newSale]) b.disabled = empty;
  ui.undo.hidden = !(empty && canUndoNewSale());
}

/**
 * A scan has been asked: returns the terms it is decided at, its place among the scans and when it was
 * made, for `addToSale`.
 * @returns {{ terms: string, asked: number, scannedAt: number }}
 */
export function scanStarted() {
  scansPending += 1;
  scansAsked += 1;
  // Later than every scan before it, even if the clock was set back meanwhile (the lines' order is the scans').
  const latest = sale.lines.reduce((t, l) => Math.max(t, l.scannedAt ?? 0), lastScanAt);
  lastScanAt = Math.max(Date.now(), latest + 1);
  return { terms: termsKey(), asked: scansAsked, scannedAt: lastScanAt };
}

/** A scan has ended (answered or not). */
export function scanEnded() {
  scansPending = Math.max(0, scansPending - 1);
}

/**
 * A scan's answer joins the sale; decided at other terms than the page's now (they changed while it
 * was asked), its line is decided again at once. 「$」 prices the line of the scan asked last, not of
 * the answer that came last.
 * @param {Lookup} result
 * @param {{ terms: string, asked: number, scannedAt: number }} scan what `scanStarted` gave
 */
export function addToSale(result, { terms, asked, scannedAt }) {
  const index = addScan(sale, result, scannedAt);
  const line = sale.lines[index];
  line.decidedAt = terms;
  if (asked >= lastScannedAsked) {
    lastScanned = line.code;
    lastScannedAsked = asked;
  }
  commit();
  if (terms !== termsKey()) redecideSale();
  const record = /** @type {{ title?: string | null } | null} */ (result.record);
  say(`第 ${index + 1} 項：${record?.title || line.code}，${WORDS[verdictOf(result.decision)]}，數量 ${line.quantity}。`);
}

/**
 * A later answer for a line (the live service confirming the mirror), decided at the terms its scan
 * was: if they changed while it was asked, the line is decided again at the page's.
 * @param {Lookup} result
 * @param {{ terms: string }} scan what `scanStarted` gave
 */
export function updateSaleLine(result, { terms }) {
  if (!replaceAnswer(sale, result, terms)) return;
  commit();
  if (terms !== termsKey()) redecideSale();
}

/**
 * 「$350」 in the code field: the last line's unit price. Returns why not, or ''.
 * @param {string} typed what followed the $
 */
export function priceLastLine(typed) {
  if (scansPending > 0) return '上一個條碼還在查詢中，請等結果出來再輸入單價。';
  const scanned = sale.lines.findIndex((l) => l.code === lastScanned);
  const index = scanned >= 0 ? scanned : sale.lines.length - 1;
  const line = sale.lines[index];
  if (!line) return '本筆交易還沒有品項，請先掃描。';
  const n = wholeNumber(typed);
  if (n === null) return '單價須為 0 以上的整數（例如 $350）。';
  line.unitPrice = n;
  commit();
  say(`第 ${index + 1} 項單價 ${money(n)}。`);
  return '';
}

/**
 * Decides again, at the page's checkout time and format, every line decided at other terms (after
 * either changed, past midnight for "now", for a sale reloaded or changed in another tab), from the
 * records the lines hold; a line whose answer was a failure is asked again. Changed verdicts are marked.
 * @param {{ save?: boolean }} [how] `save: false` for a sale another tab wrote (this tab's terms are its own)
 */
export function redecideSale({ save = true } = {}) {
  const client = hooks?.client();
  if (!client || !hooks) {
    showUndecided();
    return;
  }
  const key = termsKey();
  const stale = sale.lines.filter((l) => l.decidedAt !== key);
  if (stale.length === 0) return;
  const seq = ++redecideSeq;
  const terms = hooks.terms();
  /** @type {Lookup[] | null} */
  let again = null;
  try {
    again = client.redecide(stale.map((l) => l.result), terms);
  } catch {
    // A line that cannot be decided again is asked again; until then it shows nothing it no longer holds.
    again = null;
  }
  /** @type {SaleLine[]} */
  const ask = [];
  stale.forEach((line, i) => {
    line.was = verdictOf(line.result.decision);
    if (again && !again[i].error) {
      line.result = again[i];
      line.decidedAt = key;
    } else {
      if (again) line.result = again[i];
      line.result = { ...line.result, decision: unknownDecision('重新判定中', 'lookup_failed') };
      ask.push(line);
    }
  });
  if (save) showThenStore();
  else render();
  const changed = stale.filter((l) => l.was !== verdictOf(l.result.decision)).length;
  if (save) say(changed ? `已依新的結帳條件重新判定，${changed} 項的判定改變（已標示）。` : '已依新的結帳條件重新判定，判定都沒有改變。');
  askAgain(ask, key, seq);
}

/**
 * With nothing to decide lines again (the module or the client did not load), a line decided at other
 * terms (a sale kept from yesterday) shows unknown, not the verdict it had then. Not stored here (a later
 * change of the sale stores it as shown); its record and terms stay, so it is decided again once the page can.
 */
function showUndecided() {
  const key = termsKey();
  let shown = 0;
  for (const line of sale.lines) {
    if (line.decidedAt === key || verdictOf(line.result.decision) === 'unknown') continue;
    line.was = verdictOf(line.result.decision);
    line.result = { ...line.result, decision: unknownDecision('目前無法判定（判定程式或服務設定無法使用）', 'load_failed') };
    shown += 1;
  }
  if (shown) render();
}

/**
 * Asks the service again for lines no record could decide, one at a time.
 * @param {SaleLine[]} lines
 * @param {string} key the terms they are asked at
 * @param {number} seq the re-decision they belong to
 */
async function askAgain(lines, key, seq) {
  const client = hooks?.client();
  if (!client || !hooks) return;
  const terms = hooks.terms();
  for (const line of lines) {
    const result = await client.lookup(line.code, terms).catch(() => null);
    if (seq !== redecideSeq) return;
    if (result && sale.lines.includes(line)) {
      line.result = result;
      line.decidedAt = key;
      commit();
    }
  }
}

/**
 * The downloads' module: not on the way to the first scan, so loaded at the first export (batch pricing,
 * which the page loads once it is ready, has usually loaded it by then).
 */
const exporter = () => import('./sale-export.js').then(({ downloadText, fileStamp, invoiceJson }) => ({ downloadText, fileStamp, invoiceJson }));

/** The page's moment and format, for the exported and printed sale (`time` for the files' names). */
function exportTerms() {
  const terms = hooks?.terms() ?? { format: 'physical' };
  const now = hooks?.client()?.now().time ?? new Date().toISOString();
  return { checkoutTime: terms.at ?? now.slice(0, 19), format: terms.format, time: terms.at ?? now };
}

// Each export takes the sale and its terms as they are at the click, before the module arrives: a scan or
// an edit meanwhile does not get into the file.
async function exportCsv() {
  const wasm = hooks?.wasm();
  if (!wasm) return;
  try {
    const csv = wasm.saleCsv(saleItems(sale));
    const { time } = exportTerms();
    const { downloadText, fileStamp } = await exporter();
    downloadText(csv, `booktax-sale-${fileStamp(time)}.csv`, 'text/csv;charset=utf-8');
    say('已匯出 CSV。');
  } catch (e) {
    say(`無法匯出：${(e instanceof Error && e.message) || e}`);
  }
}

async function exportJson() {
  const { totals: t, problem } = totals();
  if (!t) {
    say(`無法匯出：${problem}`);
    return;
  }
  try {
    const items = saleItems(sale);
    const terms = exportTerms();
    const { downloadText, fileStamp, invoiceJson } = await exporter();
    downloadText(invoiceJson(items, t, terms), `booktax-sale-${fileStamp(terms.time)}.json`, 'application/json');
    say('已匯出 JSON。');
  } catch (e) {
    say(`無法匯出：${(e instanceof Error && e.message) || e}`);
  }
}

async function copyTable() {
  const wasm = hooks?.wasm();
  if (!wasm) return;
  try {
    await navigator.clipboard.writeText(wasm.saleCsv(saleItems(sale), { separator: 'tab' }));
    say('已複製到剪貼簿（可貼到試算表）。');
  } catch (e) {
    say(`無法複製：${(e instanceof Error && e.message) || e}`);
  }
}

/**
 * Wires the panel and shows the sale kept in this browser.
 * @param {Hooks} given
 */
export function setUpSale(given) {
  hooks = given;
  const { sale: kept, dropped, merged } = loadSale();
  sale = kept;
  ui.newSale.addEventListener('click', () => {
    const fresh = newSale(sale);
    if (!fresh) {
      say('無法保存目前的交易以供復原，未開始新交易；請先匯出本筆交易。');
      return;
    }
    sale = fresh;
    render();
    say('已開始新交易。按「復原上一筆交易」可取回剛才的交易。');
    ui.undo.focus();
  });
  ui.undo.addEventListener('click', () => {
    const back = undoNewSale();
    if (back) sale = back;
    render();
    say(back ? `已復原上一筆交易（${sale.lines.length} 項）。` : '沒有可復原的交易。');
    // Its lines were decided at the terms of then: the format or the checkout time may have changed since.
    if (back) redecideSale();
    hooks?.code.focus();
  });
  ui.csv.addEventListener('click', exportCsv);
  ui.json.addEventListener('click', exportJson);
  ui.copy.addEventListener('click', copyTable);
  ui.print.addEventListener('click', () => window.print());
  window.addEventListener('beforeprint', () => {
    const terms = exportTerms();
    ui.printed.textContent = `結帳時間 ${terms.checkoutTime.replace('T', ' ')}（台北時間），${terms.format === 'ebook' ? '電子書' : '實體書'}`;
  });
  // Another tab of this page changed the sale: show what is stored.
  // A re-decision not stored yet is stored before the tab goes.
  window.addEventListener('pagehide', () => {
    if (pendingStore && pendingStore === sale) store();
  });
  window.addEventListener('storage', (event) => {
    if (event.key !== SALE_STORAGE_KEY) return;
    dropPendingStore();
    sale = loadSale().sale;
    render();
    redecideSale({ save: false });
  });
  render();
  // A sale kept from before (a reload, yesterday) is decided at the page's terms now.
  redecideSale();
  if (dropped) say(`保存的交易中有 ${dropped} 項無法讀取，未顯示。`);
  else if (merged) say(`保存的交易中有 ${merged} 項重複的條碼，已併入同一項的數量，請核對。`);
}
