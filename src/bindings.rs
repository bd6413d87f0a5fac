//! The JavaScript face of the crate: thin `#[wasm_bindgen]` wrappers over the pure core and the client.
//!
//! Every export takes `JsValue`s as a page would pass them and throws (or
//! rejects with) an `Error` whose `code` property names the error kind and
//! whose `message` is zh-TW text for the clerk.

use crate::api::{DailyResponse, Ean, EanResponse, Isbn, IsbnResponse, read_schema};
use crate::client::{Client, taipei_today};
use crate::code::{CodeError, read_code};
use crate::decision::{Checkout, Format, decide_ean, decide_isbn};
use crate::service::{
    ClientError, DEFAULT_TIMEOUT_MS, Endpoint, MAX_RETRIES, check_announcement_date,
};
use crate::taipei::{MomentError, date_from_unix_millis, format_yyyymmdd, parse_moment};
use chrono::NaiveDate;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// An error on its way to JavaScript as `Error { code, message }`.
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
}

impl Failure {
    fn option(message: impl Into<String>) -> Failure {
        Failure {
            code: "bad_option",
            message: message.into(),
        }
    }
}

impl From<CodeError> for Failure {
    fn from(e: CodeError) -> Self {
        Failure {
            code: e.kind(),
            message: e.to_string(),
        }
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<MomentError> for Failure {
    fn from(e: MomentError) -> Self {
        Failure::option(e.to_string())
    }
}

impl From<serde_wasm_bindgen::Error> for Failure {
    fn from(e: serde_wasm_bindgen::Error) -> Self {
        Failure {
            code: "internal",
            message: format!("內部錯誤：{e}"),
        }
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        let error = js_sys::Error::new(&f.message);
        // Setting a property on a fresh Error cannot fail.
        let _ = js_sys::Reflect::set(&error, &"code".into(), &f.code.into());
        error.into()
    }
}

/// Plain JSON-like objects (`null` for none, objects for maps), as the API serves them.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Failure> {
    Ok(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}

/// A string a page passed, or a number it passed for one (`9789576780004`).
fn text_of(value: &JsValue) -> Option<String> {
    value.as_string().or_else(|| {
        // Only whole numbers can be codes (and integer formatting keeps the wasm small).
        let n = value.as_f64()?;
        (n.fract() == 0.0 && n.abs() < 1e18).then(|| (n as i64).to_string())
    })
}

fn field(object: &JsValue, name: &str) -> JsValue {
    if object.is_object() {
        js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// The Taipei day of `at`, `None` when absent (now); a string is read by `parse_moment`; a `Date` is that instant.
fn checkout_day_given(at: &JsValue) -> Result<Option<NaiveDate>, Failure> {
    if at.is_undefined() || at.is_null() {
        return Ok(None);
    }
    if let Some(date) = at.dyn_ref::<js_sys::Date>() {
        return date_from_unix_millis(date.get_time())
            .map(Some)
            .ok_or_else(|| Failure::option("結帳時間不是有效的日期"));
    }
    match at.as_string() {
        Some(s) => Ok(Some(parse_moment(&s)?)),
        None => Err(Failure::option("結帳時間 at 必須是字串或 Date")),
    }
}

/// The Taipei day of `at`, or today by the device clock.
fn checkout_day(at: &JsValue) -> Result<NaiveDate, Failure> {
    Ok(checkout_day_given(at)?.unwrap_or_else(taipei_today))
}

fn format_option(format: &JsValue) -> Result<Option<Format>, Failure> {
    if format.is_undefined() || format.is_null() {
        return Ok(None);
    }
    format
        .as_string()
        .as_deref()
        .and_then(Format::parse)
        .map(Some)
        .ok_or_else(|| Failure::option("販售型態 format 只能是 \"physical\" 或 \"ebook\""))
}

/// Reads `{ policyExpiryDate, at?, format? }`; an unreadable date is left for the rules to refuse.
fn checkout(opts: &JsValue) -> Result<Checkout, Failure> {
    let policy = field(opts, "policyExpiryDate").as_string();
    let day = checkout_day(&field(opts, "at"))?;
    let format = format_option(&field(opts, "format"))?;
    Ok(Checkout::new(policy.as_deref(), day, format))
}

fn record<T: serde::de::DeserializeOwned>(record: JsValue) -> Result<T, Failure> {
    if !record.is_object() {
        return Err(Failure {
            code: "bad_record",
            message: "紀錄必須是公告服務回傳的物件".to_string(),
        });
    }
    read_schema(serde_wasm_bindgen::Deserializer::from(record)).map_err(|e| Failure {
        code: "bad_record",
        message: format!("紀錄格式有誤（欄位 {e}）"),
    })
}

#[derive(Serialize)]
struct CodeView<'a> {
    kind: &'static str,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    addon: Option<&'a str>,
}

/// Reads what was typed or scanned: `{ kind: "isbn" | "ean", code, addon? }`.
#[wasm_bindgen(js_name = normalizeCode)]
pub fn normalize_code(input: JsValue) -> Result<JsValue, Failure> {
    let code = read_code(&text_of(&input).unwrap_or_default())?;
    to_js(&CodeView {
        kind: code.kind.as_str(),
        code: &code.code,
        addon: code.addon.as_deref(),
    })
}

/// Decides a book record (the API's `Isbn` object) for `{ policyExpiryDate, at?, format? }`.
#[wasm_bindgen(js_name = decideIsbn)]
pub fn decide_isbn_js(record_js: JsValue, opts: JsValue) -> Result<JsValue, Failure> {
    let at = checkout(&opts)?;
    let isbn: Isbn = record(record_js)?;
    to_js(&decide_isbn(&isbn, &at))
}

/// Decides a boxed-set record (the API's `Ean` object); the answer lists each book's decision in `items`.
#[wasm_bindgen(js_name = decideEan)]
pub fn decide_ean_js(record_js: JsValue, opts: JsValue) -> Result<JsValue, Failure> {
    let at = checkout(&opts)?;
    let ean: Ean = record(record_js)?;
    to_js(&decide_ean(&ean, &at))
}

/// The Taipei calendar date (`YYYYMMDD`) of `at`, or of now.
#[wasm_bindgen(js_name = taipeiDate)]
pub fn taipei_date(at: JsValue) -> Result<String, Failure> {
    Ok(format_yyyymmdd(checkout_day(&at)?))
}

/// The announcement API client: `new BookTaxClient({ baseUrl, appid, timeoutMs?, retries? })`.
#[wasm_bindgen]
pub struct BookTaxClient {
    inner: Rc<Client>,
}

fn number_option(opts: &JsValue, name: &str, default: u32, max: u32) -> Result<u32, Failure> {
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

/// What a `BookTaxClient` method asks for.
enum Call {
    PolicyExpiryDate,
    Today,
    Daily(JsValue),
    Isbn(JsValue),
    Ean(JsValue),
    Lookup(JsValue, JsValue),
}

/// Answers every client method: one async function, so the wasm holds one
/// state machine for all of them instead of one per method.
async fn answer(client: Rc<Client>, call: Call) -> Result<JsValue, Failure> {
    let endpoint = match &call {
        Call::PolicyExpiryDate => {
            return to_js(&format_yyyymmdd(client.policy_expiry_date().await?));
        }
        Call::Lookup(input, opts) => {
            let code = read_code(&text_of(input).unwrap_or_default())?;
            let day = checkout_day_given(&field(opts, "at"))?;
            let format = format_option(&field(opts, "format"))?;
            return to_js(&client.lookup(code, day, format).await);
        }
        Call::Today => Endpoint::Today,
        Call::Daily(date) => Endpoint::Daily(check_announcement_date(
            &text_of(date).unwrap_or_default(),
            client.today(),
        )?),
        Call::Isbn(code) => Endpoint::Isbn(read_code(&text_of(code).unwrap_or_default())?.code),
        Call::Ean(code) => Endpoint::Ean(read_code(&text_of(code).unwrap_or_default())?.code),
    };
    let body = client.fetch(&endpoint).await?;
    match call {
        Call::Isbn(_) => to_js(&client.read::<IsbnResponse>(&body)?.data),
        Call::Ean(_) => to_js(&client.read::<EanResponse>(&body)?.data),
        _ => to_js(&client.read::<DailyResponse>(&body)?),
    }
}

#[wasm_bindgen]
impl BookTaxClient {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<BookTaxClient, Failure> {
        let text = |name: &str| -> Result<String, Failure> {
            let value = field(&options, name);
            if value.is_undefined() || value.is_null() {
                return Ok(String::new());
            }
            value
                .as_string()
                .ok_or_else(|| Failure::option(format!("{name} 必須是字串")))
        };
        let base_url = text("baseUrl")?;
        let appid = text("appid")?;
        let timeout_ms = number_option(&options, "timeoutMs", DEFAULT_TIMEOUT_MS, 120_000)?.max(1);
        let retries = number_option(&options, "retries", MAX_RETRIES, MAX_RETRIES)?;
        Ok(BookTaxClient {
            inner: Rc::new(Client::new(base_url, appid, timeout_ms, retries)),
        })
    }

    fn call(&self, call: Call) -> js_sys::Promise {
        let client = self.inner.clone();
        future_to_promise(async move { answer(client, call).await.map_err(JsValue::from) })
    }

    /// Resolves to the policy expiry date, `YYYYMMDD`.
    #[wasm_bindgen(js_name = policyExpiryDate)]
    pub fn policy_expiry_date(&self) -> js_sys::Promise {
        self.call(Call::PolicyExpiryDate)
    }

    /// Resolves to today's announcement (`DailyResponse`, as served).
    pub fn today(&self) -> js_sys::Promise {
        self.call(Call::Today)
    }

    /// Resolves to one day's announcement; dates before 20210107 or after tomorrow are refused unasked.
    pub fn daily(&self, date: JsValue) -> js_sys::Promise {
        self.call(Call::Daily(date))
    }

    /// Resolves to a book's record (the API's `Isbn` object).
    pub fn isbn(&self, code: JsValue) -> js_sys::Promise {
        self.call(Call::Isbn(code))
    }

    /// Resolves to a boxed set's record (the API's `Ean` object).
    pub fn ean(&self, code: JsValue) -> js_sys::Promise {
        self.call(Call::Ean(code))
    }

    /// Reads a code, asks the service and decides: `{ code, kind, addon?, record, decision, policyExpiryDate, error? }`.
    ///
    /// Rejects only for unreadable input; a service failure resolves with an unknown verdict.
    pub fn lookup(&self, input: JsValue, opts: JsValue) -> js_sys::Promise {
        self.call(Call::Lookup(input, opts))
    }
}
