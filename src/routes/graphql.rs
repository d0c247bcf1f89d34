//! `POST /graphql`: JSON only, body ≤ 64 KiB, one operation per request (no batches),
//! credentials resolved to an [`Actor`](crate::auth::Actor) before execution.
//! `GET /graphql` serves GraphiQL outside production mode ([`super::graphiql`]);
//! GET never executes.

use crate::auth::Actor;
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

/// The client's address of a request, under the configured proxy trust.
pub fn request_ip(req: &HttpRequest, state: &AppState) -> Option<String> {
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_ip(
        req.peer_addr().map(|a| a.ip()),
        &forwarded,
        state.config.trust_proxy,
        state.config.trust_proxy_hops,
    )
}

/// A refusal before any GraphQL work: status, stable code, message.
struct Refusal(StatusCode, &'static str, String);

impl Refusal {
    fn bad(code: &'static str, message: &str) -> Self {
        Self(StatusCode::BAD_REQUEST, code, message.to_owned())
    }

    fn respond(self, id: &RequestId) -> HttpResponse {
        error(self.0, self.1, &self.2, id)
    }
}

/// The body of a JSON POST, at most [`MAX_BODY_BYTES`] (also when chunked).
async fn read_body(
    req: &HttpRequest,
    payload: &mut web::Payload,
) -> Result<web::BytesMut, Refusal> {
    let json_type = header(req, CONTENT_TYPE)
        .map(|c| c.trim().to_ascii_lowercase())
        .is_some_and(|c| c == "application/json" || c.starts_with("application/json;"));
    if !json_type {
        return Err(Refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as Content-Type: application/json".into(),
        ));
    }
    let too_large = || {
        Refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    if header(req, CONTENT_LENGTH)
        .and_then(|l| l.parse::<usize>().ok())
        .is_some_and(|l| l > MAX_BODY_BYTES)
    {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| Refusal::bad("BAD_REQUEST", "could not read the request body"))?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// One GraphQL request from a JSON body: never a batch.
fn parse_request(body: &[u8]) -> Result<async_graphql::Request, Refusal> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| Refusal::bad("BAD_REQUEST", "the body is not valid JSON"))?;
    if value.is_array() {
        return Err(Refusal::bad(
            "BATCH_NOT_SUPPORTED",
            "batched requests are not supported; send one operation per request",
        ));
    }
    serde_json::from_value(value).map_err(|_| {
        Refusal::bad(
            "BAD_REQUEST",
            "expected {\"query\": …, \"variables\": …, \"operationName\": …}",
        )
    })
}

/// Who is calling, or why the credentials cannot be used (401, or 503 with
/// `Retry-After` while the database is unavailable).
async fn caller(
    req: &HttpRequest,
    state: &AppState,
    id: &RequestId,
) -> Result<Actor, HttpResponse> {
    let ip = request_ip(req, state);
    let e = match actors::resolve(
        state,
        header(req, AUTHORIZATION),
        header(req, "x-api-key"),
        ip,
    )
    .await
    {
        Ok(a) => return Ok(a),
        Err(e) => e,
    };
    let status = match e {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut r = error(status, e.code(), &e.public_message(), id);
    if let AppError::Unavailable { retry_after_secs } = e
        && let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string())
    {
        r.headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, v);
    }
    Err(r)
}

/// Executes one GraphQL operation.
pub async fn post(
    req: HttpRequest,
    mut payload: web::Payload,
    schema: web::Data<SanalSchema>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let id = request_id(&req);
    let request = match read_body(&req, &mut payload)
        .await
        .and_then(|body| parse_request(&body))
    {
        Ok(r) => r,
        Err(refusal) => return refusal.respond(&id),
    };
    let actor = match caller(&req, &state, &id).await {
        Ok(a) => a,
        Err(response) => return response,
    };
    // The guard reads the id to log it; every error carries it so users can quote it.
    let loaders = crate::graphql::loaders::loaders(state.get_ref().clone(), actor.clone());
    let mut resp = schema
        .execute(request.data(actor).data(loaders).data(id.clone()))
        .await;
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
