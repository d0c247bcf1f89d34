//! Findings keep their identity across regenerations and revisions, and get
//! triaged: dismissed with a reason by their institution, reopened by a
//! supervisor, listed and counted (left open 60 days after publication).
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::Duration;
use common::*;
use serde_json::{Value, json};

const CONCLUSIONS: &str = "query($f:ConclusionFilterInput){ conclusions(filter:$f){ edges { node { id revision status findings { id kind subject state publishedAt conclusionId detail { n } } } } } }";
const FINDING: &str = "query($id:ID!){ finding(id:$id){ id kind subject state stateReason publishedAt conclusionId periodLabel scope institutionId detail { n } } }";
const DISMISS: &str =
    "mutation($id:ID!,$r:String!){ dismissFinding(id:$id, reason:$r){ id state stateReason } }";
const REOPEN: &str =
    "mutation($id:ID!,$r:String!){ reopenFinding(id:$id, reason:$r){ id state stateReason } }";
const LIST: &str = "query($f:FindingFilterInput){ findings(filter:$f){ edges { node { id kind scope institutionId state } } } }";
const STATS: &str = "query($f:FindingFilterInput){ findingStats(filter:$f){ total open addressed dismissed due leftOpen } }";

/// A world where November's top-box share is 4 of 12 (a low driver everywhere).
async fn unhappy_world() -> SurveyWorld {
    let w = SurveyWorld::new("FACES_3").await;
    for i in 0..12 {
        let t = w.invite(&format!("TX-{i}")).await;
        w.submit(&t, faces(if i < 4 { 3 } else { 1 }), None).await;
    }
    people(&w).await;
    w
}

