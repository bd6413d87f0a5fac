//! How patiently to ask: per-attempt timeout, retries, exponential backoff with jitter, `Retry-After`.

use crate::core::lookup::error::LookupError;

/// Per-attempt timeout unless the caller sets one.
pub const DEFAULT_TIMEOUT_MS: u32 = 8_000;

/// Retries after the first attempt unless the caller sets fewer.
pub const MAX_RETRIES: u32 = 3;

/// How long to wait before retry number `retry` (0 for the first retry), or `None` to stop.
///
/// Exponential backoff from 300 ms, capped at 5 s, with jitter (`random` in 0..1)
/// spreading each wait over its upper half; a `Retry-After` of up to 10 s is
/// honoured as the least wait, and a longer one ends the retries (a clerk
/// cannot wait minutes at the till).
pub fn retry_delay_ms(
    error: &LookupError,
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
        LookupError::Http {
            retry_after_ms: Some(ms),
            ..
        } if *ms > MAX_RETRY_AFTER_MS => None,
        LookupError::Http {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_policy() {
        let net = LookupError::Network { detail: "x".into() };
        let http = |status, retry_after_ms| LookupError::Http {
            status,
            retry_after_ms,
        };
        // Exponential, jittered within the upper half, capped, at most three retries.
        assert_eq!(retry_delay_ms(&net, 0, 3, 0.0), Some(150));
        assert_eq!(retry_delay_ms(&net, 0, 3, 1.0), Some(300));
        assert_eq!(retry_delay_ms(&net, 1, 3, 1.0), Some(600));
        assert_eq!(retry_delay_ms(&net, 2, 3, 1.0), Some(1200));
        assert_eq!(retry_delay_ms(&net, 3, 3, 1.0), None);
        assert_eq!(retry_delay_ms(&net, 10, 20, 1.0), Some(5000));
        assert_eq!(retry_delay_ms(&net, 0, 3, f64::NAN), Some(225));
        assert_eq!(retry_delay_ms(&net, 0, 0, 0.5), None);
        assert_eq!(retry_delay_ms(&LookupError::Aborted, 0, 3, 0.5), None);
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
}
