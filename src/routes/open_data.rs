//! `GET /open-data/…`: the public datasets as CSV and JSON and their Frictionless
//! data package, with `ETag` / `Last-Modified` validators, conditional GET (304)
//! and `Cache-Control`. Files are streamed a page of rows at a time, so memory
//! does not grow with the number of rows.

use crate::services::open_data::{self as svc, Cursor, Dataset, Version};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED,
};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

/// How long caches may keep an answer without asking again.
const MAX_AGE: &str = "public, max-age=300";

fn problem(status: StatusCode, code: &str, detail: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/problem+json"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(
            json!({ "type": "about:blank", "status": status.as_u16(), "title": detail, "code": code })
                .to_string(),
        )
}

/// The HTTP date of an instant (RFC 7231 IMF-fixdate).
fn http_date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether the client's copy is current: `If-None-Match` first, else
/// `If-Modified-Since` (to the second).
fn not_modified(
    req: &HttpRequest,
    etag: &str,
    changed: Option<chrono::DateTime<chrono::Utc>>,
) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(tags) = header(IF_NONE_MATCH) {
        return tags.split(',').any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        });
    }
    match (header(IF_MODIFIED_SINCE), changed) {
        (Some(since), Some(changed)) => chrono::DateTime::parse_from_rfc2822(since)
            .is_ok_and(|s| changed.timestamp() <= s.timestamp()),
        _ => false,
    }
}

/// The 304 answer when the client's copy is current.
fn revalidated(req: &HttpRequest, etag: &str, v: Version) -> Option<HttpResponse> {
    not_modified(req, etag, v.changed).then(|| {
        HttpResponse::NotModified()
            .insert_header((ETAG, etag.to_owned()))
            .insert_header((CACHE_CONTROL, MAX_AGE))
            .finish()
    })
}

/// A 200 answer with the dataset's validators.
fn validated(etag: &str, v: Version) -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::Ok();
    b.insert_header((ETAG, etag.to_owned()))
        .insert_header((CACHE_CONTROL, MAX_AGE));
    if let Some(t) = v.changed {
        b.insert_header((LAST_MODIFIED, http_date(t)));
    }
    b
}

/// `GET /open-data/`: the datasets, with their files.
pub async fn index(state: web::Data<AppState>) -> HttpResponse {
    let datasets: Vec<_> = Dataset::ALL
        .iter()
        .map(|d| {
            json!({
                "name": d.name(),
                "title": d.title(),
                "description": d.description(),
                "csv": format!("{}.csv", d.name()),
                "json": format!("{}.json", d.name()),
            })
        })
        .collect();
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, MAX_AGE))
        .body(
            json!({
                "datapackage": "datapackage.json",
                "license": "CC-BY-4.0",
                "suppression": svc::suppression_rule(state.config.suppression_threshold),
                "datasets": datasets,
            })
            .to_string(),
        )
}

/// `GET /open-data/datapackage.json`: the Frictionless data package.
pub async fn package(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, MAX_AGE))
        .body(svc::datapackage(state.config.suppression_threshold).to_string())
}

/// CSV or JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

/// What the stream has still to send.
struct Progress {
    state: web::Data<AppState>,
    dataset: Dataset,
    format: Format,
    cursor: Option<Cursor>,
    first_row: bool,
    started: bool,
}

/// The next piece of the file: the header (CSV) or `[` (JSON) first, then one
/// page of rows at a time, then `]`.
async fn next_piece(mut p: Progress) -> Option<(Result<Bytes, actix_web::Error>, Progress)> {
    let fields = p.dataset.fields();
    if !p.started {
        p.started = true;
        let head = match p.format {
            Format::Csv => svc::csv_record(fields.iter().map(|f| f.name.to_owned())),
            Format::Json => "[".to_owned(),
        };
        return Some((Ok(Bytes::from(head)), p));
    }
    let cursor = p.cursor.take()?;
    let chunk = match svc::page(&p.state, p.dataset, cursor).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, dataset = p.dataset.name(), "open data page failed");
            return Some((
                Err(actix_web::error::ErrorInternalServerError(
                    "open data page failed",
                )),
                p,
            ));
        }
    };
    let mut out = String::new();
    for row in &chunk.rows {
        match p.format {
            Format::Csv => out.push_str(&svc::csv_record(row.iter().map(svc::Cell::csv))),
            Format::Json => {
                if !p.first_row {
                    out.push(',');
                }
                p.first_row = false;
                let obj: serde_json::Map<String, serde_json::Value> = fields
                    .iter()
                    .zip(row)
                    .map(|(f, c)| (f.name.to_owned(), c.json()))
                    .collect();
                out.push_str(&serde_json::Value::Object(obj).to_string());
            }
        }
    }
    p.cursor = chunk.next;
    if p.cursor.is_none() && p.format == Format::Json {
        out.push(']');
    }
    Some((Ok(Bytes::from(out)), p))
}

/// `GET /open-data/{name}.csv` and `.json`.
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> HttpResponse {
    let (name, format) = match file.rsplit_once('.') {
        Some((n, "csv")) => (n, Format::Csv),
        Some((n, "json")) => (n, Format::Json),
        _ => return problem(StatusCode::NOT_FOUND, "NOT_FOUND", "no such file"),
    };
    let Some(dataset) = Dataset::parse(name) else {
        return problem(StatusCode::NOT_FOUND, "NOT_FOUND", "no such dataset");
    };
    let version = match svc::version(&state, dataset).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "open data version failed");
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "try again later",
            );
        }
    };
    let ext = if format == Format::Csv { "csv" } else { "json" };
    let etag = version.etag(dataset, ext);
    if let Some(current) = revalidated(&req, &etag, version) {
        return current;
    }
    let mut ok = validated(&etag, version);
    let progress = Progress {
        state,
        dataset,
        format,
        cursor: Some(Cursor::default()),
        first_row: true,
        started: false,
    };
    let body = futures_util::stream::unfold(progress, next_piece);
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8; header=present",
        Format::Json => "application/json",
    };
    ok.insert_header((CONTENT_TYPE, content_type))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("inline; filename=\"{}.{ext}\"", dataset.name()),
        ))
        .streaming(body)
}
