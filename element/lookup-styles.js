// @ts-check
// The element's stylesheet, built once and adopted by every shadow root: no <style> element, so a strict style-src holds.

const CSS = `
:host { display: block; }
:host([hidden]) { display: none; }
.root {
  all: initial;
  display: block;
  box-sizing: border-box;
  font-family: var(--booktax-font-family, "Microsoft JhengHei", "PingFang TC", "Noto Sans TC", "Noto Sans CJK TC", "WenQuanYi Micro Hei", sans-serif);
  font-size: var(--booktax-font-size, 16px);
  line-height: 1.4;
  color: var(--booktax-color, #1b1b1b);
}
.root *, .root *::before, .root *::after { box-sizing: border-box; }
form { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25em 0.5em; margin: 0; }
label { display: block; flex-basis: 100%; font-weight: 600; }
input {
  font: inherit; flex: 1 1 12em; min-width: 0; padding: 0.35em 0.5em;
  border: 1px solid #6b6b6b; border-radius: var(--booktax-radius, 4px); background: #fff; color: inherit;
}
button {
  font: inherit; padding: 0.35em 0.9em; cursor: pointer;
  border: 1px solid var(--booktax-accent, #0b5cad); border-radius: var(--booktax-radius, 4px);
  background: var(--booktax-accent, #0b5cad); color: #fff;
}
button:disabled, input:disabled { opacity: 0.6; cursor: not-allowed; }
input:focus-visible, button:focus-visible {
  outline: 3px solid var(--booktax-focus, #f0a800); outline-offset: 2px;
}
.result {
  display: block; margin-top: 0.5em; padding: 0.4em 0.6em;
  border-left: 0.4em solid transparent; border-radius: var(--booktax-radius, 4px);
}
.result[data-verdict=""] { margin: 0; padding: 0; border: 0; }
.result[data-verdict="exempt"] { border-color: var(--booktax-exempt-color, #1a7f37); background: var(--booktax-exempt-background, #e9f6ec); }
.result[data-verdict="taxable"] { border-color: var(--booktax-taxable-color, #b42318); background: var(--booktax-taxable-background, #fdecea); }
.result[data-verdict="pending"] { border-color: #8a8f98; background: #f1f2f4; }
.result[data-verdict="unknown"] { border-color: var(--booktax-unknown-color, #9a6700); background: var(--booktax-unknown-background, #fff6db); }
.result[aria-busy="true"] { opacity: 0.6; }
.headline { display: flex; align-items: baseline; gap: 0.4em; margin: 0; }
.glyph, .word { font-weight: 700; }
.title { overflow-wrap: anywhere; }
.message { display: block; margin: 0.25em 0 0; font-size: 0.9em; }
:host([compact]) .root { white-space: nowrap; }
:host([compact]) form { flex-wrap: nowrap; }
:host([compact]) label { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
:host([compact][code]) form { display: none; }
:host([compact]) .result { margin-top: 0; padding: 0.1em 0.4em; }
:host([compact]) .title { overflow: hidden; text-overflow: ellipsis; }
:host([compact]) .message { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (forced-colors: active) { .result { border-left-color: CanvasText; } }
@media print { form { display: none; } }
`;

/** @type {CSSStyleSheet | undefined} */
let sheet;

/**
 * The shared stylesheet (constructed on first use).
 * @returns {CSSStyleSheet}
 */
export function elementSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}
