//! The shapes server functions answer with and pages show: shared by both layers, so that
//! neither imports the other's module (pages → server functions → queries, never back).

pub mod analytics;
pub mod sub_users;
