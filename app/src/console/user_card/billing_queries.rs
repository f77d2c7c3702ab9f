//! The Billing Events tab's query: a user's billing events, newest first, with what lies
//! outside a scoped administrator's scope masked.

use super::billing_events::BillingEventRow;
use crate::backend::db::Db;
use crate::backend::principal::Admin;
use crate::backend::scope::camera_condition;
use crate::backend::sql::Sql;
use crate::domain::billing::EventType;
use crate::domain::page::{Cursor, Page, Window, COUNT_CAP};
use crate::error::AppError;

/// The billing events of `user` (of type `filter`, if given) in `window`, newest first, as
/// the administrator `admin` may see them; counted up to [`COUNT_CAP`].
pub async fn events(
    db: &Db,
    admin: &Admin,
    user: i64,
    filter: Option<EventType>,
    window: &Window,
) -> Result<Page<BillingEventRow>, AppError> {
    let mut conditions = Sql::new(" WHERE user_id = ");
    conditions.bind(user);
    if let Some(t) = filter {
        conditions.push(" AND type = ").bind(t.code());
    }
    let total = if window.counted {
        // Counted up to the cap ("1,000+ events"): a heavy user has tens of thousands, and
        // counting them all on every page cost more than reading the page.
        let mut count = conditions.clone();
        count.text = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM billing_events{} LIMIT {}) AS e",
            conditions.text,
            COUNT_CAP + 1
        );
        let (n,): (i64,) = count.query_as().fetch_one(&db.pool).await?;
        n
    } else {
        0
    };
    let mut list = conditions.clone();
    list.text = format!(
        "SELECT id, request_id, type AS event_type, created_at, payload, outcome, status, response \
         FROM billing_events{}",
        conditions.text
    );
    if let Some(c) = window.after.as_deref().and_then(Cursor::decode) {
        list.push(" AND (created_at, id) < (")
            .bind(c.key.parse::<i64>().unwrap_or(i64::MAX))
            .push(", ")
            .bind(c.id)
            .push(")");
    }
    list.push(&format!(" ORDER BY created_at DESC, id DESC LIMIT {}", window.limit()));
    let rows: Vec<BillingEventRow> = list.query_as().fetch_all(&db.pool).await?;
    let rows = mask_cameras(db, admin, rows).await?;
    Ok(Page::from_window(rows, total, window, |r: &BillingEventRow| Cursor { key: r.created_at.to_string(), id: r.id })
        .capped())
}

/// The payload fields that describe a camera.
const CAMERA_FIELDS: &[&str] = &["mac", "serial_number", "name", "model", "csa"];

/// For a scoped administrator: masks the camera details of requests naming a camera (by
/// `mac`) outside its scope, or one not registered (in no scope), and the CSA code of
/// requests naming a location outside its scope.
async fn mask_cameras(
    db: &Db,
    admin: &Admin,
    mut rows: Vec<BillingEventRow>,
) -> Result<Vec<BillingEventRow>, AppError> {
    if admin.scope_all {
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
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(admin.id);
        for mac in &macs {
            query = query.bind(mac);
        }
        visible = query.fetch_all(&db.pool).await?.into_iter().map(|(m,)| m).collect();
    }
    // What a masked field reads, in the request's language.
    let hidden = crate::lang::td_string!(crate::lang::current(), card.events_hidden_value);
    let mut conn = db.pool.acquire().await?;
    let own_codes = crate::backend::admins::load(&mut conn, admin.id).await?.map(|a| a.scope_csa).unwrap_or_default();
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
                *v = serde_json::Value::String(hidden.into());
            }
        }
        row.payload = serde_json::Value::Object(payload).to_string();
        row.masked = true;
    }
    Ok(rows)
}
