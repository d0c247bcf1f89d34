//! Improvement actions: their life cycle with its dates, progress, the findings they
//! address, who may do what, what the public sees, and whether they worked.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

const CREATE: &str = "mutation($i:CreateImprovementActionInput!){ createImprovementAction(input:$i){ id status baseline ownerId origins { kind id } } }";
const MOVE: &str = "mutation($id:ID!,$m:ActionMove!,$r:String){ moveImprovementAction(id:$id, move:$m, reason:$r){ id status statusReason plannedOn startedOn completedOn verifiedOn cancelledOn } }";
const PROGRESS: &str = "mutation($id:ID!,$i:ActionProgressInput!){ addActionProgress(actionId:$id, input:$i){ progress updates { percent note evidence } } }";
const ONE: &str = "query($id:ID!){ improvementAction(id:$id){ id status ownerId overdue progress updates { percent note evidence } origins { kind id } effect { status nBefore nAfter before after difference low high pValue beforeFrom beforeTo afterFrom afterTo } } }";
const LIST: &str = "query($f:ImprovementActionFilterInput){ improvementActions(filter:$f){ edges { node { id status ownerId overdue } } } }";
const STATS: &str = "query($f:ImprovementActionFilterInput){ improvementActionStats(filter:$f){ total overdue byStatus { status count } } }";

async fn user_id(w: &SurveyWorld, auth: &Auth) -> String {
    w.app.ok(auth, "query{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An action input for the world's agency, owned by `owner`.
fn input(w: &SurveyWorld, owner: &str, extra: Value) -> Value {
    let mut i = json!({
        "institutionId": w.agency,
        "title": { "mn": "Дарааллыг богиносгох", "en": "Shorten the queue" },
        "description": { "mn": "Хоёр дахь цонх нээнэ." },
        "ownerId": owner,
        "dueDate": "2027-03-31",
        "serviceIds": [w.service],
        "metric": { "kind": "QUESTION", "subject": "overall", "measure": "TOP_BOX" },
    });
    for (k, v) in extra.as_object().unwrap() {
        i[k] = v.clone();
    }
    json!({ "i": i })
}

async fn create(w: &SurveyWorld, auth: &Auth, owner: &str, extra: Value) -> Value {
    w.app.ok(auth, CREATE, input(w, owner, extra)).await["createImprovementAction"].clone()
}

async fn mv(w: &SurveyWorld, auth: &Auth, id: &Value, m: &str, reason: Option<&str>) -> Value {
    w.app
        .gql(auth, MOVE, json!({ "id": id, "m": m, "r": reason }))
        .await
}

#[actix_web::test]
async fn an_action_goes_through_its_life_keeping_the_date_of_each_move() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()).await;
    let me = user_id(&w, &manager).await;
    let a = create(&w, &manager, &me, json!({})).await;
    assert_eq!(a["status"], "PROPOSED");
    let id = a["id"].clone();
    let ok = |d: Value| {
        assert!(d["errors"].is_null(), "{d}");
        d["data"]["moveImprovementAction"].clone()
    };
    assert_eq!(
        ok(mv(&w, &manager, &id, "PLAN", None).await)["plannedOn"],
        "2026-12-01"
    );
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap()).await;
    assert_eq!(
        ok(mv(&w, &manager, &id, "START", None).await)["startedOn"],
        "2026-12-03"
    );
    let p = w
        .app
        .ok(
            &manager,
            PROGRESS,
            json!({ "id": id, "i": { "day": "2026-12-03", "percent": 40, "note": "Цонх засварлаж байна.", "evidence": ["https://gasr.gov.mn/news/1"] } }),
        )
        .await;
    assert_eq!(p["addActionProgress"]["progress"], 40);
    let (sup, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 5, 3, 0, 0).unwrap()).await;
    assert_eq!(
        ok(mv(&w, &manager, &id, "COMPLETE", None).await)["completedOn"],
        "2026-12-05"
    );
    // A supervisor rejects the completion, with a reason: back in progress.
    let r = ok(mv(&w, &sup, &id, "REJECT", Some("Цонх ажиллахгүй байна.")).await);
    assert_eq!(
        (
            r["status"].as_str(),
            r["statusReason"].as_str(),
            &r["completedOn"]
        ),
        (
            Some("IN_PROGRESS"),
            Some("Цонх ажиллахгүй байна."),
            &Value::Null
        )
    );
    assert_eq!(r["startedOn"], "2026-12-03", "the start stays");
    let (sup, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 8, 3, 0, 0).unwrap()).await;
    ok(mv(&w, &manager, &id, "COMPLETE", None).await);
    let v = ok(mv(&w, &sup, &id, "VERIFY", None).await);
    assert_eq!(
        (
            v["status"].as_str(),
            v["completedOn"].as_str(),
            v["verifiedOn"].as_str()
        ),
        (Some("VERIFIED"), Some("2026-12-08"), Some("2026-12-08"))
    );
    // Nothing moves a verified action, and it takes no more progress.
    for m in ["PLAN", "START", "COMPLETE", "VERIFY", "REJECT", "CANCEL"] {
        let who = if m == "VERIFY" || m == "REJECT" {
            &sup
        } else {
            &manager
        };
        assert_eq!(
            code(&mv(&w, who, &id, m, Some("x")).await),
            "CONFLICT",
            "{m}"
        );
    }
    let late = w
        .app
        .gql(
            &manager,
            PROGRESS,
            json!({ "id": id, "i": { "day": "2026-12-08", "percent": 100, "note": "x" } }),
        )
        .await;
    assert_eq!(code(&late), "CONFLICT");
}

