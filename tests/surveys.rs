//! Survey authoring: templates, drafts, publishing, versions, assignment.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

const ADD: &str = "mutation($s:ID!,$q:QuestionInput!,$p:Int){ addQuestion(surveyId:$s, question:$q, position:$p){ id version status questions { key type min max } } }";
const PUBLISH: &str = "mutation($id:ID!){ publishSurvey(id:$id){ id version status contentHash publishedAt questions { key } } }";

fn rating(key: &str, min: i32, max: i32) -> Value {
    json!({ "key": key, "type": "RATING", "min": min, "max": max, "text": { "mn": "Үнэлнэ үү", "en": "Please rate" } })
}

#[actix_web::test]
async fn every_template_creates_a_ready_draft_with_stable_keys() {
    let w = SurveyWorld::new("FACES_3").await;
    let expected: &[(&str, &[&str])] = &[
        (
            "SKM_9",
            &[
                "skm_requirements",
                "skm_procedure",
                "skm_time",
                "skm_cost",
                "skm_product",
                "skm_competence",
                "skm_behaviour",
                "skm_complaints",
                "skm_facilities",
                "comment",
            ],
        ),
        (
            "A11_V1",
            &[
                "satisfaction",
                "trust",
                "effectiveness",
                "ease",
                "efficiency",
                "transparency",
                "employee",
                "comment",
            ],
        ),
        (
            "A11_V2",
            &["trust", "went_well", "didnt_go_well", "comment"],
        ),
        ("FACES_3", &["overall", "comment"]),
    ];
    for (t, keys) in expected {
        let d = w
            .app
            .ok(&w.manager, &format!("mutation($i:ID!){{ createSurveyFromTemplate(institutionId:$i, template:{t}){{ status template draft {{ questions {{ key driver min max text {{ mn en }} }} }} }} }}"), json!({ "i": w.agency }))
            .await;
        let s = &d["createSurveyFromTemplate"];
        assert_eq!(s["status"], "DRAFT");
        assert_eq!(s["template"], *t);
        let got: Vec<&str> = s["draft"]["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["key"].as_str().unwrap())
            .collect();
        assert_eq!(got, *keys, "{t}");
        for q in s["draft"]["questions"].as_array().unwrap() {
            assert!(!q["text"]["mn"].as_str().unwrap().is_empty() && q["text"]["en"].is_string());
        }
    }
    let skm = w
        .app
        .ok(
            &w.manager,
            "{ surveyTemplates { template questions { key driver min max } } }",
            json!({}),
        )
        .await;
    let skm = skm["surveyTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["template"] == "SKM_9")
        .unwrap()
        .clone();
    assert_eq!(skm["questions"][0]["driver"], "SKM_REQUIREMENTS");
    assert_eq!(
        (
            skm["questions"][0]["min"].as_i64(),
            skm["questions"][0]["max"].as_i64()
        ),
        (Some(1), Some(4))
    );
}

#[actix_web::test]
async fn publishing_freezes_the_content_and_editing_starts_a_new_version() {
    let w = SurveyWorld::new("FACES_3").await;
    let s = w.app.ok(&w.manager, "mutation($i:ID!){ createSurvey(input:{institutionId:$i, title:{mn:\"Шинэ судалгаа\"}}){ id status } }", json!({ "i": w.agency })).await;
    let id = s["createSurvey"]["id"].as_str().unwrap().to_owned();
    let empty = w.app.gql(&w.manager, PUBLISH, json!({ "id": id })).await;
    assert_eq!(code(&empty), "BAD_USER_INPUT", "a survey needs a question");
    w.app
        .ok(
            &w.manager,
            ADD,
            json!({ "s": id, "q": rating("speed", 1, 5) }),
        )
        .await;
    let v1 = w.app.ok(&w.manager, PUBLISH, json!({ "id": id })).await["publishSurvey"].clone();
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["status"], "PUBLISHED");
    assert_eq!(v1["contentHash"].as_str().unwrap().len(), 64);
    assert!(v1["publishedAt"].is_string());
    // Publishing again without a draft is a conflict.
    assert_eq!(
        code(&w.app.gql(&w.manager, PUBLISH, json!({ "id": id })).await),
        "CONFLICT"
    );
    // Editing after publishing makes version 2; version 1 stays as it was.
    let v2 = w
        .app
        .ok(
            &w.manager,
            ADD,
            json!({ "s": id, "q": rating("clarity", 1, 5), "p": 0 }),
        )
        .await;
    assert_eq!(v2["addQuestion"]["version"], 2);
    assert_eq!(v2["addQuestion"]["status"], "DRAFT");
    let v1_again = w
        .app
        .ok(
            &w.manager,
            "query($id:ID!){ surveyVersion(id:$id){ questions { key } contentHash } }",
            json!({ "id": v1["id"] }),
        )
        .await;
    assert_eq!(
        v1_again["surveyVersion"]["questions"],
        json!([{ "key": "speed" }])
    );
    assert_eq!(v1_again["surveyVersion"]["contentHash"], v1["contentHash"]);
    let p2 = w.app.ok(&w.manager, PUBLISH, json!({ "id": id })).await;
    assert_eq!(
        p2["publishSurvey"]["questions"],
        json!([{ "key": "clarity" }, { "key": "speed" }])
    );
    assert_ne!(p2["publishSurvey"]["contentHash"], v1["contentHash"]);
    let versions = w
        .app
        .ok(
            &w.manager,
            "query($id:ID!){ survey(id:$id){ status versions { version status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(versions["survey"]["status"], "PUBLISHED");
    assert_eq!(versions["survey"]["versions"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn a_reused_key_must_keep_its_type_and_scale() {
    let w = SurveyWorld::new("FACES_3").await;
    // FACES_3 is published with "overall" as FACES 1-3; redefine it as a 1-5 rating.
    let r = w
        .app
        .gql(&w.manager, "mutation($s:ID!,$q:QuestionInput!){ updateQuestion(surveyId:$s, key:\"overall\", question:$q){ id } }", json!({ "s": w.survey, "q": rating("overall", 1, 5) }))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert_eq!(
        r["errors"][0]["extensions"]["invalid"][0]["field"],
        "overall"
    );
}

#[actix_web::test]
async fn questions_are_edited_removed_and_reordered_while_in_draft() {
    let w = SurveyWorld::new("FACES_3").await;
    let s = w
        .app
        .ok(
            &w.manager,
            "mutation($i:ID!){ createSurvey(input:{institutionId:$i, title:{mn:\"С\"}}){ id } }",
            json!({ "i": w.agency }),
        )
        .await;
    let id = s["createSurvey"]["id"].as_str().unwrap().to_owned();
    for k in ["a", "b", "c"] {
        w.app
            .ok(&w.manager, ADD, json!({ "s": id, "q": rating(k, 1, 4) }))
            .await;
    }
    let dup = w
        .app
        .gql(&w.manager, ADD, json!({ "s": id, "q": rating("a", 1, 4) }))
        .await;
    assert_eq!(code(&dup), "BAD_USER_INPUT");
    let r = w.app.ok(&w.manager, "mutation($s:ID!){ reorderQuestions(surveyId:$s, keys:[\"c\",\"a\",\"b\"]){ questions { key } } }", json!({ "s": id })).await;
    assert_eq!(
        r["reorderQuestions"]["questions"],
        json!([{ "key": "c" }, { "key": "a" }, { "key": "b" }])
    );
    let bad = w
        .app
        .gql(
            &w.manager,
            "mutation($s:ID!){ reorderQuestions(surveyId:$s, keys:[\"c\",\"a\"]){ id } }",
            json!({ "s": id }),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let r = w
        .app
        .ok(
            &w.manager,
            "mutation($s:ID!){ removeQuestion(surveyId:$s, key:\"a\"){ questions { key } } }",
            json!({ "s": id }),
        )
        .await;
    assert_eq!(
        r["removeQuestion"]["questions"],
        json!([{ "key": "c" }, { "key": "b" }])
    );
    let missing = w
        .app
        .gql(
            &w.manager,
            "mutation($s:ID!){ removeQuestion(surveyId:$s, key:\"zz\"){ id } }",
            json!({ "s": id }),
        )
        .await;
    assert_eq!(code(&missing), "NOT_FOUND");
    // A condition must point to an earlier question and a value on its scale.
    let mut q = rating("d", 1, 4);
    q["showIf"] = json!({ "questionKey": "c", "values": [9] });
    assert_eq!(
        code(&w.app.gql(&w.manager, ADD, json!({ "s": id, "q": q })).await),
        "BAD_USER_INPUT"
    );
    let mut bad_scale = rating("e", 3, 2);
    bad_scale["labels"] = json!([]);
    assert_eq!(
        code(
            &w.app
                .gql(&w.manager, ADD, json!({ "s": id, "q": bad_scale }))
                .await
        ),
        "BAD_USER_INPUT"
    );
}

#[actix_web::test]
async fn an_archived_survey_cannot_be_edited_or_assigned() {
    let w = SurveyWorld::new("FACES_3").await;
    w.app
        .ok(
            &w.manager,
            "mutation($id:ID!){ archiveSurvey(id:$id){ status } }",
            json!({ "id": w.survey }),
        )
        .await;
    let edit = w
        .app
        .gql(
            &w.manager,
            ADD,
            json!({ "s": w.survey, "q": rating("x", 1, 5) }),
        )
        .await;
    assert_eq!(code(&edit), "CONFLICT");
    let assign = w
        .app
        .gql(
            &w.manager,
            "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v){ channel } }",
            json!({ "s": w.service, "v": w.version }),
        )
        .await;
    assert_eq!(code(&assign), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn a_manager_of_another_institution_can_neither_read_nor_assign() {
    let w = SurveyWorld::new("FACES_3").await;
    let other = w.app.create_institution(&w.admin, "MOF", None).await;
    let stranger = w
        .app
        .user_with_role(
            &w.admin,
            "m@mof.gov.mn",
            "INSTITUTION_MANAGER",
            Some(&other),
        )
        .await;
    let read = w
        .app
        .gql(
            &stranger,
            "query($id:ID!){ survey(id:$id){ id } }",
            json!({ "id": w.survey }),
        )
        .await;
    assert_eq!(code(&read), "NOT_FOUND");
    let list = w
        .app
        .ok(
            &stranger,
            "{ surveys { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(list["surveys"]["edges"].as_array().unwrap().len(), 0);
    let assign = w
        .app
        .gql(
            &stranger,
            "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v){ channel } }",
            json!({ "s": w.service, "v": w.version }),
        )
        .await;
    assert_eq!(code(&assign), "NOT_FOUND");
    let edit = w
        .app
        .gql(
            &stranger,
            ADD,
            json!({ "s": w.survey, "q": rating("x", 1, 5) }),
        )
        .await;
    assert_eq!(code(&edit), "NOT_FOUND");
    // Staff read but do not edit; supervisors read everything.
    let staff = w
        .app
        .user_with_role(
            &w.admin,
            "s@moj.gov.mn",
            "INSTITUTION_STAFF",
            Some(&w.agency),
        )
        .await;
    assert_eq!(
        code(
            &w.app
                .gql(
                    &staff,
                    ADD,
                    json!({ "s": w.survey, "q": rating("x", 1, 5) })
                )
                .await
        ),
        "FORBIDDEN"
    );
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    assert_eq!(
        w.app
            .ok(&sup, "{ surveys { edges { node { id } } } }", json!({}))
            .await["surveys"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn a_draft_version_cannot_be_assigned_and_the_service_shows_its_assignment() {
    let w = SurveyWorld::new("FACES_3").await;
    let s = w.app.ok(&w.manager, "mutation($i:ID!){ createSurveyFromTemplate(institutionId:$i, template:SKM_9){ draft { id } } }", json!({ "i": w.ministry })).await;
    let draft = s["createSurveyFromTemplate"]["draft"]["id"]
        .as_str()
        .unwrap();
    let r = w
        .app
        .gql(&w.manager, "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v, channel:ONLINE){ channel } }", json!({ "s": w.service, "v": draft }))
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let svc = w.app.ok(&Auth::None, "query($id:ID!){ service(id:$id){ surveyAssignments { channel surveyVersionId } invitationSettings { samplingRate expiryDays cooldownDays } } }", json!({ "id": w.service })).await;
    assert_eq!(
        svc["service"]["surveyAssignments"],
        json!([{ "channel": null, "surveyVersionId": w.version }])
    );
    assert_eq!(
        svc["service"]["invitationSettings"],
        json!({ "samplingRate": 1.0, "expiryDays": 7, "cooldownDays": 30 })
    );
}

#[actix_web::test]
async fn invitation_settings_are_validated() {
    let w = SurveyWorld::new("FACES_3").await;
    let q = "mutation($s:ID!,$i:InvitationSettingsInput!){ setInvitationSettings(serviceId:$s, input:$i){ samplingRate expiryDays cooldownDays } }";
    let ok = w.app.ok(&w.manager, q, json!({ "s": w.service, "i": { "samplingRate": 0.25, "expiryDays": 3, "cooldownDays": 60 } })).await;
    assert_eq!(
        ok["setInvitationSettings"],
        json!({ "samplingRate": 0.25, "expiryDays": 3, "cooldownDays": 60 })
    );
    for bad in [
        json!({ "samplingRate": 1.5, "expiryDays": 3, "cooldownDays": 0 }),
        json!({ "samplingRate": 0.5, "expiryDays": 0, "cooldownDays": 0 }),
    ] {
        assert_eq!(
            code(
                &w.app
                    .gql(&w.manager, q, json!({ "s": w.service, "i": bad }))
                    .await
            ),
            "BAD_USER_INPUT"
        );
    }
}

#[actix_web::test]
async fn a_published_version_is_public_by_id_and_a_draft_is_not() {
    let w = SurveyWorld::new("FACES_3").await;
    let q = "query($id:ID!){ surveyVersion(id:$id){ id status version questions { key } } }";
    let public = w.app.ok(&Auth::None, q, json!({ "id": w.version })).await;
    assert_eq!(public["surveyVersion"]["status"], "PUBLISHED");
    assert_eq!(public["surveyVersion"]["questions"][0]["key"], "overall");
    // An edit makes a draft version: the institution's own.
    let d = w
        .app
        .ok(
            &w.manager,
            "mutation($s:ID!){ updateSurvey(id:$s, input:{ title:{ mn:\"Шинэ гарчиг\" } }){ id status } }",
            json!({ "s": w.survey }),
        )
        .await;
    assert_eq!(d["updateSurvey"]["status"], "DRAFT");
    let draft = d["updateSurvey"]["id"].as_str().unwrap();
    assert_eq!(
        code(&w.app.gql(&Auth::None, q, json!({ "id": draft })).await),
        "UNAUTHENTICATED"
    );
    let own = w.app.ok(&w.manager, q, json!({ "id": draft })).await;
    assert_eq!(own["surveyVersion"]["status"], "DRAFT");
}

const UPDATE: &str = "mutation($s:ID!,$k:String!,$q:QuestionInput!){ updateQuestion(surveyId:$s, key:$k, question:$q){ id version } }";

#[actix_web::test]
async fn a_reused_key_keeps_its_words_so_a_leading_rewording_needs_a_new_key() {
    let w = SurveyWorld::new("FACES_3").await;
    let s = w.app.ok(&w.manager, "mutation($i:ID!){ createSurvey(input:{institutionId:$i, title:{mn:\"Шинэ судалгаа\"}}){ id } }", json!({ "i": w.agency })).await;
    let id = s["createSurvey"]["id"].as_str().unwrap().to_owned();
    let mut q = rating("service", 1, 4);
    q["labels"] =
        json!([{ "mn": "Муу" }, { "mn": "Дунд" }, { "mn": "Сайн" }, { "mn": "Маш сайн" }]);
    w.app.ok(&w.manager, ADD, json!({ "s": id, "q": q })).await;
    w.app.ok(&w.manager, PUBLISH, json!({ "id": id })).await;

    let mut leading = q.clone();
    leading["text"] =
        json!({ "mn": "Манай гайхалтай үйлчилгээг үнэлнэ үү", "en": "Rate our excellent service" });
    let mut positive = q.clone();
    positive["labels"] =
        json!([{ "mn": "Сайн" }, { "mn": "Сайн" }, { "mn": "Маш сайн" }, { "mn": "Гайхалтай" }]);
    for changed in [leading, positive] {
        let r = w
            .app
            .gql(
                &w.manager,
                UPDATE,
                json!({ "s": id, "k": "service", "q": changed }),
            )
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
        let invalid = &r["errors"][0]["extensions"]["invalid"][0];
        assert_eq!(invalid["field"], "service");
        assert!(
            invalid["reason"]
                .as_str()
                .unwrap()
                .contains("needs a new key"),
            "{invalid}"
        );
    }
    // A translation added keeps the meaning.
    let mut translated = q.clone();
    translated["text"]["kk"] = json!("Бағалаңыз");
    let r = w
        .app
        .ok(
            &w.manager,
            UPDATE,
            json!({ "s": id, "k": "service", "q": translated }),
        )
        .await;
    assert_eq!(r["updateQuestion"]["version"], 2);
}

#[actix_web::test]
async fn the_questions_of_a_national_template_are_locked_and_others_may_be_added() {
    let w = SurveyWorld::new("FACES_3").await;
    let d = w
        .app
        .ok(
            &w.manager,
            "mutation($i:ID!){ createSurveyFromTemplate(institutionId:$i, template: SKM_9){ id } }",
            json!({ "i": w.agency }),
        )
        .await;
    let id = d["createSurveyFromTemplate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reworded = json!({ "key": "skm_time", "type": "RATING", "min": 1, "max": 4, "driver": "SKM_TIME",
        "text": { "mn": "Үйлчилгээ маш хурдан байсан биз дээ?" } });
    let r = w
        .app
        .gql(
            &w.manager,
            UPDATE,
            json!({ "s": id, "k": "skm_time", "q": reworded }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    assert!(
        r["errors"][0]["extensions"]["invalid"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("national template SKM_9 is locked")
    );
    let removed = w
        .app
        .gql(
            &w.manager,
            "mutation($s:ID!){ removeQuestion(surveyId:$s, key:\"skm_cost\"){ id } }",
            json!({ "s": id }),
        )
        .await;
    assert_eq!(code(&removed), "BAD_USER_INPUT", "{removed}");
    w.app
        .ok(
            &w.manager,
            ADD,
            json!({ "s": id, "q": rating("queue", 1, 4) }),
        )
        .await;
    w.app.ok(&w.manager, PUBLISH, json!({ "id": id })).await;
}

#[actix_web::test]
async fn a_supervisor_may_approve_new_words_under_an_old_key_with_a_reason_but_never_a_new_scale() {
    let w = SurveyWorld::new("FACES_3").await;
    let s = w.app.ok(&w.manager, "mutation($i:ID!){ createSurvey(input:{institutionId:$i, title:{mn:\"Шинэ судалгаа\"}}){ id } }", json!({ "i": w.agency })).await;
    let id = s["createSurvey"]["id"].as_str().unwrap().to_owned();
    let q = rating("service", 1, 4);
    w.app.ok(&w.manager, ADD, json!({ "s": id, "q": q })).await;
    w.app.ok(&w.manager, PUBLISH, json!({ "id": id })).await;
    let mut clearer = q.clone();
    clearer["text"] =
        json!({ "mn": "Үйлчилгээг 1-4 онооор үнэлнэ үү", "en": "Rate the service from 1 to 4" });
    let edit = json!({ "s": id, "k": "service", "q": clearer });
    assert_eq!(
        code(&w.app.gql(&w.manager, UPDATE, edit.clone()).await),
        "BAD_USER_INPUT"
    );

    let approve = "mutation($s:ID!,$k:String!,$r:String!){ approveQuestionReuse(surveyId:$s, key:$k, reason:$r){ version key reason } }";
    let why = "Clearer wording of the same question; reviewed against v1";
    assert_eq!(
        code(
            &w.app
                .gql(
                    &w.manager,
                    approve,
                    json!({ "s": id, "k": "service", "r": why })
                )
                .await
        ),
        "FORBIDDEN",
        "the institution does not approve its own rewording"
    );
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    assert_eq!(
        code(
            &w.app
                .gql(&sup, approve, json!({ "s": id, "k": "service", "r": "ok" }))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &w.app
                .gql(&sup, approve, json!({ "s": id, "k": "nope", "r": why }))
                .await
        ),
        "BAD_USER_INPUT"
    );
    let a = w
        .app
        .ok(&sup, approve, json!({ "s": id, "k": "service", "r": why }))
        .await;
    assert_eq!(a["approveQuestionReuse"]["version"], 2);
    let saved = w.app.ok(&w.manager, UPDATE, edit).await;
    assert_eq!(saved["updateQuestion"]["version"], 2);
    w.app.ok(&w.manager, PUBLISH, json!({ "id": id })).await;

    // The approval was for version 2: version 3 needs its own, and no approval
    // lets the scale change.
    let mut reworded = clearer.clone();
    reworded["text"] = json!({ "mn": "Манай гайхалтай үйлчилгээг үнэлнэ үү" });
    assert_eq!(
        code(
            &w.app
                .gql(
                    &w.manager,
                    UPDATE,
                    json!({ "s": id, "k": "service", "q": reworded })
                )
                .await
        ),
        "BAD_USER_INPUT"
    );
    w.app
        .ok(&sup, approve, json!({ "s": id, "k": "service", "r": why }))
        .await;
    let rescaled = rating("service", 1, 5);
    let r = w
        .app
        .gql(
            &w.manager,
            UPDATE,
            json!({ "s": id, "k": "service", "q": rescaled }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert!(
        r["errors"][0]["extensions"]["invalid"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("another type or scale")
    );
    let log = w
        .app
        .ok(&w.admin, "{ auditLog(filter:{action:\"QUESTION_REUSE_APPROVED\"}){ edges { node { actorLabel } } } }", json!({}))
        .await;
    assert_eq!(log["auditLog"]["edges"].as_array().unwrap().len(), 2);
}
