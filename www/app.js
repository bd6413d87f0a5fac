// Page wiring: loads the wasm and config, runs lookups, shows the policy date, daily announcements and settings.
import { renderVerdict, renderPending, buildDetails, buildDaily, formatDate, el } from './render.js';

const SETTINGS_KEY = 'booktax.settings';
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000; // Taiwan keeps UTC+08:00 all year.
const WARN_DAYS = 30;

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('lookup-form'),
  code: $('code'),
  codeError: $('code-error'),
  verdict: $('verdict'),
  details: $('details'),
  at: $('at'),
  atNow: $('at-now'),
  atState: $('at-state'),
  policy: $('policy'),
  policyDate: $('policy-date'),
  policyNote: $('policy-note'),
  sample: $('sample-banner'),
  clock: $('clock-warning'),
  daily: $('daily'),
  dailyForm: $('daily-form'),
  dailyDate: $('daily-date'),
  dailyResult: $('daily-result'),
  settingsForm: $('settings-form'),
  baseUrl: $('base-url'),
  appid: $('appid'),
  settingsReset: $('settings-reset'),
  settingsStatus: $('settings-status'),
};

const state = {
  wasm: null,
  loadError: null,
  config: { baseUrl: '', appid: undefined, sample: false },
  client: null,
  clientError: null,
  atIsNow: true,
  seq: 0,
  dailySeq: 0,
  lastInput: null,
  policy: null,
  policyError: null,
  skewSeconds: 0,
};

// ---- checkout time -------------------------------------------------------

// Current Taipei wall-clock time as a datetime-local value, whatever the machine's time zone.
function taipeiNowLocal() {
  return new Date(Date.now() + TAIPEI_OFFSET_MS).toISOString().slice(0, 16);
}

function checkoutAt() {
  return state.atIsNow || !ui.at.value ? undefined : ui.at.value;
}

function format() {
  const checked = ui.form.querySelector('input[name="format"]:checked');
  return checked && checked.value === 'ebook' ? 'ebook' : 'physical';
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
  ui.at.value = taipeiNowLocal();
  showAtState();
}

// Taipei calendar date (YYYYMMDD) of the checkout moment; null when it cannot be read.
function checkoutDate() {
  if (!state.wasm) return null;
  try {
    const at = checkoutAt();
    // "Now" by the service's clock when this PC's clock is known to be off (see showClockSkew).
    if (at === undefined && state.skewSeconds) return state.wasm.taipeiDate(new Date(Date.now() + state.skewSeconds * 1000));
    return state.wasm.taipeiDate(at);
  } catch {
    return null;
  }
}

// ---- policy expiry date --------------------------------------------------

function dayNumber(yyyymmdd) {
  const s = String(yyyymmdd);
  return Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8))) / 86400000;
}

function showPolicy() {
  if (!state.policy) {
    ui.policy.dataset.state = state.policyError ? 'unknown' : 'loading';
    ui.policyDate.textContent = state.policyError ? '無法取得' : '讀取中…';
    ui.policyNote.textContent = state.policyError
      ? `（${state.policyError}）無法確認政策是否仍有效，查詢結果無法判定時請以應稅處理。`
      : '';
    return;
  }
  ui.policyDate.textContent = formatDate(state.policy);
  const today = checkoutDate();
  if (!today) {
    ui.policy.dataset.state = 'ok';
    ui.policyNote.textContent = '';
    return;
  }
  const left = dayNumber(state.policy) - dayNumber(today);
  if (left < 0) {
    ui.policy.dataset.state = 'expired';
    ui.policyNote.textContent = `⚠ 免稅政策已於 ${formatDate(state.policy)} 到期：所有圖書一律應稅。`;
  } else if (left <= WARN_DAYS) {
    ui.policy.dataset.state = 'warning';
    ui.policyNote.textContent = left === 0
      ? '⚠ 免稅政策今天到期（最後 30 天內），到期後所有圖書一律應稅。'
      : `⚠ 免稅政策將於 ${left} 天後到期（最後 30 天內），到期後所有圖書一律應稅。`;
  } else {
    ui.policy.dataset.state = 'ok';
    ui.policyNote.textContent = '';
  }
}

async function loadPolicy() {
  state.policy = null;
  state.policyError = null;
  showPolicy();
  if (!state.client) {
    state.policyError = state.clientError || '尚未設定公告服務';
    showPolicy();
    return;
  }
  try {
    state.policy = await state.client.policyExpiryDate();
  } catch (e) {
    state.policyError = (e && e.message) || '公告服務沒有回應';
  }
  showPolicy();
}

// ---- config and settings -------------------------------------------------

