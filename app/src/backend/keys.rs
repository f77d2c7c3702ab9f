//! The server's secret key, for keyed hashes of values that may hold a secret: billing
//! request bodies (they can carry passwords) and sign-in logins (a password typed into the
//! login field is the usual accident). A plain hash of such a value can be reversed by
//! guessing; a keyed one cannot without the key.
//!
//! The key comes from `VMS_SECRET_KEY` when set (recommended: then a copy of the database
//! alone reveals nothing), otherwise the server makes one on first start and keeps it in the
//! database, so every server process shares it.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// A key derived from a passphrase (any length; hashed to 32 bytes).
    pub fn from_passphrase(text: &str) -> Self {
        Self(Sha256::digest(text.as_bytes()).into())
    }

    /// HMAC-SHA-256 of `value`, hex encoded.
    pub fn hash(&self, value: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(value);
        super::token::hex(&mac.finalize().into_bytes())
    }

    /// The key from `VMS_SECRET_KEY`, or the one kept in the database (made on first use).
    pub async fn load(pool: &AnyPool, now: i64) -> Result<Self, sqlx::Error> {
        if let Ok(text) = std::env::var("VMS_SECRET_KEY") {
            if !text.trim().is_empty() {
                return Ok(Self::from_passphrase(text.trim()));
            }
        }
        sqlx::query(
            "INSERT INTO server_keys (name, value, created_at) VALUES ('secret', $1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(super::token::new_token())
        .bind(now)
        .execute(pool)
        .await?;
        let (value,): (String,) =
            sqlx::query_as("SELECT value FROM server_keys WHERE name = 'secret'").fetch_one(pool).await?;
        Ok(Self::from_passphrase(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::SecretKey;

    #[test]
    fn keyed_hashes_depend_on_the_key() {
        let (a, b) = (SecretKey::from_passphrase("one"), SecretKey::from_passphrase("two"));
        assert_eq!(a.hash(b"body"), a.hash(b"body"));
        assert_ne!(a.hash(b"body"), b.hash(b"body"));
        assert_ne!(a.hash(b"body"), super::super::token::hash_token("body"));
        // RFC 4231 test case 2.
        let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(b"Jefe").unwrap();
        hmac::Mac::update(&mut mac, b"what do ya want for nothing?");
        assert_eq!(
            super::super::token::hex(&hmac::Mac::finalize(mac).into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
