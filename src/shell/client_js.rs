//! The `BookTaxClient` class: the announcement API, one lookup, the corrected clock and the policy's outlook, for JavaScript.
//!
//! Every method takes `JsValue`s as a page would pass them and rejects with an
//! `Error` whose `code` names the error kind and whose `message` is zh-TW text
//! for the clerk.

use crate::core::code::{Code, CodeKind, read_code};
use crate::core::lookup::answer::ErrorView;
use crate::core::lookup::answer::{Answers, Found, Lookup};
use crate::core::lookup::clock::CheckoutTime;
#[cfg(feature = "library")]
use crate::core::lookup::endpoint::{Endpoint, check_announcement_date};
use crate::core::lookup::error::LookupError;
use crate::core::lookup::error::Missing;
use crate::core::lookup::retry::{DEFAULT_TIMEOUT_MS, MAX_RETRIES};
use crate::core::lookup::source::{Terms, lookup};
#[cfg(feature = "workers")]
use crate::core::mirror::import::read_historical;
#[cfg(feature = "mirror")]
use crate::core::mirror::plan::freshness;
use crate::core::rules::policy_outlook;
#[cfg(feature = "library")]
use crate::core::schema::DailyResponse;
use crate::core::schema::{DateField, IsbnAsked};
#[cfg(feature = "library")]
use crate::core::schema::{EanResponse, IsbnResponse};
use crate::core::taipei::format_yyyymmdd;
#[cfg(feature = "mirror")]
use crate::core::taipei::parse_yyyymmdd;
#[cfg(feature = "workers")]
use crate::shell::batch::{BatchOptions, check_batch};
use crate::shell::exports::record;
use crate::shell::fetch::Fetcher;
#[cfg(feature = "mirror")]
use crate::shell::idb::MirrorDb;
use crate::shell::js_error::{Failure, to_js};
use crate::shell::js_input::{
    checkout_day, field, format_option, lang_option, number_option, signal_option, text_of,
    text_option,
};
#[cfg(feature = "workers")]
use crate::shell::js_input::{unreadable_rows_only, utf8_of};
use crate::shell::live::Live;
#[cfg(feature = "mirror")]
use crate::shell::mirror::MirrorLookup;
#[cfg(feature = "workers")]
use crate::shell::sync::{GROUP_RECORDS, sync};
use serde::Serialize;
#[cfg(feature = "mirror")]
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The announcement API client: `new BookTaxClient({ baseUrl, appid, timeoutMs?, retries?, mirror?, mirrorName? })`.
#[wasm_bindgen]
pub struct BookTaxClient {
    live: Rc<Live>,
    mirror: Option<Rc<Mirror>>,
}

/// The offline mirror a client was given: its database name, opened on first use.
#[cfg(feature = "mirror")]
struct Mirror {
    name: String,
    db: RefCell<Option<Rc<MirrorDb>>>,
}

/// Without the `mirror` feature (booktax-page.js) no client has a mirror: nothing can be one.
#[cfg(not(feature = "mirror"))]
enum Mirror {}

#[cfg(feature = "mirror")]
impl Mirror {
    async fn db(&self) -> Result<Rc<MirrorDb>, Failure> {
        if let Some(db) = self.db.borrow().as_ref() {
            return Ok(db.clone());
        }
        let db = Rc::new(MirrorDb::open(&self.name).await?);
        *self.db.borrow_mut() = Some(db.clone());
        Ok(db)
    }
}

/// `mirrorStatus()`: `{ appliedThrough, isbns, eans, policyExpiryDate, bytes, freshness, daysBehind }`.
#[cfg(feature = "mirror")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MirrorStatusView {
    applied_through: Option<String>,
    isbns: u32,
    eans: u32,
    policy_expiry_date: Option<String>,
    bytes: Option<f64>,
    freshness: &'static str,
    days_behind: Option<i64>,
}

/// What this origin stores, by `navigator.storage.estimate()`, when the browser tells.
#[cfg(feature = "mirror")]
async fn storage_usage() -> Option<f64> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let storage = js_sys::Reflect::get(&navigator, &"storage".into()).ok()?;
    let estimate: js_sys::Function = js_sys::Reflect::get(&storage, &"estimate".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: js_sys::Promise = estimate.call0(&storage).ok()?.dyn_into().ok()?;
    let result = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    js_sys::Reflect::get(&result, &"usage".into())
        .ok()?
        .as_f64()
}

