//! The real `sanal` binary, in production mode, in a process of its own: the
//! attacks that used to abort it or grow it to 1.26 GB are thrown at it in
//! parallel, and afterwards it is still serving and its peak resident memory
//! (`VmHWM`) is small. On SQLite, or on a fresh PostgreSQL database when
//! `SANAL_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::binary::{Scratch, free_port, sanal, scratch};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, code};
use serde_json::{Value, json};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Peak resident memory allowed after the attacks.
const MAX_PEAK_MIB: u64 = 200;

struct Server {
    child: Child,
    base: String,
    _scratch: Scratch,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let scratch = scratch();
    let port = free_port();
    let child = sanal(&scratch)
        .env("SANAL_BIND", format!("127.0.0.1:{port}"))
        .env("SANAL_PRODUCTION", "true")
        .env(
            "SANAL_JWT_SECRET",
            "0123456789abcdef0123456789abcdef-process-test",
        )
        .env("SANAL_PUBLIC_BASE_URL", "https://survey.example.mn/s/")
        .env(
            "SANAL_PUBLIC_POSTER_BASE_URL",
            "https://survey.example.mn/p/",
        )
        .env("SANAL_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("SANAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("SANAL_WORKERS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the sanal binary");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _scratch: scratch,
    }
}

impl Server {
    fn peak_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            / 1024
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(120))
        .finish()
}

