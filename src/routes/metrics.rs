//! `GET /metrics`: Prometheus text format.
//!
//! Who may read it: with `SANAL_METRICS_TOKEN` set, only a scraper that sends
//! `Authorization: Bearer <token>` (401 without credentials, 403 with the wrong
//! ones); without a token, anyone in development mode and nobody in production
//! mode (404, as if there were no such page). Figures such as operation names and
//! error rates tell an attacker what works; they are for operators.

use crate::auth::secrets::sha256_hex;
use crate::state::AppState;
use crate::telemetry::metrics;
use actix_web::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, web};

/// Content type of the Prometheus text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Who is asking, as far as `/metrics` cares.
#[derive(Debug, PartialEq, Eq)]
pub enum Access {
    /// Serve the metrics.
    Allowed,
    /// No token configured in production mode: there is no such page.
    Hidden,
    /// A token is required and none was sent.
    Unauthenticated,
    /// A token was sent and it is not the one.
    Forbidden,
}

/// Decides access from the settings and the `Authorization` header.
pub fn access(token: Option<&str>, production: bool, authorization: Option<&str>) -> Access {
    let Some(token) = token else {
        return if production {
            Access::Hidden
        } else {
            Access::Allowed
        };
    };
    let Some(sent) = authorization
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
    else {
        return Access::Unauthenticated;
    };
    // Digests of equal length compared whole: the time taken says nothing of
    // how much of the token was right.
    let (a, b) = (sha256_hex(sent), sha256_hex(token));
    let differ = a
        .bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    if differ == 0 {
        Access::Allowed
    } else {
        Access::Forbidden
    }
}

/// The metrics, when allowed.
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let authorization = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match access(
        state.config.metrics_token.as_deref(),
        state.config.production,
        authorization,
    ) {
        Access::Allowed => HttpResponse::Ok()
            .content_type(CONTENT_TYPE)
            .body(metrics::render(
                state.db.pool_usage(),
                state.config.db_pool_size,
            )),
        Access::Hidden => HttpResponse::NotFound().finish(),
        Access::Unauthenticated => HttpResponse::Unauthorized()
            .insert_header((WWW_AUTHENTICATE, "Bearer"))
            .finish(),
        Access::Forbidden => HttpResponse::Forbidden().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_token_metrics_are_open_in_development_and_hidden_in_production() {
        assert_eq!(access(None, false, None), Access::Allowed);
        assert_eq!(access(None, true, None), Access::Hidden);
        assert_eq!(access(None, true, Some("Bearer anything")), Access::Hidden);
    }

    #[test]
    fn with_a_token_only_that_bearer_token_is_let_in() {
        let t = Some("0123456789abcdef");
        for production in [false, true] {
            assert_eq!(access(t, production, None), Access::Unauthenticated);
            assert_eq!(
                access(t, production, Some("Basic 0123456789abcdef")),
                Access::Unauthenticated
            );
            assert_eq!(
                access(t, production, Some("Bearer 0123456789abcdeF")),
                Access::Forbidden
            );
            assert_eq!(access(t, production, Some("Bearer ")), Access::Forbidden);
            assert_eq!(
                access(t, production, Some("Bearer 0123456789abcdef")),
                Access::Allowed
            );
            assert_eq!(
                access(t, production, Some("bearer 0123456789abcdef")),
                Access::Allowed
            );
        }
    }
}
