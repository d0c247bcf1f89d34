//! Separation of duties for invitations: an institution's own system passes the
//! citizen's contact and Sanal sends the link itself (SMS gateway over HTTP, e-mail
//! over SMTP, from a durable outbox with retries); only a national platform's key
//! ever sees a token, code or link. The fake gateway and SMTP listener run inside
//! the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::fakes::{FakeSmsGateway, FakeSmtp};
use common::*;
use sanal::delivery::DeliveryConfig;
use serde_json::{Value, json};

const ISSUE_ALL: &str = "mutation($i:IssueInvitationInput!){ issueInvitation(input:$i){ invited token code link expiresAt sentBySanal } }";

/// A key of `kind` for the world's agency, made by the ADMIN.
async fn key_of(w: &SurveyWorld, kind: &str) -> Auth {
    let k = w
        .app
        .ok(
            &w.admin,
            "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key } }",
            json!({ "i": { "institutionId": w.agency, "name": format!("{kind} key"), "kind": kind } }),
        )
        .await;
    Auth::Key(k["createApiKey"]["key"].as_str().unwrap().to_owned())
}

fn with_contact(w: &SurveyWorld, tref: &str, contact: Value) -> Value {
    let mut v = w.issue_vars(tref);
    v["i"]["contact"] = contact;
    v
}

fn gateway_config(sms: Option<&str>, smtp: Option<String>) -> DeliveryConfig {
    let sms = sms.map(str::to_owned);
    DeliveryConfig::from_lookup(&|k: &str| match k {
        "SANAL_SMS_GATEWAY_URL" => sms.clone(),
        "SANAL_SMS_GATEWAY_AUTH_HEADER" => sms
            .as_ref()
            .map(|_| "Authorization: Bearer gw-secret".into()),
        "SANAL_SMTP_URL" => smtp.as_ref().map(|hp| format!("smtp://{hp}")),
        "SANAL_SMTP_FROM" => smtp
            .as_ref()
            .map(|_| "Sanal <no-reply@sanal.gov.mn>".into()),
        _ => None,
    })
    .unwrap()
}

/// A world whose server sends SMS through a fake gateway (failing its first
/// `fail.0` requests with status `fail.1`), with an institution system's key.
async fn sms_world(fail: Option<(usize, u16)>) -> (FakeSmsGateway, SurveyWorld, Auth) {
    let gw = FakeSmsGateway::start().await;
    if let Some((n, status)) = fail {
        gw.fail_next(n, status);
    }
    let url = gw.url();
    let w = SurveyWorld::with("FACES_3", |c| c.delivery = gateway_config(Some(&url), None)).await;
    let own = key_of(&w, "INSTITUTION_SYSTEM").await;
    (gw, w, own)
}

/// Issues `tref` through `key` with a phone contact.
async fn issue_to_phone(w: &SurveyWorld, key: &Auth, tref: &str, phone: &str) -> Value {
    w.app
        .ok(
            key,
            ISSUE_ALL,
            with_contact(w, tref, json!({ "phone": phone })),
        )
        .await
}

/// Waits (up to 10 s) until `check` holds.
async fn eventually(mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the condition never held");
}

/// The token at the end of the link in a message text.
fn token_in(text: &str) -> String {
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/s/"))
        .expect("a link");
    link.rsplit('/').next().unwrap().to_owned()
}