/// What a `BookTaxClient` method asks for.
enum Call {
    #[cfg(feature = "library")]
    PolicyExpiryDate,
    PolicyStatus(JsValue),
    #[cfg(feature = "library")]
    Raw(Raw),
    Lookup(JsValue, JsValue),
    #[cfg(feature = "workers")]
    Sync(JsValue),
    #[cfg(feature = "mirror")]
    MirrorStatus,
    #[cfg(feature = "workers")]
    ImportHistorical(JsValue),
    #[cfg(feature = "workers")]
    CheckBatch(JsValue, JsValue),
}

/// A raw call: the service's answer as served (`today`, `daily`, `isbn`, `ean`).
#[cfg(feature = "library")]
enum Raw {
    Today,
    Daily(JsValue),
    Isbn(JsValue),
    Ean(JsValue),
}

/// `importHistorical()`: `{ imported, alreadyHeld, rejected: [{ line, reason }], notes }`.
#[cfg(feature = "workers")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImportView {
    imported: usize,
    already_held: usize,
    rejected: Vec<RejectedView>,
    notes: Vec<String>,
}

#[cfg(feature = "workers")]
#[derive(Serialize)]
struct RejectedView {
    line: usize,
    reason: String,
}

/// A file's text: UTF-8 (with or without a BOM) when it reads as such, else Big5, as Excel
/// on a zh-TW Windows saves CSV. A string is taken as it is (through `TextEncoder`, as
/// `readCodes` takes its text: a 100,000-line list is 1.4 MB).
#[cfg(feature = "workers")]
async fn file_text(file: &JsValue) -> Result<String, Failure> {
    if let Some(text) = file.dyn_ref::<js_sys::JsString>() {
        return Ok(utf8_of(text));
    }
    let blob: web_sys::Blob = file
        .clone()
        .dyn_into()
        .map_err(|_| Failure::option("需要文字或檔案（File 或 Blob）"))?;
    let unreadable = |_| Failure::new("unreadable_file", "無法讀取檔案");
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(unreadable)?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    let options = web_sys::TextDecoderOptions::new();
    options.set_fatal(true);
    let utf8 =
        web_sys::TextDecoder::new_with_label_and_options("utf-8", &options).map_err(unreadable)?;
    if let Ok(text) = utf8.decode_with_js_u8_array(&bytes) {
        return Ok(text);
    }
    let big5 =
        web_sys::TextDecoder::new_with_label_and_options("big5", &options).map_err(unreadable)?;
    big5.decode_with_js_u8_array(&bytes).map_err(|_| {
        Failure::new(
            "unreadable_file",
            "檔案既不是 UTF-8 也不是 Big5 編碼的文字，請另存為 CSV（UTF-8）後再匯入",
        )
    })
}

/// `now()`: `{ date, time, deviceDate, serviceDate?, skewSeconds? }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NowView {
    date: String,
    time: String,
    device_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skew_seconds: Option<i64>,
}

/// `policyStatus()`: `{ state, policyExpiryDate?, daysLeft?, error? }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyView {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_expiry_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorView>,
}

