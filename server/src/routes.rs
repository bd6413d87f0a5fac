//! What the service answers: routing, appid checks, the API answers, the proxy and the admin endpoints (the HTTP plumbing is in `http`).

use crate::cache::{Cache, Entry, Keep, unix_secs};
use crate::clock::{
    Clock, in_busy_window, last_boundary, parse_instant, published_through, taipei_date,
};
use crate::config::{Config, Upstream};
use crate::faults::{Action, AdminState, Profile, decide, malform};
use crate::fixtures::{FIXTURE_EANS, FIXTURE_ISBNS};
use crate::proxy;
use crate::query::param;
use crate::sample::FIRST_DAY;
use crate::store::{Store, View};
use axum::http::Method;
use booktax::core::mirror::apply::changes_of;
use booktax::core::mirror::digest::Digest;
use booktax::core::mirror::plan::days_to_sync;
use booktax::core::schema::{EanResponse, IsbnResponse, PolicyExpiryDateResponse};
use booktax::core::taipei::parse_yyyymmdd;
use serde::Serialize;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

const JSON: &str = "application/json; charset=utf-8";

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
    pub fn empty(status: u16) -> Reply {
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
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            &serde_json::json!({ "code": status, "message": message }),
        )
    }
}

/// What the API answers from: the sample data, or the real API through the proxy.
pub enum Mode {
    /// Deterministic sample data.
    Sample(Store),
    /// Forward to the upstream with its appid.
    Proxy {
        upstream: Upstream,
        agent: ureq::Agent,
        cache: Cache,
    },
}

impl Mode {
    /// Proxy mode when the config names an upstream, else sample mode over `sample()`'s data.
    pub fn new(config: &Config, sample: impl FnOnce() -> Store) -> Mode {
        match &config.upstream {
            Some(upstream) => Mode::Proxy {
                upstream: upstream.clone(),
                agent: proxy::agent(),
                cache: Cache::new(
                    config.cache_dir.clone(),
                    Duration::from_secs(config.cache_ttl_minutes * 60),
                    Duration::from_secs(config.busy_ttl_minutes * 60),
                ),
            },
            None => Mode::Sample(sample()),
        }
    }
}

/// The server's shared state.
pub struct App {
    pub config: Config,
    pub mode: Mode,
    pub clock: Clock,
    pub admin: Mutex<AdminState>,
    pub csp: String,
}

