//! What each billing request type does (SPEC §4), inside the caller's transaction.

use super::request::Request;
use super::types;
use crate::api_error::ApiError;
use app::args;
use app::backend::exec::Exec;
use app::domain::billing::EventType;
use app::domain::permissions::{default_user_slugs, LEVELS};
use app::domain::user::UserStatus;
use axum::http::StatusCode;

/// Why a request was refused, and the event type it is logged under.
#[derive(Debug)]
pub struct Rejection {
    pub error: ApiError,
    pub logged_type: Option<EventType>,
}

impl From<ApiError> for Rejection {
    fn from(error: ApiError) -> Self {
        Self { error, logged_type: None }
    }
}

impl From<sqlx::Error> for Rejection {
    fn from(e: sqlx::Error) -> Self {
        ApiError::from(e).into()
    }
}

/// The user an entity id names: (id, status).
pub async fn resolve<C: Exec>(conn: &mut C, entity: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    conn.row("SELECT id, status FROM users WHERE entity = $1 AND parent_id IS NULL", args![entity]).await
}

/// The password a request sets, when it is valid: a plain one is hashed by the caller
/// before the transaction, so that argon2 never runs while the database is locked.
pub fn credential(r: &Request) -> Option<types::Credential> {
    matches!(r.request_type().map(|spec| spec.name), Some(EventType::NewEntity | EventType::UpdatePassword))
        .then(|| types::credential(r).ok())
        .flatten()
}

/// Applies the request; returns the id of the user it concerns. `password_hash` is the
/// hash of `credential(r)`.
pub async fn apply<C: Exec>(
    conn: &mut C,
    r: &Request,
    now: i64,
    password_hash: Option<&str>,
) -> Result<i64, Rejection> {
    let Some(spec) = r.request_type() else { return Err(unknown_type(r)) };
    types::validate(r, spec)?;
    if spec.name == EventType::NewEntity {
        return new_entity(conn, r, now, password_hash).await;
    }
    let (user, status) = resolve(conn, &r.entity)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("No user has entity {}.", r.entity)))?;
    if UserStatus::parse(&status) == Some(UserStatus::Deleted) {
        return Err(ApiError::new(StatusCode::CONFLICT, "The entity was terminated.").into());
    }
    match spec.name {
        EventType::PauseEntity => set_status(conn, user, UserStatus::Paused, now).await?,
        EventType::UnpauseEntity => set_status(conn, user, UserStatus::Active, now).await?,
        EventType::TerminateEntity => terminate(conn, user, now).await?,
        EventType::CreateLocation => create_location(conn, r, user, now).await?,
        EventType::DeleteLocation => delete_location(conn, r, user).await?,
        EventType::UpdateLogin => {
            let login = valid_login(r)?;
            login_free(conn, &login, Some(user)).await?;
            conn.run(
                "UPDATE users SET login = $1, search = LOWER(name) || ' ' || LOWER($1), updated_at = $2 WHERE id = $3",
                args![login, now, user],
            )
            .await?;
        }
        EventType::UpdatePassword => {
            let hash = password_hash.ok_or_else(ApiError::internal)?;
            conn.run("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3", args![hash, now, user])
                .await?;
            conn.run("DELETE FROM user_sessions WHERE user_id = $1", args![user]).await?;
        }
        EventType::NewCamera => new_camera(conn, r, now).await?,
        EventType::AttachCamera => attach_camera(conn, r, user, now).await?,
        EventType::DetachCamera => {
            let camera = camera_by_mac(conn, &r.mac()?).await?;
            conn.run(
                "DELETE FROM camera_access WHERE camera_id = $1 AND user_id IN \
                 (SELECT id FROM users WHERE id = $2 OR parent_id = $2)",
                args![camera, user],
            )
            .await?;
        }
        EventType::SetLicences => set_licences(conn, r, user, now).await?,
        // Not request types: `request_type` never names them.
        EventType::NewEntity
        | EventType::CreateLocationUnknownCsa
        | EventType::AttachCameraUnknownCsa
        | EventType::UnknownType => return Err(unknown_type(r)),
    }
    Ok(user)
}

fn unknown_type(r: &Request) -> Rejection {
    Rejection {
        error: ApiError::field("type", format!("unknown request type {}", r.kind)),
        logged_type: Some(EventType::UnknownType),
    }
}

fn valid_login(r: &Request) -> Result<String, ApiError> {
    let login = r.string("login", 64)?;
    match app::domain::user::login_problem(&login) {
        Some(problem) => Err(ApiError::field("login", problem.reason())),
        None => Ok(login),
    }
}

