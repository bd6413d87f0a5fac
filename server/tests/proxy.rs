//! Proxy mode against a second server as the upstream: appid added server-side and never revealed.

mod common;

use booktax::core::schema::{IsbnResponse, PolicyExpiryDateResponse};
use common::Server;

const SECRET: &str = "up-s3cret-appid";

#[test]
fn forwards_with_the_upstream_appid() {
    let upstream = Server::start(&["--appid", SECRET]);
    let proxy = Server::start_with_env(
        &["--upstream", &upstream.base],
        &[("BOOKTAX_UPSTREAM_APPID", SECRET)],
    );
    // No appid from the client, or a wrong one: the proxy uses its own.
    for path in [
        "/v1/announcement/isbn/9789576780004",
        "/v1/announcement/isbn/9789576780004?appid=client-guess",
    ] {
        let r = proxy.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        let isbn: IsbnResponse = r.parse();
        assert_eq!(isbn.data.isbn, "9789576780004");
        assert!(!r.body.contains(SECRET));
    }
    let p: PolicyExpiryDateResponse = proxy.get("/v1/announcement/policy_expiry_date").parse();
    assert_eq!(p.code, 0);
    // Status and empty body of a 404 pass through.
    let r = proxy.get("/v1/announcement/isbn/9780000000002");
    assert_eq!((r.status, r.body.as_str()), (404, ""));
    // The upstream's faults (here: its own error for a wrong appid) pass through too.
    assert_eq!(upstream.get("/v1/announcement/today").status, 401);
    // The page config never carries the upstream appid.
    let cfg = proxy.get("/booktax-config.json");
    assert_eq!(
        cfg.json(),
        serde_json::json!({"baseUrl":"","appid":"","sample":false})
    );
    let log = proxy.wait_log("GET /booktax-config.json 200");
    assert!(
        log.contains("GET /v1/announcement/isbn/9789576780004 200"),
        "{log}"
    );
    assert!(!log.contains(SECRET), "{log}");
    // The upstream saw the request (its own sample appid is public, so it may log it at start).
    let up_log = upstream.wait_log("GET /v1/announcement/today 401");
    assert!(
        up_log.contains("GET /v1/announcement/isbn/9789576780004 200"),
        "{up_log}"
    );
}

#[test]
fn upstream_errors_are_passed_and_scrubbed() {
    let upstream = Server::start(&["--appid", "other"]);
    let proxy = Server::start_with_env(
        &["--upstream", &upstream.base],
        &[("BOOKTAX_UPSTREAM_APPID", SECRET)],
    );
    let r = proxy.get("/v1/announcement/today");
    assert_eq!(r.status, 401, "the upstream refuses the proxy's appid");
    assert_eq!(r.json()["code"], 401);
    assert!(!r.body.contains(SECRET));
}

#[test]
fn unreachable_upstream_is_502() {
    // Take a free port and close it again.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let proxy = Server::start_with_env(
        &["--upstream", &format!("http://127.0.0.1:{port}")],
        &[("BOOKTAX_UPSTREAM_APPID", SECRET)],
    );
    let r = proxy.get("/v1/announcement/today");
    assert_eq!(r.status, 502);
    assert_eq!(
        r.json(),
        serde_json::json!({"code":502,"message":"上游服務無法連線"})
    );
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let log = proxy.wait_log("GET /v1/announcement/today 502");
    assert!(log.contains("upstream unreachable"), "{log}");
    assert!(!log.contains(SECRET), "{log}");
    assert!(!r.body.contains(SECRET));
}

#[test]
fn proxy_mode_needs_the_upstream_appid() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_booktax-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:9",
        ])
        .env_remove("BOOKTAX_UPSTREAM_APPID")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("BOOKTAX_UPSTREAM_APPID"));
}

/// A fake upstream that gives every connection the same raw answer; returns its base URL.
fn fake_upstream(answer: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut c in listener.incoming().flatten().take(8) {
            let mut head = [0u8; 4096];
            let _ = c.read(&mut head);
            let _ = c.write_all(&answer);
        }
    });
    base
}

fn proxy_to(base: &str) -> Server {
    Server::start_with_env(&["--upstream", base], &[("BOOKTAX_UPSTREAM_APPID", SECRET)])
}

