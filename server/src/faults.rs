//! Fault injection for tests: per-appid profiles (latency, failures, malformed bodies), hit counts, clock and policy overrides.

use crate::sample::SplitMix64;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

/// At most this many appids are counted, so stray requests cannot grow the map without end.
const MAX_COUNTED: usize = 10_000;

/// How a successful answer is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Malformed {
    /// An HTML error page with status 200.
    NotJson,
    /// Valid JSON cut in half.
    Truncated,
    /// `"code":"zero"` and `data` as a string.
    WrongType,
    /// `data` (or `approved` for a daily list) left out.
    MissingField,
    /// 200 with the service's own error code 1001.
    ApiError,
}

/// A fault profile as posted to `/__admin/faults`; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub appid: String,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub fail_status: Option<u16>,
    #[serde(default)]
    pub fail_count: u64,
    #[serde(default)]
    pub fail_ratio: f64,
    #[serde(default)]
    pub retry_after: Option<String>,
    #[serde(default)]
    pub malformed: Option<Malformed>,
    /// Answers as a cache would, with `Age: age_secs` (tests of a stale `Date`).
    #[serde(default)]
    pub age_secs: Option<u64>,
    /// The share of requests that wait `latency_ms` (absent: all of them).
    #[serde(default)]
    pub slow_ratio: Option<f64>,
    /// Only this day's announcement (`YYYYMMDD`) is `malformed` (truncated unless said).
    #[serde(default)]
    pub malformed_day: Option<String>,
}

impl Profile {
    /// Checks the values a test may get wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.appid.is_empty() {
            return Err("appid 不可為空".into());
        }
        if let Some(s) = self.fail_status
            && !(100..=999).contains(&s)
        {
            return Err(format!("fail_status 不是 HTTP 狀態碼：{s}"));
        }
        if !(0.0..=1.0).contains(&self.fail_ratio)
            || self.slow_ratio.is_some_and(|r| !(0.0..=1.0).contains(&r))
        {
            return Err("fail_ratio 與 slow_ratio 必須介於 0 與 1".into());
        }
        if let Some(day) = &self.malformed_day
            && booktax::core::taipei::parse_yyyymmdd(day).is_none()
        {
            return Err("malformed_day 須為 YYYYMMDD".into());
        }
        if self.latency_ms > 60_000 {
            return Err("latency_ms 最多 60000".into());
        }
        if let Some(r) = &self.retry_after
            && (r.is_empty() || r.chars().any(|c| c.is_control()))
        {
            return Err("retry_after 不是有效的標頭值".into());
        }
        Ok(())
    }

    pub fn status(&self) -> u16 {
        self.fail_status.unwrap_or(503)
    }

    /// Whether the `hit`-th request waits `latency_ms`.
    pub fn slow(&self, hit: u64) -> bool {
        self.latency_ms > 0
            && self
                .slow_ratio
                .is_none_or(|r| SplitMix64(self.seed() ^ hit.rotate_left(17)).unit() < r)
    }

    /// How an answer on `path` is broken, if it is.
    pub fn malformed_on(&self, path: &str, decided: Option<Malformed>) -> Option<Malformed> {
        match &self.malformed_day {
            Some(day) if path == format!("/v1/announcement/{day}") => {
                Some(self.malformed.unwrap_or(Malformed::Truncated))
            }
            Some(_) => None,
            None => decided,
        }
    }

    fn seed(&self) -> u64 {
        self.appid.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
        })
    }
}

/// What to do with one request of a profile, decided before the answer is built.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Answer normally, perhaps malformed.
    Serve(Option<Malformed>),
    /// Answer with this status and optional `Retry-After`.
    Fail {
        status: u16,
        retry_after: Option<String>,
    },
}

/// Decides the `hit`-th request (1-based) of a profile: the first `fail_count`
/// fail, then a deterministic `fail_ratio` share.
pub fn decide(p: &Profile, hit: u64) -> Action {
    let fail = Action::Fail {
        status: p.status(),
        retry_after: p.retry_after.clone(),
    };
    if hit <= p.fail_count {
        return fail;
    }
    if p.fail_ratio > 0.0 && SplitMix64(p.seed() ^ hit).unit() < p.fail_ratio {
        return fail;
    }
    Action::Serve(p.malformed)
}

/// A malformed answer: status, content type and body. `body` is the good JSON answer, if any.
pub fn malform(kind: Malformed, body: Option<&str>) -> Option<(u16, &'static str, String)> {
    const JSON: &str = "application/json; charset=utf-8";
    match kind {
        Malformed::NotJson => Some((
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
             <body><h1>系統維護中</h1><p>請稍後再試。</p></body></html>"
                .to_string(),
        )),
        Malformed::ApiError => Some((
            200,
            JSON,
            r#"{"code":1001,"message":"查詢次數超過上限"}"#.to_string(),
        )),
        Malformed::Truncated => {
            let body = body?;
            let mut cut = body.len() / 2;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            Some((200, JSON, body[..cut].to_string()))
        }
        Malformed::WrongType | Malformed::MissingField => {
            let mut v: serde_json::Value = serde_json::from_str(body?).ok()?;
            let obj = v.as_object_mut()?;
            if kind == Malformed::WrongType {
                obj.insert("code".into(), "zero".into());
                if obj.contains_key("data") {
                    obj.insert("data".into(), "not an object".into());
                }
                if obj.contains_key("approved") {
                    obj.insert("approved".into(), "not an object".into());
                }
            } else if obj.remove("data").is_none() && obj.remove("approved").is_none() {
                obj.remove("policy_expiry_date");
            }
            Some((200, JSON, v.to_string()))
        }
    }
}

