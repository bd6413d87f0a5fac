// @ts-check
// The code field's first listener: from the page's first render an Enter is kept (never sent as a form, which would reload the page and lose the scan), and each code is handed, in order, to the page once it can decide.

import { el } from './dom.js';
import { renderVerdict, unknownDecision } from './render.js';

/** 「$350」 in the code field: a unit price (its amount captured), not a code. */
export const PRICE = /^\s*[$＄]\s*(.*)$/;

const form = /** @type {HTMLFormElement} */ (document.getElementById('lookup-form'));
const input = /** @type {HTMLInputElement} */ (document.getElementById('code'));
const verdict = /** @type {HTMLElement} */ (document.getElementById('verdict'));
const codeError = /** @type {HTMLElement} */ (document.getElementById('code-error'));

// How long codes wait for app.js to begin its start-up (which has its own waits) before they are given up as unknown.
const GIVE_UP_MS = 65000;

/** @type {string[]} codes entered before the page could decide, oldest first */
const waiting = [];
/** @type {((text: string) => void) | null} the page's handler, once it can decide */
let take = null;

/**
 * Puts `line` in the verdict's place while the page loads (`pending`) or before a scan (`idle`).
 * @param {'pending' | 'idle'} state
 * @param {string} line
 */
function show(state, line) {
  verdict.dataset.verdict = state === 'idle' ? 'none' : state;
  if (state === 'pending') verdict.setAttribute('aria-busy', 'true');
  else verdict.removeAttribute('aria-busy');
  verdict.replaceChildren(el(document, 'p', `verdict-${state}`, line));
}

// Enter in another of the form's fields (the checkout time, a format) would send the form: that is
// no scan, and taking the code field's text would add its last code to the sale again. Stopped at the
// key, so the 查詢 button and a script's requestSubmit still send it wherever the focus is.
form.addEventListener('keydown', (event) => {
  const field = event.target;
  if (event.key === 'Enter' && field !== input && field instanceof HTMLInputElement && field.type !== 'submit') event.preventDefault();
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (take) {
    take(input.value);
    return;
  }
  // 「$350」 prices the line of the scan before it, which is not decided yet: typed again once it is.
  if (PRICE.test(input.value)) {
    codeError.textContent = '判定程式載入中：請等掃描的結果出來後，再按 Enter 輸入單價。';
    codeError.hidden = false;
    // Selected, so a scan made next replaces the price instead of joining it.
    input.select();
    return;
  }
  waiting.push(input.value);
  // The next scan replaces the text instead of joining it.
  input.select();
  show('pending', `已收到 ${waiting.length} 筆，判定程式載入中…`);
});

/**
 * Hands `handle` every code entered so far, in order, then each one entered from now on.
 * @param {(text: string) => void} handle
 */
export function acceptCodes(handle) {
  take = handle;
  for (const text of waiting.splice(0)) handle(text);
}

/**
 * The page cannot decide (its modules could not be fetched, failed as they ran, or never came): every code,
 * kept or new, is unknown, which is sold as taxable. The codes kept are named, to be scanned again.
 * @param {string} why
 */
function giveUp(why) {
  if (take) return;
  const kept = waiting.splice(0);
  const named = kept.length ? `尚未判定的條碼：${kept.join('、')}。` : '';
  const decision = unknownDecision(why, 'load_failed', `，並重新整理頁面。${named}`);
  const fallback = () => renderVerdict(verdict, { decision });
  acceptCodes(fallback);
  fallback();
}

/** Whether app.js has begun its start-up, which ends in `acceptCodes` whatever fails on the way. */
let started = false;

/** app.js has begun its start-up: from here its own waits and messages take over from this module's. */
export function appStarted() {
  started = true;
  clearTimeout(giveUpTimer);
}

/** @param {string} file a script's URL */
const ofThisSite = (file) => {
  try {
    return new URL(file).origin === location.origin;
  } catch {
    return false;
  }
};

// Fetching the module graph failed (the script element says so), it threw or did not link before its
// start-up (an error from a file of this site), or it never came.
document.querySelector('script[src="app.js"]')?.addEventListener('error', () => giveUp('本頁程式無法載入'));
window.addEventListener('error', (event) => {
  if (!started && ofThisSite(event.filename)) giveUp('本頁程式無法執行');
});
const giveUpTimer = setTimeout(() => giveUp('本頁程式逾時未載入'), GIVE_UP_MS);

// An Enter before this module ran did nothing: the code is still in the field, to be sent or replaced.
// Offered once no key has come for a moment, so a scan still being typed is not cut in two.
let typedAt = performance.now();
input.addEventListener('input', () => { typedAt = performance.now(); });
const offerAgain = () => {
  if (!input.value || take) return;
  if (performance.now() - typedAt < 100) {
    setTimeout(offerAgain, 100);
    return;
  }
  input.select();
  show('idle', '條碼欄已有條碼：請按 Enter 查詢，或直接重新掃描。');
};
if (input.value) setTimeout(offerAgain, 100);

// For `cargo xtask bench`: from here on a code entered is kept, once the field has the focus (autofocus,
// given as the browser first renders the page) for a scanner's keys to reach it.
if (document.activeElement === input) performance.mark('booktax-ready');
else input.addEventListener('focus', () => performance.mark('booktax-ready'), { once: true });
