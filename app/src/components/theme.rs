//! Light and dark themes: the system's preference until one is chosen, then the choice
//! (a cookie). The server renders the page in the chosen theme (`<html data-theme>`), so
//! it never flashes in the other one.

use super::dom::{dark_theme, set_theme};
use leptos::prelude::*;

/// The theme the request's cookie chose, if any: `light` or `dark`.
pub fn chosen_theme() -> Option<&'static str> {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>()?;
        match crate::backend::auth::cookie(&parts.headers, super::dom::THEME_COOKIE)? {
            "dark" => Some("dark"),
            "light" => Some("light"),
            _ => None,
        }
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// A toggle between the dark and the light theme.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let dark = RwSignal::new(chosen_theme() == Some("dark"));
    // In the browser, the theme shown (the system's, until one is chosen).
    Effect::new(move |_| dark.set(dark_theme()));
    let toggle = move |_| {
        let next = !dark.get_untracked();
        dark.set(next);
        set_theme(if next { "dark" } else { "light" });
    };
    let i18n = crate::lang::use_i18n();
    view! {
        <button type="button" class="button secondary small" aria-pressed=move || dark.get().to_string() on:click=toggle>
            {crate::lang::t!(i18n, common.dark_theme)}
        </button>
    }
}
