//! Every link a citizen receives resolves: in development to GraphiQL with the
//! query and the token (or poster code) filled in, in production to a short
//! problem document saying the links belong to the survey client.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

/// Percent-decoding of a URL query value (`+` is a space).
fn decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// The query and variables a GraphiQL redirect fills in.
fn graphiql_target(location: &str) -> (String, Value) {
    let query_string = location
        .strip_prefix("/graphql?")
        .unwrap_or_else(|| panic!("not GraphiQL: {location}"));
    let mut query = None;
    let mut variables = None;
    for pair in query_string.split('&') {
        let (k, v) = pair.split_once('=').unwrap();
        match k {
            "query" => query = Some(decode(v)),
            "variables" => variables = Some(serde_json::from_str(&decode(v)).unwrap()),
            other => panic!("unexpected parameter {other}"),
        }
    }
    (query.unwrap(), variables.unwrap())
}

/// Runs one named operation of a document.
async fn run(app: &TestApp, document: &str, operation: &str, variables: &Value) -> Value {
    let body = serde_json::to_vec(
        &json!({ "query": document, "operationName": operation, "variables": variables }),
    )
    .unwrap();
    app.post_raw(&Auth::None, "application/json", body).await.1
}

/// The path of a link whose base is the API (the development default).
fn path_of(link: &str) -> String {
    let rest = link
        .strip_prefix("http://127.0.0.1:8080")
        .unwrap_or_else(|| panic!("the default base points at the API: {link}"));
    rest.to_owned()
}

#[actix_web::test]
async fn in_development_an_invitation_link_opens_graphiql_where_the_survey_can_be_answered() {
    let w = SurveyWorld::new("FACES_3").await;
    let d = w.app.ok(&w.key, ISSUE, w.issue_vars("TX-LINK")).await;
    let token = d["issueInvitation"]["token"].as_str().unwrap();
    let link = d["issueInvitation"]["link"].as_str().unwrap();
    assert_eq!(link, format!("http://127.0.0.1:8080/s/{token}"));

    let (status, headers, body) = get_raw(&w.app, &path_of(link)).await;
    assert_eq!(status, 303);
    assert!(body.is_empty());
    assert_eq!(header(&headers, "cache-control"), "no-store");
    assert_eq!(header(&headers, "referrer-policy"), "no-referrer");
    let (document, variables) = graphiql_target(header(&headers, "location"));
    assert!(document.contains("invitation(token: $token)"), "{document}");
    assert_eq!(variables["token"], token);
    assert_eq!(
        variables["answers"],
        json!([{ "questionKey": "overall", "value": 3 }, { "questionKey": "comment", "text": "Хурдан, эелдэг үйлчилсэн (example)" }]),
        "a complete example response to this survey"
    );

    // What the developer runs from there works as it stands.
    let shown = run(&w.app, &document, "Invitation", &variables).await;
    assert_eq!(shown["data"]["invitation"]["status"], "OPEN", "{shown}");
    assert_eq!(
        shown["data"]["invitation"]["questions"][0]["key"],
        "overall"
    );
    let answered = run(&w.app, &document, "Answer", &variables).await;
    assert_eq!(
        answered["data"]["submitResponse"]["accepted"], true,
        "{answered}"
    );
    assert_eq!(w.stored_responses().await, 1);
    let again = run(&w.app, &document, "Invitation", &variables).await;
    assert_eq!(again["data"]["invitation"]["status"], "RESPONDED");
}

#[actix_web::test]
async fn in_development_a_poster_link_opens_graphiql_with_its_open_survey() {
    let w = SurveyWorld::new("FACES_3").await;
    let d = w
        .app
        .ok(&w.manager, "mutation($p:ID!,$s:ID!){ enableOpenChannel(servicePointId:$p, serviceId:$s){ code url } }", json!({ "p": w.point, "s": w.service }))
        .await;
    let code_ = d["enableOpenChannel"]["code"].as_str().unwrap();
    let url = d["enableOpenChannel"]["url"].as_str().unwrap();
    assert_eq!(url, format!("http://127.0.0.1:8080/p/{code_}"));

    let (status, headers, _) = get_raw(&w.app, &path_of(url)).await;
    assert_eq!(status, 303);
    let (document, variables) = graphiql_target(header(&headers, "location"));
    assert!(document.contains("openSurvey(pointCode: $pointCode)"));
    assert_eq!(variables["pointCode"], code_);
    assert_eq!(variables["answers"][0]["questionKey"], "overall");
    let shown = run(&w.app, &document, "Poster", &variables).await;
    let survey = &shown["data"]["openSurvey"];
    assert_eq!(survey["questions"][0]["key"], "overall", "{shown}");
    assert!(
        survey["serviceName"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    let answered = run(&w.app, &document, "Answer", &variables).await;
    assert_eq!(
        answered["data"]["submitOpenResponse"]["accepted"], true,
        "{answered}"
    );
    assert_eq!(w.stored_responses().await, 1);
    // Naming the service: its survey, or nothing for another service.
    let q = "query($c:String!,$s:ID){ openSurvey(pointCode:$c, serviceId:$s){ serviceName } }";
    let named = w
        .app
        .ok(&Auth::None, q, json!({ "c": code_, "s": w.service }))
        .await;
    assert_eq!(named["openSurvey"]["serviceName"], survey["serviceName"]);
    let other = w
        .app
        .gql(&Auth::None, q, json!({ "c": code_, "s": w.ministry }))
        .await;
    assert_eq!(code(&other), "NOT_FOUND");
}

#[actix_web::test]
async fn an_unknown_poster_code_is_not_found_like_an_unknown_token() {
    let app = spawn_app().await;
    let r = app
        .gql(
            &Auth::None,
            "{ openSurvey(pointCode: \"NOPE1234\") { title } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let r = app
        .gql(
            &Auth::None,
            "{ openSurvey(pointCode: \"\") { title } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
}

#[actix_web::test]
async fn in_production_a_link_that_reaches_the_api_says_it_belongs_to_the_survey_client() {
    let app = spawn_app_with(|c| c.production = true).await;
    for path in ["/s/abcDEF123_-x", "/p/POSTER12", "/s/not%20a%20token"] {
        let (status, headers, body) = get_raw(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(
            header(&headers, "content-type"),
            "application/problem+json",
            "{path}"
        );
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "LINK_NOT_SERVED_HERE", "{path}");
        assert_eq!(problem["status"], 404);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("SANAL_PUBLIC_BASE_URL")
        );
        assert!(
            problem["requestId"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
        );
        assert!(
            header(&headers, "location").is_empty(),
            "never a redirect in production"
        );
    }
}

#[actix_web::test]
async fn in_development_a_malformed_link_is_a_problem_document_not_an_empty_page() {
    let app = spawn_app().await;
    let long = format!("/s/{}", "a".repeat(101));
    for path in ["/s/not%20a%20token", "/p/%3Cscript%3E", long.as_str()] {
        let (status, headers, body) = get_raw(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(header(&headers, "content-type"), "application/problem+json");
        let problem: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "NOT_FOUND", "{path}");
    }
}

#[actix_web::test]
async fn in_development_an_unknown_token_still_redirects_and_the_query_says_not_found() {
    let app = spawn_app().await;
    let (status, headers, _) = get_raw(&app, "/s/unknownTokenAbc123").await;
    assert_eq!(status, 303);
    let (document, variables) = graphiql_target(header(&headers, "location"));
    assert_eq!(variables["answers"], json!([]));
    let shown = run(&app, &document, "Invitation", &variables).await;
    assert_eq!(code(&shown), "NOT_FOUND");
}
