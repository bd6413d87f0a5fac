// @ts-check
// The example sales form: each line's tax rate from its <book-tax-lookup>, a log of every event, the last submission shown.
import './pkg/book-tax-lookup.js';
import { byId, el } from './dom.js';
import { loadConfig } from './settings.js';

/** @typedef {import('./pkg/book-tax-lookup.js').BookTaxLookup} BookTaxLookup */
/** @typedef {import('./pkg/book-tax-lookup.js').LookupResult} LookupResult */
/** @typedef {import('./pkg/book-tax-lookup.js').LookupFailure} LookupFailure */

/** Business tax per verdict: only an exempt book is sold at 0 %; unknown is sold as taxable. */
const RATES = { exempt: '0 %', taxable: '5 %', unknown: '5 %' };

const log = byId('log', HTMLOListElement);
const sale = byId('sale', HTMLFormElement);
const items = /** @type {BookTaxLookup[]} */ ([...document.querySelectorAll('book-tax-lookup')]);

/** @param {string} line */
function note(line) {
  const time = new Date().toLocaleTimeString('zh-TW', { hour12: false });
  log.prepend(el(document, 'li', null, `${time} ${line}`));
}

/**
 * The rate field of the line an element sits on.
 * @param {EventTarget | null} target
 */
function rateFor(target) {
  const line = target instanceof Element ? target.closest('fieldset') : null;
  return line?.querySelector('input.rate') ?? null;
}

sale.addEventListener('booktax-decision', (event) => {
  const { code, decision, source } = /** @type {CustomEvent<LookupResult>} */ (event).detail;
  const rate = rateFor(event.target);
  if (rate instanceof HTMLInputElement) rate.value = RATES[decision.verdict] ?? RATES.unknown;
  note(`booktax-decision ${code} ${decision.verdict}（${decision.reason}，${source}）`);
});

// A new lookup on a line: its rate is unknown until the verdict comes.
sale.addEventListener('booktax-pending', (event) => {
  const rate = rateFor(event.target);
  if (rate instanceof HTMLInputElement) rate.value = '';
});

sale.addEventListener('booktax-error', (event) => {
  const { input, error } = /** @type {CustomEvent<LookupFailure>} */ (event).detail;
  // A failed lookup still gave a verdict (unknown: 5 %); unreadable input gave none.
  const item = /** @type {BookTaxLookup} */ (event.target);
  const rate = rateFor(item);
  if (rate instanceof HTMLInputElement) rate.value = item.value ? RATES[item.value] : '';
  note(`booktax-error ${error.code}：「${input}」 ${error.message}`);
});

sale.addEventListener('reset', () => {
  for (const rate of sale.querySelectorAll('input.rate')) if (rate instanceof HTMLInputElement) rate.value = '';
  note('reset');
});

sale.addEventListener('invalid', (event) => note(`invalid ${/** @type {Element} */ (event.target).id}`), true);

byId('lang', HTMLSelectElement).addEventListener('change', (event) => {
  const lang = /** @type {HTMLSelectElement} */ (event.target).value;
  for (const item of items) item.setAttribute('lang', lang);
  note(`lang=${lang}`);
});

// What the last submission sent (this page is its own action, so it arrives in the query).
const sent = new URLSearchParams(location.search);
if ([...sent.keys()].length) {
  byId('submitted', HTMLPreElement).textContent = [...sent].map(([k, v]) => `${k}=${v}`).join('\n');
}

// The deployment's service and appid (the sample service's, when serving sample data).
const config = await loadConfig();
for (const item of items) {
  if (config.baseUrl) item.baseUrl = config.baseUrl;
  if (config.appid) item.appid = config.appid;
}
document.documentElement.dataset.ready = 'true';
