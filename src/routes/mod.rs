//! HTTP routes: `/graphql`, GraphiQL's assets under `/graphiql/`, the citizens'
//! links `/s/{token}` and `/p/{pointCode}`, open data under `/open-data/`,
//! badges and trend charts under `/public/`,
//! `/health/*` and `/metrics`.

pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod links;
pub mod metrics;
pub mod open_data;
pub mod public;

use actix_web::web;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphiql::page))
            .default_service(web::to(graphql::method_not_allowed)),
    )
    .route("/graphiql/{key}/{file}", web::get().to(graphiql::asset))
    .route("/s/{token}", web::get().to(links::invitation))
    .route("/p/{code}", web::get().to(links::poster))
    .route("/public/badge/{file}", web::get().to(public::badge))
    .route("/public/trend/{file}", web::get().to(public::trend))
    .route("/open-data/", web::get().to(open_data::index))
    .route(
        "/open-data/datapackage.json",
        web::get().to(open_data::package),
    )
    .route("/open-data/{file}", web::get().to(open_data::file))
    .route("/health/live", web::get().to(health::live))
    .route("/health/ready", web::get().to(health::ready))
    .route("/metrics", web::get().to(metrics::metrics));
}
