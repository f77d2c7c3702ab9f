//! The Billing Events tab: every billing request about the user, newest first.

use crate::components::list::{Column, ListView};
use crate::components::pager::Counted;
use crate::domain::billing::{EventType, Outcome};
use crate::domain::page::Page;
use crate::error::AppError;
use crate::lang::{datetime, labels, t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BillingEventRow {
    pub id: i64,
    pub request_id: String,
    pub event_type: String,
    pub created_at: i64,
    pub payload: String,
    /// An `Outcome`, as stored.
    pub outcome: String,
    pub status: i64,
    pub response: String,
    /// What this request names lies outside the administrator's scope: its details are
    /// masked in `payload`.
    #[cfg_attr(feature = "ssr", sqlx(default))]
    pub masked: bool,
}

#[server(prefix = "/api/console", endpoint = "user_billing_events")]
pub async fn user_billing_events(
    id: i64,
    event_type: Option<String>,
    after: Option<String>,
) -> Result<Page<BillingEventRow>, AppError> {
    use crate::backend::{require, respond, Permission};
    use crate::domain::page::Window;
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        let filter = event_filter(event_type.as_deref())?;
        super::billing_queries::events(ctx.db(), &ctx.admin, id, filter, &Window::page(after)).await
    })
    .await
}

/// The type a `type` parameter filters by: none when empty, an error when unknown.
pub fn event_filter(code: Option<&str>) -> Result<Option<EventType>, AppError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => EventType::from_code(c).map(Some).ok_or_else(|| {
            AppError::Invalid(crate::lang::td_string!(crate::lang::current(), card.events_err_unknown_type).into())
        }),
    }
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| json.to_string())
}

#[component]
pub fn BillingEventsTab(id: i64) -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k));
    let events =
        Resource::new(move || (param("type"), param("after")), move |(t, after)| user_billing_events(id, t, after));
    let path = use_location().pathname.get_untracked();
    let i18n = use_i18n();
    view! {
        <p class="source-note">{t!(i18n, card.events_note)}</p>
        <form class="filters" method="get" action=path>
            <div class="field grow">
                <label for="event-type">{t!(i18n, card.events_filter_type)}</label>
                <select id="event-type" name="type">
                    <option value="">{t!(i18n, card.events_all_types)}</option>
                    {EventType::ALL.into_iter().map(|et| view! {
                        <option value=et.code() selected=move || param("type").as_deref() == Some(et.code())>{format!("{} ({et})", labels::event_type(et))}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button primary">{t!(i18n, card.events_filter)}</button>
        </form>
        <ListView list=events columns=columns() row=|e| view! { <EventRow e /> } counts=Counted::Events
            empty=t_string!(i18n, card.events_empty) class="events"
            export=format!("/users/{id}/billing-events/export") />
    }
}

/// The list's columns in the page's language.
fn columns() -> [Column; 4] {
    use crate::lang::td_string;
    let l = crate::lang::current();
    [
        Column::new(td_string!(l, card.col_id)),
        Column::new(td_string!(l, card.events_col_type)),
        Column::new(td_string!(l, card.col_created_at)),
        Column::new(td_string!(l, card.events_col_details)).unlabelled(),
    ]
}

/// An outcome as stored (`applied`), as people read it; an unknown code as stored.
fn outcome_label(code: &str) -> String {
    [Outcome::Applied, Outcome::Rejected]
        .into_iter()
        .find(|o| o.as_str() == code)
        .map_or_else(|| code.to_string(), |o| labels::outcome(o).to_string())
}

#[component]
fn EventRow(e: BillingEventRow) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let details_id = format!("event-{}", e.id);
    let failed = e.outcome != Outcome::Applied.as_str();
    let payload = pretty(&e.payload);
    let response = pretty(&e.response);
    view! {
        <tr class:failed=failed>
            <td data-label=t_string!(i18n, card.col_id)><code>{e.request_id.clone()}</code></td>
            <td data-label=t_string!(i18n, card.events_col_type)>
                <span class="event-label">{labels::event_type_of(&e.event_type)}</span>
                <code class="event-code">{e.event_type.clone()}</code>
            </td>
            <td data-label=t_string!(i18n, card.col_created_at)>{datetime(e.created_at)}</td>
            <td class="actions">
                <button
                    type="button"
                    class="button secondary small"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=details_id.clone()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { t_string!(i18n, card.events_hide) } else { t_string!(i18n, card.events_details) }}
                </button>
            </td>
        </tr>
        <tr id=details_id class="event-details" hidden=move || !open.get()>
            <td colspan="4">
                {e.masked.then(|| view! {
                    <p class="hint">{t!(i18n, card.events_masked)}</p>
                })}
                <p>
                    <strong>{t!(i18n, card.events_outcome)}</strong>
                    <span class=if failed { "badge status-deleted" } else { "badge status-active" }>{outcome_label(&e.outcome)}</span>
                    {format!(" (HTTP {})", e.status)}
                </p>
                <div class="json-pair">
                    <div><h3>{t!(i18n, card.events_payload)}</h3><pre>{payload}</pre></div>
                    <div><h3>{t!(i18n, card.events_response)}</h3><pre>{response}</pre></div>
                </div>
            </td>
        </tr>
    }
}

#[cfg(feature = "ssr")]
impl crate::domain::export::Record for BillingEventRow {
    const COLUMNS: &'static [&'static str] = &[
        "Event ID",
        "Request ID",
        "Type",
        "Type label",
        "Outcome",
        "HTTP status",
        "Created at",
        "Payload",
        "Response",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.request_id.clone(),
            self.event_type.clone(),
            EventType::label_of(&self.event_type).to_string(),
            self.outcome.clone(),
            self.status.to_string(),
            crate::domain::time::format_rfc3339(self.created_at),
            self.payload.clone(),
            self.response.clone(),
        ]
    }
}
