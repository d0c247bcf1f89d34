//! `sanal-bench submit`: measures `submitResponse` over HTTP against the server
//! built in release mode, on SQLite (default) or PostgreSQL (`--db postgres://…`).
//!
//! It starts the server in this process on a free port, fills the demo catalogue,
//! issues invitations spread over every service and service point (as real
//! traffic is), then submits one response per invitation from N concurrent
//! clients and prints throughput and latency percentiles.
//!
//! Run: `cargo run --release -p sanal-bench -- submit --n 5000 --concurrency 32 [--db URL]`

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
    n: usize,
    concurrency: usize,
    db: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        n: 5000,
        concurrency: 32,
        db: None,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    if v.first().map(String::as_str) != Some("submit") {
        return Err("usage: sanal-bench submit [--n N] [--concurrency C] [--db URL]".into());
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
            json!({ "i": { "institutionId": roots[0], "name": "bench", "alsoCovers": roots[1..] } }),
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
    let tokens: Vec<(String, Value)> = issued.into_iter().collect::<Result<_, _>>()?;
    println!(
        "issueInvitation: {} in {:.2} s = {:.0}/s",
        tokens.len(),
        issue_secs,
        tokens.len() as f64 / issue_secs
    );

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
    let secs = start.elapsed().as_secs_f64();
    let errors = results.iter().filter(|r| r.is_err()).count();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        eprintln!("first error: {e}");
    }
    let mut lat: Vec<Duration> = results.into_iter().filter_map(Result::ok).collect();
    lat.sort();
    println!(
        "submitResponse: {} ok, {} errors in {:.2} s = {:.0}/s at {} concurrent; p50 {:.1} ms, p99 {:.1} ms",
        lat.len(),
        errors,
        secs,
        lat.len() as f64 / secs,
        a.concurrency,
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    std::process::exit(0);
}
