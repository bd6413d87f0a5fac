//! booktax-server: the local announcement service (sample data or a proxy to the real API) and the web page's server.

mod cache;
mod clock;
mod config;
mod faults;
mod files;
mod fixtures;
mod http;
mod log;
mod proxy;
mod query;
mod routes;
mod sample;
mod store;

use config::Parsed;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The workspace's directories this binary was built in: the page's sources and its built site.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const SOURCES: &str = "www";
const SITE: &str = "target/site";

/// The workspace's built site (`target/site`, made by `cargo xtask build`) when it exists, else
/// the workspace's `www` (its sources, served as they are), else `www` in the current directory.
fn default_www() -> PathBuf {
    for dir in [SITE, SOURCES] {
        let dir = Path::new(WORKSPACE).join(dir);
        if dir.is_dir() {
            return dir.canonicalize().unwrap_or(dir);
        }
    }
    PathBuf::from(SOURCES)
}

/// A file of the workspace's `www/` newer than the built site, when `served` is that site: the
/// page's sources are served only once `cargo xtask build` has made them into the site.
fn newer_than_site(served: &Path) -> Option<String> {
    let site = Path::new(WORKSPACE).join(SITE);
    if served.canonicalize().ok()? != site.canonicalize().ok()? {
        return None;
    }
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    // The build writes the version last of all.
    let built = modified(&site.join("pkg/shell-version.txt"))?;
    let www = Path::new(WORKSPACE).join(SOURCES);
    ["", "pkg"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(www.join(sub)).ok())
        .flatten()
        .flatten()
        .find(|entry| modified(&entry.path()).is_some_and(|t| t > built))
        .map(|entry| {
            entry
                .path()
                .strip_prefix(&www)
                .map_or_else(|_| entry.path(), Path::to_path_buf)
                .display()
                .to_string()
        })
}

#[tokio::main]
async fn main() {
    let args = std::env::args().skip(1);
    let config = match config::parse(args, |k| std::env::var(k).ok(), default_www()) {
        Ok(Parsed::Run(c)) => *c,
        Ok(Parsed::Help) => {
            print!("{}", config::USAGE);
            return;
        }
        Ok(Parsed::PrintCsp(c)) => {
            println!("{}", routes::csp(&c.connect_src, &c.frame_ancestors));
            return;
        }
        Err(e) => {
            eprintln!("booktax-server: {e}");
            std::process::exit(2);
        }
    };
    // From here on every line goes through the log, which never blocks or fails a request.
    let _log = log::init();

    let mode = routes::Mode::new(&config, || {
        let started = Instant::now();
        let today = clock::taipei_date(clock::Clock::default().now());
        let store = store::Store::new(sample::generate(config.records, today));
        tracing::info!(
            "sample data: {} records, {} boxed sets, {} fixtures, built in {} ms (today {today} Taipei)",
            store.book_count(),
            store.set_count(),
            fixtures::FIXTURE_ISBNS.len() + fixtures::FIXTURE_EANS.len(),
            started.elapsed().as_millis()
        );
        store
    });

    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("booktax-server: cannot listen on {}: {e}", config.listen);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(config.listen);
    // The one line on stdout, which the harnesses read; a closed stdout must not stop the service.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "booktax-server listening on http://{addr}");
    if config.test_admin {
        let _ = writeln!(out, "test admin token: {}", config.admin_token);
    }
    let _ = out.flush();

    tracing::info!("static files: {}", config.www.display());
    if let Some(newer) = newer_than_site(&config.www) {
        tracing::warn!(
            "www/{newer} has changed since the site was built: run `cargo xtask build` to serve the change"
        );
    }
    match &config.upstream {
        Some(up) => tracing::info!(
            "proxy mode: upstream {} (appid from BOOKTAX_UPSTREAM_APPID)",
            up.base
        ),
        None => tracing::info!(
            "sample mode: appid {:?}, policy expiry {}",
            config.appid,
            booktax::core::taipei::format_yyyymmdd(config.policy_expiry)
        ),
    }
    if config.test_admin {
        tracing::info!("test admin endpoints enabled under /__admin/ (loopback only)");
    }

    let app = Arc::new(routes::App::new(config, mode));
    http::serve(listener, http::router(app)).await;
}
