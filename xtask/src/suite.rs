//! `cargo xtask test`: every check and test the project has, in the order a failure is cheapest to see.

use crate::setup;
use crate::shell::{Result, Steps, cargo, cmd, node_bin, root, run};
use crate::{site, wasm};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The zone the suites run in a second time: the verdicts must not change.
const OTHER_TZ: &str = "America/New_York";

/// The local announcement service, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    /// Its test-admin token.
    pub token: String,
}

/// A per-run secret: the standard library's randomly seeded hasher, no crate needed.
fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.finish()
    };
    format!("{:016x}{:016x}", half(), half())
}

/// A loopback address nothing listens on right now, for the browser tests' own page.
fn free_loopback_address() -> Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok(addr.to_string())
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the local service is compiled: optimised for the tests' load, or quickly for `serve`.
#[derive(Clone, Copy)]
pub enum Build {
    /// The `native` profile: optimised, for the test suites.
    Tests,
    /// The `serve` profile (dev without debug info): compiles in a fraction of the time; one clerk's page does not need more.
    Serve,
}

impl Build {
    fn profile(self) -> (&'static str, &'static str) {
        match self {
            Build::Tests => ("native", "native"),
            Build::Serve => ("serve", "serve"),
        }
    }
}

/// The built server binary.
pub fn server_bin(build: Build) -> PathBuf {
    root()
        .join("target")
        .join(build.profile().1)
        .join("booktax-server")
}

/// `cargo build -p booktax-server` in the build's profile.
pub fn build_server(build: Build) -> Result {
    run(cmd(&cargo()).args([
        "build",
        "--profile",
        build.profile().0,
        "-p",
        "booktax-server",
    ]))
}

