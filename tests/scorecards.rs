//! Scorecards: computed from published conclusions under a versioned framework,
//! renormalised over the components with data, ranked among peers, published
//! frozen and hashed, never altered by a new framework version.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

const NATIONAL: &str = NATIONAL_FRAMEWORK;
const CARDS: &str = "query($f:ScorecardFilterInput){ scorecards(filter:$f, orderBy: RANK){ id institutionId institutionKind periodLabel frameworkKey frameworkVersion status total weightWithData ranked rank peers contentHash lines { component status n minimum score weight appliedWeight contribution inputs { name value } } } }";
const COMPUTE: &str = "mutation($k:PeriodKind!,$s:Date!,$f:ID!){ computeScorecards(kind:$k, start:$s, frameworkId:$f){ id total rank status } }";
const PUBLISH: &str = "mutation($k:PeriodKind!,$s:Date!,$f:ID!){ publishScorecards(kind:$k, start:$s, frameworkId:$f){ id total rank status contentHash } }";
const DRAFT: &str = "mutation($i:IndicatorFrameworkInput!){ draftIndicatorFramework(input:$i){ id key version status components { component weight minimum } coverageTarget } }";

/// `responded` of `invited` invitations answered, `happy` of them with a happy face.
async fn answers(w: &SurveyWorld, invited: usize, responded: usize, happy: usize) {
    for i in 0..invited {
        let t = w.invite(&format!("TX-{i}")).await;
        if i < responded {
            let v = if i < happy { 3 } else { 1 };
            let r = w.submit(&t, faces(v), Some(&format!("c{i}"))).await;
            assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
        }
    }
}

/// Closes 2026-Q4 and publishes its institution conclusions (the ministry and its
/// agency); returns a fresh supervisor token.
async fn publish_the_quarter(w: &SurveyWorld) -> Auth {
    let sup = publish_quarter(w, false).await;
    let n = w
        .app
        .ok(
            &sup,
            "query{ conclusions(filter:{scope: INSTITUTION, periodKind: QUARTER, periodStart: \"2026-10-01\", status: PUBLISHED}){ edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        n["conclusions"]["edges"].as_array().unwrap().len(),
        2,
        "the ministry and its agency"
    );
    sup
}

/// Fresh tokens (supervisor, manager, staff) once 2026-Q4 is complete.
async fn after_the_quarter(w: &SurveyWorld) -> (Auth, Auth, Auth) {
    move_to(w, Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap()).await
}

fn quarter(framework: &str) -> Value {
    json!({ "k": "QUARTER", "s": "2026-10-01", "f": framework })
}

fn line<'a>(card: &'a Value, component: &str) -> &'a Value {
    card["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == component)
        .unwrap()
}

fn card_of<'a>(cards: &'a Value, institution: &str) -> &'a Value {
    cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["institutionId"] == institution)
        .unwrap_or_else(|| panic!("no scorecard of {institution} in {cards}"))
}

