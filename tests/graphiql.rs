//! GraphiQL without internet: the page and its assets come from the binary, the page
//! names nothing outside this server, and — in a real headless Chromium that may
//! reach 127.0.0.1 only — the page renders the schema's documentation and fills
//! the editor from `?query=`.
//!
//! The browser tests need Debian's `chromium` (`apt-get install -y chromium`; another
//! Chromium or Chrome binary can be named with `SANAL_CHROMIUM`). Without it they
//! fail. `SANAL_SKIP_BROWSER_TESTS=1` skips them, and they say so on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every `src="…"` and `href="…"` of the page.
fn references(page: &str) -> Vec<String> {
    let mut refs = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in page.split(attr).skip(1) {
            refs.push(part.split('"').next().unwrap().to_owned());
        }
    }
    refs
}

#[actix_web::test]
async fn the_page_and_every_asset_are_served_from_the_binary() {
    let app = spawn_app().await;
    let (status, headers, body) = get_raw(&app, "/graphql").await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "text/html; charset=utf-8");
    let page = String::from_utf8(body).unwrap();
    assert!(
        !page.contains("://") && !page.contains("\"//"),
        "the page names no other host: {page}"
    );

    let csp = header(&headers, "content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(
        !csp.contains("unsafe-eval") && !csp.contains("http"),
        "{csp}"
    );

    let refs = references(&page);
    let wanted = [
        ("react.production.min.js", "text/javascript"),
        ("react-dom.production.min.js", "text/javascript"),
        ("graphiql.min.js", "text/javascript"),
        ("graphiql.min.css", "text/css"),
        ("init.js", "text/javascript"),
    ];
    assert_eq!(refs.len(), wanted.len(), "{refs:?}");
    let base = refs[0].rsplit_once('/').unwrap().0.to_owned();
    assert!(base.starts_with("/graphiql/"), "{base}");
    for (file, content_type) in wanted {
        let path = format!("{base}/{file}");
        assert!(refs.contains(&path), "the page loads {path}: {refs:?}");
        let (status, headers, body) = get_raw(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            header(&headers, "content-type"),
            format!("{content_type}; charset=utf-8"),
            "{path}"
        );
        assert_eq!(
            header(&headers, "cache-control"),
            "public, max-age=31536000, immutable",
            "{path}"
        );
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert!(body.len() > 500, "{path} is {} bytes", body.len());
    }
    for file in [
        "LICENSE.graphiql",
        "LICENSE.react",
        "LICENSE.react-dom",
        "VERSIONS",
    ] {
        let (status, headers, body) = get_raw(&app, &format!("{base}/{file}")).await;
        assert_eq!(status, 200, "{file}");
        assert_eq!(
            header(&headers, "content-type"),
            "text/plain; charset=utf-8"
        );
        assert!(!body.is_empty());
    }

    // The start-up script talks to POST /graphql and reads GraphiQL's URL parameters.
    let (_, _, init) = get_raw(&app, &format!("{base}/init.js")).await;
    let init = String::from_utf8(init).unwrap();
    assert!(init.contains("url: '/graphql'"), "{init}");
    assert!(init.contains("params.get('query')") && init.contains("params.get('variables')"));
    assert!(init.contains("DOC_EXPLORER_PLUGIN"));

    // Another key, another file or a path outside the set: 404.
    for path in [
        "/graphiql/0000000000000000/graphiql.min.js".to_owned(),
        format!("{base}/graphiql.min.js.map"),
        format!("{base}/..%2F..%2FCargo.toml"),
        format!("{base}/"),
    ] {
        let (status, _, _) = get_raw(&app, &path).await;
        assert_eq!(status, 404, "{path}");
    }
}

#[actix_web::test]
async fn a_query_in_the_url_is_only_a_page_and_never_runs() {
    let app = spawn_app().await;
    let (status, headers, body) = get_raw(
        &app,
        "/graphql?query=mutation%20%7B%20logout%20%7D&variables=%7B%7D",
    )
    .await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    let page = String::from_utf8(body).unwrap();
    assert!(!page.contains("\"data\"") && !page.contains("logout"));
}

#[actix_web::test]
async fn production_mode_serves_neither_the_page_nor_its_assets() {
    let dev = spawn_app().await;
    let (_, _, page) = get_raw(&dev, "/graphql").await;
    let page = String::from_utf8(page).unwrap();
    let prod = spawn_app_with(|c| c.production = true).await;
    let (status, _, _) = get_raw(&prod, "/graphql").await;
    assert_eq!(status, 404);
    for path in references(&page) {
        let (status, _, _) = get_raw(&prod, &path).await;
        assert_eq!(status, 404, "{path}");
    }
}

// In a real browser.

