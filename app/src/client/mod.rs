//! The web client for users and sub-users (SPEC §7): `/client/login`; `/client`, the
//! cameras of the user's environment with status and locked state, updated live from the
//! environment's event stream; `/client/sub-users` and `/client/analytics`. An
//! administrator's "Log in as User" session shows a banner naming the administrator, with an
//! End button.

pub mod analytics;
pub mod sub_users;

use crate::components::dom::hard_navigate;
use crate::components::form::{SignInCard, SignInFields};
use crate::error::AppError;
use crate::lang::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientCamera {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub locked: bool,
}

/// Who is signed in, for the frame of every client page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub login: String,
    /// The account's status: `active` or `paused`.
    pub status: String,
    /// The administrator's login while impersonating.
    pub impersonator: Option<String>,
    /// Whether the Sub-users page is offered (`subusers-manage` effective; never for sub-users).
    pub manages_sub_users: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientView {
    pub status: String,
    pub version: i64,
    pub cameras: Vec<ClientCamera>,
}

/// The user or sub-user of a web client request; `Unauthorized` without a live session.
#[cfg(feature = "ssr")]
pub async fn current_user() -> Result<(crate::backend::AppState, crate::backend::client::ClientUser, String), AppError>
{
    use crate::backend::client::{request_token, session_user};
    let state = crate::backend::state::app_state()?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Unauthorized)?;
    let token = request_token(&parts.headers).ok_or(AppError::Unauthorized)?.to_string();
    let user = session_user(&state, &token).await?.ok_or(AppError::Unauthorized)?;
    Ok((state, user, token))
}

/// Signs a user or sub-user in to the web client. Posted before the page's script loaded,
/// it sends the browser on itself (or back to the form with the reason).
#[server(prefix = "/api/client", endpoint = "sign_in")]
pub async fn client_sign_in(login: String, password: String) -> Result<(), AppError> {
    use crate::backend::auth::plain_form_post;
    use crate::components::form::sign_in_error_code;
    let result = open_client_session(login, password).await;
    if plain_form_post() {
        let to = match &result {
            Ok(()) => "/client".to_string(),
            Err(e) => format!("/client/login?error={}", sign_in_error_code(e)),
        };
        leptos_axum::redirect(&to);
        return Ok(());
    }
    crate::backend::respond(async { result }).await
}

#[cfg(feature = "ssr")]
async fn open_client_session(login: String, password: String) -> Result<(), AppError> {
    use crate::backend::auth::{send_cookie, set_cookie};
    use crate::backend::client::{create_session, USER_COOKIE};
    use crate::backend::sign_in::{check, request_addr, Checked, Realm};
    use crate::backend::state::app_state;
    use crate::lang::{current, td_string};
    {
        let state = app_state()?;
        let login = login.trim().to_string();
        if login.is_empty() || password.is_empty() {
            return Err(AppError::Invalid(td_string!(current(), common.sign_in_missing).into()));
        }
        let Checked::Valid(user) = check(&state, Realm::User, &login, password, request_addr(&state)).await? else {
            return Err(AppError::Invalid(td_string!(current(), common.sign_in_wrong).into()));
        };
        let (token, expires) = {
            let _turn = state.db.write_turn().await;
            create_session(&state, user, None).await?
        };
        send_cookie(&set_cookie(USER_COOKIE, &token, expires - state.clock.now_ms(), state.config.secure_cookies));
        Ok(())
    }
}

#[server(prefix = "/api/client", endpoint = "home")]
pub async fn client_home() -> Result<ClientView, AppError> {
    use crate::backend::client::client_environment;
    use crate::backend::respond;
    respond(async move {
        let (state, u, _) = current_user().await?;
        let mut conn = state.db.pool.acquire().await?;
        let env = client_environment(&mut conn, &u, state.clock.now_ms()).await?.ok_or(AppError::Unauthorized)?;
        let cameras = env["cameras"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some(ClientCamera {
                    id: c["id"].as_i64()?,
                    name: c["name"].as_str().unwrap_or_default().to_string(),
                    status: c["status"].as_str().unwrap_or_default().to_string(),
                    locked: c["locked"].as_bool().unwrap_or(false),
                })
            })
            .collect();
        Ok(ClientView { status: u.status, version: env["version"].as_i64().unwrap_or(0), cameras })
    })
    .await
}

