//! Dates in Taiwan time: the API's `YYYYMMDD` dates and checkout moments read as Asia/Taipei calendar days.
//!
//! Taiwan keeps UTC+08:00 all year and has had no daylight saving since 1979,
//! so a fixed offset is exact for every date this tool meets.
//!
//! ```
//! use booktax::core::taipei::{parse_moment, parse_yyyymmdd};
//!
//! // 16:00 UTC is already the next day in Taipei.
//! let d = parse_moment("2026-02-28T16:00:00Z").unwrap();
//! assert_eq!(d, parse_yyyymmdd("20260301").unwrap());
//! // February 30th is no date at all.
//! assert!(parse_yyyymmdd("20210230").is_none());
//! ```

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, Timelike};
use std::fmt;

/// Seconds east of UTC for Asia/Taipei.
pub const TAIPEI_OFFSET_SECS: i32 = 8 * 3600;

/// Asia/Taipei as a fixed offset.
pub fn taipei() -> FixedOffset {
    FixedOffset::east_opt(TAIPEI_OFFSET_SECS).expect("UTC+08:00 is a valid offset")
}

/// Reads an API date: exactly eight ASCII digits forming a real calendar date.
pub fn parse_yyyymmdd(s: &str) -> Option<NaiveDate> {
    let digits: &[u8; 8] = s.as_bytes().try_into().ok()?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Read digit by digit: slicing the text and `str::parse` would bring core's formatted slicing
    // panic (and its character escaping) into the wasm for digits already checked.
    let number = |from: usize, to: usize| {
        digits[from..to]
            .iter()
            .fold(0, |n, d| n * 10 + u32::from(d - b'0'))
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(number(0, 4)).ok()?,
        number(4, 6),
        number(6, 8),
    )
}

/// Writes a date the API's way, `YYYYMMDD`.
pub fn format_yyyymmdd(d: NaiveDate) -> String {
    let mut text = String::with_capacity(8);
    // Writing to a `String` does not fail.
    let _ = write_date(&mut text, d, "");
    text
}

/// Writes `value` in decimal, zero-padded to `width` characters with its sign, as `{:0width$}`
/// does, for the widths of a date's and a time's fields (at most 4). Digit by digit, from a buffer
/// on the stack: core's formatting took about 0.05 s of the dates and times a batch of 100,000
/// lines writes (chrono's strftime machinery would double the wasm's date code).
fn write_padded(out: &mut impl fmt::Write, value: i64, width: usize) -> fmt::Result {
    debug_assert!(width <= 4, "write_padded pads to at most 4 characters");
    // A sign, up to 19 digits, and zeros up to a width of at most 4.
    let mut text = [b'0'; 24];
    let mut start = text.len();
    let mut rest = value.unsigned_abs();
    for digit in text.iter_mut().rev() {
        // `rest % 10` is below 10: the cast keeps it whole.
        *digit = b'0' + (rest % 10) as u8;
        start -= 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // The zeros before the digits are the buffer's own.
    let sign = usize::from(value < 0);
    start = start.min(text.len().saturating_sub(width.saturating_sub(sign)));
    if value < 0 {
        start = start.saturating_sub(1);
        if let Some(first) = text.get_mut(start) {
            *first = b'-';
        }
    }
    let written = text.get(start..).unwrap_or_default();
    out.write_str(std::str::from_utf8(written).map_err(|_| fmt::Error)?)
}

/// Writes a date's year, month and day with `separator` between them.
fn write_date(out: &mut impl fmt::Write, d: NaiveDate, separator: &str) -> fmt::Result {
    write_padded(out, d.year().into(), 4)?;
    out.write_str(separator)?;
    write_padded(out, d.month().into(), 2)?;
    out.write_str(separator)?;
    write_padded(out, d.day().into(), 2)
}

/// Writes a date for people, `YYYY-MM-DD`.
pub fn format_display(d: NaiveDate) -> String {
    DisplayDay(d).to_string()
}

/// A date for people, `YYYY-MM-DD`, written only when shown (`{}` in a format string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayDay(pub NaiveDate);

impl fmt::Display for DisplayDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_date(f, self.0, "-")
    }
}

/// The day before, or `None` before the calendar's first day.
pub fn day_before(d: NaiveDate) -> Option<NaiveDate> {
    d.checked_sub_days(Days::new(1))
}

/// The Taipei calendar date of a Unix time in milliseconds (as `Date.now()` gives it).
pub fn date_from_unix_millis(millis: f64) -> Option<NaiveDate> {
    if !millis.is_finite() {
        return None;
    }
    let dt = DateTime::from_timestamp_millis(millis as i64)?;
    Some(dt.with_timezone(&taipei()).date_naive())
}

