//! The layers of the app form a line, each importing only those below it:
//!
//! pages (`console/`, `client/`) → `components/` → server functions' code (`backend/`)
//! → `views/` (shapes both sides share) → `domain/` (pure rules).
//!
//! This test reads the sources and fails on an import against that line.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Each layer, and the modules of the crate it must not import.
    const RULES: &[(&str, &[&str])] = &[
        ("domain", &["views", "backend", "components", "console", "client"]),
        ("views", &["backend", "components", "console", "client"]),
        ("backend", &["components", "console", "client"]),
        ("components", &["console", "client"]),
        ("client", &["console"]),
    ];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn no_layer_imports_one_above_it() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offences = Vec::new();
        for (layer, forbidden) in RULES {
            let mut files = Vec::new();
            rust_files(&src.join(layer), &mut files);
            assert!(!files.is_empty(), "no sources in {layer}");
            for file in files {
                let text = std::fs::read_to_string(&file).unwrap();
                for (n, line) in text.lines().enumerate() {
                    for module in *forbidden {
                        if line.contains(&format!("crate::{module}::"))
                            || line.contains(&format!("crate::{module}::{{"))
                        {
                            offences.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                        }
                    }
                }
            }
        }
        assert!(offences.is_empty(), "imports against the layers: {offences:#?}");
    }
}
