//! `/administrators` (needs `admins-manage`): create, edit, disable and re-enable
//! administrators, reset their passwords; set role, console permissions and camera scope.
//! An `admin` (not superadmin) with `admins-manage` sees and manages only administrators
//! whose permissions and camera scope lie within its own, and hands out nothing it does not
//! hold (`backend::admins::Holder`).

use crate::components::states::{Empty, ErrorState, Loading};
use crate::console::layout::ConsoleLayout;
use crate::domain::admin::{Permission, Role};
use crate::error::AppError;
use crate::lang::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

mod editor;
#[cfg(feature = "ssr")]
mod queries;
mod table;

use editor::AdminEditor;
use table::AdminTable;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminRow {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub scope_all: bool,
    pub scope_csa: Vec<String>,
    pub scope_cameras: Vec<i64>,
    pub disabled: bool,
    pub created_at: i64,
    /// The signed-in administrator's own row.
    pub is_me: bool,
}

/// The editable part of an administrator, as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AdminForm {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub scope_all: bool,
    /// CSA codes, separated by spaces, commas or new lines.
    pub scope_csa: String,
    /// Camera IDs, separated by spaces, commas or new lines.
    pub scope_cameras: String,
}

#[cfg(feature = "ssr")]
mod rules {
    use super::AdminForm;
    use crate::backend::admins::AdminSpec;
    use crate::error::AppError;

