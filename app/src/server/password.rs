//! Passwords are kept only as argon2id hashes. Hashing is CPU-heavy, so it runs off the
//! async workers, at most one hash per core at a time: a burst of sign-ins or a bulk
//! onboarding queues here instead of thrashing memory with dozens of 19 MiB hashes at once.

use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

use crate::error::AppError;

pub const MIN_LENGTH: usize = 8;

static CORES: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)));

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Runs argon2 work on the blocking pool once a core is free.
async fn on_a_core<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _core = CORES.acquire().await.map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(work).await.map_err(|_| AppError::Internal)
}

pub async fn hash(password: String) -> Result<String, AppError> {
    on_a_core(move || hash_blocking(&password)).await?
}

/// Checks a password; with no stored hash it still does the work, so timing reveals nothing.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    on_a_core(move || {
        let argon = Argon2::default();
        match stored.as_deref().map(PasswordHash::new) {
            Some(Ok(parsed)) => argon.verify_password(password.as_bytes(), &parsed).is_ok(),
            _ => {
                let _ = hash_blocking(&password);
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}

/// The argon2 parameters in use, for benchmark reports.
pub fn parameters() -> String {
    let p = argon2::Params::default();
    format!("argon2id v19 m={} KiB t={} p={}", p.m_cost(), p.t_cost(), p.p_cost())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = super::hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("correct horse".into(), Some(h.clone())).await);
        assert!(!super::verify("wrong horse".into(), Some(h)).await);
        assert!(!super::verify("x".into(), None).await);
        assert!(!super::verify("x".into(), Some("garbage".into())).await);
    }
}
