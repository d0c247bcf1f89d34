//! Issuing invitations: idempotency, scope, sampling, cooldown, delivered counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::Duration;
use common::*;
use serde_json::json;

#[actix_web::test]
async fn issuing_twice_for_one_transaction_returns_the_same_invitation() {
    let w = SurveyWorld::new("FACES_3").await;
    let a = w.app.ok(&w.key, ISSUE, w.issue_vars("TX-1")).await;
    let b = w.app.ok(&w.key, ISSUE, w.issue_vars("TX-1")).await;
    assert_eq!(a, b);
    let i = &a["issueInvitation"];
    assert_eq!(i["invited"], true);
    let token = i["token"].as_str().unwrap();
    assert!(
        token.len() >= 43
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    assert!(i["link"].as_str().unwrap().ends_with(token));
    assert_eq!(i["code"].as_str().unwrap().len(), 9);
    // Same reference, different details: a conflict, and nothing new is created.
    let mut changed = w.issue_vars("TX-1");
    changed["i"]["channel"] = json!("ONLINE");
    assert_eq!(code(&w.app.gql(&w.key, ISSUE, changed).await), "CONFLICT");
}

#[actix_web::test]
async fn the_invitation_expires_a_week_after_the_delivery() {
    let w = SurveyWorld::new("FACES_3").await;
    let d = w.app.ok(&w.key, ISSUE, w.issue_vars("TX-1")).await;
    let exp =
        chrono::DateTime::parse_from_rfc3339(d["issueInvitation"]["expiresAt"].as_str().unwrap())
            .unwrap();
    assert_eq!(
        exp.with_timezone(&chrono::Utc),
        w.now() - Duration::minutes(3) + Duration::days(7)
    );
}

#[actix_web::test]
async fn only_an_api_key_covering_the_service_may_issue() {
    let w = SurveyWorld::new("FACES_3").await;
    let other = w.app.create_institution(&w.admin, "MOF", None).await;
    let k = w
        .app
        .ok(
            &w.admin,
            "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key } }",
            json!({ "i": { "institutionId": other, "name": "Tax", "kind": "NATIONAL_PLATFORM" } }),
        )
        .await;
    let foreign = Auth::Key(k["createApiKey"]["key"].as_str().unwrap().to_owned());
    assert_eq!(
        code(&w.app.gql(&foreign, ISSUE, w.issue_vars("TX-1")).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&w.app.gql(&w.manager, ISSUE, w.issue_vars("TX-1")).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&w.app.gql(&Auth::None, ISSUE, w.issue_vars("TX-1")).await),
        "UNAUTHENTICATED"
    );
}

#[actix_web::test]
async fn a_delivery_in_the_future_or_older_than_the_expiry_window_is_refused() {
    let w = SurveyWorld::new("FACES_3").await;
    let mut future = w.issue_vars("TX-1");
    future["i"]["deliveredAt"] = json!((w.now() + Duration::hours(1)).to_rfc3339());
    assert_eq!(
        code(&w.app.gql(&w.key, ISSUE, future).await),
        "BAD_USER_INPUT"
    );
    let mut old = w.issue_vars("TX-2");
    old["i"]["deliveredAt"] = json!((w.now() - Duration::days(8)).to_rfc3339());
    assert_eq!(code(&w.app.gql(&w.key, ISSUE, old).await), "BAD_USER_INPUT");
    let mut wrong_channel = w.issue_vars("TX-3");
    wrong_channel["i"]["channel"] = json!("PHONE");
    assert_eq!(
        code(&w.app.gql(&w.key, ISSUE, wrong_channel).await),
        "BAD_USER_INPUT"
    );
}

async fn set_sampling(w: &SurveyWorld, rate: f64) {
    w.app
        .ok(&w.manager, "mutation($s:ID!,$i:InvitationSettingsInput!){ setInvitationSettings(serviceId:$s, input:$i){ samplingRate } }",
            json!({ "s": w.service, "i": { "samplingRate": rate, "expiryDays": 7, "cooldownDays": 30 } }))
        .await;
}

#[actix_web::test]
async fn sampling_invites_about_the_configured_share_and_repeats_its_decision() {
    let w = SurveyWorld::new("FACES_3").await;
    set_sampling(&w, 0.0).await;
    let none = w.app.ok(&w.key, ISSUE, w.issue_vars("ZERO")).await;
    assert_eq!(
        none["issueInvitation"],
        json!({ "invited": false, "token": null, "code": null, "link": null, "expiresAt": null })
    );
    set_sampling(&w, 0.3).await;
    let mut invited = 0;
    for i in 0..200 {
        let d = w
            .app
            .ok(&w.key, ISSUE, w.issue_vars(&format!("S-{i}")))
            .await;
        if d["issueInvitation"]["invited"] == true {
            invited += 1;
        }
    }
    // Binomial(200, 0.3): mean 60, sd 6.5; the bounds sit 4.6 sd away.
    assert!(
        (30..=90).contains(&invited),
        "about 30% of 200, got {invited}"
    );
    // The decision for a reference never changes.
    for i in 0..20 {
        let a = w
            .app
            .ok(&w.key, ISSUE, w.issue_vars(&format!("S-{i}")))
            .await;
        let b = w
            .app
            .ok(&w.key, ISSUE, w.issue_vars(&format!("S-{i}")))
            .await;
        assert_eq!(a, b);
    }
}

#[actix_web::test]
async fn a_citizen_is_not_asked_again_within_the_cooldown_and_is_not_told_why() {
    let w = SurveyWorld::new("FACES_3").await;
    let with_phone = |tref: &str, phone: &str| {
        let mut v = w.issue_vars(tref);
        v["i"]["respondentId"] = json!(phone);
        v
    };
    let first = w
        .app
        .ok(&w.key, ISSUE, with_phone("A", "+976 9911-2233"))
        .await;
    assert_eq!(first["issueInvitation"]["invited"], true);
    let second = w
        .app
        .ok(&w.key, ISSUE, with_phone("B", "+97699112233"))
        .await;
    assert_eq!(
        second["issueInvitation"],
        json!({ "invited": false, "token": null, "code": null, "link": null, "expiresAt": null })
    );
    let someone_else = w
        .app
        .ok(&w.key, ISSUE, with_phone("C", "+97688000000"))
        .await;
    assert_eq!(someone_else["issueInvitation"]["invited"], true);
    // The cooldown ends at a local midnight one or two days after its 30 days
    // (the end must not give back the delivery's time).
    w.app.clock.advance(Duration::days(29));
    let sooner = w
        .app
        .ok(&w.key, ISSUE, with_phone("D0", "+97699112233"))
        .await;
    assert_eq!(sooner["issueInvitation"]["invited"], false);
    w.app.clock.advance(Duration::days(4));
    let later = w
        .app
        .ok(&w.key, ISSUE, with_phone("D", "+97699112233"))
        .await;
    assert_eq!(later["issueInvitation"]["invited"], true);
    // The phone number is nowhere in the database in clear.
    use sea_orm::{ConnectionTrait, Statement};
    let conn = w.app.state.db.conn();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT respondent_hmac FROM recontact_cooldowns",
        ))
        .await
        .unwrap();
    for r in rows {
        let h: String = r.try_get("", "respondent_hmac").unwrap();
        assert!(!h.contains("99112233") && h.len() == 64);
    }
}

