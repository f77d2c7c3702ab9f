//! The User tab: everything billing knows of the user, read-only.

use crate::components::states::{ErrorState, Loading};
use crate::error::AppError;
use crate::lang::{datetime, t, use_i18n};
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
    let i18n = use_i18n();
    view! {
        <p class="source-note">{t!(i18n, card.profile_read_only)}</p>
        <dl class="details">
            <div><dt>{t!(i18n, card.profile_status)}</dt><dd><span class=format!("badge status-{}", p.status)>{super::status_label(&p.status)}</span></dd></div>
            <div><dt>{t!(i18n, card.profile_name)}</dt><dd>{p.name}</dd></div>
            <div><dt>{t!(i18n, card.profile_login)}</dt><dd>{p.login}</dd></div>
            <div><dt>{t!(i18n, card.profile_entity)}</dt><dd><code>{p.entity}</code></dd></div>
            <div><dt>{t!(i18n, card.profile_created)}</dt><dd>{datetime(p.created_at)}</dd></div>
            <div><dt>{t!(i18n, card.profile_updated)}</dt><dd>{datetime(p.updated_at)}</dd></div>
            {p.deleted_at.map(|d| view! { <div><dt>{t!(i18n, card.profile_deleted)}</dt><dd>{datetime(d)}</dd></div> })}
        </dl>
        <h2>{t!(i18n, card.profile_properties)}</h2>
        {if p.properties.is_empty() {
            view! { <p class="state state-empty">{t!(i18n, card.profile_no_properties)}</p> }.into_any()
        } else {
            view! {
                <dl class="details">
                    {p.properties.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                </dl>
            }.into_any()
        }}
    }
}
