//! Seeing what a request did: request ids on every response and in every GraphQL
//! error, and the Prometheus metrics at `GET /metrics` with their access rules.
//!
//! The metrics recorder is one per process and the tests of this file run at once,
//! so counters are read before and after and asserted to have grown by at least
//! what the test did.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::{Auth, SurveyWorld, code, faces, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const METRICS_TOKEN: &str = "scraper-token-0123456789";

/// One answer: status, the `X-Request-Id` header, the body.
struct Answer {
    status: u16,
    request_id: Option<String>,
    content_type: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn send(method: &str, url: String, headers: &[(&str, &str)], body: Option<Value>) -> Answer {
    let client = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .finish();
    let mut req = client.request(method.parse().unwrap(), url);
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let sent = match body {
        Some(b) => req.send_json(&b).await,
        None => req.send().await,
    };
    let mut resp = sent.expect("request sent");
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request_id = header("x-request-id");
    let content_type = header("content-type").unwrap_or_default();
    let status = resp.status().as_u16();
    let bytes = resp.body().limit(8 * 1024 * 1024).await.expect("body");
    Answer {
        status,
        request_id,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn graphql(base: &str, headers: &[(&str, &str)], query: &str, variables: Value) -> Answer {
    send(
        "POST",
        format!("{base}/graphql"),
        headers,
        Some(json!({ "query": query, "variables": variables })),
    )
    .await
}

async fn scrape(base: &str) -> String {
    let a = send("GET", format!("{base}/metrics"), &[], None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body
}

/// The sum of the samples of `name` whose labels include `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (metric, label_text) = match series.split_once('{') {
                Some((m, rest)) => (m, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            if metric != name {
                return None;
            }
            let all_there = labels
                .iter()
                .all(|(k, v)| label_text.split(',').any(|p| p == format!("{k}=\"{v}\"")));
            all_there.then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

#[actix_web::test]
async fn a_request_id_sent_by_the_client_is_echoed_back() {
    let app = spawn_app().await;
    let a = graphql(
        &app.base,
        &[("x-request-id", "mobile-app.7_f3A-1")],
        "{ regions { code } }",
        json!({}),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.request_id.as_deref(), Some("mobile-app.7_f3A-1"));
}

#[actix_web::test]
async fn a_request_without_an_id_gets_a_fresh_uuid_each_time() {
    let app = spawn_app().await;
    let first = send("GET", format!("{}/health/live", app.base), &[], None).await;
    let second = send("GET", format!("{}/health/live", app.base), &[], None).await;
    let (a, b) = (first.request_id.unwrap(), second.request_id.unwrap());
    assert!(is_uuid(&a) && is_uuid(&b), "{a} {b}");
    assert_ne!(a, b);
}

#[actix_web::test]
async fn an_unsafe_or_overlong_request_id_is_replaced_by_a_fresh_one() {
    let app = spawn_app().await;
    let long = "a".repeat(65);
    for bad in [
        "two words",
        "semi;colon",
        "quote\"d",
        "slash/ed",
        long.as_str(),
    ] {
        let a = send(
            "GET",
            format!("{}/health/live", app.base),
            &[("x-request-id", bad)],
            None,
        )
        .await;
        let id = a.request_id.unwrap();
        assert_ne!(id, bad);
        assert!(is_uuid(&id), "{bad:?} became {id:?}");
    }
    let longest = "b".repeat(64);
    let a = send(
        "GET",
        format!("{}/health/live", app.base),
        &[("x-request-id", &longest)],
        None,
    )
    .await;
    assert_eq!(a.request_id.as_deref(), Some(longest.as_str()));
}

#[actix_web::test]
async fn every_response_carries_its_request_id_errors_health_and_graphiql_included() {
    let app = spawn_app().await;
    let base = &app.base;
    let cases = [
        ("GET", format!("{base}/health/live"), 200),
        ("GET", format!("{base}/health/ready"), 200),
        ("GET", format!("{base}/graphql"), 200),
        ("PUT", format!("{base}/graphql"), 405),
        ("GET", format!("{base}/no-such-page"), 404),
        ("GET", format!("{base}/metrics"), 200),
    ];
    for (i, (method, url, status)) in cases.into_iter().enumerate() {
        let id = format!("case-{i}");
        let a = send(method, url.clone(), &[("x-request-id", &id)], None).await;
        assert_eq!(a.status, status, "{method} {url}");
        assert_eq!(a.request_id.as_deref(), Some(id.as_str()), "{method} {url}");
    }
    let prod = spawn_app_with(|c| c.production = true).await;
    let a = send(
        "GET",
        format!("{}/graphql", prod.base),
        &[("x-request-id", "graphiql-off")],
        None,
    )
    .await;
    assert_eq!(a.status, 404);
    assert_eq!(a.request_id.as_deref(), Some("graphiql-off"));
    assert_eq!(
        a.json()["errors"][0]["extensions"]["requestId"],
        "graphiql-off"
    );
}

#[actix_web::test]
async fn a_graphql_error_carries_the_request_id_the_user_can_quote() {
    let app = spawn_app().await;
    let missing = graphql(
        &app.base,
        &[("x-request-id", "quote-me-1")],
        "query($id:ID!){ institution(id:$id){ code } }",
        json!({ "id": uuid::Uuid::new_v4() }),
    )
    .await;
    let body = missing.json();
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "quote-me-1");

    // Parse errors and transport errors too, and a generated id is the header's.
    let broken = graphql(&app.base, &[], "{ regions { code ", json!({})).await;
    let body = broken.json();
    assert_eq!(code(&body), "GRAPHQL_PARSE_FAILED", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["requestId"].as_str(),
        broken.request_id.as_deref()
    );
    let wrong_type = send(
        "POST",
        format!("{}/graphql", app.base),
        &[
            ("content-type", "text/plain"),
            ("x-request-id", "quote-me-2"),
        ],
        None,
    )
    .await;
    assert_eq!(wrong_type.status, 415);
    let body = wrong_type.json();
    assert_eq!(code(&body), "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "quote-me-2");
}

#[actix_web::test]
async fn metrics_count_an_operation_just_run_by_its_name_and_type() {
    let app = spawn_app().await;
    let labels = [("operation", "ObservedRegions"), ("type", "query")];
    let before = sample(
        &scrape(&app.base).await,
        "sanal_graphql_operations_total",
        &labels,
    );
    for _ in 0..3 {
        let a = graphql(
            &app.base,
            &[],
            "query ObservedRegions { regions { code } }",
            json!({}),
        )
        .await;
        assert!(a.json().get("errors").is_none(), "{}", a.body);
    }
    let text = scrape(&app.base).await;
    let after = sample(&text, "sanal_graphql_operations_total", &labels);
    assert!(after >= before + 3.0, "{before} -> {after}");
    assert!(
        sample(
            &text,
            "sanal_graphql_operation_duration_seconds_count",
            &labels
        ) >= 3.0,
        "{text}"
    );
    assert!(text.contains("# TYPE sanal_graphql_operation_duration_seconds histogram"));
    // Unnamed operations share one label.
    let anonymous = [("operation", "anonymous"), ("type", "query")];
    let before = sample(&text, "sanal_graphql_operations_total", &anonymous);
    graphql(&app.base, &[], "{ regions { code } }", json!({})).await;
    let after = sample(
        &scrape(&app.base).await,
        "sanal_graphql_operations_total",
        &anonymous,
    );
    assert!(after >= before + 1.0, "{before} -> {after}");
    // And the HTTP layer counted the requests by route and status.
    assert!(
        sample(
            &text,
            "sanal_http_requests_total",
            &[("method", "POST"), ("route", "/graphql"), ("status", "200")]
        ) >= 3.0,
        "{text}"
    );
}

#[actix_web::test]
async fn metrics_count_errors_by_their_code_after_a_failing_operation() {
    let app = spawn_app().await;
    let labels = [("code", "NOT_FOUND")];
    let before = sample(
        &scrape(&app.base).await,
        "sanal_graphql_errors_total",
        &labels,
    );
    for _ in 0..2 {
        let a = graphql(
            &app.base,
            &[],
            "query MissingInstitution($id:ID!){ institution(id:$id){ code } }",
            json!({ "id": uuid::Uuid::new_v4() }),
        )
        .await;
        assert_eq!(code(&a.json()), "NOT_FOUND");
    }
    let after = sample(
        &scrape(&app.base).await,
        "sanal_graphql_errors_total",
        &labels,
    );
    assert!(after >= before + 2.0, "{before} -> {after}");
}

#[actix_web::test]
async fn metrics_count_submissions_accepted_and_refused_by_code() {
    let w = SurveyWorld::new("FACES_3").await;
    let base = w.app.base.clone();
    let accepted = [("field", "submitResponse")];
    let refused = [("field", "submitResponse"), ("code", "ALREADY_RESPONDED")];
    let text = scrape(&base).await;
    let accepted_before = sample(&text, "sanal_submissions_accepted_total", &accepted);
    let refused_before = sample(&text, "sanal_submissions_refused_total", &refused);

    let token = w.invite("OBS-1").await;
    let r = w.submit(&token, faces(3), Some("x")).await;
    assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    let again = w.submit(&token, faces(1), Some("y")).await;
    assert_eq!(code(&again), "ALREADY_RESPONDED", "{again}");

    let text = scrape(&base).await;
    let accepted_after = sample(&text, "sanal_submissions_accepted_total", &accepted);
    let refused_after = sample(&text, "sanal_submissions_refused_total", &refused);
    assert!(
        accepted_after >= accepted_before + 1.0,
        "{accepted_before} -> {accepted_after}"
    );
    assert!(
        refused_after >= refused_before + 1.0,
        "{refused_before} -> {refused_after}"
    );
}

#[actix_web::test]
async fn metrics_report_the_database_pool_and_the_process_memory() {
    let app = spawn_app().await;
    let a = send("GET", format!("{}/metrics", app.base), &[], None).await;
    assert_eq!(a.status, 200);
    assert!(
        a.content_type.starts_with("text/plain"),
        "{}",
        a.content_type
    );
    let text = a.body;
    for state in ["in_use", "idle"] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("sanal_db_pool_connections{{state=\"{state}\"}} "))),
            "{text}"
        );
    }
    // The test apps have pools of 5; at least one connection stays open.
    assert_eq!(
        sample(&text, "sanal_db_pool_max_connections", &[]),
        5.0,
        "{text}"
    );
    let open = sample(&text, "sanal_db_pool_connections", &[]);
    assert!((1.0..=5.0).contains(&open), "{text}");
    if cfg!(target_os = "linux") {
        assert!(
            sample(&text, "process_resident_memory_bytes", &[]) > 1e6,
            "{text}"
        );
    }
}

#[actix_web::test]
async fn in_production_without_a_token_there_is_no_metrics_page() {
    let app = spawn_app_with(|c| c.production = true).await;
    let a = send("GET", format!("{}/metrics", app.base), &[], None).await;
    assert_eq!(a.status, 404);
    let a = send(
        "GET",
        format!("{}/metrics", app.base),
        &[("authorization", "Bearer anything-at-all-here")],
        None,
    )
    .await;
    assert_eq!(a.status, 404);
}

#[actix_web::test]
async fn in_production_with_a_token_only_the_scraper_holding_it_reads_the_metrics() {
    let app = spawn_app_with(|c| {
        c.production = true;
        c.metrics_token = Some(METRICS_TOKEN.into());
    })
    .await;
    let url = format!("{}/metrics", app.base);
    let none = send("GET", url.clone(), &[], None).await;
    assert_eq!(none.status, 401);
    let wrong = send(
        "GET",
        url.clone(),
        &[("authorization", "Bearer scraper-token-0123456780")],
        None,
    )
    .await;
    assert_eq!(wrong.status, 403);
    assert!(!wrong.body.contains("sanal_"), "{}", wrong.body);
    let right = send(
        "GET",
        url,
        &[("authorization", &format!("Bearer {METRICS_TOKEN}"))],
        None,
    )
    .await;
    assert_eq!(right.status, 200);
    assert!(right.content_type.starts_with("text/plain"));
    assert!(
        right
            .body
            .contains("# TYPE sanal_http_requests_total counter"),
        "{}",
        right.body
    );
}

#[actix_web::test]
async fn requests_at_the_same_time_each_quote_their_own_request_id() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let Auth::Bearer(t) = &admin else {
        unreachable!()
    };
    let bearer = format!("Bearer {t}");
    let q = "query($id:ID!){ institution(id:$id){ code } }";
    let left = [("x-request-id", "left"), ("authorization", bearer.as_str())];
    let right = [
        ("x-request-id", "right"),
        ("authorization", bearer.as_str()),
    ];
    let (a, b) = futures_util::join!(
        graphql(&app.base, &left, q, json!({ "id": uuid::Uuid::new_v4() })),
        graphql(&app.base, &right, q, json!({ "id": uuid::Uuid::new_v4() })),
    );
    assert_eq!(a.json()["errors"][0]["extensions"]["requestId"], "left");
    assert_eq!(b.json()["errors"][0]["extensions"]["requestId"], "right");
}

