//! Form pieces shared by the console and the web client: the sign-in card and the foot
//! of every editor form (its error, Cancel and Save).

use crate::error::AppError;
use crate::lang::{t, t_string, td_string, use_i18n, Locale};
use leptos::prelude::*;

#[component]
pub fn FormFooter(
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(into)] pending: Signal<bool>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {move || error.get().map(|e| view! { <p class="notice error" role="alert">{e.message()}</p> })}
        <div class="form-actions">
            <button type="button" class="button secondary" on:click=move |_| on_cancel.run(())>{t!(i18n, common.form_cancel)}</button>
            <button type="submit" class="button primary" disabled=move || pending.get()>
                {move || if pending.get() { t_string!(i18n, common.form_saving) } else { t_string!(i18n, common.form_save) }}
            </button>
        </div>
    }
}

/// The centred card of a sign-in page (console and web client).
#[component]
pub fn SignInCard(brand: &'static str, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="login-page">
            <section class="login-card" aria-labelledby="login-title">
                <div class="brand large"><span class="brand-mark" aria-hidden="true">"◉"</span>{format!(" {brand}")}</div>
                <h1 id="login-title">{t!(i18n, common.sign_in_title)}</h1>
                {children()}
                <crate::lang::LanguageSwitch />
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
    let i18n = use_i18n();
    view! {
        <label for="login">{t!(i18n, common.sign_in_login)}</label>
        <input id="login" name="login" type="text" autocomplete="username" required autofocus />
        <label for="password">{t!(i18n, common.sign_in_password)}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        <button type="submit" class="button primary wide" disabled=pending>
            {move || if pending.get() { t_string!(i18n, common.sign_in_pending) } else { t_string!(i18n, common.sign_in_button) }}
        </button>
    }
}

/// A failed sign-in as a short code, for a sign-in form posted before the page's script
/// loaded: the browser is sent back to the form with `?error=<code>` (a fixed message per
/// code, so the address cannot carry text of someone else's choosing).
pub fn sign_in_error_code(e: &AppError) -> &'static str {
    match e {
        AppError::TooManyAttempts(_) => "throttled",
        AppError::Invalid(m) if is_missing_credentials(m) => "missing",
        AppError::Invalid(_) => "credentials",
        _ => "failed",
    }
}

/// Whether a refusal is `common.sign_in_missing` ("Enter your login and password."), in
/// either language.
fn is_missing_credentials(message: &str) -> bool {
    [Locale::en, Locale::ru].into_iter().any(|l| message == td_string!(l, common.sign_in_missing))
}

/// The message of a code `sign_in_error_code` gave, in the page's language.
pub fn sign_in_error_message(code: &str) -> &'static str {
    let l = crate::lang::current();
    match code {
        "throttled" => td_string!(l, common.sign_in_throttled),
        "missing" => td_string!(l, common.sign_in_missing),
        "credentials" => td_string!(l, common.sign_in_wrong),
        _ => td_string!(l, common.sign_in_failed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_sign_in_comes_back_as_its_code_in_either_language() {
        for l in [Locale::en, Locale::ru] {
            let missing = AppError::Invalid(td_string!(l, common.sign_in_missing).to_string());
            assert_eq!(sign_in_error_code(&missing), "missing");
            let wrong = AppError::Invalid(td_string!(l, common.sign_in_wrong).to_string());
            assert_eq!(sign_in_error_code(&wrong), "credentials");
        }
        assert_eq!(sign_in_error_code(&AppError::TooManyAttempts("…".into())), "throttled");
        assert_eq!(sign_in_error_code(&AppError::Internal), "failed");
        assert_eq!(sign_in_error_message("missing"), "Enter your login and password.");
        assert_eq!(sign_in_error_message("whatever"), "Signing in failed. Please try again.");
    }
}
