//! The stateless exports: read a code, decide a record, name the Taipei day; plus the TypeScript shapes of every answer.

use crate::core::code::read_code;
use crate::core::lang::Lang;
use crate::core::rules::{Checkout, decide_ean, decide_isbn};
use crate::core::schema::{Ean, Isbn, read_schema};
use crate::core::taipei::{date_from_unix_millis, format_yyyymmdd};
use crate::shell::js_error::{Failure, to_js};
use crate::shell::js_input::{checkout_day, field, format_option, lang_option, text_of};
use chrono::NaiveDate;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

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

fn record<T: serde::de::DeserializeOwned>(record: JsValue) -> Result<T, Failure> {
    if !record.is_object() {
        return Err(Failure::record("紀錄必須是公告服務回傳的物件"));
    }
    read_schema(serde_wasm_bindgen::Deserializer::from(record))
        .map_err(|e| Failure::record(format!("紀錄格式有誤（欄位 {e}）")))
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
    let isbn: Isbn = record(record_js)?;
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
