//! Rules on the sources, checked by reading them:
//!
//! - the layers of the app form a line, each importing only those below it: pages
//!   (`console/`, `client/`) → `components/` → server functions' code (`backend/`) →
//!   `views/` (shapes both sides share) → `domain/` (pure rules);
//! - the texts people read (`lang/`: translations, names of the domain's codes, dates and
//!   numbers) sit beside `backend/`: pages, components and backend use them, and they use
//!   `backend/` (the request's language), `views/` and `domain/`, never a component or a
//!   page; `views/` and `domain/` stay free of any language;
//! - permission slugs are written only in `domain/`.

#[cfg(test)]
mod tests {
    use crate::domain::admin::Permission;
    use std::path::{Path, PathBuf};

    /// Each layer, and the modules of the crate it must not import.
    const RULES: &[(&str, &[&str])] = &[
        ("domain", &["views", "backend", "lang", "components", "console", "client"]),
        ("views", &["backend", "lang", "components", "console", "client"]),
        ("backend", &["components", "console", "client"]),
        ("lang", &["components", "console", "client"]),
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

    /// Permission slugs are written only in `domain/`: console permissions in `admin.rs` (elsewhere
    /// they are `Permission` values), users' in `domain/permissions.rs` (named constants).
    #[test]
    fn no_permission_slug_is_written_outside_the_domain() {
        let slugs: Vec<String> = Permission::ALL
            .iter()
            .map(|p| p.slug().to_string())
            .chain(crate::domain::permissions::all_slugs())
            .collect();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut offenders = Vec::new();
        for dir in ["app/src", "server/src"] {
            let mut files = Vec::new();
            rust_files(&root.join(dir), &mut files);
            for file in files {
                if file.ends_with("domain/admin.rs") || file.ends_with("domain/permissions.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&file).unwrap();
                for slug in &slugs {
                    if text.contains(&format!("\"{slug}\"")) || text.contains(&format!("'{slug}'")) {
                        offenders.push(format!("{}: {slug}", file.display()));
                    }
                }
            }
        }
        assert!(offenders.is_empty(), "permission slugs written as strings: {offenders:#?}");
    }
}
