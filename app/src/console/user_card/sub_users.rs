//! The Sub-users tab: accounts the user created in the web client.

use crate::components::pager::Pager;
use crate::components::states::{Empty, ErrorState, Loading};
use crate::domain::page::Page;
use crate::domain::time::format_date;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubUserRow {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub created_at: i64,
}

#[server(prefix = "/api/console", endpoint = "user_sub_users")]
pub async fn user_sub_users(id: i64, after: Option<String>) -> Result<Page<SubUserRow>, AppError> {
    use crate::backend::{require, respond, Permission};
    use crate::domain::page::{Cursor, PAGE_SIZE};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        let pool = &ctx.db().pool;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE parent_id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_one(pool)
            .await?;
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, name, login, created_at FROM users \
             WHERE parent_id = $1 AND deleted_at IS NULL AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(id)
        .bind(Page::<SubUserRow>::after_id(after.as_deref()))
        .bind(PAGE_SIZE + 1)
        .fetch_all(pool)
        .await?;
        let rows =
            rows.into_iter().map(|(id, name, login, created_at)| SubUserRow { id, name, login, created_at }).collect();
        Ok(Page::from_rows(rows, total, |r: &SubUserRow| Cursor { key: String::new(), id: r.id }))
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
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match subs.await {
                    Ok(page) if page.rows.is_empty() => view! { <Empty message="This user has not created any sub-users." /> }.into_any(),
                    Ok(page) => view! {
                        <div class="table-wrap">
                            <table class="data">
                                <thead>
                                    <tr>
                                        <th scope="col">"ID"</th>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Login"</th>
                                        <th scope="col">"Created at"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.rows.into_iter().map(|r| view! {
                                        <tr class="row-link" class:selected=move || editing() == Some(r.id)>
                                            <td data-label="ID">{r.id}</td>
                                            <td data-label="Name"><a class="row-main" href=format!("/users/{id}/sub-users?edit={}", r.id) aria-label=format!("Permissions of {}", r.name)>{r.name.clone()}</a></td>
                                            <td data-label="Login">{r.login}</td>
                                            <td data-label="Created at">{format_date(r.created_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager total=page.total next=page.next noun="sub-users" />
                    }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

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
