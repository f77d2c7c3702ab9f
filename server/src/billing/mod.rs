//! `POST /api/billing/v1/requests`: the billing system provisions and changes users.
//! Every request with a valid envelope is logged with its outcome, in the same
//! transaction as its effect; the request id makes it idempotent.

pub mod batch;
pub mod effects;
pub mod import;
pub mod openapi;
pub mod request;
pub mod types;
pub mod writer;

use crate::api_error::{bearer, bearer_in, json_object, ApiError};
use app::args;
use app::backend::environment;
use app::backend::exec::Exec;
use app::backend::state::AppState;
use app::backend::token::hash_token;
use app::domain::billing::{EventType, Outcome};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use effects::Rejection;
use request::Request;
use serde_json::{json, Value};
use writer::Writer;

/// The billing routes; starts the writer that commits the requests of this router.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/billing/v1/requests", post(handle))
        .route(batch::PATH, post(batch::handle))
        .route("/api/billing/v1/openapi.json", get(|| async { Json(openapi::document()) }))
        .layer(Extension(Writer::start(state.db.clone())))
}

pub(crate) async fn authorised(state: &AppState, headers: &HeaderMap) -> Result<bool, ApiError> {
    let Some(token) = bearer(headers) else {
        return Ok(false);
    };
    if bearer_in(headers, &state.config.billing_tokens) {
        return Ok(true);
    }
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM billing_tokens WHERE token_hash = $1")
        .bind(hash_token(token))
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.is_some())
}