/// Answers every client method: one async function, so the wasm holds one
/// state machine for all of them instead of one per method.
async fn answer(
    live: Rc<Live>,
    mirror: Option<Rc<Mirror>>,
    call: Call,
) -> Result<JsValue, Failure> {
    let signal = match &call {
        Call::PolicyStatus(opts) | Call::Lookup(_, opts) => signal_option(opts)?,
        #[cfg(feature = "workers")]
        Call::Sync(opts) | Call::CheckBatch(_, opts) => signal_option(opts)?,
        #[cfg(feature = "library")]
        Call::PolicyExpiryDate | Call::Raw(_) => None,
        #[cfg(feature = "workers")]
        Call::ImportHistorical(_) => None,
        #[cfg(feature = "mirror")]
        Call::MirrorStatus => None,
    };
    let signal = signal.as_ref();
    match &call {
        #[cfg(feature = "library")]
        Call::PolicyExpiryDate => to_js(&format_yyyymmdd(live.policy_expiry_date(signal).await?)),
        Call::PolicyStatus(opts) => {
            let lang = lang_option(opts)?;
            let days = match checkout_day(&field(opts, "at"), lang)? {
                Some(day) => vec![day],
                None => live.now().days(),
            };
            let policy = live.policy_for_today(signal).await;
            if policy == Err(LookupError::Aborted) {
                return Err(LookupError::Aborted.into());
            }
            let (state, days_left) = policy_outlook(policy.as_ref().ok().copied(), &days);
            to_js(&PolicyView {
                state: state.as_str(),
                policy_expiry_date: policy.as_ref().ok().map(|d| format_yyyymmdd(*d)),
                days_left,
                error: policy.as_ref().err().map(|e| ErrorView::of(e, lang)),
            })
        }
        Call::Lookup(input, opts) => {
            let lang = lang_option(opts)?;
            let read = || -> Result<_, Failure> {
                let code = read_code(&text_of(input).unwrap_or_default())
                    .map_err(|e| Failure::code_in(&e, lang))?;
                let day = checkout_day(&field(opts, "at"), lang)?;
                let format = format_option(&field(opts, "format"), lang)?;
                Ok((code, Terms { day, format, lang }))
            };
            let (code, terms) = read().map_err(|f| f.with_decision(lang))?;
            let in_lang = |e: LookupError| Failure::lookup_in(&e, lang);
            let Some(mirror) = mirror else {
                let result = lookup(&live.with_signal(signal), code, terms)
                    .await
                    .map_err(in_lang)?;
                return to_js(&result);
            };
            mirror_lookup(&live, &mirror, code, terms, opts, signal).await
        }
        #[cfg(feature = "workers")]
        Call::Sync(opts) => {
            let mirror = mirror.ok_or_else(no_mirror)?;
            let db = mirror.db().await?;
            let progress = field(opts, "onProgress")
                .dyn_into::<js_sys::Function>()
                .ok();
            let pause = field(opts, "pause").dyn_into::<js_sys::Function>().ok();
            let group_records = field(opts, "groupRecords")
                .as_f64()
                .filter(|n| *n >= 1.0)
                .map_or(GROUP_RECORDS, |n| n as usize);
            to_js(
                &sync(
                    &db,
                    &live,
                    signal,
                    progress.as_ref(),
                    pause.as_ref(),
                    group_records,
                )
                .await?,
            )
        }
        #[cfg(feature = "workers")]
        Call::ImportHistorical(file) => {
            let mirror = mirror.ok_or_else(no_mirror)?;
            let text = file_text(file).await?;
            let read = read_historical(&text).map_err(|e| Failure::new(e.code(), e.to_string()))?;
            let db = mirror.db().await?;
            // Every good row in one transaction, or none; a code the daily lists gave stays theirs.
            let imported = db.add_missing(&read.books).await?;
            to_js(&ImportView {
                imported,
                already_held: read.books.len() - imported,
                rejected: read
                    .rejected
                    .into_iter()
                    .map(|r| RejectedView {
                        line: r.line,
                        reason: r.reason,
                    })
                    .collect(),
                notes: read.notes,
            })
        }
        #[cfg(feature = "workers")]
        Call::CheckBatch(input, opts) => {
            let lang = lang_option(opts)?;
            let terms = Terms {
                day: checkout_day(&field(opts, "at"), lang)?,
                format: format_option(&field(opts, "format"), lang)?,
                lang,
            };
            let unreadable_rows_only = unreadable_rows_only(&field(opts, "rows"), lang)?;
            let text = file_text(input).await?;
            let progress = field(opts, "onProgress")
                .dyn_into::<js_sys::Function>()
                .ok();
            let db = match &mirror {
                Some(m) => Some(m.db().await?),
                None => None,
            };
            let options = BatchOptions {
                signal,
                on_progress: progress.as_ref(),
                ignore_busy_window: field(opts, "ignoreBusyWindow").as_bool() == Some(true),
                unreadable_rows_only,
            };
            check_batch(&live, db.as_deref(), &text, terms, options)
                .await?
                .to_js()
        }
        #[cfg(feature = "mirror")]
        Call::MirrorStatus => {
            let mirror = mirror.ok_or_else(no_mirror)?;
            let db = mirror.db().await?;
            let state = db.state().await?;
            let applied = state.applied_through.as_deref().and_then(parse_yyyymmdd);
            let fresh = freshness(applied, live.now().day());
            to_js(&MirrorStatusView {
                isbns: db.book_count().await?,
                eans: db.set_count().await?,
                bytes: storage_usage().await,
                freshness: fresh.as_str(),
                days_behind: fresh.days_behind(),
                applied_through: state.applied_through,
                policy_expiry_date: state.policy_expiry_date,
            })
        }
        #[cfg(feature = "library")]
        Call::Raw(call) => raw(&live, call, signal).await,
    }
}

