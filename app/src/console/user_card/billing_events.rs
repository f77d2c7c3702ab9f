//! The Billing Events tab: every billing request about the user, newest first.

use crate::components::pager::Pager;
use crate::components::states::{Empty, ErrorState, Loading};
use crate::domain::billing::{event_label, Outcome, EVENT_TYPES};
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
    use crate::backend::sql::Sql;
    use crate::backend::{require, respond, Permission};
    use crate::domain::page::{Cursor, PAGE_SIZE};
    respond(async move {
        let ctx = require(Permission::UsersView).await?;
        super::load_header(ctx.db(), id).await?;
        let mut filter = Sql::new(" WHERE user_id = ");
        filter.bind(id);
        if let Some(t) = event_type.filter(|t| !t.is_empty()) {
            if !EVENT_TYPES.iter().any(|(c, _)| *c == t) {
                return Err(AppError::Invalid("Unknown billing event type.".into()));
            }
            filter.push(" AND type = ").bind(t);
        }
        let mut count = filter.clone();
        count.text = format!("SELECT COUNT(*) FROM billing_events{}", filter.text);
        let (total,): (i64,) = count.query_as().fetch_one(&ctx.db().pool).await?;
        let mut list = filter.clone();
        list.text = format!(
            "SELECT id, request_id, type AS event_type, created_at, payload, outcome, status, response \
             FROM billing_events{}",
            filter.text
        );
        if let Some(c) = after.as_deref().and_then(Cursor::decode) {
            list.push(" AND (created_at, id) < (")
                .bind(c.key.parse::<i64>().unwrap_or(i64::MAX))
                .push(", ")
                .bind(c.id)
                .push(")");
        }
        list.push(&format!(" ORDER BY created_at DESC, id DESC LIMIT {}", PAGE_SIZE + 1));
        let rows: Vec<BillingEventRow> = list.query_as().fetch_all(&ctx.db().pool).await?;
        let rows = mask_cameras(&ctx, rows).await?;
        Ok(Page::from_rows(rows, total, |r: &BillingEventRow| Cursor { key: r.created_at.to_string(), id: r.id }))
    })
    .await
}

/// The payload fields that describe a camera.
#[cfg(feature = "ssr")]
const CAMERA_FIELDS: &[&str] = &["mac", "serial_number", "name", "model", "csa"];

#[cfg(feature = "ssr")]
const HIDDEN: &str = "(hidden: outside your scope)";

/// For a scoped administrator: masks the camera details of requests naming a camera (by
/// `mac`) outside its scope, or one not registered (in no scope), and the CSA code of
/// requests naming a location outside its scope.
#[cfg(feature = "ssr")]
async fn mask_cameras(
    ctx: &crate::backend::principal::Ctx,
    mut rows: Vec<BillingEventRow>,
) -> Result<Vec<BillingEventRow>, AppError> {
    use crate::backend::scope::camera_condition;
    if ctx.admin.scope_all {
        return Ok(rows);
    }
    let payloads: Vec<serde_json::Map<String, serde_json::Value>> = rows
        .iter()
        .map(|r| match serde_json::from_str(&r.payload) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => Default::default(),
        })
        .collect();
    let mac_of = |p: &serde_json::Map<String, serde_json::Value>| {
        p.get("mac").and_then(|m| m.as_str()).map(|m| crate::domain::camera::normalise_mac(m).unwrap_or_default())
    };
    let macs: Vec<String> = payloads.iter().filter_map(mac_of).collect();
    let mut visible = std::collections::BTreeSet::new();
    if !macs.is_empty() {
        let list = (0..macs.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT c.mac FROM cameras c WHERE c.mac IN ({list}) AND {}", camera_condition(1));
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(ctx.admin.id);
        for mac in &macs {
            query = query.bind(mac);
        }
        visible = query.fetch_all(&ctx.db().pool).await?.into_iter().map(|(m,)| m).collect();
    }
    let mut conn = ctx.db().pool.acquire().await?;
    let own_codes =
        crate::backend::admins::load(&mut conn, ctx.admin.id).await?.map(|a| a.scope_csa).unwrap_or_default();
    for (row, mut payload) in rows.iter_mut().zip(payloads) {
        let fields: &[&str] = match mac_of(&payload) {
            Some(mac) if !visible.contains(&mac) => CAMERA_FIELDS,
            Some(_) => &[],
            None => match payload.get("csa").and_then(|c| c.as_str()) {
                Some(code) if !own_codes.iter().any(|o| o == code) => &["csa"],
                _ => &[],
            },
        };
        if fields.is_empty() {
            continue;
        }
        for field in fields {
            if let Some(v) = payload.get_mut(*field) {
                *v = serde_json::Value::String(HIDDEN.into());
            }
        }
        row.payload = serde_json::Value::Object(payload).to_string();
        row.masked = true;
    }
    Ok(rows)
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
                    {EVENT_TYPES.iter().map(|(code, label)| view! {
                        <option value=*code selected=move || param("type").as_deref() == Some(*code)>{format!("{label} ({code})")}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button primary">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) if page.rows.is_empty() => view! { <Empty message="No billing events match." /> }.into_any(),
                    Ok(page) => view! { <EventsTable page /> }.into_any(),
                    Err(error) => view! { <ErrorState error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EventsTable(page: Page<BillingEventRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data events">
                <thead>
                    <tr>
                        <th scope="col">"ID"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Created at"</th>
                        <th scope="col"><span class="visually-hidden">"Details"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|e| view! { <EventRow e /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager total=page.total next=page.next noun="events" />
    }
}

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
                <span class="event-label">{event_label(&e.event_type)}</span>
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
