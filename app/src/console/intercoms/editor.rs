//! The intercom editor: name, address (by CSA code), department and flat range.

use super::{save_intercom, IntercomForm};
use crate::components::form::FormFooter;
use crate::lang::{t, t_string, use_i18n};
use leptos::prelude::*;

#[component]
pub fn IntercomEditor(id: Option<i64>, initial: IntercomForm, on_done: Callback<Option<i64>>) -> impl IntoView {
    let form = RwSignal::new(initial);
    let save = Action::new(move |f: &IntercomForm| save_intercom(id, f.clone()));
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            on_done.run(Some(saved));
        }
    });
    let error = move || save.value().get().and_then(Result::err);
    let i18n = use_i18n();
    let title = if id.is_some() {
        t_string!(i18n, intercoms.editor_title_edit)
    } else {
        t_string!(i18n, intercoms.editor_title_new)
    };
    let text = |get: fn(&IntercomForm) -> String, set: fn(&mut IntercomForm, String)| {
        (move || form.with(get), move |ev: leptos::ev::Event| form.update(|f| set(f, event_target_value(&ev))))
    };
    let (name_v, name_set) = text(|f| f.name.clone(), |f, v| f.name = v);
    let (csa_v, csa_set) = text(|f| f.csa_code.clone(), |f, v| f.csa_code = v);
    let (dep_v, dep_set) = text(|f| f.department.clone(), |f, v| f.department = v);
    let (from_v, from_set) = text(|f| f.flat_from.to_string(), |f, v| f.flat_from = v.trim().parse().unwrap_or(0));
    let (to_v, to_set) = text(|f| f.flat_to.to_string(), |f, v| f.flat_to = v.trim().parse().unwrap_or(0));
    view! {
        <form class="card editor" aria-label=title on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch(form.get_untracked());
        }>
            <h2>{title}</h2>
            <div class="form-grid">
                <div class="field"><label for="ic-name">{t!(i18n, intercoms.editor_name)}</label><input id="ic-name" required prop:value=name_v on:input=name_set /></div>
                <div class="field"><label for="ic-csa">{t!(i18n, intercoms.editor_csa)}</label><input id="ic-csa" required prop:value=csa_v on:input=csa_set /></div>
                <div class="field"><label for="ic-dep">{t!(i18n, intercoms.editor_department)}</label><input id="ic-dep" required prop:value=dep_v on:input=dep_set /></div>
                <div class="field">
                    <span class="label-like">{t!(i18n, intercoms.editor_flat_range)}</span>
                    <div class="range">
                        <label for="ic-from" class="visually-hidden">{t!(i18n, intercoms.editor_first_flat)}</label>
                        <input id="ic-from" type="number" min="1" required prop:value=from_v on:input=from_set />
                        <span aria-hidden="true">"–"</span>
                        <label for="ic-to" class="visually-hidden">{t!(i18n, intercoms.editor_last_flat)}</label>
                        <input id="ic-to" type="number" min="1" required prop:value=to_v on:input=to_set />
                    </div>
                </div>
            </div>
            <FormFooter error=Signal::derive(error) pending=save.pending() on_cancel=Callback::new(move |_| on_done.run(None)) />
        </form>
    }
}