#[actix_web::test]
async fn delivered_counts_are_set_not_added() {
    let w = SurveyWorld::new("FACES_3").await;
    let q = "mutation($s:ID!,$p:ID!,$d:Date!,$n:Int!){ reportDeliveredServices(serviceId:$s, servicePointId:$p, date:$d, count:$n) }";
    let day = "2026-11-27";
    for n in [40, 55, 55] {
        let d = w
            .app
            .ok(
                &w.key,
                q,
                json!({ "s": w.service, "p": w.point, "d": day, "n": n }),
            )
            .await;
        assert_eq!(d["reportDeliveredServices"], n);
    }
    use sea_orm::{ConnectionTrait, Statement};
    let conn = w.app.state.db.conn();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT CAST(SUM(count) AS BIGINT) AS n, COUNT(*) AS c FROM delivered_counts",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "c").unwrap(), 1);
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 55);
    let future = w
        .app
        .gql(
            &w.key,
            q,
            json!({ "s": w.service, "p": w.point, "d": "2027-01-01", "n": 1 }),
        )
        .await;
    assert_eq!(code(&future), "BAD_USER_INPUT");
    let negative = w
        .app
        .gql(
            &w.key,
            q,
            json!({ "s": w.service, "p": w.point, "d": day, "n": -1 }),
        )
        .await;
    assert_eq!(code(&negative), "BAD_USER_INPUT");
    let bad_date = w
        .app
        .gql(
            &w.key,
            q,
            json!({ "s": w.service, "p": w.point, "d": "27.11.2026", "n": 1 }),
        )
        .await;
    assert!(bad_date["errors"].is_array());
}
