//! `sanal-bench submit`: measures `submitResponse` over HTTP against the `sanal`
//! binary built in release mode, on SQLite (default) or PostgreSQL (`--db postgres://…`).
//!
//! The server runs in a **process of its own** (the `sanal` binary next to this
//! one, or `--server PATH`); this process is the load generator. Before starting
//! the server, this process migrates the database and fills the demo catalogue;
//! then it issues invitations over HTTP spread over every service and service
//! point (as real traffic is), and answers them in four parts of the same run:
//! 1. the ceiling: straight through the service layer in this process (no HTTP,
//!    no GraphQL), at the same concurrency, the server idle;
//! 2. the maximum: `submitResponse` over HTTP, N concurrent clients, closed loop;
//! 3. paced at 70% of that maximum (open loop): the latency a steady load sees;
//! 4. a burst over 256 concurrent connections: the server's memory under it.
//!
//! It prints each rate with p50/p99, the server's cold start to ready (database
//! already migrated), its resident memory idle and at peak, and this process's.
//!
//! `sanal-bench reads`: the citizen's first screen, `invitation(token)` and
//! `openSurvey(pointCode)`, `--n` requests each from `--concurrency` connections.
//!
//! `sanal-bench reports`: seeds a national-scale catalogue (200 services, 1,000
//! points) and N responses, then times `satisfactionReport` (institution ×
//! quarter, country × year) over HTTP beside a plain SQL GROUP BY over the raw
//! answers for the same scope.
//!
//! `sanal-bench open-data`: the same catalogue and N responses, every period
//! closed and its conclusions published, then each open-data file downloaded
//! while the server's resident memory is sampled every 2 ms: memory must not
//! grow with the number of rows (the smallest dataset is the baseline).
//!
//! Build both binaries, then run:
//! `cargo build --release --workspace && target/release/sanal-bench submit|reports|reads|open-data [--n N] [--concurrency C] [--db URL] [--server PATH]`

mod seed;

use futures_util::StreamExt;
use sanal::clock::SystemClock;
use sanal::config::Config;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: &str = "load.generator@sanal.mn";
const PASSWORD: &str = "bench password 2026";

struct Args {
    mode: String,
    n: usize,
    concurrency: usize,
    db: Option<String>,
    server: Option<std::path::PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        mode: String::new(),
        n: 5000,
        concurrency: 32,
        db: None,
        server: None,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    match v.first().map(String::as_str) {
        Some("submit" | "reports" | "reads" | "open-data") => a.mode = v[0].clone(),
        _ => {
            return Err(
                "usage: sanal-bench submit|reports|reads|open-data [--n N] [--concurrency C] [--db URL] [--server PATH]"
                    .into(),
            );
        }
    }
    let mut it = v.iter().skip(1);
    while let Some(k) = it.next() {
        let val = it.next().ok_or(format!("{k} needs a value"))?;
        match k.as_str() {
            "--n" => a.n = val.parse().map_err(|_| "--n: number")?,
            "--concurrency" => a.concurrency = val.parse().map_err(|_| "--concurrency: number")?,
            "--db" => a.db = Some(val.clone()),
            "--server" => a.server = Some(val.into()),
            _ => return Err(format!("unknown option {k}")),
        }
    }
    Ok(a)
}

#[derive(Clone)]
struct Client {
    http: awc::Client,
    url: String,
}

