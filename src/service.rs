//! The API client's rules without the network: endpoints, typed errors, response reading, retries and lookups.
//!
//! `client` (wasm32 only) does the fetching; everything it decides is here, so
//! it is tested natively.
//!
//! ```
//! use booktax::service::{Endpoint, endpoint_url};
//!
//! let url = endpoint_url("https://tax.moc.gov.tw/book-api/", &Endpoint::Isbn("9789576780004".into()), "my app");
//! assert_eq!(url, "https://tax.moc.gov.tw/book-api/v1/announcement/isbn/9789576780004?appid=my%20app");
//! // An empty base URL asks the page's own origin; an empty appid is left to a proxy.
//! assert_eq!(endpoint_url("", &Endpoint::PolicyExpiryDate, ""), "/v1/announcement/policy_expiry_date");
//! ```

use crate::api::{DateField, Ean, Envelope, Isbn, SchemaError};
use crate::code::Code;
use crate::decision::{Decision, EanDecision, Reason};
use crate::taipei::{format_display, format_yyyymmdd, parse_yyyymmdd};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;

/// The first day the service has announcements for.
pub const FIRST_ANNOUNCEMENT: &str = "20210107";

/// Per-attempt timeout unless the caller sets one.
pub const DEFAULT_TIMEOUT_MS: u32 = 8_000;

/// Retries after the first attempt unless the caller sets fewer.
pub const MAX_RETRIES: u32 = 3;

/// The five endpoints of the specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    PolicyExpiryDate,
    Today,
    Daily(NaiveDate),
    Isbn(String),
    Ean(String),
}

impl Endpoint {
    /// The path below the base URL.
    pub fn path(&self) -> String {
        match self {
            Endpoint::PolicyExpiryDate => "/v1/announcement/policy_expiry_date".to_string(),
            Endpoint::Today => "/v1/announcement/today".to_string(),
            Endpoint::Daily(d) => format!("/v1/announcement/{}", format_yyyymmdd(*d)),
            Endpoint::Isbn(code) => format!("/v1/announcement/isbn/{code}"),
            Endpoint::Ean(code) => format!("/v1/announcement/ean/{code}"),
        }
    }

    fn missing(&self) -> Missing {
        match self {
            Endpoint::Isbn(_) | Endpoint::Ean(_) => Missing::Code,
            Endpoint::Today | Endpoint::Daily(_) => Missing::Announcement,
            Endpoint::PolicyExpiryDate => Missing::PolicyDate,
        }
    }
}

/// The full URL of an endpoint. The appid is only ever put here, never in an error.
pub fn endpoint_url(base_url: &str, endpoint: &Endpoint, appid: &str) -> String {
    let mut url = base_url.trim().trim_end_matches('/').to_string();
    url.push_str(&endpoint.path());
    if !appid.is_empty() {
        url.push_str("?appid=");
        for b in appid.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                url.push(char::from(b));
            } else {
                url.push_str(&format!("%{b:02X}"));
            }
        }
    }
    url
}

/// What a 404 means for the endpoint that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The code is not in the announcement list.
    Code,
    /// No announcement (yet) for that day.
    Announcement,
    /// The service did not give a policy expiry date.
    PolicyDate,
}

/// Why a request to the announcement service did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// 404.
    NotFound(Missing),
    /// The service answered with `code` ≠ 0.
    Api { code: i64, message: Option<String> },
    /// Another HTTP error status; `retry_after_ms` from a `Retry-After` header.
    Http {
        status: u16,
        retry_after_ms: Option<u64>,
    },
    /// No answer: offline, refused, DNS, or blocked by CORS.
    Network { detail: String },
    /// No complete answer within the time limit.
    Timeout { ms: u32 },
    /// An answer that does not fit the specification.
    Malformed { field: String, detail: String },
    /// A date that is not `YYYYMMDD`.
    BadDate { input: String },
    /// A date with no announcement possible: before 20210107 or after tomorrow.
    DateOutOfRange { date: NaiveDate, last: NaiveDate },
}

