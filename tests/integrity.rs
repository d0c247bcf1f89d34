//! Integrity of the measurement, replayed as an insider would try it: an
//! institution's own system manufactures a day of top answers. Integrity signals
//! (supervisors only) must fire, and a supervisor's quarantine of the service × day
//! must take the day out of the figure — and give it back when released.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::Duration;
use common::fakes::{FakeSmsGateway, sms_config};
use common::*;
use serde_json::{Value, json};

const REPORT: &str = "query($s:ReportScopeInput!,$p:PeriodInput!){ satisfactionReport(scope:$s, period:$p){ counts { invited responded } skm { origin index grade } } }";
const SIGNALS: &str = "query($f:IntegritySignalFilter!){ integritySignals(filter:$f){ kind signal date value baseline z n source quarantined } }";
const ISSUE: &str =
    "mutation($i:IssueInvitationInput!){ issueInvitation(input:$i){ invited token } }";

fn december() -> Value {
    json!({ "kind": "MONTH", "start": "2026-12-01" })
}

/// The combined SKM index of the service for December, as its manager sees it.
async fn index(w: &SurveyWorld) -> f64 {
    let manager = w.app.token("manager@moj.gov.mn", PASSWORD).await;
    let d = w
        .app
        .ok(
            &manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": december() }),
        )
        .await;
    d["satisfactionReport"]["skm"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["origin"] == "COMBINED")
        .expect("a combined index")["index"]
        .as_f64()
        .unwrap()
}

fn vars(w: &SurveyWorld, tref: &str) -> Value {
    w.issue_vars(tref)
}

