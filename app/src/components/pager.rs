//! Keyset pagination controls: a total, "First page" and "Next page".

use super::url::with_params;
use crate::lang::{number_in, t, t_string, td_string, use_i18n, Locale};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn Pager(
    total: i64,
    next: Option<String>,
    /// What the list counts.
    counts: Counted,
    /// `total` is a lower bound (a capped count): shown as "1,000+ users".
    #[prop(optional)]
    at_least: bool,
) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let path = use_location().pathname.get_untracked();
    let on_later_page = query.get("after").is_some();
    let first = on_later_page.then(|| with_params(&path, &query, &[("after", None)]));
    let next = next.map(|cursor| with_params(&path, &query, &[("after", Some(&cursor))]));
    let i18n = use_i18n();
    let total = total_label(crate::lang::current(), total, counts, at_least);
    view! {
        <nav class="pager" aria-label=t_string!(i18n, common.pager_label)>
            <span class="pager-total">{total}</span>
            <span class="pager-links">
                {first.map(|href| view! { <a class="button secondary" href=href>{t!(i18n, common.pager_first)}</a> })}
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">{t!(i18n, common.pager_next)}</a> })}
            </span>
        </nav>
    }
}

/// What a list counts (the pager names it in the page's language, in the plural form
/// the total needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    Users,
    SubUsers,
    Cameras,
    Intercoms,
    Apartments,
    Events,
    Entries,
}

/// "1 user", "12,345 users", "1,000+ users" (`at_least`), in `l`.
fn total_label(l: Locale, total: i64, counts: Counted, at_least: bool) -> String {
    let n = number_in(l, total);
    match (counts, at_least) {
        (Counted::Users, false) => td_string!(l, common.pager_users, count = total, n = n).to_string(),
        (Counted::Users, true) => td_string!(l, common.pager_more_users, n = n).to_string(),
        (Counted::SubUsers, false) => td_string!(l, common.pager_sub_users, count = total, n = n).to_string(),
        (Counted::SubUsers, true) => td_string!(l, common.pager_more_sub_users, n = n).to_string(),
        (Counted::Cameras, false) => td_string!(l, common.pager_cameras, count = total, n = n).to_string(),
        (Counted::Cameras, true) => td_string!(l, common.pager_more_cameras, n = n).to_string(),
        (Counted::Intercoms, false) => td_string!(l, common.pager_intercoms, count = total, n = n).to_string(),
        (Counted::Intercoms, true) => td_string!(l, common.pager_more_intercoms, n = n).to_string(),
        (Counted::Apartments, false) => td_string!(l, common.pager_apartments, count = total, n = n).to_string(),
        (Counted::Apartments, true) => td_string!(l, common.pager_more_apartments, n = n).to_string(),
        (Counted::Events, false) => td_string!(l, common.pager_events, count = total, n = n).to_string(),
        (Counted::Events, true) => td_string!(l, common.pager_more_events, n = n).to_string(),
        (Counted::Entries, false) => td_string!(l, common.pager_entries, count = total, n = n).to_string(),
        (Counted::Entries, true) => td_string!(l, common.pager_more_entries, n = n).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Counted::{Cameras, Entries, Events, SubUsers, Users};

    #[test]
    fn totals_count_in_each_language() {
        assert_eq!(total_label(Locale::en, 1, Users, false), "1 user");
        assert_eq!(total_label(Locale::en, 12_345, Users, false), "12,345 users");
        assert_eq!(total_label(Locale::en, 1_000, Users, true), "1,000+ users");
        assert_eq!(total_label(Locale::en, 1, Entries, false), "1 entry");
        assert_eq!(total_label(Locale::en, 0, SubUsers, false), "0 sub-users");
        assert_eq!(total_label(Locale::ru, 12_345, Users, false), "12\u{a0}345 пользователей");
        let ru = |n: i64, counts: Counted| total_label(Locale::ru, n, counts, false);
        assert_eq!(
            [ru(1, Cameras), ru(3, Cameras), ru(5, Cameras), ru(21, Cameras)],
            ["1 камера", "3 камеры", "5 камер", "21 камера"]
        );
        assert_eq!([ru(2, Events), ru(11, Events), ru(1, Entries)], ["2 события", "11 событий", "1 запись"]);
    }
}
