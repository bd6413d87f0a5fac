//! The `BookTaxClient` class: the announcement API, one lookup, the corrected clock and the policy's outlook, for JavaScript.
//!
//! Every method takes `JsValue`s as a page would pass them and rejects with an
//! `Error` whose `code` names the error kind and whose `message` is zh-TW text
//! for the clerk.

use crate::core::code::read_code;
use crate::core::lookup::answer::ErrorView;
use crate::core::lookup::endpoint::{Endpoint, check_announcement_date};
use crate::core::lookup::error::LookupError;
use crate::core::lookup::retry::{DEFAULT_TIMEOUT_MS, MAX_RETRIES};
use crate::core::lookup::source::{Terms, lookup};
use crate::core::rules::policy_outlook;
use crate::core::schema::{DailyResponse, EanResponse, IsbnResponse};
use crate::core::taipei::format_yyyymmdd;
use crate::shell::fetch::Fetcher;
use crate::shell::js_error::{Failure, to_js};
use crate::shell::js_input::{
    checkout_day, field, format_option, lang_option, number_option, signal_option, text_of,
    text_option,
};
use crate::shell::live::Live;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The announcement API client: `new BookTaxClient({ baseUrl, appid, timeoutMs?, retries? })`.
#[wasm_bindgen]
pub struct BookTaxClient {
    live: Rc<Live>,
}

/// What a `BookTaxClient` method asks for.
enum Call {
    PolicyExpiryDate,
    PolicyStatus(JsValue),
    Today,
    Daily(JsValue),
    Isbn(JsValue),
    Ean(JsValue),
    Lookup(JsValue, JsValue),
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
async fn answer(live: Rc<Live>, call: Call) -> Result<JsValue, Failure> {
    let signal = match &call {
        Call::PolicyStatus(opts) | Call::Lookup(_, opts) => signal_option(opts)?,
        _ => None,
    };
    let signal = signal.as_ref();
    let endpoint = match &call {
        Call::PolicyExpiryDate => {
            return to_js(&format_yyyymmdd(live.policy_expiry_date(signal).await?));
        }
        Call::PolicyStatus(opts) => {
            let days = match checkout_day(&field(opts, "at"))? {
                Some(day) => vec![day],
                None => live.now().days(),
            };
            let lang = lang_option(opts)?;
            let policy = live.policy_for_today(signal).await;
            if policy == Err(LookupError::Aborted) {
                return Err(LookupError::Aborted.into());
            }
            let (state, days_left) = policy_outlook(policy.as_ref().ok().copied(), &days);
            return to_js(&PolicyView {
                state: state.as_str(),
                policy_expiry_date: policy.as_ref().ok().map(|d| format_yyyymmdd(*d)),
                days_left,
                error: policy.as_ref().err().map(|e| ErrorView::of(e, lang)),
            });
        }
        Call::Lookup(input, opts) => {
            let lang = lang_option(opts)?;
            let read = || -> Result<_, Failure> {
                let code = read_code(&text_of(input).unwrap_or_default())
                    .map_err(|e| Failure::code_in(&e, lang))?;
                let day = checkout_day(&field(opts, "at"))?;
                let format = format_option(&field(opts, "format"))?;
                Ok((code, Terms { day, format, lang }))
            };
            let (code, terms) = read().map_err(|f| f.with_decision(lang))?;
            let result = lookup(&live.with_signal(signal), code, terms)
                .await
                .map_err(|e| Failure::lookup_in(&e, lang))?;
            return to_js(&result);
        }
        Call::Today => Endpoint::Today,
        Call::Daily(date) => Endpoint::Daily(check_announcement_date(
            &text_of(date).unwrap_or_default(),
            live.now().day(),
        )?),
        Call::Isbn(code) => Endpoint::Isbn(read_code(&text_of(code).unwrap_or_default())?.code),
        Call::Ean(code) => Endpoint::Ean(read_code(&text_of(code).unwrap_or_default())?.code),
    };
    match call {
        Call::Isbn(_) => to_js(&live.get::<IsbnResponse>(&endpoint, signal).await?.data),
        Call::Ean(_) => to_js(&live.get::<EanResponse>(&endpoint, signal).await?.data),
        _ => to_js(&live.get::<DailyResponse>(&endpoint, signal).await?),
    }
}

#[wasm_bindgen]
impl BookTaxClient {
    /// `{ baseUrl = "", appid = "", timeoutMs = 8000, retries = 3 }`; `""` as base URL is this page's origin.
    ///
    /// # Errors
    ///
    /// `bad_option` for an option of the wrong type or out of range.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<BookTaxClient, Failure> {
        let base_url = text_option(&options, "baseUrl")?;
        let appid = text_option(&options, "appid")?;
        let timeout_ms = number_option(&options, "timeoutMs", DEFAULT_TIMEOUT_MS, 120_000)?.max(1);
        let retries = number_option(&options, "retries", MAX_RETRIES, MAX_RETRIES)?;
        let fetcher = Fetcher::new(base_url, appid, timeout_ms, retries);
        Ok(BookTaxClient {
            live: Rc::new(Live::new(fetcher)),
        })
    }

    fn call(&self, call: Call) -> js_sys::Promise {
        let live = self.live.clone();
        future_to_promise(async move { answer(live, call).await.map_err(JsValue::from) })
    }

    /// Resolves to the policy expiry date, `YYYYMMDD` (asked afresh).
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
    #[wasm_bindgen(unchecked_return_type = "Promise<DailyAnnouncement>")]
    pub fn today(&self) -> js_sys::Promise {
        self.call(Call::Today)
    }

    /// Resolves to one day's announcement; dates before 20210107 or after tomorrow are refused unasked.
    #[wasm_bindgen(unchecked_return_type = "Promise<DailyAnnouncement>")]
    pub fn daily(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] date: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::Daily(date))
    }

    /// Resolves to a book's record (the API's `Isbn` object).
    #[wasm_bindgen(unchecked_return_type = "Promise<IsbnRecord>")]
    pub fn isbn(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] code: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::Isbn(code))
    }

    /// Resolves to a boxed set's record (the API's `Ean` object).
    #[wasm_bindgen(unchecked_return_type = "Promise<EanRecord>")]
    pub fn ean(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] code: JsValue,
    ) -> js_sys::Promise {
        self.call(Call::Ean(code))
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
