//! `/users`: the subscribers created by billing — search, status filter, sort, keyset pages.

use crate::components::pager::Pager;
use crate::components::states::{Empty, ErrorState, Loading};
use crate::components::url::with_params;
use crate::console::layout::ConsoleLayout;
use crate::domain::page::Page;
use crate::domain::time::format_date;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub status: String,
    pub entity: String,
    pub created_at: i64,
}

/// Sort orders offered by the list: (value, column, descending, label).
pub const SORTS: &[(&str, &str, bool, &str)] = &[
    ("newest", "created_at", true, "Newest first"),
    ("oldest", "created_at", false, "Oldest first"),
    ("name", "name", false, "Name A–Z"),
    ("name_desc", "name", true, "Name Z–A"),
    ("login", "login", false, "Login A–Z"),
];

#[server(prefix = "/api/console", endpoint = "users")]
pub async fn list_users(
    q: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    after: Option<String>,
) -> Result<Page<UserRow>, AppError> {
    use crate::backend::db::{fts_phrase, like_pattern};
    use crate::backend::sql::Sql;
    use crate::backend::{require, respond, Permission};
    use crate::domain::page::{Cursor, COUNT_CAP, PAGE_SIZE};
    use crate::domain::user::UserStatus;
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let (_, column, desc, _) = SORTS.iter().find(|s| Some(s.0) == sort.as_deref()).copied().unwrap_or(SORTS[0]);
        // Conditions after the roots-only one, which `roots` / `from_matches` below put first.
        let mut filter = Sql::new("");
        match status.as_deref().unwrap_or("") {
            "" => {
                filter.push(" AND status <> 'deleted'");
            }
            "all" => {}
            s => {
                let s = UserStatus::parse(s).ok_or_else(|| AppError::Invalid("Unknown status filter.".into()))?;
                filter.push(" AND status = ").bind(s.as_str());
            }
        }
        let term = q.as_deref().map(str::trim).filter(|t| !t.is_empty());
        // Terms of 3+ characters go through a trigram index on SQLite: the FTS5 table
        // users_search, whose phrase query yields the matching ids in id order, lazily. The
        // matches drive the count, which stops at 1,001, and the lists of up to 1,000 of
        // them. A broad term's page instead walks the sort order and keeps the rows whose
        // text contains the term: about 25 / (share of accounts matching) rows, however many
        // accounts there are. (An `id IN (matches)` filter would first collect every match.)
        // PostgreSQL's pg_trgm index serves LIKE itself; short terms scan.
        let fts =
            term.is_some_and(|t| t.chars().count() >= 3) && ctx.db().backend == crate::backend::db::Backend::Sqlite;
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
        let (total,): (i64,) = count.query_as().fetch_one(&ctx.db().pool).await?;

        let mut list = filter.clone();
        let columns = "users.id, name, login, status, COALESCE(entity, ''), created_at";
        match term {
            Some(term) if fts && total <= COUNT_CAP => from_matches(&mut list, term, columns),
            term => {
                if let Some(term) = term {
                    contains(&mut list, term);
                }
                roots(&mut list, columns);
            }
        }
        if let Some(c) = after.as_deref().and_then(Cursor::decode) {
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
        let rows: Vec<(i64, String, String, String, String, i64)> = list.query_as().fetch_all(&ctx.db().pool).await?;
        let rows = rows
            .into_iter()
            .map(|(id, name, login, status, entity, created_at)| UserRow {
                id,
                name,
                login,
                status,
                entity,
                created_at,
            })
            .collect();
        let page = Page::from_rows(rows, total, |u: &UserRow| Cursor {
            key: match column {
                "name" => u.name.clone(),
                "login" => u.login.clone(),
                _ => u.created_at.to_string(),
            },
            id: u.id,
        });
        Ok(if term.is_some() { page.capped() } else { page })
    })
    .await
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k));
    let users = Resource::new(
        move || (param("q"), param("status"), param("sort"), param("after")),
        |(q, status, sort, after)| list_users(q, status, sort, after),
    );
    view! {
        <Title text="Users" />
        <ConsoleLayout>
            <h1>"Users"</h1>
            <form class="filters" method="get" action="/users" role="search">
                <div class="field grow">
                    <label for="user-search">"Search by name or login"</label>
                    <input id="user-search" type="search" name="q" value=move || param("q").unwrap_or_default() placeholder="e.g. Smith or j.smith" />
                </div>
                <div class="field">
                    <label for="user-status">"Status"</label>
                    <select id="user-status" name="status">
                        {[("", "Active and paused"), ("active", "Active"), ("paused", "Paused"), ("deleted", "Deleted"), ("all", "All, including deleted")]
                            .into_iter()
                            .map(|(v, l)| view! { <option value=v selected=move || param("status").unwrap_or_default() == v>{l}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="user-sort">"Sort"</label>
                    <select id="user-sort" name="sort">
                        {SORTS
                            .iter()
                            .map(|(v, _, _, l)| view! { <option value=*v selected=move || param("sort").as_deref().unwrap_or("newest") == *v>{*l}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="button primary">"Search"</button>
            </form>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(page) if page.rows.is_empty() => view! { <Empty message="No users match these filters." /> }.into_any(),
                        Ok(page) => view! { <UsersTable page /> }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ConsoleLayout>
    }
}

#[component]
fn SortHeader(label: &'static str, asc: &'static str, desc: Option<&'static str>) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let current = query.get("sort").unwrap_or_else(|| "newest".into());
    let (target, state) = if current == asc {
        (desc.unwrap_or(asc), "ascending")
    } else if Some(current.as_str()) == desc {
        (asc, "descending")
    } else {
        (asc, "none")
    };
    let href = with_params("/users", &query, &[("sort", Some(target))]);
    view! {
        <th scope="col" aria-sort=state>
            <a href=href class="sort-link">{label}</a>
        </th>
    }
}

#[component]
fn UsersTable(page: Page<UserRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col" class="wide-only">"ID"</th>
                        <SortHeader label="Name" asc="name" desc=Some("name_desc") />
                        <SortHeader label="Login" asc="login" desc=None />
                        <th scope="col">"Status"</th>
                        <SortHeader label="Created" asc="oldest" desc=Some("newest") />
                    </tr>
                </thead>
                <tbody>
                    {page
                        .rows
                        .into_iter()
                        .map(|u| {
                            let href = format!("/users/{}/user", u.id);
                            view! {
                                <tr class="row-link">
                                    <td class="wide-only" data-label="ID">{u.id}</td>
                                    <td data-label="Name"><a class="row-main" href=href>{u.name}</a></td>
                                    <td data-label="Login">{u.login}</td>
                                    <td data-label="Status"><span class=format!("badge status-{}", u.status)>{u.status.clone()}</span></td>
                                    <td data-label="Created">{format_date(u.created_at)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <Pager total=page.total next=page.next noun="users" at_least=page.total_capped />
    }
}
