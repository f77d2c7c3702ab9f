//! Intercoms (SPEC §5.3): `/intercoms` (list, search, create), `/intercoms/{id}/general`
//! (edit) and `/intercoms/{id}/apartments` (link users to flats, manage their keys).
//! Viewing needs `users-view`; every change needs `intercoms-edit` and is audited.

mod apartments;
mod editor;
mod flats_table;

use editor::IntercomEditor;

pub use apartments::*;

use crate::components::list::{Column, ListView, Listing};
use crate::components::pager::Counted;
use crate::components::states::ErrorState;
use crate::components::tabs::{TabLink, TabList};
use crate::console::layout::{card_of, id_param, CardPage, ConsoleLayout};
use crate::domain::page::Page;
use crate::error::AppError;
use crate::lang::{t, t_string, td_string, use_i18n};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Intercom {
    pub id: i64,
    pub name: String,
    pub csa_code: String,
    pub address: String,
    pub department: String,
    pub flat_from: i64,
    pub flat_to: i64,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntercomList {
    pub page: Page<Intercom>,
    pub can_edit: bool,
}

impl Listing for IntercomList {
    type Row = Intercom;
    fn into_page(self) -> Page<Intercom> {
        self.page
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntercomCard {
    pub intercom: Intercom,
    pub can_edit: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IntercomForm {
    pub name: String,
    pub csa_code: String,
    pub department: String,
    pub flat_from: i64,
    pub flat_to: i64,
}

#[cfg(feature = "ssr")]
mod queries;

#[server(prefix = "/api/console", endpoint = "intercoms")]
pub async fn list_intercoms(q: Option<String>, after: Option<String>) -> Result<IntercomList, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let page = queries::list(ctx.db(), q.as_deref(), after.as_deref()).await?;
        Ok(IntercomList { page, can_edit: ctx.admin.can(Permission::IntercomsEdit) })
    })
    .await
}

#[server(prefix = "/api/console", endpoint = "intercom")]
pub async fn get_intercom(id: i64) -> Result<IntercomCard, AppError> {
    use crate::backend::{require, respond, Permission};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        let mut conn = ctx.db().pool.acquire().await?;
        Ok(IntercomCard {
            intercom: queries::load(&mut conn, id).await?,
            can_edit: ctx.admin.can(Permission::IntercomsEdit),
        })
    })
    .await
}

