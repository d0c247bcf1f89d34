//! Faults below the server: the database restarting under load, the disk filling.
//!
//! - PostgreSQL: a private instance (`initdb` + `pg_ctl` on its own port and data
//!   directory — never the machine's cluster) is stopped hard in the middle of a
//!   submission load and started again: readiness answers 503 while it is down,
//!   requests get `SERVICE_UNAVAILABLE` (never `INTERNAL`), the server recovers
//!   without a restart, and every acknowledged submission is stored. Runs in the
//!   PostgreSQL pass (`SANAL_TEST_DATABASE_URL` set), where PostgreSQL is installed.
//! - SQLite: the database file lives on a small file system (a 16 MiB tmpfs; where
//!   mounting is not allowed, SQLite's own page cap injects the same `SQLITE_FULL`)
//!   that fills up: submissions get `SERVICE_UNAVAILABLE`, nothing is half-written,
//!   and once space is back the same submission goes through.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL tool (as `postgres` when we are root: it refuses root).
fn pg_tool(bin: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args).output().expect("run a PostgreSQL tool")
}

/// A PostgreSQL server of this test alone; stopped and removed when dropped.
struct PrivatePg {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl PrivatePg {
    fn bin_dir() -> Option<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .collect();
        dirs.sort();
        dirs.pop()
    }