    pub fn spec(form: AdminForm) -> Result<AdminSpec, AppError> {
        let words =
            |s: &str| s.split([' ', ',', '\n', '\r', '\t']).filter(|w| !w.is_empty()).map(str::to_string).collect();
        let cameras: Vec<String> = words(&form.scope_cameras);
        let scope_cameras = cameras
            .iter()
            .map(|c| {
                c.parse::<i64>().map_err(|_| {
                    AppError::Invalid(
                        crate::lang::td_string!(crate::lang::current(), admin.error_not_camera_id, value = c)
                            .to_string(),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        AdminSpec {
            login: form.login,
            name: form.name,
            role: form.role,
            permissions: form.permissions,
            scope_all: form.scope_all,
            scope_csa: words(&form.scope_csa),
            scope_cameras,
        }
        .validated()
    }
}

/// The signed-in administrator's own grants, to compare others with.
#[cfg(feature = "ssr")]
async fn own_spec(
    ctx: &crate::backend::principal::Ctx,
    conn: &mut sqlx::AnyConnection,
) -> Result<crate::backend::admins::AdminSpec, AppError> {
    crate::backend::admins::load(conn, ctx.admin.id).await?.ok_or(AppError::Unauthorized)
}

/// Refuses a grant beyond what the signed-in administrator holds (see `Holder::may_grant`).
#[cfg(feature = "ssr")]
async fn may_grant(
    ctx: &crate::backend::principal::Ctx,
    conn: &mut sqlx::AnyConnection,
    spec: &crate::backend::admins::AdminSpec,
) -> Result<(), AppError> {
    let mine = own_spec(ctx, conn).await?;
    crate::backend::admins::Holder { admin: &ctx.admin, spec: &mine }.may_grant(conn, spec).await
}

/// An administrator the signed-in one manages (see `Holder::manages`); others are not found.
#[cfg(feature = "ssr")]
async fn managed(
    ctx: &crate::backend::principal::Ctx,
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<crate::backend::admins::AdminSpec, AppError> {
    use crate::backend::admins::{load, Holder};
    let mine = own_spec(ctx, conn).await?;
    let target = load(conn, id).await?.ok_or(AppError::NotFound)?;
    if id != ctx.admin.id && !(Holder { admin: &ctx.admin, spec: &mine }).manages(conn, &target).await? {
        return Err(AppError::NotFound);
    }
    Ok(target)
}

/// The administrators the signed-in one manages (and itself).
#[server(prefix = "/api/console", endpoint = "admins")]
pub async fn list_admins() -> Result<Vec<AdminRow>, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move { managed_admins(&require(Permission::AdminsManage).await?).await }).await
}

/// The administrators `ctx`'s manages (and itself), by login: the list and its export.
#[cfg(feature = "ssr")]
pub async fn managed_admins(ctx: &crate::backend::principal::Ctx) -> Result<Vec<AdminRow>, AppError> {
    use crate::backend::admins::{self, Holder};
    let mut conn = ctx.db().pool.acquire().await?;
    let mine = own_spec(ctx, &mut conn).await?;
    let holder = Holder { admin: &ctx.admin, spec: &mine };
    let rows = queries::all(&mut conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for queries::Listed { id, disabled_at, created_at } in rows {
        let Some(a) = admins::load(&mut conn, id).await? else { continue };
        if id != ctx.admin.id && !holder.manages(&mut conn, &a).await? {
            continue;
        }
        out.push(AdminRow {
            id,
            login: a.login,
            name: a.name,
            role: a.role,
            permissions: a.permissions,
            scope_all: a.scope_all,
            scope_csa: a.scope_csa,
            scope_cameras: a.scope_cameras,
            disabled: disabled_at.is_some(),
            created_at,
            is_me: id == ctx.admin.id,
        });
    }
    Ok(out)
}

/// Creates an administrator with at most what the signed-in one holds.
#[server(prefix = "/api/console", endpoint = "create_admin", input = Json)]
pub async fn create_admin(form: AdminForm, password: String) -> Result<i64, AppError> {
    use crate::backend::admins;
    use crate::backend::{audit, password as pw, require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::AdminsManage).await?;
        let spec = rules::spec(form)?;
        admins::check_password(&password)?;
        // Checked before the argon2 work, and again in the transaction (the grants of the
        // signed-in administrator may change meanwhile).
        may_grant(&ctx, &mut *ctx.db().pool.acquire().await?, &spec).await?;
        let hash = pw::hash(password).await?;
        let mut tx = ctx.db().pool.begin().await?;
        may_grant(&ctx, &mut tx, &spec).await?;
        let id = admins::insert(&mut tx, &spec, &hash, ctx.now()).await?;
        audit::record(&mut *tx, ctx.now(), admin_entry(&ctx, "admin.create", id, &spec.login, describe(None, &spec)))
            .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Changes an administrator the signed-in one manages, within what it holds. A change of
/// grants ends the Log in as User sessions the administrator has open.
#[server(prefix = "/api/console", endpoint = "update_admin", input = Json)]
pub async fn update_admin(id: i64, form: AdminForm) -> Result<(), AppError> {
    use crate::backend::admins;
    use crate::backend::{audit, changes, require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::AdminsManage).await?;
        let spec = rules::spec(form)?;
        let now = ctx.now();
        let mut tx = ctx.db().pool.begin().await?;
        let before = managed(&ctx, &mut tx, id).await?;
        may_grant(&ctx, &mut tx, &spec).await?;
        let grants = |a: &admins::AdminSpec| {
            (a.role, a.permissions.clone(), a.scope_all, a.scope_csa.clone(), a.scope_cameras.clone())
        };
        let regranted = grants(&spec) != grants(&before);
        if id == ctx.admin.id && regranted {
            return Err(AppError::Invalid(
                crate::lang::td_string!(crate::lang::current(), admin.error_own_grants).to_string(),
            ));
        }
        admins::update(&mut tx, id, &spec, now).await?;
        let ended = if regranted {
            crate::backend::client::end_impersonations(
                &mut tx,
                crate::backend::client::Started::ByAdmin(id),
                "administrator_changed",
                now,
            )
            .await?
        } else {
            vec![]
        };
        audit::record(
            &mut *tx,
            now,
            admin_entry(&ctx, "admin.update", id, &spec.login, describe(Some(&before), &spec)),
        )
        .await?;
        tx.commit().await?;
        changes::wake(&ended);
        Ok(())
    })
    .await
}

/// Disables (ending their sessions at once) or re-enables an administrator.
#[server(prefix = "/api/console", endpoint = "set_admin_disabled")]
pub async fn set_admin_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::backend::{admins, audit, changes, require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::AdminsManage).await?;
        if id == ctx.admin.id {
            return Err(AppError::Invalid(
                crate::lang::td_string!(crate::lang::current(), admin.error_disable_self).to_string(),
            ));
        }
        let now = ctx.now();
        let mut tx = ctx.db().pool.begin().await?;
        let before = managed(&ctx, &mut tx, id).await?;
        queries::set_disabled(&mut tx, id, disabled.then_some(now), now).await?;
        let ended =
            if disabled { admins::end_sessions(&mut tx, id, "administrator_disabled", now).await? } else { vec![] };
        let action = if disabled { "admin.disable" } else { "admin.enable" };
        audit::record(&mut *tx, now, admin_entry(&ctx, action, id, &before.login, serde_json::json!({}))).await?;
        tx.commit().await?;
        changes::wake(&ended);
        Ok(())
    })
    .await
}

/// Sets a new password and ends the administrator's sessions.
#[server(prefix = "/api/console", endpoint = "reset_admin_password", input = Json)]
pub async fn reset_admin_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::backend::{admins, audit, changes, password as pw, require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::AdminsManage).await?;
        admins::check_password(&password)?;
        {
            let mut conn = ctx.db().pool.acquire().await?;
            managed(&ctx, &mut conn, id).await?;
        }
        let hash = pw::hash(password).await?;
        let now = ctx.now();
        let mut tx = ctx.db().pool.begin().await?;
        let before = managed(&ctx, &mut tx, id).await?;
        queries::set_password_hash(&mut tx, id, &hash, now).await?;
        let ended = admins::end_sessions(&mut tx, id, "password_reset", now).await?;
        audit::record(
            &mut *tx,
            now,
            admin_entry(&ctx, "admin.password_reset", id, &before.login, serde_json::json!({})),
        )
        .await?;
        tx.commit().await?;
        changes::wake(&ended);
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
fn admin_entry<'a>(
    ctx: &'a crate::backend::principal::Ctx,
    action: &'a str,
    id: i64,
    login: &'a str,
    details: serde_json::Value,
) -> crate::backend::audit::Entry<'a> {
    crate::backend::audit::Entry::by_admin(&ctx.admin, action, ("admin", id, login), None, details)
}

