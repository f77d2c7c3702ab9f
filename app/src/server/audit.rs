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

/// Shorthand for the pool.
pub async fn record_db(db: &Db, at: i64, e: Entry<'_>) -> Result<(), AppError> {
    record(&db.pool, at, e).await
}
