//! Running the tools: the project root, a PATH that finds what setup installed, and steps that stop on failure.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What went wrong, said for the person at the terminal.
pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the folder holding the top-level Cargo.toml).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The cargo that runs this xtask (its `CARGO`), so every step uses the same toolchain.
pub fn cargo() -> String {
    env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"))
        .join("bin")
}

/// The npm packages' binaries (wasm-opt).
pub fn node_bin() -> PathBuf {
    root().join("node_modules").join(".bin")
}

/// PATH with cargo's and npm's binaries first, so the pinned tools win.
fn path() -> std::ffi::OsString {
    let mut dirs = vec![cargo_bin(), node_bin()];
    if let Some(existing) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&existing));
    }
    env::join_paths(dirs).unwrap_or_default()
}

/// A command run from the project root with the project's PATH.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", path());
    c
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs a command to completion, its output on the terminal.
pub fn run(c: &mut Command) -> Result {
    let shown = describe(c);
    eprintln!("$ {shown}");
    let status = c
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs a command quietly and returns its standard output, or `None` if it could not run or failed.
pub fn output(c: &mut Command) -> Option<String> {
    let out = c.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A named step of a job, timed, counted for the summary.
pub struct Steps {
    passed: Vec<(String, f64)>,
}

impl Steps {
    pub fn new() -> Steps {
        Steps { passed: Vec::new() }
    }

    pub fn step(&mut self, name: &str, work: impl FnOnce() -> Result) -> Result {
        eprintln!("\n==> {name}");
        let started = Instant::now();
        work().map_err(|e| format!("{name}: {e}"))?;
        let secs = started.elapsed().as_secs_f64();
        eprintln!("<== {name}: ok ({secs:.1} s)");
        self.passed.push((name.to_string(), secs));
        Ok(())
    }

    pub fn summary(&self) {
        eprintln!();
        for (name, secs) in &self.passed {
            eprintln!("  ok  {secs:>6.1} s  {name}");
        }
    }

    pub fn count(&self) -> usize {
        self.passed.len()
    }
}
