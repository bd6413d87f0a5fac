//! The HTTP stack: hyper connections with a header timeout, a header size limit and a lifetime; axum routing; tower-http's static files, compression, timeouts and body limit; common headers and one log line per request.

use crate::files;
use crate::routes::{App, Reply, http_date, not_found_page};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// A client gets this long to send a request's headers (also on an idle keep-alive connection).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A request's body must arrive within this.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The whole answer, proxy included (its upstream gives up after 10 s).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// A connection is closed after this, whatever it is doing: a client that never reads its answers lets go.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);
/// Request line and headers together; more is refused (431) and the connection closed.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The only bodies the service takes are the test-admin's small JSON documents.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The service: routes, layers and the static files.
pub fn router(app: Arc<App>) -> Router {
    // Precompressed files (made by `cargo xtask build`) are sent as they are; ETag, conditional
    // requests and Range come with ServeDir.
    let files = Files {
        precompressed: ServeDir::new(&app.config.www)
            .precompressed_br()
            .precompressed_gzip(),
        plain: ServeDir::new(&app.config.www),
    };
    Router::new()
        .fallback(answer)
        .with_state((Arc::clone(&app), files))
        // Brotli or gzip as the client asks, fast: answers are small or already compressed.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn_with_state(app, finish))
}

/// Accepts connections forever; each is served on its own task.
pub async fn serve(listener: TcpListener, router: Router) {
    loop {
        let (stream, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment rather than spin.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // A response goes out as its head and then its body, two writes: with Nagle's algorithm on,
        // the second waits for the client to acknowledge the first, which a client delays by up to
        // 40 ms (delayed ACK). On a kept-alive connection that was every response but the first:
        // 45 ms for a 1 KB module on loopback.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::warn!("TCP_NODELAY not set: {e}");
        }
        let router = router.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(remote));
                    router.clone().oneshot(req.map(Body::new))
                });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
        });
    }
}

/// The static files: with the build's precompressed copies, and without them for a file edited since.
#[derive(Clone)]
struct Files {
    precompressed: ServeDir,
    plain: ServeDir,
}

type Shared = (Arc<App>, Files);

/// The API, the page's config and the admin endpoints, else a static file.
async fn answer(State((app, files)): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let loopback = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(a)| a.ip().is_loopback());
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    if is_admin(&path)
        && app.config.test_admin
        && let Some(refused) = admin_gate(&app, &parts)
    {
        return refused;
    }
    let text = if parts.method == Method::POST {
        match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => return reply(Reply::error(413, "內容過大或逾時")),
        }
    } else {
        String::new()
    };
    if let Some(r) = app
        .route(&parts.method, &path, &query, &text, loopback)
        .await
    {
        return reply(r);
    }
    // Hidden names, traversal, odd characters and symlinks out of the root are never served.
    // Resolving and the copies' times are file-system calls: on the blocking pool, not on a worker.
    let www = app.config.www.clone();
    let url_path = path.clone();
    let found = tokio::task::spawn_blocking(move || {
        let file = files::resolve(&www, &url_path)?;
        let current = files::precompressed_current(&file);
        Some((file, current))
    })
    .await;
    let (file, current) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return reply(not_found_page()),
        Err(e) => {
            tracing::error!("{path}: resolving the file failed: {e}");
            return reply(Reply::error(500, "伺服器內部錯誤"));
        }
    };
    let request = Request::from_parts(parts, Body::empty());
    let served = if current {
        files.precompressed
    } else {
        if files::first_stale_warning(&file) {
            tracing::warn!(
                "{path}: its .br/.gz were not made from the file as it is; sending the file (run cargo xtask build)"
            );
        }
        files.plain
    };
    let Ok(mut response) = served.oneshot(request).await;
    if response.status() == StatusCode::NOT_FOUND {
        return reply(not_found_page());
    }
    let served_as = files::content_type(&file);
    response.extensions_mut().insert(ServedAs(served_as));
    let response_type = HeaderValue::from_static(served_as);
    if response.headers().contains_key(header::CONTENT_TYPE) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, response_type);
    }
    // Revalidated with the ETag on every use: a redeploy is seen at once.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Neither is read by a browser here: the ETag alone revalidates (If-None-Match wins over
    // If-Modified-Since), and ranges are still served to a client that asks without being told.
    // About 70 B on each of a first visit's 38 answers.
    headers.remove(header::LAST_MODIFIED);
    headers.remove(header::ACCEPT_RANGES);
    response.map(Body::new)
}

