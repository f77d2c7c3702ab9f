//! `/users/{id}/{tab}`: the user card — a header and seven tabs.

pub mod access_settings;
pub mod analytics;
pub mod billing_events;
pub mod cameras;
pub mod intercoms;
pub mod sub_users;
pub mod user;

use crate::components::states::{ErrorState, Loading};
use crate::components::tabs::{TabLink, TabList};
use crate::console::layout::ConsoleLayout;
use crate::domain::time::format_utc;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// The tabs: (URL segment, name).
pub const TABS: &[(&str, &str)] = &[
    ("user", "User"),
    ("cameras", "Cameras"),
    ("intercoms", "Intercoms"),
    ("sub-users", "Sub-users"),
    ("billing-events", "Billing Events"),
    ("access-settings", "Access Settings"),
    ("analytics", "Analytics"),
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserHeader {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub status: String,
    pub created_at: i64,
    /// The Sub-users tab is shown only when the user holds `subusers-manage`.
    pub manages_sub_users: bool,
    /// The Analytics tab is shown only while the user holds licences.
    pub has_licences: bool,
}

impl UserHeader {
    pub fn shows_tab(&self, segment: &str) -> bool {
        match segment {
            "sub-users" => self.manages_sub_users,
            "analytics" => self.has_licences,
            _ => TABS.iter().any(|(s, _)| *s == segment),
        }
    }
}

#[server(prefix = "/api/console", endpoint = "user_header")]
pub async fn get_user_header(id: i64) -> Result<UserHeader, AppError> {
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("users-view").await?;
        load_header(ctx.db(), id).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub async fn load_header(db: &crate::server::db::Db, id: i64) -> Result<UserHeader, AppError> {
    let row: Option<(i64, String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT u.id, u.name, u.login, u.status, u.created_at, \
           (SELECT COUNT(*) FROM user_permissions p WHERE p.user_id = u.id AND p.slug = 'subusers-manage'), \
           (SELECT COUNT(*) FROM licences l WHERE l.user_id = u.id AND l.total > 0) \
         FROM users u WHERE u.id = $1 AND u.parent_id IS NULL",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let (id, name, login, status, created_at, manages, licensed) = row.ok_or(AppError::NotFound)?;
    Ok(UserHeader { id, name, login, status, created_at, manages_sub_users: manages > 0, has_licences: licensed > 0 })
}

#[component]
pub fn UserCard() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let tab = move || params.with(|p| p.get("tab")).unwrap_or_else(|| "user".into());
    let header = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_user_header(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <ConsoleLayout>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <a href="/users">"Users"</a>
            </nav>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match header.await {
                        Ok(h) => view! { <CardBody header=h tab=tab() /> }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ConsoleLayout>
    }
}

#[component]
fn CardBody(header: UserHeader, tab: String) -> impl IntoView {
    let id = header.id;
    let tabs: Vec<TabLink> = TABS
        .iter()
        .filter(|(seg, _)| header.shows_tab(seg))
        .map(|(seg, label)| TabLink { label, href: format!("/users/{id}/{seg}"), selected: *seg == tab })
        .collect();
    let tab_name = TABS.iter().find(|(s, _)| *s == tab).map(|(_, n)| *n);
    let body = match (tab.as_str(), header.shows_tab(&tab)) {
        ("user", _) => view! { <user::UserTab id /> }.into_any(),
        ("cameras", _) => view! { <cameras::CamerasTab id /> }.into_any(),
        ("intercoms", _) => view! { <intercoms::IntercomsTab id /> }.into_any(),
        ("sub-users", true) => view! { <sub_users::SubUsersTab id /> }.into_any(),
        ("billing-events", _) => view! { <billing_events::BillingEventsTab id /> }.into_any(),
        ("access-settings", _) => view! { <access_settings::AccessSettingsTab id /> }.into_any(),
        ("analytics", true) => view! { <analytics::AnalyticsTab id /> }.into_any(),
        ("sub-users", false) => view! {
            <p class="state state-empty">"This user does not hold the “Manage sub-users (subusers-manage)” permission, so it has no sub-users."</p>
        }.into_any(),
        ("analytics", false) => view! {
            <p class="state state-empty">"This user holds no analytics licences."</p>
        }.into_any(),
        _ => view! { <ErrorState error=AppError::NotFound /> }.into_any(),
    };
    let title = format!("{} · {}", header.name, tab_name.unwrap_or("User"));
    view! {
        <Title text=title />
        <section class="card-header" aria-label="User summary">
            <div class="card-title">
                <h1>{header.name.clone()}</h1>
                <span class=format!("badge status-{}", header.status)>{header.status.clone()}</span>
            </div>
            <dl class="facts">
                <div><dt>"User ID"</dt><dd>{header.id}</dd></div>
                <div><dt>"Username"</dt><dd>{header.name.clone()}</dd></div>
                <div><dt>"Login"</dt><dd>{header.login.clone()}</dd></div>
                <div><dt>"Creation date"</dt><dd>{format_utc(header.created_at)}</dd></div>
            </dl>
            <div class="card-actions">
                <button type="button" class="button secondary" disabled title="Log in as User arrives with the web client (issue 6/7).">
                    "Log in as User"
                </button>
                <button type="button" class="button secondary" disabled title="Synchronize cameras arrives with user environments (issue 6/7).">
                    "Synchronize cameras"
                </button>
            </div>
        </section>
        <TabList label="User card" tabs />
        <section class="tab-panel" role="tabpanel" aria-label=tab_name.unwrap_or("User")>
            {body}
        </section>
    }
}
