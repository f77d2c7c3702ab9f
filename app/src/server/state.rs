//! What every handler and server function reaches through context.

use super::db::Db;
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
}

/// Settings from the environment that handlers need.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub billing_tokens: Vec<String>,
    pub media_tokens: Vec<String>,
    pub analytics_tokens: Vec<String>,
    /// Adds `Secure` to cookies (set when served over HTTPS).
    pub secure_cookies: bool,
}

impl Config {
    pub fn from_env() -> Self {
        let list = |name: &str| -> Vec<String> {
            std::env::var(name)
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect()
        };
        Self {
            billing_tokens: list("VMS_BILLING_TOKENS"),
            media_tokens: list("VMS_MEDIA_TOKENS"),
            analytics_tokens: list("VMS_ANALYTICS_TOKENS"),
            secure_cookies: std::env::var("VMS_SECURE_COOKIES").is_ok_and(|v| v == "1"),
        }
    }
}

pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        crate::error::AppError::Internal
    })
}
