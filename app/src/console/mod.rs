//! The administrator console: one module per page, its server functions beside it.

pub mod administrators;
pub mod audit_log;
pub mod camera;
pub mod intercoms;
pub mod layout;
pub mod login;
pub mod search;
pub mod user_card;
pub mod users;
