//! Assembles one lookup's answer from what a source said: the record, the policy date, the day(s) of sale.
//!
//! A code the service does not list is taxable; any failure to get an answer is
//! unknown; a record for another code than the one asked for is not trusted;
//! when the device's and the service's clocks fall on different days, a code is
//! exempt only when it is exempt on both.

use crate::core::code::{Code, read_code};
use crate::core::lang::Lang;
use crate::core::lookup::clock::CheckoutTime;
use crate::core::lookup::error::{LookupError, clip};
use crate::core::rules::{
    Checkout, Decision, EanDecision, Format, Reason, Verdict, decide_ean, decide_isbn,
};
use crate::core::schema::{DateField, Ean, Isbn};
use crate::core::taipei::format_yyyymmdd;
use chrono::NaiveDate;
use serde::Serialize;

/// The record a lookup found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Found {
    /// A book.
    Isbn(Isbn),
    /// A boxed set.
    Ean(Ean),
}

impl Found {
    /// Whether this is the record for `code`: for a book, any of `isbn`,
    /// `isbn_13` and `isbn_10` read as the same ISBN-13.
    pub fn is_for(&self, code: &Code) -> bool {
        let reads_as = |served: &str| read_code(served).is_ok_and(|c| c.code == code.code);
        match self {
            Found::Isbn(i) => {
                reads_as(&i.isbn)
                    || i.isbn_13.as_deref().is_some_and(reads_as)
                    || i.isbn_10.as_deref().is_some_and(reads_as)
            }
            Found::Ean(e) => e.ean == code.code,
        }
    }

    /// Decides the record for one checkout day.
    pub fn decide(&self, at: &Checkout) -> AnyDecision {
        match self {
            Found::Isbn(isbn) => AnyDecision::Isbn(decide_isbn(isbn, at)),
            Found::Ean(ean) => AnyDecision::Ean(decide_ean(ean, at)),
        }
    }
}

/// A decision for a book or for a boxed set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnyDecision {
    /// A book's.
    Isbn(Decision),
    /// A boxed set's, with each book's.
    Ean(EanDecision),
}

impl AnyDecision {
    /// The decision itself (a boxed set's own, not its books').
    pub fn top(&self) -> &Decision {
        match self {
            AnyDecision::Isbn(d) | AnyDecision::Ean(EanDecision { decision: d, .. }) => d,
        }
    }

    fn map_top(self, f: impl FnOnce(Decision) -> Decision) -> AnyDecision {
        match self {
            AnyDecision::Isbn(d) => AnyDecision::Isbn(f(d)),
            AnyDecision::Ean(EanDecision { decision, items }) => AnyDecision::Ean(EanDecision {
                decision: f(decision),
                items,
            }),
        }
    }
}

/// How bad a verdict is for the shop that relies on it: exempt < unknown < taxable.
fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Exempt => 0,
        Verdict::Unknown => 1,
        Verdict::Taxable => 2,
    }
}

/// Decides a record at a checkout time: on the one day, or, when the clocks
/// disagree, on both days, keeping the less favourable verdict.
pub fn decide_at(
    found: &Found,
    policy: Option<NaiveDate>,
    when: CheckoutTime,
    format: Option<Format>,
    lang: Lang,
) -> AnyDecision {
    let on = |day| found.decide(&Checkout::on_day(policy, day, format).in_lang(lang));
    let (device, service) = match when {
        CheckoutTime::Day(day) => return on(day),
        CheckoutTime::Now(now) => match now.disputed_days() {
            None => return on(now.day()),
            Some(days) => days,
        },
    };
    let (on_device, on_service) = (on(device), on(service));
    let (d, s) = (on_device.top().verdict, on_service.top().verdict);
    if d == s {
        // The clocks do not change the verdict: the service's day speaks.
        return on_service;
    }
    let (worse, judged) = if severity(d) > severity(s) {
        (on_device, device)
    } else {
        (on_service, service)
    };
    worse.map_top(|top| top.disputed(lang, device, service, judged))
}

/// An error as JavaScript sees it: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    /// [`LookupError::code`].
    pub code: &'static str,
    /// The text for the clerk.
    pub message: String,
}

impl ErrorView {
    /// The error's code and its text in `lang`.
    pub fn of(e: &LookupError, lang: Lang) -> ErrorView {
        ErrorView {
            code: e.code(),
            message: e.describe(lang),
        }
    }
}

