//! The server's integration tests, in one binary (each test binary links the whole server;
//! one links it once). Every test runs on SQLite and, with `TEST_POSTGRES_URL`, on
//! PostgreSQL too (`common::each_backend`).

mod common;

mod access;
mod assets;
mod authz;
mod authz_client;
mod billing;
mod billing_fuzz;
mod client;
mod client_sub_users;
mod console;
mod counts;
mod environment;
mod export;
mod impersonation;
mod intercoms;
mod languages;
mod media;
mod multiprocess;
mod observe;
mod onboarding;
mod request_guards;
mod retention;
mod search;
mod security;
mod sessions;
