//! Conclusions: closing periods, findings, comments, publishing, revisions,
//! public reading with suppression, and the catch-up job.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

const LIST: &str = "query($f:ConclusionFilterInput){ conclusions(filter:$f){ edges { node { id scope scopeId revision status periodLabel contentHash institutionComment snapshot changes figures { counts { responded } questions { questionKey figures { origin suppressed n lowConfidence } } } findings { id kind subject open detail { value n floor } } } } } }";

/// The figure set of `origin` for question `key`, from the typed figures.
fn figure<'a>(conclusion: &'a Value, key: &str, origin: &str) -> &'a Value {
    conclusion["figures"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["questionKey"] == key)
        .unwrap()["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["origin"] == origin)
        .unwrap()
}

async fn world_with_responses(happy: usize, unhappy: usize, open: usize) -> SurveyWorld {
    let w = SurveyWorld::new("FACES_3").await;
    for i in 0..happy + unhappy {
        let t = w.invite(&format!("TX-{i}")).await;
        w.submit(&t, faces(if i < happy { 3 } else { 1 }), Some("x"))
            .await;
    }
    if open > 0 {
        let d = w
            .app
            .ok(&w.manager, "mutation($p:ID!,$s:ID!){ enableOpenChannel(servicePointId:$p, serviceId:$s){ code } }", json!({ "p": w.point, "s": w.service }))
            .await;
        let code_ = d["enableOpenChannel"]["code"].as_str().unwrap().to_owned();
        let k = w
            .app
            .ok(
                &w.manager,
                "mutation($p:ID!){ createKioskDevice(servicePointId:$p, name:\"K\"){ deviceKey } }",
                json!({ "p": w.point }),
            )
            .await;
        let key = k["createKioskDevice"]["deviceKey"]
            .as_str()
            .unwrap()
            .to_owned();
        for _ in 0..open {
            w.app
                .ok(&Auth::None, "mutation($i:SubmitOpenResponseInput!){ submitOpenResponse(input:$i){ accepted } }", json!({ "i": { "pointCode": code_, "deviceKey": key, "answers": faces(3) } }))
                .await;
        }
    }
    w
}

