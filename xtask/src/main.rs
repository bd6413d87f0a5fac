//! `cargo xtask <job>`: sets up the toolchain, then builds, serves or tests booktax.

mod setup;
mod shell;
mod site;
mod suite;
mod wasm;

use shell::{Result, cmd};
use std::process::ExitCode;
use std::time::Instant;
use suite::Build;

const USAGE: &str = "\
usage: cargo xtask <job>

  serve [server flags]  set up, build, and serve the lookup page with sample data
                        on http://127.0.0.1:8080 (flags go to booktax-server,
                        e.g. --listen 127.0.0.1:9000 --records 1000000)
  test                  set up and run every check and test
  bench                 set up, build, and measure size and speed; writes BENCHMARKS.md
  build                 set up, build the release wasm into www/pkg and the site
                        into target/site, print their sizes
  setup                 install the toolchain pieces (each only when missing)
";

/// Sets up what the page needs, builds it and serves it: the wasm, the server and the glue
/// generator compile at once (their builds lock different directories), so a fresh machine's
/// cores stay busy until the last of them is done.
fn serve(args: &[String]) -> Result {
    let started = Instant::now();
    setup::ensure(setup::PAGE)?;
    let tool = std::thread::spawn(wasm::build_bindgen);
    let server = std::thread::spawn(|| suite::build_server(Build::Serve));
    let built = wasm::compile();
    tool.join()
        .map_err(|_| "building the glue generator panicked".to_string())??;
    server
        .join()
        .map_err(|_| "building the server panicked".to_string())??;
    built?;
    wasm::build_web()?;
    site::report()?;
    eprintln!(
        "xtask serve: set up and built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut server = cmd(&suite::server_bin(Build::Serve).to_string_lossy());
    if !args.iter().any(|a| a == "--listen") {
        server.args(["--listen", "127.0.0.1:8080"]);
    }
    server.arg("--www").arg(site::dir()).args(args);
    exec(server)
}

/// Builds what the benchmarks measure (the release wasm and the optimised service) and runs them:
/// `bench/run.mjs` prints every figure and writes `BENCHMARKS.md`.
fn bench() -> Result {
    setup::ensure(setup::ALL)?;
    wasm::build_web()?;
    site::report()?;
    wasm::build_node()?;
    suite::build_server(Build::Tests)?;
    shell::run(
        cmd("node")
            .arg("bench/run.mjs")
            .env("BOOKTAX_SERVER_BIN", suite::server_bin(Build::Tests))
            .env("BOOKTAX_WWW", site::dir()),
    )
}

/// Becomes the server, so Ctrl-C and the exit status are its own.
#[cfg(unix)]
fn exec(mut c: std::process::Command) -> Result {
    use std::os::unix::process::CommandExt;
    Err(format!("could not start the server: {}", c.exec()))
}

#[cfg(not(unix))]
fn exec(mut c: std::process::Command) -> Result {
    shell::run(&mut c)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve" | "run") => serve(&args[1..]),
        Some("test") => suite::run_all().map(|n| println!("xtask: {n} passed, 0 failed")),
        Some("bench") => bench(),
        Some("build") => setup::ensure(setup::PAGE)
            .and_then(|()| wasm::build_web())
            .and_then(|()| site::report()),
        Some("setup") => setup::ensure(setup::ALL),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown job `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
