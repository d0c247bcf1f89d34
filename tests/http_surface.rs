//! The HTTP surface: health probes, JSON-only POST, size and shape limits, GraphiQL,
//! and the committed schema.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::json;

#[actix_web::test]
async fn health_probes_answer_when_the_database_is_up() {
    let app = spawn_app().await;
    let (status, body) = app.get("/health/live").await;
    assert_eq!(status, 200);
    assert!(body.contains("ok"));
    let (status, body) = app.get("/health/ready").await;
    assert_eq!(status, 200);
    assert!(body.contains("\"database\":\"ok\""));
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_refused_with_415() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_raw(
            &Auth::None,
            "application/x-www-form-urlencoded",
            b"query={me{id}}".to_vec(),
        )
        .await;
    assert_eq!(status, 415);
    assert_eq!(code(&body), "UNSUPPORTED_MEDIA_TYPE");
}

#[actix_web::test]
async fn a_body_over_64_kib_is_refused_with_413() {
    let app = spawn_app().await;
    let big = format!(
        "{{\"query\":\"{{ regions {{ code }} }}\",\"variables\":{{\"x\":\"{}\"}}}}",
        "a".repeat(70 * 1024)
    );
    let (status, body) = app
        .post_raw(&Auth::None, "application/json", big.into_bytes())
        .await;
    assert_eq!(status, 413);
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE");
}

#[actix_web::test]
async fn batched_requests_are_refused() {
    let app = spawn_app().await;
    let batch = json!([{ "query": "{ regions { code } }" }, { "query": "{ regions { code } }" }]);
    let (status, body) = app
        .post_raw(
            &Auth::None,
            "application/json",
            serde_json::to_vec(&batch).unwrap(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "BATCH_NOT_SUPPORTED");
}

#[actix_web::test]
async fn malformed_json_is_a_bad_request() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_raw(&Auth::None, "application/json", b"{not json".to_vec())
        .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "BAD_REQUEST");
}

#[actix_web::test]
async fn a_query_nested_too_deep_is_refused_with_a_clear_code() {
    let app = spawn_app().await;
    let mut sel = String::from("id");
    for _ in 0..20 {
        sel = format!("parent {{ {sel} }}");
    }
    let q = format!("{{ institutions {{ edges {{ node {{ {sel} }} }} }} }}");
    let r = app.gql(&Auth::None, &q, json!({})).await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED", "{r}");
    assert!(r["data"].is_null());
}

#[actix_web::test]
async fn too_many_directives_on_a_field_are_refused() {
    let app = spawn_app().await;
    let dirs = "@include(if: true) ".repeat(8);
    let q = format!("{{ regions {dirs} {{ code }} }}");
    let r = app.gql(&Auth::None, &q, json!({})).await;
    assert!(r["errors"].is_array(), "{r}");
    assert_ne!(code(&r), "<no error>");
}

#[actix_web::test]
async fn unknown_fields_fail_validation_with_a_code() {
    let app = spawn_app().await;
    let r = app.gql(&Auth::None, "{ nothingHere }", json!({})).await;
    assert_eq!(code(&r), "GRAPHQL_VALIDATION_FAILED");
}

#[actix_web::test]
async fn graphiql_is_served_on_get_outside_production() {
    let app = spawn_app().await;
    let (status, body) = app.get("/graphql").await;
    assert_eq!(status, 200);
    assert!(body.to_lowercase().contains("graphiql"));
}

#[actix_web::test]
async fn production_mode_turns_off_graphiql_and_introspection() {
    let app = spawn_app_with(|c| c.production = true).await;
    let (status, _) = app.get("/graphql").await;
    assert_eq!(status, 404);
    let r = app
        .gql(&Auth::None, "{ __schema { types { name } } }", json!({}))
        .await;
    assert!(
        r["data"]["__schema"].is_null(),
        "introspection must be off: {r}"
    );
    // Ordinary queries still work.
    let ok = app.ok(&Auth::None, "{ regions { code } }", json!({})).await;
    assert!(ok["regions"].as_array().unwrap().len() >= 22);
}

#[actix_web::test]
async fn a_get_request_never_executes_an_operation() {
    let app = spawn_app().await;
    let (status, body) = app
        .get("/graphql?query=mutation%20%7B%20logout%20%7D")
        .await;
    assert_eq!(status, 200);
    assert!(!body.contains("\"data\""), "GET must only serve GraphiQL");
}

#[test]
fn the_committed_schema_matches_what_the_server_serves() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql exists");
    let served = sanal::graphql::sdl();
    assert!(
        committed == served,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql` and commit it"
    );
}

#[actix_web::test]
async fn every_type_and_field_of_the_api_has_a_description() {
    let app = spawn_app().await;
    let r = app
        .ok(
            &Auth::None,
            "{ __schema { types { name kind description fields { name description } inputFields { name description } enumValues { name description } } } }",
            json!({}),
        )
        .await;
    let mut missing = vec![];
    for t in r["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if name.starts_with("__") || t["kind"] == "SCALAR" {
            continue;
        }
        if t["description"].as_str().unwrap_or("").is_empty() {
            missing.push(name.to_owned());
        }
        for list in ["fields", "inputFields", "enumValues"] {
            for f in t[list].as_array().into_iter().flatten() {
                if f["description"].as_str().unwrap_or("").is_empty() {
                    missing.push(format!("{name}.{}", f["name"].as_str().unwrap()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:?}");
}

#[actix_web::test]
async fn the_region_list_holds_the_21_aimags_the_capital_and_its_districts() {
    let app = spawn_app().await;
    let d = app
        .ok(
            &Auth::None,
            "{ regions { code kind parentCode name { mn en } } }",
            json!({}),
        )
        .await;
    let regions = d["regions"].as_array().unwrap();
    let count = |k: &str| regions.iter().filter(|r| r["kind"] == k).count();
    assert_eq!(count("AIMAG"), 21);
    assert_eq!(count("CAPITAL"), 1);
    assert_eq!(count("DISTRICT"), 9);
    let bo = regions.iter().find(|r| r["code"] == "MN-071").unwrap();
    assert_eq!(bo["name"]["mn"], "Баян-Өлгий");
}

#[actix_web::test]
async fn the_reporting_time_zone_cannot_change_once_the_database_exists() {
    let path = std::env::temp_dir().join(format!("sanal-tz-{}.db", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let clock = std::sync::Arc::new(sanal::clock::ManualClock::new(start_time()));
    let first = sanal::startup::prepare(
        sanal::config::Config::for_database(&url),
        clock.clone(),
        None,
    )
    .await;
    assert!(first.is_ok());
    let mut moved = sanal::config::Config::for_database(&url);
    moved.timezone = chrono_tz::Asia::Hovd;
    let second = sanal::startup::prepare(moved, clock, None).await;
    let err = second.err().expect("a different zone is refused").0;
    assert!(
        err.contains("Asia/Ulaanbaatar") && err.contains("Asia/Hovd"),
        "{err}"
    );
    let _ = std::fs::remove_file(&path);
}
