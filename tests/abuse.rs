//! What an anonymous (or careless) client can send, and what it gets back: a coded
//! error every time — never a 5xx, an `INTERNAL`, a hang or a dead server.
//!
//! - transport: batches, bodies over the limit (also chunked), wrong content types,
//!   GET with a mutation, introspection and GraphiQL in production;
//! - documents: 1,000 aliases, deep selections, fragment cycles, 100 directives;
//! - inputs: every argument and input field of every root field, read from the
//!   schema itself, given an oversized string, a long list, control characters and
//!   the extremes of its number type (see `every_input_of_every_root_field…`).
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

fn assert_coded(r: &Value, what: &str) {
    let errors = r["errors"].as_array();
    assert!(
        errors.is_some_and(|e| !e.is_empty()),
        "{what}: expected an error, got {r}"
    );
    for e in errors.into_iter().flatten() {
        let c = e["extensions"]["code"].as_str().unwrap_or("<none>");
        assert!(c != "<none>" && c != "INTERNAL", "{what}: {e}");
    }
}

// Transport.

#[actix_web::test]
async fn transport_abuse_is_answered_with_codes_and_4xx() {
    let app = spawn_app().await;
    let q = |s: &str| serde_json::to_vec(&json!({ "query": s })).unwrap();
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "batch",
            "application/json",
            serde_json::to_vec(&vec![json!({ "query": "{ regions { code } }" }); 50]).unwrap(),
            400,
            "BATCH_NOT_SUPPORTED",
        ),
        (
            "empty batch",
            "application/json",
            b"[]".to_vec(),
            400,
            "BATCH_NOT_SUPPORTED",
        ),
        (
            "over the limit",
            "application/json",
            vec![b' '; 65 * 1024],
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            "form",
            "application/x-www-form-urlencoded",
            b"query=%7Bregions%7Bcode%7D%7D".to_vec(),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "graphql body",
            "application/graphql",
            b"{ regions { code } }".to_vec(),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "multipart",
            "multipart/form-data; boundary=x",
            b"--x--".to_vec(),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "not json",
            "application/json",
            b"\xff\xfe{".to_vec(),
            400,
            "BAD_REQUEST",
        ),
        (
            "a number",
            "application/json",
            b"42".to_vec(),
            400,
            "BAD_REQUEST",
        ),
        (
            "no query",
            "application/json",
            b"{\"variables\":{}}".to_vec(),
            200,
            "GRAPHQL_PARSE_FAILED",
        ),
        (
            "query not a string",
            "application/json",
            b"{\"query\":{\"a\":1}}".to_vec(),
            400,
            "BAD_REQUEST",
        ),
        (
            "variables not an object",
            "application/json",
            b"{\"query\":\"{ regions { code } }\",\"variables\":[1]}".to_vec(),
            400,
            "BAD_REQUEST",
        ),
        (
            "empty query",
            "application/json",
            q(""),
            200,
            "GRAPHQL_PARSE_FAILED",
        ),
    ];
    for (what, ct, body, status, expected) in cases {
        let (s, r) = app.post_raw(&Auth::None, ct, body).await;
        assert_eq!((s, code(&r)), (status, expected), "{what}: {r}");
    }
}