/// The Taipei date and time of a Unix time in milliseconds.
pub fn moment_from_unix_millis(millis: f64) -> Option<chrono::NaiveDateTime> {
    if !millis.is_finite() {
        return None;
    }
    let dt = DateTime::from_timestamp_millis(millis as i64)?;
    Some(dt.with_timezone(&taipei()).naive_local())
}

/// Midnight at the start of a Taipei date, as a Unix time in milliseconds.
pub fn start_of_day_unix_millis(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN)
        .and_local_timezone(taipei())
        .single()
        .map(|dt| dt.timestamp_millis())
        .unwrap_or(i64::MIN)
}

/// A Unix time in milliseconds as Taipei local time, `2026-11-24T07:31:05+08:00`.
///
/// ```
/// use booktax::core::taipei::format_taipei_time;
/// assert_eq!(format_taipei_time(1_795_000_000_000.0).as_deref(), Some("2026-11-18T19:06:40+08:00"));
/// assert_eq!(format_taipei_time(f64::NAN), None);
/// ```
pub fn format_taipei_time(millis: f64) -> Option<String> {
    if !millis.is_finite() {
        return None;
    }
    let t = DateTime::from_timestamp_millis(millis as i64)?.with_timezone(&taipei());
    // Written as `format_yyyymmdd` writes: a batch writes one of these for each code.
    let mut text = String::with_capacity(25);
    let _ = write_date(&mut text, t.date_naive(), "-");
    for (separator, value) in [("T", t.hour()), (":", t.minute()), (":", t.second())] {
        text.push_str(separator);
        let _ = write_padded(&mut text, value.into(), 2);
    }
    // Taipei's offset, as chrono writes it.
    const _: () = assert!(
        TAIPEI_OFFSET_SECS == 8 * 3600,
        "the offset written is +08:00"
    );
    text.push_str("+08:00");
    Some(text)
}

/// Why a checkout moment could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MomentError {
    /// What was given.
    pub input: String,
}

impl MomentError {
    /// What was wrong and what to type instead, in `lang`.
    pub fn describe(&self, lang: crate::core::lang::Lang) -> String {
        let shown: String = self.input.chars().take(40).collect();
        crate::say!(
            lang,
            "無法讀取結帳時間「{}」：請用 2026-03-01、20260301 或 2026-03-01T10:00:00+08:00 的格式",
            "Cannot read the checkout time \"{}\": use 2026-03-01, 20260301 or 2026-03-01T10:00:00+08:00",
            shown
        )
    }
}

impl fmt::Display for MomentError {
    /// The zh-TW text of [`MomentError::describe`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(crate::core::lang::Lang::ZhTw))
    }
}

impl std::error::Error for MomentError {}

