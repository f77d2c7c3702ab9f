//! The Access Settings tab: the user's permissions, grouped as in SPEC §3, edited by an
//! administrator with `users-access-edit`. Saving is atomic, audited, and refused when
//! someone else saved in between (the version the editor started from is sent back).

use crate::components::permissions::{groups, PermissionChecks};
use crate::components::states::{ErrorState, Loading};
use crate::error::AppError;
use crate::lang::{t, t_string, td_string, use_i18n};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessView {
    pub stored: Vec<String>,
    /// Slugs shown but not grantable now, with the reason (stored ones stay, not effective).
    pub blocked: Vec<(String, String)>,
    /// Slugs not offered at all (for sub-users: what the parent does not allow).
    pub hidden: Vec<String>,
    /// Changes with every save; a save names the version it started from.
    pub version: i64,
    /// Whether the signed-in administrator may change them (the server checks again).
    pub can_edit: bool,
    /// Why they cannot be changed now, whoever asks (shown instead of the editing note).
    pub read_only: Option<String>,
}

#[server(prefix = "/api/console", endpoint = "user_access")]
pub async fn user_access(id: i64) -> Result<AccessView, AppError> {
    use crate::backend::{require, respond, Permission};
    use crate::domain::permissions::{all_slugs, slug_level};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let lang = crate::lang::current();
        let mut conn = ctx.db().pool.acquire().await?;
        let t = queries::target(&mut conn, id, false).await?;
        let licensed = queries::licensed_levels(&mut *conn, id).await?;
        let blocked = all_slugs()
            .into_iter()
            .filter_map(|s| {
                slug_level(&s)
                    .filter(|l| !licensed.contains(l))
                    .map(|l| (s, td_string!(lang, card.access_needs_level, level = l).to_string()))
            })
            .collect();
        Ok(AccessView {
            stored: queries::stored_slugs(&mut *conn, id).await?,
            blocked,
            hidden: Vec::new(),
            version: t.version,
            can_edit: ctx.admin.can(Permission::UsersAccessEdit),
            read_only: None,
        })
    })
    .await
}

/// Why a sub-user's permissions are read-only while its parent lacks `subusers-manage`, in
/// the language of the page or request.
pub fn parent_cannot_manage() -> String {
    use crate::domain::permissions::SUBUSERS_MANAGE;
    let permission = crate::lang::labels::user_permission(SUBUSERS_MANAGE);
    td_string!(crate::lang::current(), card.access_parent_cannot_manage, permission = permission).to_string()
}

/// A sub-user's permissions: only what the parent allows is offered (SPEC §3).
#[server(prefix = "/api/console", endpoint = "sub_user_access")]
pub async fn sub_user_access(id: i64) -> Result<AccessView, AppError> {
    use crate::backend::{require, respond, Permission};
    use crate::domain::permissions::{all_slugs, slug_level, sub_user_allowed, SUBUSERS_MANAGE};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let lang = crate::lang::current();
        let mut conn = ctx.db().pool.acquire().await?;
        let t = queries::target(&mut conn, id, true).await?;
        let parent = t.parent.ok_or(AppError::NotFound)?;
        let parent_stored = queries::stored_slugs(&mut *conn, parent).await?;
        let licensed = queries::licensed_levels(&mut *conn, parent).await?;
        let allowed = sub_user_allowed(&parent_stored, &licensed);
        let stored = queries::stored_slugs(&mut *conn, id).await?;
        let (mut blocked, mut hidden) = (Vec::new(), Vec::new());
        for slug in all_slugs().into_iter().filter(|s| !allowed.contains(s)) {
            if slug == SUBUSERS_MANAGE || !stored.contains(&slug) {
                hidden.push(slug);
            } else {
                let why = match slug_level(&slug).filter(|l| !licensed.contains(l)) {
                    Some(l) => td_string!(lang, card.access_parent_no_level, level = l).to_string(),
                    None => td_string!(lang, card.access_parent_lacks).to_string(),
                };
                blocked.push((slug, why));
            }
        }
        let read_only = (!parent_stored.iter().any(|s| s == SUBUSERS_MANAGE)).then(parent_cannot_manage);
        Ok(AccessView {
            stored,
            blocked,
            hidden,
            version: t.version,
            can_edit: read_only.is_none() && ctx.admin.can(Permission::SubusersAccessEdit),
            read_only,
        })
    })
    .await
}

