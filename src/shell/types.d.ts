/** What `normalizeCode` read: a book's ISBN-13 or a boxed set's EAN-13, and a scanner's add-on. */
export interface NormalizedCode {
  kind: 'isbn' | 'ean';
  code: string;
  addon?: string;
}

/** What `readCodes` read: per line a kind (1 ISBN, 2 EAN, 0 no code) and 13 ASCII digits at `13 * line`. */
export interface CodeList {
  kinds: Uint8Array;
  digits: Uint8Array;
}

/** What `decideIsbns` decided: per record a verdict (0 exempt, 1 taxable, 2 unknown) and an index into `reasonNames`. */
export interface DecisionList {
  verdicts: Uint8Array;
  reasons: Uint8Array;
  reasonNames: string[];
}

/** A book as the announcement API serves it (`Isbn` object). */
export interface IsbnRecord {
  isbn: string;
  isbn_13?: string;
  isbn_10?: string;
  title?: string | null;
  publisher?: string | null;
  kind?: string | null;
  type?: string | null;
  include_ebook?: boolean | null;
  status?: string | null;
  approved_effective_date?: string | null;
  revoked_effective_date?: string | null;
}

/** A boxed set as the announcement API serves it (`Ean` object). */
export interface EanRecord {
  ean: string;
  title?: string | null;
  status?: string | null;
  created_date?: string | null;
  deleted_date?: string | null;
  isbns?: IsbnRecord[] | null;
}

/** One list of a daily announcement. */
export interface AnnouncementSection {
  isbns: IsbnRecord[];
  eans: EanRecord[];
}

/** One day's announcement, as served. */
export interface DailyAnnouncement {
  code: number;
  message: string | null;
  policy_expiry_date: string | null;
  approved: AnnouncementSection;
  revoked: AnnouncementSection;
  changed: AnnouncementSection;
}

export type Verdict = 'exempt' | 'taxable' | 'unknown';

/** The days a disputed "now" fell on (YYYYMMDD) and the one the verdict stands on. */
export interface ClockDays {
  deviceDate: string;
  serviceDate: string;
  judgedDate: string;
  /** That day's own reason. */
  reason: string;
}

/** A decision: the verdict, why (for programs and in words), and the exempt window. */
export interface Decision {
  verdict: Verdict;
  /** `approved`, `not_listed`, `revoked`, `clocks_disagree`, `lookup_failed`, … or a code reader's error code. */
  reason: string;
  /** The whole zh-TW line for the clerk (verdict, why, and the advice when unknown). */
  message: string;
  /** Why, in zh-TW words alone. */
  detail: string;
  exemptFrom?: string;
  exemptUntil?: string;
  clocks?: ClockDays;
  /** A boxed set's books, each with its own decision. */
  items?: Array<Decision & { isbn: string }>;
  /** Set on a boxed set's items. */
  isbn?: string;
}

/** A failure as data: `error.code` names the kind, `error.message` is zh-TW. */
export interface ErrorInfo {
  code: string;
  message: string;
}

/** The answer to "may I sell this code tax-free right now?". */
export interface Lookup {
  code: string;
  kind: 'isbn' | 'ean';
  addon?: string;
  record: IsbnRecord | EanRecord | null;
  decision: Decision;
  policyExpiryDate: string | null;
  error?: ErrorInfo;
  /** How far this device's clock is behind the service's (negative: ahead), when notable. */
  clockSkewSeconds?: number;
  /** Where the record came from. */
  source: 'live' | 'mirror';
  /** When the record was fetched (Taipei time), if one was. */
  fetchedAt: string | null;
  /** The Taipei day the sale was judged on, YYYYMMDD. */
  checkoutDate: string;
  /** From the mirror: the last announcement day it has applied, YYYYMMDD. */
  appliedThrough?: string;
  /** From the mirror: how current it is (`stale`: more than two days behind; `ahead`: it holds lists of days after tomorrow, so the clock is behind; from either, nothing is decided: unknown). */
  freshness?: 'empty' | 'current' | 'behind' | 'stale' | 'ahead';
}

