//! The server's clock: real time, or a fixed instant set through the admin API, read in Taipei time.

pub use booktax::core::taipei::taipei;
use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, Utc};
use std::sync::Mutex;

/// The moment each evening (Taipei) from which the next day's list is published.
pub const PUBLISH_TIME: (u32, u32) = (21, 30);

/// Real time unless a fixed instant is set.
#[derive(Debug, Default)]
pub struct Clock {
    fixed: Mutex<Option<DateTime<FixedOffset>>>,
}

impl Clock {
    /// Now, in Taipei time.
    pub fn now(&self) -> DateTime<FixedOffset> {
        let fixed = *self.fixed.lock().unwrap_or_else(|e| e.into_inner());
        fixed
            .unwrap_or_else(|| Utc::now().fixed_offset())
            .with_timezone(&taipei())
    }

    /// Fixes the clock at `at`, or returns to real time with `None`.
    pub fn set(&self, at: Option<DateTime<FixedOffset>>) {
        *self.fixed.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
}

/// The Taipei calendar date of an instant.
pub fn taipei_date(now: DateTime<FixedOffset>) -> NaiveDate {
    now.with_timezone(&taipei()).date_naive()
}

/// The last day whose list is published at `now`: today, or tomorrow from 21:30 Taipei.
pub fn published_through(now: DateTime<FixedOffset>) -> NaiveDate {
    let local = now.with_timezone(&taipei());
    let today = local.date_naive();
    let cutoff = NaiveTime::from_hms_opt(PUBLISH_TIME.0, PUBLISH_TIME.1, 0).expect("valid time");
    if local.time() >= cutoff {
        today.checked_add_days(Days::new(1)).unwrap_or(today)
    } else {
        today
    }
}

/// Whether `now` is in the evening busy window (Taipei, from the publishing time to midnight),
/// when every till syncs the next day's list and the proxy prefers its cache.
pub fn in_busy_window(now: DateTime<FixedOffset>) -> bool {
    let local = now.with_timezone(&taipei()).time();
    let start = NaiveTime::from_hms_opt(PUBLISH_TIME.0, PUBLISH_TIME.1, 0).expect("valid time");
    local >= start
}

/// The last moment at or before `now` when what "today" and "tomorrow" mean changed:
/// midnight, or the evening publishing time (Unix seconds). A brief cache entry fetched
/// before it no longer answers for today's list or a not-yet-published day.
pub fn last_boundary(now: DateTime<FixedOffset>) -> i64 {
    let local = now.with_timezone(&taipei());
    let publish = NaiveTime::from_hms_opt(PUBLISH_TIME.0, PUBLISH_TIME.1, 0).expect("valid time");
    let time = if local.time() >= publish {
        publish
    } else {
        NaiveTime::MIN
    };
    local
        .date_naive()
        .and_time(time)
        .and_local_timezone(taipei())
        .single()
        .map_or(now.timestamp(), |t| t.timestamp())
}

/// Reads an admin clock value: RFC 3339 with an offset, e.g. `2026-11-23T21:30:00+08:00`.
pub fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use booktax::core::taipei::parse_yyyymmdd;

    #[test]
    fn publishing_starts_at_2130_taipei() {
        let before = parse_instant("2026-11-23T21:29:59+08:00").unwrap();
        let at = parse_instant("2026-11-23T21:30:00+08:00").unwrap();
        assert_eq!(
            published_through(before),
            parse_yyyymmdd("20261123").unwrap()
        );
        assert_eq!(published_through(at), parse_yyyymmdd("20261124").unwrap());
        // 13:30 UTC is 21:30 in Taipei.
        let utc = parse_instant("2026-11-23T13:30:00Z").unwrap();
        assert_eq!(published_through(utc), parse_yyyymmdd("20261124").unwrap());
        let late = parse_instant("2026-11-23T23:59:59+08:00").unwrap();
        assert!(in_busy_window(at) && in_busy_window(late) && !in_busy_window(before));
        assert_eq!(last_boundary(late), at.timestamp());
        assert_eq!(
            last_boundary(before),
            parse_instant("2026-11-23T00:00:00+08:00")
                .unwrap()
                .timestamp()
        );
        assert_eq!(published_through(late), parse_yyyymmdd("20261124").unwrap());
    }

    #[test]
    fn fixed_clock_and_back() {
        let clock = Clock::default();
        let at = parse_instant("2021-03-01T08:00:00Z").unwrap();
        clock.set(Some(at));
        assert_eq!(clock.now(), at);
        assert_eq!(
            taipei_date(clock.now()),
            parse_yyyymmdd("20210301").unwrap()
        );
        clock.set(None);
        assert!(clock.now().timestamp() > at.timestamp());
        assert!(parse_instant("tomorrow").is_none());
    }
}
