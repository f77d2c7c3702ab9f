//! What every handler and server function reaches through context.

use super::db::Db;
use super::limits::{SignInGate, StreamSlots};
use crate::domain::time::{parse_duration_ms, HOUR_MS};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Time, injected: tests move it; nothing else calls the system clock.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        let sys = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        sys + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance_ms(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// A clock that reads the given instant now (and runs on from there).
    pub fn set_now_ms(&self, ms: i64) {
        let current = self.now_ms();
        self.advance_ms(ms - current);
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub clock: Clock,
    pub config: Arc<Config>,
    /// Open event streams, counted against their caps.
    pub streams: StreamSlots,
    /// Sign-ins hashing passwords now and waiting to.
    pub sign_ins: SignInGate,
    /// What `/metrics` reports.
    pub metrics: Arc<super::metrics::Metrics>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, clock: Clock, config: Config) -> Self {
        Self {
            streams: StreamSlots::new(config.max_streams, config.max_streams_per_session),
            sign_ins: SignInGate::new(config.sign_in_hashers, config.sign_in_queue),
            metrics: Arc::default(),
            leptos_options,
            db,
            clock,
            config: Arc::new(config),
        }
    }
}

/// Settings from the environment that handlers need.
#[derive(Clone, Debug)]
pub struct Config {
    pub billing_tokens: Vec<String>,
    pub media_tokens: Vec<String>,
    pub analytics_tokens: Vec<String>,
    /// Adds `Secure` to cookies: `VMS_SECURE_COOKIES=1`, or a public URL on https.
    pub secure_cookies: bool,
    /// `VMS_PUBLIC_URL`'s origin (`https://vms.example.net`): requests from another origin
    /// are refused. Without it, the request's own `Host` is the origin.
    pub public_origin: Option<String>,
    /// Longest life of an administrator session, however busy (`VMS_ADMIN_SESSION_MAX_AGE`).
    pub admin_session_max_ms: i64,
    /// Longest life of a Log in as User session (`VMS_IMPERSONATION_MAX_AGE`).
    pub impersonation_max_ms: i64,
    /// Event streams open at once, in all (`VMS_MAX_EVENT_STREAMS`) and per session.
    pub max_streams: usize,
    pub max_streams_per_session: usize,
    /// How often an event stream checks its session and version without being woken.
    pub stream_recheck_ms: u64,
    /// Sign-ins checking a password at once, and waiting to; past both, 429.
    pub sign_in_hashers: usize,
    pub sign_in_queue: usize,
    /// How long a refused sign-in (throttled or queue full) is held before its answer, so
    /// that a client hammering sign-in makes few requests a second (`VMS_SIGN_IN_TARPIT`).
    pub sign_in_tarpit_ms: u64,
    /// The header a trusted reverse proxy puts the client's address in
    /// (`VMS_CLIENT_IP_HEADER`, e.g. `x-forwarded-for`); its last address is taken. Unset:
    /// the address of the connection.
    pub client_ip_header: Option<String>,
    /// Bearer tokens that may read `/metrics` on the service's own address
    /// (`VMS_METRICS_TOKENS`); without any, it is not served there.
    pub metrics_tokens: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        Self {
            billing_tokens: vec![],
            media_tokens: vec![],
            analytics_tokens: vec![],
            secure_cookies: false,
            public_origin: None,
            admin_session_max_ms: 24 * HOUR_MS,
            impersonation_max_ms: HOUR_MS,
            max_streams: 10_000,
            max_streams_per_session: 6,
            stream_recheck_ms: 10_000,
            // Half the cores at most: a flood of sign-ins never takes the whole machine.
            sign_in_hashers: (cores / 2).max(1),
            sign_in_queue: 8,
            sign_in_tarpit_ms: 1_000,
            client_ip_header: None,
            metrics_tokens: vec![],
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let list = |name: &str| -> Vec<String> {
            var(name)
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect()
        };
        let duration = |name: &str, default: i64| match var(name) {
            None => Ok(default),
            Some(v) => parse_duration_ms(&v)
                .filter(|ms| *ms > 0)
                .ok_or_else(|| format!("{name}={v}: not a duration (e.g. 90s, 30m, 12h, 7d)")),
        };
        let number = |name: &str, default: usize| match var(name) {
            None => Ok(default),
            Some(v) => {
                v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| format!("{name}={v}: not a positive number"))
            }
        };
        let defaults = Self::default();
        let public_origin = match var("VMS_PUBLIC_URL") {
            None => None,
            Some(url) => Some(origin_of(&url).ok_or_else(|| format!("VMS_PUBLIC_URL={url}: not an http(s) URL"))?),
        };
        Ok(Self {
            billing_tokens: list("VMS_BILLING_TOKENS"),
            media_tokens: list("VMS_MEDIA_TOKENS"),
            analytics_tokens: list("VMS_ANALYTICS_TOKENS"),
            secure_cookies: var("VMS_SECURE_COOKIES").is_some_and(|v| v == "1")
                || public_origin.as_deref().is_some_and(|o| o.starts_with("https://")),
            public_origin,
            admin_session_max_ms: duration("VMS_ADMIN_SESSION_MAX_AGE", defaults.admin_session_max_ms)?,
            impersonation_max_ms: duration("VMS_IMPERSONATION_MAX_AGE", defaults.impersonation_max_ms)?,
            max_streams: number("VMS_MAX_EVENT_STREAMS", defaults.max_streams)?,
            sign_in_tarpit_ms: match var("VMS_SIGN_IN_TARPIT") {
                None => defaults.sign_in_tarpit_ms,
                Some(v) if v == "0" => 0,
                Some(v) => {
                    parse_duration_ms(&v).ok_or_else(|| format!("VMS_SIGN_IN_TARPIT={v}: not a duration"))? as u64
                }
            },
            client_ip_header: var("VMS_CLIENT_IP_HEADER").map(|h| h.to_lowercase()),
            metrics_tokens: list("VMS_METRICS_TOKENS"),
            ..defaults
        })
    }
}

/// `scheme://host[:port]` of an http(s) URL, lower-cased, without path.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if host.is_empty() || host.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        crate::error::AppError::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins_are_scheme_and_host() {
        assert_eq!(origin_of("https://VMS.example.net/console/").as_deref(), Some("https://vms.example.net"));
        assert_eq!(origin_of("http://10.0.0.1:3000").as_deref(), Some("http://10.0.0.1:3000"));
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(origin_of("https://user@evil"), None);
        assert_eq!(origin_of("vms.example.net"), None);
    }
}