#[server(prefix = "/api/client", endpoint = "me")]
pub async fn client_me() -> Result<SignedInUser, AppError> {
    use crate::backend::{environment, respond};
    use crate::domain::permissions::SUBUSERS_MANAGE;
    respond(async move {
        let (state, u, _) = current_user().await?;
        let mut conn = state.db.pool.acquire().await?;
        let manages = !u.is_sub_user
            && environment::effective_slugs(&mut conn, u.id, None).await?.iter().any(|s| s == SUBUSERS_MANAGE);
        Ok(SignedInUser {
            login: u.login,
            status: u.status,
            impersonator: u.impersonator.map(|(_, login)| login),
            manages_sub_users: manages,
        })
    })
    .await
}

/// Ends the web client session (an impersonation ends and is audited).
#[server(prefix = "/api/client", endpoint = "sign_out")]
pub async fn client_sign_out() -> Result<(), AppError> {
    use crate::backend::auth::{send_cookie, set_cookie};
    use crate::backend::client::{end_session, USER_COOKIE};
    use crate::backend::{audit, changes, respond};
    respond(async move {
        let (state, u, token) = current_user().await?;
        end_session(&state.db, &token).await?;
        changes::wake(&[u.id]);
        if let Some((admin_id, admin_login)) = &u.impersonator {
            let entry = audit::Entry {
                actor_kind: "admin",
                actor_id: Some(*admin_id),
                actor_login: admin_login,
                impersonator_id: Some(*admin_id),
                action: "user.impersonate_end",
                target_kind: "user",
                target_id: Some(u.id),
                target_label: &u.login,
                user_id: Some(u.account),
                details: serde_json::json!({"reason": "ended"}),
            };
            audit::record_db(&state.db, state.clock.now_ms(), entry).await?;
        }
        send_cookie(&set_cookie(USER_COOKIE, "", 0, state.config.secure_cookies));
        Ok(())
    })
    .await
}

#[component]
pub fn ClientLoginPage() -> impl IntoView {
    let action = ServerAction::<ClientSignIn>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            hard_navigate("/client");
        }
    });
    let returned = move || {
        leptos_router::hooks::use_query_map()
            .with(|q| q.get("error"))
            .map(|code| crate::components::form::sign_in_error_message(&code).to_string())
    };
    let error = move || action.value().get().and_then(Result::err).map(|e| e.message()).or_else(returned);
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, client.signin_title) />
        <SignInCard brand=t_string!(i18n, client.brand)>
            <ActionForm action>
                <SignInFields pending=action.pending() error=Signal::derive(error) />
            </ActionForm>
        </SignInCard>
    }
}

/// Refetches `home` whenever the environment's event stream reports a new version.
fn follow_environment(reload: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Ok(source) = web_sys::EventSource::new("/api/client/v1/environment/events") else { return };
        let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| reload.update(|n| *n += 1));
        let _ = source.add_event_listener_with_callback("environment", on_change.as_ref().unchecked_ref());
        on_change.forget();
        on_cleanup(move || source.close());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = reload;
}

