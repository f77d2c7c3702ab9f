//! Sub-users managed by their user (SPEC §7.1), shared by the client API and the web
//! client: only a user holding `subusers-manage` manages them; permissions follow SPEC §3
//! (checked by `check_sub_user_grant` on every write); cameras are a subset of the user's.
//! Every change is transactional, refreshes the sub-user's environment and is audited.

use super::audit::{self, Entry};
use super::client::{usable_cameras, ClientUser};
use super::db::Db;
use super::environment;
use super::password;
use crate::domain::permissions::{check_sub_user_grant, licensed_levels, sub_user_allowed, SUBUSERS_MANAGE};
use crate::domain::user::login_problem;
use crate::error::AppError;
use crate::lang::{current, labels, td_string};
use crate::views::sub_users::{SubUserRow, SubUsersView};
use serde_json::json;
use sqlx::AnyConnection;
use std::collections::BTreeSet;

/// A create (every field but `camera_ids` required) or an update (only the given fields
/// change). `camera_ids` left out on create gives the sub-user all of the user's cameras.
#[derive(Clone, Debug, Default)]
pub struct SubUserInput {
    pub login: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub camera_ids: Option<Vec<i64>>,
}

impl SubUserInput {
    /// Checks the shape of the given fields, naming every bad one.
    fn check(&self, creating: bool) -> Result<(), AppError> {
        let lang = current();
        let mut bad = Vec::new();
        let mut need = |field: &str, given: bool, sentence: &str| {
            if creating && !given {
                bad.push((field.to_string(), sentence.to_string()));
            }
        };
        need("login", self.login.is_some(), td_string!(lang, client.err_login_missing));
        need("name", self.name.is_some(), td_string!(lang, client.err_name_missing));
        need("password", self.password.is_some(), td_string!(lang, client.err_password_missing));
        need("permissions", self.permissions.is_some(), td_string!(lang, client.err_permissions_missing));
        if let Some(problem) = self.login.as_deref().and_then(login_problem) {
            bad.push(("login".into(), labels::login_problem_in(lang, problem).to_string()));
        }
        if self.name.as_deref().is_some_and(|n| n.trim().is_empty() || n.chars().count() > 128) {
            bad.push(("name".into(), td_string!(lang, client.err_name_length).to_string()));
        }
        if self.password.as_deref().is_some_and(|p| p.chars().count() < password::MIN_LENGTH || p.len() > 1024) {
            let sentence = td_string!(lang, client.err_password_short, count = password::MIN_LENGTH as i64);
            bad.push(("password".into(), sentence.to_string()));
        }
        if self.camera_ids.as_ref().is_some_and(|c| c.len() > 10_000) {
            bad.push(("camera_ids".into(), td_string!(lang, client.err_too_many_cameras).to_string()));
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(AppError::fields(bad))
        }
    }
}

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

/// Checks the permissions for a sub-user (SPEC §3), naming each refused slug.
fn grant(
    requested: &[String],
    stored: &[String],
    parent: &(Vec<String>, BTreeSet<u8>),
) -> Result<Vec<String>, AppError> {
    check_sub_user_grant(requested, stored, &parent.0, &parent.1)
        .map_err(|refused| AppError::fields(labels::refusals(refused)))
}

/// The cameras to store: the requested ones must be grantable; stored ones the caller cannot
/// see (outside an impersonating administrator's scope) are kept.
fn cameras(
    requested: &[i64],
    stored: &[i64],
    grantable: &[(i64, String)],
    all_of_user: &BTreeSet<i64>,
) -> Result<Vec<i64>, AppError> {
    let can: BTreeSet<i64> = grantable.iter().map(|(c, _)| *c).collect();
    if let Some(bad) = requested.iter().find(|c| !can.contains(c)) {
        let sentence = td_string!(current(), client.err_camera_not_yours, camera = bad);
        return Err(AppError::field("camera_ids", sentence.to_string()));
    }
    let kept = stored.iter().filter(|c| all_of_user.contains(c) && !can.contains(c));
    Ok(requested.iter().chain(kept).copied().collect::<BTreeSet<_>>().into_iter().collect())
}

