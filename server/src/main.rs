//! booktax-server: the local announcement service (sample data or a proxy to the real API) and the web page's server.

mod clock;
mod config;
mod faults;
mod files;
mod proxy;
mod query;
mod routes;
mod sample;
mod store;

use config::Parsed;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Worker threads, each calling `recv()` on the shared server.
const WORKERS: usize = 16;

/// The workspace's `www` when it exists, else `www` in the current directory.
fn default_www() -> PathBuf {
    let built = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../www"));
    if built.is_dir() {
        built.canonicalize().unwrap_or(built)
    } else {
        PathBuf::from("www")
    }
}

fn main() {
    let args = std::env::args().skip(1);
    let config = match config::parse(args, |k| std::env::var(k).ok(), default_www()) {
        Ok(Parsed::Run(c)) => *c,
        Ok(Parsed::Help) => {
            print!("{}", config::USAGE);
            return;
        }
        Err(e) => {
            eprintln!("booktax-server: {e}");
            std::process::exit(2);
        }
    };

    let store = if config.upstream.is_none() {
        let started = Instant::now();
        let today = clock::taipei_date(clock::Clock::default().now());
        let data = sample::generate(config.records, today);
        let store = store::Store::new(data);
        eprintln!(
            "sample data: {} records, {} boxed sets, {} fixtures, built in {} ms (today {today} Taipei)",
            store.book_count(),
            store.set_count(),
            sample::FIXTURE_ISBNS.len() + sample::FIXTURE_EANS.len(),
            started.elapsed().as_millis()
        );
        Some(store)
    } else {
        None
    };

    let server = match tiny_http::Server::http(config.listen) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("booktax-server: cannot listen on {}: {e}", config.listen);
            std::process::exit(1);
        }
    };
    let addr = server.server_addr().to_ip().unwrap_or(config.listen);
    println!("booktax-server listening on http://{addr}");
    let _ = std::io::stdout().flush();

    eprintln!("static files: {}", config.www.display());
    match &config.upstream {
        Some(up) => eprintln!(
            "proxy mode: upstream {} (appid from BOOKTAX_UPSTREAM_APPID)",
            up.base
        ),
        None => eprintln!(
            "sample mode: appid {:?}, policy expiry {}",
            config.appid,
            booktax::core::taipei::format_yyyymmdd(config.policy_expiry)
        ),
    }
    if config.test_admin {
        eprintln!("test admin endpoints enabled under /__admin/ (loopback only)");
    }

    let app = Arc::new(routes::App::new(config, store));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let server = Arc::clone(&server);
            let app = Arc::clone(&app);
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    app.handle(req);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}
