//! NGO evaluations: from draft to published (returned on the way), scored on the
//! rubric, frozen and hashed, corrected by revisions, blocked by declared ties
//! until waived, answered officially by the institution, and what each role may
//! see and do.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

const NATIONAL: &str = "53414e41-4c00-4000-9000-000000000001";
const START: &str =
    "mutation($i:StartEvaluationInput!){ startNgoEvaluation(input:$i){ id status declaredTies } }";
const EDIT: &str = "mutation($id:ID!,$c:EvaluationContentInput!){ editNgoEvaluation(id:$id, content:$c){ id criteria { key score } } }";
const SUBMIT: &str = "mutation($id:ID!){ submitNgoEvaluation(id:$id){ status score score100 } }";
const RETURN: &str = "mutation($id:ID!,$c:String!){ returnNgoEvaluation(id:$id, comment:$c){ status returnComment } }";
const PUBLISH: &str =
    "mutation($id:ID!){ publishNgoEvaluation(id:$id){ status contentHash responseDue } }";
const ONE: &str = "query($id:ID!){ ngoEvaluation(id:$id){ id status score score100 contentHash declaredTies ties waiverReason returnComment responseDue responseOverdue revision supersedesId changeNote recommendations { index text decision reason actionId } response { role text { mn } } } }";
const RESPOND: &str = "mutation($id:ID!,$i:EvaluationResponseInput!){ respondToNgoEvaluation(id:$id, input:$i){ response { role } recommendations { decision actionId } } }";

fn ok<'a>(d: &'a Value, field: &str) -> &'a Value {
    assert!(d["errors"].is_null(), "{d}");
    &d["data"][field]
}

