//! Lists cost a constant number of database statements, whatever the page size:
//! nested objects (institutions, parents, survey versions, assignments, settings,
//! role assignments, key coverage, findings) are loaded in batches, not one by one.
//! Each test counts the statements of a page of 10 and of a page of 100.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

/// Statements the database ran for one request. The counter is the app's, and the
/// background job (closing periods) may run a statement meanwhile: the fewest of
/// three runs is the request's own.
async fn statements(app: &TestApp, auth: &Auth, query: &str, vars: Value) -> (u64, Value) {
    let mut fewest = None;
    let mut last = Value::Null;
    for _ in 0..3 {
        let before = app.state.db.statements();
        let r = app.gql(auth, query, vars.clone()).await;
        assert!(r.get("errors").is_none(), "{r}");
        let n = app.state.db.statements() - before;
        fewest = Some(fewest.map_or(n, |f: u64| f.min(n)));
        last = r;
    }
    (fewest.unwrap_or(0), last)
}

/// The statements of pages of 10 and 100; both must be the same small number.
async fn constant(app: &TestApp, auth: &Auth, query: &str, what: &str) -> u64 {
    let (ten, r10) = statements(app, auth, query, json!({ "n": 10 })).await;
    let (hundred, r100) = statements(app, auth, query, json!({ "n": 100 })).await;
    let count = |r: &Value| {
        r["data"]
            .as_object()
            .and_then(|o| o.values().next())
            .map(|c| c["edges"].as_array().map_or(0, Vec::len))
            .unwrap_or(0)
    };
    assert_eq!((count(&r10), count(&r100)), (10, 100), "{what}: pages");
    eprintln!("{what}: {ten} statements for 10, {hundred} for 100");
    assert_eq!(ten, hundred, "{what}: statements grow with the page");
    assert!(hundred <= 12, "{what}: {hundred} statements");
    hundred
}

#[actix_web::test]
async fn institutions_with_their_parents_load_in_batches() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let root = app.create_institution(&admin, "ROOT", None).await;
    for i in 0..110 {
        app.create_institution(&admin, &format!("A{i:03}"), Some(&root))
            .await;
    }
    constant(
        &app,
        &admin,
        "query($n:Int){ institutions(first:$n, filter:{text:\"a\"}){ edges { node { code parent { code parent { code } } } } } }",
        "institutions",
    )
    .await;
}

#[actix_web::test]
async fn services_with_their_institution_assignments_and_settings_load_in_batches() {
    let w = SurveyWorld::new("FACES_3").await;
    for i in 0..110 {
        let s = w
            .app
            .create_service(&w.manager, &w.agency, &format!("S{i:03}"))
            .await;
        let id = s["data"]["createService"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        w.app
            .ok(&w.manager, "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v){ channel } }", json!({ "s": id, "v": w.version }))
            .await;
    }
    constant(
        &w.app,
        &w.manager,
        "query($n:Int){ services(first:$n){ edges { node { code institution { code } surveyAssignments { channel surveyVersionId } invitationSettings { expiryDays } } } } }",
        "services",
    )
    .await;
}

#[actix_web::test]
async fn surveys_with_their_versions_load_in_batches() {
    let w = SurveyWorld::new("FACES_3").await;
    for _ in 0..110 {
        let d = w
            .app
            .ok(&w.manager, "mutation($i:ID!){ createSurveyFromTemplate(institutionId:$i, template: FACES_3){ id } }", json!({ "i": w.agency }))
            .await;
        w.app
            .ok(
                &w.manager,
                "mutation($id:ID!){ publishSurvey(id:$id){ id } }",
                json!({ "id": d["createSurveyFromTemplate"]["id"] }),
            )
            .await;
    }
    constant(
        &w.app,
        &w.manager,
        "query($n:Int){ surveys(first:$n){ edges { node { id versions { id } draft { id } latestPublished { id version } } } } }",
        "surveys",
    )
    .await;
}

#[actix_web::test]
async fn users_with_their_role_assignments_load_in_batches() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_institution(&admin, "MOJ", None).await;
    let b = app.create_institution(&admin, "MOF", None).await;
    let manager = app
        .user_with_role(&admin, "m@moj.gov.mn", "INSTITUTION_MANAGER", Some(&a))
        .await;
    for i in 0..110 {
        app.ok(
            &admin,
            "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
            json!({ "i": { "email": format!("u{i}@gov.mn"), "displayName": format!("User {i}"), "password": PASSWORD,
                "assignments": [{ "role": "INSTITUTION_STAFF", "institutionId": a }, { "role": "INSTITUTION_STAFF", "institutionId": b }] } }),
        )
        .await;
    }
    let q = "query($n:Int){ users(first:$n){ edges { node { email assignments { role institutionId } } } } }";
    constant(&app, &admin, q, "users (ADMIN)").await;
    constant(&app, &manager, q, "users (manager)").await;
}

#[actix_web::test]
async fn api_keys_with_their_coverage_load_in_batches() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_institution(&admin, "MOJ", None).await;
    for i in 0..110 {
        app.ok(
            &admin,
            "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key } }",
            json!({ "i": { "institutionId": a, "name": format!("Queue {i}"), "kind": "INSTITUTION_SYSTEM" } }),
        )
        .await;
    }
    constant(
        &app,
        &admin,
        "query($n:Int){ apiKeys(first:$n){ edges { node { name institutionIds } } } }",
        "API keys",
    )
    .await;
}

#[actix_web::test]
async fn a_report_reads_its_period_and_the_previous_one_in_one_grouped_statement() {
    let w = SurveyWorld::new("SKM_9").await;
    let token = w.invite("LOAD-1").await;
    let r = w
        .submit(&token, skm_answers([4, 4, 3, 4, 4, 4, 4, 3, 3]), None)
        .await;
    assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    let report = "query($s:ReportScopeInput!){ satisfactionReport(scope:$s, period:{kind:QUARTER, start:\"2026-10-01\"}){ counts { responded invited } previous { counts { responded } } } }";
    let scope = json!({ "s": { "kind": "INSTITUTION", "id": w.ministry } });
    let (n, r) = statements(&w.app, &w.manager, report, scope.clone()).await;
    assert_eq!(
        r["data"]["satisfactionReport"]["counts"]["responded"], 1,
        "{r}"
    );
    eprintln!("institution × quarter with the previous quarter: {n} statements");
    // The caller's session and roles (2), the institution and the access check
    // (2), quarantine (1), the rollups of both periods (1 grouped statement), the
    // headline setting (1). Read period by period it took 14.
    assert!(n <= 8, "{n} statements for one report");
    // A series costs the same whatever its length: one read for all its periods.
    let series = |to: &str| {
        format!(
            "query($s:ReportScopeInput!){{ reportSeries(scope:$s, kind:MONTH, from:\"2025-01-01\", to:\"{to}\"){{ periodLabel counts {{ responded }} }} }}"
        )
    };
    let (two, r2) = statements(&w.app, &w.manager, &series("2025-02-01"), scope.clone()).await;
    let (two_years, r24) = statements(&w.app, &w.manager, &series("2026-12-01"), scope).await;
    assert_eq!(
        (
            r2["data"]["reportSeries"].as_array().map(Vec::len),
            r24["data"]["reportSeries"].as_array().map(Vec::len)
        ),
        (Some(2), Some(24))
    );
    assert_eq!(two, two_years, "statements grow with the series");
}
