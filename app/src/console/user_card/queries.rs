//! The user card's queries: its header, the User, Sub-users, Intercoms and Analytics tabs,
//! and Synchronize cameras.

use super::cameras::CameraRow;
use super::intercoms::IntercomRow;
use super::sub_users::SubUserRow;
use crate::backend::db::Db;
use crate::domain::address::{format_address, AddressParts};
use crate::domain::camera::CameraStatus;
use crate::domain::page::{Cursor, Page, Window};
use crate::error::AppError;
use sqlx::AnyConnection;

/// An account (not a sub-user) with what its header shows of it.
#[derive(sqlx::FromRow)]
pub struct HeaderRow {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub status: String,
    pub created_at: i64,
    /// 1 when it holds `subusers-manage`.
    pub manages: i64,
    /// Its levels with licences, or with cases kept without them.
    pub licensed: i64,
    /// Its live sub-users.
    pub sub_users: i64,
}

pub async fn header(db: &Db, id: i64) -> Result<Option<HeaderRow>, AppError> {
    let row = sqlx::query_as(
        "SELECT u.id AS id, u.name AS name, u.login AS login, u.status AS status, u.created_at AS created_at, \
           (SELECT COUNT(*) FROM user_permissions p WHERE p.user_id = u.id AND p.slug = $2) AS manages, \
           (SELECT COUNT(*) FROM licences l WHERE l.user_id = u.id AND (l.total > 0 OR EXISTS \
              (SELECT 1 FROM analytics_cases ac WHERE ac.account_id = u.id AND ac.level = l.level))) AS licensed, \
           (SELECT COUNT(*) FROM users s WHERE s.parent_id = u.id AND s.deleted_at IS NULL) AS sub_users \
         FROM users u WHERE u.id = $1 AND u.parent_id IS NULL",
    )
    .bind(id)
    .bind(crate::domain::permissions::SUBUSERS_MANAGE)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row)
}