/// The page's Content-Security-Policy, defined here once: sent as a header on every answer a
/// browser reads a policy from (`http::policies_read`), and printed by `--print-csp` for a
/// static deploy. `connect` adds origins the page may ask (a store's proxy); `frame` the intranet
/// origins that may frame it (default: its own only).
pub fn csp(connect: &[String], frame: &[String]) -> String {
    let mut connect_src =
        String::from("'self' https://tax.moc.gov.tw https://test.smartfun.com.tw");
    for origin in connect {
        connect_src.push(' ');
        connect_src.push_str(origin);
    }
    let mut frame_ancestors = String::from("'self'");
    for origin in frame {
        frame_ancestors.push(' ');
        frame_ancestors.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src {connect_src}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// An HTTP date (RFC 9110 IMF-fixdate): `Mon, 23 Nov 2026 14:00:00 GMT`.
pub fn http_date(at: chrono::DateTime<chrono::FixedOffset>) -> String {
    at.with_timezone(&chrono::Utc)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

impl App {
    pub fn new(config: Config, mode: Mode) -> App {
        let csp = csp(&config.connect_src, &config.frame_ancestors);
        App {
            config,
            mode,
            clock: Clock::default(),
            admin: Mutex::new(AdminState::default()),
            csp,
        }
    }

    fn admin(&self) -> MutexGuard<'_, AdminState> {
        self.admin.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers a request, or `None` for a static file (served by the HTTP layer).
    pub async fn route(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        body: &str,
        loopback: bool,
    ) -> Option<Reply> {
        let api = path.starts_with("/v1/");
        if *method == Method::OPTIONS {
            // Preflight: the API alone is open to other origins (the test admin's own is in `http`).
            if !api {
                return Some(method_not_allowed());
            }
            let mut r = Reply::empty(204);
            r.headers = vec![
                ("Access-Control-Allow-Methods", "GET, OPTIONS".into()),
                ("Access-Control-Allow-Headers", "*".into()),
                ("Access-Control-Max-Age", "600".into()),
                ("Allow", "GET, HEAD, OPTIONS".into()),
            ];
            return Some(r);
        }
        if path == "/__admin" || path.starts_with("/__admin/") {
            if !self.config.test_admin {
                return Some(Reply::empty(404));
            }
            if !loopback {
                return Some(Reply::error(403, "管理介面只接受本機連線"));
            }
            return Some(self.admin_route(method, path, query, body));
        }
        let read = *method == Method::GET || *method == Method::HEAD;
        if !read {
            return Some(method_not_allowed());
        }
        if api {
            return Some(match &self.mode {
                Mode::Proxy { .. } => self.forward(path).await,
                Mode::Sample(_) => self.api(path, query).await,
            });
        }
        if path == "/booktax-config.json" {
            let sample = matches!(self.mode, Mode::Sample(_));
            let appid = if sample {
                self.config.appid.as_str()
            } else {
                ""
            };
            return Some(Reply::json(
                200,
                &serde_json::json!({ "baseUrl": "", "appid": appid, "sample": sample }),
            ));
        }
        None
    }

    fn view(&self) -> View {
        let now = self.clock.now();
        View {
            today: taipei_date(now),
            through: published_through(now),
        }
    }

    /// Sample mode: appid check, fault profile, then the answer.
    async fn api(&self, path: &str, query: &str) -> Reply {
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
            if p.slow(*hit) {
                tokio::time::sleep(Duration::from_millis(p.latency_ms)).await;
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
                Action::Serve(m) => malformed = p.malformed_on(path, m),
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
        let Mode::Sample(store) = &self.mode else {
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
    async fn forward(&self, path: &str) -> Reply {
        let Mode::Proxy {
            upstream: up,
            agent,
            cache,
        } = &self.mode
        else {
            return Reply::empty(404);
        };
        if !proxy::forwardable(path) {
            return Reply::empty(404);
        }
        let clock = self.clock.now();
        let now = UNIX_EPOCH + Duration::from_secs(u64::try_from(clock.timestamp()).unwrap_or(0));
        // A day's list exists from the first announcement day to the last one published: any
        // other date is answered here, without spending the store's appid on it.
        let day = path
            .strip_prefix("/v1/announcement/")
            .and_then(parse_yyyymmdd);
        if day.is_some_and(|d| d < FIRST_DAY || d > published_through(clock)) {
            return Reply::empty(404);
        }
        // A past day's list never changes once published: fetched once, kept for good.
        let past_day = day.is_some_and(|d| d < taipei_date(clock));
        let keep = if past_day {
            Keep::Forever
        } else {
            Keep::Briefly
        };
        if let Some(e) = cache.get(path, keep, now, in_busy_window(clock), last_boundary(clock)) {
            return cached_reply(&e, now);
        }
        let url = proxy::upstream_url(&up.base, path, &up.appid);
        let agent = agent.clone();
        // ureq blocks: on tokio's blocking pool, one hung upstream holds one thread, not the server.
        let fetched = tokio::task::spawn_blocking(move || proxy::fetch(&agent, &url))
            .await
            .unwrap_or(Err(proxy::Unreachable("worker failed")));
        let a = match fetched {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!("upstream unreachable: {}", e.0);
                return Reply::error(502, "上游服務無法連線");
            }
        };
        // Only answers: a JSON 200 whose result code is 0, or the empty 404. Never an error,
        // even one the upstream sends as 200 (`{"code":1001,…}`).
        // Read once: whether the body is JSON, and its result code.
        let code = proxy::json_result_code(&a);
        let json = code.is_some();
        let cacheable =
            (a.status == 404 && a.body.is_empty()) || (a.status == 200 && code == Some(Some(0)));
        if cacheable {
            let entry = Entry {
                status: a.status,
                body: String::from_utf8_lossy(&proxy::scrub(a.body.clone(), &up.appid))
                    .into_owned(),
                // Without the upstream's Date, the time it was fetched stands for it, so a kept
                // answer never moves a client's idea of the service clock.
                date: a.date.clone().or_else(|| Some(http_date(clock))),
                upstream_age: a
                    .age
                    .as_deref()
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0),
                fetched: unix_secs(now),
            };
            cache.put(path, keep, entry);
        }
        let mut r = if a.status == 404 && a.body.is_empty() {
            // The specification's "No Content" 404.
            Reply::empty(404)
        } else if json {
            Reply::new(a.status, JSON, proxy::scrub(a.body, &up.appid))
        } else {
            tracing::warn!("upstream answered {} without JSON", a.status);
            Reply::error(502, "上游服務的回應不是 JSON")
        };
        for (name, value) in [
            ("Retry-After", a.retry_after),
            ("Date", a.date),
            ("Age", a.age),
        ] {
            if let Some(v) = value {
                r.headers.push((name, v));
            }
        }
        r
    }

    fn admin_route(&self, method: &Method, path: &str, query: &str, body: &str) -> Reply {
        let get = *method == Method::GET;
        let post = *method == Method::POST;
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
            "/__admin/mirror-digest" if get => self.mirror_digest(query),
            "/__admin/reset" if post => {
                self.admin().reset();
                self.clock.set(None);
                ok()
            }
            "/__admin/fixtures"
            | "/__admin/hits"
            | "/__admin/faults"
            | "/__admin/clock"
            | "/__admin/policy"
            | "/__admin/reset"
            | "/__admin/mirror-digest" => method_not_allowed(),
            _ => Reply::empty(404),
        }
    }
}

impl App {
    /// The truth a browser mirror must equal: every daily list from the first through
    /// `through` (default: the last published), applied in order by the core's own rules.
    fn mirror_digest(&self, query: &str) -> Reply {
        let Mode::Sample(store) = &self.mode else {
            return Reply::error(400, "只有樣本資料模式提供 mirror-digest");
        };
        let view = self.view();
        let through = param(query, "through")
            .and_then(|s| parse_yyyymmdd(&s))
            .map_or(view.through, |d| d.min(view.through));
        let policy = self.admin().policy.unwrap_or(self.config.policy_expiry);
        let mut books = std::collections::HashMap::new();
        let mut sets = std::collections::HashMap::new();
        for day in days_to_sync(None, through) {
            if let Some(list) = store.daily(day, &view, policy) {
                let changes = changes_of(&list, day);
                books.extend(changes.isbns);
                sets.extend(changes.eans);
            }
        }
        let mut digest = Digest::default();
        for (key, book) in &books {
            digest.add_isbn(key, book);
        }
        for (key, set) in &sets {
            digest.add_ean(key, set);
        }
        Reply::json(
            200,
            &serde_json::json!({
                "digest": digest.text(),
                "through": booktax::core::taipei::format_yyyymmdd(through),
                "isbns": books.len(),
                "eans": sets.len(),
            }),
        )
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

/// A kept upstream answer, with its `Date` and how long it was kept as `Age`.
fn cached_reply(e: &Entry, now: std::time::SystemTime) -> Reply {
    let mut r = if e.body.is_empty() {
        Reply::empty(e.status)
    } else {
        Reply::new(e.status, JSON, e.body.clone())
    };
    if let Some(d) = &e.date {
        r.headers.push(("Date", d.clone()));
    }
    r.headers.push(("Age", e.age(now).to_string()));
    r
}

/// The answer for a static file that is not there (or may not be served).
pub fn not_found_page() -> Reply {
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
        let c = csp(&["http://127.0.0.1:9000".into()], &[]);
        assert!(c.contains(
            "connect-src 'self' https://tax.moc.gov.tw https://test.smartfun.com.tw http://127.0.0.1:9000;"
        ));
        assert!(c.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval';"));
        assert!(c.ends_with("frame-ancestors 'self'"));
        let framed = csp(&[], &["https://intranet.example".into()]);
        assert!(framed.ends_with("frame-ancestors 'self' https://intranet.example"));
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
        let mode = Mode::new(&config, || {
            Store::new(crate::sample::generate(
                0,
                crate::clock::taipei_date(Clock::default().now()),
            ))
        });
        let app = App::new(config, mode);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let admin = |loopback| {
            rt.block_on(app.route(&Method::GET, "/__admin/hits", "appid=x", "", loopback))
                .map(|r| r.status)
        };
        assert_eq!(admin(false), Some(403));
        assert_eq!(admin(true), Some(200));
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