/// The answer to "may I sell this code tax-free right now?", as `lookup()` returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lookup {
    /// The code asked for, ISBN-13 or EAN-13.
    pub code: String,
    /// `isbn` or `ean`.
    pub kind: &'static str,
    /// A scanner's 2- or 5-digit add-on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addon: Option<String>,
    /// The record as served, when one was found for the code.
    pub record: Option<Found>,
    /// The verdict.
    pub decision: AnyDecision,
    /// The policy expiry date as served (`YYYYMMDD`).
    pub policy_expiry_date: Option<String>,
    /// Why the answer is unknown, when a request failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorView>,
    /// How far the device clock is behind the service's (negative: ahead), when notable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew_seconds: Option<i64>,
    /// Where the record came from: `live` (the announcement service) or `mirror`.
    pub source: &'static str,
    /// When the record was fetched (Taipei time, the corrected clock), if one was.
    pub fetched_at: Option<String>,
    /// The Taipei day the sale was judged on (`YYYYMMDD`): the given day, or today by the corrected clock.
    pub checkout_date: String,
    /// From the mirror: the last announcement day it has applied (`YYYYMMDD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_through: Option<String>,
    /// From the mirror: `current`, `behind` or `stale` (more than two days behind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freshness: Option<&'static str>,
}

/// What a source answered for one code.
pub struct Answers {
    /// The code asked for.
    pub code: Code,
    /// The policy expiry date, or why it is not known.
    pub policy: Result<DateField, LookupError>,
    /// The record, or why there is none.
    pub record: Result<Found, LookupError>,
    /// When the sale is judged.
    pub when: CheckoutTime,
    /// The format sold, when given.
    pub format: Option<Format>,
    /// The language of the answer's text.
    pub lang: Lang,
}

