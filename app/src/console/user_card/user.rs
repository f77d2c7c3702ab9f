//! The User tab: everything billing knows of the user, read-only.

use crate::components::states::{ErrorState, Loading};
use crate::domain::time::format_utc;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserProfile {
    pub id: i64,
    pub entity: String,
    pub name: String,
    pub login: String,
    pub status: String,
    pub properties: Vec<(String, String)>,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[server(prefix = "/api/console", endpoint = "user_profile")]
pub async fn get_user_profile(id: i64) -> Result<UserProfile, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let row = super::queries::profile(ctx.db(), id).await?.ok_or(AppError::NotFound)?;
        let properties = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&row.properties)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(String::from).unwrap_or_else(|| v.to_string())))
            .collect();
        Ok(UserProfile {
            id: row.id,
            entity: row.entity,
            name: row.name,
            login: row.login,
            status: row.status,
            properties,
            created_at: row.created_at,
            updated_at: row.updated_at,
            deleted_at: row.deleted_at,
        })
    })
    .await
}

#[component]
pub fn UserTab(id: i64) -> impl IntoView {
    let profile = Resource::new(move || id, get_user_profile);
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! { <Profile p /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Profile(p: UserProfile) -> impl IntoView {
    view! {
        <p class="source-note">"Read-only: this data comes from the billing system."</p>
        <dl class="details">
            <div><dt>"Status"</dt><dd><span class=format!("badge status-{}", p.status)>{p.status.clone()}</span></dd></div>
            <div><dt>"Name"</dt><dd>{p.name}</dd></div>
            <div><dt>"Login"</dt><dd>{p.login}</dd></div>
            <div><dt>"Billing entity ID"</dt><dd><code>{p.entity}</code></dd></div>
            <div><dt>"Created"</dt><dd>{format_utc(p.created_at)}</dd></div>
            <div><dt>"Last changed"</dt><dd>{format_utc(p.updated_at)}</dd></div>
            {p.deleted_at.map(|d| view! { <div><dt>"Deleted"</dt><dd>{format_utc(d)}</dd></div> })}
        </dl>
        <h2>"Billing properties"</h2>
        {if p.properties.is_empty() {
            view! { <p class="state state-empty">"Billing sent no properties for this user."</p> }.into_any()
        } else {
            view! {
                <dl class="details">
                    {p.properties.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                </dl>
            }.into_any()
        }}
    }
}