#[actix_web::test]
async fn made_up_http_methods_are_answered_with_the_id_and_counted_under_one_label() {
    let app = spawn_app().await;
    let a = send(
        "BREW",
        format!("{}/graphql", app.base),
        &[("x-request-id", "teapot")],
        None,
    )
    .await;
    assert_eq!(a.status, 405);
    assert_eq!(a.request_id.as_deref(), Some("teapot"));
    let text = scrape(&app.base).await;
    assert!(
        sample(
            &text,
            "sanal_http_requests_total",
            &[
                ("method", "OTHER"),
                ("route", "/graphql"),
                ("status", "405")
            ]
        ) >= 1.0,
        "{text}"
    );
    assert!(!text.contains("BREW"), "{text}");
}

/// The real binary on a fresh SQLite file in a directory of its own, with its
/// stdout read line by line.
struct Binary {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    dir: std::path::PathBuf,
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Binary {
    fn start(env: &[(&str, &str)]) -> Self {
        use std::io::BufRead;
        let dir =
            std::env::temp_dir().join(format!("sanal-logs-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sanal"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SANAL_BIND", "127.0.0.1:0")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}?mode=rwc", dir.join("sanal.db").display()),
            )
            .env("SANAL_DATA_DIR", &dir)
            .env("SANAL_WORKERS", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the sanal binary");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Binary { child, lines, dir }
    }

    /// The first line (within 60 s) that `pick` accepts.
    fn line<T>(&self, mut pick: impl FnMut(&str) -> Option<T>) -> T {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .expect("the expected log line");
            if let Some(t) = pick(&line) {
                return t;
            }
        }
    }
}

#[actix_web::test]
async fn json_logs_are_one_object_a_line_and_carry_the_request_id() {
    let bin = Binary::start(&[("SANAL_LOG_FORMAT", "json")]);
    let port = bin.line(|l| {
        let v: Value = serde_json::from_str(l).expect("every line is JSON");
        v["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Sanal is serving: POST http://"))
            .then(|| v["fields"]["port"].as_u64().unwrap())
    });
    let a = send(
        "GET",
        format!("http://127.0.0.1:{port}/health/live"),
        &[("x-request-id", "json-log-check")],
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    let access = bin.line(|l| {
        let v: Value = serde_json::from_str(l).expect("every line is JSON");
        (v["span"]["request_id"] == "json-log-check").then_some(v)
    });
    assert_eq!(access["target"], "sanal::access");
    assert_eq!(access["level"], "INFO");
    assert_eq!(access["span"]["path"], "/health/live");
    assert_eq!(access["span"]["status"], 200);
}

#[actix_web::test]
async fn plain_logs_keep_the_port_line_and_have_no_colours_in_a_pipe() {
    let bin = Binary::start(&[]);
    let (port, line) = bin.line(|l| {
        l.contains("Sanal is serving").then(|| {
            let port = l.split("port=").nth(1).unwrap().split(' ').next().unwrap();
            (port.parse::<u16>().unwrap(), l.to_owned())
        })
    });
    assert!(!line.contains('\u{1b}'), "{line:?}");
    send(
        "GET",
        format!("http://127.0.0.1:{port}/health/live"),
        &[("x-request-id", "plain-log-check")],
        None,
    )
    .await;
    let access = bin.line(|l| {
        l.contains("request_id=plain-log-check")
            .then(|| l.to_owned())
    });
    assert!(access.contains("sanal::access"), "{access}");
    assert!(access.contains("status=200"), "{access}");
    assert!(!access.contains('\u{1b}'), "{access:?}");
}
