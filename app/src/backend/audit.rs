//! Writes audit entries: who did what to whom, and when.

use super::db::Db;
use crate::error::AppError;

pub struct Entry<'a> {
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub actor_login: &'a str,
    pub impersonator_id: Option<i64>,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<i64>,
    pub target_label: &'a str,
    /// The subscriber the entry is about, if any (removed with it by retention).
    pub user_id: Option<i64>,
    pub details: serde_json::Value,
}

impl<'a> Entry<'a> {
    /// An action of a signed-in administrator on `target` (kind, id, label).
    pub fn by_admin(
        admin: &'a super::principal::Admin,
        action: &'a str,
        target: (&'a str, i64, &'a str),
        user_id: Option<i64>,
        details: serde_json::Value,
    ) -> Self {
        Self {
            actor_kind: "admin",
            actor_id: Some(admin.id),
            actor_login: &admin.login,
            impersonator_id: None,
            action,
            target_kind: target.0,
            target_id: Some(target.1),
            target_label: target.2,
            user_id,
            details,
        }
    }
}

impl<'a> Entry<'a> {
    /// An action of a signed-in user or sub-user on `target`; while an administrator
    /// impersonates, the entry names both (the administrator in `impersonator_id` and in
    /// `details.impersonated_by`).
    pub fn by_user(
        user: &'a super::client::ClientUser,
        action: &'a str,
        target: (&'a str, i64, &'a str),
        mut details: serde_json::Value,
    ) -> Self {
        if let (Some((_, admin)), Some(map)) = (&user.impersonator, details.as_object_mut()) {
            map.insert("impersonated_by".into(), serde_json::Value::String(admin.clone()));
        }
        Self {
            actor_kind: if user.is_sub_user { "sub-user" } else { "user" },
            actor_id: Some(user.id),
            actor_login: &user.login,
            impersonator_id: user.impersonator.as_ref().map(|(id, _)| *id),
            action,
            target_kind: target.0,
            target_id: Some(target.1),
            target_label: target.2,
            user_id: Some(user.account),
            details,
        }
    }
}

pub async fn record<'c, E>(executor: E, at: i64, e: Entry<'_>) -> Result<(), AppError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_entries (at, actor_kind, actor_id, actor_login, impersonator_id, action, \
         target_kind, target_id, target_label, user_id, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(at)
    .bind(e.actor_kind)
    .bind(e.actor_id)
    .bind(e.actor_login)
    .bind(e.impersonator_id)
    .bind(e.action)
    .bind(e.target_kind)
    .bind(e.target_id)
    .bind(e.target_label)
    .bind(e.user_id)
    .bind(e.details.to_string())
    .execute(executor)
    .await?;
    Ok(())
}

/// The same through an `Exec` connection (inside code written once for both drivers).
pub async fn record_exec<C: super::exec::Exec>(conn: &mut C, at: i64, e: Entry<'_>) -> Result<(), AppError> {
    conn.run(
        "INSERT INTO audit_entries (at, actor_kind, actor_id, actor_login, impersonator_id, action, \
         target_kind, target_id, target_label, user_id, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        crate::args![
            at,
            e.actor_kind,
            e.actor_id,
            e.actor_login,
            e.impersonator_id,
            e.action,
            e.target_kind,
            e.target_id,
            e.target_label,
            e.user_id,
            e.details.to_string()
        ],
    )
    .await?;
    Ok(())
}

/// Shorthand for the pool.
pub async fn record_db(db: &Db, at: i64, e: Entry<'_>) -> Result<(), AppError> {
    record(&db.pool, at, e).await
}

/// Camera ids in an entry's details: every array of integers under a key naming cameras
/// (`camera_ids`, `cameras.added`, `scope_cameras.before` …).
pub fn camera_ids_in(details: &serde_json::Value) -> Vec<i64> {
    let mut ids = Vec::new();
    walk(details, false, &mut |list: &mut Vec<serde_json::Value>| {
        ids.extend(list.iter().filter_map(serde_json::Value::as_i64));
    });
    ids
}

/// Leaves in the details only the camera ids `keep` accepts and the CSA codes of
/// `scope_csa` lists that `keep_csa` accepts; answers whether anything was left out.
pub fn retain_in(details: &mut serde_json::Value, keep: &dyn Fn(i64) -> bool, keep_csa: &dyn Fn(&str) -> bool) -> bool {
    let mut hidden = false;
    walk_mut(details, false, &mut |list: &mut Vec<serde_json::Value>| {
        let before = list.len();
        list.retain(|v| v.as_i64().is_none_or(keep));
        hidden |= list.len() != before;
    });
    if let Some(map) = details.as_object_mut() {
        for (key, value) in map.iter_mut() {
            if key != "scope_csa" {
                continue;
            }
            let mut lists: Vec<&mut serde_json::Value> = vec![value];
            while let Some(v) = lists.pop() {
                match v {
                    serde_json::Value::Array(list) => {
                        let before = list.len();
                        list.retain(|c| c.as_str().is_none_or(keep_csa));
                        hidden |= list.len() != before;
                    }
                    serde_json::Value::Object(m) => lists.extend(m.values_mut()),
                    _ => {}
                }
            }
        }
    }
    hidden
}

fn walk(v: &serde_json::Value, cameras: bool, f: &mut dyn FnMut(&mut Vec<serde_json::Value>)) {
    let mut copy = v.clone();
    walk_mut(&mut copy, cameras, f);
}

fn walk_mut(v: &mut serde_json::Value, cameras: bool, f: &mut dyn FnMut(&mut Vec<serde_json::Value>)) {
    match v {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                walk_mut(value, cameras || key.contains("camera"), f);
            }
        }
        serde_json::Value::Array(list) if cameras && list.iter().all(serde_json::Value::is_i64) => f(list),
        serde_json::Value::Array(list) => {
            for item in list.iter_mut() {
                walk_mut(item, cameras, f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn camera_ids_outside_a_scope_are_left_out_wherever_they_sit() {
        let mut d = json!({
            "camera_ids": [1, 2],
            "cameras": {"added": [2, 3], "removed": []},
            "accounts": [{"login": "a", "cameras_added": [1, 3], "version": 7}],
            "scope_cameras": {"before": [3], "after": [1]},
            "scope_csa": {"before": ["IN", "OUT"], "after": ["IN"]},
            "flats": [1, 10],
        });
        let mut ids = super::camera_ids_in(&d);
        ids.sort_unstable();
        assert_eq!(ids, vec![1, 1, 1, 2, 2, 3, 3, 3]);
        let hidden = super::retain_in(&mut d, &|id| id == 1, &|c| c == "IN");
        assert!(hidden);
        assert_eq!(d["camera_ids"], json!([1]));
        assert_eq!(d["cameras"]["added"], json!([]));
        assert_eq!(d["accounts"][0]["cameras_added"], json!([1]));
        assert_eq!(d["accounts"][0]["version"], json!(7), "numbers not naming cameras stay");
        assert_eq!(d["scope_csa"]["before"], json!(["IN"]));
        assert_eq!(d["flats"], json!([1, 10]));
        let mut clean = json!({"camera_ids": [1]});
        assert!(!super::retain_in(&mut clean, &|id| id == 1, &|_| true));
    }
}
