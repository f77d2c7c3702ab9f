//! Loading, empty, error and not-found states, the same everywhere.

use crate::error::AppError;
use crate::lang::{t, t_string, td_string, use_i18n, Locale};
use leptos::prelude::*;

/// A spinner and what is loading ("Loading…" unless told).
#[component]
pub fn Loading(#[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    let label = label.unwrap_or_else(|| t_string!(i18n, common.state_loading));
    view! {
        <p class="state state-loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </p>
    }
}

#[component]
pub fn Empty(#[prop(into)] message: String) -> impl IntoView {
    view! { <p class="state state-empty">{message}</p> }
}

/// Shows an error; a lost session sends the browser to the sign-in page and back.
#[component]
pub fn ErrorState(error: AppError) -> impl IntoView {
    if error == AppError::Unauthorized {
        Effect::new(move |_| {
            let next = super::dom::current_path();
            super::dom::hard_navigate(&format!("/login?next={}", super::url::encode(&next)));
        });
    }
    let i18n = use_i18n();
    let title = match &error {
        AppError::NotFound => t_string!(i18n, common.state_not_found),
        AppError::Forbidden | AppError::ForbiddenWhy(_) => t_string!(i18n, common.state_forbidden),
        AppError::Unauthorized => t_string!(i18n, common.state_session_ended),
        _ => t_string!(i18n, common.state_failed),
    };
    view! {
        <div class="state state-error" role="alert">
            <strong>{title}</strong>
            <span>{error.message()}</span>
        </div>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <main class="page narrow">
            <h1>{t!(i18n, common.not_found_title)}</h1>
            <p>{t!(i18n, common.not_found_text)}</p>
            <p><a href="/users">{t!(i18n, common.not_found_link)}</a></p>
        </main>
    }
}

/// The page a "Log in as User" link answers when it cannot be used (the server sends it
/// without the app around it), in `locale`: why (`error`, else the link has expired or
/// was used) and what to do.
pub fn link_refused_page(locale: Locale, error: Option<&AppError>) -> String {
    let why = match error {
        Some(e) => escape(&e.message_in(locale)),
        None => td_string!(locale, common.link_refused_expired).to_string(),
    };
    let button = format!("<strong>{}</strong>", td_string!(locale, common.link_refused_button));
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main class=\"page narrow\">\
         <h1>{heading}</h1><p>{why}</p><p>{advice}</p>\
         </main></body></html>",
        lang = crate::lang::code(locale),
        title = td_string!(locale, common.link_refused_title),
        heading = td_string!(locale, common.link_refused_heading),
        advice = td_string!(locale, common.link_refused_advice, button = button),
    )
}

/// Text made safe to place in HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refused_link_page_speaks_the_language_asked() {
        let en = link_refused_page(Locale::en, None);
        assert!(en.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{en}");
        assert!(en.contains("<title>Link not valid</title>") && en.contains("<h1>This link cannot be used</h1>"));
        assert!(en.contains("choose <strong>Log in as User</strong> again."), "{en}");
        let ru = link_refused_page(Locale::ru, Some(&AppError::NotFound));
        assert!(ru.contains("<html lang=\"ru\">") && ru.contains("<p>Не найдено.</p>"), "{ru}");
        assert!(ru.contains("<strong>Войти как пользователь</strong>"), "{ru}");
        let carried = link_refused_page(Locale::en, Some(&AppError::Invalid("<b>".into())));
        assert!(carried.contains("<p>&lt;b&gt;</p>"), "{carried}");
    }
}
