//! Provenance in every figure: each response carries how the citizen came
//! (national platform, the institution's own system, QR poster, kiosk), and
//! reports show figures per provenance beside each origin and the combined one.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::fakes::{FakeSmsGateway, sms_config};
use common::*;
use serde_json::{Value, json};

const REPORT: &str = "query($s:ReportScopeInput!,$p:PeriodInput!){ satisfactionReport(scope:$s, period:$p){ counts { responded openResponses } questions { questionKey figures { origin n mean lowConfidence } } } }";
const OPEN: &str =
    "mutation($i:SubmitOpenResponseInput!){ submitOpenResponse(input:$i){ accepted } }";

/// The `overall` figures of a report: origin → (n, mean).
fn overall(report: &Value) -> Vec<(String, u64, f64)> {
    let q = report["satisfactionReport"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["questionKey"] == "overall")
        .expect("overall");
    q["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["origin"].as_str().unwrap().to_owned(),
                f["n"].as_u64().unwrap(),
                f["mean"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn each_way_a_citizen_came_has_its_own_figures_beside_the_combined_one() {
    let gw = FakeSmsGateway::start().await;
    let url = gw.url();
    let w = SurveyWorld::with("FACES_3", |c| {
        c.suppression_threshold = 1;
        c.delivery = sms_config(&url);
    })
    .await;
    // National platform: two answers of 3.
    for tref in ["NP-1", "NP-2"] {
        let t = w.invite(tref).await;
        w.submit(&t, faces(3), None).await;
    }
    // The institution's own system: one answer of 1, through the link Sanal sent.
    let own = w
        .app
        .ok(
            &w.admin,
            "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key } }",
            json!({ "i": { "institutionId": w.agency, "name": "Front office", "kind": "INSTITUTION_SYSTEM" } }),
        )
        .await;
    let own = Auth::Key(own["createApiKey"]["key"].as_str().unwrap().to_owned());
    let mut vars = w.issue_vars("IS-1");
    vars["i"]["contact"] = json!({ "phone": "99112233" });
    w.app
        .ok(
            &own,
            "mutation($i:IssueInvitationInput!){ issueInvitation(input:$i){ invited } }",
            vars,
        )
        .await;
    for _ in 0..200 {
        if !gw.requests().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let body: Value = serde_json::from_str(&gw.requests()[0].body_text()).unwrap();
    let token = body["text"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let r = w.submit(&token, faces(1), None).await;
    assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    // Open channel: a poster answer of 2 and a kiosk answer of 1.
    let point_code = w.open_channel().await;
    let k = w
        .app
        .ok(
            &w.manager,
            "mutation($p:ID!){ createKioskDevice(servicePointId:$p, name:\"Киоск\"){ deviceKey } }",
            json!({ "p": w.point }),
        )
        .await;
    let device = k["createKioskDevice"]["deviceKey"].as_str().unwrap();
    for (answers, device) in [(faces(2), None), (faces(1), Some(device))] {
        let r = w
            .app
            .gql(&Auth::None, OPEN, json!({ "i": { "pointCode": point_code, "deviceKey": device, "answers": answers } }))
            .await;
        assert_eq!(r["data"]["submitOpenResponse"]["accepted"], true, "{r}");
    }

    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": { "kind": "MONTH", "start": "2026-11-01" } }),
        )
        .await;
    let mut figs = overall(&d);
    figs.sort_by(|a, b| a.0.cmp(&b.0));
    let expected: Vec<(String, u64, f64)> = [
        ("COMBINED", 5, 2.0),
        ("INSTITUTION_SYSTEM", 1, 1.0),
        ("INVITED", 3, 7.0 / 3.0),
        ("KIOSK", 1, 1.0),
        ("NATIONAL_PLATFORM", 2, 3.0),
        ("OPEN", 2, 1.5),
        ("POSTER", 1, 2.0),
    ]
    .into_iter()
    .map(|(o, n, m)| (o.to_owned(), n, m))
    .collect();
    assert_eq!(figs.len(), expected.len(), "{figs:?}");
    for (got, want) in figs.iter().zip(&expected) {
        assert_eq!((&got.0, got.1), (&want.0, want.1));
        assert!((got.2 - want.2).abs() < 1e-9, "{got:?} vs {want:?}");
    }
    assert_eq!(
        d["satisfactionReport"]["counts"],
        json!({ "responded": 3, "openResponses": 2 })
    );

    // Each stored response says how it came (a day later, when the day is over).
    w.app.clock.advance(chrono::Duration::days(1));
    let manager = w.app.token("manager@moj.gov.mn", PASSWORD).await;
    let list = w
        .app
        .ok(
            &manager,
            "{ responses(first: 50){ edges { node { origin provenance } } } }",
            json!({}),
        )
        .await;
    let mut seen: Vec<String> = list["responses"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["node"]["origin"].as_str().unwrap(),
                e["node"]["provenance"].as_str().unwrap()
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            "INVITED/INSTITUTION_SYSTEM",
            "INVITED/NATIONAL_PLATFORM",
            "INVITED/NATIONAL_PLATFORM",
            "OPEN/KIOSK",
            "OPEN/POSTER"
        ]
    );
}

#[actix_web::test]
async fn a_supervisor_narrows_the_headline_and_findings_and_reports_use_it() {
    let w = SurveyWorld::with("FACES_3", |c| c.suppression_threshold = 1).await;
    // Two national-platform answers of 3 and one poster answer of 1.
    for tref in ["NP-1", "NP-2"] {
        let t = w.invite(tref).await;
        w.submit(&t, faces(3), None).await;
    }
    let point_code = w.open_channel().await;
    w.app
        .ok(
            &Auth::None,
            OPEN,
            json!({ "i": { "pointCode": point_code, "answers": faces(1) } }),
        )
        .await;
    let set = "mutation($i:ID!,$p:[Provenance!]!,$r:String!){ setHeadlineProvenances(institutionId:$i, provenances:$p, reason:$r){ provenances reason } }";
    let vars = json!({ "i": w.agency, "p": ["NATIONAL_PLATFORM", "INSTITUTION_SYSTEM"], "r": "Open-channel answers under review this quarter" });
    // Never the institution measured.
    assert_eq!(
        code(&w.app.gql(&w.manager, set, vars.clone()).await),
        "FORBIDDEN"
    );
    w.app
        .user_with_role(&w.admin, "analyst@audit.gov.mn", "SUPERVISOR", None)
        .await;
    let sup = w.app.token("analyst@audit.gov.mn", PASSWORD).await;
    let d = w.app.ok(&sup, set, vars).await;
    assert_eq!(
        d["setHeadlineProvenances"]["provenances"],
        json!(["NATIONAL_PLATFORM", "INSTITUTION_SYSTEM"])
    );
    // Anyone may read what the published figure counts.
    let d = w
        .app
        .ok(
            &Auth::None,
            "query($i:ID!){ headlineProvenances(institutionId:$i){ provenances reason } }",
            json!({ "i": w.agency }),
        )
        .await;
    assert_eq!(
        d["headlineProvenances"]["reason"],
        "Open-channel answers under review this quarter"
    );
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": { "kind": "MONTH", "start": "2026-11-01" } }),
        )
        .await;
    let figs = overall(&d);
    let headline = figs
        .iter()
        .find(|f| f.0 == "HEADLINE")
        .expect("a HEADLINE set");
    let combined = figs.iter().find(|f| f.0 == "COMBINED").unwrap();
    assert_eq!((headline.1, headline.2), (2, 3.0));
    assert_eq!(combined.1, 3);
    // The ministry above has no narrowed headline: no HEADLINE set there.
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "INSTITUTION", "id": w.ministry }, "p": { "kind": "MONTH", "start": "2026-11-01" } }),
        )
        .await;
    assert!(overall(&d).iter().all(|f| f.0 != "HEADLINE"));
}
