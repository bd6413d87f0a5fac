//! Makes the site the service serves, target/site: www/ and its package with the modules and styles minified, each file precompressed, and the service worker's manifest; and reports what it weighs.

use crate::shell::{Result, cmd, node_bin, root, run};
use crate::wasm::ELEMENT_FILES;
use base64::prelude::{BASE64_STANDARD, Engine};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The browsers the minifier may write for: those that run the wasm (its reference types and bulk
/// memory) and the modules as written (top-level await: Firefox 89), so minifying never uses a
/// syntax one of them lacks, and fails the build if a source does.
const BROWSERS: &str = "chrome96,firefox89,safari15";

/// Where the site is made: what `cargo xtask serve`, the tests and the benchmarks serve, and what
/// a store deploys.
pub fn dir() -> PathBuf {
    root().join("target").join("site")
}

/// The site from www/ and the package in www/pkg, made anew (a file taken out of www/ is not
/// served on): the JavaScript and CSS minified by esbuild, each with a source map to its source
/// (read only by a browser's developer tools); the rest copied as it is; then every file a page
/// loads precompressed, and the shell manifest over the files as served.
pub fn build() -> Result {
    let www = root().join("www");
    let site = dir();
    if site.exists() {
        fs::remove_dir_all(&site).map_err(|e| format!("{}: {e}", site.display()))?;
    }
    fs::create_dir_all(site.join("pkg")).map_err(|e| format!("{}: {e}", site.display()))?;
    remove_leftovers(&www)?;
    let mut minified = Vec::new();
    for sub in ["", "pkg"] {
        for name in file_names(&www.join(sub))? {
            let rel = if sub.is_empty() {
                name.clone()
            } else {
                format!("{sub}/{name}")
            };
            // The package's TypeScript declarations: nothing a browser asks for.
            if name.ends_with(".d.ts") {
                continue;
            }
            if name.ends_with(".js") || name.ends_with(".css") {
                minified.push(format!("www/{rel}"));
            } else if name.ends_with(".html") {
                let html =
                    fs::read_to_string(www.join(&rel)).map_err(|e| format!("www/{rel}: {e}"))?;
                fs::write(site.join(&rel), without_comments(&html))
                    .map_err(|e| format!("{}: {e}", site.join(&rel).display()))?;
            } else {
                fs::copy(www.join(&rel), site.join(&rel)).map_err(|e| format!("www/{rel}: {e}"))?;
            }
        }
    }
    minify(&minified, &site)?;
    let loaded = loaded_files(&site)?;
    let loaded: Vec<&str> = loaded.iter().map(String::as_str).collect();
    precompress(&site, &loaded)?;
    write_shell_manifest(&site)
}

/// A page without its comments, each with the line break after it when it began a line (an
/// indented one leaves its indentation): notes for whoever edits www/, which no browser reads (228 B of the lookup page's 3.0 KB
/// brotli). The pages hold no script or style text where `<!--` could mean anything else.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        let Some(len) = rest[start..].find("-->") else {
            break; // not closed: left as it is
        };
        out.push_str(&rest[..start]);
        rest = &rest[start + len + 3..];
        if out.ends_with('\n') || out.is_empty() {
            rest = rest.strip_prefix('\n').unwrap_or(rest);
        }
    }
    out.push_str(rest);
    out
}

/// What a browser loads from the site, as paths in it, sorted: its pages, modules and styles, and
/// the package's wasms, their glue and the element. Each is precompressed, and all but the service
/// worker itself are in its manifest.
fn loaded_files(site: &Path) -> Result<Vec<String>> {
    let mut files: Vec<String> = file_names(site)?
        .into_iter()
        .filter(|name| name.ends_with(".js") || name.ends_with(".css") || name.ends_with(".html"))
        .collect();
    let package = [
        "booktax.js",
        "booktax_bg.wasm",
        "booktax-page.js",
        "booktax-page_bg.wasm",
    ];
    files.extend(
        package
            .iter()
            .chain(ELEMENT_FILES)
            .map(|name| format!("pkg/{name}")),
    );
    files.sort();
    Ok(files)
}