async fn handle(
    State(state): State<AppState>,
    Extension(writer): Extension<Writer>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match receive(&state, &writer, &headers, body).await {
        Ok((status, body)) => (status, Json(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn receive(
    state: &AppState,
    writer: &Writer,
    headers: &HeaderMap,
    body: Body,
) -> Result<(StatusCode, Value), ApiError> {
    if !authorised(state, headers).await? {
        return Err(refused(state, ApiError::unauthorized()));
    }
    let map = json_object(headers, body).await.map_err(|e| refused(state, e))?;
    one(state, writer, map).await
}

/// Counts a request refused before its envelope was read.
fn refused(state: &AppState, e: ApiError) -> ApiError {
    state.metrics.billing_request("none", "refused");
    e
}

/// Handles one request of an authorised caller: alone, or one of a batch.
pub(crate) async fn one(
    state: &AppState,
    writer: &Writer,
    map: serde_json::Map<String, Value>,
) -> Result<(StatusCode, Value), ApiError> {
    let body_hash = body_hash(&state.db.secret, &map);
    let request = Request::parse(map).map_err(|e| refused(state, e))?;
    let logged_type = request.logged_type().code();
    let prepared = Prepared::new(state, request, body_hash).await?;
    let answer = writer.submit(prepared).await;
    let outcome = match &answer {
        Ok((status, _)) if status.is_success() => Outcome::Applied.as_str(),
        Ok(_) => Outcome::Rejected.as_str(),
        Err(e) if e.status.is_client_error() => Outcome::Rejected.as_str(),
        Err(_) => "error",
    };
    state.metrics.billing_request(logged_type, outcome);
    answer
}

/// The idempotency fingerprint of a body. Keys are sorted (serde_json's map), so equal
/// bodies hash equally whatever their key order. Keyed (HMAC with the server's secret): a
/// body may carry a password, and a plain hash of it could be reversed by guessing.
pub fn body_hash(key: &app::backend::keys::SecretKey, body: &serde_json::Map<String, Value>) -> String {
    key.hash(Value::Object(body.clone()).to_string().as_bytes())
}

/// A request ready for the database: fingerprinted, redacted for the log, its password
/// hashed (argon2 never runs while the database is locked).
pub struct Prepared {
    request: Request,
    body_hash: String,
    payload: String,
    password_hash: Option<String>,
    /// Found in the log already (looked up only for a plain password, which is then not
    /// hashed): answered from the log.
    seen: bool,
    now: i64,
}

impl Prepared {
    pub async fn new(state: &AppState, request: Request, body_hash: String) -> Result<Self, ApiError> {
        let (password_hash, seen) = match effects::credential(&request) {
            // A request seen before is answered from the log: no need to hash its password
            // again (an import run again after an interruption goes through at once).
            Some(types::Credential::Plain(_)) if seen(state, &request.id).await? => (None, true),
            Some(types::Credential::Plain(pw)) => (Some(app::backend::password::hash(pw).await?), false),
            Some(types::Credential::Hashed(hash)) => (Some(hash), false),
            None => (None, false),
        };
        Ok(Self {
            payload: request.redacted().to_string(),
            request,
            body_hash,
            password_hash,
            seen,
            now: state.clock.now_ms(),
        })
    }
}

/// Whether a request of this id was logged already.
async fn seen(state: &AppState, id: &str) -> Result<bool, ApiError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM billing_events WHERE request_id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.is_some())
}

/// What applying a request came to.
enum Done {
    Answer(StatusCode, Value),
    /// The id was claimed already: the caller undoes the effect, then answers with the
    /// stored response once it is committed.
    Replay,
    /// Refused: the caller undoes the effect, then records the refusal (`record_refusal`).
    Refused(Rejection),
}

/// Applies one request in its own transaction and answers it. A transaction that failed on
/// the database's side (on PostgreSQL, a deadlock between concurrent requests touching the
/// same rows) was rolled back whole, so it is safely tried again.
async fn alone(pool: &sqlx::AnyPool, p: &Prepared) -> Result<(StatusCode, Value), ApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let applied = async {
            let mut tx = pool.begin().await?;
            match apply_one(&mut *tx, p).await? {
                Done::Answer(status, body) => {
                    tx.commit().await?;
                    Ok::<_, ApiError>(Done::Answer(status, body))
                }
                Done::Replay => {
                    tx.rollback().await?;
                    Ok(Done::Replay)
                }
                // Rolled back and recorded in a new transaction: no savepoint to undo the
                // effect to, two statements fewer for every request that is applied.
                Done::Refused(rejection) => {
                    tx.rollback().await?;
                    let mut tx = pool.begin().await?;
                    let done = record_refusal(&mut *tx, p, rejection).await?;
                    tx.commit().await?;
                    Ok(done)
                }
            }
        };
        match applied.await {
            Ok(Done::Answer(status, body)) => return Ok((status, body)),
            Ok(Done::Replay) => return replay(&mut *pool.acquire().await?, p).await,
            Ok(Done::Refused(_)) => unreachable!("recorded by record_refusal"),
            Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR && attempt < 3 => {
                tracing::warn!(request = %p.request.id, attempt, "billing request retried after a database failure");
            }
            Err(e) => return Err(e),
        }
    }
}

/// The stored answer to a request id already seen.
async fn replay<C: Exec>(conn: &mut C, p: &Prepared) -> Result<(StatusCode, Value), ApiError> {
    let (hash, status, response): (String, i64, String) = conn
        .one("SELECT body_hash, status, response FROM billing_events WHERE request_id = $1", args![&p.request.id])
        .await?;
    if hash != p.body_hash {
        return Err(ApiError::new(StatusCode::CONFLICT, "This request id was already used with a different body.")
            .with("id", "already used with a different body"));
    }
    let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
    Ok((status, serde_json::from_str(&response).unwrap_or(Value::Null)))
}