/** Options of `decideIsbn` / `decideEan`. */
export interface DecideOptions {
  policyExpiryDate: string;
  at?: string | Date;
  format?: 'physical' | 'ebook';
  /** The language of `message` and `detail`: `zh-TW` (default) or `en`. */
  lang?: Lang;
}

/** A language every text exists in: `zh-TW` (default) or `en` (any `zh…` / `en…` tag reads as one of them). */
/** booktax-page.js, which has no English texts, refuses `en` (`not_in_this_build`). */
export type Lang = 'zh-TW' | 'en' | (string & {});

/** Options of `new BookTaxClient`. */
export interface ClientOptions {
  baseUrl?: string;
  appid?: string;
  timeoutMs?: number;
  retries?: number;
  /** Answer lookups from the offline mirror (IndexedDB) and allow `sync()`; booktax-page.js, which has no
   * mirror, refuses it (`not_in_this_build`). */
  mirror?: boolean;
  /** The mirror's database name, default `booktax`. */
  mirrorName?: string;
}

/** Options of `sync`. */
export interface SyncOptions {
  signal?: AbortSignal;
  /** Called after each write of applied days. */
  onProgress?: (progress: { day: string; done: number; total: number }) => void;
  /** Records gathered before a write, default 100,000 (about 25 MB at most): lower saves memory and writes more often. */
  groupRecords?: number;
  /** Called before each day is applied; a promise it returns holds the sync until it settles (the page's sync Worker holds it while the clerk scans). */
  pause?: () => Promise<unknown> | void;
}

/** What `sync` resolves to. */
export interface SyncReport {
  /** The last day applied, YYYYMMDD (null before any). */
  appliedThrough: string | null;
  days: number;
  isbns: number;
  eans: number;
}

/** What `importHistorical` resolves to. */
export interface ImportReport {
  imported: number;
  /** Good rows whose code the mirror already held from the daily lists (those stay as they are). */
  alreadyHeld: number;
  /** Rows not imported: the file's line number (the header is line 1) and why. */
  rejected: { line: number; reason: string }[];
  /** What was assumed for every row (a column the file lacks). */
  notes: string[];
}

/** What `mirrorStatus` resolves to. */
export interface MirrorStatus {
  appliedThrough: string | null;
  isbns: number;
  eans: number;
  policyExpiryDate: string | null;
  /** What this origin stores, by `navigator.storage.estimate()`, when known. */
  bytes: number | null;
  freshness: 'empty' | 'current' | 'behind' | 'stale' | 'ahead';
  /** Days behind today (negative: ahead of tomorrow), once synced. */
  daysBehind: number | null;
}

/** Options of `lookup`. */
export interface LookupOptions {
  at?: string | Date;
  format?: 'physical' | 'ebook';
  /** The language of every text in the answer and of the error: `zh-TW` (default) or `en`. */
  lang?: Lang;
  signal?: AbortSignal;
  /** With a mirror: after the mirror's answer, ask the live service; its answer wins when it has one. */
  confirm?: boolean;
  /** With a mirror: ask the live service first and the mirror only when it has no answer (while a sync writes the mirror). */
  preferLive?: boolean;
}

/** Options of `policyStatus`. */
export interface StatusOptions {
  at?: string | Date;
  /** The language of `error.message`. */
  lang?: Lang;
  signal?: AbortSignal;
}

/** How the policy stands on the checkout day(s). */
export interface PolicyStatus {
  state: 'ok' | 'warning' | 'expired' | 'unknown';
  policyExpiryDate?: string;
  /** Days left on the less favourable day; negative once expired. */
  daysLeft?: number;
  error?: ErrorInfo;
}

/** Now by the corrected clock (the service's once it has answered). */
export interface ClockReading {
  /** Taipei day, YYYYMMDD. */
  date: string;
  /** Taipei time, `2026-11-24T07:31:05+08:00`. */
  time: string;
  deviceDate: string;
  serviceDate?: string;
  skewSeconds?: number;
}

