//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane), run
//! on the blocking pool so async workers never stall, with at most as many hashes
//! at once as there are cores (a flood of logins cannot exhaust memory).

use crate::error::{AppError, AppResult};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<String>,
}

fn argon() -> AppResult<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(AppError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &str) -> AppResult<String> {
    argon()?
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

fn verify_blocking(password: &str, hash: &str) -> AppResult<bool> {
    match argon()?.verify_password(password.as_bytes(), hash) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(AppError::internal(format!(
            "stored password hash unusable: {e}"
        ))),
    }
}

impl Passwords {
    /// Prepares the hasher, including the dummy hash used for unknown accounts.
    pub fn new() -> AppResult<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: Arc::new(hash_blocking("sanal-dummy-password-never-valid")?),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(AppError::internal)?
    }

    /// Hashes a new password (PHC string with its own random salt).
    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let p = password.to_owned();
        self.run(move || hash_blocking(&p)).await
    }

    /// Checks a password against a stored hash.
    pub async fn verify(&self, password: &str, hash: &str) -> AppResult<bool> {
        let (p, h) = (password.to_owned(), hash.to_owned());
        self.run(move || verify_blocking(&p, &h)).await
    }

    /// Does the same work as [`Self::verify`] for an account that does not exist, so an
    /// unknown e-mail costs what a wrong password costs. Always `false`.
    pub async fn verify_dummy(&self, password: &str) -> AppResult<bool> {
        let hash = self.dummy_hash.as_str().to_owned();
        let p = password.to_owned();
        self.run(move || verify_blocking(&p, &hash)).await?;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let p = Passwords::new().unwrap();
        let h = p.hash("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(p.verify("correct horse battery", &h).await.unwrap());
        assert!(!p.verify("wrong horse battery", &h).await.unwrap());
        assert!(!p.verify_dummy("anything at all").await.unwrap());
    }
}
