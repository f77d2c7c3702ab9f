//! The Access Settings tab: the user's permissions, grouped as in SPEC §3 (read-only here;
//! editing arrives with administrator permissions).

use crate::components::states::{ErrorState, Loading};
use crate::domain::permissions::{analytics_slug, ANALYTICS_TYPES, GROUPS};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessView {
    pub stored: Vec<String>,
    pub licensed_levels: Vec<u8>,
}

#[server(prefix = "/api/console", endpoint = "user_access")]
pub async fn user_access(id: i64) -> Result<AccessView, AppError> {
    use crate::server::{require, respond};
    respond(async move {
        let ctx = require("users-view").await?;
        super::load_header(ctx.db(), id).await?;
        let pool = &ctx.db().pool;
        let stored: Vec<(String,)> =
            sqlx::query_as("SELECT slug FROM user_permissions WHERE user_id = $1 ORDER BY slug")
                .bind(id)
                .fetch_all(pool)
                .await?;
        let levels: Vec<(i64,)> =
            sqlx::query_as("SELECT level FROM licences WHERE user_id = $1 AND total > 0 ORDER BY level")
                .bind(id)
                .fetch_all(pool)
                .await?;
        Ok(AccessView {
            stored: stored.into_iter().map(|(s,)| s).collect(),
            licensed_levels: levels.into_iter().map(|(l,)| l as u8).collect(),
        })
    })
    .await
}

#[component]
pub fn AccessSettingsTab(id: i64) -> impl IntoView {
    let access = Resource::new(move || id, user_access);
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(a) => view! { <Groups a /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Groups(a: AccessView) -> impl IntoView {
    let has = |slug: &str| a.stored.iter().any(|s| s == slug);
    let groups = GROUPS
        .iter()
        .map(|g| {
            (g.name, g.slugs.iter().map(|(s, n)| (s.to_string(), n.to_string(), has(s), None)).collect::<Vec<_>>())
        })
        .chain(std::iter::once((
            "Analytics",
            ANALYTICS_TYPES
                .iter()
                .map(|(t, level, name)| {
                    let slug = analytics_slug(t);
                    let reason = (!a.licensed_levels.contains(level))
                        .then(|| format!("no level {level} licences: not effective"));
                    let held = has(&slug);
                    (slug, format!("{name} (level {level})"), held, reason)
                })
                .collect(),
        )))
        .collect::<Vec<(&str, Vec<(String, String, bool, Option<String>)>)>>();
    view! {
        <p class="source-note">"Read-only view of the permissions this user holds."</p>
        <div class="permission-groups">
            {groups.into_iter().map(|(name, slugs)| view! {
                <fieldset class="permission-group">
                    <legend>{name}</legend>
                    {slugs.into_iter().map(|(slug, label, held, reason)| {
                        let input_id = format!("perm-{slug}");
                        view! {
                            <div class="check">
                                <input type="checkbox" id=input_id.clone() checked=held disabled />
                                <label for=input_id>
                                    {format!("{label} ({slug})")}
                                    {reason.map(|r| view! { <span class="hint">{format!(" — {r}")}</span> })}
                                </label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            }).collect_view()}
        </div>
    }
}
