//! Responding: the public view, validation, exactly-once under races, retries,
//! expiry, the open channel, follow-ups, anonymity and reading responses.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::Duration;
use common::*;
use serde_json::{Value, json};

const VIEW: &str = "query($t:String,$c:String,$l:String){ invitation(token:$t, code:$c, locale:$l){ status locale token title serviceName institutionName questions { key type text labels min max } } }";

#[actix_web::test]
async fn a_citizen_sees_the_survey_in_their_language_with_mongolian_as_fallback() {
    let w = SurveyWorld::new("FACES_3").await;
    let token = w.invite("TX-1").await;
    let en = w
        .app
        .ok(&Auth::None, VIEW, json!({ "t": token, "l": "en" }))
        .await;
    let i = &en["invitation"];
    assert_eq!(i["status"], "OPEN");
    assert_eq!(i["locale"], "en");
    assert_eq!(i["questions"][0]["key"], "overall");
    assert_eq!(i["questions"][0]["type"], "FACES");
    assert_eq!(
        i["questions"][0]["labels"],
        json!(["Unhappy", "Neutral", "Happy"])
    );
    assert_eq!(i["serviceName"], "PROPERTY service");
    // Kazakh is not given for these texts: Mongolian is shown.
    let kk = w
        .app
        .ok(&Auth::None, VIEW, json!({ "t": token, "l": "kk" }))
        .await;
    assert_eq!(
        kk["invitation"]["questions"][0]["labels"][2],
        "Сэтгэл хангалуун"
    );
    assert_eq!(kk["invitation"]["institutionName"], "GASR яам");
}

