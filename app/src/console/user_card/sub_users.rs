//! The Sub-users tab: accounts the user created in the web client.

use crate::components::list::{Column, ListView};
use crate::components::pager::Counted;
use crate::components::states::{ErrorState, Loading};
use crate::domain::page::Page;
use crate::error::AppError;
use crate::lang::{date, t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SubUserRow {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub created_at: i64,
}

#[server(prefix = "/api/console", endpoint = "user_sub_users")]
pub async fn user_sub_users(id: i64, after: Option<String>) -> Result<Page<SubUserRow>, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        super::queries::sub_users(ctx.db(), id, &crate::domain::page::Window::page(after)).await
    })
    .await
}

#[component]
pub fn SubUsersTab(id: i64, manages: bool) -> impl IntoView {
    let query = use_query_map();
    let subs = Resource::new(move || query.with(|q| q.get("after")), move |after| user_sub_users(id, after));
    let editing = move || query.with(|q| q.get("edit").and_then(|s| s.parse::<i64>().ok()));
    let i18n = use_i18n();
    view! {
        {(!manages).then(|| view! {
            <p class="notice" role="note">{super::access_settings::parent_cannot_manage()}</p>
        })}
        {move || editing().map(|sub| view! { <SubUserEditor id sub /> })}
        <ListView list=subs columns=columns() counts=Counted::SubUsers
            empty=t_string!(i18n, card.sub_users_empty)
            export=format!("/users/{id}/sub-users/export")
            row=move |r: SubUserRow| view! {
                <tr class="row-link" class:selected=move || editing() == Some(r.id)>
                    <td data-label=t_string!(i18n, card.col_id)>{r.id}</td>
                    <td data-label=t_string!(i18n, card.col_name)>
                        <a class="row-main" href=format!("/users/{id}/sub-users?edit={}", r.id)
                            aria-label=t_string!(i18n, card.sub_users_permissions_of, name = r.name.clone()).to_string()>{r.name.clone()}</a>
                    </td>
                    <td data-label=t_string!(i18n, card.col_login)>{r.login}</td>
                    <td data-label=t_string!(i18n, card.col_created_at)>{date(r.created_at)}</td>
                </tr>
            } />
    }
}

/// The list's columns in the page's language.
fn columns() -> [Column; 4] {
    use crate::lang::td_string;
    let l = crate::lang::current();
    [
        Column::new(td_string!(l, card.col_id)),
        Column::new(td_string!(l, card.col_name)),
        Column::new(td_string!(l, card.col_login)),
        Column::new(td_string!(l, card.col_created_at)),
    ]
}

/// The permission editor of one sub-user, above the list.
#[component]
fn SubUserEditor(id: i64, sub: i64) -> impl IntoView {
    use super::access_settings::{sub_user_access, AccessEditor};
    let access = Resource::new(move || sub, sub_user_access);
    let i18n = use_i18n();
    view! {
        <section class="card editor" aria-label=t_string!(i18n, card.sub_user_editor_label)>
            <div class="page-head">
                <h2>{t_string!(i18n, card.sub_user_editor_title, id = sub).to_string()}</h2>
                <a class="button secondary small" href=format!("/users/{id}/sub-users")>{t!(i18n, card.close)}</a>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match access.await {
                        Ok(a) => view! { <AccessEditor id=sub sub_user=true a /> }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[cfg(feature = "ssr")]
impl crate::domain::export::Record for SubUserRow {
    const COLUMNS: &'static [&'static str] = &["ID", "Name", "Login", "Created at"];
    fn cells(&self) -> Vec<String> {
        let created = crate::domain::time::format_rfc3339(self.created_at);
        vec![self.id.to_string(), self.name.clone(), self.login.clone(), created]
    }
}
