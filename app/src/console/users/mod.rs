//! `/users`: the subscribers created by billing — search, status filter, sort, keyset pages.

use crate::components::list::{Column, ListView};
use crate::components::pager::Counted;
use crate::console::layout::ConsoleLayout;
use crate::domain::page::Page;
use crate::domain::user::UserStatus;
use crate::error::AppError;
use crate::lang::{labels, t, t_string, use_i18n};
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

/// Sort orders offered by the list: (value, column, descending); their labels are
/// `sort_label`'s.
pub const SORTS: &[(&str, &str, bool)] = &[
    ("newest", "created_at", true),
    ("oldest", "created_at", false),
    ("name", "name", false),
    ("name_desc", "name", true),
    ("login", "login", false),
];

/// What the sort selector calls a `SORTS` value, in the page's language.
fn sort_label(value: &str) -> &'static str {
    use crate::lang::td_string;
    let locale = crate::lang::current();
    match value {
        "oldest" => td_string!(locale, users.sort_oldest),
        "name" => td_string!(locale, users.sort_name),
        "name_desc" => td_string!(locale, users.sort_name_desc),
        "login" => td_string!(locale, users.sort_login),
        _ => td_string!(locale, users.sort_newest),
    }
}

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
    let status = match status.unwrap_or("") {
        "" => queries::Status::NotDeleted,
        "all" => queries::Status::Any,
        s => queries::Status::Only(UserStatus::parse(s).ok_or_else(|| {
            AppError::Invalid(crate::lang::td_string!(crate::lang::current(), users.list_unknown_status).into())
        })?),
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
    let i18n = use_i18n();
    let statuses = [
        ("", t_string!(i18n, users.list_status_not_deleted)),
        ("active", labels::user_status(UserStatus::Active)),
        ("paused", labels::user_status(UserStatus::Paused)),
        ("deleted", labels::user_status(UserStatus::Deleted)),
        ("all", t_string!(i18n, users.list_status_all)),
    ];
    view! {
        <Title text=t_string!(i18n, users.list_title) />
        <ConsoleLayout>
            <h1>{t!(i18n, users.list_title)}</h1>
            <form class="filters" method="get" action="/users" role="search">
                <div class="field grow">
                    <label for="user-search">{t!(i18n, users.list_search_label)}</label>
                    <input id="user-search" type="search" name="q" value=move || param("q").unwrap_or_default() placeholder=t_string!(i18n, users.list_search_placeholder) />
                </div>
                <div class="field">
                    <label for="user-status">{t!(i18n, users.list_status)}</label>
                    <select id="user-status" name="status">
                        {statuses
                            .into_iter()
                            .map(|(v, l)| view! { <option value=v selected=move || param("status").unwrap_or_default() == v>{l}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="user-sort">{t!(i18n, users.list_sort)}</label>
                    <select id="user-sort" name="sort">
                        {SORTS
                            .iter()
                            .map(|(v, _, _)| view! { <option value=*v selected=move || param("sort").as_deref().unwrap_or("newest") == *v>{sort_label(v)}</option> })
                            .collect_view()}
                    </select>
                </div>
                {move || param("location").map(|csa| view! { <input type="hidden" name="location" value=csa /> })}
                <button type="submit" class="button primary">{t!(i18n, users.list_submit)}</button>
            </form>
            {move || param("location").map(|csa| view! {
                <p class="notice">
                    {t_string!(i18n, users.list_location_notice, csa = csa).to_string()}" "
                    <a href="/users">{t!(i18n, users.list_show_all)}</a>
                </p>
            })}
            <ListView list=users columns=columns() row=user_row counts=Counted::Users
                empty=t_string!(i18n, users.list_empty) export="/users/export" />
        </ConsoleLayout>
    }
}

/// The list's columns in the page's language.
fn columns() -> [Column; 5] {
    use crate::lang::td_string;
    let locale = crate::lang::current();
    [
        Column::new(td_string!(locale, users.col_id)).wide_only(),
        Column::new(td_string!(locale, users.col_name)).sorts("name", Some("name_desc")),
        Column::new(td_string!(locale, users.col_login)).sorts("login", None),
        Column::new(td_string!(locale, users.col_status)),
        Column::new(td_string!(locale, users.col_created)).sorts("oldest", Some("newest")).by_default("newest"),
    ]
}

fn user_row(u: UserRow) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/users/{}/user", u.id);
    let status = UserStatus::parse(&u.status).map_or_else(|| u.status.clone(), |s| labels::user_status(s).to_string());
    view! {
        <tr class="row-link">
            <td class="wide-only" data-label=t_string!(i18n, users.col_id)>{u.id}</td>
            <td data-label=t_string!(i18n, users.col_name)><a class="row-main" href=href>{u.name}</a></td>
            <td data-label=t_string!(i18n, users.col_login)>{u.login}</td>
            <td data-label=t_string!(i18n, users.col_status)><span class=format!("badge status-{}", u.status)>{status}</span></td>
            <td data-label=t_string!(i18n, users.col_created)>{crate::lang::date(u.created_at)}</td>
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
