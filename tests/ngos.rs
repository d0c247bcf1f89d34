//! NGOs: registration, accreditation decisions and their validity at the
//! boundaries, membership (lead reviewers; never an institution's officer), and
//! the versioned rubrics with the seeded national one.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

const REGISTER: &str = "mutation($i:RegisterNgoInput!){ registerNgo(input:$i){ id status mayEvaluate registrationNumber } }";
const ACCREDIT: &str = "mutation($id:ID!,$f:Date!,$u:Date!,$n:String!){ accreditNgo(id:$id, from:$f, until:$u, note:$n){ status mayEvaluate accreditedFrom accreditedUntil decisionNote } }";
const SUSPEND: &str =
    "mutation($id:ID!,$r:String!){ suspendNgo(id:$id, reason:$r){ status mayEvaluate } }";
const WITHDRAW: &str = "mutation($id:ID!,$r:String!){ withdrawNgoAccreditation(id:$id, reason:$r){ status mayEvaluate } }";
const NGOS: &str = "{ ngos { edges { node { id status mayEvaluate } } } }";
const ADD: &str =
    "mutation($n:ID!,$u:ID!,$l:Boolean){ addNgoMember(ngoId:$n, userId:$u, lead:$l) }";

fn ok<'a>(d: &'a Value, field: &str) -> &'a Value {
    assert!(d["errors"].is_null(), "{d}");
    &d["data"][field]
}

