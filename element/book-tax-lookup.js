// @ts-check
// <book-tax-lookup>: the tax-exemption lookup as a form-associated custom element; importing this module defines it.
import { clientFor, warmUp } from './lookup-runtime.js';
import { elementSheet } from './lookup-styles.js';
import { langOf, textsFor } from './lookup-texts.js';
import { LookupView } from './lookup-view.js';

/** @typedef {import('./booktax.js').Lookup} Lookup */
/** @typedef {import('./booktax.js').Decision} Decision */
/** @typedef {import('./booktax.js').BookTaxError} BookTaxError */
/** @typedef {{ code: string, kind: 'isbn' | 'ean', record: Lookup['record'], decision: Decision, source: Lookup['source'], appliedThrough: string | null }} LookupResult */
/** @typedef {{ input: string, error: { code: string, message: string }, decision: Decision | null }} LookupFailure */

const TAG = 'book-tax-lookup';

/**
 * An Error with a `code`, and the unknown decision it stands for when it has one.
 * @param {string} code
 * @param {string} message
 * @param {Decision} [decision]
 * @returns {BookTaxError}
 */
function codedError(code, message, decision) {
  return Object.assign(new Error(message), { code, decision });
}

/**
 * The unknown decision for a failure that left the wasm no say (it did not load, or the mode is unavailable).
 * @param {string} message
 * @returns {Decision}
 */
function unknownDecision(message) {
  return { verdict: 'unknown', reason: 'lookup_failed', message, detail: message };
}

// Imported where there is no DOM (a server render, a Node test), the module loads and defines nothing.
const Base = /** @type {typeof HTMLElement} */ (typeof HTMLElement === 'undefined' ? class {} : HTMLElement);

export class BookTaxLookup extends Base {
  static formAssociated = true;
  static observedAttributes = ['base-url', 'appid', 'format', 'at', 'lang', 'mode', 'code', 'required', 'name'];

  /** @type {ElementInternals} */
  #internals;
  /** @type {LookupView} */
  #view;
  /** @type {LookupResult | null} */
  #result = null;
  /** The code of the last lookup asked for, shown or not. */
  #asked = '';
  /** @type {AbortController | null} */
  #running = null;
  /** The terms changed while detached: decide again when attached. */
  #stale = false;
  /** Counts lookups: a late live confirmation of an older one is dropped. */
  #generation = 0;

