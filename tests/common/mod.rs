//! Test helpers: spawn the app on port 0 with a fresh database (a SQLite temp file,
//! or a fresh PostgreSQL schema when `SANAL_TEST_DATABASE_URL` is set) and talk to
//! it over HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod binary;
pub mod fakes;

use chrono::{DateTime, Utc};
use sanal::clock::ManualClock;
use sanal::config::Config;
use sanal::startup::Application;
use serde_json::{Value, json};
use std::sync::Arc;

pub const ADMIN_EMAIL: &str = "admin@sanal.mn";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
pub const PASSWORD: &str = "Сайн байна уу 2026!";
pub const JWT_SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(String),
    Key(String),
}

pub struct TestApp {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub state: sanal::state::AppState,
    sqlite_file: Option<std::path::PathBuf>,
    /// The configuration it was started with (for a second instance).
    pub config: Config,
    /// Its PostgreSQL schema, if any.
    pub pg_schema: Option<String>,
    /// Whether this app made its schema (and drops it when the test ends).
    owns_schema: bool,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(f) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
            }
        }
        if self.owns_schema
            && let Some(schema) = self.pg_schema.take()
        {
            drop_schema(schema);
        }
    }
}

/// A schema made for an app that has not started yet.
struct SchemaGuard(Option<String>);

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        if let Some(schema) = self.0.take() {
            drop_schema(schema);
        }
    }
}

/// Drops a test's PostgreSQL schema when the test ends, passed or failed (Drop
/// runs while a failing test unwinds). On a thread and runtime of its own: the
/// test's runtime may be shutting down.
fn drop_schema(schema: String) {
    let Ok(url) = std::env::var("SANAL_TEST_DATABASE_URL") else {
        return;
    };
    let done = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for dropping the schema");
        rt.block_on(async {
            use sea_orm::ConnectionTrait;
            // One connection, so the statements below share their session.
            let mut opts = sea_orm::ConnectOptions::new(url.as_str());
            opts.max_connections(1).sqlx_logging(false);
            let conn = sea_orm::Database::connect(opts).await?;
            // The app is done: end its connections (one may be inside a transaction
            // of a background job whose runtime no longer runs), then drop.
            let r = conn
                .execute_unprepared(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE application_name = 'sanal/{schema}' AND pid <> pg_backend_pid(); \
                     SET lock_timeout = '20s'; \
                     DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                ))
                .await;
            conn.close().await.ok();
            r.map(|_| ())
        })
        .map_err(|e| format!("{schema}: {e}"))
    })
    .join();
    match done {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("could not drop the test schema {e}"),
        Err(_) => eprintln!("dropping a test schema panicked"),
    }
}

pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (url, schema, sqlite_file) = match std::env::var("SANAL_TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let schema = format!("t_{id}");
            let admin = sea_orm::Database::connect(url.as_str())
                .await
                .expect("connect to PostgreSQL");
            sea_orm::ConnectionTrait::execute_unprepared(
                &admin,
                &format!("CREATE SCHEMA \"{schema}\""),
            )
            .await
            .expect("create schema");
            admin.close().await.ok();
            (url, Some(schema), None)
        }
        _ => {
            let path = std::env::temp_dir().join(format!("sanal-test-{id}.db"));
            (
                format!("sqlite://{}?mode=rwc", path.display()),
                None,
                Some(path),
            )
        }
    };
    let mut config = Config::for_database(&url);
    config.jwt_secret = JWT_SECRET.to_vec();
    config.admin_email = Some(ADMIN_EMAIL.into());
    config.admin_password = Some(ADMIN_PASSWORD.into());
    config.db_pool_size = 5;
    config.workers = Some(2);
    tweak(&mut config);
    let clock = Arc::new(ManualClock::new(start_time()));
    // Dropped with the schema should the app not start.
    let guard = SchemaGuard(schema.clone());
    let mut app = start(config, clock, schema).await;
    std::mem::forget(guard);
    app.sqlite_file = sqlite_file;
    app.owns_schema = app.pg_schema.is_some();
    app
}

/// An app on a database of the test's own (e.g. a private PostgreSQL instance or a
/// SQLite file on a small file system), with the usual test settings.
pub async fn spawn_app_on(url: &str, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::for_database(url);
    config.jwt_secret = JWT_SECRET.to_vec();
    config.admin_email = Some(ADMIN_EMAIL.into());
    config.admin_password = Some(ADMIN_PASSWORD.into());
    config.db_pool_size = 5;
    config.workers = Some(2);
    tweak(&mut config);
    start(config, Arc::new(ManualClock::new(start_time())), None).await
}