#[actix_web::test]
async fn publishing_a_quarters_conclusions_makes_draft_scorecards_renormalised_over_components_with_data()
 {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    answers(&w, 50, 15, 12).await;
    let sup = publish_the_quarter(&w).await;
    let f = json!({ "f": { "periodKind": "QUARTER", "periodStart": "2026-10-01", "frameworkId": NATIONAL } });
    let cards = w.app.ok(&sup, CARDS, f.clone()).await["scorecards"].clone();
    assert_eq!(cards.as_array().unwrap().len(), 2, "{cards}");
    let moj = card_of(&cards, &w.ministry);
    assert_eq!(moj["status"], "DRAFT");
    assert_eq!(
        (moj["institutionKind"].as_str(), moj["periodLabel"].as_str()),
        (Some("MINISTRY"), Some("2026-Q4"))
    );
    // Satisfaction: 12 of 15 happy → 80; coverage: 15 / 50 = 0.30 against 0.30 → 100.
    let s = line(moj, "SATISFACTION");
    assert_eq!(
        (s["status"].as_str(), s["score"].as_f64(), s["n"].as_i64()),
        (Some("SCORED"), Some(80.0), Some(15))
    );
    assert_eq!(
        s["inputs"],
        json!([{ "name": "topBox", "value": 12.0 }, { "name": "answers", "value": 15.0 }])
    );
    let c = line(moj, "COVERAGE");
    assert_eq!(
        (c["score"].as_f64(), c["weight"].as_f64()),
        (Some(100.0), Some(0.1))
    );
    for absent in ["IMPROVEMENT", "RESPONSIVENESS", "INDEPENDENT_EVALUATION"] {
        let l = line(moj, absent);
        assert_eq!(l["status"], "INSUFFICIENT_DATA", "{absent}");
        assert_eq!(
            (l["score"].clone(), l["contribution"].clone()),
            (Value::Null, Value::Null)
        );
    }
    // (0.5 × 80 + 0.1 × 100) / 0.6 = 83.33, ranked first of one ministry.
    assert_eq!(moj["total"].as_f64(), Some(83.33));
    assert!((moj["weightWithData"].as_f64().unwrap() - 0.6).abs() < 1e-9);
    assert!((s["appliedWeight"].as_f64().unwrap() - 0.5 / 0.6).abs() < 1e-9);
    assert_eq!(
        (moj["rank"].as_i64(), moj["peers"].as_i64()),
        (Some(1), Some(1))
    );
    // Drafts are not public.
    let public = w.app.ok(&Auth::None, CARDS, f.clone()).await;
    assert_eq!(public["scorecards"], json!([]));

    // A stricter framework version: coverage against 50% scores 60.
    let d = w
        .app
        .ok(
            &sup,
            DRAFT,
            json!({ "i": { "key": "strict", "name": { "mn": "Хатуу", "en": "Strict" }, "description": { "mn": "Туршилт" },
                "components": [ { "component": "SATISFACTION", "weight": 0.5, "minimum": 10 }, { "component": "COVERAGE", "weight": 0.5, "minimum": 10 } ],
                "coverageTarget": 0.5 } }),
        )
        .await;
    let strict = d["draftIndicatorFramework"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(d["draftIndicatorFramework"]["version"], 1);
    let drafted = w.app.ok(&sup, COMPUTE, quarter(&strict)).await;
    let totals: Vec<f64> = drafted["computeScorecards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["total"].as_f64().unwrap())
        .collect();
    assert_eq!(totals, [70.0, 70.0], "(0.5 × 80 + 0.5 × 60) / 1");
    // Only a published framework's scorecards are published.
    assert_eq!(
        code(&w.app.gql(&sup, PUBLISH, quarter(&strict)).await),
        "CONFLICT"
    );

    // Publishing freezes and hashes them; the public reads them.
    let published = w.app.ok(&sup, PUBLISH, quarter(NATIONAL)).await;
    let first = published["publishScorecards"].as_array().unwrap().clone();
    assert!(
        first
            .iter()
            .all(|c| c["status"] == "PUBLISHED" && c["contentHash"].as_str().unwrap().len() == 64)
    );
    let public = w.app.ok(&Auth::None, CARDS, f.clone()).await["scorecards"].clone();
    assert_eq!(public.as_array().unwrap().len(), 2);
    assert_eq!(card_of(&public, &w.ministry)["total"].as_f64(), Some(83.33));
    // Published scorecards never change: computing again is refused…
    assert_eq!(
        code(&w.app.gql(&sup, COMPUTE, quarter(NATIONAL)).await),
        "CONFLICT"
    );
    // …and a new framework version, published with its scorecards, leaves them be.
    w.app
        .ok(
            &sup,
            "mutation($id:ID!){ publishIndicatorFramework(id:$id){ status } }",
            json!({ "id": strict }),
        )
        .await;
    w.app.ok(&sup, PUBLISH, quarter(&strict)).await;
    let again = w.app.ok(&Auth::None, CARDS, f).await["scorecards"].clone();
    let hashes = |v: &Value| {
        let mut h: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["contentHash"].as_str().unwrap().to_owned())
            .collect();
        h.sort();
        h
    };
    assert_eq!(hashes(&again), hashes(&Value::Array(first)));
    let all = w
        .app
        .ok(
            &Auth::None,
            CARDS,
            json!({ "f": { "periodKind": "QUARTER", "periodStart": "2026-10-01" } }),
        )
        .await["scorecards"]
        .clone();
    assert_eq!(
        all.as_array().unwrap().len(),
        4,
        "two frameworks × two institutions"
    );

    // The CSV for the government's performance evaluation, read by a CSV reader.
    let csv = w
        .app
        .ok(
            &Auth::None,
            "query($f:ScorecardFilterInput){ scorecardsCsv(filter:$f) }",
            json!({ "f": { "periodKind": "QUARTER", "periodStart": "2026-10-01", "frameworkId": NATIONAL } }),
        )
        .await["scorecardsCsv"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let moj = rows
        .iter()
        .find(|r| &r[col("institution_code")] == "MOJ")
        .unwrap();
    assert_eq!(&moj[col("total")], "83.33");
    assert_eq!(&moj[col("rank")], "1");
    assert_eq!(&moj[col("satisfaction_score")], "80.00");
    assert_eq!(&moj[col("improvement_status")], "INSUFFICIENT_DATA");
    assert_eq!(&moj[col("improvement_score")], "");
    assert_eq!(&moj[col("institution_name_mn")], "MOJ яам");
}

#[actix_web::test]
async fn an_institution_with_fewer_answers_than_the_threshold_is_listed_but_not_ranked() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    another_ministry(&w).await;
    answers(&w, 10, 5, 5).await;
    let sup = publish_the_quarter(&w).await;
    let cards = w
        .app
        .ok(
            &sup,
            CARDS,
            json!({ "f": { "periodKind": "QUARTER", "periodStart": "2026-10-01" } }),
        )
        .await["scorecards"]
        .clone();
    let moj = card_of(&cards, &w.ministry);
    let s = line(moj, "SATISFACTION");
    // Five answers are below the publication threshold: no score, whatever the framework says.
    assert_eq!(
        (s["status"].as_str(), s["minimum"].as_i64()),
        (Some("INSUFFICIENT_DATA"), Some(10))
    );
    assert_eq!(s["score"], Value::Null);
    assert_eq!(moj["total"].as_f64(), Some(100.0), "coverage 5 / 10 alone");
    assert_eq!(
        (moj["ranked"].as_bool(), moj["rank"].clone()),
        (Some(false), Value::Null)
    );
    assert_eq!(moj["peers"], 1);
    // A draft is read by the institution's own users and supervisors, nobody else.
    let one = "query($id:ID!){ scorecard(id:$id){ id status } }";
    let id = json!({ "id": moj["id"] });
    let (_, manager, staff) = after_the_quarter(&w).await;
    let mof = w.app.token("m@mof.gov.mn", PASSWORD).await;
    let agency = json!({ "id": card_of(&cards, &w.agency)["id"] });
    assert_eq!(
        w.app.ok(&staff, one, agency).await["scorecard"]["status"],
        "DRAFT"
    );
    assert_eq!(
        code(&w.app.gql(&staff, one, id.clone()).await),
        "NOT_FOUND",
        "the ministry is above the agency"
    );
    assert_eq!(
        w.app.ok(&manager, one, id.clone()).await["scorecard"]["status"],
        "DRAFT"
    );
    assert_eq!(code(&w.app.gql(&mof, one, id.clone()).await), "NOT_FOUND");
    assert_eq!(
        code(&w.app.gql(&Auth::None, one, id.clone()).await),
        "NOT_FOUND"
    );
    let listed = w.app.ok(&mof, CARDS, json!({})).await;
    assert_eq!(
        listed["scorecards"],
        json!([]),
        "another ministry lists none of them"
    );
}

#[actix_web::test]
async fn only_a_supervisor_keeps_frameworks_and_scorecards_and_bad_input_is_refused() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    let (sup, manager, _) = move_to(&w, w.now()).await;
    let fw = |weights: [f64; 2]| {
        json!({ "i": { "key": "pilot", "name": { "mn": "Туршилт" }, "description": { "mn": "Туршилт" },
            "components": [ { "component": "SATISFACTION", "weight": weights[0], "minimum": 10 }, { "component": "COVERAGE", "weight": weights[1], "minimum": 10 } ] } })
    };
    assert_eq!(
        code(&w.app.gql(&manager, DRAFT, fw([0.5, 0.5])).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&w.app.gql(&w.admin, DRAFT, fw([0.5, 0.5])).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&w.app.gql(&sup, DRAFT, fw([0.5, 0.4])).await),
        "BAD_USER_INPUT"
    );
    let d = w.app.ok(&sup, DRAFT, fw([0.7, 0.3])).await;
    assert_eq!(d["draftIndicatorFramework"]["coverageTarget"], 0.3);
    assert_eq!(
        code(&w.app.gql(&sup, DRAFT, fw([0.7, 0.3])).await),
        "CONFLICT",
        "one open draft per framework"
    );
    assert_eq!(
        code(&w.app.gql(&manager, COMPUTE, quarter(NATIONAL)).await),
        "FORBIDDEN"
    );
    let month = json!({ "k": "MONTH", "s": "2026-11-01", "f": NATIONAL });
    assert_eq!(
        code(&w.app.gql(&sup, COMPUTE, month).await),
        "BAD_USER_INPUT"
    );
    // The public sees the published national framework, not the draft.
    let public = w
        .app
        .ok(
            &Auth::None,
            "query{ indicatorFrameworks{ key version status components { component weight } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        public["indicatorFrameworks"],
        json!([{ "key": "national", "version": 1, "status": "PUBLISHED", "components": [
            { "component": "SATISFACTION", "weight": 0.5 }, { "component": "COVERAGE", "weight": 0.1 },
            { "component": "IMPROVEMENT", "weight": 0.15 }, { "component": "RESPONSIVENESS", "weight": 0.15 },
            { "component": "INDEPENDENT_EVALUATION", "weight": 0.1 } ] }])
    );
}

