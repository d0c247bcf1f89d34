//! `sanal demo` fills an empty database with a living example, once.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

#[actix_web::test]
async fn the_demo_fills_an_empty_database_that_its_users_can_explore() {
    let app = spawn_app().await;
    let summary = sanal::services::demo::seed(&app.state, 300).await.unwrap();
    assert_eq!(summary.responses, 300);
    assert!(summary.institutions >= 10 && summary.services >= 5);
    let manager = app
        .token(
            "manager@gasr.demo.sanal.mn",
            sanal::services::demo::DEMO_PASSWORD,
        )
        .await;
    let d = app
        .ok(&manager, "{ responses(first: 100) { edges { node { origin date answers { questionKey value } } } } surveys { edges { node { template status } } } }", json!({}))
        .await;
    let n = d["responses"]["edges"].as_array().unwrap().len();
    assert!(n > 10, "the GASR manager sees GASR's responses, got {n}");
    assert_eq!(d["surveys"]["edges"][0]["node"]["status"], "PUBLISHED");
    let names = app
        .ok(
            &Auth::None,
            "{ institutions(filter:{text:\"бүртгэлийн\"}) { edges { node { code } } } }",
            json!({}),
        )
        .await;
    assert!(
        names["institutions"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["code"] == "GASR")
    );
    let again = sanal::services::demo::seed(&app.state, 10).await;
    assert_eq!(again.unwrap_err().code(), "CONFLICT");
}

#[actix_web::test]
async fn a_demo_on_a_database_that_was_served_before_still_gets_its_conclusions() {
    let app = spawn_app().await;
    // The first `cargo run` closed every past period, with no data in them.
    let served = sanal::services::conclusions::close_due_periods(&app.state)
        .await
        .unwrap();
    assert!(!served.changed_anything(), "{served:?}");
    let summary = sanal::services::demo::seed(&app.state, 300).await.unwrap();
    assert!(
        summary.conclusions > 10,
        "the history's complete periods are concluded, got {}",
        summary.conclusions
    );
    let named: Vec<&str> = summary.ids.iter().map(|(what, _)| what.as_str()).collect();
    assert_eq!(
        named,
        [
            "ministry MOJHA",
            "agency GASR",
            "service CIVIL-ID",
            "service point"
        ],
        "the ids the examples need"
    );
    let sup = app
        .token(
            "supervisor@demo.sanal.mn",
            sanal::services::demo::DEMO_PASSWORD,
        )
        .await;
    let d = app
        .ok(
            &sup,
            "query($f:ConclusionFilterInput){ conclusions(first: 100, filter:$f){ edges { node { scopeId periodLabel } } } }",
            json!({ "f": { "scope": "INSTITUTION", "scopeId": summary.ids[0].1 } }),
        )
        .await;
    assert!(
        !d["conclusions"]["edges"].as_array().unwrap().is_empty(),
        "the ministry has conclusions: {d}"
    );
}