#[actix_web::test]
async fn a_manufactured_day_raises_signals_for_supervisors_and_quarantine_takes_it_out_of_the_figure()
 {
    let gw = FakeSmsGateway::start().await;
    let url = gw.url();
    let w = SurveyWorld::with("SKM_9", |c| {
        c.suppression_threshold = 1;
        c.delivery = sms_config(&url);
    })
    .await;
    let supervisor_email = "analyst@audit.gov.mn";
    w.app
        .user_with_role(&w.admin, supervisor_email, "SUPERVISOR", None)
        .await;
    // 2026-12-01, 10:00 in Ulaanbaatar.
    w.app.clock.advance(Duration::days(3));

    // Ten genuine days through the national platform: 8 invitations a day, 4
    // answered two hours later, half with 3s and half with 2s on every element.
    for day in 0..10 {
        let mut tokens = vec![];
        for i in 0..8 {
            let d = w
                .app
                .ok(&w.key, ISSUE, vars(&w, &format!("D{day}-{i}")))
                .await;
            tokens.push(d["issueInvitation"]["token"].as_str().unwrap().to_owned());
        }
        w.app.clock.advance(Duration::hours(2));
        for (i, t) in tokens.iter().take(4).enumerate() {
            let v = if i % 2 == 0 { 3 } else { 2 };
            let r = w.submit(t, skm_answers([v; 9]), None).await;
            assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
        }
        w.app.clock.advance(Duration::hours(22));
    }
    // Day 10 (2026-12-11): the manager changes the service's settings.
    let manager = w.app.token("manager@moj.gov.mn", PASSWORD).await;
    w.app
        .ok(&manager, "mutation($s:ID!,$i:InvitationSettingsInput!){ setInvitationSettings(serviceId:$s, input:$i){ expiryDays } }",
            json!({ "s": w.service, "i": { "samplingRate": 1.0, "expiryDays": 7, "cooldownDays": 30 } }))
        .await;
    let before = index(&w).await;

    // Day 12 (2026-12-13): the institution's own system issues 30 invitations to
    // phones it controls, reads the links and answers at once with top scores.
    w.app.clock.advance(Duration::days(2));
    let admin = w.app.admin().await;
    let k = w
        .app
        .ok(
            &admin,
            "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key apiKey { id } } }",
            json!({ "i": { "institutionId": w.agency, "name": "Front office", "kind": "INSTITUTION_SYSTEM" } }),
        )
        .await;
    let key_id = k["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = Auth::Key(k["createApiKey"]["key"].as_str().unwrap().to_owned());
    for i in 0..30 {
        let mut v = vars(&w, &format!("FAKE-{i}"));
        v["i"]["contact"] = json!({ "phone": format!("991{i:05}") });
        let d = w.app.ok(&own, ISSUE, v).await;
        assert!(d["issueInvitation"]["token"].is_null());
    }
    for _ in 0..400 {
        if gw.requests().len() >= 30 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(gw.requests().len(), 30);
    for req in gw.requests() {
        let body: Value = serde_json::from_str(&req.body_text()).unwrap();
        let token = body["text"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        let r = w.submit(&token, skm_answers([4; 9]), None).await;
        assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    }
    let after = index(&w).await;
    assert!(
        after > before + 10.0,
        "the fabrication moved the live index: {before} → {after}"
    );

    // The institution never sees the signals.
    let manager = w.app.token("manager@moj.gov.mn", PASSWORD).await;
    let f =
        json!({ "f": { "institutionId": w.ministry, "from": "2026-12-13", "to": "2026-12-13" } });
    assert_eq!(
        code(&w.app.gql(&manager, SIGNALS, f.clone()).await),
        "FORBIDDEN"
    );

    // A supervisor sees them: every one of the five fires on that day.
    let supervisor = w.app.token(supervisor_email, PASSWORD).await;
    let d = w.app.ok(&supervisor, SIGNALS, f.clone()).await;
    let found = d["integritySignals"].as_array().unwrap();
    let mut kinds: Vec<&str> = found
        .iter()
        .map(|s| s["signal"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            "ANSWERS_FAR_FROM_BASELINE",
            "FAST_ANSWERS",
            "RESPONSE_RATE_JUMP",
            "SETTINGS_CHANGED_BEFORE_JUMP",
            "SOURCE_OVER_SHARE"
        ],
        "{d}"
    );
    for s in found {
        assert_eq!(s["kind"], "INTEGRITY");
        assert_eq!(s["date"], "2026-12-13");
        assert_eq!(s["quarantined"], false);
    }
    let by = |k: &str| found.iter().find(|s| s["signal"] == k).unwrap();
    assert_eq!(by("FAST_ANSWERS")["n"], 30);
    assert_eq!(by("ANSWERS_FAR_FROM_BASELINE")["value"], 1.0);
    assert_eq!(by("ANSWERS_FAR_FROM_BASELINE")["baseline"], 0.5);
    assert_eq!(by("RESPONSE_RATE_JUMP")["value"], 1.0);
    assert_eq!(by("RESPONSE_RATE_JUMP")["baseline"], 0.5);
    assert_eq!(by("SOURCE_OVER_SHARE")["source"], format!("KEY:{key_id}"));
    assert_eq!(
        by("SETTINGS_CHANGED_BEFORE_JUMP")["source"],
        "INVITATION_SETTINGS_CHANGED"
    );
    // The genuine days raise nothing.
    let quiet =
        json!({ "f": { "serviceId": w.service, "from": "2026-12-01", "to": "2026-12-12" } });
    assert_eq!(
        w.app.ok(&supervisor, SIGNALS, quiet).await["integritySignals"],
        json!([])
    );

    // Quarantine: the day leaves the figure, exactly.
    let q = "mutation($s:ID!,$d:Date!,$r:String!){ quarantineCell(serviceId:$s, date:$d, reason:$r){ date reason releasedAt } }";
    let reason = "Thirty top answers within seconds of issue, from one front-office key";
    assert_eq!(
        code(
            &w.app
                .gql(
                    &manager,
                    q,
                    json!({ "s": w.service, "d": "2026-12-13", "r": reason })
                )
                .await
        ),
        "FORBIDDEN"
    );
    let d = w
        .app
        .ok(
            &supervisor,
            q,
            json!({ "s": w.service, "d": "2026-12-13", "r": reason }),
        )
        .await;
    assert_eq!(d["quarantineCell"]["releasedAt"], Value::Null);
    assert_eq!(
        code(
            &w.app
                .gql(
                    &supervisor,
                    q,
                    json!({ "s": w.service, "d": "2026-12-13", "r": reason })
                )
                .await
        ),
        "CONFLICT"
    );
    assert_eq!(
        code(
            &w.app
                .gql(
                    &supervisor,
                    q,
                    json!({ "s": w.service, "d": "2026-12-12", "r": "short" })
                )
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        index(&w).await,
        before,
        "quarantined: back to the genuine figure"
    );
    let d = w.app.ok(&supervisor, SIGNALS, f.clone()).await;
    assert!(
        d["integritySignals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["quarantined"] == true)
    );

    // Released: the day counts again; both steps are in the audit log.
    let d = w
        .app
        .ok(&supervisor, "mutation($s:ID!,$d:Date!,$r:String!){ releaseCell(serviceId:$s, date:$d, reason:$r){ releasedAt releaseReason } }",
            json!({ "s": w.service, "d": "2026-12-13", "r": "Replayed for the test: released again" }))
        .await;
    assert!(d["releaseCell"]["releasedAt"].is_string());
    assert_eq!(index(&w).await, after);
    let log = w
        .app
        .ok(
            &supervisor,
            "{ auditLog(first: 100){ edges { node { action } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"CELL_QUARANTINED") && actions.contains(&"CELL_RELEASED"));
    let cells = w
        .app
        .ok(
            &supervisor,
            "{ quarantinedCells { date reason releaseReason } }",
            json!({}),
        )
        .await;
    assert_eq!(cells["quarantinedCells"][0]["reason"], reason);
    println!(
        "fabrication replay: SKM index {before:.2} before, {after:.2} after; signals {kinds:?}"
    );
}
