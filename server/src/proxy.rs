//! Proxy mode: forwards the specification's endpoints to the real API with the server's own appid, always answering JSON and never revealing the appid.

use crate::query::percent_encode;
use std::io::Read;
use std::time::Duration;

/// Upstream bodies larger than this are refused (the largest daily list is far smaller).
const MAX_BODY: u64 = 32 * 1024 * 1024;
/// Connecting to the upstream.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole upstream exchange.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The upstream's answer as passed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub retry_after: Option<String>,
    /// The upstream's `Date` and `Age`: clients judge by the ministry's clock.
    pub date: Option<String>,
    pub age: Option<String>,
}

/// Why the upstream gave no usable answer, in words that never contain the URL (and so the appid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable(pub &'static str);

/// Only the specification's five endpoints go upstream: `policy_expiry_date`, `today`,
/// `YYYYMMDD`, `isbn/{13 digits}`, `ean/{13 digits}`.
pub fn forwardable(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/v1/announcement/") else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match rest.split('/').collect::<Vec<_>>().as_slice() {
        ["policy_expiry_date"] | ["today"] => true,
        [date] => digits(date, 8),
        ["isbn" | "ean", code] => digits(code, 13),
        _ => false,
    }
}

/// The upstream URL: base + path and our appid, the only parameter the endpoints take
/// (whatever else the client sent, `APPID=` or `;appid=` included, stays here).
pub fn upstream_url(base: &str, path: &str, appid: &str) -> String {
    format!(
        "{}{path}?appid={}",
        base.trim_end_matches('/'),
        percent_encode(appid)
    )
}

/// Replaces the secret in a body in every form it may take there: as is, percent-encoded,
/// JSON-escaped, and in upper- and lower-case escapes.
pub fn scrub(body: Vec<u8>, secret: &str) -> Vec<u8> {
    if secret.is_empty() {
        return body;
    }
    let Ok(mut text) = String::from_utf8(body.clone()) else {
        return body;
    };
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_string();
    let encoded = percent_encode(secret);
    let forms = [
        secret.to_string(),
        encoded.clone(),
        encoded.to_ascii_lowercase(),
        json.clone(),
        json.replace('/', "\\/"),
    ];
    for form in forms.iter().filter(|f| !f.is_empty()) {
        if text.contains(form.as_str()) {
            text = text.replace(form.as_str(), "***");
        }
    }
    text.into_bytes()
}

/// The upstream client: rustls, connect and total timeouts, no redirects followed.
pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .redirects(0)
        .user_agent("booktax-server")
        .build()
}

/// GETs `url`; any HTTP status is an answer, a transport failure or an oversize body is [`Unreachable`].
pub fn fetch(agent: &ureq::Agent, url: &str) -> Result<Answer, Unreachable> {
    let resp = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => {
            return Err(Unreachable(match t.kind() {
                ureq::ErrorKind::Dns => "dns",
                ureq::ErrorKind::ConnectionFailed => "connection failed",
                ureq::ErrorKind::Io => "io (timeout or reset)",
                ureq::ErrorKind::InvalidUrl => "invalid url",
                _ => "transport error",
            }));
        }
    };
    let status = resp.status();
    let header = |name: &str| resp.header(name).map(str::to_string);
    let content_type = header("content-type").unwrap_or_default();
    let (retry_after, date, age) = (header("retry-after"), header("date"), header("age"));
    let mut body = Vec::new();
    resp.into_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|_| Unreachable("body read failed"))?;
    if body.len() as u64 > MAX_BODY {
        return Err(Unreachable("body too large"));
    }
    Ok(Answer {
        status,
        content_type,
        body,
        retry_after,
        date,
        age,
    })
}

/// `None` when the answer is not JSON (by its type, and by parsing: an HTML error page with a
/// JSON type is not); else its result `code`, if it has one (0: an answer; anything else: the
/// service's own error). The body is parsed once.
pub fn json_result_code(a: &Answer) -> Option<Option<i64>> {
    if !a.content_type.to_ascii_lowercase().contains("json") {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&a.body).ok()?;
    Some(v.get("code").and_then(serde_json::Value::as_i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_upstream_url() {
        let base = "https://tax.moc.gov.tw/book-api/";
        assert_eq!(
            upstream_url(base, "/v1/announcement/today", "s e&c"),
            "https://tax.moc.gov.tw/book-api/v1/announcement/today?appid=s%20e%26c"
        );
    }

    #[test]
    fn only_the_specifications_endpoints() {
        for ok in [
            "/v1/announcement/isbn/9789576780004",
            "/v1/announcement/ean/8667106506069",
            "/v1/announcement/policy_expiry_date",
            "/v1/announcement/today",
            "/v1/announcement/20210301",
        ] {
            assert!(forwardable(ok), "{ok}");
        }
        for bad in [
            "/v1/announcement/../admin",
            "/v1/announcement/a%2F",
            "/v2/x",
            "/v1/announcement/isbn/97895767800",
            "/v1/announcement/isbn/9789576780004/x",
            "/v1/announcement/2021-03-01",
            "/v1/announcement/",
        ] {
            assert!(!forwardable(bad), "{bad}");
        }
    }

    #[test]
    fn scrubs_the_secret_in_every_encoding() {
        let secret = "s3/cret &\"x";
        let body = format!(
            r#"{{"a":"{secret}","b":"{}","c":{},"d":"{}"}}"#,
            percent_encode(secret),
            serde_json::to_string(secret).unwrap(),
            percent_encode(secret).to_ascii_lowercase()
        );
        let out = String::from_utf8(scrub(body.into_bytes(), secret)).unwrap();
        assert!(!out.contains("s3"), "{out}");
        assert_eq!(scrub(vec![0xff, 1], "x"), vec![0xff, 1]);
    }

    #[test]
    fn unreachable_upstream_names_no_url() {
        // Port 9 on loopback (discard) is closed on a test machine.
        let e = fetch(
            &agent(),
            "http://127.0.0.1:9/v1/announcement/today?appid=s3cret",
        )
        .unwrap_err();
        assert!(!e.0.contains("s3cret"));
    }
}
