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

/// A checkbox per camera (id, name); `selected` holds the ids ticked.
#[component]
pub fn CameraChecks(
    cameras: Vec<(i64, String)>,
    selected: RwSignal<std::collections::BTreeSet<i64>>,
    /// Makes the checkboxes' ids unique on the page.
    id_prefix: &'static str,
) -> impl IntoView {
    cameras
        .into_iter()
        .map(|(cam, cam_name)| {
            let input_id = format!("{id_prefix}-{cam}");
            view! {
                <div class="check">
                    <input type="checkbox" id=input_id.clone() prop:checked=move || selected.with(|c| c.contains(&cam))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|c| { if on { c.insert(cam); } else { c.remove(&cam); } });
                        } />
                    <label for=input_id>{cam_name}</label>
                </div>
            }
        })
        .collect_view()
}

/// The login and password fields of a sign-in form, its error and its button.
#[component]
pub fn SignInFields(#[prop(into)] pending: Signal<bool>, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <label for="login">"Login"</label>
        <input id="login" name="login" type="text" autocomplete="username" required autofocus />
        <label for="password">"Password"</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        <button type="submit" class="button primary wide" disabled=pending>
            {move || if pending.get() { "Signing in…" } else { "Sign in" }}
        </button>
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
