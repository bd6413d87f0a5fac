// @ts-check
// Page wiring: loads the wasm and the config, runs one lookup at a time, keeps the policy bar, the checkout time, the daily list and the settings in step.
import { acceptCodes, appStarted, PRICE } from './accept.js';
import { byId } from './dom.js';
import { renderVerdict, renderPending, buildDetails, unknownDecision } from './render.js';
import { renderPolicy, renderClock } from './policy-bar.js';
import { loadConfig, savedSettings, effectiveSettings, saveSettings, clearSettings } from './settings.js';
import { autoSync, mirrorEnabled, mirrorSyncing, setUpMirror, showMirrorStatus } from './mirror.js';
import { setUpSale, addToSale, updateSaleLine, priceLastLine, redecideSale, scanStarted, scanEnded } from './sale.js';

/** @typedef {import('./pkg/booktax-page.js') | import('./pkg/booktax.js')} Wasm */
/** @typedef {import('./pkg/booktax-page.js').BookTaxClient | import('./pkg/booktax.js').BookTaxClient} BookTaxClient */
/** @typedef {import('./pkg/booktax.js').BookTaxError} BookTaxError */
/** @typedef {import('./settings.js').Config} Config */

// How long the page waits for its config and for the module before it says it cannot judge.
const CONFIG_TIMEOUT_MS = 5000;
const MODULE_TIMEOUT_MS = 60000;

const ui = {
  form: byId('lookup-form', HTMLFormElement),
  code: byId('code', HTMLInputElement),
  codeError: byId('code-error', HTMLElement),
  verdict: byId('verdict', HTMLElement),
  details: byId('details', HTMLElement),
  at: byId('at', HTMLInputElement),
  atNow: byId('at-now', HTMLButtonElement),
  atState: byId('at-state', HTMLElement),
  policy: { bar: byId('policy', HTMLElement), date: byId('policy-date', HTMLElement), note: byId('policy-note', HTMLElement) },
  sample: byId('sample-banner', HTMLElement),
  clock: byId('clock-warning', HTMLElement),
  daily: byId('daily', HTMLDetailsElement),
  batch: byId('batch', HTMLDetailsElement),
  dailyForm: byId('daily-form', HTMLFormElement),
  dailyDate: byId('daily-date', HTMLInputElement),
  dailyResult: byId('daily-result', HTMLElement),
  settingsForm: byId('settings-form', HTMLFormElement),
  baseUrl: byId('base-url', HTMLInputElement),
  appid: byId('appid', HTMLInputElement),
  settingsReset: byId('settings-reset', HTMLButtonElement),
  settingsStatus: byId('settings-status', HTMLElement),
};

const state = {
  /** @type {Wasm | null} */ wasm: null,
  /** Whether `wasm` is booktax.js, which reads the mirror (booktax-page.js does not). */ wasmReadsMirror: false,
  /** Why the mirror is on and not read: its module did not load. */ mirrorModuleError: '',
  /** @type {string | null} */ loadError: null,
  /** @type {Config} */ config: { baseUrl: '', appid: undefined, sample: false },
  /** @type {BookTaxClient | null} */ client: null,
  /** Why there is no client. */ clientError: '',
  atIsNow: true,
  /** @type {string | null} the last code looked up, to look up again when an option changes */ lastInput: null,
  /** @type {{ controller: AbortController, scan: boolean } | null} the lookup on screen now */ running: null,
  policySeq: 0,
};

// ---- checkout time -------------------------------------------------------

/** The checkout moment the clerk fixed, or undefined for now. */
function checkoutAt() {
  return state.atIsNow || !ui.at.value ? undefined : ui.at.value;
}

function format() {
  const checked = ui.form.querySelector('input[name="format"]:checked');
  return checked instanceof HTMLInputElement && checked.value === 'ebook' ? 'ebook' : 'physical';
}

/** Shows "now" (by the corrected clock) in the checkout field, unless the clerk is editing it. */
function showNow() {
  if (state.client) ui.at.value = state.client.now().time.slice(0, 16);
}

