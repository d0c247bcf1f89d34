//! API keys of service-delivery systems: made by an ADMIN only, with a kind;
//! scope, widening, revocation.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

const CREATE: &str = "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key apiKey { id prefix institutionIds active kind } } }";

async fn key(app: &TestApp, auth: &Auth, inst: &str, also: Vec<&str>) -> Value {
    app.gql(
        auth,
        CREATE,
        json!({ "i": { "institutionId": inst, "name": "Queue system", "kind": "INSTITUTION_SYSTEM", "alsoCovers": also } }),
    )
    .await
}

async fn service_codes(app: &TestApp, auth: &Auth) -> Vec<String> {
    let d = app
        .ok(
            auth,
            "{ services(first: 100){ edges { node { code } } } }",
            json!({}),
        )
        .await;
    let mut v: Vec<String> = d["services"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

struct World {
    app: TestApp,
    admin: Auth,
    manager: Auth,
    moj: String,
    mof: String,
    mof_service: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moj = app.create_institution(&admin, "MOJ", None).await;
    let agency = app.create_institution(&admin, "GASR", Some(&moj)).await;
    let mof = app.create_institution(&admin, "MOF", None).await;
    app.create_service(&admin, &agency, "PROPERTY").await;
    let s = app.create_service(&admin, &mof, "TAX").await;
    let mof_service = s["data"]["createService"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manager = app
        .user_with_role(&admin, "m@moj.gov.mn", "INSTITUTION_MANAGER", Some(&moj))
        .await;
    World {
        app,
        admin,
        manager,
        moj,
        mof,
        mof_service,
    }
}

#[actix_web::test]
async fn a_key_is_shown_once_and_reaches_only_its_institutions_subtree() {
    let w = world().await;
    let r = key(&w.app, &w.admin, &w.moj, vec![]).await;
    assert_eq!(
        r["data"]["createApiKey"]["apiKey"]["kind"],
        "INSTITUTION_SYSTEM"
    );
    let k = r["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(k.starts_with("sk_") && k.len() > 40);
    assert!(
        k.starts_with(
            r["data"]["createApiKey"]["apiKey"]["prefix"]
                .as_str()
                .unwrap()
        )
    );
    let auth = Auth::Key(k);
    assert_eq!(service_codes(&w.app, &auth).await, vec!["PROPERTY"]);
    let other = w
        .app
        .gql(
            &auth,
            "query($id:ID!){ service(id:$id){ code } }",
            json!({ "id": w.mof_service }),
        )
        .await;
    assert_eq!(code(&other), "NOT_FOUND");
    // The listing never shows the key again.
    let list = w
        .app
        .ok(
            &w.manager,
            "{ apiKeys { edges { node { prefix name } } } }",
            json!({}),
        )
        .await;
    assert!(
        !list
            .to_string()
            .contains(&r["data"]["createApiKey"]["key"].as_str().unwrap()[12..])
    );
}

#[actix_web::test]
async fn a_key_cannot_do_what_people_do() {
    let w = world().await;
    let k = key(&w.app, &w.admin, &w.moj, vec![]).await["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = Auth::Key(k);
    for q in [
        "{ me { id } }",
        "{ users { edges { node { id } } } }",
        "{ apiKeys { edges { node { id } } } }",
        "{ auditLog { edges { node { id } } } }",
        "mutation { createInstitution(input:{code:\"X\", kind:AGENCY, name:{mn:\"Х\"}}){ id } }",
    ] {
        assert_eq!(
            code(&w.app.gql(&auth, q, json!({})).await),
            "FORBIDDEN",
            "{q}"
        );
    }
    assert_eq!(
        code(&w.app.create_service(&auth, &w.moj, "X").await),
        "FORBIDDEN"
    );
}

#[actix_web::test]
async fn only_an_admin_widens_a_key_to_several_institutions() {
    let w = world().await;
    let r = key(&w.app, &w.manager, &w.moj, vec![&w.mof]).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = key(&w.app, &w.admin, &w.moj, vec![&w.mof]).await;
    let k = Auth::Key(
        r["data"]["createApiKey"]["key"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    assert_eq!(
        r["data"]["createApiKey"]["apiKey"]["institutionIds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(service_codes(&w.app, &k).await, vec!["PROPERTY", "TAX"]);
}

#[actix_web::test]
async fn no_institution_user_can_create_a_key_not_even_for_its_own_institution() {
    let w = world().await;
    for inst in [&w.moj, &w.mof] {
        assert_eq!(
            code(&key(&w.app, &w.manager, inst, vec![]).await),
            "FORBIDDEN"
        );
    }
    // Nothing was made: the manager's listing is empty.
    let list = w
        .app
        .ok(
            &w.manager,
            "{ apiKeys { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(list["apiKeys"]["edges"], json!([]));
    let staff = w
        .app
        .user_with_role(&w.admin, "s@moj.gov.mn", "INSTITUTION_STAFF", Some(&w.moj))
        .await;
    assert_eq!(
        code(&key(&w.app, &staff, &w.moj, vec![]).await),
        "FORBIDDEN"
    );
}

#[actix_web::test]
async fn a_revoked_key_stops_working_at_once_and_only_its_owners_can_revoke_it() {
    let w = world().await;
    let r = key(&w.app, &w.admin, &w.mof, vec![]).await;
    let id = r["data"]["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = Auth::Key(
        r["data"]["createApiKey"]["key"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    assert_eq!(service_codes(&w.app, &auth).await, vec!["TAX"]);
    let revoke = "mutation($id:ID!){ revokeApiKey(id:$id){ active revokedAt } }";
    assert_eq!(
        code(&w.app.gql(&w.manager, revoke, json!({ "id": id })).await),
        "NOT_FOUND"
    );
    let d = w.app.ok(&w.admin, revoke, json!({ "id": id })).await;
    assert_eq!(d["revokeApiKey"]["active"], false);
    let (status, body) = w
        .app
        .post_raw(
            &auth,
            "application/json",
            serde_json::to_vec(&json!({ "query": "{ services { edges { cursor } } }" })).unwrap(),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let log = w
        .app
        .ok(
            &w.admin,
            "query($t:ID!){ auditLog(filter:{targetId:$t}){ edges { node { action } } } }",
            json!({ "t": id }),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["API_KEY_REVOKED", "API_KEY_CREATED"]);
}

#[actix_web::test]
async fn an_unknown_key_is_rejected() {
    let w = world().await;
    let (status, body) = w
        .app
        .post_raw(
            &Auth::Key("sk_nope".into()),
            "application/json",
            serde_json::to_vec(&json!({ "query": "{ regions { code } }" })).unwrap(),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), "UNAUTHENTICATED");
}