/// What builds before the site was made apart wrote into www/: compressed copies beside the files
/// and the service worker's manifest, which a server pointed at www/ would send for files that are
/// no longer those (their hashes are of an older build): taken away, so www/ is sources and package.
fn remove_leftovers(www: &Path) -> Result {
    for sub in ["", "pkg"] {
        for name in file_names(&www.join(sub))? {
            let leftover = name.ends_with(".br")
                || name.ends_with(".gz")
                || (sub == "pkg" && name.starts_with("shell-"));
            if leftover {
                let path = www.join(sub).join(&name);
                fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// The names of the files (not directories) in `dir`.
fn file_names(dir: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_type().ok()?.is_file().then_some(())?;
            e.file_name().into_string().ok()
        })
        .collect();
    names.sort();
    Ok(names)
}

/// esbuild (the npm package the package test already bundles with, pinned) minifies each file
/// on its own, no bundling: the modules stay the page's modules, one file each, their names kept
/// where another file can see them (exports, and a classic script's globals). About 40 % of the
/// modules' compressed bytes are their comments, JSDoc types and long local names.
fn minify(sources: &[String], site: &Path) -> Result {
    let esbuild = node_bin().join("esbuild");
    let mut c = cmd(&esbuild.to_string_lossy());
    c.args(sources)
        .args([
            "--minify",
            &format!("--target={BROWSERS}"),
            "--sourcemap",
            // The zh-TW text as it is (UTF-8, as the service declares), not as \u escapes twice its size.
            "--charset=utf8",
            // Not tsconfig.json's settings, which are for the type check (its `alwaysStrict` would
            // add "use strict" to every file, the modules already being strict).
            "--tsconfig-raw={}",
            "--outbase=www",
            "--log-level=warning",
        ])
        .arg(format!("--outdir={}", site.display()));
    run(&mut c)
}

/// `pkg/shell-manifest.json` in the site: the files the service worker keeps for an offline start
/// (the pages, their modules and styles, the element, the wasm), a version that changes with any
/// of them, and each file's SHA-256 (`integrity`), which the worker checks every file against
/// (those of the files it caches on first use in `pkg/shell-lazy.json`, with the version); and
/// `pkg/shell-version.txt`, that version alone. The hashes are of the files as served.
fn write_shell_manifest(site: &Path) -> Result {
    // Every page and the element too: whatever the worker serves comes from one version.
    let mut files = loaded_files(site)?;
    files.retain(|f| f != "sw.js");
    // 64-bit FNV-1a over every file's name and bytes, the worker's own too (which it does not
    // cache): enough to tell builds apart, and a new worker always installs into a cache of its own
    // (with the same version it would overwrite the note of the worker still running).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let worker =
        fs::read(site.join("sw.js")).map_err(|e| format!("{}/sw.js: {e}", site.display()))?;
    for b in "sw.js".bytes().chain(worker) {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut integrity = Vec::new();
    for name in &files {
        let bytes =
            fs::read(site.join(name)).map_err(|e| format!("{}/{name}: {e}", site.display()))?;
        let digest = BASE64_STANDARD.encode(Sha256::digest(&bytes));
        // The page is cached once, as "./" (the worker answers /index.html from that entry too;
        // a second copy was a second download on the first visit).
        let key = if name == "index.html" { "./" } else { name };
        integrity.push((key.to_string(), format!("\"{key}\": \"sha256-{digest}\"")));
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
    // The lazy files' hashes apart (`pkg/shell-lazy.json`), asked for by the worker once one of them
    // is needed or on the page's second load: hashes do not compress, and a first visit needs none
    // of them (0.7 KB less on its wire).
    let hashes_of = |names: &[String]| {
        integrity
            .iter()
            .filter(|(key, _)| names.contains(key))
            .map(|(_, entry)| entry.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (shell_hashes, lazy_hashes) = (hashes_of(&shell), hashes_of(&lazy));
    let (shell, lazy) = (list(&shell), list(&lazy));
    let manifest = format!(
        "{{ \"version\": \"{hash:016x}\", \"files\": [{shell}], \"lazy\": [{lazy}], \"integrity\": {{ {shell_hashes} }} }}\n"
    );
    let path = site.join("pkg").join("shell-manifest.json");
    fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    let hashes =
        format!("{{ \"version\": \"{hash:016x}\", \"integrity\": {{ {lazy_hashes} }} }}\n");
    let path = site.join("pkg").join("shell-lazy.json");
    fs::write(&path, hashes).map_err(|e| format!("{}: {e}", path.display()))?;
    // The version alone, for whoever needs only that (the page choosing which worker to register,
    // the worker checking that no deploy came during its install): 16 bytes where the manifest's
    // hashes are 1.6 KB that do not compress, which a first visit fetched three times.
    let path = site.join("pkg").join("shell-version.txt");
    fs::write(&path, format!("{hash:016x}\n")).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether the service worker caches `file` (a shell manifest name) on first use rather than at
/// install: the Workers' scripts and the full wasm (the mirror's too: a page with it on loads that
/// one), the embedding example with the element, and the page's modules a scan never needs and a
/// first visit does not load: batch pricing and the daily list (loaded when their panels open; both
/// ask the service, or read the mirror), and the mirror's panel and the sync's hold (with the mirror
/// on only). A first visit
/// would otherwise download them beside the page's own (the full wasm alone is 102 KB). With the
/// mirror on, the page has the worker cache them all once it is ready, so they work offline.
fn is_lazy(file: &str) -> bool {
    matches!(
        file,
        "sync-worker.js"
            | "batch-worker.js"
            | "batch.js"
            | "daily.js"
            | "sync-hold.js"
            | "mirror-panel.js"
            | "embed.html"
            | "embed.js"
            | "embed.css"
            | "pkg/booktax.js"
            | "pkg/booktax_bg.wasm"
    ) || ELEMENT_FILES
        .iter()
        .any(|e| file.strip_prefix("pkg/") == Some(*e))
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

/// Prints the two wasms' sizes and the whole page's as the site serves them (what a browser loads), raw and gzipped.
pub fn report() -> Result {
    let www = dir();
    let pkg = www.join("pkg");
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
            .strip_prefix(&www)
            .unwrap_or(file)
            .display()
            .to_string();
        println!("  {name:<28} {raw:>8} raw {gz:>7} gzipped");
    }
    println!(
        "page total as the site serves it ({} files): {total_raw} bytes raw, {total_gz} bytes gzipped ({}; budget 80 KB gzipped)",
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
