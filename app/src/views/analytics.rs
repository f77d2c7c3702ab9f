//! What the web client's analytics page shows: licences by level, the types and cameras a
//! case may use, the cases and their events.

use serde::{Deserialize, Serialize};

/// Events listed per page.
pub const EVENTS_PAGE: i64 = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub level: i64,
    pub camera_ids: Vec<i64>,
    pub created_at: i64,
    pub events: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseEventRow {
    pub id: i64,
    pub kind: String,
    pub occurred_at: i64,
    pub data: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelRow {
    pub level: i64,
    pub total: i64,
    /// Used by the cameras the caller sees (while impersonating: within the administrator's
    /// scope).
    pub used: i64,
    /// The account's free licences.
    pub free: i64,
    pub used_elsewhere: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsView {
    pub levels: Vec<LevelRow>,
    /// The types the caller may use now, as (type, name, level).
    pub types: Vec<(String, String, i64)>,
    /// The caller's cameras, as (id, name).
    pub cameras: Vec<(i64, String)>,
    pub cases: Vec<CaseRow>,
}
