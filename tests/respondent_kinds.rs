//! Respondent kinds: the delivering system says whom it served (a citizen or a
//! legal entity); the response carries it as a coarse segment and reports and
//! conclusions split by it, small cells and their complements withheld.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

const REPORT: &str = "query($s:ReportScopeInput!,$p:PeriodInput!){ satisfactionReport(scope:$s, period:$p){ counts { responded } dimensions { dimension figures { origin n } } respondentKinds { kind responses dimensions { dimension figures { origin n topBox { k n } lowConfidence } } } } }";

/// Invites and answers `n` times with `kind` (or none), `happy` of them with a happy face.
async fn answers(w: &SurveyWorld, from: usize, n: usize, happy: usize, kind: Option<&str>) {
    for i in from..from + n {
        let mut vars = w.issue_vars(&format!("TX-{i}"));
        if let Some(k) = kind {
            vars["i"]["respondentKind"] = json!(k);
        }
        let d = w.app.ok(&w.key, ISSUE, vars).await;
        let t = d["issueInvitation"]["token"].as_str().unwrap().to_owned();
        let v = if i - from < happy { 3 } else { 1 };
        let r = w.submit(&t, faces(v), Some(&format!("c{i}"))).await;
        assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    }
}

fn quality<'a>(dims: &'a Value, origin: &str) -> &'a Value {
    dims.as_array()
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
async fn a_report_splits_by_the_respondent_kind_the_delivering_system_gave() {
    let w = SurveyWorld::new("FACES_3").await;
    answers(&w, 0, 12, 9, Some("INDIVIDUAL")).await;
    answers(&w, 100, 11, 11, Some("LEGAL_ENTITY")).await;
    answers(&w, 200, 2, 0, None).await;
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": { "kind": "MONTH", "start": "2026-11-01" } }),
        )
        .await;
    let rep = &d["satisfactionReport"];
    // The report's own figures count every response once.
    assert_eq!(rep["counts"]["responded"], 25);
    assert_eq!(quality(&rep["dimensions"], "COMBINED")["n"], 25);
    let kinds = rep["respondentKinds"].as_array().unwrap();
    let of = |k: &str| kinds.iter().find(|x| x["kind"] == k).unwrap();
    assert_eq!(of("INDIVIDUAL")["responses"], 12);
    assert_eq!(
        quality(&of("INDIVIDUAL")["dimensions"], "COMBINED")["topBox"],
        json!({ "k": 9, "n": 12 })
    );
    assert_eq!(of("LEGAL_ENTITY")["responses"], 11);
    assert_eq!(
        quality(&of("LEGAL_ENTITY")["dimensions"], "COMBINED")["topBox"],
        json!({ "k": 11, "n": 11 })
    );
    assert_eq!(kinds.len(), 2, "responses without a kind are in no split");
}

#[actix_web::test]
async fn the_public_never_gets_a_small_kind_directly_or_by_subtraction() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    // 14 individuals and 3 legal entities: the three are withheld, and so are the
    // individuals (17 − 14 would give the three away).
    answers(&w, 0, 14, 10, Some("INDIVIDUAL")).await;
    answers(&w, 100, 3, 3, Some("LEGAL_ENTITY")).await;
    let (sup, _, _) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let q = "query($f:ConclusionFilterInput){ conclusions(filter:$f){ edges { node { id figures { dimensions { dimension figures { origin suppressed n } } respondentKinds { kind responses dimensions { dimension figures { origin suppressed n } } } } } } } }";
    let f = json!({ "f": { "scope": "SERVICE", "scopeId": w.service } });
    let d = w.app.ok(&sup, q, f.clone()).await;
    let node = &d["conclusions"]["edges"][0]["node"];
    let kinds = node["figures"]["respondentKinds"].as_array().unwrap();
    assert_eq!(kinds.len(), 2);
    publish(&w, &sup, &node["id"]).await;
    let public = w.app.ok(&Auth::None, q, f).await;
    let figures = &public["conclusions"]["edges"][0]["node"]["figures"];
    assert_eq!(
        quality(&figures["dimensions"], "COMBINED")["n"],
        17,
        "the total is shown"
    );
    for kind in figures["respondentKinds"].as_array().unwrap() {
        let c = quality(&kind["dimensions"], "COMBINED");
        assert_eq!(
            (c["suppressed"].as_bool(), c["n"].clone()),
            (Some(true), Value::Null),
            "{kind}"
        );
    }
}

#[actix_web::test]
async fn an_unknown_respondent_kind_is_refused_and_reissuing_with_another_kind_is_a_conflict() {
    let w = SurveyWorld::new("FACES_3").await;
    let mut vars = w.issue_vars("TX-1");
    vars["i"]["respondentKind"] = json!("CORPORATION");
    let bad = w.app.gql(&w.key, ISSUE, vars).await;
    assert!(
        bad["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("RespondentKind"),
        "{bad}"
    );
    let mut vars = w.issue_vars("TX-2");
    vars["i"]["respondentKind"] = json!("INDIVIDUAL");
    w.app.ok(&w.key, ISSUE, vars.clone()).await;
    assert_eq!(
        w.app.ok(&w.key, ISSUE, vars.clone()).await["issueInvitation"]["invited"],
        true,
        "same payload: same invitation"
    );
    vars["i"]["respondentKind"] = json!("LEGAL_ENTITY");
    assert_eq!(code(&w.app.gql(&w.key, ISSUE, vars).await), "CONFLICT");
}
