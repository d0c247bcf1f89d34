//! Citizens' suggestions and requests: sending without an account, following by
//! tracking code, the institution's answer on time (working days, holidays,
//! referral, extension), the citizen's confirmation or reopening, publication with
//! personal data masked, supports, contacts seen only by managers and erased, and
//! the figures.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

const SEND: &str = "mutation($i:SendSuggestionInput!){ sendSuggestion(input:$i){ id trackingCode secret folded status kind text acknowledgeBy answerBy receivedOn } }";
const BY_CODE: &str = "query($c:String!,$s:String){ suggestion(trackingCode:$c, secret:$s){ trackingCode status text kind answer { outcome text { mn } role institutionId actionIds } canReopen resolved answerBy } }";
const ONE: &str = "query($id:ID!){ institutionSuggestion(id:$id){ id status statusReason institutionId receivedById text redactedText overdue acknowledgeBy answerBy extensionDays hasContact contact { kind value } answeredInTime answer { outcome role reason actionIds } answeredBy } }";
const LIST: &str = "query($f:SuggestionFilterInput){ suggestions(filter:$f){ edges { node { id status overdue } } } }";
const PUBLIC: &str = "query($f:SuggestionFilterInput){ publicSuggestions(filter:$f){ edges { node { id trackingCode text status supports answeredBy servicePointId contact { value } answer { outcome text { mn } } } } } }";
const ACK: &str = "mutation($id:ID!){ acknowledgeSuggestion(id:$id){ id status acknowledgedOn } }";
const REVIEW: &str = "mutation($id:ID!){ reviewSuggestion(id:$id){ id status } }";
const ANSWER: &str = "mutation($id:ID!,$i:AnswerSuggestionInput!){ answerSuggestion(id:$id, input:$i){ id status answeredInTime answer { outcome role institutionId answeredOn actionIds } } }";
const CONFIRM: &str = "mutation($c:String!,$s:String,$r:Boolean!){ confirmSuggestion(trackingCode:$c, secret:$s, resolved:$r){ status resolved closedOn } }";
const REOPEN: &str = "mutation($c:String!,$s:String,$r:String!){ reopenSuggestion(trackingCode:$c, secret:$s, reason:$r){ status answerBy canReopen } }";
const REFER: &str = "mutation($id:ID!,$to:ID!,$r:String!){ referSuggestion(id:$id, toInstitutionId:$to, reason:$r){ id status } }";
const EXTEND: &str = "mutation($id:ID!,$d:Int!,$r:String!){ extendSuggestionDeadline(id:$id, days:$d, reason:$r){ answerBy extensionDays } }";
const PUBLISH: &str =
    "mutation($id:ID!,$t:String){ publishSuggestion(id:$id, text:$t){ publishedText } }";
const SUPPORT: &str =
    "mutation($id:ID!,$d:String){ supportSuggestion(id:$id, deviceKey:$d){ supports } }";
const STATS: &str = "query($f:SuggestionFilterInput,$p:PeriodInput!){ suggestionStats(filter:$f, period:$p){ received byKind { kind count } answered answeredInTime answeredInTimeShare { value low high } medianWorkingDaysToAnswer confirmed confirmedResolved confirmedResolvedShare { value } overdueNow } }";

/// A world whose clients may send many suggestions (the limit is tested apart).
async fn world() -> SurveyWorld {
    let w = SurveyWorld::with("FACES_3", |c| c.suggestions.per_client = 1_000).await;
    people(&w).await;
    w
}

fn input(w: &SurveyWorld, text: &str, extra: Value) -> Value {
    let mut i = json!({
        "institutionId": w.agency,
        "serviceId": w.service,
        "kind": "COMPLAINT",
        "text": text,
    });
    for (k, v) in extra.as_object().unwrap() {
        i[k] = v.clone();
    }
    json!({ "i": i })
}

async fn send(w: &SurveyWorld, auth: &Auth, text: &str, extra: Value) -> Value {
    w.app.ok(auth, SEND, input(w, text, extra)).await["sendSuggestion"].clone()
}

fn ok<'a>(d: &'a Value, field: &str) -> &'a Value {
    assert!(d["errors"].is_null(), "{d}");
    &d["data"][field]
}

fn field(d: &Value) -> &str {
    d["errors"][0]["extensions"]["invalid"][0]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

fn answer(outcome: &str, extra: Value) -> Value {
    let mut i = json!({ "outcome": outcome, "text": { "mn": "Хүлээлгийн танхимд суудал нэмлээ.", "en": "We added seats." } });
    for (k, v) in extra.as_object().unwrap() {
        i[k] = v.clone();
    }
    i
}

#[actix_web::test]
async fn a_citizen_sends_a_suggestion_without_an_account_and_follows_it_by_its_code() {
    let w = world().await;
    // Saturday 2026-11-28, 10:00 in Ulaanbaatar.
    let text = "  Дараалал <b>урт</b> байна.\r\nСуудал алга.  ";
    let s = send(&w, &Auth::None, text, json!({ "language": "mn" })).await;
    let code = s["trackingCode"].as_str().unwrap();
    assert_eq!(code.len(), 11);
    assert!(
        code.chars()
            .all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)),
        "{code}"
    );
    let secret = s["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 26);
    assert_eq!(s["status"], "RECEIVED");
    assert_eq!(s["folded"], false);
    assert_eq!(s["receivedOn"], "2026-11-28");
    // Three working days after a Saturday: Monday, Tuesday, Wednesday.
    assert_eq!(s["acknowledgeBy"], "2026-12-02");
    assert_eq!(s["answerBy"], "2026-12-28");
    // Stored exactly as written.
    assert_eq!(s["text"], text);

    // The code alone shows where it stands, not what it says.
    let typed = code.to_lowercase().replace('-', " ");
    let r = w.app.gql(&Auth::None, BY_CODE, json!({ "c": typed })).await;
    let v = ok(&r, "suggestion");
    assert_eq!(v["status"], "RECEIVED");
    assert_eq!(v["text"], Value::Null);
    let r = w
        .app
        .gql(&Auth::None, BY_CODE, json!({ "c": code, "s": secret }))
        .await;
    assert_eq!(ok(&r, "suggestion")["text"], text);
    // A wrong secret or an unknown code are the same "not found".
    let r = w
        .app
        .gql(
            &Auth::None,
            BY_CODE,
            json!({ "c": code, "s": "A".repeat(26) }),
        )
        .await;
    assert_eq!(code_of(&r), "NOT_FOUND");
    let r = w
        .app
        .gql(&Auth::None, BY_CODE, json!({ "c": "00000-00000" }))
        .await;
    assert_eq!(code_of(&r), "NOT_FOUND");
    // No secret is stored: the table holds none of it.
    let found = raw_count(
        &w,
        &format!("SELECT COUNT(*) AS n FROM suggestions WHERE body LIKE '%{secret}%' OR tracking_code = '{secret}'"),
    )
    .await;
    assert_eq!(found, 0);
}

