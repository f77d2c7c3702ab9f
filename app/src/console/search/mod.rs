//! `/search?q=`: one box for everything (the console's header holds it; `/` focuses it from
//! any page). Users by login, name or id; cameras by MAC, name or id (only those in the
//! administrator's scope); intercoms by name or address; locations by CSA code or address.
//! Results come grouped by kind, each a link to its card; arrow keys move between them.

use crate::components::states::{ErrorState, Loading};
use crate::console::layout::ConsoleLayout;
use crate::error::AppError;
use crate::lang::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub(crate) mod queries;

/// One result: what it is called, a line about it, and its card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub title: String,
    pub detail: String,
    pub href: String,
}

/// The results, by kind (a few of each: the search is for finding one thing).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub users: Vec<Hit>,
    pub cameras: Vec<Hit>,
    pub intercoms: Vec<Hit>,
    pub locations: Vec<Hit>,
}

/// The most results of each kind.
pub const PER_KIND: i64 = 8;

#[server(prefix = "/api/console", endpoint = "search")]
pub async fn search(q: String) -> Result<Found, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let term = q.trim();
        if term.is_empty() {
            return Ok(Found::default());
        }
        if term.chars().count() > 100 {
            return Err(AppError::Invalid(
                crate::lang::td_string!(crate::lang::current(), users.search_too_long).into(),
            ));
        }
        queries::find(&ctx, term).await
    })
    .await
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.with(|q| q.get("q")).unwrap_or_default();
    let found = Resource::new(q, search);
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, users.search_title) />
        <ConsoleLayout>
            <h1>{t!(i18n, users.search_title)}</h1>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(_) if q().trim().is_empty() => view! {
                            <p class="state state-empty">{t!(i18n, users.search_prompt)}</p>
                        }.into_any(),
                        Ok(f) => view! { <Results f q=q() /> }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ConsoleLayout>
    }
}

#[component]
fn Results(f: Found, q: String) -> impl IntoView {
    let i18n = use_i18n();
    // (id of the group, its heading, its results)
    let groups = [
        ("users", t_string!(i18n, users.search_users), f.users),
        ("cameras", t_string!(i18n, users.search_cameras), f.cameras),
        ("intercoms", t_string!(i18n, users.search_intercoms), f.intercoms),
        ("locations", t_string!(i18n, users.search_locations), f.locations),
    ];
    if groups.iter().all(|(_, _, hits)| hits.is_empty()) {
        let nothing = t_string!(i18n, users.search_nothing, q = q).to_string();
        return view! { <p class="state state-empty">{nothing}</p> }.into_any();
    }
    // Up and down arrows move between the results, as in a menu.
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let step = match ev.key().as_str() {
            "ArrowDown" => 1,
            "ArrowUp" => -1,
            _ => return,
        };
        ev.prevent_default();
        crate::components::dom::move_focus(".search-results a", step);
    };
    view! {
        <div class="search-results" on:keydown=on_keydown>
            {groups
                .into_iter()
                .filter(|(_, _, hits)| !hits.is_empty())
                .map(|(slug, kind, hits)| {
                    let id = format!("results-{slug}");
                    let labelled_by = id.clone();
                    view! {
                        <section aria-labelledby=labelled_by>
                            <h2 id=id>{kind}</h2>
                            <ul class="link-list">
                                {hits.into_iter().map(|h| view! {
                                    <li><a href=h.href>{h.title}</a>" "<span class="hint">{h.detail}</span></li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}
