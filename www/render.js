// @ts-check
// The verdict and the record details as DOM (textContent only); the page renders what Rust decided and composes no verdict text.
import { el, formatDate, text } from './dom.js';

/** @typedef {import('./pkg/booktax.js').Decision} Decision */
/** @typedef {import('./pkg/booktax.js').ErrorInfo} ErrorInfo */
/** @typedef {import('./pkg/booktax.js').IsbnRecord} IsbnRecord */
/** @typedef {import('./pkg/booktax.js').EanRecord} EanRecord */
/** @typedef {import('./pkg/booktax.js').Lookup} Lookup */
/** @typedef {{ decision?: Decision | null, code?: string, kind?: string, addon?: string, error?: ErrorInfo, source?: string, appliedThrough?: string, freshness?: string }} Shown */

/** What the clerk is told about an answer from the offline mirror, by its freshness. */
const MIRROR_NOTES = {
  current: '',
  behind: '（離線資料未含最近的公告）',
  stale: '（離線資料已超過 2 天未更新，請連線同步）',
  empty: '（尚未下載離線資料）',
  ahead: '（本機時鐘早於離線資料的日期，請校正電腦時間）',
};

/** @type {Record<string, string>} */
const STATUS_LABELS = {
  applying: '申請中',
  approved: '已認可',
  revoked: '已撤銷',
  expired: '已到期',
};

/** @type {Record<string, string>} */
const EAN_STATUS_LABELS = {
  created: '已建立',
  deleted: '已刪除',
};

/** Words and glyphs per verdict: never colour alone. */
const VERDICTS = {
  exempt: { word: '免稅', glyph: '✓' },
  taxable: { word: '應稅', glyph: '✕' },
  unknown: { word: '無法判定', glyph: '⚠' },
};

/**
 * The unknown verdict the page writes itself, when no rule can run (the module, the client or a record is
 * missing): sold as taxable. The page's only decision not made by the wasm.
 * @param {string} why what is missing, for the clerk
 * @param {string} reason the reason code
 * @param {string} [more] said after the advice (a sentence's end and what else to do)
 * @returns {Decision}
 */
export function unknownDecision(why, reason, more = '') {
  return { verdict: 'unknown', reason, detail: why, message: `無法判定：${why}，請以應稅處理並至認可公告頁面確認${more}` };
}

/**
 * Only a decision that literally says "exempt" is exempt; anything unreadable is unknown.
 * @param {Decision | null | undefined} decision
 * @returns {'exempt' | 'taxable' | 'unknown'}
 */
export function verdictOf(decision) {
  const v = decision && typeof decision === 'object' ? decision.verdict : undefined;
  if (v === 'exempt' || v === 'taxable') return v;
  return 'unknown';
}

/**
 * @param {unknown} status
 * @param {Record<string, string>} labels
 */
function statusLabel(status, labels = STATUS_LABELS) {
  if (status === null || status === undefined || status === '') return '（未提供）';
  const s = String(status);
  return Object.prototype.hasOwnProperty.call(labels, s) ? labels[s] : s;
}

/** @param {unknown} value */
function yesNo(value) {
  if (value === true) return '是';
  if (value === false) return '否';
  return text(value);
}

/**
 * @param {Document} doc
 * @param {HTMLElement} dl
 * @param {string} label
 * @param {string} value
 * @param {string} key
 */
function field(doc, dl, label, value, key) {
  const dd = el(doc, 'dd', null, value);
  dd.dataset.field = key;
  dl.append(el(doc, 'dt', null, label), dd);
}

/** @param {Decision | null | undefined} decision */
function exemptPeriod(decision) {
  if (!decision || (!decision.exemptFrom && !decision.exemptUntil)) return '—';
  return `${formatDate(decision.exemptFrom)} 至 ${formatDate(decision.exemptUntil)}`;
}

/**
 * A small verdict badge: glyph + word, for list items.
 * @param {Document} doc
 * @param {Decision | null | undefined} decision
 */
