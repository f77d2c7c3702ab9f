//! `/client/analytics`: the caller's analytics cases. A case watches some of the caller's
//! cameras with one analytics type and uses one licence of the type's level per camera;
//! the page shows the licences left, creates cases within them, lists cases and their events.

use super::ClientLayout;
use crate::components::form::{CameraChecks, FormFooter};
use crate::components::list::{Column, DataTable};
use crate::components::states::{ErrorState, Loading};
use crate::error::AppError;
use crate::lang::{labels, t, t_string, use_i18n};
use crate::views::analytics::{AnalyticsView, CaseEventRow, LevelRow, EVENTS_PAGE};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use std::collections::BTreeSet;

#[server(prefix = "/api/client", endpoint = "analytics")]
pub async fn client_analytics() -> Result<AnalyticsView, AppError> {
    use crate::backend::{cases, respond};
    respond(async move {
        let (state, u, _) = super::current_user().await?;
        cases::overview(&state.db, &u).await
    })
    .await
}

#[server(prefix = "/api/client", endpoint = "create_case", input = Json)]
pub async fn client_create_case(name: String, kind: String, camera_ids: Vec<i64>) -> Result<i64, AppError> {
    use crate::backend::cases::{self, NewCase};
    use crate::backend::respond;
    respond(async move {
        let (state, u, _) = super::current_user().await?;
        let case = NewCase::validate(&name, &kind, camera_ids)?;
        cases::create(&state.db, &u, case, state.clock.now_ms()).await
    })
    .await
}

#[server(prefix = "/api/client", endpoint = "delete_case")]
pub async fn client_delete_case(id: i64) -> Result<(), AppError> {
    use crate::backend::{cases, respond};
    respond(async move {
        let (state, u, _) = super::current_user().await?;
        cases::delete(&state.db, &u, id, state.clock.now_ms()).await
    })
    .await
}

#[server(prefix = "/api/client", endpoint = "case_events")]
pub async fn client_case_events(id: i64, before: Option<i64>) -> Result<Vec<CaseEventRow>, AppError> {
    use crate::backend::{cases, respond};
    respond(async move {
        let (state, u, _) = super::current_user().await?;
        cases::events(&state.db, &u, id, before).await
    })
    .await
}