async fn login_free<C: Exec>(conn: &mut C, login: &str, except: Option<i64>) -> Result<(), Rejection> {
    let taken: Option<(i64,)> = conn.row("SELECT id FROM users WHERE LOWER(login) = LOWER($1)", args![login]).await?;
    match taken {
        Some((id,)) if Some(id) != except => Err(ApiError::field("login", "has already been taken").into()),
        _ => Ok(()),
    }
}

async fn new_entity<C: Exec>(
    conn: &mut C,
    r: &Request,
    now: i64,
    password_hash: Option<&str>,
) -> Result<i64, Rejection> {
    let login = valid_login(r)?;
    let name = r.string("name", 200)?;
    let props = r.body.get("properties").cloned().unwrap_or(serde_json::Value::Null);
    let props = if props.is_null() { serde_json::json!({}) } else { props };
    let hash = password_hash.ok_or_else(ApiError::internal)?;
    if resolve(conn, &r.entity).await?.is_some() {
        return Err(ApiError::new(StatusCode::CONFLICT, format!("A user with entity {} exists.", r.entity)).into());
    }
    login_free(conn, &login, None).await?;
    let search = format!("{name} {login}").to_lowercase();
    let (id,): (i64,) = conn
        .one(
            "INSERT INTO users (entity, login, name, password_hash, properties, status, search, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7) RETURNING id",
            args![&r.entity, login, name, hash, props.to_string(), search, now],
        )
        .await?;
    app::backend::environment::grant_slugs(conn, id, &default_user_slugs()).await?;
    Ok(id)
}

async fn set_status<C: Exec>(conn: &mut C, user: i64, status: UserStatus, now: i64) -> Result<(), sqlx::Error> {
    conn.run("UPDATE users SET status = $1, updated_at = $2 WHERE id = $3", args![status.as_str(), now, user]).await?;
    Ok(())
}

/// Deletes the user and all its sub-users at once: no sign-in, no sessions.
async fn terminate<C: Exec>(conn: &mut C, user: i64, now: i64) -> Result<(), sqlx::Error> {
    conn.run(
        "UPDATE users SET status = 'deleted', deleted_at = $1, updated_at = $1 \
         WHERE (id = $2 OR parent_id = $2) AND deleted_at IS NULL",
        args![now, user],
    )
    .await?;
    conn.run(
        "DELETE FROM user_sessions WHERE user_id IN (SELECT id FROM users WHERE id = $1 OR parent_id = $1)",
        args![user],
    )
    .await?;
    Ok(())
}

fn unknown_csa(logged_type: EventType, message: &str) -> Rejection {
    Rejection { error: ApiError::field("csa", message), logged_type: Some(logged_type) }
}

async fn create_location<C: Exec>(conn: &mut C, r: &Request, user: i64, now: i64) -> Result<(), Rejection> {
    let csa = r.string("csa", 64)?;
    let name = r.optional_string("name", 200)?.unwrap_or_default();
    let known: Option<(String,)> = conn.row("SELECT code FROM csa_codes WHERE code = $1", args![&csa]).await?;
    if known.is_none() {
        return Err(unknown_csa(EventType::CreateLocationUnknownCsa, "is not in the CSA directory"));
    }
    conn.run(
        "INSERT INTO locations (csa_code, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (csa_code) DO NOTHING",
        args![&csa, name, now],
    )
    .await?;
    conn.run(
        "INSERT INTO user_locations (user_id, location_id, created_at) \
         SELECT $1, id, $2 FROM locations WHERE csa_code = $3 ON CONFLICT DO NOTHING",
        args![user, now, csa],
    )
    .await?;
    Ok(())
}

