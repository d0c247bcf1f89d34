//! A database reader cannot pair a response with its invitation: not by
//! transaction id (`xmin`), not by physical order (`ctid`, `rowid`) against the
//! time of use, not through the recontact cooldown's end, and not after the purge
//! in what remains or in the database files' free space. Each test replays the
//! attack that used to link 24 of 24 and counts what it links now.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration as StdDuration;

const N: usize = 24;
const COOLDOWN_DAYS: i64 = 30;

/// A world whose writer waits long enough for the 24 concurrent answers to meet.
async fn world() -> SurveyWorld {
    SurveyWorld::with("FACES_3", |c| {
        c.group_commit_wait = StdDuration::from_millis(400);
    })
    .await
}

fn tref(i: usize) -> String {
    format!("LINK-{i:02}")
}

/// Issues N invitations, each for a different delivery time and person, and
/// answers them all at once; each answer carries a comment that tells the test
/// (and only the test) which invitation it was.
async fn answer_all(w: &SurveyWorld) {
    let mut tokens = vec![];
    for i in 0..N {
        let mut v = w.issue_vars(&tref(i));
        v["i"]["deliveredAt"] =
            json!((w.now() - chrono::Duration::minutes(3 + 7 * i as i64)).to_rfc3339());
        v["i"]["respondentId"] = json!(format!("+9769900{i:04}"));
        let d = w.app.ok(&w.key, ISSUE, v).await;
        tokens.push(d["issueInvitation"]["token"].as_str().unwrap().to_owned());
    }
    let answers = futures_util::future::join_all(tokens.iter().enumerate().map(|(i, t)| {
        w.submit(
            t,
            json!([{ "questionKey": "overall", "value": 1 + (i % 3) as i32 },
                   { "questionKey": "comment", "text": format!("mark-{i:02}") }]),
            None,
        )
    }))
    .await;
    for a in &answers {
        assert_eq!(a["data"]["submitResponse"]["accepted"], true, "{a}");
    }
}

async fn rows(w: &SurveyWorld, sql: &str) -> Vec<sea_orm::QueryResult> {
    let conn = w.app.state.db.conn();
    conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
}

fn backend(w: &SurveyWorld) -> DbBackend {
    w.app.state.db.backend()
}

/// A uuid column as text (SQLite stores uuids as blobs); compared without dashes.
fn id_text(w: &SurveyWorld, col: &str) -> String {
    match backend(w) {
        DbBackend::Postgres => format!("replace(CAST({col} AS TEXT), '-', '')"),
        _ => format!("lower(hex({col}))"),
    }
}

/// The truth the attacker lacks: which invitation (by its transaction reference)
/// each response answered, read from the test's own marks.
async fn truth(w: &SurveyWorld) -> HashMap<String, String> {
    rows(
        w,
        &format!(
            "SELECT {} AS rid, a.text AS mark FROM responses r \
             JOIN response_answers a ON a.response_id = r.id WHERE a.question_key = 'comment'",
            id_text(w, "r.id")
        ),
    )
    .await
    .iter()
    .map(|r| {
        let mark: String = r.try_get("", "mark").unwrap();
        (
            r.try_get::<String>("", "rid").unwrap().to_lowercase(),
            tref(mark[5..].parse().unwrap()),
        )
    })
    .collect()
}

fn column(rows: &[sea_orm::QueryResult], name: &str) -> Vec<String> {
    rows.iter()
        .map(|r| r.try_get::<String>("", name).unwrap().to_lowercase())
        .collect()
}

