//! The administrator editor: login, name, password, role, console permissions, scope. It
//! offers only what the signed-in administrator holds (the server refuses anything more):
//! the superadmin role to superadmins, the permissions it holds, all cameras only from an
//! all-cameras scope, and otherwise a choice among its own locations.

use super::{create_admin, reset_admin_password, update_admin, AdminForm, AdminRow};
use crate::components::form::FormFooter;
use crate::console::layout::Me;
use crate::domain::admin::{Permission, Role};
use crate::error::AppError;
use crate::lang::{labels, t, t_string, td_string, use_i18n};
use leptos::prelude::*;

#[component]
pub fn AdminEditor(row: Option<AdminRow>, me: Me, on_done: Callback<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    // The notices are written after the save, in the page's language.
    let lang = crate::lang::current();
    let id = row.as_ref().map(|r| r.id);
    let is_super = me.role == Role::Superadmin;
    let own = row.as_ref().is_some_and(|r| r.is_me);
    let form = RwSignal::new(match &row {
        Some(r) => AdminForm {
            login: r.login.clone(),
            name: r.name.clone(),
            role: r.role,
            permissions: r.permissions.clone(),
            scope_all: r.scope_all,
            scope_csa: r.scope_csa.join(" "),
            scope_cameras: r.scope_cameras.iter().map(i64::to_string).collect::<Vec<_>>().join(" "),
        },
        None => AdminForm {
            role: Role::Admin,
            scope_all: me.scope_all,
            permissions: me.permissions.iter().copied().filter(|p| *p == Permission::UsersView).collect(),
            ..Default::default()
        },
    });
    let password = RwSignal::new(String::new());
    let save = Action::new(move |(f, pw): &(AdminForm, String)| {
        let (f, pw) = (f.clone(), pw.clone());
        async move {
            match id {
                Some(id) => {
                    update_admin(id, f.clone()).await?;
                    if !pw.is_empty() {
                        reset_admin_password(id, pw).await?;
                    }
                    Ok(td_string!(lang, admin.notice_saved, login = f.login.trim()).to_string())
                }
                None => create_admin(f.clone(), pw)
                    .await
                    .map(|_| td_string!(lang, admin.notice_created, login = f.login.trim()).to_string()),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(msg)) = save.value().get() {
            on_done.run(Some(msg));
        }
    });
    let error = move || save.value().get().and_then(|r: Result<String, AppError>| r.err());
    let text = |get: fn(&AdminForm) -> String, set: fn(&mut AdminForm, String)| {
        (move || form.with(get), move |ev: leptos::ev::Event| form.update(|f| set(f, event_target_value(&ev))))
    };
    let (login_v, login_set) = text(|f| f.login.clone(), |f, v| f.login = v);
    let (name_v, name_set) = text(|f| f.name.clone(), |f, v| f.name = v);
    let (csa_v, csa_set) = text(|f| f.scope_csa.clone(), |f, v| f.scope_csa = v);
    let (cam_v, cam_set) = text(|f| f.scope_cameras.clone(), |f, v| f.scope_cameras = v);
    // Nobody changes their own grants; the server says so too.
    let superadmin = move || form.with(|f| f.role == Role::Superadmin);
    let fixed = move || own || superadmin();
    let limited = move || form.with(|f| !f.scope_all && f.role != Role::Superadmin);
    let offered: Vec<Permission> = Permission::ALL.into_iter().filter(|p| me.permissions.contains(p)).collect();
    let title =
        if id.is_some() { t_string!(i18n, admin.editor_title_edit) } else { t_string!(i18n, admin.editor_title_new) };
    view! {
        <form class="card editor" aria-label=title on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch((form.get_untracked(), password.get_untracked()));
        }>
            <h2>{title}</h2>
            <div class="form-grid">
                <div class="field">
                    <label for="admin-login">{t!(i18n, admin.editor_login)}</label>
                    <input id="admin-login" required autocomplete="off" prop:value=login_v on:input=login_set />
                </div>
                <div class="field">
                    <label for="admin-name">{t!(i18n, admin.editor_name)}</label>
                    <input id="admin-name" prop:value=name_v on:input=name_set />
                </div>
                <div class="field">
                    <label for="admin-password">{if id.is_some() { t_string!(i18n, admin.editor_new_password) } else { t_string!(i18n, admin.editor_password) }}</label>
                    <input id="admin-password" type="password" autocomplete="new-password" minlength="8" required=id.is_none()
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
                {(is_super && !own).then(|| view! {
                    <div class="field">
                        <label for="admin-role">{t!(i18n, admin.editor_role)}</label>
                        <select id="admin-role" on:change=move |ev| form.update(|f| f.role = Role::from_slug(&event_target_value(&ev)).unwrap_or_default())>
                            <option value=Role::Admin.slug() selected=move || !superadmin()>{labels::role(Role::Admin)}</option>
                            <option value=Role::Superadmin.slug() selected=superadmin>
                                {t_string!(i18n, admin.editor_role_superadmin, role = labels::role(Role::Superadmin)).to_string()}
                            </option>
                        </select>
                    </div>
                })}
            </div>
            {own.then(|| view! { <p class="hint">{t!(i18n, admin.editor_own_hint)}</p> })}
            <fieldset class="permission-group" disabled=fixed>
                <legend>{t!(i18n, admin.editor_permissions)}</legend>
                {offered.into_iter().map(|permission| {
                    let input_id = format!("admin-perm-{permission}");
                    let text = format!("{} ({permission})", labels::permission(permission));
                    let held = move || superadmin() || form.with(|f| f.permissions.contains(&permission));
                    view! {
                        <div class="check">
                            <input type="checkbox" id=input_id.clone() prop:checked=held on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                form.update(|f| { f.permissions.retain(|p| *p != permission); if on { f.permissions.push(permission); } });
                            } />
                            <label for=input_id>{text}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset class="permission-group" disabled=fixed>
                <legend>{t!(i18n, admin.editor_scope)}</legend>
                {if me.scope_all {
                    view! {
                        <div class="check">
                            <input type="radio" id="scope-all" name="scope" prop:checked=move || !limited() on:change=move |_| form.update(|f| f.scope_all = true) />
                            <label for="scope-all">{t!(i18n, admin.scope_all)}</label>
                        </div>
                        <div class="check">
                            <input type="radio" id="scope-some" name="scope" prop:checked=limited on:change=move |_| form.update(|f| f.scope_all = false) />
                            <label for="scope-some">{t!(i18n, admin.editor_scope_some)}</label>
                        </div>
                        <div class="form-grid" class:hidden=move || !limited()>
                            <div class="field">
                                <label for="scope-csa">{t!(i18n, admin.editor_scope_csa)}</label>
                                <textarea id="scope-csa" rows="2" prop:value=csa_v on:input=csa_set placeholder=t_string!(i18n, admin.editor_scope_csa_placeholder)></textarea>
                            </div>
                            <div class="field">
                                <label for="scope-cameras">{t!(i18n, admin.editor_scope_cameras)}</label>
                                <textarea id="scope-cameras" rows="2" prop:value=cam_v on:input=cam_set placeholder=t_string!(i18n, admin.editor_scope_cameras_placeholder)></textarea>
                            </div>
                        </div>
                    }.into_any()
                } else {
                    view! { <OwnScopeChoice me=me.clone() form /> }.into_any()
                }}
            </fieldset>
            <FormFooter error=Signal::derive(error) pending=save.pending() on_cancel=Callback::new(move |_| on_done.run(None)) />
        </form>
    }
}

/// For an administrator with a limited scope: its own locations to choose from, and camera
/// IDs within its scope (the server refuses any other).
#[component]
fn OwnScopeChoice(me: Me, form: RwSignal<AdminForm>) -> impl IntoView {
    let i18n = use_i18n();
    let has = move |code: &str| form.with(|f| f.scope_csa.split_whitespace().any(|c| c == code));
    let (cam_v, cam_set) = (
        move || form.with(|f| f.scope_cameras.clone()),
        move |ev: leptos::ev::Event| form.update(|f| f.scope_cameras = event_target_value(&ev)),
    );
    let example = me.scope_cameras.iter().take(3).map(i64::to_string).collect::<Vec<_>>().join(" ");
    view! {
        <p class="hint">{t!(i18n, admin.editor_own_scope_hint)}</p>
        {(!me.scope_csa.is_empty()).then(|| view! {
            <div role="group" aria-label=t_string!(i18n, admin.editor_scope_csa)>
                {me.scope_csa.iter().map(|code| {
                    let code = code.clone();
                    let input_id = format!("scope-csa-{code}");
                    let on = { let code = code.clone(); move || has(&code) };
                    let toggle = code.clone();
                    view! {
                        <div class="check">
                            <input type="checkbox" id=input_id.clone() prop:checked=on on:change=move |ev| {
                                let checked = event_target_checked(&ev);
                                form.update(|f| {
                                    let mut codes: Vec<String> = f.scope_csa.split_whitespace().filter(|c| *c != toggle).map(String::from).collect();
                                    if checked { codes.push(toggle.clone()); }
                                    f.scope_csa = codes.join(" ");
                                });
                            } />
                            <label for=input_id>{t_string!(i18n, admin.editor_location, code = &code).to_string()}</label>
                        </div>
                    }
                }).collect_view()}
            </div>
        })}
        <div class="field">
            <label for="scope-cameras">{t!(i18n, admin.editor_scope_cameras_own)}</label>
            <textarea id="scope-cameras" rows="2" prop:value=cam_v on:input=cam_set
                placeholder=example></textarea>
        </div>
    }
}
