//! Native tests of every numbered decision rule at its boundaries, with the specification's example records.
#![cfg(not(target_arch = "wasm32"))]

use booktax::core::rules::{Checkout, Decision, Format, Reason, Verdict, decide_ean, decide_isbn};
use booktax::core::schema::{DateField, Ean, EanStatus, Isbn, IsbnResponse};
use booktax::core::taipei::{parse_moment, parse_yyyymmdd};
use chrono::NaiveDate;

const P: &str = "20260228";

fn date(s: &str) -> NaiveDate {
    parse_yyyymmdd(s).unwrap_or_else(|| panic!("not a date: {s}"))
}

/// A checkout on a Taipei day (`YYYYMMDD`) or at an ISO 8601 moment.
fn at(moment: &str) -> Checkout {
    Checkout::new(Some(P), parse_moment(moment).unwrap(), None)
}

fn at_format(moment: &str, format: Format) -> Checkout {
    Checkout::new(Some(P), parse_moment(moment).unwrap(), Some(format))
}

fn book(json: &str) -> Isbn {
    serde_json::from_str(json).unwrap()
}

/// An approved physical book from 2021-03-01, as the specification's example.
fn approved() -> Isbn {
    book(
        r#"{"isbn":"9789576780004","title":"國立中央圖書館讀者指引","publisher":"中央圖書館",
        "kind":"實體","type":"本國","include_ebook":true,"status":"approved",
        "approved_effective_date":"20210301","revoked_effective_date":"null"}"#,
    )
}

fn with(mut isbn: Isbn, f: impl FnOnce(&mut Isbn)) -> Isbn {
    f(&mut isbn);
    isbn
}

fn verdict(d: &Decision) -> (Verdict, Reason) {
    (d.verdict, d.reason)
}

const EXEMPT: (Verdict, Reason) = (Verdict::Exempt, Reason::Approved);

// Rule 1: the policy expiry date.

#[test]
fn rule1_policy_missing_or_unreadable_is_unknown() {
    for p in [
        None,
        Some(""),
        Some("null"),
        Some("20260230"),
        Some("2026-02-28"),
        Some("20260228 "),
    ] {
        let d = decide_isbn(&approved(), &Checkout::new(p, date("20250101"), None));
        assert_eq!(
            verdict(&d),
            (Verdict::Unknown, Reason::PolicyUnknown),
            "{p:?}"
        );
        assert!(d.message().contains("請以應稅處理"));
    }
}

#[test]
fn rule1_policy_covers_its_last_day_until_235959_taipei() {
    let cases = [
        ("20260227", EXEMPT),
        ("20260228", EXEMPT),
        ("2026-02-28T23:59:59+08:00", EXEMPT),
        ("2026-02-28T15:59:59Z", EXEMPT),
        ("2026-02-28T10:59:59-05:00", EXEMPT),
        (
            "2026-03-01T00:00:00+08:00",
            (Verdict::Taxable, Reason::PolicyExpired),
        ),
        (
            "2026-02-28T16:00:00Z",
            (Verdict::Taxable, Reason::PolicyExpired),
        ),
        (
            "2026-02-28T11:00:00-05:00",
            (Verdict::Taxable, Reason::PolicyExpired),
        ),
        ("20260301", (Verdict::Taxable, Reason::PolicyExpired)),
    ];
    for (moment, want) in cases {
        assert_eq!(
            verdict(&decide_isbn(&approved(), &at(moment))),
            want,
            "{moment}"
        );
    }
    let d = decide_isbn(&approved(), &at("20260301"));
    assert_eq!(d.message(), "應稅：免稅政策已於 2026-02-28 到期");
}

#[test]
fn rule1_comes_before_everything_else() {
    let broken = with(approved(), |b| b.status = None);
    let d = decide_isbn(&broken, &at("20260301"));
    assert_eq!(d.reason, Reason::PolicyExpired);
    let d = decide_isbn(&broken, &Checkout::new(None, date("20250101"), None));
    assert_eq!(d.reason, Reason::PolicyUnknown);
}

// Rule 2: status.

