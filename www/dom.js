// @ts-check
// DOM helpers: element lookup by id, element building with text nodes only, dates for people.

/**
 * The element with this id; a missing one is a broken page, so it throws.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type the element's class, e.g. HTMLInputElement
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return node;
}

/**
 * Why a Worker (`what`: 整批查詢, 同步, 匯入) could not start, for the clerk: offline its files may never
 * have been downloaded; online the page may be older than the server.
 * @param {string} what
 */
export function workerFailed(what) {
  return navigator.onLine
    ? `${what}程式無法執行：可能已有新版本，請重新載入頁面後再試。`
    : `${what}程式無法執行：離線時須先在連線狀態下使用過一次（啟用離線資料後連線同步一次即可）。`;
}

/**
 * el(doc, 'p', 'class', 'text or node', ...): every string child is added as a text node, never as HTML.
 * @param {Document} doc
 * @param {string} tag
 * @param {string | null} className
 * @param {...(string | Node | null | undefined)} children
 * @returns {HTMLElement}
 */
export function el(doc, tag, className, ...children) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? doc.createTextNode(child) : child);
  }
  return node;
}

/**
 * "20240301" -> "2024-03-01"; anything else shown verbatim, null/empty as a dash.
 * @param {unknown} value
 * @returns {string}
 */
export function formatDate(value) {
  if (value === null || value === undefined || value === '') return '—';
  const s = String(value);
  return /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : s;
}

/**
 * A value served by the API as text: a dash for nothing.
 * @param {unknown} value
 * @returns {string}
 */
export function text(value) {
  if (value === null || value === undefined || value === '') return '—';
  return String(value);
}

/**
 * Sets an element's text only when it differs: writing the same text again still costs a style
 * and layout pass, which a scan's frame pays when the policy bar or clock warning is refreshed.
 * @param {HTMLElement} node
 * @param {string} value
 */
export function setText(node, value) {
  if (node.textContent !== value) node.textContent = value;
}
