//! Open data: the public results as datasets — CSV (UTF-8, RFC 4180, stable column
//! names) and JSON — described by a Frictionless Data Package.
//!
//! Every dataset is read in pages of [`PAGE`] rows by key, so serving one holds a
//! page in memory whatever the size of the database. Only what is public anywhere
//! else is here: published conclusions (suppressed for the public), published
//! scorecards, improvement actions past `PROPOSED`, counts of suggestions and
//! published NGO evaluations. A suppressed figure is an empty cell with
//! `suppressed` true, never a number.

use crate::auth::secrets::sha256_hex;
use crate::domain::LocalizedText;
use crate::domain::figures::FigureSet;
use crate::domain::scorecard::{Card, ScorecardStatus};
use crate::domain::vocab::{
    ActionStatus, ConclusionStatus, EvaluationStatus, ScopeKind, SuggestionStatus,
};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::{
    conclusion, improvement_action as ia, indicator_framework as fw, institution, ngo,
    ngo_evaluation, scorecard, service, suggestion,
};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Rows read per page.
pub const PAGE: u64 = 500;

/// Conclusions read per page of `satisfaction` (each a frozen snapshot of tens of
/// kilobytes that makes some twenty rows): what bounds the memory of serving it.
pub const CONCLUSION_PAGE: u64 = 50;

/// A Table Schema field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Str,
    /// Whole number.
    Int,
    /// Decimal number.
    Num,
    /// true / false.
    Bool,
    /// ISO date.
    Date,
    /// ISO instant.
    Time,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Str => "string",
            Kind::Int => "integer",
            Kind::Num => "number",
            Kind::Bool => "boolean",
            Kind::Date => "date",
            Kind::Time => "datetime",
        }
    }
}

/// One column: stable name, type, description and unit.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Column name.
    pub name: &'static str,
    /// Type.
    pub kind: Kind,
    /// What it holds.
    pub description: &'static str,
    /// Unit (empty when none).
    pub unit: &'static str,
}

