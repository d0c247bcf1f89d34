//! The commitment's four dimensions: template questions mapped, custom questions
//! opting in, per-dimension figures in reports and conclusions, suppressed for the public.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

const REPORT: &str = "query($s:ReportScopeInput!,$p:PeriodInput!){ satisfactionReport(scope:$s, period:$p){ dimensions { dimension figures { origin n mean topBox { k n } lowConfidence } } } }";

fn figure<'a>(dims: &'a Value, dimension: &str, origin: &str) -> &'a Value {
    dims.as_array()
        .unwrap()
        .iter()
        .find(|d| d["dimension"] == dimension)
        .unwrap_or_else(|| panic!("no {dimension} in {dims}"))["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["origin"] == origin)
        .unwrap()
}

fn round2(v: &Value) -> f64 {
    (v.as_f64().unwrap() * 100.0).round() / 100.0
}

#[actix_web::test]
async fn skm_elements_pool_into_the_four_dimensions_on_a_0_to_100_scale() {
    let w = SurveyWorld::new("SKM_9").await;
    let t = w.invite("TX-1").await;
    // requirements 4, procedure 4, time 3, cost 4, product 4, competence 4,
    // behaviour 4, complaints 3, facilities 3.
    w.submit(&t, skm_answers([4, 4, 3, 4, 4, 4, 4, 3, 3]), Some("a"))
        .await;
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": { "kind": "MONTH", "start": "2026-11-01" } }),
        )
        .await;
    let dims = &d["satisfactionReport"]["dimensions"];
    let order: Vec<&str> = dims
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dimension"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["QUALITY", "AVAILABILITY", "TRANSPARENCY", "OPENNESS"]
    );
    // Quality: product, competence, behaviour all 4 → (4 − 1) / 3 × 100 = 100.
    let q = figure(dims, "QUALITY", "INVITED");
    assert_eq!((q["n"].as_i64(), round2(&q["mean"])), (Some(3), 100.0));
    assert_eq!(q["topBox"], json!({ "k": 3, "n": 3 }));
    // Availability: procedure 4, time 3, facilities 3 → (100 + 66.67 + 66.67) / 3.
    let a = figure(dims, "AVAILABILITY", "INVITED");
    assert_eq!((a["n"].as_i64(), round2(&a["mean"])), (Some(3), 77.78));
    let t = figure(dims, "TRANSPARENCY", "INVITED");
    assert_eq!((t["n"].as_i64(), round2(&t["mean"])), (Some(2), 100.0));
    let o = figure(dims, "OPENNESS", "COMBINED");
    assert_eq!((o["n"].as_i64(), round2(&o["mean"])), (Some(1), 66.67));
    assert_eq!(
        o["lowConfidence"], true,
        "one answer is below the threshold"
    );
}

#[actix_web::test]
async fn a_custom_question_opts_in_to_a_dimension_and_only_scale_questions_may() {
    let w = SurveyWorld::new("FACES_3").await;
    let s = w.app.ok(&w.manager, "mutation($i:ID!){ createSurvey(input:{institutionId:$i, title:{mn:\"Шинэ судалгаа\"}}){ id } }", json!({ "i": w.agency })).await;
    let id = s["createSurvey"]["id"].as_str().unwrap().to_owned();
    let add = "mutation($s:ID!,$q:QuestionInput!){ addQuestion(surveyId:$s, question:$q){ questions { key dimension } } }";
    let text = w
        .app
        .gql(
            &w.manager,
            add,
            json!({ "s": id, "q": { "key": "why", "type": "TEXT", "dimension": "OPENNESS", "text": { "mn": "Яагаад?" } } }),
        )
        .await;
    assert_eq!(code(&text), "BAD_USER_INPUT", "{text}");
    let ok = w
        .app
        .ok(
            &w.manager,
            add,
            json!({ "s": id, "q": { "key": "info", "type": "RATING", "min": 1, "max": 7, "dimension": "TRANSPARENCY", "text": { "mn": "Мэдээлэл хэр ойлгомжтой байсан бэ?" } } }),
        )
        .await;
    assert_eq!(
        ok["addQuestion"]["questions"],
        json!([{ "key": "info", "dimension": "TRANSPARENCY" }])
    );
    // The template's own question carries its mapping.
    let tpl = w
        .app
        .ok(
            &w.manager,
            "query($id:ID!){ survey(id:$id){ versions { questions { key dimension } } } }",
            json!({ "id": w.survey }),
        )
        .await;
    let qs = &tpl["survey"]["versions"][0]["questions"];
    assert_eq!(qs[0], json!({ "key": "overall", "dimension": "QUALITY" }));
    assert_eq!(qs[1], json!({ "key": "comment", "dimension": null }));
}

#[actix_web::test]
async fn a_conclusion_freezes_dimension_figures_and_the_public_sees_none_of_a_small_cell() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    for i in 0..12 {
        let t = w.invite(&format!("TX-{i}")).await;
        let v = if i < 9 { 3 } else { 1 };
        w.submit(&t, faces(v), Some(&format!("c{i}"))).await;
    }
    // One open-channel answer: a cell of one, withheld with its complement.
    let code = w.open_channel().await;
    w.app
        .ok(
            &Auth::None,
            "mutation($i:SubmitOpenResponseInput!){ submitOpenResponse(input:$i){ accepted } }",
            json!({ "i": { "pointCode": code, "answers": faces(3) } }),
        )
        .await;
    let (sup, _, _) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let q = "query($f:ConclusionFilterInput){ conclusions(filter:$f){ edges { node { id figures { dimensions { dimension figures { origin suppressed n mean topBox { k n } } } } } } } }";
    let f = json!({ "f": { "scope": "INSTITUTION", "scopeId": w.ministry } });
    let d = w.app.ok(&sup, q, f.clone()).await;
    let node = &d["conclusions"]["edges"][0]["node"];
    let dims = &node["figures"]["dimensions"];
    let invited = figure(dims, "QUALITY", "INVITED");
    // Faces: 3 → 100, 1 → 0; nine of twelve happy.
    assert_eq!(
        (invited["n"].as_i64(), round2(&invited["mean"])),
        (Some(12), 75.0)
    );
    assert_eq!(invited["topBox"], json!({ "k": 9, "n": 12 }));
    publish(&w, &sup, &node["id"]).await;
    let public = w.app.ok(&Auth::None, q, f).await;
    let dims = &public["conclusions"]["edges"][0]["node"]["figures"]["dimensions"];
    // OPEN is one answer; INVITED would give it away as COMBINED − INVITED.
    for origin in ["OPEN", "INVITED"] {
        let s = figure(dims, "QUALITY", origin);
        assert_eq!(s["suppressed"], true, "{origin}: {s}");
        assert_eq!(s["n"], Value::Null);
        assert_eq!(s["mean"], Value::Null);
    }
    let combined = figure(dims, "QUALITY", "COMBINED");
    assert_eq!(
        (combined["suppressed"].as_bool(), combined["n"].as_i64()),
        (Some(false), Some(13))
    );
}
