//! The public overview of a period: the country, each top-level institution, per
//! dimension, and the scorecard ranking — without an account, suppressed, and
//! with no withheld institution derivable from the country's totals.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

const OVERVIEW: &str = "query($k:PeriodKind!,$s:Date!){ publicOverview(periodKind:$k, periodStart:$s){ periodLabel country { institutionId figures { counts { responded } dimensions { dimension figures { origin suppressed n mean topBox { k n } } } drivers { driver figures { origin suppressed n } } } } institutions { institution { code } figures { counts { responded } dimensions { dimension figures { origin suppressed n mean topBox { k n } } } } } scorecards { institution { code } status rank total } } }";

/// A second top-level institution (MOF) with its own FACES_3 survey, service and
/// key, whose `happy` answers (faces 3) are given in November.
async fn mof_answers(w: &SurveyWorld, answers: usize) {
    let app = &w.app;
    let admin = &w.admin;
    let mof = app.create_institution(admin, "MOF", None).await;
    let s = app.create_service(admin, &mof, "TAX").await;
    let service = s["data"]["createService"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = app
        .ok(admin, "mutation($i:CreateServicePointInput!){ createServicePoint(input:$i){ id } }",
            json!({ "i": { "institutionId": mof, "code": "TAX1", "kind": "BRANCH", "regionCode": "MN-1-04", "name": { "mn": "Татвар" } } }))
        .await;
    let point = p["createServicePoint"]["id"].as_str().unwrap().to_owned();
    let d = app
        .ok(admin, "mutation($i:ID!){ createSurveyFromTemplate(institutionId:$i, template:FACES_3){ id } }", json!({ "i": mof }))
        .await;
    let survey = d["createSurveyFromTemplate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = app
        .ok(
            admin,
            "mutation($id:ID!){ publishSurvey(id:$id){ id } }",
            json!({ "id": survey }),
        )
        .await;
    let version = v["publishSurvey"]["id"].as_str().unwrap().to_owned();
    app.ok(admin, "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v){ surveyVersionId } }", json!({ "s": service, "v": version }))
        .await;
    let k = app
        .ok(admin, "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key } }",
            json!({ "i": { "institutionId": mof, "name": "e-Mongolia", "kind": "NATIONAL_PLATFORM" } }))
        .await;
    let key = Auth::Key(k["createApiKey"]["key"].as_str().unwrap().to_owned());
    for i in 0..answers {
        let d = app
            .ok(&key, ISSUE, json!({ "i": { "serviceId": service, "servicePointId": point, "channel": "IN_PERSON",
                "transactionRef": format!("MOF-{i}"), "deliveredAt": (w.now() - chrono::Duration::minutes(3)).to_rfc3339(), "locale": "mn" } }))
            .await;
        let token = d["issueInvitation"]["token"].as_str().unwrap();
        let r = w.submit(token, faces(3), Some(&format!("m{i}"))).await;
        assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    }
}

async fn moj_answers(w: &SurveyWorld, answers: usize) {
    for i in 0..answers {
        let t = w.invite(&format!("TX-{i}")).await;
        w.submit(
            &t,
            faces(if i % 4 == 0 { 1 } else { 3 }),
            Some(&format!("c{i}")),
        )
        .await;
    }
}

fn quality<'a>(unit: &'a Value, origin: &str) -> &'a Value {
    unit["figures"]["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dimension"] == "QUALITY")
        .unwrap()["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["origin"] == origin)
        .unwrap()
}

#[actix_web::test]
async fn the_overview_shows_the_country_and_each_ministry_and_withholds_a_country_figure_that_would_give_a_small_ministry_away()
 {
    let w = SurveyWorld::new("FACES_3").await;
    moj_answers(&w, 20).await;
    mof_answers(&w, 3).await;
    let month = json!({ "k": "MONTH", "s": "2026-11-01" });
    // Not before November is complete.
    assert_eq!(
        code(&w.app.gql(&Auth::None, OVERVIEW, month.clone()).await),
        "CONFLICT"
    );
    w.app
        .clock
        .set(Utc.with_ymd_and_hms(2026, 12, 10, 0, 0, 0).unwrap());
    let d = w.app.ok(&Auth::None, OVERVIEW, month).await;
    let o = &d["publicOverview"];
    assert_eq!(o["periodLabel"], "2026-11");
    let units = o["institutions"].as_array().unwrap();
    let codes: Vec<&str> = units
        .iter()
        .map(|u| u["institution"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["MOF", "MOJ"]);
    let (mof, moj) = (&units[0], &units[1]);
    // MOJ: 20 answers, 15 happy → shown.
    let m = quality(moj, "COMBINED");
    assert_eq!(
        (m["suppressed"].as_bool(), m["n"].as_i64()),
        (Some(false), Some(20))
    );
    assert_eq!(m["topBox"], json!({ "k": 15, "n": 20 }));
    // MOF: three answers → withheld, never a number.
    let f = quality(mof, "COMBINED");
    assert_eq!(
        (f["suppressed"].as_bool(), f["n"].clone(), f["mean"].clone()),
        (Some(true), Value::Null, Value::Null)
    );
    // The country (23) minus MOJ (20) would be MOF's three: withheld too.
    let c = quality(&o["country"], "COMBINED");
    assert_eq!(
        (c["suppressed"].as_bool(), c["n"].clone()),
        (Some(true), Value::Null),
        "{c}"
    );
    assert_eq!(o["country"]["institutionId"], Value::Null);
    // Counts of responses are public as in every conclusion.
    assert_eq!(o["country"]["figures"]["counts"]["responded"], 23);
    assert_eq!(o["scorecards"], json!([]), "months have no scorecards");
}

#[actix_web::test]
async fn with_every_ministry_large_enough_the_country_is_shown_and_the_quarters_ranking_is_included()
 {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    moj_answers(&w, 12).await;
    mof_answers(&w, 10).await;
    publish_quarter(&w, true).await;
    let d = w
        .app
        .ok(
            &Auth::None,
            OVERVIEW,
            json!({ "k": "QUARTER", "s": "2026-10-01" }),
        )
        .await;
    let o = &d["publicOverview"];
    let c = quality(&o["country"], "COMBINED");
    assert_eq!(
        (c["suppressed"].as_bool(), c["n"].as_i64()),
        (Some(false), Some(22))
    );
    // 9 + 10 happy of 22.
    assert_eq!(c["topBox"], json!({ "k": 19, "n": 22 }));
    let ranking: Vec<(String, Value)> = o["scorecards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["institution"]["code"].as_str().unwrap().to_owned(),
                s["rank"].clone(),
            )
        })
        .collect();
    // Two ministries ranked (MOF all happy first), and MOJ's agency among agencies.
    assert!(ranking.contains(&("MOF".into(), json!(1))), "{ranking:?}");
    assert!(ranking.contains(&("MOJ".into(), json!(2))), "{ranking:?}");
    assert!(ranking.contains(&("GASR".into(), json!(1))), "{ranking:?}");
}

#[actix_web::test]
async fn more_than_ten_overviews_in_one_request_are_refused_like_reports() {
    // Each overview reads a report per top-level institution: it counts as a
    // costly field (at most ten a request, a few at once per caller).
    let app = spawn_app().await;
    let one = "publicOverview(periodKind: MONTH, periodStart: \"2026-10-01\"){ periodLabel }";
    let many = |n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("o{i}: {one}")).collect();
        format!("{{ {} }}", fields.join(" "))
    };
    let r = app.gql(&Auth::None, &many(11), json!({})).await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED");
    let message = r["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 10"), "{message}");
}
