//! One lookup over any source of records: the live API today, the offline mirror next.
//!
//! The page, the embeddable element, the sale list and batch pricing all call
//! [`lookup`]; a source only says how to get a record and the policy date, and
//! which clocks it knows.

use crate::core::code::Code;
use crate::core::lang::Lang;
use crate::core::lookup::answer::{Answers, Found, Lookup};
use crate::core::lookup::clock::{CheckoutTime, Now};
use crate::core::lookup::error::LookupError;
use crate::core::mirror::plan::Freshness;
use crate::core::rules::Format;
use crate::core::schema::DateField;
use crate::core::taipei::{format_taipei_time, format_yyyymmdd};
use chrono::NaiveDate;

/// A record and when it was fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// The record as served.
    pub found: Found,
    /// When it was fetched or stored, Unix ms by the corrected clock.
    pub at_ms: f64,
}

/// Where a lookup takes its records from.
// The wasm is single-threaded: the futures need no `Send` bound, so plain `async fn` is right here.
#[allow(async_fn_in_trait)]
pub trait Source {
    /// The name a result carries in `source`: `live`, `mirror`.
    fn name(&self) -> &'static str;

    /// Now, by the device's clock and the service's once it has answered.
    fn now(&self) -> Now;

    /// The record for a code.
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] when the code is not listed, [`LookupError::Aborted`]
    /// when cancelled, any other [`LookupError`] when no answer could be had.
    async fn record(&self, code: &Code) -> Result<Fetched, LookupError>;

    /// For a mirror: the last day applied and how fresh that is on the checkout's today.
    fn mirrored(&self) -> Option<(Option<NaiveDate>, Freshness)> {
        None
    }

    /// The policy expiry date in force today.
    ///
    /// # Errors
    ///
    /// Any [`LookupError`] when it could not be had.
    async fn policy(&self) -> Result<DateField, LookupError>;
}

/// What a lookup is asked besides the code: the checkout day, the format sold, the language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terms {
    /// The Taipei checkout day; `None`: now, by both clocks.
    pub day: Option<NaiveDate>,
    /// The format sold, when the clerk said.
    pub format: Option<Format>,
    /// The language of the answer's text.
    pub lang: Lang,
}

/// Reads the record for a code from `source` and decides it on the [`Terms`] asked.
///
/// # Errors
///
/// Only [`LookupError::Aborted`]: any other failure is an unknown verdict in the answer.
pub async fn lookup<S: Source>(
    source: &S,
    code: Code,
    terms: Terms,
) -> Result<Lookup, LookupError> {
    let Terms { day, format, lang } = terms;
    // The record first: its answer also sets the service's clock, and so which
    // day's policy date applies.
    let record = source.record(&code).await;
    let policy = match &record {
        Err(LookupError::Aborted) => return Err(LookupError::Aborted),
        // The service is unreachable: asking again only makes the clerk wait.
        Err(e) if e.is_retryable() => Err(e.clone()),
        _ => source.policy().await,
    };
    if policy == Err(LookupError::Aborted) {
        return Err(LookupError::Aborted);
    }
    let when = match day {
        Some(d) => CheckoutTime::Day(d),
        None => CheckoutTime::Now(source.now()),
    };
    let fetched_at = record
        .as_ref()
        .ok()
        .and_then(|f| format_taipei_time(f.at_ms));
    let answers = Answers {
        code,
        policy,
        record: record.map(|f| f.found),
        when,
        format,
        lang,
    };
    let mut answer = Lookup::new(answers, source.name(), fetched_at);
    if let Some((applied, freshness)) = source.mirrored() {
        answer.applied_through = applied.map(format_yyyymmdd);
        answer.freshness = Some(freshness.as_str());
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::code::read_code;
    use crate::core::lookup::error::Missing;
    use crate::core::rules::{Reason, Verdict};
    use crate::core::schema::Isbn;
    use std::cell::Cell;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Runs a future that never waits (the test sources answer at once).
    fn ready<T>(f: impl Future<Output = T>) -> T {
        match pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("a test source never waits"),
        }
    }

    /// A source with one book, counting what it was asked.
    struct OneBook {
        record: Result<Found, LookupError>,
        policy: Result<DateField, LookupError>,
        policy_asked: Cell<u32>,
    }

    impl Source for OneBook {
        fn name(&self) -> &'static str {
            "test"
        }
        fn now(&self) -> Now {
            Now {
                device_ms: 1_795_000_000_000.0,
                skew_ms: None,
            }
        }
        async fn record(&self, _: &Code) -> Result<Fetched, LookupError> {
            self.record.clone().map(|found| Fetched {
                found,
                at_ms: 1_795_000_000_000.0,
            })
        }
        async fn policy(&self) -> Result<DateField, LookupError> {
            self.policy_asked.set(self.policy_asked.get() + 1);
            self.policy.clone()
        }
    }

    fn book() -> Found {
        Found::Isbn(Isbn {
            isbn: "9789576780004".into(),
            status: Some(crate::core::schema::IsbnStatus::Approved),
            approved_effective_date: DateField::parse("20210301"),
            ..Isbn::default()
        })
    }

    fn source(record: Result<Found, LookupError>) -> OneBook {
        OneBook {
            record,
            policy: Ok(DateField::parse("20310228")),
            policy_asked: Cell::new(0),
        }
    }

    fn code() -> Code {
        read_code("9789576780004").unwrap()
    }

    #[test]
    fn a_found_record_is_decided_and_named_by_its_source() {
        let s = source(Ok(book()));
        let r = ready(lookup(&s, code(), Terms::default())).unwrap();
        assert_eq!(r.decision.top().verdict, Verdict::Exempt);
        assert_eq!(r.source, "test");
        assert_eq!(r.fetched_at.as_deref(), Some("2026-11-18T19:06:40+08:00"));
        assert_eq!(r.checkout_date, "20261118");
    }

    #[test]
    fn an_unreachable_service_is_not_asked_again_for_the_policy() {
        let s = source(Err(LookupError::Timeout { ms: 1 }));
        let r = ready(lookup(&s, code(), Terms::default())).unwrap();
        assert_eq!(r.decision.top().reason, Reason::LookupFailed);
        assert_eq!(s.policy_asked.get(), 0);
        let s = source(Err(LookupError::NotFound(Missing::Code)));
        let r = ready(lookup(&s, code(), Terms::default())).unwrap();
        assert_eq!(r.decision.top().reason, Reason::NotListed);
        assert_eq!(s.policy_asked.get(), 1);
    }

    #[test]
    fn a_cancelled_lookup_has_no_answer() {
        let s = source(Err(LookupError::Aborted));
        assert_eq!(
            ready(lookup(&s, code(), Terms::default())).unwrap_err(),
            LookupError::Aborted
        );
        let mut s = source(Ok(book()));
        s.policy = Err(LookupError::Aborted);
        assert_eq!(
            ready(lookup(&s, code(), Terms::default())).unwrap_err(),
            LookupError::Aborted
        );
    }
}
