#!/usr/bin/env bash
# Installs the build tools the project needs, skipping what is present. Safe to rerun.
# Needs only the Rust toolchain (rustup) and Node.js with npm. The site builder itself
# (`sitebuild`, wasm-bindgen and the wasm split as libraries) is part of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  rustup target add wasm32-unknown-unknown
fi

# wasm-opt (npm's binaryen) and esbuild, the JS and CSS minifier (versions pinned in
# tools/package-lock.json).
if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ ! -x tools/node_modules/.bin/esbuild ]; then
  (cd tools && npm ci --no-audit --no-fund)
fi
