//! Who may create and change users and role assignments.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

const CREATE: &str = "mutation($i:CreateUserInput!){ createUser(input:$i){ id email assignments { role institutionId } } }";
const UPDATE: &str = "mutation($id:ID!,$i:UpdateUserInput!){ updateUser(id:$id, input:$i){ id active assignments { role } } }";

fn new_user(email: &str, role: &str, inst: Option<&str>) -> Value {
    json!({ "i": { "email": email, "displayName": "Бат", "password": PASSWORD, "assignments": [{ "role": role, "institutionId": inst }] } })
}

struct World {
    app: TestApp,
    admin: Auth,
    moj: String,
    moj_agency: String,
    mof: String,
    manager: Auth,
}

/// Two ministries; the Ministry of Justice has an agency; a manager of MoJ.
async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moj = app.create_institution(&admin, "MOJ", None).await;
    let moj_agency = app.create_institution(&admin, "GASR", Some(&moj)).await;
    let mof = app.create_institution(&admin, "MOF", None).await;
    let manager = app
        .user_with_role(
            &admin,
            "manager@moj.gov.mn",
            "INSTITUTION_MANAGER",
            Some(&moj),
        )
        .await;
    World {
        app,
        admin,
        moj,
        moj_agency,
        mof,
        manager,
    }
}

#[actix_web::test]
async fn an_admin_creates_a_supervisor_who_can_sign_in() {
    let w = world().await;
    let d = w
        .app
        .ok(
            &w.admin,
            CREATE,
            new_user("analyst@aogs.gov.mn", "SUPERVISOR", None),
        )
        .await;
    assert_eq!(d["createUser"]["assignments"][0]["role"], "SUPERVISOR");
    let me = w
        .app
        .ok(
            &w.app.token("analyst@aogs.gov.mn", PASSWORD).await,
            "{ me { assignments { role } } }",
            json!({}),
        )
        .await;
    assert_eq!(me["me"]["assignments"][0]["role"], "SUPERVISOR");
}

#[actix_web::test]
async fn a_manager_creates_staff_in_a_sub_institution_of_their_own() {
    let w = world().await;
    let d = w
        .app
        .ok(
            &w.manager,
            CREATE,
            new_user(
                "clerk@gasr.gov.mn",
                "INSTITUTION_STAFF",
                Some(&w.moj_agency),
            ),
        )
        .await;
    assert_eq!(
        d["createUser"]["assignments"][0]["institutionId"],
        w.moj_agency.as_str()
    );
}

#[actix_web::test]
async fn a_manager_cannot_give_global_roles() {
    let w = world().await;
    for role in ["ADMIN", "SUPERVISOR", "NGO_REVIEWER", "CITIZEN"] {
        let r = w
            .app
            .gql(&w.manager, CREATE, new_user("x@y.mn", role, None))
            .await;
        assert_eq!(code(&r), "FORBIDDEN", "{role}: {r}");
    }
}

#[actix_web::test]
async fn a_manager_cannot_give_roles_in_another_ministry_which_looks_absent() {
    let w = world().await;
    let other = w
        .app
        .gql(
            &w.manager,
            CREATE,
            new_user("x@mof.gov.mn", "INSTITUTION_STAFF", Some(&w.mof)),
        )
        .await;
    let missing = w
        .app
        .gql(
            &w.manager,
            CREATE,
            new_user(
                "x@mof.gov.mn",
                "INSTITUTION_STAFF",
                Some(&uuid::Uuid::now_v7().to_string()),
            ),
        )
        .await;
    assert_eq!(code(&other), "NOT_FOUND");
    assert_eq!(code(&missing), "NOT_FOUND");
    assert_eq!(
        other["errors"][0]["message"],
        missing["errors"][0]["message"]
    );
}