function showAtState() {
  ui.atNow.setAttribute('aria-pressed', String(state.atIsNow));
  ui.at.dataset.now = String(state.atIsNow);
  ui.atState.textContent = state.atIsNow
    ? '以現在時間判定'
    : `以指定時間判定：${ui.at.value.replace('T', ' ')}（台北時間）`;
  ui.atState.dataset.mode = state.atIsNow ? 'now' : 'fixed';
}

function setNow() {
  state.atIsNow = true;
  showNow();
  showAtState();
}

// ---- policy bar and clock ------------------------------------------------

/** Refreshes the policy bar for the checkout day(s) (the policy date is fetched at most once a day). */
async function refreshPolicy() {
  const seq = ++state.policySeq;
  if (!state.client) {
    renderPolicy(ui.policy, null, state.clientError);
    return;
  }
  const client = state.client;
  const at = checkoutAt();
  try {
    const status = await client.policyStatus(at ? { at } : undefined);
    if (seq !== state.policySeq) return;
    renderPolicy(ui.policy, status);
    renderClock(ui.clock, client.now());
    // The service's answer may have corrected the clock: "now" follows it.
    if (state.atIsNow && document.activeElement !== ui.at) showNow();
  } catch (e) {
    if (seq !== state.policySeq) return;
    const error = /** @type {BookTaxError} */ (e);
    renderPolicy(ui.policy, null, (error && error.message) || '公告服務沒有回應');
  }
}

// ---- client and settings -------------------------------------------------

function makeClient() {
  const { baseUrl, appid } = effectiveSettings(state.config);
  const saved = savedSettings();
  ui.sample.hidden = !(state.config.sample && (!saved || saved.baseUrl === state.config.baseUrl));
  state.client = null;
  state.clientError = '';
  if (!state.wasm) {
    state.clientError = state.loadError || '判定程式尚未載入';
    return;
  }
  try {
    // A mirror turned on whose module did not load: live lookups, and the panel says why.
    const mirror = mirrorEnabled() && state.wasmReadsMirror;
    state.client = new state.wasm.BookTaxClient({ baseUrl, appid: appid || undefined, timeoutMs: 8000, retries: 1, mirror });
  } catch (e) {
    state.clientError = (e instanceof Error && e.message) || '服務設定無法使用';
  }
}

function fillSettingsForm() {
  const { baseUrl, appid } = effectiveSettings(state.config);
  ui.baseUrl.value = baseUrl || '';
  ui.appid.value = appid || '';
}

/** @param {string} message */
function afterSettingsChange(message) {
  makeClient();
  showMirrorStatus();
  ui.settingsStatus.textContent = message;
  refreshPolicy();
  if (state.lastInput !== null) runLookup(state.lastInput, { refocus: false });
  // Lines left undecided without a client are decided now that there may be one.
  redecideSale();
}

// ---- lookups -------------------------------------------------------------

/** @param {string} message */
function showCodeError(message) {
  ui.codeError.textContent = message;
  ui.codeError.hidden = false;
  ui.code.setAttribute('aria-invalid', 'true');
}

/** What the code field says once its own error is gone: the scans that did not join the sale, if any. */
function clearCodeError() {
  ui.code.removeAttribute('aria-invalid');
  ui.codeError.textContent = notAddedNotice();
  ui.codeError.hidden = !ui.codeError.textContent;
}

/** Scans that ended without joining the sale while another held the screen, until each is scanned again. */
const notAdded = new Set();

function notAddedNotice() {
  return notAdded.size ? `未加入本筆交易，請重新掃描：${[...notAdded].map((c) => `「${c}」`).join('')}` : '';
}

/**
 * A scan that did not join the sale, named until it is scanned again.
 * @param {string} input
 * @param {string} why
 */
function noteNotAdded(input, why) {
  notAdded.add(input.trim());
  showCodeError(`${notAddedNotice()}（${why}）`);
}

/**
 * After a result, the typed text is selected so the next scan replaces it.
 * @param {string} submitted
 * @param {boolean} refocus
 */