/// The location of a CSA code the user is linked to.
async fn linked_location<C: Exec>(conn: &mut C, user: i64, csa: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = conn
        .row(
            "SELECT l.id FROM locations l JOIN user_locations ul ON ul.location_id = l.id \
         WHERE ul.user_id = $1 AND l.csa_code = $2",
            args![user, csa],
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

async fn delete_location<C: Exec>(conn: &mut C, r: &Request, user: i64) -> Result<(), Rejection> {
    let csa = r.string("csa", 64)?;
    let location = linked_location(conn, user, &csa)
        .await?
        .ok_or_else(|| ApiError::field("csa", "the user is not linked to this location"))?;
    conn.run("DELETE FROM user_locations WHERE user_id = $1 AND location_id = $2", args![user, location]).await?;
    conn.run(
        "DELETE FROM camera_access WHERE user_id IN (SELECT id FROM users WHERE id = $1 OR parent_id = $1) \
         AND camera_id IN (SELECT id FROM cameras WHERE location_id = $2)",
        args![user, location],
    )
    .await?;
    let (still_linked,): (i64,) =
        conn.one("SELECT COUNT(*) FROM user_locations WHERE location_id = $1", args![location]).await?;
    if still_linked == 0 {
        conn.run("UPDATE cameras SET location_id = NULL WHERE location_id = $1", args![location]).await?;
        conn.run("DELETE FROM locations WHERE id = $1", args![location]).await?;
    }
    Ok(())
}

async fn camera_by_mac<C: Exec>(conn: &mut C, mac: &str) -> Result<i64, Rejection> {
    let row: Option<(i64,)> = conn.row("SELECT id FROM cameras WHERE mac = $1", args![mac]).await?;
    row.map(|(id,)| id).ok_or_else(|| ApiError::field("mac", "no camera with this MAC is registered").into())
}

async fn new_camera<C: Exec>(conn: &mut C, r: &Request, now: i64) -> Result<(), Rejection> {
    // Fields were validated against the type table.
    let mac = r.mac()?;
    let serial = r.string("serial_number", 64)?;
    let name = r.optional_string("name", 200)?.unwrap_or_else(|| format!("Camera {mac}"));
    let model = r.optional_string("model", 200)?.unwrap_or_default();
    conn.run(
        "INSERT INTO cameras (mac, serial_number, name, model, source, created_at) \
         VALUES ($1, $2, $3, $4, 'billing', $5) ON CONFLICT (mac) DO NOTHING",
        args![mac, serial, name, model, now],
    )
    .await?;
    Ok(())
}

async fn attach_camera<C: Exec>(conn: &mut C, r: &Request, user: i64, now: i64) -> Result<(), Rejection> {
    let mac = r.mac()?;
    let csa = r.string("csa", 64)?;
    let camera = camera_by_mac(conn, &mac).await?;
    let location = linked_location(conn, user, &csa)
        .await?
        .ok_or_else(|| unknown_csa(EventType::AttachCameraUnknownCsa, "the user is not linked to this CSA code"))?;
    conn.run("UPDATE cameras SET location_id = $1 WHERE id = $2", args![location, camera]).await?;
    conn.run(
        "INSERT INTO camera_access (user_id, camera_id, granted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        args![user, camera, now],
    )
    .await?;
    Ok(())
}

async fn set_licences<C: Exec>(conn: &mut C, r: &Request, user: i64, now: i64) -> Result<(), Rejection> {
    let mut err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "The request is not valid.");
    let mut totals = Vec::new();
    for level in LEVELS {
        let field = format!("analytics_l{level}");
        let total = r.count(&field)?;
        totals.push((level, field, total));
    }
    // The licences each level's cases use, in one statement.
    let used: Vec<(i64, i64)> = conn
        .rows(
            "SELECT c.level, COUNT(*) FROM case_cameras cc JOIN analytics_cases c ON c.id = cc.case_id \
             WHERE c.account_id = $1 GROUP BY c.level",
            args![user],
        )
        .await?;
    for (level, field, total) in &totals {
        let used = used.iter().find(|(l, _)| *l == i64::from(*level)).map_or(0, |(_, n)| *n);
        // Zero is always accepted (the level's analytics are hidden, then purged after 7 days).
        if *total > 0 && *total < used {
            err = err.with(field, format!("{used} licences are in use; the total cannot be lower"));
        }
    }
    if !err.errors.is_empty() {
        return Err(err.into());
    }
    // Every level in one statement: $1 the user, $2 the time, then (level, total, zero_since)
    // per level (`WHERE true` lets SQLite read the ON CONFLICT after a SELECT).
    let mut args = args![user, now];
    let rows: Vec<String> = totals
        .into_iter()
        .map(|(level, _, total)| {
            let n = args.len();
            args.extend(args![i64::from(level), total, (total == 0).then_some(now)]);
            format!("(${}, ${}, ${})", n + 1, n + 2, n + 3)
        })
        .collect();
    conn.run(
        &format!(
            "INSERT INTO licences (user_id, level, total, zero_since, updated_at) \
             SELECT $1, v.column1, v.column2, v.column3, $2 FROM (VALUES {}) AS v WHERE true \
             ON CONFLICT (user_id, level) DO UPDATE SET total = excluded.total, updated_at = excluded.updated_at, \
             zero_since = CASE WHEN excluded.total > 0 THEN NULL \
                               WHEN licences.total > 0 OR licences.zero_since IS NULL THEN excluded.updated_at \
                               ELSE licences.zero_since END",
            rows.join(", ")
        ),
        args,
    )
    .await?;
    Ok(())
}