#[actix_web::test]
async fn staff_supervisors_reviewers_and_citizens_cannot_manage_users() {
    let w = world().await;
    let staff = w
        .app
        .user_with_role(
            &w.admin,
            "staff@moj.gov.mn",
            "INSTITUTION_STAFF",
            Some(&w.moj),
        )
        .await;
    let supervisor = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let reviewer = w
        .app
        .user_with_role(&w.admin, "ngo@ngo.mn", "NGO_REVIEWER", None)
        .await;
    let citizen = w
        .app
        .user_with_role(&w.admin, "citizen@mail.mn", "CITIZEN", None)
        .await;
    for who in [&staff, &supervisor, &reviewer, &citizen] {
        let r = w
            .app
            .gql(
                who,
                CREATE,
                new_user("x@moj.gov.mn", "INSTITUTION_STAFF", Some(&w.moj)),
            )
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
        let r = w
            .app
            .gql(who, "{ users { edges { node { id } } } }", json!({}))
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
    }
    let anon = w
        .app
        .gql(
            &Auth::None,
            CREATE,
            new_user("x@moj.gov.mn", "INSTITUTION_STAFF", Some(&w.moj)),
        )
        .await;
    assert_eq!(code(&anon), "UNAUTHENTICATED");
}

#[actix_web::test]
async fn a_manager_lists_only_users_of_their_subtree() {
    let w = world().await;
    w.app
        .user_with_role(
            &w.admin,
            "clerk@gasr.gov.mn",
            "INSTITUTION_STAFF",
            Some(&w.moj_agency),
        )
        .await;
    w.app
        .user_with_role(
            &w.admin,
            "clerk@mof.gov.mn",
            "INSTITUTION_STAFF",
            Some(&w.mof),
        )
        .await;
    let list = |auth: Auth| {
        let app = &w.app;
        async move {
            let d = app
                .ok(
                    &auth,
                    "{ users(first: 100) { edges { node { email } } } }",
                    json!({}),
                )
                .await;
            let mut v: Vec<String> = d["users"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["email"].as_str().unwrap().to_owned())
                .collect();
            v.sort();
            v
        }
    };
    assert_eq!(
        list(w.manager.clone()).await,
        vec!["clerk@gasr.gov.mn", "manager@moj.gov.mn"]
    );
    assert_eq!(list(w.admin.clone()).await.len(), 4);
}

