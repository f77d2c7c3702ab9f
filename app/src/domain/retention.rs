//! How long data stays after its reason went (SPEC §8).

use super::time::DAY_MS;

/// A deleted user's data (and its sub-users') is removed this long after the deletion.
pub const DELETED_KEEP_MS: i64 = 30 * DAY_MS;
/// A level's analytics cases are removed once its licences stayed at zero this long.
pub const UNLICENSED_KEEP_MS: i64 = 7 * DAY_MS;
