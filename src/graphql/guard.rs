//! Limits applied to every operation before and around its work, as one
//! async-graphql extension:
//!
//! 1. before parsing: the document's bracket nesting ([`MAX_NESTING`]) — the parser
//!    recurses once per level and would overflow the worker's stack on a few KB of
//!    `[[[[…` — and the variables' nesting and characters;
//! 2. after parsing: no string literal holds NUL or other control characters, and
//!    at most [`MAX_COSTLY_FIELDS`] costly fields (reports, closing, rebuilding);
//! 3. around execution: a slot of the [`OperationGate`](crate::ratelimit::gate::OperationGate)
//!    (costly operations: at most a few per caller) and a wall-clock limit.
//!
//! It also observes each operation: a `graphql_operation` span (name, type, caller
//! kind, duration, error codes), the operation, error and submission metrics, and
//! the stable `extensions.code` of errors async-graphql raises itself.
//!
//! Syntax errors are answered with a short message and the position, never the
//! caller's document echoed back.

use crate::auth::Actor;
use crate::auth::actor::Caller;
use crate::domain::text::first_forbidden;
use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry::metrics;
use crate::telemetry::request_id::RequestId;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
};
use async_graphql::parser::types::{Directive, OperationType};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    Name, PathSegment, Positioned, Response, ServerError, ServerResult, Variables,
};
use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Instant;
use tracing::field::Empty;
use tracing::{Instrument, Span};
// The parser's values (literals may hold `$variables`) and resolved, constant ones.
use async_graphql::Value as ConstValue;
use async_graphql_value::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Deepest nesting of `{`, `[` and `(` in a document (and of lists and objects in
/// variables). Real operations stay below 20.
pub const MAX_NESTING: usize = 64;
/// Most costly fields (see [`COSTLY_FIELDS`]) in one document, aliases included.
pub const MAX_COSTLY_FIELDS: usize = 10;
/// Fields whose work grows with the data they cover.
pub const COSTLY_FIELDS: [&str; 6] = [
    "satisfactionReport",
    "publicOverview",
    "integritySignals",
    "reportSeries",
    "closePeriod",
    "rebuildRollups",
];
/// Root fields that submit a survey response (counted accepted / refused).
pub const SUBMISSION_FIELDS: [&str; 2] = ["submitResponse", "submitOpenResponse"];

/// Deepest nesting of `{`, `[`, `(` outside strings and comments, counting stops
/// once it passes `stop_above`. Linear, no recursion, never fails: a document that
/// is not valid GraphQL is the parser's to refuse.
pub fn nesting_depth(doc: &str, stop_above: usize) -> usize {
    let b = doc.as_bytes();
    let (mut i, mut depth, mut max) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() {
                    if b[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if b[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\n' | b'\r' => break,
                        _ => i += 1,
                    }
                }
                continue;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > max {
                    max = depth;
                    if max > stop_above {
                        return max;
                    }
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    max
}

/// Checks a variables value: nesting at most [`MAX_NESTING`], no forbidden
/// characters in strings or keys. Iterative, so any input is safe.
fn check_const(v: &ConstValue, what: &str) -> Result<(), AppError> {
    let mut stack = vec![(v, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > MAX_NESTING {
            return Err(AppError::QueryLimitExceeded(format!(
                "{what} are nested deeper than {MAX_NESTING} levels"
            )));
        }
        match v {
            ConstValue::String(s) => check_string(s)?,
            ConstValue::List(l) => stack.extend(l.iter().map(|x| (x, depth + 1))),
            ConstValue::Object(o) => {
                for (k, x) in o {
                    check_string(k.as_str())?;
                    stack.push((x, depth + 1));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_string(s: &str) -> Result<(), AppError> {
    match first_forbidden(s) {
        None => Ok(()),
        Some(c) => Err(AppError::bad_input(
            "input",
            format!(
                "a string holds the control character U+{:04X}; only tab and line breaks are allowed",
                c as u32
            ),
        )),
    }
}

/// What a parsed document holds that the limits care about.
#[derive(Default)]
struct Scan {
    costly: usize,
    bad: Option<AppError>,
}

impl Scan {
    fn value(&mut self, v: &Value) {
        // Literal values are nested at most MAX_NESTING deep (checked before parsing).
        match v {
            Value::String(s) => {
                if let Err(e) = check_string(s) {
                    self.bad.get_or_insert(e);
                }
            }
            Value::List(l) => l.iter().for_each(|x| self.value(x)),
            Value::Object(o) => o.values().for_each(|x| self.value(x)),
            _ => {}
        }
    }

    fn args(&mut self, args: &[(Positioned<Name>, Positioned<Value>)]) {
        for (_, v) in args {
            self.value(&v.node);
        }
    }

    fn directives(&mut self, ds: &[Positioned<Directive>]) {
        for d in ds {
            self.args(&d.node.arguments);
        }
    }

    fn selection_set(&mut self, set: &SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    if COSTLY_FIELDS.contains(&f.node.name.node.as_str()) {
                        self.costly += 1;
                    }
                    self.args(&f.node.arguments);
                    self.directives(&f.node.directives);
                    self.selection_set(&f.node.selection_set.node);
                }
                Selection::FragmentSpread(s) => self.directives(&s.node.directives),
                Selection::InlineFragment(i) => {
                    self.directives(&i.node.directives);
                    self.selection_set(&i.node.selection_set.node);
                }
            }
        }
    }

    fn document(doc: &ExecutableDocument) -> Self {
        let mut s = Self::default();
        for (_, op) in doc.operations.iter() {
            for v in &op.node.variable_definitions {
                if let Some(d) = &v.node.default_value
                    && let Err(e) = check_const(&d.node, "default values")
                {
                    s.bad.get_or_insert(e);
                }
            }
            s.directives(&op.node.directives);
            s.selection_set(&op.node.selection_set.node);
        }
        for f in doc.fragments.values() {
            s.directives(&f.node.directives);
            s.selection_set(&f.node.selection_set.node);
        }
        s
    }
}

/// A syntax error without the caller's document: the parser's last line (what it
/// expected) and the position.
/// The limits async-graphql checks while parsing (recursion, directives) keep their
/// own short message and become `QUERY_LIMIT_EXCEEDED`.
fn short_syntax_error(mut e: ServerError) -> ServerError {
    let m = e.message.as_str();
    if m.starts_with("The recursion depth")
        || m.starts_with("The number of directives")
        || m.starts_with("recursion limit exceeded")
    {
        let mut out =
            AppError::QueryLimitExceeded(m.chars().take(200).collect()).into_server_error();
        out.locations = std::mem::take(&mut e.locations);
        return out;
    }
    let what = e
        .message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or("invalid syntax");
    let what: String = what.chars().take(200).collect();
    let msg = match e.locations.first() {
        Some(p) => format!(
            "syntax error at line {}, column {}: {what}",
            p.line, p.column
        ),
        None => format!("syntax error: {what}"),
    };
    let mut out = AppError::ParseFailed(msg).into_server_error();
    out.locations = std::mem::take(&mut e.locations);
    out
}

/// Gives every error a stable `extensions.code`: errors raised by async-graphql
/// itself (validation, limits) carry none.
pub fn add_missing_codes(resp: &mut async_graphql::Response) {
    for e in &mut resp.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if has_code {
            continue;
        }
        let m = e.message.to_ascii_lowercase();
        let code = if m.contains("too deep")
            || m.contains("too complex")
            || m.contains("directives")
            || m.contains("recursion")
        {
            "QUERY_LIMIT_EXCEEDED"
        } else {
            "GRAPHQL_VALIDATION_FAILED"
        };
        e.extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

/// The `extensions.code` of an error (all have one after [`add_missing_codes`]).
fn error_code(e: &ServerError) -> &str {
    match e.extensions.as_ref().and_then(|x| x.get("code")) {
        Some(ConstValue::String(c)) => c,
        _ => "OTHER",
    }
}

/// An operation of the document, as the span and the metrics see it.
struct OperationShape {
    name: Option<String>,
    kind: &'static str,
    /// Root fields that submit a survey response: (response key, field name).
    submissions: Vec<(String, &'static str)>,
}

impl OperationShape {
    fn of(doc: &ExecutableDocument) -> Vec<Self> {
        doc.operations
            .iter()
            .map(|(name, op)| {
                let kind = match op.node.ty {
                    OperationType::Query => "query",
                    OperationType::Mutation => "mutation",
                    OperationType::Subscription => "subscription",
                };
                let mut submissions = Vec::new();
                if op.node.ty == OperationType::Mutation {
                    submission_roots(
                        doc,
                        &op.node.selection_set.node,
                        &mut HashSet::new(),
                        &mut submissions,
                    );
                }
                Self {
                    name: name.map(|n| n.to_string()),
                    kind,
                    submissions,
                }
            })
            .collect()
    }
}

/// The root fields of a mutation that submit a response, through inline
/// fragments and (each fragment once, so cycles end) fragment spreads.
fn submission_roots<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    fragments_seen: &mut HashSet<&'d str>,
    out: &mut Vec<(String, &'static str)>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                let name = f.node.name.node.as_str();
                if let Some(field) = SUBMISSION_FIELDS.iter().find(|s| **s == name) {
                    let key = f.node.response_key().node.to_string();
                    if !out.iter().any(|(k, _)| *k == key) {
                        out.push((key, field));
                    }
                }
            }
            Selection::InlineFragment(i) => {
                submission_roots(doc, &i.node.selection_set.node, fragments_seen, out);
            }
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                if fragments_seen.insert(name)
                    && let Some(f) = doc.fragments.get(&s.node.fragment_name.node)
                {
                    submission_roots(doc, &f.node.selection_set.node, fragments_seen, out);
                }
            }
        }
    }
}

/// Whether a submission under response key `key` was refused, and with which code:
/// `None` when accepted, `Some(None)`-like cases (no answer at all) are not counted.
fn submission_outcome<'r>(resp: &'r Response, key: &str) -> Option<Option<&'r str>> {
    let at_key = resp
        .errors
        .iter()
        .find(|e| matches!(e.path.first(), Some(PathSegment::Field(k)) if k == key));
    let request_level = resp.errors.iter().find(|e| e.path.is_empty());
    if let Some(e) = at_key.or(request_level) {
        return Some(Some(error_code(e)));
    }
    match &resp.data {
        ConstValue::Object(o) if o.get(key).is_some_and(|v| *v != ConstValue::Null) => Some(None),
        _ => None,
    }
}

/// What the hooks learn about one request's operation.
#[derive(Default)]
struct Observed {
    request_id: Option<String>,
    operations: Vec<OperationShape>,
    /// The name of the operation chosen for execution, once `execute` is reached.
    executed: Option<Option<String>>,
}

impl Observed {
    /// The operation that ran, or the document's only one if none got that far.
    fn chosen(&self) -> Option<&OperationShape> {
        match &self.executed {
            Some(name) => self.operations.iter().find(|o| o.name == *name),
            None => match self.operations.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        }
    }
}

/// The operation name for logs: plain names as they are, others `other`, none `anonymous`.
fn logged_name(name: Option<&str>) -> &str {
    match name {
        None => "anonymous",
        Some(n) if metrics::is_plain_operation_name(n) => n,
        Some(_) => "other",
    }
}

/// Settings of the guard.
#[derive(Debug, Clone, Copy)]
pub struct GuardSettings {
    /// Wall-clock limit of one operation.
    pub timeout: Duration,
}

/// The guard extension (one instance per request).
pub struct Guard(pub GuardSettings);

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension {
            settings: self.0,
            costly: AtomicUsize::new(0),
            span: OnceLock::new(),
            observed: Mutex::default(),
        })
    }
}