/// The service's answer to a raw call, as served; a date or a code that cannot be asked is refused unasked.
#[cfg(feature = "library")]
async fn raw(
    live: &Live,
    call: &Raw,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<JsValue, Failure> {
    let code = |code: &JsValue| -> Result<String, Failure> {
        Ok(String::from(
            read_code(&text_of(code).unwrap_or_default())?.code,
        ))
    };
    match call {
        Raw::Today => to_js(&live.get::<DailyResponse>(&Endpoint::Today, signal).await?),
        Raw::Daily(date) => {
            let day =
                check_announcement_date(&text_of(date).unwrap_or_default(), live.now().day())?;
            to_js(
                &live
                    .get::<DailyResponse>(&Endpoint::Daily(day), signal)
                    .await?,
            )
        }
        Raw::Isbn(isbn) => {
            let endpoint = Endpoint::Isbn(code(isbn)?);
            to_js(&live.get::<IsbnResponse>(&endpoint, signal).await?.data)
        }
        Raw::Ean(ean) => {
            let endpoint = Endpoint::Ean(code(ean)?);
            to_js(&live.get::<EanResponse>(&endpoint, signal).await?.data)
        }
    }
}

/// A lookup by a client with a mirror: from the mirror, the live service first while this page
/// syncs (`preferLive`), and the live answer over the mirror's when asked to confirm (`confirm`).
#[cfg(feature = "mirror")]
async fn mirror_lookup(
    live: &Live,
    mirror: &Mirror,
    code: Code,
    terms: Terms,
    opts: &JsValue,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<JsValue, Failure> {
    let in_lang = |e: LookupError| Failure::lookup_in(&e, terms.lang);
    if field(opts, "preferLive").as_bool() == Some(true) {
        // While a sync writes the mirror, its reads wait behind the writes: the live
        // service answers first, and the mirror only when the service has no answer.
        let from_live = lookup(&live.with_signal(signal), code, terms)
            .await
            .map_err(in_lang)?;
        if from_live.error.is_none() {
            return to_js(&from_live);
        }
    }
    let db = mirror.db().await?;
    let source = MirrorLookup::read(&db, live, Some(&code)).await?;
    let from_mirror = lookup(&source, code, terms).await.map_err(in_lang)?;
    if field(opts, "confirm").as_bool() == Some(true) {
        // The live answer wins when there is one, and keeps the mirror's record current.
        let from_live = lookup(&live.with_signal(signal), code, terms)
            .await
            .map_err(in_lang)?;
        if from_live.error.is_none() {
            // Keeping the mirror in step is a courtesy: a failed write loses no answer. Most
            // answers agree, and then nothing is written (a write would hold up the next scan's
            // read): a book is compared with the one the mirror holds, whatever its freshness (a
            // mirror behind still holds its records, and decides nothing from them); a set, or
            // a book that did not read, with the mirror's answer.
            let live_record = from_live.record.as_ref();
            let agrees =
                source
                    .holds_as_read(&code, live_record)
                    .unwrap_or_else(|| match live_record {
                        Some(found) => from_mirror.record.as_ref() == Some(found),
                        None => from_mirror.record.is_none() && from_mirror.error.is_none(),
                    });
            if !agrees {
                let _ = match live_record {
                    Some(found) => db.store_found(&from_live.code, found).await,
                    None => db.forget(&from_live.code).await,
                };
            }
            return to_js(&from_live);
        }
    }
    to_js(&from_mirror)
}

/// Without the `mirror` feature no client has a mirror (`mirror: true` is refused when it is made).
#[cfg(not(feature = "mirror"))]
async fn mirror_lookup(
    _: &Live,
    mirror: &Mirror,
    _: Code,
    _: Terms,
    _: &JsValue,
    _: Option<&web_sys::AbortSignal>,
) -> Result<JsValue, Failure> {
    match *mirror {}
}

/// `not_in_this_build`: the checkout page's build has no mirror at all.
#[cfg(not(feature = "mirror"))]
fn no_mirror_in_this_build() -> Failure {
    Failure::new(
        "not_in_this_build",
        "此版本（booktax-page.js，未啟用離線資料的結帳頁用）不含離線資料：請使用 booktax.js",
    )
}

/// `no_mirror`: a client made without `mirror: true`.
#[cfg(feature = "mirror")]
fn no_mirror() -> Failure {
    Failure::new(
        "no_mirror",
        "這個查詢用戶端沒有啟用離線資料（new BookTaxClient({ mirror: true })）",
    )
}

#[wasm_bindgen]
impl BookTaxClient {
    /// `{ baseUrl = "", appid = "", timeoutMs = 8000, retries = 3, mirror = false, mirrorName? }`; `""` as
    /// base URL is this page's origin; `mirror: true` reads the origin's offline mirror first.
    ///
    /// # Errors
    ///
    /// `bad_option` for an option of the wrong type or out of range; `not_in_this_build` for
    /// `mirror: true` in the checkout page's build (booktax-page.js), which has no mirror.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<BookTaxClient, Failure> {
        let base_url = text_option(&options, "baseUrl")?;
        let appid = text_option(&options, "appid")?;
        let timeout_ms = number_option(&options, "timeoutMs", DEFAULT_TIMEOUT_MS, 120_000)?.max(1);
        let retries = number_option(&options, "retries", MAX_RETRIES, MAX_RETRIES)?;
        let fetcher = Fetcher::new(base_url.clone(), appid, timeout_ms, retries);
        let mirror = match field(&options, "mirror").as_bool() {
            #[cfg(not(feature = "mirror"))]
            Some(true) => return Err(no_mirror_in_this_build()),
            #[cfg(feature = "mirror")]
            Some(true) => {
                let name = text_option(&options, "mirrorName")?;
                // One mirror per service: the sample service's records never answer for another.
                let name = match (name.is_empty(), base_url.is_empty()) {
                    (false, _) => name,
                    (true, true) => "booktax".into(),
                    (true, false) => format!("booktax@{base_url}"),
                };
                Some(Rc::new(Mirror {
                    name,
                    db: RefCell::new(None),
                }))
            }
            _ => None,
        };
        Ok(BookTaxClient {
            live: Rc::new(Live::new(fetcher)),
            mirror,
        })
    }

    fn call(&self, call: Call) -> js_sys::Promise {
        let (live, mirror) = (self.live.clone(), self.mirror.clone());
        future_to_promise(async move { answer(live, mirror, call).await.map_err(JsValue::from) })
    }

    /// Syncs the offline mirror through the last published day: `{ signal?, onProgress? }` →
    /// `{ appliedThrough, days, isbns, eans }`; `onProgress({ day, done, total })` after each write
    /// (days are written in groups of `groupRecords` records, default 100,000, so a short sync reports once).
    ///
    /// Rejects with a coded `Error` (`network`, `timeout`, `malformed`, `storage`, `aborted`,
    /// `no_mirror`) and keeps every day applied before the failure. Not in the checkout page's
    /// build (booktax-page.js), which leaves syncing to a Worker on booktax.js.
    #[cfg(feature = "workers")]
    #[wasm_bindgen(unchecked_return_type = "Promise<SyncReport>")]
    pub fn sync(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SyncOptions | undefined")] opts: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::Sync(opts))
    }

    /// Imports the ministry's historical list (a CSV `File`, UTF-8 or Big5) into the mirror:
    /// `{ imported, rejected: [{ line, reason }], notes }`. All good rows in one transaction;
    /// rejects (`unmapped_layout`, `no_readable_rows`, `empty_file`, `unreadable_file`,
    /// `storage`) with nothing imported. Not in booktax-page.js.
    #[cfg(feature = "workers")]
    #[wasm_bindgen(js_name = importHistorical, unchecked_return_type = "Promise<ImportReport>")]
    pub fn import_historical(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Blob | string")] file: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::ImportHistorical(file))
    }

    /// Prices a list: `text` (a string, or a CSV / text `File` in UTF-8 or Big5) read line by
    /// line, each distinct code asked once (from the mirror when it is current, else the live
    /// service four at a time), every line decided at `{ at?, format?, lang? }`:
    /// `{ rows, summary, csv, source, cancelled, checkoutDate, codes }`, one row per input line.
    ///
    /// `onProgress({ done, total, source, paused })` reports codes asked; `paused` while the
    /// service's evening busy window (21:30–24:00) holds the run back, unless `ignoreBusyWindow`.
    /// `signal` cancels: the promise still resolves, `cancelled: true`, the lines not asked
    /// `not_checked`. Rejects only for unreadable options or files (`bad_option`, `unreadable_file`),
    /// or a mirror that cannot be opened (`storage`). Not in booktax-page.js.
    #[cfg(feature = "workers")]
    #[wasm_bindgen(js_name = checkBatch, unchecked_return_type = "Promise<BatchReport>")]
    pub fn check_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Blob")] text: JsValue,
        #[wasm_bindgen(unchecked_param_type = "BatchOptions | undefined")] opts: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::CheckBatch(text, opts))
    }

    /// Resolves to the mirror's `{ appliedThrough, isbns, eans, policyExpiryDate, bytes, freshness, daysBehind }`.
    /// Not in booktax-page.js, which has no mirror.
    #[cfg(feature = "mirror")]
    #[wasm_bindgen(js_name = mirrorStatus, unchecked_return_type = "Promise<MirrorStatus>")]
    pub fn mirror_status(&self) -> js_sys::Promise {
        self.call(Call::MirrorStatus)
    }

    /// Decides earlier `lookup` answers again from the records they carry, at `{ at?, format?,
    /// lang? }`, asking nothing: a sale's lines after its checkout time or format changed.
    /// One answer per input, in order; an answer that holds a failure (`error`, no record) comes
    /// back as it was: only asking again can change it.
    ///
    /// # Errors
    ///
    /// `bad_option` for unreadable options; `bad_line` naming the line (1-based) for an answer
    /// whose code or record does not read.
    #[wasm_bindgen(unchecked_return_type = "Lookup[]")]
    pub fn redecide(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Lookup[]")] lookups: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DecideAgainOptions | undefined")] opts: JsValue,
    ) -> Result<js_sys::Array, Failure> {
        let lang = lang_option(&opts)?;
        let when = match checkout_day(&field(&opts, "at"), lang)? {
            Some(day) => CheckoutTime::Day(day),
            None => CheckoutTime::Now(self.live.now()),
        };
        let format = format_option(&field(&opts, "format"), lang)?;
        let array: js_sys::Array = lookups
            .dyn_into()
            .map_err(|_| Failure::new("bad_line", "redecide 需要一個陣列"))?;
        let out = js_sys::Array::new();
        for (i, earlier) in array.iter().enumerate() {
            let bad = |why: &str| Failure::new("bad_line", format!("第 {} 項：{why}", i + 1));
            let served = field(&earlier, "record");
            if (served.is_null() || served.is_undefined())
                && !field(&earlier, "error").is_undefined()
            {
                out.push(&earlier);
                continue;
            }
            let code = read_code(&text_of(&field(&earlier, "code")).unwrap_or_default())
                .map_err(|e| bad(&e.describe(lang)))?;
            // A book's record is read for its codes and terms only: its texts stay in JS, and the
            // answer carries the record object it was given (see below).
            let record = if served.is_null() || served.is_undefined() {
                Err(LookupError::NotFound(Missing::Code))
            } else if code.kind == CodeKind::Isbn {
                let asked: IsbnAsked = record(served.clone()).map_err(|f| bad(f.message()))?;
                Ok(Found::Isbn(asked.into()))
            } else {
                Ok(Found::Ean(
                    record(served.clone()).map_err(|f| bad(f.message()))?,
                ))
            };
            let policy = field(&earlier, "policyExpiryDate")
                .as_string()
                .map(|p| DateField::parse(&p))
                .ok_or(LookupError::NotFound(Missing::PolicyDate));
            let source = match field(&earlier, "source").as_string().as_deref() {
                Some("mirror") => "mirror",
                _ => "live",
            };
            let answers = Answers {
                code,
                policy,
                record,
                when,
                format,
                lang,
            };
            let mut again = Lookup::new(answers, source, field(&earlier, "fetchedAt").as_string());
            again.applied_through = field(&earlier, "appliedThrough").as_string();
            again.freshness = match field(&earlier, "freshness").as_string().as_deref() {
                Some("current") => Some("current"),
                Some("behind") => Some("behind"),
                Some("stale") => Some("stale"),
                Some("ahead") => Some("ahead"),
                Some("empty") => Some("empty"),
                _ => None,
            };
            // The record is the one the caller gave (it decided this answer): not made again.
            let kept = again.record.take().is_some();
            let answer = to_js(&again)?;
            if kept {
                let _ = js_sys::Reflect::set(&answer, &"record".into(), &served);
            }
            out.push(&answer);
        }
        Ok(out)
    }

    /// Resolves to the policy expiry date, `YYYYMMDD` (asked afresh).
    #[cfg(feature = "library")]
    #[wasm_bindgen(js_name = policyExpiryDate, unchecked_return_type = "Promise<string>")]
    pub fn policy_expiry_date(&self) -> js_sys::Promise {
        self.call(Call::PolicyExpiryDate)
    }

    /// Resolves to how the policy stands on the checkout day(s): `{ state, policyExpiryDate?, daysLeft?, error? }`.
    ///
    /// Without `at`, on today by both clocks: when they fall on different days, the less favourable.
    /// Never rejects but for a cancelled request or an unreadable `at`.
    #[wasm_bindgen(js_name = policyStatus, unchecked_return_type = "Promise<PolicyStatus>")]
    pub fn policy_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StatusOptions | undefined")] opts: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::PolicyStatus(opts))
    }

    /// Now, by the corrected clock: `{ date, time, deviceDate, serviceDate?, skewSeconds? }`.
    ///
    /// # Errors
    ///
    /// `internal` only if the answer cannot be built.
    #[wasm_bindgen(unchecked_return_type = "ClockReading")]
    pub fn now(&self) -> Result<JsValue, Failure> {
        let now = self.live.now();
        to_js(&NowView {
            date: format_yyyymmdd(now.day()),
            time: now.taipei_time(),
            device_date: format_yyyymmdd(now.device_day()),
            service_date: now.service_day().map(format_yyyymmdd),
            skew_seconds: now.notable_skew_seconds(),
        })
    }

    /// Resolves to today's announcement (`DailyResponse`, as served).
    #[cfg(feature = "library")]
    #[wasm_bindgen(unchecked_return_type = "Promise<DailyAnnouncement>")]
    pub fn today(&self) -> js_sys::Promise {
        self.call(Call::Raw(Raw::Today))
    }

    /// Resolves to one day's announcement; dates before 20210107 or after tomorrow are refused unasked.
    /// Not in booktax-page.js: the page's daily list loads booktax.js when it is first used.
    #[cfg(feature = "library")]
    #[wasm_bindgen(unchecked_return_type = "Promise<DailyAnnouncement>")]
    pub fn daily(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] date: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::Raw(Raw::Daily(date)))
    }

    /// Resolves to a book's record (the API's `Isbn` object).
    #[cfg(feature = "library")]
    #[wasm_bindgen(unchecked_return_type = "Promise<IsbnRecord>")]
    pub fn isbn(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] code: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::Raw(Raw::Isbn(code)))
    }

    /// Resolves to a boxed set's record (the API's `Ean` object).
    #[cfg(feature = "library")]
    #[wasm_bindgen(unchecked_return_type = "Promise<EanRecord>")]
    pub fn ean(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] code: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::Raw(Raw::Ean(code)))
    }

    /// Reads a code, asks the service and decides: the `Lookup` answer.
    ///
    /// Rejects only for unreadable input (the `Error` carries the unknown
    /// `decision` to show) and with `code: "aborted"` when `opts.signal` fired;
    /// a service failure resolves with an unknown verdict.
    #[wasm_bindgen(unchecked_return_type = "Promise<Lookup>")]
    pub fn lookup(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "LookupOptions | undefined")] opts: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::Lookup(input, opts))
    }
}
