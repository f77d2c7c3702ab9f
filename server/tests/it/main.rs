//! The server's integration tests, in one binary (each test binary links the whole server;
//! one links it once). Every test runs on SQLite and, with `TEST_POSTGRES_URL`, on
//! PostgreSQL too (`common::each_backend`).

mod common;

mod access;
mod assets;
mod authz;
mod billing;
mod billing_fuzz;
mod client;
mod console;
mod environment;
mod impersonation;
mod intercoms;
mod media;
mod multiprocess;
mod retention;
mod security;
