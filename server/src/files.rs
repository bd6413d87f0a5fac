//! Static files of the web page: path resolution that refuses traversal, and content types.

use crate::query::percent_decode;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The content type of a file, by extension. Scripts and JSON name no charset: a module or a
/// worker's script is always read as UTF-8, and JSON is UTF-8 and has no such parameter (RFC 8259);
/// 15 B less on each of a first visit's 16 such answers. Pages, styles and text keep it.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        Some("webmanifest") => "application/manifest+json",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The relative file a URL path names, or `None` for anything that could leave the root:
/// `..` (also percent-encoded), backslashes, NUL, drive letters, hidden names.
pub fn relative_path(url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path, false)?;
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0', ':']) {
        return None;
    }
    let mut rel = PathBuf::new();
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        if part.starts_with('.') {
            return None;
        }
        rel.push(part);
    }
    if decoded.ends_with('/') {
        rel.push("index.html");
    }
    Some(rel)
}

/// The file to serve for `url_path` under `root`, checked to stay inside it after symlinks.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = relative_path(url_path)?;
    let root = root.canonicalize().ok()?;
    let mut file = root.join(rel).canonicalize().ok()?;
    if file.is_dir() {
        file = file.join("index.html").canonicalize().ok()?;
    }
    (file.starts_with(&root) && file.is_file()).then_some(file)
}

/// Whether the build's precompressed copies of `file` (`.br`, `.gz` beside it) may be sent for it:
/// each has exactly the file's modification time, which `cargo xtask build` gives it from the file
/// as it read it. A file saved since (or copied without its times) is sent itself, compressed on the
/// fly, never a copy of what it was; one stale copy turns both off.
pub fn precompressed_current(file: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(source) = modified(file) else {
        return false;
    };
    ["br", "gz"].iter().all(|ext| {
        let mut copy = file.as_os_str().to_owned();
        copy.push(".");
        copy.push(ext);
        modified(Path::new(&copy)).is_none_or(|made| made == source)
    })
}

/// Whether this is the first time the service sees `file` with stale copies: the warning is
/// logged once per file, not on every request for it.
pub fn first_stale_warning(file: &Path) -> bool {
    static WARNED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    WARNED
        .lock()
        .map(|mut warned| warned.insert(file.to_path_buf()))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_once_per_stale_file() {
        assert!(first_stale_warning(Path::new("/w/app.js")));
        assert!(!first_stale_warning(Path::new("/w/app.js")));
        assert!(first_stale_warning(Path::new("/w/dom.js")));
    }

    #[test]
    fn types() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("pkg/booktax_bg.wasm")),
            "application/wasm"
        );
        assert!(content_type(Path::new("x.JS")).starts_with("text/javascript"));
        assert!(content_type(Path::new("x.mjs")).starts_with("text/javascript"));
        assert_eq!(content_type(Path::new("x.svg")), "image/svg+xml");
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
    }

    #[test]
    fn refuses_traversal() {
        assert_eq!(relative_path("/"), Some(PathBuf::from("index.html")));
        assert_eq!(
            relative_path("/pkg/booktax.js"),
            Some(PathBuf::from("pkg/booktax.js"))
        );
        for bad in [
            "/../etc/passwd",
            "/pkg/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/..%5cx",
            "/a%00b",
            "/.git/config",
            "/c:/x",
            "/%zz",
            "relative",
        ] {
            assert_eq!(relative_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn resolves_inside_root_only() {
        let dir = std::env::temp_dir().join(format!("booktax-files-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join("sub/index.html"), "sub").unwrap();
        assert_eq!(
            resolve(&dir, "/").unwrap().file_name().unwrap(),
            "index.html"
        );
        assert!(resolve(&dir, "/sub").unwrap().ends_with("sub/index.html"));
        assert!(resolve(&dir, "/missing.js").is_none());
        assert!(resolve(&dir, "/../").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