/// Creates (`id` none) or edits an intercom; answers its id.
#[server(prefix = "/api/console", endpoint = "save_intercom", input = Json)]
pub async fn save_intercom(id: Option<i64>, form: IntercomForm) -> Result<i64, AppError> {
    use crate::backend::{require, respond, Permission};
    use crate::domain::intercom::{check_range, MAX_FLATS};
    respond(async move {
        let lang = crate::lang::current();
        let ctx = require(Permission::IntercomsEdit).await?;
        let form = IntercomForm {
            name: form.name.trim().to_string(),
            csa_code: form.csa_code.trim().to_string(),
            department: form.department.trim().to_string(),
            ..form
        };
        if form.name.is_empty() || form.name.chars().count() > 128 {
            return Err(AppError::Invalid(td_string!(lang, intercoms.err_name).to_string()));
        }
        if form.department.is_empty() || form.department.chars().count() > 64 {
            return Err(AppError::Invalid(td_string!(lang, intercoms.err_department).to_string()));
        }
        // The domain explains in English: say the same in the request's language.
        check_range(form.flat_from, form.flat_to).map_err(|_| {
            AppError::Invalid(if form.flat_from < 1 {
                td_string!(lang, intercoms.err_first_flat).to_string()
            } else if form.flat_to < form.flat_from {
                td_string!(lang, intercoms.err_last_flat).to_string()
            } else {
                td_string!(lang, intercoms.err_too_many_flats, max = MAX_FLATS).to_string()
            })
        })?;
        let mut tx = ctx.db().pool.begin().await?;
        let code = &form.csa_code;
        let a = queries::csa_address(&mut tx, code)
            .await?
            .ok_or_else(|| AppError::Invalid(td_string!(lang, intercoms.err_unknown_csa, code = code).to_string()))?;
        let search = format!("{} {} {} {}", form.name, a.city, a.street, a.house).to_lowercase();
        let flats = [form.flat_from, form.flat_to];
        let (id, action, details) = match id {
            None => {
                let id = queries::insert(&mut tx, &form, &search, ctx.now()).await?;
                (id, "intercom.create", serde_json::json!({"csa_code": code, "flats": flats}))
            }
            Some(id) => {
                let before = queries::load(&mut tx, id).await?;
                let outside = queries::linked_flats_outside(&mut tx, id, form.flat_from, form.flat_to).await?;
                if !outside.is_empty() {
                    let flats: Vec<String> = outside.iter().map(i64::to_string).collect();
                    let flats = flats.join(", ");
                    return Err(AppError::Conflict(
                        td_string!(lang, intercoms.err_flats_outside, flats = flats).to_string(),
                    ));
                }
                queries::update(&mut tx, id, &form, &search).await?;
                let details = serde_json::json!({
                    "before": {"name": before.name, "csa_code": before.csa_code, "department": before.department, "flats": [before.flat_from, before.flat_to]},
                    "after": {"name": form.name, "csa_code": code, "department": form.department, "flats": flats},
                });
                (id, "intercom.update", details)
            }
        };
        queries::audit(&mut tx, &ctx, action, ("intercom", id, &form.name), None, details).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

#[component]
pub fn IntercomsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k));
    let reload = RwSignal::new(0u32);
    let list =
        Resource::new(move || (param("q"), param("after"), reload.get()), |(q, after, _)| list_intercoms(q, after));
    let creating = RwSignal::new(false);
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, intercoms.list_title) />
        <ConsoleLayout>
            <div class="page-head">
                <h1>{t!(i18n, intercoms.list_title)}</h1>
            </div>
            <form class="filters" method="get" action="/intercoms" role="search">
                <div class="field grow">
                    <label for="intercom-search">{t!(i18n, intercoms.search_label)}</label>
                    <input id="intercom-search" type="search" name="q" value=move || param("q").unwrap_or_default() />
                </div>
                <button type="submit" class="button primary">{t!(i18n, intercoms.search_button)}</button>
            </form>
            // Who may edit learns it with the list: the button waits for the same answer.
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    list.await.is_ok_and(|l| l.can_edit).then(|| view! {
                        <Show when=move || creating.get() fallback=move || view! {
                            <p><button type="button" class="button primary" on:click=move |_| creating.set(true)>{t!(i18n, intercoms.new_intercom)}</button></p>
                        }>
                            <IntercomEditor id=None initial=IntercomForm { flat_from: 1, flat_to: 60, ..Default::default() }
                                on_done=Callback::new(move |saved: Option<i64>| {
                                    creating.set(false);
                                    if let Some(id) = saved {
                                        crate::components::dom::hard_navigate(&format!("/intercoms/{id}/general"));
                                    }
                                }) />
                        </Show>
                    })
                })}
            </Transition>
            <ListView list columns=columns() row=intercom_row counts=Counted::Intercoms empty=t_string!(i18n, intercoms.list_empty) />
        </ConsoleLayout>
    }
}

/// The list's columns in the page's language.
fn columns() -> [Column; 5] {
    let lang = crate::lang::current();
    [
        Column::new(td_string!(lang, intercoms.col_name)),
        Column::new(td_string!(lang, intercoms.col_address)),
        Column::new(td_string!(lang, intercoms.col_department)),
        Column::new(td_string!(lang, intercoms.col_flats)),
        Column::new(td_string!(lang, intercoms.col_created_at)).wide_only(),
    ]
}

fn intercom_row(i: Intercom) -> impl IntoView {
    let lang = crate::lang::current();
    view! {
        <tr class="row-link">
            <td data-label=td_string!(lang, intercoms.col_name)><a class="row-main" href=format!("/intercoms/{}/general", i.id)>{i.name}</a></td>
            <td data-label=td_string!(lang, intercoms.col_address)>{i.address}</td>
            <td data-label=td_string!(lang, intercoms.col_department)>{i.department}</td>
            <td data-label=td_string!(lang, intercoms.col_flats)>{format!("{}–{}", i.flat_from, i.flat_to)}</td>
            <td class="wide-only" data-label=td_string!(lang, intercoms.label_created)>{crate::lang::date(i.created_at)}</td>
        </tr>
    }
}

