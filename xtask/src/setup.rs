//! Installs the toolchain pieces the jobs need, each only when it is missing: idempotent and quick when all is there.
//!
//! Everything comes from the package registries (rustup, crates.io, Debian,
//! npm); nothing downloads a prebuilt binary from elsewhere.

use crate::shell::{Result, cmd, output, root, run};
use std::fs;

/// A piece a job needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Need {
    /// rustup's wasm32-unknown-unknown target, rustfmt and clippy.
    Rust,
    /// wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version (wasm-pack uses it from PATH).
    WasmBindgen,
    WasmPack,
    /// npm packages: binaryen's wasm-opt and playwright-core.
    Npm,
    /// Debian's chromium, chromium-driver, firefox-esr, and a CJK font for readable screenshots.
    Browsers,
    Geckodriver,
}

pub const BUILD: &[Need] = &[Need::Rust, Need::WasmBindgen, Need::WasmPack, Need::Npm];
pub const ALL: &[Need] = &[
    Need::Rust,
    Need::WasmBindgen,
    Need::WasmPack,
    Need::Npm,
    Need::Browsers,
    Need::Geckodriver,
];

pub fn ensure(needs: &[Need]) -> Result {
    for need in needs {
        match need {
            Need::Rust => rust()?,
            Need::WasmBindgen => wasm_bindgen()?,
            Need::WasmPack => wasm_pack()?,
            Need::Npm => npm()?,
            Need::Browsers => browsers()?,
            Need::Geckodriver => geckodriver()?,
        }
    }
    Ok(())
}

fn rust() -> Result {
    let installed =
        output(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let have_fmt = output(cmd("cargo").args(["fmt", "--version"])).is_some();
    let have_clippy = output(cmd("cargo").args(["clippy", "--version"])).is_some();
    if !have_fmt || !have_clippy {
        run(cmd("rustup").args(["component", "add", "rustfmt", "clippy"]))?;
    }
    Ok(())
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

fn wasm_bindgen() -> Result {
    let want = locked_wasm_bindgen()?;
    let have = output(cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) {
        return Ok(());
    }
    // Not --locked: the CLI's own lockfile pins a crate version the registry no longer has.
    run(cmd("cargo").args([
        "install",
        "--force",
        "wasm-bindgen-cli",
        "--version",
        &format!("={want}"),
    ]))
}

fn wasm_pack() -> Result {
    if output(cmd("wasm-pack").arg("--version")).is_some() {
        return Ok(());
    }
    run(cmd("cargo").args(["install", "wasm-pack", "--locked"]))
}

fn geckodriver() -> Result {
    if output(cmd("geckodriver").arg("--version")).is_some() {
        return Ok(());
    }
    run(cmd("cargo").args(["install", "geckodriver"]))
}

fn npm() -> Result {
    let lock = fs::read(root().join("package-lock.json"))
        .map_err(|e| format!("package-lock.json: {e}"))?;
    let stamp = root().join("node_modules").join(".booktax-installed");
    // npm ci again only when the lockfile changed since the last install.
    if fs::read(&stamp).ok().as_deref() == Some(lock.as_slice())
        && crate::shell::node_bin().join("wasm-opt").exists()
    {
        return Ok(());
    }
    if output(cmd("npm").arg("--version")).is_none() {
        apt(&["nodejs", "npm"])?;
    }
    run(cmd("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    fs::write(&stamp, lock).map_err(|e| format!("{}: {e}", stamp.display()))
}

fn browsers() -> Result {
    apt(&[
        "chromium",
        "chromium-driver",
        "firefox-esr",
        "fonts-wqy-microhei",
    ])
}

/// Installs Debian packages that are not installed yet.
fn apt(packages: &[&str]) -> Result {
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
        return Ok(());
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
    apt_get(&args)
}
