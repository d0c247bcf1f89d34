//! Complementary suppression across conclusions: an institution's figure is the sum
//! of its services' (and sub-institutions'), all published, so a service withheld
//! for its few answers must not be the institution's figure minus its siblings'.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

const LIST: &str = "query{ conclusions(filter:{periodKind: MONTH, periodStart: \"2026-11-01\"}){ edges { node { id scope scopeId findings { kind } figures { drivers { driver figures { origin suppressed n } } dimensions { dimension figures { origin suppressed n } } } } } } }";

/// The agency's two services in November: PROPERTY with `big` answers (half of
/// them unhappy: a low driver), CADASTRE
/// (same survey) with `small`; the month closed and every conclusion published.
/// Returns the world, a supervisor token and CADASTRE's id.
async fn two_services(big: usize, small: usize) -> (SurveyWorld, Auth, String) {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    let s = w
        .app
        .create_service(&w.manager, &w.agency, "CADASTRE")
        .await;
    let cadastre = s["data"]["createService"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.app
        .ok(&w.manager, "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v){ surveyVersionId } }",
            json!({ "s": cadastre, "v": w.version }))
        .await;
    for i in 0..big {
        let t = w.invite(&format!("P-{i}")).await;
        w.submit(
            &t,
            faces(if i % 2 == 0 { 1 } else { 3 }),
            Some(&format!("p{i}")),
        )
        .await;
    }
    for i in 0..small {
        let mut vars = w.issue_vars(&format!("C-{i}"));
        vars["i"]["serviceId"] = json!(cadastre);
        let d = w.app.ok(&w.key, ISSUE, vars).await;
        let t = d["issueInvitation"]["token"].as_str().unwrap();
        let r = w.submit(t, faces(3), Some(&format!("c{i}"))).await;
        assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    }
    let (sup, _, _) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let all = w.app.ok(&sup, LIST, json!({})).await;
    for e in all["conclusions"]["edges"].as_array().unwrap() {
        publish(&w, &sup, &e["node"]["id"]).await;
    }
    (w, sup, cadastre)
}

/// Each conclusion's (scope id → its driver and dimension sets), as `auth` reads them.
async fn sets(w: &SurveyWorld, auth: &Auth) -> Vec<(String, Vec<Value>)> {
    let d = w.app.ok(auth, LIST, json!({})).await;
    d["conclusions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let f = &e["node"]["figures"];
            let all = ["drivers", "dimensions"]
                .iter()
                .flat_map(|k| f[*k].as_array().unwrap().iter())
                .flat_map(|x| x["figures"].as_array().unwrap().iter().cloned())
                .collect();
            (e["node"]["scopeId"].as_str().unwrap().to_owned(), all)
        })
        .collect()
}

fn of<'a>(all: &'a [(String, Vec<Value>)], id: &str) -> &'a [Value] {
    &all.iter().find(|(s, _)| s == id).unwrap().1
}

fn combined(sets: &[Value]) -> Vec<&Value> {
    sets.iter().filter(|s| s["origin"] == "COMBINED").collect()
}

#[actix_web::test]
async fn a_service_of_three_answers_cannot_be_read_as_its_agency_minus_its_other_service() {
    let (w, sup, cadastre) = two_services(20, 3).await;
    let public = sets(&w, &Auth::None).await;
    // The agency (and the ministry above it) keep their 23 answers.
    for inst in [&w.agency, &w.ministry] {
        let c = combined(of(&public, inst));
        assert!(!c.is_empty());
        assert!(
            c.iter().all(|s| s["suppressed"] == false && s["n"] == 23),
            "{c:?}"
        );
    }
    // CADASTRE's 3 are withheld, and so is PROPERTY's 20: 23 − 20 would be the 3.
    for service in [&cadastre, &w.service] {
        let all = of(&public, service);
        assert!(!all.is_empty());
        assert!(
            all.iter()
                .all(|s| s["suppressed"] == true && s["n"].is_null()),
            "{service}: {all:?}"
        );
    }
    // A supervisor still sees every number.
    let inside = sets(&w, &sup).await;
    assert!(
        combined(of(&inside, &w.service))
            .iter()
            .all(|s| s["n"] == 20)
    );
    assert!(combined(of(&inside, &cadastre)).iter().all(|s| s["n"] == 3));
    // PROPERTY's low driver is a finding inside, not for the public: its figures
    // would be the withheld ones.
    let findings = |auth: Auth| {
        let app = &w.app;
        let id = w.service.clone();
        async move {
            let d = app.ok(&auth, LIST, json!({})).await;
            let node = d["conclusions"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["node"]["scopeId"] == id.as_str())
                .unwrap()["node"]
                .clone();
            node["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["kind"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(
        findings(sup.clone())
            .await
            .contains(&"LOW_DRIVER".to_owned())
    );
    assert!(
        !findings(Auth::None)
            .await
            .contains(&"LOW_DRIVER".to_owned())
    );
    // Open data: PROPERTY's rows are empty with the flag.
    let (status, _, body) = get_raw(&w.app, "/open-data/satisfaction.csv").await;
    assert_eq!(status, 200);
    let mut r = csv::Reader::from_reader(body.as_slice());
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let property: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[col("service_code")] == "PROPERTY" && &r[col("measure")] != "SKM_INDEX")
        .collect();
    assert!(!property.is_empty());
    for row in property {
        assert_eq!(
            (&row[col("suppressed")], &row[col("n")]),
            ("true", ""),
            "{row:?}"
        );
    }
    let agency: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| {
            &r[col("scope")] == "INSTITUTION"
                && &r[col("institution_code")] == "GASR"
                && &r[col("origin")] == "COMBINED"
                && &r[col("measure")] != "SKM_INDEX"
        })
        .collect();
    assert!(!agency.is_empty());
    assert!(agency.iter().all(|r| &r[col("n")] == "23"));
}

#[actix_web::test]
async fn services_large_enough_are_all_shown() {
    let (w, _, cadastre) = two_services(20, 12).await;
    let public = sets(&w, &Auth::None).await;
    assert!(
        combined(of(&public, &w.service))
            .iter()
            .all(|s| s["n"] == 20)
    );
    assert!(
        combined(of(&public, &cadastre))
            .iter()
            .all(|s| s["n"] == 12)
    );
    assert!(
        combined(of(&public, &w.agency))
            .iter()
            .all(|s| s["n"] == 32)
    );
}

#[actix_web::test]
async fn conclusions_made_before_views_were_chosen_get_them_from_the_hourly_job() {
    let (w, _, _) = two_services(20, 3).await;
    let before = sets(&w, &Auth::None).await;
    // As a database migrated from before: no view chosen yet.
    use sea_orm::{ConnectionTrait, Statement};
    let conn = w.app.state.db.conn();
    conn.execute_raw(Statement::from_string(
        conn.get_database_backend(),
        "UPDATE conclusions SET public_withheld = NULL",
    ))
    .await
    .unwrap();
    sanal::services::conclusions::close_due_periods(&w.app.state)
        .await
        .unwrap();
    assert_eq!(sets(&w, &Auth::None).await, before);
}