#[actix_web::test]
async fn every_refused_move_and_bad_input_answers_with_a_stable_code() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    let other = another_ministry(&w).await;
    let other_service =
        w.app.create_service(&w.admin, &other, "TAX").await["data"]["createService"]["id"].clone();
    w.app
        .user_with_role(&w.admin, "nobody@sanal.mn", "CITIZEN", None)
        .await;
    let (sup, manager, staff) =
        move_to(&w, Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()).await;
    let outsider = w.app.token("m@mof.gov.mn", PASSWORD).await;
    let citizen = w.app.token("nobody@sanal.mn", PASSWORD).await;
    let me = user_id(&w, &manager).await;
    let citizen_id = user_id(&w, &citizen).await;
    let bad = [
        (json!({ "ownerId": citizen_id }), "BAD_USER_INPUT"),
        (json!({ "serviceIds": [other_service] }), "BAD_USER_INPUT"),
        (json!({ "dueDate": "2026-11-30" }), "BAD_USER_INPUT"),
        (
            json!({ "title": { "mn": "ж".repeat(201) } }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "metric": { "kind": "DRIVER", "subject": "OVERALL", "measure": "MEAN" } }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "metric": { "kind": "DRIVER", "subject": "NO_SUCH", "measure": "TOP_BOX" } }),
            "BAD_USER_INPUT",
        ),
        (json!({ "windowAfterDays": 400 }), "BAD_USER_INPUT"),
        (json!({ "target": 1.5 }), "BAD_USER_INPUT"),
        (
            json!({ "findingIds": ["01890000-0000-7000-8000-000000000000"] }),
            "NOT_FOUND",
        ),
    ];
    for (extra, expected) in &bad {
        let d = w
            .app
            .gql(&manager, CREATE, input(&w, &me, extra.clone()))
            .await;
        assert_eq!(code(&d), *expected, "{extra}: {d}");
    }
    assert_eq!(
        code(&w.app.gql(&staff, CREATE, input(&w, &me, json!({}))).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&w.app.gql(&sup, CREATE, input(&w, &me, json!({}))).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &w.app
                .gql(&outsider, CREATE, input(&w, &me, json!({})))
                .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &w.app
                .gql(&Auth::None, CREATE, input(&w, &me, json!({})))
                .await
        ),
        "UNAUTHENTICATED"
    );

    let id = create(&w, &manager, &me, json!({})).await["id"].clone();
    assert_eq!(
        code(&mv(&w, &manager, &id, "START", None).await),
        "CONFLICT"
    );
    assert_eq!(
        code(&mv(&w, &manager, &id, "COMPLETE", None).await),
        "CONFLICT"
    );
    assert_eq!(code(&mv(&w, &sup, &id, "VERIFY", None).await), "CONFLICT");
    assert_eq!(
        code(&mv(&w, &manager, &id, "VERIFY", None).await),
        "FORBIDDEN"
    );
    assert_eq!(code(&mv(&w, &sup, &id, "PLAN", None).await), "FORBIDDEN");
    assert_eq!(
        code(&mv(&w, &outsider, &id, "PLAN", None).await),
        "NOT_FOUND"
    );
    assert_eq!(code(&mv(&w, &staff, &id, "PLAN", None).await), "FORBIDDEN");
    assert_eq!(
        code(&mv(&w, &manager, &id, "CANCEL", None).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(&mv(&w, &manager, &id, "CANCEL", Some("  ")).await),
        "BAD_USER_INPUT"
    );
    let progress = |i: Value| json!({ "id": id, "i": i });
    for (i, field) in [
        (
            json!({ "day": "2026-12-01", "percent": 101, "note": "x" }),
            "percent",
        ),
        (
            json!({ "day": "2026-12-02", "percent": 10, "note": "x" }),
            "day",
        ),
        (
            json!({ "day": "2026-12-01", "percent": 10, "note": "" }),
            "note",
        ),
        (
            json!({ "day": "2026-12-01", "percent": 10, "note": "x", "evidence": ["http://gasr.gov.mn/a"] }),
            "evidence",
        ),
        (
            json!({ "day": "2026-12-01", "percent": 10, "note": "x", "evidence": ["javascript:alert(1)"] }),
            "evidence",
        ),
    ] {
        let d = w.app.gql(&manager, PROGRESS, progress(i)).await;
        assert_eq!(code(&d), "BAD_USER_INPUT", "{d}");
        assert!(
            d["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{d}"
        );
    }
    let d = w
        .app
        .gql(
            &outsider,
            PROGRESS,
            progress(json!({ "day": "2026-12-01", "percent": 10, "note": "x" })),
        )
        .await;
    assert_eq!(code(&d), "NOT_FOUND");
    // Nothing half-written: the action has no update, still PROPOSED.
    let one = w.app.ok(&manager, ONE, json!({ "id": id })).await;
    assert_eq!(one["improvementAction"]["updates"], json!([]));
    assert_eq!(one["improvementAction"]["status"], "PROPOSED");
    let c = mv(&w, &manager, &id, "CANCEL", Some("Төсөв батлагдаагүй.")).await;
    assert_eq!(
        c["data"]["moveImprovementAction"]["cancelledOn"],
        "2026-12-01"
    );
    assert_eq!(code(&mv(&w, &manager, &id, "PLAN", None).await), "CONFLICT");
}

async fn finding_state(w: &SurveyWorld, auth: &Auth, id: &Value) -> Value {
    w.app
        .ok(
            auth,
            "query($id:ID!){ finding(id:$id){ state } }",
            json!({ "id": id }),
        )
        .await["finding"]["state"]
        .clone()
}

#[actix_web::test]
async fn a_finding_linked_to_an_action_is_addressed_until_its_last_action_is_cancelled() {
    let w = SurveyWorld::new("FACES_3").await;
    for i in 0..12 {
        let t = w.invite(&format!("TX-{i}")).await;
        w.submit(&t, faces(if i < 4 { 3 } else { 1 }), None).await;
    }
    people(&w).await;
    let (sup, manager, _) = after_november(&w).await;
    w.app.ok(&sup, CLOSE, json!({})).await;
    let d = w
        .app
        .ok(&sup, "query($f:ConclusionFilterInput){ conclusions(filter:$f){ edges { node { id findings { id kind } } } } }", json!({ "f": { "scope": "SERVICE", "scopeId": w.service } }))
        .await;
    let c = d["conclusions"]["edges"][0]["node"].clone();
    let finding = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "LOW_DRIVER")
        .unwrap()["id"]
        .clone();
    let me = user_id(&w, &manager).await;
    // A draft's finding cannot be addressed.
    let d = w
        .app
        .gql(
            &manager,
            CREATE,
            input(&w, &me, json!({ "findingIds": [finding] })),
        )
        .await;
    assert_eq!(code(&d), "CONFLICT");
    publish(&w, &sup, &c["id"]).await;
    let a = create(&w, &manager, &me, json!({ "findingIds": [finding] })).await;
    assert_eq!(a["origins"], json!([{ "kind": "FINDING", "id": finding }]));
    assert_eq!(finding_state(&w, &sup, &finding).await, "ADDRESSED");
    // The baseline comes from the published conclusion: 4 of 12.
    assert!(
        (a["baseline"].as_f64().unwrap() - 4.0 / 12.0).abs() < 1e-9,
        "{a}"
    );
    let b = create(
        &w,
        &manager,
        &me,
        json!({ "findingIds": [finding], "baseline": 0.3 }),
    )
    .await;
    assert_eq!(b["baseline"], 0.3);
    let by_finding = w
        .app
        .ok(&manager, LIST, json!({ "f": { "findingId": finding } }))
        .await;
    assert_eq!(
        by_finding["improvementActions"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Finding.actions: both for the institution; for the public, only planned ones.
    let of_finding =
        "query($id:ID!){ conclusion(id:$id){ findings { id actions { id status ownerId } } } }";
    let actions_of = |d: &Value| {
        d["conclusion"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == finding)
            .unwrap()["actions"]
            .clone()
    };
    let d = w
        .app
        .ok(&manager, of_finding, json!({ "id": c["id"] }))
        .await;
    assert_eq!(actions_of(&d).as_array().unwrap().len(), 2);
    let d = w
        .app
        .ok(&Auth::None, of_finding, json!({ "id": c["id"] }))
        .await;
    assert_eq!(actions_of(&d), json!([]));
    mv(&w, &manager, &a["id"], "PLAN", None).await;
    let d = w
        .app
        .ok(&Auth::None, of_finding, json!({ "id": c["id"] }))
        .await;
    assert_eq!(
        actions_of(&d),
        json!([{ "id": a["id"], "status": "PLANNED", "ownerId": null }])
    );
    mv(&w, &manager, &a["id"], "CANCEL", Some("Давхардсан.")).await;
    assert_eq!(
        finding_state(&w, &sup, &finding).await,
        "ADDRESSED",
        "another action still addresses it"
    );
    mv(&w, &manager, &b["id"], "CANCEL", Some("Давхардсан.")).await;
    assert_eq!(finding_state(&w, &sup, &finding).await, "OPEN");
}

#[actix_web::test]
async fn the_public_reads_planned_actions_without_their_owner_or_notes_and_never_proposed_ones() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    another_ministry(&w).await;
    let (_, manager, staff) =
        move_to(&w, Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()).await;
    let outsider = w.app.token("m@mof.gov.mn", PASSWORD).await;
    let me = user_id(&w, &manager).await;
    let proposed = create(&w, &manager, &me, json!({})).await["id"].clone();
    let planned = create(&w, &manager, &me, json!({})).await["id"].clone();
    mv(&w, &manager, &planned, "PLAN", None).await;
    w.app
        .ok(&manager, PROGRESS, json!({ "id": planned, "i": { "day": "2026-12-01", "percent": 10, "note": "Дотоод тэмдэглэл", "evidence": ["https://gasr.gov.mn/plan.pdf"] } }))
        .await;
    for public in [&Auth::None, &outsider] {
        let l = w.app.ok(public, LIST, json!({})).await;
        let nodes = l["improvementActions"]["edges"].as_array().unwrap();
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0]["node"]["id"], planned);
        assert_eq!(nodes[0]["node"]["ownerId"], Value::Null);
        let one = w.app.ok(public, ONE, json!({ "id": planned })).await;
        assert_eq!(
            one["improvementAction"]["updates"],
            json!([{ "percent": 10, "note": null, "evidence": ["https://gasr.gov.mn/plan.pdf"] }])
        );
        assert_eq!(
            code(&w.app.gql(public, ONE, json!({ "id": proposed })).await),
            "NOT_FOUND"
        );
    }
    assert_eq!(
        code(
            &w.app
                .gql(&Auth::None, LIST, json!({ "f": { "ownerId": me } }))
                .await
        ),
        "FORBIDDEN"
    );
    // The institution's staff read both, with owner and notes.
    let l = w.app.ok(&staff, LIST, json!({})).await;
    assert_eq!(
        l["improvementActions"]["edges"].as_array().unwrap().len(),
        2
    );
    let one = w.app.ok(&staff, ONE, json!({ "id": planned })).await;
    assert_eq!(one["improvementAction"]["ownerId"], me.as_str());
    assert_eq!(
        one["improvementAction"]["updates"][0]["note"],
        "Дотоод тэмдэглэл"
    );
}

