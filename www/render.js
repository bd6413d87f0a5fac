// DOM builders for verdicts, records and daily announcements (textContent only; reusable by a future <book-tax-lookup> element).

export const STATUS_LABELS = {
  applying: '申請中',
  approved: '已認可',
  revoked: '已撤銷',
  expired: '已到期',
};

export const EAN_STATUS_LABELS = {
  created: '已建立',
  deleted: '已刪除',
};

// Words and glyphs per verdict: never colour alone.
export const VERDICTS = {
  exempt: { word: '免稅', glyph: '✓' },
  taxable: { word: '應稅', glyph: '✕' },
  unknown: { word: '無法判定', glyph: '⚠' },
};

export const UNKNOWN_ADVICE = '無法判定：請以應稅處理並至認可公告頁面確認';

// Only a decision that literally says "exempt" is exempt; anything unreadable is unknown.
export function verdictOf(decision) {
  const v = decision && typeof decision === 'object' ? decision.verdict : undefined;
  if (v === 'exempt' || v === 'taxable') return v;
  return 'unknown';
}

// "20240301" -> "2024-03-01"; anything else shown verbatim, null/empty as a dash.
export function formatDate(value) {
  if (value === null || value === undefined || value === '') return '—';
  const s = String(value);
  return /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : s;
}

export function statusLabel(status, labels = STATUS_LABELS) {
  if (status === null || status === undefined || status === '') return '（未提供）';
  const s = String(status);
  return Object.prototype.hasOwnProperty.call(labels, s) ? labels[s] : s;
}

function text(value) {
  if (value === null || value === undefined || value === '') return '—';
  return String(value);
}

function yesNo(value) {
  if (value === true) return '是';
  if (value === false) return '否';
  return text(value);
}

// el(doc, 'p', 'class', 'text or node', ...) with every string child added as a text node.
export function el(doc, tag, className, ...children) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? doc.createTextNode(child) : child);
  }
  return node;
}

function field(doc, dl, label, value, key) {
  const dt = el(doc, 'dt', null, label);
  const dd = el(doc, 'dd', null, value);
  if (key) dd.dataset.field = key;
  dl.append(dt, dd);
}

function exemptPeriod(decision) {
  if (!decision || (!decision.exemptFrom && !decision.exemptUntil)) return '—';
  return `${formatDate(decision.exemptFrom)} 至 ${formatDate(decision.exemptUntil)}`;
}

// A small verdict badge: glyph + word, for list items.
export function verdictBadge(doc, decision) {
  const v = verdictOf(decision);
  const badge = el(doc, 'span', `badge badge-${v}`,
    el(doc, 'span', 'glyph', VERDICTS[v].glyph), ' ', VERDICTS[v].word);
  badge.dataset.verdict = v;
  return badge;
}

// Fills the big verdict element for a decision (or a code-reader / service error).
export function renderVerdict(target, { decision, code, kind, addon, error }) {
  const doc = target.ownerDocument;
  const v = verdictOf(decision);
  target.dataset.verdict = v;
  target.dataset.reason = decision && typeof decision.reason === 'string' ? decision.reason : (error && error.code) || 'unknown';
  if (code) target.dataset.code = code; else delete target.dataset.code;
  target.removeAttribute('aria-busy');

  const message = decision && typeof decision.message === 'string' && decision.message ? decision.message : '';

  const head = el(doc, 'p', 'verdict-head',
    el(doc, 'span', 'verdict-glyph', VERDICTS[v].glyph),
    el(doc, 'span', 'verdict-word', VERDICTS[v].word));
  const parts = [head];
  if (message) {
    const msg = el(doc, 'p', 'verdict-message', message);
    msg.id = 'verdict-message';
    parts.push(msg);
  }
  // An unknown verdict always carries the instruction to charge tax and check the announcement page.
  if (v === 'unknown' && !message.includes('請以應稅處理')) parts.push(el(doc, 'p', 'verdict-advice', UNKNOWN_ADVICE));
  if (error && error.message && !message.includes(error.message)) {
    const err = el(doc, 'p', 'verdict-error', `錯誤：${error.message}`);
    err.id = 'verdict-error';
    parts.push(err);
  }
  if (code) {
    const label = kind === 'ean' ? 'EAN' : 'ISBN';
    parts.push(el(doc, 'p', 'verdict-code', `${label} ${code}${addon ? `（附加碼 ${addon}）` : ''}`));
  }
  target.replaceChildren(...parts);
}

// Puts the verdict element in its "looking up" state: nothing from a previous book stays on screen.
export function renderPending(target, code) {
  const doc = target.ownerDocument;
  target.dataset.verdict = 'pending';
  delete target.dataset.reason;
  if (code) target.dataset.code = code; else delete target.dataset.code;
  target.setAttribute('aria-busy', 'true');
  target.replaceChildren(el(doc, 'p', 'verdict-pending', '查詢中…'));
}