/// Reads a checkout moment and returns its Taipei calendar date.
///
/// * `2026-03-01T10:00:00+08:00`, `…Z`, `…-05:00`, `…+0800` (ISO 8601 with an offset): that instant.
/// * `2026-03-01T10:00:00`, `2026-03-01 10:00`, `2026-03-01T10:00:00.123` (no offset): Taipei local time.
/// * `2026-03-01` or `20260301` alone: that Taipei date.
///
/// The reader is written out here rather than taken from chrono's format
/// parser, which would add more to the page than all the rules together.
///
/// # Errors
///
/// A [`MomentError`] for anything that is not one of these forms or not a real time.
pub fn parse_moment(input: &str) -> Result<NaiveDate, MomentError> {
    let s = input.trim();
    let fail = || MomentError {
        input: input.to_string(),
    };
    if let Some(d) = parse_yyyymmdd(s) {
        return Ok(d);
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-')) {
        return Err(fail());
    }
    let date = match (num(0, 4), num(5, 2), num(8, 2)) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(fail)?,
        _ => return Err(fail()),
    };
    if b.len() == 10 {
        return Ok(date);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || !sep(13, b':') {
        return Err(fail());
    }
    let (hour, minute) = (num(11, 2).ok_or_else(fail)?, num(14, 2).ok_or_else(fail)?);
    let mut i = 16;
    let mut second = 0;
    if sep(16, b':') {
        second = num(17, 2).ok_or_else(fail)?;
        i = 19;
        if sep(19, b'.') || sep(19, b',') {
            i = 20;
            let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return Err(fail());
            }
            i += digits;
        }
    }
    // A leap second (:60) is read as the last second of its minute.
    let time = NaiveTime::from_hms_opt(hour, minute, second.min(59)).ok_or_else(fail)?;
    let offset_secs: i32 = match &b[i..] {
        [] => return Ok(date),
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _, b':', _, _] => (num(i + 1, 2), num(i + 4, 2)),
                [_, _, _, _] => (num(i + 1, 2), num(i + 3, 2)),
                [_, _] => (num(i + 1, 2), Some(0)),
                _ => (None, None),
            };
            match (h, m) {
                (Some(h), Some(m)) if h < 24 && m < 60 => {
                    let secs = (h * 3600 + m * 60) as i32;
                    if *sign == b'-' { -secs } else { secs }
                }
                _ => return Err(fail()),
            }
        }
        _ => return Err(fail()),
    };
    let offset = FixedOffset::east_opt(offset_secs).ok_or_else(fail)?;
    let instant = date
        .and_time(time)
        .and_local_timezone(offset)
        .single()
        .ok_or_else(fail)?;
    Ok(instant.with_timezone(&taipei()).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse_yyyymmdd(s).unwrap()
    }

    #[test]
    fn yyyymmdd_must_be_a_real_date() {
        assert_eq!(
            date("20210301"),
            NaiveDate::from_ymd_opt(2021, 3, 1).unwrap()
        );
        assert_eq!(
            date("20240229"),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        for bad in [
            "",
            "null",
            "2021031",
            "202103011",
            "20210230",
            "20230229",
            "20211301",
            "20210001",
            "2021-03-01",
            " 20210301",
            "２０２１０３０１",
            "+2021031",
        ] {
            assert_eq!(parse_yyyymmdd(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn boundary_instants_in_any_offset() {
        let last = date("20260228");
        let next = date("20260301");
        let cases = [
            ("2026-02-28T23:59:59+08:00", last),
            ("2026-03-01T00:00:00+08:00", next),
            ("2026-02-28T15:59:59Z", last),
            ("2026-02-28T16:00:00Z", next),
            ("2026-02-28T15:59:59.999Z", last),
            ("2026-02-28T10:59:59-05:00", last),
            ("2026-02-28T11:00:00-05:00", next),
            ("2026-03-01T01:59:59+10:00", last),
            ("2026-03-01T02:00:00+10:00", next),
            ("2026-02-28 23:59:59", last),
            ("2026-03-01T00:00:00", next),
            ("2026-02-28T23:59", last),
            ("2026-02-28T10:59-05:00", last),
            ("2026-02-28", last),
            ("20260301", next),
            ("2026-02-28t15:59:59z", last),
            ("2026-02-28T17:59:59+0200", last),
            ("2026-02-28T18:00:00+0200", next),
            ("2026-02-28T18:00:00+02", next),
            ("2026-02-28T15:59:59,5Z", last),
            ("2026-02-28T15:59:60Z", last),
        ];
        for (input, want) in cases {
            assert_eq!(parse_moment(input), Ok(want), "{input}");
        }
    }

    #[test]
    fn unreadable_moments() {
        for bad in [
            "",
            "yesterday",
            "2026-02-30",
            "2026-02-28T25:00:00Z",
            "1700000000",
            "2026/02/28",
        ] {
            let e = parse_moment(bad).unwrap_err();
            assert!(e.to_string().contains("無法讀取結帳時間"));
        }
    }

    #[test]
    fn unix_millis_to_taipei_date() {
        // 2026-02-28T15:59:59.999Z and one millisecond later.
        let before = start_of_day_unix_millis(date("20260301")) - 1;
        assert_eq!(date_from_unix_millis(before as f64), Some(date("20260228")));
        assert_eq!(
            date_from_unix_millis((before + 1) as f64),
            Some(date("20260301"))
        );
        assert_eq!(date_from_unix_millis(f64::NAN), None);
        assert_eq!(date_from_unix_millis(f64::INFINITY), None);
    }

    #[test]
    fn formats() {
        assert_eq!(format_yyyymmdd(date("20210301")), "20210301");
        assert_eq!(format_display(date("20210301")), "2021-03-01");
        assert_eq!(day_before(date("20210301")), Some(date("20210228")));
    }

    /// What the digit-by-digit writers replace: core's formatting.
    fn by_format(d: NaiveDate) -> (String, String) {
        let (y, m, day) = (d.year(), d.month(), d.day());
        (
            format!("{y:04}{m:02}{day:02}"),
            format!("{y:04}-{m:02}-{day:02}"),
        )
    }

    #[test]
    fn years_outside_four_digits_are_written_as_core_writes_them() {
        for (y, m, d) in [
            (0, 1, 1),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 12, 31),
            (-262_000, 1, 1),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                (format_yyyymmdd(day), format_display(day)),
                by_format(day),
                "{y}"
            );
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn dates_and_times_are_written_as_core_writes_them(days in -95_000_000i32..95_000_000, millis in -1e15f64..1e15) {
            let day = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            proptest::prop_assert_eq!((format_yyyymmdd(day), format_display(day)), by_format(day));
            let t = DateTime::from_timestamp_millis(millis as i64).unwrap().with_timezone(&taipei());
            let expected = format!("{}T{:02}:{:02}:{:02}{}", by_format(t.date_naive()).1, t.hour(), t.minute(), t.second(), t.offset());
            proptest::prop_assert_eq!(format_taipei_time(millis), Some(expected));
        }
    }
}
