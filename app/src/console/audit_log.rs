//! `/audit-log` (needs `audit-view`): who did what to whom and when, newest first;
//! filter by actor, target and action; keyset pages.

use crate::components::list::{Column, ListView};
use crate::console::layout::ConsoleLayout;
use crate::domain::audit::{action_label, ACTIONS};
use crate::domain::page::Page;
use crate::domain::time::format_utc;
use crate::error::AppError;
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
            Some(action) if !crate::domain::audit::is_action(action) => {
                Err(AppError::Invalid(format!("Unknown action {action}.")))
            }
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
        filter.push(" AND LOWER(target_label) LIKE ").bind(like_pattern(target)).push(" ESCAPE '\\'");
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
    const UNNAMED: &str = "(an administrator outside your scope)";
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
            row.actor_login = UNNAMED.into();
        }
        if !target_ok {
            row.target_label = UNNAMED.into();
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
    view! {
        <Title text="Audit log" />
        <ConsoleLayout>
            <h1>"Audit log"</h1>
            <form class="filters" method="get" action="/audit-log" role="search">
                <div class="field">
                    <label for="audit-actor">"Actor (login)"</label>
                    <input id="audit-actor" name="actor" value=move || param("actor").unwrap_or_default() />
                </div>
                <div class="field grow">
                    <label for="audit-target">"Target"</label>
                    <input id="audit-target" type="search" name="target" value=move || param("target").unwrap_or_default() placeholder="login or name" />
                </div>
                <div class="field">
                    <label for="audit-action">"Action"</label>
                    <select id="audit-action" name="action">
                        <option value="">"All actions"</option>
                        {ACTIONS.iter().map(|(code, label)| view! {
                            <option value=*code selected=move || param("action").as_deref() == Some(*code)>{*label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button primary">"Filter"</button>
            </form>
            <ListView list=entries columns=&COLUMNS row=entry_row noun="entries" empty="No audit entries match." export="/audit-log/export" />
        </ConsoleLayout>
    }
}

const COLUMNS: [Column; 5] =
    [Column::new("Time"), Column::new("Actor"), Column::new("Action"), Column::new("Target"), Column::new("Details")];

fn entry_row(r: AuditRow) -> impl IntoView {
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
            <td data-label="Time">{format_utc(r.at)}</td>
            <td data-label="Actor">
                {r.actor_login.clone()}<span class="hint">{format!(" ({})", r.actor_kind)}</span>
                {r.impersonator.clone().filter(|a| *a != r.actor_login).map(|a| view! { <span class="hint">{format!(" — administrator {a} logged in as the user")}</span> })}
            </td>
            <td data-label="Action">{action_label(&r.action).to_string()}<code class="event-code">{r.action.clone()}</code></td>
            <td data-label="Target">{target}<span class="hint">{format!(" ({})", r.target_kind)}</span></td>
            <td class="wrap" data-label="Details">
                <code class="audit-details">{details}</code>
                {hidden.then(|| view! { <span class="hint">" Parts outside your scope are not shown."</span> })}
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