#[test]
fn only_the_endpoints_with_only_the_appid() {
    let upstream = Server::start(&["--appid", SECRET]);
    let proxy = proxy_to(&upstream.base);
    let hits =
        |appid: &str| upstream.get(&format!("/__admin/hits?appid={appid}")).json()["hits"].clone();
    // The client's other parameters never reach the ministry: only the proxy's appid does.
    let r = proxy.get("/v1/announcement/isbn/9789576780004?APPID=client-a&appid=client-b&x=1");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(hits(SECRET), 1);
    assert_eq!((hits("client-a"), hits("client-b")), (0.into(), 0.into()));
    // Anything but the specification's endpoints stays here.
    for path in [
        "/v1/announcement/isbn/9789576780004;appid=x",
        "/v1/announcement/isbn/978957678000",
        "/v1/announcement/2021-03-01",
        "/v1/other",
    ] {
        assert_eq!(proxy.get(path).status, 404, "{path}");
    }
    assert_eq!(hits(SECRET), 1);
}

#[test]
fn answers_are_json_with_the_upstreams_clock() {
    let upstream = Server::start(&["--appid", SECRET]);
    upstream.set_clock("2025-03-01T10:00:00+08:00");
    let proxy = proxy_to(&upstream.base);
    let r = proxy.get("/v1/announcement/policy_expiry_date");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("date"), Some("Sat, 01 Mar 2025 02:00:00 GMT"));
    // A cached answer's Age reaches the page too.
    let aged = format!(r#"{{"appid":"{SECRET}","age_secs":100}}"#);
    assert_eq!(upstream.post("/__admin/faults", &aged).status, 200);
    let r = proxy.get("/v1/announcement/ean/8667106506069");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("age"), Some("100"));

    // An HTML page from the upstream, even as 200, is a coded JSON 502.
    let fault = format!(r#"{{"appid":"{SECRET}","malformed":"not_json"}}"#);
    assert_eq!(upstream.post("/__admin/faults", &fault).status, 200);
    let r = proxy.get("/v1/announcement/today");
    assert_eq!(r.status, 502);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(r.json()["code"], 502);
}

#[test]
fn redirects_and_oversize_bodies_are_refused() {
    let redirect = fake_upstream(
        b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n".to_vec(),
    );
    let r = proxy_to(&redirect).get("/v1/announcement/today");
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.json()["code"], 502);

    let mut big =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n\r\n["
            .to_vec();
    big.extend(std::iter::repeat_n(b'1', 40_000_000 - 2));
    big.push(b']');
    let r = proxy_to(&fake_upstream(big)).get("/v1/announcement/today");
    assert_eq!(
        r.status, 502,
        "a 40 MB answer is refused, not cut and passed as 200"
    );
}

