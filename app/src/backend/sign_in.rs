//! Checking a login and password, for administrators (`/login`) and users (`/client/login`,
//! `POST /api/client/v1/sessions`) alike:
//! 1. the attempt is counted per client address, per login at that address and per login
//!    before anything else (`throttle`), so parallel guesses cannot pass the count;
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

/// The client's address: the last address of the header a trusted proxy sets
/// (`Config::client_ip_header`), else the connection's.
pub fn client_addr(state: &AppState, headers: &http::HeaderMap, extensions: &http::Extensions) -> Option<IpAddr> {
    let forwarded = state.config.client_ip_header.as_ref().and_then(|name| {
        headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    });
    forwarded.or_else(|| extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip()))
}

/// The network an address stands for in throttling: an IPv4 address itself, an IPv6
/// address's /64 (one subscriber line holds a whole /64).
pub fn network(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => {
            let s = a.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
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
    let counted = match &result {
        Ok(Checked::Valid(_)) => "ok",
        Ok(_) => "refused",
        Err(AppError::TooManyAttempts(_)) => "throttled",
        Err(_) => "failed",
    };
    state.metrics.sign_in(realm.name(), counted);
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
    let name = realm.name();
    let net = addr.map(network);
    let lower = login.to_lowercase();
    let address_key = net.as_ref().map(|n| format!("{name}:addr:{n}"));
    let pair_key = format!(
        "{name}:pair:{}",
        db.secret.hash(format!("{lower}\n{}", net.as_deref().unwrap_or("unknown")).as_bytes())
    );
    let login_key = format!("{name}:login:{}", db.secret.hash(lower.as_bytes()));
    let keys: Vec<(&String, &throttle::Policy)> = address_key
        .iter()
        .map(|k| (k, &throttle::ADDRESS))
        .chain([(&pair_key, &throttle::LOGIN_AT_ADDRESS), (&login_key, &throttle::LOGIN)])
        .collect();
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
                Ok(attempts) if Some(key) == address_key.as_ref() => quiet = attempts <= 3,
                Ok(_) => {}
                Err(wait) => {
                    state.sign_ins.remember_wait(key, now + wait, now);
                    return Err(throttle::refused(wait));
                }
            }
        }
    }
    let Some(_hashing) = state.sign_ins.enter(quiet).await else {
        let message = crate::lang::td_string!(crate::lang::current(), common.sign_in_busy);
        return Err(AppError::TooManyAttempts(message.into()));
    };
    let row: Option<(i64, String)> = sqlx::query_as(realm.lookup()).bind(login).fetch_optional(&db.pool).await?;
    let ok = password::verify(password, row.as_ref().map(|(_, h)| h.clone())).await;
    Ok(match row {
        Some((id, _)) if ok => {
            let _turn = db.write_turn().await;
            throttle::succeeded(db, &[&pair_key, &login_key], address_key.as_deref()).await?;
            Checked::Valid(id)
        }
        Some((id, _)) => Checked::WrongPassword(id),
        None => Checked::UnknownLogin,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_throttled_by_their_network() {
        assert_eq!(super::network("10.1.2.3".parse().unwrap()), "10.1.2.3");
        let a = super::network("2001:db8:1:2:aaaa::1".parse().unwrap());
        assert_eq!(a, super::network("2001:db8:1:2:ffff::9".parse().unwrap()), "one /64");
        assert_ne!(a, super::network("2001:db8:1:3::1".parse().unwrap()));
    }
}
