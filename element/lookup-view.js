// @ts-check
// The element's shadow DOM: a labelled code box, and the verdict in a live region (textContent only, never HTML).

/** @typedef {import('./lookup-texts.js').Texts} Texts */
/** @typedef {import('./booktax.js').Decision} Decision */
/** @typedef {import('./booktax.js').IsbnRecord} IsbnRecord */
/** @typedef {import('./booktax.js').EanRecord} EanRecord */

/** Glyphs per verdict, shown beside the word: colour is never the only signal. */
const GLYPHS = { exempt: '✓', taxable: '✕', unknown: '⚠' };

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} attributes
 * @returns {HTMLElementTagNameMap[K]}
 */
function make(tag, attributes) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** The parts of one element's shadow tree. */
export class LookupView {
  /** @param {ShadowRoot} root */
  constructor(root) {
    this.container = make('div', { class: 'root', part: 'root' });
    this.form = make('form', { part: 'form', novalidate: '' });
    this.label = make('label', { for: 'code', part: 'label' });
    this.input = make('input', {
      id: 'code', part: 'input', type: 'text', inputmode: 'numeric', autocomplete: 'off',
      autocapitalize: 'off', spellcheck: 'false', enterkeyhint: 'search',
    });
    this.button = make('button', { type: 'submit', part: 'button' });
    this.form.append(this.label, this.input, this.button);
    this.result = make('div', { class: 'result', part: 'result', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-verdict': '' });
    this.glyph = make('span', { class: 'glyph', part: 'glyph', 'aria-hidden': 'true' });
    // The message (read by the live region) starts with the verdict: the word is for the eye.
    this.word = make('span', { class: 'word', part: 'verdict', 'aria-hidden': 'true' });
    this.title = make('span', { class: 'title', part: 'title' });
    this.message = make('span', { class: 'message', part: 'message' });
    const headline = make('p', { class: 'headline' });
    headline.append(this.glyph, this.word, this.title);
    this.result.append(headline, this.message);
    this.container.append(this.form, this.result);
    root.append(this.container);
  }

  /**
   * The labels in the element's language.
   * @param {Texts} texts
   */
  setTexts(texts) {
    this.container.lang = texts.lang;
    this.label.textContent = texts.label;
    this.button.textContent = texts.button;
  }

  /**
   * Looking up: no verdict shown, only that it is being looked up.
   * @param {Texts} texts
   */
  busy(texts) {
    this.result.setAttribute('aria-busy', 'true');
    this.result.dataset.verdict = 'pending';
    this.glyph.textContent = '';
    this.word.textContent = texts.busy;
    this.title.textContent = '';
    this.message.textContent = '';
  }

  /**
   * Shows a decision: the verdict's glyph and word, the record's title, the wasm's message.
   * @param {Texts} texts
   * @param {Decision | null | undefined} decision
   * @param {IsbnRecord | EanRecord | null | undefined} record
   */
  show(texts, decision, record) {
    const verdict = decision?.verdict === 'exempt' || decision?.verdict === 'taxable' ? decision.verdict : 'unknown';
    this.result.removeAttribute('aria-busy');
    this.result.dataset.verdict = verdict;
    this.glyph.textContent = GLYPHS[verdict];
    this.word.textContent = texts[verdict];
    const title = record && typeof record.title === 'string' && record.title.trim() ? record.title : '';
    this.title.textContent = record ? title || texts.untitled : '';
    this.message.textContent = decision?.message || texts.loadFailed;
  }

  /** Empties the result, as after a form reset. */
  clear() {
    this.result.removeAttribute('aria-busy');
    this.result.dataset.verdict = '';
    for (const node of [this.glyph, this.word, this.title, this.message]) node.textContent = '';
  }
}
