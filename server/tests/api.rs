//! The announcement API's endpoints: shapes, appid checks, 404s, the 21:30 publishing rule, fixtures.

mod common;

use booktax::core::code::{CodeKind, read_code};
use booktax::core::schema::{
    BookKind, CaseType, DailyResponse, DateField, EanResponse, EanStatus, IsbnResponse, IsbnStatus,
    PolicyExpiryDateResponse,
};
use booktax::core::taipei::parse_yyyymmdd;
use common::Server;
use std::collections::BTreeMap;

const ISBN_KEYS: [&str; 9] = [
    "approved_effective_date",
    "include_ebook",
    "isbn",
    "kind",
    "publisher",
    "revoked_effective_date",
    "status",
    "title",
    "type",
];

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn fixtures(s: &Server) -> BTreeMap<String, String> {
    let r = s.get("/__admin/fixtures");
    assert_eq!(r.status, 200);
    r.parse()
}

#[test]
fn policy_expiry_date_shape() {
    let s = Server::start(&[]);
    let r = s.api("policy_expiry_date");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v = r.json();
    assert_eq!(keys(&v), ["code", "message", "policy_expiry_date"]);
    assert_eq!(v["code"], 0);
    let p: PolicyExpiryDateResponse = r.parse();
    assert_eq!(p.policy_expiry_date, DateField::parse("20310228"));

    let r = s.post("/__admin/policy", r#"{"policy_expiry_date":"20261201"}"#);
    assert_eq!(r.status, 200);
    assert_eq!(
        s.api("policy_expiry_date").json()["policy_expiry_date"],
        "20261201"
    );
    s.post("/__admin/policy", r#"{"policy_expiry_date":null}"#);
    assert_eq!(
        s.api("policy_expiry_date").json()["policy_expiry_date"],
        "20310228"
    );
}

#[test]
fn policy_flag_and_appid_flag() {
    let s = Server::start(&["--policy-expiry", "20260228", "--appid", "mine"]);
    assert_eq!(
        s.api("policy_expiry_date").status,
        401,
        "the default appid is replaced"
    );
    let r = s.get("/v1/announcement/policy_expiry_date?appid=mine");
    assert_eq!(r.json()["policy_expiry_date"], "20260228");
    let cfg = s.get("/booktax-config.json").json();
    assert_eq!(
        cfg,
        serde_json::json!({"baseUrl":"","appid":"mine","sample":true})
    );
}

#[test]
fn isbn_shape_and_spec_example() {
    let s = Server::start(&[]);
    let r = s.api("isbn/9789576780004");
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(keys(&v), ["code", "data", "message"]);
    assert_eq!(keys(&v["data"]), ISBN_KEYS);
    assert_eq!(v["data"]["type"], "本國");
    let isbn: IsbnResponse = r.parse();
    assert_eq!(isbn.code, 0);
    let d = isbn.data;
    assert_eq!(d.isbn, "9789576780004");
    assert_eq!(d.title.as_deref(), Some("國立中央圖書館讀者指引"));
    assert_eq!(d.publisher.as_deref(), Some("中央圖書館"));
    assert_eq!(d.kind, Some(BookKind::Physical));
    assert_eq!(d.case_type, Some(CaseType::Domestic));
    assert_eq!(d.include_ebook, Some(true));
    assert_eq!(d.status, Some(IsbnStatus::Approved));
    assert_eq!(d.approved_effective_date, DateField::parse("20210301"));
    assert_eq!(d.revoked_effective_date, DateField::Absent);
    let path: IsbnResponse = s.api("isbn/9789860477221").parse();
    assert_eq!(
        path.data.approved_effective_date,
        DateField::parse("20210301")
    );
}

#[test]
fn ean_shape() {
    let s = Server::start(&[]);
    let r = s.api("ean/8667106506069");
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(keys(&v), ["code", "data", "message"]);
    assert_eq!(
        keys(&v["data"]),
        ["created_date", "ean", "isbns", "status", "title"]
    );
    assert_eq!(keys(&v["data"]["isbns"][0]), ISBN_KEYS);
    let e: EanResponse = r.parse();
    assert_eq!(
        e.data.title.as_deref(),
        Some("地中海六部曲套書 經典收藏書盒紀念版")
    );
    assert_eq!(e.data.status, Some(EanStatus::Created));
    assert_eq!(e.data.created_date, DateField::parse("20210301"));
    let items = e.data.isbns.unwrap();
    assert_eq!(items.len(), 6);
    assert!(items.iter().all(|i| i.status == Some(IsbnStatus::Approved)));

    let f = fixtures(&s);
    let deleted: EanResponse = s.api(&format!("ean/{}", f["ean_deleted"])).parse();
    assert_eq!(deleted.data.status, Some(EanStatus::Deleted));
    assert_eq!(deleted.data.deleted_date, DateField::parse("20240101"));
    let mixed: EanResponse = s.api(&format!("ean/{}", f["ean_mixed"])).parse();
    let statuses: Vec<_> = mixed
        .data
        .isbns
        .unwrap()
        .into_iter()
        .map(|i| i.status)
        .collect();
    assert!(statuses.contains(&Some(IsbnStatus::Applying)));
    assert!(statuses.contains(&Some(IsbnStatus::Approved)));
}

#[test]
fn daily_shape_and_days() {
    let s = Server::start(&[]);
    let r = s.api("20210226");
    assert_eq!(
        r.status, 200,
        "spec_example is announced three days before 20210301"
    );
    let v = r.json();
    assert_eq!(
        keys(&v),
        [
            "approved",
            "changed",
            "code",
            "message",
            "policy_expiry_date",
            "revoked"
        ]
    );
    for list in ["approved", "revoked", "changed"] {
        assert_eq!(keys(&v[list]), ["eans", "isbns"], "{list}");
    }
    let d: DailyResponse = r.parse();
    assert!(d.approved.isbns.iter().any(|i| i.isbn == "9789576780004"));
    assert_eq!(d.policy_expiry_date, DateField::parse("20310228"));
    let ean_day: DailyResponse = s.api("20210228").parse();
    let ean = &ean_day
        .approved
        .eans
        .iter()
        .find(|e| e.ean == "8667106506069")
        .unwrap();
    assert_eq!(
        keys(&serde_json::to_value(ean).unwrap()),
        ["ean", "isbns", "title"]
    );

    // The first day, an ordinary day, and every kind of missing day.
    for (date, status) in [
        ("20210107", 200),
        ("20250102", 200),
        ("20210106", 404),
        ("20200301", 404),
        ("20220101", 404),
        ("20250101", 404),
        ("20991231", 404),
        ("20210230", 404),
        ("2021-03-01", 404),
    ] {
        let r = s.api(date);
        assert_eq!(r.status, status, "{date}");
        if status == 404 {
            assert!(r.body.is_empty(), "{date}: {}", r.body);
        }
    }
    // Generated records are found by their own code, and say they are samples.
    let day: DailyResponse = s.api("20230315").parse();
    let first = &day.approved.isbns[0];
    assert!(first.title.as_deref().unwrap().contains("樣本資料"));
    let again: IsbnResponse = s.api(&format!("isbn/{}", first.isbn)).parse();
    assert_eq!(&again.data, first);
}

#[test]
fn today_follows_the_clock() {
    let s = Server::start(&[]);
    s.set_clock("2025-06-10T12:00:00+08:00");
    let today: DailyResponse = s.api("today").parse();
    let dated: DailyResponse = s.api("20250610").parse();
    assert_eq!(today, dated);
    s.set_clock("2025-01-01T12:00:00+08:00");
    assert_eq!(
        s.api("today").status,
        404,
        "nothing is published on January 1st"
    );
}

#[test]
fn publishing_at_2130_taipei() {
    let s = Server::start(&[]);
    s.set_clock("2025-06-10T21:29:59+08:00");
    assert_eq!(s.api("20250611").status, 404);
    assert_eq!(s.api("20250610").status, 200);
    s.set_clock("2025-06-10T21:30:00+08:00");
    let r = s.api("20250611");
    assert_eq!(r.status, 200);
    // The Date header follows the server's clock, so a page can tell a wrong till clock.
    assert_eq!(r.header("date"), Some("Tue, 10 Jun 2025 13:30:00 GMT"));
    assert_eq!(s.api("20250612").status, 404);
    // The same instant written in UTC.
    s.set_clock("2025-06-10T13:29:59Z");
    assert_eq!(s.api("20250611").status, 404);
    let r = s.post("/__admin/clock", r#"{"now":null}"#);
    assert_eq!(r.status, 200);
    assert_eq!(s.api("20250611").status, 200, "real time is long past");
    assert_eq!(s.post("/__admin/clock", r#"{"now":"soon"}"#).status, 400);
}

#[test]
fn appid_missing_or_wrong() {
    let s = Server::start(&[]);
    for path in [
        "/v1/announcement/today",
        "/v1/announcement/isbn/9789576780004?appid=wrong",
        "/v1/announcement/policy_expiry_date?apid=booktax-sample",
        "/v1/announcement/ean/8667106506069?appid=",
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 401, "{path}");
        let v = r.json();
        assert_eq!(v["code"], 401);
        assert!(v["message"].as_str().unwrap().contains("appid"));
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    }
}

#[test]
fn unknown_and_malformed_codes() {
    let s = Server::start(&[]);
    for path in [
        "isbn/9780000000002",
        "isbn/9789576780005",
        "ean/4710000000001",
    ] {
        let r = s.api(path);
        assert_eq!((r.status, r.body.as_str()), (404, ""), "{path}");
    }
    for path in [
        "isbn/978957678000",
        "isbn/97895767800041",
        "isbn/978957678000X",
        "ean/abc",
    ] {
        let r = s.api(path);
        assert_eq!(r.status, 400, "{path}");
        assert_eq!(r.json()["code"], 400);
    }
    assert_eq!(s.api("nothing/here").status, 404);
}

#[test]
fn fixtures_are_valid_and_as_named() {
    let s = Server::start(&[]);
    s.set_clock("2026-11-23T10:00:00+08:00");
    let f = fixtures(&s);
    assert!(f.len() >= 20);
    for (name, code) in &f {
        let c = read_code(code).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&c.code, code);
        let want = if name.starts_with("ean_") && !name.starts_with("ean_spec_book") {
            CodeKind::Ean
        } else {
            CodeKind::Isbn
        };
        assert_eq!(c.kind, want, "{name}");
        let path = if want == CodeKind::Ean { "ean" } else { "isbn" };
        assert_eq!(s.api(&format!("{path}/{code}")).status, 200, "{name}");
    }
    assert_eq!(f["spec_example"], "9789576780004");
    assert_eq!(f["spec_isbn_path"], "9789860477221");
    assert_eq!(f["ean_spec"], "8667106506069");
    let get = |name: &str| -> (IsbnResponse, serde_json::Value) {
        let r = s.api(&format!("isbn/{}", f[name]));
        (r.parse(), r.json())
    };
    let status = |name: &str| get(name).0.data.status;
    for name in [
        "approved",
        "approved_with_ebook",
        "ebook",
        "imported",
        "hostile",
        "not_yet_effective",
    ] {
        assert_eq!(status(name), Some(IsbnStatus::Approved), "{name}");
    }
    assert_eq!(status("revoked"), Some(IsbnStatus::Revoked));
    assert_eq!(status("applying"), Some(IsbnStatus::Applying));
    assert_eq!(status("expired"), Some(IsbnStatus::Expired));
    assert_eq!(
        status("unknown_status"),
        Some(IsbnStatus::Other("suspended".into()))
    );
    assert_eq!(get("missing_status").1["data"]["status"], "");
    assert_eq!(
        get("invalid_date").1["data"]["approved_effective_date"],
        "20210230"
    );
    assert_eq!(get("approved").0.data.include_ebook, Some(false));
    assert_eq!(get("approved_with_ebook").0.data.include_ebook, Some(true));
    assert_eq!(get("ebook").0.data.kind, Some(BookKind::Ebook));
    assert_eq!(get("imported").0.data.case_type, Some(CaseType::Imported));
    let revoked = get("revoked").0.data;
    assert_eq!(revoked.revoked_effective_date, DateField::parse("20250101"));
    assert_eq!(
        revoked.approved_effective_date,
        DateField::parse("20210501")
    );
    let day = |s: &str| DateField::Date(parse_yyyymmdd(s).unwrap());
    assert_eq!(
        get("not_yet_effective").0.data.approved_effective_date,
        day("20261223")
    );
    assert_eq!(
        get("revoking_soon").0.data.revoked_effective_date,
        day("20261203")
    );
    let hostile = get("hostile").0.data;
    assert_eq!(
        hostile.title.as_deref(),
        Some("<img src=x onerror=\"window.__xss=1\">")
    );
    assert_eq!(
        hostile.publisher.as_deref(),
        Some("<script>window.__xss=2</script>")
    );
    let future: EanResponse = s.api(&format!("ean/{}", f["ean_future"])).parse();
    assert_eq!(future.data.created_date, day("20261213"));
}

#[test]
fn admin_is_off_without_the_flag() {
    let s = Server::start_without_admin(&[]);
    assert_eq!(s.get("/__admin/fixtures").status, 404);
    let r = s.post("/__admin/faults", r#"{"appid":"t-off"}"#);
    assert_eq!(r.status, 404);
    assert_eq!(s.get("/v1/announcement/today?appid=t-off").status, 401);
    assert_eq!(s.api("isbn/9789576780004").status, 200);
}