function readyForNextScan(submitted, refocus) {
  if (ui.code.value !== submitted) return; // the clerk already started the next code
  const active = document.activeElement;
  // Typing a price or a quantity in the sale, a checkout time, a setting: an answer arriving
  // then must not take the keys (the rest of "350" would go into the code field).
  const elsewhere = active && active !== ui.code && active !== document.body &&
    (typingField(active) || ui.settingsForm.contains(active) || ui.dailyForm.contains(active));
  if (refocus && !elsewhere) {
    ui.code.focus();
    ui.code.select();
  } else if (active === ui.code) {
    // select() also focuses: only where the clerk already is.
    ui.code.select();
  }
}

/**
 * Whether an element takes typed text (a text-like input, a select, a textarea), as a button or a radio does not.
 * @param {Element} element
 */
function typingField(element) {
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return true;
  return element instanceof HTMLInputElement && !['button', 'submit', 'reset', 'checkbox', 'radio', 'file'].includes(element.type);
}

/** The unknown verdict while the page has no client (the module or the settings are missing). */
function loadFailedDecision() {
  return unknownDecision(state.clientError || '公告服務無法使用', 'load_failed');
}

/**
 * Looks a code up and shows the answer while it is the newest lookup. A scan's answer joins the
 * sale, so a scan is never cancelled: a stack scanned faster than the service answers keeps every
 * item, and only the screen moves on to the newest. A lookup made again after an option changed
 * joins nothing, and a newer one cancels it, requests and retries included.
 * @param {string} input
 * @param {{ refocus?: boolean, scan?: boolean }} [options]
 */
async function runLookup(input, { refocus = true, scan = false } = {}) {
  if (state.running && !state.running.scan) state.running.controller.abort();
  const controller = new AbortController();
  const running = { controller, scan };
  state.running = running;
  /** Whether this lookup still owns the screen. */
  const shown = () => state.running === running;
  const scanTerms = scan ? scanStarted() : null;
  try {
    await lookupAndShow(input, { refocus, scan, shown, signal: controller.signal, scanTerms });
  } finally {
    if (scan) scanEnded();
  }
}

/**
 * The body of `runLookup`.
 * @param {string} input
 * @param {{ refocus: boolean, scan: boolean, shown: () => boolean, signal: AbortSignal, scanTerms: { terms: string, asked: number, scannedAt: number } | null }} how
 */
async function lookupAndShow(input, { refocus, scan, shown, signal, scanTerms }) {
  // The code on screen from now on: an option or settings change looks this one up again.
  state.lastInput = input;
  clearCodeError();
  renderPending(ui.verdict);
  ui.details.replaceChildren();
  await ready;
  // A scan entered while the page loaded joins the sale even when a newer one holds the screen.
  if (signal.aborted || (!scan && !shown())) return;
  if (!state.client) {
    if (scan) noteNotAdded(input, state.clientError || '公告服務無法使用');
    renderVerdict(ui.verdict, { decision: loadFailedDecision() });
    readyForNextScan(input, refocus);
    return;
  }
  // This lookup's client throughout: a settings change makes another (or none) meanwhile.
  const client = state.client;
  let result;
  const at = checkoutAt();
  const options = { format: /** @type {'physical' | 'ebook'} */ (format()), signal, ...(at ? { at } : {}) };
  // While this page's sync writes the mirror, a mirror read waits behind its writes: the live service
  // (reachable, or the sync would not be running) answers first, the mirror when it cannot.
  const first = mirrorSyncing() ? { ...options, preferLive: true } : options;
  try {
    result = await client.lookup(input, first);
  } catch (e) {
    const error = e && typeof e === 'object'
      ? /** @type {BookTaxError} */ (e)
      : /** @type {BookTaxError} */ ({ code: 'internal', message: String(e), name: 'Error' });
    if (signal.aborted || error.code === 'aborted') return;
    const message = error.message || '無法讀取條碼';
    if (!shown()) {
      // A scan a newer one took the screen from (scanned while the page loaded, or faster than the
      // service answers) is not in the sale: said, so that the clerk scans it again.
      if (scan) noteNotAdded(input, message);
      return;
    }
    // Its error is on screen now: no longer named as missing.
    notAdded.delete(input.trim());
    showCodeError(message);
    const decision = error.decision || unknownDecision(message, error.code || 'internal');
    renderVerdict(ui.verdict, { decision, error: { code: error.code || 'internal', message } });
    state.lastInput = null;
    readyForNextScan(input, refocus);
    return;
  }
  if (signal.aborted) return;
  // The verdict first: storing and redrawing the sale must not delay what the clerk waits for.
  if (shown()) showResult(result);
  if (scanTerms) {
    addToSale(result, scanTerms);
    // Scanned again and added: no longer named as missing.
    if (notAdded.delete(input.trim())) clearCodeError();
  }
  if (result.source === 'mirror' && navigator.onLine) {
    // The mirror answered at once; the live service confirms, and its answer wins when it has one.
    // Asked once the mirror's verdict is painted: an answer back within the frame would otherwise
    // redraw the verdict and the sale before the clerk sees the first.
    await painted();
    if (signal.aborted) return;
    // Not once the settings changed (another service, or none): the mirror's answer stands.
    const confirmed = state.client === client
      ? await client.lookup(input, { ...options, confirm: true }).catch(() => null)
      : null;
    if (signal.aborted) return;
    if (confirmed && confirmed.source === 'live') {
      result = confirmed;
      if (scanTerms) updateSaleLine(result, scanTerms);
      if (shown()) showResult(result);
    }
  }
  if (!shown()) return;
  renderClock(ui.clock, client.now());
  // The lookup may have learnt the service's clock or a new day's policy date (cached:
  // the bar asks nothing more); a failed one leaves the bar alone rather than ask again.
  if (result.policyExpiryDate) refreshPolicy();
  readyForNextScan(input, refocus);
}