  constructor() {
    super();
    this.#internals = this.attachInternals();
    const root = this.attachShadow({ mode: 'open', delegatesFocus: true });
    root.adoptedStyleSheets = [elementSheet()];
    this.#view = new LookupView(root);
    this.#view.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.lookup(this.#view.input.value).catch(() => {});
    });
    this.#view.setTexts(this.#texts);
    this.#updateValidity();
  }

  connectedCallback() {
    warmUp();
    this.#view.setTexts(this.#texts);
    const code = this.getAttribute('code');
    if (code && code !== this.#asked) this.lookup(code).catch(() => {});
    else if (this.#stale) this.#redo();
  }

  /** Detached: the lookup under way stops, and the verdict shown is decided again on return. */
  disconnectedCallback() {
    this.#generation++;
    if (this.#running) {
      this.#running.abort();
      this.#stale = true;
    }
  }

  /**
   * @param {string} name
   * @param {string | null} before
   * @param {string | null} after
   */
  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    switch (name) {
      case 'lang':
        this.#view.setTexts(this.#texts);
        this.#updateValidity();
        this.#redo();
        break;
      case 'code':
        if (after && this.isConnected) this.lookup(after).catch(() => {});
        break;
      case 'required':
        this.#updateValidity();
        break;
      case 'name':
        this.#setValue();
        break;
      default:
        // base-url, appid, format, at, mode: the same code, decided again on the new terms.
        this.#redo();
    }
  }

  /** The service's base URL ("" or absent: this page's origin). */
  get baseUrl() { return this.getAttribute('base-url') ?? ''; }
  set baseUrl(value) { this.setAttribute('base-url', value); }

  /** The appid sent with every request. */
  get appid() { return this.getAttribute('appid') ?? ''; }
  set appid(value) { this.setAttribute('appid', value); }

  /** `physical`, `ebook`, or "" when the format is not said. */
  get format() { return this.getAttribute('format') ?? ''; }
  set format(value) { this.#setOrRemove('format', value); }

  /** The checkout moment (ISO 8601, Taipei if no offset), or "" for now. */
  get at() { return this.getAttribute('at') ?? ''; }
  set at(value) { this.#setOrRemove('at', value); }

  /** `live` (the default), or `mirror`: this origin's offline mirror first, confirmed live when online. */
  get mode() { return this.getAttribute('mode') ?? 'live'; }
  set mode(value) { this.setAttribute('mode', value); }

  /** One line: verdict and title, for a table cell. */
  get compact() { return this.hasAttribute('compact'); }
  set compact(value) { this.toggleAttribute('compact', Boolean(value)); }

  /** A form cannot be submitted before a lookup. */
  get required() { return this.hasAttribute('required'); }
  set required(value) { this.toggleAttribute('required', Boolean(value)); }

  /** Disabled by its own attribute (a disabled fieldset disables it too). */
  get disabled() { return this.hasAttribute('disabled'); }
  set disabled(value) { this.toggleAttribute('disabled', Boolean(value)); }

  /** The code to look up; setting it looks it up. */
  get code() { return this.getAttribute('code') ?? ''; }
  set code(value) { this.#setOrRemove('code', value); }

  /** The form field name the verdict is submitted under. */
  get name() { return this.getAttribute('name') ?? ''; }
  set name(value) { this.setAttribute('name', value); }

  /** The verdict of the last lookup (`exempt` | `taxable` | `unknown`), "" before any. */
  get value() { return this.#result?.decision.verdict ?? ''; }

  /** The last lookup's result, or null. */
  get result() { return this.#result; }

  get form() { return this.#internals.form; }
  get validity() { return this.#internals.validity; }
  get validationMessage() { return this.#internals.validationMessage; }
  get willValidate() { return this.#internals.willValidate; }
  checkValidity() { return this.#internals.checkValidity(); }
  reportValidity() { return this.#internals.reportValidity(); }

  /**
   * Reads a code, asks the service and decides, as typing it would; a newer lookup cancels this one.
   * Resolves to `{ code, kind, record, decision, source }` (also sent as `booktax-decision`; when the
   * service failed, the decision is unknown and `booktax-error` follows with why); rejects with an
   * `Error` whose `code` says why for unreadable input (also sent as `booktax-error`) or `aborted`.
   * @param {string} input
   * @returns {Promise<LookupResult>}
   */
  async lookup(input) {
    const text = String(input ?? '');
    this.#running?.abort();
    const running = new AbortController();
    this.#running = running;
    const generation = ++this.#generation;
    this.#asked = text;
    this.#stale = false;
    if (this.#view.input.value !== text) this.#view.input.value = text;
    const texts = this.#texts;
    // Nothing of the last verdict stays while this one is decided: not on screen, not in the form.
    this.#result = null;
    this.#setValue();
    this.#updateValidity();
    this.#view.busy(texts);
    this.dispatchEvent(new CustomEvent('booktax-pending', { bubbles: true, composed: true, detail: { input: text } }));
    try {
      if (this.mode !== 'live' && this.mode !== 'mirror') throw codedError('bad_option', texts.badMode, unknownDecision(texts.badMode));
      const mirror = this.mode === 'mirror';
      const client = await clientFor(this.baseUrl, this.appid, mirror).catch(() => {
        throw codedError('load_failed', texts.loadFailed, unknownDecision(texts.loadFailed));
      });
      /** @type {import('./booktax.js').LookupOptions} */
      const options = { lang: langOf(this.getAttribute('lang')), signal: running.signal };
      if (this.format) options.format = /** @type {'physical' | 'ebook'} */ (this.format);
      if (this.at) options.at = this.at;
      const answer = await client.lookup(text, options);
      if (running.signal.aborted) throw codedError('aborted', 'aborted');
      const result = this.#decided(text, answer);
      // From the mirror: the live service confirms when it can, and its answer wins (a second event).
      if (mirror && answer.source === 'mirror' && navigator.onLine) {
        client.lookup(text, { ...options, confirm: true }).then((confirmed) => {
          if (generation === this.#generation && confirmed.source === 'live') this.#decided(text, confirmed);
        }, () => {});
      }
      return result;
    } catch (e) {
      const error = /** @type {BookTaxError} */ (e instanceof Error ? e : codedError('internal', String(e)));
      if (error.code === 'aborted' || running.signal.aborted) throw error;
      this.#settle(null, error.decision ?? unknownDecision(error.message));
      this.#failed({ input: text, error: { code: error.code ?? 'internal', message: error.message }, decision: error.decision ?? null });
      throw error;
    } finally {
      if (this.#running === running) this.#running = null;
    }
  }

  /**
   * Shows an answer, sets the form value and tells the host.
   * @param {string} text
   * @param {Lookup} answer
   * @returns {LookupResult}
   */
  #decided(text, answer) {
    /** @type {LookupResult} */
    const result = { code: answer.code, kind: answer.kind, record: answer.record, decision: answer.decision, source: answer.source, appliedThrough: answer.appliedThrough ?? null };
    this.#settle(result);
    this.dispatchEvent(new CustomEvent('booktax-decision', { bubbles: true, composed: true, detail: result }));
    // The service failed: the decision stands (unknown), and the host also hears why.
    if (answer.error) this.#failed({ input: text, error: answer.error, decision: answer.decision });
    return result;
  }

  /** Called by the form: back to no lookup, or to the `code` attribute's, as an input to its default value. */
  formResetCallback() {
    this.#running?.abort();
    this.#generation++;
    this.#result = null;
    this.#asked = '';
    this.#view.input.value = '';
    this.#view.clear();
    this.#setValue();
    this.#updateValidity();
    const code = this.getAttribute('code');
    if (code && this.isConnected) this.lookup(code).catch(() => {});
  }

  /** @param {boolean} disabled */
  formDisabledCallback(disabled) {
    this.#setDisabled(disabled);
  }

  /**
   * The browser restores a form (back button, session restore): decide the same code again.
   * @param {unknown} state
   */
  formStateRestoreCallback(state) {
    if (typeof state === 'string' && state) this.lookup(state).catch(() => {});
  }

  /** @param {LookupFailure} detail */
  #failed(detail) {
    this.dispatchEvent(new CustomEvent('booktax-error', { bubbles: true, composed: true, detail }));
  }

  get #texts() {
    return textsFor(langOf(this.getAttribute('lang')));
  }

  /**
   * Shows the outcome and sets the form value from it.
   * @param {LookupResult | null} result
   * @param {Decision | null} failed the unknown decision of a failed read, to show
   */
  #settle(result, failed = null) {
    this.#result = result;
    const texts = this.#texts;
    if (result) this.#view.show(texts, result.decision, result.record);
    else this.#view.show(texts, failed, null);
    this.#setValue();
    this.#updateValidity();
    if (this.shadowRoot?.activeElement === this.#view.input) this.#view.input.select();
  }

  /** The form value: `name=verdict` and `name-code=code` after a lookup (the form learns which code), else nothing. */
  #setValue() {
    const result = this.#result;
    if (!result) {
      this.#internals.setFormValue(null);
      return;
    }
    const data = new FormData();
    if (this.name) {
      data.append(this.name, result.decision.verdict);
      data.append(`${this.name}-code`, result.code);
    }
    this.#internals.setFormValue(data, this.#asked);
  }

  /** The last code again, on new terms (language, format, time, service); detached, when it returns. */
  #redo() {
    if (!this.#asked) return;
    if (!this.isConnected) {
      this.#running?.abort();
      this.#stale = true;
      return;
    }
    this.lookup(this.#asked).catch(() => {});
  }

  #updateValidity() {
    const missing = this.required && !this.#result;
    if (missing) {
      this.#internals.setValidity({ valueMissing: true }, this.#texts.required, this.#view.input);
    } else {
      this.#internals.setValidity({});
    }
    this.#view.input.toggleAttribute('aria-required', this.required);
    this.#view.input.setAttribute('aria-invalid', String(missing && this.#asked !== ''));
  }

  /** @param {boolean} disabled */
  #setDisabled(disabled) {
    this.#view.input.disabled = disabled;
    this.#view.button.disabled = disabled;
  }

  /**
   * @param {string} name
   * @param {string | null | undefined} value
   */
  #setOrRemove(name, value) {
    if (value === null || value === undefined || value === '') this.removeAttribute(name);
    else this.setAttribute(name, String(value));
  }
}

if (typeof customElements !== 'undefined' && !customElements.get(TAG)) customElements.define(TAG, BookTaxLookup);
