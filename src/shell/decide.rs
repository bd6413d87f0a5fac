//! The exports that need no client and that the checkout page never calls: read a code (or a list of
//! them), decide a record (or many), name the Taipei day. In the package (`booktax.js`) only: the
//! page's wasm is built without the `library` feature.

use crate::core::code::read_code;
use crate::core::code_list::read_lines;
use crate::core::lang::Lang;
use crate::core::rules::{Checkout, Reason, Verdict, decide_ean, decide_isbn};
use crate::core::schema::{Ean, Isbn, IsbnTerms};
use crate::core::taipei::{date_from_unix_millis, format_yyyymmdd};
use crate::shell::exports::record;
use crate::shell::js_error::{Failure, to_js};
use crate::shell::js_input::{checkout_day, field, format_option, lang_option, text_of, utf8_of};
use chrono::NaiveDate;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The Taipei day of `at`, or today by the device clock.
fn day_or_today(at: &JsValue, lang: Lang) -> Result<NaiveDate, Failure> {
    Ok(checkout_day(at, lang)?
        .unwrap_or_else(|| date_from_unix_millis(js_sys::Date::now()).unwrap_or_default()))
}

/// Reads `{ policyExpiryDate, at?, format?, lang? }`; an unreadable date is left for the rules to refuse.
fn checkout(opts: &JsValue) -> Result<Checkout, Failure> {
    let lang = lang_option(opts)?;
    let policy = field(opts, "policyExpiryDate").as_string();
    let day = day_or_today(&field(opts, "at"), lang)?;
    let format = format_option(&field(opts, "format"), lang)?;
    Ok(Checkout::new(policy.as_deref(), day, format).in_lang(lang))
}

#[derive(Serialize)]
struct CodeView<'a> {
    kind: &'static str,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    addon: Option<&'a str>,
}

/// Reads what was typed or scanned: `{ kind: "isbn" | "ean", code, addon? }`.
///
/// # Errors
///
/// An `Error` whose `code` is `empty`, `invalid_chars`, `bad_length` or `bad_checksum`.
#[wasm_bindgen(js_name = normalizeCode, unchecked_return_type = "NormalizedCode")]
pub fn normalize_code(
    #[wasm_bindgen(unchecked_param_type = "string | number")] input: JsValue,
) -> Result<JsValue, Failure> {
    let code = read_code(&text_of(&input).unwrap_or_default())?;
    to_js(&CodeView {
        kind: code.kind.as_str(),
        code: &code.code,
        addon: code.addon.as_deref(),
    })
}

/// Decides a book record (the API's `Isbn` object) for `{ policyExpiryDate, at?, format?, lang? }`.
/// Only the fields the rules read are read (status, the two effective dates, the kind, `include_ebook`).
///
/// # Errors
///
/// `bad_option` for an unreadable `at` or `format`, `bad_record` for a record that is no object.
#[wasm_bindgen(js_name = decideIsbn, unchecked_return_type = "Decision")]
pub fn decide_isbn_js(
    #[wasm_bindgen(unchecked_param_type = "IsbnRecord")] record_js: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DecideOptions")] opts: JsValue,
) -> Result<JsValue, Failure> {
    let at = checkout(&opts)?;
    // Only the fields the rules read cross into the module.
    let isbn = Isbn::from(record::<IsbnTerms>(record_js)?);
    to_js(&decide_isbn(&isbn, &at))
}

/// Decides a boxed-set record (the API's `Ean` object); the answer lists each book's decision in `items`.
///
/// # Errors
///
/// `bad_option` for an unreadable `at` or `format`, `bad_record` for a record that is no object.
#[wasm_bindgen(js_name = decideEan, unchecked_return_type = "Decision")]
pub fn decide_ean_js(
    #[wasm_bindgen(unchecked_param_type = "EanRecord")] record_js: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DecideOptions")] opts: JsValue,
) -> Result<JsValue, Failure> {
    let at = checkout(&opts)?;
    let ean: Ean = record(record_js)?;
    to_js(&decide_ean(&ean, &at))
}

