//! Keyset pagination controls: a total, "First page" and "Next page".

use super::url::with_params;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn Pager(total: i64, next: Option<String>, #[prop(into)] noun: String) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let path = use_location().pathname.get_untracked();
    let on_later_page = query.get("after").is_some();
    let first = on_later_page.then(|| with_params(&path, &query, &[("after", None)]));
    let next = next.map(|cursor| with_params(&path, &query, &[("after", Some(&cursor))]));
    view! {
        <nav class="pager" aria-label="Pagination">
            <span class="pager-total">{count_label(total, &noun)}</span>
            <span class="pager-links">
                {first.map(|href| view! { <a class="button secondary" href=href>"First page"</a> })}
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">"Next page"</a> })}
            </span>
        </nav>
    }
}

/// "1 camera", "3 cameras", "1 entry": `noun` is the plural.
pub fn count_label(n: i64, noun: &str) -> String {
    if n != 1 {
        return format!("{n} {noun}");
    }
    let one = match noun.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => noun.strip_suffix('s').unwrap_or(noun).to_string(),
    };
    format!("1 {one}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_read_naturally() {
        assert_eq!(super::count_label(1, "cameras"), "1 camera");
        assert_eq!(super::count_label(1, "entries"), "1 entry");
        assert_eq!(super::count_label(0, "sub-users"), "0 sub-users");
        assert_eq!(super::count_label(12, "events"), "12 events");
    }
}
