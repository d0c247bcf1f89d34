//! The examples in `examples/` are the README's walk-through, run in order against a
//! fresh server: every operation must succeed and every `# expect:` must hold, so
//! the examples cannot rot. The README's inline GraphQL blocks must each come from
//! an example file. The format is described in `examples/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{DateTime, Utc};
use common::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One example: its file, directives and document, and its variables.
struct Example {
    name: String,
    document: String,
    variables: Value,
    auth: (String, Option<String>),
    saves: Vec<(String, String)>,
    expects: Vec<(String, String)>,
    clock: Option<DateTime<Utc>>,
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn load() -> Vec<Example> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    files.iter().map(|f| parse(f)).collect()
}

fn parse(file: &Path) -> Example {
    let name = file.file_stem().unwrap().to_string_lossy().into_owned();
    let document = std::fs::read_to_string(file).unwrap();
    let vars_file = file.with_extension("json");
    let variables: Value = serde_json::from_str(
        &std::fs::read_to_string(&vars_file)
            .unwrap_or_else(|_| panic!("{name}: {} is missing", vars_file.display())),
    )
    .unwrap_or_else(|e| panic!("{name}: variables: {e}"));
    let mut auth = None;
    let mut saves = vec![];
    let mut expects = vec![];
    let mut clock = None;
    for line in document.lines().take_while(|l| l.starts_with('#')) {
        let line = line.trim_start_matches('#').trim();
        let Some((key, rest)) = line.split_once(": ") else {
            continue;
        };
        let pair = || {
            let (a, b) = rest
                .split_once(" = ")
                .unwrap_or_else(|| panic!("{name}: `{line}` needs `a = b`"));
            (a.trim().to_owned(), b.trim().to_owned())
        };
        match key {
            "auth" => {
                let mut words = rest.split_whitespace();
                let kind = words.next().unwrap().to_owned();
                auth = Some((kind, words.next().map(str::to_owned)));
            }
            "save" => saves.push(pair()),
            "expect" => expects.push(pair()),
            "test-clock" => clock = Some(DateTime::parse_from_rfc3339(rest).unwrap().to_utc()),
            _ => {}
        }
    }
    Example {
        auth: auth.unwrap_or_else(|| panic!("{name}: no `# auth:` line")),
        name,
        document,
        variables,
        saves,
        expects,
        clock,
    }
}

/// `a.b.0.c` in `data`.
fn at<'a>(data: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(data, |v, part| match part.parse::<usize>() {
            Ok(i) if v.is_array() => &v[i],
            _ => &v[part],
        })
}

/// Replaces every `{{name}}` in the strings of `v`.
fn substitute(v: &Value, saved: &HashMap<String, String>) -> Value {
    match v {
        Value::String(s) => Value::String(fill(s, saved)),
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, saved)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), substitute(x, saved)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn fill(s: &str, saved: &HashMap<String, String>) -> String {
    let mut out = s.to_owned();
    while let Some(start) = out.find("{{") {
        let end = out[start..].find("}}").expect("closing }}") + start;
        let key = &out[start + 2..end];
        let value = saved
            .get(key)
            .unwrap_or_else(|| panic!("{{{{{key}}}}} is not saved by an earlier example"));
        out.replace_range(start..end + 2, value);
    }
    out
}

#[actix_web::test]
async fn the_examples_run_in_order_against_a_fresh_server_and_answer_as_they_say() {
    let examples = load();
    assert!(examples.len() >= 20, "the whole story");
    let app = spawn_app_with(|c| {
        c.admin_email = Some("admin@example.mn".into());
        c.admin_password = Some("a long passphrase".into());
    })
    .await;
    let mut saved: HashMap<String, String> = HashMap::new();
    for (i, ex) in examples.iter().enumerate() {
        assert!(
            ex.name.starts_with(&format!("{:02}-", i + 1)),
            "{} is out of sequence",
            ex.name
        );
        if let Some(t) = ex.clock {
            app.clock.set(t);
        }
        use sanal::clock::Clock;
        saved.insert("now".into(), app.clock.now().to_rfc3339());
        let auth = match (ex.auth.0.as_str(), &ex.auth.1) {
            ("none", None) => Auth::None,
            ("bearer", Some(name)) => Auth::Bearer(saved[name].clone()),
            ("api-key", Some(name)) => Auth::Key(saved[name].clone()),
            other => panic!("{}: unknown auth {other:?}", ex.name),
        };
        let variables = substitute(&ex.variables, &saved);
        let r = app.gql(&auth, &ex.document, variables).await;
        assert!(
            r.get("errors").is_none(),
            "{} failed: {}",
            ex.name,
            serde_json::to_string_pretty(&r).unwrap()
        );
        let data = &r["data"];
        for (path, expected) in &ex.expects {
            let expected: Value = serde_json::from_str(&fill(expected, &saved))
                .unwrap_or_else(|e| panic!("{}: expect {path}: {e}", ex.name));
            assert_eq!(at(data, path), &expected, "{}: {path} in {data}", ex.name);
        }
        for (name, path) in &ex.saves {
            let v = at(data, path);
            let v = v
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| panic!("{}: {path} is not a string in {data}", ex.name));
            saved.insert(name.clone(), v);
        }
    }
    // The story's end, seen from outside: one published conclusion.
    let d = app
        .ok(
            &Auth::None,
            "query($id:ID!){ conclusion(id:$id){ status } }",
            json!({ "id": saved["conclusionId"] }),
        )
        .await;
    assert_eq!(d["conclusion"]["status"], "PUBLISHED");
}

fn normalized(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_graphql_block_in_the_readme_comes_from_an_example() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let examples: Vec<String> = load().iter().map(|e| normalized(&e.document)).collect();
    let mut blocks = 0;
    for block in readme.split("```graphql\n").skip(1) {
        let block = block.split("```").next().unwrap();
        blocks += 1;
        assert!(
            examples.iter().any(|e| e.contains(&normalized(block))),
            "this README block is not (part of) an example in examples/, so no test runs it:\n{block}"
        );
    }
    assert!(blocks >= 3, "the README shows a few examples inline");
}

#[test]
fn every_example_names_what_it_needs_and_every_name_is_saved_before_use() {
    let mut saved: Vec<String> = vec!["now".into()];
    for ex in load() {
        let text = format!("{}{}", ex.document, ex.variables);
        for part in text.split("{{").skip(1) {
            let key = part.split("}}").next().unwrap();
            assert!(
                saved.iter().any(|s| s == key),
                "{} uses {{{{{key}}}}} before an example saves it",
                ex.name
            );
        }
        if let Some(name) = &ex.auth.1 {
            assert!(saved.contains(name), "{} signs in with {name}", ex.name);
        }
        saved.extend(ex.saves.iter().map(|(n, _)| n.clone()));
    }
}
