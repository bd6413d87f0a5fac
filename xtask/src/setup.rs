//! Installs the toolchain pieces the jobs need, each only when it is missing: idempotent and quick when all is there.
//!
//! Everything comes from the package registries (rustup, crates.io, Debian,
//! npm); nothing downloads a prebuilt binary from elsewhere.

use crate::shell::{Result, cargo, cmd, output, root, run};
use std::fs;
use std::time::Instant;

/// A piece a job needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Need {
    /// rustup's wasm32-unknown-unknown target, rustfmt and clippy.
    Rust,
    /// wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version: its test runner, which wasm-pack uses from PATH.
    WasmBindgen,
    WasmPack,
    /// npm packages: binaryen's wasm-opt and playwright-core.
    Npm,
    /// Debian's chromium, chromium-driver, firefox-esr, and a CJK font for readable screenshots.
    Browsers,
    Geckodriver,
}

/// What the page needs: no wasm-pack, no browsers, and no wasm-bindgen CLI (the workspace's
/// `bindgen/` makes the glue from wasm-bindgen's library, in a fifth of the CLI's compile time).
pub const PAGE: &[Need] = &[Need::Rust, Need::Npm];
/// What `cargo xtask test` needs.
pub const ALL: &[Need] = &[
    Need::Rust,
    Need::WasmBindgen,
    Need::WasmPack,
    Need::Npm,
    Need::Browsers,
    Need::Geckodriver,
];

impl Need {
    fn name(self) -> &'static str {
        match self {
            Need::Rust => "rustup: wasm32 target, rustfmt, clippy",
            Need::WasmBindgen => "wasm-bindgen-cli (crates.io, Cargo.lock's version)",
            Need::WasmPack => "wasm-pack (crates.io)",
            Need::Npm => "npm packages (package-lock.json)",
            Need::Browsers => "Debian: chromium, chromium-driver, firefox-esr, fonts",
            Need::Geckodriver => "geckodriver (crates.io)",
        }
    }
}

/// Installs each missing piece, saying what it installs and how long it took.
pub fn ensure(needs: &[Need]) -> Result {
    for need in needs {
        let started = Instant::now();
        let installed = match need {
            Need::Rust => rust()?,
            Need::WasmBindgen => wasm_bindgen()?,
            Need::WasmPack => wasm_pack()?,
            Need::Npm => npm()?,
            Need::Browsers => browsers()?,
            Need::Geckodriver => geckodriver()?,
        };
        let secs = started.elapsed().as_secs_f64();
        if installed {
            eprintln!("setup: installed {} in {secs:.1} s", need.name());
        } else {
            eprintln!("setup: {} already there ({secs:.1} s)", need.name());
        }
    }
    Ok(())
}

fn rust() -> Result<bool> {
    let installed =
        output(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    let mut changed = false;
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
        changed = true;
    }
    let have_fmt = output(cmd(&cargo()).args(["fmt", "--version"])).is_some();
    let have_clippy = output(cmd(&cargo()).args(["clippy", "--version"])).is_some();
    if !have_fmt || !have_clippy {
        run(cmd("rustup").args(["component", "add", "rustfmt", "clippy"]))?;
        changed = true;
    }
    Ok(changed)
}

/// The wasm-bindgen version Cargo.lock pins.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock =
        fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""# {
            let version = lines.next().unwrap_or_default();
            if let Some(v) = version.trim().strip_prefix("version = \"") {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".to_string())
}

fn wasm_bindgen() -> Result<bool> {
    let want = locked_wasm_bindgen()?;
    let have = output(cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) {
        return Ok(false);
    }
    // Not --locked: the CLI's own lockfile pins a crate version the registry no longer has.
    // --debug: compiles in about half the time, and wrapping one small wasm stays quick.
    // --no-default-features: without its TLS (rustls, ring's C and assembly), which only a remote
    // WebDriver over https would need; the tests' drivers run on 127.0.0.1.
    run(cmd(&cargo())
        .args([
            "install",
            "--debug",
            "--force",
            "--no-default-features",
            "wasm-bindgen-cli",
            "--version",
            &format!("={want}"),
        ])
        // No debug info: a tool we only run compiles and links faster without it.
        .env("CARGO_PROFILE_DEV_DEBUG", "false"))?;
    Ok(true)
}

/// `cargo install --debug` of a tool the tests drive, unless it answers `--version`.
fn cargo_tool(binary: &str, args: &[&str]) -> Result<bool> {
    if output(cmd(binary).arg("--version")).is_some() {
        return Ok(false);
    }
    run(cmd(&cargo())
        .args(["install", "--debug"])
        .args(args)
        .env("CARGO_PROFILE_DEV_DEBUG", "false"))?;
    Ok(true)
}

fn wasm_pack() -> Result<bool> {
    cargo_tool("wasm-pack", &["wasm-pack", "--locked"])
}

fn geckodriver() -> Result<bool> {
    cargo_tool("geckodriver", &["geckodriver"])
}

fn npm() -> Result<bool> {
    let lock = fs::read(root().join("package-lock.json"))
        .map_err(|e| format!("package-lock.json: {e}"))?;
    let stamp = root().join("node_modules").join(".booktax-installed");
    // npm ci again only when the lockfile changed since the last install.
    if fs::read(&stamp).ok().as_deref() == Some(lock.as_slice())
        && crate::shell::node_bin().join("wasm-opt").exists()
    {
        return Ok(false);
    }
    if output(cmd("npm").arg("--version")).is_none() {
        apt(&["nodejs", "npm"])?;
    }
    run(cmd("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    fs::write(&stamp, lock).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(true)
}

fn browsers() -> Result<bool> {
    apt(&[
        "chromium",
        "chromium-driver",
        "firefox-esr",
        "fonts-wqy-microhei",
    ])
}

/// Installs Debian packages that are not installed yet; `true` when it installed any.
fn apt(packages: &[&str]) -> Result<bool> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            let status =
                output(cmd("dpkg-query").args(["-W", "-f=${Status}", p])).unwrap_or_default();
            !status.contains("install ok installed")
        })
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let root_user = output(cmd("id").arg("-u")).is_some_and(|id| id.trim() == "0");
    let apt_get = |args: &[&str]| {
        let mut c = if root_user {
            cmd("apt-get")
        } else {
            let mut c = cmd("sudo");
            c.arg("apt-get");
            c
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut c)
    };
    apt_get(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(&missing);
    apt_get(&args)?;
    Ok(true)
}