/** @param {import('./pkg/booktax.js').Lookup} result */
function showResult(result) {
  renderVerdict(ui.verdict, result);
  const details = buildDetails(document, result);
  ui.details.replaceChildren(...(details ? [details] : []));
}

function onOptionChange() {
  refreshPolicy();
  if (state.lastInput !== null) runLookup(state.lastInput);
  redecideSale();
}

/** The checkout moment (undefined: now) and format every decision on the page is made at. */
function terms() {
  const at = checkoutAt();
  return { format: /** @type {'physical' | 'ebook'} */ (format()), ...(at ? { at } : {}) };
}

/**
 * Whether `client` is booktax.js's, which reads the daily lists (booktax-page.js's does not).
 * @param {BookTaxClient} client
 * @returns {client is import('./pkg/booktax.js').BookTaxClient}
 */
function readsDaily(client) {
  return 'daily' in client;
}

/** @type {{ client: BookTaxClient, reader: Promise<import('./pkg/booktax.js').BookTaxClient | null> } | null} */
let dailyReader = null;

/**
 * A client that reads the daily lists: the page's own when it runs on booktax.js (the mirror on), else one
 * of booktax.js for the page's service, made once per page client (the page's own wasm has no daily list: a
 * till that never opens it never downloads it). Null when the page has no client (its error says why).
 * @returns {Promise<import('./pkg/booktax.js').BookTaxClient | null>}
 */
function dailyClient() {
  const client = state.client;
  if (!client) return Promise.resolve(null);
  if (readsDaily(client)) return Promise.resolve(client);
  if (dailyReader?.client !== client) {
    const reader = (async () => {
      const full = await initialised(import('./pkg/booktax.js'));
      const { baseUrl, appid } = effectiveSettings(state.config);
      const made = new full.BookTaxClient({ baseUrl, appid: appid || undefined, timeoutMs: 8000, retries: 1 });
      if (!readsDaily(made)) return null;
      // Its clock corrected by the service first, as the page's is: a list "after tomorrow" is refused
      // unasked, and a till whose clock is days behind would otherwise be refused today's.
      await made.policyStatus(undefined).catch(() => {});
      return made;
    })();
    // A reader that did not load is not kept: the next opening tries again.
    reader.catch(() => { if (dailyReader?.reader === reader) dailyReader = null; });
    dailyReader = { client, reader };
  }
  return dailyReader.reader;
}