/** The `Error` a booktax call rejects or throws with. */
export interface BookTaxError extends Error {
  code: string;
  /** For unreadable input to `lookup`: the unknown verdict to show. */
  decision?: Decision;
}

/** One line of a sale for `saleTotals`: whole NT$, tax included. */
export interface SaleLine {
  verdict: Verdict;
  unitPrice: number;
  quantity: number;
  /** For `saleCsv`: the code, title and why, as the paper note names the line. */
  code?: string;
  title?: string;
  detail?: string;
}

/** What `saleTotals` returns: the invoice's amounts and each item's e-invoice tax type (1 taxable, 3 exempt). */
export interface SaleTotals {
  /** FreeTaxSalesAmount (免稅銷售額). */
  exemptAmount: number;
  /** SalesAmount (應稅銷售額), tax included. */
  taxableAmount: number;
  /** The business tax the taxable amount includes: taxable − round(taxable ÷ 1.05), halves up. */
  taxIncluded: number;
  /** 1 all taxable, 3 all exempt, 9 mixed. */
  invoiceTaxType: 1 | 3 | 9;
  items: { taxType: 1 | 3; amount: number }[];
  /** Lines sold as taxable because their verdict was unknown (0-based). */
  unknownLines: number[];
}

/** Options of `checkBatch`. */
export interface BatchOptions {
  /** The checkout moment every line is decided at (default: now). */
  at?: string | Date;
  format?: 'physical' | 'ebook';
  lang?: Lang;
  /** Cancels the run; the promise still resolves, with `cancelled: true`. */
  signal?: AbortSignal;
  /** Codes asked so far of the distinct codes; `paused` while the busy window holds the run back. */
  onProgress?: (progress: { done: number; total: number; source: 'live' | 'mirror'; paused: boolean }) => void;
  /** Ask the live service from 21:30 to 24:00 too (its busiest hours). */
  ignoreBusyWindow?: boolean;
  /**
   * Which lines the report's `rows` hold: every line (the default), or the unreadable lines only. The
   * summary and the CSV cover every line either way; a caller that offers the CSV saves making a row
   * object per line (100,000 lines: about 0.4 s).
   */
  rows?: 'all' | 'unreadable';
}

/** What became of one input line of a batch. */
export interface BatchRow {
  /** The input line's number, 1-based. */
  line: number;
  /** The input line as given. */
  text: string;
  code?: string;
  kind?: 'isbn' | 'ean';
  title?: string;
  /** `unreadable`: no code could be read; `not_checked`: cancelled first; `skipped`: a header or blank line. */
  verdict: Verdict | 'unreadable' | 'not_checked' | 'skipped';
  /** The decision's reason, the code reader's error code, `cancelled`, `header` or `blank`. */
  reason: string;
  detail: string;
  exemptFrom?: string;
  exemptUntil?: string;
}

/** How many lines came out which way. */
export interface BatchSummary {
  lines: number;
  exempt: number;
  taxable: number;
  unknown: number;
  unreadable: number;
  notChecked: number;
  skipped: number;
}

/** What `checkBatch` resolves to. */
export interface BatchReport {
  /** One per input line, in order (with `rows: 'unreadable'`, the unreadable lines only). */
  rows: BatchRow[];
  summary: BatchSummary;
  /** Every line as CSV for Excel, as the file's bytes: UTF-8 with BOM, CRLF (`new TextDecoder('utf-8', { ignoreBOM: true }).decode(csv)` for the text with its BOM). */
  csv: Uint8Array;
  source: 'live' | 'mirror';
  cancelled: boolean;
  /** The Taipei day the lines were decided on, YYYYMMDD. */
  checkoutDate: string | null;
  /** Distinct codes asked. */
  codes: number;
}

/** Options of `redecide`. */
export interface DecideAgainOptions {
  /** The checkout moment (default: now, by both clocks). */
  at?: string | Date;
  format?: 'physical' | 'ebook';
  lang?: Lang;
}
