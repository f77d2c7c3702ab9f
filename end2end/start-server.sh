#!/usr/bin/env bash
# Starts the server `make` built (VMS_SERVER_BIN; the dev build by default) on a fresh SQLite database with demo data, for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
db_dir=$(mktemp -d)
export DATABASE_URL="sqlite://$db_dir/e2e.db"
export VMS_DEMO_DATA=1
export VMS_BILLING_TOKENS=e2e-billing-token VMS_ANALYTICS_TOKENS=e2e-analytics-token
export LEPTOS_SITE_ADDR=127.0.0.1:3100
export LEPTOS_OUTPUT_NAME=vms LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_HASH_FILES=true
exec "${VMS_SERVER_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/vms-admin-console/target}/debug/server}"
