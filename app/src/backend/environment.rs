//! Environments (SPEC §7.3): per user and sub-user, the materialised set of cameras its
//! clients may show (status, locked flag), its effective permissions and the settings, under
//! a version that moves whenever the content changes. Changes refresh them in the same
//! transaction; Synchronize cameras rebuilds them from the source tables.

use super::exec::Exec;
use crate::args;
use crate::domain::camera::CameraStatus;
use crate::domain::permissions::{effective_user_slugs, licensed_levels, sub_user_allowed};
use serde_json::{json, Value};

/// The licence totals of `account` and the slugs it holds and, for a sub-user `user`, the
/// slugs the sub-user holds: (totals, account's slugs, sub-user's slugs), in one statement.
async fn grants<C: Exec>(
    conn: &mut C,
    account: i64,
    user: i64,
) -> Result<(Vec<(u8, i64)>, Vec<String>, Vec<String>), sqlx::Error> {
    let rows: Vec<(String, i64, i64, String)> = conn
        .rows(
            "SELECT 'licence', CAST(level AS BIGINT), CAST(total AS BIGINT), '' FROM licences WHERE user_id = $1 \
             UNION ALL SELECT 'account', CAST(0 AS BIGINT), CAST(0 AS BIGINT), slug FROM user_permissions WHERE user_id = $1 \
             UNION ALL SELECT 'own', CAST(0 AS BIGINT), CAST(0 AS BIGINT), slug FROM user_permissions \
             WHERE user_id = $2 AND $2 <> $1 ORDER BY 1, 4",
            args![account, user],
        )
        .await?;
    let (mut totals, mut account_slugs, mut own) = (Vec::new(), Vec::new(), Vec::new());
    for (kind, level, total, slug) in rows {
        match kind.as_str() {
            "licence" => totals.push((level as u8, total)),
            "account" => account_slugs.push(slug),
            _ => own.push(slug),
        }
    }
    Ok((totals, account_slugs, own))
}

/// Stores `slugs` for `user` (beside those it holds), in one statement.
pub async fn grant_slugs<C: Exec>(conn: &mut C, user: i64, slugs: &[String]) -> Result<(), sqlx::Error> {
    if slugs.is_empty() {
        return Ok(());
    }
    let values = (0..slugs.len()).map(|i| format!("($1, ${})", i + 2)).collect::<Vec<_>>().join(", ");
    let mut args = args![user];
    args.extend(slugs.iter().map(|s| crate::backend::sql::Arg::from(s.as_str())));
    conn.run(&format!("INSERT INTO user_permissions (user_id, slug) VALUES {values}"), args).await?;
    Ok(())
}

/// The slugs that take effect for a user or sub-user now (SPEC §3).
pub async fn effective_slugs<C: Exec>(
    conn: &mut C,
    user: i64,
    parent: Option<i64>,
) -> Result<Vec<String>, sqlx::Error> {
    let (totals, account_slugs, own) = grants(conn, parent.unwrap_or(user), user).await?;
    Ok(effective(&totals, &account_slugs, own, parent.is_some()))
}

/// The slugs that take effect, from the account's licence totals and slugs and, for a
/// sub-user, the sub-user's own slugs.
fn effective(totals: &[(u8, i64)], account_slugs: &[String], own: Vec<String>, sub_user: bool) -> Vec<String> {
    let licensed = licensed_levels(totals);
    if !sub_user {
        return effective_user_slugs(account_slugs, &licensed);
    }
    let allowed = sub_user_allowed(account_slugs, &licensed);
    own.into_iter().filter(|s| allowed.contains(s)).collect()
}

