//! The frame of every console page: the top bar with navigation, the signed-in
//! administrator and sign-out.

use crate::components::dom::hard_navigate;
use crate::domain::admin::{Permission, Role};
use crate::error::AppError;
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
    view! {
        <header class="topbar">
            <a class="brand" href="/users">
                <span class="brand-mark" aria-hidden="true">"◉"</span>
                " VMS Admin"
            </a>
            <nav class="mainnav" aria-label="Main">
                <a href="/users">"Users"</a>
                <a href="/intercoms">"Intercoms"</a>
                // Links the administrator may follow; the pages check again on the server.
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let me = me.await.ok();
                        let can = |p: Permission| me.as_ref().is_some_and(|m| m.permissions.contains(&p));
                        let (admins, audit) = (can(Permission::AdminsManage), can(Permission::AuditView));
                        view! {
                            {admins.then(|| view! { <a href="/administrators">"Administrators"</a> })}
                            {audit.then(|| view! { <a href="/audit-log">"Audit log"</a> })}
                        }
                    })}
                </Transition>
            </nav>
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
                <ActionForm action=sign_out attr:class="inline">
                    <button type="submit" class="button secondary small">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main class="page">{children()}</main>
    }
}
