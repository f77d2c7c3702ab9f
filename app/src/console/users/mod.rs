//! `/users`: the subscribers created by billing — search, status filter, sort, keyset pages.

use crate::components::list::{Column, ListView};
use crate::console::layout::ConsoleLayout;
use crate::domain::page::Page;
use crate::domain::time::format_date;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod queries;

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
    location: Option<String>,
) -> Result<Page<UserRow>, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let given = |v: Option<String>| v.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let filters = filters(given(q), status.as_deref(), given(location))?;
        queries::list(ctx.db(), &filters, sort_order(sort.as_deref()), after).await
    })
    .await
}

/// The list's filters from its parameters (the list page's and its export's).
#[cfg(feature = "ssr")]
pub fn filters(
    term: Option<String>,
    status: Option<&str>,
    location: Option<String>,
) -> Result<queries::Filters, AppError> {
    use crate::domain::user::UserStatus;
    let status = match status.unwrap_or("") {
        "" => queries::Status::NotDeleted,
        "all" => queries::Status::Any,
        s => queries::Status::Only(
            UserStatus::parse(s).ok_or_else(|| AppError::Invalid("Unknown status filter.".into()))?,
        ),
    };
    Ok(queries::Filters { term, status, location })
}

/// The (column, descending) of a `sort` parameter; newest first by default.
pub fn sort_order(sort: Option<&str>) -> (&'static str, bool) {
    let sort = SORTS.iter().find(|s| Some(s.0) == sort).copied().unwrap_or(SORTS[0]);
    (sort.1, sort.2)
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k));
    let users = Resource::new(
        move || (param("q"), param("status"), param("sort"), param("after"), param("location")),
        |(q, status, sort, after, location)| list_users(q, status, sort, after, location),
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
                {move || param("location").map(|csa| view! { <input type="hidden" name="location" value=csa /> })}
                <button type="submit" class="button primary">"Search"</button>
            </form>
            {move || param("location").map(|csa| view! {
                <p class="notice">
                    {format!("Users linked to the location {csa}. ")}
                    <a href="/users">"Show all users"</a>
                </p>
            })}
            <ListView list=users columns=&COLUMNS row=user_row noun="users" empty="No users match these filters." export="/users/export" />
        </ConsoleLayout>
    }
}

const COLUMNS: [Column; 5] = [
    Column::new("ID").wide_only(),
    Column::new("Name").sorts("name", Some("name_desc")),
    Column::new("Login").sorts("login", None),
    Column::new("Status"),
    Column::new("Created").sorts("oldest", Some("newest")).by_default("newest"),
];

fn user_row(u: UserRow) -> impl IntoView {
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
}

#[cfg(feature = "ssr")]
impl crate::domain::export::Record for UserRow {
    const COLUMNS: &'static [&'static str] = &["ID", "Name", "Login", "Status", "Entity", "Created"];
    fn cells(&self) -> Vec<String> {
        let created = crate::domain::time::format_rfc3339(self.created_at);
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.login.clone(),
            self.status.clone(),
            self.entity.clone(),
            created,
        ]
    }
}
