//! The HTTP layer of telemetry: one middleware around the whole app that gives each
//! request its id, a span and its metrics.
//!
//! A small `from_fn` middleware rather than `tracing-actix-web`: that crate makes
//! its own request id and never takes the client's, and what is needed here (a
//! span, one header, two metrics) is a few lines.

use super::metrics;
use super::request_id::{HEADER, RequestId};
use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

/// Longest part of a path written into a span.
const MAX_LOGGED_PATH: usize = 200;

/// The request id of a request (set by [`observe`]); a fresh one if the
/// middleware did not run, which only happens in unit tests.
pub fn request_id(req: &actix_web::HttpRequest) -> RequestId {
    req.extensions()
        .get::<RequestId>()
        .cloned()
        .unwrap_or_else(RequestId::generate)
}

/// Wraps every request: takes or makes its id, runs it inside an `http_request`
/// span (method, path, request id, then status and duration), returns the id in
/// `X-Request-Id` — also on errors — and counts it by route and status.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = RequestId::from_header(req.headers().get(HEADER).and_then(|v| v.to_str().ok()));
    req.extensions_mut().insert(id.clone());
    // The registered pattern keeps the label set small; paths are the client's.
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let method = req.method().clone();
    // ERROR level, so the span (and its request id) exists whenever any line is
    // written, also under `RUST_LOG=warn`; the access line itself is
    // `sanal::access` INFO and can be silenced alone.
    let span = tracing::error_span!(
        "http_request",
        method = %method,
        path = %short(req.path()),
        request_id = %id,
        status = Empty,
        duration_ms = Empty,
    );
    let mut res = match next.call(req).instrument(span.clone()).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            // Every handler answers with a response, so this is an extractor
            // failing (a wiring bug). actix turns it into a response after this
            // middleware, which cannot hold the request to build one itself (a
            // clone kept across routing makes routing panic), so this one response
            // goes without the header; it is logged with the id here.
            let status = e.as_response_error().status_code().as_u16();
            span.record("status", status);
            span.record("duration_ms", millis(started.elapsed()));
            span.in_scope(|| tracing::warn!(target: "sanal::access", error = %e, "request failed"));
            metrics::http_request(method.as_str(), &route, status, started.elapsed());
            return Err(e);
        }
    };
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        res.headers_mut().insert(HeaderName::from_static(HEADER), v);
    }
    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    span.record("status", status);
    span.record("duration_ms", millis(elapsed));
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(target: "sanal::access", "request finished");
        } else {
            tracing::info!(target: "sanal::access", "request finished");
        }
    });
    metrics::http_request(method.as_str(), &route, status, elapsed);
    Ok(res)
}

fn millis(d: std::time::Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

fn short(path: &str) -> &str {
    if path.len() <= MAX_LOGGED_PATH {
        return path;
    }
    let mut end = MAX_LOGGED_PATH;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}
