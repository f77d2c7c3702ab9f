//! `/login`: administrator sign-in.

use crate::components::dom::hard_navigate;
use crate::components::form::{sign_in_error_message, SignInCard, SignInFields};
use crate::error::AppError;
use crate::lang::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Signs in; answers the page to go to. Posted before the page's script loaded, it sends
/// the browser there itself (or back to the form with the reason).
#[server(prefix = "/api/console", endpoint = "sign_in")]
pub async fn sign_in(login: String, password: String, next: Option<String>) -> Result<String, AppError> {
    use crate::backend::auth::plain_form_post;
    use crate::components::form::sign_in_error_code;
    use crate::components::url::encode;
    use crate::domain::redirect::safe_next;
    let target = safe_next(next.as_deref().unwrap_or("/users"));
    let result = authenticate(login, password, target.clone()).await;
    if plain_form_post() {
        let to = match &result {
            Ok(to) => to.clone(),
            Err(e) => format!("/login?next={}&error={}", encode(&target), sign_in_error_code(e)),
        };
        leptos_axum::redirect(&to);
        return Ok(to);
    }
    crate::backend::respond(async { result }).await
}

#[cfg(feature = "ssr")]
async fn authenticate(login: String, password: String, target: String) -> Result<String, AppError> {
    use crate::backend::auth::{create_admin_session, expiry, send_cookie, set_cookie, ADMIN_COOKIE};
    use crate::backend::sign_in::{check, request_addr, Checked, Realm};
    use crate::backend::{audit, state::app_state};
    let state = app_state()?;
    let db = &state.db;
    let now = state.clock.now_ms();
    let login = login.trim().to_string();
    if login.is_empty() || password.is_empty() {
        let message = crate::lang::td_string!(crate::lang::current(), common.sign_in_missing);
        return Err(AppError::Invalid(message.into()));
    }
    let addr = request_addr(&state);
    let checked = check(&state, Realm::Admin, &login, password, addr).await?;
    // What was typed as a login is kept only when it is one: a password typed into the
    // login field must not land in the audit log.
    let (action, id, label) = match checked {
        Checked::Valid(id) => ("admin.sign_in", Some(id), login.as_str()),
        Checked::WrongPassword(id) => ("admin.sign_in_failed", Some(id), login.as_str()),
        Checked::UnknownLogin => ("admin.sign_in_failed", None, "(unknown login)"),
    };
    let entry = audit::Entry {
        actor_kind: "admin",
        actor_id: id,
        actor_login: label,
        impersonator_id: None,
        action,
        target_kind: "admin",
        target_id: id,
        target_label: label,
        user_id: None,
        details: serde_json::json!({"address": addr.map(|a| a.to_string())}),
    };
    let _turn = db.write_turn().await;
    audit::record_db(db, now, entry).await?;
    let Checked::Valid(admin_id) = checked else {
        let message = crate::lang::td_string!(crate::lang::current(), common.sign_in_wrong);
        return Err(AppError::Invalid(message.into()));
    };
    let max = state.config.admin_session_max_ms;
    let token = create_admin_session(db, admin_id, now, max).await?;
    send_cookie(&set_cookie(ADMIN_COOKIE, &token, expiry(now, now, max) - now, state.config.secure_cookies));
    Ok(target)
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let next = move || use_query_map().with(|q| q.get("next")).unwrap_or_else(|| "/users".into());
    Effect::new(move |_| {
        if let Some(Ok(target)) = action.value().get() {
            hard_navigate(&target);
        }
    });
    // The reason of a sign-in posted before the script loaded comes back in the address.
    let returned =
        move || use_query_map().with(|q| q.get("error")).map(|code| sign_in_error_message(&code).to_string());
    let error = move || action.value().get().and_then(Result::err).map(|e| e.message()).or_else(returned);
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, common.sign_in_title) />
        <SignInCard brand=t_string!(i18n, common.product)>
            <ActionForm action>
                <input type="hidden" name="next" value=next />
                <SignInFields pending=action.pending() error=Signal::derive(error) />
            </ActionForm>
        </SignInCard>
    }
}
