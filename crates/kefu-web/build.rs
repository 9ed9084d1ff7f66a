//! Embeds the browser assets: third-party scripts from `node_modules` (fetched with npm at
//! build time by `kefu-npm`, never kept in the repository) and kefu's own files under
//! `static/`. Writes `$OUT_DIR/assets.rs`, a table of (name, content type, bytes, hash).

use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// (name served as, path inside node_modules)
const VENDORED: &[(&str, &str)] = &[
    ("htmx.min.js", "htmx.org/dist/htmx.min.js"),
    ("htmx-ext-sse.min.js", "htmx-ext-sse/dist/sse.min.js"),
    ("uplot.min.js", "uplot/dist/uPlot.iife.min.js"),
    ("uplot.min.css", "uplot/dist/uPlot.min.css"),
];

fn main() {
    if let Err(message) = run() {
        panic!("\n\nkefu-web build script failed:\n{message}\n");
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn run() -> Result<(), String> {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let modules = kefu_npm::ensure_installed(&manifest_dir)?;
    let mut files: Vec<(String, PathBuf)> = VENDORED
        .iter()
        .map(|(name, rel)| (name.to_string(), modules.join(rel)))
        .collect();
    let statics = manifest_dir.join("static");
    println!("cargo::rerun-if-changed={}", statics.display());
    collect(&statics, &statics, &mut files)?;
    let mut out = String::from("pub static ASSETS: &[Asset] = &[\n");
    for (name, path) in &files {
        // Files from node_modules are fixed by package-lock.json (watched by `ensure_installed`)
        // and may have been written by `npm ci` after this script started: watching them would
        // rerun it on every next build.
        if !path.starts_with(&modules) {
            println!("cargo::rerun-if-changed={}", path.display());
        }
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut h = DefaultHasher::new();
        bytes.hash(&mut h);
        writeln!(
            out,
            "    Asset {{ name: {name:?}, content_type: {:?}, bytes: include_bytes!({:?}), hash: \"{:012x}\" }},",
            content_type(name),
            path.display().to_string(),
            h.finish() & 0xffff_ffff_ffff
        )
        .map_err(|e| e.to_string())?;
    }
    out.push_str("];\n");
    std::fs::write(out_dir.join("assets.rs"), out).map_err(|e| e.to_string())
}

/// Every file under `dir`, named by its path relative to `base` with `/` separators.
fn collect(base: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            println!("cargo::rerun-if-changed={}", path.display());
            collect(base, &path, files)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.push((name, path.clone()));
        }
    }
    Ok(())
}
