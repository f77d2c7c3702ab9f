//! The global search's queries: a few matches of each kind, cameras and locations within
//! the administrator's scope.

use super::{Found, Hit, PER_KIND};
use crate::backend::db::{fts_phrase, like_pattern, Backend, Db};
use crate::backend::principal::Ctx;
use crate::backend::scope::camera_condition;
use crate::backend::sql::Sql;
use crate::domain::address::AddressParts;
use crate::domain::camera::normalise_mac;
use crate::error::AppError;

/// Rows of a table whose text holds the term: on SQLite through the table's FTS5 trigram
/// index (whose rowid is the row's id), on PostgreSQL by `LIKE` through its pg_trgm index.
/// Neither reads every row. Terms under 3 characters have no trigram: SQLite reads rows
/// with `LIKE` then, stopping at the first few matches.
struct Text {
    table: &'static str,
    alias: &'static str,
    fts: &'static str,
    column: &'static str,
}

const USERS: Text = Text { table: "users", alias: "u", fts: "users_search", column: "u.search" };
const CAMERAS: Text = Text { table: "cameras", alias: "c", fts: "cameras_search", column: "LOWER(c.name)" };
const INTERCOMS: Text = Text { table: "intercoms", alias: "i", fts: "intercoms_search", column: "i.search" };
const LOCATIONS: Text = Text {
    table: "locations",
    alias: "l",
    fts: "locations_search",
    column: "LOWER(a.city || ' ' || a.street || ' ' || a.house)",
};

impl Text {
    fn by_trigrams(&self, db: &Db, term: &str) -> bool {
        db.backend == Backend::Sqlite && term.trim().chars().count() >= 3
    }

    /// The table to select from (as its alias).
    fn from(&self, db: &Db, term: &str) -> String {
        let Text { table, alias, fts, .. } = self;
        if self.by_trigrams(db, term) {
            format!("{fts} CROSS JOIN {table} {alias} ON {alias}.id = {fts}.rowid")
        } else {
            format!("{table} {alias}")
        }
    }

    /// The condition that the row holds `term`.
    fn holds(&self, db: &Db, term: &str, sql: &mut Sql) {
        if self.by_trigrams(db, term) {
            sql.push(&format!("{} MATCH ", self.fts)).bind(fts_phrase(term));
        } else {
            sql.push(self.column).like(like_pattern(term));
        }
    }
}

pub async fn find(ctx: &Ctx, term: &str) -> Result<Found, AppError> {
    let db = ctx.db();
    let id = term.parse::<i64>().ok().filter(|id| *id > 0);
    // Side by side, each kind on a connection of its own: the answer takes as long as the
    // slowest kind, not all four.
    let (users, cameras, intercoms, locations) = tokio::try_join!(
        users(db, term, id),
        cameras(db, ctx.admin.id, term, id),
        intercoms(db, term, id),
        locations(db, ctx.admin.id, term),
    )?;
    Ok(Found { users, cameras, intercoms, locations })
}

#[derive(sqlx::FromRow)]
struct UserHit {
    id: i64,
    name: String,
    login: String,
    status: String,
}

