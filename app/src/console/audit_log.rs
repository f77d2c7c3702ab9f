//! `/audit-log` (needs `audit-view`): who did what to whom and when, newest first;
//! filter by actor, target and action; keyset pages.

use crate::components::list::{Column, ListView};
use crate::components::pager::Counted;
use crate::console::layout::ConsoleLayout;
use crate::domain::audit::ACTIONS;
use crate::domain::page::Page;
use crate::error::AppError;
use crate::lang::{t, t_string, td_string, use_i18n, Locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_login: String,
    /// The administrator acting as the user (Log in as User), if any.
    pub impersonator: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub target_label: String,
    pub details: String,
    /// Parts of the details lie outside the signed-in administrator's scope and are left out.
    #[cfg_attr(feature = "ssr", sqlx(default))]
    pub hidden: bool,
    /// The subscriber the entry is about (for targets inside a user card).
    pub user_id: Option<i64>,
}

impl AuditRow {
    /// The administrator who acted, if one did (not while logged in as a user: that is the
    /// user's action).
    pub fn admin_actor(&self) -> Option<i64> {
        (self.actor_kind == "admin").then_some(self.actor_id).flatten()
    }

    /// The administrator the entry is about, if any.
    pub fn admin_target(&self) -> Option<i64> {
        (self.target_kind == "admin").then_some(self.target_id).flatten()
    }

    /// The card of what the entry names, if it has one.
    pub fn card(&self) -> Option<String> {
        let id = self.target_id?;
        Some(match self.target_kind.as_str() {
            "user" => format!("/users/{id}/user"),
            "sub-user" => format!("/users/{}/sub-users?edit={id}", self.user_id?),
            "case" => format!("/users/{}/analytics", self.user_id?),
            "intercom" => format!("/intercoms/{id}/general"),
            "admin" => "/administrators".to_string(),
            _ => return None,
        })
    }
}

/// The log's filters: by actor (login), target (part of its label), action (code).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    pub actor: Option<String>,
    pub target: Option<String>,
    pub action: Option<String>,
}

impl Filters {
    /// An unknown action is an error, not an empty list.
    pub fn check(&self) -> Result<(), AppError> {
        match &self.action {
            Some(action) if !crate::domain::audit::is_action(action) => Err(AppError::Invalid(
                td_string!(crate::lang::current(), admin.audit_unknown_action, action = action).to_string(),
            )),
            _ => Ok(()),
        }
    }
}

#[server(prefix = "/api/console", endpoint = "audit_log")]
pub async fn audit_log(
    actor: Option<String>,
    target: Option<String>,
    action: Option<String>,
    after: Option<String>,
) -> Result<Page<AuditRow>, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::AuditView).await?;
        let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let filters = Filters { actor: given(actor), target: given(target), action: given(action) };
        filters.check()?;
        entries(&ctx, &filters, &crate::domain::page::Window::page(after)).await
    })
    .await
}