/// Starts the built server on a free loopback port and waits for its address line.
pub fn start_server(extra: &[&str]) -> Result<Server> {
    let bin = server_bin(Build::Tests);
    let token = random_token();
    let mut child = cmd(&bin.to_string_lossy())
        .args(["--listen", "127.0.0.1:0", "--www"])
        .arg(site::dir())
        .args(extra)
        .env("BOOKTAX_TEST_ADMIN_TOKEN", &token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reading the server's address: {e}"))?;
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .filter(|u| u.starts_with("http://"))
        .map(str::to_string);
    match url {
        Some(url) => Ok(Server { child, url, token }),
        None => {
            let _ = child.kill();
            Err(format!(
                "the server did not print its address (got {line:?})"
            ))
        }
    }
}

/// Sets (or clears) the variables that put a browser in a time zone.
fn time_zone(c: &mut Command, vars: &[&str], tz: Option<&str>) {
    for var in vars {
        match tz {
            Some(tz) => c.env(var, tz),
            None => c.env_remove(var),
        };
    }
}

/// The sample appid, whose requests the service counts like any other.
const SAMPLE_APPID: &str = "booktax-sample";

/// GETs a test-admin count from the local service: how many requests came with `appid`.
fn hits(server: &Server, appid: &str) -> Result<u64> {
    let base = server.url.as_str();
    let token = server.token.as_str();
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("{base}: {e}"))?;
    write!(
        stream,
        "GET /__admin/hits?appid={appid} HTTP/1.0\r\nHost: {addr}\r\nX-Booktax-Admin-Token: {token}\r\n\r\n"
    )
    .map_err(|e| format!("{base}: {e}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| format!("{base}: {e}"))?;
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    body.split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no hit count in {body:?}"))
}

/// `wasm-pack test` in both browsers against the local service; fails when the
/// client tests did not ask it anything (skipped, filtered out, or pointed elsewhere).
fn wasm_pack_test(server: &Server, runner: &str, tz: Option<&str>) -> Result {
    let before = hits(server, SAMPLE_APPID)?;
    let mut c = cmd("wasm-pack");
    c.args(["test", "--headless", "--chrome", "--firefox"])
        .env("BOOKTAX_TEST_URL", &server.url)
        .env("BOOKTAX_TEST_REQUIRED", "1")
        // The tests drive the service's admin with this run's token, from the one page origin it allows.
        .env("BOOKTAX_TEST_ADMIN_TOKEN", &server.token)
        .env("WASM_BINDGEN_TEST_ADDRESS", runner);
    // The browsers inherit TZ; the tests check they really are in BOOKTAX_EXPECT_TZ.
    time_zone(&mut c, &["TZ", "BOOKTAX_EXPECT_TZ"], tz);
    run(&mut c)?;
    let asked = hits(server, SAMPLE_APPID)? - before;
    if asked == 0 {
        return Err(
            "the client tests made no request to the local service: they were skipped".into(),
        );
    }
    eprintln!("the client tests made {asked} requests with the sample appid");
    Ok(())
}

/// Without a service the client tests must fail, not skip, when the suite requires them.
fn client_tests_fail_without_the_service() -> Result {
    let mut c = cmd("wasm-pack");
    c.args(["test", "--headless", "--chrome", "--test", "client"])
        .env_remove("BOOKTAX_TEST_URL")
        .env("BOOKTAX_TEST_REQUIRED", "1");
    match run(&mut c) {
        Ok(()) => Err("the client tests passed without a service: they skip silently".into()),
        Err(_) => {
            eprintln!("as required: without a service the client tests fail");
            Ok(())
        }
    }
}

/// `tsc --noEmit` over the page's and the element's JavaScript, then no unused exports among
/// their modules (the element's entry module is the package's, used by its importers).
fn check_javascript() -> Result {
    let tool = |name: &str| cmd(&node_bin().join(name).to_string_lossy());
    run(tool("tsc").args(["--noEmit", "-p", "tsconfig.json"]))?;
    let www = root().join("www");
    let mut modules: Vec<String> = std::fs::read_dir(&www)
        .map_err(|e| format!("{}: {e}", www.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".js"))
        .map(|name| format!("www/{name}"))
        .collect();
    modules.extend(
        wasm::ELEMENT_FILES
            .iter()
            .map(|name| format!("element/{name}")),
    );
    modules.sort();
    run(tool("ts-unused-exports")
        .arg("tsconfig.json")
        .args(&modules)
        .args([
            "--allowUnusedTypes",
            "--showLineNumber",
            "--excludePathsFromReport=book-tax-lookup.js",
        ]))
}

fn e2e(tz: Option<&str>) -> Result {
    let mut c = cmd("node");
    // A test that hangs fails after three minutes instead of holding CI.
    c.args([
        "--test",
        "--test-concurrency=1",
        "--test-timeout=180000",
        "tests/e2e/",
    ])
    .env("BOOKTAX_SERVER_BIN", server_bin(Build::Tests))
    .env("BOOKTAX_WWW", site::dir());
    time_zone(&mut c, &["BOOKTAX_TZ"], tz);
    run(&mut c)
}

/// The long end-to-end runs (`tests/long/`), once, in the default time zone: 100,000 lines of
/// batch pricing against the service at `--records 1000000` take minutes, so they get their own
/// step and time limit instead of raising every test's.
fn e2e_long() -> Result {
    let mut c = cmd("node");
    c.args([
        "--test",
        "--test-concurrency=1",
        "--test-timeout=1500000",
        "tests/long/",
    ])
    .env("BOOKTAX_SERVER_BIN", server_bin(Build::Tests))
    .env("BOOKTAX_WWW", site::dir());
    run(&mut c)
}

/// The Node.js build must load and answer too.
fn node_loads() -> Result {
    let script = r#"
        const b = require('./target/pkg-node/booktax.js');
        const c = b.normalizeCode('957-678-000-4');
        if (c.code !== '9789576780004') throw new Error('normalizeCode: ' + JSON.stringify(c));
        const d = b.decideIsbn({status:'approved',kind:'實體',approved_effective_date:'20210301'},
                               {policyExpiryDate:'20260228', at:'2026-02-28T15:59:59Z'});
        if (d.verdict !== 'exempt') throw new Error('decideIsbn: ' + JSON.stringify(d));
        console.log('nodejs package: normalizeCode and decideIsbn answer');
    "#;
    run(cmd("node").args(["-e", script]))
}

/// `cargo clippy … --all-targets -- -D warnings`.
fn clippy(which: &[&str]) -> Result {
    let mut c = cmd(&cargo());
    c.arg("clippy")
        .args(which)
        .args(["--all-targets", "--", "-D", "warnings"]);
    run(&mut c)
}

pub fn run_all() -> Result<usize> {
    let mut steps = Steps::new();
    steps.step("setup", || setup::ensure(setup::ALL))?;
    steps.step("cargo fmt --check", || {
        run(cmd(&cargo()).args(["fmt", "--all", "--", "--check"]))
    })?;
    steps.step("clippy (native, all targets)", || clippy(&["--workspace"]))?;
    steps.step("clippy (wasm32, all targets)", || {
        clippy(&["-p", "booktax", "--target", "wasm32-unknown-unknown"])
    })?;
    // The page's wasm alone, so the library is checked without `workers` too.
    steps.step("clippy (wasm32, the page's build)", || {
        clippy(&["-p", "booktax-page", "--target", "wasm32-unknown-unknown"])
    })?;
    // Each feature alone: an importer of the crate may pick either.
    steps.step(
        "clippy (wasm32, `workers`, `mirror`, `library`, `english` each alone)",
        || {
            for feature in ["workers", "mirror", "library", "english"] {
                clippy(&[
                    "-p",
                    "booktax",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--no-default-features",
                    "--features",
                    feature,
                ])?;
            }
            Ok(())
        },
    )?;
    steps.step("native tests (cargo test --workspace)", || {
        run(cmd(&cargo()).args(["test", "--workspace"]))
    })?;
    steps.step("build the local service", || build_server(Build::Tests))?;
    // The browser tests' page gets a fixed address, so the service can allow that one origin to its admin.
    let runner = free_loopback_address()?;
    let origin = format!("http://{runner}");
    let server = start_server(&["--test-admin", "--test-admin-origin", &origin])?;
    eprintln!(
        "local announcement service for the browser tests: {}",
        server.url
    );
    steps.step("wasm-pack test --headless --chrome --firefox", || {
        wasm_pack_test(&server, &runner, None)
    })?;
    steps.step(&format!("wasm-pack test, browsers in {OTHER_TZ}"), || {
        wasm_pack_test(&server, &runner, Some(OTHER_TZ))
    })?;
    drop(server);
    steps.step(
        "client tests fail without the service",
        client_tests_fail_without_the_service,
    )?;
    steps.step("release build (web) and sizes", || {
        wasm::build_web()?;
        site::report()
    })?;
    steps.step(
        "JavaScript: tsc --noEmit, no unused exports",
        check_javascript,
    )?;
    steps.step("release build (nodejs) loads", || {
        wasm::build_node()?;
        node_loads()
    })?;
    steps.step("end-to-end (Playwright, Debian chromium)", || e2e(None))?;
    steps.step(&format!("end-to-end, browser in {OTHER_TZ}"), || {
        e2e(Some(OTHER_TZ))
    })?;
    steps.step(
        "end-to-end, long: a 100,000-line batch at --records 1000000",
        e2e_long,
    )?;
    steps.summary();
    Ok(steps.count())
}
