//! Property tests: the code reader never panics, a list reads line by line as `str::lines` cuts it, ISBN-10 ↔ ISBN-13 round-trips, and unreadable dates never give "exempt".
#![cfg(not(target_arch = "wasm32"))]

use booktax::core::code::{
    CodeKind, ean13_check, isbn10_check, isbn10_to_13, isbn13_to_10, read_code,
};
use booktax::core::code_list::{KIND_NONE, read_lines};
#[cfg(feature = "english")]
use booktax::core::lang::Lang;
#[cfg(feature = "english")]
use booktax::core::lookup::error::clip;
use booktax::core::rules::{Checkout, Format, Verdict, decide_ean, decide_isbn};
use booktax::core::schema::{DateField, Ean, EanStatus, Isbn, IsbnStatus};
use booktax::core::taipei::parse_moment;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

/// Characters a till sees: digits in both widths, X, separators, label letters, colons, and some noise.
fn till_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('0', '9'),
        2 => proptest::char::range('０', '９'),
        1 => prop::sample::select(vec!['X', 'x', 'Ｘ', '-', '－', '‐', ' ', '\u{3000}', '\t', ':', '：', 'I', 'S', 'B', 'N', 'ｉ']),
        1 => any::<char>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_reader_never_panics_on_any_string(s in any::<String>()) {
        let _ = read_code(&s);
    }

    #[test]
    fn the_reader_never_panics_on_till_input(chars in prop::collection::vec(till_char(), 0..30)) {
        let s: String = chars.into_iter().collect();
        if let Ok(code) = read_code(&s) {
            prop_assert_eq!(code.code.len(), 13);
            prop_assert!(code.code.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(ean13_check(&code.code[..12]), code.code.as_bytes()[12] as char);
            let is_book = code.code.starts_with("978") || code.code.starts_with("979");
            prop_assert_eq!(code.kind == CodeKind::Isbn, is_book);
        }
    }

    #[test]
    fn a_list_is_read_line_by_line_as_str_lines_cuts_it(
        lines in prop::collection::vec(prop::collection::vec(till_char(), 0..16), 0..6),
        ends in prop::collection::vec(prop::sample::select(vec!["\n", "\r\n", "\r", "\n\r"]), 6),
    ) {
        let text: String = lines
            .iter()
            .zip(&ends)
            .map(|(line, end)| format!("{}{end}", line.iter().collect::<String>()))
            .collect();
        let list = read_lines(&text);
        prop_assert_eq!(list.kinds.len(), text.lines().count());
        for (i, line) in text.lines().enumerate() {
            let digits = &list.digits[13 * i..13 * i + 13];
            match read_code(line) {
                Ok(code) => prop_assert_eq!(digits, code.code.as_bytes()),
                Err(_) => prop_assert_eq!(list.kinds[i], KIND_NONE),
            }
        }
    }

    #[test]
    fn isbn10_round_trips_through_isbn13(body in "[0-9]{9}") {
        let isbn10 = format!("{body}{}", isbn10_check(&body));
        let read = read_code(&isbn10).unwrap();
        prop_assert_eq!(isbn10_to_13(&isbn10), Some(read.code.to_string()));
        prop_assert_eq!(isbn10_to_13(&isbn10.to_lowercase()), isbn10_to_13(&isbn10));
        prop_assert_eq!(isbn13_to_10(&read.code), Some(isbn10.clone()));
        // Any single wrong check character is caught.
        for wrong in ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'] {
            if wrong != isbn10.as_bytes()[9] as char {
                let bad = format!("{body}{wrong}");
                prop_assert_eq!(read_code(&bad).unwrap_err().code(), "bad_checksum");
            }
        }
    }

    #[test]
    fn isbn13_round_trips_through_isbn10(body in "978[0-9]{9}") {
        let isbn13 = format!("{body}{}", ean13_check(&body));
        let isbn10 = isbn13_to_10(&isbn13).unwrap();
        prop_assert_eq!(read_code(&isbn10).unwrap().code, isbn13.clone());
        let hyphenated = format!("{}-{}-{}", &isbn13[..3], &isbn13[3..8], &isbn13[8..]);
        prop_assert_eq!(read_code(&hyphenated).unwrap().code, isbn13);
    }

    #[test]
    fn one_changed_digit_is_always_caught(body in "[0-9]{12}", at in 0usize..13, delta in 1u8..10) {
        let code = format!("{body}{}", ean13_check(&body));
        let mut bytes = code.into_bytes();
        bytes[at] = b'0' + (bytes[at] - b'0' + delta) % 10;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert_eq!(read_code(&changed).unwrap_err().code(), "bad_checksum");
    }
}