/// Applies one request's effect inside the caller's transaction and records its event in
/// the same transaction: the event row and the effect stay or go together. On anything but
/// `Done::Answer` (and on an error) the caller undoes what this did: its transaction, or the
/// savepoint it opened for the request.
async fn apply_one<C: Exec>(conn: &mut C, p: &Prepared) -> Result<Done, ApiError> {
    let r = &p.request;
    if p.seen {
        return Ok(Done::Replay);
    }
    match effects::apply(conn, r, p.now, p.password_hash.as_deref()).await {
        Ok(user_id) => {
            if types::changes_environment(r.logged_type()) {
                environment::refresh_family(conn, user_id, p.now).await?;
            }
            let mut response = json!({"id": r.id, "type": r.kind, "event_id": EVENT_ID, "user_id": user_id,
                                      "outcome": Outcome::Applied});
            let logged = Logged {
                kind: r.logged_type(),
                user_id: Some(user_id),
                outcome: Outcome::Applied,
                status: StatusCode::OK,
            };
            let Some(event_id) = record(conn, p, logged, &response).await? else { return Ok(Done::Replay) };
            response["event_id"] = event_id.into();
            Ok(Done::Answer(StatusCode::OK, response))
        }
        Err(Rejection { error, .. }) if error.status == StatusCode::INTERNAL_SERVER_ERROR => Err(error),
        Err(rejection) => Ok(Done::Refused(rejection)),
    }
}

/// Records a refusal once its effect is undone: the event alone stays.
async fn record_refusal<C: Exec>(conn: &mut C, p: &Prepared, rejection: Rejection) -> Result<Done, ApiError> {
    let r = &p.request;
    let user_id = effects::resolve(conn, &r.entity).await?.map(|(id, _)| id);
    let (status, body) = (rejection.error.status, rejection.error.body());
    let kind = rejection.logged_type.unwrap_or(r.logged_type());
    let logged = Logged { kind, user_id, outcome: Outcome::Rejected, status };
    Ok(match record(conn, p, logged, &body).await? {
        Some(_) => Done::Answer(status, body),
        None => Done::Replay,
    })
}

/// Stands for the event's id in a response until `record` knows it.
const EVENT_ID: i64 = -1;

/// How a request's event is logged.
struct Logged {
    kind: EventType,
    user_id: Option<i64>,
    outcome: Outcome,
    status: StatusCode,
}

/// Claims the request id and records its outcome in one statement: the id of the new event,
/// or `None` when the id was claimed already (a concurrent duplicate waits here for the first
/// to commit, then gets `None`). The event's id is drawn in the statement itself, so that the
/// stored response can carry it in place of `EVENT_ID`.
async fn record<C: Exec>(
    conn: &mut C,
    p: &Prepared,
    logged: Logged,
    response: &Value,
) -> Result<Option<i64>, ApiError> {
    let r = &p.request;
    let text = response.to_string();
    // Only a key can match: inside a JSON string the quote after `event_id` is escaped. With
    // no placeholder the tail is NULL, so the concatenation is NULL and the text stays whole.
    let placeholder = format!("\"event_id\":{EVENT_ID}");
    let (head, tail) = match text.split_once(&placeholder) {
        Some((head, tail)) => (format!("{head}\"event_id\":"), Some(tail.to_owned())),
        None => (text, None),
    };
    let next_id = if conn.is_postgres() {
        "nextval('billing_events_id_seq')"
    } else {
        // SQLite's own choice for a new rowid.
        "(SELECT COALESCE(MAX(id), 0) + 1 FROM billing_events)"
    };
    let claimed: Option<(i64,)> = conn
        .row(
            &format!(
                "INSERT INTO billing_events \
                 (id, request_id, type, entity, user_id, body_hash, payload, outcome, status, response, created_at) \
                 SELECT e.id, $1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9 || e.id || $10, $9), $11 \
                 FROM (SELECT {next_id} AS id) e WHERE true \
                 ON CONFLICT (request_id) DO NOTHING RETURNING id"
            ),
            args![
                &r.id,
                logged.kind.code(),
                &r.entity,
                logged.user_id,
                &p.body_hash,
                &p.payload,
                logged.outcome.as_str(),
                i64::from(logged.status.as_u16()),
                head,
                tail,
                p.now
            ],
        )
        .await?;
    Ok(claimed.map(|(id,)| id))
}
