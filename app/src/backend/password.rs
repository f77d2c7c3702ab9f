//! Passwords are kept only as argon2id hashes. Hashing is CPU-heavy, so it runs off the
//! async workers, at most one hash per core at a time: a burst of sign-ins or a bulk
//! onboarding queues here instead of thrashing memory with dozens of 19 MiB hashes at once.
//! Each hash works in a 19 MiB buffer kept from the previous ones (one per concurrent
//! hash): allocating and zeroing it afresh cost about a third of the time of a hash.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::password_hash::{CustomizedPasswordHasher, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{LazyLock, Mutex, PoisonError};
use tokio::sync::Semaphore;

use crate::error::AppError;

pub const MIN_LENGTH: usize = 8;

static CORES: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)));

/// Working memory of finished hashes, for the next ones. Argon2 writes every block before
/// it reads it, so what a buffer held before never enters a hash.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let mut memory = MEMORY.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let result = work(&mut memory[..blocks]);
    MEMORY.lock().unwrap_or_else(PoisonError::into_inner).push(memory);
    result
}

/// Argon2 (id by default, OWASP's parameters) in reused memory; verifies any argon2 PHC
/// string, whatever its parameters.
struct Hasher;

impl CustomizedPasswordHasher<PasswordHash> for Hasher {
    type Params = Params;

    fn hash_password_customized(
        &self,
        password: &[u8],
        salt: &[u8],
        alg_id: Option<&str>,
        version: Option<u32>,
        params: Params,
    ) -> argon2::password_hash::Result<PasswordHash> {
        let algorithm = alg_id.map(Algorithm::try_from).transpose()?.unwrap_or_default();
        let version = version.map(Version::try_from).transpose()?.unwrap_or_default();
        let salt = Salt::new(salt)?;
        let mut buffer = [0u8; Output::MAX_LENGTH];
        let out = buffer
            .get_mut(..params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN))
            .ok_or(argon2::password_hash::Error::OutputSize)?;
        let argon = Argon2::new(algorithm, version, params.clone());
        with_memory(params.block_count(), |memory| argon.hash_password_into_with_memory(password, &salt, out, memory))?;
        Ok(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt),
            hash: Some(Output::new(out)?),
        })
    }
}

