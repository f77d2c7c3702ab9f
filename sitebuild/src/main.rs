//! `sitebuild`: builds what `make run` serves, in one step of the workspace's own.
//!
//! 1. the browser bundle: `cargo build` of `frontend` for wasm32 (profile `wasm-release`);
//! 2. its site, made beside the current one and only when the bundle, the stylesheet or
//!    `public/` changed: the lazy routes split into modules of their own (the format
//!    leptos 0.8 loads), wasm-bindgen's JS, `wasm-opt -Oz`, the JS and the stylesheet
//!    minified (esbuild), then content hashes in the file names and `hash.txt` (as the
//!    server's hydration scripts read them);
//! 3. the server (`cargo build`, profile `SITEBUILD_SERVER_PROFILE`, default `dev`, which
//!    shares its build with the tests);
//! 4. `LEPTOS_SITE_ROOT` (a link) is pointed at the new site in one rename, so a server
//!    already running keeps serving the site it started with (it reads the link once).
//!
//! Sites are kept under `$CARGO_TARGET_DIR/sites/<key of their inputs>`, so a fresh clone of
//! the same source reuses one, and the last few are kept for servers still running.

mod hash;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Loader name the split step writes into the bundle; as long as a hash, replaced by one.
const SPLIT_LOADER: &str = "__wasm_split.______________________.js";
/// Sites kept besides the current one (for servers still serving them).
const KEEP: usize = 3;
/// Changes when this tool makes sites differently, so that older ones are not reused.
const TOOL_VERSION: &str = "2";

struct Settings {
    /// `LEPTOS_OUTPUT_NAME`: the name of the JS, wasm and CSS files.
    name: String,
    /// `LEPTOS_SITE_ROOT`, relative to the workspace: the link to the current site.
    site_root: PathBuf,
    /// `LEPTOS_SITE_PKG_DIR`: the folder of the site holding the bundle.
    pkg: String,
    target_dir: PathBuf,
    server_profile: String,
}

impl Settings {
    fn from_env() -> Self {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
        Self {
            name: var("LEPTOS_OUTPUT_NAME", "vms"),
            site_root: PathBuf::from(var("LEPTOS_SITE_ROOT", "target/site")),
            pkg: var("LEPTOS_SITE_PKG_DIR", "pkg"),
            target_dir: PathBuf::from(var("CARGO_TARGET_DIR", "target")),
            server_profile: var("SITEBUILD_SERVER_PROFILE", "dev"),
        }
    }