fn code_of(v: &Value) -> &str {
    code(v)
}

async fn raw_count(w: &SurveyWorld, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = w.app.state.db.conn();
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[actix_web::test]
async fn deadlines_skip_weekends_and_the_holidays_an_admin_keeps() {
    let w = world().await;
    let h = w
        .app
        .gql(
            &Auth::None,
            "{ holidays(year: 2026){ date everyYear name { mn en } } }",
            json!({}),
        )
        .await;
    let days: Vec<&str> = ok(&h, "holidays")
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    for d in [
        "2026-01-01",
        "2026-07-11",
        "2026-07-15",
        "2026-11-26",
        "2026-12-29",
    ] {
        assert!(days.contains(&d), "{d} in {days:?}");
    }
    // Tsagaan Sar moves: entered each year. Only an ADMIN keeps the calendar.
    let add = "mutation($i:HolidayInput!){ addHoliday(input:$i){ id date everyYear } }";
    let one_day = json!({ "i": { "year": 2026, "month": 12, "day": 1, "name": { "mn": "Туршилтын амралт" } } });
    let r = w.app.gql(&w.manager, add, one_day.clone()).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = w.app.gql(&w.admin, add, one_day.clone()).await;
    assert_eq!(ok(&r, "addHoliday")["date"], "2026-12-01");
    assert_eq!(ok(&r, "addHoliday")["everyYear"], false);
    let r = w.app.gql(&w.admin, add, one_day).await;
    assert_eq!(code(&r), "CONFLICT");
    let r = w
        .app
        .gql(
            &w.admin,
            add,
            json!({ "i": { "month": 2, "day": 30, "name": { "mn": "Байхгүй" } } }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    // Saturday: Monday 30, (Tuesday 1 a holiday), Wednesday 2, Thursday 3.
    let s = send(&w, &Auth::None, "Цонх цөөн.", json!({})).await;
    assert_eq!(s["acknowledgeBy"], "2026-12-03");
    // The same day's holiday counted nothing for next year.
    let h = w
        .app
        .gql(&Auth::None, "{ holidays(year: 2027){ date } }", json!({}))
        .await;
    assert!(!ok(&h, "holidays").to_string().contains("2027-12-01"));
}

#[actix_web::test]
async fn the_institution_answers_through_the_life_cycle_and_the_citizen_confirms_it() {
    let w = world().await;
    let s = send(
        &w,
        &Auth::None,
        "Суудал нэмээч.",
        json!({ "kind": "SUGGESTION" }),
    )
    .await;
    let (id, code_, secret) = (
        s["id"].clone(),
        s["trackingCode"].clone(),
        s["secret"].clone(),
    );
    let (_, manager, staff) =
        move_to(&w, Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap()).await;
    // Reviewing before acknowledging is refused; nothing changes.
    let r = w.app.gql(&staff, REVIEW, json!({ "id": id })).await;
    assert_eq!(code(&r), "CONFLICT");
    let r = w.app.gql(&manager, ACK, json!({ "id": id })).await;
    assert_eq!(ok(&r, "acknowledgeSuggestion")["status"], "ACKNOWLEDGED");
    assert_eq!(
        ok(&r, "acknowledgeSuggestion")["acknowledgedOn"],
        "2026-11-30"
    );
    let r = w.app.gql(&manager, ACK, json!({ "id": id })).await;
    assert_eq!(code(&r), "CONFLICT");
    let r = w.app.gql(&staff, REVIEW, json!({ "id": id })).await;
    assert_eq!(ok(&r, "reviewSuggestion")["status"], "IN_REVIEW");
    // The citizen cannot confirm what is not answered.
    let r = w
        .app
        .gql(
            &Auth::None,
            CONFIRM,
            json!({ "c": code_, "s": secret, "r": true }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    let r = w
        .app
        .gql(
            &staff,
            ANSWER,
            json!({ "id": id, "i": answer("ACCEPTED", json!({})) }),
        )
        .await;
    let a = ok(&r, "answerSuggestion");
    assert_eq!(a["status"], "ANSWERED");
    assert_eq!(a["answeredInTime"], true);
    assert_eq!(a["answer"]["role"], "INSTITUTION_STAFF");
    assert_eq!(a["answer"]["institutionId"], w.agency.as_str());
    assert_eq!(a["answer"]["answeredOn"], "2026-11-30");
    let r = w
        .app
        .gql(
            &staff,
            ANSWER,
            json!({ "id": id, "i": answer("ACCEPTED", json!({})) }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    // The citizen sees the official answer, and who gave it as a role.
    let r = w.app.gql(&Auth::None, BY_CODE, json!({ "c": code_ })).await;
    let v = ok(&r, "suggestion");
    assert_eq!(v["answer"]["outcome"], "ACCEPTED");
    assert_eq!(
        v["answer"]["text"]["mn"],
        "Хүлээлгийн танхимд суудал нэмлээ."
    );
    assert_eq!(v["canReopen"], true);
    // Confirming needs the secret.
    let r = w
        .app
        .gql(&Auth::None, CONFIRM, json!({ "c": code_, "r": true }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = w
        .app
        .gql(
            &Auth::None,
            CONFIRM,
            json!({ "c": code_, "s": secret, "r": true }),
        )
        .await;
    let c = ok(&r, "confirmSuggestion");
    assert_eq!(c["status"], "CLOSED");
    assert_eq!(c["resolved"], true);
    assert_eq!(c["closedOn"], "2026-11-30");
    let r = w
        .app
        .gql(
            &Auth::None,
            CONFIRM,
            json!({ "c": code_, "s": secret, "r": false }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
}

#[actix_web::test]
async fn a_citizen_reopens_an_answer_once_within_thirty_days_and_silence_closes_it() {
    let w = world().await;
    let a = send(&w, &Auth::None, "Нэг.", json!({})).await;
    let b = send(&w, &Auth::None, "Хоёр.", json!({})).await;
    for s in [&a, &b] {
        let r = w
            .app
            .gql(
                &w.manager,
                ANSWER,
                json!({ "id": s["id"], "i": answer("ALREADY_IN_PLACE", json!({})) }),
            )
            .await;
        assert_eq!(
            ok(&r, "answerSuggestion")["answer"]["role"],
            "INSTITUTION_MANAGER"
        );
    }
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 20, 2, 0, 0).unwrap()).await;
    let reopen =
        |s: &Value, why: &str| json!({ "c": s["trackingCode"], "s": s["secret"], "r": why });
    let r = w.app.gql(&Auth::None, REOPEN, reopen(&a, "short")).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let r = w
        .app
        .gql(
            &Auth::None,
            REOPEN,
            reopen(&a, "Суудал нэмээгүй хэвээр байна."),
        )
        .await;
    let v = ok(&r, "reopenSuggestion");
    assert_eq!(v["status"], "REOPENED");
    // The citizen's words are theirs: not shown to whoever has only the code.
    let q = "query($c:String!,$s:String){ suggestion(trackingCode:$c, secret:$s){ reopenReason } }";
    let r = w
        .app
        .gql(&Auth::None, q, json!({ "c": a["trackingCode"] }))
        .await;
    assert_eq!(ok(&r, "suggestion")["reopenReason"], Value::Null);
    let r = w
        .app
        .gql(
            &Auth::None,
            q,
            json!({ "c": a["trackingCode"], "s": a["secret"] }),
        )
        .await;
    assert_eq!(
        ok(&r, "suggestion")["reopenReason"],
        "Суудал нэмээгүй хэвээр байна."
    );
    assert_eq!(v["answerBy"], "2027-01-19");
    assert_eq!(v["canReopen"], false);
    // The institution answers again; a second reopening is refused.
    let r = w.app.gql(&manager, REVIEW, json!({ "id": a["id"] })).await;
    assert_eq!(ok(&r, "reviewSuggestion")["status"], "IN_REVIEW");
    let r = w
        .app
        .gql(
            &manager,
            ANSWER,
            json!({ "id": a["id"], "i": answer("ACCEPTED", json!({})) }),
        )
        .await;
    assert_eq!(ok(&r, "answerSuggestion")["status"], "ANSWERED");
    let r = w
        .app
        .gql(&Auth::None, REOPEN, reopen(&a, "Одоо ч гэсэн суудал алга."))
        .await;
    assert_eq!(code(&r), "CONFLICT");
    // 31 days after its answer, b can no longer be reopened, and the hourly job closes it.
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 30, 2, 0, 0).unwrap()).await;
    let r = w
        .app
        .gql(&Auth::None, REOPEN, reopen(&b, "Хариулт хангалтгүй байна."))
        .await;
    assert_eq!(code(&r), "CONFLICT");
    sanal::services::jobs::run_hourly(&w.app.state)
        .await
        .unwrap()
        .unwrap();
    let r = w.app.gql(&manager, ONE, json!({ "id": b["id"] })).await;
    assert_eq!(ok(&r, "institutionSuggestion")["status"], "CLOSED");
    let r = w
        .app
        .gql(&Auth::None, BY_CODE, json!({ "c": b["trackingCode"] }))
        .await;
    assert_eq!(ok(&r, "suggestion")["resolved"], Value::Null);
    // a was answered again on 2026-12-20: still open to the citizen's reply.
    let r = w.app.gql(&manager, ONE, json!({ "id": a["id"] })).await;
    assert_eq!(ok(&r, "institutionSuggestion")["status"], "ANSWERED");
}

#[actix_web::test]
async fn a_referral_hands_it_to_the_receiving_institution_and_the_clock_keeps_running() {
    let w = world().await;
    let mof = another_ministry(&w).await;
    let s = send(&w, &Auth::None, "Татварын асуудал.", json!({})).await;
    let id = s["id"].clone();
    let r = w
        .app
        .gql(
            &w.manager,
            REFER,
            json!({ "id": id, "to": mof, "r": "short" }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let r = w
        .app
        .gql(
            &w.manager,
            REFER,
            json!({ "id": id, "to": mof, "r": "Татварын асуудал Сангийн яамных." }),
        )
        .await;
    assert_eq!(ok(&r, "referSuggestion")["status"], "REFERRED");
    // It left MOJ's hands: MOJ sees it no more; MOF does, with the same deadlines.
    let r = w.app.gql(&w.manager, ONE, json!({ "id": id })).await;
    assert_eq!(code(&r), "NOT_FOUND");
    let mof_manager = w.app.token("m@mof.gov.mn", PASSWORD).await;
    let r = w.app.gql(&mof_manager, ONE, json!({ "id": id })).await;
    let v = ok(&r, "institutionSuggestion");
    assert_eq!(v["status"], "REFERRED");
    assert_eq!(v["institutionId"], mof.as_str());
    assert_eq!(v["receivedById"], w.agency.as_str());
    assert_eq!(v["answerBy"], s["answerBy"]);
    assert_eq!(v["acknowledgeBy"], s["acknowledgeBy"]);
    assert_eq!(v["statusReason"], "Татварын асуудал Сангийн яамных.");
    let r = w.app.gql(&mof_manager, ACK, json!({ "id": id })).await;
    assert_eq!(ok(&r, "acknowledgeSuggestion")["status"], "ACKNOWLEDGED");
    // It counts for MOF now; MOJ's figures show it as referred away, so referring
    // cannot quietly empty an institution's box.
    let p = json!({ "kind": "MONTH", "start": "2026-11-01" });
    let q = "query($f:SuggestionFilterInput,$p:PeriodInput!){ suggestionStats(filter:$f, period:$p){ received referredAway } }";
    let r = w
        .app
        .gql(
            &w.manager,
            q,
            json!({ "f": { "institutionId": w.ministry, "withSubtree": true }, "p": p }),
        )
        .await;
    assert_eq!(
        ok(&r, "suggestionStats"),
        &json!({ "received": 0, "referredAway": 1 })
    );
    let r = w
        .app
        .gql(
            &mof_manager,
            q,
            json!({ "f": { "institutionId": mof }, "p": p }),
        )
        .await;
    assert_eq!(
        ok(&r, "suggestionStats"),
        &json!({ "received": 1, "referredAway": 0 })
    );
    // Another institution's suggestion is not there for MOJ to act on.
    let r = w
        .app
        .gql(
            &w.manager,
            ANSWER,
            json!({ "id": id, "i": answer("ACCEPTED", json!({})) }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
}

#[actix_web::test]
async fn the_answer_deadline_is_extended_once_by_a_manager_with_a_reason() {
    let w = world().await;
    let s = send(&w, &Auth::None, "Хүсэлт.", json!({ "kind": "REQUEST" })).await;
    let id = s["id"].clone();
    let (_, manager, staff) =
        move_to(&w, Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap()).await;
    let why = "Бусад байгууллагаас мэдээлэл авах шаардлагатай.";
    let r = w
        .app
        .gql(&staff, EXTEND, json!({ "id": id, "d": 10, "r": why }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = w
        .app
        .gql(&manager, EXTEND, json!({ "id": id, "d": 31, "r": why }))
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "days"));
    let r = w
        .app
        .gql(&manager, EXTEND, json!({ "id": id, "d": 10, "r": why }))
        .await;
    assert_eq!(ok(&r, "extendSuggestionDeadline")["answerBy"], "2027-01-07");
    assert_eq!(ok(&r, "extendSuggestionDeadline")["extensionDays"], 10);
    let r = w
        .app
        .gql(&manager, EXTEND, json!({ "id": id, "d": 5, "r": why }))
        .await;
    assert_eq!(code(&r), "CONFLICT");
}

#[actix_web::test]
async fn overdue_suggestions_are_flagged_filtered_and_counted() {
    let w = world().await;
    let late = send(&w, &Auth::None, "Хариу алга.", json!({})).await;
    let acked = send(&w, &Auth::None, "Хариу байна.", json!({})).await;
    w.app
        .ok(&w.manager, ACK, json!({ "id": acked["id"] }))
        .await;
    // Thursday 2026-12-03: the acknowledgement was due on Wednesday.
    let (sup, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap()).await;
    let r = w.app.gql(&manager, ONE, json!({ "id": late["id"] })).await;
    assert_eq!(ok(&r, "institutionSuggestion")["overdue"], true);
    let r = w.app.gql(&manager, ONE, json!({ "id": acked["id"] })).await;
    assert_eq!(ok(&r, "institutionSuggestion")["overdue"], false);
    let r = w
        .app
        .gql(&sup, LIST, json!({ "f": { "overdue": true } }))
        .await;
    let ids: Vec<&Value> = ok(&r, "suggestions")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["id"])
        .collect();
    assert_eq!(ids, vec![&late["id"]]);
    // 2026-12-29: the answer was due on the 28th for both.
    let (sup, _, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 29, 2, 0, 0).unwrap()).await;
    let r = w
        .app
        .gql(&sup, STATS, json!({ "f": { "institutionId": w.ministry, "withSubtree": true }, "p": { "kind": "MONTH", "start": "2026-11-01" } }))
        .await;
    assert_eq!(ok(&r, "suggestionStats")["overdueNow"], 2);
}

#[actix_web::test]
async fn a_contact_is_kept_only_with_consent_read_only_by_managers_and_erased_after_closing() {
    let w = world().await;
    let r = w
        .app
        .gql(
            &Auth::None,
            SEND,
            input(&w, "Холбогдоорой.", json!({ "phone": "8811 2233" })),
        )
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "consent"));
    let r = w
        .app
        .gql(
            &Auth::None,
            SEND,
            input(
                &w,
                "Холбогдоорой.",
                json!({ "phone": "88-11", "consent": true }),
            ),
        )
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "contact"));
    let s = send(
        &w,
        &Auth::None,
        "Холбогдоорой.",
        json!({ "phone": "8811 2233", "consent": true }),
    )
    .await;
    let id = s["id"].clone();
    let (sup, manager, staff) =
        move_to(&w, Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap()).await;
    // Staff and supervisors see that there is one, not what it is.
    for who in [&staff, &sup] {
        let r = w.app.gql(who, ONE, json!({ "id": id })).await;
        let v = ok(&r, "institutionSuggestion");
        assert_eq!(v["hasContact"], true);
        assert_eq!(v["contact"], Value::Null);
    }
    let r = w.app.gql(&manager, ONE, json!({ "id": id })).await;
    assert_eq!(
        ok(&r, "institutionSuggestion")["contact"],
        json!({ "kind": "PHONE", "value": "88112233" })
    );
    // Each read is audited; the submission's entry holds no client address.
    let admin = w.app.admin().await;
    let log = w
        .app
        .ok(
            &admin,
            "query($t:ID!){ auditLog(filter:{targetId:$t}){ edges { node { action clientIp actorLabel } } } }",
            json!({ "t": id }),
        )
        .await;
    let entries = log["auditLog"]["edges"].as_array().unwrap();
    let read: Vec<&Value> = entries
        .iter()
        .filter(|e| e["node"]["action"] == "SUGGESTION_CONTACT_READ")
        .collect();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0]["node"]["actorLabel"], "manager@moj.gov.mn");
    let received: Vec<&Value> = entries
        .iter()
        .filter(|e| e["node"]["action"] == "SUGGESTION_RECEIVED")
        .collect();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["node"]["clientIp"], Value::Null);
    // Answered, confirmed, then 90 days on: the contact is gone from the database.
    w.app
        .ok(
            &manager,
            ANSWER,
            json!({ "id": id, "i": answer("ACCEPTED", json!({})) }),
        )
        .await;
    w.app
        .ok(
            &Auth::None,
            CONFIRM,
            json!({ "c": s["trackingCode"], "s": s["secret"], "r": false }),
        )
        .await;
    let (_, _, _) = move_to(&w, Utc.with_ymd_and_hms(2027, 2, 27, 2, 0, 0).unwrap()).await;
    sanal::services::jobs::run_hourly(&w.app.state)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        raw_count(&w, "SELECT COUNT(*) AS n FROM suggestion_contacts").await,
        1,
        "89 days after closing, still kept"
    );
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2027, 3, 1, 2, 0, 0).unwrap()).await;
    let run = sanal::services::jobs::run_hourly(&w.app.state)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.suggestions.erased, 1);
    assert_eq!(
        raw_count(&w, "SELECT COUNT(*) AS n FROM suggestion_contacts").await,
        0
    );
    let r = w.app.gql(&manager, ONE, json!({ "id": id })).await;
    assert_eq!(ok(&r, "institutionSuggestion")["hasContact"], false);
    assert_eq!(ok(&r, "institutionSuggestion")["contact"], Value::Null);
}

