//! The flats of an intercom's range: linked users, their keys, and the forms to change them.

use super::apartments::{Change, FlatsPage};
use crate::error::AppError;
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
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Flat"</th>
                        <th scope="col">"User"</th>
                        <th scope="col">"Keys"</th>
                    </tr>
                </thead>
                <tbody>
                    {p.flats.into_iter().map(|f| {
                        let flat = f.flat;
                        if f.links.is_empty() {
                            return view! { <tr><td data-label="Flat">{flat}</td><td data-label="User" class="hint">"—"</td><td data-label="Keys"></td></tr> }.into_any();
                        }
                        f.links.into_iter().map(|l| {
                            let link = l.id;
                            let new_key = RwSignal::new(String::new());
                            let terminated = l.terminated;
                            let keys_editable = can_edit && !terminated;
                            view! {
                                <tr class="row-link" class:terminated=terminated>
                                    <td data-label="Flat">{flat}</td>
                                    <td data-label="User">
                                        <a class="row-main" href=format!("/users/{}/intercoms", l.user_id)>{l.user_name.clone()}</a>
                                        <span class="hint">{format!(" {}", l.login)}</span>
                                        {terminated.then(|| view! {
                                            " "<span class="badge status-deleted" title="The subscriber was terminated; the link goes with its data 30 days after">"terminated"</span>
                                        })}
                                        {can_edit.then(|| view! {
                                            " "
                                            <button type="button" class="button secondary small" aria-label=format!("Unlink {} from flat {flat}", l.login)
                                                on:click=move |_| { change.dispatch(Change::Unlink(link)); }>"Unlink"</button>
                                        })}
                                    </td>
                                    <td data-label="Keys">
                                        {(terminated && !l.keys.is_empty()).then(|| view! { <span class="hint">"Disabled: "</span> })}
                                        <ul class="keys" class:disabled=terminated>
                                            {l.keys.iter().map(|k| {
                                                let key = k.id;
                                                view! {
                                                    <li>
                                                        <code>{k.code.clone()}</code>
                                                        {can_edit.then(|| view! {
                                                            <button type="button" class="button secondary small" aria-label=format!("Remove key {}", k.code)
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
                                                <label for=format!("key-{link}") class="visually-hidden">{format!("New key for {} in flat {flat}", l.login)}</label>
                                                <input id=format!("key-{link}") class="key-input" placeholder="New key" prop:value=move || new_key.get()
                                                    on:input=move |ev| new_key.set(event_target_value(&ev)) />
                                                <button type="submit" class="button secondary small">"Add key"</button>
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
        <nav class="pager" aria-label="Pagination">
            <span class="pager-total">{format!("{} with users", crate::domain::text::count_label(p.linked_flats, "flats"))}</span>
            <span class="pager-links">
                <a class="button secondary" href=format!("/intercoms/{id}/apartments{}", if linked { "?linked=1" } else { "" })>"First flats"</a>
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">"Next flats"</a> })}
            </span>
        </nav>
    }
}
