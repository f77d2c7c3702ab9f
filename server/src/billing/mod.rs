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
use app::domain::billing::Outcome;
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
    now: i64,
}

impl Prepared {
    pub async fn new(state: &AppState, request: Request, body_hash: String) -> Result<Self, ApiError> {
        let password_hash = match effects::credential(&request) {
            // A request seen before is answered from the log: no need to hash its password
            // again (an import run again after an interruption goes through at once).
            Some(types::Credential::Plain(_)) if seen(state, &request.id).await? => None,
            Some(types::Credential::Plain(pw)) => Some(app::backend::password::hash(pw).await?),
            Some(types::Credential::Hashed(hash)) => Some(hash),
            None => None,
        };
        Ok(Self {
            payload: request.redacted().to_string(),
            request,
            body_hash,
            password_hash,
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
    /// The id was already claimed: answer with the stored response once it is committed.
    Replay,
    /// Refused, with its effect still in the transaction (`Undo::Transaction`): the caller
    /// rolls the transaction back and records the refusal (`refused_alone`).
    Refused(Rejection),
}

/// How a refused request's effect is taken back.
#[derive(Clone, Copy, PartialEq)]
enum Undo {
    /// To a savepoint opened before the effect: the request shares its transaction.
    Savepoint,
    /// The request has its transaction to itself, which the caller rolls back: no savepoint
    /// (two statements fewer for every request that is applied).
    Transaction,
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
            match apply_one(&mut *tx, p, Undo::Transaction).await? {
                Done::Refused(rejection) => {
                    tx.rollback().await?;
                    let mut tx = pool.begin().await?;
                    let done = refused_alone(&mut *tx, p, rejection).await?;
                    tx.commit().await?;
                    Ok(done)
                }
                done => {
                    tx.commit().await?;
                    Ok::<_, ApiError>(done)
                }
            }
        };
        match applied.await {
            Ok(Done::Answer(status, body)) => return Ok((status, body)),
            Ok(Done::Replay) => return replay(&mut *pool.acquire().await?, p).await,
            Ok(Done::Refused(_)) => unreachable!("recorded by refused_alone"),
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

/// Claims the request id: the id of its new event, or `None` when the id was claimed
/// already (a concurrent duplicate waits here for the first to commit).
async fn claim<C: Exec>(conn: &mut C, p: &Prepared) -> Result<Option<i64>, ApiError> {
    let r = &p.request;
    let claimed: Option<(i64,)> = conn
        .row(
            "INSERT INTO billing_events (request_id, type, entity, body_hash, payload, outcome, status, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, '', $7) ON CONFLICT (request_id) DO NOTHING RETURNING id",
            args![&r.id, r.logged_type().code(), &r.entity, &p.body_hash, &p.payload, Outcome::Pending.as_str(), p.now],
        )
        .await?;
    Ok(claimed.map(|(id,)| id))
}

/// Applies one request inside the caller's transaction. The event row and the effect stay
/// or go together; a refused request leaves only its event. On an error the caller rolls
/// back what this did (its transaction, or the savepoint it opened for the request).
async fn apply_one<C: Exec>(conn: &mut C, p: &Prepared, undo: Undo) -> Result<Done, ApiError> {
    let r = &p.request;
    // Claim the request id first: a concurrent duplicate waits here, then replays.
    let Some(event_id) = claim(conn, p).await? else { return Ok(Done::Replay) };
    if undo == Undo::Savepoint {
        conn.run("SAVEPOINT billing_effect", vec![]).await?;
    }
    match effects::apply(conn, r, p.now, p.password_hash.as_deref()).await {
        Ok(user_id) => {
            if types::changes_environment(r.logged_type()) {
                environment::refresh_family(conn, user_id, p.now).await?;
            }
            if undo == Undo::Savepoint {
                conn.run("RELEASE SAVEPOINT billing_effect", vec![]).await?;
            }
            let response = json!({"id": r.id, "type": r.kind, "event_id": event_id, "user_id": user_id,
                                  "outcome": Outcome::Applied});
            conn.run(
                "UPDATE billing_events SET outcome = $1, status = 200, user_id = $2, response = $3 WHERE id = $4",
                args![Outcome::Applied.as_str(), user_id, response.to_string(), event_id],
            )
            .await?;
            Ok(Done::Answer(StatusCode::OK, response))
        }
        Err(Rejection { error, .. }) if error.status == StatusCode::INTERNAL_SERVER_ERROR => Err(error),
        Err(rejection) if undo == Undo::Transaction => Ok(Done::Refused(rejection)),
        Err(rejection) => {
            // Nothing of the effect stays; the event alone records the refusal.
            conn.run("ROLLBACK TO SAVEPOINT billing_effect", vec![]).await?;
            conn.run("RELEASE SAVEPOINT billing_effect", vec![]).await?;
            refuse(conn, p, event_id, rejection).await
        }
    }
}

/// Records a refusal whose effect was rolled back with its transaction, in a new one: the
/// id is claimed again (unless a concurrent duplicate claimed it meanwhile: then that one's
/// answer is the answer).
async fn refused_alone<C: Exec>(conn: &mut C, p: &Prepared, rejection: Rejection) -> Result<Done, ApiError> {
    match claim(conn, p).await? {
        Some(event_id) => refuse(conn, p, event_id, rejection).await,
        None => Ok(Done::Replay),
    }
}

/// Records the refusal on the claimed event and answers it.
async fn refuse<C: Exec>(conn: &mut C, p: &Prepared, event_id: i64, rejection: Rejection) -> Result<Done, ApiError> {
    let r = &p.request;
    let user = effects::resolve(conn, &r.entity).await?.map(|(id, _)| id);
    let body = rejection.error.body();
    conn.run(
        "UPDATE billing_events SET type = $1, user_id = $2, outcome = $3, status = $4, response = $5 WHERE id = $6",
        args![
            rejection.logged_type.unwrap_or(r.logged_type()).code(),
            user,
            Outcome::Rejected.as_str(),
            i64::from(rejection.error.status.as_u16()),
            body.to_string(),
            event_id
        ],
    )
    .await?;
    Ok(Done::Answer(rejection.error.status, body))
}
