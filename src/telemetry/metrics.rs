//! Prometheus metrics through the `metrics` facade and
//! `metrics-exporter-prometheus`, rendered by `GET /metrics`.
//!
//! There is one recorder per process (the facade's global): it is installed the
//! first time [`handle`] is called and shared by every application in the process
//! (tests start many). Values therefore only grow across applications; tests assert
//! on increases. Labels are bounded: routes are the registered patterns, operation
//! names are checked and capped ([`operation_label`]), error codes are the API's
//! stable codes.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// HTTP requests by `method`, `route` (the registered pattern, or `unmatched`) and `status`.
pub const HTTP_REQUESTS: &str = "sanal_http_requests_total";
/// HTTP request latency, same labels.
pub const HTTP_DURATION: &str = "sanal_http_request_duration_seconds";
/// GraphQL operations by `operation` (name, `anonymous` or `other`) and `type`
/// (`query`, `mutation`, `subscription`, `unknown` when the document never got that far).
pub const GRAPHQL_OPERATIONS: &str = "sanal_graphql_operations_total";
/// GraphQL operation latency, same labels.
pub const GRAPHQL_DURATION: &str = "sanal_graphql_operation_duration_seconds";
/// GraphQL errors by `code` (the stable `extensions.code`).
pub const GRAPHQL_ERRORS: &str = "sanal_graphql_errors_total";
/// Survey submissions accepted, by `field` (`submitResponse`, `submitOpenResponse`).
pub const SUBMISSIONS_ACCEPTED: &str = "sanal_submissions_accepted_total";
/// Survey submissions refused, by `field` and `code`.
pub const SUBMISSIONS_REFUSED: &str = "sanal_submissions_refused_total";
/// Database pool connections by `state` (`in_use`, `idle`), read at scrape time.
pub const DB_POOL_CONNECTIONS: &str = "sanal_db_pool_connections";
/// Configured size of the database pool.
pub const DB_POOL_MAX: &str = "sanal_db_pool_max_connections";
/// Resident memory of the process (Linux), read at scrape time.
pub const PROCESS_RSS: &str = "process_resident_memory_bytes";
/// Counter: database statements, by outcome.
pub const DB_STATEMENTS: &str = "sanal_db_statements_total";
/// Histogram: database statement latency.
pub const DB_STATEMENT_DURATION: &str = "sanal_db_statement_duration_seconds";

/// Histogram: submissions per group commit of the response writer.
pub const GROUP_SIZE: &str = "sanal_submit_group_size";
/// Histogram: time to store one group (its transaction, fsync included).
pub const GROUP_DURATION: &str = "sanal_submit_group_duration_seconds";
/// Counter: submissions refused because the writer's queue was full.
pub const SUBMIT_QUEUE_FULL: &str = "sanal_submit_queue_full_total";

/// Most distinct operation names given a label of their own; later ones count as `other`.
pub const MAX_OPERATION_NAMES: usize = 200;
/// Longest operation name given a label of its own.
pub const MAX_OPERATION_NAME_LEN: usize = 64;

/// Latency buckets (seconds), from a cached read to the operation time limit.
const BUCKETS: [f64; 14] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// How often histogram samples are folded into their buckets when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
static OPERATION_NAMES: OnceLock<OperationNames> = OnceLock::new();

/// The process's recorder, installed on first use (idempotent, never fails: if
/// another recorder was installed first, this one still renders, empty).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new();
        let builder = match builder.set_buckets_for_metric(
            Matcher::Suffix("_duration_seconds".into()),
            &BUCKETS,
        ) {
            Ok(b) => b,
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if let Err(e) = metrics::set_global_recorder(recorder) {
            tracing::warn!(error = %e, "another metrics recorder is installed; /metrics stays empty");
        }
        describe();
        // Histogram samples wait in per-metric queues until upkeep folds them into
        // buckets; without it (and with nobody scraping) they would grow forever.
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the metrics upkeep thread");
        }
        handle
    })
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(HTTP_REQUESTS, "HTTP requests by method, route and status");
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "HTTP request latency by method, route and status"
    );
    describe_counter!(
        GRAPHQL_OPERATIONS,
        "GraphQL operations by operation name and type"
    );
    describe_histogram!(
        GRAPHQL_DURATION,
        Unit::Seconds,
        "GraphQL operation latency by operation name and type"
    );
    describe_counter!(GRAPHQL_ERRORS, "GraphQL errors by extensions.code");
    describe_counter!(
        SUBMISSIONS_ACCEPTED,
        "survey submissions accepted, by root field"
    );
    describe_counter!(
        SUBMISSIONS_REFUSED,
        "survey submissions refused, by root field and error code"
    );
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "database pool connections by state (in_use, idle)"
    );
    describe_gauge!(DB_POOL_MAX, "configured size of the database pool");
    describe_counter!(DB_STATEMENTS, "database statements by outcome (ok, failed)");
    describe_histogram!(
        DB_STATEMENT_DURATION,
        Unit::Seconds,
        "database statement latency"
    );
    describe_gauge!(PROCESS_RSS, Unit::Bytes, "resident memory of the process");
    describe_histogram!(GROUP_SIZE, "submissions per group commit");
    describe_histogram!(
        GROUP_DURATION,
        Unit::Seconds,
        "time to store one group of submissions, fsync included"
    );
    describe_counter!(
        SUBMIT_QUEUE_FULL,
        "submissions refused (RATE_LIMITED) because the writer's queue was full"
    );
}

