//! Builds the wasm package into www/pkg (cargo, wasm-bindgen, then wasm-opt -Oz) and reports what the page weighs.

use crate::shell::{Result, cargo, cmd, node_bin, root, run};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs;
use std::io::Write;
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

/// The release wasm of the library, for wasm-bindgen to wrap.
fn release_wasm() -> PathBuf {
    root()
        .join("target")
        .join("wasm32-unknown-unknown")
        .join("release")
        .join("booktax.wasm")
}

/// `cargo build --release --target wasm32-unknown-unknown` of the library alone.
pub fn compile() -> Result {
    run(cmd(&cargo()).args([
        "build",
        "--lib",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "booktax",
    ]))
}

/// wasm-bindgen's JS glue and TypeScript declarations for `target` (`web`, `nodejs`) into `out`.
fn bindgen(target: &str, out: &Path) -> Result {
    let mut c = cmd("wasm-bindgen");
    c.args(["--target", target, "--out-name", "booktax", "--out-dir"])
        .arg(out)
        .arg(release_wasm());
    run(&mut c)
}

/// The page's package in www/pkg: compile, wasm-bindgen `--target web`, then `wasm-opt -Oz` in place.
///
/// Cargo and wasm-bindgen alone: the page needs neither wasm-pack nor its downloads.
pub fn build_web() -> Result {
    compile()?;
    bindgen("web", &pkg_dir())?;
    optimize(&pkg_dir().join("booktax_bg.wasm"))?;
    precompress(&pkg_dir())
}

/// Writes `.br` (quality 11) and `.gz` (zopfli) beside the package's wasm and JS, which the
/// local service sends as they are to a client that accepts them: compressed once, at build time.
fn precompress(dir: &Path) -> Result {
    for name in ["booktax_bg.wasm", "booktax.js"] {
        let path = dir.join(name);
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut bytes.as_slice(), &mut br, &params)
            .map_err(|e| format!("brotli {name}: {e}"))?;
        let mut gz = Vec::new();
        zopfli::compress(
            zopfli::Options::default(),
            zopfli::Format::Gzip,
            bytes.as_slice(),
            &mut gz,
        )
        .map_err(|e| format!("gzip {name}: {e}"))?;
        for (ext, data) in [("br", br), ("gz", gz)] {
            let out = dir.join(format!("{name}.{ext}"));
            fs::write(&out, data).map_err(|e| format!("{}: {e}", out.display()))?;
        }
    }
    Ok(())
}

/// The same package for Node.js (`--target nodejs`), into target/pkg-node.
pub fn build_node() -> Result {
    compile()?;
    let out = root().join("target").join("pkg-node");
    bindgen("nodejs", &out)?;
    // The glue is CommonJS; without this the workspace's `"type": "module"` would make Node read it as ESM.
    let manifest = out.join("package.json");
    fs::write(&manifest, "{ \"type\": \"commonjs\" }\n")
        .map_err(|e| format!("{}: {e}", manifest.display()))
}

fn optimize(wasm: &Path) -> Result {
    let wasm_opt = node_bin().join("wasm-opt");
    let optimized = wasm.with_extension("opt.wasm");
    let mut c = cmd(&wasm_opt.to_string_lossy());
    c.arg("-Oz")
        .args(FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(&optimized);
    run(&mut c)?;
    fs::rename(&optimized, wasm).map_err(|e| format!("{}: {e}", wasm.display()))
}

fn gzipped(bytes: &[u8]) -> usize {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(bytes).expect("writing to memory");
    gz.finish().expect("writing to memory").len()
}

/// Raw and gzipped sizes of a file.
fn sizes(path: &Path) -> Result<(usize, usize)> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((bytes.len(), gzipped(&bytes)))
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// Prints the release wasm's size and the whole page's (what a browser loads), raw and gzipped.
pub fn report() -> Result {
    let www = root().join("www");
    let pkg = pkg_dir();
    let (raw, gz) = sizes(&pkg.join("booktax_bg.wasm"))?;
    let sent = |ext: &str| {
        fs::metadata(pkg.join(format!("booktax_bg.wasm.{ext}"))).map_or(0, |m| m.len() as usize)
    };
    let (br, zopfli) = (sent("br"), sent("gz"));
    println!(
        "booktax_bg.wasm (release, wasm-opt -Oz): {raw} bytes raw, {gz} bytes gzip -9; \
         on the wire {br} bytes brotli, {zopfli} bytes gzip (zopfli) ({} / {} / {} / {})",
        kb(raw),
        kb(gz),
        kb(br),
        kb(zopfli)
    );

    let mut page: Vec<PathBuf> = fs::read_dir(&www)
        .map_err(|e| format!("{}: {e}", www.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("html" | "js" | "css" | "svg" | "ico")
                )
        })
        .collect();
    page.sort();
    page.push(pkg.join("booktax.js"));
    page.push(pkg.join("booktax_bg.wasm"));
    let (mut total_raw, mut total_gz) = (0, 0);
    for file in &page {
        let (raw, gz) = sizes(file)?;
        total_raw += raw;
        total_gz += gz;
        let name = file
            .strip_prefix(root())
            .unwrap_or(file)
            .display()
            .to_string();
        println!("  {name:<28} {raw:>8} raw {gz:>7} gzipped");
    }
    println!(
        "page total ({} files): {total_raw} bytes raw, {total_gz} bytes gzipped ({}; budget 80 KB gzipped)",
        page.len(),
        kb(total_gz)
    );
    Ok(())
}
