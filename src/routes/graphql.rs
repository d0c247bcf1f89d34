//! `POST /graphql`: JSON only, body ≤ 64 KiB, one operation per request (no batches),
//! credentials resolved to an [`Actor`](crate::auth::Actor) before execution.
//! `GET /graphql` serves GraphiQL outside production mode ([`super::graphiql`]);
//! GET never executes.

use crate::error::AppError;
use crate::graphql::SanalSchema;
use crate::services::actors;
use crate::state::AppState;
use crate::telemetry::http::request_id;
use crate::telemetry::request_id::RequestId;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A transport-level error, shaped like a GraphQL one, with the request id.
fn error(status: StatusCode, code: &str, message: &str, id: &RequestId) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code, "requestId": id.as_str() } }]
    }))
}

fn header(req: &HttpRequest, name: impl actix_web::http::header::AsHeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The client's address. Behind `hops` trusted proxies, each appends the address it
/// received the request from to `X-Forwarded-For`; the client is the entry the
/// outermost trusted proxy appended, `hops` from the right. Entries further left
/// were written by the client and are never trusted. Without enough entries (or
/// without trusting a proxy) it is the peer address.
pub fn client_ip(
    peer: Option<std::net::IpAddr>,
    forwarded_for: &[&str],
    trust_proxy: bool,
    hops: usize,
) -> Option<String> {
    if trust_proxy {
        let entries: Vec<&str> = forwarded_for
            .iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .collect();
        if hops >= 1
            && entries.len() >= hops
            && let Ok(ip) = entries[entries.len() - hops].parse::<std::net::IpAddr>()
        {
            return Some(ip.to_string());
        }
    }
    peer.map(|p| p.to_string())
}

/// Executes one GraphQL operation.
pub async fn post(
    req: HttpRequest,
    mut payload: web::Payload,
    schema: web::Data<SanalSchema>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let id = request_id(&req);
    let json_type = header(&req, CONTENT_TYPE)
        .map(|c| c.trim().to_ascii_lowercase())
        .is_some_and(|c| c == "application/json" || c.starts_with("application/json;"));
    if !json_type {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as Content-Type: application/json",
            &id,
        );
    }
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            &id,
        )
    };
    if header(&req, CONTENT_LENGTH)
        .and_then(|l| l.parse::<usize>().ok())
        .is_some_and(|l| l > MAX_BODY_BYTES)
    {
        return too_large();
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "could not read the request body",
                &id,
            );
        };
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the body is not valid JSON",
                &id,
            );
        }
    };
    if value.is_array() {
        return error(
            StatusCode::BAD_REQUEST,
            "BATCH_NOT_SUPPORTED",
            "batched requests are not supported; send one operation per request",
            &id,
        );
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "expected {\"query\": …, \"variables\": …, \"operationName\": …}",
                &id,
            );
        }
    };
    let actor = match actors::resolve(
        &state,
        header(&req, AUTHORIZATION),
        header(&req, "x-api-key"),
        client_ip(
            req.peer_addr().map(|a| a.ip()),
            &req.headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>(),
            state.config.trust_proxy,
            state.config.trust_proxy_hops,
        ),
    )
    .await
    {
        Ok(a) => a,
        Err(e @ AppError::Unauthenticated(_)) => {
            return error(StatusCode::UNAUTHORIZED, e.code(), &e.public_message(), &id);
        }
        Err(e @ AppError::Unavailable { retry_after_secs }) => {
            let mut r = error(
                StatusCode::SERVICE_UNAVAILABLE,
                e.code(),
                &e.public_message(),
                &id,
            );
            if let Ok(v) =
                actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string())
            {
                r.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, v);
            }
            return r;
        }
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                e.code(),
                &e.public_message(),
                &id,
            );
        }
    };
    // The guard reads the id to log it; every error carries it so users can quote it.
    let mut resp = schema.execute(request.data(actor).data(id.clone())).await;
    for e in &mut resp.errors {
        e.extensions
            .get_or_insert_with(Default::default)
            .set("requestId", id.as_str());
    }
    HttpResponse::Ok().json(resp)
}

/// Any other method.
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "use POST with a JSON body",
        &request_id(&req),
    )
}

#[cfg(test)]
mod tests {
    use super::client_ip;

    fn peer() -> Option<std::net::IpAddr> {
        "192.0.2.9".parse().ok()
    }

    #[test]
    fn the_address_our_proxy_appended_is_taken_not_what_the_client_wrote() {
        let xff = ["6.6.6.6, 203.0.113.7"];
        assert_eq!(
            client_ip(peer(), &xff, true, 1).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(client_ip(peer(), &xff, true, 2).as_deref(), Some("6.6.6.6"));
    }

    #[test]
    fn several_headers_are_read_in_order() {
        let xff = ["1.1.1.1", "203.0.113.7"];
        assert_eq!(
            client_ip(peer(), &xff, true, 1).as_deref(),
            Some("203.0.113.7")
        );
    }

    #[test]
    fn without_trust_or_enough_entries_the_peer_is_the_client() {
        assert_eq!(
            client_ip(peer(), &["6.6.6.6"], false, 1).as_deref(),
            Some("192.0.2.9")
        );
        assert_eq!(
            client_ip(peer(), &["6.6.6.6"], true, 2).as_deref(),
            Some("192.0.2.9")
        );
        assert_eq!(
            client_ip(peer(), &["not an address"], true, 1).as_deref(),
            Some("192.0.2.9")
        );
    }
}
