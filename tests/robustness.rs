//! The six findings of the attack on the server ("survives any request from
//! anyone"), each as the test that failed before its fix, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

async fn still_alive(app: &TestApp) {
    let (status, _) = app.get("/health/live").await;
    assert_eq!(status, 200, "the server must survive");
    let ok = app.ok(&Auth::None, "{ regions { code } }", json!({})).await;
    assert!(ok["regions"].as_array().unwrap().len() > 20);
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

// 1. Crash: client-controlled recursion.

#[actix_web::test]
async fn a_list_literal_nested_thousands_deep_is_refused_before_parsing() {
    let app = spawn_app().await;
    for depth in [1_550, 10_000] {
        let q = format!(
            "{{ institution(id: {}) {{ id }} }}",
            nested("[", "\"x\"", "]", depth)
        );
        let r = app.gql(&Auth::None, &q, json!({})).await;
        assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED", "depth {depth}");
    }
    still_alive(&app).await;
}

#[actix_web::test]
async fn an_input_object_literal_nested_thousands_deep_is_refused_before_parsing() {
    let app = spawn_app().await;
    for depth in [1_250, 10_000] {
        let q = format!(
            "{{ institutions(filter: {}) {{ edges {{ cursor }} }} }}",
            nested("{t:", "1", "}", depth)
        );
        let r = app.gql(&Auth::None, &q, json!({})).await;
        assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED", "depth {depth}");
    }
    still_alive(&app).await;
}

#[actix_web::test]
async fn a_selection_nested_ten_thousand_deep_is_refused_before_parsing() {
    let app = spawn_app().await;
    let q = format!(
        "{{ institutions {{ edges {{ node {} }} }} }}",
        nested("{p", "", "}", 10_000)
    );
    let r = app.gql(&Auth::None, &q, json!({})).await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED");
    still_alive(&app).await;
}

#[actix_web::test]
async fn variables_nested_ten_thousand_deep_are_refused() {
    let app = spawn_app().await;
    let login = "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }";
    // Beyond what the JSON reader accepts: a bad request, not a crash.
    let deep = nested("[", "1", "]", 10_000);
    let body = format!(
        "{{\"query\":{},\"variables\":{{\"e\":{deep},\"p\":\"x\"}}}}",
        serde_json::to_string(login).unwrap()
    );
    let (status, r) = app
        .post_raw(&Auth::None, "application/json", body.into_bytes())
        .await;
    assert_eq!((status, code(&r)), (400, "BAD_REQUEST"));
    // Within what JSON accepts but deeper than any input: refused by the guard.
    let mut v = json!("x");
    for _ in 0..100 {
        v = json!({ "mn": v });
    }
    let r = app
        .gql(
            &Auth::None,
            "mutation($n:LocalizedTextInput!){ createInstitution(input:{code:\"X\", kind: MINISTRY, name:$n}){ id } }",
            json!({ "n": v }),
        )
        .await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED", "{r}");
    still_alive(&app).await;
}

#[actix_web::test]
async fn show_if_conditions_and_localized_texts_cannot_be_nested() {
    let w = SurveyWorld::new("FACES_3").await;
    let add = "mutation($s:ID!,$q:QuestionInput!){ addQuestion(surveyId:$s, question:$q){ id } }";
    // showIf is one level: a nested literal is refused before parsing, a nested
    // variable is refused as input.
    let literal = format!(
        "mutation{{ addQuestion(surveyId:\"{}\", question:{{key:\"q\", type: TEXT, text:{{mn:\"a\"}}, showIf:{}}}){{ id }} }}",
        w.survey,
        nested("{q:", "1", "}", 10_000)
    );
    let r = w.app.gql(&w.manager, &literal, json!({})).await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED");
    let mut cond = json!({ "questionKey": "overall", "values": [1] });
    for _ in 0..90 {
        cond = json!({ "questionKey": cond });
    }
    let r = w
        .app
        .gql(
            &w.manager,
            add,
            json!({ "s": w.survey, "q": { "key": "q", "type": "TEXT", "text": { "mn": "a" }, "showIf": cond } }),
        )
        .await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED", "{r}");
    still_alive(&w.app).await;
}

#[actix_web::test]
async fn a_syntax_error_does_not_echo_the_document_back() {
    let app = spawn_app().await;
    let q = format!("{{ regions {{ code }} {} !!! }}", "x ".repeat(20_000));
    let r = app.gql(&Auth::None, &q, json!({})).await;
    assert_eq!(code(&r), "GRAPHQL_PARSE_FAILED");
    let msg = r["errors"][0]["message"].as_str().unwrap();
    assert!(msg.len() < 300, "{}", msg.len());
    assert!(msg.starts_with("syntax error at line 1"), "{msg}");
}

// 2. Costly queries are priced, capped, timed and limited per caller.

const REPORT: &str = "satisfactionReport(scope:{kind: INSTITUTION, id: $i}, period:{kind: QUARTER, start: \"2026-10-01\"}){ counts { invited } }";

fn aliases(n: usize, field: &str) -> String {
    (0..n)
        .map(|i| format!("r{i}: {field}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[actix_web::test]
async fn a_thousand_report_aliases_are_refused_before_any_work() {
    let w = SurveyWorld::new("FACES_3").await;
    let q = format!(
        "query($s:ReportScopeInput!,$p:PeriodInput!){{ {} }} fragment F on SatisfactionReport {{ counts {{ invited }} }}",
        aliases(1_000, "satisfactionReport(scope:$s, period:$p){ ...F }")
    );
    assert!(q.len() < 64 * 1024, "{}", q.len());
    let vars = json!({ "s": { "kind": "INSTITUTION", "id": w.ministry }, "p": { "kind": "QUARTER", "start": "2026-10-01" } });
    let r = w.app.gql(&w.manager, &q, vars).await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED", "{}", r["errors"][0]);
    assert!(r["data"].is_null());
}

#[actix_web::test]
async fn more_than_ten_costly_fields_in_one_request_are_refused() {
    let w = SurveyWorld::new("FACES_3").await;
    let ten = format!("query($i:ID!){{ {} }}", aliases(10, REPORT));
    let d = w.app.ok(&w.manager, &ten, json!({ "i": w.ministry })).await;
    assert_eq!(d["r9"]["counts"]["invited"], 0);
    let eleven = format!("query($i:ID!){{ {} }}", aliases(11, REPORT));
    let r = w
        .app
        .gql(&w.manager, &eleven, json!({ "i": w.ministry }))
        .await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 10")
    );
}

#[actix_web::test]
async fn a_series_is_priced_by_its_periods_and_scope() {
    let w = SurveyWorld::new("FACES_3").await;
    let sel = "periodLabel counts { invited responded openResponses delivered } responseRate { value low high } skm { index grade }";
    let series = |kind: &str, from: &str, to: &str, scope: &str| {
        format!(
            "{{ reportSeries(scope:{scope}, kind:{kind}, from:\"{from}\", to:\"{to}\"){{ {sel} }} }}"
        )
    };
    let inst = format!("{{kind: INSTITUTION, id: \"{}\"}}", w.ministry);
    let d = w
        .app
        .ok(
            &w.manager,
            &series("MONTH", "2025-01-01", "2026-12-01", &inst),
            json!({}),
        )
        .await;
    assert_eq!(d["reportSeries"].as_array().unwrap().len(), 24);
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let r = w
        .app
        .gql(
            &sup,
            &series("MONTH", "2017-01-01", "2026-12-01", "{kind: COUNTRY}"),
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "QUERY_LIMIT_EXCEEDED", "{r}");
    // The same ten years by quarter fit.
    let d = w
        .app
        .ok(
            &sup,
            &series("QUARTER", "2017-01-01", "2026-10-01", "{kind: COUNTRY}"),
            json!({}),
        )
        .await;
    assert_eq!(d["reportSeries"].as_array().unwrap().len(), 40);
}

#[actix_web::test]
async fn an_operation_past_its_time_limit_answers_timeout_and_the_server_goes_on() {
    let w = SurveyWorld::new("FACES_3").await;
    // A second instance on the same database whose operations may not wait at all.
    let strict = w
        .app
        .another_instance(|c| c.operation_timeout = std::time::Duration::ZERO)
        .await;
    let r = strict
        .gql(
            &w.manager,
            &format!("query($i:ID!){{ {REPORT} }}"),
            json!({ "i": w.ministry }),
        )
        .await;
    assert_eq!(code(&r), "TIMEOUT", "{r}");
    assert!(r["data"].is_null());
    let (status, _) = strict.get("/health/ready").await;
    assert_eq!(status, 200);
    // The same operation within the usual limit answers.
    w.app
        .ok(
            &w.manager,
            &format!("query($i:ID!){{ {REPORT} }}"),
            json!({ "i": w.ministry }),
        )
        .await;
}

#[actix_web::test]
async fn a_caller_running_its_share_of_reports_gets_rate_limited_and_others_do_not() {
    let w = SurveyWorld::new("FACES_3").await;
    let me = w.app.ok(&w.manager, "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The manager already has two costly operations running.
    let caller = format!("user:{me}");
    let held = (
        w.app.state.gate.enter(&caller, true).await.unwrap(),
        w.app.state.gate.enter(&caller, true).await.unwrap(),
    );
    let q = format!("query($i:ID!){{ {REPORT} }}");
    let r = w.app.gql(&w.manager, &q, json!({ "i": w.ministry })).await;
    assert_eq!(code(&r), "RATE_LIMITED");
    assert_eq!(r["errors"][0]["extensions"]["retryAfterSeconds"], 1);
    // Cheap operations and other callers are not held back.
    w.app.ok(&w.manager, "{ me { id } }", json!({})).await;
    w.app.ok(&w.admin, &q, json!({ "i": w.ministry })).await;
    drop(held);
    w.app.ok(&w.manager, &q, json!({ "i": w.ministry })).await;
    assert_eq!(w.app.state.gate.costly_running(&caller), 0);
}

// 3. Sign-in limits: atomic, and the proxy's address, not the client's claim.

async fn failed_logins(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = app.state.db.conn();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'LOGIN_FAILED'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[actix_web::test]
async fn forty_parallel_wrong_passwords_for_one_account_check_only_five() {
    let app = spawn_app().await;
    let attempts = (0..40).map(|i| {
        let app = &app;
        async move { app.login(ADMIN_EMAIL, &format!("wrong password {i}")).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let codes: Vec<&str> = results.iter().map(code).collect();
    let limited = codes.iter().filter(|c| **c == "RATE_LIMITED").count();
    let checked = codes.iter().filter(|c| **c == "UNAUTHENTICATED").count();
    assert_eq!((checked, limited), (5, 35), "{codes:?}");
    assert_eq!(failed_logins(&app).await, 5);
}

#[actix_web::test]
async fn behind_a_proxy_the_client_is_what_the_proxy_appended() {
    let app = spawn_app_with(|c| {
        c.trust_proxy = true;
        c.login_max_failures_per_client = 30;
    })
    .await;
    let mut codes = vec![];
    for i in 0..60 {
        // The client writes a new address each time; our proxy appends the real one.
        let xff = format!("10.9.{}.{}, 203.0.113.7", i / 250, i % 250);
        let r = app
            .gql_with(
                &Auth::None,
                "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }",
                json!({ "e": format!("nobody{i}@gov.mn"), "p": "wrong password" }),
                &[("x-forwarded-for", xff.as_str())],
            )
            .await;
        codes.push(code(&r).to_owned());
    }
    assert!(codes[..30].iter().all(|c| c == "UNAUTHENTICATED"));
    assert!(codes[30..].iter().all(|c| c == "RATE_LIMITED"), "{codes:?}");
    let admin = app.admin().await;
    let d = app
        .ok(
            &admin,
            "{ auditLog(filter:{action:\"LOGIN_FAILED\"}, first: 100){ edges { node { clientIp } } } }",
            json!({}),
        )
        .await;
    let ips: Vec<&Value> = d["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["clientIp"])
        .collect();
    assert_eq!(ips.len(), 30);
    assert!(ips.iter().all(|ip| *ip == "203.0.113.7"), "{ips:?}");
}

// 4. NUL and control characters are refused at the boundary.

#[actix_web::test]
async fn nul_bytes_in_public_string_inputs_are_bad_input_not_internal() {
    let app = spawn_app().await;
    let cases = [
        (
            "query($v:String){ regions(parentCode:$v){ code } }",
            json!({ "v": "MN\u{0}1" }),
        ),
        (
            "mutation($v:String!){ submitOpenResponse(input:{pointCode:$v, answers:[]}){ accepted } }",
            json!({ "v": "P\u{0}" }),
        ),
        (
            "query($v:String){ invitation(token:$v){ status } }",
            json!({ "v": "t\u{0}" }),
        ),
        (
            "query($v:String){ invitation(code:$v){ status } }",
            json!({ "v": "c\u{0}" }),
        ),
        (
            "mutation($v:String!){ login(email:$v, password:\"x\"){ accessToken } }",
            json!({ "v": "a\u{0}@b.mn" }),
        ),
        (
            "mutation($v:String!){ refreshSession(refreshToken:$v){ accessToken } }",
            json!({ "v": "rt_\u{0}" }),
        ),
        (
            "query{ regions(parentCode:\"MN\\u0000\"){ code } }",
            json!({}),
        ),
    ];
    for (q, vars) in cases {
        let r = app.gql(&Auth::None, q, vars).await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{q}: {r}");
    }
    still_alive(&app).await;
}

#[actix_web::test]
async fn control_characters_never_reach_kiosk_names_or_conclusion_comments() {
    let w = SurveyWorld::new("FACES_3").await;
    let kiosk =
        "mutation($p:ID!,$n:String!){ createKioskDevice(servicePointId:$p, name:$n){ id } }";
    for name in ["K\u{7}1", "K\u{1b}[31m", "Киоск\n2", "K\u{0}"] {
        let r = w
            .app
            .gql(&w.manager, kiosk, json!({ "p": w.point, "n": name }))
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{name:?}: {r}");
    }
    let r = w
        .app
        .gql(
            &w.manager,
            "mutation($c:String!){ institutionComment(conclusionId:\"00000000-0000-0000-0000-000000000000\", comment:$c){ id } }",
            json!({ "c": "сайн\u{8}байна" }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
}

// 5. Dates and numbers at their extremes never panic.

#[actix_web::test]
async fn dates_and_numbers_at_their_extremes_answer_with_a_code() {
    let w = SurveyWorld::new("FACES_3").await;
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let report = "query($p:PeriodInput!){ satisfactionReport(scope:{kind: COUNTRY}, period:$p){ periodLabel previous { periodLabel } } }";
    let series = "query($k:PeriodKind!,$f:Date!,$t:Date!){ reportSeries(scope:{kind: COUNTRY}, kind:$k, from:$f, to:$t){ periodLabel } }";
    let close = "mutation($k:PeriodKind!,$s:Date!){ closePeriod(kind:$k, start:$s){ created } }";
    let delivered = "mutation($s:ID!,$p:ID!,$d:Date!,$n:Int!){ reportDeliveredServices(serviceId:$s, servicePointId:$p, date:$d, count:$n) }";
    let dates = [
        "1900-01-01",
        "1900-01-02",
        "9999-12-01",
        "9999-12-31",
        "0001-01-01",
        "-262143-01-01",
        "+262142-12-31",
        "262143-12-31",
        "2026-02-30",
        "",
    ];
    let mut answers = 0;
    for d in dates {
        for (auth, q, vars) in [
            (&sup, report, json!({ "p": { "from": d, "to": d } })),
            (
                &sup,
                report,
                json!({ "p": { "from": "1900-01-01", "to": d } }),
            ),
            (&sup, report, json!({ "p": { "kind": "YEAR", "start": d } })),
            (&sup, series, json!({ "k": "YEAR", "f": d, "t": d })),
            (&sup, close, json!({ "k": "MONTH", "s": d })),
            (
                &w.key,
                delivered,
                json!({ "s": w.service, "p": w.point, "d": d, "n": 1 }),
            ),
        ] {
            let r = w.app.gql(auth, q, vars).await;
            let c = code(&r);
            assert!(r.is_object(), "no answer for {d}: {q}");
            assert_ne!(c, "INTERNAL", "{d}: {q}: {r}");
            answers += 1;
        }
    }
    for n in [i32::MIN, -1, 0, 10_000_001, i32::MAX] {
        let r = w
            .app
            .gql(
                &w.key,
                delivered,
                json!({ "s": w.service, "p": w.point, "d": "2026-11-27", "n": n }),
            )
            .await;
        let expected = if n == 0 {
            "<no error>"
        } else {
            "BAD_USER_INPUT"
        };
        assert_eq!(code(&r), expected, "{n}: {r}");
    }
    for t in [
        "0001-01-01T00:00:00Z",
        "-262143-01-01T00:00:00Z",
        "+262142-12-31T23:59:59Z",
        "9999-12-31T23:59:59Z",
    ] {
        let mut vars = w.issue_vars("TX-EXTREME");
        vars["i"]["deliveredAt"] = json!(t);
        let r = w.app.gql(&w.key, ISSUE, vars).await;
        assert!(
            ["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"].contains(&code(&r)),
            "{t}: {r}"
        );
    }
    assert!(answers >= 60);
    still_alive(&w.app).await;
}

#[test]
fn custom_periods_at_the_edges_of_the_calendar_have_no_previous_instead_of_panicking() {
    use chrono::NaiveDate;
    use sanal::domain::period::Period;
    let p = Period::custom(NaiveDate::MIN, NaiveDate::MIN).unwrap();
    assert!(p.previous().is_none());
    let p = Period::custom(NaiveDate::MAX, NaiveDate::MAX).unwrap();
    assert!(p.next().is_none());
    let kind = sanal::domain::period::PeriodKind::Year;
    assert!(Period::containing(kind, NaiveDate::MAX).is_err());
    let last = Period::containing(kind, NaiveDate::from_ymd_opt(262_141, 6, 1).unwrap()).unwrap();
    assert!(last.next().is_none());
    let first = Period::containing(kind, NaiveDate::MIN).unwrap();
    assert!(first.previous().is_none());
}

// 6. Smaller findings.

#[actix_web::test]
async fn an_attacker_failing_on_purpose_never_locks_the_owner_out() {
    let app = spawn_app_with(|c| c.trust_proxy = true).await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    let login = "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }";
    for _ in 0..8 {
        app.gql_with(
            &Auth::None,
            login,
            json!({ "e": ADMIN_EMAIL, "p": "guess guess guess" }),
            &from("198.51.100.66"),
        )
        .await;
    }
    let r = app
        .gql_with(
            &Auth::None,
            login,
            json!({ "e": ADMIN_EMAIL, "p": "guess guess guess" }),
            &from("198.51.100.66"),
        )
        .await;
    assert_eq!(code(&r), "RATE_LIMITED");
    // The pause grows (progressive) but stays short of a lockout…
    let wait = r["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_i64()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // …and the owner, from a client that has not failed, signs in at once.
    let r = app
        .gql_with(
            &Auth::None,
            login,
            json!({ "e": ADMIN_EMAIL, "p": ADMIN_PASSWORD }),
            &from("192.0.2.10"),
        )
        .await;
    assert!(r["data"]["login"]["accessToken"].is_string(), "{r}");
}

#[actix_web::test]
async fn common_passwords_and_ones_holding_the_users_name_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let create = "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }";
    for (pw, why) in [
        ("password1234", "most common"),
        ("123456789012", "run or a repetition"),
        ("P@ssw0rd2026!", "most common"),
        ("dulmaa.bold 2026", "your e-mail address or your name"),
        ("Болд Дулмаа сайн", "your e-mail address or your name"),
    ] {
        let r = app
            .gql(
                &admin,
                create,
                json!({ "i": { "email": "dulmaa.bold@mof.gov.mn", "displayName": "Болд Дулмаа", "password": pw, "assignments": [] } }),
            )
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{pw}");
        let reason = r["errors"][0]["extensions"]["invalid"][0]["reason"]
            .as_str()
            .unwrap();
        assert!(reason.contains(why), "{pw}: {reason}");
    }
}

#[actix_web::test]
async fn production_validation_errors_do_not_suggest_field_names() {
    let app = spawn_app_with(|c| c.production = true).await;
    let r = app.gql(&Auth::None, "{ region { code } }", json!({})).await;
    assert_eq!(code(&r), "GRAPHQL_VALIDATION_FAILED");
    let msg = r["errors"][0]["message"].as_str().unwrap();
    assert!(!msg.contains("Did you mean"), "{msg}");
    let dev = spawn_app().await;
    let r = dev.gql(&Auth::None, "{ region { code } }", json!({})).await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean")
    );
}

#[actix_web::test]
async fn draft_survey_versions_answer_the_same_for_existing_and_missing_ids() {
    let w = SurveyWorld::new("FACES_3").await;
    let missing = "00000000-0000-7000-8000-000000000000";
    // Published versions are public; a draft is the institution's own.
    let d = w
        .app
        .ok(
            &w.manager,
            "mutation($s:ID!){ updateSurvey(id:$s, input:{ title:{ mn:\"Шинэ\" } }){ id } }",
            json!({ "s": w.survey }),
        )
        .await;
    let draft = d["updateSurvey"]["id"].as_str().unwrap().to_owned();
    let q = "query($id:ID!){ surveyVersion(id:$id){ id } }";
    let citizen = w
        .app
        .user_with_role(&w.admin, "citizen@mail.mn", "CITIZEN", None)
        .await;
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
    for (who, expected) in [(&citizen, "FORBIDDEN"), (&stranger, "NOT_FOUND")] {
        let a = w.app.gql(who, q, json!({ "id": draft })).await;
        let b = w.app.gql(who, q, json!({ "id": missing })).await;
        assert_eq!((code(&a), code(&b)), (expected, expected));
    }
}

#[actix_web::test]
async fn a_manager_sees_only_the_roles_a_shared_user_holds_in_their_subtree() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_institution(&admin, "MOJ", None).await;
    let b = app.create_institution(&admin, "MOF", None).await;
    let manager_a = app
        .user_with_role(&admin, "m@moj.gov.mn", "INSTITUTION_MANAGER", Some(&a))
        .await;
    app.ok(
        &admin,
        "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
        json!({ "i": { "email": "shared@gov.mn", "displayName": "Shared", "password": PASSWORD,
            "assignments": [{ "role": "INSTITUTION_STAFF", "institutionId": a }, { "role": "INSTITUTION_MANAGER", "institutionId": b }] } }),
    )
    .await;
    let d = app
        .ok(
            &manager_a,
            "{ users(filter:{text:\"shared\"}){ edges { node { id assignments { role institutionId } } } } }",
            json!({}),
        )
        .await;
    let node = &d["users"]["edges"][0]["node"];
    assert_eq!(
        node["assignments"],
        json!([{ "role": "INSTITUTION_STAFF", "institutionId": a }])
    );
    let one = app
        .ok(
            &manager_a,
            "query($id:ID!){ user(id:$id){ assignments { role institutionId } } }",
            json!({ "id": node["id"] }),
        )
        .await;
    assert_eq!(one["user"]["assignments"], node["assignments"]);
}

#[actix_web::test]
async fn a_report_on_a_missing_institution_is_not_found_even_for_supervisors() {
    let w = SurveyWorld::new("FACES_3").await;
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let q = format!("query($i:ID!){{ {REPORT} }}");
    for who in [&w.admin, &sup] {
        let r = w
            .app
            .gql(
                who,
                &q,
                json!({ "i": "00000000-0000-7000-8000-000000000000" }),
            )
            .await;
        assert_eq!(code(&r), "NOT_FOUND");
    }
}
