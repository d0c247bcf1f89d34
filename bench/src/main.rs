//! `sanal-bench submit`: measures `submitResponse` over HTTP against the server
//! built in release mode, on SQLite (default) or PostgreSQL (`--db postgres://…`).
//!
//! It starts the server in this process on a free port, fills the demo catalogue,
//! issues invitations spread over every service and service point (as real
//! traffic is), then submits one response per invitation from N concurrent
//! clients and prints throughput and latency percentiles.
//!
//! In the same `submit` run, half of the invitations are answered over HTTP and the
//! other half straight through the service layer (no HTTP, no GraphQL), at the same
//! concurrency: the ceiling the HTTP path is compared to.
//!
//! `sanal-bench reports`: seeds a national-scale catalogue (200 services, 1,000
//! points) and N responses, then times `satisfactionReport` (institution ×
//! quarter, country × year) over HTTP beside a plain SQL GROUP BY over the raw
//! answers for the same scope.
//!
//! Run: `cargo run --release -p sanal-bench -- submit|reports [--n N] [--concurrency C] [--db URL]`

mod seed;

use futures_util::StreamExt;
use sanal::clock::SystemClock;
use sanal::config::Config;
use sanal::startup::Application;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: &str = "bench@sanal.mn";
const PASSWORD: &str = "bench password 2026";

struct Args {
    mode: String,
    n: usize,
    concurrency: usize,
    db: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        mode: String::new(),
        n: 5000,
        concurrency: 32,
        db: None,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    match v.first().map(String::as_str) {
        Some("submit" | "reports") => a.mode = v[0].clone(),
        _ => {
            return Err(
                "usage: sanal-bench submit|reports [--n N] [--concurrency C] [--db URL]".into(),
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
            _ => return Err(format!("unknown option {k}")),
        }
    }
    Ok(a)
}

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

#[actix_web::main]
async fn main() -> Result<(), String> {
    let a = args()?;
    let tmp = std::env::temp_dir().join(format!("sanal-bench-{}.db", std::process::id()));
    let url =
        a.db.clone()
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", tmp.display()));
    let mut config = Config::for_database(&url);
    config.admin_email = Some(ADMIN.into());
    config.admin_password = Some(PASSWORD.into());
    config.db_pool_size = 16;
    let app = Application::build(config, Arc::new(SystemClock))
        .await
        .map_err(|e| e.to_string())?;
    let state = app.state().clone();
    let c = Client {
        http: awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .finish(),
        url: format!("http://127.0.0.1:{}/graphql", app.port()),
    };
    actix_web::rt::spawn(app.run_until_stopped());
    if a.mode == "reports" {
        let r = reports(&state, &c, &a).await;
        cleanup(&tmp);
        return r;
    }
    sanal::services::demo::seed(&state, 0)
        .await
        .map_err(|e| e.public_message())?;

    let login = c
        .gql(
            None,
            "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }",
            json!({ "e": ADMIN, "p": PASSWORD }),
        )
        .await?;
    let bearer = format!(
        "Bearer {}",
        login["login"]["accessToken"].as_str().unwrap_or_default()
    );
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
    // Same run, same data: the second half goes straight through the service layer.
    let ceiling_tokens = tokens.split_off(tokens.len() / 2);

    {
        let start = Instant::now();
        let results: Vec<Result<Duration, String>> = futures_util::stream::iter(ceiling_tokens)
            .map(|(token, answers)| {
                let state = &state;
                async move {
                    let t0 = Instant::now();
                    let answers = answers
                        .as_array()
                        .map(|v| {
                            v.iter()
                                .map(|x| sanal::domain::survey::Answer {
                                    question_key: x["questionKey"]
                                        .as_str()
                                        .unwrap_or_default()
                                        .to_owned(),
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
                        .unwrap_or_default();
                    let input = sanal::services::responses::SubmitInput {
                        token,
                        answers,
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
                }
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
    }
    let start = Instant::now();
    let results: Vec<Result<Duration, String>> = futures_util::stream::iter(tokens)
        .map(|(token, answers)| {
            let c = &c;
            async move {
                let t0 = Instant::now();
                c.gql(None, "mutation($i:SubmitResponseInput!){ submitResponse(input:$i){ accepted } }",
                    json!({ "i": { "token": token, "answers": answers, "clientSubmissionId": "b" } }))
                    .await?;
                Ok(t0.elapsed())
            }
        })
        .buffer_unordered(a.concurrency)
        .collect()
        .await;
    report_latencies(
        "submitResponse over HTTP",
        results,
        start.elapsed().as_secs_f64(),
        a.concurrency,
    );
    cleanup(&tmp);
    std::process::exit(0);
}

fn cleanup(tmp: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    println!(
        "peak RSS of the process (server + load generator): {} MiB",
        peak_rss_mib()
    );
}

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

fn report_latencies(
    what: &str,
    results: Vec<Result<Duration, String>>,
    secs: f64,
    concurrency: usize,
) {
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

async fn reports(state: &sanal::state::AppState, c: &Client, a: &Args) -> Result<(), String> {
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
    let login = c
        .gql(
            None,
            "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }",
            json!({ "e": ADMIN, "p": PASSWORD }),
        )
        .await?;
    let bearer = format!(
        "Bearer {}",
        login["login"]["accessToken"].as_str().unwrap_or_default()
    );
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
        let (g50, _) = time_it(3, || async {
            conn.query_all_raw(Statement::from_string(backend, sql.clone()))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await?;
        println!(
            "satisfactionReport {label} ({} responses in scope): p50 {:.1} ms, p99 {:.1} ms over HTTP; raw GROUP BY p50 {:.1} ms; ratio GROUP BY / report = {:.0}×",
            responded,
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            g50.as_secs_f64() * 1e3,
            g50.as_secs_f64() / p50.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}