#[actix_web::test]
async fn responses_and_invitations_ordered_side_by_side_pair_no_better_than_chance() {
    let w = world().await;
    answer_all(&w).await;
    let truth = truth(&w).await;
    assert_eq!(truth.len(), N);
    // The attack: invitations by time of use then physical order, responses by
    // physical order, paired rank by rank.
    let order = match backend(&w) {
        DbBackend::Postgres => "ctid",
        _ => "rowid",
    };
    let invitations = column(
        &rows(
            &w,
            &format!(
                "SELECT transaction_ref AS t FROM invitations WHERE used_at IS NOT NULL ORDER BY used_at, {order}"
            ),
        )
        .await,
        "t",
    );
    let responses = column(
        &rows(
            &w,
            &format!(
                "SELECT {} AS rid FROM responses ORDER BY {order}",
                id_text(&w, "id")
            ),
        )
        .await,
        "rid",
    );
    let linked = responses
        .iter()
        .zip(&invitations)
        .filter(|(r, i)| truth[*r].to_lowercase() == **i)
        .count();
    eprintln!("physical order links {linked} of {N} (chance: about 1)");
    // A random pairing of 24 gets 7 or more right about once in 15,000 runs.
    assert!(linked <= 6, "{linked} of {N} linked");
    // Nor does the time of use tell them apart: the day is all it records.
    let used = rows(&w, "SELECT COUNT(DISTINCT used_at) AS n FROM invitations").await;
    assert_eq!(used[0].try_get::<i64>("", "n").unwrap(), 1);
}

#[actix_web::test]
async fn a_transaction_id_points_to_a_whole_group_never_to_one_invitation() {
    let w = world().await;
    if backend(&w) != DbBackend::Postgres {
        return; // xmin is PostgreSQL's; SQLite has no per-row transaction id.
    }
    answer_all(&w).await;
    let pairs = rows(
        &w,
        "SELECT replace(CAST(r.id AS TEXT), '-', '') AS rid, i.transaction_ref AS t \
         FROM responses r JOIN invitations i ON i.xmin = r.xmin",
    )
    .await;
    let mut candidates: HashMap<String, usize> = HashMap::new();
    for r in column(&pairs, "rid") {
        *candidates.entry(r).or_default() += 1;
    }
    assert_eq!(candidates.len(), N, "every response shares its group's id");
    let smallest = candidates.values().min().copied().unwrap();
    let linked = candidates.values().filter(|n| **n == 1).count();
    eprintln!("xmin: {linked} of {N} linked; each response has at least {smallest} candidates");
    assert_eq!(linked, 0);
    assert!(smallest >= 2);
}

#[actix_web::test]
async fn a_cooldown_end_gives_back_neither_the_delivery_time_nor_surely_its_day() {
    let w = world().await;
    answer_all(&w).await;
    let ends = rows(&w, "SELECT until FROM recontact_cooldowns").await;
    assert_eq!(ends.len(), N);
    let delivered = rows(&w, "SELECT delivered_at FROM invitations").await;
    let delivered: Vec<chrono::DateTime<chrono::Utc>> = delivered
        .iter()
        .map(|r| r.try_get("", "delivered_at").unwrap())
        .collect();
    let mut days = std::collections::BTreeSet::new();
    for e in &ends {
        let until: chrono::DateTime<chrono::Utc> = e.try_get("", "until").unwrap();
        let back = until - chrono::Duration::days(COOLDOWN_DAYS);
        assert!(!delivered.contains(&back), "{until} gives back a delivery");
        // Whole local days (Ulaanbaatar, UTC+8): the end is a local midnight...
        assert_eq!(until.format("%H:%M").to_string(), "16:00", "{until}");
        // ...never sooner than the floor.
        assert!(
            delivered
                .iter()
                .all(|d| until - *d >= chrono::Duration::days(COOLDOWN_DAYS))
        );
        days.insert(until);
    }
    // The same day's deliveries end on one of two days, at random.
    assert!(days.len() <= 2);
}

/// The purge, then what a reader of the database files can still find of the
/// transaction references.
#[actix_web::test]
async fn after_the_purge_only_the_day_remains_even_in_the_files_free_space() {
    let w = world().await;
    answer_all(&w).await;
    w.app.clock.advance(chrono::Duration::days(8));
    let purged = sanal::services::invitations::purge_expired(&w.app.state)
        .await
        .unwrap();
    assert_eq!(purged, N as u64);
    let left = rows(
        &w,
        "SELECT COUNT(DISTINCT delivered_at) AS d, COUNT(DISTINCT used_at) AS u, \
         COUNT(issued_at) AS i, COUNT(transaction_ref) AS t FROM invitations",
    )
    .await;
    let n = |c: &str| left[0].try_get::<i64>("", c).unwrap();
    assert_eq!((n("d"), n("u"), n("i"), n("t")), (1, 1, 0, 0));
    let mut found = N;
    for _ in 0..40 {
        found = match backend(&w) {
            DbBackend::Postgres => found_in_row_versions(&w).await,
            _ => found_in_files(w.app.sqlite_path().unwrap()),
        };
        if found == 0 {
            break;
        }
        // A vacuum cannot remove row versions an open transaction may still see
        // (here: other tests' in the same database); the next purge's vacuum does.
        actix_web::rt::time::sleep(StdDuration::from_millis(250)).await;
        sanal::services::invitations::purge_expired(&w.app.state)
            .await
            .unwrap();
    }
    eprintln!("transaction references readable after the purge: {found} of {N}");
    assert_eq!(found, 0);
}

