//! Analytics cases of users and sub-users (SPEC §7.1), shared by the client API and the web
//! client: created within the free licences of the account (the billing user), listed while
//! their level is licensed (SPEC §8), deleted with their events. Every change is audited,
//! with the administrator's identity too while impersonating.

use super::audit::{self, Entry};
use super::client::{usable_cameras, ClientUser};
use super::db::Db;
use super::environment;
use crate::domain::permissions::{analytics_level, analytics_slug, ANALYTICS_TYPES};
use crate::error::AppError;
use crate::lang::{current, td_string};
use crate::views::analytics::{AnalyticsView, CaseEventRow, CaseRow, LevelRow, EVENTS_PAGE};
use serde_json::json;
use sqlx::AnyConnection;

/// At most this many cameras in one case.
pub const MAX_CAMERAS: usize = 500;

/// What a new case asks for; `validate` checks the shape before any database work.
pub struct NewCase {
    pub name: String,
    pub kind: String,
    pub camera_ids: Vec<i64>,
}

impl NewCase {
    pub fn validate(name: &str, kind: &str, mut camera_ids: Vec<i64>) -> Result<Self, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 128 {
            return Err(AppError::field("name", td_string!(current(), client.err_case_name)));
        }
        if analytics_level(kind).is_none() {
            return Err(AppError::field("type", td_string!(current(), client.err_case_type_unknown)));
        }
        camera_ids.sort_unstable();
        camera_ids.dedup();
        if camera_ids.is_empty() || camera_ids.len() > MAX_CAMERAS {
            let sentence = td_string!(current(), client.err_case_cameras_count, max = MAX_CAMERAS);
            return Err(AppError::field("camera_ids", sentence.to_string()));
        }
        Ok(Self { name: name.to_string(), kind: kind.to_string(), camera_ids })
    }
}

/// Creates a case if the type's permission is effective, the cameras are the caller's, and
/// the account has a free licence of the type's level for each camera.
pub async fn create(db: &Db, u: &ClientUser, case: NewCase, now: i64) -> Result<i64, AppError> {
    let level = i64::from(analytics_level(&case.kind).ok_or(AppError::Internal)?);
    if u.status != "active" {
        return Err(AppError::Conflict(td_string!(current(), client.err_account_paused).into()));
    }
    let mut tx = db.pool.begin().await?;
    // Take the licence row first: concurrent creations of the account queue here.
    let locked = sqlx::query("UPDATE licences SET updated_at = updated_at WHERE user_id = $1 AND level = $2")
        .bind(u.account)
        .bind(level)
        .execute(&mut *tx)
        .await?;
    let parent = u.is_sub_user.then_some(u.account);
    if !environment::effective_slugs(&mut tx, u.id, parent).await?.contains(&analytics_slug(&case.kind)) {
        let sentence = td_string!(current(), client.err_case_type_disabled, kind = &case.kind);
        return Err(AppError::field("type", sentence.to_string()));
    }
    let usable: std::collections::BTreeSet<i64> =
        usable_cameras(&mut tx, u).await?.into_iter().map(|(c, _)| c).collect();
    if !case.camera_ids.iter().all(|c| usable.contains(c)) {
        return Err(AppError::field("camera_ids", td_string!(current(), client.err_case_cameras_denied)));
    }
    let (total, used): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE((SELECT total FROM licences WHERE user_id = $1 AND level = $2), 0), \
           (SELECT COUNT(*) FROM case_cameras cc JOIN analytics_cases c ON c.id = cc.case_id \
             WHERE c.account_id = $1 AND c.level = $2)",
    )
    .bind(u.account)
    .bind(level)
    .fetch_one(&mut *tx)
    .await?;
    let free = if locked.rows_affected() == 0 { 0 } else { (total - used).max(0) };
    let needed = case.camera_ids.len() as i64;
    if needed > free {
        let lang = current();
        let reason =
            td_string!(lang, client.err_licences_free, count = free, level = level, needed = needed).to_string();
        return Err(AppError::Fields {
            message: td_string!(lang, client.err_not_enough_licences, reason = &reason).to_string(),
            fields: vec![("camera_ids".into(), reason)],
        });
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO analytics_cases (user_id, account_id, name, type, level, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(u.id)
    .bind(u.account)
    .bind(&case.name)
    .bind(&case.kind)
    .bind(level)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let values = case.camera_ids.iter().map(|c| format!("({id}, {c})")).collect::<Vec<_>>().join(", ");
    sqlx::query(&format!("INSERT INTO case_cameras (case_id, camera_id) VALUES {values}")).execute(&mut *tx).await?;
    let details = json!({"type": case.kind, "camera_ids": case.camera_ids});
    audit::record(&mut *tx, now, Entry::by_user(u, "case.create", ("case", id, &case.name), details)).await?;
    tx.commit().await?;
    Ok(id)
}

/// The Analytics page: licences per level, the types the caller may use, its cameras and
/// its visible cases.
pub async fn overview(db: &Db, u: &ClientUser) -> Result<AnalyticsView, AppError> {
    let mut conn = db.pool.acquire().await?;
    // While impersonating, the licences used within the administrator's scope.
    let admin = u.impersonator.as_ref().map(|(admin, _)| *admin);
    let levels = licence_levels(&mut conn, u.account, admin).await?;
    let parent = u.is_sub_user.then_some(u.account);
    let effective = environment::effective_slugs(&mut conn, u.id, parent).await?;
    let types = ANALYTICS_TYPES
        .iter()
        .filter(|(t, ..)| effective.contains(&analytics_slug(t)))
        .map(|(t, level, name)| (t.to_string(), name.to_string(), i64::from(*level)))
        .collect();
    let cameras = usable_cameras(&mut conn, u).await?;
    drop(conn);
    Ok(AnalyticsView { levels, types, cameras, cases: list(db, u).await? })
}

/// The licences of `account` per level. Used: the cameras in the account's cases of the level
/// (its sub-users' too); with `scope`, only those within that administrator's camera scope.
/// Free: the account's, whatever the scope.
pub async fn licence_levels(
    conn: &mut AnyConnection,
    account: i64,
    scope: Option<i64>,
) -> Result<Vec<LevelRow>, AppError> {
    let used = |scoped: bool| {
        let scope = if scoped { format!(" AND {}", super::scope::camera_condition(2)) } else { String::new() };
        format!(
            "(SELECT COUNT(*) FROM case_cameras cc JOIN analytics_cases ac ON ac.id = cc.case_id \
               JOIN cameras c ON c.id = cc.camera_id WHERE ac.account_id = l.user_id AND ac.level = l.level{scope})"
        )
    };
    let sql = format!(
        "SELECT l.level, l.total, {}, {} FROM licences l WHERE l.user_id = $1 ORDER BY l.level",
        used(scope.is_some()),
        used(false)
    );
    let mut query = sqlx::query_as(&sql).bind(account);
    if let Some(admin) = scope {
        query = query.bind(admin);
    }
    let levels: Vec<(i64, i64, i64, i64)> = query.fetch_all(&mut *conn).await?;
    Ok(levels
        .into_iter()
        .map(|(level, total, used, all)| LevelRow {
            level,
            total,
            used,
            free: (total - all).max(0),
            used_elsewhere: all > used,
        })
        .collect())
}

/// While an administrator impersonates, a condition (on the case alias `ac`, the
/// administrator's id bound at `$n`) keeping only cases whose cameras all lie within the
/// administrator's scope; otherwise nothing.
fn within_scope(u: &ClientUser, n: usize) -> String {
    match u.impersonator {
        None => String::new(),
        Some(_) => format!(
            " AND NOT EXISTS (SELECT 1 FROM case_cameras cc JOIN cameras c ON c.id = cc.camera_id \
               WHERE cc.case_id = ac.id AND NOT {})",
            super::scope::camera_condition(n)
        ),
    }
}

/// The caller's cases of levels the account holds licences for (others are hidden, §8);
/// while impersonating, those within the administrator's scope.
pub async fn list(db: &Db, u: &ClientUser) -> Result<Vec<CaseRow>, AppError> {
    let sql = format!(
        "SELECT ac.id, ac.name, ac.type, ac.level, ac.created_at, \
           (SELECT COUNT(*) FROM case_events e WHERE e.case_id = ac.id) \
         FROM analytics_cases ac \
         JOIN licences l ON l.user_id = ac.account_id AND l.level = ac.level AND l.total > 0 \
         WHERE ac.user_id = $1{} ORDER BY ac.id DESC LIMIT 500",
        within_scope(u, 2)
    );
    let mut query = sqlx::query_as(&sql).bind(u.id);
    if let Some((admin, _)) = &u.impersonator {
        query = query.bind(*admin);
    }
    let rows: Vec<(i64, String, String, i64, i64, i64)> = query.fetch_all(&db.pool).await?;
    let mut cameras: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    if !rows.is_empty() {
        let ids = rows.iter().map(|r| r.0.to_string()).collect::<Vec<_>>().join(",");
        let pairs: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT case_id, camera_id FROM case_cameras WHERE case_id IN ({ids}) ORDER BY case_id, camera_id"
        ))
        .fetch_all(&db.pool)
        .await?;
        for (case, camera) in pairs {
            cameras.entry(case).or_default().push(camera);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, name, kind, level, created_at, events)| CaseRow {
            camera_ids: cameras.remove(&id).unwrap_or_default(),
            id,
            name,
            kind,
            level,
            created_at,
            events,
        })
        .collect())
}

