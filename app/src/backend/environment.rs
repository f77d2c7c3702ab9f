//! Environments (SPEC §7.3): per user and sub-user, the materialised set of cameras its
//! clients may show (status, locked flag), its effective permissions and the settings, under
//! a version that moves whenever the content changes. Changes refresh them in the same
//! transaction; Synchronize cameras rebuilds them from the source tables.

use super::exec::Exec;
use crate::args;
use crate::domain::camera::CameraStatus;
use crate::domain::permissions::{effective_user_slugs, licensed_levels, sub_user_allowed};
use serde_json::{json, Value};

async fn slugs<C: Exec>(conn: &mut C, user: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> =
        conn.rows("SELECT slug FROM user_permissions WHERE user_id = $1 ORDER BY slug", args![user]).await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// The slugs that take effect for a user or sub-user now (SPEC §3).
pub async fn effective_slugs<C: Exec>(
    conn: &mut C,
    user: i64,
    parent: Option<i64>,
) -> Result<Vec<String>, sqlx::Error> {
    let account = parent.unwrap_or(user);
    let totals: Vec<(i64, i64)> =
        conn.rows("SELECT level, total FROM licences WHERE user_id = $1", args![account]).await?;
    let licensed = licensed_levels(&totals.iter().map(|(l, t)| (*l as u8, *t)).collect::<Vec<_>>());
    let account_slugs = slugs(conn, account).await?;
    if parent.is_none() {
        return Ok(effective_user_slugs(&account_slugs, &licensed));
    }
    let allowed = sub_user_allowed(&account_slugs, &licensed);
    Ok(slugs(conn, user).await?.into_iter().filter(|s| allowed.contains(s)).collect())
}

/// The environment content of a live user or sub-user, from the source tables; `None` for
/// a deleted or unknown account.
pub async fn compute<C: Exec>(conn: &mut C, user: i64) -> Result<Option<Value>, sqlx::Error> {
    /// Parent, own status, parent's status, own deletion, parent's deletion.
    type Account = (Option<i64>, String, Option<String>, Option<i64>, Option<i64>);
    let row: Option<Account> = conn
        .row(
            "SELECT u.parent_id, u.status, p.status, u.deleted_at, p.deleted_at FROM users u \
             LEFT JOIN users p ON p.id = u.parent_id WHERE u.id = $1",
            args![user],
        )
        .await?;
    let Some((parent, own, parent_status, deleted, parent_deleted)) = row else { return Ok(None) };
    if deleted.is_some() || parent_deleted.is_some() {
        return Ok(None);
    }
    let status = parent_status.unwrap_or(own);
    let locked = status == "paused";
    let cameras: Vec<(i64, String, i64, i64)> = conn
        .rows(
            "SELECT c.id, c.name, \
               (SELECT COUNT(*) FROM camera_streams s WHERE s.camera_id = c.id), \
               (SELECT COUNT(*) FROM camera_streams s WHERE s.camera_id = c.id AND s.up = 1) \
             FROM camera_access a JOIN cameras c ON c.id = a.camera_id WHERE a.user_id = $1 ORDER BY c.id",
            args![user],
        )
        .await?;
    let cameras: Vec<Value> = cameras
        .into_iter()
        .map(|(id, name, streams, up)| {
            json!({"id": id, "name": name, "status": CameraStatus::from_counts(streams, up).label(), "locked": locked})
        })
        .collect();
    Ok(Some(json!({
        "status": status,
        "settings": {"locked_when_paused": true},
        "permissions": effective_slugs(conn, user, parent).await?,
        "cameras": cameras,
    })))
}

/// The account and its sub-users: whom a change of the account touches.
pub async fn family<C: Exec>(conn: &mut C, user: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = conn
        .rows("SELECT id FROM users WHERE (id = $1 OR parent_id = $1) AND deleted_at IS NULL ORDER BY id", args![user])
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The users and sub-users with access to a camera.
pub async fn camera_viewers<C: Exec>(conn: &mut C, camera: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> =
        conn.rows("SELECT user_id FROM camera_access WHERE camera_id = $1 ORDER BY user_id", args![camera]).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Stored (version, data) of an environment.
async fn stored<C: Exec>(conn: &mut C, user: i64) -> Result<Option<(i64, Value)>, sqlx::Error> {
    let row: Option<(i64, String)> =
        conn.row("SELECT version, data FROM environments WHERE user_id = $1", args![user]).await?;
    Ok(row.map(|(v, d)| (v, serde_json::from_str(&d).unwrap_or(Value::Null))))
}

async fn write<C: Exec>(
    conn: &mut C,
    user: i64,
    version: i64,
    data: &Value,
    now: i64,
    synced: bool,
) -> Result<(), sqlx::Error> {
    const UPSERT: &str = "INSERT INTO environments (user_id, version, data, synced_at, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, data = excluded.data, updated_at = excluded.updated_at, \
         synced_at = COALESCE(excluded.synced_at, environments.synced_at)";
    let mut args = args![user, version, data.to_string(), synced.then_some(now), now];
    if conn.is_postgres() {
        // Announced to every server process's listener when the transaction commits; in the
        // same statement as the write (one round trip).
        args.extend(args![super::changes::CHANNEL, super::changes::payload(user, version)]);
        conn.run(&format!("WITH written AS ({UPSERT} RETURNING user_id) SELECT pg_notify($6, $7) FROM written"), args)
            .await?;
    } else {
        conn.run(UPSERT, args).await?;
    }
    super::changes::announce(user, version);
    Ok(())
}

/// On PostgreSQL, locks the accounts whose environments are about to be computed, in id
/// order, until the transaction ends. Two transactions changing the same account's cameras
/// side by side would otherwise each compute the environment from a snapshot without the
/// other's change, and the later write would drop the earlier change. With the lock, the
/// second computes after the first committed and sees both (READ COMMITTED reads afresh).
/// `NO KEY UPDATE` does not conflict with the key-share locks that inserting rows which
/// reference the account takes, so it adds no deadlock with them. SQLite has one writer at
/// a time already.
async fn lock<C: Exec>(conn: &mut C, users: &[i64]) -> Result<(), sqlx::Error> {
    if users.is_empty() || !conn.is_postgres() {
        return Ok(());
    }
    let mut ids = users.to_vec();
    ids.sort_unstable();
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    conn.run(&format!("SELECT id FROM users WHERE id IN ({list}) ORDER BY id FOR NO KEY UPDATE"), vec![]).await?;
    Ok(())
}

/// Brings the environments of `users` up to date; the version moves only where the content
/// changed. Call it inside the transaction of the change.
pub async fn refresh<C: Exec>(conn: &mut C, users: &[i64], now: i64) -> Result<(), sqlx::Error> {
    lock(conn, users).await?;
    refresh_locked(conn, users, now).await
}

/// `refresh` of the account and its sub-users (`family`), found and locked (see `lock`) in
/// one statement.
pub async fn refresh_family<C: Exec>(conn: &mut C, user: i64, now: i64) -> Result<(), sqlx::Error> {
    let family = if conn.is_postgres() {
        let rows: Vec<(i64,)> = conn
            .rows(
                "SELECT id FROM users WHERE (id = $1 OR parent_id = $1) AND deleted_at IS NULL ORDER BY id \
                 FOR NO KEY UPDATE",
                args![user],
            )
            .await?;
        rows.into_iter().map(|(id,)| id).collect()
    } else {
        family(conn, user).await?
    };
    refresh_locked(conn, &family, now).await
}

async fn refresh_locked<C: Exec>(conn: &mut C, users: &[i64], now: i64) -> Result<(), sqlx::Error> {
    for &user in users {
        let Some(data) = compute(conn, user).await? else { continue };
        match stored(conn, user).await? {
            Some((_, old)) if old == data => {}
            Some((version, _)) => write(conn, user, version + 1, &data, now, false).await?,
            None => write(conn, user, 1, &data, now, false).await?,
        }
    }
    Ok(())
}

/// The environment as the client API serves it, built on first use.
pub async fn current<C: Exec>(conn: &mut C, user: i64, now: i64) -> Result<Option<Value>, sqlx::Error> {
    if stored(conn, user).await?.is_none() {
        refresh(conn, &[user], now).await?;
    }
    let row: Option<(i64, String, Option<i64>)> =
        conn.row("SELECT version, data, synced_at FROM environments WHERE user_id = $1", args![user]).await?;
    Ok(row.map(|(version, data, synced_at)| {
        let mut v: Value = serde_json::from_str(&data).unwrap_or_else(|_| json!({}));
        v["version"] = json!(version);
        v["synced_at"] = json!(synced_at.map(crate::domain::time::format_rfc3339));
        v
    }))
}

/// What a rebuild changed in one environment.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub user_id: i64,
    pub version: i64,
    pub cameras_added: Vec<i64>,
    pub cameras_removed: Vec<i64>,
    pub permissions_added: Vec<String>,
    pub permissions_removed: Vec<String>,
    pub status_before: Option<String>,
    pub status_after: String,
}

fn ids(v: &Value) -> Vec<i64> {
    v["cameras"].as_array().map(|a| a.iter().filter_map(|c| c["id"].as_i64()).collect()).unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v["permissions"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Rebuilds an environment from the source tables whatever it holds, bumps its version,
/// marks it synchronised, and tells what changed.
pub async fn rebuild<C: Exec>(conn: &mut C, user: i64, now: i64) -> Result<Option<Change>, sqlx::Error> {
    lock(conn, &[user]).await?;
    let Some(data) = compute(conn, user).await? else { return Ok(None) };
    let (version, old) = stored(conn, user).await?.unwrap_or((0, Value::Null));
    write(conn, user, version + 1, &data, now, true).await?;
    let (before, after) = (ids(&old), ids(&data));
    let (pb, pa) = (strings(&old), strings(&data));
    Ok(Some(Change {
        user_id: user,
        version: version + 1,
        cameras_added: after.iter().filter(|c| !before.contains(c)).copied().collect(),
        cameras_removed: before.iter().filter(|c| !after.contains(c)).copied().collect(),
        permissions_added: pa.iter().filter(|s| !pb.contains(s)).cloned().collect(),
        permissions_removed: pb.iter().filter(|s| !pa.contains(s)).cloned().collect(),
        status_before: old["status"].as_str().map(str::to_string),
        status_after: data["status"].as_str().unwrap_or_default().to_string(),
    }))
}