#[actix_web::test]
async fn the_demo_shows_the_loop_actions_with_a_measured_effect_and_suggestions_in_every_state() {
    let app = spawn_app().await;
    let summary = sanal::services::demo::seed(&app.state, 2_500)
        .await
        .unwrap();
    assert_eq!(
        (summary.actions, summary.suggestions, summary.evaluations),
        (3, 8, 2)
    );
    // Two accredited NGOs; a published evaluation with GASR's response, and a draft
    // only its NGO and the supervisors see.
    let n = app
        .ok(&Auth::None, "{ ngos { edges { node { mayEvaluate } } } ngoEvaluations { edges { node { status score100 response { role } recommendations { decision } } } } }", json!({}))
        .await;
    assert_eq!(n["ngos"]["edges"].as_array().unwrap().len(), 2);
    let public = n["ngoEvaluations"]["edges"].as_array().unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0]["node"]["response"]["role"], "INSTITUTION_MANAGER");
    assert_eq!(
        public[0]["node"]["recommendations"][1]["decision"],
        "PARTIALLY_ACCEPTED"
    );
    let reviewer = app
        .token(
            "reviewer2@ngo.demo.sanal.mn",
            sanal::services::demo::DEMO_PASSWORD,
        )
        .await;
    let own = app
        .ok(
            &reviewer,
            "{ ngoEvaluations { edges { node { status declaredTies } } } }",
            json!({}),
        )
        .await;
    assert!(own.to_string().contains("\"DRAFT\""), "{own}");
    let sup = app
        .token(
            "supervisor@demo.sanal.mn",
            sanal::services::demo::DEMO_PASSWORD,
        )
        .await;
    let d = app
        .ok(
            &sup,
            "{ suggestions(first: 100) { edges { node { status source } } } }",
            json!({}),
        )
        .await;
    let mut states: Vec<&str> = d["suggestions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["status"].as_str().unwrap())
        .collect();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        [
            "ACKNOWLEDGED",
            "ANSWERED",
            "CLOSED",
            "IN_REVIEW",
            "RECEIVED",
            "REFERRED",
            "REOPENED"
        ]
    );
    let p = app
        .ok(
            &Auth::None,
            "{ publicSuggestions { edges { node { status supports } } } }",
            json!({}),
        )
        .await;
    assert_eq!(p["publicSuggestions"]["edges"].as_array().unwrap().len(), 2);
    // The public sees the planned, in-progress and verified actions; the verified one worked.
    let a = app
        .ok(
            &Auth::None,
            "{ improvementActions { edges { node { status ownerId effect { status nBefore nAfter difference pValue } } } } }",
            json!({}),
        )
        .await;
    let nodes: Vec<&Value> = a["improvementActions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    let mut statuses: Vec<&str> = nodes
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["IN_PROGRESS", "PLANNED", "VERIFIED"]);
    let verified = nodes.iter().find(|n| n["status"] == "VERIFIED").unwrap();
    assert_eq!(verified["ownerId"], Value::Null);
    assert_eq!(verified["effect"]["status"], "IMPROVED", "{verified}");
    assert!(verified["effect"]["difference"].as_f64().unwrap() > 0.0);
    // The moving holidays are there, beside the fixed ones.
    let h = app
        .ok(
            &Auth::None,
            "{ holidays(year: 2026) { date everyYear } }",
            json!({}),
        )
        .await;
    assert!(h.to_string().contains("2026-02-20"), "{h}");
}

#[actix_web::test]
async fn the_demo_publishes_a_quarters_scorecards_that_anyone_reads_ranked() {
    let app = spawn_app().await;
    let summary = sanal::services::demo::seed(&app.state, 2_500)
        .await
        .unwrap();
    assert!(summary.scorecards >= 2, "{}", summary.scorecards);
    let d = app
        .ok(
            &Auth::None,
            "{ scorecards(filter:{periodKind: QUARTER, periodStart: \"2026-07-01\"}) { status total rank peers institutionKind contentHash lines { component status } } }",
            json!({}),
        )
        .await;
    let cards = d["scorecards"].as_array().unwrap();
    assert_eq!(cards.len(), summary.scorecards);
    assert!(cards.iter().all(|c| c["status"] == "PUBLISHED"));
    assert!(
        cards.iter().any(|c| c["rank"] == 1),
        "at least one institution is ranked first: {d}"
    );
    // The public overview of that quarter shows the country, its ministries and the ranking.
    let o = app
        .ok(
            &Auth::None,
            "{ publicOverview(periodKind: QUARTER, periodStart: \"2026-07-01\") { country { figures { counts { responded } dimensions { dimension } } } institutions { institution { code } } scorecards { rank } } }",
            json!({}),
        )
        .await;
    let o = &o["publicOverview"];
    assert!(
        o["country"]["figures"]["counts"]["responded"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert!(!o["institutions"].as_array().unwrap().is_empty());
    assert_eq!(o["scorecards"].as_array().unwrap().len(), cards.len());
}
