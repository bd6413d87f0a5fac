//! Builds the wasm package into www/pkg (cargo, wasm-bindgen, then wasm-opt -Oz) and reports what the page weighs.

use crate::shell::{Result, cargo, cmd, node_bin, root, run};
use base64::prelude::{BASE64_STANDARD, Engine};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
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
/// The checkout page's own: without the `workers` feature (sync, import, batch pricing).
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

/// The workspace's glue generator (`bindgen/`, wasm-bindgen's own library at Cargo.lock's version):
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
/// `wasm-opt -Oz` in place, then the element, its types and the manifest from element/.
///
/// Cargo and wasm-bindgen's library alone: the page needs neither wasm-pack, nor the wasm-bindgen CLI, nor downloads.
pub fn build_web() -> Result {
    // The page's own files do not depend on the wasm: they are compressed while it is built.
    std::thread::scope(|scope| {
        let page = scope.spawn(precompress_page);
        let package = build_package();
        page.join()
            .map_err(|_| "compressing the page's files panicked".to_string())??;
        package
    })?;
    write_shell_manifest()
}

/// The two wasms, their glue and the element in www/pkg, each file also precompressed.
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
    check_manifest(&pkg.join("package.json"))?;
    let mut sent = vec![
        "booktax_bg.wasm",
        "booktax.js",
        "booktax-page_bg.wasm",
        "booktax-page.js",
    ];
    sent.extend(ELEMENT_FILES);
    precompress(&pkg, &sent)
}