async function loadConfig() {
  try {
    const res = await fetch('booktax-config.json', { cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) return;
    const json = await res.json();
    if (json && typeof json === 'object') {
      state.config = {
        baseUrl: typeof json.baseUrl === 'string' ? json.baseUrl : '',
        appid: typeof json.appid === 'string' ? json.appid : undefined,
        sample: json.sample === true,
      };
    }
  } catch {
    // A static deploy may have no config file: keep the page's own origin and no appid.
  }
}

function savedSettings() {
  try {
    const raw = localStorage.getItem(SETTINGS_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw);
    if (!s || typeof s !== 'object') return null;
    return { baseUrl: typeof s.baseUrl === 'string' ? s.baseUrl : '', appid: typeof s.appid === 'string' ? s.appid : '' };
  } catch {
    return null;
  }
}

function effectiveSettings() {
  return savedSettings() || { baseUrl: state.config.baseUrl, appid: state.config.appid };
}

function makeClient() {
  const { baseUrl, appid } = effectiveSettings();
  const saved = savedSettings();
  ui.sample.hidden = !(state.config.sample && (!saved || saved.baseUrl === state.config.baseUrl));
  state.client = null;
  state.clientError = null;
  if (!state.wasm) {
    state.clientError = state.loadError || '判定程式尚未載入';
    return;
  }
  try {
    const options = { baseUrl, timeoutMs: 8000, retries: 1 };
    if (appid) options.appid = appid;
    state.client = new state.wasm.BookTaxClient(options);
  } catch (e) {
    state.clientError = (e && e.message) || '服務設定無法使用';
  }
}

function fillSettingsForm() {
  const { baseUrl, appid } = effectiveSettings();
  ui.baseUrl.value = baseUrl || '';
  ui.appid.value = appid || '';
}

function onSettingsSave(event) {
  event.preventDefault();
  const baseUrl = ui.baseUrl.value.trim();
  if (baseUrl && !/^https?:\/\/[^\s/]+/i.test(baseUrl)) {
    ui.settingsStatus.textContent = '服務網址需以 http:// 或 https:// 開頭，或留空表示本站。';
    return;
  }
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ baseUrl, appid: ui.appid.value }));
  } catch {
    ui.settingsStatus.textContent = '無法儲存設定（瀏覽器不允許本機儲存）。';
    return;
  }
  afterSettingsChange('已儲存設定。');
}

function onSettingsReset() {
  try {
    localStorage.removeItem(SETTINGS_KEY);
  } catch {
    // nothing saved to remove
  }
  fillSettingsForm();
  afterSettingsChange('已還原預設設定。');
}

function afterSettingsChange(message) {
  makeClient();
  ui.settingsStatus.textContent = message;
  loadPolicy();
  if (state.lastInput !== null) runLookup(state.lastInput, { refocus: false });
}

// A till PC's clock can be far off; the module then judges by the service's clock and says so.
function showClockSkew(seconds) {
  state.skewSeconds = typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : 0;
  if (!state.skewSeconds) {
    ui.clock.hidden = true;
    ui.clock.textContent = '';
    return;
  }
  const minutes = Math.round(Math.abs(seconds) / 60);
  const amount = minutes >= 2880 ? `${Math.round(minutes / 1440)} 天` : minutes >= 120 ? `${Math.round(minutes / 60)} 小時` : `${minutes} 分鐘`;
  const direction = seconds < 0 ? '快' : '慢';
  ui.clock.textContent = `⚠ 這台電腦的時鐘比公告服務${direction}約 ${amount}：「現在」的判定已改用公告服務的時間，請校正電腦時鐘。`;
  ui.clock.hidden = false;
}

// ---- lookups -------------------------------------------------------------

function showCodeError(message) {
  ui.codeError.textContent = message;
  ui.codeError.hidden = false;
  ui.code.setAttribute('aria-invalid', 'true');
}

function clearCodeError() {
  ui.codeError.textContent = '';
  ui.codeError.hidden = true;
  ui.code.removeAttribute('aria-invalid');
}

// After a result, the typed text is selected so the next scan replaces it.
function readyForNextScan(submitted, refocus) {
  if (ui.code.value !== submitted) return; // the clerk already started the next code
  const active = document.activeElement;
  const elsewhere = active && active !== ui.code && active !== document.body &&
    (ui.at === active || ui.settingsForm.contains(active) || ui.dailyForm.contains(active));
  if (refocus && !elsewhere) ui.code.focus();
  ui.code.select();
}

function unknownResult(code, message, extra = {}) {
  return {
    decision: { verdict: 'unknown', reason: code, message: `無法判定：${message}` },
    ...extra,
  };
}

