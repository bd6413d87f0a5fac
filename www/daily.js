// @ts-check
// The daily announcement section: one day's approved, revoked and changed lists, loaded on demand.
import { el, formatDate, text } from './dom.js';
import { isbnRow } from './render.js';

/** @typedef {import('./pkg/booktax.js').BookTaxClient} BookTaxClient */
/** @typedef {import('./pkg/booktax.js').DailyAnnouncement} DailyAnnouncement */
/** @typedef {import('./pkg/booktax.js').EanRecord} EanRecord */

/** @type {Array<['approved' | 'revoked' | 'changed', string]>} */
const GROUPS = [
  ['approved', '認可'],
  ['revoked', '撤銷'],
  ['changed', '異動'],
];

/**
 * One boxed set of a list, with its books.
 * @param {Document} doc
 * @param {EanRecord | null} set
 */
function eanRow(doc, set) {
  const books = Array.isArray(set && set.isbns) ? /** @type {EanRecord} */ (set).isbns || [] : [];
  const li = el(doc, 'li', 'daily-ean',
    el(doc, 'span', 'mono', `EAN ${text(set && set.ean)}`), '　',
    el(doc, 'span', 'daily-title', text(set && set.title)), `　（${books.length} 本）`);
  if (books.length) {
    const inner = el(doc, 'ul', 'daily-list');
    for (const book of books) inner.append(isbnRow(doc, book));
    li.append(inner);
  }
  return li;
}

/**
 * One day's announcement: per group, counts then the ISBN and EAN lists.
 * @param {Document} doc
 * @param {DailyAnnouncement} daily
 * @param {string} date YYYYMMDD
 */
function buildDaily(doc, daily, date) {
  const wrap = el(doc, 'div', 'daily-body', el(doc, 'h3', null, `${formatDate(date)} 公告`));
  for (const [key, label] of GROUPS) {
    const group = daily && daily[key] && typeof daily[key] === 'object' ? daily[key] : { isbns: [], eans: [] };
    const isbns = Array.isArray(group.isbns) ? group.isbns : [];
    const eans = Array.isArray(group.eans) ? group.eans : [];
    const section = el(doc, 'section', 'daily-group');
    section.dataset.group = key;
    const count = el(doc, 'h4', 'daily-count', `${label}：ISBN ${isbns.length} 筆、EAN ${eans.length} 筆`);
    count.dataset.isbns = String(isbns.length);
    count.dataset.eans = String(eans.length);
    section.append(count);
    for (const [rows, build] of /** @type {const} */ ([[isbns, isbnRow], [eans, eanRow]])) {
      if (!rows.length) continue;
      const ul = el(doc, 'ul', 'daily-list');
      for (const row of rows) ul.append(build(doc, /** @type {any} */ (row)));
      section.append(ul);
    }
    wrap.append(section);
  }
  return wrap;
}

/**
 * Shows one state of the section: loading, ok, empty or error.
 * @param {HTMLElement} target
 * @param {string} state
 * @param {Node} content
 */
function show(target, state, content) {
  target.dataset.state = state;
  target.replaceChildren(content);
}

let shown = 0;

/**
 * Loads and shows one day's announcement into `target`; a newer call supersedes an older one.
 * @param {BookTaxClient | null} client null when the page has no working client
 * @param {string} unavailable why there is no client
 * @param {string} isoDate YYYY-MM-DD from the date input
 * @param {HTMLElement} target
 */
export async function showDaily(client, unavailable, isoDate, target) {
  const seq = ++shown;
  const doc = target.ownerDocument;
  const date = isoDate.replaceAll('-', '');
  show(target, 'loading', el(doc, 'p', 'daily-loading', '讀取中…'));
  if (!/^\d{8}$/.test(date)) {
    show(target, 'error', el(doc, 'p', 'error', '請選擇公告日期'));
    return;
  }
  if (!client) {
    show(target, 'error', el(doc, 'p', 'error', `無法取得公告：${unavailable}`));
    return;
  }
  try {
    const daily = await client.daily(date);
    if (seq === shown) show(target, 'ok', buildDaily(doc, daily, date));
  } catch (e) {
    if (seq !== shown) return;
    const error = /** @type {import('./pkg/booktax.js').BookTaxError} */ (e);
    if (error && error.code === 'not_found') {
      show(target, 'empty', el(doc, 'p', 'daily-empty', error.message));
    } else {
      show(target, 'error', el(doc, 'p', 'error', `無法取得公告：${(error && error.message) || '公告服務沒有回應'}`));
    }
  }
}