export function verdictBadge(doc, decision) {
  const v = verdictOf(decision);
  const badge = el(doc, 'span', `badge badge-${v}`, el(doc, 'span', 'glyph', VERDICTS[v].glyph), ' ', VERDICTS[v].word);
  badge.dataset.verdict = v;
  return badge;
}

/**
 * Fills the big verdict element for a decision; the message is Rust's, whole.
 * @param {HTMLElement} target
 * @param {Shown} shown
 */
export function renderVerdict(target, { decision, code, kind, addon, error, source, appliedThrough, freshness }) {
  const doc = target.ownerDocument;
  const v = verdictOf(decision);
  target.dataset.verdict = v;
  target.dataset.reason = decision && typeof decision.reason === 'string' ? decision.reason : (error && error.code) || 'unknown';
  if (code) target.dataset.code = code; else delete target.dataset.code;
  target.removeAttribute('aria-busy');

  const parts = [el(doc, 'p', 'verdict-head',
    el(doc, 'span', 'verdict-glyph', VERDICTS[v].glyph),
    el(doc, 'span', 'verdict-word', VERDICTS[v].word))];
  if (decision && decision.message) {
    const msg = el(doc, 'p', 'verdict-message', decision.message);
    msg.id = 'verdict-message';
    parts.push(msg);
  }
  // A failed request whose error is not the decision's own reason (e.g. no policy date) is named too.
  if (error && error.message && (!decision || decision.detail !== error.message)) {
    const err = el(doc, 'p', 'verdict-error', `錯誤：${error.message}`);
    err.id = 'verdict-error';
    parts.push(err);
  }
  target.dataset.source = source ?? '';
  if (source === 'mirror') {
    const note = MIRROR_NOTES[/** @type {keyof typeof MIRROR_NOTES} */ (freshness ?? 'empty')] ?? '';
    const line = el(doc, 'p', `verdict-source verdict-source-${freshness ?? 'empty'}`,
      `離線資料：資料更新至 ${formatDate(appliedThrough)}${note}`);
    line.id = 'verdict-source';
    parts.push(line);
  }
  if (code) {
    const label = kind === 'ean' ? 'EAN' : 'ISBN';
    parts.push(el(doc, 'p', 'verdict-code', `${label} ${code}${addon ? `（附加碼 ${addon}）` : ''}`));
  }
  target.replaceChildren(...parts);
}

/**
 * Puts the verdict element in its "looking up" state: nothing from a previous book stays on screen.
 * @param {HTMLElement} target
 */
export function renderPending(target) {
  const doc = target.ownerDocument;
  target.dataset.verdict = 'pending';
  delete target.dataset.reason;
  delete target.dataset.code;
  target.setAttribute('aria-busy', 'true');
  target.replaceChildren(el(doc, 'p', 'verdict-pending', '查詢中…'));
}

/**
 * Details of one ISBN record as a <dl>.
 * @param {Document} doc
 * @param {IsbnRecord} record
 * @param {Decision} decision
 */
function buildIsbnDetails(doc, record, decision) {
  const dl = el(doc, 'dl', 'record');
  field(doc, dl, 'ISBN', text(record.isbn), 'isbn');
  field(doc, dl, '書名', text(record.title), 'title');
  field(doc, dl, '出版者', text(record.publisher), 'publisher');
  field(doc, dl, '書籍類型', text(record.kind), 'kind');
  field(doc, dl, '案件類別', text(record.type), 'type');
  field(doc, dl, '含電子書', yesNo(record.include_ebook), 'include_ebook');
  field(doc, dl, '狀態', statusLabel(record.status), 'status');
  field(doc, dl, '認可生效日', formatDate(record.approved_effective_date), 'approved_effective_date');
  field(doc, dl, '撤銷生效日', formatDate(record.revoked_effective_date), 'revoked_effective_date');
  field(doc, dl, '免稅期間', exemptPeriod(decision), 'exempt_period');
  return dl;
}

/**
 * Details of a boxed set: its own fields, then each book with its own verdict.
 * @param {Document} doc
 * @param {EanRecord} record
 * @param {Decision} decision
 */
