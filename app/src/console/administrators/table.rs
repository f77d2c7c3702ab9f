//! The administrators table: who, what they hold, and the actions on each row.

use super::{set_admin_disabled, AdminRow};
use crate::components::list::{Column, DataTable};
use crate::domain::admin::Role;
use crate::domain::time::format_date;
use leptos::prelude::*;

pub(super) fn scope_text(r: &AdminRow) -> String {
    if r.scope_all {
        return "All cameras".into();
    }
    let mut parts = Vec::new();
    if !r.scope_csa.is_empty() {
        parts.push(format!("Locations {}", r.scope_csa.join(", ")));
    }
    if !r.scope_cameras.is_empty() {
        parts.push(format!("Cameras {}", r.scope_cameras.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")));
    }
    if parts.is_empty() {
        "No cameras".into()
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
    let toggle = Action::new(|(id, disabled): &(i64, bool)| set_admin_disabled(*id, *disabled));
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(())) => {
            notice.set(Some("Saved.".into()));
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => notice.set(Some(e.to_string())),
        None => {}
    });
    let row = move |r: AdminRow| {
        let perms = if r.role == Role::Superadmin {
            "All".to_string()
        } else if r.permissions.is_empty() {
            "None".to_string()
        } else {
            r.permissions.iter().map(|p| p.slug()).collect::<Vec<_>>().join(", ")
        };
        let scope = scope_text(&r);
        let (id, disabled, is_me, login) = (r.id, r.disabled, r.is_me, r.login.clone());
        let row = r.clone();
        view! {
            // The row opens the administrator's editor (its Edit button).
            <tr class="row-link">
                <td data-label="Login">{r.login.clone()}{is_me.then(|| view! { <span class="hint">" (you)"</span> })}</td>
                <td data-label="Name">{r.name.clone()}</td>
                <td data-label="Role">{r.role.slug()}</td>
                <td class="wrap" data-label="Permissions">{perms}</td>
                <td class="wrap" data-label="Camera scope">{scope}</td>
                <td data-label="Status">
                    <span class=if disabled { "badge status-deleted" } else { "badge status-active" }>
                        {if disabled { "disabled" } else { "active" }}
                    </span>
                    <span class="hint">{format!(" since {}", format_date(r.created_at))}</span>
                </td>
                <td class="actions">
                    <button type="button" class="button secondary small row-main" aria-label=format!("Edit {login}")
                        on:click=move |_| { notice.set(None); editing.set(Some(Some(row.clone()))); }>"Edit"</button>
                    {(!is_me).then(|| view! {
                        <button type="button" class="button secondary small"
                            aria-label=format!("{} {}", if disabled { "Enable" } else { "Disable" }, r.login)
                            on:click=move |_| { toggle.dispatch((id, !disabled)); }>
                            {if disabled { "Enable" } else { "Disable" }}
                        </button>
                    })}
                </td>
            </tr>
        }
    };
    view! { <DataTable columns=&COLUMNS rows row /> }
}

const COLUMNS: [Column; 7] = [
    Column::new("Login"),
    Column::new("Name"),
    Column::new("Role"),
    Column::new("Permissions"),
    Column::new("Camera scope"),
    Column::new("Status"),
    Column::new("Actions").unlabelled(),
];
