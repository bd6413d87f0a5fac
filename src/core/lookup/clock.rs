//! Whose clock says "now": the device's, the service's (`Date` plus `Age`), and the Taipei days they fall on.
//!
//! A till PC's clock can be years off (a flat battery), and an answer can come
//! from a cache with an old `Date`. Neither clock alone may make a book exempt:
//! when they fall on different Taipei days, the lookup decides on both and the
//! less favourable verdict stands (see [`crate::core::lookup::answer`]).

use crate::core::schema::FIRST_ANNOUNCEMENT;
use crate::core::taipei::{date_from_unix_millis, format_taipei_time, start_of_day_unix_millis};
use chrono::NaiveDate;

/// A device clock this far from the service's is worth telling the clerk about.
pub const NOTABLE_SKEW_MS: f64 = 120_000.0;

/// The service's time when it answered: its `Date` (Unix ms) plus the `Age`
/// header's seconds, which a cache adds for the time the answer sat in it.
///
/// ```
/// use booktax::core::lookup::clock::service_time_ms;
/// assert_eq!(service_time_ms(1_000_000.0, Some("1209600")), 1_210_600_000.0);
/// assert_eq!(service_time_ms(1_000_000.0, Some("soon")), 1_000_000.0);
/// assert_eq!(service_time_ms(1_000_000.0, None), 1_000_000.0);
/// ```
pub fn service_time_ms(date_ms: f64, age: Option<&str>) -> f64 {
    let age_secs = age.and_then(|a| a.trim().parse::<u32>().ok()).unwrap_or(0);
    date_ms + f64::from(age_secs) * 1000.0
}

/// How far the service's clock (Unix ms) is ahead of the device's, or `None`
/// when the service's is implausible: no real answer can come from before the
/// first announcement day (2021-01-07 Taipei).
///
/// ```
/// use booktax::core::lookup::clock::clock_skew_ms;
/// assert_eq!(clock_skew_ms(1_800_000_000_000.0, 1_799_999_000_000.0), Some(1_000_000.0));
/// assert_eq!(clock_skew_ms(0.0, 1_799_999_000_000.0), None);
/// assert_eq!(clock_skew_ms(f64::NAN, 1.0), None);
/// ```
pub fn clock_skew_ms(server_ms: f64, device_ms: f64) -> Option<f64> {
    let first_ms = start_of_day_unix_millis(FIRST_ANNOUNCEMENT) as f64;
    (server_ms.is_finite() && device_ms.is_finite() && server_ms >= first_ms)
        .then_some(server_ms - device_ms)
}

/// "Now" as the two clocks see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Now {
    /// The device's clock, Unix ms.
    pub device_ms: f64,
    /// How far the service's clock is ahead of the device's, once it has answered.
    pub skew_ms: Option<f64>,
}

impl Now {
    /// The device's time, corrected by the service's clock when it has answered (Unix ms).
    pub fn corrected_ms(&self) -> f64 {
        self.device_ms + self.skew_ms.unwrap_or(0.0)
    }

    /// The Taipei day by the device's clock.
    pub fn device_day(&self) -> NaiveDate {
        date_from_unix_millis(self.device_ms).unwrap_or_default()
    }

    /// The Taipei day by the service's clock, once it has answered.
    pub fn service_day(&self) -> Option<NaiveDate> {
        self.skew_ms
            .and_then(|skew| date_from_unix_millis(self.device_ms + skew))
    }

    /// The Taipei day by the corrected clock.
    pub fn day(&self) -> NaiveDate {
        self.service_day().unwrap_or_else(|| self.device_day())
    }

    /// The corrected Taipei date and time.
    pub fn taipei_moment(&self) -> chrono::NaiveDateTime {
        crate::core::taipei::moment_from_unix_millis(self.corrected_ms()).unwrap_or_default()
    }

    /// The corrected time as Taipei local time, `2026-11-24T07:31:05+08:00`.
    pub fn taipei_time(&self) -> String {
        format_taipei_time(self.corrected_ms()).unwrap_or_default()
    }

    /// `(device day, service day)` when the two clocks put now on different days.
    pub fn disputed_days(&self) -> Option<(NaiveDate, NaiveDate)> {
        let service = self.service_day()?;
        let device = self.device_day();
        (device != service).then_some((device, service))
    }

    /// Every day now may be: one, or two when the clocks disagree.
    pub fn days(&self) -> Vec<NaiveDate> {
        match self.disputed_days() {
            Some((device, service)) => vec![device, service],
            None => vec![self.day()],
        }
    }

    /// The skew in whole seconds when it is worth telling the clerk about.
    pub fn notable_skew_seconds(&self) -> Option<i64> {
        self.skew_ms
            .filter(|s| s.abs() >= NOTABLE_SKEW_MS)
            .map(|s| (s / 1000.0).round() as i64)
    }
}

/// When a sale is judged: a day the caller gave, or now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CheckoutTime {
    /// An explicit checkout day, used as given.
    Day(NaiveDate),
    /// Now, by both clocks.
    Now(Now),
}

impl CheckoutTime {
    /// Every day the sale may fall on.
    pub fn days(&self) -> Vec<NaiveDate> {
        match self {
            CheckoutTime::Day(d) => vec![*d],
            CheckoutTime::Now(now) => now.days(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::taipei::parse_yyyymmdd;

    fn ms(day: &str) -> f64 {
        // Noon in Taipei.
        (start_of_day_unix_millis(parse_yyyymmdd(day).unwrap()) + 12 * 3_600_000) as f64
    }

    #[test]
    fn one_day_when_the_clocks_agree() {
        let now = Now {
            device_ms: ms("20261123"),
            skew_ms: Some(60_000.0),
        };
        assert_eq!(now.days(), vec![parse_yyyymmdd("20261123").unwrap()]);
        assert_eq!(now.disputed_days(), None);
        assert_eq!(now.notable_skew_seconds(), None);
    }

    #[test]
    fn two_days_when_they_do_not() {
        // A device clock 692 days ahead of the service's.
        let device = ms("20261123");
        let service = device - 692.0 * 86_400_000.0;
        let now = Now {
            device_ms: device,
            skew_ms: clock_skew_ms(service, device),
        };
        let d = |s| parse_yyyymmdd(s).unwrap();
        assert_eq!(now.days(), vec![d("20261123"), d("20241231")]);
        assert_eq!(
            now.day(),
            d("20241231"),
            "the corrected clock is the service's"
        );
        assert_eq!(now.notable_skew_seconds(), Some(-692 * 86_400));
        assert!(now.taipei_time().starts_with("2024-12-31T12:00"));
    }

    #[test]
    fn an_old_cached_answer_is_aged() {
        // Device right (2026-03-06); the answer says 2026-02-20 but sat 14 days in a cache.
        let device = ms("20260306");
        let date = ms("20260220");
        let aged = service_time_ms(date, Some("1209600"));
        let now = Now {
            device_ms: device,
            skew_ms: clock_skew_ms(aged, device),
        };
        assert_eq!(now.disputed_days(), None);
        // Without Age the two days differ, and both are judged.
        let now = Now {
            device_ms: device,
            skew_ms: clock_skew_ms(service_time_ms(date, None), device),
        };
        assert_eq!(now.days().len(), 2);
    }

    #[test]
    fn before_any_answer_the_device_decides() {
        let now = Now {
            device_ms: ms("20261123"),
            skew_ms: None,
        };
        assert_eq!(now.days(), vec![parse_yyyymmdd("20261123").unwrap()]);
        assert_eq!(CheckoutTime::Now(now).days().len(), 1);
    }
}
