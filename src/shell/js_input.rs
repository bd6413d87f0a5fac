//! Reading what a page passed: codes as strings or numbers, checkout times, formats, numeric options, signals, which batch rows to return.

use crate::core::lang::Lang;
use crate::core::rules::Format;
use crate::core::taipei::{date_from_unix_millis, parse_moment};
use crate::shell::js_error::Failure;
use chrono::NaiveDate;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// A string a page passed, or a number it passed for one (`9789576780004`).
pub fn text_of(value: &JsValue) -> Option<String> {
    value.as_string().or_else(|| {
        // Only whole numbers can be codes (and integer formatting keeps the wasm small).
        let n = value.as_f64()?;
        (n.fract() == 0.0 && n.abs() < 1e18).then(|| (n as i64).to_string())
    })
}

/// `object[name]`, or `undefined` when `object` is no object.
pub fn field(object: &JsValue, name: &str) -> JsValue {
    if object.is_object() {
        js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// The Taipei day of `at`, `None` when absent (now); a string is read by `parse_moment`; a `Date` is that instant.
///
/// # Errors
///
/// `bad_option` for an unreadable time.
pub fn checkout_day(at: &JsValue, lang: Lang) -> Result<Option<NaiveDate>, Failure> {
    if at.is_undefined() || at.is_null() {
        return Ok(None);
    }
    if let Some(date) = at.dyn_ref::<js_sys::Date>() {
        return date_from_unix_millis(date.get_time())
            .map(Some)
            .ok_or_else(|| {
                Failure::option(lang.pick(
                    "結帳時間不是有效的日期",
                    "The checkout time is not a valid date",
                ))
            });
    }
    match at.as_string() {
        Some(s) => parse_moment(&s)
            .map(Some)
            .map_err(|e| Failure::option(e.describe(lang))),
        None => Err(Failure::option(lang.pick(
            "結帳時間 at 必須是字串或 Date",
            "The checkout time at must be a string or a Date",
        ))),
    }
}

/// `physical`, `ebook`, or absent.
///
/// # Errors
///
/// `bad_option` for anything else.
pub fn format_option(format: &JsValue, lang: Lang) -> Result<Option<Format>, Failure> {
    if format.is_undefined() || format.is_null() {
        return Ok(None);
    }
    format
        .as_string()
        .as_deref()
        .and_then(Format::parse)
        .map(Some)
        .ok_or_else(|| {
            Failure::option(lang.pick(
                "販售型態 format 只能是 \"physical\" 或 \"ebook\"",
                "The format must be \"physical\" or \"ebook\"",
            ))
        })
}

/// `checkBatch`'s `rows`: `"all"` (the default) or `"unreadable"`; true for the unreadable lines only.
///
/// # Errors
///
/// `bad_option` for anything else.
#[cfg(feature = "workers")]
pub fn unreadable_rows_only(rows: &JsValue, lang: Lang) -> Result<bool, Failure> {
    if rows.is_undefined() || rows.is_null() {
        return Ok(false);
    }
    match rows.as_string().as_deref() {
        Some("all") => Ok(false),
        Some("unreadable") => Ok(true),
        _ => Err(Failure::option(lang.pick(
            "rows 只能是 \"all\" 或 \"unreadable\"",
            "rows must be \"all\" or \"unreadable\"",
        ))),
    }
}

/// `zh-TW` (the default), `en`, or any BCP 47 tag of either language.
///
/// # Errors
///
/// `bad_option` for anything else; `not_in_this_build` for English in a build without it
/// (booktax-page.js: the checkout page is zh-TW only).
pub fn lang_option(opts: &JsValue) -> Result<Lang, Failure> {
    let value = field(opts, "lang");
    if value.is_undefined() || value.is_null() {
        return Ok(Lang::ZhTw);
    }
    let lang = value
        .as_string()
        .as_deref()
        .and_then(Lang::parse)
        .ok_or_else(|| {
            Failure::option(
                "語言 lang 只能是 \"zh-TW\" 或 \"en\"（lang must be \"zh-TW\" or \"en\"）",
            )
        })?;
    #[cfg(not(feature = "english"))]
    if lang == Lang::En {
        return Err(Failure::new(
            "not_in_this_build",
            "此版本（booktax-page.js，結帳頁用）只有中文訊息：英文請使用 booktax.js（this build has no English: use booktax.js）",
        ));
    }
    Ok(lang)
}

/// `opts[name]` as a whole number from 0 to `max`, or `default` when absent.
///
/// # Errors
///
/// `bad_option` for anything else.
pub fn number_option(opts: &JsValue, name: &str, default: u32, max: u32) -> Result<u32, Failure> {
    let value = field(opts, name);
    if value.is_undefined() || value.is_null() {
        return Ok(default);
    }
    match value.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 && n <= f64::from(max) => Ok(n as u32),
        _ => Err(Failure::option(format!(
            "{name} 必須是 0 到 {max} 之間的數字"
        ))),
    }
}

/// `opts[name]` as a string, `""` when absent.
///
/// # Errors
///
/// `bad_option` for a value that is no string.
pub fn text_option(opts: &JsValue, name: &str) -> Result<String, Failure> {
    let value = field(opts, name);
    if value.is_undefined() || value.is_null() {
        return Ok(String::new());
    }
    value
        .as_string()
        .ok_or_else(|| Failure::option(format!("{name} 必須是字串")))
}

/// `opts.signal` as an `AbortSignal`, when given.
///
/// # Errors
///
/// `bad_option` for a value that is no `AbortSignal`.
pub fn signal_option(opts: &JsValue) -> Result<Option<AbortSignal>, Failure> {
    let value = field(opts, "signal");
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<AbortSignal>()
        .map(Some)
        .map_err(|_| Failure::option("signal 必須是 AbortSignal"))
}

#[wasm_bindgen]
extern "C" {
    /// The platform's `TextEncoder`, bound here to take a JS string as it is (web-sys's takes a `&str`).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(
        this: &TextEncoder,
        text: &js_sys::JsString,
        into: &js_sys::Uint8Array,
    ) -> Encoded;
    /// `encodeInto`'s `{ read, written }`: UTF-16 units read, bytes written.
    type Encoded;
    #[wasm_bindgen(method, getter)]
    fn read(this: &Encoded) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &Encoded) -> u32;
}

