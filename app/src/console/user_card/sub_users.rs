//! The Sub-users tab: accounts the user created in the web client.

use crate::components::list::{Column, ListView};
use crate::components::states::{ErrorState, Loading};
use crate::domain::page::Page;
use crate::domain::time::format_date;
use crate::error::AppError;
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
    view! {
        {(!manages).then(|| view! {
            <p class="notice" role="note">{super::access_settings::PARENT_CANNOT_MANAGE}</p>
        })}
        {move || editing().map(|sub| view! { <SubUserEditor id sub /> })}
        <ListView list=subs columns=&COLUMNS noun="sub-users" empty="This user has not created any sub-users."
            export=format!("/users/{id}/sub-users/export")
            row=move |r: SubUserRow| view! {
                <tr class="row-link" class:selected=move || editing() == Some(r.id)>
                    <td data-label="ID">{r.id}</td>
                    <td data-label="Name"><a class="row-main" href=format!("/users/{id}/sub-users?edit={}", r.id) aria-label=format!("Permissions of {}", r.name)>{r.name.clone()}</a></td>
                    <td data-label="Login">{r.login}</td>
                    <td data-label="Created at">{format_date(r.created_at)}</td>
                </tr>
            } />
    }
}

const COLUMNS: [Column; 4] = [Column::new("ID"), Column::new("Name"), Column::new("Login"), Column::new("Created at")];

/// The permission editor of one sub-user, above the list.
#[component]
fn SubUserEditor(id: i64, sub: i64) -> impl IntoView {
    use super::access_settings::{sub_user_access, AccessEditor};
    let access = Resource::new(move || sub, sub_user_access);
    view! {
        <section class="card editor" aria-label="Sub-user permissions">
            <div class="page-head">
                <h2>{format!("Permissions of sub-user {sub}")}</h2>
                <a class="button secondary small" href=format!("/users/{id}/sub-users")>"Close"</a>
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