/// The audit details of an administrator change: each field that changed, before → after.
#[cfg(feature = "ssr")]
fn describe(
    before: Option<&crate::backend::admins::AdminSpec>,
    after: &crate::backend::admins::AdminSpec,
) -> serde_json::Value {
    let fields = |a: &crate::backend::admins::AdminSpec| {
        serde_json::json!({
            "login": a.login, "name": a.name, "role": a.role, "permissions": a.permissions,
            "scope_all": a.scope_all, "scope_csa": a.scope_csa, "scope_cameras": a.scope_cameras,
        })
    };
    let after = fields(after);
    let Some(before) = before.map(fields) else { return after };
    let mut diff = serde_json::Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (k, v) in a {
            if b.get(k) != Some(v) {
                diff.insert(k.clone(), serde_json::json!({"before": b.get(k), "after": v}));
            }
        }
    }
    serde_json::Value::Object(diff)
}

#[component]
pub fn AdministratorsPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    // The administrators the signed-in one manages, and what it holds itself (the editor
    // offers no more).
    let admins = Resource::new(
        move || reload.get(),
        |_| async move { Ok::<_, AppError>((list_admins().await?, crate::console::layout::get_me().await?)) },
    );
    // `None`: no form open; `Some(None)`: creating; `Some(Some(row))`: editing.
    let editing = RwSignal::new(None::<Option<AdminRow>>);
    let notice = RwSignal::new(None::<String>);
    let on_done = Callback::new(move |msg: Option<String>| {
        editing.set(None);
        if let Some(m) = msg {
            notice.set(Some(m));
            reload.update(|n| *n += 1);
        }
    });
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, admin.list_title) />
        <ConsoleLayout>
            <div class="page-head">
                <h1>{t!(i18n, admin.list_title)}</h1>
                <button type="button" class="button primary" on:click=move |_| { notice.set(None); editing.set(Some(None)); }>
                    {t!(i18n, admin.list_new)}
                </button>
            </div>
            {move || notice.get().map(|n| view! { <p class="notice ok" role="status">{n}</p> })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match admins.await {
                        Ok((rows, me)) => view! {
                            {move || editing.get().map(|row| view! { <AdminEditor row me=me.clone() on_done /> })}
                            {if rows.is_empty() {
                                view! { <Empty message=t_string!(i18n, admin.list_empty) /> }.into_any()
                            } else {
                                view! {
                                    <crate::components::list::ExportLinks path="/administrators/export" />
                                    <AdminTable rows editing notice reload />
                                }.into_any()
                            }}
                        }.into_any(),
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ConsoleLayout>
    }
}

#[cfg(feature = "ssr")]
impl crate::domain::export::Record for AdminRow {
    const COLUMNS: &'static [&'static str] =
        &["ID", "Login", "Name", "Role", "Permissions", "Camera scope", "Status", "Created at"];
    fn cells(&self) -> Vec<String> {
        let permissions = match self.role {
            crate::domain::admin::Role::Superadmin => "all".to_string(),
            _ => self.permissions.iter().map(|p| p.slug()).collect::<Vec<_>>().join(" "),
        };
        vec![
            self.id.to_string(),
            self.login.clone(),
            self.name.clone(),
            self.role.slug().to_string(),
            permissions,
            // The export stays in English, as its headers (a machine format).
            table::scope_text(self, crate::lang::Locale::en),
            if self.disabled { "disabled" } else { "active" }.to_string(),
            crate::domain::time::format_rfc3339(self.created_at),
        ]
    }
}
