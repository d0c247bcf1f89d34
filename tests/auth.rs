//! Sign-in, token rotation, logout, disabled users, tampered tokens, rate limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::Duration;
use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

const ME: &str = "{ me { email assignments { role } } }";
const REFRESH: &str =
    "mutation($t:String!){ refreshSession(refreshToken:$t){ accessToken refreshToken } }";

fn tokens(r: &Value, field: &str) -> (String, String) {
    let d = &r["data"][field];
    (
        d["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"))
            .to_owned(),
        d["refreshToken"].as_str().unwrap().to_owned(),
    )
}

#[actix_web::test]
async fn the_bootstrap_admin_signs_in_and_sees_themselves() {
    let app = spawn_app().await;
    let r = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (access, refresh) = tokens(&r, "login");
    assert!(refresh.starts_with("rt_"));
    let me = app.ok(&Auth::Bearer(access), ME, json!({})).await;
    assert_eq!(me["me"]["email"], ADMIN_EMAIL);
    assert_eq!(me["me"]["assignments"][0]["role"], "ADMIN");
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_email_answer_alike() {
    let app = spawn_app().await;
    let wrong = app.login(ADMIN_EMAIL, "not the password at all").await;
    let unknown = app
        .login("nobody@sanal.mn", "not the password at all")
        .await;
    assert_eq!(code(&wrong), "UNAUTHENTICATED");
    assert_eq!(code(&unknown), "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    // Both attempts are in the audit log, including the e-mail that was tried.
    let log = app
        .ok(
            &app.admin().await,
            "{ auditLog(filter:{action:\"LOGIN_FAILED\"}) { edges { node { actorLabel } } } }",
            json!({}),
        )
        .await;
    let labels: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["actorLabel"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"nobody@sanal.mn") && labels.contains(&ADMIN_EMAIL),
        "{labels:?}"
    );
}

#[actix_web::test]
async fn repeated_failures_lock_the_account_for_a_while_even_with_the_right_password() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(
            code(&app.login(ADMIN_EMAIL, "wrong password here").await),
            "UNAUTHENTICATED"
        );
    }
    let r = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(code(&r), "RATE_LIMITED");
    assert!(
        r["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_i64()
            .unwrap()
            > 0
    );
    app.clock.advance(Duration::minutes(16));
    assert!(app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await["data"]["login"].is_object());
}

#[actix_web::test]
async fn one_client_guessing_many_accounts_is_rate_limited() {
    let app = spawn_app_with(|c| c.login_max_failures_per_client = 8).await;
    for i in 0..8 {
        let r = app
            .login(&format!("guess{i}@sanal.mn"), "some password 123")
            .await;
        assert_eq!(code(&r), "UNAUTHENTICATED");
    }
    let r = app.login("another@sanal.mn", "some password 123").await;
    assert_eq!(code(&r), "RATE_LIMITED");
}

#[actix_web::test]
async fn refreshing_rotates_the_refresh_token() {
    let app = spawn_app().await;
    let (_, r1) = tokens(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await, "login");
    let first = app.gql(&Auth::None, REFRESH, json!({ "t": r1 })).await;
    let (a2, r2) = tokens(&first, "refreshSession");
    assert_ne!(r1, r2);
    assert_eq!(
        app.ok(&Auth::Bearer(a2), ME, json!({})).await["me"]["email"],
        ADMIN_EMAIL
    );
    let second = app.gql(&Auth::None, REFRESH, json!({ "t": r2 })).await;
    assert!(second["data"]["refreshSession"].is_object(), "{second}");
}

#[actix_web::test]
async fn two_parallel_refreshes_within_the_grace_period_both_succeed() {
    let app = spawn_app().await;
    let (_, r1) = tokens(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await, "login");
    let (a, b) = futures_util::join!(
        app.gql(&Auth::None, REFRESH, json!({ "t": r1 })),
        app.gql(&Auth::None, REFRESH, json!({ "t": r1 }))
    );
    assert!(a["data"]["refreshSession"].is_object(), "{a}");
    assert!(b["data"]["refreshSession"].is_object(), "{b}");
    app.clock.advance(Duration::seconds(10));
    let c = app.gql(&Auth::None, REFRESH, json!({ "t": r1 })).await;
    assert!(
        c["data"]["refreshSession"].is_object(),
        "still within 30 s: {c}"
    );
}

