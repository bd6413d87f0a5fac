//! Browser tests of the exported decision API, called with `JsValue`s as a page would.
#![cfg(target_arch = "wasm32")]

use booktax::shell::decide::{
    decide_ean_js, decide_isbn_js, decide_isbns_js, normalize_code, read_codes, taipei_date,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap()
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// A `Uint8Array` field's bytes.
fn bytes(value: &JsValue, key: &str) -> Vec<u8> {
    get(value, key)
        .dyn_into::<js_sys::Uint8Array>()
        .unwrap()
        .to_vec()
}

/// The thrown error's `code` and `message`.
fn thrown<T>(result: Result<T, booktax::shell::js_error::Failure>) -> (String, String) {
    let error = JsValue::from(result.err().expect("should have thrown"));
    assert!(error.is_instance_of::<js_sys::Error>(), "an Error object");
    (
        text(&error, "code").unwrap(),
        text(&error, "message").unwrap(),
    )
}

const BOOK: &str = r#"{"isbn":"9789576780004","title":"國立中央圖書館讀者指引","publisher":"中央圖書館",
    "kind":"實體","type":"本國","include_ebook":false,"status":"approved",
    "approved_effective_date":"20210301","revoked_effective_date":"null","isbn_10":"9576780004"}"#;

fn opts(at: &str) -> JsValue {
    json(&format!(r#"{{"policyExpiryDate":"20260228","at":"{at}"}}"#))
}

fn verdict(decision: &JsValue) -> (String, String) {
    (
        text(decision, "verdict").unwrap(),
        text(decision, "reason").unwrap(),
    )
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

#[wasm_bindgen_test]
fn normalize_code_reads_what_clerks_type() {
    let c = normalize_code("ISBN：９７８－９５７－６７８－０００－４".into()).unwrap();
    assert_eq!(text(&c, "kind").as_deref(), Some("isbn"));
    assert_eq!(text(&c, "code").as_deref(), Some("9789576780004"));
    assert!(get(&c, "addon").is_undefined());

    let c = normalize_code("957-678-000-4".into()).unwrap();
    assert_eq!(text(&c, "code").as_deref(), Some("9789576780004"));
    let c = normalize_code("8667106506069".into()).unwrap();
    assert_eq!(text(&c, "kind").as_deref(), Some("ean"));
    assert!(normalize_code("97895767800045".into()).is_err());
    let c = normalize_code("978957678000490000".into()).unwrap();
    assert_eq!(text(&c, "addon").as_deref(), Some("90000"));
    // A page may pass a number.
    let c = normalize_code(JsValue::from_f64(9789576780004.0)).unwrap();
    assert_eq!(text(&c, "code").as_deref(), Some("9789576780004"));
}

#[wasm_bindgen_test]
fn normalize_code_throws_coded_errors() {
    let (code, message) = thrown(normalize_code("9789576780005".into()));
    assert_eq!(code, "bad_checksum");
    assert!(message.contains("應為 4"), "{message}");
    assert_eq!(thrown(normalize_code("".into())).0, "empty");
    assert_eq!(thrown(normalize_code(JsValue::NULL)).0, "empty");
    assert_eq!(
        thrown(normalize_code("<img src=x>".into())).0,
        "invalid_chars"
    );
    assert_eq!(thrown(normalize_code("12345".into())).0, "bad_length");
}

#[wasm_bindgen_test]
fn decide_isbn_policy_boundary_in_any_offset() {
    let book = json(BOOK);
    let exempt = pair("exempt", "approved");
    let expired = pair("taxable", "policy_expired");
    for (at, want) in [
        ("2026-02-28T23:59:59+08:00", &exempt),
        ("2026-02-28T15:59:59Z", &exempt),
        ("2026-02-28T10:59:59-05:00", &exempt),
        ("2026-02-28T23:59:59", &exempt),
        ("2026-03-01T00:00:00+08:00", &expired),
        ("2026-02-28T16:00:00Z", &expired),
        ("2026-02-28T11:00:00-05:00", &expired),
        ("2026-03-01", &expired),
        ("20260301", &expired),
    ] {
        let d = decide_isbn_js(book.clone(), opts(at)).unwrap();
        assert_eq!(&verdict(&d), want, "{at}");
    }
    let d = decide_isbn_js(book, opts("20250101")).unwrap();
    assert_eq!(text(&d, "exemptFrom").as_deref(), Some("20210301"));
    assert_eq!(text(&d, "exemptUntil").as_deref(), Some("20260228"));
    assert!(text(&d, "message").unwrap().starts_with("免稅"));
}

#[wasm_bindgen_test]
fn decide_isbn_effective_dates_and_statuses() {
    let record = |extra: &str| {
        json(&format!(
            r#"{{"isbn":"9789576780004","kind":"實體",{extra}}}"#
        ))
    };
    let cases = [
        (
            r#""status":"approved","approved_effective_date":"20240315""#,
            "2024-03-14T23:59:59+08:00",
            pair("taxable", "not_yet_effective"),
        ),
        (
            r#""status":"approved","approved_effective_date":"20240315""#,
            "2024-03-14T16:00:00Z",
            pair("exempt", "approved"),
        ),
        (
            r#""status":"revoked","approved_effective_date":"20210301","revoked_effective_date":"20250101""#,
            "2024-12-31T15:59:59Z",
            pair("exempt", "approved"),
        ),
        (
            r#""status":"revoked","approved_effective_date":"20210301","revoked_effective_date":"20250101""#,
            "2024-12-31T16:00:00Z",
            pair("taxable", "revoked"),
        ),
        (
            r#""status":"revoked","approved_effective_date":"20210301","revoked_effective_date":null"#,
            "20250101",
            pair("unknown", "invalid_record"),
        ),
        (
            r#""status":"applying""#,
            "20250101",
            pair("taxable", "applying"),
        ),
        (
            r#""status":"expired""#,
            "20250101",
            pair("taxable", "expired"),
        ),
        (
            r#""status":"""#,
            "20250101",
            pair("unknown", "missing_status"),
        ),
        (
            r#""status":"enabled""#,
            "20250101",
            pair("unknown", "unknown_status"),
        ),
        (
            r#""status":"approved","approved_effective_date":"20210230""#,
            "20250101",
            pair("unknown", "invalid_record"),
        ),
    ];
    for (extra, at, want) in cases {
        let d = decide_isbn_js(record(extra), opts(at)).unwrap();
        assert_eq!(verdict(&d), want, "{extra} at {at}");
    }
}

#[wasm_bindgen_test]
fn decide_isbn_never_exempt_without_a_policy_date() {
    for options in [
        r#"{}"#,
        r#"{"policyExpiryDate":null}"#,
        r#"{"policyExpiryDate":"20260230"}"#,
        r#"{"policyExpiryDate":20260228}"#,
    ] {
        let d = decide_isbn_js(json(BOOK), json(options)).unwrap();
        assert_eq!(verdict(&d), pair("unknown", "policy_unknown"), "{options}");
        assert!(text(&d, "message").unwrap().contains("請以應稅處理"));
    }
    let d = decide_isbn_js(json(BOOK), JsValue::UNDEFINED).unwrap();
    assert_eq!(verdict(&d).0, "unknown");
}

#[wasm_bindgen_test]
fn decide_isbn_format() {
    let with = |format: &str| {
        json(&format!(
            r#"{{"policyExpiryDate":"20260228","at":"20250101","format":"{format}"}}"#
        ))
    };
    assert_eq!(
        verdict(&decide_isbn_js(json(BOOK), with("physical")).unwrap()),
        pair("exempt", "approved")
    );
    assert_eq!(
        verdict(&decide_isbn_js(json(BOOK), with("ebook")).unwrap()),
        pair("taxable", "out_of_scope")
    );
    assert_eq!(
        thrown(decide_isbn_js(json(BOOK), with("paper"))).0,
        "bad_option"
    );
}

#[wasm_bindgen_test]
fn decide_isbn_speaks_the_language_asked() {
    let with = |lang: &str| {
        json(&format!(
            r#"{{"policyExpiryDate":"20260228","at":"20250101","format":"ebook","lang":"{lang}"}}"#
        ))
    };
    let en = decide_isbn_js(json(BOOK), with("en-GB")).unwrap();
    assert_eq!(verdict(&en), pair("taxable", "out_of_scope"));
    assert_eq!(
        text(&en, "message").as_deref(),
        Some("Taxable: the approval does not cover the e-book")
    );
    let zh = decide_isbn_js(json(BOOK), with("zh-TW")).unwrap();
    assert_eq!(
        text(&zh, "message").as_deref(),
        Some("應稅：認可範圍不含電子書")
    );
    assert_eq!(
        thrown(decide_isbn_js(json(BOOK), with("fr"))).0,
        "bad_option"
    );
}

#[wasm_bindgen_test]
fn decide_isbn_rejects_unreadable_options_and_records() {
    let (code, message) = thrown(decide_isbn_js(json(BOOK), opts("tomorrow")));
    assert_eq!(code, "bad_option");
    assert!(message.contains("結帳時間"));
    assert_eq!(
        thrown(decide_isbn_js(json(BOOK), json(r#"{"at":5}"#))).0,
        "bad_option"
    );
    assert_eq!(
        thrown(decide_isbn_js("9789576780004".into(), opts("20250101"))).0,
        "bad_record"
    );
    assert_eq!(
        thrown(decide_isbn_js(JsValue::NULL, opts("20250101"))).0,
        "bad_record"
    );
}

#[wasm_bindgen_test]
fn a_date_object_is_an_instant() {
    let options = json(r#"{"policyExpiryDate":"20260228"}"#);
    let at = js_sys::Date::new(&"2026-02-28T15:59:59Z".into());
    js_sys::Reflect::set(&options, &"at".into(), &at).unwrap();
    assert_eq!(
        verdict(&decide_isbn_js(json(BOOK), options.clone()).unwrap()).0,
        "exempt"
    );
    let at = js_sys::Date::new(&"2026-02-28T16:00:00Z".into());
    js_sys::Reflect::set(&options, &"at".into(), &at).unwrap();
    assert_eq!(
        verdict(&decide_isbn_js(json(BOOK), options).unwrap()).0,
        "taxable"
    );
}

#[wasm_bindgen_test]
fn now_is_taipei_today() {
    // Without `at`, the decision is the one for today's Taipei date.
    let today = taipei_date(JsValue::UNDEFINED).unwrap();
    assert_eq!(today.len(), 8);
    let record = json(&format!(
        r#"{{"status":"approved","kind":"實體","approved_effective_date":"{today}"}}"#
    ));
    let far = json(r#"{"policyExpiryDate":"99991231"}"#);
    assert_eq!(verdict(&decide_isbn_js(record, far).unwrap()).0, "exempt");
    assert_eq!(
        taipei_date("2026-02-28T16:00:00Z".into()).unwrap(),
        "20260301"
    );
    assert_eq!(
        taipei_date("2026-02-28T23:59:59".into()).unwrap(),
        "20260228"
    );
    assert_eq!(thrown(taipei_date("later".into())).0, "bad_option");
}

#[wasm_bindgen_test]
fn decide_ean_lists_every_book() {
    let set = json(&format!(
        r#"{{"ean":"8667106506069","title":"地中海六部曲套書 經典收藏書盒紀念版","status":"created",
        "created_date":"20210301","deleted_date":"","isbns":[{BOOK},
        {{"isbn":"9789860477221","status":"applying","kind":"實體"}}]}}"#
    ));
    let d = decide_ean_js(set.clone(), opts("20250101")).unwrap();
    assert_eq!(verdict(&d), pair("taxable", "component_taxable"));
    let items: js_sys::Array = get(&d, "items").into();
    assert_eq!(items.length(), 2);
    assert_eq!(
        text(&items.get(0), "isbn").as_deref(),
        Some("9789576780004")
    );
    assert_eq!(verdict(&items.get(0)), pair("exempt", "approved"));
    assert_eq!(verdict(&items.get(1)), pair("taxable", "applying"));

    let all_approved = json(&format!(
        r#"{{"ean":"8667106506069","status":"enabled","created_date":"20210301","isbns":[{BOOK}]}}"#
    ));
    let d = decide_ean_js(all_approved.clone(), opts("2026-02-28T15:59:59Z")).unwrap();
    assert_eq!(verdict(&d), pair("exempt", "approved"));
    let d = decide_ean_js(all_approved, opts("2026-02-28T16:00:00Z")).unwrap();
    assert_eq!(verdict(&d), pair("taxable", "policy_expired"));
    let disabled = json(&format!(
        r#"{{"ean":"8667106506069","status":"disable","isbns":[{BOOK}]}}"#
    ));
    assert_eq!(
        verdict(&decide_ean_js(disabled, opts("20250101")).unwrap()),
        pair("taxable", "ean_deleted")
    );
}

#[wasm_bindgen_test]
fn the_browser_time_zone_is_the_one_asked_for() {
    // `cargo xtask test` runs this suite twice, once with TZ=America/New_York;
    // this proves that run really had the browser in that zone.
    let zone = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    let zone = text(&zone, "timeZone").unwrap_or_default();
    if let Some(expected) = option_env!("BOOKTAX_EXPECT_TZ") {
        assert_eq!(zone, expected);
    }
    console_log!("browser time zone: {zone}");
}

#[wasm_bindgen_test]
fn sale_totals_for_the_invoice_and_lines_it_refuses() {
    use booktax::shell::exports::sale_totals_js;
    let totals = sale_totals_js(json(
        r#"[{"verdict":"exempt","unitPrice":380,"quantity":2},
            {"verdict":"taxable","unitPrice":120,"quantity":1},
            {"verdict":"unknown","unitPrice":99,"quantity":1}]"#,
    ))
    .unwrap();
    let number = |key: &str| get(&totals, key).as_f64().unwrap();
    assert_eq!(number("exemptAmount"), 760.0);
    assert_eq!(number("taxableAmount"), 219.0);
    assert_eq!(number("taxIncluded"), 10.0);
    assert_eq!(number("invoiceTaxType"), 9.0);
    let items: js_sys::Array = get(&totals, "items").unchecked_into();
    assert_eq!(get(&items.get(0), "taxType").as_f64(), Some(3.0));
    assert_eq!(get(&items.get(2), "taxType").as_f64(), Some(1.0));
    let unknown: js_sys::Array = get(&totals, "unknownLines").unchecked_into();
    assert_eq!(unknown.get(0).as_f64(), Some(2.0));

    for (lines, says) in [
        (
            r#"[{"verdict":"exempt","unitPrice":-1,"quantity":1}]"#,
            "第 1 項：單價不可為負數",
        ),
        (
            r#"[{"verdict":"exempt","unitPrice":1,"quantity":1},{"verdict":"exempt","unitPrice":1,"quantity":1.5}]"#,
            "第 2 項：數量必須是整數",
        ),
        (
            r#"[{"verdict":"maybe","unitPrice":1,"quantity":1}]"#,
            "第 1 項：判定結果",
        ),
        (
            r#"[{"verdict":"taxable","unitPrice":"100","quantity":1}]"#,
            "第 1 項：單價必須是數字",
        ),
    ] {
        let (code, message) = thrown(sale_totals_js(json(lines)));
        assert_eq!(code, "bad_line");
        assert!(message.starts_with(says), "{message}");
    }
    let (code, _) = thrown(sale_totals_js(json(
        r#"[{"verdict":"taxable","unitPrice":9007199254740991,"quantity":2}]"#,
    )));
    assert_eq!(code, "amount_too_large");
}

#[wasm_bindgen_test]
fn read_codes_gives_each_line_what_normalize_code_gives() {
    // Non-ASCII early (full-width digits, CJK, an emoji's surrogate pair), so the text is copied
    // in in two parts: every line after them must still read.
    let lines = [
        "957-678-000-4",
        "９７８－９５７－６７８－０００－４",
        "書名📚 <img src=x>",
        "8667106506069",
        "",
        "9789576780005",
        "ISBN 978-957-678-000-4",
    ];
    let list = read_codes(lines.join("\r\n").into()).unwrap();
    assert_eq!(
        thrown(read_codes(JsValue::from(9789576780004.0))).0,
        "bad_input"
    );
    let kinds = bytes(&list, "kinds");
    let digits = bytes(&list, "digits");
    assert_eq!(kinds.len(), lines.len());
    for (i, line) in lines.iter().enumerate() {
        let at = &digits[13 * i..13 * (i + 1)];
        match normalize_code((*line).into()) {
            Ok(code) => {
                assert_eq!(
                    std::str::from_utf8(at).unwrap(),
                    text(&code, "code").unwrap(),
                    "{line}"
                );
                let kind = if text(&code, "kind").as_deref() == Some("isbn") {
                    1
                } else {
                    2
                };
                assert_eq!(kinds[i], kind, "{line}");
            }
            Err(_) => assert_eq!((kinds[i], at), (0, &[b'0'; 13][..]), "{line}"),
        }
    }
}

#[wasm_bindgen_test]
fn decide_isbns_agrees_with_decide_isbn_record_by_record() {
    let records = json(&format!(
        r#"[{BOOK}, {{"isbn":"9789576780004","status":"revoked","approved_effective_date":"20210301","revoked_effective_date":"20220101"}},
            {{"isbn":"9789576780004","status":"suspended"}}, "not a record", {{"isbn":"9789576780004","status":"approved","approved_effective_date":"garbage"}}]"#
    ));
    for at in ["20210228", "20210301", "20230101", "20260301"] {
        let all = decide_isbns_js(records.clone(), opts(at)).unwrap();
        let verdicts = bytes(&all, "verdicts");
        let reasons = bytes(&all, "reasons");
        let names = get(&all, "reasonNames")
            .dyn_into::<js_sys::Array>()
            .unwrap();
        let list = records.clone().dyn_into::<js_sys::Array>().unwrap();
        assert_eq!(verdicts.len(), list.length() as usize);
        for (i, record) in list.iter().enumerate() {
            let batch = (
                ["exempt", "taxable", "unknown"][verdicts[i] as usize].to_string(),
                names.get(u32::from(reasons[i])).as_string().unwrap(),
            );
            match decide_isbn_js(record, opts(at)) {
                Ok(single) => assert_eq!(batch, verdict(&single), "record {i} at {at}"),
                // What the single call refuses, the list decides unknown: never exempt.
                Err(_) => assert_eq!(
                    batch,
                    pair("unknown", "invalid_record"),
                    "record {i} at {at}"
                ),
            }
        }
    }
    assert_eq!(
        thrown(decide_isbns_js("[]".into(), opts("20230101"))).0,
        "bad_record"
    );
}

#[wasm_bindgen_test]
fn decide_isbns_and_decide_isbn_agree_whatever_a_field_holds() {
    let odd: [(&str, JsValue); 3] = [
        ("a symbol", js_sys::Symbol::for_("x").into()),
        (
            "a BigInt past u64",
            js_sys::BigInt::new(&JsValue::from_str("1180591620717411303424"))
                .unwrap()
                .into(),
        ),
        (
            "a Uint8Array",
            js_sys::Uint8Array::new_with_length(13).into(),
        ),
    ];
    for field in [
        "isbn",
        "isbn_13",
        "isbn_10",
        "title",
        "publisher",
        "type",
        "status",
    ] {
        for (what, value) in &odd {
            let record = json(BOOK);
            js_sys::Reflect::set(&record, &field.into(), value).unwrap();
            let single = decide_isbn_js(record.clone(), opts("20230101")).map(|d| verdict(&d));
            let all =
                decide_isbns_js(js_sys::Array::of1(&record).into(), opts("20230101")).unwrap();
            let first = |key: &str| bytes(&all, key)[0];
            let names = get(&all, "reasonNames")
                .dyn_into::<js_sys::Array>()
                .unwrap();
            let batch = (
                ["exempt", "taxable", "unknown"][first("verdicts") as usize].to_string(),
                names.get(u32::from(first("reasons"))).as_string().unwrap(),
            );
            match single {
                Ok(single) => assert_eq!(batch, single, "{what} in {field}"),
                Err(_) => assert_eq!(
                    batch,
                    pair("unknown", "invalid_record"),
                    "{what} in {field}"
                ),
            }
            // A field the rules read that holds no JSON value is refused; one they do not read is not looked at.
            let want = if field == "status" {
                pair("unknown", "invalid_record")
            } else {
                pair("exempt", "approved")
            };
            assert_eq!(batch, want, "{what} in {field}");
        }
    }
}

/// A client for calls that ask nothing (no service behind this address is ever reached).
fn offline_client() -> booktax::shell::client_js::BookTaxClient {
    booktax::shell::client_js::BookTaxClient::new(json(
        r#"{"baseUrl":"http://127.0.0.1:9","appid":"booktax-sample"}"#,
    ))
    .unwrap_or_else(|_| panic!("client options"))
}

/// An earlier live answer for `code` carrying `record` (its decision is stale on purpose).
fn earlier_answer(code: &str, record: &str) -> JsValue {
    json(&format!(
        r#"{{"code":"{code}","kind":"isbn","record":{record},"decision":{{"verdict":"exempt","reason":"approved"}},
        "policyExpiryDate":"20260228","source":"live","fetchedAt":"2026-01-01 10:00:00","checkoutDate":"20260101"}}"#
    ))
}

#[wasm_bindgen_test]
fn redecide_decides_each_answer_again_from_the_record_it_carries() {
    let client = offline_client();
    let book = earlier_answer("9789576780004", BOOK);
    // The live service's shape: `isbn` holds the ISBN-10, the asked ISBN-13 only in `isbn_13`.
    let ten = earlier_answer(
        "9789576780004",
        r#"{"isbn":"9576780004","isbn_13":"9789576780004","kind":"實體","status":"approved","approved_effective_date":"20210301"}"#,
    );
    let wrong_book = earlier_answer(
        "9789576780004",
        r#"{"isbn":"9789570000009","status":"approved","approved_effective_date":"20210301"}"#,
    );
    let failed = json(
        r#"{"code":"9789576780004","kind":"isbn","record":null,"decision":{"verdict":"unknown","reason":"lookup_failed"},"error":{"code":"timeout"}}"#,
    );
    let lookups: JsValue = [&book, &ten, &wrong_book, &failed]
        .into_iter()
        .collect::<js_sys::Array>()
        .into();
    let at = |when: &str| json(&format!(r#"{{"at":"{when}","format":"physical"}}"#));

    let before_policy = client
        .redecide(lookups.clone(), at("2021-02-01T12:00"))
        .unwrap();
    let in_policy = client
        .redecide(lookups.clone(), at("2026-01-20T12:00"))
        .unwrap();
    for (answers, want) in [(&before_policy, "taxable"), (&in_policy, "exempt")] {
        for i in 0..2 {
            let answer = answers.get(i);
            assert_eq!(
                text(&get(&answer, "decision"), "verdict").unwrap(),
                want,
                "line {i}"
            );
        }
    }
    assert_eq!(text(&in_policy.get(0), "checkoutDate").unwrap(), "20260120");
    // The record comes back as it was given, texts and all.
    let kept = get(&in_policy.get(0), "record");
    assert!(js_sys::Object::is(&kept, &get(&book, "record")));
    assert_eq!(text(&kept, "title").unwrap(), "國立中央圖書館讀者指引");
    // Another book's record decides nothing: unknown, without the record, never exempt.
    let wrong = in_policy.get(2);
    assert_eq!(
        text(&get(&wrong, "decision"), "verdict").unwrap(),
        "unknown"
    );
    assert!(get(&wrong, "record").is_null());
    assert!(get(&wrong, "error").is_object());
    // A failure carries no record to decide from: it comes back as it was.
    assert!(js_sys::Object::is(&in_policy.get(3), &failed));
}

#[wasm_bindgen_test]
fn redecide_names_the_line_it_cannot_read() {
    let client = offline_client();
    let opts = json(r#"{"at":"2026-01-20T12:00"}"#);
    let unreadable_code = earlier_answer("97895767800X", BOOK);
    let list = |answer: &JsValue| -> JsValue {
        [&earlier_answer("9789576780004", BOOK), answer]
            .into_iter()
            .collect::<js_sys::Array>()
            .into()
    };
    let (code, message) = thrown(client.redecide(list(&unreadable_code), opts.clone()));
    assert_eq!(code, "bad_line");
    assert!(message.starts_with("第 2 項"), "{message}");
    // A rule field that is no text (a Symbol here) is refused, not skipped.
    let odd_status = earlier_answer("9789576780004", BOOK);
    js_sys::Reflect::set(
        &get(&odd_status, "record"),
        &"status".into(),
        &js_sys::Symbol::for_("approved").into(),
    )
    .unwrap();
    let (code, _) = thrown(client.redecide(list(&odd_status), opts));
    assert_eq!(code, "bad_line");
}

mod js_read {
    //! `JsRead` against serde_json on the same bodies: the same values, and errors at the same field.
    use super::json;
    use booktax::core::schema::{
        DailyResponse, EanResponse, IsbnResponse, SchemaError, read_schema,
    };
    use booktax::shell::js_read::JsRead;
    use serde::Deserialize;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::*;

    /// Both readers on `body`: as `JSON.parse` gives it to the page, and as text to serde_json.
    fn both<T: for<'de> Deserialize<'de>>(
        body: &str,
    ) -> (Result<T, SchemaError>, Result<T, SchemaError>) {
        let by_js = read_schema(JsRead::new(json(body)));
        let by_json = read_schema(&mut serde_json::Deserializer::from_str(body));
        (by_js, by_json)
    }

    fn same<T: for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(body: &str) {
        match both::<T>(body) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{body}"),
            (Err(a), Err(b)) => assert_eq!(a.field, b.field, "{body}: {a} / {b}"),
            (a, b) => panic!("{body}: JsRead {a:?}, serde_json {b:?}"),
        }
    }

    const ISBN: &str = r#"{"isbn":"9789576780004","isbn_13":"9789576780004","isbn_10":"9576780004",
        "title":"書","publisher":"社","kind":"實體","type":"本國","include_ebook":"true",
        "status":"approved","approved_effective_date":20210301,"revoked_effective_date":null}"#;

    #[wasm_bindgen_test]
    fn reads_what_serde_json_reads() {
        same::<IsbnResponse>(&format!(r#"{{"code":0,"message":"null","data":{ISBN}}}"#));
        same::<IsbnResponse>(&format!(
            r#"{{"code":"0","data":{ISBN},"extra":[1,{{"a":2.5}}]}}"#
        ));
        // Numbers where texts go, floats, booleans, objects where a date goes: read, never refused.
        same::<IsbnResponse>(
            r#"{"code":0,"data":{"isbn":9789576780004,"title":1.5,"kind":true,"status":{"a":1},
            "approved_effective_date":20210301.5,"revoked_effective_date":[1],"include_ebook":1}}"#,
        );
        same::<EanResponse>(&format!(
            r#"{{"code":0,"data":{{"ean":"4710000000004","status":"enabled","isbns":[{ISBN},{ISBN}],
            "last_modified":"20210301"}}}}"#
        ));
        same::<DailyResponse>(&format!(
            r#"{{"code":0,"policy_expiry_date":"20310228","approved":{{"isbns":[{ISBN}],"eans":[]}},
            "revoked":{{"isbns":null}},"changed":{{}}}}"#
        ));
        // Refused at the same field.
        same::<IsbnResponse>(r#"{"code":1.5,"data":{}}"#);
        same::<IsbnResponse>(r#"{"code":0}"#);
        same::<IsbnResponse>(r#"{"code":0,"data":"x"}"#);
        same::<DailyResponse>(
            r#"{"code":0,"approved":{"isbns":{"a":1}},"revoked":{},"changed":{}}"#,
        );
        same::<DailyResponse>(r#"{"code":0,"approved":{"isbns":[2.5]},"revoked":{},"changed":{}}"#);
        same::<DailyResponse>(r#"{"code":0,"approved":1,"revoked":{},"changed":{}}"#);
        same::<DailyResponse>(r#"[]"#);
    }

    #[wasm_bindgen_test]
    fn an_error_names_the_kind_found_not_the_value() {
        let (by_js, by_json) = both::<DailyResponse>(
            r#"{"code":0,"approved":{"isbns":[2.5]},"revoked":{},"changed":{}}"#,
        );
        let (by_js, by_json) = (by_js.unwrap_err(), by_json.unwrap_err());
        assert_eq!(by_js.field, "approved.isbns");
        assert!(by_json.detail.contains("floating point `2.5`"), "{by_json}");
        assert!(
            by_js
                .detail
                .starts_with("invalid type: floating point, expected"),
            "{by_js}"
        );
        // A record is an object: an array is refused (serde_json would read it as the fields in order).
        let listed = read_schema::<IsbnResponse, _>(JsRead::new(json(r#"{"code":0,"data":[]}"#)))
            .unwrap_err();
        assert_eq!(listed.field, "data");
        assert!(
            listed.detail.contains("invalid type: sequence, expected"),
            "{listed}"
        );
    }

    #[wasm_bindgen_test]
    fn fields_are_read_by_name_getters_included_and_undefined_is_null() {
        // A class instance: its fields are getters on the prototype, which an object's own keys miss.
        let made = js_sys::Function::new_no_args(
            "class Book { get isbn() { return '9789576780004'; } get status() { return 'approved'; }
               get approved_effective_date() { return '20210301'; } }
             return { code: 0, data: new Book(), message: undefined };",
        )
        .call0(&JsValue::NULL)
        .unwrap();
        let read: IsbnResponse = read_schema(JsRead::new(made)).unwrap();
        let plain: IsbnResponse = read_schema(&mut serde_json::Deserializer::from_str(
            r#"{"code":0,"data":{"isbn":"9789576780004","status":"approved","approved_effective_date":"20210301"}}"#,
        ))
        .unwrap();
        assert_eq!(read, plain);
    }

    #[wasm_bindgen_test]
    fn a_field_that_throws_refuses_the_record_never_reads_as_absent() {
        // Read as absent, a revocation date that throws would leave an approved book exempt.
        let throwing = js_sys::Function::new_no_args(
            "const book = { isbn: '9789576780004', status: 'revoked', approved_effective_date: '20210301' };
             Object.defineProperty(book, 'revoked_effective_date', { enumerable: true, get() { throw new Error('not loaded'); } });
             return book;",
        )
        .call0(&JsValue::NULL)
        .unwrap();
        let read = read_schema::<booktax::core::schema::Isbn, _>(JsRead::new(throwing.clone()));
        assert_eq!(read.unwrap_err().field, "revoked_effective_date");
        let opts = super::opts("20230101");
        let (code, _) = super::thrown(booktax::shell::decide::decide_isbn_js(
            throwing.clone(),
            opts.clone(),
        ));
        assert_eq!(code, "bad_record");
        let all =
            booktax::shell::decide::decide_isbns_js(js_sys::Array::of1(&throwing).into(), opts)
                .unwrap();
        assert_eq!(super::bytes(&all, "verdicts"), [2], "unknown");
        // The same inside a list, and a Proxy whose trap throws.
        let proxy = js_sys::Function::new_no_args(
            "return { code: 0, approved: { isbns: new Proxy([], { get() { throw new Error('x'); } }) }, revoked: {}, changed: {} };",
        )
        .call0(&JsValue::NULL)
        .unwrap();
        assert!(read_schema::<DailyResponse, _>(JsRead::new(proxy)).is_err());
        // A revoked Proxy (Array.isArray throws on it), a list whose length no array has, and
        // `document.all` (`== null`, yet not null): each refuses the record, none reads as absent.
        let odd = js_sys::Function::new_no_args(
            "const revoked = Proxy.revocable({}, {}); revoked.revoke();
             const lengths = ['x', 2.5, -1].map((length) => new Proxy([], { get: (t, k) => k === 'length' ? length : t[k] }));
             return [revoked.proxy, ...lengths, document.all];",
        )
        .call0(&JsValue::NULL)
        .unwrap()
        .dyn_into::<js_sys::Array>()
        .unwrap();
        for (i, value) in odd.iter().enumerate() {
            let book = json(
                r#"{"isbn":"9789576780004","status":"revoked","approved_effective_date":"20210301"}"#,
            );
            js_sys::Reflect::set(&book, &"revoked_effective_date".into(), &value).unwrap();
            let read = read_schema::<booktax::core::schema::Isbn, _>(JsRead::new(book));
            assert!(read.is_err(), "odd value {i}");
            let body = json(r#"{"code":0,"revoked":{},"changed":{}}"#);
            let approved = js_sys::Object::new();
            js_sys::Reflect::set(&approved, &"isbns".into(), &value).unwrap();
            js_sys::Reflect::set(&body, &"approved".into(), &approved).unwrap();
            assert!(
                read_schema::<DailyResponse, _>(JsRead::new(body)).is_err(),
                "odd list {i}"
            );
        }
    }

    #[wasm_bindgen_test]
    fn a_field_held_as_undefined_is_present_a_missing_one_is_not() {
        // `approved` must be there; held as undefined it is there, and reads as an empty list.
        let held = js_sys::Function::new_no_args(
            "return { code: 0, approved: undefined, revoked: {}, changed: {} };",
        )
        .call0(&JsValue::NULL)
        .unwrap();
        let read = read_schema::<DailyResponse, _>(JsRead::new(held)).unwrap();
        assert!(read.approved.isbns.is_empty());
        let missing = read_schema::<DailyResponse, _>(JsRead::new(json(
            r#"{"code":0,"revoked":{},"changed":{}}"#,
        )));
        assert_eq!(missing.unwrap_err().field, "approved");
    }
}
