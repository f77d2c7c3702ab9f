//! English and Russian. The language of a page is the one chosen in the header (the
//! `vms_lang` cookie), else the best of the browser's `Accept-Language`, else English; the
//! server renders the page in it (`<html lang>`), and the browser keeps it when hydrating.
//! Switching languages reloads the page through `/language/{code}`, so every text, date and
//! number on it, the server's messages included, is in one language.
//!
//! The texts live in `app/locales/{en,ru}/<namespace>.json` and are compiled in (build.rs):
//! `t!(i18n, users.title)` in views, `t_string!` where a `&str` is needed, and
//! `td_string!(lang::current(), …)` outside components (server messages).

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod labels;

pub use i18n::*;
use leptos::prelude::*;

/// The cookie that remembers the language chosen in the header.
pub const LANG_COOKIE: &str = "vms_lang";

/// The language a code (`en`, `ru`) names.
pub fn named(code: &str) -> Option<Locale> {
    code.parse::<Locale>().ok()
}

/// The code of a language (`en`, `ru`), as `<html lang>` and the cookie write it.
pub fn code(locale: Locale) -> &'static str {
    leptos_i18n::Locale::as_str(locale)
}

/// The language of the page being rendered or hydrated (of the request, in a server
/// function or handler).
pub fn current() -> Locale {
    if let Some(i18n) = use_context::<leptos_i18n::I18nContext<Locale>>() {
        return i18n.get_locale_untracked();
    }
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return of_request(&parts.headers);
    }
    Locale::default()
}

/// The language a request asks for: the cookie's, else the browser's preference.
#[cfg(feature = "ssr")]
pub fn of_request(headers: &http::HeaderMap) -> Locale {
    use leptos_i18n::Locale as _;
    Locale::find_locale(&preferred(headers))
}

/// The languages a request prefers, best first: the chosen one (cookie), then
/// `Accept-Language` by weight.
#[cfg(feature = "ssr")]
fn preferred(headers: &http::HeaderMap) -> Vec<String> {
    if let Some(chosen) = crate::backend::auth::cookie(headers, LANG_COOKIE) {
        if named(chosen).is_some() {
            return vec![chosen.to_string()];
        }
    }
    let header = headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    accept_language(header)
}

/// The tags of an `Accept-Language` header, by weight (`q`), best first; `q=0` refuses.
pub fn accept_language(header: &str) -> Vec<String> {
    let mut tags: Vec<(String, u16)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), |q| q.trim().parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16))?;
            (!tag.is_empty() && tag != "*" && q > 0).then(|| (tag.to_string(), q))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    tags.sort_by_key(|t| std::cmp::Reverse(t.1));
    tags.into_iter().map(|(tag, _)| tag).collect()
}

/// Provides the language to the page (see the module's note) and writes it in
/// `<html lang>`, where the browser reads it back when hydrating.
#[component]
pub fn LanguageProvider(children: Children) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let header = {
        let headers = use_context::<http::request::Parts>().map(|p| p.headers).unwrap_or_default();
        let langs = preferred(&headers).join(",");
        leptos_i18n::context::UseLocalesOptions::default().ssr_lang_header_getter(move || Some(langs.clone()))
    };
    #[cfg(not(feature = "ssr"))]
    let header = leptos_i18n::context::UseLocalesOptions::default();
    // Not the crate's `I18nContextProvider`: it adds an empty inline script to every page,
    // which the Content-Security-Policy would refuse.
    let options = leptos_i18n::context::I18nContextOptions::default().ssr_lang_header_getter(header);
    // The context's one effect would write a language cookie (turned off here); on the server
    // it could run after the request's reactive values are gone, and panic. Its owner is
    // paused there once the context is made (pausing reaches the owners made under it; one
    // made later under a paused owner would not inherit it), and kept for the page's lifetime.
    #[cfg(feature = "ssr")]
    let i18n = {
        let owner = Owner::new();
        let i18n = owner.with(|| leptos_i18n::context::init_i18n_context_with_options::<Locale>(options));
        owner.pause();
        on_cleanup(move || drop(owner));
        i18n
    };
    #[cfg(not(feature = "ssr"))]
    let i18n = leptos_i18n::context::init_i18n_context_with_options::<Locale>(options);
    provide_context(i18n);
    view! {
        {children()}
        <leptos_meta::Html attr:lang=move || code(i18n.get_locale()) attr:dir="ltr" />
    }
}

/// The header's language switch: links to this page in the other language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let here = leptos_router::hooks::use_location();
    // This page, as it is when the link is followed (it may have moved on since rendering).
    let next = move || {
        let (path, search) = (here.pathname.get(), here.search.get());
        let next = if search.is_empty() { path } else { format!("{path}?{search}") };
        crate::domain::text::percent_encode(&next)
    };
    let current = current();
    let link = move |locale: Locale, name: &'static str| {
        let active = locale == current;
        let code = code(locale);
        view! {
            // A page load (not the router): the server sets the cookie and renders anew.
            <a href=move || format!("/language/{code}?next={}", next()) rel="external" lang=code hreflang=code
                aria-current=active.then_some("true") class:active=active>{name}</a>
        }
    };
    view! {
        <nav class="language" aria-label=t_string!(use_i18n(), common.language)>
            {link(Locale::en, "EN")}
            {link(Locale::ru, "RU")}
        </nav>
    }
}

/// `2026-11-26 23:05 UTC` in English, `26.11.2026 23:05 UTC` in Russian.
pub fn datetime(ms: i64) -> String {
    use crate::domain::time::civil;
    let (y, m, d, hh, mm, _) = civil(ms);
    match current() {
        Locale::en => format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC"),
        Locale::ru => format!("{d:02}.{m:02}.{y:04} {hh:02}:{mm:02} UTC"),
    }
}

/// `2026-11-26` in English, `26.11.2026` in Russian.
pub fn date(ms: i64) -> String {
    use crate::domain::time::civil;
    let (y, m, d, ..) = civil(ms);
    match current() {
        Locale::en => format!("{y:04}-{m:02}-{d:02}"),
        Locale::ru => format!("{d:02}.{m:02}.{y:04}"),
    }
}

/// A whole number with the language's digit grouping: `12,345` / `12 345`.
pub fn number(n: i64) -> String {
    number_in(current(), n)
}

pub fn number_in(locale: Locale, n: i64) -> String {
    let separator = match locale {
        Locale::en => ",",
        Locale::ru => "\u{a0}",
    };
    crate::domain::text::digits_with(n, separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_orders_by_weight() {
        assert_eq!(accept_language("en-US,en;q=0.9,ru;q=0.95"), ["en-US", "ru", "en"]);
        assert_eq!(accept_language("ru-RU, ru;q=0.9, en;q=0"), ["ru-RU", "ru"]);
        assert_eq!(accept_language("*;q=0.5, de"), ["de"]);
        assert!(accept_language("").is_empty());
        assert_eq!(accept_language("fr;q=abc, ru"), ["ru"]);
    }
}