/// A date field: a real date near the checkout day, absent, or unreadable.
#[derive(Debug, Clone)]
enum DateCase {
    Real(i64),
    Absent,
    Unreadable(String),
}

fn date_case() -> impl Strategy<Value = DateCase> {
    prop_oneof![
        3 => (-800i64..800).prop_map(DateCase::Real),
        1 => Just(DateCase::Absent),
        2 => prop_oneof![
            Just("20210230".to_string()),
            Just("2021-03-01".to_string()),
            Just("2021031".to_string()),
            Just("20211301".to_string()),
            Just("(object)".to_string()),
            "[0-9]{0,10}",
            ".{0,12}",
        ].prop_filter_map("must not be a real date or an absent marker", |s| {
            (matches!(DateField::parse(&s), DateField::Invalid(_))).then_some(DateCase::Unreadable(s))
        }),
    ]
}

fn base_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

fn field(case: &DateCase) -> DateField {
    match case {
        DateCase::Real(offset) => DateField::Date(shift(*offset)),
        DateCase::Absent => DateField::Absent,
        DateCase::Unreadable(s) => DateField::Invalid(s.clone()),
    }
}

fn shift(offset: i64) -> NaiveDate {
    let day = base_day();
    if offset >= 0 {
        day.checked_add_days(Days::new(offset as u64)).unwrap()
    } else {
        day.checked_sub_days(Days::new(offset.unsigned_abs()))
            .unwrap()
    }
}

fn unreadable(case: &DateCase) -> bool {
    matches!(case, DateCase::Unreadable(_))
}

fn status() -> impl Strategy<Value = Option<IsbnStatus>> {
    prop::sample::select(vec![
        None,
        Some(IsbnStatus::Approved),
        Some(IsbnStatus::Revoked),
        Some(IsbnStatus::Applying),
        Some(IsbnStatus::Expired),
        Some(IsbnStatus::Other("APPROVED".into())),
    ])
}

fn book() -> impl Strategy<Value = (Isbn, DateCase, DateCase)> {
    (
        status(),
        date_case(),
        date_case(),
        any::<Option<bool>>(),
        prop::sample::select(vec!["實體", "電子", "其他"]),
    )
        .prop_map(|(status, approved, revoked, include_ebook, kind)| {
            let isbn = Isbn {
                isbn: "9789576780004".into(),
                status,
                approved_effective_date: field(&approved),
                revoked_effective_date: field(&revoked),
                include_ebook,
                kind: Some(kind.to_string().into()),
                ..Isbn::default()
            };
            (isbn, approved, revoked)
        })
}

