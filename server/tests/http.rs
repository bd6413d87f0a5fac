//! Static files, page config, CORS preflight, security headers and request logging.

mod common;

use common::{APPID, Server};

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self' https://tax.moc.gov.tw https://test.smartfun.com.tw http://127.0.0.1:9999; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/// A throwaway www directory, removed when dropped.
struct Site(std::path::PathBuf);

impl std::ops::Deref for Site {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn site() -> Site {
    let dir = std::env::temp_dir().join(format!(
        "booktax-www-{}-{}",
        std::process::id(),
        std::thread::current()
            .name()
            .unwrap_or("t")
            .replace("::", "-")
    ));
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>booktax</title>",
    )
    .unwrap();
    std::fs::write(dir.join("app.js"), "export {};").unwrap();
    std::fs::write(dir.join("style.css"), "body{}").unwrap();
    std::fs::write(dir.join("pkg/booktax_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("../booktax-secret.txt"), "outside").unwrap();
    Site(dir)
}

#[test]
fn static_files_and_types() {
    let dir = site();
    let s = Server::start(&[
        "--www",
        dir.to_str().unwrap(),
        "--connect-src",
        "http://127.0.0.1:9999",
    ]);
    // A client that does not say what it asks for as (not a browser) gets the policies everywhere.
    for (path, ct) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/pkg/booktax_bg.wasm", "application/wasm"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ct), "{path}");
        assert_eq!(r.header("content-security-policy"), Some(CSP), "{path}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        // CORS belongs to the API alone.
        assert_eq!(r.header("access-control-allow-origin"), None, "{path}");
        assert!(r.header("etag").is_some(), "{path}");
    }
    // A browser's request, by what it asks for as (Sec-Fetch-Dest), and a revalidation (a 304
    // names no type): the policies where a browser reads them, not on a module, a stylesheet, or
    // what never runs unless it is opened as a document.
    let asked = |path: &str, dest: &str, etag: Option<&str>| {
        let mut req = ureq::get(&s.url(path)).set("Sec-Fetch-Dest", dest);
        if let Some(etag) = etag {
            req = req.set("If-None-Match", etag);
        }
        let r = match req.call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let policies = (
            r.header("content-security-policy"),
            r.header("referrer-policy"),
        );
        assert_eq!(
            policies.0.is_some(),
            policies.1.is_some(),
            "{path} as {dest}: both or neither"
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        (r.status(), policies.0 == Some(CSP))
    };
    let api = format!("/v1/announcement/policy_expiry_date?appid={APPID}");
    let wasm_etag = s
        .get("/pkg/booktax_bg.wasm")
        .header("etag")
        .unwrap()
        .to_string();
    let page_etag = s.get("/").header("etag").unwrap().to_string();
    for (path, dest, etag, expected) in [
        ("/", "document", None, (200, true)),
        ("/", "script", None, (200, true)),
        ("/", "document", Some(page_etag.as_str()), (304, true)),
        ("/app.js", "script", None, (200, false)),
        ("/app.js", "worker", None, (200, true)),
        ("/app.js", "empty", None, (200, true)),
        ("/style.css", "style", None, (200, false)),
        ("/pkg/booktax_bg.wasm", "empty", None, (200, false)),
        (
            "/pkg/booktax_bg.wasm",
            "empty",
            Some(wasm_etag.as_str()),
            (304, false),
        ),
        ("/pkg/booktax_bg.wasm", "document", None, (200, true)),
        (api.as_str(), "empty", None, (200, false)),
        (api.as_str(), "document", None, (200, true)),
        (api.as_str(), "iframe", None, (200, true)),
    ] {
        assert_eq!(
            asked(path, dest, etag),
            expected,
            "{path} as {dest}, {etag:?}"
        );
    }
    assert!(s.get("/").body.contains("<title>booktax</title>"));
    assert_eq!(s.get("/missing.js").status, 404);
    // The API's answers carry the same headers, and CORS.
    let api = s.api("policy_expiry_date");
    assert_eq!(api.header("content-security-policy"), Some(CSP));
    assert_eq!(api.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn traversal_is_refused() {
    let dir = site();
    let s = Server::start(&["--www", dir.to_str().unwrap()]);
    for path in [
        "/../booktax-secret.txt",
        "/%2e%2e/booktax-secret.txt",
        "/%2E%2E%2Fbooktax-secret.txt",
        "/pkg/..%2f..%2fbooktax-secret.txt",
        "/..%5cbooktax-secret.txt",
        "/pkg/%2e%2e/%2e%2e/booktax-secret.txt",
    ] {
        // Sent raw: ureq would not normalise these, but a URL parser might; use a socket.
        let status = raw_status(&s.base, path);
        assert!(status == 404 || status == 400, "{path}: {status}");
    }
}

/// Sends a GET with the path exactly as written and returns the status.
fn raw_status(base: &str, path: &str) -> u16 {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    write!(
        sock,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    sock.read_to_string(&mut out).unwrap();
    assert!(!out.contains("outside"), "{path} leaked a file outside www");
    out.split(' ').nth(1).unwrap().parse().unwrap()
}

#[test]
fn page_config_in_sample_mode() {
    let s = Server::start(&[]);
    let r = s.get("/booktax-config.json");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        serde_json::json!({"baseUrl":"","appid":"booktax-sample","sample":true})
    );
}

#[test]
fn cors_preflight() {
    let s = Server::start(&[]);
    let r = s.request("OPTIONS", "/v1/announcement/isbn/9789576780004?appid=x");
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET, OPTIONS")
    );
    assert_eq!(r.header("access-control-allow-headers"), Some("*"));
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("Retry-After, Date, Age")
    );
    assert!(r.body.is_empty());
    assert_eq!(s.request("DELETE", "/v1/announcement/today").status, 405);
}

#[test]
fn logs_one_line_per_request_without_the_query() {
    let s = Server::start(&[]);
    s.get("/v1/announcement/isbn/9789576780004?appid=booktax-sample");
    s.get("/v1/announcement/today?appid=wrong-secret-appid");
    let log = s.wait_log("GET /v1/announcement/today 401");
    assert!(
        log.contains("GET /v1/announcement/isbn/9789576780004 200 "),
        "{log}"
    );
    assert!(log.contains("GET /v1/announcement/today 401 "), "{log}");
    assert!(
        !log.contains("wrong-secret-appid") && !log.contains("appid="),
        "{log}"
    );
}

#[test]
fn static_files_compressed_revalidated_and_ranged() {
    let dir = site();
    // A page-sized, compressible file.
    let big: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(dir.join("big.js"), &big).unwrap();
    let s = Server::start(&["--www", dir.to_str().unwrap()]);
    let get = |path: &str, headers: &[(&str, &str)]| {
        let mut req = ureq::get(&s.url(path));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        match req.call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        }
    };
    // Compressed when asked: brotli or gzip (read off the socket, so nothing decompresses it).
    for encoding in ["br", "gzip"] {
        let (head, body) = raw_get(
            &s.base,
            "/big.js",
            &format!("Accept-Encoding: {encoding}\r\n"),
        );
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("content-encoding: {encoding}")),
            "{head}"
        );
        assert!(
            body.len() < big.len() / 4,
            "{encoding}: {} bytes",
            body.len()
        );
    }
    // A repeat with If-None-Match: 304.
    let first = get("/big.js", &[]);
    let etag = first.header("etag").unwrap().to_string();
    // The ETag alone: no Last-Modified beside it, and ranges served without being advertised.
    assert_eq!(first.header("last-modified"), None);
    assert_eq!(first.header("accept-ranges"), None);
    let again = get("/big.js", &[("If-None-Match", &etag)]);
    assert_eq!(again.status(), 304);
    // A Range: 206 with just those bytes.
    let part = get("/big.js", &[("Range", "bytes=0-9")]);
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.header("content-range")
            .map(|v| v.starts_with("bytes 0-9/")),
        Some(true)
    );
    assert_eq!(part.into_string().unwrap(), "line 0\nlin");
}