async function runLookup(input, { refocus = true } = {}) {
  const seq = ++state.seq;
  clearCodeError();
  renderPending(ui.verdict, null);
  ui.details.replaceChildren();
  await ready;
  if (seq !== state.seq) return;
  if (!state.client) {
    renderVerdict(ui.verdict, unknownResult('client_unavailable', state.clientError || '公告服務無法使用'));
    readyForNextScan(input, refocus);
    return;
  }
  let result;
  try {
    const opts = { format: format() };
    const at = checkoutAt();
    if (at) opts.at = at;
    result = await state.client.lookup(input, opts);
  } catch (e) {
    if (seq !== state.seq) return;
    const code = (e && e.code) || 'error';
    const message = (e && e.message) || '無法讀取條碼';
    showCodeError(message);
    renderVerdict(ui.verdict, unknownResult(code, message));
    state.lastInput = null;
    readyForNextScan(input, refocus);
    return;
  }
  if (seq !== state.seq) return;
  state.lastInput = input;
  showClockSkew(result && result.clockSkewSeconds);
  renderVerdict(ui.verdict, result || {});
  const details = result ? buildDetails(document, result) : null;
  if (details) ui.details.append(details);
  if (result && typeof result.policyExpiryDate === 'string' && result.policyExpiryDate) {
    state.policy = result.policyExpiryDate;
    state.policyError = null;
    showPolicy();
  }
  readyForNextScan(input, refocus);
}

function onLookupSubmit(event) {
  event.preventDefault();
  runLookup(ui.code.value);
  // Select at once too, so a scan made while this lookup is still running replaces the text.
  ui.code.select();
}

function onOptionChange() {
  showPolicy();
  if (state.lastInput !== null) runLookup(state.lastInput);
}

// ---- daily announcements -------------------------------------------------

async function loadDaily() {
  const seq = ++state.dailySeq;
  await ready;
  const date = ui.dailyDate.value.replaceAll('-', '');
  ui.dailyResult.dataset.state = 'loading';
  ui.dailyResult.replaceChildren(el(document, 'p', 'daily-loading', '讀取中…'));
  if (!/^\d{8}$/.test(date)) {
    ui.dailyResult.dataset.state = 'error';
    ui.dailyResult.replaceChildren(el(document, 'p', 'error', '請選擇公告日期'));
    return;
  }
  if (!state.client) {
    ui.dailyResult.dataset.state = 'error';
    ui.dailyResult.replaceChildren(el(document, 'p', 'error', `無法取得公告：${state.clientError || '公告服務無法使用'}`));
    return;
  }
  try {
    const daily = await state.client.daily(date);
    if (seq !== state.dailySeq) return;
    ui.dailyResult.dataset.state = 'ok';
    ui.dailyResult.replaceChildren(buildDaily(document, daily, date));
  } catch (e) {
    if (seq !== state.dailySeq) return;
    const notFound = e && e.code === 'not_found';
    ui.dailyResult.dataset.state = notFound ? 'empty' : 'error';
    ui.dailyResult.replaceChildren(el(document, 'p', notFound ? 'daily-empty' : 'error',
      notFound ? '該日尚無公告' : `無法取得公告：${(e && e.message) || '公告服務沒有回應'}`));
  }
}

// ---- start-up ------------------------------------------------------------

let markReady;
const ready = new Promise((resolve) => { markReady = resolve; });

ui.form.addEventListener('submit', onLookupSubmit);
ui.form.addEventListener('change', (event) => {
  if (event.target && event.target.name === 'format') onOptionChange();
});
ui.at.addEventListener('change', () => {
  state.atIsNow = !ui.at.value;
  if (state.atIsNow) ui.at.value = taipeiNowLocal();
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
ui.settingsForm.addEventListener('submit', onSettingsSave);
ui.settingsReset.addEventListener('click', onSettingsReset);

setNow();
// Keep the "now" display current without touching a time the clerk is editing.
setInterval(() => {
  if (state.atIsNow && document.activeElement !== ui.at) {
    ui.at.value = taipeiNowLocal();
    showPolicy();
  }
}, 30000);

async function start() {
  const configLoaded = loadConfig();
  try {
    const wasm = await import('./pkg/booktax.js');
    await wasm.default();
    state.wasm = wasm;
  } catch (e) {
    state.loadError = `無法載入判定程式（${(e && e.message) || e}）`;
  }
  await configLoaded;
  makeClient();
  fillSettingsForm();
  if (state.wasm) {
    try {
      ui.dailyDate.value = formatDate(state.wasm.taipeiDate());
    } catch {
      ui.dailyDate.value = taipeiNowLocal().slice(0, 10);
    }
  } else {
    ui.dailyDate.value = taipeiNowLocal().slice(0, 10);
  }
  markReady();
  document.documentElement.dataset.ready = 'true';
  if (!state.wasm) {
    renderVerdict(ui.verdict, unknownResult('load_failed', state.loadError));
  }
  await loadPolicy();
}

start();