const fn f(name: &'static str, kind: Kind, description: &'static str, unit: &'static str) -> Field {
    Field {
        name,
        kind,
        description,
        unit,
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty (unknown, not applicable or suppressed).
    Null,
    /// Text.
    Str(String),
    /// Whole number.
    Int(i64),
    /// Decimal number.
    Num(f64),
    /// true / false.
    Bool(bool),
    /// Date.
    Date(NaiveDate),
    /// Instant.
    Time(DateTime<Utc>),
}

impl Cell {
    /// The CSV text (empty for `Null`).
    pub fn csv(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Str(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Num(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Time(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    /// The JSON value.
    pub fn json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Str(s) => json!(s),
            Cell::Int(i) => json!(i),
            Cell::Num(n) => json!(n),
            Cell::Bool(b) => json!(b),
            Cell::Date(_) | Cell::Time(_) => json!(self.csv()),
        }
    }
}

fn s(v: impl Into<String>) -> Cell {
    Cell::Str(v.into())
}
fn opt_num(v: Option<f64>) -> Cell {
    v.map_or(Cell::Null, Cell::Num)
}
fn opt_int(v: Option<u64>) -> Cell {
    v.map_or(Cell::Null, |n| {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    })
}
fn opt_date(v: Option<NaiveDate>) -> Cell {
    v.map_or(Cell::Null, Cell::Date)
}

/// The datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// Figures of published conclusions.
    Satisfaction,
    /// Published scorecards.
    Scorecards,
    /// Improvement actions (public fields).
    ImprovementActions,
    /// Suggestions and requests per institution and month.
    SuggestionStatistics,
    /// Published NGO evaluations.
    NgoEvaluations,
}

/// The suppression rule, as the data package states it.
pub fn suppression_rule(threshold: u64) -> String {
    format!(
        "A figure computed from fewer than {threshold} answers is not published: its number \
         columns are empty and `suppressed` is true. So is any figure that would reveal a \
         withheld one by addition or subtraction (complementary suppression: when one part of \
         a total is withheld, so is another), within a conclusion and across the conclusions of \
         a period (an institution's figure is the sum of its services' and sub-institutions'), \
         checked so that no withheld figure is a linear combination of published ones. Counts \
         of responses are published as in every conclusion. Suggestion shares rest on at least \
         {threshold} suggestions."
    )
}

impl Dataset {
    /// Every dataset, in the order the index lists them.
    pub const ALL: [Dataset; 5] = [
        Dataset::Satisfaction,
        Dataset::Scorecards,
        Dataset::ImprovementActions,
        Dataset::SuggestionStatistics,
        Dataset::NgoEvaluations,
    ];

    /// Stable name (the file name without extension).
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Satisfaction => "satisfaction",
            Dataset::Scorecards => "scorecards",
            Dataset::ImprovementActions => "improvement_actions",
            Dataset::SuggestionStatistics => "suggestion_statistics",
            Dataset::NgoEvaluations => "ngo_evaluations",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Title.
    pub fn title(self) -> &'static str {
        match self {
            Dataset::Satisfaction => {
                "Citizens' satisfaction by institution, service and period (published conclusions)"
            }
            Dataset::Scorecards => "Institution scorecards (published)",
            Dataset::ImprovementActions => "Improvement actions of institutions",
            Dataset::SuggestionStatistics => {
                "Citizens' suggestions and requests per institution and month"
            }
            Dataset::NgoEvaluations => "Published NGO evaluations of public services",
        }
    }

    /// What one row is.
    pub fn description(self) -> &'static str {
        match self {
            Dataset::Satisfaction => {
                "One row per figure of the newest published revision of each conclusion: the \
                 SKM index, each of the commitment's dimensions and each driver, per origin \
                 (INVITED, OPEN, COMBINED and their provenances)."
            }
            Dataset::Scorecards => {
                "One row per published scorecard: institution, period, framework version, each \
                 component's status, score and weight, the total and the rank among peers of \
                 the same institution kind."
            }
            Dataset::ImprovementActions => {
                "One row per improvement action past PROPOSED: what the institution does about \
                 its findings and citizens' suggestions, with its dates."
            }
            Dataset::SuggestionStatistics => {
                "One row per institution and month of receipt: suggestions and requests received, \
                 answered, and answered within the deadline."
            }
            Dataset::NgoEvaluations => {
                "One row per published evaluation by an accredited NGO: institution, period, \
                 score on 0-100, and whether the institution responded."
            }
        }
    }

    /// Its columns.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Dataset::Satisfaction => SATISFACTION_FIELDS,
            Dataset::Scorecards => SCORECARD_FIELDS,
            Dataset::ImprovementActions => ACTION_FIELDS,
            Dataset::SuggestionStatistics => SUGGESTION_FIELDS,
            Dataset::NgoEvaluations => EVALUATION_FIELDS,
        }
    }
}

use Kind::{Bool, Date, Int, Num, Str, Time};

const SATISFACTION_FIELDS: &[Field] = &[
    f("period_kind", Str, "MONTH, QUARTER, HALF_YEAR or YEAR.", ""),
    f(
        "period_start",
        Date,
        "First day of the period (Asia/Ulaanbaatar).",
        "",
    ),
    f("period_end", Date, "Last day of the period.", ""),
    f(
        "scope",
        Str,
        "INSTITUTION (with its sub-institutions) or SERVICE.",
        "",
    ),
    f(
        "institution_code",
        Str,
        "Code of the institution (of the service).",
        "",
    ),
    f(
        "service_code",
        Str,
        "Code of the service (SERVICE scope only).",
        "",
    ),
    f(
        "revision",
        Int,
        "Revision of the conclusion (late data makes a new one).",
        "",
    ),
    f(
        "origin",
        Str,
        "Which responses: INVITED, OPEN, COMBINED, HEADLINE or a provenance.",
        "",
    ),
    f("measure", Str, "SKM_INDEX, DIMENSION or DRIVER.", ""),
    f(
        "subject",
        Str,
        "The dimension or driver (empty for SKM_INDEX).",
        "",
    ),
    f(
        "suppressed",
        Bool,
        "Withheld from the public: its number columns are empty.",
        "",
    ),
    f(
        "n",
        Int,
        "Answers behind the figure (not applicable excluded).",
        "answers",
    ),
    f("top_box_share", Num, "Top-box share.", "fraction 0-1"),
    f(
        "top_box_low",
        Num,
        "Lower bound of the 95% Wilson interval.",
        "fraction 0-1",
    ),
    f(
        "top_box_high",
        Num,
        "Upper bound of the 95% Wilson interval.",
        "fraction 0-1",
    ),
    f(
        "mean",
        Num,
        "Mean answer (DIMENSION: normalised to 0-100 on each question's scale).",
        "scale points; 0-100 for dimensions",
    ),
    f(
        "skm_index",
        Num,
        "SKM index (SKM_INDEX only).",
        "index 25-100",
    ),
    f("skm_grade", Str, "SKM grade A-D (SKM_INDEX only).", ""),
    f(
        "responses",
        Int,
        "Responses of the conclusion (invited and open channel).",
        "responses",
    ),
    f(
        "content_hash",
        Str,
        "SHA-256 of the conclusion's canonical content.",
        "",
    ),
];

