//! The specification's five endpoints, their URLs, and which announcement dates can be asked for.
//!
//! ```
//! use booktax::core::lookup::endpoint::{Endpoint, endpoint_url};
//!
//! let url = endpoint_url("https://tax.moc.gov.tw/book-api/", &Endpoint::Isbn("9789576780004".into()), "my app");
//! assert_eq!(url, "https://tax.moc.gov.tw/book-api/v1/announcement/isbn/9789576780004?appid=my%20app");
//! // An empty base URL asks the page's own origin; an empty appid is left to a proxy.
//! assert_eq!(endpoint_url("", &Endpoint::PolicyExpiryDate, ""), "/v1/announcement/policy_expiry_date");
//! ```

use crate::core::lookup::error::{LookupError, Missing};
use crate::core::schema::FIRST_ANNOUNCEMENT;
use crate::core::taipei::{format_yyyymmdd, parse_yyyymmdd};
use chrono::{Days, NaiveDate};

/// The five endpoints of the specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /v1/announcement/policy_expiry_date`.
    PolicyExpiryDate,
    /// `GET /v1/announcement/today`.
    Today,
    /// `GET /v1/announcement/{YYYYMMDD}`.
    Daily(NaiveDate),
    /// `GET /v1/announcement/isbn/{isbn13}`.
    Isbn(String),
    /// `GET /v1/announcement/ean/{ean13}`.
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

    /// What a 404 from this endpoint means.
    pub fn missing(&self) -> Missing {
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

/// Checks a daily-announcement date before any request: `YYYYMMDD`, from
/// 20210107 to tomorrow (Taipei), since tomorrow's list appears at 21:30 today.
///
/// # Errors
///
/// [`LookupError::BadDate`] for anything but `YYYYMMDD`, and
/// [`LookupError::DateOutOfRange`] for a day with no announcement possible.
pub fn check_announcement_date(input: &str, today: NaiveDate) -> Result<NaiveDate, LookupError> {
    let date = parse_yyyymmdd(input.trim()).ok_or_else(|| LookupError::BadDate {
        input: input.to_string(),
    })?;
    let last = today.checked_add_days(Days::new(1)).unwrap_or(today);
    if date < FIRST_ANNOUNCEMENT || date > last {
        return Err(LookupError::DateOutOfRange { date, last });
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(matches!(e, LookupError::DateOutOfRange { .. }));
        assert!(e.to_string().contains("2026-11-24"), "{e}");
        assert!(matches!(
            check_announcement_date("2026-11-23", today),
            Err(LookupError::BadDate { .. })
        ));
        assert!(matches!(
            check_announcement_date("20260230", today),
            Err(LookupError::BadDate { .. })
        ));
    }
}