/// A JS string's UTF-8, written into the module's memory by the platform's `TextEncoder.encodeInto`.
/// For long texts: wasm-bindgen's own `&str` passing copies an ASCII text one character at a time in
/// JS (14 MB of codes: about 170 ms that way, 10 ms this way).
pub fn utf8_of(text: &js_sys::JsString) -> String {
    let units = text.length();
    let encoder = TextEncoder::new();
    // One byte per UTF-16 unit holds an ASCII text; the rest, if any, is written after it with room
    // for the most one unit can take (3 bytes).
    let mut bytes = vec![0u8; units as usize];
    let first = encode(&encoder, text, &mut bytes);
    let (read, mut written) = (first.read(), first.written() as usize);
    if read < units {
        bytes.resize(written + 3 * (units - read) as usize, 0);
        let rest = text.slice(read, units);
        written += encode(&encoder, &rest, &mut bytes[written..]).written() as usize;
    }
    bytes.truncate(written);
    // TextEncoder writes UTF-8 (a lone surrogate as U+FFFD), so nothing is lost here.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `encodeInto(text, into)`, through a view of `into` in the module's memory, made just before the
/// call: nothing allocates (and so nothing can move the memory) while the view is in use.
fn encode(encoder: &TextEncoder, text: &js_sys::JsString, into: &mut [u8]) -> Encoded {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let view = js_sys::Uint8Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        into.as_mut_ptr() as u32,
        into.len() as u32,
    );
    encoder.encode_into(text, &view)
}
