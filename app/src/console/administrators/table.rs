//! The administrators table: who, what they hold, and the actions on each row.

use super::{set_admin_disabled, AdminRow};
use crate::components::list::{Column, DataTable};
use crate::domain::admin::Role;
use crate::lang::{labels, t, t_string, td_string, use_i18n, Locale};
use leptos::prelude::*;

/// The camera scope of `r` in `lang` (the export's is English).
pub(super) fn scope_text(r: &AdminRow, lang: Locale) -> String {
    if r.scope_all {
        return td_string!(lang, admin.scope_all).to_string();
    }
    let mut parts = Vec::new();
    if !r.scope_csa.is_empty() {
        parts.push(td_string!(lang, admin.scope_locations, codes = r.scope_csa.join(", ")).to_string());
    }
    if !r.scope_cameras.is_empty() {
        let ids = r.scope_cameras.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        parts.push(td_string!(lang, admin.scope_cameras, ids = ids).to_string());
    }
    if parts.is_empty() {
        td_string!(lang, admin.scope_none).to_string()
    } else {
        parts.join("; ")
    }
}

#[component]
pub fn AdminTable(
    rows: Vec<AdminRow>,
    editing: RwSignal<Option<Option<AdminRow>>>,
    notice: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = crate::lang::current();
    let toggle = Action::new(|(id, disabled): &(i64, bool)| set_admin_disabled(*id, *disabled));
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(())) => {
            notice.set(Some(td_string!(lang, admin.table_saved).to_string()));
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => notice.set(Some(e.message())),
        None => {}
    });
    let row = move |r: AdminRow| {
        let perms = if r.role == Role::Superadmin {
            t_string!(i18n, admin.table_perms_all).to_string()
        } else if r.permissions.is_empty() {
            t_string!(i18n, admin.table_perms_none).to_string()
        } else {
            r.permissions.iter().map(|p| p.slug()).collect::<Vec<_>>().join(", ")
        };
        let scope = scope_text(&r, lang);
        let (id, disabled, is_me) = (r.id, r.disabled, r.is_me);
        let edit_label = t_string!(i18n, admin.table_edit_label, login = &r.login).to_string();
        let toggle_label = if disabled {
            t_string!(i18n, admin.table_enable_label, login = &r.login).to_string()
        } else {
            t_string!(i18n, admin.table_disable_label, login = &r.login).to_string()
        };
        let since = t_string!(i18n, admin.table_since, date = crate::lang::date(r.created_at)).to_string();
        let row = r.clone();
        view! {
            // The row opens the administrator's editor (its Edit button).
            <tr class="row-link">
                <td data-label=t_string!(i18n, admin.col_login)>
                    {r.login.clone()}{is_me.then(|| view! { <span class="hint">{t!(i18n, admin.table_you)}</span> })}
                </td>
                <td data-label=t_string!(i18n, admin.col_name)>{r.name.clone()}</td>
                <td data-label=t_string!(i18n, admin.col_role)>{labels::role(r.role)}</td>
                <td class="wrap" data-label=t_string!(i18n, admin.col_permissions)>{perms}</td>
                <td class="wrap" data-label=t_string!(i18n, admin.col_scope)>{scope}</td>
                <td data-label=t_string!(i18n, admin.col_status)>
                    <span class=if disabled { "badge status-deleted" } else { "badge status-active" }>
                        {if disabled { t_string!(i18n, admin.table_status_disabled) } else { t_string!(i18n, admin.table_status_active) }}
                    </span>
                    <span class="hint">{since}</span>
                </td>
                <td class="actions">
                    <button type="button" class="button secondary small row-main"
                        aria-label=edit_label
                        on:click=move |_| { notice.set(None); editing.set(Some(Some(row.clone()))); }>{t!(i18n, admin.table_edit)}</button>
                    {(!is_me).then(|| view! {
                        <button type="button" class="button secondary small"
                            aria-label=toggle_label
                            on:click=move |_| { toggle.dispatch((id, !disabled)); }>
                            {if disabled { t_string!(i18n, admin.table_enable) } else { t_string!(i18n, admin.table_disable) }}
                        </button>
                    })}
                </td>
            </tr>
        }
    };
    view! { <DataTable columns=columns(lang) rows row /> }
}

/// The table's columns in `lang`.
fn columns(lang: Locale) -> [Column; 7] {
    [
        Column::new(td_string!(lang, admin.col_login)),
        Column::new(td_string!(lang, admin.col_name)),
        Column::new(td_string!(lang, admin.col_role)),
        Column::new(td_string!(lang, admin.col_permissions)),
        Column::new(td_string!(lang, admin.col_scope)),
        Column::new(td_string!(lang, admin.col_status)),
        Column::new(td_string!(lang, admin.col_actions)).unlabelled(),
    ]
}