/// Every revision of the service's conclusion, oldest first.
async fn service_revisions(w: &SurveyWorld, auth: &Auth) -> Vec<Value> {
    let d = w
        .app
        .ok(
            auth,
            CONCLUSIONS,
            json!({ "f": { "scope": "SERVICE", "scopeId": w.service } }),
        )
        .await;
    let mut v: Vec<Value> = d["conclusions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    v.sort_by_key(|c| c["revision"].as_i64());
    v
}

fn low_driver(conclusion: &Value) -> Option<Value> {
    conclusion["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "LOW_DRIVER")
        .cloned()
}

/// Every conclusion of November (ministry, agency, service), as the supervisor.
async fn all_conclusion_ids(w: &SurveyWorld, sup: &Auth) -> Vec<Value> {
    let d = w.app.ok(sup, CONCLUSIONS, json!({ "f": {} })).await;
    d["conclusions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect()
}

#[actix_web::test]
async fn a_finding_keeps_its_id_and_its_triage_through_revisions_and_regenerations() {
    let w = unhappy_world().await;
    let late: Vec<String> = futures_invites(&w, 2).await;
    let (sup, manager, _) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let v1 = service_revisions(&w, &sup).await.remove(0);
    let found = low_driver(&v1).expect("a low driver");
    assert_eq!(
        (found["state"].as_str(), &found["publishedAt"]),
        (Some("OPEN"), &Value::Null),
        "a draft's finding is not yet up for triage"
    );
    publish(&w, &sup, &v1["id"]).await;
    let d = w
        .app
        .ok(
            &manager,
            DISMISS,
            json!({ "id": found["id"], "r": "Дараалал нэг удаагийн засвараас болсон." }),
        )
        .await;
    assert_eq!(d["dismissFinding"]["state"], "DISMISSED");

    // A late answer makes revision 2 (a draft): the same finding, still dismissed.
    w.app.clock.set(start_time() + Duration::days(2));
    w.submit(&late[0], faces(1), None).await;
    let (sup, ..) = after_november(&w).await;
    let r = w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(r["closePeriod"]["revised"], 1);
    let revs = service_revisions(&w, &sup).await;
    let in_v2 = low_driver(&revs[1]).unwrap();
    assert_eq!(in_v2["id"], found["id"]);
    assert_eq!(in_v2["state"], "DISMISSED");
    assert_eq!(in_v2["detail"]["n"], 13);
    assert_eq!(
        low_driver(&revs[0]).unwrap()["detail"]["n"],
        12,
        "the published revision keeps its own figures"
    );

    // Another late answer regenerates the draft: still the same finding.
    w.app.clock.set(start_time() + Duration::days(3));
    w.submit(&late[1], faces(1), None).await;
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let revs = service_revisions(&w, &sup).await;
    assert_eq!(revs.len(), 2, "a draft is regenerated, not revised");
    let regenerated = low_driver(&revs[1]).unwrap();
    assert_eq!(regenerated["id"], found["id"]);
    assert_eq!(regenerated["detail"]["n"], 14);
    let one = w.app.ok(&sup, FINDING, json!({ "id": found["id"] })).await;
    assert_eq!(
        (
            one["finding"]["state"].as_str(),
            one["finding"]["stateReason"].as_str(),
            one["finding"]["conclusionId"].clone(),
            one["finding"]["periodLabel"].as_str(),
            one["finding"]["scope"].as_str(),
        ),
        (
            Some("DISMISSED"),
            Some("Дараалал нэг удаагийн засвараас болсон."),
            revs[1]["id"].clone(),
            Some("2026-11"),
            Some("SERVICE")
        )
    );
}

/// `n` invitations delivered now, to be answered later.
async fn futures_invites(w: &SurveyWorld, n: usize) -> Vec<String> {
    let mut v = vec![];
    for i in 0..n {
        v.push(w.invite(&format!("LATE-{i}")).await);
    }
    v
}

#[actix_web::test]
async fn a_finding_no_longer_found_stays_if_it_was_published_and_goes_if_it_never_was() {
    let w = unhappy_world().await;
    let late = futures_invites(&w, 10).await;
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let conclusions = all_conclusion_ids(&w, &sup).await;
    let v1 = service_revisions(&w, &sup).await.remove(0);
    let published = low_driver(&v1).unwrap();
    publish(&w, &sup, &v1["id"]).await;
    // Ten late happy answers: 14 of 22 is above the floor, the low driver is gone.
    w.app.clock.set(start_time() + Duration::days(2));
    for t in &late {
        w.submit(t, faces(3), None).await;
    }
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let revs = service_revisions(&w, &sup).await;
    assert!(low_driver(&revs[1]).is_none());
    // The published one stays, pointing at the revision that found it.
    let one = w
        .app
        .ok(&sup, FINDING, json!({ "id": published["id"] }))
        .await;
    assert_eq!(one["finding"]["conclusionId"], v1["id"]);
    assert_eq!(one["finding"]["state"], "OPEN");
    // The ministry's draft was regenerated: its finding never published is gone.
    let d = w
        .app
        .ok(
            &sup,
            "query($id:ID!){ conclusion(id:$id){ scope status findings { kind } } }",
            json!({ "id": conclusions[0] }),
        )
        .await;
    assert_eq!(d["conclusion"]["status"], "DRAFT");
    assert!(
        !d["conclusion"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "LOW_DRIVER")
    );
    let listed = w.app.ok(&sup, LIST, json!({ "f": {} })).await;
    let ids: Vec<&Value> = listed["findings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["id"])
        .collect();
    assert_eq!(
        ids,
        [&published["id"]],
        "only published findings are listed"
    );
}

#[actix_web::test]
async fn every_refused_triage_move_answers_with_a_stable_code() {
    let w = unhappy_world().await;
    another_ministry(&w).await;
    let (sup, manager, staff) = after_november(&w).await;
    let outsider = w.app.token("m@mof.gov.mn", PASSWORD).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let v1 = service_revisions(&w, &sup).await.remove(0);
    let id = low_driver(&v1).unwrap()["id"].clone();
    let vars = |r: &str| json!({ "id": id, "r": r });
    assert_eq!(
        code(&w.app.gql(&manager, DISMISS, vars("Шалтгаан")).await),
        "CONFLICT",
        "a draft's finding is not triaged"
    );
    publish(&w, &sup, &v1["id"]).await;
    let cases = [
        (&manager, DISMISS, vars("   "), "BAD_USER_INPUT"),
        (
            &manager,
            DISMISS,
            vars(&"ж".repeat(2_001)),
            "BAD_USER_INPUT",
        ),
        (&staff, DISMISS, vars("Шалтгаан"), "FORBIDDEN"),
        (&outsider, DISMISS, vars("Шалтгаан"), "NOT_FOUND"),
        (&Auth::None, DISMISS, vars("Шалтгаан"), "UNAUTHENTICATED"),
        (&w.key, DISMISS, vars("Шалтгаан"), "FORBIDDEN"),
        (&sup, REOPEN, vars("Шалтгаан"), "CONFLICT"),
        (&manager, REOPEN, vars("Шалтгаан"), "FORBIDDEN"),
        (
            &manager,
            DISMISS,
            json!({ "id": "01890000-0000-7000-8000-000000000000", "r": "x" }),
            "NOT_FOUND",
        ),
        (
            &manager,
            DISMISS,
            json!({ "id": "not-an-id", "r": "x" }),
            "BAD_USER_INPUT",
        ),
    ];
    for (auth, q, v, expected) in &cases {
        assert_eq!(
            code(&w.app.gql(auth, q, v.clone()).await),
            *expected,
            "{q} {v}"
        );
    }
    let d = w.app.ok(&manager, DISMISS, vars("Шалтгаан")).await;
    assert_eq!(d["dismissFinding"]["state"], "DISMISSED");
    assert_eq!(
        code(&w.app.gql(&manager, DISMISS, vars("Дахин")).await),
        "CONFLICT",
        "a dismissal happens once"
    );
    let r = w
        .app
        .ok(&sup, REOPEN, vars("Шалтгаан нь нотлогдоогүй."))
        .await;
    assert_eq!(
        (
            r["reopenFinding"]["state"].as_str(),
            r["reopenFinding"]["stateReason"].as_str()
        ),
        (Some("OPEN"), Some("Шалтгаан нь нотлогдоогүй."))
    );
    // Both moves are in the audit log.
    let a = w
        .app
        .ok(
            &sup,
            "query{ auditLog(first: 50){ edges { node { action } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = a["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["node"]["action"].as_str())
        .filter(|a| a.starts_with("FINDING_"))
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions.contains(&"FINDING_DISMISSED") && actions.contains(&"FINDING_REOPENED"));
}

#[actix_web::test]
async fn findings_are_listed_by_institution_subtree_state_and_kind_to_those_who_may_read_them() {
    let w = unhappy_world().await;
    another_ministry(&w).await;
    let (sup, manager, staff) = after_november(&w).await;
    let outsider = w.app.token("m@mof.gov.mn", PASSWORD).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    for id in all_conclusion_ids(&w, &sup).await {
        publish(&w, &sup, &id).await;
    }
    let count = |d: Value| d["findings"]["edges"].as_array().unwrap().len();
    let low = json!({ "kind": "LOW_DRIVER" });
    assert_eq!(count(w.app.ok(&sup, LIST, json!({ "f": low })).await), 3);
    let ministry_tree =
        json!({ "f": { "institutionId": w.ministry, "withSubtree": true, "kind": "LOW_DRIVER" } });
    assert_eq!(
        count(w.app.ok(&manager, LIST, ministry_tree.clone()).await),
        3
    );
    let ministry_only = json!({ "f": { "institutionId": w.ministry, "kind": "LOW_DRIVER" } });
    assert_eq!(count(w.app.ok(&manager, LIST, ministry_only).await), 1);
    // The agency's staff see the agency's (its conclusion and its service's).
    assert_eq!(count(w.app.ok(&staff, LIST, json!({ "f": low })).await), 2);
    assert_eq!(
        code(&w.app.gql(&staff, LIST, ministry_tree.clone()).await),
        "NOT_FOUND"
    );
    assert_eq!(count(w.app.ok(&outsider, LIST, json!({})).await), 0);
    assert_eq!(
        code(&w.app.gql(&outsider, LIST, ministry_tree).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&w.app.gql(&Auth::None, LIST, json!({})).await),
        "UNAUTHENTICATED"
    );
    // By state.
    let first =
        w.app.ok(&sup, LIST, json!({ "f": low })).await["findings"]["edges"][0]["node"].clone();
    w.app
        .ok(
            &manager,
            DISMISS,
            json!({ "id": first["id"], "r": "Түр зуурын." }),
        )
        .await;
    let dismissed = json!({ "f": { "state": "DISMISSED" } });
    let d = w.app.ok(&sup, LIST, dismissed).await;
    assert_eq!(count(d.clone()), 1);
    assert_eq!(d["findings"]["edges"][0]["node"]["id"], first["id"]);
    let open_low = json!({ "f": { "state": "OPEN", "kind": "LOW_DRIVER" } });
    assert_eq!(count(w.app.ok(&sup, LIST, open_low).await), 2);
    let in_period = json!({ "f": { "periodKind": "MONTH", "periodStart": "2026-11-01", "kind": "LOW_DRIVER" } });
    assert_eq!(count(w.app.ok(&sup, LIST, in_period).await), 3);
    let other_period = json!({ "f": { "periodKind": "MONTH", "periodStart": "2026-10-01" } });
    assert_eq!(count(w.app.ok(&sup, LIST, other_period).await), 0);
}

#[actix_web::test]
async fn findings_still_open_sixty_days_after_publication_are_counted_against_the_institution() {
    let w = unhappy_world().await;
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    for id in all_conclusion_ids(&w, &sup).await {
        publish(&w, &sup, &id).await;
    }
    let published = w.now();
    let low = json!({ "f": { "kind": "LOW_DRIVER" } });
    let ids: Vec<Value> = w.app.ok(&sup, LIST, low.clone()).await["findings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    assert_eq!(ids.len(), 3);
    // Day 10: one dismissed in time.
    let (_, manager, _) = move_to(&w, published + Duration::days(10)).await;
    w.app
        .ok(
            &manager,
            DISMISS,
            json!({ "id": ids[0], "r": "Шийдэгдсэн." }),
        )
        .await;
    let s = w.app.ok(&manager, STATS, low.clone()).await;
    assert_eq!(
        s["findingStats"],
        json!({ "total": 3, "open": 2, "addressed": 0, "dismissed": 1, "due": 0, "leftOpen": 0 })
    );
    // Day 61: the two others were left open.
    let (sup, manager, _) = move_to(&w, published + Duration::days(61)).await;
    let s = w.app.ok(&sup, STATS, low.clone()).await;
    assert_eq!(
        s["findingStats"],
        json!({ "total": 3, "open": 2, "addressed": 0, "dismissed": 1, "due": 3, "leftOpen": 2 })
    );
    // Dismissing one late does not undo that it was left open.
    w.app
        .ok(&manager, DISMISS, json!({ "id": ids[1], "r": "Хожуу." }))
        .await;
    let s = w.app.ok(&sup, STATS, low.clone()).await;
    assert_eq!(
        s["findingStats"],
        json!({ "total": 3, "open": 1, "addressed": 0, "dismissed": 2, "due": 3, "leftOpen": 2 })
    );
    // The ministry alone (without its subtree) has one finding of the three.
    let s = w
        .app
        .ok(
            &manager,
            STATS,
            json!({ "f": { "institutionId": w.ministry, "kind": "LOW_DRIVER" } }),
        )
        .await;
    assert_eq!(s["findingStats"]["total"], 1);
}

#[actix_web::test]
async fn findings_made_before_they_had_an_identity_are_carried_over_by_the_migration() {
    use migration::MigratorTrait;
    use sea_orm::ConnectionTrait;
    let w = unhappy_world().await;
    let late = futures_invites(&w, 1).await;
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let v1 = service_revisions(&w, &sup).await.remove(0);
    publish(&w, &sup, &v1["id"]).await;
    w.app.clock.set(start_time() + Duration::days(2));
    w.submit(&late[0], faces(1), None).await;
    let (sup, ..) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let before = service_revisions(&w, &sup).await;
    let id = low_driver(&before[0]).unwrap()["id"].clone();
    assert_eq!(low_driver(&before[1]).unwrap()["id"], id);

    // Back to one row per revision, as findings were stored before.
    let conn = w.app.state.db.conn();
    let all = migration::Migrator::migrations();
    let at = all
        .iter()
        .position(|m| m.name() == "m20261201_000012_finding_identity")
        .unwrap();
    let steps = u32::try_from(all.len() - at).unwrap();
    migration::Migrator::down(conn, Some(steps)).await.unwrap();
    let backend = conn.get_database_backend();
    let old = conn
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM findings WHERE open AND subject = 'Overall' AND kind = 'LOW_DRIVER'",
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = old.try_get("", "n").unwrap();
    let ids: i64 = old.try_get("", "ids").unwrap();
    assert!(
        n >= 4 && ids == n,
        "a row per revision and scope: {n} rows, {ids} ids"
    );

    // Up again: one finding per scope, listed by both revisions, published with v1.
    migration::Migrator::up(conn, None).await.unwrap();
    let after = service_revisions(&w, &sup).await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(low_driver(a).unwrap()["id"], id);
        assert_eq!(
            low_driver(a).unwrap()["detail"],
            low_driver(b).unwrap()["detail"]
        );
    }
    let one = w.app.ok(&sup, FINDING, json!({ "id": id })).await;
    assert_eq!(one["finding"]["conclusionId"], before[1]["id"]);
    assert_eq!(one["finding"]["state"], "OPEN");
    assert!(one["finding"]["publishedAt"].is_string());
}
