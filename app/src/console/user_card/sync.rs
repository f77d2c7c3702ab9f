//! Synchronize cameras: rebuilds the user's and its sub-users' camera lists in all their
//! apps now, and reports what changed (within the administrator's scope).

use crate::error::AppError;
use crate::lang::{t_string, td_string, use_i18n};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What Synchronize cameras changed in one environment (the user's or a sub-user's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncedAccount {
    pub user_id: i64,
    pub login: String,
    pub version: i64,
    pub cameras_added: Vec<i64>,
    pub cameras_removed: Vec<i64>,
    pub permissions_added: Vec<String>,
    pub permissions_removed: Vec<String>,
    pub status_changed: Option<(String, String)>,
    /// Camera changes outside the signed-in administrator's scope were left out.
    pub cameras_hidden: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncResult {
    pub at: i64,
    pub accounts: Vec<SyncedAccount>,
}

impl SyncedAccount {
    /// What changed, in the page's language.
    pub fn summary(&self) -> String {
        let lang = crate::lang::current();
        let mut parts = Vec::new();
        let list = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        if !self.cameras_added.is_empty() {
            parts.push(td_string!(lang, card.sync_cameras_added, list = list(&self.cameras_added)).to_string());
        }
        if !self.cameras_removed.is_empty() {
            parts.push(td_string!(lang, card.sync_cameras_removed, list = list(&self.cameras_removed)).to_string());
        }
        if !self.permissions_added.is_empty() {
            parts.push(
                td_string!(lang, card.sync_permissions_added, list = self.permissions_added.join(", ")).to_string(),
            );
        }
        if !self.permissions_removed.is_empty() {
            parts.push(
                td_string!(lang, card.sync_permissions_removed, list = self.permissions_removed.join(", ")).to_string(),
            );
        }
        if let Some((before, after)) = &self.status_changed {
            let (before, after) = (super::status_label(before), super::status_label(after));
            parts.push(td_string!(lang, card.sync_status_changed, before = before, after = after).to_string());
        }
        if self.cameras_hidden {
            parts.push(td_string!(lang, card.sync_cameras_hidden).to_string());
        }
        if parts.is_empty() {
            td_string!(lang, card.sync_up_to_date).to_string()
        } else {
            parts.join("; ")
        }
    }
}

/// Rebuilds the environments of the user and its sub-users from the source tables, bumps
/// their versions (connected clients follow), records and audits what changed.
#[server(prefix = "/api/console", endpoint = "sync_user_cameras")]
pub async fn sync_user_cameras(id: i64) -> Result<SyncResult, AppError> {
    use crate::backend::{audit, environment, require, respond, scope, Permission};
    respond(async move {
        let ctx = require(Permission::UsersSyncCameras).await?;
        let header = super::load_header(ctx.db(), id).await?;
        if header.status == "deleted" {
            return Err(AppError::Conflict(td_string!(crate::lang::current(), card.sync_err_deleted).into()));
        }
        let now = ctx.now();
        let mut tx = ctx.db().pool.begin().await?;
        let mut accounts = Vec::new();
        for user in environment::family(&mut tx, id).await? {
            let Some(c) = environment::rebuild(&mut tx, user, now).await? else { continue };
            let account = SyncedAccount {
                user_id: user,
                login: super::queries::login(&mut tx, user).await?,
                version: c.version,
                cameras_added: c.cameras_added,
                cameras_removed: c.cameras_removed,
                permissions_added: c.permissions_added,
                permissions_removed: c.permissions_removed,
                status_changed: c.status_before.filter(|b| *b != c.status_after).map(|b| (b, c.status_after)),
                cameras_hidden: false,
            };
            let changes = serde_json::to_string(&account).unwrap_or_default();
            super::queries::record_sync_run(&mut tx, user, ctx.admin.id, now, &changes).await?;
            accounts.push(account);
        }
        // The audit entry keeps everything; each reader sees it within its own scope.
        let details = serde_json::json!({ "accounts": accounts });
        let entry =
            audit::Entry::by_admin(&ctx.admin, "user.sync_cameras", ("user", id, &header.login), Some(id), details);
        audit::record(&mut *tx, now, entry).await?;
        // The administrator sees what changed within its scope, and that something else did.
        for a in &mut accounts {
            let added = scope::keep_visible(&mut *tx, &ctx.admin, &mut a.cameras_added).await?;
            let removed = scope::keep_visible(&mut *tx, &ctx.admin, &mut a.cameras_removed).await?;
            a.cameras_hidden = added || removed;
        }
        tx.commit().await?;
        Ok(SyncResult { at: now, accounts })
    })
    .await
}

#[component]
pub(super) fn SyncButton(id: i64, can: bool) -> impl IntoView {
    let i18n = use_i18n();
    let result = expect_context::<RwSignal<Option<Result<SyncResult, AppError>>>>();
    let sync = Action::new(move |_: &()| sync_user_cameras(id));
    Effect::new(move |_| {
        if let Some(r) = sync.value().get() {
            result.set(Some(r));
        }
    });
    let title = if can { t_string!(i18n, card.sync_title) } else { t_string!(i18n, card.sync_needs_permission) };
    view! {
        <button type="button" class="button secondary" title=title disabled=move || !can || sync.pending().get()
            on:click=move |_| { sync.dispatch(()); }>
            {move || if sync.pending().get() { t_string!(i18n, card.sync_pending) } else { t_string!(i18n, card.sync_button) }}
        </button>
    }
}

#[component]
pub(super) fn SyncReport(r: Result<SyncResult, AppError>) -> impl IntoView {
    let i18n = use_i18n();
    match r {
        Ok(r) => view! {
            <div class="notice ok" role="status">
                <strong>{t_string!(i18n, card.sync_done_at, at = crate::lang::datetime(r.at)).to_string()}</strong>
                <ul class="sync-list">
                    {r.accounts.iter().map(|a| view! {
                        <li>{t_string!(i18n, card.sync_account, login = a.login.clone(), version = a.version, summary = a.summary()).to_string()}</li>
                    }).collect_view()}
                </ul>
            </div>
        }.into_any(),
        Err(e) => view! { <p class="notice error" role="alert">{e.message()}</p> }.into_any(),
    }
}
