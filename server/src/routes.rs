//! HTTP handling: routing, appid checks, the API answers, admin endpoints, static files and common headers.

use crate::clock::{Clock, parse_instant, published_through, taipei_date};
use crate::config::Config;
use crate::faults::{Action, AdminState, Profile, decide, malform};
use crate::files;
use crate::proxy;
use crate::query::{param, split_target};
use crate::sample::{FIXTURE_EANS, FIXTURE_ISBNS};
use crate::store::{Store, View};
use booktax::core::schema::{EanResponse, IsbnResponse, PolicyExpiryDateResponse};
use booktax::core::taipei::parse_yyyymmdd;
use serde::Serialize;
use std::io::Read;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tiny_http::{Header, Method, Request, Response};

const JSON: &str = "application/json; charset=utf-8";
const MAX_ADMIN_BODY: u64 = 64 * 1024;

/// One answer before the common headers are added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
    /// API and admin answers are never cached.
    pub no_store: bool,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type: Some(content_type.to_string()),
            body: body.into(),
            headers: Vec::new(),
            no_store: true,
        }
    }

    /// The specification's "No Content" 404 (and other bodiless answers).
    fn empty(status: u16) -> Reply {
        Reply {
            status,
            content_type: None,
            body: Vec::new(),
            headers: Vec::new(),
            no_store: true,
        }
    }

    fn json<T: Serialize>(status: u16, value: &T) -> Reply {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Reply::new(status, JSON, body)
    }

    /// `{"code":…,"message":…}` with the HTTP status as code.
    fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            &serde_json::json!({ "code": status, "message": message }),
        )
    }
}

/// The server's shared state.
pub struct App {
    pub config: Config,
    pub store: Option<Store>,
    pub clock: Clock,
    pub admin: Mutex<AdminState>,
    pub agent: Option<ureq::Agent>,
    csp: String,
}

/// The page's Content-Security-Policy with the extra connect-src origins.
pub fn csp(extra: &[String]) -> String {
    let mut connect = String::from("'self' https://tax.moc.gov.tw https://test.smartfun.com.tw");
    for origin in extra {
        connect.push(' ');
        connect.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src {connect}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors *"
    )
}