const SCORECARD_FIELDS: &[Field] = &[
    f("period_kind", Str, "QUARTER, HALF_YEAR or YEAR.", ""),
    f("period_start", Date, "First day of the period.", ""),
    f("period_end", Date, "Last day of the period.", ""),
    f(
        "institution_code",
        Str,
        "Code of the institution (with its sub-institutions).",
        "",
    ),
    f(
        "institution_kind",
        Str,
        "Peer group: MINISTRY, AGENCY, LOCAL_UNIT or OTHER.",
        "",
    ),
    f("framework", Str, "Key of the indicator framework.", ""),
    f(
        "framework_version",
        Int,
        "Version of the indicator framework.",
        "",
    ),
    f(
        "component",
        Str,
        "SATISFACTION, COVERAGE, IMPROVEMENT, RESPONSIVENESS or INDEPENDENT_EVALUATION.",
        "",
    ),
    f(
        "component_status",
        Str,
        "SCORED or INSUFFICIENT_DATA (left out, weights renormalised).",
        "",
    ),
    f(
        "component_n",
        Int,
        "Amount of data behind the component.",
        "",
    ),
    f(
        "component_score",
        Num,
        "Score of the component.",
        "score 0-100",
    ),
    f("weight", Num, "Framework weight.", "fraction 0-1"),
    f(
        "applied_weight",
        Num,
        "Weight after renormalising over the components with data.",
        "fraction 0-1",
    ),
    f(
        "contribution",
        Num,
        "applied_weight x component_score.",
        "score points",
    ),
    f("total", Num, "Total of the scorecard.", "score 0-100"),
    f("rank", Int, "Rank among peers (empty: not ranked).", ""),
    f(
        "peers",
        Int,
        "Scorecards of the same kind, period and framework.",
        "",
    ),
    f(
        "content_hash",
        Str,
        "SHA-256 of the scorecard's canonical content.",
        "",
    ),
];

const ACTION_FIELDS: &[Field] = &[
    f("id", Str, "Action id.", ""),
    f(
        "institution_code",
        Str,
        "Code of the institution acting.",
        "",
    ),
    f(
        "status",
        Str,
        "PLANNED, IN_PROGRESS, COMPLETED, VERIFIED or CANCELLED.",
        "",
    ),
    f("title_mn", Str, "Title in Mongolian.", ""),
    f(
        "title_en",
        Str,
        "Title in English (empty when not given).",
        "",
    ),
    f("due_date", Date, "Due date.", ""),
    f("planned_on", Date, "Planned on.", ""),
    f("started_on", Date, "Started on.", ""),
    f("completed_on", Date, "Completed on.", ""),
    f("verified_on", Date, "Verified by a supervisor on.", ""),
    f("cancelled_on", Date, "Cancelled on.", ""),
    f("metric_kind", Str, "What its effect is measured on.", ""),
    f(
        "baseline",
        Num,
        "The measured figure before.",
        "as the metric",
    ),
    f("target", Num, "The figure aimed at.", "as the metric"),
];

