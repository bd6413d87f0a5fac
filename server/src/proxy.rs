//! Proxy mode: forwards `/v1/announcement/...` to the real API with the server's own appid, never revealing it.

use crate::query::{percent_encode, without_param};
use std::io::Read;
use std::time::Duration;

/// Upstream bodies larger than this are refused (the largest daily list is far smaller).
const MAX_BODY: u64 = 32 * 1024 * 1024;
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The upstream's answer as passed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub retry_after: Option<String>,
}

/// Why the upstream gave no answer, in words that never contain the URL (and so the appid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable(pub &'static str);

/// Only API paths go upstream, and only with plain characters.
pub fn forwardable(path: &str) -> bool {
    path.starts_with("/v1/announcement/")
        && !path.contains("..")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
}

/// The upstream URL: base + path, the client's query without its appid, and ours.
pub fn upstream_url(base: &str, path: &str, query: &str, appid: &str) -> String {
    let rest = without_param(query, "appid");
    let sep = if rest.is_empty() { "" } else { "&" };
    format!(
        "{}{path}?{rest}{sep}appid={}",
        base.trim_end_matches('/'),
        percent_encode(appid)
    )
}

/// Replaces every occurrence of the secret in an error body (success bodies are passed as they are).
pub fn scrub(body: Vec<u8>, secret: &str) -> Vec<u8> {
    if secret.is_empty() {
        return body;
    }
    match String::from_utf8(body) {
        Ok(text) if text.contains(secret) => text.replace(secret, "***").into_bytes(),
        Ok(text) => text.into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(TIMEOUT)
        .user_agent("booktax-server")
        .build()
}

/// GETs `url`; any HTTP status is an answer, a transport failure is [`Unreachable`].
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
    let content_type = resp
        .header("content-type")
        .unwrap_or("application/json; charset=utf-8")
        .to_string();
    let retry_after = resp.header("retry-after").map(str::to_string);
    let mut body = Vec::new();
    resp.into_reader()
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|_| Unreachable("body read failed"))?;
    Ok(Answer {
        status,
        content_type,
        body,
        retry_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_upstream_url() {
        let base = "https://tax.moc.gov.tw/book-api/";
        assert_eq!(
            upstream_url(base, "/v1/announcement/today", "", "s e&c"),
            "https://tax.moc.gov.tw/book-api/v1/announcement/today?appid=s%20e%26c"
        );
        assert_eq!(
            upstream_url(base, "/v1/announcement/today", "appid=mine&x=1", "ours"),
            "https://tax.moc.gov.tw/book-api/v1/announcement/today?x=1&appid=ours"
        );
    }

    #[test]
    fn only_api_paths() {
        assert!(forwardable("/v1/announcement/isbn/9789576780004"));
        assert!(!forwardable("/v1/announcement/../admin"));
        assert!(!forwardable("/v1/announcement/a%2F"));
        assert!(!forwardable("/v2/x"));
    }

    #[test]
    fn scrubs_the_secret() {
        let out = scrub(b"{\"message\":\"bad appid s3cret\"}".to_vec(), "s3cret");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"message\":\"bad appid ***\"}"
        );
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