/// Everything the admin endpoints change, behind one mutex.
#[derive(Debug, Default)]
pub struct AdminState {
    pub profiles: HashMap<String, Profile>,
    pub hits: HashMap<String, u64>,
    pub policy: Option<NaiveDate>,
}

impl AdminState {
    /// Counts a request for `appid` and returns its number (1-based).
    pub fn hit(&mut self, appid: &str) -> u64 {
        if let Some(n) = self.hits.get_mut(appid) {
            *n += 1;
            return *n;
        }
        if self.hits.len() < MAX_COUNTED {
            self.hits.insert(appid.to_string(), 1);
        }
        1
    }

    pub fn reset(&mut self) {
        *self = AdminState::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(json: &str) -> Profile {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_the_documented_body() {
        let p = profile(
            r#"{"appid":"t-retry-1","latency_ms":0,"fail_status":503,"fail_count":2,
            "fail_ratio":0.0,"retry_after":"1","malformed":null}"#,
        );
        assert_eq!(p.fail_count, 2);
        assert_eq!(p.retry_after.as_deref(), Some("1"));
        assert!(p.validate().is_ok());
        let p = profile(r#"{"appid":"x","malformed":"missing_field"}"#);
        assert_eq!(p.malformed, Some(Malformed::MissingField));
        assert_eq!(p.status(), 503);
        assert!(serde_json::from_str::<Profile>(r#"{"appid":"x","malformed":"odd"}"#).is_err());
        assert!(
            profile(r#"{"appid":"x","fail_ratio":1.5}"#)
                .validate()
                .is_err()
        );
        assert!(profile(r#"{"appid":""}"#).validate().is_err());
    }

    #[test]
    fn fails_first_then_serves() {
        let p = profile(r#"{"appid":"a","fail_count":2,"retry_after":"1"}"#);
        let fail = Action::Fail {
            status: 503,
            retry_after: Some("1".into()),
        };
        assert_eq!(decide(&p, 1), fail);
        assert_eq!(decide(&p, 2), fail);
        assert_eq!(decide(&p, 3), Action::Serve(None));
    }

    #[test]
    fn ratio_is_deterministic_and_roughly_right() {
        let p = profile(r#"{"appid":"r","fail_ratio":0.3,"fail_status":500}"#);
        let fails = (1..=1000)
            .filter(|&h| matches!(decide(&p, h), Action::Fail { .. }))
            .count();
        assert!((200..400).contains(&fails), "{fails}");
        assert_eq!(decide(&p, 17), decide(&p, 17));
        let all = profile(r#"{"appid":"r","fail_ratio":1.0}"#);
        assert!((1..100).all(|h| matches!(decide(&all, h), Action::Fail { .. })));
    }

    #[test]
    fn malformed_bodies() {
        let good = r#"{"code":0,"message":null,"data":{"isbn":"9789576780004"}}"#;
        let (s, ct, body) = malform(Malformed::NotJson, Some(good)).unwrap();
        assert_eq!(s, 200);
        assert!(ct.starts_with("text/html") && body.starts_with("<!DOCTYPE"));
        let (_, _, body) = malform(Malformed::Truncated, Some(good)).unwrap();
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
        assert!(good.starts_with(&body));
        let (_, _, body) = malform(Malformed::WrongType, Some(good)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (v["code"].as_str(), v["data"].is_string()),
            (Some("zero"), true)
        );
        let (_, _, body) = malform(Malformed::MissingField, Some(good)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(v.get("data").is_none() && v["code"] == 0);
        let daily = r#"{"code":0,"approved":{},"revoked":{},"changed":{}}"#;
        let (_, _, body) = malform(Malformed::MissingField, Some(daily)).unwrap();
        assert!(!body.contains("approved") && body.contains("revoked"));
        let (_, _, body) = malform(Malformed::ApiError, None).unwrap();
        assert!(body.contains("1001"));
        assert!(malform(Malformed::Truncated, None).is_none());
        // A multi-byte character at the middle is never split.
        let (_, _, body) = malform(Malformed::Truncated, Some("\"讀讀讀\"")).unwrap();
        assert!(body.len() < 11);
    }

    #[test]
    fn hits_count_and_reset() {
        let mut s = AdminState::default();
        assert_eq!((s.hit("a"), s.hit("a"), s.hit("b")), (1, 2, 1));
        s.reset();
        assert!(s.hits.is_empty());
    }
}