async fn post(base: &str, token: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut req = client()
        .post(format!("{base}/graphql"))
        .insert_header(("content-type", "application/json"));
    if let Some(t) = token {
        req = req.insert_header(("authorization", format!("Bearer {t}")));
    }
    match req.send_body(body).await {
        Ok(mut r) => {
            let status = r.status().as_u16();
            let b = r.body().limit(16 << 20).await.unwrap_or_default();
            (status, serde_json::from_slice(&b).unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

async fn gql(base: &str, token: Option<&str>, q: &str, vars: Value) -> Value {
    post(
        base,
        token,
        serde_json::to_vec(&json!({ "query": q, "variables": vars })).unwrap(),
    )
    .await
    .1
}

async fn login(base: &str, email: &str, password: &str) -> String {
    let r = gql(
        base,
        None,
        "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }",
        json!({ "e": email, "p": password }),
    )
    .await;
    r["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned()
}

#[actix_web::test]
async fn the_binary_in_production_survives_the_attacks_and_stays_small() {
    let mut server = start();
    let base = server.base.clone();
    let started = Instant::now();
    loop {
        let ok = client()
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status().as_u16() == 200);
        if ok {
            break;
        }
        assert!(server.alive(), "the server exited at start");
        assert!(started.elapsed() < Duration::from_secs(60), "not ready");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let admin = login(&base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let inst = gql(
        &base,
        Some(&admin),
        "mutation{ createInstitution(input:{code:\"MOJ\", kind: MINISTRY, name:{mn:\"Хууль зүйн яам\"}}){ id } }",
        json!({}),
    )
    .await["data"]["createInstitution"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    gql(
        &base,
        Some(&admin),
        "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
        json!({ "i": { "email": "staff@moj.gov.mn", "displayName": "Staff", "password": PASSWORD,
            "assignments": [{ "role": "INSTITUTION_STAFF", "institutionId": inst }] } }),
    )
    .await;
    let staff = login(&base, "staff@moj.gov.mn", PASSWORD).await;

    let deep_list = format!(
        "{{ institution(id: {}\"x\"{}) {{ id }} }}",
        "[".repeat(1_550),
        "]".repeat(1_550)
    );
    let deep_object = format!(
        "{{ institutions(filter: {}1{}) {{ edges {{ cursor }} }} }}",
        "{t:".repeat(1_250),
        "}".repeat(1_250)
    );
    let series = (0..100)
        .map(|i| format!("s{i}: reportSeries(scope:{{kind: INSTITUTION, id:\"{inst}\"}}, kind: MONTH, from:\"2017-01-01\", to:\"2026-12-01\"){{ periodLabel counts {{ invited }} }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let reports = (0..1_000)
        .map(|i| format!("r{i}: satisfactionReport(scope:$s, period:$p){{ ...F }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let reports = format!(
        "query($s:ReportScopeInput!,$p:PeriodInput!){{ {reports} }} fragment F on SatisfactionReport {{ counts {{ invited }} }}"
    );
    let report_vars = json!({ "s": { "kind": "INSTITUTION", "id": inst }, "p": { "kind": "QUARTER", "start": "2026-10-01" } });

    let mut attacks = vec![];
    for _ in 0..10 {
        attacks.push((None, deep_list.clone(), json!({})));
        attacks.push((None, deep_object.clone(), json!({})));
    }
    for _ in 0..4 {
        attacks.push((Some(staff.clone()), format!("{{ {series} }}"), json!({})));
        attacks.push((Some(staff.clone()), reports.clone(), report_vars.clone()));
    }
    for _ in 0..20 {
        attacks.push((
            None,
            "{ regions { code name { mn en } } }".to_owned(),
            json!({}),
        ));
    }
    let results = futures_util::future::join_all(attacks.iter().map(|(t, q, v)| {
        let base = base.clone();
        async move {
            let body = serde_json::to_vec(&json!({ "query": q, "variables": v })).unwrap();
            post(&base, t.as_deref(), body).await
        }
    }))
    .await;
    for ((status, r), (_, q, _)) in results.iter().zip(&attacks) {
        assert!(*status != 0 && *status < 500, "{status} for {:.80}", q);
        if !q.starts_with("{ regions") {
            assert_eq!(code(r), "QUERY_LIMIT_EXCEEDED", "{:.80}: {r}", q);
        }
    }
    assert!(server.alive(), "the server died");
    let (status, _) = post(
        &base,
        None,
        serde_json::to_vec(&json!({ "query": "{ regions { code } }" })).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let peak = server.peak_mib();
    eprintln!(
        "peak resident memory after {} attack requests: {peak} MiB",
        attacks.len()
    );
    assert!(peak <= MAX_PEAK_MIB, "peak {peak} MiB > {MAX_PEAK_MIB} MiB");
}

/// Submissions acknowledged by the binary before it is killed with SIGKILL are all
/// stored, and nothing is stored by halves: every used invitation has its response.
/// The survey and invitations are made in-process on the same database; the
/// binary (with its group writer) takes the answers and is killed mid-stream.
#[actix_web::test]
async fn killed_with_sigkill_under_load_the_binary_loses_no_acknowledged_submission() {
    use common::{SurveyWorld, faces, spawn_app_on};
    use sea_orm::{ConnectionTrait, Statement};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    let scratch = scratch();
    let w = SurveyWorld::in_app(spawn_app_on(&scratch.database_url, |_| {}).await, "FACES_3").await;
    let mut tokens = vec![];
    for i in 0..300 {
        tokens.push(w.invite(&format!("KILL-{i}")).await);
    }
    let port = free_port();
    let mut child = sanal(&scratch)
        .env("SANAL_BIND", format!("127.0.0.1:{port}"))
        .env("SANAL_WORKERS", "2")
        .env(
            "SANAL_JWT_SECRET",
            "0123456789abcdef0123456789abcdef-kill-test",
        )
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the sanal binary");
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while !client()
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .is_ok_and(|r| r.status().as_u16() == 200)
    {
        assert!(started.elapsed() < Duration::from_secs(60), "not ready");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let acked = Mutex::new(Vec::<String>::new());
    let killed = AtomicBool::new(false);
    let next = Mutex::new(tokens.iter());
    let worker = || async {
        loop {
            let Some(t) = next.lock().unwrap().next().cloned() else {
                return;
            };
            if killed.load(Ordering::SeqCst) {
                return;
            }
            let r = gql(
                &base,
                None,
                common::SUBMIT,
                json!({ "i": { "token": t, "answers": faces(2) } }),
            )
            .await;
            if r["data"]["submitResponse"]["accepted"] == true {
                acked.lock().unwrap().push(t);
            }
        }
    };
    let killer = async {
        while acked.lock().unwrap().len() < 100 {
            actix_web::rt::time::sleep(Duration::from_millis(2)).await;
        }
        child.kill().expect("SIGKILL");
        killed.store(true, Ordering::SeqCst);
        let _ = child.wait();
    };
    futures_util::future::join(
        futures_util::future::join_all((0..16).map(|_| worker())),
        killer,
    )
    .await;
    let acked = acked.into_inner().unwrap();
    let conn = w.app.state.db.conn();
    let count = |sql: String| async move {
        conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap()
    };
    let hashes = acked
        .iter()
        .map(|t| format!("'{}'", sanal::auth::secrets::sha256_hex(t)))
        .collect::<Vec<_>>()
        .join(",");
    let used_acked = count(format!(
        "SELECT COUNT(*) AS n FROM invitations WHERE used_at IS NOT NULL AND token_hash IN ({hashes})"
    ))
    .await;
    let used =
        count("SELECT COUNT(*) AS n FROM invitations WHERE used_at IS NOT NULL".into()).await;
    let responses = count("SELECT COUNT(*) AS n FROM responses".into()).await;
    eprintln!(
        "acknowledged before SIGKILL: {}; stored: {responses} responses for {used} used invitations",
        acked.len()
    );
    assert!(acked.len() >= 100);
    assert_eq!(
        used_acked,
        acked.len() as i64,
        "an acknowledged submission was lost"
    );
    assert_eq!(used, responses, "a response stored by halves");
}