fn field(d: &Value) -> &str {
    d["errors"][0]["extensions"]["invalid"][0]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

async fn register(app: &TestApp, auth: &Auth, number: &str) -> String {
    let r = app
        .gql(
            auth,
            REGISTER,
            json!({ "i": { "name": { "mn": "Иргэдийн хяналт ТББ", "en": "Citizens' Watch NGO" }, "registrationNumber": number, "contactEmail": "info@watch.mn", "website": "https://watch.mn" } }),
        )
        .await;
    ok(&r, "registerNgo")["id"].as_str().unwrap().to_owned()
}

async fn user_id(app: &TestApp, auth: &Auth) -> String {
    app.ok(auth, "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn a_supervisor_accredits_an_ngo_whose_validity_holds_from_its_first_to_its_last_day() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let sup = app
        .user_with_role(&admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let manager_inst = app.create_institution(&admin, "MOJ", None).await;
    let manager = app
        .user_with_role(
            &admin,
            "m@moj.gov.mn",
            "INSTITUTION_MANAGER",
            Some(&manager_inst),
        )
        .await;
    // ADMIN and SUPERVISOR register; an institution's manager cannot.
    let r = app
        .gql(
            &manager,
            REGISTER,
            json!({ "i": { "name": { "mn": "ТББ" }, "registrationNumber": "9000001" } }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let id = register(&app, &sup, "9000001").await;
    let r = app
        .gql(
            &admin,
            REGISTER,
            json!({ "i": { "name": { "mn": "Давхар" }, "registrationNumber": "9000001" } }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    let r = app
        .gql(&admin, REGISTER, json!({ "i": { "name": { "mn": "ТББ" }, "registrationNumber": "9000002", "website": "http://watch.mn" } }))
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "website"));
    // Registered is not accredited: the public does not list it.
    let r = app.gql(&Auth::None, NGOS, json!({})).await;
    assert_eq!(ok(&r, "ngos")["edges"], json!([]));
    // Only a SUPERVISOR accredits, with a note, for a period.
    let vars = json!({ "id": id, "f": "2026-12-01", "u": "2027-11-30", "n": "Аргачлал, туршлага хангалттай." });
    let r = app.gql(&admin, ACCREDIT, vars.clone()).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = app
        .gql(
            &sup,
            ACCREDIT,
            json!({ "id": id, "f": "2027-12-01", "u": "2027-11-30", "n": "Аргачлал хангалттай." }),
        )
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "until"));
    let r = app.gql(&sup, ACCREDIT, vars).await;
    let n = ok(&r, "accreditNgo");
    assert_eq!(n["status"], "ACCREDITED");
    assert_eq!(n["accreditedFrom"], "2026-12-01");
    // 2026-11-28 (the test clock): not yet valid.
    assert_eq!(n["mayEvaluate"], false);
    let r = app.gql(&Auth::None, NGOS, json!({})).await;
    assert_eq!(ok(&r, "ngos")["edges"], json!([]));
    // The first day (Ulaanbaatar time) it holds; the last day too; the day after not.
    for (at, may) in [
        (
            Utc.with_ymd_and_hms(2026, 11, 30, 15, 59, 0).unwrap(),
            false,
        ),
        (Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap(), true),
        (Utc.with_ymd_and_hms(2027, 11, 30, 15, 59, 0).unwrap(), true),
        (Utc.with_ymd_and_hms(2027, 11, 30, 16, 0, 0).unwrap(), false),
    ] {
        app.clock.set(at);
        let r = app
            .gql(
                &Auth::None,
                "query($id:ID!){ ngo(id:$id){ mayEvaluate } }",
                json!({ "id": id }),
            )
            .await;
        if may {
            assert_eq!(ok(&r, "ngo")["mayEvaluate"], true, "{at}");
        } else {
            assert_eq!(code(&r), "NOT_FOUND", "{at}");
        }
    }
    // Suspended, then withdrawn: each with a reason; a second suspension conflicts.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 1, 2, 0, 0).unwrap());
    let sup = app.token("sup@aogs.gov.mn", PASSWORD).await;
    let r = app
        .gql(&sup, SUSPEND, json!({ "id": id, "r": "short" }))
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "reason"));
    let r = app
        .gql(
            &sup,
            SUSPEND,
            json!({ "id": id, "r": "Ашиг сонирхлын зөрчил шалгагдаж байна." }),
        )
        .await;
    assert_eq!(
        ok(&r, "suspendNgo"),
        &json!({ "status": "SUSPENDED", "mayEvaluate": false })
    );
    let r = app
        .gql(
            &sup,
            SUSPEND,
            json!({ "id": id, "r": "Ашиг сонирхлын зөрчил дахин." }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    let r = app
        .gql(
            &sup,
            WITHDRAW,
            json!({ "id": id, "r": "Зөрчил нотлогдсон тул эрх цуцлав." }),
        )
        .await;
    assert_eq!(ok(&r, "withdrawNgoAccreditation")["status"], "WITHDRAWN");
    // Every decision is in the audit log.
    let log = app
        .ok(
            &sup,
            "query($t:ID!){ auditLog(filter:{targetId:$t}){ edges { node { action details } } } }",
            json!({ "t": id }),
        )
        .await;
    let decisions = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["action"] == "NGO_ACCREDITATION")
        .count();
    assert_eq!(decisions, 3);
}

#[actix_web::test]
async fn a_lead_reviewer_adds_members_of_their_ngo_but_never_an_institutions_officer() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let watch = register(&app, &admin, "9000010").await;
    let other = register(&app, &admin, "9000011").await;
    let inst = app.create_institution(&admin, "MOJ", None).await;
    // A reviewer of an NGO that does not exist is refused.
    let r = app
        .gql(
            &admin,
            "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
            json!({ "i": { "email": "x@ngo.mn", "displayName": "X", "password": PASSWORD, "assignments": [{ "role": "NGO_REVIEWER", "ngoId": uuid::Uuid::new_v4().to_string() }] } }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let lead_user = app
        .user_with_role(&admin, "citizen.lead@mail.mn", "CITIZEN", None)
        .await;
    let lead_id = user_id(&app, &lead_user).await;
    let member = app
        .user_with_role(&admin, "citizen.member@mail.mn", "CITIZEN", None)
        .await;
    let member_id = user_id(&app, &member).await;
    let officer = app
        .user_with_role(
            &admin,
            "officer@moj.gov.mn",
            "INSTITUTION_STAFF",
            Some(&inst),
        )
        .await;
    let officer_id = user_id(&app, &officer).await;
    // Only ADMIN names a lead.
    app.ok(&admin, ADD, json!({ "n": watch, "u": lead_id, "l": true }))
        .await;
    let lead = app.token("citizen.lead@mail.mn", PASSWORD).await;
    let r = app
        .gql(&lead, ADD, json!({ "n": watch, "u": member_id, "l": true }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = app
        .gql(&lead, ADD, json!({ "n": watch, "u": member_id }))
        .await;
    assert_eq!(ok(&r, "addNgoMember"), true);
    // Not for another NGO; never an institution's officer; never twice.
    let r = app
        .gql(&lead, ADD, json!({ "n": other, "u": member_id }))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let r = app
        .gql(&lead, ADD, json!({ "n": watch, "u": officer_id }))
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "userId"));
    let r = app
        .gql(&admin, ADD, json!({ "n": other, "u": member_id }))
        .await;
    assert_eq!(code(&r), "CONFLICT");
    // A plain member manages nobody; the lead removes them.
    let member = app.token("citizen.member@mail.mn", PASSWORD).await;
    let r = app
        .gql(&member, ADD, json!({ "n": watch, "u": lead_id }))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let rm = "mutation($n:ID!,$u:ID!){ removeNgoMember(ngoId:$n, userId:$u) }";
    let r = app
        .gql(&lead, rm, json!({ "n": watch, "u": member_id }))
        .await;
    assert_eq!(ok(&r, "removeNgoMember"), true);
    let r = app
        .gql(&lead, rm, json!({ "n": watch, "u": member_id }))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    // A reviewer sees their own NGO even before it is accredited.
    let r = app
        .gql(
            &lead,
            "query($id:ID!){ ngo(id:$id){ status } }",
            json!({ "id": watch }),
        )
        .await;
    assert_eq!(ok(&r, "ngo")["status"], "REGISTERED");
    let r = app
        .gql(
            &lead,
            "query($id:ID!){ ngo(id:$id){ status } }",
            json!({ "id": other }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
}

#[actix_web::test]
async fn the_national_rubric_is_there_and_a_published_version_never_changes() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let sup = app
        .user_with_role(&admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let r = app
        .gql(
            &Auth::None,
            "{ rubrics { id key version status criteria { key weight levels { score } } } }",
            json!({}),
        )
        .await;
    let rubrics = ok(&r, "rubrics").as_array().unwrap().clone();
    assert_eq!(rubrics.len(), 1);
    let national = &rubrics[0];
    assert_eq!(
        (national["key"].as_str(), national["version"].as_i64()),
        (Some("national"), Some(1))
    );
    let keys: Vec<&str> = national["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "quality",
            "availability",
            "transparency",
            "openness",
            "responsiveness",
            "accessibility"
        ]
    );
    let weights: f64 = national["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["weight"].as_f64().unwrap())
        .sum();
    assert!((weights - 1.0).abs() < 1e-9);
    assert_eq!(
        national["criteria"][0]["levels"].as_array().unwrap().len(),
        5
    );
    // A change is a new version, drafted and published by a SUPERVISOR.
    let level = |n: i32| json!({ "mn": format!("Түвшин {n}") });
    let crit = |key: &str, w: f64| json!({ "key": key, "name": { "mn": key }, "description": { "mn": "Тайлбар" }, "levels": (1..=5).map(level).collect::<Vec<_>>(), "weight": w });
    let draft = "mutation($i:RubricInput!){ draftRubric(input:$i){ id version status } }";
    let input = |criteria: Value| json!({ "i": { "key": "national", "name": { "mn": "Үндэсний аргачлал 2" }, "description": { "mn": "Шинэчилсэн." }, "criteria": criteria } });
    let r = app
        .gql(&admin, draft, input(json!([crit("quality", 1.0)])))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = app
        .gql(
            &sup,
            draft,
            input(json!([crit("quality", 0.5), crit("quality", 0.5)])),
        )
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "criteria"));
    let r = app
        .gql(
            &sup,
            draft,
            input(json!([crit("quality", 0.5), crit("access", 0.4)])),
        )
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "criteria"));
    let r = app
        .gql(
            &sup,
            draft,
            input(json!([crit("quality", 0.6), crit("access", 0.4)])),
        )
        .await;
    let v2 = ok(&r, "draftRubric").clone();
    assert_eq!(
        (v2["version"].as_i64(), v2["status"].as_str()),
        (Some(2), Some("DRAFT"))
    );
    let r = app
        .gql(&sup, draft, input(json!([crit("quality", 1.0)])))
        .await;
    assert_eq!(code(&r), "CONFLICT");
    // The public does not see a draft.
    let r = app
        .gql(
            &Auth::None,
            "query($id:ID!){ rubric(id:$id){ id } }",
            json!({ "id": v2["id"] }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let publish = "mutation($id:ID!){ publishRubric(id:$id){ status } }";
    let r = app.gql(&sup, publish, json!({ "id": v2["id"] })).await;
    assert_eq!(ok(&r, "publishRubric")["status"], "PUBLISHED");
    let r = app.gql(&sup, publish, json!({ "id": v2["id"] })).await;
    assert_eq!(code(&r), "CONFLICT");
    let r = app
        .gql(
            &Auth::None,
            "query($id:ID!){ rubric(id:$id){ version } }",
            json!({ "id": v2["id"] }),
        )
        .await;
    assert_eq!(ok(&r, "rubric")["version"], 2);
}
