//! The Apartments tab of an intercom: the flats of its range with linked users and their
//! keys; linking by login, keys and unlinking need `intercoms-edit` and are audited.

use super::flats_table::FlatsTable;
#[cfg(feature = "ssr")]
use super::queries;
use crate::components::states::{Empty, ErrorState, Loading};
use crate::error::AppError;
use crate::lang::{t, t_string, td_string, use_i18n};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyRow {
    pub id: i64,
    pub code: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkRow {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub login: String,
    pub keys: Vec<KeyRow>,
    /// The subscriber was terminated: the link and keys stay until retention removes them,
    /// but the keys no longer count.
    pub terminated: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlatRow {
    pub flat: i64,
    pub links: Vec<LinkRow>,
}

/// One page of flats: consecutive flats of the range, or only the linked ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlatsPage {
    pub flats: Vec<FlatRow>,
    /// The first flat of the next page, if any.
    pub next: Option<i64>,
    pub linked_flats: i64,
    pub can_edit: bool,
}

#[cfg(feature = "ssr")]
const FLATS_PER_PAGE: i64 = 20;

#[server(prefix = "/api/console", endpoint = "intercom_apartments")]
pub async fn intercom_apartments(id: i64, start: Option<i64>, linked_only: bool) -> Result<FlatsPage, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let mut conn = ctx.db().pool.acquire().await?;
        let i = queries::load(&mut conn, id).await?;
        let start = start.unwrap_or(i.flat_from).clamp(i.flat_from, i.flat_to + 1);
        let linked_flats = queries::linked_flat_count(&mut conn, id).await?;
        // The flats of this page, and the first flat of the next.
        let (flats, next): (Vec<i64>, Option<i64>) = if linked_only {
            let mut flats = queries::linked_flats(&mut conn, id, start, FLATS_PER_PAGE + 1).await?;
            let next = (flats.len() as i64 > FLATS_PER_PAGE).then(|| flats.pop()).flatten();
            (flats, next)
        } else {
            let end = (start + FLATS_PER_PAGE - 1).min(i.flat_to);
            ((start..=end).collect(), (end < i.flat_to).then_some(end + 1))
        };
        let (first, last) = (flats.first().copied().unwrap_or(0), flats.last().copied().unwrap_or(-1));
        let links = queries::flat_links(&mut conn, id, first, last).await?;
        let keys = queries::flat_keys(&mut conn, id, first, last).await?;
        let flats = flats
            .into_iter()
            .map(|flat| FlatRow {
                flat,
                links: links
                    .iter()
                    .filter(|l| l.flat == flat)
                    .map(|l| LinkRow {
                        id: l.id,
                        user_id: l.user_id,
                        user_name: l.user_name.clone(),
                        login: l.login.clone(),
                        terminated: l.terminated == 1,
                        keys: keys
                            .iter()
                            .filter(|k| k.link_id == l.id)
                            .map(|k| KeyRow { id: k.id, code: k.code.clone() })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        Ok(FlatsPage { flats, next, linked_flats, can_edit: ctx.admin.can(Permission::IntercomsEdit) })
    })
    .await
}

/// Links the user with `login` to a flat of the intercom; answers the link id.
#[server(prefix = "/api/console", endpoint = "link_apartment", input = Json)]
pub async fn link_apartment(intercom_id: i64, flat: i64, login: String) -> Result<i64, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::IntercomsEdit).await?;
        let lang = crate::lang::current();
        let login = login.trim().to_string();
        let mut tx = ctx.db().pool.begin().await?;
        let i = queries::load(&mut tx, intercom_id).await?;
        if flat < i.flat_from || flat > i.flat_to {
            return Err(AppError::Invalid(
                td_string!(lang, intercoms.err_flat_outside_range, flat = flat, from = i.flat_from, to = i.flat_to)
                    .to_string(),
            ));
        }
        let (user, status, login) = match queries::by_login(&mut tx, &login).await? {
            None => {
                return Err(AppError::Invalid(
                    td_string!(lang, intercoms.err_no_such_login, login = &login).to_string(),
                ))
            }
            Some(owner) if owner.parent_id.is_some() => {
                return Err(AppError::Invalid(td_string!(lang, intercoms.err_sub_user, login = &login).to_string()))
            }
            Some(owner) => (owner.id, owner.status, owner.login),
        };
        if status == "deleted" {
            return Err(AppError::Invalid(td_string!(lang, intercoms.err_user_deleted, login = &login).to_string()));
        }
        if queries::is_linked(&mut tx, intercom_id, flat, user).await? {
            return Err(AppError::Conflict(
                td_string!(lang, intercoms.err_already_linked, login = &login, flat = flat).to_string(),
            ));
        }
        let link = queries::insert_link(&mut tx, intercom_id, flat, user, ctx.now()).await?;
        let details = serde_json::json!({"intercom_id": intercom_id, "intercom": i.name, "flat": flat});
        queries::audit(&mut tx, &ctx, "apartment.link", ("user", user, &login), Some(user), details).await?;
        tx.commit().await?;
        Ok(link)
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "unlink_apartment")]
pub async fn unlink_apartment(link_id: i64) -> Result<(), AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::IntercomsEdit).await?;
        let mut tx = ctx.db().pool.begin().await?;
        let queries::Link { intercom_id, flat, user_id: user, login } = queries::link(&mut tx, link_id).await?;
        queries::delete_link(&mut tx, link_id).await?;
        let details = serde_json::json!({"intercom_id": intercom_id, "flat": flat});
        queries::audit(&mut tx, &ctx, "apartment.unlink", ("user", user, &login), Some(user), details).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "add_apartment_key", input = Json)]