async fn service_conclusion(w: &SurveyWorld, auth: &Auth) -> Value {
    let d = w
        .app
        .ok(
            auth,
            LIST,
            json!({ "f": { "scope": "SERVICE", "scopeId": w.service } }),
        )
        .await;
    d["conclusions"]["edges"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .map(|e| e["node"].clone())
        .unwrap_or(Value::Null)
}

#[actix_web::test]
async fn a_period_is_closed_only_once_its_responses_are_complete_and_closing_is_idempotent() {
    let w = world_with_responses(12, 0, 0).await;
    people(&w).await;
    let sup = w.app.token("sup@aogs.gov.mn", PASSWORD).await;
    assert_eq!(code(&w.app.gql(&sup, CLOSE, json!({})).await), "CONFLICT");
    let (sup, manager, _) = after_november(&w).await;
    let first = w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(
        first["closePeriod"],
        json!({ "created": 3, "regenerated": 0, "revised": 0, "unchanged": 0 }),
        "ministry, agency and service"
    );
    let again = w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(
        again["closePeriod"],
        json!({ "created": 0, "regenerated": 0, "revised": 0, "unchanged": 3 })
    );
    assert_eq!(
        code(&w.app.gql(&manager, CLOSE, json!({})).await),
        "FORBIDDEN"
    );
    let c = service_conclusion(&w, &sup).await;
    assert_eq!(
        (
            c["status"].as_str(),
            c["revision"].as_i64(),
            c["periodLabel"].as_str()
        ),
        (Some("DRAFT"), Some(1), Some("2026-11"))
    );
    assert_eq!(c["snapshot"]["counts"]["responded"], 12);
    assert_eq!(c["figures"]["counts"]["responded"], 12);
    assert_eq!(c["contentHash"].as_str().unwrap().len(), 64);
}

#[actix_web::test]
async fn a_low_driver_becomes_a_finding_with_a_stable_id() {
    let w = world_with_responses(4, 8, 0).await;
    people(&w).await;
    let (sup, manager, _) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let c = service_conclusion(&w, &sup).await;
    let low = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "LOW_DRIVER")
        .cloned()
        .expect("a low driver finding");
    assert_eq!(low["subject"], "Overall");
    assert_eq!(low["open"], true);
    assert_eq!(low["detail"]["n"], 12);
    assert_eq!(low["detail"]["floor"], 0.6);
    assert!((low["detail"]["value"].as_f64().unwrap() - 4.0 / 12.0).abs() < 1e-9);
    // A comment regenerates nothing; the finding keeps its id.
    w.app.ok(&manager, "mutation($id:ID!){ institutionComment(conclusionId:$id, comment:\"Дараалал багасгах арга хэмжээ авна.\"){ id } }", json!({ "id": c["id"] })).await;
    let again = service_conclusion(&w, &sup).await;
    assert!(
        again["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == low["id"])
    );
    assert_ne!(
        again["contentHash"], c["contentHash"],
        "the hash covers the comment"
    );
}

#[actix_web::test]
async fn drafts_are_private_and_published_conclusions_are_public_with_small_cells_suppressed() {
    let w = world_with_responses(12, 0, 2).await;
    people(&w).await;
    let (sup, manager, staff) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(
        service_conclusion(&w, &Auth::None).await,
        Value::Null,
        "drafts are not public"
    );
    let draft = service_conclusion(&w, &staff).await;
    assert_eq!(draft["status"], "DRAFT");
    let comment = w
        .app
        .gql(
            &staff,
            "mutation($id:ID!){ institutionComment(conclusionId:$id, comment:\"x\"){ id } }",
            json!({ "id": draft["id"] }),
        )
        .await;
    assert_eq!(code(&comment), "FORBIDDEN");
    assert_eq!(
        code(
            &w.app
                .gql(
                    &manager,
                    "mutation($id:ID!){ publishConclusion(id:$id){ id } }",
                    json!({ "id": draft["id"] })
                )
                .await
        ),
        "FORBIDDEN"
    );
    let p = w
        .app
        .ok(
            &sup,
            "mutation($id:ID!){ publishConclusion(id:$id){ status publishedAt } }",
            json!({ "id": draft["id"] }),
        )
        .await;
    assert_eq!(p["publishConclusion"]["status"], "PUBLISHED");
    let public = service_conclusion(&w, &Auth::None).await;
    let withheld = |origin: &str| json!({ "origin": origin, "suppressed": true, "n": null, "lowConfidence": true });
    assert_eq!(
        figure(&public, "overall", "OPEN"),
        &withheld("OPEN"),
        "2 open answers are below the threshold"
    );
    assert_eq!(
        figure(&public, "overall", "INVITED"),
        &withheld("INVITED"),
        "…and the invited figure would reveal them by subtraction"
    );
    assert_eq!(figure(&public, "overall", "COMBINED")["n"], 14);
    // The canonical JSON has the same shape and the same gaps.
    let json_open = public["snapshot"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["questionKey"] == "overall")
        .unwrap()["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["origin"] == "OPEN")
        .unwrap()
        .clone();
    assert_eq!(
        (json_open["suppressed"].clone(), json_open["n"].clone()),
        (json!(true), Value::Null)
    );
    // The institution still sees its own figures, flagged.
    let own = service_conclusion(&w, &staff).await;
    assert_eq!(figure(&own, "overall", "OPEN")["lowConfidence"], true);
    assert_eq!(figure(&own, "overall", "OPEN")["suppressed"], false);
    assert_eq!(figure(&own, "overall", "INVITED")["n"], 12);
    // Published means frozen.
    let again = w
        .app
        .gql(
            &manager,
            "mutation($id:ID!){ institutionComment(conclusionId:$id, comment:\"later\"){ id } }",
            json!({ "id": draft["id"] }),
        )
        .await;
    assert_eq!(code(&again), "CONFLICT");
    assert_eq!(
        code(
            &w.app
                .gql(
                    &sup,
                    "mutation($id:ID!){ publishConclusion(id:$id){ id } }",
                    json!({ "id": draft["id"] })
                )
                .await
        ),
        "CONFLICT"
    );
}

#[actix_web::test]
async fn late_data_after_publishing_makes_a_new_revision_that_says_what_changed() {
    let w = world_with_responses(12, 0, 0).await;
    let late = w.invite("LATE").await;
    people(&w).await;
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let v1 = service_conclusion(&w, &sup).await;
    publish(&w, &sup, &v1["id"]).await;
    // A response that arrived late (its delivery was in November).
    w.app.clock.set(start_time() + chrono::Duration::days(2));
    w.submit(&late, faces(1), Some("late")).await;
    let (sup, ..) = after_november(&w).await;
    let r = w.app.ok(&sup, CLOSE, json!({})).await;
    // The published service conclusion gets a revision; the two institution drafts are regenerated.
    assert_eq!(
        r["closePeriod"],
        json!({ "created": 0, "regenerated": 2, "revised": 1, "unchanged": 0 })
    );
    let v2 = service_conclusion(&w, &sup).await;
    assert_eq!(
        (v2["revision"].as_i64(), v2["status"].as_str()),
        (Some(2), Some("DRAFT"))
    );
    assert_eq!(v2["changes"]["fromRevision"], 1);
    assert_eq!(v2["changes"]["counts"]["before"]["responded"], 12);
    assert_eq!(v2["changes"]["counts"]["after"]["responded"], 13);
    let v1_again = w
        .app
        .ok(
            &sup,
            "query($id:ID!){ conclusion(id:$id){ status contentHash snapshot } }",
            json!({ "id": v1["id"] }),
        )
        .await;
    assert_eq!(
        v1_again["conclusion"]["contentHash"], v1["contentHash"],
        "the published revision is untouched"
    );
}

#[actix_web::test]
async fn a_quarantined_day_revises_a_published_conclusion_and_the_revision_says_why() {
    let w = world_with_responses(12, 0, 0).await;
    people(&w).await;
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let v1 = service_conclusion(&w, &sup).await;
    publish(&w, &sup, &v1["id"]).await;
    // Every answer was given on 2026-11-28: a minute later, the supervisor sets that
    // day aside.
    w.app.clock.advance(chrono::Duration::minutes(1));
    let reason = "Answers given within seconds of issue, from one key";
    w.app
        .ok(&sup, "mutation($s:ID!,$r:String!){ quarantineCell(serviceId:$s, date:\"2026-11-28\", reason:$r){ date } }",
            json!({ "s": w.service, "r": reason }))
        .await;
    let r = w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(r["closePeriod"]["revised"], 1, "{r}");
    let v2 = service_conclusion(&w, &sup).await;
    assert_eq!(v2["revision"], 2);
    assert_eq!(v2["changes"]["counts"]["before"]["responded"], 12);
    assert_eq!(v2["changes"]["counts"]["after"]["responded"], 0);
    let q = &v2["changes"]["quarantines"][0];
    assert_eq!(q["action"], "CELL_QUARANTINED");
    assert_eq!(q["date"], "2026-11-28");
    assert_eq!(q["reason"], reason);
    assert_eq!(q["by"], "sup@aogs.gov.mn");
    // Closing again with nothing new changes nothing.
    let again = w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(again["closePeriod"]["revised"], 0);
    assert_eq!(again["closePeriod"]["created"], 0);
}

#[actix_web::test]
async fn the_job_closes_every_missed_period_once_even_when_run_twice() {
    let w = world_with_responses(12, 0, 0).await;
    people(&w).await;
    let (sup, ..) = move_to(&w, Utc.with_ymd_and_hms(2027, 1, 15, 0, 0, 0).unwrap()).await;
    let first = sanal::services::conclusions::close_due_periods(&w.app.state)
        .await
        .unwrap();
    assert!(
        first.closed >= 2,
        "November and December 2026 (and older months), got {first:?}"
    );
    assert_eq!(first.late, 0);
    let second = sanal::services::conclusions::close_due_periods(&w.app.state)
        .await
        .unwrap();
    assert_eq!(second, sanal::services::conclusions::JobRun::default());
    let d = w
        .app
        .ok(
            &sup,
            LIST,
            json!({ "f": { "periodKind": "MONTH", "periodStart": "2026-11-01" } }),
        )
        .await;
    assert_eq!(d["conclusions"]["edges"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn a_period_closed_with_no_data_is_concluded_when_its_data_arrives_later() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    after_november(&w).await;
    let empty = sanal::services::conclusions::close_due_periods(&w.app.state)
        .await
        .unwrap();
    assert!(empty.closed >= 1, "November at least: {empty:?}");
    assert!(
        !empty.changed_anything(),
        "nothing to conclude, nothing said: {empty:?}"
    );
    // Late data: November's deliveries, answered, recorded after November was closed.
    w.app.clock.set(start_time() + chrono::Duration::days(1));
    for i in 0..3 {
        let t = w.invite(&format!("LATE-{i}")).await;
        w.submit(&t, faces(3), Some("late")).await;
    }
    let (sup, ..) = after_november(&w).await;
    let late = sanal::services::conclusions::close_due_periods(&w.app.state)
        .await
        .unwrap();
    assert_eq!(late.closed, 0, "{late:?}");
    assert!(late.late >= 1, "November had late data: {late:?}");
    assert_eq!(
        late.conclusions.created, 3,
        "the service, the agency and the ministry: {late:?}"
    );
    let d = w
        .app
        .ok(
            &sup,
            LIST,
            json!({ "f": { "periodKind": "MONTH", "periodStart": "2026-11-01" } }),
        )
        .await;
    assert_eq!(d["conclusions"]["edges"].as_array().unwrap().len(), 3);
    let again = sanal::services::conclusions::close_due_periods(&w.app.state)
        .await
        .unwrap();
    assert_eq!(
        again,
        sanal::services::conclusions::JobRun::default(),
        "the same data is concluded once"
    );
}

/// Mixed A11 v2 answers: thumbs up with what went well, thumbs down with what did not.
fn a11(i: usize) -> Value {
    let options = ["ease", "efficiency", "transparency", "humanity"];
    if i.is_multiple_of(3) {
        json!([{ "questionKey": "trust", "value": 0 }, { "questionKey": "didnt_go_well", "choices": [options[i % 2]] }])
    } else {
        let mut chosen = vec![options[i % 3], options[(i + 1) % 3]];
        chosen.dedup();
        json!([{ "questionKey": "trust", "value": 1 }, { "questionKey": "went_well", "choices": chosen }])
    }
}

#[actix_web::test]
async fn closing_again_with_unchanged_data_changes_nothing_and_publishing_makes_no_revision() {
    let w = SurveyWorld::new("A11_V2").await;
    for i in 0..24 {
        let t = w.invite(&format!("TX-{i}")).await;
        let r = w.submit(&t, a11(i), None).await;
        assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    }
    people(&w).await;
    let (sup, ..) = after_november(&w).await;
    let first = w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(first["closePeriod"]["created"], 3);
    for _ in 0..3 {
        let again = w.app.ok(&sup, CLOSE, json!({})).await;
        assert_eq!(
            again["closePeriod"],
            json!({ "created": 0, "regenerated": 0, "revised": 0, "unchanged": 3 }),
            "nothing changed, and the counts say so"
        );
    }
    let c = service_conclusion(&w, &sup).await;
    publish(&w, &sup, &c["id"]).await;
    let after_publishing = w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(after_publishing["closePeriod"]["revised"], 0);
    assert_eq!(after_publishing["closePeriod"]["unchanged"], 3);
    let latest = service_conclusion(&w, &sup).await;
    assert_eq!(
        (latest["revision"].as_i64(), latest["status"].as_str()),
        (Some(1), Some("PUBLISHED")),
        "no revision 2 without new data"
    );
}

#[actix_web::test]
async fn a_content_hash_says_which_conclusion_it_certifies() {
    // The ministry's only agency has all its data: their figures are the same.
    let w = world_with_responses(12, 0, 0).await;
    people(&w).await;
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let d = w
        .app
        .ok(
            &sup,
            LIST,
            json!({ "f": { "periodKind": "MONTH", "periodStart": "2026-11-01", "scope": "INSTITUTION" } }),
        )
        .await;
    let edges = d["conclusions"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2, "the ministry and the agency");
    assert_eq!(
        edges[0]["node"]["figures"], edges[1]["node"]["figures"],
        "the same figures"
    );
    assert_ne!(
        edges[0]["node"]["contentHash"], edges[1]["node"]["contentHash"],
        "but not the same conclusion"
    );
}

#[actix_web::test]
async fn an_skm_index_from_one_respondent_carries_its_n_and_is_withheld_from_the_public() {
    let w = SurveyWorld::new("SKM_9").await;
    let t = w.invite("TX-ONE").await;
    let r = w.submit(&t, skm_answers([4; 9]), None).await;
    assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    people(&w).await;
    let (sup, manager, _) = after_november(&w).await;
    let report = w
        .app
        .ok(
            &manager,
            "query($s:ID!){ satisfactionReport(scope:{kind: SERVICE, id:$s}, period:{kind: MONTH, start:\"2026-11-01\"}){ skm { origin index grade n lowConfidence suppressed } } }",
            json!({ "s": w.service }),
        )
        .await;
    let combined = report["satisfactionReport"]["skm"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["origin"] == "COMBINED")
        .cloned()
        .unwrap();
    assert_eq!(
        combined,
        json!({ "origin": "COMBINED", "index": 100.0, "grade": "A", "n": 1, "lowConfidence": true, "suppressed": false })
    );
    w.app.ok(&sup, CLOSE, json!({})).await;
    let c = service_conclusion(&w, &sup).await;
    publish(&w, &sup, &c["id"]).await;
    let public = w
        .app
        .ok(
            &Auth::None,
            "query($id:ID!){ conclusion(id:$id){ figures { skm { origin index grade n lowConfidence suppressed } } } }",
            json!({ "id": c["id"] }),
        )
        .await;
    for s in public["conclusion"]["figures"]["skm"].as_array().unwrap() {
        assert_eq!(s["suppressed"], true, "{s}");
        assert_eq!(
            (s["index"].clone(), s["grade"].clone(), s["n"].clone()),
            (Value::Null, Value::Null, Value::Null)
        );
    }
}