/// Inserts, as the records of a quarter would be, two improvement actions of
/// `institution` due in 2026-Q4 (one completed on time, one late) and a published
/// NGO evaluation of it scoring 70 (the API paths to them have their own tests).
async fn actions_and_an_evaluation(w: &SurveyWorld, institution: &str, owner: &str) {
    use chrono::NaiveDate;
    use entity::{improvement_action as ia, ngo, ngo_evaluation as ev};
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let conn = w.app.state.db.conn();
    let inst = uuid::Uuid::parse_str(institution).unwrap();
    let owner = uuid::Uuid::parse_str(owner).unwrap();
    let now = w.now();
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    for (due, done) in [(day(11, 15), day(11, 10)), (day(12, 15), day(12, 20))] {
        ia::Model {
            id: uuid::Uuid::new_v4(),
            institution_id: inst,
            title: json!({ "mn": "Арга хэмжээ" }),
            description: json!({ "mn": "Тайлбар" }),
            owner_id: owner,
            due_date: due,
            metric_kind: None,
            metric_subject: None,
            measure: None,
            baseline: None,
            target: None,
            window_before_days: 30,
            window_after_days: 30,
            status: "COMPLETED".into(),
            status_reason: None,
            planned_on: Some(day(10, 5)),
            started_on: Some(day(10, 6)),
            completed_on: Some(done),
            verified_on: None,
            cancelled_on: None,
            created_by: Some(owner),
            created_at: now,
            updated_at: now,
        }
        .into_active_model()
        .insert(conn)
        .await
        .unwrap();
    }
    let ngo_id = uuid::Uuid::new_v4();
    ngo::Model {
        id: ngo_id,
        name: json!({ "mn": "Иргэний хяналт" }),
        registration_number: "NGO-70".into(),
        contact_email: None,
        contact_phone: None,
        website: None,
        status: "ACCREDITED".into(),
        accredited_from: Some(day(1, 1)),
        accredited_until: Some(day(12, 31)),
        decision_note: None,
        decided_at: Some(now),
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(conn)
    .await
    .unwrap();
    ev::Model {
        id: uuid::Uuid::new_v4(),
        ngo_id,
        institution_id: inst,
        rubric_id: uuid::Uuid::parse_str("53414e41-4c00-4000-9000-000000000001").unwrap(),
        period_start: day(10, 1),
        period_end: day(12, 31),
        service_ids: json!([]),
        service_point_ids: json!([]),
        status: "PUBLISHED".into(),
        revision: 1,
        supersedes_id: None,
        change_note: None,
        declared_ties: false,
        ties: None,
        waiver_reason: None,
        content: json!({}),
        score: Some(3.8),
        score_100: Some(70.0),
        return_comment: None,
        content_hash: Some("0".repeat(64)),
        submitted_at: Some(now),
        published_at: Some(now),
        response_due: Some(day(12, 31)),
        response: None,
        responded_at: None,
        created_by: None,
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(conn)
    .await
    .unwrap();
}

#[actix_web::test]
async fn the_issue_test_vector_holds_end_to_end_80_60_50_no_data_70_give_71_18() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    // Satisfaction 12 / 15 → 80; coverage 15 / 50 = 0.30 against a 0.50 target → 60.
    answers(&w, 50, 15, 12).await;
    let me = w.app.ok(&w.manager, "query{ me { id } }", json!({})).await;
    let owner = me["me"]["id"].as_str().unwrap().to_owned();
    // Improvement 1 of 2 on time → 50; independent evaluation 70; no suggestions.
    actions_and_an_evaluation(&w, &w.ministry, &owner).await;
    let sup = publish_the_quarter(&w).await;
    let d = w
        .app
        .ok(
            &sup,
            DRAFT,
            json!({ "i": { "key": "vector", "name": { "mn": "Туршилт" }, "description": { "mn": "Туршилт" },
                "components": [
                    { "component": "SATISFACTION", "weight": 0.5, "minimum": 10 },
                    { "component": "COVERAGE", "weight": 0.1, "minimum": 10 },
                    { "component": "IMPROVEMENT", "weight": 0.15, "minimum": 1 },
                    { "component": "RESPONSIVENESS", "weight": 0.15, "minimum": 3 },
                    { "component": "INDEPENDENT_EVALUATION", "weight": 0.1, "minimum": 1 } ],
                "coverageTarget": 0.5 } }),
        )
        .await;
    let id = d["draftIndicatorFramework"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.app.ok(&sup, COMPUTE, quarter(&id)).await;
    let cards = w
        .app
        .ok(
            &sup,
            CARDS,
            json!({ "f": { "frameworkId": id, "institutionId": w.ministry } }),
        )
        .await["scorecards"]
        .clone();
    let moj = card_of(&cards, &w.ministry);
    let score = |c: &str| line(moj, c)["score"].as_f64();
    assert_eq!(
        (
            score("SATISFACTION"),
            score("COVERAGE"),
            score("IMPROVEMENT"),
            score("INDEPENDENT_EVALUATION")
        ),
        (Some(80.0), Some(60.0), Some(50.0), Some(70.0))
    );
    assert_eq!(line(moj, "RESPONSIVENESS")["status"], "INSUFFICIENT_DATA");
    assert!((moj["weightWithData"].as_f64().unwrap() - 0.85).abs() < 1e-9);
    assert_eq!(moj["total"].as_f64(), Some(71.18));
}
