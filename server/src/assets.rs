//! The built site's static assets (`/pkg`): compressed once with brotli and gzip next to
//! each file (served as such by the static file handler to browsers that accept them, so
//! no request pays for compression), and cached by browsers for a year when their names
//! carry a content hash (a new build has new names).

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::io::{Read, Write};
use std::path::Path;

/// Extensions worth compressing.
const COMPRESSIBLE: &[&str] = &["js", "wasm", "css", "svg", "json", "txt", "html"];

/// Writes `<file>.br` and `<file>.gz` for each compressible file under `dir` that lacks
/// them or changed since; answers how many files were (re)compressed.
pub fn precompress(dir: &Path) -> std::io::Result<usize> {
    let mut done = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(0) };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            done += precompress(&path)?;
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let modified = std::fs::metadata(&path)?.modified()?;
        let fresh = |suffix: &str| {
            let out = path.with_extension(format!("{ext}.{suffix}"));
            std::fs::metadata(out).and_then(|m| m.modified()).is_ok_and(|t| t >= modified)
        };
        if fresh("br") && fresh("gz") {
            continue;
        }
        let mut input = Vec::new();
        std::fs::File::open(&path)?.read_to_end(&mut input)?;
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        let mut br = Vec::new();
        brotli::BrotliCompress(&mut input.as_slice(), &mut br, &params)?;
        write_atomically(&path.with_extension(format!("{ext}.br")), &br)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&input)?;
        write_atomically(&path.with_extension(format!("{ext}.gz")), &gz.finish()?)?;
        done += 1;
    }
    Ok(done)
}

/// Another server process may be reading while this one writes: rename into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}

/// Whether a file name carries a content hash, as `sitebuild` names them: `<name>.<hash>.<ext>` with a hash of 10 or more URL-safe characters.
pub fn is_hashed(file: &str) -> bool {
    let parts: Vec<&str> = file.split('.').collect();
    parts.len() >= 3
        && parts[1].len() >= 10
        && parts[1].chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether a file can be cached for good: a hashed name of a file that names no other. The
/// JS entry points and the split manifest name the route modules, and `sitebuild` writes
/// those names into them after hashing, so a build that changes only a route module keeps
/// their names: they are revalidated (a 304 when unchanged).
pub fn is_immutable(file: &str) -> bool {
    is_hashed(file) && !file.ends_with(".js") && !file.ends_with(".json")
}

/// `Cache-Control` for `/pkg`: a year, immutable, for files that are; otherwise the browser
/// revalidates every time (the file may change with the next build).
pub async fn cache_headers(req: Request, next: Next) -> Response {
    let file = req.uri().path().strip_prefix("/pkg/").map(|f| f.rsplit('/').next().unwrap_or(f).to_string());
    let mut res = next.run(req).await;
    if let Some(file) = file {
        if res.status().is_success() {
            let value = if is_immutable(&file) { "public, max-age=31536000, immutable" } else { "no-cache" };
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_apart() {
        assert!(is_hashed("vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.wasm"));
        assert!(is_hashed("vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.js"));
        assert!(!is_hashed("vms.wasm"));
        assert!(!is_hashed("vms_bg.wasm"));
        assert!(!is_hashed("vms.min.js"));
        assert!(is_immutable("vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.wasm"));
        assert!(is_immutable("chunk_3.Xq3vTn0Bq0aJ2Vt9_1-dKw.wasm"));
        assert!(is_immutable("vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.css"));
        assert!(!is_immutable("vms.Xq3vTn0Bq0aJ2Vt9_1-dKw.js"));
        assert!(!is_immutable("__wasm_split.Xq3vTn0Bq0aJ2Vt9_1-dKw.js"));
        assert!(!is_immutable("__wasm_split_manifest.Xq3vTn0Bq0aJ2Vt9_1-dKw.json"));
        assert!(!is_immutable("vms.wasm"));
    }

    #[test]
    fn compresses_once_and_again_after_a_change() {
        let dir = std::env::temp_dir().join(format!("vms-assets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app.js");
        std::fs::write(&file, "console.log('hello');\n".repeat(200)).unwrap();
        std::fs::write(dir.join("logo.png"), [0u8; 10]).unwrap();
        assert_eq!(precompress(&dir).unwrap(), 1);
        assert_eq!(precompress(&dir).unwrap(), 0, "fresh files are kept");
        let br = std::fs::read(dir.join("app.js.br")).unwrap();
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut br.as_slice(), &mut plain).unwrap();
        assert_eq!(plain, std::fs::read(&file).unwrap());
        assert!(br.len() < plain.len() / 10);
        let mut gz = flate2::read::GzDecoder::new(std::fs::File::open(dir.join("app.js.gz")).unwrap());
        let mut text = String::new();
        gz.read_to_string(&mut text).unwrap();
        assert_eq!(text.len(), plain.len());
        assert!(!dir.join("logo.png.br").exists());
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, "changed").unwrap();
        assert_eq!(precompress(&dir).unwrap(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