#[actix_web::test]
async fn overdue_actions_are_flagged_filtered_and_counted() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()).await;
    let me = user_id(&w, &manager).await;
    let soon = create(&w, &manager, &me, json!({ "dueDate": "2026-12-10" })).await["id"].clone();
    let done = create(&w, &manager, &me, json!({ "dueDate": "2026-12-10" })).await["id"].clone();
    create(&w, &manager, &me, json!({ "dueDate": "2027-06-30" })).await;
    for m in ["PLAN", "START", "COMPLETE"] {
        mv(&w, &manager, &done, m, None).await;
    }
    // 11 December, local time: the due date has passed.
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 10, 16, 30, 0).unwrap()).await;
    let l = w
        .app
        .ok(&manager, LIST, json!({ "f": { "overdue": true } }))
        .await;
    let nodes = l["improvementActions"]["edges"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["node"]["id"], soon);
    assert_eq!(nodes[0]["node"]["overdue"], true);
    let s = w
        .app
        .ok(
            &manager,
            STATS,
            json!({ "f": { "institutionId": w.agency } }),
        )
        .await["improvementActionStats"]
        .clone();
    assert_eq!(
        (s["total"].as_i64(), s["overdue"].as_i64()),
        (Some(3), Some(1))
    );
    let count = |status: &str| {
        s["byStatus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == status)
            .unwrap()["count"]
            .as_i64()
    };
    assert_eq!((count("PROPOSED"), count("COMPLETED")), (Some(2), Some(1)));
    let not = w
        .app
        .ok(&manager, LIST, json!({ "f": { "overdue": false } }))
        .await;
    assert_eq!(
        not["improvementActions"]["edges"].as_array().unwrap().len(),
        2
    );
}

