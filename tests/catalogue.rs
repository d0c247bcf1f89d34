//! Institutions, services and service points: who may change them, and reading them.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::json;

const WITHIN: &str =
    "query($w:ID!){ institutions(filter:{within:$w}, first: 100) { edges { node { code } } } }";

async fn codes_within(app: &TestApp, id: &str) -> Vec<String> {
    let d = app.ok(&Auth::None, WITHIN, json!({ "w": id })).await;
    let mut v: Vec<String> = d["institutions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

#[actix_web::test]
async fn an_institution_tree_answers_subtree_queries_and_moves_whole_branches() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moj = app.create_institution(&admin, "MOJ", None).await;
    let agency = app.create_institution(&admin, "GASR", Some(&moj)).await;
    let branch = app
        .create_institution(&admin, "GASR-UB", Some(&agency))
        .await;
    let mof = app.create_institution(&admin, "MOF", None).await;
    assert_eq!(
        codes_within(&app, &moj).await,
        vec!["GASR", "GASR-UB", "MOJ"]
    );
    // Move the agency (with its branch) under the Ministry of Finance.
    let r = app
        .ok(&admin, "mutation($id:ID!,$p:ID){ updateInstitution(id:$id, input:{parentId:$p}){ parent { code } } }", json!({ "id": agency, "p": mof }))
        .await;
    assert_eq!(r["updateInstitution"]["parent"]["code"], "MOF");
    assert_eq!(codes_within(&app, &moj).await, vec!["MOJ"]);
    assert_eq!(
        codes_within(&app, &mof).await,
        vec!["GASR", "GASR-UB", "MOF"]
    );
    // A cycle is refused.
    let cyc = app
        .gql(
            &admin,
            "mutation($id:ID!,$p:ID){ updateInstitution(id:$id, input:{parentId:$p}){ id } }",
            json!({ "id": agency, "p": branch }),
        )
        .await;
    assert_eq!(code(&cyc), "BAD_USER_INPUT");
    // Making it top-level detaches it.
    app.ok(
        &admin,
        "mutation($id:ID!){ updateInstitution(id:$id, input:{parentId:null}){ id } }",
        json!({ "id": agency }),
    )
    .await;
    assert_eq!(codes_within(&app, &mof).await, vec!["MOF"]);
}

#[actix_web::test]
async fn only_an_admin_creates_or_changes_institutions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moj = app.create_institution(&admin, "MOJ", None).await;
    let manager = app
        .user_with_role(&admin, "m@moj.gov.mn", "INSTITUTION_MANAGER", Some(&moj))
        .await;
    let sup = app
        .user_with_role(&admin, "s@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    for who in [&manager, &sup] {
        let r = app
            .gql(who, "mutation{ createInstitution(input:{code:\"X\", kind:AGENCY, name:{mn:\"Х\"}}){ id } }", json!({}))
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
        let r = app
            .gql(
                who,
                "mutation($id:ID!){ updateInstitution(id:$id, input:{active:false}){ id } }",
                json!({ "id": moj }),
            )
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
    }
}

#[actix_web::test]
async fn an_institution_needs_a_mongolian_name_a_unique_code_and_a_known_region() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.create_institution(&admin, "MOJ", None).await;
    let q = "mutation($i:CreateInstitutionInput!){ createInstitution(input:$i){ id name { mn en mnMong text(locale:\"kk\") } regionCode } }";
    let no_mn = app.gql(&admin, q, json!({ "i": { "code": "A", "kind": "AGENCY", "name": { "mn": "  ", "en": "Agency" } } })).await;
    assert_eq!(code(&no_mn), "BAD_USER_INPUT");
    let dup = app
        .gql(
            &admin,
            q,
            json!({ "i": { "code": "moj", "kind": "AGENCY", "name": { "mn": "Яам" } } }),
        )
        .await;
    assert_eq!(code(&dup), "CONFLICT");
    let region = app.gql(&admin, q, json!({ "i": { "code": "B", "kind": "AGENCY", "name": { "mn": "Б" }, "regionCode": "MN-999" } })).await;
    assert_eq!(code(&region), "BAD_USER_INPUT");
    let ok = app
        .ok(&admin, q, json!({ "i": { "code": "BO-GOV", "kind": "LOCAL_UNIT", "regionCode": "MN-071",
            "name": { "mn": "Баян-Өлгий аймгийн Засаг даргын тамгын газар", "mnMong": "ᠪᠠᠶᠠᠨ ᠥᠯᠦᠭᠡᠢ", "en": "Bayan-Ölgii governor's office" } } }))
        .await;
    let i = &ok["createInstitution"];
    assert_eq!(i["name"]["mnMong"], "ᠪᠠᠶᠠᠨ ᠥᠯᠦᠭᠡᠢ");
    assert_eq!(
        i["name"]["text"], "Баян-Өлгий аймгийн Засаг даргын тамгын газар",
        "kk falls back to mn"
    );
    assert_eq!(i["regionCode"], "MN-071");
}