/// The user's row as stored (`properties` as JSON text).
#[derive(sqlx::FromRow)]
pub struct ProfileRow {
    pub id: i64,
    pub entity: String,
    pub name: String,
    pub login: String,
    pub status: String,
    pub properties: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

/// An account (not a sub-user) as billing made it.
pub async fn profile(db: &Db, id: i64) -> Result<Option<ProfileRow>, AppError> {
    let row = sqlx::query_as(
        "SELECT id, COALESCE(entity, '') AS entity, name, login, status, properties, created_at, updated_at, deleted_at \
         FROM users WHERE id = $1 AND parent_id IS NULL",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row)
}

/// `sql`'s one number (a count) when `window` is counted, else 0.
async fn total(db: &Db, window: &Window, sql: &str, id: i64) -> Result<i64, AppError> {
    if !window.counted {
        return Ok(0);
    }
    let (n,): (i64,) = sqlx::query_as(sql).bind(id).fetch_one(&db.pool).await?;
    Ok(n)
}

/// The user's live sub-users in `window`, oldest first.
pub async fn sub_users(db: &Db, parent: i64, window: &Window) -> Result<Page<SubUserRow>, AppError> {
    let total =
        total(db, window, "SELECT COUNT(*) FROM users WHERE parent_id = $1 AND deleted_at IS NULL", parent).await?;
    let rows: Vec<SubUserRow> = sqlx::query_as(
        "SELECT id, name, login, created_at FROM users \
         WHERE parent_id = $1 AND deleted_at IS NULL AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(parent)
    .bind(window.after_id())
    .bind(window.limit())
    .fetch_all(&db.pool)
    .await?;
    Ok(Page::from_window(rows, total, window, |r: &SubUserRow| Cursor { key: String::new(), id: r.id }))
}

/// A flat the user is linked to, with its intercom and the parts of its address.
#[derive(sqlx::FromRow)]
struct LinkRow {
    link_id: i64,
    intercom_id: i64,
    name: String,
    #[sqlx(flatten)]
    address: AddressParts,
    department: String,
    flat: i64,
    created_at: i64,
}

impl From<LinkRow> for IntercomRow {
    fn from(r: LinkRow) -> Self {
        IntercomRow {
            address: r.address.line(),
            link_id: r.link_id,
            intercom_id: r.intercom_id,
            name: r.name,
            department: r.department,
            flat: r.flat,
            keys: Vec::new(),
            created_at: r.created_at,
        }
    }
}

/// A key of an apartment link.
#[derive(sqlx::FromRow)]
struct LinkKey {
    link_id: i64,
    code: String,
}

/// The flats the user is linked to in `window`, in the order they were linked, with their keys.
pub async fn intercoms(db: &Db, user: i64, window: &Window) -> Result<Page<IntercomRow>, AppError> {
    let total = total(db, window, "SELECT COUNT(*) FROM apartment_links WHERE user_id = $1", user).await?;
    let rows: Vec<LinkRow> = sqlx::query_as(
        "SELECT al.id AS link_id, i.id AS intercom_id, i.name AS name, cs.city AS city, cs.street AS street, \
           cs.house AS house, cs.entrance AS entrance, i.department AS department, al.flat AS flat, \
           i.created_at AS created_at \
         FROM apartment_links al JOIN intercoms i ON i.id = al.intercom_id \
         JOIN csa_codes cs ON cs.code = i.csa_code \
         WHERE al.user_id = $1 AND al.id > $2 ORDER BY al.id LIMIT $3",
    )
    .bind(user)
    .bind(window.after_id())
    .bind(window.limit())
    .fetch_all(&db.pool)
    .await?;
    let mut rows: Vec<IntercomRow> = rows.into_iter().map(IntercomRow::from).collect();
    if !rows.is_empty() {
        let ids: Vec<String> = rows.iter().map(|r| r.link_id.to_string()).collect();
        // Ids are integers from our own query, so inlining them is safe.
        let keys: Vec<LinkKey> = sqlx::query_as(&format!(
            "SELECT link_id, code FROM apartment_keys WHERE link_id IN ({}) ORDER BY code",
            ids.join(",")
        ))
        .fetch_all(&db.pool)
        .await?;
        for key in keys {
            if let Some(r) = rows.iter_mut().find(|r| r.link_id == key.link_id) {
                r.keys.push(key.code);
            }
        }
    }
    Ok(Page::from_window(rows, total, window, |r: &IntercomRow| Cursor { key: String::new(), id: r.link_id }))
}

/// A level of the user's at zero licences whose cases are kept.
#[derive(sqlx::FromRow)]
pub struct KeptRow {
    pub level: i64,
    /// Cases within the administrator's scope (none of their cameras lies outside it).
    pub cases: i64,
    /// Cases of the level, wherever their cameras.
    pub all_cases: i64,
    pub zero_since: i64,
}

/// The user's levels at zero licences that still have cases, with the cases counted within
/// the scope of the administrator `admin` and in all.
pub async fn kept_cases(db: &Db, user: i64, admin: i64) -> Result<Vec<KeptRow>, AppError> {
    use crate::backend::scope::camera_condition;
    let cases = |extra: &str| {
        format!(
            "(SELECT COUNT(*) FROM analytics_cases ac WHERE ac.account_id = l.user_id AND ac.level = l.level{extra})"
        )
    };
    let outside = format!(
        " AND NOT EXISTS (SELECT 1 FROM case_cameras cc JOIN cameras c ON c.id = cc.camera_id \
           WHERE cc.case_id = ac.id AND NOT {})",
        camera_condition(2)
    );
    let rows = sqlx::query_as(&format!(
        "SELECT l.level AS level, {} AS cases, {} AS all_cases, l.zero_since AS zero_since FROM licences l \
         WHERE l.user_id = $1 AND l.total = 0 AND l.zero_since IS NOT NULL AND {} > 0 ORDER BY l.level",
        cases(&outside),
        cases(""),
        cases("")
    ))
    .bind(user)
    .bind(admin)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows)
}

/// The login of the account `id`.
pub async fn login(conn: &mut AnyConnection, id: i64) -> Result<String, AppError> {
    let (login,): (String,) =
        sqlx::query_as("SELECT login FROM users WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    Ok(login)
}

/// Records that the administrator `admin` synchronised the user's cameras, and what changed.
pub async fn record_sync_run(
    conn: &mut AnyConnection,
    user: i64,
    admin: i64,
    at: i64,
    changes: &str,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO sync_runs (user_id, admin_id, at, changes) VALUES ($1, $2, $3, $4)")
        .bind(user)
        .bind(admin)
        .bind(at)
        .bind(changes)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A camera of the user's, with its stream counts and the parts of its address.
#[derive(sqlx::FromRow)]
struct CameraLine {
    id: i64,
    name: String,
    streams: i64,
    up: i64,
    city: Option<String>,
    street: Option<String>,
    house: Option<String>,
    entrance: Option<String>,
}

/// The user's cameras within the scope of the administrator `admin`, in `window`, by id.
pub async fn cameras(db: &Db, user: i64, admin: i64, window: &Window) -> Result<Page<CameraRow>, AppError> {
    use crate::backend::scope::camera_condition;
    let visible = format!(
        "FROM camera_access a JOIN cameras c ON c.id = a.camera_id WHERE a.user_id = $1 AND {}",
        camera_condition(2)
    );
    let total = if window.counted {
        let (n,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) {visible}")).bind(user).bind(admin).fetch_one(&db.pool).await?;
        n
    } else {
        0
    };
    let rows: Vec<CameraLine> = sqlx::query_as(&format!(
        "SELECT c.id AS id, c.name AS name, \
           (SELECT COUNT(*) FROM camera_streams s WHERE s.camera_id = c.id) AS streams, \
           (SELECT COUNT(*) FROM camera_streams s WHERE s.camera_id = c.id AND s.up = 1) AS up, \
           cs.city AS city, cs.street AS street, cs.house AS house, cs.entrance AS entrance \
         FROM camera_access a JOIN cameras c ON c.id = a.camera_id \
         LEFT JOIN locations l ON l.id = c.location_id \
         LEFT JOIN csa_codes cs ON cs.code = l.csa_code \
         WHERE a.user_id = $1 AND {} AND c.id > $3 ORDER BY c.id LIMIT $4",
        camera_condition(2)
    ))
    .bind(user)
    .bind(admin)
    .bind(window.after_id())
    .bind(window.limit())
    .fetch_all(&db.pool)
    .await?;
    let rows = rows
        .into_iter()
        .map(|c| CameraRow {
            id: c.id,
            name: c.name,
            status: CameraStatus::from_counts(c.streams, c.up),
            location: c.city.map(|city| {
                format_address(
                    &city,
                    &c.street.unwrap_or_default(),
                    &c.house.unwrap_or_default(),
                    &c.entrance.unwrap_or_default(),
                )
            }),
        })
        .collect();
    Ok(Page::from_window(rows, total, window, |c: &CameraRow| Cursor { key: String::new(), id: c.id }))
}