fn field(d: &Value) -> &str {
    d["errors"][0]["extensions"]["invalid"][0]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

/// A world with a supervisor, an NGO accredited through 2027 with a reviewer, and
/// a second NGO (suspended) with its own reviewer.
struct Ngos {
    w: SurveyWorld,
    sup: Auth,
    reviewer: Auth,
    other_reviewer: Auth,
    ngo: String,
}

async fn reviewer_of(w: &SurveyWorld, email: &str, ngo: &str) -> Auth {
    w.app
        .ok(
            &w.admin,
            "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
            json!({ "i": { "email": email, "displayName": "Үнэлгээч", "password": PASSWORD, "assignments": [{ "role": "NGO_REVIEWER", "ngoId": ngo }] } }),
        )
        .await;
    w.app.token(email, PASSWORD).await
}

async fn ngo(w: &SurveyWorld, sup: &Auth, number: &str, accredit: bool) -> String {
    let d = w
        .app
        .ok(
            &w.admin,
            "mutation($i:RegisterNgoInput!){ registerNgo(input:$i){ id } }",
            json!({ "i": { "name": { "mn": format!("ТББ {number}") }, "registrationNumber": number } }),
        )
        .await;
    let id = d["registerNgo"]["id"].as_str().unwrap().to_owned();
    if accredit {
        w.app
            .ok(
                sup,
                "mutation($id:ID!){ accreditNgo(id:$id, from:\"2026-11-01\", until:\"2027-12-31\", note:\"Аргачлал хангалттай.\"){ id } }",
                json!({ "id": id }),
            )
            .await;
    }
    id
}

async fn world() -> Ngos {
    let w = SurveyWorld::new("FACES_3").await;
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let id = ngo(&w, &sup, "7000001", true).await;
    let other = ngo(&w, &sup, "7000002", true).await;
    w.app
        .ok(
            &sup,
            "mutation($id:ID!){ suspendNgo(id:$id, reason:\"Шалгалт явагдаж байна.\"){ id } }",
            json!({ "id": other }),
        )
        .await;
    let reviewer = reviewer_of(&w, "r@watch.mn", &id).await;
    let other_reviewer = reviewer_of(&w, "r@other.mn", &other).await;
    Ngos {
        w,
        sup,
        reviewer,
        other_reviewer,
        ngo: id,
    }
}

fn start_input(n: &Ngos, ties: Option<&str>) -> Value {
    json!({ "i": {
        "institutionId": n.w.agency,
        "serviceIds": [n.w.service],
        "servicePointIds": [n.w.point],
        "rubricId": NATIONAL,
        "periodStart": "2026-10-01",
        "periodEnd": "2026-10-31",
        "ties": ties,
    } })
}

fn content(n: &Ngos) -> Value {
    json!({
        "criteria": [
            { "key": "quality", "score": 4, "evidence": "Стандарт мөрдөгдсөн.", "links": ["https://watch.mn/report/1"] },
            { "key": "availability", "score": 3, "evidence": "Дараалал урт." },
            { "key": "transparency", "score": 5 },
            { "key": "openness", "score": null, "evidence": "Үнэлээгүй." },
            { "key": "responsiveness", "score": 2 },
            { "key": "accessibility", "score": 4 },
        ],
        "observations": [{ "servicePointId": n.w.point, "text": "Налуу зам байхгүй." }],
        "methods": [{ "kind": "MYSTERY_SHOPPING", "from": "2026-10-05", "to": "2026-10-20", "servicePointIds": [n.w.point], "sampleSize": 12 }],
        "summary": "Үйлчилгээ дундаж, хүртээмж сайжрах шаардлагатай.",
        "recommendations": [
            { "text": "Налуу зам барих.", "priority": "HIGH" },
            { "text": "Дарааллын системтэй болох.", "priority": "MEDIUM" },
        ],
    })
}

async fn started(n: &Ngos, ties: Option<&str>) -> Value {
    let r = n.w.app.gql(&n.reviewer, START, start_input(n, ties)).await;
    ok(&r, "startNgoEvaluation")["id"].clone()
}

async fn published(n: &Ngos) -> Value {
    let id = started(n, None).await;
    n.w.app
        .ok(&n.reviewer, EDIT, json!({ "id": id, "c": content(n) }))
        .await;
    n.w.app.ok(&n.reviewer, SUBMIT, json!({ "id": id })).await;
    n.w.app.ok(&n.sup, PUBLISH, json!({ "id": id })).await;
    id
}

#[actix_web::test]
async fn an_evaluation_goes_from_draft_to_published_scored_frozen_and_hashed() {
    let n = world().await;
    let id = started(&n, None).await;
    let r =
        n.w.app
            .gql(&n.reviewer, EDIT, json!({ "id": id, "c": content(&n) }))
            .await;
    assert_eq!(
        ok(&r, "editNgoEvaluation")["criteria"][3],
        json!({ "key": "openness", "score": null })
    );
    // Nobody outside the NGO and the supervisors sees a draft.
    for who in [&Auth::None, &n.w.manager, &n.other_reviewer] {
        let r = n.w.app.gql(who, ONE, json!({ "id": id })).await;
        assert_eq!(code(&r), "NOT_FOUND");
    }
    let r = n.w.app.gql(&n.reviewer, SUBMIT, json!({ "id": id })).await;
    let s = ok(&r, "submitNgoEvaluation");
    assert_eq!(s["status"], "SUBMITTED");
    // (0.2·4 + 0.2·3 + 0.15·5 + 0.15·2 + 0.15·4) / 0.85 = 3.5882… → 64.71.
    let score = s["score"].as_f64().unwrap();
    assert!((score - 3.05 / 0.85).abs() < 1e-9, "{score}");
    assert!((s["score100"].as_f64().unwrap() - (3.05 / 0.85 - 1.0) * 25.0).abs() < 1e-9);
    // Returned with comments, edited, submitted again.
    let r =
        n.w.app
            .gql(
                &n.w.manager,
                RETURN,
                json!({ "id": id, "c": "Хувийн мэдээлэл байна." }),
            )
            .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r =
        n.w.app
            .gql(
                &n.sup,
                RETURN,
                json!({ "id": id, "c": "Хувийн мэдээлэл байна, засна уу." }),
            )
            .await;
    assert_eq!(ok(&r, "returnNgoEvaluation")["status"], "RETURNED");
    let r = n.w.app.gql(&n.sup, PUBLISH, json!({ "id": id })).await;
    assert_eq!(code(&r), "CONFLICT");
    n.w.app
        .ok(&n.reviewer, EDIT, json!({ "id": id, "c": content(&n) }))
        .await;
    n.w.app.ok(&n.reviewer, SUBMIT, json!({ "id": id })).await;
    let r = n.w.app.gql(&n.sup, PUBLISH, json!({ "id": id })).await;
    let p = ok(&r, "publishNgoEvaluation");
    assert_eq!(p["status"], "PUBLISHED");
    assert_eq!(p["contentHash"].as_str().unwrap().len(), 64);
    assert_eq!(p["responseDue"], "2026-12-28");
    // Everyone reads it now, without the return comment; nothing changes it.
    let r = n.w.app.gql(&Auth::None, ONE, json!({ "id": id })).await;
    let v = ok(&r, "ngoEvaluation");
    assert_eq!(v["status"], "PUBLISHED");
    assert_eq!(v["returnComment"], Value::Null);
    assert_eq!(v["declaredTies"], false);
    let r =
        n.w.app
            .gql(&n.reviewer, EDIT, json!({ "id": id, "c": content(&n) }))
            .await;
    assert_eq!(code(&r), "CONFLICT");
    let r =
        n.w.app
            .gql(
                &n.reviewer,
                "mutation($id:ID!){ withdrawNgoEvaluation(id:$id){ status } }",
                json!({ "id": id }),
            )
            .await;
    assert_eq!(code(&r), "CONFLICT");
    let list = n
        .w
        .app
        .ok(
            &Auth::None,
            "query($i:ID!){ ngoEvaluations(filter:{institutionId:$i}){ edges { node { id } } } }",
            json!({ "i": n.w.agency }),
        )
        .await;
    assert_eq!(list["ngoEvaluations"]["edges"].as_array().unwrap().len(), 1);
    // Beside the citizens' own figures of the scope and period: the independent voice.
    let report = "query($s:ReportScopeInput!,$p:PeriodInput!){ satisfactionReport(scope:$s, period:$p){ ngoEvaluations { id score100 criteria { key score } } } }";
    for scope in [
        json!({ "kind": "INSTITUTION", "id": n.w.ministry }),
        json!({ "kind": "SERVICE", "id": n.w.service }),
    ] {
        let r =
            n.w.app
                .ok(
                    &n.w.manager,
                    report,
                    json!({ "s": scope, "p": { "kind": "MONTH", "start": "2026-10-01" } }),
                )
                .await;
        let evs = r["satisfactionReport"]["ngoEvaluations"]
            .as_array()
            .unwrap();
        assert_eq!(evs.len(), 1, "{scope}");
        assert_eq!(evs[0]["id"], id);
        assert_eq!(
            evs[0]["criteria"][0],
            json!({ "key": "quality", "score": 4 })
        );
    }
    let r = n
        .w
        .app
        .ok(&n.w.manager, report, json!({ "s": { "kind": "INSTITUTION", "id": n.w.ministry }, "p": { "kind": "MONTH", "start": "2026-09-01" } }))
        .await;
    assert_eq!(r["satisfactionReport"]["ngoEvaluations"], json!([]));
}

#[actix_web::test]
async fn a_correction_is_a_new_revision_that_says_what_changed() {
    let n = world().await;
    let id = published(&n).await;
    let revise = "mutation($id:ID!,$c:String!){ reviseNgoEvaluation(id:$id, changeNote:$c){ id status revision supersedesId } }";
    let r =
        n.w.app
            .gql(
                &n.reviewer,
                revise,
                json!({ "id": id, "c": "Хүртээмжийн оноог зассан." }),
            )
            .await;
    let rev = ok(&r, "reviseNgoEvaluation").clone();
    assert_eq!(
        (rev["status"].as_str(), rev["revision"].as_i64()),
        (Some("DRAFT"), Some(2))
    );
    assert_eq!(rev["supersedesId"], id);
    let r =
        n.w.app
            .gql(
                &n.reviewer,
                revise,
                json!({ "id": id, "c": "Дахин засвар хийлээ." }),
            )
            .await;
    assert_eq!(code(&r), "CONFLICT");
    let mut c = content(&n);
    c["criteria"][5]["score"] = json!(5);
    n.w.app
        .ok(&n.reviewer, EDIT, json!({ "id": rev["id"], "c": c }))
        .await;
    n.w.app
        .ok(&n.reviewer, SUBMIT, json!({ "id": rev["id"] }))
        .await;
    let a =
        n.w.app
            .ok(&n.sup, PUBLISH, json!({ "id": rev["id"] }))
            .await;
    let first = n.w.app.ok(&Auth::None, ONE, json!({ "id": id })).await;
    assert_ne!(
        a["publishNgoEvaluation"]["contentHash"],
        first["ngoEvaluation"]["contentHash"]
    );
    let second =
        n.w.app
            .ok(&Auth::None, ONE, json!({ "id": rev["id"] }))
            .await;
    assert_eq!(
        second["ngoEvaluation"]["changeNote"],
        "Хүртээмжийн оноог зассан."
    );
}

#[actix_web::test]
async fn declared_ties_block_submission_until_a_supervisor_waives_them() {
    let n = world().await;
    let id = started(&n, Some("Манай гишүүн тус агентлагт ажилладаг.")).await;
    n.w.app
        .ok(&n.reviewer, EDIT, json!({ "id": id, "c": content(&n) }))
        .await;
    let r = n.w.app.gql(&n.reviewer, SUBMIT, json!({ "id": id })).await;
    assert_eq!(code(&r), "CONFLICT");
    let waive =
        "mutation($id:ID!,$r:String!){ waiveNgoEvaluationTies(id:$id, reason:$r){ waiverReason } }";
    let why = "Тухайн гишүүн үнэлгээнд оролцоогүй.";
    let r =
        n.w.app
            .gql(&n.reviewer, waive, json!({ "id": id, "r": why }))
            .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r =
        n.w.app
            .gql(&n.sup, waive, json!({ "id": id, "r": why }))
            .await;
    assert_eq!(ok(&r, "waiveNgoEvaluationTies")["waiverReason"], why);
    n.w.app.ok(&n.reviewer, SUBMIT, json!({ "id": id })).await;
    n.w.app.ok(&n.sup, PUBLISH, json!({ "id": id })).await;
    // The declaration and the waiver are part of what is published.
    let v = n.w.app.ok(&Auth::None, ONE, json!({ "id": id })).await;
    assert_eq!(
        v["ngoEvaluation"]["ties"],
        "Манай гишүүн тус агентлагт ажилладаг."
    );
    assert_eq!(v["ngoEvaluation"]["waiverReason"], why);
}

#[actix_web::test]
async fn only_an_accredited_ngos_reviewers_evaluate_and_bad_content_is_refused() {
    let n = world().await;
    // A suspended NGO starts nothing; an institution's manager neither.
    let r =
        n.w.app
            .gql(&n.other_reviewer, START, start_input(&n, None))
            .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r =
        n.w.app
            .gql(&n.w.manager, START, start_input(&n, None))
            .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let id = started(&n, None).await;
    // Another NGO's reviewer and the institution cannot touch the draft.
    let r =
        n.w.app
            .gql(
                &n.other_reviewer,
                EDIT,
                json!({ "id": id, "c": content(&n) }),
            )
            .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let r =
        n.w.app
            .gql(&n.w.manager, EDIT, json!({ "id": id, "c": content(&n) }))
            .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let bad = |path: &str, v: Value| {
        let mut c = content(&n);
        let parts: Vec<&str> = path.split('.').collect();
        let mut at = &mut c;
        for p in &parts[..parts.len() - 1] {
            at = match p.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*p],
            };
        }
        at[parts[parts.len() - 1]] = v;
        c
    };
    for (c, f) in [
        (bad("criteria.0.score", json!(6)), "criteria.score"),
        (bad("criteria.0.score", json!(0)), "criteria.score"),
        (
            bad("criteria.0.links", json!(["http://watch.mn"])),
            "criteria.links",
        ),
        (bad("criteria.0.key", json!("speed")), "criteria.key"),
        (
            bad(
                "observations.0.servicePointId",
                json!(uuid::Uuid::new_v4().to_string()),
            ),
            "observations.servicePointId",
        ),
        (bad("methods.0.sampleSize", json!(0)), "methods.sampleSize"),
    ] {
        let r =
            n.w.app
                .gql(&n.reviewer, EDIT, json!({ "id": id, "c": c }))
                .await;
        assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", f), "{r}");
    }
    // Nothing assessed: no submission.
    let r = n.w.app.gql(&n.reviewer, SUBMIT, json!({ "id": id })).await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "criteria"));
    // Once the accreditation lapses, the NGO submits nothing more.
    n.w.app
        .ok(&n.reviewer, EDIT, json!({ "id": id, "c": content(&n) }))
        .await;
    n.w.app
        .clock
        .set(Utc.with_ymd_and_hms(2028, 1, 1, 2, 0, 0).unwrap());
    let reviewer = n.w.app.token("r@watch.mn", PASSWORD).await;
    let r = n.w.app.gql(&reviewer, SUBMIT, json!({ "id": id })).await;
    assert_eq!(code(&r), "FORBIDDEN");
}

