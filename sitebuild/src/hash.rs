//! Content hashes in the bundle's file names, so that browsers may cache them for good, in
//! the form the server's hydration scripts read (leptos' `hash-files`):
//! - every file of the bundle gets its MD5 (base64url, unpadded, 22 characters) in its name,
//!   `<stem>.<hash>.<ext>`; the split loader's name holds a placeholder of that length,
//!   which the hash replaces (its name is written inside the wasm modules);
//! - references to the old names are rewritten in the main JS, the loader, the wasm modules
//!   (the loader's name, same length) and the split manifest; the loader, rewritten, gets a
//!   hash of its final content;
//! - the answer is `hash.txt`: `js:`, `wasm:`, `css:`, `manifest:` and `split:` lines.

use super::SPLIT_LOADER;
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn io(what: &Path) -> impl FnOnce(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", what.display())
}

/// MD5, base64url without padding.
pub fn content_hash(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = Md5::digest(bytes);
    let mut out = String::with_capacity(22);
    for chunk in digest.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// `name` with `hash`: in place of the placeholder, or before the extension.
fn hashed_name(name: &str, hash: &str) -> String {
    const PLACEHOLDER: &str = "______________________";
    if name.contains(PLACEHOLDER) {
        return name.replace(PLACEHOLDER, hash);
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

/// Names the files of `pkg` (flat, as the build writes it) by their hashes, rewrites the
/// references, and answers the content of `hash.txt`.
pub fn add_to_names(pkg: &Path, name: &str) -> Result<String, String> {
    let css = format!("{name}.css");
    let mut hashes: HashMap<String, String> = HashMap::new();
    for entry in std::fs::read_dir(pkg).map_err(io(pkg))? {
        let path = entry.map_err(io(pkg))?.path();
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or_default().to_string();
        // Only our stylesheet of the CSS; wasm-bindgen's snippets keep their names.
        if !path.is_file() || (file.ends_with(".css") && file != css) {
            continue;
        }
        hashes.insert(file, content_hash(&std::fs::read(&path).map_err(io(&path))?));
    }
    let renamed: HashMap<String, String> = hashes.iter().map(|(f, h)| (f.clone(), hashed_name(f, h))).collect();
    for (old, new) in &renamed {
        std::fs::rename(pkg.join(old), pkg.join(new)).map_err(io(&pkg.join(old)))?;
    }
    let main_js = pkg.join(&renamed[&format!("{name}.js")]);
    replace_names(&main_js, &renamed)?;
    let mut lines = format!(
        "js: {}\nwasm: {}\ncss: {}\n",
        hashes[&format!("{name}.js")],
        hashes[&format!("{name}.wasm")],
        hashes[&css]
    );
    let manifest = renamed.get("__wasm_split_manifest.json").map(|m| pkg.join(m));
    if let Some(loader_name) = renamed.get(SPLIT_LOADER) {
        let loader = pkg.join(loader_name);
        replace_names(&loader, &renamed)?;
        for wasm in wasm_files(pkg)? {
            replace_bytes(&wasm, SPLIT_LOADER, loader_name)?;
        }
        if let Some(manifest) = &manifest {
            rename_in_manifest(manifest, &renamed)?;
        }
        // The loader's content changed (it names the hashed main JS): hash it again.
        let final_hash = content_hash(&std::fs::read(&loader).map_err(io(&loader))?);
        let final_name = format!("__wasm_split.{final_hash}.js");
        if &final_name != loader_name {
            std::fs::rename(&loader, pkg.join(&final_name)).map_err(io(&loader))?;
            for wasm in wasm_files(pkg)? {
                replace_bytes(&wasm, loader_name, &final_name)?;
            }
            replace_names(&main_js, &HashMap::from([(loader_name.clone(), final_name.clone())]))?;
        }
        if let Some(h) = hashes.get("__wasm_split_manifest.json") {
            lines.push_str(&format!("manifest: {h}\n"));
        }
        lines.push_str(&format!("split: {final_hash}\n"));
    }
    Ok(lines)
}

fn wasm_files(pkg: &Path) -> Result<Vec<PathBuf>, String> {
    Ok(std::fs::read_dir(pkg)
        .map_err(io(pkg))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect())
}

/// Replaces every old file name with its new one in a text file.
fn replace_names(path: &Path, renamed: &HashMap<String, String>) -> Result<(), String> {
    let mut text = std::fs::read_to_string(path).map_err(io(path))?;
    for (old, new) in renamed {
        text = text.replace(old.as_str(), new);
    }
    std::fs::write(path, text).map_err(io(path))
}

/// Replaces `old` with `new` (of the same length) in a binary file.
fn replace_bytes(path: &Path, old: &str, new: &str) -> Result<(), String> {
    assert_eq!(old.len(), new.len(), "a name in a binary is replaced by one of the same length");
    let mut bytes = std::fs::read(path).map_err(io(path))?;
    let (old, new) = (old.as_bytes(), new.as_bytes());
    let mut i = 0;
    while i + old.len() <= bytes.len() {
        if &bytes[i..i + old.len()] == old {
            bytes[i..i + old.len()].copy_from_slice(new);
            i += old.len();
        } else {
            i += 1;
        }
    }
    std::fs::write(path, bytes).map_err(io(path))
}

/// The manifest lists file stems (`"chunk_3"`): renamed like their files, written compact.
fn rename_in_manifest(path: &Path, renamed: &HashMap<String, String>) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let mut manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let stems: HashMap<&str, &str> = renamed
        .iter()
        .filter_map(|(old, new)| Some((old.strip_suffix(".wasm")?, new.strip_suffix(".wasm")?)))
        .collect();
    fn walk(v: &mut serde_json::Value, stems: &HashMap<&str, &str>) {
        match v {
            serde_json::Value::String(s) => {
                if let Some(new) = stems.get(s.as_str()) {
                    *s = new.to_string();
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, stems)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|i| walk(i, stems)),
            _ => {}
        }
    }
    walk(&mut manifest, &stems);
    std::fs::write(path, manifest.to_string()).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_md5_in_unpadded_base64url() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e
        assert_eq!(content_hash(b""), "1B2M2Y8AsgTpgAmY7PhCfg");
        assert_eq!(content_hash(b"vms").len(), 22);
        assert_eq!(hashed_name("vms.js", "H"), "vms.H.js");
        assert_eq!(hashed_name("__wasm_split_manifest.json", "H"), "__wasm_split_manifest.H.json");
        assert_eq!(hashed_name(SPLIT_LOADER, "1B2M2Y8AsgTpgAmY7PhCfg"), "__wasm_split.1B2M2Y8AsgTpgAmY7PhCfg.js");
    }

    #[test]
    fn names_are_hashed_and_references_follow() {
        let pkg = std::env::temp_dir().join(format!("sitebuild-hash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&pkg);
        std::fs::create_dir_all(&pkg).unwrap();
        let write = |f: &str, c: &[u8]| std::fs::write(pkg.join(f), c).unwrap();
        write("vms.js", b"import * as l from './__wasm_split.______________________.js'; fetch('chunk_1.wasm')");
        write("vms.wasm", b"\0asm ./__wasm_split.______________________.js");
        write("vms.css", b"body{}");
        write("chunk_1.wasm", b"\0asm chunk");
        write("__wasm_split.______________________.js", b"import { initSync } from './vms.js'; 'chunk_1.wasm'");
        write("__wasm_split_manifest.json", br#"{"a":["chunk_1"]}"#);
        let lines = add_to_names(&pkg, "vms").unwrap();
        let names: Vec<String> =
            std::fs::read_dir(&pkg).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        let find =
            |prefix: &str, ext: &str| names.iter().find(|n| n.starts_with(prefix) && n.ends_with(ext)).unwrap().clone();
        let (js, loader, chunk) = (find("vms.", ".js"), find("__wasm_split.", ".js"), find("chunk_1.", ".wasm"));
        let js_text = std::fs::read_to_string(pkg.join(&js)).unwrap();
        assert!(js_text.contains(&loader) && js_text.contains(&chunk), "{js_text}");
        let loader_text = std::fs::read_to_string(pkg.join(&loader)).unwrap();
        assert!(loader_text.contains(&js) && loader_text.contains(&chunk), "{loader_text}");
        assert_eq!(loader, format!("__wasm_split.{}.js", content_hash(loader_text.as_bytes())));
        let main = std::fs::read(pkg.join(find("vms.", ".wasm"))).unwrap();
        assert!(String::from_utf8_lossy(&main).contains(&loader));
        let manifest = std::fs::read_to_string(pkg.join(find("__wasm_split_manifest.", ".json"))).unwrap();
        assert_eq!(manifest, format!(r#"{{"a":["{}"]}}"#, chunk.trim_end_matches(".wasm")));
        assert!(lines.starts_with("js: ") && lines.contains("\nsplit: ") && lines.contains("\nmanifest: "), "{lines}");
        std::fs::remove_dir_all(&pkg).unwrap();
    }
}
