//! `/search?q=`: one box for everything (the console's header holds it; `/` focuses it from
//! any page). Users by login, name or id; cameras by MAC, name or id (only those in the
//! administrator's scope); intercoms by name or address; locations by CSA code or address.
//! Results come grouped by kind, each a link to its card; arrow keys move between them.

use crate::components::states::{ErrorState, Loading};
use crate::console::layout::ConsoleLayout;
use crate::error::AppError;
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
            return Err(AppError::Invalid("Search for at most 100 characters.".into()));
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
    view! {
        <Title text="Search" />
        <ConsoleLayout>
            <h1>"Search"</h1>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(_) if q().trim().is_empty() => view! {
                            <p class="state state-empty">"Type a login, name, ID, MAC address, CSA code or address in the search box."</p>
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
    let groups = [("Users", f.users), ("Cameras", f.cameras), ("Intercoms", f.intercoms), ("Locations", f.locations)];
    if groups.iter().all(|(_, hits)| hits.is_empty()) {
        return view! { <p class="state state-empty">{format!("Nothing matches “{q}”.")}</p> }.into_any();
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
                .filter(|(_, hits)| !hits.is_empty())
                .map(|(kind, hits)| {
                    let id = format!("results-{}", kind.to_lowercase());
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