/// A GET with extra header lines, the connection closed after: the head as text and the body as bytes.
fn raw_get(base: &str, path: &str, extra: &str) -> (String, Vec<u8>) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    write!(
        sock,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    sock.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let mut body = out[split + 4..].to_vec();
    // A chunked answer: the body is the chunks' data.
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut data = Vec::new();
        let mut rest = body.as_slice();
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..line_end]).trim(), 16)
                .unwrap();
            if size == 0 {
                break;
            }
            data.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 2 + size + 2..];
        }
        body = data;
    }
    (head, body)
}

#[test]
fn the_admin_is_fenced() {
    let allowed = "http://127.0.0.1:4444";
    let s = Server::start(&["--test-admin-origin", allowed]);
    let status = |r: Result<ureq::Response, ureq::Error>| match r {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    // Without the run's token: refused.
    let r = status(ureq::get(&s.url("/__admin/fixtures")).call());
    assert_eq!(r.status(), 403);
    let r = status(
        ureq::get(&s.url("/__admin/fixtures"))
            .set("X-Booktax-Admin-Token", "a guess")
            .call(),
    );
    assert_eq!(r.status(), 403);
    // With it, a POST must be JSON (a page elsewhere cannot send that without a preflight).
    let r = status(
        ureq::post(&s.url("/__admin/reset"))
            .set("X-Booktax-Admin-Token", &s.token)
            .set("Content-Type", "text/plain")
            .send_string("{}"),
    );
    assert_eq!(r.status(), 415);
    assert_eq!(s.post("/__admin/reset", "{}").status, 200);
    // CORS for the named test page alone.
    let preflight = |origin: &str| {
        status(
            ureq::request("OPTIONS", &s.url("/__admin/clock"))
                .set("Origin", origin)
                .set("Access-Control-Request-Method", "POST")
                .call(),
        )
    };
    let ok = preflight(allowed);
    assert_eq!(ok.status(), 204);
    assert_eq!(ok.header("access-control-allow-origin"), Some(allowed));
    let other = preflight("http://127.0.0.1:5555");
    assert_eq!(other.status(), 405);
    assert_eq!(other.header("access-control-allow-origin"), None);
    let read = |origin: &str| {
        status(
            ureq::get(&s.url("/__admin/fixtures"))
                .set("Origin", origin)
                .set("X-Booktax-Admin-Token", &s.token)
                .call(),
        )
    };
    assert_eq!(
        read(allowed).header("access-control-allow-origin"),
        Some(allowed)
    );
    assert_eq!(
        read("http://evil.example").header("access-control-allow-origin"),
        None
    );
}

#[test]
fn the_admin_token_is_printed_at_start() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_booktax-server"))
        .args(["--listen", "127.0.0.1:0", "--test-admin"])
        .env_remove("BOOKTAX_TEST_ADMIN_TOKEN")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = lines.next().unwrap().unwrap();
    let token_line = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        address.starts_with("booktax-server listening on http://"),
        "{address}"
    );
    let token = token_line.strip_prefix("test admin token: ").unwrap();
    assert_eq!(token.len(), 32, "{token}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn precompressed_copies_are_sent_only_while_current() {
    let dir = site();
    let source = "export const edited = true;\n".repeat(50);
    // A copy carries the modification time its file had when the build read it.
    let copy = |name: &str, text: &str, modified: std::time::SystemTime| {
        let file = std::fs::File::create(dir.join(name)).unwrap();
        std::io::Write::write_all(&mut &file, text.as_bytes()).unwrap();
        file.set_modified(modified).unwrap();
    };
    let modified = |name: &str| dir.join(name).metadata().unwrap().modified().unwrap();
    let minute = std::time::Duration::from_secs(60);
    std::fs::write(dir.join("fresh.js"), &source).unwrap();
    copy(
        "fresh.js.br",
        "COPY MADE AFTER THE FILE",
        modified("fresh.js"),
    );
    std::fs::write(dir.join("edited.js"), &source).unwrap();
    copy(
        "edited.js.br",
        "COPY OF AN OLDER FILE",
        modified("edited.js") - minute,
    );
    // Newer than its file is no proof either: the file may have been saved while the copy was made.
    std::fs::write(dir.join("racing.js"), &source).unwrap();
    copy(
        "racing.js.br",
        "COPY OF WHAT WAS READ",
        modified("racing.js") + minute,
    );
    let s = Server::start(&["--www", dir.to_str().unwrap()]);
    let (head, body) = raw_get(&s.base, "/fresh.js", "Accept-Encoding: br\r\n");
    assert!(
        head.to_ascii_lowercase().contains("content-encoding: br"),
        "{head}"
    );
    assert_eq!(body, b"COPY MADE AFTER THE FILE");
    // Edited since its copy was made: the file itself, compressed on the fly or not at all.
    let (head, body) = raw_get(&s.base, "/edited.js", "Accept-Encoding: br\r\n");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_ne!(body, b"COPY OF AN OLDER FILE");
    let (_, plain) = raw_get(&s.base, "/edited.js", "");
    assert_eq!(plain, source.as_bytes());
    let (_, body) = raw_get(&s.base, "/racing.js", "Accept-Encoding: br\r\n");
    assert_ne!(body, b"COPY OF WHAT WAS READ");
    let log = s.wait_log("not made from the file");
    assert!(
        log.contains("/edited.js: its .br/.gz were not made from the file as it is"),
        "{log}"
    );
}
