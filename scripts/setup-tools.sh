#!/usr/bin/env bash
# Installs the build tools the project needs, skipping what is present. Safe to rerun.
# Needs only the Rust toolchain (rustup), Node.js with npm, and apt for the browser.
set -euo pipefail
cd "$(dirname "$0")/.."

want_leptos=0.3.11
want_bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$want_leptos"; then
  # cargo-leptos' lockfile needs a newer rustc than some stable toolchains: use nightly
  # when the stable one is too old. no_downloads: use tools from PATH (no binary downloads).
  if cargo install cargo-leptos --version "$want_leptos" --locked --features no_downloads; then :
  elif rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal; then
    cargo +nightly install cargo-leptos --version "$want_leptos" --locked --features no_downloads
  fi
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$want_bindgen"; then
  # Without --locked: the CLI's own lockfile pins crates some registries lack.
  cargo install wasm-bindgen-cli --version "$want_bindgen"
fi

if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
  (cd tools && npm ci --no-audit --no-fund)
fi
