//! `/client/sub-users` (needs `subusers-manage`): the user creates, edits and deletes its
//! sub-users, with their cameras and permissions under SPEC §3. The server checks every rule
//! again (`backend::sub_users`); this page offers only what is allowed.

use super::ClientLayout;
use crate::components::form::{CameraChecks, FormFooter};
use crate::components::permissions::{groups, PermissionChecks};
use crate::components::states::{ErrorState, Loading};
use crate::domain::permissions::{all_slugs, NEW_SUB_USER_SLUGS};
use crate::error::AppError;
use crate::lang::{t, t_string, use_i18n};
use crate::views::sub_users::{SubUserRow, SubUsersView};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use std::collections::BTreeSet;

#[server(prefix = "/api/client", endpoint = "sub_users")]
pub async fn client_sub_users() -> Result<SubUsersView, AppError> {
    use crate::backend::{respond, sub_users};
    respond(async move {
        let (state, u, _) = super::current_user().await?;
        sub_users::list(&state.db, &u).await
    })
    .await
}

/// Creates (`id` none) or changes a sub-user; an empty password keeps the current one.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/client", endpoint = "save_sub_user", input = Json)]
pub async fn client_save_sub_user(
    id: Option<i64>,
    login: String,
    name: String,
    password: String,
    permissions: Vec<String>,
    camera_ids: Vec<i64>,
    version: Option<i64>,
) -> Result<i64, AppError> {
    use crate::backend::respond;
    use crate::backend::sub_users::{self, SubUserInput};
    respond(async move {
        let (state, u, _) = super::current_user().await?;
        let input = SubUserInput {
            login: Some(login.trim().to_string()),
            name: Some(name),
            password: (id.is_none() || !password.is_empty()).then_some(password),
            permissions: Some(permissions),
            camera_ids: Some(camera_ids),
        };
        let now = state.clock.now_ms();
        match id {
            None => sub_users::create(&state.db, &u, input, now).await,
            Some(id) => sub_users::update(&state.db, &u, id, input, version, now).await.map(|()| id),
        }
    })
    .await
}

#[server(prefix = "/api/client", endpoint = "delete_sub_user")]
pub async fn client_delete_sub_user(id: i64) -> Result<(), AppError> {
    use crate::backend::{respond, sub_users};
    respond(async move {
        let (state, u, _) = super::current_user().await?;
        sub_users::delete(&state.db, &u, id, state.clock.now_ms()).await
    })
    .await
}

/// Which form is open: none, a new sub-user, or the sub-user with this id.
#[derive(Clone, Copy, PartialEq)]
enum Editing {
    Nothing,
    New,
    Existing(i64),
}

#[component]
pub fn ClientSubUsersPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let view_ = Resource::new(move || reload.get(), |_| client_sub_users());
    let editing = RwSignal::new(Editing::Nothing);
    let delete = Action::new(|id: &i64| client_delete_sub_user(*id));
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            editing.set(Editing::Nothing);
            reload.update(|n| *n += 1);
        }
    });
    let done = Callback::new(move |saved: bool| {
        editing.set(Editing::Nothing);
        if saved {
            reload.update(|n| *n += 1);
        }
    });
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, client.sub_title) />
        <ClientLayout>
            <h1>{t!(i18n, client.sub_heading)}</h1>
            <p class="source-note">{t!(i18n, client.sub_note)}</p>
            {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="notice error" role="alert">{e.message()}</p> })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match view_.await {
                        Ok(v) => {
                            let locked = v.credentials_locked;
                            let v = StoredValue::new(v);
                            view! {
                                {if locked {
                                    view! { <p class="notice" role="note">{t!(i18n, client.sub_locked_note)}</p> }.into_any()
                                } else {
                                    view! {
                                        <p><button type="button" class="button primary" on:click=move |_| editing.set(Editing::New)
                                            disabled=move || editing.get() == Editing::New>{t!(i18n, client.sub_new)}</button></p>
                                    }.into_any()
                                }}
                                {move || {
                                    let form = match editing.get() {
                                        Editing::Nothing => None,
                                        Editing::New => Some(None),
                                        Editing::Existing(id) => v.with_value(|v| v.sub_users.iter().find(|s| s.id == id).cloned()).map(Some),
                                    };
                                    form.map(|sub| view! { <SubUserForm view=v.get_value() sub done /> })
                                }}
                                <SubUserList v=v.get_value() editing delete />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorState error /> }.into_any(),
                    }
                })}
            </Transition>
        </ClientLayout>
    }
}