async fn replace_permissions(conn: &mut AnyConnection, user: i64, slugs: &[String]) -> Result<(), AppError> {
    sqlx::query("DELETE FROM user_permissions WHERE user_id = $1").bind(user).execute(&mut *conn).await?;
    if !slugs.is_empty() {
        let values = slugs.iter().enumerate().map(|(i, _)| format!("($1, ${})", i + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!("INSERT INTO user_permissions (user_id, slug) VALUES {values}");
        let mut q = sqlx::query(&sql).bind(user);
        for slug in slugs {
            q = q.bind(slug);
        }
        q.execute(&mut *conn).await?;
    }
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
        super::changes::wake(db, &[id]).await;
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
    super::changes::wake(db, &[id]).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_needs_every_field_and_names_each_bad_one() {
        let err = SubUserInput::default().check(true).unwrap_err();
        let AppError::Fields { fields, .. } = err else { panic!("{err:?}") };
        let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, ["login", "name", "password", "permissions"]);
        let bad = SubUserInput {
            login: Some("has space".into()),
            name: Some(" ".into()),
            password: Some("short".into()),
            ..Default::default()
        };
        let AppError::Fields { message, fields } = bad.check(false).unwrap_err() else { panic!() };
        assert_eq!(fields.len(), 3);
        // Whole sentences, in English without a page language.
        assert_eq!(
            message,
            "Login must not contain spaces; Name is required: 1-128 characters; Password needs at least 8 characters."
        );
        assert!(SubUserInput::default().check(false).is_ok(), "an update may change nothing");
    }

    #[test]
    fn the_domains_reasons_become_whole_sentences() {
        use crate::domain::permissions::{analytics_slug, NEW_SUB_USER_SLUGS};
        use crate::lang::labels::{login_problem_in, refusal_in};
        use crate::lang::Locale;
        let ru = |login: &str| login_problem_in(Locale::ru, login_problem(login).unwrap());
        assert_eq!(ru(""), "Логин должен содержать от 1 до 64 символов");
        assert_eq!(ru("a b"), "Логин не должен содержать пробелов");
        let (face, live) = (analytics_slug("face"), NEW_SUB_USER_SLUGS[0].to_string());
        let requested = vec!["marks-burn".to_string(), SUBUSERS_MANAGE.to_string(), face.clone(), live.clone()];
        let refused = check_sub_user_grant(&requested, &[], &[], &BTreeSet::new()).unwrap_err();
        let sentences: Vec<String> = refused.iter().map(|(slug, why)| refusal_in(Locale::ru, slug, *why)).collect();
        assert_eq!(
            sentences,
            [
                "Неизвестное разрешение marks-burn".to_string(),
                format!("Разрешение {SUBUSERS_MANAGE} не выдаётся субпользователям"),
                format!("Для разрешения {face} у основного пользователя должны быть лицензии аналитики уровня 3"),
                format!("У основного пользователя нет разрешения {live}"),
            ]
        );
        let en: Vec<String> = refused.iter().map(|(slug, why)| refusal_in(Locale::en, slug, *why)).collect();
        assert_eq!(en[2], format!("{face} needs the parent user to hold level 3 analytics licences"));
    }

    #[test]
    fn cameras_must_be_grantable_and_hidden_ones_are_kept() {
        let grantable = vec![(1, "a".to_string()), (2, "b".to_string())];
        let all: BTreeSet<i64> = [1, 2, 3].into();
        assert_eq!(cameras(&[2, 1, 2], &[], &grantable, &all).unwrap(), vec![1, 2]);
        assert!(cameras(&[3], &[], &grantable, &all).is_err(), "outside what the caller may give");
        // Camera 3 is the user's but hidden from the caller: a save keeps it; 9 is no longer the user's.
        assert_eq!(cameras(&[1], &[2, 3, 9], &grantable, &all).unwrap(), vec![1, 3]);
    }
}
