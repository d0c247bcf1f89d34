//! Access tokens: JWT, HS256 only, ≤ 15 minutes, with `iss`, `aud`, `sub`, `exp`,
//! `nbf`, `iat`, `jti` all required. Time checks use the application [`Clock`]
//! (so tests can move time); the library checks signature, algorithm, issuer,
//! audience and the presence of every claim.
//!
//! [`Clock`]: crate::clock::Clock

use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Issuer (`iss`) of Sanal's access tokens.
pub const JWT_ISSUER: &str = "sanal";
/// Audience (`aud`) of Sanal's access tokens.
pub const JWT_AUDIENCE: &str = "sanal-api";

/// Claims of a Sanal access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer: `sanal`.
    pub iss: String,
    /// Audience: `sanal-api`.
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Unique token id.
    pub jti: String,
    /// The session (refresh token family) this token belongs to.
    pub sid: String,
}

/// Verified identity carried by an access token.
#[derive(Debug, Clone, Copy)]
pub struct AccessIdentity {
    /// The user.
    pub user_id: Uuid,
    /// The session.
    pub session_id: Uuid,
}

/// Signs and verifies access tokens.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
}

/// Small tolerance for clocks of different servers.
const LEEWAY_SECS: i64 = 5;

impl Tokens {
    /// Keys from the configured secret.
    pub fn new(secret: &[u8], ttl_secs: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl: Duration::seconds(ttl_secs),
        }
    }

    /// A new access token for a user's session; returns it with its expiry.
    pub fn issue(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> AppResult<(String, DateTime<Utc>)> {
        let exp = now + self.ttl;
        let claims = Claims {
            iss: JWT_ISSUER.into(),
            aud: JWT_AUDIENCE.into(),
            sub: user_id.to_string(),
            exp: exp.timestamp(),
            nbf: now.timestamp(),
            iat: now.timestamp(),
            jti: Uuid::new_v4().to_string(),
            sid: session_id.to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok((token, exp))
    }

    /// Verifies a token as of `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> AppResult<AccessIdentity> {
        let invalid = || AppError::unauthenticated("invalid or expired access token");
        let mut v = Validation::new(Algorithm::HS256);
        v.algorithms = vec![Algorithm::HS256];
        v.set_issuer(&[JWT_ISSUER]);
        v.set_audience(&[JWT_AUDIENCE]);
        v.set_required_spec_claims(&["iss", "aud", "sub", "exp", "nbf", "iat", "jti"]);
        // Time is checked below against the application clock.
        v.validate_exp = false;
        v.validate_nbf = false;
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &v).map_err(|_| invalid())?;
        let c = data.claims;
        let t = now.timestamp();
        if c.exp + LEEWAY_SECS <= t || c.nbf - LEEWAY_SECS > t || c.iat - LEEWAY_SECS > t {
            return Err(invalid());
        }
        if c.exp - c.iat > 15 * 60 {
            return Err(invalid());
        }
        Ok(AccessIdentity {
            user_id: Uuid::parse_str(&c.sub).map_err(|_| invalid())?,
            session_id: Uuid::parse_str(&c.sid).map_err(|_| invalid())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let t = Tokens::new(b"0123456789abcdef0123456789abcdef", 600);
        let (tok, exp) = t.issue(Uuid::now_v7(), Uuid::now_v7(), now()).unwrap();
        assert_eq!(exp, now() + Duration::seconds(600));
        assert!(t.verify(&tok, now() + Duration::seconds(599)).is_ok());
        assert!(t.verify(&tok, now() + Duration::seconds(606)).is_err());
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let a = Tokens::new(b"0123456789abcdef0123456789abcdef", 600);
        let b = Tokens::new(b"fedcba9876543210fedcba9876543210", 600);
        let (tok, _) = a.issue(Uuid::now_v7(), Uuid::now_v7(), now()).unwrap();
        assert!(b.verify(&tok, now()).is_err());
    }
}
