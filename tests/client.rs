//! Browser tests of `BookTaxClient` against the running local announcement service (URL from `BOOKTAX_TEST_URL`).
//!
//! `cargo xtask test` starts `booktax-server --test-admin` and compiles these
//! tests with its address, as gloo-net's own tests take their server's URL.
//! Without it (a bare `wasm-pack test`), each test says it was skipped; with
//! `BOOKTAX_TEST_REQUIRED` set (as `cargo xtask test` does) a missing URL fails.
#![cfg(target_arch = "wasm32")]

use booktax::shell::client_js::BookTaxClient;
use booktax::shell::decide::taipei_date;
use booktax::shell::timer::sleep;
use gloo_net::http::Request;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod common;
use common::{ADMIN_TOKEN, admin_post, json, server, text};

wasm_bindgen_test_configure!(run_in_browser);

const SAMPLE_APPID: &str = "booktax-sample";

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap()
}

fn client(base: &str, appid: &str, extra: &str) -> BookTaxClient {
    BookTaxClient::new(json(&format!(
        r#"{{"baseUrl":"{base}","appid":"{appid}"{extra}}}"#
    )))
    .unwrap_or_else(|_| panic!("client options"))
}

async fn resolve(promise: js_sys::Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

/// The rejection's `code`, and its message.
async fn rejected(promise: js_sys::Promise) -> (String, String) {
    let error = resolve(promise).await.expect_err("should have rejected");
    assert!(error.is_instance_of::<js_sys::Error>());
    (text(&error, "code"), text(&error, "message"))
}

/// GETs a test-admin endpoint's JSON.
async fn admin_get(base: &str, path: &str) -> JsValue {
    let response = Request::get(&format!("{base}/__admin/{path}"))
        .header("x-booktax-admin-token", ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(response.ok(), "admin {path}: {}", response.status());
    json(&response.text().await.unwrap())
}

/// Registers a fault profile for `appid` (which also makes it a valid appid).
async fn faults(base: &str, profile: &str) {
    admin_post(base, "faults", profile).await;
}

async fn hits(base: &str, appid: &str) -> f64 {
    let body = admin_get(base, &format!("hits?appid={appid}")).await;
    get(&body, "hits").as_f64().unwrap()
}

async fn fixture(base: &str, name: &str) -> String {
    let code = text(&admin_get(base, "fixtures").await, name);
    assert_eq!(code.len(), 13, "fixture {name}");
    code
}

#[wasm_bindgen_test]
async fn policy_expiry_date() {
    let Some(base) = server() else { return };
    let date = resolve(client(base, SAMPLE_APPID, "").policy_expiry_date())
        .await
        .unwrap();
    assert_eq!(date.as_string().as_deref(), Some("20310228"));
}

#[wasm_bindgen_test]
async fn daily_announcements() {
    let Some(base) = server() else { return };
    let c = client(base, SAMPLE_APPID, "");
    let day = resolve(c.daily("20210301".into())).await.unwrap();
    assert_eq!(get(&day, "code").as_f64(), Some(0.0));
    let approved: js_sys::Array = get(&get(&day, "approved"), "isbns").into();
    assert!(approved.length() > 0, "approvals announced on 2021-03-01");
    let first = approved.get(0);
    assert_eq!(text(&first, "isbn").len(), 13);
    assert!(get(&get(&day, "revoked"), "eans").is_instance_of::<js_sys::Array>());
    assert_eq!(text(&day, "policy_expiry_date"), "20310228");

    // New Year's Day has no announcement in the sample.
    let (code, message) = rejected(c.daily("20220101".into())).await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("not_found", "該日尚無公告")
    );

    // today: announced every day but New Year's Day.
    let today = taipei_date(JsValue::UNDEFINED).unwrap_or_default();
    match resolve(c.today()).await {
        Ok(list) => assert_eq!(get(&list, "code").as_f64(), Some(0.0)),
        Err(e) => {
            assert!(
                today.ends_with("0101"),
                "today ({today}) has an announcement"
            );
            assert_eq!(text(&e, "code"), "not_found");
        }
    }
}

#[wasm_bindgen_test]
async fn dates_out_of_range_are_refused_before_asking() {
    let Some(base) = server() else { return };
    faults(base, r#"{"appid":"t-range"}"#).await;
    let c = client(base, "t-range", "");
    assert_eq!(rejected(c.daily("20210106".into())).await.0, "bad_date");
    assert_eq!(rejected(c.daily("20991231".into())).await.0, "bad_date");
    assert_eq!(rejected(c.daily("2021-03-01".into())).await.0, "bad_date");
    assert_eq!(hits(base, "t-range").await, 0.0, "no request was sent");
    resolve(c.daily("20210107".into())).await.unwrap();
    assert_eq!(hits(base, "t-range").await, 1.0);
}

#[wasm_bindgen_test]
async fn isbn_and_ean_records() {
    let Some(base) = server() else { return };
    let c = client(base, SAMPLE_APPID, "");
    let book = resolve(c.isbn("978-957-678-000-4".into())).await.unwrap();
    assert_eq!(text(&book, "title"), "國立中央圖書館讀者指引");
    assert_eq!(text(&book, "status"), "approved");
    assert_eq!(text(&book, "kind"), "實體");
    assert_eq!(text(&book, "approved_effective_date"), "20210301");

    let set = resolve(c.ean("8667106506069".into())).await.unwrap();
    let isbns: js_sys::Array = get(&set, "isbns").into();
    assert_eq!(isbns.length(), 6);
    assert_eq!(text(&set, "status"), "created");

    // A valid code the service does not list.
    let (code, message) = rejected(c.isbn("9789999999991".into())).await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("not_found", "不在文化部認可公告清單中")
    );
    assert_eq!(
        rejected(c.isbn("9789576780005".into())).await.0,
        "bad_checksum"
    );
}

#[wasm_bindgen_test]
async fn lookup_decides() {
    let Some(base) = server() else { return };
    let c = client(base, SAMPLE_APPID, "");
    let r = resolve(c.lookup("9576780004".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(text(&r, "code"), "9789576780004");
    assert_eq!(text(&r, "kind"), "isbn");
    assert_eq!(text(&r, "policyExpiryDate"), "20310228");
    assert_eq!(text(&get(&r, "decision"), "verdict"), "exempt");
    assert_eq!(text(&get(&r, "record"), "publisher"), "中央圖書館");

    let revoked = fixture(base, "revoked").await;
    let r = resolve(c.lookup(
        revoked.clone().into(),
        json(r#"{"at":"2024-12-31T15:59:59Z"}"#),
    ))
    .await
    .unwrap();
    assert_eq!(text(&get(&r, "decision"), "verdict"), "exempt");
    let r = resolve(c.lookup(revoked.into(), json(r#"{"at":"2024-12-31T16:00:00Z"}"#)))
        .await
        .unwrap();
    assert_eq!(text(&get(&r, "decision"), "reason"), "revoked");

    let r = resolve(c.lookup("9789999999991".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(text(&get(&r, "decision"), "verdict"), "taxable");
    assert_eq!(text(&get(&r, "decision"), "reason"), "not_listed");
    assert!(get(&r, "record").is_null());

    let mixed = fixture(base, "ean_mixed").await;
    let r = resolve(c.lookup(mixed.into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(text(&r, "kind"), "ean");
    let d = get(&r, "decision");
    assert_eq!(text(&d, "reason"), "component_taxable");
    let items: js_sys::Array = get(&d, "items").into();
    assert!(items.length() >= 2);

    let (code, _) = rejected(c.lookup("ISBN 12".into(), JsValue::UNDEFINED)).await;
    assert_eq!(code, "bad_length");
    let (code, _) = rejected(c.lookup("9789576780004".into(), json(r#"{"format":"audio"}"#))).await;
    assert_eq!(code, "bad_option");
}

#[wasm_bindgen_test]
async fn a_wrong_appid_is_an_api_error_that_does_not_repeat_it() {
    let Some(base) = server() else { return };
    let c = client(base, "wrong-appid-7Q", "");
    let (code, message) = rejected(c.isbn("9789576780004".into())).await;
    assert_eq!(code, "api_error");
    assert!(!message.contains("wrong-appid-7Q"), "{message}");
    let c = client(base, "", "");
    assert_eq!(rejected(c.policy_expiry_date()).await.0, "api_error");
}

#[wasm_bindgen_test]
async fn result_code_not_zero() {
    let Some(base) = server() else { return };
    faults(base, r#"{"appid":"t-api-error","malformed":"api_error"}"#).await;
    let (code, message) =
        rejected(client(base, "t-api-error", "").isbn("9789576780004".into())).await;
    assert_eq!(code, "api_error");
    assert!(message.contains("1001"), "{message}");
    assert_eq!(
        hits(base, "t-api-error").await,
        1.0,
        "an API error is not retried"
    );
}

#[wasm_bindgen_test]
async fn retries_after_injected_503s() {
    let Some(base) = server() else { return };
    faults(
        base,
        r#"{"appid":"t-retry","fail_status":503,"fail_count":2}"#,
    )
    .await;
    let book = resolve(client(base, "t-retry", "").isbn("9789576780004".into()))
        .await
        .unwrap();
    assert_eq!(text(&book, "isbn"), "9789576780004");
    assert_eq!(
        hits(base, "t-retry").await,
        3.0,
        "two 503s, then the answer"
    );

    faults(
        base,
        r#"{"appid":"t-retry-after","fail_status":429,"fail_count":1,"retry_after":"1"}"#,
    )
    .await;
    resolve(client(base, "t-retry-after", "").isbn("9789576780004".into()))
        .await
        .unwrap();
    assert_eq!(hits(base, "t-retry-after").await, 2.0);

    faults(
        base,
        r#"{"appid":"t-down","fail_status":503,"fail_count":100}"#,
    )
    .await;
    let (code, message) = rejected(client(base, "t-down", "").isbn("9789576780004".into())).await;
    assert_eq!(code, "http_error");
    assert!(message.contains("503"));
    assert_eq!(hits(base, "t-down").await, 4.0, "one try and three retries");

    // A Retry-After longer than a clerk can wait ends the retries.
    faults(
        base,
        r#"{"appid":"t-long-wait","fail_status":503,"fail_count":100,"retry_after":"120"}"#,
    )
    .await;
    rejected(client(base, "t-long-wait", "").isbn("9789576780004".into())).await;
    assert_eq!(hits(base, "t-long-wait").await, 1.0);
}

#[wasm_bindgen_test]
async fn timeout() {
    let Some(base) = server() else { return };
    faults(base, r#"{"appid":"t-slow","latency_ms":2000}"#).await;
    let c = client(base, "t-slow", r#","timeoutMs":300,"retries":1"#);
    let (code, message) = rejected(c.isbn("9789576780004".into())).await;
    assert_eq!(code, "timeout");
    assert!(message.contains("逾時"), "{message}");
    assert_eq!(hits(base, "t-slow").await, 2.0, "a timeout is retried");
}

#[wasm_bindgen_test]
async fn malformed_bodies_say_which_field() {
    let Some(base) = server() else { return };
    for (kind, field) in [
        ("not_json", "(body)"),
        ("truncated", "(body)"),
        ("wrong_type", "code"),
        ("missing_field", "data"),
    ] {
        let appid = format!("t-bad-{kind}");
        faults(
            base,
            &format!(r#"{{"appid":"{appid}","malformed":"{kind}"}}"#),
        )
        .await;
        let (code, message) = rejected(client(base, &appid, "").isbn("9789576780004".into())).await;
        assert_eq!(code, "malformed", "{kind}: {message}");
        assert!(message.contains("欄位"), "{kind}: {message}");
        assert!(message.contains(field), "{kind} names {field}: {message}");
        assert_eq!(hits(base, &appid).await, 1.0, "{kind} is not retried");
    }
}

#[wasm_bindgen_test]
async fn network_failure() {
    if server().is_none() {
        return;
    }
    // Nothing listens on port 9 of this machine.
    let c = client("http://127.0.0.1:9", "secret-appid-3", r#","retries":1"#);
    let (code, message) = rejected(c.isbn("9789576780004".into())).await;
    assert_eq!(code, "network");
    assert!(!message.contains("secret-appid-3"));
    let r = resolve(c.lookup("9789576780004".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    let d = get(&r, "decision");
    assert_eq!(
        (text(&d, "verdict").as_str(), text(&d, "reason").as_str()),
        ("unknown", "lookup_failed")
    );
    assert!(text(&d, "message").contains("請以應稅處理"));
    assert_eq!(text(&get(&r, "error"), "code"), "network");
}

/// Sets the service's clock (`None`: real time again).
async fn set_clock(base: &str, now: Option<&str>) {
    let body = match now {
        Some(now) => format!(r#"{{"now":"{now}"}}"#),
        None => r#"{"now":null}"#.to_string(),
    };
    admin_post(base, "clock", &body).await;
}

#[wasm_bindgen_test]
async fn a_wrong_device_clock_cannot_make_a_book_exempt() {
    let Some(base) = server() else { return };
    // Approved 2021-05-01, revoked from 2025-01-01; this browser's clock says today (2026 or later).
    let revoked = fixture(base, "revoked").await;
    let c = client(base, SAMPLE_APPID, "");
    set_clock(base, Some("2024-12-31T12:00:00+08:00")).await;
    let before = resolve(c.lookup(revoked.clone().into(), JsValue::UNDEFINED)).await;
    set_clock(base, Some("2025-01-01T12:00:00+08:00")).await;
    let after = resolve(c.lookup(revoked.into(), JsValue::UNDEFINED)).await;
    set_clock(base, None).await;
    let (before, after) = (before.unwrap(), after.unwrap());
    // The service's day says exempt, the device's (2026 or later) revoked: the clocks
    // disagree and the less favourable verdict stands; revoked on both days is plain revoked.
    assert_eq!(text(&get(&before, "decision"), "verdict"), "taxable");
    assert_eq!(text(&get(&before, "decision"), "reason"), "clocks_disagree");
    assert_eq!(text(&get(&after, "decision"), "reason"), "revoked");
    let skew = get(&before, "clockSkewSeconds").as_f64().unwrap_or(0.0);
    assert!(
        skew < -300.0 * 86_400.0,
        "the device is far ahead of the service: {skew}"
    );

    // With the clocks agreeing there is nothing to report.
    let r = resolve(c.lookup("9789576780004".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert!(get(&r, "clockSkewSeconds").is_undefined());
}

/// `{ signal }` for a lookup.
fn with_signal(signal: &web_sys::AbortSignal) -> JsValue {
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"signal".into(), signal).unwrap();
    opts.into()
}

#[wasm_bindgen_test]
async fn a_cancelled_lookup_stops_asking() {
    let Some(base) = server() else { return };
    // Every answer is a 503 asking for a 1 s wait: without the abort, a retry would follow.
    faults(
        base,
        r#"{"appid":"t-abort","fail_status":503,"fail_count":100,"retry_after":"1"}"#,
    )
    .await;
    let c = client(base, "t-abort", "");
    let controller = web_sys::AbortController::new().unwrap();
    let pending = c.lookup("9789576780004".into(), with_signal(&controller.signal()));
    sleep(300, None).await.unwrap();
    controller.abort();
    let (code, _) = rejected(pending).await;
    assert_eq!(code, "aborted");
    sleep(1_500, None).await.unwrap();
    assert_eq!(hits(base, "t-abort").await, 1.0, "no retry after the abort");

    // A signal aborted before the call asks nothing at all.
    faults(base, r#"{"appid":"t-abort-early"}"#).await;
    let c = client(base, "t-abort-early", "");
    let (code, _) =
        rejected(c.lookup("9789576780004".into(), with_signal(&controller.signal()))).await;
    assert_eq!(code, "aborted");
    assert_eq!(hits(base, "t-abort-early").await, 0.0);
}

#[wasm_bindgen_test]
async fn a_lookup_cancelled_while_its_request_is_in_flight_rejects_as_aborted() {
    let Some(base) = server() else { return };
    // The answer takes 1 s; the abort comes while the fetch is still waiting for it.
    // (An abort listener that passed its Event on as the abort reason made fetch reject
    // with a non-Error, which the fetch wrapper could not read.)
    faults(base, r#"{"appid":"t-abort-flight","latency_ms":1000}"#).await;
    let c = client(base, "t-abort-flight", "");
    let controller = web_sys::AbortController::new().unwrap();
    let pending = c.lookup("9789576780004".into(), with_signal(&controller.signal()));
    sleep(200, None).await.unwrap();
    controller.abort();
    let (code, _) = rejected(pending).await;
    assert_eq!(code, "aborted");
    // The client still works afterwards.
    faults(base, r#"{"appid":"t-abort-flight"}"#).await;
    let answer = resolve(c.lookup("9789576780004".into(), JsValue::UNDEFINED))
        .await
        .expect("a later lookup");
    assert_eq!(text(&answer, "code"), "9789576780004");
}

/// The Taipei day (`YYYYMMDD`) and an RFC 3339 instant, `days` from now by this device's clock.
fn days_from_now(days: f64) -> (String, String) {
    let at = js_sys::Date::new(&JsValue::from_f64(
        js_sys::Date::now() + days * 86_400_000.0,
    ));
    let day = taipei_date(at.clone().into()).unwrap_or_else(|_| panic!("a date"));
    (day, String::from(at.to_iso_string()))
}

#[wasm_bindgen_test]
async fn a_stale_date_with_or_without_age_never_makes_a_book_exempt() {
    let Some(base) = server() else { return };
    // The policy ended 5 days ago by this (right) device clock; the answers' Date says 19 days ago.
    let (policy_end, _) = days_from_now(-5.0);
    let (_, stale) = days_from_now(-19.0);
    admin_post(
        base,
        "policy",
        &format!(r#"{{"policy_expiry_date":"{policy_end}"}}"#),
    )
    .await;
    set_clock(base, Some(&stale)).await;
    let mut verdicts = Vec::new();
    for age in ["", r#","age_secs":1641600"#] {
        let appid = format!("t-stale{}", age.len());
        faults(base, &format!(r#"{{"appid":"{appid}"{age}}}"#)).await;
        let r =
            resolve(client(base, &appid, "").lookup("9789576780004".into(), JsValue::UNDEFINED))
                .await;
        verdicts.push(r.map(|r| {
            (
                text(&get(&r, "decision"), "verdict"),
                text(&get(&r, "decision"), "reason"),
            )
        }));
    }
    set_clock(base, None).await;
    admin_post(base, "policy", r#"{"policy_expiry_date":null}"#).await;
    let verdicts: Vec<(String, String)> = verdicts.into_iter().map(Result::unwrap).collect();
    // Without Age the two clocks fall on different days: the less favourable one stands.
    assert_eq!(
        verdicts[0],
        ("taxable".to_string(), "clocks_disagree".to_string())
    );
    // With Age (19 days in a cache) the service's time is now: the policy has ended.
    assert_eq!(
        verdicts[1],
        ("taxable".to_string(), "policy_expired".to_string())
    );
}