impl Client {
    async fn gql(
        &self,
        auth: Option<(&str, &str)>,
        query: &str,
        vars: Value,
    ) -> Result<Value, String> {
        let mut req = self
            .http
            .post(&self.url)
            .insert_header(("content-type", "application/json"));
        if let Some(h) = auth {
            req = req.insert_header(h);
        }
        let mut resp = req
            .send_body(json!({ "query": query, "variables": vars }).to_string())
            .await
            .map_err(|e| e.to_string())?;
        let body = resp
            .body()
            .limit(8 << 20)
            .await
            .map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if v.get("errors").is_some() {
            return Err(v.to_string());
        }
        Ok(v["data"].clone())
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Valid answers for a survey's questions (required ones, first branch).
fn answers_for(questions: &[Value]) -> Value {
    let mut out = vec![];
    for q in questions {
        if !q["showIf"].is_null() || q["required"] != true {
            continue;
        }
        match q["type"].as_str().unwrap_or_default() {
            "RATING" | "NPS" | "FACES" | "THUMBS" => {
                out.push(json!({ "questionKey": q["key"], "value": q["max"] }))
            }
            "SINGLE_CHOICE" | "MULTI_CHOICE" => {
                out.push(json!({ "questionKey": q["key"], "choices": [q["options"][0]["key"]] }))
            }
            _ => out.push(json!({ "questionKey": q["key"], "text": "ok" })),
        }
    }
    json!(out)
}

/// The `sanal` binary, started in a process of its own on the bench's database.
struct Server {
    child: std::process::Child,
    base: String,
    /// Spawn to `/health/ready` answering 200.
    cold_start: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(a: &Args, url: &str) -> Result<Self, String> {
        let path = match &a.server {
            Some(p) => p.clone(),
            None => std::env::current_exe()
                .map_err(|e| e.to_string())?
                .with_file_name("sanal"),
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let t0 = Instant::now();
        let child = std::process::Command::new(&path)
            .env("DATABASE_URL", url)
            .env("SANAL_BIND", format!("127.0.0.1:{port}"))
            .env(
                "SANAL_JWT_SECRET",
                "bench-secret-bench-secret-bench-secret!",
            )
            .env("SANAL_DB_POOL_SIZE", "16")
            .env("SANAL_WORKERS", "2")
            .env("SANAL_MAX_OPERATIONS_IN_FLIGHT", "1024")
            .env("SANAL_DATA_DIR", std::env::temp_dir())
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "{}: {e} (build it: cargo build --release --workspace)",
                    path.display()
                )
            })?;
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            cold_start: Duration::ZERO,
        };
        let http = awc::Client::default();
        loop {
            let ready = http
                .get(format!("{}/health/ready", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().as_u16() == 200);
            if ready {
                break;
            }
            if t0.elapsed() > Duration::from_secs(60) {
                return Err("the server did not become ready in 60 s".into());
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("the server exited: {status}"));
            }
            actix_web::rt::time::sleep(Duration::from_millis(2)).await;
        }
        server.cold_start = t0.elapsed();
        Ok(server)
    }

    /// The writer's groups so far, from the server's `/metrics`.
    async fn group_stats(&self) {
        let body = match awc::Client::default()
            .get(format!("{}/metrics", self.base))
            .send()
            .await
        {
            Ok(mut r) => r.body().limit(8 << 20).await.unwrap_or_default(),
            Err(_) => return,
        };
        let text = String::from_utf8_lossy(&body);
        let value = |name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().last()?.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let groups = value("sanal_submit_group_size_count");
        println!(
            "server's writer: {groups:.0} groups, {:.1} submissions and {:.1} ms each on average",
            value("sanal_submit_group_size_sum") / groups.max(1.0),
            value("sanal_submit_group_duration_seconds_sum") * 1e3 / groups.max(1.0)
        );
    }

    /// (current, peak) resident memory of the server process, MiB.
    fn rss_mib(&self) -> (u64, u64) {
        rss_of(&format!("/proc/{}/status", self.child.id()))
    }
}

/// (VmRSS, VmHWM) of a process's status file, MiB.
fn rss_of(status: &str) -> (u64, u64) {
    let s = std::fs::read_to_string(status).unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn http_client(connections: usize) -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(120))
        .connector(awc::Connector::new().limit(connections))
        .finish()
}

