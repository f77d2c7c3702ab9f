//! The flats of an intercom's range: linked users, their keys, and the forms to change them.

use super::apartments::{Change, FlatsPage};
use crate::error::AppError;
use crate::lang::{t, t_string, use_i18n};
use leptos::prelude::*;

#[component]
pub(super) fn FlatsTable(
    p: FlatsPage,
    id: i64,
    linked: bool,
    change: Action<Change, Result<String, AppError>>,
) -> impl IntoView {
    let can_edit = p.can_edit;
    let suffix = if linked { "&linked=1" } else { "" };
    let next = p.next.map(|n| format!("/intercoms/{id}/apartments?start={n}{suffix}"));
    let i18n = use_i18n();
    let (flat_label, user_label, keys_label) =
        (t_string!(i18n, intercoms.col_flat), t_string!(i18n, intercoms.col_user), t_string!(i18n, intercoms.col_keys));
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">{flat_label}</th>
                        <th scope="col">{user_label}</th>
                        <th scope="col">{keys_label}</th>
                    </tr>
                </thead>
                <tbody>
                    {p.flats.into_iter().map(|f| {
                        let flat = f.flat;
                        if f.links.is_empty() {
                            return view! { <tr><td data-label=flat_label>{flat}</td><td data-label=user_label class="hint">"—"</td><td data-label=keys_label></td></tr> }.into_any();
                        }
                        f.links.into_iter().map(|l| {
                            let link = l.id;
                            let new_key = RwSignal::new(String::new());
                            let terminated = l.terminated;
                            let keys_editable = can_edit && !terminated;
                            view! {
                                <tr class="row-link" class:terminated=terminated>
                                    <td data-label=flat_label>{flat}</td>
                                    <td data-label=user_label>
                                        <a class="row-main" href=format!("/users/{}/intercoms", l.user_id)>{l.user_name.clone()}</a>
                                        <span class="hint">{format!(" {}", l.login)}</span>
                                        {terminated.then(|| view! {
                                            " "<span class="badge status-deleted" title=t_string!(i18n, intercoms.terminated_hint)>{t!(i18n, intercoms.terminated_badge)}</span>
                                        })}
                                        {can_edit.then(|| view! {
                                            " "
                                            <button type="button" class="button secondary small" aria-label=t_string!(i18n, intercoms.unlink_aria, login = &l.login, flat = flat).to_string()
                                                on:click=move |_| { change.dispatch(Change::Unlink(link)); }>{t!(i18n, intercoms.unlink_button)}</button>
                                        })}
                                    </td>
                                    <td data-label=keys_label>
                                        {(terminated && !l.keys.is_empty()).then(|| view! { <span class="hint">{t!(i18n, intercoms.keys_disabled)}</span> })}
                                        <ul class="keys" class:disabled=terminated>
                                            {l.keys.iter().map(|k| {
                                                let key = k.id;
                                                view! {
                                                    <li>
                                                        <code>{k.code.clone()}</code>
                                                        {can_edit.then(|| view! {
                                                            <button type="button" class="button secondary small" aria-label=t_string!(i18n, intercoms.remove_key_aria, code = &k.code).to_string()
                                                                on:click=move |_| { change.dispatch(Change::RemoveKey(key)); }>"×"</button>
                                                        })}
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                        {keys_editable.then(|| view! {
                                            <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                                ev.prevent_default();
                                                change.dispatch(Change::AddKey(link, new_key.get_untracked()));
                                            }>
                                                <label for=format!("key-{link}") class="visually-hidden">{t_string!(i18n, intercoms.new_key_label, login = &l.login, flat = flat).to_string()}</label>
                                                <input id=format!("key-{link}") class="key-input" placeholder=t_string!(i18n, intercoms.new_key_placeholder) prop:value=move || new_key.get()
                                                    on:input=move |ev| new_key.set(event_target_value(&ev)) />
                                                <button type="submit" class="button secondary small">{t!(i18n, intercoms.add_key_button)}</button>
                                            </form>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view().into_any()
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=t_string!(i18n, intercoms.pagination)>
            <span class="pager-total">{t_string!(i18n, intercoms.flats_with_users, count = p.linked_flats).to_string()}</span>
            <span class="pager-links">
                <a class="button secondary" href=format!("/intercoms/{id}/apartments{}", if linked { "?linked=1" } else { "" })>{t!(i18n, intercoms.first_flats)}</a>
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">{t!(i18n, intercoms.next_flats)}</a> })}
            </span>
        </nav>
    }
}