#[actix_web::test]
async fn the_institution_responds_once_to_each_recommendation_and_a_late_response_is_flagged() {
    let n = world().await;
    let mof = another_ministry(&n.w).await;
    let _ = mof;
    let id = published(&n).await;
    let late = published(&n).await;
    let me = n.w.app.ok(&n.w.manager, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let action = n
        .w
        .app
        .ok(&n.w.manager, "mutation($i:CreateImprovementActionInput!){ createImprovementAction(input:$i){ id } }",
            json!({ "i": { "institutionId": n.w.agency, "title": { "mn": "Налуу зам" }, "description": { "mn": "Барина." }, "ownerId": me, "dueDate": "2027-06-30" } }))
        .await["createImprovementAction"]["id"]
        .clone();
    let text = json!({ "mn": "Зөвлөмжийг хүлээн авлаа." });
    let answers = |second: Value| {
        json!({ "id": id, "i": { "text": text, "recommendations": [
        { "index": 0, "decision": "ACCEPTED", "actionId": action },
        second,
    ] } })
    };
    // Staff, another ministry's manager and the NGO cannot answer for the institution.
    let staff_free = json!({ "index": 1, "decision": "PARTIALLY_ACCEPTED" });
    let other = n.w.app.token("m@mof.gov.mn", PASSWORD).await;
    let r =
        n.w.app
            .gql(&other, RESPOND, answers(staff_free.clone()))
            .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let r =
        n.w.app
            .gql(&n.reviewer, RESPOND, answers(staff_free.clone()))
            .await;
    assert_eq!(code(&r), "FORBIDDEN");
    // Every recommendation, once; a rejection says why.
    let r = n.w.app.gql(&n.w.manager, RESPOND, json!({ "id": id, "i": { "text": text, "recommendations": [{ "index": 0, "decision": "ACCEPTED" }] } })).await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "recommendations"));
    let r =
        n.w.app
            .gql(
                &n.w.manager,
                RESPOND,
                answers(json!({ "index": 1, "decision": "REJECTED" })),
            )
            .await;
    assert_eq!(
        (code(&r), field(&r)),
        ("BAD_USER_INPUT", "recommendations.reason")
    );
    let r = n
        .w
        .app
        .gql(&n.w.manager, RESPOND, answers(json!({ "index": 1, "decision": "REJECTED", "reason": "Төсөв батлагдаагүй байна." })))
        .await;
    let v = ok(&r, "respondToNgoEvaluation");
    assert_eq!(v["response"]["role"], "INSTITUTION_MANAGER");
    assert_eq!(
        v["recommendations"][0],
        json!({ "decision": "ACCEPTED", "actionId": action })
    );
    let r =
        n.w.app
            .gql(&n.w.manager, RESPOND, answers(staff_free))
            .await;
    assert_eq!(code(&r), "CONFLICT");
    // The action that carries the recommendation out names the evaluation among its origins.
    let origins =
        n.w.app
            .ok(
                &n.w.manager,
                "query($id:ID!){ improvementAction(id:$id){ origins { kind id } } }",
                json!({ "id": action }),
            )
            .await;
    assert_eq!(
        origins["improvementAction"]["origins"],
        json!([{ "kind": "NGO_EVALUATION", "id": id }])
    );
    // The public reads the response with the evaluation.
    let p = n.w.app.ok(&Auth::None, ONE, json!({ "id": id })).await;
    assert_eq!(
        p["ngoEvaluation"]["recommendations"][1]["reason"],
        "Төсөв батлагдаагүй байна."
    );
    // 31 days on, the unanswered one is overdue.
    n.w.app.clock.set(n.w.now() + Duration::days(31));
    let v = n.w.app.ok(&Auth::None, ONE, json!({ "id": late })).await;
    assert_eq!(v["ngoEvaluation"]["responseOverdue"], true);
    let v = n.w.app.ok(&Auth::None, ONE, json!({ "id": id })).await;
    assert_eq!(v["ngoEvaluation"]["responseOverdue"], false);
    // A withdrawn evaluation takes no response.
    let reviewer = n.w.app.token("r@watch.mn", PASSWORD).await;
    let manager = n.w.app.token("manager@moj.gov.mn", PASSWORD).await;
    let w_id = {
        let r = n.w.app.gql(&reviewer, START, start_input(&n, None)).await;
        ok(&r, "startNgoEvaluation")["id"].clone()
    };
    n.w.app
        .ok(
            &reviewer,
            "mutation($id:ID!){ withdrawNgoEvaluation(id:$id){ status } }",
            json!({ "id": w_id }),
        )
        .await;
    let r =
        n.w.app
            .gql(
                &manager,
                RESPOND,
                json!({ "id": w_id, "i": { "text": text } }),
            )
            .await;
    assert_eq!(code(&r), "CONFLICT");
    let _ = &n.ngo;
}

