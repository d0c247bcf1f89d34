//! A newcomer's first hour, with the real binary: `--help` lists every command;
//! the first start says where GraphiQL is and that no administrator exists, in
//! plain text when the log is not a terminal; `demo` after a first start still
//! gives conclusions, prints the ids to try and how to start over, and says how to
//! start over when it refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::binary::{Scratch, free_port, sanal, scratch};
use serde_json::{Value, json};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

#[test]
fn help_lists_every_command_and_an_unknown_one_is_refused_with_it() {
    let s = scratch();
    let out = sanal(&s).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for command in [
        "serve",
        "migrate",
        "create-admin --email EMAIL --password-stdin",
        "demo",
        "schema",
        "help",
    ] {
        assert!(
            help.contains(&format!("\n  {command}")),
            "{command} missing:\n{help}"
        );
    }
    let out = sanal(&s).arg("bogus").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown command \"bogus\"") && err.contains("demo"));
}

/// A development server (default settings but the port) logging to a file.
struct Server {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

async fn serve(s: &Scratch, n: u32) -> Server {
    let port = free_port();
    let log = s.dir.join(format!("serve-{n}.log"));
    let child = sanal(s)
        .env("SANAL_BIND", format!("127.0.0.1:{port}"))
        .env("SANAL_WORKERS", "1")
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
    };
    let started = Instant::now();
    loop {
        // Ready, and the start-up lines written (the first job run is logged before).
        let ready = awc::Client::new()
            .get(format!("{}/health/ready", server.base))
            .send()
            .await
            .is_ok_and(|r| r.status().as_u16() == 200);
        if ready && server.log().contains("Sanal is serving") {
            return server;
        }
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "the server exited:\n{}",
            server.log()
        );
        assert!(started.elapsed() < Duration::from_secs(90), "not ready");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn gql(base: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish()
        .post(format!("{base}/graphql"));
    if let Some(t) = token {
        req = req.insert_header(("authorization", format!("Bearer {t}")));
    }
    let mut r = req
        .send_json(&json!({ "query": query, "variables": variables }))
        .await
        .unwrap();
    r.json().limit(1 << 20).await.unwrap()
}

#[actix_web::test]
async fn following_the_readme_in_order_gives_a_demo_with_conclusions() {
    let s = scratch();

    // 1. `cargo run` on an empty database.
    let first = serve(&s, 1).await;
    let log = first.log();
    assert!(
        log.contains(&format!(
            "GraphiQL (explorer and documentation) at {}/graphql",
            first.base
        )),
        "{log}"
    );
    assert!(
        log.contains("no administrator exists yet") && log.contains("create-admin --email"),
        "{log}"
    );
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a redirected log:\n{log}"
    );
    assert!(
        !log.contains("concluded reporting periods"),
        "nothing was concluded, so nothing is said:\n{log}"
    );
    drop(first);

    // 2. `cargo run -- demo`.
    let out = sanal(&s).arg("demo").output().unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conclusions: u32 = printed
        .split(" conclusions")
        .next()
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of conclusions in:\n{printed}"));
    assert!(conclusions > 100, "{printed}");
    for line in [
        "ministry MOJHA",
        "agency GASR",
        "service CIVIL-ID",
        "service point",
        "supervisor@demo.sanal.mn",
        "rm sanal.db",
    ] {
        assert!(printed.contains(line), "{line} missing:\n{printed}");
    }
    let ministry = printed
        .lines()
        .find(|l| l.contains("ministry MOJHA"))
        .and_then(|l| l.split_whitespace().last())
        .unwrap()
        .to_owned();

    // 3. `demo` again refuses, and says how to start over.
    let again = sanal(&s).arg("demo").output().unwrap();
    assert!(!again.status.success());
    let err = String::from_utf8(again.stderr).unwrap();
    assert!(
        err.contains("has institutions") && err.contains("start over"),
        "{err}"
    );

    // 4. `cargo run` again: the demo's conclusions are there, and GraphiQL works
    //    from a citizen's link.
    let second = serve(&s, 2).await;
    let login = gql(
        &second.base,
        None,
        "mutation($e:String!,$p:String!){ login(email:$e,password:$p){ accessToken } }",
        json!({ "e": "supervisor@demo.sanal.mn", "p": sanal::services::demo::DEMO_PASSWORD }),
    )
    .await;
    let token = login["data"]["login"]["accessToken"].as_str().unwrap();
    let d = gql(
        &second.base,
        Some(token),
        "query($id:ID!){ conclusions(first: 100, filter:{scope: INSTITUTION, scopeId:$id, periodKind: MONTH}){ edges { node { periodLabel } } } }",
        json!({ "id": ministry }),
    )
    .await;
    let months = d["data"]["conclusions"]["edges"].as_array().unwrap().len();
    assert!(
        months >= 12,
        "a year and more of monthly conclusions, got {months}: {d}"
    );
    let redirect = awc::Client::builder()
        .disable_redirects()
        .finish()
        .get(format!("{}/s/aLinkToken", second.base))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status().as_u16(), 303);
}