// Details of one ISBN record as a <dl>.
export function buildIsbnDetails(doc, record, decision) {
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

// Details of a boxed set: its own fields, then each book with its own verdict.
export function buildEanDetails(doc, record, decision) {
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
  books.forEach((book, i) => {
    const isbn = book && book.isbn;
    const item = items.find((d) => d && d.isbn === isbn) || items[i] || null;
    const li = el(doc, 'li', 'item');
    li.dataset.isbn = text(isbn);
    li.dataset.verdict = verdictOf(item);
    li.append(
      el(doc, 'p', 'item-head', verdictBadge(doc, item), ' ',
        el(doc, 'span', 'item-isbn', `ISBN ${text(isbn)}`), ' ',
        el(doc, 'span', 'item-title', text(book && book.title))),
      el(doc, 'p', 'item-meta',
        `出版者：${text(book && book.publisher)}　狀態：${statusLabel(book && book.status)}　` +
        `認可生效日：${formatDate(book && book.approved_effective_date)}　撤銷生效日：${formatDate(book && book.revoked_effective_date)}`),
      el(doc, 'p', 'item-message', item && item.message ? item.message : UNKNOWN_ADVICE),
    );
    list.append(li);
  });
  // Decisions for books the record did not list (should not happen) are still shown.
  for (const item of items) {
    if (books.some((b) => b && b.isbn === item.isbn)) continue;
    const li = el(doc, 'li', 'item', el(doc, 'p', 'item-head', verdictBadge(doc, item), ' ', `ISBN ${text(item.isbn)}`),
      el(doc, 'p', 'item-message', text(item.message)));
    li.dataset.isbn = text(item.isbn);
    li.dataset.verdict = verdictOf(item);
    list.append(li);
  }
  wrap.append(list);
  return wrap;
}

// Details for a lookup result (record may be null when the service failed or does not list the code).
export function buildDetails(doc, result) {
  const record = result && result.record;
  if (!record || typeof record !== 'object') return null;
  const body = result.kind === 'ean' ? buildEanDetails(doc, record, result.decision) : buildIsbnDetails(doc, record, result.decision);
  const title = el(doc, 'h2', 'details-title', result.kind === 'ean' ? '套書（EAN）資料' : '出版品資料');
  return el(doc, 'div', 'details-body', title, body);
}

const DAILY_GROUPS = [
  ['approved', '認可'],
  ['revoked', '撤銷'],
  ['changed', '異動'],
];

function isbnRow(doc, book) {
  const li = el(doc, 'li', 'daily-isbn',
    el(doc, 'span', 'mono', text(book && book.isbn)), '　',
    el(doc, 'span', 'daily-title', text(book && book.title)), '　',
    `${text(book && book.publisher)}｜${statusLabel(book && book.status)}｜認可生效 ${formatDate(book && book.approved_effective_date)}｜撤銷生效 ${formatDate(book && book.revoked_effective_date)}`);
  return li;
}

// One day's announcement: per group, counts then the ISBN and EAN lists.
export function buildDaily(doc, daily, date) {
  const wrap = el(doc, 'div', 'daily-body');
  wrap.append(el(doc, 'h3', null, `${formatDate(date)} 公告`));
  for (const [key, label] of DAILY_GROUPS) {
    const group = daily && daily[key] && typeof daily[key] === 'object' ? daily[key] : {};
    const isbns = Array.isArray(group.isbns) ? group.isbns : [];
    const eans = Array.isArray(group.eans) ? group.eans : [];
    const section = el(doc, 'section', 'daily-group');
    section.dataset.group = key;
    const count = el(doc, 'h4', 'daily-count', `${label}：ISBN ${isbns.length} 筆、EAN ${eans.length} 筆`);
    count.dataset.isbns = String(isbns.length);
    count.dataset.eans = String(eans.length);
    section.append(count);
    if (isbns.length) {
      const ul = el(doc, 'ul', 'daily-list');
      for (const book of isbns) ul.append(isbnRow(doc, book));
      section.append(ul);
    }
    if (eans.length) {
      const ul = el(doc, 'ul', 'daily-list');
      for (const set of eans) {
        const books = Array.isArray(set && set.isbns) ? set.isbns : [];
        const li = el(doc, 'li', 'daily-ean',
          el(doc, 'span', 'mono', `EAN ${text(set && set.ean)}`), '　',
          el(doc, 'span', 'daily-title', text(set && set.title)), `　（${books.length} 本）`);
        if (books.length) {
          const inner = el(doc, 'ul', 'daily-list');
          for (const book of books) inner.append(isbnRow(doc, book));
          li.append(inner);
        }
        ul.append(li);
      }
      section.append(ul);
    }
    wrap.append(section);
  }
  return wrap;
}