/// The test admin's paths.
fn is_admin(path: &str) -> bool {
    path == "/__admin" || path.starts_with("/__admin/")
}

/// The test page origin that may call the admin, if this request comes from one.
fn admin_origin<'a>(app: &'a App, headers: &axum::http::HeaderMap) -> Option<&'a str> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    app.config
        .test_admin_origins
        .iter()
        .find(|o| o.as_str() == origin)
        .map(String::as_str)
}

/// The admin's fence: an allowed test page's preflight is answered; anything else needs the
/// run's token, and a POST a JSON body (so a page elsewhere cannot send one without a preflight).
fn admin_gate(app: &App, parts: &axum::http::request::Parts) -> Option<Response> {
    if parts.method == Method::OPTIONS {
        let allowed = admin_origin(app, &parts.headers).is_some();
        let mut r = Reply::empty(if allowed { 204 } else { 405 });
        if allowed {
            r.headers = vec![
                ("Access-Control-Allow-Methods", "GET, POST".into()),
                (
                    "Access-Control-Allow-Headers",
                    "content-type, x-booktax-admin-token".into(),
                ),
                ("Access-Control-Max-Age", "600".into()),
            ];
        }
        return Some(reply(r));
    }
    let token = parts
        .headers
        .get("x-booktax-admin-token")
        .and_then(|v| v.to_str().ok());
    if token != Some(app.config.admin_token.as_str()) {
        return Some(reply(Reply::error(403, "管理介面需要本次執行的權杖")));
    }
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if parts.method == Method::POST && !json {
        return Some(reply(Reply::error(415, "管理介面只接受 application/json")));
    }
    None
}

/// A [`Reply`] as an HTTP response.
fn reply(r: Reply) -> Response {
    let mut response = Response::new(Body::from(r.body));
    *response.status_mut() =
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Some(ct) = r
        .content_type
        .and_then(|ct| HeaderValue::from_str(&ct).ok())
    {
        headers.insert(header::CONTENT_TYPE, ct);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if r.no_store { "no-store" } else { "no-cache" }),
    );
    for (name, value) in r.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(n, v);
        }
    }
    response
}

/// Whether a browser may read this answer's Content-Security-Policy and Referrer-Policy: from a
/// document's or a worker's own script (CSP 3, "policy delivery"), never from a module or a
/// stylesheet it loads (which takes its page's policies), as the browser names them in
/// `Sec-Fetch-Dest`. A page (HTML) always gets them: a cached copy may answer another kind of
/// request than the one it came to. So does any answer a browser opens as a document (a JSON
/// answer opened in a tab or a frame reads its `frame-ancestors`), and any answer to a client that
/// does not say (not a browser, or an old one). What `fetch()` asks for (`empty`) gets them too,
/// since the service worker caches the Workers' scripts so, but not when it can never be a
/// document or a worker: wasm, JSON and plain text. On a first visit that leaves out 14 scripts,
/// a stylesheet, the wasm, the config, the service's answers and the shell's manifest and version:
/// 6 KB of policies that no browser reads.
fn policies_read(destination: Option<&[u8]>, page: bool, never_runs: bool) -> bool {
    page || match destination {
        None | Some(b"document" | b"iframe" | b"frame" | b"embed" | b"object") => true,
        Some(b"script" | b"style" | b"image" | b"font") => false,
        Some(_) => !never_runs,
    }
}