/// An HTTP date (RFC 9110 IMF-fixdate): `Mon, 23 Nov 2026 14:00:00 GMT`.
fn http_date(at: chrono::DateTime<chrono::FixedOffset>) -> String {
    at.with_timezone(&chrono::Utc)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

impl App {
    pub fn new(config: Config, store: Option<Store>) -> App {
        let agent = config.upstream.as_ref().map(|_| proxy::agent());
        let csp = csp(&config.connect_src);
        App {
            config,
            store,
            clock: Clock::default(),
            admin: Mutex::new(AdminState::default()),
            agent,
            csp,
        }
    }

    fn admin(&self) -> MutexGuard<'_, AdminState> {
        self.admin.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers one request and logs it (method, path without query, status, time).
    pub fn handle(&self, mut req: Request) {
        let started = Instant::now();
        let method = req.method().clone();
        let target = req.url().to_string();
        let (path, query) = split_target(&target);
        let loopback = req.remote_addr().is_some_and(|a| a.ip().is_loopback());
        let mut body = String::new();
        if method == Method::Post {
            let _ = req
                .as_reader()
                .take(MAX_ADMIN_BODY)
                .read_to_string(&mut body);
        }
        let reply = self.route(&method, path, query, &body, loopback);
        let status = reply.status;
        let response = self.finish(reply);
        let _ = req.respond(response);
        let shown: String = path
            .chars()
            .take(200)
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        eprintln!(
            "{method} {shown} {status} {}ms",
            started.elapsed().as_millis()
        );
    }

    /// Adds the headers every answer carries.
    fn finish(&self, reply: Reply) -> Response<std::io::Cursor<Vec<u8>>> {
        let mut headers: Vec<Header> = [
            ("Access-Control-Allow-Origin", "*"),
            // Date lets a page on another origin notice a till PC whose clock is wrong.
            ("Access-Control-Expose-Headers", "Retry-After, Date, Age"),
            ("Content-Security-Policy", self.csp.as_str()),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            (
                "Cache-Control",
                if reply.no_store {
                    "no-store"
                } else {
                    "no-cache"
                },
            ),
        ]
        .iter()
        .filter_map(|(n, v)| header(n, v))
        .collect();
        // The server's own clock (the admin clock in tests), not tiny_http's.
        headers.extend(header("Date", &http_date(self.clock.now())));
        if let Some(ct) = &reply.content_type {
            headers.extend(header("Content-Type", ct));
        }
        for (n, v) in &reply.headers {
            headers.extend(header(n, v));
        }
        let mut response = Response::from_data(reply.body).with_status_code(reply.status);
        for h in headers {
            response.add_header(h);
        }
        response
    }

    pub fn route(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        body: &str,
        loopback: bool,
    ) -> Reply {
        if *method == Method::Options {
            let mut r = Reply::empty(204);
            r.headers = vec![
                ("Access-Control-Allow-Methods", "GET, OPTIONS".into()),
                ("Access-Control-Allow-Headers", "*".into()),
                ("Access-Control-Max-Age", "600".into()),
                ("Allow", "GET, HEAD, OPTIONS".into()),
            ];
            return r;
        }
        if path == "/__admin" || path.starts_with("/__admin/") {
            if !self.config.test_admin {
                return Reply::empty(404);
            }
            if !loopback {
                return Reply::error(403, "管理介面只接受本機連線");
            }
            return self.admin_route(method, path, query, body);
        }
        let read = *method == Method::Get || *method == Method::Head;
        if path.starts_with("/v1/") {
            if !read {
                return method_not_allowed();
            }
            return match &self.config.upstream {
                Some(_) => self.forward(path, query),
                None => self.api(path, query),
            };
        }
        if !read {
            return method_not_allowed();
        }
        if path == "/booktax-config.json" {
            let sample = self.config.upstream.is_none();
            let appid = if sample {
                self.config.appid.as_str()
            } else {
                ""
            };
            return Reply::json(
                200,
                &serde_json::json!({ "baseUrl": "", "appid": appid, "sample": sample }),
            );
        }
        self.static_file(path)
    }

    fn static_file(&self, path: &str) -> Reply {
        let Some(file) = files::resolve(&self.config.www, path) else {
            return not_found_page();
        };
        match std::fs::read(&file) {
            Ok(data) => Reply {
                no_store: false,
                ..Reply::new(200, files::content_type(&file), data)
            },
            Err(_) => not_found_page(),
        }
    }

    fn view(&self) -> View {
        let now = self.clock.now();
        View {
            today: taipei_date(now),
            through: published_through(now),
        }
    }

    /// Sample mode: appid check, fault profile, then the answer.
    fn api(&self, path: &str, query: &str) -> Reply {
        let appid = param(query, "appid");
        let (profile, policy) = {
            let mut admin = self.admin();
            let profile = appid.as_deref().and_then(|a| {
                let p = admin.profiles.get(a).cloned();
                if self.config.test_admin {
                    let hit = admin.hit(a);
                    p.map(|p| (p, hit))
                } else {
                    None
                }
            });
            (profile, admin.policy.unwrap_or(self.config.policy_expiry))
        };
        let known = appid.as_deref() == Some(self.config.appid.as_str()) || profile.is_some();
        if !known {
            return Reply::error(401, "appid 錯誤或未提供");
        }
        let mut malformed = None;
        if let Some((p, hit)) = &profile {
            if p.latency_ms > 0 {
                std::thread::sleep(Duration::from_millis(p.latency_ms));
            }
            match decide(p, *hit) {
                Action::Fail {
                    status,
                    retry_after,
                } => {
                    let mut r = Reply::error(status, "服務暫時無法使用");
                    if let Some(ra) = retry_after {
                        r.headers.push(("Retry-After", ra));
                    }
                    return r;
                }
                Action::Serve(m) => malformed = m,
            }
        }
        let mut reply = self.answer(path, policy);
        if let Some(age) = profile.as_ref().and_then(|(p, _)| p.age_secs) {
            reply.headers.push(("Age", age.to_string()));
        }
        match malformed {
            Some(kind) => {
                let good = (reply.status == 200).then(|| String::from_utf8_lossy(&reply.body));
                match malform(kind, good.as_deref()) {
                    Some((status, ct, body)) => Reply::new(status, ct, body),
                    None => reply,
                }
            }
            None => reply,
        }
    }

    /// The API's answer for a valid request.
    fn answer(&self, path: &str, policy: chrono::NaiveDate) -> Reply {
        let Some(store) = &self.store else {
            return Reply::empty(404);
        };
        let Some(rest) = path.strip_prefix("/v1/announcement/") else {
            return Reply::empty(404);
        };
        let view = self.view();
        let thirteen = |s: &str| s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit());
        match rest.split('/').collect::<Vec<_>>().as_slice() {
            ["policy_expiry_date"] => Reply::json(
                200,
                &PolicyExpiryDateResponse {
                    code: 0,
                    message: None,
                    policy_expiry_date: policy.into(),
                },
            ),
            ["today"] => daily(store, view.today, &view, policy),
            ["isbn", code] if thirteen(code) => match store.isbn(code, &view) {
                Some(data) => Reply::json(
                    200,
                    &IsbnResponse {
                        code: 0,
                        message: None,
                        data,
                    },
                ),
                None => Reply::empty(404),
            },
            ["isbn", _] => Reply::error(400, "ISBN 必須是 13 位數字"),
            ["ean", code] if thirteen(code) => match store.ean(code, &view) {
                Some(data) => Reply::json(
                    200,
                    &EanResponse {
                        code: 0,
                        message: None,
                        data,
                    },
                ),
                None => Reply::empty(404),
            },
            ["ean", _] => Reply::error(400, "EAN 必須是 13 位數字"),
            [date] => match parse_yyyymmdd(date) {
                Some(d) => daily(store, d, &view, policy),
                None => Reply::empty(404),
            },
            _ => Reply::empty(404),
        }
    }

    /// Proxy mode: the upstream's answer with CORS, or 502.
    fn forward(&self, path: &str, query: &str) -> Reply {
        let (Some(up), Some(agent)) = (&self.config.upstream, &self.agent) else {
            return Reply::empty(404);
        };
        if !proxy::forwardable(path) {
            return Reply::empty(404);
        }
        let url = proxy::upstream_url(&up.base, path, query, &up.appid);
        match proxy::fetch(agent, &url) {
            Ok(a) => {
                let body = if (200..300).contains(&a.status) {
                    a.body
                } else {
                    proxy::scrub(a.body, &up.appid)
                };
                let mut r = Reply::new(a.status, &a.content_type, body);
                if a.status == 204 || (a.status == 404 && r.body.is_empty()) {
                    r.content_type = None;
                }
                if let Some(ra) = a.retry_after {
                    r.headers.push(("Retry-After", ra));
                }
                r
            }
            Err(e) => {
                eprintln!("upstream unreachable: {}", e.0);
                Reply::error(502, "上游服務無法連線")
            }
        }
    }

    fn admin_route(&self, method: &Method, path: &str, query: &str, body: &str) -> Reply {
        let get = *method == Method::Get;
        let post = *method == Method::Post;
        match path {
            "/__admin/fixtures" if get => {
                let map: serde_json::Map<String, serde_json::Value> = FIXTURE_ISBNS
                    .iter()
                    .map(|f| (f.name, f.code))
                    .chain(FIXTURE_EANS.iter().map(|f| (f.name, f.code)))
                    .map(|(n, c)| (n.to_string(), c.into()))
                    .collect();
                Reply::json(200, &map)
            }
            "/__admin/hits" if get => {
                let appid = param(query, "appid").unwrap_or_default();
                let hits = self.admin().hits.get(&appid).copied().unwrap_or(0);
                Reply::json(200, &serde_json::json!({ "hits": hits }))
            }
            "/__admin/faults" if post => match serde_json::from_str::<Profile>(body) {
                Ok(p) => match p.validate() {
                    Ok(()) => {
                        let appid = p.appid.clone();
                        let mut admin = self.admin();
                        admin.hits.remove(&appid);
                        admin.profiles.insert(appid, p);
                        ok()
                    }
                    Err(e) => Reply::error(400, &e),
                },
                Err(e) => Reply::error(400, &format!("無法讀取故障設定：{e}")),
            },
            "/__admin/clock" if post => {
                #[derive(serde::Deserialize)]
                struct Body {
                    now: Option<String>,
                }
                match serde_json::from_str::<Body>(body) {
                    Ok(Body { now: None }) => {
                        self.clock.set(None);
                        ok()
                    }
                    Ok(Body { now: Some(s) }) => match parse_instant(&s) {
                        Some(at) => {
                            self.clock.set(Some(at));
                            ok()
                        }
                        None => Reply::error(
                            400,
                            "now 須為 RFC 3339 時間，例如 2026-11-23T21:30:00+08:00",
                        ),
                    },
                    Err(e) => Reply::error(400, &format!("無法讀取時鐘設定：{e}")),
                }
            }
            "/__admin/policy" if post => {
                #[derive(serde::Deserialize)]
                struct Body {
                    policy_expiry_date: Option<String>,
                }
                match serde_json::from_str::<Body>(body) {
                    Ok(Body {
                        policy_expiry_date: None,
                    }) => {
                        self.admin().policy = None;
                        ok()
                    }
                    Ok(Body {
                        policy_expiry_date: Some(s),
                    }) => match parse_yyyymmdd(&s) {
                        Some(d) => {
                            self.admin().policy = Some(d);
                            ok()
                        }
                        None => Reply::error(400, "policy_expiry_date 須為 YYYYMMDD"),
                    },
                    Err(e) => Reply::error(400, &format!("無法讀取政策到期日設定：{e}")),
                }
            }
            "/__admin/reset" if post => {
                self.admin().reset();
                self.clock.set(None);
                ok()
            }
            "/__admin/fixtures" | "/__admin/hits" | "/__admin/faults" | "/__admin/clock"
            | "/__admin/policy" | "/__admin/reset" => method_not_allowed(),
            _ => Reply::empty(404),
        }
    }
}