const SUGGESTION_FIELDS: &[Field] = &[
    f(
        "institution_code",
        Str,
        "Code of the institution answering.",
        "",
    ),
    f("month", Date, "First day of the month of receipt.", ""),
    f(
        "received",
        Int,
        "Suggestions and requests received.",
        "suggestions",
    ),
    f("answered", Int, "Of those, answered.", "suggestions"),
    f(
        "answered_in_time",
        Int,
        "Of those, answered within the deadline.",
        "suggestions",
    ),
    f(
        "suppressed",
        Bool,
        "The share rests on too few suggestions and is empty.",
        "",
    ),
    f(
        "answered_in_time_share",
        Num,
        "answered_in_time / received.",
        "fraction 0-1",
    ),
];

const EVALUATION_FIELDS: &[Field] = &[
    f("id", Str, "Evaluation id.", ""),
    f("ngo", Str, "Name of the NGO (Mongolian).", ""),
    f(
        "institution_code",
        Str,
        "Code of the institution evaluated.",
        "",
    ),
    f("period_start", Date, "First day evaluated.", ""),
    f("period_end", Date, "Last day evaluated.", ""),
    f("score_100", Num, "Score on the rubric.", "score 0-100"),
    f("published_at", Time, "When it was published.", ""),
    f(
        "responded",
        Bool,
        "Whether the institution answered it.",
        "",
    ),
    f("content_hash", Str, "SHA-256 of its canonical content.", ""),
];

/// The data package (Frictionless) describing every dataset.
pub fn datapackage(threshold: u64) -> Value {
    let resources: Vec<Value> = Dataset::ALL
        .iter()
        .map(|d| {
            json!({
                "name": d.name(),
                "path": format!("{}.csv", d.name()),
                "title": d.title(),
                "description": d.description(),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": d.fields().iter().map(|f| {
                        let mut v = json!({
                            "name": f.name,
                            "type": f.kind.name(),
                            "description": f.description,
                        });
                        if !f.unit.is_empty() {
                            v["unit"] = json!(f.unit);
                        }
                        v
                    }).collect::<Vec<_>>(),
                    "missingValues": [""],
                },
            })
        })
        .collect();
    json!({
        "profile": "tabular-data-package",
        "name": "sanal-citizen-satisfaction",
        "title": "Sanal: citizens' satisfaction with public services in Mongolia",
        "description": format!(
            "Results of the surveys made right after public services are delivered \
             (Open Government Partnership commitment MN0064), the institutions' scorecards, \
             improvement actions, suggestions and NGO evaluations. {}",
            suppression_rule(threshold)
        ),
        "licenses": [{
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }],
        "sources": [{
            "title": "Sanal, the citizen feedback system of the state administrative institutions (its published conclusions, scorecards, improvement actions, suggestions and NGO evaluations)",
        }],
        "resources": resources,
    })
}

/// What changes when a dataset changes: its row count and newest change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Version {
    /// Rows of the source table that count.
    pub rows: u64,
    /// Newest change (none for an empty dataset).
    pub changed: Option<DateTime<Utc>>,
}

impl Version {
    /// A strong validator for one format of one dataset.
    pub fn etag(&self, d: Dataset, format: &str) -> String {
        let h = sha256_hex(&format!(
            "{}|{format}|{}|{}",
            d.name(),
            self.rows,
            self.changed
                .map(|t| t.timestamp_micros())
                .unwrap_or_default()
        ));
        format!("\"{}\"", &h[..32])
    }
}

#[derive(Debug, FromQueryResult)]
struct Stamp {
    rows: i64,
    changed: Option<DateTime<Utc>>,
}