#[actix_web::test]
async fn a_manager_cannot_read_or_change_a_user_of_another_ministry() {
    let w = world().await;
    let d = w
        .app
        .ok(
            &w.admin,
            CREATE,
            new_user("clerk@mof.gov.mn", "INSTITUTION_STAFF", Some(&w.mof)),
        )
        .await;
    let id = d["createUser"]["id"].as_str().unwrap();
    let read = w
        .app
        .gql(
            &w.manager,
            "query($id:ID!){ user(id:$id){ email } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&read), "NOT_FOUND");
    let change = w
        .app
        .gql(
            &w.manager,
            UPDATE,
            json!({ "id": id, "i": { "active": false } }),
        )
        .await;
    assert_eq!(code(&change), "NOT_FOUND");
    // …nor an administrator.
    let admins = w
        .app
        .ok(
            &w.admin,
            "{ users(filter:{role: ADMIN}) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let admin_id = admins["users"]["edges"][0]["node"]["id"].as_str().unwrap();
    let r = w
        .app
        .gql(
            &w.manager,
            UPDATE,
            json!({ "id": admin_id, "i": { "active": false } }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
}

#[actix_web::test]
async fn a_manager_moves_their_staff_within_the_subtree_but_not_out_of_it() {
    let w = world().await;
    let d = w
        .app
        .ok(
            &w.manager,
            CREATE,
            new_user("clerk@moj.gov.mn", "INSTITUTION_STAFF", Some(&w.moj)),
        )
        .await;
    let id = d["createUser"]["id"].as_str().unwrap();
    let inside = json!({ "id": id, "i": { "assignments": [{ "role": "INSTITUTION_MANAGER", "institutionId": w.moj_agency }] } });
    assert_eq!(
        w.app.ok(&w.manager, UPDATE, inside).await["updateUser"]["assignments"][0]["role"],
        "INSTITUTION_MANAGER"
    );
    let outside = json!({ "id": id, "i": { "assignments": [{ "role": "INSTITUTION_STAFF", "institutionId": w.mof }] } });
    assert_eq!(
        code(&w.app.gql(&w.manager, UPDATE, outside).await),
        "NOT_FOUND"
    );
    let promote = json!({ "id": id, "i": { "assignments": [{ "role": "ADMIN" }] } });
    assert_eq!(
        code(&w.app.gql(&w.manager, UPDATE, promote).await),
        "FORBIDDEN"
    );
}

#[actix_web::test]
async fn the_last_active_administrator_cannot_be_disabled_or_demoted() {
    let w = world().await;
    let me = w.app.ok(&w.admin, "{ me { id } }", json!({})).await;
    let id = me["me"]["id"].as_str().unwrap();
    let r = w
        .app
        .gql(
            &w.admin,
            UPDATE,
            json!({ "id": id, "i": { "active": false } }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    let r = w
        .app
        .gql(
            &w.admin,
            UPDATE,
            json!({ "id": id, "i": { "assignments": [{ "role": "SUPERVISOR" }] } }),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
}

#[actix_web::test]
async fn a_second_user_with_the_same_email_is_a_conflict() {
    let w = world().await;
    w.app
        .ok(
            &w.admin,
            CREATE,
            new_user("dup@moj.gov.mn", "INSTITUTION_STAFF", Some(&w.moj)),
        )
        .await;
    let r = w
        .app
        .gql(
            &w.admin,
            CREATE,
            new_user("  DUP@moj.gov.mn ", "INSTITUTION_STAFF", Some(&w.moj)),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
}

#[actix_web::test]
async fn bad_user_input_names_the_field() {
    let w = world().await;
    let r = w
        .app
        .gql(
            &w.admin,
            CREATE,
            new_user("not-an-email", "SUPERVISOR", None),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    assert_eq!(r["errors"][0]["extensions"]["invalid"][0]["field"], "email");
    let r = w
        .app
        .gql(
            &w.admin,
            CREATE,
            new_user("a@b.mn", "INSTITUTION_STAFF", None),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
    let mut weak = new_user("a@b.mn", "SUPERVISOR", None);
    weak["i"]["password"] = json!("short");
    assert_eq!(
        code(&w.app.gql(&w.admin, CREATE, weak).await),
        "BAD_USER_INPUT"
    );
}

#[actix_web::test]
async fn user_and_role_changes_are_in_the_audit_log_for_supervisors() {
    let w = world().await;
    let d = w
        .app
        .ok(
            &w.manager,
            CREATE,
            new_user("clerk@moj.gov.mn", "INSTITUTION_STAFF", Some(&w.moj)),
        )
        .await;
    let id = d["createUser"]["id"].as_str().unwrap();
    w.app
        .ok(
            &w.manager,
            UPDATE,
            json!({ "id": id, "i": { "displayName": "Болд" } }),
        )
        .await;
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let log = w
        .app
        .ok(&sup, "query($t:ID!){ auditLog(filter:{targetId:$t}) { edges { node { action actorLabel details } } } }", json!({ "t": id }))
        .await;
    let actions: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["USER_UPDATED", "USER_CREATED"]);
    assert_eq!(
        log["auditLog"]["edges"][0]["node"]["actorLabel"],
        "manager@moj.gov.mn"
    );
    // A manager may not read the audit log.
    assert_eq!(
        code(
            &w.app
                .gql(
                    &w.manager,
                    "{ auditLog { edges { node { id } } } }",
                    json!({})
                )
                .await
        ),
        "FORBIDDEN"
    );
}

#[actix_web::test]
async fn the_audit_log_refuses_updates_and_deletes_even_from_sql() {
    let w = world().await;
    let conn = w.app.state.db.conn();
    for sql in ["UPDATE audit_log SET action = 'X'", "DELETE FROM audit_log"] {
        let r = sea_orm::ConnectionTrait::execute_unprepared(conn, sql).await;
        assert!(r.is_err(), "{sql} must fail");
    }
}

#[actix_web::test]
async fn users_are_found_by_a_cyrillic_name_in_any_case() {
    let w = world().await;
    let mut u = new_user("bold@moj.gov.mn", "INSTITUTION_STAFF", Some(&w.moj));
    u["i"]["displayName"] = json!("Өлзийбаяр Болд");
    w.app.ok(&w.admin, CREATE, u).await;
    let d = w
        .app
        .ok(
            &w.admin,
            "{ users(filter:{text:\"ӨЛЗИЙ\"}) { edges { node { email } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["users"]["edges"][0]["node"]["email"], "bold@moj.gov.mn");
}
