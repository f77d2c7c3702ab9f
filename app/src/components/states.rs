//! Loading, empty, error and not-found states, the same everywhere.

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn Loading(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
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
    let title = match &error {
        AppError::NotFound => "Not found",
        AppError::Forbidden | AppError::ForbiddenWhy(_) => "Access denied",
        AppError::Unauthorized => "Session ended",
        _ => "Could not load this",
    };
    view! {
        <div class="state state-error" role="alert">
            <strong>{title}</strong>
            <span>{error.to_string()}</span>
        </div>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p><a href="/users">"Go to the users list"</a></p>
        </main>
    }
}