#[actix_web::test]
async fn an_action_that_raised_the_top_box_share_improved_once_its_window_after_is_over() {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    // Before: 4 of 20 at the top (28 November).
    for i in 0..20 {
        let t = w.invite(&format!("B-{i}")).await;
        w.submit(&t, faces(if i < 4 { 3 } else { 1 }), None).await;
    }
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 11, 29, 3, 0, 0).unwrap()).await;
    let me = user_id(&w, &manager).await;
    let a = create(
        &w,
        &manager,
        &me,
        json!({ "windowBeforeDays": 7, "windowAfterDays": 7 }),
    )
    .await;
    let id = a["id"].clone();
    let b = create(
        &w,
        &manager,
        &me,
        json!({ "windowBeforeDays": 7, "windowAfterDays": 7,
        "metric": { "kind": "QUESTION", "subject": "no_such_question", "measure": "MEAN" } }),
    )
    .await;
    for action in [&id, &b["id"]] {
        mv(&w, &manager, action, "PLAN", None).await;
        mv(&w, &manager, action, "START", None).await;
        mv(&w, &manager, action, "COMPLETE", None).await;
    }
    // After: 16 of 20 at the top (30 November).
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap()).await;
    for i in 0..20 {
        let t = w.invite(&format!("A-{i}")).await;
        w.submit(&t, faces(if i < 16 { 3 } else { 1 }), None).await;
    }
    let effect = |d: Value| d["improvementAction"]["effect"].clone();
    let e = effect(w.app.ok(&manager, ONE, json!({ "id": id })).await);
    assert_eq!(e["status"], "PENDING", "{e}");
    assert_eq!(
        (e["nBefore"].as_i64(), e["nAfter"].as_i64()),
        (Some(20), Some(20))
    );
    assert_eq!(
        (
            e["beforeFrom"].as_str(),
            e["beforeTo"].as_str(),
            e["afterFrom"].as_str(),
            e["afterTo"].as_str()
        ),
        (
            Some("2026-11-22"),
            Some("2026-11-28"),
            Some("2026-11-30"),
            Some("2026-12-06")
        )
    );
    // The window after is over.
    let (sup, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).unwrap()).await;
    let e = effect(w.app.ok(&manager, ONE, json!({ "id": id })).await);
    assert_eq!(e["status"], "IMPROVED", "{e}");
    assert!((e["before"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    assert!((e["after"].as_f64().unwrap() - 0.8).abs() < 1e-9);
    assert!((e["difference"].as_f64().unwrap() - 0.6).abs() < 1e-9);
    // Pooled z = 0.6 / sqrt(.5·.5·(2/20)) = 3.7947; p = 0.000148.
    assert!(
        (e["pValue"].as_f64().unwrap() - 0.000148).abs() < 5e-6,
        "{e}"
    );
    assert!(e["low"].as_f64().unwrap() > 0.0 && e["high"].as_f64().unwrap() < 1.0);
    // The public reads the effect too.
    let public = effect(w.app.ok(&Auth::None, ONE, json!({ "id": id })).await);
    assert_eq!(public["status"], "IMPROVED");
    // A metric nobody answered has too little data.
    let e = effect(w.app.ok(&manager, ONE, json!({ "id": b["id"] })).await);
    assert_eq!(
        (e["status"].as_str(), e["nAfter"].as_i64()),
        (Some("INSUFFICIENT_DATA"), Some(0))
    );
    // Verifying keeps the effect; a planned action has none.
    mv(&w, &sup, &id, "VERIFY", None).await;
    let e = effect(w.app.ok(&manager, ONE, json!({ "id": id })).await);
    assert_eq!(e["status"], "IMPROVED");
}
