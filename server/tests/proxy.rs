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