async fn start(config: Config, clock: Arc<ManualClock>, schema: Option<String>) -> TestApp {
    let app = Application::build_in_schema(config.clone(), clock.clone(), schema.as_deref())
        .await
        .expect("app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        base,
        clock,
        state,
        sqlite_file: None,
        config,
        pg_schema: schema,
        owns_schema: false,
    }
}

impl TestApp {
    /// The SQLite file the app runs on (none on PostgreSQL).
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        self.sqlite_file.as_deref()
    }

    /// A second server instance on the same database and clock, with its own
    /// settings (the first instance keeps the database file).
    pub async fn another_instance(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.config.clone();
        config.admin_email = None;
        config.admin_password = None;
        tweak(&mut config);
        start(config, self.clock.clone(), self.pg_schema.clone()).await
    }
}

fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .finish()
}

impl TestApp {
    /// Sends a raw POST /graphql and returns (status, JSON body).
    pub async fn post_raw(&self, auth: &Auth, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        self.post_raw_with(auth, content_type, body, &[]).await
    }

    /// Like [`Self::post_raw`], with extra headers.
    pub async fn post_raw_with(
        &self,
        auth: &Auth,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = client()
            .post(format!("{}/graphql", self.base))
            .insert_header(("content-type", content_type));
        for (k, v) in headers {
            req = req.append_header((*k, *v));
        }
        match auth {
            Auth::None => {}
            Auth::Bearer(t) => req = req.insert_header(("authorization", format!("Bearer {t}"))),
            Auth::Key(k) => req = req.insert_header(("x-api-key", k.clone())),
        }
        let mut resp = req.send_body(body).await.expect("request sent");
        let status = resp.status().as_u16();
        let bytes = resp.body().limit(16 * 1024 * 1024).await.expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Runs a GraphQL operation and returns the whole response body.
    pub async fn gql(&self, auth: &Auth, query: &str, variables: Value) -> Value {
        let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap();
        self.post_raw(auth, "application/json", body).await.1
    }

    /// Runs a GraphQL operation with extra headers (e.g. `X-Forwarded-For`).
    pub async fn gql_with(
        &self,
        auth: &Auth,
        query: &str,
        variables: Value,
        headers: &[(&str, &str)],
    ) -> Value {
        let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap();
        self.post_raw_with(auth, "application/json", body, headers)
            .await
            .1
    }

    /// Runs an operation that must succeed; returns `data`.
    pub async fn ok(&self, auth: &Auth, query: &str, variables: Value) -> Value {
        let r = self.gql(auth, query, variables).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r}");
        r["data"].clone()
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let mut resp = client()
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("sent");
        let status = resp.status().as_u16();
        let body = resp.body().limit(4 * 1024 * 1024).await.expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        self.gql(
            &Auth::None,
            "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken refreshToken accessTokenExpiresAt user { id email } } }",
            json!({ "e": email, "p": password }),
        )
        .await
    }

