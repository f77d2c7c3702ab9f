//! Server-only code: database access, sessions, authorisation.

pub mod admins;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod changes;
pub mod client;
pub mod csp;
pub mod db;
pub mod environment;
pub mod exec;
pub mod keys;
pub mod limits;
pub mod metrics;
pub mod password;
pub mod principal;
pub mod scope;
pub mod sign_in;
pub mod sql;
pub mod state;
pub mod sub_users;
pub mod throttle;
pub mod token;

pub use crate::domain::admin::{Permission, Role};
pub use principal::{require, respond};
pub use state::{AppState, Clock};