struct GuardExtension {
    settings: GuardSettings,
    costly: AtomicUsize,
    /// This request's `graphql_operation` span.
    span: OnceLock<Span>,
    observed: Mutex<Observed>,
}

impl GuardExtension {
    fn observed(&self) -> MutexGuard<'_, Observed> {
        self.observed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, field: &str, value: &str) {
        if let Some(span) = self.span.get() {
            span.record(field, value);
        }
    }

    /// After the operation: span fields, its log line, metrics.
    fn finish(&self, span: &Span, resp: &Response, elapsed: Duration) {
        let seen = self.observed();
        let op = seen.chosen();
        let name = op.and_then(|o| o.name.as_deref());
        let kind = op.map_or("unknown", |o| o.kind);
        let codes: Vec<&str> = resp.errors.iter().map(error_code).collect();
        if seen.executed.is_none() {
            // `execute` records these when it is reached; a field recorded twice
            // would show twice in plain logs.
            span.record("operation", logged_name(name));
            span.record("operation_type", kind);
        }
        span.record("duration_ms", elapsed.as_micros() as f64 / 1000.0);
        if !codes.is_empty() {
            span.record("error_codes", codes.join(",").as_str());
        }
        span.in_scope(|| {
            if codes.contains(&"INTERNAL") {
                // The detail was logged where it happened (inside this span); this
                // line ties it to the request and operation even for a reader who
                // only greps error lines.
                tracing::error!(
                    target: "sanal::graphql",
                    request_id = seen.request_id.as_deref().unwrap_or("-"),
                    operation = logged_name(name),
                    "operation answered INTERNAL"
                );
            } else {
                tracing::info!(target: "sanal::graphql", "operation finished");
            }
        });
        metrics::graphql_operation(&metrics::operation_label(name), kind, elapsed, &codes);
        if let Some(op) = op {
            for (key, field) in &op.submissions {
                if let Some(refused) = submission_outcome(resp, key) {
                    metrics::submission(field, refused);
                }
            }
        }
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for GuardExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        // One span per operation, opened here: not with async-graphql's `Tracing`
        // extension, which opens a span per resolved field (thousands for a long
        // list, each costing an allocation and a subscriber call), and not in
        // `execute`, so that parse and validation errors and time-outs are inside
        // it too. Its parent is the request's `http_request` span, so everything
        // logged while it runs carries the request id. Fields are filled in as the
        // hooks learn them; the caller is a kind, never a person. ERROR level, so
        // it exists whenever any line is written (warnings and errors keep their
        // context under `RUST_LOG=warn`); its own line is `sanal::graphql` INFO.
        let span = tracing::error_span!(
            "graphql_operation",
            operation = Empty,
            operation_type = Empty,
            caller = Empty,
            duration_ms = Empty,
            error_codes = Empty,
        );
        let _ = self.span.set(span.clone());
        let started = Instant::now();
        let limit = self.settings.timeout;
        let run = async move {
            // A budget already spent (a zero limit) never starts the operation:
            // the timer's millisecond ticks would otherwise let a fast one finish.
            let ran = if limit.is_zero() {
                Err(())
            } else {
                tokio::time::timeout(limit, next.run(ctx))
                    .await
                    .map_err(|_| ())
            };
            match ran {
                Ok(r) => r,
                Err(()) => {
                    tracing::warn!(after_ms = limit.as_millis() as u64, "operation timed out");
                    Response::from_errors(vec![
                        AppError::Timeout {
                            after_secs: limit.as_secs().max(1),
                        }
                        .into_server_error(),
                    ])
                }
            }
        };
        let mut resp = run.instrument(span.clone()).await;
        add_missing_codes(&mut resp);
        self.finish(&span, &resp, started.elapsed());
        resp
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Request data is there from this hook on (not yet in `request`).
        let caller = ctx.data_opt::<Actor>().map(|a| match a.caller {
            Caller::Anonymous => "ANONYMOUS",
            Caller::User(_) => "USER",
            Caller::Key(_) => "API_KEY",
        });
        if let Some(c) = caller {
            self.record("caller", c);
        }
        {
            let mut seen = self.observed();
            seen.request_id = ctx.data_opt::<RequestId>().map(|r| r.as_str().to_owned());
        }
        if nesting_depth(query, MAX_NESTING) > MAX_NESTING {
            return Err(AppError::QueryLimitExceeded(format!(
                "the document is nested deeper than {MAX_NESTING} levels"
            ))
            .into_server_error());
        }
        for (name, v) in variables.iter() {
            check_string(name.as_str())
                .and_then(|_| check_const(v, "variables"))
                .map_err(AppError::into_server_error)?;
        }
        let doc = next
            .run(ctx, query, variables)
            .await
            .map_err(short_syntax_error)?;
        let scan = Scan::document(&doc);
        if let Some(e) = scan.bad {
            return Err(e.into_server_error());
        }
        if scan.costly > MAX_COSTLY_FIELDS {
            return Err(AppError::QueryLimitExceeded(format!(
                "at most {MAX_COSTLY_FIELDS} reports (or other costly fields) in one request"
            ))
            .into_server_error());
        }
        self.costly.store(scan.costly, Ordering::Relaxed);
        self.observed().operations = OperationShape::of(&doc);
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let (name, kind) = {
            let mut seen = self.observed();
            seen.executed = Some(operation_name.map(str::to_owned));
            let kind = seen.chosen().map_or("unknown", |o| o.kind);
            (logged_name(operation_name).to_owned(), kind)
        };
        // Before the resolvers run, so what they log names the operation.
        self.record("operation", &name);
        self.record("operation_type", kind);
        let (Ok(state), Ok(actor)) = (ctx.data::<AppState>(), ctx.data::<Actor>()) else {
            return next.run(ctx, operation_name).await;
        };
        let costly = self.costly.load(Ordering::Relaxed) > 0;
        let slot = match state.gate.enter(&actor.throttle_key(), costly).await {
            Ok(s) => s,
            Err(e) => return Response::from_errors(vec![e.into_server_error()]),
        };
        let resp = next.run(ctx, operation_name).await;
        drop(slot);
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_braces_and_parentheses() {
        assert_eq!(nesting_depth("{ a { b(x: [1, {y: 2}]) } }", 100), 5);
        assert_eq!(nesting_depth("", 100), 0);
        assert_eq!(nesting_depth("}}}]]] {", 100), 1);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let doc = "{ a(s: \"[[[[{{\\\"[[\", t: \"\"\"[[[ \\\"\"\" [[[\"\"\") # [[[[[[\n }";
        assert_eq!(nesting_depth(doc, 100), 2);
    }

    #[test]
    fn counting_stops_just_past_the_limit() {
        let deep = "[".repeat(1_000_000);
        assert_eq!(nesting_depth(&deep, 64), 65);
    }

    #[test]
    fn deep_variables_are_refused_without_recursion() {
        let mut v = ConstValue::Null;
        for _ in 0..100_000 {
            v = ConstValue::List(vec![v]);
        }
        assert!(matches!(
            check_const(&v, "variables"),
            Err(AppError::QueryLimitExceeded(_))
        ));
        // Dropping a value this deep recurses in its destructor: take it apart first.
        let mut cur = v;
        while let ConstValue::List(mut l) = cur {
            cur = l.pop().unwrap_or(ConstValue::Null);
        }
    }

    fn shapes(doc: &str) -> Vec<OperationShape> {
        OperationShape::of(&async_graphql::parser::parse_query(doc).unwrap())
    }

    #[test]
    fn submissions_are_found_under_aliases_inline_fragments_and_fragments_even_cyclic_ones() {
        let ops = shapes(
            "mutation Send { a: submitResponse(input: {}) { accepted } ... on MutationRoot { submitOpenResponse(input: {}) { accepted } } ...F }
             fragment F on MutationRoot { b: submitResponse(input: {}) { accepted } ...G }
             fragment G on MutationRoot { ...F login(email: \"\", password: \"\") { accessToken } }
             query Read { submitResponse }",
        );
        let send = ops
            .iter()
            .find(|o| o.name.as_deref() == Some("Send"))
            .unwrap();
        assert_eq!(send.kind, "mutation");
        let found: Vec<(&str, &str)> = send
            .submissions
            .iter()
            .map(|(k, f)| (k.as_str(), *f))
            .collect();
        assert_eq!(
            found,
            [
                ("a", "submitResponse"),
                ("submitOpenResponse", "submitOpenResponse"),
                ("b", "submitResponse")
            ]
        );
        let read = ops
            .iter()
            .find(|o| o.name.as_deref() == Some("Read"))
            .unwrap();
        assert_eq!(read.kind, "query");
        assert!(read.submissions.is_empty());
    }

    #[test]
    fn a_submission_is_refused_with_the_code_at_its_key_or_of_the_whole_request() {
        let mut refused = AppError::AlreadyResponded.into_server_error();
        refused.path = vec![PathSegment::Field("a".into())];
        let mut data = async_graphql::indexmap::IndexMap::new();
        data.insert(Name::new("b"), ConstValue::Boolean(true));
        data.insert(Name::new("a"), ConstValue::Null);
        let mut resp = Response::new(ConstValue::Object(data));
        resp.errors.push(refused);
        assert_eq!(
            submission_outcome(&resp, "a"),
            Some(Some("ALREADY_RESPONDED"))
        );
        assert_eq!(submission_outcome(&resp, "b"), Some(None));
        assert_eq!(submission_outcome(&resp, "c"), None);
        let timed_out = Response::from_errors(vec![
            AppError::Timeout { after_secs: 30 }.into_server_error(),
        ]);
        assert_eq!(submission_outcome(&timed_out, "a"), Some(Some("TIMEOUT")));
    }

    #[test]
    fn control_characters_in_variables_are_refused() {
        let v = ConstValue::String("a\u{0}b".into());
        assert!(matches!(
            check_const(&v, "variables"),
            Err(AppError::BadUserInput { .. })
        ));
    }
}
