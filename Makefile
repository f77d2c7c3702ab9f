# VMS Admin Console — the two commands: `make run` and `make test`.
SHELL := /bin/bash
# Builds live outside the clone so fresh clones (CI) reuse them.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/vms-admin-console/target
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

# The site `sitebuild` makes, and how the server finds it (target/site links to it).
export LEPTOS_OUTPUT_NAME ?= vms
export LEPTOS_SITE_ROOT ?= target/site
export LEPTOS_SITE_PKG_DIR ?= pkg
export LEPTOS_SITE_ADDR ?= 127.0.0.1:3000
# The asset names carry content hashes (read from the site's hash.txt).
export LEPTOS_HASH_FILES ?= true

# `make run` defaults, used only when the variable is unset.
export DATABASE_URL ?= sqlite://data/vms.db
export VMS_DEMO_DATA ?= 1
export RUST_LOG ?= info,sqlx=warn

# The server's profile. `dev` (with the crates that do heavy work optimised, see Cargo.toml)
# shares its build with the tests; `make bench` and deployments use `release`.
SERVER_PROFILE ?= dev
export SITEBUILD_SERVER_PROFILE = $(SERVER_PROFILE)
# The binary `make run` starts, and the browser tests too (end2end/start-server.sh).
export VMS_SERVER_BIN = $(CARGO_TARGET_DIR)/$(if $(filter dev,$(SERVER_PROFILE)),debug,$(SERVER_PROFILE))/server

.PHONY: run test tools e2e-tools build test-rust test-e2e bench fmt

run: tools build
	@echo "Starting on http://$(LEPTOS_SITE_ADDR) (database: $(DATABASE_URL))"
	@if [ "$(VMS_DEMO_DATA)" = 1 ]; then echo "Demo administrator: login admin, password admin-demo-2026"; fi
	$(VMS_SERVER_BIN)

tools:
	@scripts/setup-tools.sh

e2e-tools:
	@scripts/setup-e2e.sh

# The browser bundle (lazy routes split into wasm modules of their own, hashed names) and
# the server; a site that is already built for the same bundle is reused (sitebuild).
build:
	cargo run --quiet -p sitebuild

# Every Rust test on SQLite, and on PostgreSQL too when TEST_POSTGRES_URL is set;
# then the browser journeys against the server `make run` builds.
test: tools e2e-tools test-rust build test-e2e

# PostgreSQL halves skipped (TEST_POSTGRES_URL unset) are counted in this file.
SKIPS := $(CARGO_TARGET_DIR)/postgres-skipped.txt

# One test at a time: each integration test builds its own application, but a few parts of
# the UI framework are process-wide (reactive_graph's transition slot, which server renders
# register their resources with), and concurrent tests' page renders were seen to wait on
# one another for ever (about one run in six). Requests within a test stay concurrent
# where the test makes them so.
test-rust:
	@rm -f $(SKIPS)
	VMS_TEST_SKIPS=$(SKIPS) cargo test --workspace --exclude frontend -- --test-threads=1
	@if [ -s $(SKIPS) ]; then echo "PostgreSQL: $$(wc -l < $(SKIPS)) test cases ran on SQLite only (set TEST_POSTGRES_URL to run them on PostgreSQL too)"; fi

test-e2e:
	cd end2end && npx playwright test

# Billing API throughput and latency (a server process under load from the bench process,
# against hand-written SQL and pgbench), console server functions at 10,000 and 100,000 users,
# then page weight and time to hydrated in Chromium (SQLite; PostgreSQL too with
# BENCH_POSTGRES_URL or TEST_POSTGRES_URL). BENCH_SECONDS sets the length of each billing
# phase (default 30); BENCH_CONSOLE_USERS the console data sizes (default 10000,100000).
bench: SERVER_PROFILE = release
bench: tools e2e-tools build
	cargo build --release -p server --bins
	$(CARGO_TARGET_DIR)/release/bench
	$(CARGO_TARGET_DIR)/release/bench_console
	cd end2end && npx playwright test -c bench.config.ts

fmt:
	cargo fmt --all
