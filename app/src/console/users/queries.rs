//! The users list's query: search, status filter, sort and keyset pages over the accounts
//! (not sub-users).

use super::UserRow;
use crate::backend::db::{fts_phrase, like_pattern, Backend, Db};
use crate::backend::sql::Sql;
use crate::domain::page::{Cursor, Page, COUNT_CAP, PAGE_SIZE};
use crate::domain::user::UserStatus;
use crate::error::AppError;

/// Which accounts by status.
pub enum Status {
    /// Active and paused (the list's default).
    NotDeleted,
    Any,
    Only(UserStatus),
}

/// A page of accounts matching `term` (name, login or entity) and `status`, in the order of
/// `sort` (column, descending), after the cursor `after`.
pub async fn list(
    db: &Db,
    term: Option<&str>,
    status: Status,
    (column, desc): (&str, bool),
    after: Option<&str>,
) -> Result<Page<UserRow>, AppError> {
    // Conditions after the roots-only one, which `roots` / `from_matches` below put first.
    let mut filter = Sql::new("");
    match status {
        Status::NotDeleted => {
            // Written out, not bound: the planner matches it to the partial indexes.
            filter.push(&format!(" AND status <> '{}'", UserStatus::Deleted.as_str()));
        }
        Status::Any => {}
        Status::Only(s) => {
            filter.push(" AND status = ").bind(s.as_str());
        }
    }
    // Terms of 3+ characters go through a trigram index on SQLite: the FTS5 table
    // users_search, whose phrase query yields the matching ids in id order, lazily. The
    // matches drive the count, which stops at 1,001, and the lists of up to 1,000 of
    // them. A broad term's page instead walks the sort order and keeps the rows whose
    // text contains the term: about 25 / (share of accounts matching) rows, however many
    // accounts there are. (An `id IN (matches)` filter would first collect every match.)
    // PostgreSQL's pg_trgm index serves LIKE itself; short terms scan.
    let fts = term.is_some_and(|t| t.chars().count() >= 3) && db.backend == Backend::Sqlite;
    let contains = |sql: &mut Sql, term: &str| {
        sql.push(" AND search LIKE ").bind(like_pattern(term)).push(" ESCAPE '\\'");
    };
    // The accounts (not sub-users) matching `filter`, driven by the trigram matches.
    let from_matches = |sql: &mut Sql, term: &str, columns: &str| {
        let phrase = sql.next_index();
        sql.add_arg(fts_phrase(term));
        sql.text = format!(
            "SELECT {columns} FROM users_search CROSS JOIN users ON users.id = users_search.rowid \
             WHERE users_search MATCH ${phrase} AND parent_id IS NULL{}",
            sql.text
        );
    };
    // The accounts (not sub-users) matching `filter`.
    let roots = |sql: &mut Sql, columns: &str| {
        sql.text = format!("SELECT {columns} FROM users WHERE parent_id IS NULL{}", sql.text);
    };
    // A search counts its matches only up to the cap ("1,000+ users").
    let mut count = filter.clone();
    match term {
        Some(term) => {
            if fts {
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

    let mut list = filter.clone();
    let columns = "users.id AS id, name, login, status, COALESCE(entity, '') AS entity, created_at";
    match term {
        Some(term) if fts && total <= COUNT_CAP => from_matches(&mut list, term, columns),
        term => {
            if let Some(term) = term {
                contains(&mut list, term);
            }
            roots(&mut list, columns);
        }
    }
    if let Some(c) = after.and_then(Cursor::decode) {
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
    list.push(&format!(" ORDER BY {column} {dir}, id {dir} LIMIT {}", PAGE_SIZE + 1));
    let rows: Vec<UserRow> = list.query_as().fetch_all(&db.pool).await?;
    let page = Page::from_rows(rows, total, |u: &UserRow| Cursor {
        key: match column {
            "name" => u.name.clone(),
            "login" => u.login.clone(),
            _ => u.created_at.to_string(),
        },
        id: u.id,
    });
    Ok(if term.is_some() { page.capped() } else { page })
}