    fn start() -> Self {
        let bin = Self::bin_dir().expect("PostgreSQL server binaries under /usr/lib/postgresql");
        let dir = std::env::temp_dir().join(format!("sanal-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            Command::new("chown")
                .args(["postgres:postgres", dir.to_str().unwrap()])
                .status()
                .unwrap();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = dir.join("data");
        let out = pg_tool(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pg = Self { bin, dir, port };
        pg.up();
        pg
    }

    fn ctl(&self, args: &[&str]) {
        let data = self.dir.join("data");
        let log = self.dir.join("log");
        let mut all = vec![
            "-D",
            data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-w",
        ];
        all.extend_from_slice(args);
        let out = pg_tool(&self.bin.join("pg_ctl"), &all);
        assert!(
            out.status.success(),
            "pg_ctl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn up(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        self.ctl(&["-o", &opts, "start"]);
    }

    /// Stops at once, as a crash would (recovery replays the WAL at the next start).
    fn kill(&self) {
        self.ctl(&["-m", "immediate", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = pg_tool(
            &self.bin.join("pg_ctl"),
            &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn ready_status(app: &TestApp) -> u16 {
    app.get("/health/ready").await.0
}

async fn wait_for_ready(app: &TestApp, want: u16, within: Duration) {
    let start = Instant::now();
    loop {
        if ready_status(app).await == want {
            return;
        }
        assert!(start.elapsed() < within, "readiness never became {want}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the load saw: acknowledged tokens and every error code.
#[derive(Default)]
struct Seen {
    acked: Vec<String>,
    codes: Vec<String>,
}

async fn submit_loop(w: &SurveyWorld, worker: usize, stop: &AtomicBool, seen: &Mutex<Seen>) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let tref = format!("W{worker}-{i}");
        let r = w.app.gql(&w.key, ISSUE, w.issue_vars(&tref)).await;
        let Some(token) = r["data"]["issueInvitation"]["token"].as_str() else {
            seen.lock().unwrap().codes.push(code(&r).to_owned());
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        // Retry each submission until it is acknowledged or refused for good.
        for _ in 0..100 {
            let r = w.submit(token, faces(3), Some(&tref)).await;
            if r["data"]["submitResponse"]["accepted"] == true {
                seen.lock().unwrap().acked.push(token.to_owned());
                break;
            }
            let c = code(&r).to_owned();
            seen.lock().unwrap().codes.push(c.clone());
            if c != "SERVICE_UNAVAILABLE" && c != "TIMEOUT" && c != "<no error>" {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            if stop.load(Ordering::Relaxed) {
                break;
            }
        }
    }
}

#[actix_web::test]
async fn postgresql_killed_and_restarted_under_load_loses_no_acknowledged_submission() {
    if std::env::var("SANAL_TEST_DATABASE_URL").map_or(true, |u| u.trim().is_empty()) {
        eprintln!("runs in the PostgreSQL pass (SANAL_TEST_DATABASE_URL set)");
        return;
    }
    let pg = PrivatePg::start();
    let app = spawn_app_on(&pg.url(), |c| c.db_pool_size = 4).await;
    let w = Arc::new(SurveyWorld::in_app(app, "FACES_3").await);
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let workers: Vec<_> = (0..6)
        .map(|n| {
            let (w, stop, seen) = (w.clone(), stop.clone(), seen.clone());
            actix_web::rt::spawn(async move { submit_loop(&w, n, &stop, &seen).await })
        })
        .collect();
    actix_web::rt::time::sleep(Duration::from_millis(1_500)).await;
    let before = seen.lock().unwrap().acked.len();
    pg.kill();
    wait_for_ready(&w.app, 503, Duration::from_secs(10)).await;
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    pg.up();
    wait_for_ready(&w.app, 200, Duration::from_secs(30)).await;
    let at_restart = seen.lock().unwrap().acked.len();
    actix_web::rt::time::sleep(Duration::from_millis(1_500)).await;
    stop.store(true, Ordering::Relaxed);
    for h in workers {
        h.await.unwrap();
    }
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let after = seen.acked.len();
    eprintln!(
        "acknowledged: {before} before the kill, {} during, {} after; errors: {}",
        at_restart - before,
        after - at_restart,
        seen.codes.len()
    );
    assert!(
        before > 0 && after > at_restart,
        "load ran on both sides of the restart"
    );
    let unavailable = seen
        .codes
        .iter()
        .filter(|c| *c == "SERVICE_UNAVAILABLE")
        .count();
    assert!(unavailable > 0, "the outage was seen: {:?}", seen.codes);
    assert!(
        seen.codes
            .iter()
            .all(|c| ["SERVICE_UNAVAILABLE", "TIMEOUT", "ALREADY_RESPONDED"].contains(&c.as_str())),
        "{:?}",
        seen.codes
    );
    // Every acknowledged submission is there, and nothing else.
    for token in &seen.acked {
        let r = w
            .app
            .ok(
                &Auth::None,
                "query($t:String){ invitation(token:$t){ status } }",
                json!({ "t": token }),
            )
            .await;
        assert_eq!(r["invitation"]["status"], "RESPONDED");
    }
    let stored = w.stored_responses().await as usize;
    assert_eq!(stored, after, "stored responses = acknowledged submissions");
}

/// Where the SQLite file lives, and how it is made to run out of space.
enum Disk {
    /// A small tmpfs; filled with a filler file.
    Tmpfs(PathBuf),
    /// No mount allowed: SQLite's page cap (one pooled connection).
    PageCap(PathBuf),
}

impl Disk {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("sanal-full-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let mounted = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                "size=16m",
                "tmpfs",
                dir.to_str().unwrap(),
            ])
            .output()
            .is_ok_and(|o| o.status.success());
        if mounted {
            Self::Tmpfs(dir)
        } else {
            Self::PageCap(dir)
        }
    }

    fn dir(&self) -> &Path {
        match self {
            Self::Tmpfs(d) | Self::PageCap(d) => d,
        }
    }

    async fn fill(&self, app: &TestApp) {
        match self {
            Self::Tmpfs(d) => {
                use std::io::Write;
                let mut f = std::fs::File::create(d.join("filler")).unwrap();
                let block = vec![0u8; 64 * 1024];
                while f.write_all(&block).and_then(|_| f.flush()).is_ok() {}
                let _ = f.sync_all();
            }
            Self::PageCap(_) => {
                use sea_orm::{ConnectionTrait, Statement};
                let conn = app.state.db.conn();
                let be = conn.get_database_backend();
                let row = conn
                    .query_one_raw(Statement::from_string(be, "PRAGMA page_count"))
                    .await
                    .unwrap()
                    .unwrap();
                let pages: i64 = row.try_get_by_index(0).unwrap();
                conn.execute_unprepared(&format!("PRAGMA max_page_count = {pages}"))
                    .await
                    .unwrap();
            }
        }
    }

    async fn free(&self, app: &TestApp) {
        match self {
            Self::Tmpfs(d) => std::fs::remove_file(d.join("filler")).unwrap(),
            Self::PageCap(_) => {
                use sea_orm::ConnectionTrait;
                app.state
                    .db
                    .conn()
                    .execute_unprepared("PRAGMA max_page_count = 1073741823")
                    .await
                    .unwrap();
            }
        }
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        if let Self::Tmpfs(d) = self {
            let _ = Command::new("umount")
                .args(["-l", d.to_str().unwrap()])
                .status();
        }
        let _ = std::fs::remove_dir_all(self.dir());
    }
}

async fn responded_in_report(w: &SurveyWorld) -> i64 {
    let d = w
        .app
        .ok(
            &w.manager,
            "query($s:ID!){ satisfactionReport(scope:{kind: SERVICE, id:$s}, period:{kind: MONTH, start:\"2026-11-01\"}){ counts { responded } questions { figures { origin n } } } }",
            json!({ "s": w.service }),
        )
        .await;
    d["satisfactionReport"]["counts"]["responded"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn a_full_disk_on_sqlite_gives_a_clear_error_and_writes_nothing_by_halves() {
    let disk = Disk::new();
    let url = format!(
        "sqlite://{}?mode=rwc",
        disk.dir().join("sanal.db").display()
    );
    let pool = if matches!(disk, Disk::PageCap(_)) {
        1
    } else {
        4
    };
    let app = spawn_app_on(&url, |c| c.db_pool_size = pool).await;
    let w = SurveyWorld::in_app(app, "FACES_3").await;
    let mut tokens = vec![];
    for i in 0..300 {
        tokens.push(w.invite(&format!("FULL-{i}")).await);
    }
    disk.fill(&w.app).await;
    let mut acked = 0;
    let mut refused: Option<(String, Value)> = None;
    for (i, t) in tokens.iter().enumerate() {
        let r = w.submit(t, faces(3), Some(&format!("csid-{i}"))).await;
        if r["data"]["submitResponse"]["accepted"] == true {
            acked += 1;
        } else {
            refused = Some((t.clone(), r));
            break;
        }
    }
    let (token, r) = refused.expect("the disk filled up before 300 submissions");
    assert_eq!(code(&r), "SERVICE_UNAVAILABLE", "{r}");
    assert!(
        r["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_i64()
            .unwrap()
            >= 1
    );
    let (live, _) = w.app.get("/health/live").await;
    assert_eq!(live, 200);
    disk.free(&w.app).await;
    // Nothing by halves: the refused answer is not stored, not counted, and its
    // invitation is still open.
    assert_eq!(w.stored_responses().await, acked);
    assert_eq!(responded_in_report(&w).await, acked);
    let st = w
        .app
        .ok(
            &Auth::None,
            "query($t:String){ invitation(token:$t){ status } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(st["invitation"]["status"], "OPEN");
    // With space again, the same submission goes through once.
    let i = tokens.iter().position(|t| *t == token).unwrap();
    let r = w.submit(&token, faces(3), Some(&format!("csid-{i}"))).await;
    assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    assert_eq!(w.stored_responses().await, acked + 1);
    assert_eq!(responded_in_report(&w).await, acked + 1);
    eprintln!(
        "{} disk: {acked} accepted before it was full",
        if matches!(disk, Disk::Tmpfs(_)) {
            "tmpfs"
        } else {
            "page-capped"
        }
    );
}
