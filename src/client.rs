//! The announcement API client over gloo-net: timeouts by AbortController, retries, and the per-day policy cache.

use crate::api::{
    DateField, EanResponse, IsbnResponse, PolicyExpiryDateResponse, SchemaError, read_schema,
};
use crate::code::{Code, CodeKind};
use crate::decision::{Checkout, Format, decide_ean, decide_isbn};
use crate::service::{
    AnyDecision, Body, ClientError, Endpoint, Found, Lookup, Missing, NOTABLE_SKEW_MS,
    check_response, clock_skew_ms, endpoint_url, parse_retry_after, read_body, retry_delay_ms,
};
use crate::taipei::date_from_unix_millis;
use chrono::NaiveDate;
use gloo_net::http::Request;
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use serde::de::DeserializeOwned;
use std::cell::{Cell, RefCell};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

/// Where to ask and how patiently.
pub struct Client {
    base_url: String,
    appid: String,
    timeout_ms: u32,
    retries: u32,
    /// The policy expiry date and the Taipei day it was fetched on.
    policy: RefCell<Option<(NaiveDate, NaiveDate)>>,
    /// How far the service's clock is ahead of this device's, from its last `Date` header.
    skew_ms: Cell<Option<f64>>,
}

/// A body parsed by `JSON.parse`, read through serde-wasm-bindgen.
pub struct JsBody(JsValue);

impl Body for JsBody {
    fn read<T: DeserializeOwned>(&self) -> Result<T, SchemaError> {
        read_schema(serde_wasm_bindgen::Deserializer::from(self.0.clone()))
    }
}

/// Today's date in Taipei, from the device clock alone.
pub fn taipei_today() -> NaiveDate {
    date_from_unix_millis(js_sys::Date::now()).unwrap_or_default()
}

