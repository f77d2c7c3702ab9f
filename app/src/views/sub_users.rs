//! What the web client's sub-users page shows.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubUserRow {
    pub id: i64,
    pub login: String,
    pub name: String,
    /// Stored slugs (some may be not effective: see `SubUsersView::allowed`).
    pub permissions: Vec<String>,
    /// Of the cameras the caller sees.
    pub camera_ids: Vec<i64>,
    /// Moves with every change; a save names the version it started from.
    pub version: i64,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubUsersView {
    pub sub_users: Vec<SubUserRow>,
    /// The slugs sub-users may hold now (SPEC §3).
    pub allowed: Vec<String>,
    /// The user's cameras that may be given, as (id, name).
    pub cameras: Vec<(i64, String)>,
    /// An administrator logged in as the user sets no logins or passwords (so no new
    /// sub-users either).
    pub credentials_locked: bool,
}