#[actix_web::test]
async fn published_suggestions_show_masked_text_and_count_each_support_once() {
    let w = world().await;
    w.app
        .user_with_role(&w.admin, "citizen@mail.mn", "CITIZEN", None)
        .await;
    let text = "Менежер Бат (утас 9911-2233, bat@mail.mn, РД УБ99112233) хүлээлгэсэн.";
    let s = send(&w, &Auth::None, text, json!({ "servicePointId": w.point })).await;
    let id = s["id"].clone();
    let other = send(&w, &Auth::None, "Нийтлээгүй.", json!({})).await;
    let r = w.app.gql(&Auth::None, PUBLIC, json!({})).await;
    assert_eq!(ok(&r, "publicSuggestions")["edges"], json!([]));
    let r = w.app.gql(&w.manager, ONE, json!({ "id": id })).await;
    let masked = "Менежер Бат (утас ***, ***, РД ***) хүлээлгэсэн.";
    assert_eq!(ok(&r, "institutionSuggestion")["redactedText"], masked);
    // Staff answer; only managers publish, and may edit (masked again).
    let (_, manager, staff) =
        move_to(&w, Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap()).await;
    w.app
        .ok(
            &staff,
            ANSWER,
            json!({ "id": id, "i": answer("ACCEPTED", json!({})) }),
        )
        .await;
    let r = w.app.gql(&staff, PUBLISH, json!({ "id": id })).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = w.app.gql(&manager, PUBLISH, json!({ "id": id })).await;
    assert_eq!(ok(&r, "publishSuggestion")["publishedText"], masked);
    let edited = "Менежер (99112233) удаан хүлээлгэсэн.";
    let r = w
        .app
        .gql(&manager, PUBLISH, json!({ "id": id, "t": edited }))
        .await;
    assert_eq!(
        ok(&r, "publishSuggestion")["publishedText"],
        "Менежер (***) удаан хүлээлгэсэн."
    );
    let r = w.app.gql(&Auth::None, PUBLIC, json!({})).await;
    let edges = ok(&r, "publicSuggestions")["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 1);
    let n = &edges[0]["node"];
    assert_eq!(n["text"], "Менежер (***) удаан хүлээлгэсэн.");
    assert_eq!(n["trackingCode"], Value::Null);
    assert_eq!(n["answeredBy"], Value::Null);
    assert_eq!(n["servicePointId"], Value::Null);
    assert_eq!(n["contact"], Value::Null);
    assert_eq!(n["answer"]["outcome"], "ACCEPTED");
    assert!(!n.to_string().contains("9911"));
    // One support per device, one per signed-in citizen.
    let r = w
        .app
        .gql(
            &Auth::None,
            SUPPORT,
            json!({ "id": id, "d": "device-0001-abcdef" }),
        )
        .await;
    assert_eq!(ok(&r, "supportSuggestion")["supports"], 1);
    let r = w
        .app
        .gql(
            &Auth::None,
            SUPPORT,
            json!({ "id": id, "d": "device-0001-abcdef" }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    let r = w.app.gql(&Auth::None, SUPPORT, json!({ "id": id })).await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "deviceKey"));
    let citizen = w.app.token("citizen@mail.mn", PASSWORD).await;
    let r = w.app.gql(&citizen, SUPPORT, json!({ "id": id })).await;
    assert_eq!(ok(&r, "supportSuggestion")["supports"], 2);
    let r = w
        .app
        .gql(
            &citizen,
            SUPPORT,
            json!({ "id": id, "d": "device-0002-abcdef" }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    // What is not published cannot be supported (nor seen).
    let r = w
        .app
        .gql(
            &Auth::None,
            SUPPORT,
            json!({ "id": other["id"], "d": "device-0003-abcdef" }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    // Supports are stored as keyed hashes, never as the device key.
    assert_eq!(
        raw_count(
            &w,
            "SELECT COUNT(*) AS n FROM suggestion_supports WHERE supporter LIKE '%device%'"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn a_signed_in_citizen_follows_their_own_suggestions_without_the_secret() {
    let w = world().await;
    w.app
        .user_with_role(&w.admin, "citizen@mail.mn", "CITIZEN", None)
        .await;
    let citizen = w.app.token("citizen@mail.mn", PASSWORD).await;
    let s = send(&w, &citizen, "Миний санал.", json!({ "kind": "PRAISE" })).await;
    send(&w, &Auth::None, "Бусдын санал.", json!({})).await;
    let mine = w
        .app
        .ok(
            &citizen,
            "{ mySuggestions { edges { node { id kind text } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine["mySuggestions"]["edges"],
        json!([{ "node": { "id": s["id"], "kind": "PRAISE", "text": "Миний санал." } }])
    );
    let r = w
        .app
        .gql(&citizen, BY_CODE, json!({ "c": s["trackingCode"] }))
        .await;
    assert_eq!(ok(&r, "suggestion")["text"], "Миний санал.");
    // A citizen reads no institution's list.
    let r = w.app.gql(&citizen, LIST, json!({})).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = w
        .app
        .gql(
            &Auth::None,
            "{ mySuggestions { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
}

#[actix_web::test]
async fn bad_input_is_refused_with_its_field_and_nothing_is_written() {
    let w = world().await;
    let cases = [
        (input(&w, &"а".repeat(4_001), json!({})), "text"),
        (input(&w, "   ", json!({})), "text"),
        // Control characters are refused before any resolver runs.
        (input(&w, "a\u{1b}[31m", json!({})), "input"),
        (input(&w, "Сайн.", json!({ "language": "xx" })), "language"),
        (
            input(
                &w,
                "Сайн.",
                json!({ "institutionId": uuid::Uuid::new_v4().to_string() }),
            ),
            "institutionId",
        ),
        (
            input(
                &w,
                "Сайн.",
                json!({ "servicePointId": uuid::Uuid::new_v4().to_string() }),
            ),
            "servicePointId",
        ),
        (
            input(&w, "Сайн.", json!({ "deviceKey": "short" })),
            "deviceKey",
        ),
    ];
    for (vars, f) in cases {
        let r = w.app.gql(&Auth::None, SEND, vars).await;
        assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", f), "{r}");
    }
    // 4,000 characters is fine.
    let long = send(&w, &Auth::None, &"а".repeat(4_000), json!({})).await;
    assert_eq!(long["status"], "RECEIVED");
    assert_eq!(
        raw_count(&w, "SELECT COUNT(*) AS n FROM suggestions").await,
        1
    );
    // An integration never sends one.
    let r = w.app.gql(&w.key, SEND, input(&w, "Сайн.", json!({}))).await;
    assert_eq!(code(&r), "FORBIDDEN");
    // Answers: a declined one says why; a planned one links live actions of the institution.
    let id = long["id"].clone();
    let r = w
        .app
        .gql(
            &w.manager,
            ANSWER,
            json!({ "id": id, "i": answer("DECLINED", json!({})) }),
        )
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "reason"));
    let r = w
        .app
        .gql(
            &w.manager,
            ANSWER,
            json!({ "id": id, "i": answer("PLANNED", json!({})) }),
        )
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "actionIds"));
    let r = w
        .app
        .gql(&w.manager, ANSWER, json!({ "id": id, "i": answer("PLANNED", json!({ "actionIds": [uuid::Uuid::new_v4().to_string()] })) }))
        .await;
    assert_eq!((code(&r), field(&r)), ("BAD_USER_INPUT", "actionIds"));
    let r = w.app.gql(&w.manager, ONE, json!({ "id": id })).await;
    assert_eq!(ok(&r, "institutionSuggestion")["status"], "RECEIVED");
    let r = w
        .app
        .gql(
            &w.manager,
            ACK,
            json!({ "id": uuid::Uuid::new_v4().to_string() }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
}

#[actix_web::test]
async fn a_planned_answer_links_the_improvement_actions_that_will_do_it() {
    let w = world().await;
    let s = send(
        &w,
        &Auth::None,
        "Онлайн цаг захиалга хэрэгтэй.",
        json!({ "kind": "SUGGESTION" }),
    )
    .await;
    let me = w.app.ok(&w.manager, "query{ me { id } }", json!({})).await["me"]["id"].clone();
    let a = w
        .app
        .ok(
            &w.manager,
            "mutation($i:CreateImprovementActionInput!){ createImprovementAction(input:$i){ id } }",
            json!({ "i": { "institutionId": w.agency, "title": { "mn": "Онлайн цаг" }, "description": { "mn": "Цаг захиалга." }, "ownerId": me, "dueDate": "2027-03-31" } }),
        )
        .await["createImprovementAction"]["id"]
        .clone();
    let r = w
        .app
        .gql(
            &w.manager,
            ANSWER,
            json!({ "id": s["id"], "i": answer("PLANNED", json!({ "actionIds": [a] })) }),
        )
        .await;
    assert_eq!(
        ok(&r, "answerSuggestion")["answer"]["actionIds"],
        json!([a])
    );
    let act = w
        .app
        .ok(
            &w.manager,
            "query($id:ID!){ improvementAction(id:$id){ origins { kind id } } }",
            json!({ "id": a }),
        )
        .await;
    assert_eq!(
        act["improvementAction"]["origins"],
        json!([{ "kind": "SUGGESTION", "id": s["id"] }])
    );
    let r = w
        .app
        .gql(&Auth::None, BY_CODE, json!({ "c": s["trackingCode"] }))
        .await;
    assert_eq!(ok(&r, "suggestion")["answer"]["actionIds"], json!([a]));
    // An action may name the suggestions it answers when it is made, but only its
    // institution's.
    let create = "mutation($i:CreateImprovementActionInput!){ createImprovementAction(input:$i){ origins { kind id } } }";
    let action = |sid: &Value| json!({ "i": { "institutionId": w.agency, "title": { "mn": "Суудал" }, "description": { "mn": "Суудал нэмэх." }, "ownerId": me, "dueDate": "2027-03-31", "suggestionIds": [sid] } });
    let t = send(&w, &Auth::None, "Суудал нэмээч.", json!({})).await;
    let r = w.app.gql(&w.manager, create, action(&t["id"])).await;
    assert_eq!(
        ok(&r, "createImprovementAction")["origins"],
        json!([{ "kind": "SUGGESTION", "id": t["id"] }])
    );
    let mof = another_ministry_id(&w).await;
    let elsewhere = send(
        &w,
        &Auth::None,
        "Өөр яамны.",
        json!({ "institutionId": mof, "serviceId": null }),
    )
    .await;
    let r = w
        .app
        .gql(&w.manager, create, action(&elsewhere["id"]))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
}

#[actix_web::test]
async fn a_client_is_rate_limited_and_an_exact_repeat_is_folded_into_the_first() {
    let w = SurveyWorld::new("FACES_3").await;
    let first = send(&w, &Auth::None, "Давтагдсан.", json!({})).await;
    let again = send(&w, &Auth::None, "Давтагдсан.", json!({})).await;
    assert_eq!(again["folded"], true);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["trackingCode"], first["trackingCode"]);
    assert_eq!(again["secret"], first["secret"]);
    // Four more distinct ones reach the limit of five per hour; the sixth is refused.
    for i in 0..4 {
        send(&w, &Auth::None, &format!("Санал {i}."), json!({})).await;
    }
    let r = w
        .app
        .gql(&Auth::None, SEND, input(&w, "Зургаа дахь.", json!({})))
        .await;
    assert_eq!(code(&r), "RATE_LIMITED");
    assert_eq!(
        raw_count(&w, "SELECT COUNT(*) AS n FROM suggestions").await,
        5
    );
    // An hour later the client may send again.
    w.app.clock.set(w.now() + Duration::minutes(61));
    let r = w
        .app
        .gql(&Auth::None, SEND, input(&w, "Зургаа дахь.", json!({})))
        .await;
    assert_eq!(ok(&r, "sendSuggestion")["status"], "RECEIVED");
}

#[actix_web::test]
async fn guessing_tracking_codes_is_rate_limited() {
    let w = SurveyWorld::with("FACES_3", |c| c.invitation_misses_per_client = 3).await;
    let s = send(&w, &Auth::None, "Миний санал.", json!({})).await;
    for i in 0..3 {
        let r = w
            .app
            .gql(
                &Auth::None,
                BY_CODE,
                json!({ "c": format!("ABCDE-FGH{i:02}") }),
            )
            .await;
        assert_eq!(code(&r), "NOT_FOUND");
    }
    // Even the right code is refused now.
    let r = w
        .app
        .gql(&Auth::None, BY_CODE, json!({ "c": s["trackingCode"] }))
        .await;
    assert_eq!(code(&r), "RATE_LIMITED");
}

#[actix_web::test]
async fn staff_write_a_survey_comment_down_as_a_suggestion_with_the_text_only() {
    let w = world().await;
    let mof = another_ministry_id(&w).await;
    let (_, _, staff) = move_to(&w, Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap()).await;
    let q = "mutation($i:SuggestionFromCommentInput!){ suggestionFromComment(input:$i){ id source status kind text trackingCode } }";
    let r = w
        .app
        .gql(&staff, q, json!({ "i": { "institutionId": w.agency, "serviceId": w.service, "kind": "COMPLAINT", "text": "Ажилтан бүдүүлэг байсан." } }))
        .await;
    let v = ok(&r, "suggestionFromComment");
    assert_eq!(v["source"], "SURVEY_COMMENT");
    assert_eq!(v["status"], "RECEIVED");
    assert_eq!(v["text"], "Ажилтан бүдүүлэг байсан.");
    // Not for an institution outside the caller's.
    let r = w
        .app
        .gql(
            &staff,
            q,
            json!({ "i": { "institutionId": mof, "kind": "COMPLAINT", "text": "Өөр." } }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    // It cannot be followed by code as a citizen's (nobody holds its secret).
    let r = w
        .app
        .gql(&Auth::None, BY_CODE, json!({ "c": v["trackingCode"] }))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
}

async fn another_ministry_id(w: &SurveyWorld) -> String {
    w.app.create_institution(&w.admin, "MOF", None).await
}

#[actix_web::test]
async fn the_figures_count_answers_on_time_working_days_and_confirmations() {
    let w = world().await;
    another_ministry(&w).await;
    // Saturday 28th: three received.
    let a = send(&w, &Auth::None, "Нэг.", json!({ "kind": "COMPLAINT" })).await;
    let b = send(&w, &Auth::None, "Хоёр.", json!({ "kind": "COMPLAINT" })).await;
    let c = send(&w, &Auth::None, "Гурав.", json!({ "kind": "PRAISE" })).await;
    // a answered Wednesday 2 Dec (3 working days), b on 30 Dec (late: due the 28th).
    let (_, manager, _) = move_to(&w, Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap()).await;
    w.app
        .ok(
            &manager,
            ANSWER,
            json!({ "id": a["id"], "i": answer("ACCEPTED", json!({})) }),
        )
        .await;
    w.app
        .ok(
            &Auth::None,
            CONFIRM,
            json!({ "c": a["trackingCode"], "s": a["secret"], "r": true }),
        )
        .await;
    let (sup, manager, staff) =
        move_to(&w, Utc.with_ymd_and_hms(2026, 12, 30, 2, 0, 0).unwrap()).await;
    let r = w
        .app
        .gql(&manager, ANSWER, json!({ "id": b["id"], "i": answer("DECLINED", json!({ "reason": "Хуулиар зөвшөөрөгдөөгүй." })) }))
        .await;
    assert_eq!(ok(&r, "answerSuggestion")["answeredInTime"], false);
    let _ = c;
    let p = json!({ "kind": "MONTH", "start": "2026-11-01" });
    let r = w
        .app
        .gql(
            &sup,
            STATS,
            json!({ "f": { "institutionId": w.ministry, "withSubtree": true }, "p": p }),
        )
        .await;
    let s = ok(&r, "suggestionStats");
    assert_eq!(s["received"], 3);
    assert_eq!(
        s["byKind"],
        json!([
            { "kind": "SUGGESTION", "count": 0 },
            { "kind": "REQUEST", "count": 0 },
            { "kind": "COMPLAINT", "count": 2 },
            { "kind": "PRAISE", "count": 1 }
        ])
    );
    assert_eq!(s["answered"], 2);
    assert_eq!(s["answeredInTime"], 1);
    assert_eq!(s["answeredInTimeShare"]["value"], 0.5);
    let low = s["answeredInTimeShare"]["low"].as_f64().unwrap();
    assert!((low - 0.0945).abs() < 1e-3, "{low}");
    // a: 3 working days; b: Nov 28 → Dec 30 is 22 working days (Dec 29 a holiday); median 12.5.
    assert_eq!(s["medianWorkingDaysToAnswer"], 12.5);
    assert_eq!(s["confirmed"], 1);
    assert_eq!(s["confirmedResolved"], 1);
    assert_eq!(s["confirmedResolvedShare"]["value"], 1.0);
    // c is overdue (unanswered past the 28th).
    assert_eq!(s["overdueNow"], 1);
    // Staff read their own subtree's figures; another ministry's manager reads none of MOJ's.
    let r = w
        .app
        .gql(
            &staff,
            STATS,
            json!({ "f": { "institutionId": w.agency }, "p": p }),
        )
        .await;
    assert_eq!(ok(&r, "suggestionStats")["received"], 3);
    let other = w.app.token("m@mof.gov.mn", PASSWORD).await;
    let r = w
        .app
        .gql(
            &other,
            STATS,
            json!({ "f": { "institutionId": w.agency }, "p": p }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
}

#[actix_web::test]
async fn one_device_is_limited_whatever_address_it_sends_from() {
    let w = SurveyWorld::with("FACES_3", |c| {
        c.trust_proxy = true;
        c.suggestions.per_client = 2;
    })
    .await;
    let from = |i: usize| format!("198.51.100.{i}");
    for i in 0..2 {
        let r = w
            .app
            .gql_with(
                &Auth::None,
                SEND,
                input(
                    &w,
                    &format!("Төхөөрөмж {i}."),
                    json!({ "deviceKey": "phone-0001-abcdef" }),
                ),
                &[("x-forwarded-for", from(i).as_str())],
            )
            .await;
        assert_eq!(ok(&r, "sendSuggestion")["status"], "RECEIVED");
    }
    // A third address, the same device: refused. Another device there: fine.
    let r = w
        .app
        .gql_with(
            &Auth::None,
            SEND,
            input(
                &w,
                "Төхөөрөмж 2.",
                json!({ "deviceKey": "phone-0001-abcdef" }),
            ),
            &[("x-forwarded-for", from(2).as_str())],
        )
        .await;
    assert_eq!(code(&r), "RATE_LIMITED");
    let r = w
        .app
        .gql_with(
            &Auth::None,
            SEND,
            input(
                &w,
                "Төхөөрөмж 2.",
                json!({ "deviceKey": "phone-0002-abcdef" }),
            ),
            &[("x-forwarded-for", from(2).as_str())],
        )
        .await;
    assert_eq!(ok(&r, "sendSuggestion")["status"], "RECEIVED");
}