fn checkout() -> impl Strategy<Value = (Option<String>, bool, i64, Option<Format>)> {
    (
        date_case(),
        -400i64..400,
        prop::sample::select(vec![None, Some(Format::Physical), Some(Format::Ebook)]),
    )
        .prop_map(|(policy, day, format)| {
            let (text, readable) = match policy {
                DateCase::Real(offset) => (
                    Some(booktax::core::taipei::format_yyyymmdd(shift(offset))),
                    true,
                ),
                DateCase::Absent => (None, false),
                DateCase::Unreadable(s) => (Some(s), false),
            };
            (text, readable, day, format)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn a_book_with_an_unreadable_date_is_never_exempt(
        (isbn, approved, revoked) in book(),
        (policy, policy_readable, day, format) in checkout(),
    ) {
        let at = Checkout::new(policy.as_deref(), shift(day), format);
        let d = decide_isbn(&isbn, &at);
        if !policy_readable || unreadable(&approved) || unreadable(&revoked) {
            prop_assert_ne!(d.verdict, Verdict::Exempt, "{:?}", d);
        }
        if d.verdict == Verdict::Exempt {
            // Exempt only within its stated window, which the rules derived from real dates.
            let (from, until) = (d.exempt_from.unwrap(), d.exempt_until.unwrap());
            prop_assert!(from <= at.day && at.day <= until, "{:?} at {}", d, at.day);
            prop_assert!(matches!(isbn.status, Some(IsbnStatus::Approved | IsbnStatus::Revoked)));
        }
    }

    #[test]
    fn a_boxed_set_with_an_unreadable_date_is_never_exempt(
        created in date_case(),
        deleted in date_case(),
        items in prop::collection::vec(book(), 0..4),
        (policy, policy_readable, day, format) in checkout(),
    ) {
        let any_item_unreadable = items.iter().any(|(_, a, r)| unreadable(a) || unreadable(r));
        let ean = Ean {
            ean: "8667106506069".into(),
            status: Some(EanStatus::Created),
            created_date: field(&created),
            deleted_date: field(&deleted),
            isbns: Some(items.into_iter().map(|(isbn, _, _)| isbn).collect()),
            ..Ean::default()
        };
        let at = Checkout::new(policy.as_deref(), shift(day), format);
        let d = decide_ean(&ean, &at);
        if !policy_readable || unreadable(&created) || unreadable(&deleted) || any_item_unreadable {
            prop_assert_ne!(d.decision.verdict, Verdict::Exempt, "{:?}", d);
        }
        if d.decision.verdict == Verdict::Exempt {
            prop_assert!(!d.items.is_empty());
            prop_assert!(d.items.iter().all(|(_, item)| item.verdict == Verdict::Exempt));
        }
    }

    // Without the `english` feature (the page's build) English is not in the build: every text is zh-TW.
    #[cfg(feature = "english")]
    #[test]
    fn english_decisions_match_and_hold_no_chinese(
        (isbn, approved, revoked) in book(),
        (policy, _, day, format) in checkout(),
    ) {
        let at = Checkout::new(policy.as_deref(), shift(day), format);
        let zh = decide_isbn(&isbn, &at);
        let en = decide_isbn(&isbn, &at.clone().in_lang(Lang::En));
        prop_assert_eq!(
            (zh.verdict, zh.reason, zh.exempt_from, zh.exempt_until),
            (en.verdict, en.reason, en.exempt_from, en.exempt_until)
        );
        // Served text is quoted as it came (and may itself hold quotes); everything else is English.
        let mut ours = en.message();
        let served = [&approved, &revoked].into_iter().filter_map(|case| match case {
            DateCase::Unreadable(text) => Some(text.as_str()),
            _ => None,
        });
        let kind = isbn.kind.as_ref().map(|k| k.as_str().to_string());
        for text in served.chain(policy.as_deref()).chain(kind.as_deref()) {
            // As messages quote it: control characters left out (the texts here are too short to be cut).
            ours = ours.replace(&format!("\"{}\"", clip(text, usize::MAX)), "");
        }
        prop_assert!(!ours.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)), "{}", en.message());
        prop_assert!(en.message().starts_with(match en.verdict {
            Verdict::Exempt => "Exempt (",
            Verdict::Taxable => "Taxable: ",
            Verdict::Unknown => "Unknown: ",
        }), "{}", en.message());
    }

    // Without the `english` feature (the page's build) English is not in the build: every text is zh-TW.
    #[cfg(feature = "english")]
    #[test]
    fn english_code_errors_hold_no_chinese(s in any::<String>()) {
        if let Err(e) = booktax::core::code::read_code(&s) {
            let ours: String = e.describe(Lang::En).split('"').step_by(2).collect();
            prop_assert!(!ours.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c)), "{}", e.describe(Lang::En));
        }
    }

    #[test]
    fn moments_never_panic(s in any::<String>()) {
        let _ = parse_moment(&s);
    }
}