impl ClientError {
    /// The machine-readable kind, as JavaScript sees it in `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::NotFound(_) => "not_found",
            ClientError::Api { .. } => "api_error",
            ClientError::Http { .. } => "http_error",
            ClientError::Network { .. } => "network",
            ClientError::Timeout { .. } => "timeout",
            ClientError::Malformed { .. } => "malformed",
            ClientError::BadDate { .. } | ClientError::DateOutOfRange { .. } => "bad_date",
        }
    }

    /// Network failures, timeouts, 429 and 5xx are worth another try.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Network { .. } | ClientError::Timeout { .. } => true,
            ClientError::Http { status, .. } => *status == 429 || (500..=599).contains(status),
            _ => false,
        }
    }

    /// Replaces every occurrence of a secret (the appid) in the error's free text.
    pub fn redact(self, secret: &str) -> ClientError {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: String| s.replace(secret, "***");
        match self {
            ClientError::Network { detail } => ClientError::Network {
                detail: scrub(detail),
            },
            ClientError::Malformed { field, detail } => ClientError::Malformed {
                field: scrub(field),
                detail: scrub(detail),
            },
            ClientError::Api { code, message } => ClientError::Api {
                code,
                message: message.map(scrub),
            },
            other => other,
        }
    }
}

/// Keeps at most `n` characters of text from the service, without control characters.
fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::NotFound(Missing::Code) => f.write_str("不在文化部認可公告清單中"),
            ClientError::NotFound(Missing::Announcement) => f.write_str("該日尚無公告"),
            ClientError::NotFound(Missing::PolicyDate) => {
                f.write_str("公告服務未提供政策施行到期日")
            }
            ClientError::Api { code, message } => match message {
                Some(m) => write!(f, "公告服務回報錯誤（代碼 {code}）：{}", clip(m, 80)),
                None => write!(f, "公告服務回報錯誤（代碼 {code}）"),
            },
            ClientError::Http { status, .. } => write!(f, "公告服務回應錯誤（HTTP {status}）"),
            ClientError::Network { .. } => {
                f.write_str("無法連線至公告服務（網路中斷、服務未啟動或被瀏覽器的跨來源限制擋下）")
            }
            ClientError::Timeout { ms } => {
                write!(f, "公告服務逾時（{} 秒內沒有完整回應）", ms.div_ceil(1000))
            }
            ClientError::Malformed { field, detail } => write!(
                f,
                "公告服務的回應格式有誤（欄位 {}：{}）",
                clip(field, 60),
                clip(detail, 80)
            ),
            ClientError::BadDate { input } => {
                write!(
                    f,
                    "日期「{}」格式有誤，請用 YYYYMMDD（例如 20210301）",
                    clip(input, 20)
                )
            }
            ClientError::DateOutOfRange { date, last } => write!(
                f,
                "{} 沒有公告：可查詢的日期為 2021-01-07 至 {}",
                format_display(*date),
                format_display(*last)
            ),
        }
    }
}

impl std::error::Error for ClientError {}

/// Checks a daily-announcement date before any request: `YYYYMMDD`, from
/// 20210107 to tomorrow (Taipei), since tomorrow's list appears at 21:30 today.
pub fn check_announcement_date(input: &str, today: NaiveDate) -> Result<NaiveDate, ClientError> {
    let date = parse_yyyymmdd(input.trim()).ok_or_else(|| ClientError::BadDate {
        input: input.to_string(),
    })?;
    let first = parse_yyyymmdd(FIRST_ANNOUNCEMENT).expect("a real date");
    let last = today.checked_add_days(Days::new(1)).unwrap_or(today);
    if date < first || date > last {
        return Err(ClientError::DateOutOfRange { date, last });
    }
    Ok(date)
}

/// A parsed response body that the typed readers can look into.
pub trait Body {
    fn read<T: DeserializeOwned>(&self) -> Result<T, SchemaError>;
}

/// Turns an HTTP answer into a typed value or a typed error.
///
/// `body` is the body parsed as JSON, or the parser's complaint.
pub fn read_response<T: DeserializeOwned, B: Body>(
    endpoint: &Endpoint,
    status: u16,
    retry_after_ms: Option<u64>,
    body: Result<B, String>,
) -> Result<T, ClientError> {
    read_body(&check_response(endpoint, status, retry_after_ms, body)?)
}

