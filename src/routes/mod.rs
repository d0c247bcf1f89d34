//! HTTP routes: `/graphql`, `/health/*` and `/metrics`.

pub mod graphql;
pub mod health;
pub mod metrics;

use actix_web::web;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::graphiql))
            .default_service(web::to(graphql::method_not_allowed)),
    )
    .route("/health/live", web::get().to(health::live))
    .route("/health/ready", web::get().to(health::ready))
    .route("/metrics", web::get().to(metrics::metrics));
}