/// The environment content of a live user or sub-user, from the source tables; `None` for
/// a deleted or unknown account. One statement: the account, its cameras, and what it is
/// granted (a sub-user's licences and slugs are its account's, besides its own slugs).
pub async fn compute<C: Exec>(conn: &mut C, user: i64) -> Result<Option<Value>, sqlx::Error> {
    /// A tagged row: `account` (parent, deletion, parent's deletion, status, parent's
    /// status), `camera` (id, streams, streams up, name), `licence` (level, total),
    /// `account_slug` and `own_slug` (slug).
    type Tagged = (String, Option<i64>, Option<i64>, Option<i64>, Option<String>, Option<String>);
    let rows: Vec<Tagged> = conn
        .rows(
            "WITH acct AS (SELECT u.id, u.parent_id, COALESCE(u.parent_id, u.id) AS account, u.deleted_at, \
                 u.status, p.deleted_at AS parent_deleted, p.status AS parent_status \
                 FROM users u LEFT JOIN users p ON p.id = u.parent_id WHERE u.id = $1) \
             SELECT 'account', parent_id, deleted_at, parent_deleted, status, parent_status FROM acct \
             UNION ALL SELECT 'camera', c.id, \
               (SELECT COUNT(*) FROM camera_streams s WHERE s.camera_id = c.id), \
               (SELECT COUNT(*) FROM camera_streams s WHERE s.camera_id = c.id AND s.up = 1), \
               c.name, CAST(NULL AS TEXT) \
             FROM camera_access a JOIN cameras c ON c.id = a.camera_id WHERE a.user_id = $1 \
             UNION ALL SELECT 'licence', CAST(l.level AS BIGINT), CAST(l.total AS BIGINT), CAST(NULL AS BIGINT), \
               CAST(NULL AS TEXT), CAST(NULL AS TEXT) FROM acct JOIN licences l ON l.user_id = acct.account \
             UNION ALL SELECT 'account_slug', CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), \
               g.slug, CAST(NULL AS TEXT) FROM acct JOIN user_permissions g ON g.user_id = acct.account \
             UNION ALL SELECT 'own_slug', CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), \
               g.slug, CAST(NULL AS TEXT) FROM acct JOIN user_permissions g ON g.user_id = acct.id \
             WHERE acct.parent_id IS NOT NULL \
             ORDER BY 1, 2, 5",
            args![user],
        )
        .await?;
    let (mut account, mut cameras, mut totals, mut account_slugs, mut own) = (None, vec![], vec![], vec![], vec![]);
    for (tag, a, b, c, text, other) in rows {
        match tag.as_str() {
            "account" => account = Some((a, b, c, text.unwrap_or_default(), other)),
            "camera" => cameras.push((a.unwrap_or_default(), b.unwrap_or_default(), c.unwrap_or_default(), text)),
            "licence" => totals.push((a.unwrap_or_default() as u8, b.unwrap_or_default())),
            "account_slug" => account_slugs.extend(text),
            _ => own.extend(text),
        }
    }
    let Some((parent, deleted, parent_deleted, own_status, parent_status)) = account else { return Ok(None) };
    if deleted.is_some() || parent_deleted.is_some() {
        return Ok(None);
    }
    let status = parent_status.unwrap_or(own_status);
    let locked = status == "paused";
    let cameras: Vec<Value> = cameras
        .into_iter()
        .map(|(id, streams, up, name)| {
            let label = CameraStatus::from_counts(streams, up).label();
            json!({"id": id, "name": name.unwrap_or_default(), "status": label, "locked": locked})
        })
        .collect();
    Ok(Some(json!({
        "status": status,
        "settings": {"locked_when_paused": true},
        "permissions": effective(&totals, &account_slugs, own, parent.is_some()),
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
    Ok(row.map(|(v, d)| (v, parse(&d))))
}

fn parse(data: &str) -> Value {
    serde_json::from_str(data).unwrap_or(Value::Null)
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
    conn.run(UPSERT, args![user, version, data.to_string(), synced.then_some(now), now]).await?;
    super::changes::announce(user, version);
    Ok(())
}

/// The accounts `which` picks (a condition on `u`, the users table), in id order, with
/// their stored environments (version, data). On PostgreSQL the accounts stay locked until
/// the transaction ends: two transactions changing the same account's cameras side by side
/// would otherwise each compute the environment from a snapshot without the other's change,
/// and the later write would drop the earlier change. With the lock, the second computes
/// after the first committed and sees both (READ COMMITTED reads afresh). `NO KEY UPDATE`
/// does not conflict with the key-share locks that inserting rows which reference the
/// account takes, so it adds no deadlock with them. SQLite has one writer at a time already.
async fn targets<C: Exec>(
    conn: &mut C,
    which: &str,
    args: Vec<crate::backend::sql::Arg>,
) -> Result<Vec<(i64, Option<(i64, Value)>)>, sqlx::Error> {
    let lock = if conn.is_postgres() { " FOR NO KEY UPDATE OF u" } else { "" };
    let rows: Vec<(i64, Option<i64>, Option<String>)> = conn
        .rows(
            &format!(
                "SELECT u.id, e.version, e.data FROM users u LEFT JOIN environments e ON e.user_id = u.id \
                 WHERE {which} ORDER BY u.id{lock}"
            ),
            args,
        )
        .await?;
    Ok(rows.into_iter().map(|(id, version, data)| (id, version.zip(data.as_deref().map(parse)))).collect())
}

/// Brings the environments of `users` up to date; the version moves only where the content
/// changed. Call it inside the transaction of the change.
pub async fn refresh<C: Exec>(conn: &mut C, users: &[i64], now: i64) -> Result<(), sqlx::Error> {
    if users.is_empty() {
        return Ok(());
    }
    let list = users.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let found = targets(conn, &format!("u.id IN ({list})"), vec![]).await?;
    refresh_found(conn, found, now).await
}

/// `refresh` of the account and its live sub-users (`family`), found, locked and read in
/// one statement.
pub async fn refresh_family<C: Exec>(conn: &mut C, user: i64, now: i64) -> Result<(), sqlx::Error> {
    let found = targets(conn, "(u.id = $1 OR u.parent_id = $1) AND u.deleted_at IS NULL", args![user]).await?;
    refresh_found(conn, found, now).await
}

async fn refresh_found<C: Exec>(
    conn: &mut C,
    found: Vec<(i64, Option<(i64, Value)>)>,
    now: i64,
) -> Result<(), sqlx::Error> {
    for (user, stored) in found {
        let Some(data) = compute(conn, user).await? else { continue };
        match stored {
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
    let found = targets(conn, "u.id = $1", args![user]).await?;
    let Some(data) = compute(conn, user).await? else { return Ok(None) };
    let (version, old) = found.into_iter().next().and_then(|(_, stored)| stored).unwrap_or((0, Value::Null));
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
