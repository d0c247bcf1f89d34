//! What a request did: request ids, tracing spans, log format and Prometheus metrics.
//!
//! - [`request_id`]: the id of each HTTP request, from `X-Request-Id` or generated;
//! - [`http`]: the middleware that gives each request its id, an `http_request`
//!   span (the parent of everything logged while serving it) and its metrics;
//! - the `graphql_operation` span and the operation metrics live in the guard
//!   extension ([`crate::graphql::guard`]);
//! - [`metrics`]: the process's Prometheus recorder and the metric names;
//! - this module: the log subscriber (`SANAL_LOG_FORMAT`, `RUST_LOG`, `NO_COLOR`).

pub mod http;
pub mod metrics;
pub mod request_id;

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// `RUST_LOG` when it is unset or unreadable.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// How log lines are written (`SANAL_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    Text,
    /// One JSON object per line, with the fields of the event and of its spans.
    Json,
}

impl LogFormat {
    /// `text` (or unset) or `json`.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("" | "text" | "plain") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!(
                "SANAL_LOG_FORMAT: expected text or json, got {other:?}"
            )),
        }
    }
}

/// Colours only for a person at a terminal who has not set `NO_COLOR` (any
/// non-empty value, <https://no-color.org>).
pub fn use_colour(no_color: Option<&str>, is_terminal: bool) -> bool {
    is_terminal && no_color.is_none_or(str::is_empty)
}

/// The log subscriber: `filter` decides what is written, `format` how, to `writer`.
pub fn subscriber<W>(
    format: LogFormat,
    colour: bool,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        // The current span and the whole span list carry the request id and the
        // operation into every record.
        LogFormat::Json => Box::new(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(true)
                .finish(),
        ),
        LogFormat::Text => Box::new(builder.with_ansi(colour).finish()),
    }
}

/// Installs the process's log subscriber from the environment: `SANAL_LOG_FORMAT`,
/// `RUST_LOG` (default [`DEFAULT_FILTER`]) and `NO_COLOR`; lines go to stdout.
pub fn init_logs_from_env() -> Result<(), String> {
    use std::io::IsTerminal;
    let format = LogFormat::parse(std::env::var("SANAL_LOG_FORMAT").ok().as_deref())?;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let colour = use_colour(
        std::env::var("NO_COLOR").ok().as_deref(),
        std::io::stdout().is_terminal(),
    );
    tracing::subscriber::set_global_default(subscriber(format, colour, filter, std::io::stdout))
        .map_err(|e| format!("installing the log subscriber: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};

    /// Log lines written into memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Captured;
        fn make_writer(&'w self) -> Captured {
            self.clone()
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    /// What a failing GraphQL request logs: an internal error deep in a service,
    /// inside the request's and the operation's spans.
    fn log_an_internal_error(format: LogFormat) -> String {
        let out = Captured::default();
        let sub = subscriber(format, false, EnvFilter::new("info"), out.clone());
        tracing::subscriber::with_default(sub, || {
            let request = tracing::info_span!(
                "http_request",
                method = %"POST",
                path = %"/graphql",
                request_id = %"req-42",
                status = tracing::field::Empty,
            );
            let _r = request.enter();
            let operation = tracing::info_span!(
                "graphql_operation",
                operation = "SubmitSurvey",
                operation_type = "mutation",
                caller = "ANONYMOUS",
            );
            let _o = operation.enter();
            let _ = crate::error::AppError::internal("database: disk I/O error");
        });
        out.text()
    }

    #[test]
    fn json_logs_are_one_object_per_line_with_the_request_id_of_their_span() {
        let text = log_an_internal_error(LogFormat::Json);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["level"], "ERROR");
        assert_eq!(v["target"], "sanal::error");
        assert_eq!(v["fields"]["message"], "internal error");
        assert_eq!(v["fields"]["error"], "database: disk I/O error");
        assert_eq!(v["spans"][0]["name"], "http_request");
        assert_eq!(v["spans"][0]["request_id"], "req-42");
        assert_eq!(v["spans"][1]["operation"], "SubmitSurvey");
        assert_eq!(v["span"]["caller"], "ANONYMOUS");
        assert!(v["timestamp"].is_string());
    }

    #[test]
    fn plain_logs_name_the_request_id_and_have_no_colours_when_asked() {
        let text = log_an_internal_error(LogFormat::Text);
        assert!(text.contains("request_id=req-42"), "{text}");
        assert!(text.contains(r#"operation="SubmitSurvey""#), "{text}");
        assert!(text.contains("internal error"), "{text}");
        assert!(!text.contains('\u{1b}'), "ANSI escape in {text:?}");
    }

    #[test]
    fn the_log_format_is_text_unless_json_is_asked_for() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" JSON ")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("xml")).is_err());
    }

    #[test]
    fn colours_only_at_a_terminal_without_no_color() {
        assert!(use_colour(None, true));
        assert!(use_colour(Some(""), true));
        assert!(!use_colour(Some("1"), true));
        assert!(!use_colour(None, false));
    }
}