#[component]
pub fn ClientAnalyticsPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| client_analytics());
    let creating = RwSignal::new(false);
    let changed = Callback::new(move |saved: bool| {
        creating.set(false);
        if saved {
            reload.update(|n| *n += 1);
        }
    });
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, client.an_title) />
        <ClientLayout>
            <div class="page-head">
                <h1>{t!(i18n, client.an_heading)}</h1>
                <button type="button" class="button primary" disabled=move || creating.get()
                    on:click=move |_| creating.set(true)>{t!(i18n, client.an_new_case)}</button>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => {
                            let v = StoredValue::new(v);
                            view! {
                                <Licences levels=v.with_value(|v| v.levels.clone()) />
                                {move || creating.get().then(|| view! { <CaseForm v=v.get_value() done=changed /> })}
                                <Cases v=v.get_value() changed />
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
fn Licences(levels: Vec<LevelRow>) -> impl IntoView {
    let i18n = use_i18n();
    let held: Vec<LevelRow> = levels.into_iter().filter(|l| l.total > 0).collect();
    if held.is_empty() {
        return view! { <p class="notice" role="status">{t!(i18n, client.an_no_licences)}</p> }.into_any();
    }
    view! {
        <ul class="licence-list" aria-label=t_string!(i18n, client.an_licences_label)>
            {held.into_iter().map(|l| view! {
                <li class="licence">
                    <strong>{t_string!(i18n, client.an_level, level = l.level).to_string()}</strong>
                    <span>{t_string!(i18n, client.an_free_of, free = l.free, total = l.total).to_string()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The new-case form: name, type (those the caller may use), cameras.
#[component]
fn CaseForm(v: AnalyticsView, done: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(v.types.first().map(|t| t.0.clone()).unwrap_or_default());
    let cameras = RwSignal::new(BTreeSet::<i64>::new());
    let save = Action::new(move |_: &()| {
        client_create_case(name.get_untracked(), kind.get_untracked(), cameras.get_untracked().into_iter().collect())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            done.run(true);
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let free = v.levels.iter().map(|l| (l.level, l.free)).collect::<Vec<_>>();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(());
    };
    if v.types.is_empty() {
        return view! {
            <section class="card editor" aria-label=t_string!(i18n, client.an_new_case)>
                <p class="notice">{t!(i18n, client.an_no_types)}</p>
                <div class="form-actions"><button type="button" class="button secondary" on:click=move |_| done.run(false)>{t!(i18n, client.an_close)}</button></div>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card editor" aria-label=t_string!(i18n, client.an_new_case)>
            <h2>{t!(i18n, client.an_new_case)}</h2>
            <form on:submit=on_submit>
                <div class="form-grid">
                    <div class="field">
                        <label for="case-name">{t!(i18n, client.an_name)}</label>
                        <input id="case-name" type="text" required maxlength="128"
                            prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="case-type">{t!(i18n, client.an_type)}</label>
                        <select id="case-type" prop:value=kind on:change=move |ev| kind.set(event_target_value(&ev))>
                            {v.types.iter().map(|(code, _, level)| {
                                let left = free.iter().find(|(l, _)| l == level).map(|(_, f)| *f).unwrap_or(0);
                                let type_name = labels::analytics_type(code);
                                let text = t_string!(i18n, client.an_type_option, name = type_name, level = *level, free = left).to_string();
                                view! { <option value=code.clone()>{text}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <fieldset class="permission-group">
                    <legend>{t!(i18n, client.an_cameras)}</legend>
                    <CameraChecks cameras=v.cameras.clone() selected=cameras id_prefix="case-cam" />
                </fieldset>
                <FormFooter error pending=save.pending() on_cancel=Callback::new(move |()| done.run(false)) />
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn Cases(v: AnalyticsView, changed: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    if v.cases.is_empty() {
        return view! { <p class="state state-empty">{t!(i18n, client.an_no_cases)}</p> }.into_any();
    }
    let names = StoredValue::new(v.cameras);
    let open = RwSignal::new(None::<i64>);
    let delete = Action::new(|id: &i64| client_delete_case(*id));
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            changed.run(true);
        }
    });
    view! {
        {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="notice error" role="alert">{e.message()}</p> })}
        <ul class="card-list" aria-label=t_string!(i18n, client.an_cases_label)>
            {v.cases.into_iter().map(|c| {
                let id = c.id;
                let cams = c.camera_ids.iter().map(|cam| names.with_value(|n| n.iter().find(|(i, _)| i == cam).map(|(_, n)| n.clone()).unwrap_or_else(|| t_string!(i18n, client.an_camera_fallback, id = *cam).to_string()))).collect::<Vec<_>>().join(", ");
                let label = t_string!(i18n, client.an_events_of, name = c.name.clone()).to_string();
                let kind_level = t_string!(i18n, client.an_kind_level, kind = labels::analytics_type(&c.kind), level = c.level).to_string();
                let events = t_string!(i18n, client.an_events_count, count = c.events).to_string();
                let summary = t_string!(i18n, client.an_case_summary, cameras = cams, events = events, date = crate::lang::date(c.created_at)).to_string();
                let delete_label = t_string!(i18n, client.an_delete_named, name = c.name.clone()).to_string();
                view! {
                    <li class="card case">
                        <div class="grow">
                            <strong>{c.name.clone()}</strong>
                            <span class="hint">{format!(" · {kind_level}")}</span>
                            <p class="hint">{summary}</p>
                            {move || (open.get() == Some(id)).then(|| view! { <CaseEvents id /> })}
                        </div>
                        <div class="row-actions">
                            <button type="button" class="button secondary small" aria-label=label aria-expanded=move || (open.get() == Some(id)).to_string()
                                on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>{t!(i18n, client.an_events)}</button>
                            <button type="button" class="button danger small" aria-label=delete_label
                                disabled=move || delete.pending().get() on:click=move |_| { delete.dispatch(id); }>{t!(i18n, client.an_delete)}</button>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A case's events, newest first, with "Older" for the next page.
#[component]
fn CaseEvents(id: i64) -> impl IntoView {
    let before = RwSignal::new(None::<i64>);
    let events = Resource::new(move || before.get(), move |b| client_case_events(id, b));
    let i18n = use_i18n();
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) if list.is_empty() => view! { <p class="hint">{t!(i18n, client.an_no_events)}</p> }.into_any(),
                    Ok(list) => {
                        let last = list.last().map(|e| e.id);
                        let full = list.len() as i64 >= EVENTS_PAGE;
                        view! {
                            <DataTable columns=event_columns() rows=list class="compact" row=move |e| view! {
                                <tr>
                                    <td data-label=t_string!(i18n, client.an_col_when)>{crate::lang::datetime(e.occurred_at)}</td>
                                    <td data-label=t_string!(i18n, client.an_col_event)>{e.kind}</td>
                                    <td data-label=t_string!(i18n, client.an_col_details)><code>{e.data}</code></td>
                                </tr>
                            } />
                            <div class="form-actions">
                                {before.get_untracked().is_some().then(|| view! {
                                    <button type="button" class="button secondary small" on:click=move |_| before.set(None)>{t!(i18n, client.an_newest)}</button>
                                })}
                                {full.then(|| view! {
                                    <button type="button" class="button secondary small" on:click=move |_| before.set(last)>{t!(i18n, client.an_older)}</button>
                                })}
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The events table's columns in the page's language.
fn event_columns() -> [Column; 3] {
    use crate::lang::td_string;
    let locale = crate::lang::current();
    [
        Column::new(td_string!(locale, client.an_col_when)),
        Column::new(td_string!(locale, client.an_col_event)),
        Column::new(td_string!(locale, client.an_col_details)),
    ]
}