function loadDaily() {
  // Loading from the click on, while the list's module may still be on its way.
  ui.dailyResult.dataset.state = 'loading';
  ui.dailyResult.textContent = '讀取中…';
  const client = ready.then(() => dailyClient())
    .catch(() => { throw new Error('無法載入讀取公告的程式，請確認連線後再試'); });
  client.catch(() => {}); // said below, whichever fails first
  ready.then(() => import('./daily.js').then(({ showDaily }) =>
    client.then((reader) => showDaily(reader, state.clientError, ui.dailyDate.value, ui.dailyResult)),
  )).catch((e) => {
    ui.dailyResult.dataset.state = 'error';
    ui.dailyResult.textContent = `無法載入每日公告（${(e instanceof Error && e.message) || e}）`;
  });
}

// ---- start-up ------------------------------------------------------------

/** @type {() => void} */
let markReady = () => {};
const ready = new Promise((resolve) => { markReady = () => resolve(undefined); });
/** @type {Promise<() => void> | null} */
let syncHoldTeller = null;

/**
 * What tells the sync's hold of a scan (`sync-hold.js`, loaded once). Without it (it failed to load), a sync
 * simply is not held.
 */
function syncHold() {
  syncHoldTeller ??= import('./sync-hold.js')
    .then(({ tellScan }) => tellScan ?? (() => {}))
    .catch((e) => {
      console.warn('booktax: the sync is not held while scanning:', e);
      return () => {};
    });
  return syncHoldTeller;
}

/**
 * Tells a sync in any tab that the clerk scans. Only with the mirror on in this browser is there a sync to
 * hold, so only then is the hold's module loaded: once the page is ready, not on the way to the first scan.
 */
function tellSyncHold() {
  if (mirrorEnabled()) syncHold().then((tell) => tell()).catch(() => {});
}

/**
 * A code (or 「$350」) entered in the code field, handed over by accept.js: at once when the page can
 * decide, and those entered while it loaded in the order they came.
 * @param {string} text
 */
function onCodeEntered(text) {
  const price = PRICE.exec(text);
  if (price) {
    // 「$350」: the last line's unit price, not a code.
    const problem = priceLastLine(price[1]);
    if (problem) {
      showCodeError(problem);
      // Selected, so a scan made next replaces the refused price instead of joining it.
      if (ui.code.value === text) ui.code.select();
    } else {
      clearCodeError();
      if (ui.code.value === text) ui.code.value = '';
    }
    return;
  }
  // A sync in any tab waits for the scanning to stop.
  tellSyncHold();
  runLookup(text, { scan: true });
  // Select at once too, so a scan made while this lookup is still running replaces the text.
  ui.code.select();
}
ui.form.addEventListener('change', (event) => {
  if (event.target instanceof HTMLInputElement && event.target.name === 'format') onOptionChange();
});
ui.at.addEventListener('change', () => {
  state.atIsNow = !ui.at.value;
  if (state.atIsNow) showNow();
  showAtState();
  onOptionChange();
});
ui.atNow.addEventListener('click', () => {
  setNow();
  onOptionChange();
  ui.code.focus();
  ui.code.select();
});
ui.dailyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  loadDaily();
});
ui.daily.addEventListener('toggle', () => {
  if (ui.daily.open && !ui.dailyResult.dataset.state) loadDaily();
});
// Batch pricing loads when its panel is first opened: a till that never opens it never downloads it.
// Its button is disabled in the HTML until setUpBatch wires it, so the form is never sent before.
let batchLoading = false;
ui.batch.addEventListener('toggle', () => {
  if (!ui.batch.open || batchLoading) return;
  batchLoading = true;
  ready.then(() => import('./batch.js').then(({ setUpBatch }) =>
    setUpBatch({ service: () => effectiveSettings(state.config), mirror: mirrorEnabled, terms: batchTerms })))
    .catch((e) => {
      byId('batch-status', HTMLElement).textContent = `無法載入整批查詢（${(e instanceof Error && e.message) || e}），請重新整理頁面。`;
    });
});
ui.settingsForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const problem = saveSettings({ baseUrl: ui.baseUrl.value.trim(), appid: ui.appid.value });
  if (problem) ui.settingsStatus.textContent = problem;
  else afterSettingsChange('已儲存設定。');
});
ui.settingsReset.addEventListener('click', () => {
  clearSettings();
  fillSettingsForm();
  afterSettingsChange('已還原預設設定。');
});