#[test]
fn rule2_status() {
    let day = at("20250101");
    let cases = [
        (
            r#""status":null"#,
            (Verdict::Unknown, Reason::MissingStatus),
        ),
        (r#""status":"""#, (Verdict::Unknown, Reason::MissingStatus)),
        (r#""x":1"#, (Verdict::Unknown, Reason::MissingStatus)),
        (
            r#""status":"Approved""#,
            (Verdict::Unknown, Reason::UnknownStatus),
        ),
        (
            r#""status":"APPROVED""#,
            (Verdict::Unknown, Reason::UnknownStatus),
        ),
        (
            r#""status":" approved""#,
            (Verdict::Unknown, Reason::UnknownStatus),
        ),
        (
            r#""status":"suspended""#,
            (Verdict::Unknown, Reason::UnknownStatus),
        ),
        (r#""status":1"#, (Verdict::Unknown, Reason::UnknownStatus)),
        (
            r#""status":"applying""#,
            (Verdict::Taxable, Reason::Applying),
        ),
        (r#""status":"expired""#, (Verdict::Taxable, Reason::Expired)),
        (r#""status":"approved""#, EXEMPT),
    ];
    for (status, want) in cases {
        let record = book(&format!(
            r#"{{"isbn":"9789576780004","kind":"實體","approved_effective_date":"20210301",{status}}}"#
        ));
        assert_eq!(verdict(&decide_isbn(&record, &day)), want, "{status}");
    }
    let d = decide_isbn(&book(r#"{"status":"<b>odd</b>"}"#), &day);
    assert!(
        d.message().contains("<b>odd</b>"),
        "the status is named as text: {}",
        d.message()
    );
}

// Rule 3: dates an approved or revoked record needs.

#[test]
fn rule3_invalid_records() {
    let day = at("20250101");
    let invalid = (Verdict::Unknown, Reason::InvalidRecord);
    let cases = [
        with(approved(), |b| {
            b.approved_effective_date = DateField::Absent
        }),
        with(approved(), |b| {
            b.approved_effective_date = DateField::parse("20210230")
        }),
        with(approved(), |b| {
            b.approved_effective_date = DateField::parse("2021-03-01")
        }),
        with(approved(), |b| {
            b.revoked_effective_date = DateField::parse("20241301")
        }),
        book(r#"{"status":"revoked","approved_effective_date":"20210301"}"#),
        book(
            r#"{"status":"revoked","approved_effective_date":"20210301","revoked_effective_date":"null"}"#,
        ),
        book(
            r#"{"status":"revoked","approved_effective_date":"20210301","revoked_effective_date":""}"#,
        ),
        book(r#"{"status":"approved","approved_effective_date":{"y":2021}}"#),
    ];
    for record in cases {
        assert_eq!(verdict(&decide_isbn(&record, &day)), invalid, "{record:?}");
    }
}

// Rule 4: the effective window, inclusive dates.

#[test]
fn rule4_approved_effective_date_boundaries() {
    let book = with(approved(), |b| {
        b.approved_effective_date = DateField::parse("20240315")
    });
    let not_yet = (Verdict::Taxable, Reason::NotYetEffective);
    let cases = [
        ("20240314", not_yet),
        ("2024-03-14T23:59:59+08:00", not_yet),
        ("2024-03-14T15:59:59Z", not_yet),
        ("2024-03-14T11:59:59-04:00", not_yet),
        ("2024-03-15T00:00:00+08:00", EXEMPT),
        ("2024-03-14T16:00:00Z", EXEMPT),
        ("2024-03-14T12:00:00-04:00", EXEMPT),
        ("20240315", EXEMPT),
        ("20240316", EXEMPT),
    ];
    for (moment, want) in cases {
        assert_eq!(verdict(&decide_isbn(&book, &at(moment))), want, "{moment}");
    }
    let d = decide_isbn(&book, &at("20240314"));
    assert_eq!(
        d.exempt_from,
        Some(date("20240315")),
        "not yet effective says from when"
    );
    assert!(d.message().contains("2024-03-15"));
}

#[test]
fn rule4_revoked_effective_date_boundaries() {
    let revoked = (Verdict::Taxable, Reason::Revoked);
    for status in ["revoked", "approved"] {
        let book = book(&format!(
            r#"{{"status":"{status}","kind":"實體","approved_effective_date":"20210301","revoked_effective_date":"20250101"}}"#
        ));
        let cases = [
            ("20241231", EXEMPT),
            ("2024-12-31T23:59:59+08:00", EXEMPT),
            ("2024-12-31T15:59:59Z", EXEMPT),
            ("2025-01-01T00:00:00+08:00", revoked),
            ("2024-12-31T16:00:00Z", revoked),
            ("2024-12-31T11:00:00-05:00", revoked),
            ("20250102", revoked),
        ];
        for (moment, want) in cases {
            assert_eq!(
                verdict(&decide_isbn(&book, &at(moment))),
                want,
                "{status} {moment}"
            );
        }
        let d = decide_isbn(&book, &at("20241231"));
        assert_eq!(
            d.exempt_until,
            Some(date("20241231")),
            "exempt until the day before"
        );
    }
}

#[test]
fn rule4_not_yet_effective_before_revoked() {
    // Revoked before it ever took effect: on a day before both, it is not yet effective.
    let b = book(
        r#"{"status":"revoked","approved_effective_date":"20240301","revoked_effective_date":"20240201"}"#,
    );
    assert_eq!(
        decide_isbn(&b, &at("20240101")).reason,
        Reason::NotYetEffective
    );
    assert_eq!(decide_isbn(&b, &at("20240301")).reason, Reason::Revoked);
}

// Rule 5: the format sold.

#[test]
fn rule5_format() {
    let day = "20250101";
    let physical_only = with(approved(), |b| b.include_ebook = Some(false));
    let no_flag = with(approved(), |b| b.include_ebook = None);
    let ebook = with(approved(), |b| b.kind = Some("電子".to_string().into()));
    let weird = with(approved(), |b| b.kind = Some("有聲書".to_string().into()));
    let no_kind = with(approved(), |b| b.kind = None);
    let out = (Verdict::Taxable, Reason::OutOfScope);
    let invalid = (Verdict::Unknown, Reason::InvalidRecord);
    let cases = [
        (&approved(), Format::Physical, EXEMPT),
        (&approved(), Format::Ebook, EXEMPT),
        (&physical_only, Format::Physical, EXEMPT),
        (&physical_only, Format::Ebook, out),
        (&no_flag, Format::Ebook, out),
        (&ebook, Format::Ebook, EXEMPT),
        (&ebook, Format::Physical, out),
        (&weird, Format::Physical, invalid),
        (&weird, Format::Ebook, invalid),
        (&no_kind, Format::Physical, invalid),
    ];
    for (record, format, want) in cases {
        assert_eq!(
            verdict(&decide_isbn(record, &at_format(day, format))),
            want,
            "{record:?} {format:?}"
        );
    }
    // Without a format the kind is not asked about.
    assert_eq!(verdict(&decide_isbn(&weird, &at(day))), EXEMPT);
    let include: Isbn = book(
        r#"{"status":"approved","kind":"實體","include_ebook":"true","approved_effective_date":"20210301"}"#,
    );
    assert_eq!(
        verdict(&decide_isbn(&include, &at_format(day, Format::Ebook))),
        EXEMPT
    );
}

// Rule 6: exempt, and until when.

#[test]
fn rule6_exempt_window() {
    let d = decide_isbn(&approved(), &at("20250101"));
    assert_eq!(verdict(&d), EXEMPT);
    assert_eq!(d.exempt_from, Some(date("20210301")));
    assert_eq!(d.exempt_until, Some(date(P)));
    assert_eq!(
        d.message(),
        "免稅（認可生效 2021-03-01 起，至 2026-02-28 止）"
    );

    // A revocation after the policy ends does not extend it.
    let late = with(approved(), |b| {
        b.revoked_effective_date = DateField::parse("20270101")
    });
    assert_eq!(
        decide_isbn(&late, &at("20250101")).exempt_until,
        Some(date(P))
    );
    // A revocation on the day after the policy ends: the policy's last day either way.
    let edge = with(approved(), |b| {
        b.revoked_effective_date = DateField::parse("20260301")
    });
    assert_eq!(
        decide_isbn(&edge, &at("20250101")).exempt_until,
        Some(date(P))
    );
    let soon = with(approved(), |b| {
        b.revoked_effective_date = DateField::parse("20250110")
    });
    assert_eq!(
        decide_isbn(&soon, &at("20250101")).exempt_until,
        Some(date("20250109"))
    );
}

#[test]
fn spec_example_isbn_response() {
    // The specification's IsbnResponse example (status "" as in its Isbn example).
    let body = r#"{"code":0,"message":"string","data":{"approved_effective_date":"20210301","include_ebook":true,
        "isbn":"9789576780004","kind":"實體","publisher":"中央圖書館","revoked_effective_date":"null",
        "status":"","title":"國立中央圖書館讀者指引","type":"本國"}}"#;
    let r: IsbnResponse = serde_json::from_str(body).unwrap();
    let d = decide_isbn(&r.data, &at("20250101"));
    assert_eq!(verdict(&d), (Verdict::Unknown, Reason::MissingStatus));
    let approved = with(r.data, |b| b.status = Some("approved".to_string().into()));
    assert_eq!(verdict(&decide_isbn(&approved, &at("20250101"))), EXEMPT);
}

// Boxed sets (EAN).

fn set(json: &str) -> Ean {
    serde_json::from_str(json).unwrap()
}

/// The specification's EAN example holding two approved books.
/// A boxed set of two books, `created` unless `extra` gives a status.
fn boxed(extra: &str) -> Ean {
    let status = if extra.contains(r#""status""#) {
        ""
    } else {
        r#""status":"created","#
    };
    set(&format!(
        r#"{{"ean":"8667106506069","title":"地中海六部曲套書 經典收藏書盒紀念版",
        "created_date":"20210301",{status}{extra}
        "isbns":[
          {{"isbn":"9789576780004","status":"approved","kind":"實體","approved_effective_date":"20210301"}},
          {{"isbn":"9789860477221","status":"approved","kind":"實體","approved_effective_date":"20210315","revoked_effective_date":"20251001"}}
        ]}}"#
    ))
}

#[test]
fn ean_rule1_policy() {
    let d = decide_ean(
        &boxed(r#""status":"created","#),
        &Checkout::new(None, date("20250101"), None),
    );
    assert_eq!(
        verdict(&d.decision),
        (Verdict::Unknown, Reason::PolicyUnknown)
    );
    let d = decide_ean(
        &boxed(r#""status":"created","#),
        &at("2026-02-28T16:00:00Z"),
    );
    assert_eq!(
        verdict(&d.decision),
        (Verdict::Taxable, Reason::PolicyExpired)
    );
}

#[test]
fn ean_rule2_dates_and_status() {
    let day = at("20250101");
    let invalid = (Verdict::Unknown, Reason::InvalidRecord);
    let mut bad_created = boxed("");
    bad_created.created_date = DateField::parse("20210231");
    assert_eq!(verdict(&decide_ean(&bad_created, &day).decision), invalid);
    assert_eq!(
        verdict(&decide_ean(&boxed(r#""deleted_date":"2024","#), &day).decision),
        invalid
    );
    for status in ["created", "enabled"] {
        let d = decide_ean(&boxed(&format!(r#""status":"{status}","#)), &day);
        assert_eq!(verdict(&d.decision), EXEMPT, "{status}");
    }
    // The EAN lookup's status is required: a set without one is malformed, not listed.
    let missing = (Verdict::Unknown, Reason::MissingStatus);
    let mut absent = boxed("");
    absent.status = None;
    for record in [boxed(r#""status":"","#), boxed(r#""status":null,"#), absent] {
        assert_eq!(verdict(&decide_ean(&record, &day).decision), missing);
    }
    for status in ["Created", "archived", "1"] {
        let d = decide_ean(&boxed(&format!(r#""status":"{status}","#)), &day);
        assert_eq!(
            verdict(&d.decision),
            (Verdict::Unknown, Reason::UnknownStatus),
            "{status}"
        );
    }
}

#[test]
fn ean_rule3_listed_on_the_day() {
    let deleted = (Verdict::Taxable, Reason::EanDeleted);
    let with_deleted = boxed(r#""status":"deleted","deleted_date":"20240601","#);
    let cases = [
        ("20240531", EXEMPT),
        ("2024-05-31T23:59:59+08:00", EXEMPT),
        ("2024-05-31T16:00:00Z", deleted),
        ("20240601", deleted),
    ];
    for (moment, want) in cases {
        assert_eq!(
            verdict(&decide_ean(&with_deleted, &at(moment)).decision),
            want,
            "{moment}"
        );
    }
    assert_eq!(
        decide_ean(&with_deleted, &at("20240531"))
            .decision
            .exempt_until,
        Some(date("20240531"))
    );
    for status in ["deleted", "disable", "disabled"] {
        let d = decide_ean(&boxed(&format!(r#""status":"{status}","#)), &at("20250101"));
        assert_eq!(verdict(&d.decision), deleted, "{status} without a date");
    }
    let not_yet = (Verdict::Taxable, Reason::EanNotYetListed);
    let later = boxed(r#""status":"created","#);
    let mut later = later;
    later.created_date = DateField::parse("20240401");
    assert_eq!(
        verdict(&decide_ean(&later, &at("20240331")).decision),
        not_yet
    );
    assert_eq!(
        verdict(&decide_ean(&later, &at("2024-03-31T15:59:59Z")).decision),
        not_yet
    );
    assert_eq!(
        verdict(&decide_ean(&later, &at("2024-03-31T16:00:00Z")).decision),
        EXEMPT
    );
}

#[test]
fn ean_rule4_must_list_its_books() {
    let invalid = (Verdict::Unknown, Reason::InvalidRecord);
    for isbns in [r#""isbns":[]"#, r#""isbns":null"#, r#""x":0"#] {
        let e = set(&format!(
            r#"{{"ean":"8667106506069","status":"created",{isbns}}}"#
        ));
        assert_eq!(
            verdict(&decide_ean(&e, &at("20250101")).decision),
            invalid,
            "{isbns}"
        );
    }
}

#[test]
fn ean_rule5_every_book_in_the_box() {
    let ok = decide_ean(&boxed(r#""status":"created","#), &at("20250101"));
    assert_eq!(verdict(&ok.decision), EXEMPT);
    assert_eq!(
        ok.decision.exempt_from,
        Some(date("20210315")),
        "the latest item start"
    );
    assert_eq!(
        ok.decision.exempt_until,
        Some(date("20250930")),
        "the earliest item end"
    );
    assert_eq!(ok.items.len(), 2);
    assert!(ok.items.iter().all(|(_, d)| d.verdict == Verdict::Exempt));
    assert_eq!(ok.items[1].0, "9789860477221");

    // One item revoked on the day: the whole box is taxable.
    let one_revoked = decide_ean(&boxed(""), &at("20251001"));
    assert_eq!(
        verdict(&one_revoked.decision),
        (Verdict::Taxable, Reason::ComponentTaxable)
    );
    assert_eq!(one_revoked.items[0].1.verdict, Verdict::Exempt);
    assert_eq!(one_revoked.items[1].1.reason, Reason::Revoked);

    // Before the second item takes effect.
    let early = decide_ean(&boxed(""), &at("20210310"));
    assert_eq!(
        verdict(&early.decision),
        (Verdict::Taxable, Reason::ComponentTaxable)
    );

    // An unknown item and no taxable one: unknown. A taxable one wins over unknown.
    let mut mixed = boxed("");
    mixed.isbns.as_mut().unwrap()[1].status = None;
    let d = decide_ean(&mixed, &at("20250101"));
    assert_eq!(
        verdict(&d.decision),
        (Verdict::Unknown, Reason::ComponentUnknown)
    );
    mixed.isbns.as_mut().unwrap()[0].status = Some("applying".to_string().into());
    let d = decide_ean(&mixed, &at("20250101"));
    assert_eq!(
        verdict(&d.decision),
        (Verdict::Taxable, Reason::ComponentTaxable)
    );
}

#[test]
fn ean_window_takes_created_and_deleted_dates() {
    let mut e = boxed(r#""status":"created","deleted_date":"20250601","#);
    e.created_date = DateField::parse("20220101");
    let d = decide_ean(&e, &at("20250101")).decision;
    assert_eq!(
        (d.exempt_from, d.exempt_until),
        (Some(date("20220101")), Some(date("20250531")))
    );
}

#[test]
fn ean_items_decided_with_the_same_format() {
    let e = set(r#"{"ean":"8667106506069","status":"created","isbns":[
        {"isbn":"9789576780004","status":"approved","kind":"實體","include_ebook":false,"approved_effective_date":"20210301"}]}"#);
    let d = decide_ean(&e, &at_format("20250101", Format::Ebook));
    assert_eq!(
        verdict(&d.decision),
        (Verdict::Taxable, Reason::ComponentTaxable)
    );
    assert_eq!(d.items[0].1.reason, Reason::OutOfScope);
    assert_eq!(e.status, Some(EanStatus::Created));
}

#[test]
fn decisions_serialize_to_the_javascript_shape() {
    let d = decide_ean(&boxed(r#""status":"created","#), &at("20250101"));
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["verdict"], "exempt");
    assert_eq!(v["reason"], "approved");
    assert_eq!(v["exemptFrom"], "20210315");
    assert_eq!(v["exemptUntil"], "20250930");
    assert_eq!(v["items"][1]["isbn"], "9789860477221");
    assert_eq!(v["items"][1]["exemptUntil"], "20250930");
    let t = serde_json::to_value(decide_isbn(&approved(), &at("20260301"))).unwrap();
    assert_eq!(t["verdict"], "taxable");
    assert!(t.get("exemptFrom").is_none() && t.get("items").is_none() && t.get("isbn").is_none());
}
