//! One GET to the announcement service: a per-attempt timeout, cancellation by the caller's `AbortSignal`, retries with backoff, and the service's clock from each answer.

use crate::core::lookup::clock::{clock_skew_ms, service_time_ms};
use crate::core::lookup::endpoint::{Endpoint, endpoint_url};
use crate::core::lookup::error::LookupError;
use crate::core::lookup::response::{Body, check_response, read_body};
use crate::core::lookup::retry::{parse_retry_after, retry_delay_ms};
use crate::core::schema::{SchemaError, read_schema};
use crate::shell::js_read::JsRead;
use crate::shell::timer::{check, clear_timeout, set_timeout, sleep};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal, RequestCache};

/// A body parsed by `JSON.parse`, read through [`JsRead`].
pub struct JsBody(JsValue);

impl Body for JsBody {
    fn read<T: DeserializeOwned>(&self) -> Result<T, SchemaError> {
        read_schema(JsRead::new(self.0.clone()))
    }
}

/// Where to ask and how patiently, and what the service's clock said last.
pub struct Fetcher {
    base_url: String,
    appid: String,
    timeout_ms: u32,
    retries: u32,
    /// Service time minus device time (ms), from the last answer with a plausible `Date`.
    skew_ms: Cell<Option<f64>>,
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

/// `controller.abort` bound to its controller, as a function a timer or an event can call.
fn abort_function(controller: &AbortController) -> Result<js_sys::Function, LookupError> {
    js_sys::Reflect::get(controller, &"abort".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        // `undefined` bound as the reason: called as an event listener, the function must not
        // pass the Event on as the abort reason (fetch would reject with the Event, not an Error).
        .map(|f| JsValue::from(f.bind1(controller, &JsValue::UNDEFINED)).unchecked_into())
        .ok_or_else(|| LookupError::Network {
            detail: "AbortController.abort is missing".to_string(),
        })
}

impl Fetcher {
    /// A fetcher for one service and appid.
    pub fn new(base_url: String, appid: String, timeout_ms: u32, retries: u32) -> Fetcher {
        Fetcher {
            base_url,
            appid,
            timeout_ms,
            retries,
            skew_ms: Cell::new(None),
        }
    }

    /// How far the service's clock is ahead of this device's, once it has answered.
    pub fn skew_ms(&self) -> Option<f64> {
        self.skew_ms.get()
    }

    /// Reads a fetched body as `T`.
    ///
    /// # Errors
    ///
    /// [`LookupError::Malformed`] naming the field that does not fit.
    pub fn read<T: DeserializeOwned>(&self, body: &JsBody) -> Result<T, LookupError> {
        read_body(body).map_err(|e| e.redact(&self.appid))
    }

    /// GETs an endpoint, retrying network failures, timeouts, 429 and 5xx with backoff,
    /// until the answer, the last retry, or the caller's signal.
    ///
    /// # Errors
    ///
    /// The last attempt's [`LookupError`], or [`LookupError::Aborted`] when cancelled.
    pub async fn get(
        &self,
        endpoint: &Endpoint,
        signal: Option<&AbortSignal>,
    ) -> Result<JsBody, LookupError> {
        let url = endpoint_url(&self.base_url, endpoint, &self.appid);
        let mut retry = 0;
        loop {
            match self.attempt(&url, endpoint, signal).await {
                Err(LookupError::Aborted) => return Err(LookupError::Aborted),
                Err(e) => match retry_delay_ms(&e, retry, self.retries, js_sys::Math::random()) {
                    Some(ms) => {
                        sleep(ms.min(u64::from(u32::MAX)) as u32, signal).await?;
                        retry += 1;
                    }
                    None => return Err(e.redact(&self.appid)),
                },
                ok => return ok,
            }
        }
    }

    async fn attempt(
        &self,
        url: &str,
        endpoint: &Endpoint,
        signal: Option<&AbortSignal>,
    ) -> Result<JsBody, LookupError> {
        check(signal)?;
        let controller = AbortController::new().map_err(|e| LookupError::Network {
            detail: js_text(&e),
        })?;
        let abort = abort_function(&controller)?;
        // The deadline and the caller's signal both abort this attempt, body included.
        let deadline = set_timeout(&abort, self.timeout_ms.min(i32::MAX as u32) as i32);
        if let Some(signal) = signal {
            let _ = signal.add_event_listener_with_callback("abort", &abort);
        }
        let result = self.send(url, endpoint, &controller.signal(), signal).await;
        clear_timeout(&deadline);
        if let Some(signal) = signal {
            let _ = signal.remove_event_listener_with_callback("abort", &abort);
        }
        result
    }

    async fn send(
        &self,
        url: &str,
        endpoint: &Endpoint,
        attempt: &AbortSignal,
        caller: Option<&AbortSignal>,
    ) -> Result<JsBody, LookupError> {
        let failed = |e: gloo_net::Error| {
            if caller.is_some_and(AbortSignal::aborted) {
                LookupError::Aborted
            } else if attempt.aborted() {
                LookupError::Timeout {
                    ms: self.timeout_ms,
                }
            } else {
                LookupError::Network {
                    detail: e.to_string(),
                }
            }
        };
        let response = Request::get(url)
            // A cached answer would also bring a cached clock.
            .cache(RequestCache::NoStore)
            .abort_signal(Some(attempt))
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        let headers = response.headers();
        let skew_ms = headers.get("date").and_then(|date| {
            let age = headers.get("age");
            let service = service_time_ms(js_sys::Date::parse(&date), age.as_deref());
            clock_skew_ms(service, js_sys::Date::now())
        });
        if skew_ms.is_some() {
            self.skew_ms.set(skew_ms);
        }
        let retry_after = headers
            .get("retry-after")
            .and_then(|v| parse_retry_after(&v, http_date_wait_ms));
        let text = response.text().await.map_err(failed)?;
        let body = js_sys::JSON::parse(&text)
            .map(JsBody)
            .map_err(|e| js_text(&e));
        check_response(endpoint, status, retry_after, body)
    }
}