/// Replaces the user's permissions with `slugs`; answers the new version.
#[server(prefix = "/api/console", endpoint = "save_user_access", input = Json)]
pub async fn save_user_access(id: i64, slugs: Vec<String>, version: i64) -> Result<i64, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersAccessEdit).await?;
        queries::save(&ctx, id, false, slugs, version).await
    })
    .await
}

/// Replaces a sub-user's permissions with `slugs`, within its parent's; answers the new version.
#[server(prefix = "/api/console", endpoint = "save_sub_user_access", input = Json)]
pub async fn save_sub_user_access(id: i64, slugs: Vec<String>, version: i64) -> Result<i64, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::SubusersAccessEdit).await?;
        queries::save(&ctx, id, true, slugs, version).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod queries {
    use crate::backend::principal::Ctx;
    use crate::error::AppError;
    use sqlx::AnyConnection;
    use std::collections::BTreeSet;

    /// The account whose permissions are edited.
    #[derive(sqlx::FromRow)]
    pub struct Target {
        pub version: i64,
        pub login: String,
        pub status: String,
        pub parent: Option<i64>,
    }

    /// A live user (`sub_user` false) or sub-user (true) by id; 404 otherwise.
    pub async fn target(conn: &mut AnyConnection, id: i64, sub_user: bool) -> Result<Target, AppError> {
        let row: Option<Target> = sqlx::query_as(
            "SELECT access_version AS version, login, status, parent_id AS parent FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(t) if t.parent.is_some() == sub_user => {
                if t.status == "deleted" {
                    return Err(AppError::Conflict(
                        crate::lang::td_string!(crate::lang::current(), card.access_err_deleted).into(),
                    ));
                }
                Ok(t)
            }
            _ => Err(AppError::NotFound),
        }
    }

    fn stale() -> AppError {
        AppError::Conflict(crate::lang::td_string!(crate::lang::current(), card.access_err_stale).into())
    }

    /// Checks `slugs` against SPEC §3 and, if the version is still `version`, replaces the
    /// stored ones in one transaction with an audit entry of what was added and removed.
    pub async fn save(ctx: &Ctx, id: i64, sub_user: bool, slugs: Vec<String>, version: i64) -> Result<i64, AppError> {
        use crate::backend::audit;
        use crate::domain::permissions::{check_sub_user_grant, check_user_grant};
        let mut tx = ctx.db().pool.begin().await?;
        let t = target(&mut tx, id, sub_user).await?;
        if t.version != version {
            return Err(stale());
        }
        let stored = stored_slugs(&mut *tx, id).await?;
        let checked = match t.parent {
            None => check_user_grant(&slugs, &stored, &licensed_levels(&mut *tx, id).await?),
            Some(parent) => {
                let parent_stored = stored_slugs(&mut *tx, parent).await?;
                if !parent_stored.iter().any(|s| s == crate::domain::permissions::SUBUSERS_MANAGE) {
                    return Err(AppError::Conflict(super::parent_cannot_manage()));
                }
                check_sub_user_grant(&slugs, &stored, &parent_stored, &licensed_levels(&mut *tx, parent).await?)
            }
        };
        let granted = checked.map_err(|refused| AppError::fields(crate::lang::labels::refusals(refused)))?;
        // Compare-and-set: of two saves from the same version, only the first gets here.
        let now = ctx.now();
        let bumped =
            sqlx::query("UPDATE users SET access_version = $1, updated_at = $2 WHERE id = $3 AND access_version = $4")
                .bind(version + 1)
                .bind(now)
                .bind(id)
                .bind(version)
                .execute(&mut *tx)
                .await?;
        if bumped.rows_affected() != 1 {
            return Err(stale());
        }
        sqlx::query("DELETE FROM user_permissions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        crate::backend::environment::grant_slugs(&mut tx, id, &granted).await?;
        let added: Vec<&String> = granted.iter().filter(|s| !stored.contains(s)).collect();
        let removed: Vec<&String> = stored.iter().filter(|s| !granted.contains(s)).collect();
        let (action, kind) =
            if sub_user { ("subuser.access_change", "sub-user") } else { ("user.access_change", "user") };
        let entry = audit::Entry::by_admin(
            &ctx.admin,
            action,
            (kind, id, &t.login),
            Some(t.parent.unwrap_or(id)),
            serde_json::json!({"added": added, "removed": removed}),
        );
        audit::record(&mut *tx, now, entry).await?;
        // A user's permissions bound its sub-users': refresh them all.
        crate::backend::environment::refresh_family(&mut tx, t.parent.unwrap_or(id), now).await?;
        tx.commit().await?;
        Ok(version + 1)
    }

    pub async fn stored_slugs<'c>(
        e: impl sqlx::Executor<'c, Database = sqlx::Any>,
        user: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT slug FROM user_permissions WHERE user_id = $1 ORDER BY slug")
            .bind(user)
            .fetch_all(e)
            .await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    pub async fn licensed_levels<'c>(
        e: impl sqlx::Executor<'c, Database = sqlx::Any>,
        user: i64,
    ) -> Result<BTreeSet<u8>, sqlx::Error> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT level FROM licences WHERE user_id = $1 AND total > 0 ORDER BY level")
                .bind(user)
                .fetch_all(e)
                .await?;
        Ok(rows.into_iter().map(|(l,)| l as u8).collect())
    }
}