#[component]
pub fn IntercomCardPage() -> impl IntoView {
    let params = use_params_map();
    let id = id_param();
    let tab = move || params.with(|p| p.get("tab")).unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let card = Resource::new(move || (id(), reload.get()), |(id, _)| card_of(id, get_intercom));
    let i18n = use_i18n();
    view! {
        <CardPage back=("/intercoms", t_string!(i18n, intercoms.list_title)) card title=t_string!(i18n, intercoms.card_title)
            body=move |c| view! { <CardBody c tab=tab() reload /> } />
    }
}

#[component]
fn CardBody(c: IntercomCard, tab: String, reload: RwSignal<u32>) -> impl IntoView {
    let i = c.intercom.clone();
    let i18n = use_i18n();
    let (general, apartments) = (t_string!(i18n, intercoms.tab_general), t_string!(i18n, intercoms.tab_apartments));
    let tabs = vec![
        TabLink { label: general, href: format!("/intercoms/{}/general", i.id), selected: tab == "general" },
        TabLink { label: apartments, href: format!("/intercoms/{}/apartments", i.id), selected: tab == "apartments" },
    ];
    let body = match tab.as_str() {
        "general" => view! { <General c=c.clone() reload /> }.into_any(),
        "apartments" => view! { <apartments::Apartments id=i.id can_edit=c.can_edit /> }.into_any(),
        _ => view! { <ErrorState error=AppError::NotFound /> }.into_any(),
    };
    let tab_name = if tab == "apartments" { apartments } else { general };
    let hint = t_string!(
        i18n,
        intercoms.summary_hint,
        address = &i.address,
        department = &i.department,
        from = i.flat_from,
        to = i.flat_to
    )
    .to_string();
    view! {
        <Title text=format!("{} · {tab_name}", i.name) />
        <section class="card-header" aria-label=t_string!(i18n, intercoms.summary_label)>
            <div class="card-title"><h1>{i.name.clone()}</h1></div>
            <p class="hint">{hint}</p>
        </section>
        <TabList label=t_string!(i18n, intercoms.card_title) tabs />
        <section class="tab-panel" role="tabpanel" aria-label=tab_name>{body}</section>
    }
}

#[component]
fn General(c: IntercomCard, reload: RwSignal<u32>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let i = c.intercom;
    let initial = IntercomForm {
        name: i.name.clone(),
        csa_code: i.csa_code.clone(),
        department: i.department.clone(),
        flat_from: i.flat_from,
        flat_to: i.flat_to,
    };
    let id = i.id;
    let i18n = use_i18n();
    let address = t_string!(i18n, intercoms.address_with_csa, address = &i.address, csa = &i.csa_code).to_string();
    view! {
        <Show when=move || editing.get() fallback=move || ()>
            <IntercomEditor id=Some(id) initial=initial.clone() on_done=Callback::new(move |saved: Option<i64>| {
                editing.set(false);
                if saved.is_some() { reload.update(|n| *n += 1); }
            }) />
        </Show>
        <dl class="details">
            <div><dt>{t!(i18n, intercoms.field_name)}</dt><dd>{i.name.clone()}</dd></div>
            <div><dt>{t!(i18n, intercoms.field_address)}</dt><dd>{address}</dd></div>
            <div><dt>{t!(i18n, intercoms.field_department)}</dt><dd>{i.department.clone()}</dd></div>
            <div><dt>{t!(i18n, intercoms.field_flat_range)}</dt><dd>{format!("{}–{}", i.flat_from, i.flat_to)}</dd></div>
            <div><dt>{t!(i18n, intercoms.field_creation_date)}</dt><dd>{crate::lang::datetime(i.created_at)}</dd></div>
        </dl>
        {c.can_edit.then(|| view! {
            <div class="form-actions">
                <button type="button" class="button secondary" on:click=move |_| editing.set(true)>{t!(i18n, intercoms.edit_intercom)}</button>
            </div>
        })}
    }
}