#[actix_web::test]
async fn an_accredited_ngo_verifies_a_completed_action_beside_the_supervisor_without_moving_it() {
    let n = world().await;
    let me = n.w.app.ok(&n.w.manager, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let create =
        "mutation($i:CreateImprovementActionInput!){ createImprovementAction(input:$i){ id } }";
    let input = json!({ "i": { "institutionId": n.w.agency, "title": { "mn": "Налуу зам" }, "description": { "mn": "Барина." }, "ownerId": me, "dueDate": "2027-06-30" } });
    let action =
        n.w.app.ok(&n.w.manager, create, input.clone()).await["createImprovementAction"]["id"]
            .clone();
    let verify = "mutation($a:ID!,$i:VerifyActionInput!){ verifyActionAsNgo(actionId:$a, input:$i){ ngoId confirmed visitedOn links } }";
    let vars = |links: Value, day: &str| json!({ "a": action, "i": { "confirmed": true, "evidence": "Налуу зам баригдсаныг газар дээр нь үзсэн.", "links": links, "visitedOn": day } });
    // Not completed yet: nothing to verify.
    let r =
        n.w.app
            .gql(&n.reviewer, verify, vars(json!([]), "2026-11-28"))
            .await;
    assert_eq!(code(&r), "CONFLICT");
    let mv = "mutation($id:ID!,$m:ActionMove!){ moveImprovementAction(id:$id, move:$m){ status } }";
    for m in ["PLAN", "START", "COMPLETE"] {
        n.w.app
            .ok(&n.w.manager, mv, json!({ "id": action, "m": m }))
            .await;
    }
    for (who, want) in [
        (&n.w.manager, "FORBIDDEN"),
        (&n.other_reviewer, "FORBIDDEN"),
        (&Auth::None, "UNAUTHENTICATED"),
    ] {
        let r =
            n.w.app
                .gql(who, verify, vars(json!([]), "2026-11-28"))
                .await;
        assert_eq!(code(&r), want);
    }
    let r =
        n.w.app
            .gql(
                &n.reviewer,
                verify,
                vars(json!(["http://x.mn"]), "2026-11-28"),
            )
            .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "links"));
    let r =
        n.w.app
            .gql(&n.reviewer, verify, vars(json!([]), "2026-11-29"))
            .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "visitedOn"));
    let r =
        n.w.app
            .gql(
                &n.reviewer,
                verify,
                vars(json!(["https://watch.mn/visit/1"]), "2026-11-28"),
            )
            .await;
    assert_eq!(ok(&r, "verifyActionAsNgo")["confirmed"], true);
    let r =
        n.w.app
            .gql(&n.reviewer, verify, vars(json!([]), "2026-11-28"))
            .await;
    assert_eq!(code(&r), "CONFLICT");
    // The action is still COMPLETED; anyone sees the NGO's verification on it.
    let a = n
        .w
        .app
        .ok(&Auth::None, "query($id:ID!){ improvementAction(id:$id){ status ngoVerifications { ngoId confirmed visitedOn } } }", json!({ "id": action }))
        .await;
    assert_eq!(a["improvementAction"]["status"], "COMPLETED");
    assert_eq!(
        a["improvementAction"]["ngoVerifications"],
        json!([{ "ngoId": n.ngo, "confirmed": true, "visitedOn": "2026-11-28" }])
    );
}

