//! The global search's queries: a few matches of each kind, cameras and locations within
//! the administrator's scope.

use super::{Found, Hit, PER_KIND};
use crate::backend::db::{like_pattern, Db};
use crate::backend::principal::Ctx;
use crate::backend::scope::camera_condition;
use crate::backend::sql::Sql;
use crate::console::users::queries::{page, Filters, Status};
use crate::domain::address::AddressParts;
use crate::domain::camera::normalise_mac;
use crate::domain::page::Window;
use crate::error::AppError;

pub async fn find(ctx: &Ctx, term: &str) -> Result<Found, AppError> {
    let db = ctx.db();
    let id = term.parse::<i64>().ok().filter(|id| *id > 0);
    Ok(Found {
        users: users(db, term, id).await?,
        cameras: cameras(db, ctx.admin.id, term, id).await?,
        intercoms: intercoms(db, term, id).await?,
        locations: locations(db, ctx.admin.id, term).await?,
    })
}

#[derive(sqlx::FromRow)]
struct UserHit {
    id: i64,
    name: String,
    login: String,
    status: String,
}

/// Accounts by id, then by name, login or entity as the users list finds them.
async fn users(db: &Db, term: &str, id: Option<i64>) -> Result<Vec<Hit>, AppError> {
    let mut found: Vec<UserHit> = match id {
        Some(id) => {
            sqlx::query_as("SELECT id, name, login, status FROM users WHERE id = $1 AND parent_id IS NULL")
                .bind(id)
                .fetch_all(&db.pool)
                .await?
        }
        None => Vec::new(),
    };
    let filters = Filters { term: Some(term.to_string()), status: Status::Any, location: None };
    let window = Window { after: None, size: PER_KIND, counted: false };
    let page = page(db, &filters, ("created_at", true), &window).await?;
    for u in page.rows {
        if found.len() as i64 >= PER_KIND {
            break;
        }
        if found.iter().all(|f| f.id != u.id) {
            found.push(UserHit { id: u.id, name: u.name, login: u.login, status: u.status });
        }
    }
    Ok(found
        .into_iter()
        .map(|u| Hit {
            title: u.name,
            detail: format!("{} · {}", u.login, u.status),
            href: format!("/users/{}/user", u.id),
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct CameraHit {
    id: i64,
    name: String,
    mac: String,
}

/// Cameras in the scope of `admin`, by id, MAC (whole, or its beginning) or name.
async fn cameras(db: &Db, admin: i64, term: &str, id: Option<i64>) -> Result<Vec<Hit>, AppError> {
    let mut sql = Sql::new("SELECT c.id, c.name, c.mac FROM cameras c WHERE ");
    sql.add_arg(admin).push(&camera_condition(1)).push(" AND (LOWER(c.name) LIKE ");
    sql.bind(like_pattern(term)).push(" ESCAPE '\\'");
    if let Some(id) = id {
        sql.push(" OR c.id = ").bind(id);
    }
    let mac_start = term.to_lowercase().replace('-', ":");
    if let Some(mac) = normalise_mac(term) {
        sql.push(" OR c.mac = ").bind(mac);
    } else if mac_start.len() >= 2 && mac_start.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
        sql.push(" OR c.mac LIKE ").bind(format!("{mac_start}%"));
    }
    sql.push(&format!(") ORDER BY c.id LIMIT {PER_KIND}"));
    let rows: Vec<CameraHit> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|c| Hit {
            title: c.name,
            detail: format!("{} · ID {}", c.mac, c.id),
            href: format!("/cameras/{}/general", c.id),
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct PlaceHit {
    id: i64,
    name: String,
    code: String,
    #[sqlx(flatten)]
    address: AddressParts,
}

/// Intercoms by id, name or address.
async fn intercoms(db: &Db, term: &str, id: Option<i64>) -> Result<Vec<Hit>, AppError> {
    let mut sql = Sql::new(
        "SELECT i.id, i.name, a.code, a.city, a.street, a.house, a.entrance FROM intercoms i \
         JOIN csa_codes a ON a.code = i.csa_code WHERE i.search LIKE ",
    );
    sql.bind(like_pattern(term)).push(" ESCAPE '\\'");
    if let Some(id) = id {
        sql.push(" OR i.id = ").bind(id);
    }
    sql.push(&format!(" ORDER BY i.id LIMIT {PER_KIND}"));
    let rows: Vec<PlaceHit> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|i| Hit { detail: i.address.line(), title: i.name, href: format!("/intercoms/{}/general", i.id) })
        .collect())
}

/// Locations by CSA code (or its beginning) or address, of those an administrator of a
/// scope sees: its locations and those of its cameras. Each leads to its users.
async fn locations(db: &Db, admin: i64, term: &str) -> Result<Vec<Hit>, AppError> {
    let mut sql = Sql::new(
        "SELECT l.id, l.name, a.code, a.city, a.street, a.house, a.entrance FROM locations l \
         JOIN csa_codes a ON a.code = l.csa_code WHERE (LOWER(a.code) LIKE ",
    );
    let contains = like_pattern(term);
    // The same escaped term, without the leading `%`: codes that start with it.
    sql.bind(contains[1..].to_string())
        .push(" ESCAPE '\\' OR LOWER(a.city || ' ' || a.street || ' ' || a.house) LIKE ")
        .bind(contains)
        .push(" ESCAPE '\\') AND (EXISTS (SELECT 1 FROM administrators sa WHERE sa.id = ")
        .bind(admin)
        .push(" AND sa.scope_all = 1) OR EXISTS (SELECT 1 FROM administrator_scope_locations sl WHERE sl.csa_code = l.csa_code AND sl.admin_id = ")
        .bind(admin);
    let n = sql.next_index();
    sql.add_arg(admin);
    sql.push(&format!(
        ") OR EXISTS (SELECT 1 FROM cameras c WHERE c.location_id = l.id AND {})) ORDER BY a.code LIMIT {PER_KIND}",
        camera_condition(n)
    ));
    let rows: Vec<PlaceHit> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|l| {
            let name = if l.name.is_empty() { String::new() } else { format!(" · {}", l.name) };
            Hit {
                title: l.address.line(),
                detail: format!("CSA {}{name}", l.code),
                href: format!("/users?location={}", l.code),
            }
        })
        .collect())
}