/// Checks an HTTP answer's status, JSON and result code; the body is read by [`read_body`].
///
/// Kept apart from the typed reading so that the fetching and retrying code
/// exists once in the wasm, not once per response type.
pub fn check_response<B: Body>(
    endpoint: &Endpoint,
    status: u16,
    retry_after_ms: Option<u64>,
    body: Result<B, String>,
) -> Result<B, ClientError> {
    if status == 404 {
        return Err(ClientError::NotFound(endpoint.missing()));
    }
    let ok_status = (200..300).contains(&status);
    let http = ClientError::Http {
        status,
        retry_after_ms,
    };
    // 429 and 5xx are retried whatever their body says.
    if status == 429 || status >= 500 {
        return Err(http);
    }
    let body = match body {
        Ok(b) => b,
        Err(_) if !ok_status => return Err(http),
        Err(detail) => {
            return Err(ClientError::Malformed {
                field: "(body)".to_string(),
                detail: format!("不是 JSON：{detail}"),
            });
        }
    };
    let envelope: Envelope = match body.read() {
        Ok(e) => e,
        Err(_) if !ok_status => return Err(http),
        Err(e) => {
            return Err(ClientError::Malformed {
                field: e.field,
                detail: e.detail,
            });
        }
    };
    if envelope.code != 0 {
        return Err(ClientError::Api {
            code: envelope.code,
            message: envelope.message,
        });
    }
    if !ok_status {
        return Err(http);
    }
    Ok(body)
}

/// Reads a checked body as its response type.
pub fn read_body<T: DeserializeOwned, B: Body>(body: &B) -> Result<T, ClientError> {
    body.read().map_err(|e| ClientError::Malformed {
        field: e.field,
        detail: e.detail,
    })
}

/// How long to wait before retry number `retry` (0 for the first retry), or `None` to stop.
///
/// Exponential backoff from 300 ms, capped at 5 s, with jitter (`random` in 0..1)
/// spreading each wait over its upper half; a `Retry-After` of up to 10 s is
/// honoured as the least wait, and a longer one ends the retries (a clerk
/// cannot wait minutes at the till).
pub fn retry_delay_ms(
    error: &ClientError,
    retry: u32,
    max_retries: u32,
    random: f64,
) -> Option<u64> {
    const BASE_MS: u64 = 300;
    const CAP_MS: u64 = 5_000;
    const MAX_RETRY_AFTER_MS: u64 = 10_000;
    if retry >= max_retries || !error.is_retryable() {
        return None;
    }
    let ceiling = (BASE_MS << retry.min(16)).min(CAP_MS);
    let random = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let backoff = ceiling / 2 + (ceiling as f64 / 2.0 * random) as u64;
    match error {
        ClientError::Http {
            retry_after_ms: Some(ms),
            ..
        } if *ms > MAX_RETRY_AFTER_MS => None,
        ClientError::Http {
            retry_after_ms: Some(ms),
            ..
        } => Some(backoff.max(*ms)),
        _ => Some(backoff),
    }
}

/// Reads a `Retry-After` header's delay-seconds form; the HTTP-date form is
/// left to `http_date`, which gives the wait in ms (the browser's `Date.parse`
/// in the wasm client, keeping a date parser out of the page).
pub fn parse_retry_after(value: &str, http_date: impl FnOnce(&str) -> Option<u64>) -> Option<u64> {
    let value = value.trim();
    match value.parse::<u64>() {
        Ok(secs) => Some(secs.saturating_mul(1000)),
        Err(_) if value.bytes().all(|b| b.is_ascii_digit() || b == b'-') => None,
        Err(_) => http_date(value),
    }
}

/// A device clock this far from the service's is worth telling the clerk about.
pub const NOTABLE_SKEW_MS: f64 = 120_000.0;

/// How far the service's clock (its `Date` header, Unix ms) is ahead of the
/// device's, or `None` when the header is implausible: no real answer can come
/// from before the first announcement day (2021-01-07 Taipei).
///
/// A till PC with a flat clock battery can be years off; "now" is then taken
/// from the service, so an approval revoked since is not shown as exempt.
///
/// ```
/// use booktax::service::clock_skew_ms;
/// assert_eq!(clock_skew_ms(1_800_000_000_000.0, 1_799_999_000_000.0), Some(1_000_000.0));
/// assert_eq!(clock_skew_ms(0.0, 1_799_999_000_000.0), None);
/// assert_eq!(clock_skew_ms(f64::NAN, 1.0), None);
/// ```
pub fn clock_skew_ms(server_ms: f64, device_ms: f64) -> Option<f64> {
    const FIRST_ANNOUNCEMENT_MS: f64 = 1_609_948_800_000.0; // 2021-01-07T00:00:00+08:00
    (server_ms.is_finite() && device_ms.is_finite() && server_ms >= FIRST_ANNOUNCEMENT_MS)
        .then_some(server_ms - device_ms)
}