#[actix_web::test]
async fn a_conclusion_lists_the_published_evaluations_of_its_scope_and_period() {
    let n = world().await;
    let token = n.w.invite("EV-1").await;
    n.w.submit(&token, faces(4), None).await;
    let mut input = start_input(&n, None);
    input["i"]["periodStart"] = json!("2026-11-01");
    input["i"]["periodEnd"] = json!("2026-11-30");
    let r = n.w.app.gql(&n.reviewer, START, input).await;
    let id = ok(&r, "startNgoEvaluation")["id"].clone();
    n.w.app
        .ok(&n.reviewer, EDIT, json!({ "id": id, "c": content(&n) }))
        .await;
    n.w.app.ok(&n.reviewer, SUBMIT, json!({ "id": id })).await;
    n.w.app.ok(&n.sup, PUBLISH, json!({ "id": id })).await;
    n.w.app
        .clock
        .set(Utc.with_ymd_and_hms(2026, 12, 10, 0, 0, 0).unwrap());
    let sup = n.w.app.token("sup@aogs.gov.mn", PASSWORD).await;
    n.w.app.ok(&sup, CLOSE, json!({})).await;
    let q = "query($s:ID!){ conclusions(filter:{scope: INSTITUTION, scopeId:$s}){ edges { node { periodLabel ngoEvaluations { id score100 } } } } }";
    let d = n.w.app.ok(&sup, q, json!({ "s": n.w.agency })).await;
    let nodes = d["conclusions"]["edges"].as_array().unwrap();
    assert_eq!(nodes.len(), 1, "{d}");
    assert_eq!(nodes[0]["node"]["periodLabel"], "2026-11");
    assert_eq!(nodes[0]["node"]["ngoEvaluations"][0]["id"], id);
}
