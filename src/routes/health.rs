//! Liveness and readiness probes.

use crate::state::AppState;
use actix_web::{HttpResponse, web};

/// The process is up.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database answers; 503 otherwise.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    if state.db.ping().await {
        HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "database": "ok" }))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "unavailable", "database": "unreachable" }))
    }
}