/// Accounts by id, or by part of the name or login (through the users list's trigram
/// index), newest first.
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
    // No order asked of the database (see `cameras`).
    let mut sql = Sql::new(&format!("SELECT u.id, u.name, u.login, u.status FROM {} WHERE ", USERS.from(db, term)));
    USERS.holds(db, term, &mut sql);
    sql.push(&format!(" AND u.parent_id IS NULL LIMIT {PER_KIND}"));
    for u in sql.query_as::<UserHit>().fetch_all(&db.pool).await? {
        if found.iter().all(|f| f.id != u.id) {
            found.push(u);
        }
    }
    found.sort_by_key(|u| std::cmp::Reverse(u.id));
    found.truncate(PER_KIND as usize);
    Ok(found
        .into_iter()
        .map(|u| Hit {
            title: u.name,
            detail: {
                let status = crate::domain::user::UserStatus::parse(&u.status).map(crate::lang::labels::user_status);
                format!("{} · {}", u.login, status.unwrap_or(u.status.as_str()))
            },
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

/// Cameras in the scope of `admin`, by id, MAC (whole, or its beginning) or part of the
/// name (3 characters or more). Each key is looked up by its own index: the id, the MAC's
/// unique index (a beginning as a range of it), the name's trigrams.
async fn cameras(db: &Db, admin: i64, term: &str, id: Option<i64>) -> Result<Vec<Hit>, AppError> {
    let within = |from: &str| {
        let mut sql = Sql::new(&format!("SELECT c.id, c.name, c.mac FROM {from} WHERE "));
        sql.add_arg(admin).push(&camera_condition(1));
        sql
    };
    let mut lookups = Vec::new();
    if let Some(id) = id {
        let mut sql = within("cameras c");
        sql.push(" AND c.id = ").bind(id);
        lookups.push(sql);
    }
    let mac_start = term.trim().to_lowercase().replace('-', ":");
    if let Some(mac) = normalise_mac(term) {
        let mut sql = within("cameras c");
        sql.push(" AND c.mac = ").bind(mac);
        lookups.push(sql);
    } else if mac_start.len() >= 2 && mac_start.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
        // Stored MACs are lower-case hex and colons, all below `~`.
        let mut sql = within("cameras c");
        sql.push(" AND c.mac >= ").bind(mac_start.clone()).push(" AND c.mac < ").bind(format!("{mac_start}~"));
        lookups.push(sql);
    }
    if term.trim().chars().count() >= 3 {
        // No order asked of the database: it stops at the first matches its index gives
        // (ordering them would make it read every match, or walk every camera).
        let mut sql = within(&CAMERAS.from(db, term));
        sql.push(" AND ");
        CAMERAS.holds(db, term, &mut sql);
        lookups.push(sql);
    }
    let mut rows: Vec<CameraHit> = Vec::new();
    for mut sql in lookups {
        sql.push(&format!(" LIMIT {PER_KIND}"));
        for hit in sql.query_as::<CameraHit>().fetch_all(&db.pool).await? {
            if rows.iter().all(|r| r.id != hit.id) {
                rows.push(hit);
            }
        }
    }
    rows.sort_by_key(|r| r.id);
    rows.truncate(PER_KIND as usize);
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

/// Intercoms by id, or by part of the name or address.
async fn intercoms(db: &Db, term: &str, id: Option<i64>) -> Result<Vec<Hit>, AppError> {
    let select = |from: &str| {
        Sql::new(&format!(
            "SELECT i.id, i.name, a.code, a.city, a.street, a.house, a.entrance FROM {from} \
             JOIN csa_codes a ON a.code = i.csa_code WHERE "
        ))
    };
    let mut lookups = Vec::new();
    if let Some(id) = id {
        let mut sql = select("intercoms i");
        sql.push("i.id = ").bind(id);
        lookups.push(sql);
    }
    let mut sql = select(&INTERCOMS.from(db, term));
    INTERCOMS.holds(db, term, &mut sql);
    lookups.push(sql);
    let mut rows: Vec<PlaceHit> = Vec::new();
    for mut sql in lookups {
        sql.push(&format!(" LIMIT {PER_KIND}"));
        for hit in sql.query_as::<PlaceHit>().fetch_all(&db.pool).await? {
            if rows.iter().all(|r| r.id != hit.id) {
                rows.push(hit);
            }
        }
    }
    rows.sort_by_key(|i| i.id);
    rows.truncate(PER_KIND as usize);
    Ok(rows
        .into_iter()
        .map(|i| Hit { detail: i.address.line(), title: i.name, href: format!("/intercoms/{}/general", i.id) })
        .collect())
}

/// Locations by CSA code (or its beginning) or address, of those an administrator of a
/// scope sees: its locations and those of its cameras. Each leads to its users. Each key is
/// looked up by its own index: a code's beginning as a range of the codes' index, the
/// address by its trigrams (one query with `OR` would read every code).
async fn locations(db: &Db, admin: i64, term: &str) -> Result<Vec<Hit>, AppError> {
    let places = |from: &str, key: &dyn Fn(&mut Sql)| {
        let mut sql = Sql::new(&format!(
            "SELECT l.id, l.name, a.code, a.city, a.street, a.house, a.entrance FROM {from} \
             JOIN csa_codes a ON a.code = l.csa_code WHERE "
        ));
        key(&mut sql);
        sql.push(" AND (EXISTS (SELECT 1 FROM administrators sa WHERE sa.id = ")
            .bind(admin)
            .push(" AND sa.scope_all = 1) OR EXISTS (SELECT 1 FROM administrator_scope_locations sl WHERE sl.csa_code = l.csa_code AND sl.admin_id = ")
            .bind(admin);
        let n = sql.next_index();
        sql.add_arg(admin);
        sql.push(&format!(
            ") OR EXISTS (SELECT 1 FROM cameras c WHERE c.location_id = l.id AND {})) LIMIT {PER_KIND}",
            camera_condition(n)
        ));
        sql
    };
    // Codes compare byte by byte (the index's order on both databases).
    let code = match db.backend {
        Backend::Postgres => "LOWER(a.code) COLLATE \"C\"",
        Backend::Sqlite => "LOWER(a.code)",
    };
    let start = term.trim().to_lowercase();
    let by_code = places("locations l", &|sql: &mut Sql| {
        sql.push(&format!("{code} >= "))
            .bind(start.clone())
            .push(&format!(" AND {code} < "))
            .bind(format!("{start}\u{10FFFF}"));
    });
    let by_address = places(&LOCATIONS.from(db, term), &|sql: &mut Sql| LOCATIONS.holds(db, term, sql));
    let mut rows: Vec<PlaceHit> = Vec::new();
    for sql in [by_code, by_address] {
        for hit in sql.query_as::<PlaceHit>().fetch_all(&db.pool).await? {
            if rows.iter().all(|r| r.id != hit.id) {
                rows.push(hit);
            }
        }
    }
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    rows.truncate(PER_KIND as usize);
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
