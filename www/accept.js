// @ts-check
// The code field's first listener: from the page's first render an Enter is kept (never sent as a form, which would reload the page and lose the scan), and each code is handed, in order, to the page once it can decide.

const form = /** @type {HTMLFormElement} */ (document.getElementById('lookup-form'));
const input = /** @type {HTMLInputElement} */ (document.getElementById('code'));
const verdict = /** @type {HTMLElement} */ (document.getElementById('verdict'));

/** @type {string[]} what was entered before the page could decide, oldest first */
const waiting = [];
/** @type {((text: string) => void) | null} the page's handler, once it can decide */
let take = null;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (take) {
    take(input.value);
    return;
  }
  waiting.push(input.value);
  // The next scan replaces the text instead of joining it.
  input.select();
  show('pending', `已收到 ${waiting.length} 筆，判定程式載入中…`);
});

/**
 * Shows `text` as the verdict on screen: while the page loads, or when it cannot.
 * @param {string} state the verdict's data-verdict
 * @param {string} text
 */
function show(state, text) {
  verdict.dataset.verdict = state;
  verdict.toggleAttribute('aria-busy', state === 'pending');
  const note = document.createElement('p');
  note.className = `verdict-${state}`;
  note.textContent = text;
  verdict.replaceChildren(note);
}

/**
 * Hands `handle` every code entered so far, in order, then each one entered from now on.
 * @param {(text: string) => void} handle
 */
export function acceptCodes(handle) {
  take = handle;
  for (const text of waiting.splice(0)) handle(text);
}

// The page's modules could not be fetched (app.js's script element says so; a failure once it runs is its
// own to show): every code, kept or new, is unknown, which is sold as taxable.
document.querySelector('script[src="app.js"]')?.addEventListener('error', () => acceptCodes(() => {
  verdict.dataset.reason = 'load_failed';
  show('unknown', '⚠ 無法判定：本頁程式無法載入，請以應稅處理並至認可公告頁面確認，並重新整理頁面。');
}));

// For `cargo xtask bench`: from here on a code entered is kept, once the field has the focus (autofocus,
// given as the browser first renders the page) for a scanner's keys to reach it.
if (document.activeElement === input) performance.mark('booktax-ready');
else input.addEventListener('focus', () => performance.mark('booktax-ready'), { once: true });