fn js_text(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

/// Milliseconds from now until an HTTP date, read by the browser's own `Date.parse`.
fn http_date_wait_ms(value: &str) -> Option<u64> {
    let when = js_sys::Date::parse(value);
    when.is_finite()
        .then(|| (when - js_sys::Date::now()).max(0.0) as u64)
}

impl Client {
    pub fn new(base_url: String, appid: String, timeout_ms: u32, retries: u32) -> Client {
        Client {
            base_url,
            appid,
            timeout_ms,
            retries,
            policy: RefCell::new(None),
            skew_ms: Cell::new(None),
        }
    }

    /// Today's date in Taipei: the device clock, corrected by the service's once it has answered.
    pub fn today(&self) -> NaiveDate {
        let now = js_sys::Date::now() + self.skew_ms.get().unwrap_or(0.0);
        date_from_unix_millis(now).unwrap_or_default()
    }

    /// Reads a fetched body as `T` (synchronous, so the wasm has one fetching state machine).
    pub fn read<T: DeserializeOwned>(&self, body: &JsBody) -> Result<T, ClientError> {
        read_body(body).map_err(|e| e.redact(&self.appid))
    }

    /// GETs an endpoint, retrying network failures, timeouts, 429 and 5xx with backoff.
    pub async fn fetch(&self, endpoint: &Endpoint) -> Result<JsBody, ClientError> {
        let url = endpoint_url(&self.base_url, endpoint, &self.appid);
        let mut retry = 0;
        loop {
            match self.attempt(&url, endpoint).await {
                Err(e) => match retry_delay_ms(&e, retry, self.retries, js_sys::Math::random()) {
                    Some(ms) => {
                        TimeoutFuture::new(ms.min(u64::from(u32::MAX)) as u32).await;
                        retry += 1;
                    }
                    None => return Err(e.redact(&self.appid)),
                },
                ok => return ok,
            }
        }
    }

    async fn attempt(&self, url: &str, endpoint: &Endpoint) -> Result<JsBody, ClientError> {
        let failed = |signal: &AbortSignal, e: gloo_net::Error| {
            if signal.aborted() {
                ClientError::Timeout {
                    ms: self.timeout_ms,
                }
            } else {
                ClientError::Network {
                    detail: e.to_string(),
                }
            }
        };
        let controller = AbortController::new().map_err(|e| ClientError::Network {
            detail: js_text(&e),
        })?;
        let signal = controller.signal();
        // Aborts the fetch, body included, unless dropped first.
        let _deadline = Timeout::new(self.timeout_ms, move || controller.abort());
        let response = Request::get(url)
            .abort_signal(Some(&signal))
            .send()
            .await
            .map_err(|e| failed(&signal, e))?;
        let status = response.status();
        if let Some(date) = response.headers().get("date") {
            if let Some(skew) = clock_skew_ms(js_sys::Date::parse(&date), js_sys::Date::now()) {
                self.skew_ms.set(Some(skew));
            }
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| parse_retry_after(&v, http_date_wait_ms));
        let text = response.text().await.map_err(|e| failed(&signal, e))?;
        let body = js_sys::JSON::parse(&text)
            .map(JsBody)
            .map_err(|e| js_text(&e));
        check_response(endpoint, status, retry_after, body)
    }

    /// The policy expiry date as served (fresh, and remembered for today).
    pub async fn policy_expiry_date(&self) -> Result<NaiveDate, ClientError> {
        let body = self.fetch(&Endpoint::PolicyExpiryDate).await?;
        let r: PolicyExpiryDateResponse = self.read(&body)?;
        match r.policy_expiry_date {
            DateField::Date(d) => {
                *self.policy.borrow_mut() = Some((self.today(), d));
                Ok(d)
            }
            DateField::Absent => Err(ClientError::NotFound(Missing::PolicyDate)),
            DateField::Invalid(s) => Err(ClientError::Malformed {
                field: "policy_expiry_date".to_string(),
                detail: format!("不是有效日期：{s}"),
            }),
        }
    }

    /// The policy expiry date, fetched at most once per Taipei day.
    async fn policy_for_today(&self) -> Result<DateField, ClientError> {
        let today = self.today();
        let cached = *self.policy.borrow();
        match cached {
            Some((day, p)) if day == today => Ok(DateField::Date(p)),
            _ => self.policy_expiry_date().await.map(DateField::Date),
        }
    }

    /// Reads the record for a code and decides it for a checkout day (`None`: today, by the service's clock).
    pub async fn lookup(
        &self,
        code: Code,
        day: Option<NaiveDate>,
        format: Option<Format>,
    ) -> Lookup {
        let endpoint = match code.kind {
            CodeKind::Isbn => Endpoint::Isbn(code.code.clone()),
            CodeKind::Ean => Endpoint::Ean(code.code.clone()),
        };
        // The record first: its answer also sets the service's clock, and so which
        // day's policy date applies.
        let record = self
            .fetch(&endpoint)
            .await
            .and_then(|body| match code.kind {
                CodeKind::Isbn => self
                    .read::<IsbnResponse>(&body)
                    .map(|r| Found::Isbn(r.data)),
                CodeKind::Ean => self.read::<EanResponse>(&body).map(|r| Found::Ean(r.data)),
            });
        let policy = match &record {
            // The service is unreachable: asking again only makes the clerk wait.
            Err(e) if e.is_retryable() => Err(e.clone()),
            _ => self.policy_for_today().await,
        };
        let day = day.unwrap_or_else(|| self.today());
        let mut lookup = Lookup::new(code, &policy, record, |found, policy| {
            let at = Checkout::new(policy, day, format);
            match found {
                Found::Isbn(isbn) => AnyDecision::Isbn(decide_isbn(isbn, &at)),
                Found::Ean(ean) => AnyDecision::Ean(decide_ean(ean, &at)),
            }
        });
        lookup.clock_skew_seconds = self
            .skew_ms
            .get()
            .filter(|s| s.abs() >= NOTABLE_SKEW_MS)
            .map(|s| (s / 1000.0).round() as i64);
        lookup
    }
}
