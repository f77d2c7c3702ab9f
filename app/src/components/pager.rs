//! Keyset pagination controls: a total, "First page" and "Next page".

use super::url::with_params;
use crate::domain::text::{count_label, digits};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn Pager(
    total: i64,
    next: Option<String>,
    #[prop(into)] noun: String,
    /// `total` is a lower bound (a capped count): shown as "1,000+ users".
    #[prop(optional)]
    at_least: bool,
) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let path = use_location().pathname.get_untracked();
    let on_later_page = query.get("after").is_some();
    let first = on_later_page.then(|| with_params(&path, &query, &[("after", None)]));
    let next = next.map(|cursor| with_params(&path, &query, &[("after", Some(&cursor))]));
    view! {
        <nav class="pager" aria-label="Pagination">
            <span class="pager-total">{if at_least { format!("{}+ {noun}", digits(total)) } else { count_label(total, &noun) }}</span>
            <span class="pager-links">
                {first.map(|href| view! { <a class="button secondary" href=href>"First page"</a> })}
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">"Next page"</a> })}
            </span>
        </nav>
    }
}