impl Lookup {
    /// Combines what a source said about the policy and the record into one answer.
    pub fn new(answers: Answers, source: &'static str, fetched_at: Option<String>) -> Lookup {
        let Answers {
            code,
            policy,
            record,
            when,
            format,
            lang,
        } = answers;
        let policy_date = match &policy {
            Ok(DateField::Date(d)) => Some(*d),
            _ => None,
        };
        let policy_text = match &policy {
            Ok(DateField::Date(d)) => Some(format_yyyymmdd(*d)),
            Ok(DateField::Invalid(s)) => Some(s.clone()),
            _ => None,
        };
        // The record must be the one asked for: a wrong book's approval is no approval.
        let record = record.and_then(|found| {
            if found.is_for(&code) {
                return Ok(found);
            }
            let (field, served) = match &found {
                Found::Isbn(i) => ("data.isbn", i.isbn.as_str()),
                Found::Ean(e) => ("data.ean", e.ean.as_str()),
            };
            Err(LookupError::Malformed {
                field: field.to_string(),
                detail: crate::say!(
                    lang,
                    "回傳「{}」而非查詢的 {}",
                    "served \"{}\" instead of the {} asked for",
                    clip(served, 20),
                    code.code
                ),
            })
        });
        let (record, decision, fetched_at, record_error) = match record {
            Ok(found) => {
                let decision = decide_at(&found, policy_date, when, format, lang);
                (Some(found), decision, fetched_at, None)
            }
            // "Not listed" only from a service that also answered as the announcement API:
            // a wrong base URL answers 404 to everything, and that proves nothing about the book.
            Err(LookupError::NotFound(_)) if policy.is_ok() => (
                None,
                AnyDecision::Isbn(Decision::not_listed(lang)),
                fetched_at,
                None,
            ),
            Err(LookupError::NotFound(_)) => {
                let d = Decision::unknown(
                    lang,
                    Reason::LookupFailed,
                    lang.pick(
                        "公告服務沒有以公告 API 回應（查無此條碼，也查無政策施行到期日），無法確認是否在清單中",
                        "the service did not answer as the announcement API (neither this code nor the policy expiry date was found), so it cannot be confirmed whether the code is listed",
                    ),
                );
                let error = policy.as_ref().err().map(|e| ErrorView::of(e, lang));
                (None, AnyDecision::Isbn(d), None, error)
            }
            Err(e) => {
                let d = Decision::unknown(lang, Reason::LookupFailed, e.describe(lang));
                (
                    None,
                    AnyDecision::Isbn(d),
                    None,
                    Some(ErrorView::of(&e, lang)),
                )
            }
        };
        // A policy failure matters only when it left the verdict unknown.
        let error = record_error.or_else(|| match &policy {
            Err(e) if decision.top().reason == Reason::PolicyUnknown => {
                Some(ErrorView::of(e, lang))
            }
            _ => None,
        });
        let (checkout_date, clock_skew_seconds) = match when {
            CheckoutTime::Day(d) => (d, None),
            CheckoutTime::Now(now) => (now.day(), now.notable_skew_seconds()),
        };
        Lookup {
            kind: code.kind.as_str(),
            code: String::from(code.code),
            addon: code.addon.map(String::from),
            record,
            decision,
            policy_expiry_date: policy_text,
            error,
            clock_skew_seconds,
            source,
            fetched_at,
            checkout_date: format_yyyymmdd(checkout_date),
            applied_through: None,
            freshness: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lookup::clock::{Now, clock_skew_ms};
    use crate::core::rules::UNKNOWN_ADVICE;
    use crate::core::taipei::{parse_yyyymmdd, start_of_day_unix_millis};

    fn date(s: &str) -> NaiveDate {
        parse_yyyymmdd(s).unwrap()
    }

    fn approved_book() -> Isbn {
        serde_json::from_str(
            r#"{"isbn":"9789576780004","status":"approved","kind":"實體","approved_effective_date":"20210301"}"#,
        )
        .unwrap()
    }

    fn answer(
        policy: Result<DateField, LookupError>,
        record: Result<Found, LookupError>,
        when: CheckoutTime,
    ) -> Lookup {
        let answers = Answers {
            code: read_code("9789576780004").unwrap(),
            policy,
            record,
            when,
            format: None,
            lang: Lang::ZhTw,
        };
        Lookup::new(answers, "live", Some("2026-11-23T10:00:00+08:00".into()))
    }

    fn lookup_on(
        day: &str,
        policy: Result<DateField, LookupError>,
        record: Result<Found, LookupError>,
    ) -> Lookup {
        answer(policy, record, CheckoutTime::Day(date(day)))
    }

    #[test]
    fn lookups() {
        let policy = || Ok(DateField::parse("20310228"));
        let found = lookup_on("20261123", policy(), Ok(Found::Isbn(approved_book())));
        let d = found.decision.top();
        assert_eq!(d.verdict, Verdict::Exempt);
        assert_eq!(found.policy_expiry_date.as_deref(), Some("20310228"));
        assert_eq!(found.error, None);

        let missing = lookup_on(
            "20261123",
            policy(),
            Err(LookupError::NotFound(
                crate::core::lookup::error::Missing::Code,
            )),
        );
        let d = missing.decision.top();
        assert_eq!((d.verdict, d.reason), (Verdict::Taxable, Reason::NotListed));

        // A 404 for the code from a service that gives no policy date either is no API at all.
        let nowhere = lookup_on(
            "20261123",
            Err(LookupError::NotFound(
                crate::core::lookup::error::Missing::PolicyDate,
            )),
            Err(LookupError::NotFound(
                crate::core::lookup::error::Missing::Code,
            )),
        );
        let d = nowhere.decision.top();
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Unknown, Reason::LookupFailed)
        );
        assert!(d.message().contains("公告 API"), "{}", d.message());
        assert_eq!(nowhere.error.as_ref().map(|e| e.code), Some("not_found"));

        let down = lookup_on("20261123", policy(), Err(LookupError::Timeout { ms: 8000 }));
        let d = down.decision.top();
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Unknown, Reason::LookupFailed)
        );
        assert!(d.message().contains("逾時") && d.message().contains(UNKNOWN_ADVICE));
        assert_eq!(down.error.as_ref().map(|e| e.code), Some("timeout"));
        assert_eq!(down.fetched_at, None, "nothing was fetched");

        let no_policy = Err(LookupError::Network {
            detail: String::new(),
        });
        let blind = lookup_on("20261123", no_policy, Ok(Found::Isbn(approved_book())));
        let d = blind.decision.top();
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Unknown, Reason::PolicyUnknown)
        );
        assert_eq!(blind.error.as_ref().map(|e| e.code), Some("network"));
        assert_eq!(blind.policy_expiry_date, None);

        // A record for another code than the one asked for is not trusted.
        let mut other = approved_book();
        other.isbn = "9789860477221".into();
        let wrong = lookup_on("20261123", policy(), Ok(Found::Isbn(other)));
        let d = wrong.decision.top();
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Unknown, Reason::LookupFailed)
        );
        assert!(d.message().contains("9789860477221"), "{}", d.message());
        assert_eq!(wrong.record, None);
        assert_eq!(wrong.error.as_ref().map(|e| e.code), Some("malformed"));
        let mut blank = approved_book();
        blank.isbn = String::new();
        let unnamed = lookup_on("20261123", policy(), Ok(Found::Isbn(blank)));
        assert_eq!(unnamed.decision.top().verdict, Verdict::Unknown);

        let v = serde_json::to_value(&found).unwrap();
        assert_eq!(v["kind"], "isbn");
        assert_eq!(v["policyExpiryDate"], "20310228");
        assert_eq!(v["decision"]["verdict"], "exempt");
        assert_eq!(v["decision"]["exemptFrom"], "20210301");
        assert_eq!(
            v["decision"]["detail"],
            "認可生效 2021-03-01 起，至 2031-02-28 止"
        );
        assert_eq!(v["record"]["approved_effective_date"], "20210301");
        assert_eq!(v["source"], "live");
        assert_eq!(v["fetchedAt"], "2026-11-23T10:00:00+08:00");
        assert_eq!(v["checkoutDate"], "20261123");
        assert!(v.get("error").is_none() && v.get("addon").is_none());
    }

    #[test]
    fn the_live_services_isbn_10_and_isbn_13_fields_name_the_record() {
        let policy = || Ok(DateField::parse("20310228"));
        // `isbn` in ISBN-10 form, `isbn_13` beside it.
        let mut book = approved_book();
        book.isbn = "9576780004".into();
        let found = lookup_on("20261123", policy(), Ok(Found::Isbn(book.clone())));
        assert_eq!(found.decision.top().verdict, Verdict::Exempt);
        book.isbn = "957-678-000-4".into();
        book.isbn_13 = Some("9789576780004".into());
        let found = lookup_on("20261123", policy(), Ok(Found::Isbn(book)));
        assert_eq!(found.decision.top().verdict, Verdict::Exempt);
        // Only `isbn_10` names it.
        let mut book = approved_book();
        book.isbn = String::new();
        book.isbn_10 = Some("9576780004".into());
        let found = lookup_on("20261123", policy(), Ok(Found::Isbn(book)));
        assert_eq!(found.decision.top().verdict, Verdict::Exempt);
        // A neighbouring ISBN-10 is another book.
        let mut book = approved_book();
        book.isbn = "9576780012".into();
        let found = lookup_on("20261123", policy(), Ok(Found::Isbn(book)));
        assert_eq!(found.decision.top().verdict, Verdict::Unknown);
    }

    /// Noon in Taipei on a day, as Unix ms.
    fn noon(day: &str) -> f64 {
        (start_of_day_unix_millis(date(day)) + 12 * 3_600_000) as f64
    }

    fn now(device: &str, service: f64) -> CheckoutTime {
        let device_ms = noon(device);
        CheckoutTime::Now(Now {
            device_ms,
            skew_ms: clock_skew_ms(service, device_ms),
        })
    }

    fn revoked_2025() -> Found {
        let mut book = approved_book();
        book.status = Some(crate::core::schema::IsbnStatus::Revoked);
        book.revoked_effective_date = DateField::parse("20250101");
        Found::Isbn(book)
    }

    #[test]
    fn clocks_that_disagree_never_make_a_book_exempt() {
        let policy = || Ok(DateField::parse("20310228"));
        // Device 692 days ahead: exempt on the service's day, revoked on the device's.
        let device_ahead = answer(
            policy(),
            Ok(revoked_2025()),
            now("20261123", noon("20241231")),
        );
        let d = device_ahead.decision.top();
        assert_eq!(
            (d.verdict, d.reason),
            (Verdict::Taxable, Reason::ClocksDisagree)
        );
        let clocks = d.clocks.as_deref().unwrap();
        assert_eq!(
            (clocks.judged, clocks.reason),
            (date("20261123"), Reason::Revoked)
        );
        assert!(
            d.message().contains("2026-11-23") && d.message().contains("2024-12-31"),
            "{}",
            d.message()
        );
        assert!(device_ahead.clock_skew_seconds.unwrap() < 0);
        assert_eq!(device_ahead.checkout_date, "20241231");

        // Device two years behind: revoked on the service's day.
        let device_behind = answer(
            policy(),
            Ok(revoked_2025()),
            now("20241120", noon("20261120")),
        );
        let d = device_behind.decision.top();
        assert_eq!(d.verdict, Verdict::Taxable);
        assert_eq!(d.clocks.as_deref().unwrap().judged, date("20261120"));

        // The policy ended between the two days: taxable.
        let policy_end = || Ok(DateField::parse("20260228"));
        let stale = answer(
            policy_end(),
            Ok(Found::Isbn(approved_book())),
            now("20260306", noon("20260220")),
        );
        let d = stale.decision.top();
        assert_eq!(d.verdict, Verdict::Taxable);
        assert_eq!(d.clocks.as_deref().unwrap().reason, Reason::PolicyExpired);

        // Exempt on both days: exempt, with nothing disputed.
        let both = answer(
            policy(),
            Ok(Found::Isbn(approved_book())),
            now("20261123", noon("20241231")),
        );
        let d = both.decision.top();
        assert_eq!((d.verdict, d.clocks.is_none()), (Verdict::Exempt, true));

        let v = serde_json::to_value(&device_ahead).unwrap();
        assert_eq!(v["decision"]["reason"], "clocks_disagree");
        assert_eq!(v["decision"]["clocks"]["deviceDate"], "20261123");
        assert_eq!(v["decision"]["clocks"]["serviceDate"], "20241231");
        assert_eq!(v["decision"]["clocks"]["reason"], "revoked");
    }
}