    /// Cargo names the folder of the `dev` profile `debug`.
    fn profile_dir(profile: &str) -> &str {
        if profile == "dev" {
            "debug"
        } else {
            profile
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sitebuild: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let s = Settings::from_env();
    let started = Instant::now();
    // One build at a time: on two cores, two builds side by side took longer than in turn.
    cargo(&[
        "build",
        "--package",
        "frontend",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ])?;
    let site = site(&s, &s.target_dir.join("wasm32-unknown-unknown/wasm-release/frontend.wasm"))?;
    cargo(&["build", "--package", "server", "--bin", "server", "--profile", &s.server_profile])?;
    // The hash file beside the server binary too: where leptos looks for it by default.
    let bin_dir = s.target_dir.join(Settings::profile_dir(&s.server_profile));
    copy(&site.join("hash.txt"), &bin_dir.join("hash.txt"))?;
    point_link(&s.site_root, &site)?;
    prune(&site)?;
    println!("sitebuild: site {} ready in {:.1} s", site.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// Runs cargo (the one that runs this tool) to the end.
fn cargo(args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let what = format!("{cargo} {}", args.join(" "));
    let status = Command::new(&cargo).args(args).status().map_err(|e| format!("{what}: {e}"))?;
    if !status.success() {
        return Err(format!("{what} failed"));
    }
    Ok(())
}

fn io(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> String {
    move |e| format!("{what}: {e}")
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(|_| ()).map_err(io(format!("copying {} to {}", from.display(), to.display())))
}

/// The site of these inputs: reused when it exists, made otherwise.
fn site(s: &Settings, wasm: &Path) -> Result<PathBuf, String> {
    let bundle = std::fs::read(wasm).map_err(io(wasm.display()))?;
    let css = std::fs::read("style/main.css").map_err(io("style/main.css"))?;
    let mut public = Vec::new();
    files(Path::new("public"), &mut public)?;
    public.sort();
    let mut key = md5::Md5::new();
    use md5::Digest;
    key.update(TOOL_VERSION);
    key.update(&s.name);
    key.update(&bundle);
    key.update(&css);
    for file in &public {
        key.update(file.to_string_lossy().as_bytes());
        key.update(std::fs::read(file).map_err(io(file.display()))?);
    }
    let key: String = key.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let sites = s.target_dir.join("sites");
    let dir = sites.join(&key);
    if dir.join(".complete").exists() {
        println!("sitebuild: the site of this bundle is built already ({key})");
        return Ok(dir);
    }
    let started = Instant::now();
    let work = sites.join(format!("{key}.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let pkg = work.join(&s.pkg);
    std::fs::create_dir_all(&pkg).map_err(io(pkg.display()))?;

    // The lazy routes, split into modules of their own.
    let split_main = work.join("main_split.wasm");
    let main_module = format!("./{}.js", s.name);
    let split = wasm_split_cli_support::transform({
        let mut o = wasm_split_cli_support::Options::new(&bundle);
        o.output_dir = &pkg;
        o.main_out_path = &split_main;
        o.main_module = &main_module;
        o.link_name = "./__wasm_split.______________________.js";
        o
    })
    .map_err(|e| format!("splitting the bundle: {e:#}"))?;
    let mut phases = vec![("split", started.elapsed())];
    let manifest = serde_json::to_string_pretty(&split.prefetch_map).map_err(|e| e.to_string())?;
    std::fs::write(pkg.join("__wasm_split_manifest.json"), manifest).map_err(io("the split manifest"))?;

    // The JS glue, as `wasm-bindgen --target web --keep-lld-exports --no-demangle` makes it.
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&split_main)
        .web(true)
        .map_err(|e| e.to_string())?
        .keep_lld_exports(true)
        .demangle(false)
        .debug(false)
        .keep_debug(false)
        .typescript(false)
        .omit_default_module_path(false)
        .out_name(&s.name)
        .generate(&pkg)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?;
    std::fs::remove_file(&split_main).map_err(io(split_main.display()))?;
    let main_wasm = pkg.join(format!("{}.wasm", s.name));
    std::fs::rename(pkg.join(format!("{}_bg.wasm", s.name)), &main_wasm).map_err(io("renaming the bundle"))?;
    phases.push(("wasm-bindgen", started.elapsed()));
    optimize(&pkg)?;
    phases.push(("wasm-opt", started.elapsed()));
    std::fs::write(pkg.join(format!("{}.css", s.name)), &css).map_err(io("the stylesheet"))?;
    minify(&pkg)?;
    phases.push(("esbuild", started.elapsed()));
    for file in &public {
        let to = work.join(file.strip_prefix("public").unwrap_or(file));
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent.display()))?;
        }
        copy(file, &to)?;
    }
    let hashes = hash::add_to_names(&pkg, &s.name)?;
    std::fs::write(work.join("hash.txt"), hashes).map_err(io("hash.txt"))?;
    std::fs::write(work.join(".complete"), "").map_err(io(".complete"))?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&work, &dir).map_err(io(dir.display()))?;
    let mut last = std::time::Duration::ZERO;
    let took: Vec<String> = phases
        .into_iter()
        .map(|(what, at)| {
            let s = format!("{what} {:.1} s", (at - last).as_secs_f64());
            last = at;
            s
        })
        .collect();
    println!("sitebuild: site {key} made in {:.1} s ({})", started.elapsed().as_secs_f64(), took.join(", "));
    Ok(dir)
}

/// Minifies the JS and the stylesheet of `pkg` in place (`esbuild --minify`, on PATH from
/// the npm package esbuild): names, literals and exports stay as they are.
fn minify(pkg: &Path) -> Result<(), String> {
    let mut sources: Vec<PathBuf> = Vec::new();
    files(pkg, &mut sources)?;
    sources.retain(|p| p.extension().is_some_and(|e| e == "js" || e == "css"));
    for file in sources {
        let out = Command::new("esbuild")
            .arg(&file)
            .args(["--minify", "--log-level=warning", "--allow-overwrite"])
            .arg(format!("--outfile={}", file.display()))
            .output()
            .map_err(|e| format!("esbuild (on PATH, from the npm package esbuild): {e}"))?;
        if !out.status.success() {
            return Err(format!("esbuild {}: {}", file.display(), String::from_utf8_lossy(&out.stderr)));
        }
    }
    Ok(())
}

/// The files under `dir`, recursively (none if it does not exist).
fn files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let path = entry.map_err(io(dir.display()))?.path();
        if path.is_dir() {
            files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// `wasm-opt -Oz` on every wasm module, two at a time.
fn optimize(pkg: &Path) -> Result<(), String> {
    let mut modules: Vec<PathBuf> = Vec::new();
    files(pkg, &mut modules)?;
    modules.retain(|p| p.extension().is_some_and(|e| e == "wasm"));
    // Largest first: the main module takes longest.
    modules.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)));
    let queue = std::sync::Mutex::new(modules);
    let failures = std::sync::Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let Some(file) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop() else { break };
                let out = Command::new("wasm-opt")
                    .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int"])
                    .arg(&file)
                    .arg("-o")
                    .arg(&file)
                    .output();
                let failed = match out {
                    Ok(o) if o.status.success() => None,
                    Ok(o) => Some(format!("wasm-opt {}: {}", file.display(), String::from_utf8_lossy(&o.stderr))),
                    Err(e) => Some(format!("wasm-opt (on PATH, from the npm package binaryen): {e}")),
                };
                if let Some(f) = failed {
                    failures.lock().unwrap_or_else(|e| e.into_inner()).push(f);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_default();
    match failures.first() {
        Some(f) => Err(f.clone()),
        None => Ok(()),
    }
}

/// Points the link `root` at `site` in one rename (a folder left there by an older build is
/// removed first).
fn point_link(root: &Path, site: &Path) -> Result<(), String> {
    let target = std::fs::canonicalize(site).map_err(io(site.display()))?;
    if let Ok(meta) = std::fs::symlink_metadata(root) {
        if meta.is_dir() {
            std::fs::remove_dir_all(root).map_err(io(root.display()))?;
        }
    }
    if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent.display()))?;
    }
    let link = root.with_extension(format!("link{}", std::process::id()));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&target, &link).map_err(io(link.display()))?;
    std::fs::rename(&link, root).map_err(io(root.display()))
}

/// Removes all but the newest `KEEP` sites besides `current`.
fn prune(current: &Path) -> Result<(), String> {
    let Some(sites) = current.parent() else { return Ok(()) };
    let mut others: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(sites)
        .map_err(io(sites.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p != current && p.join(".complete").exists())
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    others.sort();
    let excess = others.len().saturating_sub(KEEP);
    for (_, old) in others.into_iter().take(excess) {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}