/// The Taipei calendar date (`YYYYMMDD`) of `at`, or of now by this device's clock.
///
/// # Errors
///
/// `bad_option` for an unreadable `at`.
#[wasm_bindgen(js_name = taipeiDate)]
pub fn taipei_date(
    #[wasm_bindgen(unchecked_param_type = "string | Date | undefined")] at: JsValue,
) -> Result<String, Failure> {
    Ok(format_yyyymmdd(day_or_today(&at, Lang::ZhTw)?))
}

/// Reads one code per line of `text` at once: `{ kinds, digits }`, two `Uint8Array`s. `kinds[i]` is 1 for
/// an ISBN, 2 for a boxed set's EAN, 0 for a line that is no code; line `i`'s 13 digits (ASCII) are
/// `digits[13 * i .. 13 * i + 13]`. One call for a whole list: no object and no `Error` per code.
///
/// # Errors
///
/// `bad_input` when `text` is no string.
#[wasm_bindgen(js_name = readCodes, unchecked_return_type = "CodeList")]
pub fn read_codes(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, Failure> {
    let text = text
        .dyn_ref::<js_sys::JsString>()
        .ok_or_else(|| Failure::new("bad_input", "readCodes 需要一段文字（string）"))?;
    let list = read_lines(&utf8_of(text));
    let out = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &out,
        &"kinds".into(),
        &js_sys::Uint8Array::from(&list.kinds[..]),
    );
    let _ = js_sys::Reflect::set(
        &out,
        &"digits".into(),
        &js_sys::Uint8Array::from(&list.digits[..]),
    );
    Ok(out.into())
}

/// Decides an array of book records for `{ policyExpiryDate, at?, format? }` in one call: `{ verdicts,
/// reasons, reasonNames }`. `verdicts[i]` is 0 exempt, 1 taxable, 2 unknown; `reasonNames[reasons[i]]`
/// is the reason, as `decideIsbn` gives them. The options are read once and no object is made per
/// record. A record `decideIsbn` refuses is unknown (`invalid_record`), never exempt.
///
/// # Errors
///
/// `bad_option` for an unreadable `at` or `format`, `bad_record` when `records` is no array.
#[wasm_bindgen(js_name = decideIsbns, unchecked_return_type = "DecisionList")]
pub fn decide_isbns_js(
    #[wasm_bindgen(unchecked_param_type = "IsbnRecord[]")] records: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DecideOptions")] opts: JsValue,
) -> Result<JsValue, Failure> {
    let at = checkout(&opts)?;
    let books: Vec<Option<Isbn>> = records
        .dyn_into::<js_sys::Array>()
        .map_err(|_| Failure::record("紀錄清單必須是陣列"))?
        .iter()
        // Only the fields the rules read cross into the module.
        .map(|value| record::<IsbnTerms>(value).ok().map(Isbn::from))
        .collect();
    let mut verdicts = Vec::with_capacity(books.len());
    let mut reasons = Vec::with_capacity(books.len());
    let mut names: Vec<&'static str> = Vec::new();
    for book in &books {
        let (verdict, reason) = match book {
            Some(book) => {
                let d = decide_isbn(book, &at);
                (d.verdict, d.reason)
            }
            None => (Verdict::Unknown, Reason::InvalidRecord),
        };
        verdicts.push(match verdict {
            Verdict::Exempt => 0,
            Verdict::Taxable => 1,
            Verdict::Unknown => 2,
        });
        let name = reason.as_str();
        let index = names.iter().position(|n| *n == name).unwrap_or_else(|| {
            names.push(name);
            names.len() - 1
        });
        reasons.push(index as u8);
    }
    let out = js_sys::Object::new();
    let set =
        |key: &str, value: &JsValue| js_sys::Reflect::set(&out, &key.into(), value).map(|_| ());
    let failed = |_| Failure::new("internal", "decideIsbns");
    set("verdicts", &js_sys::Uint8Array::from(&verdicts[..]).into()).map_err(failed)?;
    set("reasons", &js_sys::Uint8Array::from(&reasons[..]).into()).map_err(failed)?;
    set(
        "reasonNames",
        &names
            .iter()
            .map(|n| JsValue::from_str(n))
            .collect::<js_sys::Array>()
            .into(),
    )
    .map_err(failed)?;
    Ok(out.into())
}
