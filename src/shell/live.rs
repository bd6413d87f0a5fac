//! The live announcement API as a lookup source: records by code, the policy date fetched once per Taipei day, and the service's clock.

use crate::core::code::{Code, CodeKind};
use crate::core::lookup::answer::Found;
use crate::core::lookup::clock::Now;
use crate::core::lookup::endpoint::Endpoint;
use crate::core::lookup::error::{LookupError, Missing};
use crate::core::lookup::source::{Fetched, Source};
use crate::core::schema::{DateField, EanResponse, IsbnResponse, PolicyExpiryDateResponse};
use crate::shell::fetch::Fetcher;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use web_sys::AbortSignal;

/// The announcement service, as one store's page talks to it.
pub struct Live {
    fetcher: Fetcher,
    /// The policy expiry date, and the days "now" fell on when it was fetched.
    policy: RefCell<Option<(Vec<NaiveDate>, NaiveDate)>>,
}

impl Live {
    /// A live source over a fetcher.
    pub fn new(fetcher: Fetcher) -> Live {
        Live {
            fetcher,
            policy: RefCell::new(None),
        }
    }

    /// Now, by this device's clock and by the service's once it has answered.
    pub fn now(&self) -> Now {
        Now {
            device_ms: js_sys::Date::now(),
            skew_ms: self.fetcher.skew_ms(),
        }
    }

    /// GETs an endpoint and reads its body as `T`.
    ///
    /// # Errors
    ///
    /// Any [`LookupError`] the request or the body gave.
    pub async fn get<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        signal: Option<&AbortSignal>,
    ) -> Result<T, LookupError> {
        let body = self.fetcher.get(endpoint, signal).await?;
        self.fetcher.read(&body)
    }

    /// The policy expiry date as served (fresh, and remembered for today).
    ///
    /// # Errors
    ///
    /// Any [`LookupError`] of the request; [`LookupError::NotFound`] when the
    /// answer has no date and [`LookupError::Malformed`] when it is no date.
    pub async fn policy_expiry_date(
        &self,
        signal: Option<&AbortSignal>,
    ) -> Result<NaiveDate, LookupError> {
        let r: PolicyExpiryDateResponse = self.get(&Endpoint::PolicyExpiryDate, signal).await?;
        match r.policy_expiry_date {
            DateField::Date(d) => {
                *self.policy.borrow_mut() = Some((self.now().days(), d));
                Ok(d)
            }
            DateField::Absent => Err(LookupError::NotFound(Missing::PolicyDate)),
            DateField::Invalid(s) => Err(LookupError::Malformed {
                field: "policy_expiry_date".to_string(),
                detail: format!("不是有效日期：{s}"),
            }),
        }
    }

    /// The policy expiry date remembered for today's day(s), if any.
    pub fn cached_policy(&self) -> Option<NaiveDate> {
        let days = self.now().days();
        match &*self.policy.borrow() {
            Some((fetched_for, p)) if *fetched_for == days => Some(*p),
            _ => None,
        }
    }

    /// The policy expiry date, fetched at most once per Taipei day.
    ///
    /// # Errors
    ///
    /// As [`Live::policy_expiry_date`].
    pub async fn policy_for_today(
        &self,
        signal: Option<&AbortSignal>,
    ) -> Result<NaiveDate, LookupError> {
        match self.cached_policy() {
            Some(p) => Ok(p),
            None => self.policy_expiry_date(signal).await,
        }
    }

    /// This source for one lookup, cancelled by `signal`.
    pub fn with_signal<'a>(&'a self, signal: Option<&'a AbortSignal>) -> LiveLookup<'a> {
        LiveLookup { live: self, signal }
    }
}

/// The live source for one lookup, with the caller's signal.
pub struct LiveLookup<'a> {
    live: &'a Live,
    signal: Option<&'a AbortSignal>,
}

impl Source for LiveLookup<'_> {
    fn name(&self) -> &'static str {
        "live"
    }

    fn now(&self) -> Now {
        self.live.now()
    }

    async fn record(&self, code: &Code) -> Result<Fetched, LookupError> {
        let found = match code.kind {
            CodeKind::Isbn => {
                let r: IsbnResponse = self
                    .live
                    .get(&Endpoint::Isbn(String::from(code.code)), self.signal)
                    .await?;
                Found::Isbn(r.data)
            }
            CodeKind::Ean => {
                let r: EanResponse = self
                    .live
                    .get(&Endpoint::Ean(String::from(code.code)), self.signal)
                    .await?;
                Found::Ean(r.data)
            }
        };
        Ok(Fetched {
            found,
            at_ms: self.live.now().corrected_ms(),
        })
    }

    async fn policy(&self) -> Result<DateField, LookupError> {
        self.live
            .policy_for_today(self.signal)
            .await
            .map(DateField::Date)
    }
}