/// The entries matching `filters` in `window`, newest first, as `ctx`'s administrator may
/// read them: the page and the export.
#[cfg(feature = "ssr")]
pub async fn entries(
    ctx: &crate::backend::principal::Ctx,
    filters: &Filters,
    window: &crate::domain::page::Window,
) -> Result<Page<AuditRow>, AppError> {
    use crate::backend::db::like_pattern;
    use crate::backend::sql::Sql;
    use crate::domain::page::Cursor;
    let mut filter = Sql::new(" WHERE 1 = 1");
    if let Some(actor) = &filters.actor {
        // An administrator's entries include what they did while logged in as a user.
        filter
            .push(" AND (LOWER(actor_login) = ")
            .bind(actor.to_lowercase())
            .push(" OR impersonator_id IN (SELECT id FROM administrators WHERE LOWER(login) = ")
            .bind(actor.to_lowercase())
            .push("))");
    }
    if let Some(target) = &filters.target {
        filter.push(" AND LOWER(target_label)").like(like_pattern(target));
    }
    if let Some(action) = &filters.action {
        filter.push(" AND action = ").bind(action.as_str());
    }
    let total = if window.counted {
        let mut count = filter.clone();
        count.text = format!("SELECT COUNT(*) FROM audit_entries{}", filter.text);
        let (n,): (i64,) = count.query_as().fetch_one(&ctx.db().pool).await?;
        n
    } else {
        0
    };
    let mut list = filter.clone();
    list.text = format!(
        "SELECT id, at, actor_kind, actor_id, actor_login, \
           (SELECT a.login FROM administrators a WHERE a.id = audit_entries.impersonator_id) AS impersonator, \
           action, target_kind, target_id, target_label, details, user_id FROM audit_entries{}",
        filter.text
    );
    if let Some(c) = window.after.as_deref().and_then(Cursor::decode) {
        list.push(" AND id < ").bind(c.id);
    }
    list.push(&format!(" ORDER BY id DESC LIMIT {}", window.limit()));
    let rows: Vec<AuditRow> = list.query_as().fetch_all(&ctx.db().pool).await?;
    let rows = within_scope(ctx, rows).await?;
    Ok(Page::from_window(rows, total, window, |r: &AuditRow| Cursor { key: String::new(), id: r.id }))
}