/// The dataset's version, in one statement.
pub async fn version(state: &AppState, d: Dataset) -> AppResult<Version> {
    let conn = state.db.conn();
    let row: Option<Stamp> = match d {
        Dataset::Satisfaction => {
            conclusion::Entity::find()
                .select_only()
                .expr_as(Expr::cust("COUNT(*)"), "rows")
                .expr_as(
                    Func::max(Expr::col(conclusion::Column::PublishedAt)),
                    "changed",
                )
                .filter(conclusion::Column::Status.eq(ConclusionStatus::Published.as_str()))
                .into_model::<Stamp>()
                .one(conn)
                .await?
        }
        Dataset::Scorecards => {
            scorecard::Entity::find()
                .select_only()
                .expr_as(Expr::cust("COUNT(*)"), "rows")
                .expr_as(
                    Func::max(Expr::col(scorecard::Column::PublishedAt)),
                    "changed",
                )
                .filter(scorecard::Column::Status.eq(ScorecardStatus::Published.as_str()))
                .into_model::<Stamp>()
                .one(conn)
                .await?
        }
        Dataset::ImprovementActions => {
            ia::Entity::find()
                .select_only()
                .expr_as(Expr::cust("COUNT(*)"), "rows")
                .expr_as(Func::max(Expr::col(ia::Column::UpdatedAt)), "changed")
                .filter(ia::Column::Status.ne(ActionStatus::Proposed.as_str()))
                .into_model::<Stamp>()
                .one(conn)
                .await?
        }
        Dataset::SuggestionStatistics => {
            suggestion::Entity::find()
                .select_only()
                .expr_as(Expr::cust("COUNT(*)"), "rows")
                .expr_as(
                    Func::max(Expr::col(suggestion::Column::UpdatedAt)),
                    "changed",
                )
                .into_model::<Stamp>()
                .one(conn)
                .await?
        }
        Dataset::NgoEvaluations => {
            ngo_evaluation::Entity::find()
                .select_only()
                .expr_as(Expr::cust("COUNT(*)"), "rows")
                .expr_as(
                    Func::max(Expr::col(ngo_evaluation::Column::UpdatedAt)),
                    "changed",
                )
                .filter(ngo_evaluation::Column::Status.eq(EvaluationStatus::Published.as_str()))
                .into_model::<Stamp>()
                .one(conn)
                .await?
        }
    };
    Ok(row.map_or_else(Version::default, |r| Version {
        rows: u64::try_from(r.rows).unwrap_or(0),
        changed: r.changed,
    }))
}

/// One page of a dataset: its rows and the key to read the next page from
/// (none after the last).
pub struct Chunk {
    /// Rows, each with one cell per field.
    pub rows: Vec<Vec<Cell>>,
    /// Where the next page starts.
    pub next: Option<Cursor>,
}

/// Where a page starts: after this key.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    /// Last id read (tables keyed by id).
    pub id: Option<Uuid>,
    /// Last (institution, month) read (suggestion statistics).
    pub group: Option<(Uuid, NaiveDate)>,
}

async fn codes(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    Ok(institution::Entity::find()
        .filter(institution::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| (i.id, i.code))
        .collect())
}

fn code_of(codes: &HashMap<Uuid, String>, id: Uuid) -> Cell {
    codes.get(&id).map_or(Cell::Null, |c| s(c.clone()))
}

/// Reads one page of `d` after `after`.
pub async fn page(state: &AppState, d: Dataset, after: Cursor) -> AppResult<Chunk> {
    match d {
        Dataset::Satisfaction => satisfaction(state, after).await,
        Dataset::Scorecards => scorecards(state, after).await,
        Dataset::ImprovementActions => actions(state, after).await,
        Dataset::SuggestionStatistics => suggestion_stats(state, after).await,
        Dataset::NgoEvaluations => evaluations(state, after).await,
    }
}

fn next_id(rows: usize, last: Option<Uuid>) -> Option<Cursor> {
    next_id_of(rows, PAGE, last)
}

fn next_id_of(rows: usize, page: u64, last: Option<Uuid>) -> Option<Cursor> {
    (rows as u64 == page).then_some(Cursor {
        id: last,
        group: None,
    })
}

fn figure_row(
    head: &[Cell],
    origin: &str,
    measure: &str,
    subject: &str,
    f: &FigureSet,
) -> Vec<Cell> {
    let mut row = head.to_vec();
    let tb = f.top_box.filter(|_| !f.suppressed);
    row.extend([
        s(origin),
        s(measure),
        s(subject),
        Cell::Bool(f.suppressed),
        opt_int(f.n.filter(|_| !f.suppressed)),
        opt_num(tb.map(|t| t.value)),
        opt_num(tb.map(|t| t.low)),
        opt_num(tb.map(|t| t.high)),
        opt_num(f.mean.filter(|_| !f.suppressed)),
        Cell::Null,
        Cell::Null,
    ]);
    row
}