// Keep "now" current without touching a time the clerk is editing; the policy bar follows the day.
setInterval(() => {
  if (state.atIsNow && document.activeElement !== ui.at) {
    showNow();
    refreshPolicy();
    // Past midnight "now" is another day: the sale's lines are decided on it.
    redecideSale();
  }
}, 30000);

/**
 * Resolves once what is on screen now has been painted (the next frame), or after 100 ms in a tab the
 * browser does not paint (hidden).
 * @returns {Promise<void>}
 */
function painted() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 100);
  });
}

/**
 * Rejects after `ms` with a message for the clerk.
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<never>}
 */
function timeout(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}逾時`)), ms));
}

/**
 * The module `loading` imports, initialised, or a rejection after MODULE_TIMEOUT_MS.
 * @param {Promise<Wasm>} loading
 * @returns {Promise<Wasm>}
 */
function initialised(loading) {
  const init = async () => {
    const wasm = await loading;
    await wasm.default();
    return wasm;
  };
  return Promise.race([init(), timeout(MODULE_TIMEOUT_MS, '載入判定程式')]);
}

/**
 * With the mirror on, the package's wasm (booktax.js: it reads the mirror; the Workers use it, and it is kept
 * offline with them); else, or when that one does not load, the page's own (booktax-page.js: no mirror, what
 * a first visit downloads).
 */
async function loadModule() {
  if (mirrorEnabled()) await loadMirrorModule();
  if (!state.wasm) state.wasm = await initialised(import('./pkg/booktax-page.js'));
}

/** Loads booktax.js, unless it is loaded; if it cannot, says why in `mirrorModuleError`. */
async function loadMirrorModule() {
  if (state.wasmReadsMirror) return;
  try {
    state.wasm = await initialised(import('./pkg/booktax.js'));
    state.wasmReadsMirror = true;
    state.mirrorModuleError = '';
  } catch (e) {
    state.mirrorModuleError = `無法載入離線查詢程式（${(e instanceof Error && e.message) || e}），查詢都連線至公告服務；請重新整理頁面再試。`;
  }
}

// The batch's Worker has no clock but the device's: "now" goes to it by the page's corrected clock.
function batchTerms() {
  const t = terms();
  const now = state.client?.now().time.slice(0, 16);
  return t.at || !now ? t : { ...t, at: now };
}

// Whatever fails or stalls on the way, the page ends up ready: scans then say what is missing.
async function start() {
  appStarted();
  try {
    const configLoaded = Promise.race([loadConfig(), timeout(CONFIG_TIMEOUT_MS, '讀取設定')])
      .catch(() => state.config);
    try {
      await loadModule();
    } catch (e) {
      state.loadError = `無法載入判定程式（${(e instanceof Error && e.message) || e}）`;
    }
    state.config = await configLoaded;
    makeClient();
    setUpMirror({
      service: () => effectiveSettings(state.config),
      client: () => state.client,
      problem: () => state.mirrorModuleError,
      changed: async () => {
        if (mirrorEnabled()) await loadMirrorModule();
        makeClient();
        if (state.lastInput !== null) runLookup(state.lastInput, { refocus: false });
      },
    });
    setUpSale({ wasm: () => state.wasm, client: () => state.client, terms, code: ui.code });
    fillSettingsForm();
    setNow();
    if (state.client) ui.dailyDate.value = state.client.now().time.slice(0, 10);
  } finally {
    markReady();
    document.documentElement.dataset.ready = 'true';
    // For `cargo xtask bench`: the moment a scan can be decided (accept.js marks when one is kept).
    performance.mark('booktax-decides');
    acceptCodes(onCodeEntered);
  }
  if (!state.client) renderVerdict(ui.verdict, { decision: loadFailedDecision() });
  // Not on the way to the first scan: the offline shell, and with the mirror on the sync's hold.
  if (mirrorEnabled()) syncHold();
  import('./offline.js').then(({ registerOffline }) => registerOffline()).catch(() => {});
  await refreshPolicy();
  // After the policy request, so the busy window is judged by the service's clock.
  autoSync();
}

start();