/// What an `admin` may read of entries: camera ids and CSA codes outside its scope are left
/// out of the details; administrators it does not manage are not named, and the details of
/// what they did or had done to them are withheld (a sign-in failure by an unknown login
/// included: it carries a client address).
#[cfg(feature = "ssr")]
async fn within_scope(
    ctx: &crate::backend::principal::Ctx,
    mut rows: Vec<AuditRow>,
) -> Result<Vec<AuditRow>, AppError> {
    use crate::backend::admins::{load, Holder};
    use crate::backend::audit::{camera_ids_in, retain_in};
    use std::collections::BTreeMap;
    if ctx.admin.role == crate::domain::admin::Role::Superadmin {
        return Ok(rows);
    }
    let unnamed = td_string!(crate::lang::current(), admin.audit_unnamed);
    let mut conn = ctx.db().pool.acquire().await?;
    let mine = load(&mut conn, ctx.admin.id).await?.ok_or(AppError::Unauthorized)?;
    let holder = Holder { admin: &ctx.admin, spec: &mine };
    let mut managed: BTreeMap<i64, bool> = BTreeMap::from([(ctx.admin.id, true)]);
    let admins: Vec<i64> = rows.iter().flat_map(|r| [r.admin_actor(), r.admin_target()]).flatten().collect();
    for id in admins {
        if let std::collections::btree_map::Entry::Vacant(e) = managed.entry(id) {
            let m = match load(&mut conn, id).await? {
                Some(target) => holder.manages(&mut conn, &target).await?,
                None => false,
            };
            e.insert(m);
        }
    }
    let mut details: Vec<serde_json::Value> =
        rows.iter().map(|r| serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null)).collect();
    let mut ids: Vec<i64> = details.iter().flat_map(camera_ids_in).collect();
    ids.sort_unstable();
    ids.dedup();
    let visible: std::collections::BTreeSet<i64> = if ctx.admin.scope_all {
        ids.into_iter().collect()
    } else {
        crate::backend::scope::covered(&mut conn, ctx.admin.id, &ids).await?
    };
    for (row, details) in rows.iter_mut().zip(details.iter_mut()) {
        let known = |id: Option<i64>| id.is_none_or(|id| managed.get(&id).copied().unwrap_or(false));
        let (actor_ok, target_ok) = (known(row.admin_actor()), known(row.admin_target()));
        let unknown_login = row.action == "admin.sign_in_failed" && row.target_id.is_none();
        if !actor_ok {
            row.actor_login = unnamed.into();
        }
        if !target_ok {
            row.target_label = unnamed.into();
        }
        if !actor_ok || !target_ok || unknown_login {
            row.hidden |= row.details != "{}";
            row.details = "{}".into();
            continue;
        }
        let keep_csa = |c: &str| ctx.admin.scope_all || mine.scope_csa.iter().any(|m| m == c);
        if retain_in(details, &|id| visible.contains(&id), &keep_csa) {
            row.details = details.to_string();
            row.hidden = true;
        }
    }
    Ok(rows)
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k));
    let entries = Resource::new(
        move || (param("actor"), param("target"), param("action"), param("after")),
        |(actor, target, action, after)| audit_log(actor, target, action, after),
    );
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, admin.audit_title) />
        <ConsoleLayout>
            <h1>{t!(i18n, admin.audit_title)}</h1>
            <form class="filters" method="get" action="/audit-log" role="search">
                <div class="field">
                    <label for="audit-actor">{t!(i18n, admin.audit_actor)}</label>
                    <input id="audit-actor" name="actor" value=move || param("actor").unwrap_or_default() />
                </div>
                <div class="field grow">
                    <label for="audit-target">{t!(i18n, admin.audit_target)}</label>
                    <input id="audit-target" type="search" name="target" value=move || param("target").unwrap_or_default()
                        placeholder=t_string!(i18n, admin.audit_target_placeholder) />
                </div>
                <div class="field">
                    <label for="audit-action">{t!(i18n, admin.audit_action)}</label>
                    <select id="audit-action" name="action">
                        <option value="">{t!(i18n, admin.audit_all_actions)}</option>
                        {ACTIONS.iter().map(|code| view! {
                            <option value=*code selected=move || param("action").as_deref() == Some(*code)>{action_name(code)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button primary">{t!(i18n, admin.audit_filter)}</button>
            </form>
            <ListView list=entries columns=columns(crate::lang::current()) row=entry_row counts=Counted::Entries
                empty=t_string!(i18n, admin.audit_empty) export="/audit-log/export" />
        </ConsoleLayout>
    }
}

/// The log's columns in `lang`.
fn columns(lang: Locale) -> [Column; 5] {
    [
        Column::new(td_string!(lang, admin.audit_col_time)),
        Column::new(td_string!(lang, admin.audit_col_actor)),
        Column::new(td_string!(lang, admin.audit_col_action)),
        Column::new(td_string!(lang, admin.audit_col_target)),
        Column::new(td_string!(lang, admin.audit_col_details)),
    ]
}

/// What the log calls an action (its code stays beside it); an unknown code as it is.
pub fn action_name(code: &str) -> String {
    let lang = crate::lang::current();
    let name = match code {
        "admin.sign_in" => td_string!(lang, admin.action_admin_sign_in),
        "admin.sign_in_failed" => td_string!(lang, admin.action_admin_sign_in_failed),
        "admin.sign_out" => td_string!(lang, admin.action_admin_sign_out),
        "admin.create" => td_string!(lang, admin.action_admin_create),
        "admin.update" => td_string!(lang, admin.action_admin_update),
        "admin.disable" => td_string!(lang, admin.action_admin_disable),
        "admin.enable" => td_string!(lang, admin.action_admin_enable),
        "admin.password_reset" => td_string!(lang, admin.action_admin_password_reset),
        "user.access_change" => td_string!(lang, admin.action_user_access_change),
        "subuser.access_change" => td_string!(lang, admin.action_subuser_access_change),
        "user.sync_cameras" => td_string!(lang, admin.action_user_sync_cameras),
        "user.impersonate" => td_string!(lang, admin.action_user_impersonate),
        "user.impersonate_start" => td_string!(lang, admin.action_user_impersonate_start),
        "user.impersonate_end" => td_string!(lang, admin.action_user_impersonate_end),
        "subuser.create" => td_string!(lang, admin.action_subuser_create),
        "subuser.update" => td_string!(lang, admin.action_subuser_update),
        "subuser.delete" => td_string!(lang, admin.action_subuser_delete),
        "case.create" => td_string!(lang, admin.action_case_create),
        "case.delete" => td_string!(lang, admin.action_case_delete),
        "intercom.create" => td_string!(lang, admin.action_intercom_create),
        "intercom.update" => td_string!(lang, admin.action_intercom_update),
        "apartment.link" => td_string!(lang, admin.action_apartment_link),
        "apartment.unlink" => td_string!(lang, admin.action_apartment_unlink),
        "apartment.key_add" => td_string!(lang, admin.action_apartment_key_add),
        "apartment.key_remove" => td_string!(lang, admin.action_apartment_key_remove),
        "retention.purge" => td_string!(lang, admin.action_retention_purge),
        "admin.export" => td_string!(lang, admin.action_admin_export),
        _ => return code.to_string(),
    };
    name.to_string()
}

/// What the log calls the kind of an actor or a target; an unknown kind as it is.
fn kind_name(kind: &str) -> String {
    let lang = crate::lang::current();
    let name = match kind {
        "admin" => td_string!(lang, admin.kind_admin),
        "user" => td_string!(lang, admin.kind_user),
        "sub-user" => td_string!(lang, admin.kind_sub_user),
        "system" => td_string!(lang, admin.kind_system),
        "case" => td_string!(lang, admin.kind_case),
        "intercom" => td_string!(lang, admin.kind_intercom),
        _ => return kind.to_string(),
    };
    name.to_string()
}

fn entry_row(r: AuditRow) -> impl IntoView {
    let lang = crate::lang::current();
    let card = r.card();
    let linked = card.is_some();
    let target = match card {
        Some(href) => view! { <a class="row-main" href=href>{r.target_label.clone()}</a> }.into_any(),
        None => view! { <span>{r.target_label.clone()}</span> }.into_any(),
    };
    let details = (r.details != "{}").then(|| r.details.clone());
    let hidden = r.hidden;
    view! {
        <tr class:row-link=linked>
            <td data-label=td_string!(lang, admin.audit_col_time)>{crate::lang::datetime(r.at)}</td>
            <td data-label=td_string!(lang, admin.audit_col_actor)>
                {r.actor_login.clone()}<span class="hint">{format!(" ({})", kind_name(&r.actor_kind))}</span>
                {r.impersonator.clone().filter(|a| *a != r.actor_login).map(|a| view! {
                    <span class="hint">{td_string!(lang, admin.audit_impersonated, login = a).to_string()}</span>
                })}
            </td>
            <td data-label=td_string!(lang, admin.audit_col_action)>{action_name(&r.action)}<code class="event-code">{r.action.clone()}</code></td>
            <td data-label=td_string!(lang, admin.audit_col_target)>{target}<span class="hint">{format!(" ({})", kind_name(&r.target_kind))}</span></td>
            <td class="wrap" data-label=td_string!(lang, admin.audit_col_details)>
                <code class="audit-details">{details}</code>
                {hidden.then(|| view! { <span class="hint">{td_string!(lang, admin.audit_hidden)}</span> })}
            </td>
        </tr>
    }
}

#[cfg(feature = "ssr")]
impl crate::domain::export::Record for AuditRow {
    const COLUMNS: &'static [&'static str] = &[
        "ID",
        "Time",
        "Actor kind",
        "Actor",
        "Administrator logged in as the user",
        "Action",
        "Target kind",
        "Target ID",
        "Target",
        "Details",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            crate::domain::time::format_rfc3339(self.at),
            self.actor_kind.clone(),
            self.actor_login.clone(),
            self.impersonator.clone().unwrap_or_default(),
            self.action.clone(),
            self.target_kind.clone(),
            self.target_id.map(|id| id.to_string()).unwrap_or_default(),
            self.target_label.clone(),
            self.details.clone(),
        ]
    }
}
