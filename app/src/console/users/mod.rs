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

#[cfg(feature = "ssr")]
mod queries;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
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
    use crate::backend::{require, respond, Permission};
    use crate::domain::user::UserStatus;
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let sort = SORTS.iter().find(|s| Some(s.0) == sort.as_deref()).copied().unwrap_or(SORTS[0]);
        let status = match status.as_deref().unwrap_or("") {
            "" => queries::Status::NotDeleted,
            "all" => queries::Status::Any,
            s => queries::Status::Only(
                UserStatus::parse(s).ok_or_else(|| AppError::Invalid("Unknown status filter.".into()))?,
            ),
        };
        let term = q.as_deref().map(str::trim).filter(|t| !t.is_empty());
        queries::list(ctx.db(), term, status, (sort.1, sort.2), after.as_deref()).await
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
