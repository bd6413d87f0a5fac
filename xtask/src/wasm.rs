//! Builds the wasm package into www/pkg (cargo, wasm-bindgen, then wasm-opt -Oz) and the Node.js build.

use crate::shell::{Result, cargo, cmd, node_bin, root, run};
use crate::site;
use std::fs;
use std::path::{Path, PathBuf};

/// The WebAssembly features Rust's wasm32-unknown-unknown target emits by default;
/// wasm-opt must accept them and may use no others.
const FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn pkg_dir() -> PathBuf {
    root().join("www").join("pkg")
}

/// One wasm the build makes: its cargo package and wasm-bindgen's name for its files.
#[derive(Clone, Copy)]
struct Wasm {
    package: &'static str,
    /// `<out_name>.js` and `<out_name>_bg.wasm` in www/pkg.
    out_name: &'static str,
}

/// Everything, for the Workers, the element, the npm package and Node.
const FULL: Wasm = Wasm {
    package: "booktax-full",
    out_name: "booktax",
};
/// The checkout page's own: without the `workers` (sync, import, batch pricing), `mirror`, `library`
/// (the raw calls, the daily list) and `english` features.
const PAGE: Wasm = Wasm {
    package: "booktax-page",
    out_name: "booktax-page",
};

impl Wasm {
    /// The release wasm cargo makes, for wasm-bindgen to wrap.
    fn release(self) -> PathBuf {
        root()
            .join("target")
            .join("wasm32-unknown-unknown")
            .join("release")
            .join(format!("{}.wasm", self.package.replace('-', "_")))
    }
}

/// `cargo build --release --target wasm32-unknown-unknown` of the whole wasm, then of the page's.
/// Two cargos, not one: one would unify the library's features and give the page `workers`.
/// The second shares every dependency the first compiled; only the library compiles again, and
/// each feature set's library is kept apart (an rlib's name carries its hash), so an unchanged
/// build compiles nothing.
pub fn compile() -> Result {
    for wasm in [FULL, PAGE] {
        run(cmd(&cargo()).args([
            "build",
            "--lib",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            wasm.package,
        ]))?;
    }
    Ok(())
}

/// The workspace's glue generator (`bindgen/`, wasm-bindgen's own library at Cargo.lock's version, short import names):
/// `cargo build --profile bindgen -p booktax-bindgen`, quick when it is built.
pub fn build_bindgen() -> Result {
    run(cmd(&cargo()).args(["build", "--profile", "bindgen", "-p", "booktax-bindgen"]))
}

/// wasm-bindgen's JS glue and TypeScript declarations of `wasm` for `target` (`web`, `nodejs`) into `out`.
fn bindgen(wasm: Wasm, target: &str, out: &Path) -> Result {
    build_bindgen()?;
    let tool = root()
        .join("target")
        .join("bindgen")
        .join("booktax-bindgen");
    let mut c = cmd(&tool.to_string_lossy());
    c.args(["--target", target, "--out-name", wasm.out_name, "--out-dir"])
        .arg(out)
        .arg(wasm.release());
    run(&mut c)
}

/// The element's modules, copied from element/ into the package as they are.
pub const ELEMENT_FILES: &[&str] = &[
    "book-tax-lookup.js",
    "lookup-runtime.js",
    "lookup-styles.js",
    "lookup-texts.js",
    "lookup-view.js",
];

/// The package in www/pkg, as `npm pack` would publish it: compile, wasm-bindgen `--target web`,
/// `wasm-opt -Oz` in place, then the element, its types and the manifest from element/; then the
/// site the service serves, made from www/ and that package (`site::build`).
///
/// Cargo and wasm-bindgen's library alone: the page needs neither wasm-pack, nor the wasm-bindgen CLI, nor downloads.
pub fn build_web() -> Result {
    build_package()?;
    site::build()
}

/// The two wasms, their glue and the element in www/pkg: the npm package, as readable as its sources.
fn build_package() -> Result {
    compile()?;
    let pkg = pkg_dir();
    bindgen(FULL, "web", &pkg)?;
    bindgen(PAGE, "web", &pkg)?;
    // wasm-opt runs on one core: the two at once.
    std::thread::scope(|scope| {
        let page = scope.spawn(|| optimize(&pkg.join("booktax-page_bg.wasm")));
        let full = optimize(&pkg.join("booktax_bg.wasm"));
        page.join()
            .map_err(|_| "wasm-opt of the page's wasm panicked".to_string())??;
        full
    })?;
    let source = root().join("element");
    for name in ELEMENT_FILES
        .iter()
        .chain(&["book-tax-lookup.d.ts", "package.json", "README.md"])
    {
        fs::copy(source.join(name), pkg.join(name)).map_err(|e| format!("element/{name}: {e}"))?;
    }
    fs::copy(root().join("LICENSE"), pkg.join("LICENSE")).map_err(|e| format!("LICENSE: {e}"))?;
    check_manifest(&pkg.join("package.json"))
}

/// The package's version must be the crate's, and every file it ships must exist.
fn check_manifest(manifest: &Path) -> Result {
    let text = fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let cargo =
        fs::read_to_string(root().join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    let crate_version = cargo
        .lines()
        .skip_while(|l| l.trim() != "[package]")
        .find_map(|l| l.strip_prefix("version = "))
        .map(|v| v.trim_matches('"'))
        .ok_or("Cargo.toml: no [package] version")?;
    if !text.contains(&format!("\"version\": \"{crate_version}\"")) {
        return Err(format!(
            "element/package.json: version is not the crate's {crate_version}"
        ));
    }
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let files = text
        .split("\"files\": [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .ok_or("element/package.json: no files list")?;
    for name in files
        .split(',')
        .map(|f| f.trim().trim_matches('"'))
        .filter(|f| !f.is_empty())
    {
        if !dir.join(name).is_file() {
            return Err(format!(
                "element/package.json lists {name}, which the build did not make"
            ));
        }
    }
    Ok(())
}

/// The same package for Node.js (`--target nodejs`), into target/pkg-node.
pub fn build_node() -> Result {
    compile()?;
    let out = root().join("target").join("pkg-node");
    bindgen(FULL, "nodejs", &out)?;
    // The glue is CommonJS; without this the workspace's `"type": "module"` would make Node read it as ESM.
    let manifest = out.join("package.json");
    fs::write(&manifest, "{ \"type\": \"commonjs\" }\n")
        .map_err(|e| format!("{}: {e}", manifest.display()))
}

fn optimize(wasm: &Path) -> Result {
    let wasm_opt = node_bin().join("wasm-opt");
    let optimized = wasm.with_extension("opt.wasm");
    let mut c = cmd(&wasm_opt.to_string_lossy());
    // The producers and target-features sections are notes for tools (which compiler, which
    // features); no browser reads them, and wasm-bindgen has already run.
    c.arg("-Oz")
        .args(["--strip-producers", "--strip-target-features"])
        .args(FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(&optimized);
    run(&mut c)?;
    fs::rename(&optimized, wasm).map_err(|e| format!("{}: {e}", wasm.display()))
}
