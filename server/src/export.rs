//! Every console table as a file: `GET {list page}/export?format=csv|jsonl&{the list's
//! filters}` with the administrator's session cookie (the list pages link to it; curl
//! works as well). The rows are the list's own, in its order and within the
//! administrator's scope: the export asks the list's query for one chunk after another
//! (keyset pages, uncounted) and streams each out before asking for the next, so memory
//! stays flat however long the table. Every export is recorded in the audit log.

use crate::api_error::ApiError;
use app::backend::audit;
use app::backend::principal::{admin_for, Ctx};
use app::backend::{AppState, Permission};
use app::domain::export::{header, line, Format, Record};
use app::domain::page::{Page, Window};
use app::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header as h, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::future::Future;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users/export", get(users))
        .route("/users/{id}/cameras/export", get(user_cameras))
        .route("/users/{id}/intercoms/export", get(user_intercoms))
        .route("/users/{id}/sub-users/export", get(user_sub_users))
        .route("/users/{id}/billing-events/export", get(user_billing_events))
        .route("/administrators/export", get(administrators))
        .route("/audit-log/export", get(audit_log))
}

type Params = Query<HashMap<String, String>>;

/// A query parameter, trimmed; empty is absent.
fn param(q: &HashMap<String, String>, key: &str) -> Option<String> {
    q.get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// The administrator, if it holds `permission`, and the format asked for.
async fn authorise(
    state: &AppState,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    permission: Permission,
) -> Result<(Ctx, Format), ApiError> {
    let ctx = admin_for(state, headers).await.map_err(ApiError::from)?;
    if !ctx.admin.can(permission) {
        return Err(AppError::Forbidden.into());
    }
    let format = Format::from_param(q.get("format").map(String::as_str).unwrap_or("csv"))
        .ok_or_else(|| ApiError::field("format", "must be csv or jsonl"))?;
    Ok((ctx, format))
}

/// What an export is of, for the audit log and the file name.
struct About<'a> {
    /// The table, as the file and the audit entry name it (`billing-events`).
    table: &'static str,
    /// The user whose tab it is, if it is one: (id, login).
    user: Option<(i64, &'a str)>,
    filters: serde_json::Value,
}

/// Records the export, then streams `fetch`'s chunks one after another as `format`.
async fn export<R, F, Fut>(ctx: &Ctx, format: Format, about: About<'_>, fetch: F) -> Result<Response, ApiError>
where
    R: Record + Send + 'static,
    F: Fn(Window) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<R>, AppError>> + Send + 'static,
{
    let details = serde_json::json!({"table": about.table, "format": format.extension(), "filters": about.filters});
    let (target, user_id) = match about.user {
        Some((id, login)) => (("user", id, login), Some(id)),
        None => (("admin", ctx.admin.id, ctx.admin.login.as_str()), None),
    };
    let entry = audit::Entry::by_admin(&ctx.admin, "admin.export", target, user_id, details);
    audit::record_db(ctx.db(), ctx.now(), entry).await.map_err(ApiError::from)?;

    enum Next {
        Header,
        After(Option<String>),
        Done,
    }
    let fetch = std::sync::Arc::new(fetch);
    let chunks = futures::stream::unfold(Next::Header, move |next| {
        let fetch = fetch.clone();
        async move {
            match next {
                Next::Header => Some((Ok(Bytes::from(header::<R>(format))), Next::After(None))),
                Next::After(after) => match fetch(Window::chunk(after)).await {
                    Ok(page) => {
                        let text: String = page.rows.iter().map(|r| line(r, format)).collect();
                        let then = if page.next.is_some() { Next::After(page.next) } else { Next::Done };
                        Some((Ok(Bytes::from(text)), then))
                    }
                    // Cut short: the download fails instead of ending as if complete.
                    Err(e) => {
                        tracing::error!(error = %e, "export failed");
                        Some((Err(std::io::Error::other("export failed")), Next::Done))
                    }
                },
                Next::Done => None,
            }
        }
    });
    let day = app::domain::time::format_rfc3339(ctx.now()).chars().take(10).collect::<String>();
    let name = match about.user {
        Some((id, _)) => format!("user-{id}-{}-{day}.{}", about.table, format.extension()),
        None => format!("{}-{day}.{}", about.table, format.extension()),
    };
    // Fused: the layers around the body (compression) may ask again after the end.
    let mut res = Body::from_stream(futures::StreamExt::fuse(chunks)).into_response();
    let headers = res.headers_mut();
    headers.insert(h::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    headers.insert(h::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(h::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

async fn users(State(state): State<AppState>, headers: HeaderMap, Query(q): Params) -> Result<Response, ApiError> {
    use app::console::users::{filters, queries, sort_order};
    let (ctx, format) = authorise(&state, &headers, &q, Permission::UsersView).await?;
    let (term, status, sort, location) =
        (param(&q, "q"), param(&q, "status"), param(&q, "sort"), param(&q, "location"));
    let about = About {
        table: "users",
        user: None,
        filters: serde_json::json!({"q": term, "status": status, "sort": sort, "location": location}),
    };
    let filters = std::sync::Arc::new(filters(term, status.as_deref(), location)?);
    let order = sort_order(sort.as_deref());
    let db = ctx.db().clone();
    export(&ctx, format, about, move |w| {
        let (db, filters) = (db.clone(), filters.clone());
        async move { queries::page(&db, &filters, order, &w).await }
    })
    .await
}

/// A tab of the user card of account `id`, exported: `fetch` reads its rows for the
/// administrator. Anything but an account is not found.
async fn user_tab<R, F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    id: i64,
    (table, filters): (&'static str, serde_json::Value),
    fetch: F,
) -> Result<Response, ApiError>
where
    R: Record + Send + 'static,
    F: Fn(std::sync::Arc<Ctx>, Window) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<R>, AppError>> + Send + 'static,
{
    let (ctx, format) = authorise(state, headers, q, Permission::UsersView).await?;
    let login = app::console::user_card::load_header(ctx.db(), id).await?.login;
    let about = About { table, user: Some((id, &login)), filters };
    let who = std::sync::Arc::new(ctx.clone());
    export(&ctx, format, about, move |w| fetch(who.clone(), w)).await
}

async fn user_cameras(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    user_tab(&state, &headers, &q, id, ("cameras", serde_json::json!({})), move |ctx, w| async move {
        app::console::user_card::queries::cameras(ctx.db(), id, ctx.admin.id, &w).await
    })
    .await
}

async fn user_intercoms(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    user_tab(&state, &headers, &q, id, ("intercoms", serde_json::json!({})), move |ctx, w| async move {
        app::console::user_card::queries::intercoms(ctx.db(), id, &w).await
    })
    .await
}

async fn user_sub_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    user_tab(&state, &headers, &q, id, ("sub-users", serde_json::json!({})), move |ctx, w| async move {
        app::console::user_card::queries::sub_users(ctx.db(), id, &w).await
    })
    .await
}

async fn user_billing_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    use app::console::user_card::billing_events::event_filter;
    use app::console::user_card::billing_queries::events;
    let kind = param(&q, "type");
    let filter = event_filter(kind.as_deref())?;
    user_tab(
        &state,
        &headers,
        &q,
        id,
        ("billing-events", serde_json::json!({"type": kind})),
        move |ctx, w| async move { events(ctx.db(), &ctx.admin, id, filter, &w).await },
    )
    .await
}

async fn administrators(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let (ctx, format) = authorise(&state, &headers, &q, Permission::AdminsManage).await?;
    let about = About { table: "administrators", user: None, filters: serde_json::json!({}) };
    let who = std::sync::Arc::new(ctx.clone());
    // Few enough for one chunk: the list is not paged.
    export(&ctx, format, about, move |_| {
        let ctx = who.clone();
        async move {
            let rows = app::console::administrators::managed_admins(&ctx).await?;
            Ok(Page { rows, total: 0, total_capped: false, next: None })
        }
    })
    .await
}

async fn audit_log(State(state): State<AppState>, headers: HeaderMap, Query(q): Params) -> Result<Response, ApiError> {
    use app::console::audit_log::{entries, Filters};
    let (ctx, format) = authorise(&state, &headers, &q, Permission::AuditView).await?;
    let filters = Filters { actor: param(&q, "actor"), target: param(&q, "target"), action: param(&q, "action") };
    let about = About { table: "audit-log", user: None, filters: serde_json::to_value(&filters).unwrap_or_default() };
    filters.check()?;
    let (who, filters) = (std::sync::Arc::new(ctx.clone()), std::sync::Arc::new(filters));
    export(&ctx, format, about, move |w| {
        let (ctx, filters) = (who.clone(), filters.clone());
        async move { entries(&ctx, &filters, &w).await }
    })
    .await
}