#[actix_web::test]
async fn reusing_a_spent_refresh_token_later_revokes_the_whole_session() {
    let app = spawn_app().await;
    let (a1, r1) = tokens(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await, "login");
    let (a2, r2) = tokens(
        &app.gql(&Auth::None, REFRESH, json!({ "t": r1 })).await,
        "refreshSession",
    );
    app.clock.advance(Duration::seconds(31));
    let stolen = app.gql(&Auth::None, REFRESH, json!({ "t": r1 })).await;
    assert_eq!(code(&stolen), "UNAUTHENTICATED");
    // The legitimate successor is dead too, and so are the access tokens.
    assert_eq!(
        code(&app.gql(&Auth::None, REFRESH, json!({ "t": r2 })).await),
        "UNAUTHENTICATED"
    );
    for a in [a1, a2] {
        let (status, body) = app
            .post_raw(
                &Auth::Bearer(a),
                "application/json",
                serde_json::to_vec(&json!({ "query": ME })).unwrap(),
            )
            .await;
        assert_eq!(status, 401);
        assert_eq!(code(&body), "UNAUTHENTICATED");
    }
    // Other sessions of the same user are untouched.
    let other = app.admin().await;
    assert_eq!(
        app.ok(&other, ME, json!({})).await["me"]["email"],
        ADMIN_EMAIL
    );
}

#[actix_web::test]
async fn logout_stops_the_access_and_refresh_tokens_at_once() {
    let app = spawn_app().await;
    let (a, r) = tokens(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await, "login");
    let auth = Auth::Bearer(a);
    assert_eq!(
        app.ok(&auth, "mutation { logout }", json!({})).await["logout"],
        true
    );
    assert_eq!(
        code(&app.gql(&auth, ME, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql(&Auth::None, REFRESH, json!({ "t": r })).await),
        "UNAUTHENTICATED"
    );
}

#[actix_web::test]
async fn a_disabled_users_tokens_stop_working_at_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let inst = app.create_institution(&admin, "MOJ", None).await;
    let staff = app
        .user_with_role(&admin, "staff@moj.gov.mn", "INSTITUTION_STAFF", Some(&inst))
        .await;
    assert_eq!(
        app.ok(&staff, ME, json!({})).await["me"]["email"],
        "staff@moj.gov.mn"
    );
    let users = app
        .ok(
            &admin,
            "{ users(filter:{text:\"staff@\"}) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let id = users["users"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        &admin,
        "mutation($id:ID!){ updateUser(id:$id, input:{active:false}) { active } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        code(&app.gql(&staff, ME, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.login("staff@moj.gov.mn", PASSWORD).await),
        "UNAUTHENTICATED"
    );
}

#[actix_web::test]
async fn an_access_token_expires_after_its_lifetime() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.clock.advance(Duration::minutes(9));
    assert!(app.gql(&admin, ME, json!({})).await["data"]["me"].is_object());
    app.clock.advance(Duration::minutes(2));
    assert_eq!(
        code(&app.gql(&admin, ME, json!({})).await),
        "UNAUTHENTICATED"
    );
}

fn claims(app: &TestApp, sub: &str, sid: &str, aud: &str) -> Value {
    let now = app.clock_now();
    json!({ "iss": "sanal", "aud": aud, "sub": sub, "sid": sid, "exp": now + 300, "nbf": now, "iat": now, "jti": "x" })
}

trait Now {
    fn clock_now(&self) -> i64;
}
impl Now for TestApp {
    fn clock_now(&self) -> i64 {
        use sanal::clock::Clock;
        self.clock.now().timestamp()
    }
}

async fn session_ids(app: &TestApp) -> (String, String) {
    let (a, _) = tokens(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await, "login");
    let payload = a.split('.').nth(1).unwrap();
    use base64::Engine;
    let c: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    (
        c["sub"].as_str().unwrap().to_owned(),
        c["sid"].as_str().unwrap().to_owned(),
    )
}

async fn rejected(app: &TestApp, token: String) {
    let (status, body) = app
        .post_raw(
            &Auth::Bearer(token),
            "application/json",
            serde_json::to_vec(&json!({ "query": ME })).unwrap(),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

#[actix_web::test]
async fn a_correctly_signed_token_for_another_audience_is_rejected() {
    let app = spawn_app().await;
    let (sub, sid) = session_ids(&app).await;
    let good = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(&app, &sub, &sid, "sanal-api"),
        &EncodingKey::from_secret(JWT_SECRET),
    )
    .unwrap();
    assert!(
        app.gql(&Auth::Bearer(good), ME, json!({})).await["data"]["me"].is_object(),
        "control: a forged-but-valid token works"
    );
    let other = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(&app, &sub, &sid, "another-api"),
        &EncodingKey::from_secret(JWT_SECRET),
    )
    .unwrap();
    rejected(&app, other).await;
}