    pub async fn token(&self, email: &str, password: &str) -> Auth {
        let r = self.login(email, password).await;
        let t = r["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {r}"));
        Auth::Bearer(t.to_owned())
    }

    pub async fn admin(&self) -> Auth {
        self.token(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    pub async fn create_institution(
        &self,
        admin: &Auth,
        code: &str,
        parent: Option<&str>,
    ) -> String {
        let d = self
            .ok(
                admin,
                "mutation($i:CreateInstitutionInput!){ createInstitution(input:$i){ id } }",
                json!({ "i": { "code": code, "kind": if parent.is_some() { "AGENCY" } else { "MINISTRY" },
                    "parentId": parent, "name": { "mn": format!("{code} яам"), "en": format!("{code} ministry") } } }),
            )
            .await;
        d["createInstitution"]["id"].as_str().unwrap().to_owned()
    }

    /// Creates a user with one role (institution optional) and returns their token.
    pub async fn user_with_role(
        &self,
        admin: &Auth,
        email: &str,
        role: &str,
        institution: Option<&str>,
    ) -> Auth {
        self.ok(
            admin,
            "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
            json!({ "i": { "email": email, "displayName": email, "password": PASSWORD,
                "assignments": [{ "role": role, "institutionId": institution }] } }),
        )
        .await;
        self.token(email, PASSWORD).await
    }

    pub async fn create_service(&self, auth: &Auth, institution: &str, code: &str) -> Value {
        self.gql(
            auth,
            "mutation($i:CreateServiceInput!){ createService(input:$i){ id code institutionId } }",
            json!({ "i": { "institutionId": institution, "code": code, "channels": ["ONLINE", "IN_PERSON"],
                "name": { "mn": format!("{code} үйлчилгээ"), "en": format!("{code} service") } } }),
        )
        .await
    }
}

/// The `extensions.code` of the first error.
pub fn code(resp: &Value) -> &str {
    resp["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no error>")
}

/// A ready setting for survey tests: a ministry with an agency, a manager, a
/// service with a point, a template survey published and assigned, an API key.
pub struct SurveyWorld {
    pub app: TestApp,
    pub admin: Auth,
    pub manager: Auth,
    pub ministry: String,
    pub agency: String,
    pub service: String,
    pub point: String,
    pub survey: String,
    pub version: String,
    pub key: Auth,
}

pub const ISSUE: &str = "mutation($i:IssueInvitationInput!){ issueInvitation(input:$i){ invited token code link expiresAt } }";
pub const SUBMIT: &str =
    "mutation($i:SubmitResponseInput!){ submitResponse(input:$i){ accepted thankYou } }";

impl SurveyWorld {
    pub async fn new(template: &str) -> Self {
        Self::with(template, |_| {}).await
    }

    pub async fn with(template: &str, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::in_app(spawn_app_with(tweak).await, template).await
    }

    /// The world built in a given app.
    pub async fn in_app(app: TestApp, template: &str) -> Self {
        let admin = app.admin().await;
        let ministry = app.create_institution(&admin, "MOJ", None).await;
        let agency = app
            .create_institution(&admin, "GASR", Some(&ministry))
            .await;
        let manager = app
            .user_with_role(
                &admin,
                "manager@moj.gov.mn",
                "INSTITUTION_MANAGER",
                Some(&ministry),
            )
            .await;
        let s = app.create_service(&manager, &agency, "PROPERTY").await;
        let service = s["data"]["createService"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let p = app
            .ok(&manager, "mutation($i:CreateServicePointInput!){ createServicePoint(input:$i){ id } }",
                json!({ "i": { "institutionId": agency, "code": "BZD", "kind": "BRANCH", "regionCode": "MN-1-04", "name": { "mn": "Баянзүрх салбар" } } }))
            .await;
        let point = p["createServicePoint"]["id"].as_str().unwrap().to_owned();
        let d = app
            .ok(&manager, &format!("mutation($i:ID!){{ createSurveyFromTemplate(institutionId:$i, template:{template}){{ id }} }}"), json!({ "i": ministry }))
            .await;
        let survey = d["createSurveyFromTemplate"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let v = app
            .ok(
                &manager,
                "mutation($id:ID!){ publishSurvey(id:$id){ id } }",
                json!({ "id": survey }),
            )
            .await;
        let version = v["publishSurvey"]["id"].as_str().unwrap().to_owned();
        app.ok(&manager, "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v){ surveyVersionId } }", json!({ "s": service, "v": version }))
            .await;
        // A national platform's key (e-Mongolia): it receives citizens' links.
        let k = app
            .ok(
                &admin,
                "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key } }",
                json!({ "i": { "institutionId": agency, "name": "e-Mongolia", "kind": "NATIONAL_PLATFORM" } }),
            )
            .await;
        let key = Auth::Key(k["createApiKey"]["key"].as_str().unwrap().to_owned());
        SurveyWorld {
            app,
            admin,
            manager,
            ministry,
            agency,
            service,
            point,
            survey,
            version,
            key,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        use sanal::clock::Clock;
        self.app.clock.now()
    }

    pub fn issue_vars(&self, tref: &str) -> Value {
        json!({ "i": { "serviceId": self.service, "servicePointId": self.point, "channel": "IN_PERSON",
            "transactionRef": tref, "deliveredAt": (self.now() - chrono::Duration::minutes(3)).to_rfc3339(), "locale": "mn" } })
    }

    /// Enables the world's open channel (its point and service); returns the poster code.
    pub async fn open_channel(&self) -> String {
        let d = self
            .app
            .ok(
                &self.manager,
                "mutation($p:ID!,$s:ID!){ enableOpenChannel(servicePointId:$p, serviceId:$s){ code } }",
                json!({ "p": self.point, "s": self.service }),
            )
            .await;
        d["enableOpenChannel"]["code"].as_str().unwrap().to_owned()
    }

    /// Issues an invitation and returns its token.
    pub async fn invite(&self, tref: &str) -> String {
        let d = self.app.ok(&self.key, ISSUE, self.issue_vars(tref)).await;
        assert_eq!(d["issueInvitation"]["invited"], true, "{d}");
        d["issueInvitation"]["token"].as_str().unwrap().to_owned()
    }

    pub async fn submit(&self, token: &str, answers: Value, csid: Option<&str>) -> Value {
        self.app
            .gql(&Auth::None, SUBMIT, json!({ "i": { "token": token, "answers": answers, "clientSubmissionId": csid, "locale": "en" } }))
            .await
    }

    /// Counts stored responses (through the database: no API may list them for everyone).
    pub async fn stored_responses(&self) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let conn = self.app.state.db.conn();
        let row = conn
            .query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                "SELECT COUNT(*) AS n FROM responses",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

/// A complete FACES_3 answer.
pub fn faces(value: i32) -> Value {
    json!([{ "questionKey": "overall", "value": value }, { "questionKey": "comment", "text": "Хурдан үйлчилсэн" }])
}

/// The nine SKM answers, in the template's order.
pub fn skm_answers(values: [i32; 9]) -> Value {
    let keys = [
        "skm_requirements",
        "skm_procedure",
        "skm_time",
        "skm_cost",
        "skm_product",
        "skm_competence",
        "skm_behaviour",
        "skm_complaints",
        "skm_facilities",
    ];
    json!(
        keys.iter()
            .zip(values)
            .map(|(k, v)| json!({ "questionKey": k, "value": v }))
            .collect::<Vec<_>>()
    )
}

/// GET `path` on the app without following redirects: status, headers (lower-case
/// names) and body.
pub async fn get_raw(app: &TestApp, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut resp = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .disable_redirects()
        .finish()
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = resp.body().limit(16 * 1024 * 1024).await.expect("body");
    (status, headers, body.to_vec())
}

/// One header of [`get_raw`]'s answer ("" when absent).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Closes November 2026 (as a supervisor): the period the survey worlds answer in.
pub const CLOSE: &str = "mutation{ closePeriod(kind: MONTH, start: \"2026-11-01\"){ created regenerated revised unchanged } }";

/// Creates a supervisor and an agency staff member (while tokens are valid).
pub async fn people(w: &SurveyWorld) {
    w.app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    w.app
        .user_with_role(
            &w.admin,
            "s@gasr.gov.mn",
            "INSTITUTION_STAFF",
            Some(&w.agency),
        )
        .await;
}

/// Moves time to when November's responses are complete; returns fresh tokens
/// (supervisor, manager, staff).
pub async fn after_november(w: &SurveyWorld) -> (Auth, Auth, Auth) {
    use chrono::TimeZone;
    move_to(w, Utc.with_ymd_and_hms(2026, 12, 10, 0, 0, 0).unwrap()).await
}

/// Moves time to `t`; returns fresh tokens (supervisor, manager, staff).
pub async fn move_to(w: &SurveyWorld, t: DateTime<Utc>) -> (Auth, Auth, Auth) {
    w.app.clock.set(t);
    (
        w.app.token("sup@aogs.gov.mn", PASSWORD).await,
        w.app.token("manager@moj.gov.mn", PASSWORD).await,
        w.app.token("s@gasr.gov.mn", PASSWORD).await,
    )
}

/// Publishes a conclusion (as a supervisor).
pub async fn publish(w: &SurveyWorld, sup: &Auth, id: &Value) {
    w.app
        .ok(
            sup,
            "mutation($id:ID!){ publishConclusion(id:$id){ id } }",
            json!({ "id": id }),
        )
        .await;
}

/// Another ministry (MOF) with a manager, `m@mof.gov.mn` (while tokens are valid);
/// returns the ministry's id.
pub async fn another_ministry(w: &SurveyWorld) -> String {
    let other = w.app.create_institution(&w.admin, "MOF", None).await;
    w.app
        .user_with_role(
            &w.admin,
            "m@mof.gov.mn",
            "INSTITUTION_MANAGER",
            Some(&other),
        )
        .await;
    other
}

/// The national indicator framework's id (the same in every database).
pub const NATIONAL_FRAMEWORK: &str = "53414e41-4c00-4000-9000-000000000002";

/// Closes 2026-Q4 on 1 February 2027 (as a supervisor, see [`people`]), publishes
/// its institution conclusions (which makes the quarter's draft scorecards) and,
/// with `scorecards`, publishes those under the national framework. Returns a
/// fresh supervisor token.
pub async fn publish_quarter(w: &SurveyWorld, scorecards: bool) -> Auth {
    use chrono::TimeZone;
    let (sup, _, _) = move_to(w, Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap()).await;
    w.app
        .ok(
            &sup,
            "mutation{ closePeriod(kind: QUARTER, start: \"2026-10-01\"){ created } }",
            json!({}),
        )
        .await;
    let list = w
        .app
        .ok(
            &sup,
            "query{ conclusions(filter:{scope: INSTITUTION, periodKind: QUARTER, periodStart: \"2026-10-01\"}){ edges { node { id } } } }",
            json!({}),
        )
        .await;
    for e in list["conclusions"]["edges"].as_array().unwrap() {
        publish(w, &sup, &e["node"]["id"]).await;
    }
    if scorecards {
        w.app
            .ok(
                &sup,
                "mutation($f:ID!){ publishScorecards(kind: QUARTER, start: \"2026-10-01\", frameworkId: $f){ id } }",
                json!({ "f": NATIONAL_FRAMEWORK }),
            )
            .await;
    }
    sup
}
