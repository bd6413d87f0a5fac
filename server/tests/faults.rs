//! Fault injection: failures with Retry-After, hit counts, ratios, latency, every malformed kind, reset.

mod common;

use booktax::core::schema::{DailyResponse, Envelope, IsbnResponse, PolicyExpiryDateResponse};
use common::Server;
use std::time::Instant;

fn profile(s: &Server, json: &str) {
    let r = s.post("/__admin/faults", json);
    assert_eq!(r.status, 200, "{}", r.body);
}

fn hits(s: &Server, appid: &str) -> u64 {
    s.get(&format!("/__admin/hits?appid={appid}")).json()["hits"]
        .as_u64()
        .unwrap()
}

#[test]
fn fails_twice_then_serves() {
    let s = Server::start(&[]);
    profile(
        &s,
        r#"{"appid":"t-retry-1","latency_ms":0,"fail_status":503,"fail_count":2,"fail_ratio":0.0,"retry_after":"1","malformed":null}"#,
    );
    let path = "/v1/announcement/isbn/9789576780004?appid=t-retry-1";
    for _ in 0..2 {
        let r = s.get(path);
        assert_eq!(r.status, 503);
        assert_eq!(r.header("retry-after"), Some("1"));
        assert_eq!(
            r.header("access-control-expose-headers"),
            Some("Retry-After, Date, Age")
        );
        let v = r.json();
        assert_eq!(v["code"], 503);
        assert!(v["message"].is_string());
    }
    let r = s.get(path);
    assert_eq!(r.status, 200);
    let _: IsbnResponse = r.parse();
    assert_eq!(hits(&s, "t-retry-1"), 3);
    assert_eq!(hits(&s, "never-used"), 0);
    // Other appids are not affected.
    assert_eq!(s.api("isbn/9789576780004").status, 200);
}

#[test]
fn status_without_retry_after_and_ratio() {
    let s = Server::start(&[]);
    profile(&s, r#"{"appid":"t-500","fail_status":500,"fail_count":1}"#);
    let r = s.get("/v1/announcement/today?appid=t-500");
    assert_eq!(r.status, 500);
    assert_eq!(r.header("retry-after"), None);
    profile(&s, r#"{"appid":"t-all","fail_ratio":1.0}"#);
    for _ in 0..3 {
        assert_eq!(
            s.get("/v1/announcement/policy_expiry_date?appid=t-all")
                .status,
            503
        );
    }
    profile(&s, r#"{"appid":"t-half","fail_ratio":0.5}"#);
    let fails = (0..40)
        .filter(|_| {
            s.get("/v1/announcement/policy_expiry_date?appid=t-half")
                .status
                == 503
        })
        .count();
    assert!((5..35).contains(&fails), "{fails}");
    assert_eq!(hits(&s, "t-half"), 40);
}

#[test]
fn latency_is_added() {
    let s = Server::start(&[]);
    profile(&s, r#"{"appid":"t-slow","latency_ms":300}"#);
    let t = Instant::now();
    assert_eq!(
        s.get("/v1/announcement/policy_expiry_date?appid=t-slow")
            .status,
        200
    );
    assert!(t.elapsed().as_millis() >= 300);
}

#[test]
fn malformed_kinds() {
    let s = Server::start(&[]);
    for kind in [
        "not_json",
        "truncated",
        "wrong_type",
        "missing_field",
        "api_error",
    ] {
        let appid = format!("t-{kind}");
        profile(
            &s,
            &format!(r#"{{"appid":"{appid}","malformed":"{kind}"}}"#),
        );
        let isbn = s.get(&format!(
            "/v1/announcement/isbn/9789576780004?appid={appid}"
        ));
        assert_eq!(isbn.status, 200, "{kind}");
        let parsed = serde_json::from_str::<IsbnResponse>(&isbn.body);
        match kind {
            "not_json" => {
                assert!(
                    isbn.header("content-type")
                        .unwrap()
                        .starts_with("text/html")
                );
                assert!(serde_json::from_str::<serde_json::Value>(&isbn.body).is_err());
            }
            "truncated" => {
                assert!(serde_json::from_str::<serde_json::Value>(&isbn.body).is_err());
                assert!(isbn.body.starts_with("{\"code\":0"));
            }
            "wrong_type" => {
                assert_eq!(isbn.json()["code"], "zero");
                assert!(parsed.is_err());
            }
            "missing_field" => {
                assert!(isbn.json().get("data").is_none());
                assert!(parsed.is_err());
                let daily = s.get(&format!("/v1/announcement/20210226?appid={appid}"));
                assert!(daily.json().get("approved").is_none());
                assert!(serde_json::from_str::<DailyResponse>(&daily.body).is_err());
            }
            "api_error" => {
                let e: Envelope = isbn.parse();
                assert_eq!(e.code, 1001);
                let p = s.get(&format!(
                    "/v1/announcement/policy_expiry_date?appid={appid}"
                ));
                assert_eq!(p.parse::<PolicyExpiryDateResponse>().code, 1001);
            }
            _ => unreachable!(),
        }
    }
    assert_eq!(
        s.post("/__admin/faults", r#"{"appid":"x","malformed":"odd"}"#)
            .status,
        400
    );
}

#[test]
fn reset_clears_everything() {
    let s = Server::start(&[]);
    profile(&s, r#"{"appid":"t-reset","fail_count":5}"#);
    assert_eq!(s.get("/v1/announcement/today?appid=t-reset").status, 503);
    s.set_clock("2025-06-10T12:00:00+08:00");
    s.post("/__admin/policy", r#"{"policy_expiry_date":"20261201"}"#);
    assert_eq!(s.post("/__admin/reset", "").status, 200);
    assert_eq!(s.get("/v1/announcement/today?appid=t-reset").status, 401);
    assert_eq!(
        hits(&s, "t-reset"),
        1,
        "counted again from zero after the reset"
    );
    assert_eq!(
        s.api("policy_expiry_date").json()["policy_expiry_date"],
        "20310228"
    );
    // Back on real time: tomorrow-of-2025 is long published.
    assert_eq!(s.api("20250611").status, 200);
}