#[actix_web::test]
async fn a_token_signed_with_another_algorithm_is_rejected() {
    let app = spawn_app().await;
    let (sub, sid) = session_ids(&app).await;
    let hs384 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS384),
        &claims(&app, &sub, &sid, "sanal-api"),
        &EncodingKey::from_secret(JWT_SECRET),
    )
    .unwrap();
    rejected(&app, hs384).await;
    // alg "none": header and payload, empty signature.
    use base64::Engine;
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    };
    let none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(&claims(&app, &sub, &sid, "sanal-api"))
    );
    rejected(&app, none).await;
}

#[actix_web::test]
async fn a_tampered_token_is_rejected() {
    let app = spawn_app().await;
    let (a, _) = tokens(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await, "login");
    let mut parts: Vec<String> = a.split('.').map(str::to_owned).collect();
    use base64::Engine;
    let eng = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut c: Value = serde_json::from_slice(&eng.decode(&parts[1]).unwrap()).unwrap();
    c["exp"] = json!(c["exp"].as_i64().unwrap() + 86400);
    parts[1] = eng.encode(serde_json::to_vec(&c).unwrap());
    rejected(&app, parts.join(".")).await;
    rejected(&app, "not-a-jwt".into()).await;
}

#[actix_web::test]
async fn a_token_missing_a_required_claim_is_rejected() {
    let app = spawn_app().await;
    let (sub, sid) = session_ids(&app).await;
    let mut c = claims(&app, &sub, &sid, "sanal-api");
    c.as_object_mut().unwrap().remove("jti");
    let t = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &c,
        &EncodingKey::from_secret(JWT_SECRET),
    )
    .unwrap();
    rejected(&app, t).await;
}

#[actix_web::test]
async fn changing_the_password_ends_other_sessions_and_keeps_this_one() {
    let app = spawn_app().await;
    let here = app.admin().await;
    let elsewhere = app.admin().await;
    let r = app
        .gql(
            &here,
            "mutation($c:String!,$n:String!){ changePassword(currentPassword:$c, newPassword:$n) }",
            json!({ "c": ADMIN_PASSWORD, "n": "a brand new long password" }),
        )
        .await;
    assert_eq!(r["data"]["changePassword"], true, "{r}");
    assert!(app.gql(&here, ME, json!({})).await["data"]["me"].is_object());
    assert_eq!(
        code(&app.gql(&elsewhere, ME, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await),
        "UNAUTHENTICATED"
    );
    assert!(app.login(ADMIN_EMAIL, "a brand new long password").await["data"]["login"].is_object());
}

#[actix_web::test]
async fn a_short_new_password_or_a_wrong_current_one_is_bad_input() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let q = "mutation($c:String!,$n:String!){ changePassword(currentPassword:$c, newPassword:$n) }";
    let short = app
        .gql(&admin, q, json!({ "c": ADMIN_PASSWORD, "n": "short" }))
        .await;
    assert_eq!(code(&short), "BAD_USER_INPUT");
    assert_eq!(
        short["errors"][0]["extensions"]["invalid"][0]["field"],
        "newPassword"
    );
    let wrong = app
        .gql(
            &admin,
            q,
            json!({ "c": "not my password", "n": "a brand new long password" }),
        )
        .await;
    assert_eq!(code(&wrong), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn anonymous_callers_must_sign_in_for_private_data() {
    let app = spawn_app().await;
    assert_eq!(
        code(&app.gql(&Auth::None, ME, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql(
                &Auth::None,
                "{ users { edges { node { id } } } }",
                json!({})
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
}

#[actix_web::test]
async fn the_cli_style_admin_creation_refuses_a_duplicate() {
    let app = spawn_app().await;
    let r =
        sanal::services::bootstrap::create_admin(&app.state, ADMIN_EMAIL, "another long password")
            .await;
    assert_eq!(r.unwrap_err().code(), "CONFLICT");
    sanal::services::bootstrap::create_admin(
        &app.state,
        "second@sanal.mn",
        "another long password",
    )
    .await
    .unwrap();
    assert!(
        app.login("second@sanal.mn", "another long password").await["data"]["login"].is_object()
    );
}
