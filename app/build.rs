//! Compiles the translations (`locales/{en,ru}/<namespace>.json`) into the `i18n` module:
//! a missing key, a key missing in one language or a wrong interpolation fails the build.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::path::PathBuf;

/// The languages, English first (the default), and the translation files of each.
const LOCALES: [&str; 2] = ["en", "ru"];
const NAMESPACES: [&str; 7] = ["common", "domain", "users", "card", "intercoms", "admin", "client"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("i18n");
    let config = Config::new(LOCALES[0])
        .and_then(|c| c.add_locales(&LOCALES[1..]))
        .and_then(|c| c.add_namespaces(NAMESPACES))
        // `t_string!` with values (`{{ count }}`) as well as views.
        .map(|c| c.parse_options(ParseOptions::new().interpolate_display(true)))
        .expect("the i18n configuration");
    let translations = TranslationsInfos::parse(config).expect("the translations");
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out).expect("the i18n module");
}