/// The page's own modules, styles and HTML, precompressed like the package: the service would
/// otherwise compress them on the fly at its fastest level (about 11 KB more on a first visit).
/// The service sends a copy only while it is newer than its file, so an edit is never hidden.
fn precompress_page() -> Result {
    let www = root().join("www");
    let names: Vec<String> = fs::read_dir(&www)
        .map_err(|e| format!("{}: {e}", www.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".js") || name.ends_with(".css") || name.ends_with(".html"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    precompress(&www, &names)
}

/// `www/pkg/shell-manifest.json`: the files the service worker keeps for an offline start
/// (the pages, their modules and styles, the element, the wasm), a version that changes with any
/// of them, and each file's SHA-256 (`integrity`), which the worker checks every file against;
/// and `www/pkg/shell-version.txt`, that version alone.
fn write_shell_manifest() -> Result {
    let www = root().join("www");
    let mut files: Vec<String> = fs::read_dir(&www)
        .map_err(|e| format!("{}: {e}", www.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| {
            (name.ends_with(".js") || name.ends_with(".css") || name.ends_with(".html"))
                && name != "sw.js"
        })
        .collect();
    // Every page and the element too: whatever the worker serves comes from one version.
    files.extend(
        [
            "pkg/booktax.js",
            "pkg/booktax_bg.wasm",
            "pkg/booktax-page.js",
            "pkg/booktax-page_bg.wasm",
        ]
        .map(String::from),
    );
    files.extend(ELEMENT_FILES.iter().map(|f| format!("pkg/{f}")));
    files.sort();
    // 64-bit FNV-1a over every file's name and bytes: enough to tell builds apart.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut integrity = Vec::new();
    for name in &files {
        let bytes = fs::read(www.join(name)).map_err(|e| format!("www/{name}: {e}"))?;
        let digest = BASE64_STANDARD.encode(Sha256::digest(&bytes));
        // The page is cached once, as "./" (the worker answers /index.html from that entry too;
        // a second copy was a second download on the first visit).
        let key = if name == "index.html" { "./" } else { name };
        integrity.push(format!("\"{key}\": \"sha256-{digest}\""));
        for b in name.bytes().chain(bytes) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    files.retain(|f| f != "index.html");
    files.insert(0, "./".to_string());
    let (lazy, shell): (Vec<String>, Vec<String>) = files.into_iter().partition(|f| is_lazy(f));
    let list = |names: &[String]| {
        names
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (shell, lazy) = (list(&shell), list(&lazy));
    let integrity = integrity.join(", ");
    let manifest = format!(
        "{{ \"version\": \"{hash:016x}\", \"files\": [{shell}], \"lazy\": [{lazy}], \"integrity\": {{ {integrity} }} }}\n"
    );
    let path = www.join("pkg").join("shell-manifest.json");
    fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    // The version alone, for whoever needs only that (the page choosing which worker to register,
    // the worker checking that no deploy came during its install): 16 bytes where the manifest's
    // hashes are 2.6 KB that do not compress, which a first visit fetched three times.
    let path = www.join("pkg").join("shell-version.txt");
    fs::write(&path, format!("{hash:016x}\n")).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether the service worker caches `file` (a shell manifest name) on first use rather than at
/// install: the Workers' scripts and their full wasm, and the embedding example with the element.
/// The checkout page never loads them; a first visit would otherwise download the full wasm
/// (117 KB) beside the page's own. A sync needs the network and so caches them the first time.
fn is_lazy(file: &str) -> bool {
    matches!(
        file,
        "sync-worker.js"
            | "batch-worker.js"
            | "embed.html"
            | "embed.js"
            | "embed.css"
            | "pkg/booktax.js"
            | "pkg/booktax_bg.wasm"
    ) || ELEMENT_FILES
        .iter()
        .any(|e| file.strip_prefix("pkg/") == Some(*e))
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

/// Writes `.br` (quality 11) and `.gz` (zopfli) beside each file, which the local service sends
/// as they are to a client that accepts them: compressed once, at build time. Each copy is given
/// the modification time its file had when read, and the service sends a copy only while the two
/// times are equal: a file saved during or after the build is sent itself.
fn precompress(dir: &Path, names: &[&str]) -> Result {
    for &name in names {
        let path = dir.join(name);
        let read_error = |e: std::io::Error| format!("{}: {e}", path.display());
        let modified = fs::metadata(&path)
            .and_then(|m| m.modified())
            .map_err(read_error)?;
        let bytes = fs::read(&path).map_err(read_error)?;
        // Both at once: zopfli and brotli 11 each take seconds on the wasm.
        let (br, gz) = std::thread::scope(|scope| {
            let gz = scope.spawn(|| {
                let mut gz = Vec::new();
                zopfli::compress(
                    zopfli::Options::default(),
                    zopfli::Format::Gzip,
                    bytes.as_slice(),
                    &mut gz,
                )
                .map(|()| gz)
                .map_err(|e| format!("gzip {name}: {e}"))
            });
            let mut br = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                lgwin: 22,
                ..Default::default()
            };
            let br = brotli::BrotliCompress(&mut bytes.as_slice(), &mut br, &params)
                .map(|_| br)
                .map_err(|e| format!("brotli {name}: {e}"));
            let gz = gz
                .join()
                .unwrap_or_else(|_| Err(format!("gzip {name} panicked")));
            (br, gz)
        });
        let (br, gz) = (br?, gz?);
        for (ext, data) in [("br", br), ("gz", gz)] {
            let out = dir.join(format!("{name}.{ext}"));
            let write_error = |e: std::io::Error| format!("{}: {e}", out.display());
            fs::write(&out, data).map_err(write_error)?;
            fs::File::options()
                .write(true)
                .open(&out)
                .and_then(|f| f.set_modified(modified))
                .map_err(write_error)?;
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

/// Prints the two wasms' sizes and the whole page's (what a browser loads), raw and gzipped.
pub fn report() -> Result {
    let www = root().join("www");
    let pkg = pkg_dir();
    for (wasm, what) in [
        ("booktax_bg.wasm", "everything"),
        (
            "booktax-page_bg.wasm",
            "the checkout page's, without workers",
        ),
    ] {
        let (raw, gz) = sizes(&pkg.join(wasm))?;
        let sent = |ext: &str| {
            fs::metadata(pkg.join(format!("{wasm}.{ext}"))).map_or(0, |m| m.len() as usize)
        };
        let (br, zopfli) = (sent("br"), sent("gz"));
        println!(
            "{wasm} ({what}; release, wasm-opt -Oz): {raw} bytes raw, {gz} bytes gzip -9; \
             on the wire {br} bytes brotli, {zopfli} bytes gzip (zopfli) ({} / {} / {} / {})",
            kb(raw),
            kb(gz),
            kb(br),
            kb(zopfli)
        );
    }

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
    page.push(pkg.join("booktax-page.js"));
    page.push(pkg.join("booktax-page_bg.wasm"));
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
    report_element(&pkg)
}

/// Prints what a page embedding `<book-tax-lookup>` loads (the wasm, its glue, the element's
/// modules; the CSS is inside lookup-styles.js), raw, gzip -9 and brotli as sent.
fn report_element(pkg: &Path) -> Result {
    println!("<book-tax-lookup> loads (raw / gzip -9 / brotli as sent):");
    let mut files = vec!["booktax_bg.wasm", "booktax.js"];
    files.extend(ELEMENT_FILES);
    let (mut raw_sum, mut gz_sum, mut br_sum) = (0, 0, 0);
    let (mut own_raw, mut own_gz, mut own_br) = (0, 0, 0);
    for name in files {
        let (raw, gz) = sizes(&pkg.join(name))?;
        let br =
            fs::metadata(pkg.join(format!("{name}.br"))).map_or(raw as u64, |m| m.len()) as usize;
        println!("  {name:<28} {raw:>8} raw {gz:>7} gzip {br:>7} brotli");
        raw_sum += raw;
        gz_sum += gz;
        br_sum += br;
        if ELEMENT_FILES.contains(&name) {
            own_raw += raw;
            own_gz += gz;
            own_br += br;
        }
    }
    println!(
        "element total: {raw_sum} bytes raw, {gz_sum} gzip, {br_sum} brotli ({} / {} / {}); \
         the element's own modules beyond the shared wasm and glue: {own_raw} raw, {own_gz} gzip, {own_br} brotli (budget 10 KB)",
        kb(raw_sum),
        kb(gz_sum),
        kb(br_sum)
    );
    Ok(())
}