#[actix_web::test]
async fn the_short_code_finds_the_invitation_and_gives_its_token() {
    let w = SurveyWorld::new("FACES_3").await;
    let d = w.app.ok(&w.key, ISSUE, w.issue_vars("TX-1")).await;
    let code_ = d["issueInvitation"]["code"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .replace('-', " ");
    let v = w.app.ok(&Auth::None, VIEW, json!({ "c": code_ })).await;
    assert_eq!(v["invitation"]["token"], d["issueInvitation"]["token"]);
}

#[actix_web::test]
async fn unknown_tokens_are_not_found_and_guessing_is_slowed_down() {
    let w = SurveyWorld::with("FACES_3", |c| c.invitation_misses_per_client = 5).await;
    for i in 0..5 {
        let r = w
            .app
            .gql(&Auth::None, VIEW, json!({ "t": format!("guess-{i}") }))
            .await;
        assert_eq!(code(&r), "NOT_FOUND");
    }
    let token = w.invite("TX-1").await;
    let r = w.app.gql(&Auth::None, VIEW, json!({ "t": token })).await;
    assert_eq!(
        code(&r),
        "RATE_LIMITED",
        "even a real token waits once the client has guessed too often"
    );
    w.app.clock.advance(Duration::minutes(11));
    assert!(
        w.app.gql(&Auth::None, VIEW, json!({ "t": token })).await["data"]["invitation"].is_object()
    );
}

#[actix_web::test]
async fn every_bad_answer_is_reported_by_question_key() {
    let w = SurveyWorld::new("A11_V2").await;
    let token = w.invite("TX-1").await;
    let answers = json!([
        { "questionKey": "trust", "value": 1 },
        { "questionKey": "didnt_go_well", "choices": ["ease"] },
        { "questionKey": "nope", "value": 1 },
        { "questionKey": "comment", "text": "ө".repeat(2001) },
    ]);
    let r = w.submit(&token, answers, Some("c1")).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let mut keys: Vec<&str> = r["errors"][0]["extensions"]["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["questionKey"].as_str().unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys, vec!["comment", "didnt_go_well", "nope"]);
    let out_of_range = w
        .submit(
            &token,
            json!([{ "questionKey": "trust", "value": 2 }]),
            Some("c1"),
        )
        .await;
    assert_eq!(
        out_of_range["errors"][0]["extensions"]["invalid"][0]["questionKey"],
        "trust"
    );
    let missing = w.submit(&token, json!([]), Some("c1")).await;
    assert_eq!(
        missing["errors"][0]["extensions"]["invalid"][0]["reason"],
        "an answer is required"
    );
    // Nothing was stored and the invitation is still open.
    assert_eq!(w.stored_responses().await, 0);
    let ok = w.submit(&token, json!([{ "questionKey": "trust", "value": 1 }, { "questionKey": "went_well", "choices": ["ease", "other"], "text": "Цахимаар" }]), Some("c1")).await;
    assert_eq!(ok["data"]["submitResponse"]["accepted"], true, "{ok}");
}

#[actix_web::test]
async fn a_response_is_stored_once_and_a_retry_gets_the_same_success() {
    let w = SurveyWorld::new("FACES_3").await;
    let token = w.invite("TX-1").await;
    let first = w.submit(&token, faces(3), Some("app-1")).await;
    assert_eq!(first["data"]["submitResponse"]["accepted"], true);
    assert_eq!(
        first["data"]["submitResponse"]["thankYou"],
        "Thank you! Your feedback is used to improve this service."
    );
    let retry = w.submit(&token, faces(3), Some("app-1")).await;
    assert_eq!(retry, first);
    let other = w.submit(&token, faces(1), Some("app-2")).await;
    assert_eq!(code(&other), "ALREADY_RESPONDED");
    let anonymous_retry = w.submit(&token, faces(3), None).await;
    assert_eq!(code(&anonymous_retry), "ALREADY_RESPONDED");
    assert_eq!(w.stored_responses().await, 1);
    let v = w.app.ok(&Auth::None, VIEW, json!({ "t": token })).await;
    assert_eq!(v["invitation"]["status"], "RESPONDED");
}

#[actix_web::test]
async fn after_expiry_a_response_is_refused() {
    let w = SurveyWorld::new("FACES_3").await;
    let token = w.invite("TX-1").await;
    w.app.clock.advance(Duration::days(7));
    assert_eq!(
        w.app.ok(&Auth::None, VIEW, json!({ "t": token })).await["invitation"]["status"],
        "EXPIRED"
    );
    assert_eq!(
        code(&w.submit(&token, faces(3), Some("x")).await),
        "EXPIRED"
    );
    assert_eq!(w.stored_responses().await, 0);
}

async fn race(w: &SurveyWorld, token: &str, same_id: bool) -> Vec<Value> {
    let futures: Vec<_> = (0..50)
        .map(|i| {
            let csid = if same_id {
                "one-phone".to_owned()
            } else {
                format!("phone-{i}")
            };
            async move { w.submit(token, faces(2), Some(&csid)).await }
        })
        .collect();
    // All 50 requests are created first, then released together.
    futures_util::future::join_all(futures).await
}

#[actix_web::test]
async fn fifty_concurrent_submissions_of_one_invitation_store_exactly_one_response() {
    let w = SurveyWorld::new("FACES_3").await;
    let token = w.invite("TX-RACE").await;
    let results = race(&w, &token, false).await;
    let accepted = results
        .iter()
        .filter(|r| r["data"]["submitResponse"]["accepted"] == true)
        .count();
    let refused = results
        .iter()
        .filter(|r| code(r) == "ALREADY_RESPONDED")
        .count();
    assert_eq!(
        (accepted, refused),
        (1, 49),
        "{:?}",
        results.iter().map(code).collect::<Vec<_>>()
    );
    assert_eq!(w.stored_responses().await, 1);
}

#[actix_web::test]
async fn fifty_concurrent_retries_with_one_submission_id_all_succeed_and_store_one_response() {
    let w = SurveyWorld::new("FACES_3").await;
    let token = w.invite("TX-RACE").await;
    let results = race(&w, &token, true).await;
    let accepted = results
        .iter()
        .filter(|r| r["data"]["submitResponse"]["accepted"] == true)
        .count();
    assert_eq!(
        accepted,
        50,
        "{:?}",
        results.iter().map(code).collect::<Vec<_>>()
    );
    assert_eq!(w.stored_responses().await, 1);
}

const OPEN: &str =
    "mutation($i:SubmitOpenResponseInput!){ submitOpenResponse(input:$i){ accepted thankYou } }";

#[actix_web::test]
async fn the_open_channel_is_rate_limited_per_phone_and_per_kiosk_and_reported_apart() {
    let w = SurveyWorld::with("FACES_3", |c| {
        c.open_responses_per_client = 2;
        c.open_responses_per_kiosk = 3;
        c.suppression_threshold = 5;
    })
    .await;
    let code_ = w.open_channel().await;
    for _ in 0..2 {
        let r = w
            .app
            .gql(
                &Auth::None,
                OPEN,
                json!({ "i": { "pointCode": code_, "answers": faces(3) } }),
            )
            .await;
        assert_eq!(r["data"]["submitOpenResponse"]["accepted"], true, "{r}");
    }
    let r = w
        .app
        .gql(
            &Auth::None,
            OPEN,
            json!({ "i": { "pointCode": code_, "answers": faces(3) } }),
        )
        .await;
    assert_eq!(code(&r), "RATE_LIMITED");
    // A kiosk has its own device key and its own limit.
    let k = w
        .app
        .ok(&w.manager, "mutation($p:ID!){ createKioskDevice(servicePointId:$p, name:\"Хаалганы киоск\"){ deviceKey } }", json!({ "p": w.point }))
        .await;
    let device = k["createKioskDevice"]["deviceKey"].as_str().unwrap();
    for _ in 0..3 {
        let r = w
            .app
            .gql(
                &Auth::None,
                OPEN,
                json!({ "i": { "pointCode": code_, "deviceKey": device, "answers": faces(1) } }),
            )
            .await;
        assert_eq!(r["data"]["submitOpenResponse"]["accepted"], true, "{r}");
    }
    let r = w
        .app
        .gql(
            &Auth::None,
            OPEN,
            json!({ "i": { "pointCode": code_, "deviceKey": device, "answers": faces(1) } }),
        )
        .await;
    assert_eq!(code(&r), "RATE_LIMITED");
    let fake = w
        .app
        .gql(
            &Auth::None,
            OPEN,
            json!({ "i": { "pointCode": code_, "deviceKey": "kd_fake", "answers": faces(1) } }),
        )
        .await;
    assert_eq!(code(&fake), "UNAUTHENTICATED");
    let unknown = w
        .app
        .gql(
            &Auth::None,
            OPEN,
            json!({ "i": { "pointCode": "nope", "answers": faces(1) } }),
        )
        .await;
    assert_eq!(code(&unknown), "NOT_FOUND");
    // An invited response too; then read them back split by origin.
    let token = w.invite("TX-1").await;
    w.submit(&token, faces(2), Some("a")).await;
    // Responses are listed once their day is over (their cell of six reaches this
    // world's threshold of five).
    w.app.clock.set(start_time() + chrono::Duration::days(1));
    let manager = w.app.token("manager@moj.gov.mn", PASSWORD).await;
    let read = |origin: &'static str| {
        let (w, manager) = (&w, &manager);
        async move {
            let d = w.app.ok(manager, "query($o:ResponseOrigin){ responses(filter:{origin:$o}){ edges { node { origin channel } } } }", json!({ "o": origin })).await;
            d["responses"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["channel"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let mut open = read("OPEN").await;
    open.sort();
    assert_eq!(
        open,
        vec!["IN_PERSON", "IN_PERSON", "KIOSK", "KIOSK", "KIOSK"]
    );
    assert_eq!(read("INVITED").await, vec!["IN_PERSON"]);
}

#[actix_web::test]
async fn a_kiosk_retry_with_the_same_submission_id_is_not_counted_twice() {
    let w = SurveyWorld::new("FACES_3").await;
    let code_ = w.open_channel().await;
    for _ in 0..3 {
        let r = w.app.gql(&Auth::None, OPEN, json!({ "i": { "pointCode": code_, "answers": faces(3), "clientSubmissionId": "k-1" } })).await;
        assert_eq!(r["data"]["submitOpenResponse"]["accepted"], true);
    }
    assert_eq!(w.stored_responses().await, 1);
}

#[actix_web::test]
async fn follow_up_contact_needs_consent_and_only_managers_see_it() {
    let w = SurveyWorld::new("FACES_3").await;
    let token = w.invite("TX-1").await;
    let no_consent = w
        .app
        .gql(&Auth::None, SUBMIT, json!({ "i": { "token": token, "answers": faces(1), "followUp": { "contact": "99112233", "consent": false } } }))
        .await;
    assert_eq!(code(&no_consent), "BAD_USER_INPUT");
    let ok = w
        .app
        .gql(&Auth::None, SUBMIT, json!({ "i": { "token": token, "answers": faces(1), "followUp": { "contact": "+976 9911 2233", "consent": true } } }))
        .await;
    assert_eq!(ok["data"]["submitResponse"]["accepted"], true, "{ok}");
    let list = w
        .app
        .ok(
            &w.manager,
            "{ followUps { edges { node { contact serviceId answers { questionKey value text } } } } }",
            json!({}),
        )
        .await;
    let node = &list["followUps"]["edges"][0]["node"];
    assert_eq!(node["contact"], "+976 9911 2233");
    // The answers left with the contact come with it; the response is not named.
    assert_eq!(
        node["answers"],
        json!([{ "questionKey": "comment", "value": null, "text": "Хурдан үйлчилсэн" }, { "questionKey": "overall", "value": 1, "text": null }])
    );
    assert!(node.get("responseId").is_none());
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
                    "{ followUps { edges { node { contact } } } }",
                    json!({})
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
        code(
            &w.app
                .gql(
                    &sup,
                    "{ followUps { edges { node { contact } } } }",
                    json!({})
                )
                .await
        ),
        "FORBIDDEN"
    );
}

#[actix_web::test]
async fn institution_users_read_their_responses_and_comment_reads_are_audited() {
    let w = SurveyWorld::with("FACES_3", |c| c.suppression_threshold = 3).await;
    for (i, v) in [3, 1, 3].iter().enumerate() {
        let t = w.invite(&format!("TX-{i}")).await;
        w.submit(&t, faces(*v), Some("x")).await;
    }
    w.app
        .user_with_role(
            &w.admin,
            "s@gasr.gov.mn",
            "INSTITUTION_STAFF",
            Some(&w.agency),
        )
        .await;
    // The next day: the cell of three is over and crowded enough to be listed.
    w.app.clock.set(start_time() + chrono::Duration::days(1));
    let staff = w.app.token("s@gasr.gov.mn", PASSWORD).await;
    let admin = w.app.admin().await;
    let d = w
        .app
        .ok(&staff, "{ responses(filter:{questionKey:\"overall\", value:3}){ edges { node { origin locale date answers { questionKey value text } } } } }", json!({}))
        .await;
    let edges = d["responses"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["date"], "2026-11-28");
    assert_eq!(edges[0]["node"]["locale"], "en");
    let log = w.app.ok(&admin, "{ auditLog(filter:{action:\"RESPONSE_COMMENTS_READ\"}){ edges { node { actorLabel } } } }", json!({})).await;
    assert_eq!(
        log["auditLog"]["edges"][0]["node"]["actorLabel"],
        "s@gasr.gov.mn"
    );
    // Another ministry sees none of them.
    let other = w.app.create_institution(&admin, "MOF", None).await;
    let stranger = w
        .app
        .user_with_role(&admin, "m@mof.gov.mn", "INSTITUTION_MANAGER", Some(&other))
        .await;
    let none = w
        .app
        .ok(
            &stranger,
            "{ responses { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(none["responses"]["edges"].as_array().unwrap().len(), 0);
    assert_eq!(
        code(
            &w.app
                .gql(&w.key, "{ responses { edges { node { id } } } }", json!({}))
                .await
        ),
        "FORBIDDEN"
    );
}

#[actix_web::test]
async fn no_operation_of_the_api_changes_or_deletes_a_response() {
    let w = SurveyWorld::new("FACES_3").await;
    let d = w
        .app
        .ok(
            &w.admin,
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = d["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let mut touching: Vec<&str> = names
        .into_iter()
        .filter(|n| n.to_lowercase().contains("response") || n.to_lowercase().contains("answer"))
        // An institution's answer to a citizen's suggestion is not a survey answer.
        .filter(|n| *n != "answerSuggestion")
        .collect();
    touching.sort();
    assert_eq!(touching, vec!["submitOpenResponse", "submitResponse"]);
}

async fn columns(w: &SurveyWorld, table: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let conn = w.app.state.db.conn();
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT column_name AS name FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = current_schema()"
        ),
        _ => format!("SELECT name FROM pragma_table_info('{table}')"),
    };
    let mut v: Vec<String> = conn
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect();
    v.sort();
    v
}

#[actix_web::test]
async fn the_response_tables_hold_only_the_allowed_columns() {
    let w = SurveyWorld::new("FACES_3").await;
    assert_eq!(
        columns(&w, "responses").await,
        vec![
            "channel",
            "id",
            "institution_id",
            "locale",
            "origin",
            // One of four coarse segments (how the citizen came), like the channel.
            "provenance",
            // Individual or legal entity, as the delivering system said: a coarse
            // segment, empty on the open channel.
            "respondent_kind",
            "response_date",
            "service_id",
            "service_point_id",
            "survey_version_id"
        ]
    );
    assert_eq!(
        columns(&w, "response_answers").await,
        vec![
            "choices",
            "not_applicable",
            "question_key",
            "response_id",
            "text",
            "value"
        ]
    );
}

#[actix_web::test]
async fn after_expiry_the_purge_clears_everything_that_could_link_an_invitation() {
    let w = SurveyWorld::new("FACES_3").await;
    let token = w.invite("TX-1").await;
    w.submit(&token, faces(3), Some("phone-1")).await;
    w.app.clock.advance(Duration::days(8));
    let purged = sanal::services::invitations::purge_expired(&w.app.state)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    use sea_orm::{ConnectionTrait, Statement};
    let conn = w.app.state.db.conn();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM invitations WHERE token_hash IS NULL AND code_hash IS NULL AND transaction_ref IS NULL AND payload_hash IS NULL AND submission_hash IS NULL AND used_at IS NOT NULL",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);
    assert_eq!(
        code(&w.app.gql(&Auth::None, VIEW, json!({ "t": token })).await),
        "NOT_FOUND"
    );
    assert_eq!(w.stored_responses().await, 1, "the response itself stays");
}

#[actix_web::test]
async fn responses_are_listed_only_from_days_that_are_over_and_crowded_cells() {
    let w = SurveyWorld::with("FACES_3", |c| c.suppression_threshold = 3).await;
    for i in 0..2 {
        let t = w.invite(&format!("DAY1-{i}")).await;
        w.submit(&t, faces(3), None).await;
    }
    let list = "{ responses { edges { node { date } } } }";
    let listed = |d: &Value| d["responses"]["edges"].as_array().unwrap().len();
    let today = w.app.ok(&w.manager, list, json!({})).await;
    assert_eq!(listed(&today), 0, "today is not over");
    // The next day: a cell of two is still too small to pick a response out of.
    w.app.clock.set(start_time() + chrono::Duration::days(1));
    let manager = w.app.token("manager@moj.gov.mn", PASSWORD).await;
    assert_eq!(listed(&w.app.ok(&manager, list, json!({})).await), 0);
    // A third answer to a delivery of that day makes the cell crowded enough.
    let mut vars = w.issue_vars("DAY1-2");
    vars["i"]["deliveredAt"] = json!((start_time() + chrono::Duration::hours(1)).to_rfc3339());
    let d = w.app.ok(&w.key, ISSUE, vars).await;
    let t = d["issueInvitation"]["token"].as_str().unwrap().to_owned();
    w.submit(&t, faces(1), None).await;
    let now = w.app.ok(&manager, list, json!({})).await;
    assert_eq!(listed(&now), 3, "{now}");
    assert!(
        now["responses"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["date"] == "2026-11-28")
    );
}
