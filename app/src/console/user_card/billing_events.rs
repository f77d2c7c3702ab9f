//! The Billing Events tab: every billing request about the user, newest first.

use crate::components::list::{Column, ListView};
use crate::domain::billing::{EventType, Outcome};
use crate::domain::page::Page;
use crate::domain::time::format_utc;
use crate::error::AppError;
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
        Some(c) => {
            EventType::from_code(c).map(Some).ok_or_else(|| AppError::Invalid("Unknown billing event type.".into()))
        }
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
    view! {
        <p class="source-note">"Read-only. Every request the billing system sent about this user."</p>
        <form class="filters" method="get" action=path>
            <div class="field grow">
                <label for="event-type">"Type"</label>
                <select id="event-type" name="type">
                    <option value="">"All types"</option>
                    {EventType::ALL.into_iter().map(|t| view! {
                        <option value=t.code() selected=move || param("type").as_deref() == Some(t.code())>{format!("{} ({t})", t.label())}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button primary">"Filter"</button>
        </form>
        <ListView list=events columns=&COLUMNS row=|e| view! { <EventRow e /> } noun="events" empty="No billing events match." class="events"
            export=format!("/users/{id}/billing-events/export") />
    }
}

const COLUMNS: [Column; 4] =
    [Column::new("ID"), Column::new("Type"), Column::new("Created at"), Column::new("Details").unlabelled()];

#[component]
fn EventRow(e: BillingEventRow) -> impl IntoView {
    let open = RwSignal::new(false);
    let details_id = format!("event-{}", e.id);
    let failed = e.outcome != Outcome::Applied.as_str();
    let payload = pretty(&e.payload);
    let response = pretty(&e.response);
    view! {
        <tr class:failed=failed>
            <td data-label="ID"><code>{e.request_id.clone()}</code></td>
            <td data-label="Type">
                <span class="event-label">{EventType::label_of(&e.event_type)}</span>
                <code class="event-code">{e.event_type.clone()}</code>
            </td>
            <td data-label="Created at">{format_utc(e.created_at)}</td>
            <td class="actions">
                <button
                    type="button"
                    class="button secondary small"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=details_id.clone()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "Hide" } else { "Details" }}
                </button>
            </td>
        </tr>
        <tr id=details_id class="event-details" hidden=move || !open.get()>
            <td colspan="4">
                {e.masked.then(|| view! {
                    <p class="hint">"What this request names lies outside your scope: its details are hidden."</p>
                })}
                <p>
                    <strong>"Outcome: "</strong>
                    <span class=if failed { "badge status-deleted" } else { "badge status-active" }>{e.outcome.clone()}</span>
                    {format!(" (HTTP {})", e.status)}
                </p>
                <div class="json-pair">
                    <div><h3>"Payload"</h3><pre>{payload}</pre></div>
                    <div><h3>"Response"</h3><pre>{response}</pre></div>
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