async fn satisfaction(state: &AppState, after: Cursor) -> AppResult<Chunk> {
    let conn = state.db.conn();
    let mut q = conclusion::Entity::find()
        .filter(conclusion::Column::Status.eq(ConclusionStatus::Published.as_str()));
    if let Some(id) = after.id {
        q = q.filter(conclusion::Column::Id.gt(id));
    }
    let page = q
        .order_by_asc(conclusion::Column::Id)
        .limit(CONCLUSION_PAGE)
        .all(conn)
        .await?;
    let last = page.last().map(|c| c.id);
    let n = page.len();
    // The newest published revision of each scope and period in the page.
    let scopes: Vec<Uuid> = page.iter().map(|c| c.scope_id).collect();
    let mut newest: HashMap<(Uuid, String, NaiveDate), i32> = HashMap::new();
    for (scope, kind, start, rev) in conclusion::Entity::find()
        .select_only()
        .columns([
            conclusion::Column::ScopeId,
            conclusion::Column::PeriodKind,
            conclusion::Column::PeriodStart,
            conclusion::Column::Revision,
        ])
        .filter(conclusion::Column::Status.eq(ConclusionStatus::Published.as_str()))
        .filter(conclusion::Column::ScopeId.is_in(scopes))
        .into_tuple::<(Uuid, String, NaiveDate, i32)>()
        .all(conn)
        .await?
    {
        let e = newest.entry((scope, kind, start)).or_insert(rev);
        *e = (*e).max(rev);
    }
    let services: HashMap<Uuid, service::Model> = service::Entity::find()
        .filter(
            service::Column::Id.is_in(
                page.iter()
                    .filter(|c| c.scope_kind == ScopeKind::Service.as_str())
                    .map(|c| c.scope_id),
            ),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let codes = codes(conn, page.iter().map(|c| c.institution_id)).await?;
    let mut rows = vec![];
    for mut c in page {
        let key = (c.scope_id, c.period_kind.clone(), c.period_start);
        if newest.get(&key).is_some_and(|r| *r > c.revision) {
            continue;
        }
        let snap = super::conclusions::public_snapshot(
            std::mem::take(&mut c.content),
            c.public_withheld.as_ref(),
        )?;
        let service_code = services
            .get(&c.scope_id)
            .map_or(Cell::Null, |s| Cell::Str(s.code.clone()));
        let head = [
            s(c.period_kind.clone()),
            Cell::Date(c.period_start),
            Cell::Date(c.period_end),
            s(c.scope_kind.clone()),
            code_of(&codes, c.institution_id),
            service_code,
            Cell::Int(i64::from(c.revision)),
        ];
        let responses = Cell::Int(
            i64::try_from(snap.counts.responded + snap.counts.open_responses).unwrap_or(i64::MAX),
        );
        let tail = [responses, s(c.content_hash.clone())];
        let mut push = |mut r: Vec<Cell>| {
            r.extend(tail.iter().cloned());
            rows.push(r);
        };
        for k in &snap.skm {
            let mut row = head.to_vec();
            let shown = k.skm.filter(|_| !k.suppressed);
            row.extend([
                s(k.origin.as_str()),
                s("SKM_INDEX"),
                s(""),
                Cell::Bool(k.suppressed),
                opt_int(k.n.filter(|_| !k.suppressed)),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                opt_num(shown.map(|i| i.index)),
                shown.map_or(Cell::Null, |i| s(format!("{:?}", i.grade))),
            ]);
            push(row);
        }
        for d in &snap.dimensions {
            for f in &d.figures {
                push(figure_row(
                    &head,
                    f.origin.as_str(),
                    "DIMENSION",
                    d.dimension.as_str(),
                    f,
                ));
            }
        }
        for d in &snap.drivers {
            let driver = serde_json::to_value(d.driver)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            for f in &d.figures {
                push(figure_row(&head, f.origin.as_str(), "DRIVER", &driver, f));
            }
        }
    }
    Ok(Chunk {
        rows,
        next: next_id_of(n, CONCLUSION_PAGE, last),
    })
}

async fn scorecards(state: &AppState, after: Cursor) -> AppResult<Chunk> {
    let conn = state.db.conn();
    let mut q = scorecard::Entity::find()
        .filter(scorecard::Column::Status.eq(ScorecardStatus::Published.as_str()));
    if let Some(id) = after.id {
        q = q.filter(scorecard::Column::Id.gt(id));
    }
    let page = q
        .order_by_asc(scorecard::Column::Id)
        .limit(PAGE)
        .all(conn)
        .await?;
    let last = page.last().map(|c| c.id);
    let n = page.len();
    let frameworks: HashMap<Uuid, fw::Model> = fw::Entity::find()
        .filter(fw::Column::Id.is_in(page.iter().map(|c| c.framework_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let codes = codes(conn, page.iter().map(|c| c.institution_id)).await?;
    let mut rows = vec![];
    for c in page {
        let card: Card = serde_json::from_value(c.content.clone())
            .map_err(|e| AppError::internal(format!("stored scorecard: {e}")))?;
        let f = frameworks.get(&c.framework_id);
        for l in &card.lines {
            rows.push(vec![
                s(c.period_kind.clone()),
                Cell::Date(c.period_start),
                Cell::Date(c.period_end),
                code_of(&codes, c.institution_id),
                s(c.institution_kind.clone()),
                f.map_or(Cell::Null, |f| s(f.key.clone())),
                f.map_or(Cell::Null, |f| Cell::Int(i64::from(f.version))),
                s(l.component.as_str()),
                s(l.status.as_str()),
                opt_int(Some(l.n)),
                opt_num(l.score),
                Cell::Num(l.weight),
                opt_num(l.applied_weight),
                opt_num(l.contribution),
                opt_num(card.total),
                c.rank.map_or(Cell::Null, |r| Cell::Int(i64::from(r))),
                Cell::Int(i64::from(c.peers)),
                c.content_hash.clone().map_or(Cell::Null, Cell::Str),
            ]);
        }
    }
    Ok(Chunk {
        rows,
        next: next_id(n, last),
    })
}

async fn actions(state: &AppState, after: Cursor) -> AppResult<Chunk> {
    let conn = state.db.conn();
    let mut q = ia::Entity::find().filter(ia::Column::Status.ne(ActionStatus::Proposed.as_str()));
    if let Some(id) = after.id {
        q = q.filter(ia::Column::Id.gt(id));
    }
    let page = q.order_by_asc(ia::Column::Id).limit(PAGE).all(conn).await?;
    let last = page.last().map(|c| c.id);
    let n = page.len();
    let codes = codes(conn, page.iter().map(|c| c.institution_id)).await?;
    let rows = page
        .into_iter()
        .map(|a| {
            let title = LocalizedText::from_json(&a.title);
            vec![
                s(a.id.to_string()),
                code_of(&codes, a.institution_id),
                s(a.status.clone()),
                s(title.get(crate::domain::Locale::Mn)),
                title.exact(crate::domain::Locale::En).map_or(Cell::Null, s),
                Cell::Date(a.due_date),
                opt_date(a.planned_on),
                opt_date(a.started_on),
                opt_date(a.completed_on),
                opt_date(a.verified_on),
                opt_date(a.cancelled_on),
                a.metric_kind.clone().map_or(Cell::Null, Cell::Str),
                opt_num(a.baseline),
                opt_num(a.target),
            ]
        })
        .collect();
    Ok(Chunk {
        rows,
        next: next_id(n, last),
    })
}

async fn suggestion_stats(state: &AppState, after: Cursor) -> AppResult<Chunk> {
    let conn = state.db.conn();
    let threshold = state.config.suppression_threshold;
    // A page of institutions at a time (each with all its months).
    let mut q = suggestion::Entity::find()
        .select_only()
        .column(suggestion::Column::InstitutionId)
        .distinct();
    if let Some((id, _)) = after.group {
        q = q.filter(suggestion::Column::InstitutionId.gt(id));
    }
    let ids: Vec<Uuid> = q
        .order_by_asc(suggestion::Column::InstitutionId)
        .limit(PAGE / 10)
        .into_tuple()
        .all(conn)
        .await?;
    let more = ids.len() as u64 == PAGE / 10;
    let codes = codes(conn, ids.iter().copied()).await?;
    let rows: Vec<(Uuid, NaiveDate, String, Option<bool>)> = suggestion::Entity::find()
        .select_only()
        .columns([
            suggestion::Column::InstitutionId,
            suggestion::Column::ReceivedOn,
            suggestion::Column::Status,
            suggestion::Column::AnsweredInTime,
        ])
        .filter(suggestion::Column::InstitutionId.is_in(ids.clone()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut groups: BTreeMap<(Uuid, NaiveDate), (u64, u64, u64)> = BTreeMap::new();
    for (inst, day, status, in_time) in rows {
        let month = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day);
        let g = groups.entry((inst, month)).or_default();
        g.0 += 1;
        let answered = matches!(
            SuggestionStatus::parse(&status),
            Some(SuggestionStatus::Answered | SuggestionStatus::Closed)
        ) || in_time.is_some();
        g.1 += u64::from(answered);
        g.2 += u64::from(in_time == Some(true));
    }
    let out = groups
        .into_iter()
        .map(|((inst, month), (received, answered, in_time))| {
            let small = received < threshold;
            vec![
                code_of(&codes, inst),
                Cell::Date(month),
                opt_int(Some(received)),
                opt_int(Some(answered)),
                opt_int(Some(in_time)),
                Cell::Bool(small),
                if small {
                    Cell::Null
                } else {
                    Cell::Num(in_time as f64 / received as f64)
                },
            ]
        })
        .collect();
    Ok(Chunk {
        rows: out,
        next: more.then(|| Cursor {
            id: None,
            group: ids.last().map(|i| (*i, NaiveDate::MIN)),
        }),
    })
}

async fn evaluations(state: &AppState, after: Cursor) -> AppResult<Chunk> {
    let conn = state.db.conn();
    let mut q = ngo_evaluation::Entity::find()
        .filter(ngo_evaluation::Column::Status.eq(EvaluationStatus::Published.as_str()));
    if let Some(id) = after.id {
        q = q.filter(ngo_evaluation::Column::Id.gt(id));
    }
    let page = q
        .order_by_asc(ngo_evaluation::Column::Id)
        .limit(PAGE)
        .all(conn)
        .await?;
    let last = page.last().map(|c| c.id);
    let n = page.len();
    let codes = codes(conn, page.iter().map(|c| c.institution_id)).await?;
    let ngos: HashMap<Uuid, String> = ngo::Entity::find()
        .filter(ngo::Column::Id.is_in(page.iter().map(|e| e.ngo_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|n| {
            let name = LocalizedText::from_json(&n.name)
                .get(crate::domain::Locale::Mn)
                .to_owned();
            (n.id, name)
        })
        .collect();
    let rows = page
        .into_iter()
        .map(|e| {
            vec![
                s(e.id.to_string()),
                ngos.get(&e.ngo_id).map_or(Cell::Null, |n| s(n.clone())),
                code_of(&codes, e.institution_id),
                Cell::Date(e.period_start),
                Cell::Date(e.period_end),
                opt_num(e.score_100),
                e.published_at.map_or(Cell::Null, Cell::Time),
                Cell::Bool(e.responded_at.is_some()),
                e.content_hash.clone().map_or(Cell::Null, Cell::Str),
            ]
        })
        .collect();
    Ok(Chunk {
        rows,
        next: next_id(n, last),
    })
}

/// One CSV record (RFC 4180: quoted when it holds a comma, quote or line break).
pub fn csv_record(cells: impl IntoIterator<Item = String>) -> String {
    let fields: Vec<String> = cells.into_iter().collect();
    let mut out = String::new();
    super::scorecards::push_row(&mut out, &fields);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dataset_has_distinct_snake_case_column_names() {
        for d in Dataset::ALL {
            let names: Vec<&str> = d.fields().iter().map(|f| f.name).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{}", d.name());
            assert!(names.iter().all(|n| {
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            }));
            assert_eq!(Dataset::parse(d.name()), Some(d));
        }
    }

    #[test]
    fn the_package_names_the_licence_and_the_suppression_rule() {
        let p = datapackage(10);
        assert_eq!(p["licenses"][0]["name"], "CC-BY-4.0");
        assert!(
            p["description"]
                .as_str()
                .unwrap_or("")
                .contains("fewer than 10 answers")
        );
        assert_eq!(p["resources"].as_array().map(Vec::len), Some(5));
    }
}
