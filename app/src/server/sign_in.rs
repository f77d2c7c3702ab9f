//! Checking a login and password, for administrators (`/login`) and users (`/client/login`,
//! `POST /api/client/v1/sessions`) alike:
//! 1. the attempt is counted per client address and per login before anything else
//!    (`throttle`), so parallel guesses cannot pass the count;
//! 2. it waits for a turn to hash (`limits::SignInGate`): a few at once, a short queue,
//!    otherwise refused, so a flood of sign-ins cannot take every core; clients with few
//!    recent attempts queue apart from the rest, so a flood does not shut them out;
//! 3. an unknown login costs the same argon2 work as a known one.
//!
//! Refusals (429) are held for `Config::sign_in_tarpit_ms` before they are answered, so a
//! client hammering sign-in makes few requests a second. Logins are throttled under a keyed
//! hash, never as typed (a password typed into the login field is the usual accident).

use super::state::AppState;
use super::{password, throttle};
use crate::error::AppError;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Realm {
    Admin,
    User,
}

impl Realm {
    fn name(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::User => "user",
        }
    }

    fn lookup(self) -> &'static str {
        match self {
            Self::Admin => "SELECT id, password_hash FROM administrators WHERE login = $1 AND disabled_at IS NULL",
            Self::User => "SELECT id, password_hash FROM users WHERE LOWER(login) = LOWER($1) AND deleted_at IS NULL",
        }
    }
}

/// What a sign-in came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    Valid(i64),
    WrongPassword(i64),
    /// No such (live) account: nothing of what was typed should be kept.
    UnknownLogin,
}

/// The client's address: the connection's, or the last address of the header a trusted
/// proxy sets (`Config::client_ip_header`).
pub fn client_addr(state: &AppState, headers: &http::HeaderMap, extensions: &http::Extensions) -> Option<IpAddr> {
    if let Some(name) = &state.config.client_ip_header {
        return headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
    }
    extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())
}

/// The address of the request a server function serves.
pub fn request_addr(state: &AppState) -> Option<IpAddr> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    client_addr(state, &parts.headers, &parts.extensions)
}

/// Checks a login and password (see the module's notes).
pub async fn check(
    state: &AppState,
    realm: Realm,
    login: &str,
    password: String,
    addr: Option<IpAddr>,
) -> Result<Checked, AppError> {
    let result = attempt(state, realm, login, password, addr).await;
    if matches!(result, Err(AppError::TooManyAttempts(_))) && state.config.sign_in_tarpit_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(state.config.sign_in_tarpit_ms)).await;
    }
    result
}

async fn attempt(
    state: &AppState,
    realm: Realm,
    login: &str,
    password: String,
    addr: Option<IpAddr>,
) -> Result<Checked, AppError> {
    let db = &state.db;
    let now = state.clock.now_ms();
    let address_key = addr.map(|a| format!("{}:addr:{a}", realm.name()));
    let login_key = format!("{}:login:{}", realm.name(), db.secret.hash(login.to_lowercase().as_bytes()));
    let keys: Vec<(&String, &throttle::Policy)> =
        address_key.iter().map(|k| (k, &throttle::ADDRESS)).chain([(&login_key, &throttle::LOGIN)]).collect();
    if let Some(until) = keys.iter().filter_map(|(key, _)| state.sign_ins.known_wait(key, now)).max() {
        return Err(throttle::refused(until - now));
    }
    // An address with few attempts lately waits in a queue of its own, so that a flood from
    // elsewhere does not fill its place.
    let mut quiet = true;
    {
        let _turn = db.write_turn().await;
        for (key, policy) in keys {
            match throttle::claim(db, key, policy, now).await? {
                Ok(attempts) => quiet &= attempts <= 3,
                Err(wait) => {
                    state.sign_ins.remember_wait(key, now + wait, now);
                    return Err(throttle::refused(wait));
                }
            }
        }
    }
    let Some(_hashing) = state.sign_ins.enter(quiet).await else {
        return Err(AppError::TooManyAttempts("Too many sign-ins at once. Try again in a few seconds.".into()));
    };
    let row: Option<(i64, String)> = sqlx::query_as(realm.lookup()).bind(login).fetch_optional(&db.pool).await?;
    let ok = password::verify(password, row.as_ref().map(|(_, h)| h.clone())).await;
    Ok(match row {
        Some((id, _)) if ok => {
            let _turn = db.write_turn().await;
            throttle::succeeded(db, &login_key, address_key.as_deref()).await?;
            Checked::Valid(id)
        }
        Some((id, _)) => Checked::WrongPassword(id),
        None => Checked::UnknownLogin,
    })
}