function buildEanDetails(doc, record, decision) {
  const wrap = el(doc, 'div', 'ean');
  const dl = el(doc, 'dl', 'record');
  field(doc, dl, 'EAN', text(record.ean), 'ean');
  field(doc, dl, '商品名稱', text(record.title), 'title');
  field(doc, dl, '條碼狀態', statusLabel(record.status, EAN_STATUS_LABELS), 'status');
  field(doc, dl, '建立日期', formatDate(record.created_date), 'created_date');
  field(doc, dl, '刪除日期', formatDate(record.deleted_date), 'deleted_date');
  field(doc, dl, '免稅期間', exemptPeriod(decision), 'exempt_period');
  wrap.append(dl);

  const books = Array.isArray(record.isbns) ? record.isbns : [];
  const items = decision && Array.isArray(decision.items) ? decision.items : [];
  wrap.append(el(doc, 'h3', 'items-title', `套書內容：共 ${books.length} 本（請核對盒內書籍）`));
  const list = el(doc, 'ol', 'items');
  list.id = 'ean-items';
  /**
   * @param {string} isbn
   * @param {Decision | null} item
   * @param {...(string | Node)} body
   */
  const row = (isbn, item, ...body) => {
    const li = el(doc, 'li', 'item', ...body);
    li.dataset.isbn = isbn;
    li.dataset.verdict = verdictOf(item);
    list.append(li);
  };
  books.forEach((book, i) => {
    const isbn = book && book.isbn;
    // Rust keeps the items in the record's order: the i-th decision is the i-th book's
    // (a set may list one ISBN twice); `find` only for a list that does not line up.
    const item = (items[i] && items[i].isbn === isbn ? items[i] : items.find((d) => d && d.isbn === isbn)) || null;
    row(text(isbn), item,
      el(doc, 'p', 'item-head', verdictBadge(doc, item), ' ',
        el(doc, 'span', 'item-isbn', `ISBN ${text(isbn)}`), ' ',
        el(doc, 'span', 'item-title', text(book && book.title))),
      el(doc, 'p', 'item-meta',
        `出版者：${text(book && book.publisher)}　狀態：${statusLabel(book && book.status)}　` +
        `認可生效日：${formatDate(book && book.approved_effective_date)}　撤銷生效日：${formatDate(book && book.revoked_effective_date)}`),
      el(doc, 'p', 'item-message', text(item && item.message)));
  });
  // Decisions for books the record did not list (should not happen) are still shown.
  for (const item of items) {
    if (books.some((b) => b && b.isbn === item.isbn)) continue;
    row(text(item.isbn), item,
      el(doc, 'p', 'item-head', verdictBadge(doc, item), ' ', `ISBN ${text(item.isbn)}`),
      el(doc, 'p', 'item-message', text(item.message)));
  }
  wrap.append(list);
  return wrap;
}

/**
 * Details for a lookup result; null when there is no record (the service failed or does not list the code).
 * @param {Document} doc
 * @param {Lookup} result
 * @returns {HTMLElement | null}
 */
export function buildDetails(doc, result) {
  const record = result.record;
  if (!record || typeof record !== 'object') return null;
  const isEan = result.kind === 'ean';
  const body = isEan
    ? buildEanDetails(doc, /** @type {EanRecord} */ (record), result.decision)
    : buildIsbnDetails(doc, /** @type {IsbnRecord} */ (record), result.decision);
  return el(doc, 'div', 'details-body', el(doc, 'h2', 'details-title', isEan ? '套書（EAN）資料' : '出版品資料'), body);
}

/**
 * One ISBN row of a list (the daily announcement).
 * @param {Document} doc
 * @param {IsbnRecord | null} book
 */
export function isbnRow(doc, book) {
  return el(doc, 'li', 'daily-isbn',
    el(doc, 'span', 'mono', text(book && book.isbn)), '　',
    el(doc, 'span', 'daily-title', text(book && book.title)), '　',
    `${text(book && book.publisher)}｜${statusLabel(book && book.status)}｜認可生效 ${formatDate(book && book.approved_effective_date)}｜撤銷生效 ${formatDate(book && book.revoked_effective_date)}`);
}
