// Types of <book-tax-lookup>: the element, its attributes as properties, its events; importing the module defines it.
import type { Decision, EanRecord, IsbnRecord, BookTaxError } from './booktax.js';

/** What a lookup resolves to and `booktax-decision` carries. */
export interface LookupResult {
  /** The code looked up, ISBN-13 or EAN-13. */
  code: string;
  kind: 'isbn' | 'ean';
  /** The record as served, or null when the code is not listed or the service failed. */
  record: IsbnRecord | EanRecord | null;
  decision: Decision;
  /** Where the record came from. */
  source: 'live' | 'mirror';
  /** From the mirror: the last announcement day it has applied, YYYYMMDD. */
  appliedThrough: string | null;
}

/** What `booktax-error` carries: unreadable input (the lookup rejects), or a service that failed (the lookup resolves, unknown). */
export interface LookupFailure {
  /** What was typed or passed. */
  input: string;
  /** `code` as `BookTaxError.code`: `empty`, `bad_checksum`, `bad_option`, `load_failed`, … */
  error: { code: string; message: string };
  /** The unknown verdict shown for it, when there is one. */
  decision: Decision | null;
}

/**
 * `<book-tax-lookup base-url appid format at lang mode compact code name required disabled>`.
 *
 * Form-associated: inside a `<form>` it submits `name=<verdict>` and `name-code=<code>` after a lookup.
 */
export class BookTaxLookup extends HTMLElement {
  static formAssociated: true;
  static observedAttributes: string[];
  /** `base-url`: the announcement service ("" for this page's origin). */
  baseUrl: string;
  appid: string;
  /** `physical`, `ebook`, or "" when not said (the attribute as written: anything else is refused at lookup, as unknown). */
  get format(): string;
  set format(value: 'physical' | 'ebook' | '');
  /** `at`: the checkout moment (ISO 8601), "" for now. */
  at: string;
  /** `live`, or `mirror`: this origin's offline mirror first, then confirmed live when online (a second `booktax-decision`). */
  mode: 'live' | 'mirror' | (string & {});
  compact: boolean;
  required: boolean;
  disabled: boolean;
  /** `code`: setting it looks the code up. */
  code: string;
  name: string;
  /** The last lookup's verdict, "" before any. */
  readonly value: 'exempt' | 'taxable' | 'unknown' | '';
  readonly result: LookupResult | null;
  readonly form: HTMLFormElement | null;
  readonly validity: ValidityState;
  readonly validationMessage: string;
  readonly willValidate: boolean;
  checkValidity(): boolean;
  reportValidity(): boolean;
  /**
   * Looks a code up as typing it would; a newer lookup, a detach or a form reset cancels this one
   * (it rejects with `code: "aborted"`). Rejects for unreadable input or options (`empty`,
   * `bad_checksum`, `bad_option`, …) and when the wasm cannot load (`load_failed`); a service
   * failure resolves with an unknown decision (and `booktax-error`).
   */
  lookup(code: string): Promise<LookupResult>;
  formResetCallback(): void;
  formDisabledCallback(disabled: boolean): void;
  formStateRestoreCallback(state: unknown): void;
  connectedCallback(): void;
  disconnectedCallback(): void;
  attributeChangedCallback(name: string, before: string | null, after: string | null): void;
}

export type BookTaxDecisionEvent = CustomEvent<LookupResult>;
/** Sent when a lookup starts: the element's value is empty until its decision. */
export type BookTaxPendingEvent = CustomEvent<{ input: string }>;
export type BookTaxErrorEvent = CustomEvent<LookupFailure>;
export type { BookTaxError };

declare global {
  interface HTMLElementTagNameMap {
    'book-tax-lookup': BookTaxLookup;
  }
  // The events bubble and are composed: a form, the document or the window can listen.
  interface HTMLElementEventMap {
    'booktax-decision': BookTaxDecisionEvent;
    'booktax-error': BookTaxErrorEvent;
    'booktax-pending': BookTaxPendingEvent;
  }
  interface DocumentEventMap {
    'booktax-decision': BookTaxDecisionEvent;
    'booktax-error': BookTaxErrorEvent;
    'booktax-pending': BookTaxPendingEvent;
  }
  interface WindowEventMap {
    'booktax-decision': BookTaxDecisionEvent;
    'booktax-error': BookTaxErrorEvent;
    'booktax-pending': BookTaxPendingEvent;
  }
}