async fn outbox_rows(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = app.state.db.conn();
    conn.query_one_raw(Statement::from_string(
        conn.get_database_backend(),
        "SELECT COUNT(*) AS n FROM delivery_outbox",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

#[actix_web::test]
async fn an_institution_system_never_obtains_a_token_or_code_and_the_citizen_gets_the_link_by_sms()
{
    let (gw, w, own) = sms_world(None).await;

    // First issue: invited, sent by Sanal, no token, code or link.
    let vars = with_contact(&w, "TX-1", json!({ "phone": "9911 2233" }));
    let first = w.app.ok(&own, ISSUE_ALL, vars.clone()).await;
    let issued = &first["issueInvitation"];
    assert_eq!(issued["invited"], true);
    assert_eq!(issued["sentBySanal"], true);
    for f in ["token", "code", "link"] {
        assert!(issued[f].is_null(), "{f} was given: {issued}");
    }
    // Re-issue (the idempotent path that used to hand the token out again).
    let again = w.app.ok(&own, ISSUE_ALL, vars.clone()).await;
    assert_eq!(again, first);

    // The citizen's SMS arrives at the gateway, with the gateway's credentials.
    eventually(|| gw.requests().len() == 1).await;
    let sms = &gw.requests()[0];
    assert!(
        sms.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v == "Bearer gw-secret")
    );
    let body: Value = serde_json::from_str(&sms.body_text()).unwrap();
    assert_eq!(body["to"], "99112233");
    let text = body["text"].as_str().unwrap();
    assert!(text.contains("Код"), "{text}");
    let token = token_in(text);

    // Not by any look-up either: an institution's system may not look invitations
    // up, by token or by the short code in the message.
    let short: String = text
        .split("Код ")
        .nth(1)
        .expect("a short code")
        .chars()
        .take(9)
        .collect();
    for (q, v) in [
        (
            "query($t:String!){ invitation(token:$t){ status token } }",
            json!({ "t": token }),
        ),
        (
            "query($c:String!){ invitation(code:$c){ status token } }",
            json!({ "c": short }),
        ),
    ] {
        assert_eq!(code(&w.app.gql(&own, q, v).await), "FORBIDDEN");
    }
    // The citizen, with the code from the message, gets the token.
    let by_code = w
        .app
        .ok(
            &Auth::None,
            "query($c:String!){ invitation(code:$c){ token } }",
            json!({ "c": short }),
        )
        .await;
    assert_eq!(by_code["invitation"]["token"], token);
    // Nor may it answer in the citizen's place.
    let r = w
        .app
        .gql(
            &own,
            SUBMIT,
            json!({ "i": { "token": token, "answers": faces(3) } }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");

    // The citizen answers; the outbox keeps nothing of the contact.
    let r = w.submit(&token, faces(3), None).await;
    assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    assert_eq!(outbox_rows(&w.app).await, 0);
    assert_eq!(gw.requests().len(), 1, "sent exactly once");
}

#[actix_web::test]
async fn a_national_platform_key_never_gets_the_token_of_an_invitation_an_institution_system_issued()
 {
    let (_gw, w, own) = sms_world(None).await;
    let vars = with_contact(&w, "TX-7", json!({ "phone": "+976 9911-2233" }));
    w.app.ok(&own, ISSUE_ALL, vars.clone()).await;
    // The same transaction, the same details, through the national platform's key.
    let d = w.app.ok(&w.key, ISSUE_ALL, vars).await;
    assert_eq!(d["issueInvitation"]["invited"], true);
    assert!(d["issueInvitation"]["token"].is_null(), "{d}");
    assert!(d["issueInvitation"]["code"].is_null(), "{d}");
}

#[actix_web::test]
async fn a_national_platform_gets_the_link_and_may_ask_sanal_to_send_it_too() {
    let gw = FakeSmsGateway::start().await;
    let url = gw.url();
    let w = SurveyWorld::with("FACES_3", |c| c.delivery = gateway_config(Some(&url), None)).await;
    let d = w.app.ok(&w.key, ISSUE_ALL, w.issue_vars("TX-2")).await;
    assert!(d["issueInvitation"]["token"].as_str().unwrap().len() > 40);
    assert_eq!(d["issueInvitation"]["sentBySanal"], false);
    let d = w
        .app
        .ok(
            &w.key,
            ISSUE_ALL,
            with_contact(&w, "TX-3", json!({ "phone": "99112234" })),
        )
        .await;
    assert_eq!(d["issueInvitation"]["sentBySanal"], true);
    let token = d["issueInvitation"]["token"].as_str().unwrap().to_owned();
    eventually(|| gw.requests().len() == 1).await;
    let body: Value = serde_json::from_str(&gw.requests()[0].body_text()).unwrap();
    assert_eq!(token_in(body["text"].as_str().unwrap()), token);
}

#[actix_web::test]
async fn an_institution_system_must_pass_exactly_one_well_formed_contact() {
    let (_gw, w, own) = sms_world(None).await;
    let r = w.app.gql(&own, ISSUE_ALL, w.issue_vars("TX-1")).await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("contact")
    );
    for bad in [
        json!({}),
        json!({ "phone": "99112233", "email": "a@b.mn" }),
        json!({ "phone": "12" }),
        json!({ "phone": "9911abcd" }),
        json!({ "email": "no-at-sign" }),
        json!({ "email": "a@b" }),
    ] {
        let r = w
            .app
            .gql(&own, ISSUE_ALL, with_contact(&w, "TX-2", bad.clone()))
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{bad}");
    }
    // A contact kind this server cannot send (no SMTP configured) is refused.
    let r = w
        .app
        .gql(
            &own,
            ISSUE_ALL,
            with_contact(&w, "TX-3", json!({ "email": "bat@mail.mn" })),
        )
        .await;
    // In development the link is logged instead, so it is accepted here.
    assert_eq!(r["data"]["issueInvitation"]["sentBySanal"], true, "{r}");
    let strict = w.app.another_instance(|c| c.production = true).await;
    let r = strict
        .gql(
            &own,
            ISSUE_ALL,
            with_contact(&w, "TX-4", json!({ "email": "bat@mail.mn" })),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
    // Re-issuing a transaction with another contact is a conflict, not a second message.
    let first = with_contact(&w, "TX-5", json!({ "phone": "99112235" }));
    w.app.ok(&own, ISSUE_ALL, first).await;
    let other = with_contact(&w, "TX-5", json!({ "phone": "99112236" }));
    assert_eq!(code(&w.app.gql(&own, ISSUE_ALL, other).await), "CONFLICT");
}

#[actix_web::test]
async fn a_failing_gateway_is_retried_later_and_the_message_is_sent_once() {
    let (gw, w, own) = sms_world(Some((2, 503))).await;
    issue_to_phone(&w, &own, "TX-1", "99112233").await;
    eventually(|| gw.requests().len() == 1).await;
    // Nothing more until the back-off has passed.
    sanal::services::outbox::run_once(&w.app.state)
        .await
        .unwrap();
    assert_eq!(gw.requests().len(), 1);
    assert_eq!(outbox_rows(&w.app).await, 1, "kept for a retry");
    for _ in 0..2 {
        w.app.clock.advance(chrono::Duration::minutes(5));
        sanal::services::outbox::run_once(&w.app.state)
            .await
            .unwrap();
    }
    assert_eq!(gw.requests().len(), 3, "503, 503, then accepted");
    assert_eq!(outbox_rows(&w.app).await, 0);
    w.app.clock.advance(chrono::Duration::hours(2));
    sanal::services::outbox::run_once(&w.app.state)
        .await
        .unwrap();
    assert_eq!(gw.requests().len(), 3, "never sent twice");
}

#[actix_web::test]
async fn a_permanently_refused_message_is_given_up_and_its_contact_forgotten() {
    let (gw, w, own) = sms_world(Some((1, 400))).await;
    issue_to_phone(&w, &own, "TX-1", "99112233").await;
    eventually(|| gw.requests().len() == 1).await;
    for _ in 0..50 {
        if outbox_rows(&w.app).await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(outbox_rows(&w.app).await, 0);
}

#[actix_web::test]
async fn the_link_goes_out_by_email_through_smtp_in_the_citizens_language() {
    let smtp = FakeSmtp::start().await;
    let hp = smtp.host_port();
    let w = SurveyWorld::with("FACES_3", |c| c.delivery = gateway_config(None, Some(hp))).await;
    let own = key_of(&w, "INSTITUTION_SYSTEM").await;
    let mut vars = with_contact(&w, "TX-1", json!({ "email": "Bat.Erdene@mail.mn" }));
    vars["i"]["locale"] = json!("en");
    let d = w.app.ok(&own, ISSUE_ALL, vars).await;
    assert_eq!(d["issueInvitation"]["sentBySanal"], true);
    eventually(|| smtp.messages().len() == 1).await;
    let m = &smtp.messages()[0];
    assert_eq!(m.recipients, vec!["Bat.Erdene@mail.mn".to_owned()]);
    assert!(m.data.contains("how was the service?"), "{}", m.data);
    let token = token_in(&m.data.replace("=\r\n", ""));
    let r = w
        .app
        .gql(
            &Auth::None,
            "query($t:String!){ invitation(token:$t){ status } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(r["data"]["invitation"]["status"], "OPEN", "{r}");
}

#[actix_web::test]
async fn an_expired_invitation_is_never_sent_and_the_purge_forgets_its_contact() {
    let gw = FakeSmsGateway::start().await;
    // The gateway is down for the whole life of the invitation.
    gw.fail_next(1_000, 503);
    let url = gw.url();
    let w = SurveyWorld::with("FACES_3", |c| c.delivery = gateway_config(Some(&url), None)).await;
    let own = key_of(&w, "INSTITUTION_SYSTEM").await;
    issue_to_phone(&w, &own, "TX-1", "99112233").await;
    eventually(|| !gw.requests().is_empty()).await;
    w.app.clock.advance(chrono::Duration::days(8));
    sanal::services::invitations::purge_expired(&w.app.state)
        .await
        .unwrap();
    assert_eq!(outbox_rows(&w.app).await, 0);
    let before = gw.requests().len();
    sanal::services::outbox::run_once(&w.app.state)
        .await
        .unwrap();
    assert_eq!(gw.requests().len(), before);
}