/// The Chromium binary, or `None` when the browser tests are to be skipped.
fn chromium() -> Option<PathBuf> {
    if std::env::var("SANAL_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        // Straight to stderr: the test harness captures eprintln! of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SANAL_SKIP_BROWSER_TESTS=1: a GraphiQL browser test was SKIPPED; \
             the page was NOT checked in a browser !!!\n"
        );
        return None;
    }
    let skip = "SANAL_SKIP_BROWSER_TESTS=1 skips them";
    if let Some(configured) = std::env::var_os("SANAL_CHROMIUM") {
        let path = PathBuf::from(configured);
        assert!(
            path.is_file(),
            "SANAL_CHROMIUM={} is not a file; {skip}",
            path.display()
        );
        return Some(path);
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("chromium"))
            .find(|p| p.is_file())
    });
    match on_path {
        Some(p) => Some(p),
        None => panic!(
            "the GraphiQL browser tests need Chromium and `chromium` is not on PATH: install it with \
             `apt-get install -y --no-install-recommends chromium` (Debian; .ci/run does this), \
             or name another Chromium or Chrome binary with SANAL_CHROMIUM=/path/to/it; {skip}"
        ),
    }
}

/// The DOM of `url` after the page settled, as rendered by headless Chromium that
/// can reach 127.0.0.1 and nothing else; with Chromium's log.
async fn dump_dom(chromium: PathBuf, url: String) -> (String, String) {
    actix_web::rt::task::spawn_blocking(move || {
        let profile =
            std::env::temp_dir().join(format!("sanal-chromium-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&profile).unwrap();
        let mut child = Command::new(&chromium)
            .args(browser_args(&profile))
            .arg(&url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", chromium.display()));
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let (dom, log) = (out.join().unwrap(), err.join().unwrap());
        let _ = std::fs::remove_dir_all(&profile);
        match status {
            Some(s) if s.success() => (dom, log),
            Some(s) => panic!("chromium failed ({s}):\n{log}"),
            None => panic!("chromium did not finish within 120 s:\n{log}"),
        }
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Headless, a fresh profile, nothing in the background, and no way out: every
/// host name but 127.0.0.1 fails to resolve and everything else would go to a
/// proxy on the discard port.
fn browser_args(profile: &std::path::Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=15000",
        // Tall enough that the editors (which draw only visible lines) show a
        // whole development-link document.
        "--window-size=1400,3000",
        "--dump-dom",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// What the page wrote to the console (Chromium logs it as `INFO:CONSOLE`): script
/// errors, loads refused by the Content-Security-Policy, failed requests. GraphiQL
/// started cleanly writes nothing.
fn console_messages(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[actix_web::test]
async fn in_a_browser_without_internet_the_documentation_explorer_shows_the_schema() {
    let Some(chromium) = chromium() else { return };
    let app = spawn_app().await;
    let (dom, log) = dump_dom(chromium, format!("{}/graphql", app.base)).await;
    assert!(
        !dom.contains("Loading GraphiQL"),
        "GraphiQL did not start:\n{dom}\n{log}"
    );
    // The documentation explorer's first view: the root types and the list of all
    // types, which exist only after the schema was fetched and rendered.
    for text in [
        "graphiql-container",
        "Root Types",
        "QueryRoot",
        "MutationRoot",
        "All Schema Types",
        "LocalizedText",
    ] {
        assert!(dom.contains(text), "{text} not rendered:\n{dom}\n{log}");
    }
    assert!(
        console_messages(&log).is_empty(),
        "{:#?}",
        console_messages(&log)
    );
}

#[actix_web::test]
async fn in_a_browser_a_query_in_the_url_fills_the_editors() {
    let Some(chromium) = chromium() else { return };
    let app = spawn_app().await;
    let url = format!(
        "{}/graphql?query=%7B%20sanalUrlProbe%3A%20regions%20%7B%20code%20%7D%20%7D&variables=%7B%22probeVariable%22%3A%201%7D",
        app.base
    );
    let (dom, log) = dump_dom(chromium, url).await;
    assert!(
        dom.contains("sanalUrlProbe"),
        "the query is not in the editor:\n{dom}\n{log}"
    );
    assert!(
        dom.contains("probeVariable"),
        "the variables are not in the editor:\n{dom}\n{log}"
    );
    assert!(
        console_messages(&log).is_empty(),
        "{:#?}",
        console_messages(&log)
    );
}

#[actix_web::test]
async fn in_a_browser_an_invitation_link_opens_graphiql_with_the_query_and_the_token() {
    let Some(chromium) = chromium() else { return };
    let w = SurveyWorld::new("FACES_3").await;
    let token = w.invite("TX-BROWSER").await;
    // The link as issued (the default base is the API itself), opened on this server.
    let (dom, log) = dump_dom(chromium, format!("{}/s/{token}", w.app.base)).await;
    for text in ["invitation", "Invitation", "submitResponse", "questionKey"] {
        assert!(
            dom.contains(text),
            "{text} not in the editors:\n{dom}\n{log}"
        );
    }
    assert!(
        dom.contains(&token),
        "the token is not in the variables:\n{dom}\n{log}"
    );
    assert!(
        console_messages(&log).is_empty(),
        "{:#?}",
        console_messages(&log)
    );
}
