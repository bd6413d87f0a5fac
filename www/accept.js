// @ts-check
// The code field's first listener: from the page's first render an Enter is kept (never sent as a form, which would reload the page and lose the scan), and each code is handed, in order, to the page once it can decide.

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
 * Puts `lines` in the verdict's place: while the page loads (`pending`), or when it cannot decide (`unknown`,
 * in the words, glyph and colour of render.js's unknown verdict).
 * @param {'pending' | 'unknown' | 'none'} state
 * @param {string[]} lines
 */
function show(state, lines) {
  verdict.dataset.verdict = state;
  if (state === 'pending') verdict.setAttribute('aria-busy', 'true');
  else verdict.removeAttribute('aria-busy');
  const paragraph = (/** @type {string} */ className, /** @type {(string | Node)[]} */ ...children) => {
    const p = document.createElement('p');
    p.className = className;
    p.append(...children);
    return p;
  };
  const span = (/** @type {string} */ className, /** @type {string} */ text) => {
    const s = document.createElement('span');
    s.className = className;
    s.textContent = text;
    return s;
  };
  const parts = lines.map((line) => paragraph(state === 'unknown' ? 'verdict-message' : `verdict-${state === 'none' ? 'idle' : state}`, line));
  if (state === 'unknown') parts.unshift(paragraph('verdict-head', span('verdict-glyph', '⚠'), span('verdict-word', '無法判定')));
  verdict.replaceChildren(...parts);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (take) {
    take(input.value);
    return;
  }
  // 「$350」 prices the line of the scan before it, which is not decided yet: typed again once it is.
  if (/^\s*[$＄]/.test(input.value)) {
    codeError.textContent = '判定程式載入中：請等掃描的結果出來後，再按 Enter 輸入單價。';
    codeError.hidden = false;
    // Selected, so a scan made next replaces the price instead of joining it.
    input.select();
    return;
  }
  waiting.push(input.value);
  // The next scan replaces the text instead of joining it.
  input.select();
  show('pending', [`已收到 ${waiting.length} 筆，判定程式載入中…`]);
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
  const fallback = () => {
    verdict.dataset.reason = 'load_failed';
    show('unknown', [
      `無法判定：${why}，請以應稅處理並至認可公告頁面確認，並重新整理頁面。`,
      ...(kept.length ? [`尚未判定的條碼：${kept.join('、')}`] : []),
    ]);
  };
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
  show('none', ['條碼欄已有條碼：請按 Enter 查詢，或直接重新掃描。']);
};
if (input.value) setTimeout(offerAgain, 100);

// For `cargo xtask bench`: from here on a code entered is kept, once the field has the focus (autofocus,
// given as the browser first renders the page) for a scanner's keys to reach it.
if (document.activeElement === input) performance.mark('booktax-ready');
else input.addEventListener('focus', () => performance.mark('booktax-ready'), { once: true });
