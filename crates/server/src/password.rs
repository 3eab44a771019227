//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).
//!
//! Hashing is deliberately slow, so it runs on the blocking pool, and at most one hash per
//! CPU runs at a time: a burst of sign-ins queues instead of starving the executor or
//! multiplying the 19 MiB per hash.

use crate::error::ApiError;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Passwords(Arc<Inner>);

struct Inner {
    argon: Argon2<'static>,
    permits: Semaphore,
    /// A hash of a random password, verified against when the account does not exist, so a
    /// failed sign-in takes as long for an unknown email as for a wrong password.
    dummy_hash: String,
}

impl Passwords {
    pub fn new() -> anyhow::Result<Self> {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default());
        let dummy_hash = hash_with(&argon, &crate::session::new_token())?;
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self(Arc::new(Inner {
            argon,
            permits: Semaphore::new(cpus),
            dummy_hash,
        })))
    }

    /// Hashes a new password into a PHC string (algorithm, parameters and salt included).
    pub async fn hash(&self, password: &str) -> Result<String, ApiError> {
        let password = password.to_owned();
        self.run(move |argon| hash_with(argon, &password))
            .await?
            .map_err(ApiError::internal)
    }

    /// Whether `password` matches `hash`. With no hash (unknown account) it still does the
    /// work of a verification, and answers no.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, ApiError> {
        let password = password.to_owned();
        let dummy = hash.is_none();
        let hash = hash.unwrap_or_else(|| self.0.dummy_hash.clone());
        let matched = self
            .run(move |argon| {
                PasswordHash::new(&hash)
                    .map(|parsed| argon.verify_password(password.as_bytes(), &parsed).is_ok())
                    .unwrap_or(false)
            })
            .await?;
        Ok(matched && !dummy)
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.0.permits.acquire().await.map_err(ApiError::internal)?;
        let inner = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || f(&inner.argon))
            .await
            .map_err(ApiError::internal)
    }
}

fn hash_with(argon: &Argon2<'_>, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let p = Passwords::new().unwrap();
        let h = p.hash("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(p.verify("correct horse", Some(h.clone())).await.unwrap());
        assert!(!p.verify("wrong horse", Some(h)).await.unwrap());
        assert!(!p.verify("anything", None).await.unwrap());
        assert!(
            !p.verify("x", Some("not a phc string".into()))
                .await
                .unwrap()
        );
    }
}