/// The frame of every signed-in client page: the impersonation banner, the top bar with
/// navigation and sign-out. Without a session it goes to the sign-in page.
#[component]
pub fn ClientLayout(children: ChildrenFn) -> impl IntoView {
    let me = Resource::new(|| (), |_| client_me());
    let sign_out = Action::new(|_: &()| client_sign_out());
    Effect::new(move |_| {
        if sign_out.value().get().is_some() {
            hard_navigate("/client/login");
        }
    });
    let children = StoredValue::new(children);
    let i18n = use_i18n();
    view! {
        <Transition fallback=|| view! { <crate::components::states::Loading /> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(me) => {
                        let impersonated = me.impersonator.is_some();
                        view! {
                            {me.impersonator.clone().map(|admin| view! {
                                <div class="impersonation-banner" role="region" aria-label=t_string!(i18n, client.impersonation_label)>
                                    <span>{t_string!(i18n, client.impersonation_banner, admin = admin, login = me.login.clone()).to_string()}</span>
                                    <button type="button" class="button small" on:click=move |_| { sign_out.dispatch(()); }>{t!(i18n, client.impersonation_end)}</button>
                                </div>
                            })}
                            <a class="skip-link" href="#main">{t!(i18n, common.skip_to_content)}</a>
                            <header class="topbar client">
                                <a class="brand" href="/client"><span class="brand-mark" aria-hidden="true">"◉"</span>" "{t!(i18n, client.brand)}</a>
                                <nav class="mainnav" aria-label=t_string!(i18n, common.nav_main)>
                                    <a href="/client">{t!(i18n, client.nav_cameras)}</a>
                                    {me.manages_sub_users.then(|| view! { <a href="/client/sub-users">{t!(i18n, client.nav_sub_users)}</a> })}
                                    <a href="/client/analytics">{t!(i18n, client.nav_analytics)}</a>
                                </nav>
                                <div class="whoami">
                                    <span class="admin-name">{me.login.clone()}</span>
                                    <crate::lang::LanguageSwitch />
                                    <crate::components::theme::ThemeSwitch />
                                    {(!impersonated).then(|| view! {
                                        <button type="button" class="button secondary small" on:click=move |_| { sign_out.dispatch(()); }>{t!(i18n, common.sign_out)}</button>
                                    })}
                                </div>
                            </header>
                            <main class="page" id="main" tabindex="-1">{children.with_value(|c| c())}</main>
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => {
                        hard_navigate("/client/login");
                        view! { <p class="state">{t!(i18n, client.session_ended)}</p> }.into_any()
                    }
                    Err(error) => view! { <crate::components::states::ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ClientHomePage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let home = Resource::new(move || reload.get(), |_| client_home());
    follow_environment(reload);
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, client.brand) />
        <ClientLayout>
            <h1>{t!(i18n, client.home_heading)}</h1>
            <Transition fallback=|| view! { <crate::components::states::Loading /> }>
                {move || Suspend::new(async move {
                    match home.await {
                        Ok(h) => {
                            let empty = h.cameras.is_empty();
                            view! {
                            // Live: the list is fetched again whenever the environment changes.
                            {(h.status == "paused").then(|| view! {
                                <p class="notice error" role="status">{t!(i18n, client.home_paused)}</p>
                            })}
                            {empty.then(|| view! { <p class="state state-empty">{t!(i18n, client.home_empty)}</p> })}
                            <ul class="camera-grid" aria-label=t_string!(i18n, client.home_cameras_label) class:hidden=empty>
                                {h.cameras.into_iter().map(|c| {
                                    let badge = format!("badge camera-{}", c.status.replace(' ', "-"));
                                    view! {
                                        <li class="camera-tile" class:locked=c.locked>
                                            <strong>{c.name.clone()}</strong>
                                            <span class=badge>{status_text(&c.status)}</span>
                                            {c.locked.then(|| view! { <span class="badge status-deleted">{t!(i18n, client.home_locked)}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            }.into_any()
                        }
                        Err(error) => view! { <crate::components::states::ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ClientLayout>
    }
}

/// A camera's status as the environment writes it (`partially active`), in the page's
/// language; an unknown one as it is.
fn status_text(status: &str) -> String {
    use crate::domain::camera::CameraStatus;
    let known = [CameraStatus::Empty, CameraStatus::Active, CameraStatus::PartiallyActive, CameraStatus::Inactive];
    known
        .into_iter()
        .find(|s| s.label() == status)
        .map_or_else(|| status.to_string(), |s| crate::lang::labels::camera_status(s).to_string())
}
