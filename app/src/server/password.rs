//! Passwords are kept only as argon2id hashes. Hashing is CPU-heavy, so it runs off the
//! async workers.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::AppError;

pub const MIN_LENGTH: usize = 8;

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|_| AppError::Internal)?
}

/// Checks a password; with no stored hash it still does the work, so timing reveals nothing.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
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
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("correct horse".into(), Some(h.clone())).await);
        assert!(!super::verify("wrong horse".into(), Some(h)).await);
        assert!(!super::verify("x".into(), None).await);
        assert!(!super::verify("x".into(), Some("garbage".into())).await);
    }
}