#[actix_web::main]
async fn main() -> Result<(), String> {
    let a = args()?;
    let tmp = std::env::temp_dir().join(format!("sanal-bench-{}.db", std::process::id()));
    let url =
        a.db.clone()
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", tmp.display()));
    println!(
        "machine: {} cores; load generator (this process) and server (its own process) share them",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    // This process migrates and seeds; the server it then starts finds the
    // database ready, as after any deployment.
    let mut config = Config::for_database(&url);
    config.admin_email = Some(ADMIN.into());
    config.admin_password = Some(PASSWORD.into());
    config.db_pool_size = 16;
    let state = sanal::startup::prepare(config, Arc::new(SystemClock), None)
        .await
        .map_err(|e| e.to_string())?;
    let r = match a.mode.as_str() {
        "reports" => reports(&state, &a, &url).await,
        "reads" => reads(&state, &a, &url).await,
        "open-data" => open_data(&state, &a, &url).await,
        _ => submit(&state, &a, &url).await,
    };
    cleanup(&tmp);
    r?;
    std::process::exit(0);
}

async fn submit(state: &sanal::state::AppState, a: &Args, url: &str) -> Result<(), String> {
    sanal::services::demo::seed(state, 0)
        .await
        .map_err(|e| e.public_message())?;
    let server = Server::start(a, url).await?;
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    let (idle, _) = server.rss_mib();
    println!(
        "server: cold start to ready {:.0} ms (database migrated); resident {idle} MiB idle",
        server.cold_start.as_secs_f64() * 1e3
    );
    let c = Client {
        http: http_client(512),
        url: format!("{}/graphql", server.base),
    };
    let (_, key, targets) = setup(&c).await?;
    println!("catalogue: {} service × point pairs", targets.len());

    let now = chrono::Utc::now();
    let issue_start = Instant::now();
    let issued: Vec<Result<(String, Value), String>> = futures_util::stream::iter(0..a.n)
        .map(|i| {
            let (s, p, ans) = targets[i % targets.len()].clone();
            let (c, key) = (&c, &key);
            async move {
                let d = c
                    .gql(Some(("x-api-key", key)), "mutation($i:IssueInvitationInput!){ issueInvitation(input:$i){ token } }",
                        json!({ "i": { "serviceId": s, "servicePointId": p, "channel": "IN_PERSON", "transactionRef": format!("B-{i}"), "deliveredAt": now.to_rfc3339() } }))
                    .await?;
                Ok((d["issueInvitation"]["token"].as_str().unwrap_or_default().to_owned(), ans))
            }
        })
        .buffer_unordered(a.concurrency)
        .collect()
        .await;
    let issue_secs = issue_start.elapsed().as_secs_f64();
    let mut tokens: Vec<(String, Value)> = issued.into_iter().collect::<Result<_, _>>()?;
    println!(
        "issueInvitation: {} in {:.2} s = {:.0}/s",
        tokens.len(),
        issue_secs,
        tokens.len() as f64 / issue_secs
    );
    // Same run, same data, four parts.
    let quarter = tokens.len() / 4;
    let burst = tokens.split_off(3 * quarter);
    let paced = tokens.split_off(2 * quarter);
    let ceiling_tokens = tokens.split_off(quarter);

    let start = Instant::now();
    let results: Vec<Result<Duration, String>> = futures_util::stream::iter(ceiling_tokens)
        .map(|(token, answers)| async move {
            let t0 = Instant::now();
            let input = sanal::services::responses::SubmitInput {
                token,
                answers: domain_answers(&answers),
                locale: None,
                client_submission_id: Some("b".into()),
                follow_up: None,
            };
            sanal::services::responses::submit_response(
                state,
                &sanal::auth::Actor::anonymous(Some("bench".into())),
                input,
            )
            .await
            .map_err(|e| e.public_message())?;
            Ok(t0.elapsed())
        })
        .buffer_unordered(a.concurrency)
        .collect()
        .await;
    report_latencies(
        "ceiling: the same submissions through the service layer (no HTTP, no GraphQL)",
        results,
        start.elapsed().as_secs_f64(),
        a.concurrency,
    );

    let submit = |c: &Client, token: String, answers: Value| {
        let c = c.clone();
        async move {
            let t0 = Instant::now();
            c.gql(
                None,
                "mutation($i:SubmitResponseInput!){ submitResponse(input:$i){ accepted } }",
                json!({ "i": { "token": token, "answers": answers, "clientSubmissionId": "b" } }),
            )
            .await?;
            Ok(t0.elapsed())
        }
    };
    let start = Instant::now();
    let results: Vec<Result<Duration, String>> = futures_util::stream::iter(tokens)
        .map(|(t, ans)| submit(&c, t, ans))
        .buffer_unordered(a.concurrency)
        .collect()
        .await;
    let max_rate = report_latencies(
        "submitResponse over HTTP (maximum, closed loop)",
        results,
        start.elapsed().as_secs_f64(),
        a.concurrency,
    );

    // Open loop at 70% of the maximum: each request leaves at its own time.
    let rate = (0.7 * max_rate).max(1.0);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let t_start = actix_web::rt::time::Instant::now();
    let results: Vec<Result<Duration, String>> =
        futures_util::stream::iter(paced.into_iter().enumerate())
            .map(|(k, (t, ans))| {
                let go = t_start + interval * k as u32;
                let fut = submit(&c, t, ans);
                async move {
                    actix_web::rt::time::sleep_until(go).await;
                    fut.await
                }
            })
            .buffer_unordered(4096)
            .collect()
            .await;
    report_latencies(
        &format!("submitResponse over HTTP paced at 70% of the maximum ({rate:.0}/s)"),
        results,
        start.elapsed().as_secs_f64(),
        0,
    );

    let start = Instant::now();
    let results: Vec<Result<Duration, String>> = futures_util::stream::iter(burst)
        .map(|(t, ans)| submit(&c, t, ans))
        .buffer_unordered(256)
        .collect()
        .await;
    report_latencies(
        "submitResponse over HTTP, 256 concurrent connections",
        results,
        start.elapsed().as_secs_f64(),
        256,
    );
    server.group_stats().await;
    let (now_rss, peak) = server.rss_mib();
    println!(
        "server resident memory: {idle} MiB idle after start, {now_rss} MiB after the run, peak {peak} MiB"
    );
    Ok(())
}

/// Signs in as the administrator: the `authorization` header value.
async fn admin_bearer(c: &Client) -> Result<String, String> {
    let login = c
        .gql(
            None,
            "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }",
            json!({ "e": ADMIN, "p": PASSWORD }),
        )
        .await?;
    Ok(format!(
        "Bearer {}",
        login["login"]["accessToken"].as_str().unwrap_or_default()
    ))
}

/// Signs in as the administrator, makes a national-platform API key covering
/// every ministry, and lists (service, point, valid answers) for every service
/// with every point of its agency.
async fn setup(c: &Client) -> Result<(String, String, Vec<(Value, Value, Value)>), String> {
    let bearer = admin_bearer(c).await?;
    let cat = c
        .gql(
            Some(("authorization", &bearer)),
            "{ services(first:100){ edges { node { id institutionId surveyAssignments { surveyVersionId } } } } servicePoints(first:100){ edges { node { id institutionId institution { parentId } } } } institutions(first:100, filter:{topLevelOnly:true}){ edges { node { id } } } }",
            json!({}),
        )
        .await?;
    let roots: Vec<String> = cat["institutions"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let key = c
        .gql(
            Some(("authorization", &bearer)),
            "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key } }",
            json!({ "i": { "institutionId": roots[0], "name": "bench", "kind": "NATIONAL_PLATFORM", "alsoCovers": roots[1..] } }),
        )
        .await?;
    let key = key["createApiKey"]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // (service, point, answers): every service with every point of its agency.
    let mut targets = vec![];
    for s in cat["services"]["edges"].as_array().into_iter().flatten() {
        let s = &s["node"];
        let v = s["surveyAssignments"][0]["surveyVersionId"].clone();
        let qs = c.gql(Some(("authorization", &bearer)), "query($v:ID!){ surveyVersion(id:$v){ questions { key type required min max showIf { questionKey } options { key } } } }", json!({ "v": v })).await?;
        let answers = answers_for(
            qs["surveyVersion"]["questions"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
        );
        for p in cat["servicePoints"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let p = &p["node"];
            if p["institutionId"] == s["institutionId"]
                || p["institution"]["parentId"] == s["institutionId"]
            {
                targets.push((s["id"].clone(), p["id"].clone(), answers.clone()));
            }
        }
    }
    Ok((bearer, key, targets))
}

/// The bench's JSON answers as the service layer takes them.
fn domain_answers(answers: &Value) -> Vec<sanal::domain::survey::Answer> {
    answers
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| sanal::domain::survey::Answer {
                    question_key: x["questionKey"].as_str().unwrap_or_default().to_owned(),
                    value: x["value"].as_i64().map(|v| v as i32),
                    choices: x["choices"]
                        .as_array()
                        .map(|c| {
                            c.iter()
                                .filter_map(|k| k.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                    text: x["text"].as_str().map(str::to_owned),
                    not_applicable: false,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn cleanup(tmp: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    println!(
        "peak resident memory of the load generator (this process): {} MiB",
        rss_of("/proc/self/status").1
    );
}

fn report_latencies(
    what: &str,
    results: Vec<Result<Duration, String>>,
    secs: f64,
    concurrency: usize,
) -> f64 {
    let errors = results.iter().filter(|r| r.is_err()).count();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        eprintln!("first error: {e}");
    }
    let mut lat: Vec<Duration> = results.into_iter().filter_map(Result::ok).collect();
    lat.sort();
    println!(
        "{what}: {} ok, {} errors in {:.2} s = {:.0}/s at {} concurrent; p50 {:.1} ms, p99 {:.1} ms",
        lat.len(),
        errors,
        secs,
        lat.len() as f64 / secs,
        concurrency,
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3
    );
    lat.len() as f64 / secs
}

async fn time_it<F, Fut>(reps: usize, mut f: F) -> Result<(Duration, Duration), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let mut lat = vec![];
    for _ in 0..reps {
        let t0 = Instant::now();
        f().await?;
        lat.push(t0.elapsed());
    }
    lat.sort();
    Ok((percentile(&lat, 0.5), percentile(&lat, 0.99)))
}

async fn reports(state: &sanal::state::AppState, a: &Args, url: &str) -> Result<(), String> {
    use sea_orm::{ConnectionTrait, Statement};
    let t0 = Instant::now();
    let targets = seed::catalogue(state, 20, 10, 5).await?;
    println!(
        "catalogue: {} services, {} service points in {:.1} s",
        targets.len(),
        targets.len() * 5,
        t0.elapsed().as_secs_f64()
    );
    seed::responses(state, &targets, a.n).await?;
    println!(
        "database size after seeding: {:.2} GiB",
        seed::size_bytes(state).await? as f64 / (1u64 << 30) as f64
    );
    // Statistics for the planner, as autovacuum (PostgreSQL) or `ANALYZE` after a
    // bulk load would have gathered them: without them PostgreSQL guesses a
    // handful of rollup rows and sorts instead of hashing. On PostgreSQL also
    // VACUUM, which autovacuum would otherwise start on the freshly loaded tables
    // in the middle of the timed reports.
    let t1 = Instant::now();
    let conn = state.db.conn();
    let maintenance = match conn.get_database_backend() {
        sea_orm::DbBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    conn.execute_unprepared(maintenance)
        .await
        .map_err(|e| e.to_string())?;
    println!("{maintenance} in {:.1} s", t1.elapsed().as_secs_f64());
    // Close the seeded periods here, as a deployed server already has: otherwise the
    // server's catch-up at start would share the cores with the timed reports.
    let t1 = Instant::now();
    let run = sanal::services::jobs::run_hourly(state)
        .await
        .map_err(|e| e.public_message())?;
    println!(
        "periods closed before the server starts: {:?} in {:.1} s",
        run.map(|r| r.closing),
        t1.elapsed().as_secs_f64()
    );
    let server = Server::start(a, url).await?;
    println!(
        "server: cold start to ready {:.0} ms",
        server.cold_start.as_secs_f64() * 1e3
    );
    let c = &Client {
        http: http_client(64),
        url: format!("{}/graphql", server.base),
    };
    let bearer = admin_bearer(c).await?;
    let today = chrono::Utc::now()
        .with_timezone(&state.config.timezone)
        .date_naive();
    let quarter = sanal::domain::period::Period::containing(
        sanal::domain::period::PeriodKind::Quarter,
        today - chrono::Duration::days(92),
    )
    .map_err(|e| e.to_string())?;
    let year = sanal::domain::period::Period::containing(
        sanal::domain::period::PeriodKind::Year,
        today - chrono::Duration::days(365),
    )
    .map_err(|e| e.to_string())?;
    let ministry = targets[0].ministry;
    let q = "query($s:ReportScopeInput!,$p:PeriodInput!){ satisfactionReport(scope:$s, period:$p){ counts { responded invited } skm { index } questions { questionKey figures { origin n mean topBox { value low high } } } drivers { driver figures { n topBox { value } } } } }";
    let conn = state.db.conn();
    let backend = conn.get_database_backend();
    for (label, scope, period, filter) in [
        (
            "institution × quarter",
            json!({ "kind": "INSTITUTION", "id": ministry }),
            quarter,
            format!(
                "AND r.institution_id IN (SELECT descendant_id FROM institution_closure WHERE ancestor_id = '{ministry}')"
            ),
        ),
        (
            "country × year",
            json!({ "kind": "COUNTRY" }),
            year,
            String::new(),
        ),
    ] {
        let vars = json!({ "s": scope, "p": { "kind": if label.starts_with("country") { "YEAR" } else { "QUARTER" }, "start": period.start.to_string() } });
        let first = c
            .gql(Some(("authorization", &bearer)), q, vars.clone())
            .await?;
        let responded = first["satisfactionReport"]["counts"]["responded"].clone();
        // The ceiling: the same report straight through the service layer, in this
        // process (no HTTP, no GraphQL), the server idle.
        let service_scope = if label.starts_with("country") {
            sanal::services::reports::ReportScope::Country
        } else {
            sanal::services::reports::ReportScope::Institution {
                id: ministry,
                include_sub_institutions: true,
            }
        };
        let actor = sanal::auth::actor::Actor::system("bench");
        let (s50, _) = time_it(30, || async {
            sanal::services::reports::satisfaction_report(
                state,
                &actor,
                service_scope.clone(),
                period,
            )
            .await
            .map(|_| ())
            .map_err(|e| e.public_message())
        })
        .await?;
        let (p50, p99) = time_it(30, || async {
            c.gql(Some(("authorization", &bearer)), q, vars.clone())
                .await
                .map(|_| ())
        })
        .await?;
        // The same pooled counts by a plain GROUP BY over raw answers.
        let filter = if backend == sea_orm::DbBackend::Sqlite {
            // SQLite stores UUIDs as blobs: compare through the closure table by join instead.
            if filter.is_empty() {
                String::new()
            } else {
                "AND r.institution_id IN (SELECT descendant_id FROM institution_closure WHERE ancestor_id = (SELECT id FROM institutions WHERE code = 'M00'))".to_string()
            }
        } else {
            filter
        };
        let sql = format!(
            "SELECT a.question_key, a.value, COUNT(*) AS n FROM response_answers a JOIN responses r ON r.id = a.response_id              WHERE r.response_date >= '{}' AND r.response_date <= '{}' {filter} GROUP BY a.question_key, a.value",
            period.start, period.end
        );
        // At 10 M responses one pass over the raw answers takes minutes.
        let reps = if a.n > 2_000_000 { 1 } else { 3 };
        let (g50, _) = time_it(reps, || async {
            conn.query_all_raw(Statement::from_string(backend, sql.clone()))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await?;
        println!(
            "satisfactionReport {label} ({} responses in scope): p50 {:.1} ms, p99 {:.1} ms over HTTP; ceiling (service layer) p50 {:.1} ms; raw GROUP BY p50 {:.1} ms; ratio GROUP BY / report = {:.0}×",
            responded,
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            s50.as_secs_f64() * 1e3,
            g50.as_secs_f64() * 1e3,
            g50.as_secs_f64() / p50.as_secs_f64().max(1e-9)
        );
    }
    println!("server resident memory: peak {} MiB", server.rss_mib().1);
    Ok(())
}

/// The citizen's first screen: `invitation(token)` and `openSurvey(pointCode)`,
/// `--n` requests each from `--concurrency` connections, over tokens of every
/// service × point pair and the posters of the first points.
async fn reads(state: &sanal::state::AppState, a: &Args, url: &str) -> Result<(), String> {
    sanal::services::demo::seed(state, 0)
        .await
        .map_err(|e| e.public_message())?;
    let server = Server::start(a, url).await?;
    let c = Client {
        http: http_client(a.concurrency.max(1)),
        url: format!("{}/graphql", server.base),
    };
    let (bearer, key, targets) = setup(&c).await?;
    let now = chrono::Utc::now();
    let mut tokens = vec![];
    for (i, (s, p, _)) in targets.iter().enumerate() {
        let d = c
            .gql(Some(("x-api-key", &key)), "mutation($i:IssueInvitationInput!){ issueInvitation(input:$i){ token } }",
                json!({ "i": { "serviceId": s, "servicePointId": p, "channel": "IN_PERSON", "transactionRef": format!("R-{i}"), "deliveredAt": now.to_rfc3339() } }))
            .await?;
        tokens.push(
            d["issueInvitation"]["token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let mut codes = vec![];
    for (s, p, _) in targets.iter().take(5) {
        let d = c
            .gql(
                Some(("authorization", &bearer)),
                "mutation($s:ID!,$p:ID!){ enableOpenChannel(serviceId:$s, servicePointId:$p){ code } }",
                json!({ "s": s, "p": p }),
            )
            .await?;
        codes.push(
            d["enableOpenChannel"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let (_, before) = server.rss_mib();
    for (label, query, values, var) in [
        (
            "invitation(token)",
            "query($v:String!){ invitation(token:$v){ status title serviceName institutionName questions { key type text } } }",
            &tokens,
            "v",
        ),
        (
            "openSurvey(pointCode)",
            "query($v:String!){ openSurvey(pointCode:$v){ title serviceName questions { key type text } } }",
            &codes,
            "v",
        ),
    ] {
        let start = Instant::now();
        let results: Vec<Result<Duration, String>> = futures_util::stream::iter(0..a.n)
            .map(|i| {
                let c = &c;
                let v = values[i % values.len()].clone();
                async move {
                    let t0 = Instant::now();
                    c.gql(None, query, json!({ var: v })).await?;
                    Ok(t0.elapsed())
                }
            })
            .buffer_unordered(a.concurrency)
            .collect()
            .await;
        report_latencies(label, results, start.elapsed().as_secs_f64(), a.concurrency);
    }
    let (now_rss, peak) = server.rss_mib();
    println!(
        "server resident memory: {before} MiB before the reads, {now_rss} MiB after, peak {peak} MiB"
    );
    Ok(())
}

/// Chooses the public view of every closed period again (what each closing does
/// last; nothing changes, so this is the computation and its reads), timed per
/// period, and counts the cells withheld beyond each conclusion's own small ones.
async fn public_views(state: &sanal::state::AppState) -> Result<(), String> {
    use entity::conclusion;
    use sanal::domain::period::PeriodKind;
    use sea_orm::{EntityTrait, QuerySelect};
    let rows: Vec<(String, chrono::NaiveDate, Option<serde_json::Value>)> =
        conclusion::Entity::find()
            .select_only()
            .columns([
                conclusion::Column::PeriodKind,
                conclusion::Column::PeriodStart,
                conclusion::Column::PublicWithheld,
            ])
            .into_tuple()
            .all(state.db.conn())
            .await
            .map_err(|e| e.to_string())?;
    let cells: usize = rows
        .iter()
        .filter_map(|(_, _, v)| v.as_ref()?.as_array().map(Vec::len))
        .sum();
    let with_cells = rows
        .iter()
        .filter(|(_, _, v)| {
            v.as_ref()
                .and_then(|v| v.as_array())
                .is_some_and(|a| !a.is_empty())
        })
        .count();
    let mut periods: Vec<(String, chrono::NaiveDate)> =
        rows.into_iter().map(|(k, s, _)| (k, s)).collect();
    periods.sort();
    periods.dedup();
    let (mut total, mut slowest) = (Duration::ZERO, (Duration::ZERO, String::new()));
    for (kind, start) in &periods {
        let k = PeriodKind::parse(kind).ok_or("unknown period kind")?;
        let t = Instant::now();
        sanal::services::conclusions::choose_public_view(state, k, *start)
            .await
            .map_err(|e| e.public_message())?;
        let took = t.elapsed();
        total += took;
        if took > slowest.0 {
            slowest = (took, format!("{kind} {start}"));
        }
    }
    println!(
        "public views of {} periods chosen again in {:.2} s (slowest {} in {:.0} ms); \
         {with_cells} conclusions withhold {cells} cells beyond their own small ones",
        periods.len(),
        total.as_secs_f64(),
        slowest.1,
        slowest.0.as_secs_f64() * 1e3
    );
    Ok(())
}

/// Seeds, closes every period and publishes every conclusion, then downloads each
/// open-data file from the server in its own process, sampling its memory.
async fn open_data(state: &sanal::state::AppState, a: &Args, url: &str) -> Result<(), String> {
    use sea_orm::ConnectionTrait;
    let targets = seed::catalogue(state, 20, 10, 5).await?;
    seed::responses(state, &targets, a.n).await?;
    let conn = state.db.conn();
    conn.execute_unprepared("ANALYZE")
        .await
        .map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    sanal::services::jobs::run_hourly(state)
        .await
        .map_err(|e| e.public_message())?;
    // Every conclusion published, as after a year and a half of supervisors' work
    // (directly: publishing one by one through the service is not what is measured).
    let published = conn
        .execute_unprepared(
            "UPDATE conclusions SET status = 'PUBLISHED', published_at = CURRENT_TIMESTAMP",
        )
        .await
        .map_err(|e| e.to_string())?
        .rows_affected();
    println!(
        "{published} conclusions closed and published in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    public_views(state).await?;
    let server = Server::start(a, url).await?;
    let http = http_client(4);
    let files = [
        "ngo_evaluations.csv",
        "satisfaction.csv",
        "satisfaction.json",
        "scorecards.csv",
        "suggestion_statistics.csv",
    ];
    // One request first, so that the idle figure includes a warmed-up server.
    let _ = http
        .get(format!("{}/open-data/ngo_evaluations.csv", server.base))
        .send()
        .await;
    let (idle, _) = server.rss_mib();
    println!("server idle after one request: {idle} MiB resident");
    println!("| file | rows | MiB | seconds | server peak resident MiB | above idle |");
    println!("|---|---|---|---|---|---|");
    let status = format!("/proc/{}/status", server.child.id());
    for file in files {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampler = {
            let (done, status) = (done.clone(), status.clone());
            std::thread::spawn(move || {
                let mut peak = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    peak = peak.max(rss_of(&status).0);
                    std::thread::sleep(Duration::from_millis(2));
                }
                peak
            })
        };
        let t = Instant::now();
        let mut resp = http
            .get(format!("{}/open-data/{file}", server.base))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let (mut bytes, mut lines) = (0usize, 0usize);
        while let Some(chunk) = resp.next().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let secs = t.elapsed().as_secs_f64();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let peak = sampler.join().unwrap_or(0);
        let rows = if file.ends_with(".csv") {
            lines.saturating_sub(1).to_string()
        } else {
            "(one line)".into()
        };
        println!(
            "| {file} | {rows} | {:.1} | {secs:.2} | {peak} | {} |",
            bytes as f64 / (1u64 << 20) as f64,
            peak.saturating_sub(idle)
        );
    }
    Ok(())
}
