// @ts-check
// The sale panel (本筆交易): each scan a line, quantities and prices typed from the keyboard, totals from the wasm, every line re-decided when the checkout time or format changes, exported for the invoice.

import { byId, el } from './dom.js';
import { verdictBadge, verdictOf } from './render.js';
import { addScan, canUndoNewSale, forgetPrevious, loadSale, newSale, replaceAnswer, saveSale, undoNewSale, SALE_STORAGE_KEY } from './sale-store.js';
import { downloadText, fileStamp, invoiceJson, saleItems } from './sale-export.js';

/** @typedef {import('./pkg/booktax.js')} Wasm */
/** @typedef {import('./pkg/booktax.js').BookTaxClient} BookTaxClient */
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

// Whole dollars with thousands commas, as zh-TW writes them. Not Intl.NumberFormat: building its
// zh-TW data took about 40 ms of the page's start on the bench machine.
/** @param {number} n */
const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** @param {number} n */
const money = (n) => `NT$ ${grouped(n)}`;

/** Each line's row as last built, by code, with what it showed: a row that would show the same is kept. */
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

/** Stores the sale and shows it; the sale kept for undo goes once the new one has lines. */
function commit() {
  const problem = saveSale(sale);
  if (sale.lines.length) forgetPrevious();
  render();
  if (problem) say(problem);
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
 * A number field of a line: Enter keeps it and goes back to the code field.
 * @param {SaleLine} line
 * @param {number} index
 * @param {'quantity' | 'unitPrice'} which
 */
function numberField(line, index, which) {
  const input = document.createElement('input');
  input.type = 'text';
  input.inputMode = 'numeric';
  input.autocomplete = 'off';
  input.className = `sale-${which === 'quantity' ? 'qty' : 'price'}`;
  input.dataset.key = `${which}:${line.code}`;
  input.value = line[which] === null ? '' : String(line[which]);
  input.placeholder = which === 'unitPrice' ? '未填' : '';
  input.setAttribute('aria-label', `第 ${index + 1} 項${which === 'quantity' ? '數量' : '單價（元，含稅）'}`);
  const keep = () => {
    // The sale's line for this code now: a kept row may outlive the object it was built from
    // (a reload from another tab, an undone new sale).
    const current = sale.lines.find((l) => l.code === line.code);
    if (!current) return true;
    const typed = input.value.trim();
    const n = typed === '' ? null : wholeNumber(typed);
    // A quantity is 1 or more; a price is 0 or more, or nothing yet (an empty field).
    const bad = which === 'quantity' ? !n : typed !== '' && n === null;
    if (bad) {
      input.setAttribute('aria-invalid', 'true');
      say(which === 'quantity' ? `第 ${index + 1} 項：數量須為 1 以上的整數。` : `第 ${index + 1} 項：單價須為 0 以上的整數（元）。`);
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
 * One line's row.
 * @param {SaleLine} line
 * @param {number} index
 * @param {number | undefined} amount
 */
function row(line, index, amount) {
  const { result } = line;
  const record = /** @type {{ title?: string | null } | null} */ (result.record);
  const verdict = verdictOf(result.decision);
  const tr = document.createElement('tr');
  tr.dataset.code = line.code;
  tr.dataset.verdict = verdict;
  const what = el(document, 'td', 'sale-what',
    el(document, 'span', 'sale-title', record?.title || '（無書名）'),
    el(document, 'span', 'sale-code', `${result.kind === 'ean' ? 'EAN' : 'ISBN'} ${line.code}`));
  const why = el(document, 'td', 'sale-why', verdictBadge(document, result.decision),
    el(document, 'span', 'sale-detail', result.decision.detail));
  if (verdict === 'unknown') why.append(el(document, 'span', 'sale-flag', '以應稅計，請至認可公告頁面確認'));
  if (line.was && line.was !== verdict) {
    tr.dataset.changed = 'true';
    why.append(el(document, 'strong', 'sale-changed',
      `判定已改變：${WORDS[/** @type {keyof typeof WORDS} */ (line.was)] ?? line.was} → ${WORDS[verdict]}`));
  }
  const remove = el(document, 'button', 'sale-remove', '移除');
  remove.setAttribute('type', 'button');
  remove.setAttribute('aria-label', `移除第 ${index + 1} 項 ${record?.title || line.code}`);
  remove.addEventListener('click', () => {
    const at = sale.lines.findIndex((l) => l.code === line.code);
    if (at < 0) return;
    sale.lines.splice(at, 1);
    commit();
    say(`已移除第 ${at + 1} 項。`);
    hooks?.code.focus();
  });
  tr.append(
    el(document, 'td', 'sale-n', String(index + 1)), what, why,
    el(document, 'td', 'sale-num', numberField(line, index, 'quantity')),
    el(document, 'td', 'sale-num', numberField(line, index, 'unitPrice')),
    el(document, 'td', 'sale-num sale-amount', amount === undefined ? '—' : money(amount)),
    el(document, 'td', null, remove));
  return tr;
}

/**
 * The line's row: the one already on screen when it would show the same, else a new one.
 * @param {SaleLine} line
 * @param {number} index
 * @param {number | undefined} amount
 */
function rowFor(line, index, amount) {
  const d = line.result.decision;
  const record = /** @type {{ title?: string | null } | null} */ (line.result.record);
  const shows = JSON.stringify([index, line.quantity, line.unitPrice, amount, line.was, d.verdict, d.reason, d.detail, record?.title, line.result.kind]);
  const kept = built.get(line.code);
  if (kept && kept.shows === shows) return kept.tr;
  const tr = row(line, index, amount);
  built.set(line.code, { shows, tr });
  return tr;
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
  for (const code of built.keys()) if (!sale.lines.some((l) => l.code === code)) built.delete(code);
}

/** Shows the lines and the totals; a field the clerk is in keeps the focus and what was typed in it. */
function render() {
  const focused = document.activeElement instanceof HTMLInputElement && ui.lines.contains(document.activeElement)
    ? document.activeElement : null;
  const active = focused?.dataset.key;
  const { totals: t, problem } = totals();
  place(sale.lines.map((line, i) => rowFor(line, i, t?.items[i]?.amount)));
  ui.table.hidden = sale.lines.length === 0;
  ui.empty.hidden = sale.lines.length > 0;
  ui.exempt.textContent = t ? money(t.exemptAmount) : '—';
  ui.taxable.textContent = t ? money(t.taxableAmount) : '—';
  ui.tax.textContent = t ? money(t.taxIncluded) : '—';
  ui.total.textContent = t ? money(t.exemptAmount + t.taxableAmount) : '—';
  ui.type.textContent = t && sale.lines.length ? INVOICE_TYPES[/** @type {1 | 3 | 9} */ (t.invoiceTaxType)] : '—';
  ui.type.dataset.type = t && sale.lines.length ? String(t.invoiceTaxType) : '';
  const notes = [];
  if (problem) notes.push(problem);
  if (t?.unknownLines.length) notes.push(`${t.unknownLines.length} 項無法判定，已以應稅計算，請至認可公告頁面確認。`);
  const unpriced = sale.lines.filter((l) => l.unitPrice === null).length;
  if (unpriced) notes.push(`${unpriced} 項尚未輸入單價（以 0 元計）。`);
  ui.notes.replaceChildren(...notes.map((n) => el(document, 'p', null, n)));
  const empty = sale.lines.length === 0;
  for (const b of [ui.csv, ui.json, ui.copy, ui.print, ui.newSale]) b.disabled = empty;
  ui.undo.hidden = !(empty && canUndoNewSale());
  if (focused && active) {
    const again = ui.lines.querySelector(`input[data-key="${CSS.escape(active)}"]`);
    if (again instanceof HTMLInputElement && again !== focused) {
      again.value = focused.value;
      again.focus();
    }
  }
}

/** A scan has been asked: returns the terms it is decided at, for `addToSale`. */
export function scanStarted() {
  scansPending += 1;
  return termsKey();
}

/** A scan has ended (answered or not). */
export function scanEnded() {
  scansPending = Math.max(0, scansPending - 1);
}

/**
 * A scan's answer joins the sale; decided at other terms than the page's now (they changed while it
 * was asked), its line is decided again at once.
 * @param {Lookup} result
 * @param {string} terms what `scanStarted` gave
 */
export function addToSale(result, terms) {
  const index = addScan(sale, result);
  const line = sale.lines[index];
  line.decidedAt = terms;
  lastScanned = line.code;
  commit();
  if (terms !== termsKey()) redecideSale();
  const record = /** @type {{ title?: string | null } | null} */ (result.record);
  say(`第 ${index + 1} 項：${record?.title || line.code}，${WORDS[verdictOf(result.decision)]}，數量 ${line.quantity}。`);
}

/**
 * A later answer for a line (the live service confirming the mirror).
 * @param {Lookup} result
 */
export function updateSaleLine(result) {
  if (replaceAnswer(sale, result)) commit();
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
  if (!client || !hooks) return;
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
      line.result = { ...line.result, decision: { verdict: 'unknown', reason: 'lookup_failed', detail: '重新判定中', message: '無法判定：重新判定中，請以應稅處理並至認可公告頁面確認' } };
      ask.push(line);
    }
  });
  if (save) commit();
  else render();
  const changed = stale.filter((l) => l.was !== verdictOf(l.result.decision)).length;
  if (save) say(changed ? `已依新的結帳條件重新判定，${changed} 項的判定改變（已標示）。` : '已依新的結帳條件重新判定，判定都沒有改變。');
  askAgain(ask, key, seq);
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

/** The page's moment and format, for the exported files. */
function exportTerms() {
  const terms = hooks?.terms() ?? { format: 'physical' };
  const now = hooks?.client()?.now().time ?? new Date().toISOString();
  return { checkoutTime: terms.at ?? now.slice(0, 19), format: terms.format, stamp: fileStamp(terms.at ?? now) };
}

function exportCsv() {
  const wasm = hooks?.wasm();
  if (!wasm) return;
  try {
    downloadText(wasm.saleCsv(saleItems(sale)), `booktax-sale-${exportTerms().stamp}.csv`, 'text/csv;charset=utf-8');
    say('已匯出 CSV。');
  } catch (e) {
    say(`無法匯出：${(e instanceof Error && e.message) || e}`);
  }
}

function exportJson() {
  const { totals: t, problem } = totals();
  if (!t) {
    say(`無法匯出：${problem}`);
    return;
  }
  const terms = exportTerms();
  downloadText(invoiceJson(saleItems(sale), t, terms), `booktax-sale-${terms.stamp}.json`, 'application/json');
  say('已匯出 JSON。');
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
  const { sale: kept, dropped } = loadSale();
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
  window.addEventListener('storage', (event) => {
    if (event.key !== SALE_STORAGE_KEY) return;
    sale = loadSale().sale;
    render();
    redecideSale({ save: false });
  });
  render();
  // A sale kept from before (a reload, yesterday) is decided at the page's terms now.
  redecideSale();
  if (dropped) say(`保存的交易中有 ${dropped} 項無法讀取，未顯示。`);
}