#[component]
fn SubUserList(
    v: SubUsersView,
    editing: RwSignal<Editing>,
    delete: Action<i64, Result<(), AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if v.sub_users.is_empty() {
        return view! { <p class="state state-empty">{t!(i18n, client.sub_empty)}</p> }.into_any();
    }
    let allowed: BTreeSet<String> = v.allowed.iter().cloned().collect();
    // Deleting asks once more, in place.
    let confirming = RwSignal::new(None::<i64>);
    view! {
        <ul class="card-list" aria-label=t_string!(i18n, client.sub_list_label)>
            {v.sub_users.into_iter().map(|s| {
                let effective = s.permissions.iter().filter(|p| allowed.contains(*p)).count();
                let id = s.id;
                let asking = move || confirming.get() == Some(id);
                let cameras = t_string!(i18n, client.sub_cameras_count, count = s.camera_ids.len() as i64).to_string();
                let permissions = t_string!(i18n, client.sub_permissions_count, count = effective as i64).to_string();
                let date = crate::lang::date(s.created_at);
                let summary =
                    t_string!(i18n, client.sub_summary, cameras = cameras, permissions = permissions, date = date).to_string();
                let edit_label = t_string!(i18n, client.sub_edit_named, name = s.name.clone()).to_string();
                let delete_label = t_string!(i18n, client.sub_delete_named, name = s.name.clone()).to_string();
                view! {
                    <li class="card sub-user">
                        <div class="grow">
                            <strong>{s.name.clone()}</strong>
                            <span class="hint">{format!(" · {}", s.login)}</span>
                            <p class="hint">{summary}</p>
                        </div>
                        <div class="row-actions">
                            <Show when=asking fallback=move || view! {
                                <button type="button" class="button secondary small" aria-label=edit_label.clone()
                                    on:click=move |_| editing.set(Editing::Existing(id))>{t!(i18n, client.sub_edit)}</button>
                                <button type="button" class="button danger small" aria-label=delete_label.clone()
                                    on:click=move |_| confirming.set(Some(id))>{t!(i18n, client.sub_delete)}</button>
                            }>
                                <span role="status">{t!(i18n, client.sub_delete_confirm)}</span>
                                <button type="button" class="button danger small" disabled=move || delete.pending().get()
                                    on:click=move |_| { delete.dispatch(id); }>{t!(i18n, client.sub_delete_yes)}</button>
                                <button type="button" class="button secondary small" on:click=move |_| confirming.set(None)>{t!(i18n, client.sub_keep)}</button>
                            </Show>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The create / edit form: login, name, password, cameras and permissions.
#[component]
fn SubUserForm(view: SubUsersView, sub: Option<SubUserRow>, done: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let allowed: BTreeSet<String> = view.allowed.iter().cloned().collect();
    let stored: BTreeSet<String> = sub.as_ref().map(|s| s.permissions.iter().cloned().collect()).unwrap_or_default();
    // Offered: what sub-users may hold; a stored slug no longer allowed shows as not effective.
    let hidden: Vec<String> = all_slugs().into_iter().filter(|s| !allowed.contains(s) && !stored.contains(s)).collect();
    let blocked: Vec<(String, String)> = stored
        .iter()
        .filter(|s| !allowed.contains(*s))
        .map(|s| (s.clone(), t_string!(i18n, client.sub_not_effective).to_string()))
        .collect();
    let creating = sub.is_none();
    let baseline = RwSignal::new(stored);
    // A new sub-user starts able to watch live video and the archive, where allowed.
    let selected = RwSignal::new(if creating {
        NEW_SUB_USER_SLUGS.iter().filter(|s| allowed.contains(**s)).map(|s| s.to_string()).collect()
    } else {
        baseline.get_untracked()
    });
    let all_cameras: BTreeSet<i64> = view.cameras.iter().map(|(id, _)| *id).collect();
    let cameras = RwSignal::new(match &sub {
        Some(s) => s.camera_ids.iter().copied().collect::<BTreeSet<i64>>(),
        None => all_cameras,
    });
    let id = sub.as_ref().map(|s| s.id);
    let version = sub.as_ref().map(|s| s.version);
    let locked = view.credentials_locked;
    let login = RwSignal::new(sub.as_ref().map(|s| s.login.clone()).unwrap_or_default());
    let name = RwSignal::new(sub.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let save = Action::new(move |_: &()| {
        let (login, name, password) = (login.get_untracked(), name.get_untracked(), password.get_untracked());
        let permissions = selected.get_untracked().into_iter().collect();
        let camera_ids = cameras.get_untracked().into_iter().collect();
        client_save_sub_user(id, login, name, password, permissions, camera_ids, version)
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            done.run(true);
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let title = match &sub {
        Some(s) => t_string!(i18n, client.sub_edit_named, name = s.name.clone()).to_string(),
        None => t_string!(i18n, client.sub_new).to_string(),
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(());
    };
    view! {
        <section class="card editor" aria-labelledby="sub-user-form-title">
            <h2 id="sub-user-form-title">{title}</h2>
            <form on:submit=on_submit>
                <div class="form-grid">
                    <div class="field">
                        <label for="sub-login">{t!(i18n, client.sub_login)}</label>
                        <input id="sub-login" type="text" autocomplete="off" required maxlength="64" readonly=locked
                            prop:value=login on:input=move |ev| login.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="sub-name">{t!(i18n, client.sub_name)}</label>
                        <input id="sub-name" type="text" required maxlength="128"
                            prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                    {(!locked).then(|| view! {
                        <div class="field">
                            <label for="sub-password">{if id.is_some() { t_string!(i18n, client.sub_new_password) } else { t_string!(i18n, client.sub_password) }}</label>
                            <input id="sub-password" type="password" autocomplete="new-password" minlength="8" required=id.is_none()
                                prop:value=password on:input=move |ev| password.set(event_target_value(&ev)) />
                        </div>
                    })}
                </div>
                <fieldset class="permission-group">
                    <legend>{t!(i18n, client.sub_cameras)}</legend>
                    {if view.cameras.is_empty() {
                        view! { <p class="muted">{t!(i18n, client.sub_no_cameras)}</p> }.into_any()
                    } else {
                        view! { <CameraChecks cameras=view.cameras.clone() selected=cameras id_prefix="cam" /> }.into_any()
                    }}
                </fieldset>
                <h3>{t!(i18n, client.sub_permissions)}</h3>
                <PermissionChecks groups=groups(&blocked, &hidden) selected baseline can_edit=true />
                <FormFooter error pending=save.pending() on_cancel=Callback::new(move |()| done.run(false)) />
            </form>
        </section>
    }
}
