//! Sub-users managed by their user (SPEC §7.1), shared by the client API and the web
//! client: only a user holding `subusers-manage` manages them; permissions follow SPEC §3
//! (checked by `check_sub_user_grant` on every write); cameras are a subset of the user's.
//! Every change is transactional, refreshes the sub-user's environment and is audited.

mod input;

use super::audit::{self, Entry};
use super::client::{usable_cameras, ClientUser};
use super::db::Db;
use super::environment;
use super::password;
use crate::domain::permissions::{licensed_levels, sub_user_allowed, SUBUSERS_MANAGE};
use crate::error::AppError;
use crate::lang::{current, td_string};
use crate::views::sub_users::{SubUserRow, SubUsersView};
pub use input::SubUserInput;
use input::{cameras, grant};
use serde_json::json;
use sqlx::AnyConnection;
use std::collections::BTreeSet;

/// The caller, if it may manage sub-users: a user (never a sub-user) whose `subusers-manage`
/// is effective.
async fn manager(conn: &mut AnyConnection, u: &ClientUser) -> Result<(), AppError> {
    if u.is_sub_user || !environment::effective_slugs(conn, u.id, None).await?.iter().any(|s| s == SUBUSERS_MANAGE) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// What the user holds that its sub-users may hold (SPEC §3).
async fn allowed(conn: &mut AnyConnection, user: i64) -> Result<(Vec<String>, BTreeSet<u8>), AppError> {
    let stored: Vec<(String,)> = sqlx::query_as("SELECT slug FROM user_permissions WHERE user_id = $1 ORDER BY slug")
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    let totals: Vec<(i64, i64)> =
        sqlx::query_as("SELECT level, total FROM licences WHERE user_id = $1").bind(user).fetch_all(&mut *conn).await?;
    let licensed = licensed_levels(&totals.iter().map(|(l, t)| (*l as u8, *t)).collect::<Vec<_>>());
    Ok((stored.into_iter().map(|(s,)| s).collect(), licensed))
}

/// The caller's live sub-users with what the form offers.
pub async fn list(db: &Db, u: &ClientUser) -> Result<SubUsersView, AppError> {
    let mut conn = db.pool.acquire().await?;
    manager(&mut conn, u).await?;
    let (stored, licensed) = allowed(&mut conn, u.id).await?;
    let cameras = usable_cameras(&mut conn, u).await?;
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, login, name, access_version, created_at FROM users \
         WHERE parent_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1000",
    )
    .bind(u.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut sub_users = Vec::with_capacity(rows.len());
    for (id, login, name, version, created_at) in rows {
        let permissions = slugs(&mut conn, id).await?;
        let shown: BTreeSet<i64> = cameras.iter().map(|(c, _)| *c).collect();
        let camera_ids = camera_ids(&mut conn, id).await?.into_iter().filter(|c| shown.contains(c)).collect();
        sub_users.push(SubUserRow { id, login, name, permissions, camera_ids, version, created_at });
    }
    Ok(SubUsersView {
        sub_users,
        allowed: sub_user_allowed(&stored, &licensed).into_iter().collect(),
        cameras,
        credentials_locked: u.impersonator.is_some(),
    })
}

async fn slugs(conn: &mut AnyConnection, user: i64) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT slug FROM user_permissions WHERE user_id = $1 ORDER BY slug")
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

async fn camera_ids(conn: &mut AnyConnection, user: i64) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT camera_id FROM camera_access WHERE user_id = $1 ORDER BY camera_id")
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

async fn login_free(conn: &mut AnyConnection, login: &str, except: Option<i64>) -> Result<(), AppError> {
    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE LOWER(login) = LOWER($1)")
        .bind(login)
        .fetch_optional(&mut *conn)
        .await?;
    match taken {
        Some((id,)) if Some(id) != except => {
            Err(AppError::field("login", td_string!(current(), client.err_login_taken)))
        }
        _ => Ok(()),
    }
}

async fn replace_permissions(conn: &mut AnyConnection, user: i64, slugs: &[String]) -> Result<(), AppError> {
    sqlx::query("DELETE FROM user_permissions WHERE user_id = $1").bind(user).execute(&mut *conn).await?;
    environment::grant_slugs(conn, user, slugs).await?;
    Ok(())
}

async fn replace_cameras(conn: &mut AnyConnection, user: i64, cameras: &[i64], now: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM camera_access WHERE user_id = $1").bind(user).execute(&mut *conn).await?;
    if !cameras.is_empty() {
        let values = cameras.iter().map(|c| format!("($1, {c}, $2)")).collect::<Vec<_>>().join(", ");
        sqlx::query(&format!("INSERT INTO camera_access (user_id, camera_id, granted_at) VALUES {values}"))
            .bind(user)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Creates a sub-user of the caller; answers its id.
pub async fn create(db: &Db, u: &ClientUser, input: SubUserInput, now: i64) -> Result<i64, AppError> {
    // A new sub-user comes with a login and password: credentials.
    u.may_set_credentials()?;
    input.check(true)?;
    let (login, name) = (input.login.unwrap_or_default(), input.name.unwrap_or_default().trim().to_string());
    // Allowed at all? Asked before the argon2 work, and again inside the transaction.
    manager(&mut *db.pool.acquire().await?, u).await?;
    // Hash before the transaction: argon2 takes tens of milliseconds.
    let hash = password::hash(input.password.unwrap_or_default()).await?;
    let mut tx = db.pool.begin().await?;
    manager(&mut tx, u).await?;
    let parent = allowed(&mut tx, u.id).await?;
    let granted = grant(&input.permissions.unwrap_or_default(), &[], &parent)?;
    let grantable = usable_cameras(&mut tx, u).await?;
    let all_of_user: BTreeSet<i64> = camera_ids(&mut tx, u.id).await?.into_iter().collect();
    let requested = input.camera_ids.unwrap_or_else(|| grantable.iter().map(|(c, _)| *c).collect());
    let cams = cameras(&requested, &[], &grantable, &all_of_user)?;
    login_free(&mut tx, &login, None).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (parent_id, login, name, password_hash, status, search, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $6) RETURNING id",
    )
    .bind(u.id)
    .bind(&login)
    .bind(&name)
    .bind(&hash)
    .bind(format!("{name} {login}").to_lowercase())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    replace_permissions(&mut tx, id, &granted).await?;
    replace_cameras(&mut tx, id, &cams, now).await?;
    environment::refresh(&mut tx, &[id], now).await?;
    let details = json!({"permissions": granted, "camera_ids": cams});
    audit::record(&mut *tx, now, Entry::by_user(u, "subuser.create", ("sub-user", id, &login), details)).await?;
    tx.commit().await?;
    Ok(id)
}

/// A live sub-user of the caller: (login, name, access version); 404 otherwise.
async fn own(conn: &mut AnyConnection, u: &ClientUser, id: i64) -> Result<(String, String, i64), AppError> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT login, name, access_version FROM users WHERE id = $1 AND parent_id = $2 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(u.id)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or(AppError::NotFound)
}

/// Changes the given fields of one of the caller's sub-users. With `version`, the save is
/// refused when someone else changed the sub-user since (the web client sends it).
pub async fn update(
    db: &Db,
    u: &ClientUser,
    id: i64,
    input: SubUserInput,
    version: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    input.check(false)?;
    if input.password.is_some() {
        u.may_set_credentials()?;
        // Allowed, and one of the caller's sub-users? Asked before the argon2 work.
        let mut conn = db.pool.acquire().await?;
        manager(&mut conn, u).await?;
        own(&mut conn, u, id).await?;
    }
    let hash = match input.password.clone() {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let mut tx = db.pool.begin().await?;
    manager(&mut tx, u).await?;
    let (old_login, old_name, current) = own(&mut tx, u, id).await?;
    if version.is_some_and(|v| v != current) {
        return Err(AppError::Conflict(td_string!(crate::lang::current(), client.err_sub_user_changed).into()));
    }
    let mut changed = serde_json::Map::new();
    let login = input.login.clone().unwrap_or(old_login.clone());
    let name = input.name.as_deref().map(str::trim).unwrap_or(&old_name).to_string();
    if login != old_login {
        u.may_set_credentials()?;
        login_free(&mut tx, &login, Some(id)).await?;
        changed.insert("login".into(), json!({"from": old_login, "to": login}));
    }
    if name != old_name {
        changed.insert("name".into(), json!({"from": old_name, "to": name}));
    }
    if let Some(requested) = &input.permissions {
        let stored = slugs(&mut tx, id).await?;
        let granted = grant(requested, &stored, &allowed(&mut tx, u.id).await?)?;
        if granted != stored {
            replace_permissions(&mut tx, id, &granted).await?;
            let added: Vec<&String> = granted.iter().filter(|s| !stored.contains(s)).collect();
            let removed: Vec<&String> = stored.iter().filter(|s| !granted.contains(s)).collect();
            changed.insert("permissions".into(), json!({"added": added, "removed": removed}));
        }
    }
    if let Some(requested) = &input.camera_ids {
        let stored = camera_ids(&mut tx, id).await?;
        let grantable = usable_cameras(&mut tx, u).await?;
        let all_of_user: BTreeSet<i64> = camera_ids(&mut tx, u.id).await?.into_iter().collect();
        let cams = cameras(requested, &stored, &grantable, &all_of_user)?;
        if cams != stored {
            replace_cameras(&mut tx, id, &cams, now).await?;
            let added: Vec<&i64> = cams.iter().filter(|c| !stored.contains(c)).collect();
            let removed: Vec<&i64> = stored.iter().filter(|c| !cams.contains(c)).collect();
            changed.insert("cameras".into(), json!({"added": added, "removed": removed}));
        }
    }
    if let Some(hash) = &hash {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(&mut *tx).await?;
        // A new password ends the sub-user's sessions (their streams are woken below).
        sqlx::query("DELETE FROM user_sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        changed.insert("password".into(), json!("changed"));
    }
    sqlx::query(
        "UPDATE users SET login = $1, name = $2, search = $3, access_version = access_version + 1, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(&login)
    .bind(&name)
    .bind(format!("{name} {login}").to_lowercase())
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    environment::refresh(&mut tx, &[id], now).await?;
    let details = serde_json::Value::Object(changed);
    audit::record(&mut *tx, now, Entry::by_user(u, "subuser.update", ("sub-user", id, &login), details)).await?;
    tx.commit().await?;
    if hash.is_some() {
        super::changes::wake(&[id]);
    }
    Ok(())
}

/// Deletes one of the caller's sub-users: it can no longer sign in and its sessions end;
/// retention removes its data 30 days later (SPEC §8).
pub async fn delete(db: &Db, u: &ClientUser, id: i64, now: i64) -> Result<(), AppError> {
    let mut tx = db.pool.begin().await?;
    manager(&mut tx, u).await?;
    let (login, ..) = own(&mut tx, u, id).await?;
    sqlx::query("UPDATE users SET status = 'deleted', deleted_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM user_sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    audit::record(&mut *tx, now, Entry::by_user(u, "subuser.delete", ("sub-user", id, &login), json!({}))).await?;
    tx.commit().await?;
    super::changes::wake(&[id]);
    Ok(())
}