#[actix_web::test]
async fn a_chunked_body_over_the_limit_is_refused_while_reading() {
    use futures_util::stream;
    let app = spawn_app().await;
    let chunk = web_bytes(vec![b' '; 8 * 1024]);
    let chunks = stream::iter((0..20).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    let mut resp = awc::Client::new()
        .post(format!("{}/graphql", app.base))
        .insert_header(("content-type", "application/json"))
        .send_stream(chunks)
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let body: Value = serde_json::from_slice(&resp.body().await.unwrap()).unwrap();
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE");
}

fn web_bytes(v: Vec<u8>) -> actix_web::web::Bytes {
    actix_web::web::Bytes::from(v)
}

#[actix_web::test]
async fn get_never_executes_and_production_hides_graphiql_and_the_schema() {
    let dev = spawn_app().await;
    let (status, body) = dev
        .get("/graphql?query=mutation%7Blogout%7D&operationName=x")
        .await;
    assert_eq!(status, 200);
    assert!(!body.contains("\"data\""));
    for method in ["PUT", "DELETE", "PATCH"] {
        let mut r = awc::Client::new()
            .request(method.parse().unwrap(), format!("{}/graphql", dev.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 405, "{method}");
        let b: Value = serde_json::from_slice(&r.body().await.unwrap()).unwrap();
        assert_eq!(code(&b), "METHOD_NOT_ALLOWED");
    }
    let prod = spawn_app_with(|c| c.production = true).await;
    let (status, body) = prod.get("/graphql").await;
    assert_eq!(status, 404);
    assert!(!body.to_lowercase().contains("graphiql.min.js"));
    for q in [
        "{ __schema { types { name } } }",
        "{ __type(name: \"QueryRoot\") { fields { name } } }",
    ] {
        let r = prod.gql(&Auth::None, q, json!({})).await;
        assert!(
            r["data"].is_null() || r["data"]["__schema"].is_null() && r["data"]["__type"].is_null(),
            "{r}"
        );
    }
}

// Documents.

#[actix_web::test]
async fn costly_shapes_of_documents_are_refused_with_codes() {
    let app = spawn_app().await;
    let thousand = (0..1_000)
        .map(|i| format!("a{i}: regions {{ code name {{ mn }} }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut deep = String::from("id");
    for _ in 0..30 {
        deep = format!("parent {{ {deep} }}");
    }
    let directives = "@include(if: true) ".repeat(100);
    let cases = [
        ("1,000 aliases", format!("{{ {thousand} }}"), "QUERY_LIMIT_EXCEEDED"),
        ("deep selection", format!("{{ institutions {{ edges {{ node {{ {deep} }} }} }} }}"), "QUERY_LIMIT_EXCEEDED"),
        ("fragment cycle", "query { regions { ...A } } fragment A on Region { ...B } fragment B on Region { ...A }".into(), "QUERY_LIMIT_EXCEEDED"),
        ("self-spread", "query { regions { ...A } } fragment A on Region { code ...A }".into(), "QUERY_LIMIT_EXCEEDED"),
        ("100 directives", format!("{{ regions {directives} {{ code }} }}"), "QUERY_LIMIT_EXCEEDED"),
        ("unknown directive", "{ regions @nope { code } }".into(), "GRAPHQL_VALIDATION_FAILED"),
        ("two anonymous operations", "{ regions { code } } { me { id } }".into(), "GRAPHQL_PARSE_FAILED"),
        ("subscription", "subscription { regions { code } }".into(), "GRAPHQL_VALIDATION_FAILED"),
        ("unknown operation name", "query A { regions { code } }".into(), "<named>"),
    ];
    for (what, doc, expected) in cases {
        let body = if expected == "<named>" {
            json!({ "query": doc, "operationName": "B" })
        } else {
            json!({ "query": doc })
        };
        let (status, r) = app
            .post_raw(
                &Auth::None,
                "application/json",
                serde_json::to_vec(&body).unwrap(),
            )
            .await;
        assert!(status < 500, "{what}: {status}");
        assert_coded(&r, what);
        if expected != "<named>" {
            assert_eq!(code(&r), expected, "{what}: {r}");
        }
    }
}

// Inputs: every argument and input field of every root field.

/// The schema as introspection tells it: named types by name.
struct Schema {
    types: HashMap<String, Value>,
    query: Vec<Value>,
    mutation: Vec<Value>,
}

const INTROSPECT: &str = "{ __schema { queryType { name } mutationType { name } types { name kind enumValues { name } inputFields { name type { ...T } } fields { name type { ...T } args { name type { ...T } } } } } } fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

async fn schema(app: &TestApp) -> Schema {
    let d = app.ok(&Auth::None, INTROSPECT, json!({})).await;
    let types: HashMap<String, Value> = d["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    let fields = |root: &str| types[root]["fields"].as_array().unwrap().clone();
    let q = d["__schema"]["queryType"]["name"].as_str().unwrap();
    let m = d["__schema"]["mutationType"]["name"].as_str().unwrap();
    Schema {
        query: fields(q),
        mutation: fields(m),
        types,
    }
}

/// A type reference as (named type, required, list).
fn unwrap_type(t: &Value) -> (String, bool, bool) {
    let mut t = t;
    let mut required = false;
    let mut list = false;
    loop {
        match t["kind"].as_str().unwrap() {
            "NON_NULL" => {
                if !list {
                    required = true;
                }
            }
            "LIST" => list = true,
            _ => return (t["name"].as_str().unwrap().to_owned(), required, list),
        }
        t = &t["ofType"];
    }
}

/// GraphQL type syntax of a reference, for variable definitions.
fn type_syntax(t: &Value) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_syntax(&t["ofType"])),
        "LIST" => format!("[{}]", type_syntax(&t["ofType"])),
        _ => t["name"].as_str().unwrap().to_owned(),
    }
}

/// Real objects of the world, for ids by argument name.
struct Ids(HashMap<&'static str, String>);

impl Ids {
    fn for_arg(&self, field: &str, arg: &str) -> String {
        let key = match (field, arg) {
            (_, "institutionId" | "parentId") => "institution",
            (_, "serviceId") => "service",
            (_, "servicePointId") => "point",
            (_, "surveyId") => "survey",
            (_, "surveyVersionId") => "version",
            (_, "conclusionId") => "missing",
            (f, "id") if f.contains("Institution") || f == "institution" => "institution",
            (f, "id") if f.contains("ServicePoint") || f == "servicePoint" => "point",
            (f, "id") if f.contains("Service") || f == "service" => "service",
            (f, "id") if f.contains("Version") => "version",
            (f, "id") if f.contains("Survey") || f == "survey" => "survey",
            (f, "id") if f.contains("User") || f == "user" => "user",
            (f, "id") if f.contains("ApiKey") => "key",
            _ => "missing",
        };
        self.0[key].clone()
    }
}

/// A plausible value of a named input type (required fields only, one level of
/// optional ones where `full`), for the argument or field `name` of `field`.
fn default_value(s: &Schema, ids: &Ids, field: &str, name: &str, ty: &str, depth: usize) -> Value {
    match ty {
        "ID" => json!(ids.for_arg(field, name)),
        "String" => json!(match name {
            "email" => "fuzz@gov.mn",
            "locale" => "mn",
            "code" => "FUZZ",
            "regionCode" | "parentCode" => "MN-1",
            "questionKey" | "key" => "overall",
            "password" | "newPassword" | "currentPassword" => "tsagaan sar in february",
            _ => "x",
        }),
        "Int" => json!(1),
        "Float" => json!(0.5),
        "Boolean" => json!(true),
        "Date" => json!("2026-11-01"),
        "DateTime" => json!("2026-11-28T01:57:00Z"),
        "JSON" => json!({}),
        other => {
            let t = &s.types[other];
            match t["kind"].as_str().unwrap() {
                "ENUM" => t["enumValues"][0]["name"].clone(),
                "INPUT_OBJECT" if depth < 4 => {
                    let mut m = Map::new();
                    for f in t["inputFields"].as_array().unwrap() {
                        let (inner, required, list) = unwrap_type(&f["type"]);
                        if required {
                            let fname = f["name"].as_str().unwrap();
                            let v = default_value(s, ids, field, fname, &inner, depth + 1);
                            m.insert(fname.to_owned(), if list { json!([v]) } else { v });
                        }
                    }
                    Value::Object(m)
                }
                _ => Value::Null,
            }
        }
    }
}

/// Every leaf reachable from an argument: (path of names, named type, in a list).
fn leaves(
    s: &Schema,
    ty: &str,
    path: Vec<String>,
    list: bool,
    out: &mut Vec<(Vec<String>, String, bool)>,
    depth: usize,
) {
    let t = s.types.get(ty);
    match t.and_then(|t| t["kind"].as_str()) {
        Some("INPUT_OBJECT") if depth < 4 => {
            for f in t.unwrap()["inputFields"].as_array().unwrap() {
                let (inner, _, l) = unwrap_type(&f["type"]);
                let mut p = path.clone();
                p.push(f["name"].as_str().unwrap().to_owned());
                leaves(s, &inner, p, l, out, depth + 1);
            }
        }
        Some("INPUT_OBJECT") => {}
        _ => out.push((path, ty.to_owned(), list)),
    }
}

/// Sets `path` inside `v` (objects created on the way; lists get the value as their
/// only element unless the value is itself a list).
fn set_path(v: &mut Value, path: &[String], leaf: Value, list: bool) {
    let mut cur = v;
    for (i, key) in path.iter().enumerate() {
        if !cur.is_object() {
            *cur = json!({});
        }
        let obj = cur.as_object_mut().unwrap();
        if i + 1 == path.len() {
            let wrapped = if list && !leaf.is_array() {
                json!([leaf])
            } else {
                leaf
            };
            obj.insert(key.clone(), wrapped);
            return;
        }
        let next = obj.entry(key.clone()).or_insert_with(|| json!({}));
        if next.is_array() {
            let a = next.as_array_mut().unwrap();
            if a.is_empty() {
                a.push(json!({}));
            }
            cur = &mut a[0];
        } else {
            cur = next;
        }
    }
}

/// The hostile values for a leaf of a named type.
fn hostile(ty: &str) -> Vec<(&'static str, Value)> {
    let long = "Ө".repeat(20_000); // 40 KB of UTF-8, within the body limit
    match ty {
        "String" | "ID" => vec![
            ("long", json!(long)),
            ("nul", json!("a\u{0}b")),
            ("escape", json!("a\u{1b}[2Jb")),
            ("newline", json!("a\nb")),
            ("rtl override", json!("a\u{202e}b")),
            ("empty", json!("")),
            ("spaces", json!("   ")),
            ("many", json!(vec!["x"; 3_000])),
            ("number", json!(12)),
        ],
        "Int" => vec![
            ("min", json!(i32::MIN)),
            ("-1", json!(-1)),
            ("0", json!(0)),
            ("max", json!(i32::MAX)),
            ("too big", json!(i64::MAX)),
            ("fraction", json!(1.5)),
        ],
        "Float" => vec![
            ("-max", json!(-f64::MAX)),
            ("max", json!(f64::MAX)),
            ("tiny", json!(f64::MIN_POSITIVE)),
            ("-1", json!(-1.0)),
            ("2", json!(2.0)),
        ],
        "Date" => vec![
            ("min", json!("0001-01-01")),
            ("far", json!("+262142-12-31")),
            ("not a day", json!("2026-02-30")),
            ("edge", json!("9999-12-31")),
        ],
        "DateTime" => vec![
            ("min", json!("-262143-01-01T00:00:00Z")),
            ("max", json!("+262142-12-31T23:59:59Z")),
            ("epoch", json!("1970-01-01T00:00:00Z")),
            ("garbage", json!("yesterday")),
        ],
        "Boolean" => vec![("string", json!("true"))],
        "JSON" => vec![("deep", {
            let mut v = json!(1);
            for _ in 0..60 {
                v = json!([v]);
            }
            v
        })],
        _ => vec![
            ("unknown enum", json!("NOT_A_VALUE")),
            ("many", json!(vec![json!("X"); 3_000])),
        ],
    }
}

/// Fields whose probes would end the session or throttle the probing account.
const SKIP: [&str; 2] = ["logout", "changePassword"];

async fn probe_every_input(w: &SurveyWorld, ids: &Ids) -> (usize, Vec<String>) {
    let s = schema(&w.app).await;
    let key_only = ["issueInvitation", "reportDeliveredServices"];
    let anonymous = [
        "submitResponse",
        "submitOpenResponse",
        "invitation",
        "login",
        "refreshSession",
    ];
    let mut count = 0;
    let mut problems = vec![];
    for (kind, fields) in [("query", &s.query), ("mutation", &s.mutation)] {
        for f in fields {
            let name = f["name"].as_str().unwrap();
            if SKIP.contains(&name) {
                continue;
            }
            let auth = if key_only.contains(&name) {
                &w.key
            } else if anonymous.contains(&name) {
                &Auth::None
            } else {
                &w.admin
            };
            let args = f["args"].as_array().unwrap();
            let defs: Vec<String> = args
                .iter()
                .map(|a| {
                    format!(
                        "${}: {}",
                        a["name"].as_str().unwrap(),
                        type_syntax(&a["type"])
                    )
                })
                .collect();
            let call: Vec<String> = args
                .iter()
                .map(|a| format!("{0}: ${0}", a["name"].as_str().unwrap()))
                .collect();
            let (ret, _, _) = unwrap_type(&f_type(&s, kind, name));
            let selection = if s.types[&ret]["kind"] == "OBJECT" {
                " { __typename }"
            } else {
                ""
            };
            let doc = format!(
                "{kind}{} {{ {name}{}{selection} }}",
                if defs.is_empty() {
                    String::new()
                } else {
                    format!("({})", defs.join(", "))
                },
                if call.is_empty() {
                    String::new()
                } else {
                    format!("({})", call.join(", "))
                },
            );
            let mut base = Map::new();
            for a in args {
                let (ty, required, list) = unwrap_type(&a["type"]);
                if required {
                    let an = a["name"].as_str().unwrap();
                    let v = default_value(&s, ids, name, an, &ty, 0);
                    base.insert(an.to_owned(), if list { json!([v]) } else { v });
                }
            }
            let mut targets = vec![];
            for a in args {
                let (ty, _, list) = unwrap_type(&a["type"]);
                leaves(
                    &s,
                    &ty,
                    vec![a["name"].as_str().unwrap().to_owned()],
                    list,
                    &mut targets,
                    0,
                );
            }
            for (path, ty, list) in targets {
                // Besides hostile values: every plausible one, so optional filters and
                // each enum value are exercised too (a json column compared with LIKE
                // failed on PostgreSQL only for a valid channel).
                let leaf = path.last().cloned().unwrap_or_default();
                let mut values = vec![("plausible", default_value(&s, ids, name, &leaf, &ty, 0))];
                if let Some(t) = s.types.get(&ty).filter(|t| t["kind"] == "ENUM") {
                    for e in t["enumValues"].as_array().unwrap() {
                        values.push(("enum value", e["name"].clone()));
                    }
                }
                values.extend(hostile(&ty));
                for (what, v) in values {
                    let mut vars = Value::Object(base.clone());
                    set_path(&mut vars, &path, v, list);
                    let body =
                        serde_json::to_vec(&json!({ "query": doc, "variables": vars })).unwrap();
                    if body.len() > 64 * 1024 {
                        continue;
                    }
                    let (status, r) = w.app.post_raw(auth, "application/json", body).await;
                    count += 1;
                    let label = format!("{name}({}) = {what}", path.join("."));
                    if status >= 500 {
                        problems.push(format!("{label}: HTTP {status}"));
                        continue;
                    }
                    for e in r["errors"].as_array().into_iter().flatten() {
                        let c = e["extensions"]["code"].as_str().unwrap_or("<none>");
                        if c == "INTERNAL" || c == "<none>" {
                            problems.push(format!("{label}: {e}"));
                        }
                    }
                }
            }
        }
    }
    (count, problems)
}

fn f_type(s: &Schema, kind: &str, name: &str) -> Value {
    let fields = if kind == "query" {
        &s.query
    } else {
        &s.mutation
    };
    fields.iter().find(|f| f["name"] == name).unwrap()["type"].clone()
}

#[actix_web::test]
async fn every_input_of_every_root_field_survives_hostile_values() {
    let w = SurveyWorld::new("FACES_3").await;
    let user = w.app.ok(&w.admin, "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_id = w
        .app
        .ok(&w.admin, "{ apiKeys { edges { node { id } } } }", json!({}))
        .await["apiKeys"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ids = Ids(HashMap::from([
        ("institution", w.agency.clone()),
        ("service", w.service.clone()),
        ("point", w.point.clone()),
        ("survey", w.survey.clone()),
        ("version", w.version.clone()),
        ("user", user),
        ("key", key_id),
        ("missing", "00000000-0000-7000-8000-000000000000".to_owned()),
    ]));
    let (count, problems) = probe_every_input(&w, &ids).await;
    eprintln!("hostile input probes: {count}");
    assert!(count > 1_000, "only {count} probes");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let (status, _) = w.app.get("/health/ready").await;
    assert_eq!(status, 200);
}