/// SQLite: the database file and its write-ahead log, byte by byte.
fn found_in_files(db: &std::path::Path) -> usize {
    let mut bytes = std::fs::read(db).unwrap();
    for suffix in ["-wal", "-journal"] {
        if let Ok(b) = std::fs::read(format!("{}{suffix}", db.display())) {
            bytes.extend(b);
        }
    }
    (0..N)
        .filter(|i| {
            let t = tref(*i);
            bytes.windows(t.len()).any(|w| w == t.as_bytes())
        })
        .count()
}

/// PostgreSQL: every row version (live or dead) in every page of the table.
async fn found_in_row_versions(w: &SurveyWorld) -> usize {
    let conn = w.app.state.db.conn();
    conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pageinspect")
        .await
        .unwrap();
    let pages = rows(
        w,
        "SELECT CAST(pg_relation_size('invitations') / current_setting('block_size')::int AS BIGINT) AS n",
    )
    .await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    let mut data: Vec<u8> = vec![];
    for p in 0..pages {
        for r in rows(
            w,
            &format!(
                "SELECT t_data FROM heap_page_items(get_raw_page('invitations', {p})) WHERE t_data IS NOT NULL"
            ),
        )
        .await
        {
            data.extend(r.try_get::<Vec<u8>>("", "t_data").unwrap());
        }
    }
    (0..N)
        .filter(|i| {
            let t = tref(*i);
            data.windows(t.len()).any(|w| w == t.as_bytes())
        })
        .count()
}

#[actix_web::test]
async fn a_full_queue_answers_rate_limited_with_a_retry_hint_and_loses_nothing_accepted() {
    let w = SurveyWorld::with("FACES_3", |c| {
        c.submit_queue = 1;
        c.group_commit_max = 1;
        c.group_commit_wait = StdDuration::ZERO;
    })
    .await;
    let tokens = [
        w.invite("Q-1").await,
        w.invite("Q-2").await,
        w.invite("Q-3").await,
    ];
    // Something else holds the writer up: the invitations' rows (PostgreSQL) or
    // the database's write lock (SQLite).
    let blocker = w.app.state.db.begin_write().await.unwrap();
    blocker
        .execute_unprepared("UPDATE invitations SET locale = locale")
        .await
        .unwrap();
    let pause = |ms| actix_web::rt::time::sleep(StdDuration::from_millis(ms));
    let (first, second, third): (Value, Value, Value) = futures_util::future::join3(
        w.submit(&tokens[0], faces(3), None),
        async {
            pause(400).await;
            w.submit(&tokens[1], faces(2), None).await
        },
        async {
            pause(800).await;
            let r = w.submit(&tokens[2], faces(1), None).await;
            blocker.commit().await.unwrap();
            r
        },
    )
    .await;
    assert_eq!(code(&third), "RATE_LIMITED", "{third}");
    assert_eq!(third["errors"][0]["extensions"]["retryAfterSeconds"], 1);
    assert_eq!(first["data"]["submitResponse"]["accepted"], true, "{first}");
    assert_eq!(
        second["data"]["submitResponse"]["accepted"], true,
        "{second}"
    );
    assert_eq!(w.stored_responses().await, 2);
    // The refused one is simply tried again.
    let again = w.submit(&tokens[2], faces(1), None).await;
    assert_eq!(again["data"]["submitResponse"]["accepted"], true, "{again}");
}