#[component]
pub fn AccessSettingsTab(id: i64) -> impl IntoView {
    let access = Resource::new(move || id, user_access);
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(a) => view! { <AccessEditor id sub_user=false a /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The permission editor of a user (`sub_user` false) or of a sub-user.
#[component]
pub fn AccessEditor(id: i64, sub_user: bool, a: AccessView) -> impl IntoView {
    let i18n = use_i18n();
    let baseline = RwSignal::new(a.stored.iter().cloned().collect::<BTreeSet<String>>());
    let selected = RwSignal::new(baseline.get_untracked());
    let version = RwSignal::new(a.version);
    let can_edit = a.can_edit;
    let read_only = a.read_only.clone();
    let groups = groups(&a.blocked, &a.hidden);
    let dirty = Memo::new(move |_| selected.with(|s| baseline.with(|b| s != b)));
    let changes = Memo::new(move |_| selected.with(|s| baseline.with(|b| s.symmetric_difference(b).count())));
    let save = Action::new(move |slugs: &Vec<String>| {
        let (slugs, v) = (slugs.clone(), version.get_untracked());
        async move {
            if sub_user {
                save_sub_user_access(id, slugs, v).await
            } else {
                save_user_access(id, slugs, v).await
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(v)) = save.value().get() {
            version.set(v);
            baseline.set(selected.get_untracked());
        }
    });
    let message = move || match save.value().get() {
        Some(Ok(_)) if !dirty.get() => Some(("notice ok", t_string!(i18n, card.access_saved).to_string())),
        Some(Err(e)) => Some(("notice error", e.message())),
        _ => None,
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(selected.get_untracked().into_iter().collect());
    };
    let (edit_note, view_note) = if sub_user {
        (t_string!(i18n, card.access_sub_user_edit_note), t_string!(i18n, card.access_sub_user_view_note))
    } else {
        (t_string!(i18n, card.access_user_edit_note), t_string!(i18n, card.access_user_view_note))
    };
    view! {
        <form class="access-editor" on:submit=on_submit>
            {match read_only {
                Some(why) => view! { <p class="notice" role="note">{why}</p> }.into_any(),
                None => view! { <p class="source-note">{if can_edit { edit_note } else { view_note }}</p> }.into_any(),
            }}
            <PermissionChecks groups selected baseline can_edit />
            {can_edit.then(|| view! {
                <div class="form-actions sticky-actions">
                    <span class="unsaved" role="status" aria-live="polite">
                        {move || match changes.get() {
                            0 => String::new(),
                            n => t_string!(i18n, card.access_unsaved, count = n as i64).to_string(),
                        }}
                    </span>
                    <button type="button" class="button secondary" disabled=move || !dirty.get() || save.pending().get()
                        on:click=move |_| selected.set(baseline.get_untracked())>{t!(i18n, card.access_discard)}</button>
                    <button type="submit" class="button primary" disabled=move || !dirty.get() || save.pending().get()>
                        {move || if save.pending().get() { t_string!(i18n, card.access_saving) } else { t_string!(i18n, card.access_save) }}
                    </button>
                </div>
            })}
            {move || message().map(|(class, text)| view! { <p class=class role="alert">{text}</p> })}
        </form>
    }
}