/// One HTTP request answered.
pub fn http_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    // Clients may send any method token: only the standard ones get a label.
    const METHODS: [&str; 9] = [
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT",
    ];
    let method = if METHODS.contains(&method) {
        method
    } else {
        "OTHER"
    };
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_DURATION, &labels).record(elapsed.as_secs_f64());
}

/// One GraphQL operation finished, with the codes of its errors.
pub fn graphql_operation(operation: &str, kind: &str, elapsed: Duration, codes: &[&str]) {
    let labels = [
        ("operation", operation.to_owned()),
        ("type", kind.to_owned()),
    ];
    metrics::counter!(GRAPHQL_OPERATIONS, &labels).increment(1);
    metrics::histogram!(GRAPHQL_DURATION, &labels).record(elapsed.as_secs_f64());
    for code in codes {
        metrics::counter!(GRAPHQL_ERRORS, "code" => code_label(code)).increment(1);
    }
}

/// One database statement run.
pub fn db_statement(elapsed: Duration, failed: bool) {
    let outcome = if failed { "failed" } else { "ok" };
    metrics::counter!(DB_STATEMENTS, "outcome" => outcome).increment(1);
    metrics::histogram!(DB_STATEMENT_DURATION).record(elapsed.as_secs_f64());
}

/// One group of `size` submissions stored by the response writer.
pub fn group_committed(size: usize, elapsed: Duration) {
    metrics::histogram!(GROUP_SIZE).record(size as f64);
    metrics::histogram!(GROUP_DURATION).record(elapsed.as_secs_f64());
}

/// A submission refused because the writer's queue was full.
pub fn submit_queue_full() {
    metrics::counter!(SUBMIT_QUEUE_FULL).increment(1);
}

/// One survey submission through `field`: accepted, or refused with a code.
pub fn submission(field: &'static str, refused_with: Option<&str>) {
    match refused_with {
        None => metrics::counter!(SUBMISSIONS_ACCEPTED, "field" => field).increment(1),
        Some(code) => {
            metrics::counter!(SUBMISSIONS_REFUSED, "field" => field, "code" => code_label(code))
                .increment(1);
        }
    }
}

/// An error code as a label: the API's codes are `[A-Z_]`; anything else is `OTHER`.
pub fn code_label(code: &str) -> String {
    let ok =
        (1..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    if ok { code.to_owned() } else { "OTHER".into() }
}

/// Whether an operation name may be a label: `[A-Za-z][A-Za-z0-9_]{0,63}`.
pub fn is_plain_operation_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_OPERATION_NAME_LEN
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// The label of an operation name, bounded: no name → `anonymous`; a name that is
/// not plain, or beyond the first [`MAX_OPERATION_NAMES`] distinct ones → `other`.
pub fn operation_label(name: Option<&str>) -> String {
    OPERATION_NAMES
        .get_or_init(|| OperationNames::new(MAX_OPERATION_NAMES))
        .label(name)
}

/// The operation names that have a label of their own, at most `cap` of them.
struct OperationNames {
    seen: Mutex<HashSet<String>>,
    cap: usize,
}

impl OperationNames {
    fn new(cap: usize) -> Self {
        Self {
            seen: Mutex::new(HashSet::new()),
            cap,
        }
    }

    fn label(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".into();
        };
        if !is_plain_operation_name(name) {
            return "other".into();
        }
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.contains(name) || seen.len() < self.cap {
            seen.insert(name.to_owned());
            return name.to_owned();
        }
        "other".into()
    }
}

/// Reads the gauges that are sampled rather than counted (pool, memory) and
/// renders everything in the Prometheus text format.
pub fn render(pool: (u32, u32), pool_max: u32) -> String {
    let handle = handle();
    let (size, idle) = pool;
    metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(DB_POOL_MAX).set(f64::from(pool_max));
    if let Some(rss) = resident_bytes() {
        metrics::gauge!(PROCESS_RSS).set(rss as f64);
    }
    handle.render()
}

/// `VmRSS` of this process, where `/proc` has it.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unnamed_and_odd_operation_names_get_shared_labels() {
        let names = OperationNames::new(10);
        assert_eq!(names.label(None), "anonymous");
        assert_eq!(names.label(Some("_private")), "other");
        assert_eq!(names.label(Some("a-b")), "other");
        assert_eq!(names.label(Some(&"A".repeat(65))), "other");
        assert_eq!(names.label(Some(&"A".repeat(64))), "A".repeat(64));
        assert_eq!(names.label(Some("SubmitSurvey")), "SubmitSurvey");
    }

    #[test]
    fn only_the_first_distinct_names_up_to_the_cap_get_a_label_of_their_own() {
        let names = OperationNames::new(MAX_OPERATION_NAMES);
        for i in 0..(MAX_OPERATION_NAMES + 50) {
            names.label(Some(&format!("Flood{i}")));
        }
        assert_eq!(names.label(Some("NeverSeenBefore")), "other");
        assert_eq!(names.label(Some("Flood0")), "Flood0");
        assert_eq!(names.label(Some("Flood199")), "Flood199");
        assert_eq!(names.label(Some("Flood200")), "other");
    }

    #[test]
    fn codes_that_are_not_ours_become_other() {
        assert_eq!(code_label("BAD_USER_INPUT"), "BAD_USER_INPUT");
        assert_eq!(code_label("bad"), "OTHER");
        assert_eq!(code_label(""), "OTHER");
    }
}