fn daily(store: &Store, date: chrono::NaiveDate, view: &View, policy: chrono::NaiveDate) -> Reply {
    match store.daily(date, view, policy) {
        Some(d) => Reply::json(200, &d),
        None => Reply::empty(404),
    }
}

fn ok() -> Reply {
    Reply::json(200, &serde_json::json!({ "ok": true }))
}

fn method_not_allowed() -> Reply {
    let mut r = Reply::error(405, "不支援此方法");
    r.headers.push(("Allow", "GET, HEAD, OPTIONS".into()));
    r
}

fn not_found_page() -> Reply {
    Reply {
        no_store: false,
        ..Reply::new(404, "text/plain; charset=utf-8", "404 找不到檔案")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_lists_extra_origins() {
        let c = csp(&["http://127.0.0.1:9000".into()]);
        assert!(c.contains(
            "connect-src 'self' https://tax.moc.gov.tw https://test.smartfun.com.tw http://127.0.0.1:9000;"
        ));
        assert!(c.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval';"));
        assert!(c.ends_with("frame-ancestors *"));
    }

    /// The admin endpoints refuse any peer that is not loopback; the API answers anyone.
    /// (Tested here rather than over the network: tests send traffic to loopback only.)
    #[test]
    fn admin_only_from_loopback() {
        let config = match crate::config::parse(
            ["--test-admin".to_string()],
            |_| None,
            std::path::PathBuf::from("www"),
        ) {
            Ok(crate::config::Parsed::Run(c)) => *c,
            other => panic!("{other:?}"),
        };
        let app = App::new(config, None);
        let admin = |loopback| {
            app.route(&Method::Get, "/__admin/hits", "appid=x", "", loopback)
                .status
        };
        assert_eq!(admin(false), 403);
        assert_eq!(admin(true), 200);
    }

    #[test]
    fn http_dates() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T22:05:09+08:00").unwrap();
        assert_eq!(http_date(at), "Mon, 23 Nov 2026 14:05:09 GMT");
    }

    #[test]
    fn error_shape() {
        let r = Reply::error(401, "appid 錯誤或未提供");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["code"], 401);
        assert_eq!(v["message"], "appid 錯誤或未提供");
        assert_eq!(r.content_type.as_deref(), Some(JSON));
    }
}
