//! When a sync runs and which days it asks for: from the day after the last one applied (or 20210107) to today, or tomorrow once it is out.
//!
//! The service publishes tomorrow's list after 21:30 Taipei, and many units read it
//! between 21:30 and midnight: automatic syncs stay out of that window.
//!
//! ```
//! use booktax::core::mirror::plan::{days_to_sync, published_through};
//! use booktax::core::taipei::parse_yyyymmdd;
//! use chrono::NaiveTime;
//! let d = |s| parse_yyyymmdd(s).unwrap();
//! let evening = NaiveTime::from_hms_opt(21, 45, 0).unwrap();
//! assert_eq!(published_through(d("20261124"), evening), d("20261125"));
//! assert_eq!(days_to_sync(Some(d("20261122")), d("20261124")), vec![d("20261123"), d("20261124")]);
//! ```

use crate::core::schema::FIRST_ANNOUNCEMENT;
use chrono::{NaiveDate, NaiveTime};

/// 21:30 Taipei: tomorrow's list is out, and the service is busy until midnight.
pub const BUSY_FROM: NaiveTime = match NaiveTime::from_hms_opt(21, 30, 0) {
    Some(t) => t,
    None => panic!("21:30 is a time"),
};

/// A mirror this many days behind today is stale, and said to be.
pub const STALE_AFTER_DAYS: i64 = 2;

/// The last day whose list is out at a Taipei day and time: today, or tomorrow from 21:30.
pub fn published_through(today: NaiveDate, time: NaiveTime) -> NaiveDate {
    if time >= BUSY_FROM {
        today.succ_opt().unwrap_or(today)
    } else {
        today
    }
}

/// Whether an automatic sync may run at this Taipei time (not from 21:30 to midnight).
pub fn auto_sync_allowed(time: NaiveTime) -> bool {
    time < BUSY_FROM
}

/// The days a sync asks for, in order: after `applied` (or from the first announcement) through `through`.
pub fn days_to_sync(applied: Option<NaiveDate>, through: NaiveDate) -> Vec<NaiveDate> {
    let first = match applied {
        Some(day) => match day.succ_opt() {
            Some(next) => next,
            None => return Vec::new(),
        },
        None => FIRST_ANNOUNCEMENT,
    };
    first
        .iter_days()
        .take_while(|day| *day <= through)
        .collect()
}

/// How current a mirror is on a Taipei day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Never synced.
    Empty,
    /// Applied through today (or tomorrow, whose list comes out the evening before): a code it
    /// does not hold is not listed.
    Current,
    /// Behind by 1 or 2 days: its records stand, but a missing code is unknown.
    Behind(i64),
    /// Behind by more than [`STALE_AFTER_DAYS`]: nothing is decided from it (a book revoked since
    /// could still read as approved); said plainly beside every answer.
    Stale(i64),
    /// Applied through a day after tomorrow, by this many days: no list can be out yet for it,
    /// so the clock that says today is behind the one the sync ran by. Nothing it holds is
    /// decided on that clock (a flat battery's date would find revoked books still approved).
    Ahead(i64),
}

impl Freshness {
    /// As JavaScript sees it: `empty`, `current`, `behind`, `stale` or `ahead`.
    pub fn as_str(self) -> &'static str {
        match self {
            Freshness::Empty => "empty",
            Freshness::Current => "current",
            Freshness::Behind(_) => "behind",
            Freshness::Stale(_) => "stale",
            Freshness::Ahead(_) => "ahead",
        }
    }

    /// Days behind today, when synced at all (negative: ahead of tomorrow).
    pub fn days_behind(self) -> Option<i64> {
        match self {
            Freshness::Empty => None,
            Freshness::Current => Some(0),
            Freshness::Behind(n) | Freshness::Stale(n) => Some(n),
            Freshness::Ahead(n) => Some(-n),
        }
    }
}

/// Whether a 404 for `day`'s list, asked on `today`, means nothing was published that day. For
/// tomorrow it means only "not yet": its list comes out after 21:30 and may be late, and a
/// mirror that took it as empty would never ask again and lose that day's revocations.
///
/// ```
/// use booktax::core::mirror::plan::nothing_published;
/// use booktax::core::taipei::parse_yyyymmdd;
/// let today = parse_yyyymmdd("20261124").unwrap();
/// assert!(nothing_published(today, today));
/// assert!(!nothing_published(today.succ_opt().unwrap(), today));
/// ```
pub fn nothing_published(day: NaiveDate, today: NaiveDate) -> bool {
    day <= today
}

/// How current a mirror applied through `applied` is on `today`.
pub fn freshness(applied: Option<NaiveDate>, today: NaiveDate) -> Freshness {
    let Some(applied) = applied else {
        return Freshness::Empty;
    };
    match today.signed_duration_since(applied).num_days() {
        n @ ..-1 => Freshness::Ahead(-1 - n),
        -1..=0 => Freshness::Current,
        n @ 1..=STALE_AFTER_DAYS => Freshness::Behind(n),
        n => Freshness::Stale(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::taipei::parse_yyyymmdd;

    fn d(s: &str) -> NaiveDate {
        parse_yyyymmdd(s).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn the_busy_window_and_tomorrows_list() {
        assert_eq!(published_through(d("20261124"), t(21, 29)), d("20261124"));
        assert_eq!(published_through(d("20261124"), t(21, 30)), d("20261125"));
        assert_eq!(published_through(d("20261231"), t(23, 59)), d("20270101"));
        assert!(auto_sync_allowed(t(0, 0)));
        assert!(auto_sync_allowed(t(21, 29)));
        assert!(!auto_sync_allowed(t(21, 30)));
        assert!(!auto_sync_allowed(t(23, 59)));
    }

    #[test]
    fn days_from_the_first_announcement_or_after_the_last_applied() {
        let all = days_to_sync(None, d("20210110"));
        assert_eq!(
            all,
            vec![d("20210107"), d("20210108"), d("20210109"), d("20210110")]
        );
        assert_eq!(days_to_sync(Some(d("20261124")), d("20261124")), vec![]);
        assert_eq!(days_to_sync(Some(d("20261125")), d("20261124")), vec![]);
        assert_eq!(days_to_sync(None, d("20210101")), vec![]);
        assert_eq!(days_to_sync(None, d("20261124")).len(), 2148);
    }

    #[test]
    fn freshness_by_days_behind() {
        let today = d("20261124");
        assert_eq!(freshness(None, today), Freshness::Empty);
        assert_eq!(freshness(Some(d("20261125")), today), Freshness::Current);
        // A day after tomorrow: the clock saying today is behind the sync's.
        assert_eq!(freshness(Some(d("20261126")), today), Freshness::Ahead(1));
        assert_eq!(
            freshness(Some(d("20270311")), d("20240101")),
            Freshness::Ahead(1164)
        );
        assert_eq!(Freshness::Ahead(1).as_str(), "ahead");
        assert_eq!(Freshness::Ahead(3).days_behind(), Some(-3));
        assert_eq!(freshness(Some(today), today), Freshness::Current);
        assert_eq!(freshness(Some(d("20261122")), today), Freshness::Behind(2));
        assert_eq!(freshness(Some(d("20261121")), today), Freshness::Stale(3));
    }
}