#[test]
fn the_appid_is_scrubbed_in_every_encoding() {
    let secret = "s3cret/ap&id";
    let encoded = "s3cret%2Fap%26id";
    let body = format!(r#"{{"code":1,"message":"bad {secret} {encoded} s3cret\/ap&id"}}"#);
    let answer = format!(
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let up = fake_upstream(answer.into_bytes());
    let proxy = Server::start_with_env(&["--upstream", &up], &[("BOOKTAX_UPSTREAM_APPID", secret)]);
    let r = proxy.get("/v1/announcement/today");
    assert_eq!(r.status, 401);
    assert!(!r.body.contains("s3cret"), "{}", r.body);
}

/// A fresh directory for a proxy's disk cache, removed when dropped.
struct CacheDir(std::path::PathBuf);

impl Drop for CacheDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cache_dir(name: &str) -> CacheDir {
    CacheDir(
        std::env::temp_dir().join(format!("booktax-proxy-cache-{}-{name}", std::process::id())),
    )
}

fn upstream_hits(upstream: &Server) -> u64 {
    upstream
        .get(&format!("/__admin/hits?appid={SECRET}"))
        .json()["hits"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_past_day_is_fetched_once_and_kept_across_restarts() {
    let upstream = Server::start(&["--appid", SECRET]);
    let dir = cache_dir("past");
    let dir_arg = dir.0.to_str().unwrap().to_string();
    let first_body;
    {
        let proxy = Server::start_with_env(
            &["--upstream", &upstream.base, "--cache-dir", &dir_arg],
            &[("BOOKTAX_UPSTREAM_APPID", SECRET)],
        );
        let a = proxy.get("/v1/announcement/20210301");
        assert_eq!(a.status, 200, "{}", a.body);
        let b = proxy.get("/v1/announcement/20210301");
        assert_eq!((b.status, &b.body), (200, &a.body));
        assert!(
            b.header("age").is_some(),
            "a kept answer says how old it is"
        );
        // A past day with nothing published (New Year's Day) is kept too.
        assert_eq!(proxy.get("/v1/announcement/20220101").status, 404);
        assert_eq!(proxy.get("/v1/announcement/20220101").status, 404);
        assert_eq!(upstream_hits(&upstream), 2, "each past day asked once");
        first_body = a.body;
    }
    // A restarted proxy over the same directory asks nothing.
    let proxy = Server::start_with_env(
        &["--upstream", &upstream.base, "--cache-dir", &dir_arg],
        &[("BOOKTAX_UPSTREAM_APPID", SECRET)],
    );
    let c = proxy.get("/v1/announcement/20210301");
    assert_eq!((c.status, &c.body), (200, &first_body));
    assert_eq!(upstream_hits(&upstream), 2);
}

#[test]
fn lookups_are_kept_briefly_and_longer_in_the_busy_window() {
    let upstream = Server::start(&["--appid", SECRET]);
    // Default: five minutes.
    let proxy = proxy_to(&upstream.base);
    proxy.get("/v1/announcement/isbn/9789576780004");
    let again = proxy.get("/v1/announcement/isbn/9789576780004");
    assert_eq!(again.status, 200);
    assert!(again.header("age").is_some());
    assert_eq!(upstream_hits(&upstream), 1);

    // No reuse by day, thirty minutes in the evening window.
    let upstream = Server::start(&["--appid", SECRET]);
    let proxy = Server::start_with_env(
        &[
            "--upstream",
            &upstream.base,
            "--cache-ttl-minutes",
            "0",
            "--busy-ttl-minutes",
            "30",
        ],
        &[("BOOKTAX_UPSTREAM_APPID", SECRET)],
    );
    proxy.set_clock("2026-11-20T10:00:00+08:00");
    proxy.get("/v1/announcement/isbn/9789576780004");
    proxy.get("/v1/announcement/isbn/9789576780004");
    assert_eq!(upstream_hits(&upstream), 2, "by day every lookup asks");
    proxy.set_clock("2026-11-20T22:00:00+08:00");
    proxy.get("/v1/announcement/isbn/9789576780004");
    proxy.get("/v1/announcement/isbn/9789576780004");
    assert_eq!(
        upstream_hits(&upstream),
        3,
        "from 21:30 the cache is preferred"
    );
}

#[test]
fn errors_are_never_kept_and_impossible_days_never_asked() {
    let upstream = Server::start(&["--appid", SECRET]);
    let proxy = proxy_to(&upstream.base);
    // The upstream's own error, sent as a 200, is passed on but not kept.
    let fault = format!(r#"{{"appid":"{SECRET}","malformed":"api_error"}}"#);
    assert_eq!(upstream.post("/__admin/faults", &fault).status, 200);
    let r = proxy.get("/v1/announcement/isbn/9789576780004");
    assert_ne!(r.json()["code"], 0, "{}", r.body);
    let cleared = format!(r#"{{"appid":"{SECRET}"}}"#);
    assert_eq!(upstream.post("/__admin/faults", &cleared).status, 200);
    let r = proxy.get("/v1/announcement/isbn/9789576780004");
    assert_eq!(r.json()["code"], 0, "{}", r.body);
    assert_eq!(upstream_hits(&upstream), 1, "asked again after the error");
    // Days before the first announcement or not yet published: answered here.
    for day in ["20210106", "00010101", "20991231"] {
        assert_eq!(
            proxy.get(&format!("/v1/announcement/{day}")).status,
            404,
            "{day}"
        );
    }
    assert_eq!(upstream_hits(&upstream), 1);
}
