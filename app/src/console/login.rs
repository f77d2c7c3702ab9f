//! `/login`: administrator sign-in.

use crate::components::dom::hard_navigate;
use crate::components::form::SignInCard;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Only same-site paths are followed after sign-in.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_string()
    } else {
        "/users".to_string()
    }
}

#[server(prefix = "/api/console", endpoint = "sign_in")]
pub async fn sign_in(login: String, password: String, next: Option<String>) -> Result<String, AppError> {
    use crate::server::auth::{create_admin_session, set_cookie, ADMIN_COOKIE, IDLE_MS};
    use crate::server::{audit, password, respond, state::app_state, throttle};
    respond(async move {
        let state = app_state()?;
        let db = &state.db;
        let now = state.clock.now_ms();
        let login = login.trim().to_string();
        if login.is_empty() || password.is_empty() {
            return Err(AppError::Invalid("Enter your login and password.".into()));
        }
        throttle::check(db, "admin", &login, now).await?;
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, password_hash FROM administrators WHERE login = $1 AND disabled_at IS NULL")
                .bind(&login)
                .fetch_optional(&db.pool)
                .await?;
        let ok = password::verify(password, row.as_ref().map(|(_, h)| h.clone())).await;
        let entry = |action: &'static str, id: Option<i64>| audit::Entry {
            actor_kind: "admin",
            actor_id: id,
            actor_login: &login,
            impersonator_id: None,
            action,
            target_kind: "admin",
            target_id: id,
            target_label: &login,
            user_id: None,
            details: serde_json::json!({}),
        };
        let Some((admin_id, _)) = row.filter(|_| ok) else {
            throttle::record_failure(db, "admin", &login, now).await?;
            audit::record_db(db, now, entry("admin.sign_in_failed", None)).await?;
            return Err(AppError::Invalid("Wrong login or password.".into()));
        };
        throttle::clear(db, "admin", &login).await?;
        let token = create_admin_session(db, admin_id, now).await?;
        audit::record_db(db, now, entry("admin.sign_in", Some(admin_id))).await?;
        let cookie = set_cookie(ADMIN_COOKIE, &token, IDLE_MS / 1000, state.config.secure_cookies);
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(v) = http::HeaderValue::from_str(&cookie) {
                res.append_header(http::header::SET_COOKIE, v);
            }
        }
        Ok(safe_next(next.as_deref().unwrap_or("/users")))
    })
    .await
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
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <Title text="Sign in" />
        <SignInCard brand="VMS Admin Console">
            <ActionForm action>
                <input type="hidden" name="next" value=next />
                <label for="login">"Login"</label>
                <input id="login" name="login" type="text" autocomplete="username" required autofocus />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                {move || error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                <button type="submit" class="button primary wide" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </SignInCard>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_site() {
        assert_eq!(super::safe_next("/users/3/cameras"), "/users/3/cameras");
        assert_eq!(super::safe_next("//evil.example"), "/users");
        assert_eq!(super::safe_next("https://evil.example"), "/users");
        assert_eq!(super::safe_next("/\\evil"), "/users");
    }
}
