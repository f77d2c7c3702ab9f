//! Form pieces shared by the console and the web client: the sign-in card and the foot
//! of every editor form (its error, Cancel and Save).

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn FormFooter(
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(into)] pending: Signal<bool>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        {move || error.get().map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })}
        <div class="form-actions">
            <button type="button" class="button secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            <button type="submit" class="button primary" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { "Save" }}
            </button>
        </div>
    }
}

/// The centred card of a sign-in page (console and web client).
#[component]
pub fn SignInCard(brand: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="login-page">
            <section class="login-card" aria-labelledby="login-title">
                <div class="brand large"><span class="brand-mark" aria-hidden="true">"◉"</span>{format!(" {brand}")}</div>
                <h1 id="login-title">"Sign in"</h1>
                {children()}
            </section>
        </main>
    }
}

/// A failed sign-in as a short code, for a sign-in form posted before the page's script
/// loaded: the browser is sent back to the form with `?error=<code>` (a fixed message per
/// code, so the address cannot carry text of someone else's choosing).
pub fn sign_in_error_code(e: &AppError) -> &'static str {
    match e {
        AppError::TooManyAttempts(_) => "throttled",
        AppError::Invalid(m) if m.starts_with("Enter") => "missing",
        AppError::Invalid(_) => "credentials",
        _ => "failed",
    }
}

pub fn sign_in_error_message(code: &str) -> &'static str {
    match code {
        "throttled" => "Too many sign-in attempts. Wait a minute, then try again.",
        "missing" => "Enter your login and password.",
        "credentials" => "Wrong login or password.",
        _ => "Signing in failed. Please try again.",
    }
}