impl PasswordHasher<PasswordHash> for Hasher {
    fn hash_password_with_salt(&self, password: &[u8], salt: &[u8]) -> argon2::password_hash::Result<PasswordHash> {
        self.hash_password_customized(password, salt, None, None, Params::default())
    }
}

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    Hasher.hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| {
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
    on_a_core(move || match stored.as_deref().map(PasswordHash::new) {
        Some(Ok(parsed)) => Hasher.verify_password(password.as_bytes(), &parsed).is_ok(),
        _ => {
            let _ = hash_blocking(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// Whether `phc` is an argon2id hash this service will keep for a password someone else
/// hashed (billing's bulk onboarding): argon2id v19 with parameters at least as strong as
/// one of OWASP's configurations (memory × passes ≥ 7 MiB × 5) and no larger than a sign-in
/// can afford to check (≤ 256 MiB, ≤ 16 passes, ≤ 8 lanes), a salt of 8+ bytes and a
/// 16–64-byte output. Why not, if not.
pub fn check_hash(phc: &str) -> Result<(), String> {
    let hash =
        PasswordHash::new(phc).map_err(|_| "is not a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)".to_string())?;
    if hash.algorithm.as_str() != "argon2id" || hash.version != Some(19) {
        return Err("must be argon2id, version 19".into());
    }
    let params = Params::try_from(&hash).map_err(|e| format!("has unusable parameters ({e})"))?;
    let (m, t, p) = (params.m_cost(), params.t_cost(), params.p_cost());
    if m < 7 * 1024 || u64::from(m) * u64::from(t) < 35 * 1024 {
        return Err(format!("is too weak (m={m}, t={t}): use at least m=19456,t=2 (OWASP)"));
    }
    if m > 256 * 1024 || t > 16 || p > 8 {
        return Err(format!("is too costly to check at sign-in (m={m}, t={t}, p={p})"));
    }
    match (&hash.salt, &hash.hash) {
        (Some(salt), Some(out)) if salt.len() >= 8 && (16..=64).contains(&out.len()) => Ok(()),
        _ => Err("needs a salt of 8+ bytes and a 16-64-byte hash".into()),
    }
}

/// The argon2 parameters in use, for benchmark reports.
pub fn parameters() -> String {
    let p = Params::default();
    format!("argon2id v19 m={} KiB t={} p={}", p.m_cost(), p.t_cost(), p.p_cost())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_strong_enough_argon2id_hashes_are_accepted_from_outside() {
        use argon2::password_hash::PasswordHasher;
        use argon2::{Algorithm, Argon2, Params, Version};
        let make = |alg, m, t, p| {
            Argon2::new(alg, Version::V0x13, Params::new(m, t, p, None).unwrap())
                .hash_password(b"pw")
                .unwrap()
                .to_string()
        };
        assert_eq!(super::check_hash(&super::hash_blocking("a password").unwrap()), Ok(()));
        assert_eq!(super::check_hash(&make(Algorithm::Argon2id, 12288, 3, 1)), Ok(()));
        assert!(super::check_hash(&make(Algorithm::Argon2i, 19456, 2, 1)).unwrap_err().contains("argon2id"));
        assert!(super::check_hash(&make(Algorithm::Argon2id, 8192, 1, 1)).unwrap_err().contains("too weak"));
        assert!(super::check_hash(&make(Algorithm::Argon2id, 300 * 1024, 2, 1)).unwrap_err().contains("too costly"));
        assert!(super::check_hash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$").is_err());
        assert!(super::check_hash("plain text").unwrap_err().contains("PHC"));
        assert!(super::check_hash("$2b$12$abcdefghijklmnopqrstuv").is_err(), "bcrypt is not argon2id");
        // What it accepts, sign-in verifies.
        let theirs = make(Algorithm::Argon2id, 19456, 2, 1);
        let parsed = argon2::PasswordHash::new(&theirs).unwrap();
        use argon2::password_hash::PasswordVerifier;
        assert!(super::Hasher.verify_password(b"pw", &parsed).is_ok());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = super::hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("correct horse".into(), Some(h.clone())).await);
        assert!(!super::verify("wrong horse".into(), Some(h)).await);
        assert!(!super::verify("x".into(), None).await);
        assert!(!super::verify("x".into(), Some("garbage".into())).await);
    }

    /// Hashes made in reused memory are the standard ones: the crate's own code verifies
    /// them and they verify its hashes, whatever the parameters.
    #[test]
    fn reused_memory_hashes_match_the_reference() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
        let ours = super::hash_blocking("correct horse").unwrap();
        let again = super::hash_blocking("correct horse").unwrap();
        assert_ne!(ours, again, "a fresh salt each time");
        let reference = Argon2::default();
        assert!(reference.verify_password(b"correct horse", &PasswordHash::new(&ours).unwrap()).is_ok());
        assert!(reference.verify_password(b"correct horse", &PasswordHash::new(&again).unwrap()).is_ok());
        assert!(reference.verify_password(b"wrong horse", &PasswordHash::new(&ours).unwrap()).is_err());
        // A smaller and a larger memory size than the default, reusing the same buffers.
        for m in [8 * 1024, 32 * 1024] {
            let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(m, 2, 1, None).unwrap());
            let theirs = argon.hash_password(b"correct horse").unwrap().to_string();
            assert!(super::Hasher.verify_password(b"correct horse", &PasswordHash::new(&theirs).unwrap()).is_ok());
            assert!(super::Hasher.verify_password(b"correct horsE", &PasswordHash::new(&theirs).unwrap()).is_err());
        }
    }
}
