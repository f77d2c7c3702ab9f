//! The frame of every console page: the top bar with navigation, the signed-in
//! administrator and sign-out.

use crate::components::dom::hard_navigate;
use crate::domain::admin::{Permission, Role};
use crate::error::AppError;
use crate::lang::{t, t_string, use_i18n};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The console permissions held (all of them for a superadmin).
    pub permissions: Vec<Permission>,
    /// The camera scope: every camera, or these locations and cameras.
    pub scope_all: bool,
    pub scope_csa: Vec<String>,
    pub scope_cameras: Vec<i64>,
}

#[server(prefix = "/api/console", endpoint = "me")]
pub async fn get_me() -> Result<Me, AppError> {
    use crate::backend::{principal::current_admin, respond};
    respond(async move {
        let ctx = current_admin().await?;
        let permissions = ctx.admin.held();
        let mut conn = ctx.db().pool.acquire().await?;
        let spec = crate::backend::admins::load(&mut conn, ctx.admin.id).await?.ok_or(AppError::Unauthorized)?;
        Ok(Me {
            login: ctx.admin.login,
            name: ctx.admin.name,
            role: ctx.admin.role,
            permissions,
            scope_all: ctx.admin.scope_all,
            scope_csa: spec.scope_csa,
            scope_cameras: spec.scope_cameras,
        })
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::backend::audit;
    use crate::backend::auth::{cookie, end_admin_session, send_cookie, set_cookie, ADMIN_COOKIE};
    use crate::backend::principal::current_admin;
    use crate::backend::respond;
    respond(async move {
        let ctx = current_admin().await?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Unauthorized)?;
        if let Some(token) = cookie(&parts.headers, ADMIN_COOKIE) {
            // Ends the Log in as User sessions this session started too.
            end_admin_session(ctx.db(), token, ctx.now()).await?;
        }
        audit::record_db(
            ctx.db(),
            ctx.now(),
            audit::Entry::by_admin(
                &ctx.admin,
                "admin.sign_out",
                ("admin", ctx.admin.id, &ctx.admin.login),
                None,
                serde_json::json!({}),
            ),
        )
        .await?;
        send_cookie(&set_cookie(ADMIN_COOKIE, "", 0, ctx.state.config.secure_cookies));
        if crate::backend::auth::plain_form_post() {
            leptos_axum::redirect("/login");
        }
        Ok(())
    })
    .await
}

#[component]
pub fn ConsoleLayout(children: Children) -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(result) = sign_out.value().get() {
            if result.is_ok() || result == Err(AppError::Unauthorized) {
                hard_navigate("/login");
            }
        }
    });
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, common.skip_to_content)}</a>
        <header class="topbar">
            <a class="brand" href="/users">
                <span class="brand-mark" aria-hidden="true">"◉"</span>
                " "{t!(i18n, common.brand)}
            </a>
            <nav class="mainnav" aria-label=t_string!(i18n, common.nav_main)>
                <a href="/users">{t!(i18n, common.nav_users)}</a>
                <a href="/intercoms">{t!(i18n, common.nav_intercoms)}</a>
                // Links the administrator may follow; the pages check again on the server.
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let me = me.await.ok();
                        let can = |p: Permission| me.as_ref().is_some_and(|m| m.permissions.contains(&p));
                        let (admins, audit) = (can(Permission::AdminsManage), can(Permission::AuditView));
                        view! {
                            {admins.then(|| view! { <a href="/administrators">{t!(i18n, common.nav_administrators)}</a> })}
                            {audit.then(|| view! { <a href="/audit-log">{t!(i18n, common.nav_audit_log)}</a> })}
                        }
                    })}
                </Transition>
            </nav>
            <SearchBox />
            <div class="whoami">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(me) => view! {
                                <span class="admin-name" title=me.role.slug()>{me.login}</span>
                            }.into_any(),
                            Err(e) => view! { <crate::components::states::ErrorState error=e /> }.into_any(),
                        }
                    })}
                </Transition>
                <crate::lang::LanguageSwitch />
                <crate::components::theme::ThemeSwitch />
                <ActionForm action=sign_out attr:class="inline">
                    <button type="submit" class="button secondary small">{t!(i18n, common.sign_out)}</button>
                </ActionForm>
            </div>
        </header>
        <main class="page" id="main" tabindex="-1">{children()}</main>
    }
}

/// The one search box (`/search`); `/` focuses it from anywhere on the page but a field.
#[component]
fn SearchBox() -> impl IntoView {
    let q = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("q")).unwrap_or_default();
    let on_path = leptos_router::hooks::use_location().pathname.get_untracked() == "/search";
    crate::components::dom::focus_on_slash("global-search");
    let i18n = use_i18n();
    view! {
        <form class="global-search" method="get" action="/search" role="search">
            <label for="global-search" class="visually-hidden">{t!(i18n, common.search_label)}</label>
            <input id="global-search" type="search" name="q" value=on_path.then_some(q)
                placeholder=t_string!(i18n, common.search_placeholder) aria-keyshortcuts="/" autocomplete="off" />
        </form>
    }
}

/// The `id` of the page's address (`/users/{id}/…`), if it is a number.
pub fn id_param() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()))
}

/// Loads what the card of `id` shows; an address without a numeric id has no card.
pub async fn card_of<T, Fut>(id: Option<i64>, load: impl FnOnce(i64) -> Fut) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    match id {
        Some(id) => load(id).await,
        None => Err(AppError::NotFound),
    }
}

/// A card page: a breadcrumb back to its list, then the card once loaded, or why not (the
/// page titled `title` then).
#[component]
pub fn CardPage<T, F, V>(
    /// The list the card belongs to: (path, name).
    back: (&'static str, &'static str),
    card: Resource<Result<T, AppError>>,
    title: &'static str,
    body: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    use crate::components::states::{ErrorState, Loading};
    let i18n = use_i18n();
    view! {
        <ConsoleLayout>
            <nav class="breadcrumbs" aria-label=t_string!(i18n, common.breadcrumb)>
                <a href=back.0>{back.1}</a>
            </nav>
            <Transition fallback=|| view! { <Loading /> }>
                {move || {
                    let body = body.clone();
                    Suspend::new(async move {
                        match card.await {
                            Ok(c) => body(c).into_any(),
                            Err(error) => view! { <leptos_meta::Title text=title /><ErrorState error /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </ConsoleLayout>
    }
}