/// One visible case of the caller (its level licensed; while impersonating, within the
/// administrator's scope), or 404.
async fn visible_case(db: &Db, u: &ClientUser, id: i64) -> Result<String, AppError> {
    let sql = format!(
        "SELECT ac.name FROM analytics_cases ac \
         JOIN licences l ON l.user_id = ac.account_id AND l.level = ac.level AND l.total > 0 \
         WHERE ac.id = $1 AND ac.user_id = $2{}",
        within_scope(u, 3)
    );
    let mut query = sqlx::query_as(&sql).bind(id).bind(u.id);
    if let Some((admin, _)) = &u.impersonator {
        query = query.bind(*admin);
    }
    let row: Option<(String,)> = query.fetch_optional(&db.pool).await?;
    row.map(|(name,)| name).ok_or(AppError::NotFound)
}

/// A case's events, newest first, `EVENTS_PAGE` at a time before the event id `before`.
pub async fn events(db: &Db, u: &ClientUser, id: i64, before: Option<i64>) -> Result<Vec<CaseEventRow>, AppError> {
    visible_case(db, u, id).await?;
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, kind, occurred_at, data FROM case_events WHERE case_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(EVENTS_PAGE)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(id, kind, occurred_at, data)| CaseEventRow { id, kind, occurred_at, data }).collect())
}

/// Deletes one of the caller's cases with its cameras and events; frees its licences.
pub async fn delete(db: &Db, u: &ClientUser, id: i64, now: i64) -> Result<(), AppError> {
    let name = visible_case(db, u, id).await?;
    let mut tx = db.pool.begin().await?;
    for sql in [
        "DELETE FROM case_events WHERE case_id = $1",
        "DELETE FROM case_cameras WHERE case_id = $1",
        "DELETE FROM analytics_cases WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    audit::record(&mut *tx, now, Entry::by_user(u, "case.delete", ("case", id, &name), json!({}))).await?;
    tx.commit().await?;
    Ok(())
}
