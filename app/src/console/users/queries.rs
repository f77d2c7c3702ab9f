//! The users list's query: search, status filter, sort and keyset pages over the accounts
//! (not sub-users).

use super::UserRow;
use crate::backend::db::{fts_phrase, like_pattern, Backend, Db};
use crate::backend::sql::Sql;
use crate::domain::page::{Cursor, Page, Window, COUNT_CAP};
use crate::domain::user::UserStatus;
use crate::error::AppError;

/// Which accounts by status.
pub enum Status {
    /// Active and paused (the list's default).
    NotDeleted,
    Any,
    Only(UserStatus),
}

/// Which accounts the list shows.
pub struct Filters {
    /// Part of the name, login or entity.
    pub term: Option<String>,
    pub status: Status,
    /// Linked to the location of this CSA code.
    pub location: Option<String>,
}

/// A page of accounts matching `filters`, in the order of `sort` (column, descending),
/// counted up to the cap.
pub async fn list(
    db: &Db,
    filters: &Filters,
    sort: (&str, bool),
    after: Option<String>,
) -> Result<Page<UserRow>, AppError> {
    let total = count(db, filters).await?;
    // Few matches: the trigram matches drive the page (see `rows`).
    let page = rows(db, filters, sort, &Window::page(after), total <= COUNT_CAP).await?;
    let page = Page { total, ..page };
    Ok(if filters.term.is_some() { page.capped() } else { page })
}

/// Rows of the list in `window`, uncounted (an export's chunks).
pub async fn page(db: &Db, filters: &Filters, sort: (&str, bool), window: &Window) -> Result<Page<UserRow>, AppError> {
    rows(db, filters, sort, window, true).await
}

/// The conditions of `filters` after the roots-only one, which `roots` / `from_matches`
/// put first.
fn conditions(filters: &Filters) -> Sql {
    let mut filter = Sql::new("");
    if let Some(csa) = &filters.location {
        filter
            .push(
                " AND users.id IN (SELECT ul.user_id FROM user_locations ul \
                 JOIN locations l ON l.id = ul.location_id WHERE l.csa_code = ",
            )
            .bind(csa.as_str())
            .push(")");
    }
    match filters.status {
        Status::NotDeleted => {
            // Written out, not bound: the planner matches it to the partial indexes.
            filter.push(&format!(" AND status <> '{}'", UserStatus::Deleted.as_str()));
        }
        Status::Any => {}
        Status::Only(s) => {
            filter.push(" AND status = ").bind(s.as_str());
        }
    }
    filter
}

// Terms of 3+ characters go through a trigram index on SQLite: the FTS5 table
// users_search, whose phrase query yields the matching ids in id order, lazily. The
// matches drive the count, which stops at 1,001, and the lists of up to 1,000 of
// them. A broad term's page instead walks the sort order and keeps the rows whose
// text contains the term: about 25 / (share of accounts matching) rows, however many
// accounts there are. (An `id IN (matches)` filter would first collect every match.)
// PostgreSQL's pg_trgm index serves LIKE itself; short terms scan.
fn uses_trigrams(db: &Db, filters: &Filters) -> bool {
    filters.term.as_deref().is_some_and(|t| t.chars().count() >= 3) && db.backend == Backend::Sqlite
}

fn contains(sql: &mut Sql, term: &str) {
    sql.push(" AND search").like(like_pattern(term));
}

/// The accounts (not sub-users) matching `sql`'s conditions, driven by the trigram matches.
fn from_matches(sql: &mut Sql, term: &str, columns: &str) {
    let phrase = sql.next_index();
    sql.add_arg(fts_phrase(term));
    sql.text = format!(
        "SELECT {columns} FROM users_search CROSS JOIN users ON users.id = users_search.rowid \
         WHERE users_search MATCH ${phrase} AND parent_id IS NULL{}",
        sql.text
    );
}

/// The accounts (not sub-users) matching `sql`'s conditions.
fn roots(sql: &mut Sql, columns: &str) {
    sql.text = format!("SELECT {columns} FROM users WHERE parent_id IS NULL{}", sql.text);
}

/// The accounts matching `filters`; a search counts its matches only up to the cap
/// ("1,000+ users").
async fn count(db: &Db, filters: &Filters) -> Result<i64, AppError> {
    let mut count = conditions(filters);
    match filters.term.as_deref() {
        Some(term) => {
            if uses_trigrams(db, filters) {
                from_matches(&mut count, term, "1");
            } else {
                contains(&mut count, term);
                roots(&mut count, "1");
            }
            count.text = format!("SELECT COUNT(*) FROM ({} LIMIT {}) AS matches", count.text, COUNT_CAP + 1);
        }
        None => roots(&mut count, "COUNT(*)"),
    }
    let (total,): (i64,) = count.query_as().fetch_one(&db.pool).await?;
    Ok(total)
}

/// The rows in `window`; `few_matches` lets the trigram matches drive them.
async fn rows(
    db: &Db,
    filters: &Filters,
    (column, desc): (&str, bool),
    window: &Window,
    few_matches: bool,
) -> Result<Page<UserRow>, AppError> {
    let mut list = conditions(filters);
    let columns = "users.id AS id, name, login, status, COALESCE(entity, '') AS entity, created_at";
    match filters.term.as_deref() {
        Some(term) if uses_trigrams(db, filters) && few_matches => from_matches(&mut list, term, columns),
        term => {
            if let Some(term) = term {
                contains(&mut list, term);
            }
            roots(&mut list, columns);
        }
    }
    if let Some(c) = window.after.as_deref().and_then(Cursor::decode) {
        let op = if desc { "<" } else { ">" };
        list.push(&format!(" AND ({column}, id) {op} ("));
        if column == "created_at" {
            list.bind(c.key.parse::<i64>().unwrap_or(0));
        } else {
            list.bind(c.key);
        }
        list.push(", ").bind(c.id).push(")");
    }
    let dir = if desc { "DESC" } else { "ASC" };
    list.push(&format!(" ORDER BY {column} {dir}, id {dir} LIMIT {}", window.limit()));
    let rows: Vec<UserRow> = list.query_as().fetch_all(&db.pool).await?;
    Ok(Page::from_window(rows, 0, window, |u: &UserRow| Cursor {
        key: match column {
            "name" => u.name.clone(),
            "login" => u.login.clone(),
            _ => u.created_at.to_string(),
        },
        id: u.id,
    }))
}
