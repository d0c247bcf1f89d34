//! `GET /public/badge/{institutionId}.svg` and `GET /public/trend/{institutionId}.svg`:
//! pictures of an institution's published results to embed, cacheable (`ETag`
//! over the drawing, 304 on revalidation).

use crate::auth::secrets::sha256_hex;
use crate::error::AppError;
use crate::services::pictures;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use uuid::Uuid;

fn problem(status: StatusCode, code: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/problem+json"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(json!({ "type": "about:blank", "status": status.as_u16(), "code": code }).to_string())
}

/// The institution id of `{id}.svg`.
fn institution(file: &str) -> Option<Uuid> {
    file.strip_suffix(".svg")
        .and_then(|id| Uuid::parse_str(id).ok())
}

fn svg(req: &HttpRequest, drawn: Result<String, AppError>) -> HttpResponse {
    let body = match drawn {
        Ok(b) => b,
        Err(AppError::NotFound) => return problem(StatusCode::NOT_FOUND, "NOT_FOUND"),
        Err(e) => {
            tracing::error!(error = %e, "drawing failed");
            return problem(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE");
        }
    };
    let etag = format!("\"{}\"", &sha256_hex(&body)[..32]);
    let cache = "public, max-age=300";
    let current = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    if current {
        return HttpResponse::NotModified()
            .insert_header((ETAG, etag))
            .insert_header((CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((ETAG, etag))
        .insert_header((CACHE_CONTROL, cache))
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(body)
}

/// `GET /public/badge/{institutionId}.svg`.
pub async fn badge(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> HttpResponse {
    let Some(id) = institution(&file) else {
        return problem(StatusCode::NOT_FOUND, "NOT_FOUND");
    };
    let drawn = match pictures::badge_facts(&state, id).await {
        Ok(f) => pictures::draw_badge(&f),
        Err(e) => Err(e),
    };
    svg(&req, drawn)
}

/// `GET /public/trend/{institutionId}.svg`.
pub async fn trend(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> HttpResponse {
    let Some(id) = institution(&file) else {
        return problem(StatusCode::NOT_FOUND, "NOT_FOUND");
    };
    let drawn = match pictures::trend_facts(&state, id).await {
        Ok((code, labels, series)) => pictures::draw_trend(&code, &labels, &series),
        Err(e) => Err(e),
    };
    svg(&req, drawn)
}