/// The record a lookup found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Found {
    Isbn(Isbn),
    Ean(Ean),
}

/// A decision for a book or for a boxed set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnyDecision {
    Isbn(Decision),
    Ean(EanDecision),
}

/// An error as JavaScript sees it: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    pub code: &'static str,
    pub message: String,
}

impl From<&ClientError> for ErrorView {
    fn from(e: &ClientError) -> Self {
        ErrorView {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// The answer to "may I sell this code tax-free right now?", as `lookup()` returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lookup {
    pub code: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addon: Option<String>,
    pub record: Option<Found>,
    pub decision: AnyDecision,
    pub policy_expiry_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorView>,
    /// How far the device clock is behind the service's (negative: ahead), when notable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew_seconds: Option<i64>,
}

impl Lookup {
    /// Combines what the service said about the policy and the record into one answer.
    ///
    /// `decide` is called only when a record was found; a code the service does
    /// not list is taxable; any failure to get an answer is unknown.
    pub fn new(
        code: Code,
        policy: &Result<DateField, ClientError>,
        record: Result<Found, ClientError>,
        decide: impl FnOnce(&Found, Option<&str>) -> AnyDecision,
    ) -> Lookup {
        let policy_text = match policy {
            Ok(DateField::Date(d)) => Some(format_yyyymmdd(*d)),
            Ok(DateField::Invalid(s)) => Some(s.clone()),
            _ => None,
        };
        // The record must be the one asked for: a wrong book's approval is no approval.
        let record = record.and_then(|found| {
            let (field, served) = match &found {
                Found::Isbn(i) => ("data.isbn", i.isbn.as_str()),
                Found::Ean(e) => ("data.ean", e.ean.as_str()),
            };
            if served == code.code {
                Ok(found)
            } else {
                Err(ClientError::Malformed {
                    field: field.to_string(),
                    detail: format!("回傳「{}」而非查詢的 {}", clip(served, 20), code.code),
                })
            }
        });
        let (record, decision, record_error) = match record {
            Ok(found) => {
                let decision = decide(&found, policy_text.as_deref());
                (Some(found), decision, None)
            }
            Err(ClientError::NotFound(_)) => {
                (None, AnyDecision::Isbn(Decision::not_listed()), None)
            }
            Err(e) => {
                let d = Decision::unknown(Reason::LookupFailed, &e);
                (None, AnyDecision::Isbn(d), Some(ErrorView::from(&e)))
            }
        };
        // A policy failure matters only when it left the verdict unknown.
        let error = record_error.or_else(|| match (policy, &decision) {
            (Err(e), AnyDecision::Isbn(d) | AnyDecision::Ean(EanDecision { decision: d, .. }))
                if d.reason == Reason::PolicyUnknown =>
            {
                Some(ErrorView::from(e))
            }
            _ => None,
        });
        Lookup {
            kind: code.kind.as_str(),
            code: code.code,
            addon: code.addon,
            record,
            decision,
            policy_expiry_date: policy_text,
            error,
            clock_skew_seconds: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{DailyResponse, IsbnResponse, PolicyExpiryDateResponse, read_schema};
    use crate::code::read_code;
    use crate::decision::{Checkout, UNKNOWN_ADVICE, Verdict, decide_isbn};

    struct Json(serde_json::Value);

    impl Body for Json {
        fn read<T: DeserializeOwned>(&self) -> Result<T, SchemaError> {
            read_schema(self.0.clone())
        }
    }

    fn body(s: &str) -> Result<Json, String> {
        serde_json::from_str(s).map(Json).map_err(|e| e.to_string())
    }

    fn isbn_endpoint() -> Endpoint {
        Endpoint::Isbn("9789576780004".into())
    }

    fn date(s: &str) -> NaiveDate {
        parse_yyyymmdd(s).unwrap()
    }

    #[test]
    fn urls() {
        let base = "http://127.0.0.1:8080";
        let cases = [
            (
                Endpoint::PolicyExpiryDate,
                "/v1/announcement/policy_expiry_date",
            ),
            (Endpoint::Today, "/v1/announcement/today"),
            (
                Endpoint::Daily(date("20210301")),
                "/v1/announcement/20210301",
            ),
            (
                Endpoint::Ean("8667106506069".into()),
                "/v1/announcement/ean/8667106506069",
            ),
        ];
        for (endpoint, path) in cases {
            assert_eq!(
                endpoint_url(base, &endpoint, "12345"),
                format!("{base}{path}?appid=12345")
            );
        }
        assert_eq!(
            endpoint_url("https://x.example/api//", &Endpoint::Today, "a&b=c/é"),
            "https://x.example/api/v1/announcement/today?appid=a%26b%3Dc%2F%C3%A9"
        );
    }

    #[test]
    fn responses_become_values_or_typed_errors() {
        let ok: PolicyExpiryDateResponse = read_response(
            &Endpoint::PolicyExpiryDate,
            200,
            None,
            body(r#"{"code":0,"policy_expiry_date":"20260228"}"#),
        )
        .unwrap();
        assert_eq!(ok.policy_expiry_date, DateField::parse("20260228"));

        let e =
            read_response::<IsbnResponse, _>(&isbn_endpoint(), 404, None, body("")).unwrap_err();
        assert_eq!(e, ClientError::NotFound(Missing::Code));
        assert_eq!(e.to_string(), "不在文化部認可公告清單中");
        let e =
            read_response::<DailyResponse, _>(&Endpoint::Today, 404, None, body("")).unwrap_err();
        assert_eq!(e.to_string(), "該日尚無公告");

        let e = read_response::<IsbnResponse, _>(
            &isbn_endpoint(),
            200,
            None,
            body(r#"{"code":1001,"message":"查詢次數超過上限"}"#),
        )
        .unwrap_err();
        assert_eq!(e.code(), "api_error");
        assert!(e.to_string().contains("查詢次數超過上限") && e.to_string().contains("1001"));

        // A non-2xx answer with the service's own error body keeps its message.
        let e = read_response::<IsbnResponse, _>(
            &isbn_endpoint(),
            401,
            None,
            body(r#"{"code":401,"message":"appid 錯誤"}"#),
        )
        .unwrap_err();
        assert_eq!(e.code(), "api_error");

        let e = read_response::<IsbnResponse, _>(&isbn_endpoint(), 503, Some(1000), body("<html>"))
            .unwrap_err();
        assert_eq!(
            e,
            ClientError::Http {
                status: 503,
                retry_after_ms: Some(1000)
            }
        );
        let e = read_response::<IsbnResponse, _>(&isbn_endpoint(), 403, None, body("<html>"))
            .unwrap_err();
        assert_eq!(e.code(), "http_error");
        assert!(!e.is_retryable());

        let e = read_response::<IsbnResponse, _>(&isbn_endpoint(), 200, None, body("<html>"))
            .unwrap_err();
        assert!(
            matches!(&e, ClientError::Malformed { field, .. } if field == "(body)"),
            "{e:?}"
        );
        let e = read_response::<IsbnResponse, _>(
            &isbn_endpoint(),
            200,
            None,
            body(r#"{"code":0,"data":"x"}"#),
        )
        .unwrap_err();
        assert!(
            matches!(&e, ClientError::Malformed { field, .. } if field == "data"),
            "{e:?}"
        );
        assert!(e.to_string().contains("data"));
        let e = read_response::<IsbnResponse, _>(
            &isbn_endpoint(),
            200,
            None,
            body(r#"{"code":"zero"}"#),
        )
        .unwrap_err();
        assert!(
            matches!(&e, ClientError::Malformed { field, .. } if field == "code"),
            "{e:?}"
        );
    }

    #[test]
    fn retry_policy() {
        let net = ClientError::Network { detail: "x".into() };
        let http = |status, retry_after_ms| ClientError::Http {
            status,
            retry_after_ms,
        };
        assert!(net.is_retryable());
        assert!(ClientError::Timeout { ms: 1 }.is_retryable());
        assert!(
            http(429, None).is_retryable()
                && http(500, None).is_retryable()
                && http(599, None).is_retryable()
        );
        assert!(!http(400, None).is_retryable() && !http(404, None).is_retryable());
        assert!(!ClientError::NotFound(Missing::Code).is_retryable());
        assert!(
            !ClientError::Malformed {
                field: "a".into(),
                detail: "b".into()
            }
            .is_retryable()
        );

        // Exponential, jittered within the upper half, capped, at most three retries.
        assert_eq!(retry_delay_ms(&net, 0, 3, 0.0), Some(150));
        assert_eq!(retry_delay_ms(&net, 0, 3, 1.0), Some(300));
        assert_eq!(retry_delay_ms(&net, 1, 3, 1.0), Some(600));
        assert_eq!(retry_delay_ms(&net, 2, 3, 1.0), Some(1200));
        assert_eq!(retry_delay_ms(&net, 3, 3, 1.0), None);
        assert_eq!(retry_delay_ms(&net, 10, 20, 1.0), Some(5000));
        assert_eq!(retry_delay_ms(&net, 0, 3, f64::NAN), Some(225));
        assert_eq!(retry_delay_ms(&net, 0, 0, 0.5), None);
        // Retry-After is the least wait; a long one stops the retries.
        assert_eq!(
            retry_delay_ms(&http(503, Some(2000)), 0, 3, 0.5),
            Some(2000)
        );
        assert_eq!(retry_delay_ms(&http(503, Some(60_000)), 0, 3, 0.5), None);
        assert_eq!(retry_delay_ms(&http(403, None), 0, 3, 0.5), None);
    }

    #[test]
    fn retry_after_header() {
        let no_date = |_: &str| -> Option<u64> { panic!("not a date") };
        assert_eq!(parse_retry_after("2", no_date), Some(2000));
        assert_eq!(parse_retry_after(" 0 ", no_date), Some(0));
        assert_eq!(parse_retry_after("-1", no_date), None);
        let http_date = |s: &str| (s == "Mon, 23 Nov 2026 08:00:05 GMT").then_some(5000);
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 08:00:05 GMT", http_date),
            Some(5000)
        );
        assert_eq!(parse_retry_after("soon", http_date), None);
    }

    #[test]
    fn announcement_dates_are_checked_before_asking() {
        let today = date("20261123");
        assert_eq!(
            check_announcement_date("20210107", today),
            Ok(date("20210107"))
        );
        assert_eq!(
            check_announcement_date("20261124", today),
            Ok(date("20261124"))
        );
        assert_eq!(
            check_announcement_date("20210106", today)
                .unwrap_err()
                .code(),
            "bad_date"
        );
        let e = check_announcement_date("20261125", today).unwrap_err();
        assert!(matches!(e, ClientError::DateOutOfRange { .. }));
        assert!(e.to_string().contains("2026-11-24"), "{e}");
        assert!(matches!(
            check_announcement_date("2026-11-23", today),
            Err(ClientError::BadDate { .. })
        ));
        assert!(matches!(
            check_announcement_date("20260230", today),
            Err(ClientError::BadDate { .. })
        ));
    }

    #[test]
    fn the_appid_never_reaches_a_message() {
        let e = ClientError::Network {
            detail: "GET https://x/v1?appid=SECRET-1 failed".into(),
        }
        .redact("SECRET-1");
        assert!(!format!("{e:?}{e}").contains("SECRET-1"));
        let e = ClientError::Api {
            code: 1,
            message: Some("bad appid SECRET-1".into()),
        }
        .redact("SECRET-1");
        assert!(!format!("{e:?}{e}").contains("SECRET-1"));
    }

    #[test]
    fn error_messages_are_zh_tw() {
        let all = [
            ClientError::NotFound(Missing::PolicyDate),
            ClientError::Api {
                code: 3,
                message: None,
            },
            ClientError::Http {
                status: 502,
                retry_after_ms: None,
            },
            ClientError::Network {
                detail: String::new(),
            },
            ClientError::Timeout { ms: 8000 },
            ClientError::Malformed {
                field: "data.isbn".into(),
                detail: "x".into(),
            },
            ClientError::BadDate { input: "x".into() },
        ];
        let texts: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert!(texts[2].contains("502"));
        assert!(texts[4].contains("8 秒"));
        assert!(texts[5].contains("data.isbn"));
        assert!(
            texts
                .iter()
                .all(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        );
    }

    fn approved_book() -> Isbn {
        serde_json::from_str(
            r#"{"isbn":"9789576780004","status":"approved","kind":"實體","approved_effective_date":"20210301"}"#,
        )
        .unwrap()
    }

    fn decide_at(day: &str) -> impl FnOnce(&Found, Option<&str>) -> AnyDecision {
        let day = date(day);
        move |found, policy| match found {
            Found::Isbn(i) => AnyDecision::Isbn(decide_isbn(i, &Checkout::new(policy, day, None))),
            Found::Ean(_) => unreachable!(),
        }
    }

    #[test]
    fn lookups() {
        let code = || read_code("9789576780004").unwrap();
        let policy = Ok(DateField::parse("20310228"));
        let found = Lookup::new(
            code(),
            &policy,
            Ok(Found::Isbn(approved_book())),
            decide_at("20261123"),
        );
        let AnyDecision::Isbn(d) = &found.decision else {
            panic!()
        };
        assert_eq!(d.verdict, Verdict::Exempt);
        assert_eq!(found.policy_expiry_date.as_deref(), Some("20310228"));
        assert_eq!(found.error, None);

        let missing = Lookup::new(
            code(),
            &policy,
            Err(ClientError::NotFound(Missing::Code)),
            decide_at("20261123"),
        );
        let AnyDecision::Isbn(d) = &missing.decision else {
            panic!()
        };
        assert_eq!((d.verdict, d.reason), (Verdict::Taxable, Reason::NotListed));

        let down = Lookup::new(
            code(),
            &policy,
            Err(ClientError::Timeout { ms: 8000 }),
            decide_at("20261123"),
        );
        let AnyDecision::Isbn(d) = &down.decision else {
            panic!()
        };
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Unknown, Reason::LookupFailed)
        );
        assert!(d.message.contains("逾時") && d.message.contains(UNKNOWN_ADVICE));
        assert_eq!(down.error.as_ref().map(|e| e.code), Some("timeout"));

        let no_policy = Err(ClientError::Network {
            detail: String::new(),
        });
        let blind = Lookup::new(
            code(),
            &no_policy,
            Ok(Found::Isbn(approved_book())),
            decide_at("20261123"),
        );
        let AnyDecision::Isbn(d) = &blind.decision else {
            panic!()
        };
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Unknown, Reason::PolicyUnknown)
        );
        assert_eq!(blind.error.as_ref().map(|e| e.code), Some("network"));
        assert_eq!(blind.policy_expiry_date, None);

        // A record for another code than the one asked for is not trusted.
        let mut other = approved_book();
        other.isbn = "9789860477221".into();
        let wrong = Lookup::new(
            code(),
            &policy,
            Ok(Found::Isbn(other)),
            decide_at("20261123"),
        );
        let AnyDecision::Isbn(d) = &wrong.decision else {
            panic!()
        };
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Unknown, Reason::LookupFailed)
        );
        assert!(d.message.contains("9789860477221"), "{}", d.message);
        assert_eq!(wrong.record, None);
        assert_eq!(wrong.error.as_ref().map(|e| e.code), Some("malformed"));
        let mut blank = approved_book();
        blank.isbn = String::new();
        let unnamed = Lookup::new(
            code(),
            &policy,
            Ok(Found::Isbn(blank)),
            decide_at("20261123"),
        );
        let AnyDecision::Isbn(d) = &unnamed.decision else {
            panic!()
        };
        assert_eq!(d.verdict, Verdict::Unknown);

        let v = serde_json::to_value(&found).unwrap();
        assert_eq!(v["kind"], "isbn");
        assert_eq!(v["policyExpiryDate"], "20310228");
        assert_eq!(v["decision"]["verdict"], "exempt");
        assert_eq!(v["decision"]["exemptFrom"], "20210301");
        assert_eq!(v["record"]["approved_effective_date"], "20210301");
        assert!(v.get("error").is_none() && v.get("addon").is_none());
    }
}
