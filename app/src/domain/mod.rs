//! Shared types and pure rules of the product: no I/O, no framework.

pub mod address;
pub mod admin;
pub mod audit;
pub mod billing;
pub mod camera;
pub mod export;
pub mod intercom;
pub mod page;
pub mod permissions;
pub mod redirect;
pub mod retention;
pub mod rng;
pub mod text;
pub mod time;
pub mod user;