pub async fn add_apartment_key(link_id: i64, code: String) -> Result<i64, AppError> {
    use crate::backend::{require, respond, Permission};
    use crate::domain::intercom::normalise_key;
    respond(async move {
        let ctx = require(Permission::IntercomsEdit).await?;
        let lang = crate::lang::current();
        // The domain explains in English: say the same in the request's language.
        let code = normalise_key(&code)
            .map_err(|_| AppError::Invalid(td_string!(lang, intercoms.err_key_format).to_string()))?;
        let mut tx = ctx.db().pool.begin().await?;
        let queries::Link { intercom_id, flat, user_id: user, login } = queries::link(&mut tx, link_id).await?;
        if queries::is_terminated(&mut tx, user).await? {
            return Err(AppError::Conflict(td_string!(lang, intercoms.err_key_terminated, login = &login).to_string()));
        }
        if let Some(other) = queries::flat_with_key(&mut tx, intercom_id, &code).await? {
            return Err(AppError::Conflict(
                td_string!(lang, intercoms.err_key_taken, code = &code, flat = other).to_string(),
            ));
        }
        let key = queries::insert_key(&mut tx, link_id, intercom_id, &code, ctx.now()).await?;
        let details = serde_json::json!({"intercom_id": intercom_id, "flat": flat, "key": code});
        queries::audit(&mut tx, &ctx, "apartment.key_add", ("user", user, &login), Some(user), details).await?;
        tx.commit().await?;
        Ok(key)
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "remove_apartment_key")]
pub async fn remove_apartment_key(key_id: i64) -> Result<(), AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::IntercomsEdit).await?;
        let mut tx = ctx.db().pool.begin().await?;
        let queries::Key { link_id, code } = queries::key(&mut tx, key_id).await?;
        let queries::Link { intercom_id, flat, user_id: user, login } = queries::link(&mut tx, link_id).await?;
        queries::delete_key(&mut tx, key_id).await?;
        let details = serde_json::json!({"intercom_id": intercom_id, "flat": flat, "key": code});
        queries::audit(&mut tx, &ctx, "apartment.key_remove", ("user", user, &login), Some(user), details).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// What an apartment change did, for the status line.
#[derive(Clone)]
pub(super) enum Change {
    Link(i64, String),
    Unlink(i64),
    AddKey(i64, String),
    RemoveKey(i64),
}

#[component]
pub(super) fn Apartments(id: i64, can_edit: bool) -> impl IntoView {
    let query = use_query_map();
    let start = move || query.with(|q| q.get("start").and_then(|s| s.parse::<i64>().ok()));
    let linked_only = move || query.with(|q| q.get("linked").is_some_and(|v| v == "1"));
    let reload = RwSignal::new(0u32);
    let flats =
        Resource::new(move || (start(), linked_only(), reload.get()), move |(s, l, _)| intercom_apartments(id, s, l));
    let i18n = use_i18n();
    let lang = crate::lang::current();
    let change = Action::new(move |c: &Change| {
        let c = c.clone();
        async move {
            match c {
                Change::Link(flat, login) => link_apartment(id, flat, login.clone())
                    .await
                    .map(|_| td_string!(lang, intercoms.done_linked, login = login.trim(), flat = flat).to_string()),
                Change::Unlink(link) => {
                    unlink_apartment(link).await.map(|_| td_string!(lang, intercoms.done_unlinked).to_string())
                }
                Change::AddKey(link, code) => add_apartment_key(link, code.clone())
                    .await
                    .map(|_| td_string!(lang, intercoms.done_key_added, code = code.trim().to_uppercase()).to_string()),
                Change::RemoveKey(key) => {
                    remove_apartment_key(key).await.map(|_| td_string!(lang, intercoms.done_key_removed).to_string())
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = change.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let link_flat = RwSignal::new(String::new());
    let link_login = RwSignal::new(String::new());
    let empty = t_string!(i18n, intercoms.apartments_empty);
    view! {
        {can_edit.then(|| view! {
            <form class="filters" aria-label=t_string!(i18n, intercoms.link_form_label) on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let flat = link_flat.get_untracked().trim().parse::<i64>().unwrap_or(0);
                change.dispatch(Change::Link(flat, link_login.get_untracked()));
            }>
                <div class="field">
                    <label for="link-flat">{t!(i18n, intercoms.link_flat)}</label>
                    <input id="link-flat" type="number" min="1" required prop:value=move || link_flat.get() on:input=move |ev| link_flat.set(event_target_value(&ev)) />
                </div>
                <div class="field grow">
                    <label for="link-login">{t!(i18n, intercoms.link_login)}</label>
                    <input id="link-login" required autocomplete="off" prop:value=move || link_login.get() on:input=move |ev| link_login.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="button primary" disabled=move || change.pending().get()>{t!(i18n, intercoms.link_button)}</button>
            </form>
        })}
        {move || change.value().get().map(|r| match r {
            Ok(msg) => view! { <p class="notice ok" role="status">{msg}</p> }.into_any(),
            Err(e) => view! { <p class="notice error" role="alert">{e.message()}</p> }.into_any(),
        })}
        <p class="toolbar">
            {move || if linked_only() {
                view! { <a href=format!("/intercoms/{id}/apartments")>{t!(i18n, intercoms.show_every_flat)}</a> }.into_any()
            } else {
                view! { <a href=format!("/intercoms/{id}/apartments?linked=1")>{t!(i18n, intercoms.show_linked_flats)}</a> }.into_any()
            }}
        </p>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match flats.await {
                    Ok(p) if p.flats.is_empty() => view! { <Empty message=empty /> }.into_any(),
                    Ok(p) => view! { <FlatsTable p id linked=linked_only() change /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