#[actix_web::test]
async fn institutions_are_found_by_cyrillic_text_in_any_case_and_by_region() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let q = "mutation($i:CreateInstitutionInput!){ createInstitution(input:$i){ id } }";
    app.ok(&admin, q, json!({ "i": { "code": "UB-BZD", "kind": "LOCAL_UNIT", "regionCode": "MN-1-04", "name": { "mn": "Баянзүрх дүүргийн Өргөдлийн төв" } } })).await;
    app.ok(&admin, q, json!({ "i": { "code": "KHOVD", "kind": "LOCAL_UNIT", "regionCode": "MN-043", "name": { "mn": "Ховд аймгийн төв" } } })).await;
    let find = |f: serde_json::Value| {
        let app = &app;
        async move {
            let d = app.ok(&Auth::None, "query($f:InstitutionFilterInput){ institutions(filter:$f){ edges { node { code } } } }", json!({ "f": f })).await;
            d["institutions"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find(json!({ "text": "ӨРГӨДЛИЙН" })).await, vec!["UB-BZD"]);
    assert_eq!(
        find(json!({ "regionCode": "MN-1" })).await,
        vec!["UB-BZD"],
        "the capital includes its districts"
    );
    assert_eq!(
        find(json!({ "text": "khovd" })).await,
        vec!["KHOVD"],
        "codes are searchable too"
    );
}

#[actix_web::test]
async fn percent_signs_and_underscores_in_a_search_match_only_themselves() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let q = "mutation($i:CreateInstitutionInput!){ createInstitution(input:$i){ id } }";
    for (code, name) in [
        ("A", "Хөнгөлөлт 50%"),
        ("B", "Хөнгөлөлт 500"),
        ("C", "a_b төв"),
        ("D", "axb төв"),
    ] {
        app.ok(
            &admin,
            q,
            json!({ "i": { "code": code, "kind": "MINISTRY", "name": { "mn": name } } }),
        )
        .await;
    }
    let find = |text: &'static str| {
        let app = &app;
        async move {
            let d = app
                .ok(
                    &Auth::None,
                    "query($t:String){ institutions(filter:{text:$t}){ edges { node { code } } } }",
                    json!({ "t": text }),
                )
                .await;
            d["institutions"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find("50%").await, vec!["A"]);
    assert_eq!(find("a_b").await, vec!["C"]);
    assert_eq!(find("\\").await, Vec::<String>::new());
}

#[actix_web::test]
async fn lists_page_with_keyset_cursors_and_cap_the_page_size() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for i in 0..5 {
        app.create_institution(&admin, &format!("I{i}"), None).await;
    }
    let q = "query($a:String){ institutions(first: 2, after: $a){ edges { cursor node { code } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = vec![];
    let mut after: Option<String> = None;
    loop {
        let d = app.ok(&Auth::None, q, json!({ "a": after })).await;
        for e in d["institutions"]["edges"].as_array().unwrap() {
            seen.push(e["node"]["code"].as_str().unwrap().to_owned());
        }
        if !d["institutions"]["pageInfo"]["hasNextPage"]
            .as_bool()
            .unwrap()
        {
            break;
        }
        after = d["institutions"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(seen, vec!["I0", "I1", "I2", "I3", "I4"]);
    let too_many = app
        .gql(
            &Auth::None,
            "{ institutions(first: 101){ edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&too_many), "BAD_USER_INPUT");
    let bad_cursor = app
        .gql(
            &Auth::None,
            "{ institutions(after: \"garbage\"){ edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&bad_cursor), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn a_manager_manages_services_of_their_subtree_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moj = app.create_institution(&admin, "MOJ", None).await;
    let agency = app.create_institution(&admin, "GASR", Some(&moj)).await;
    let mof = app.create_institution(&admin, "MOF", None).await;
    let manager = app
        .user_with_role(&admin, "m@moj.gov.mn", "INSTITUTION_MANAGER", Some(&moj))
        .await;
    let staff = app
        .user_with_role(&admin, "s@moj.gov.mn", "INSTITUTION_STAFF", Some(&moj))
        .await;
    let sup = app
        .user_with_role(&admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;

    let ok = app.create_service(&manager, &agency, "PROPERTY-REG").await;
    assert!(ok["data"]["createService"]["id"].is_string(), "{ok}");
    assert_eq!(
        code(&app.create_service(&manager, &mof, "TAX").await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&app.create_service(&staff, &moj, "X").await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.create_service(&sup, &moj, "X").await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&app.create_service(&Auth::None, &moj, "X").await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.create_service(&manager, &agency, "property-reg").await),
        "CONFLICT"
    );

    let mof_service = app.create_service(&admin, &mof, "TAX").await;
    let mof_id = mof_service["data"]["createService"]["id"].as_str().unwrap();
    let upd = "mutation($id:ID!){ updateService(id:$id, input:{active:false, channels:[KIOSK]}){ active channels } }";
    assert_eq!(
        code(&app.gql(&manager, upd, json!({ "id": mof_id })).await),
        "NOT_FOUND"
    );
    let own = ok["data"]["createService"]["id"].as_str().unwrap();
    let d = app.ok(&manager, upd, json!({ "id": own })).await;
    assert_eq!(d["updateService"]["channels"], json!(["KIOSK"]));

    // The catalogue itself is public.
    let list = app
        .ok(&Auth::None, "query($i:ID!){ services(filter:{institutionId:$i, includeSubInstitutions:true}){ edges { node { code institution { code } name { mn en } } } } }", json!({ "i": moj }))
        .await;
    assert_eq!(
        list["services"]["edges"][0]["node"]["institution"]["code"],
        "GASR"
    );
    assert_eq!(list["services"]["edges"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn service_points_belong_to_an_institution_and_a_known_region() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moj = app.create_institution(&admin, "MOJ", None).await;
    let mof = app.create_institution(&admin, "MOF", None).await;
    let manager = app
        .user_with_role(&admin, "m@moj.gov.mn", "INSTITUTION_MANAGER", Some(&moj))
        .await;
    let q = "mutation($i:CreateServicePointInput!){ createServicePoint(input:$i){ id code kind regionCode } }";
    let point = |inst: &str, region: &str| json!({ "i": { "institutionId": inst, "code": "bzd-1", "kind": "BRANCH", "regionCode": region, "name": { "mn": "Баянзүрх салбар" } } });
    let d = app.ok(&manager, q, point(&moj, "MN-1-04")).await;
    assert_eq!(d["createServicePoint"]["code"], "BZD-1");
    assert_eq!(
        code(&app.gql(&manager, q, point(&moj, "XX")).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(&app.gql(&manager, q, point(&mof, "MN-1-04")).await),
        "NOT_FOUND"
    );
    assert_eq!(
        code(&app.gql(&manager, q, point(&moj, "MN-1-04")).await),
        "CONFLICT"
    );
    let listed = app.ok(&Auth::None, "{ servicePoints(filter:{regionCode:\"MN-1-04\"}){ edges { node { institution { code } } } } }", json!({})).await;
    assert_eq!(
        listed["servicePoints"]["edges"][0]["node"]["institution"]["code"],
        "MOJ"
    );
}

#[actix_web::test]
async fn catalogue_changes_are_audited() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moj = app.create_institution(&admin, "MOJ", None).await;
    app.create_service(&admin, &moj, "S1").await;
    let log = app
        .ok(
            &admin,
            "{ auditLog { edges { node { action } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"INSTITUTION_CREATED") && actions.contains(&"SERVICE_CREATED"),
        "{actions:?}"
    );
}