/// Whether an answer of this type can only be shown as text or refused, never run: JSON, plain
/// text and wasm.
fn never_runs(content_type: &[u8]) -> bool {
    [&b"application/json"[..], b"application/wasm", b"text/plain"]
        .iter()
        .any(|inert| content_type.starts_with(inert))
}

/// On a static file's answer, the type it is sent as: a `304` names none, and its headers are
/// merged into the browser's cached copy, so the policies stay off a revalidated wasm too.
#[derive(Clone, Copy)]
struct ServedAs(&'static str);

/// The headers every answer carries (the CSP and the referrer policy wherever a browser reads them), CORS on the API alone, and one log line (never the query: it holds the appid).
async fn finish(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let admin_origin = admin_origin(&app, request.headers()).map(str::to_string);
    let path: String = request
        .uri()
        .path()
        .chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let destination = request.headers().get("sec-fetch-dest").cloned();
    let mut response = next.run(request).await;
    let served_as = response.extensions().get::<ServedAs>().map(|t| t.0);
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let content_type = served_as
        .map(str::as_bytes)
        .or_else(|| headers.get(header::CONTENT_TYPE).map(HeaderValue::as_bytes));
    let page = content_type.is_some_and(|t| t.starts_with(b"text/html"));
    let inert = content_type.is_some_and(never_runs);
    // The referrer policy goes where the CSP does: a module or a stylesheet without one fetches
    // with its page's (HTML's module scripts and CSSOM use the page's policy container), and a
    // Worker's script carries its own.
    if policies_read(destination.as_ref().map(HeaderValue::as_bytes), page, inert) {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        if let Ok(v) = HeaderValue::from_str(&app.csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    // The API is open to every origin; the test admin only to the test page named by
    // `--test-admin-origin` (the browser tests' runner); everything else to none.
    if path.starts_with("/v1/") {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        // Date and Age let a page on another origin judge by the service's clock.
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After, Date, Age"),
        );
    }
    if let Some(origin) = admin_origin.filter(|_| is_admin(&path))
        && let Ok(v) = HeaderValue::from_str(&origin)
    {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    // The service's own clock (the admin clock in tests), unless the answer brings the
    // upstream's (proxy mode: clients judge by the ministry's clock).
    if !headers.contains_key(header::DATE)
        && let Ok(v) = HeaderValue::from_str(&http_date(app.clock.now()))
    {
        headers.insert(header::DATE, v);
    }
    tracing::info!(
        "{method} {path} {} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_go_where_a_browser_reads_them() {
        let read = |dest: Option<&str>, content_type: &str| {
            let page = content_type.starts_with("text/html");
            policies_read(
                dest.map(str::as_bytes),
                page,
                never_runs(content_type.as_bytes()),
            )
        };
        // As the files are sent.
        let js = files::content_type(std::path::Path::new("a.js"));
        let json = files::content_type(std::path::Path::new("a.json"));
        // A page, asked for as anything.
        for dest in [None, Some("document"), Some("script"), Some("empty")] {
            assert!(read(dest, "text/html; charset=utf-8"), "{dest:?}");
        }
        // A Worker's script, or one the service worker keeps for a Worker.
        for dest in [Some("worker"), Some("serviceworker"), Some("empty"), None] {
            assert!(read(dest, js), "{dest:?}");
        }
        // A module or a stylesheet of a page.
        assert!(!read(Some("script"), js));
        assert!(!read(Some("style"), "text/css; charset=utf-8"));
        // What never runs, fetched: no; opened as a document or framed (frame-ancestors): yes.
        for content_type in [json, "application/wasm", "text/plain; charset=utf-8"] {
            assert!(!read(Some("empty"), content_type), "{content_type}");
            assert!(read(Some("document"), content_type), "{content_type}");
            assert!(read(Some("iframe"), content_type), "{content_type}");
            assert!(read(None, content_type), "{content_type}");
        }
    }
}
