//! The authorization matrix, as data: every root field of the schema × every kind
//! of caller × the object it is aimed at, with the answer a secure system gives.
//!
//! Reading a row:
//! - `op` is the operation sent, with placeholders in `<angle brackets>` filled in
//!   per probe (see [`World::value`]): `<inst>`, `<svc>`, `<pt>`, `<survey>`, … are
//!   objects of the probed target's institution; `<own.x>` / `<other.x>` name one
//!   side explicitly; `<fresh_…>` objects are made on demand and used up by a
//!   successful probe (a draft to publish, an unanswered invitation, …); `<n>` is a
//!   counter that keeps codes and e-mails unique.
//! - Targets: `own` — an object of the institution the institution users work for
//!   (and the API key covers); `other` — the same kind of object of another
//!   institution; `missing` — a well-formed id of nothing. Fields that aim at no
//!   object (`login`, `me`, `regions`, …) have one target, `any`, instead of three.
//! - Each target has one expectation per caller, in the column order of [`CALLERS`]
//!   (headed `ADM SUP MGR STF NGO CIT KEY ANON` in the table): ADMIN, SUPERVISOR,
//!   INSTITUTION_MANAGER and INSTITUTION_STAFF of the own institution, NGO_REVIEWER,
//!   CITIZEN, the own institution's API key, anonymous. An expectation is `ok` (no error), `+` (no error and a
//!   non-empty list), `0` (no error and an empty list: the row filter hides the
//!   objects), or an exact error code: `UN` UNAUTHENTICATED, `FB` FORBIDDEN, `NF`
//!   NOT_FOUND, `BI` BAD_USER_INPUT, `CF` CONFLICT. A non-authorization code where
//!   access is granted is explained in the row's `note`.
//! - `fresh_session`: the operation ends sessions, so each user caller is a new
//!   account of the same kind, signed in just for that probe.
//!
//! The rules (see `src/authz.rs` and the README): `FORBIDDEN` when the caller's role
//! can never do it; `NOT_FOUND` when it could but the object lies outside its scope,
//! exactly like a missing object; `UNAUTHENTICATED` for anonymous callers on
//! operations that need an account; API keys issue invitations, report delivered
//! services and read the catalogue they cover (and, like anyone, what is public),
//! nothing else. Whoever is measured never answers: an institution's own people
//! (when they identify themselves) and integrations may not submit responses.
//!
//! Besides the codes, every allowed answer is checked for leaks: an institution
//! user or key never receives another institution's private ids (surveys,
//! versions, draft conclusions, users, keys, responses, follow-ups), and callers
//! without an institution receive none at all.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

const ACCREDIT_NGO: &str = r#"mutation($id:ID!){ accreditNgo(id:$id, from:"2027-01-01", until:"2027-12-31", note:"Аргачлал хангалттай."){ id } }"#;

/// An evaluation of `inst` on the national rubric by `reviewer`'s NGO, taken to
/// `status` (`DRAFT`, `SUBMITTED` or `PUBLISHED`, by `sup`); returns its id.
async fn evaluation(
    app: &TestApp,
    reviewer: &Auth,
    sup: &Auth,
    inst: &str,
    status: &str,
) -> String {
    let d = app
        .ok(reviewer, "mutation($i:StartEvaluationInput!){ startNgoEvaluation(input:$i){ id } }",
            json!({ "i": { "institutionId": inst, "rubricId": "53414e41-4c00-4000-9000-000000000001",
                "periodStart": "2026-11-01", "periodEnd": "2026-11-30" } }))
        .await;
    let id = id_of(&d["startNgoEvaluation"]);
    if status == "DRAFT" {
        return id;
    }
    app.ok(reviewer, "mutation($id:ID!){ editNgoEvaluation(id:$id, content:{criteria:[{key:\"quality\", score: 4}], summary:\"Дүгнэлт\"}){ id } }",
        json!({ "id": id }))
        .await;
    app.ok(
        reviewer,
        "mutation($id:ID!){ submitNgoEvaluation(id:$id){ id } }",
        json!({ "id": id }),
    )
    .await;
    if status == "PUBLISHED" {
        app.ok(
            sup,
            "mutation($id:ID!){ publishNgoEvaluation(id:$id){ id } }",
            json!({ "id": id }),
        )
        .await;
    }
    id
}

/// Registers an NGO (as ADMIN); returns its id.
async fn register_ngo(app: &TestApp, admin: &Auth, number: &str) -> String {
    let d = app
        .ok(
            admin,
            "mutation($i:RegisterNgoInput!){ registerNgo(input:$i){ id } }",
            json!({ "i": { "name": { "mn": "ТББ" }, "registrationNumber": number } }),
        )
        .await;
    id_of(&d["registerNgo"])
}

const SEND_SUGGESTION: &str =
    "mutation($i:SendSuggestionInput!){ sendSuggestion(input:$i){ id trackingCode } }";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Caller {
    Admin,
    Supervisor,
    Manager,
    Staff,
    Ngo,
    Citizen,
    Key,
    Anonymous,
}

/// The column order of every expectation string.
const CALLERS: [Caller; 8] = [
    Caller::Admin,
    Caller::Supervisor,
    Caller::Manager,
    Caller::Staff,
    Caller::Ngo,
    Caller::Citizen,
    Caller::Key,
    Caller::Anonymous,
];

impl Caller {
    fn name(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::Supervisor => "SUPERVISOR",
            Self::Manager => "INSTITUTION_MANAGER (own)",
            Self::Staff => "INSTITUTION_STAFF (own)",
            Self::Ngo => "NGO_REVIEWER",
            Self::Citizen => "CITIZEN",
            Self::Key => "API key (own)",
            Self::Anonymous => "anonymous",
        }
    }

    /// The role and whether it is held in the own institution (user callers).
    fn role(self) -> Option<(&'static str, bool)> {
        Some(match self {
            Self::Admin => ("ADMIN", false),
            Self::Supervisor => ("SUPERVISOR", false),
            Self::Manager => ("INSTITUTION_MANAGER", true),
            Self::Staff => ("INSTITUTION_STAFF", true),
            Self::Ngo => ("NGO_REVIEWER", false),
            Self::Citizen => ("CITIZEN", false),
            Self::Key | Self::Anonymous => return None,
        })
    }
}

/// What a probe aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Own,
    Other,
    Missing,
    /// The field aims at no object.
    Any,
}

impl Target {
    fn describe(self) -> &'static str {
        match self {
            Self::Own => "own institution's object",
            Self::Other => "another institution's object",
            Self::Missing => "a missing object",
            Self::Any => "no object",
        }
    }
}

/// One row of the matrix (see the module documentation).
#[derive(Debug, Clone, Copy)]
struct Row {
    field: &'static str,
    /// A second case of the same field (empty for the main row).
    case: &'static str,
    op: &'static str,
    own: Option<&'static str>,
    other: Option<&'static str>,
    missing: Option<&'static str>,
    any: Option<&'static str>,
    /// Why a non-authorization code stands where access is granted.
    note: &'static str,
    fresh_session: bool,
}

const fn row(field: &'static str, op: &'static str) -> Row {
    Row {
        field,
        case: "",
        op,
        own: None,
        other: None,
        missing: None,
        any: None,
        note: "",
        fresh_session: false,
    }
}

impl Row {
    const fn case(self, case: &'static str) -> Self {
        Row { case, ..self }
    }
    const fn own(self, e: &'static str) -> Self {
        Row {
            own: Some(e),
            ..self
        }
    }
    const fn other(self, e: &'static str) -> Self {
        Row {
            other: Some(e),
            ..self
        }
    }
    const fn missing(self, e: &'static str) -> Self {
        Row {
            missing: Some(e),
            ..self
        }
    }
    const fn any(self, e: &'static str) -> Self {
        Row {
            any: Some(e),
            ..self
        }
    }
    const fn note(self, note: &'static str) -> Self {
        Row { note, ..self }
    }
    const fn fresh_session(self) -> Self {
        Row {
            fresh_session: true,
            ..self
        }
    }

    fn targets(&self) -> Vec<(Target, &'static str)> {
        [
            (Target::Own, self.own),
            (Target::Other, self.other),
            (Target::Missing, self.missing),
            (Target::Any, self.any),
        ]
        .into_iter()
        .filter_map(|(t, e)| e.map(|e| (t, e)))
        .collect()
    }

    fn is_mutation(&self) -> bool {
        self.op.trim_start().starts_with("mutation")
    }

    fn label(&self) -> String {
        if self.case.is_empty() {
            self.field.to_owned()
        } else {
            format!("{} ({})", self.field, self.case)
        }
    }
}

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // ───────────────────────────── queries ─────────────────────────────
    //                    ADM SUP MGR STF  NGO CIT KEY ANON
    row("apiKeys", r#"query{ apiKeys(institutionId:"<inst>"){ edges { node { id } } } }"#)
        .own(            "+   FB  +   FB   FB  FB  FB  UN")
        .other(          "+   FB  0   FB   FB  FB  FB  UN")
        .missing(        "0   FB  0   FB   FB  FB  FB  UN"),
    // Integrity signals are for supervisors: never for the institution measured.
    row("integritySignals", r#"query{ integritySignals(filter:{institutionId:"<inst>", from:"2026-11-01", to:"2026-11-30"}){ signal } }"#)
        .own(            "ok  ok  FB  FB   FB  FB  FB  UN")
        .other(          "ok  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "ok  ok  FB  FB   FB  FB  FB  UN")
        .note("ADMIN and SUPERVISOR see every institution: a missing one simply has no signals"),
    row("headlineProvenances", r#"query{ headlineProvenances(institutionId:"<inst>"){ provenances } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("quarantinedCells", "query{ quarantinedCells { date } }")
        .any(            "ok  ok  FB  FB   FB  FB  FB  UN"),
    row("auditLog", "query{ auditLog(first: 5){ edges { node { id } } } }")
        .any(            "+   +   FB  FB   FB  FB  FB  UN"),
    row("conclusion", r#"query{ conclusion(id:"<draft>"){ id } }"#)
        .case("a draft")
        .own(            "ok  ok  ok  ok   NF  NF  NF  NF")
        .other(          "ok  ok  NF  NF   NF  NF  NF  NF")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("conclusion", r#"query{ conclusion(id:"<published>"){ id } }"#)
        .case("a published one")
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("conclusions", r#"query{ conclusions(filter:{scope: INSTITUTION, scopeId:"<inst>", status: DRAFT}){ edges { node { id } } } }"#)
        .case("drafts")
        .own(            "+   +   +   +    0   0   0   0")
        .other(          "+   +   0   0    0   0   0   0")
        .missing(        "0   0   0   0    0   0   0   0"),
    row("conclusions", r#"query{ conclusions(filter:{scope: INSTITUTION, scopeId:"<inst>", status: PUBLISHED}){ edges { node { id } } } }"#)
        .case("published")
        .own(            "+   +   +   +    +   +   +   +")
        .other(          "+   +   +   +    +   +   +   +")
        .missing(        "0   0   0   0    0   0   0   0"),
    row("improvementAction", r#"query{ improvementAction(id:"<action>"){ id } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF")
        .note("planned actions are public"),
    row("improvementActionStats", r#"query{ improvementActionStats(filter:{institutionId:"<inst>"}){ total } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "ok  ok  ok  ok   ok  ok  ok  ok")
        .note("planned actions are public; a missing institution has none"),
    row("improvementActions", r#"query{ improvementActions(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    +   +   +   +")
        .other(          "+   +   +   +    +   +   +   +")
        .missing(        "0   0   0   0    0   0   0   0")
        .note("planned actions are public"),
    row("suggestions", r#"query{ suggestions(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    FB  FB  FB  UN")
        .other(          "+   +   0   0    FB  FB  FB  UN")
        .missing(        "0   0   0   0    FB  FB  FB  UN"),
    row("institutionSuggestion", r#"query{ institutionSuggestion(id:"<suggestion>"){ id } }"#)
        .own(            "ok  ok  ok  ok   FB  FB  FB  UN")
        .other(          "ok  ok  NF  NF   FB  FB  FB  UN")
        .missing(        "NF  NF  NF  NF   FB  FB  FB  UN"),
    // The tracking code is the citizen's: anyone holding it reads where it stands.
    row("suggestion", r#"query{ suggestion(trackingCode:"<suggestion_code>"){ status } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  FB  ok")
        .other(          "ok  ok  ok  ok   ok  ok  FB  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  FB  NF"),
    row("mySuggestions", "query{ mySuggestions { edges { node { id } } } }")
        .any(            "0   0   0   0    0   0   FB  UN"),
    row("publicSuggestions", r#"query{ publicSuggestions(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    +   +   +   +")
        .other(          "+   +   +   +    +   +   +   +")
        .missing(        "0   0   0   0    0   0   0   0"),
    row("suggestionStats", r#"query{ suggestionStats(filter:{institutionId:"<inst>"}, period:{kind: MONTH, start:"2026-11-01"}){ received } }"#)
        .own(            "ok  ok  ok  ok   FB  FB  FB  UN")
        .other(          "ok  ok  NF  NF   FB  FB  FB  UN")
        .missing(        "ok  ok  NF  NF   FB  FB  FB  UN")
        .note("ADMIN and SUPERVISOR see every institution: a missing one simply has no suggestions"),
    row("holidays", "query{ holidays(year: 2026){ date } }")
        .any(            "+   +   +   +    +   +   +   +"),
    row("ngos", "query{ ngos { edges { node { id } } } }")
        .any(            "+   +   +   +    +   +   +   +"),
    row("ngo", r#"query{ ngo(id:"<ngo>"){ id } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("rubrics", "query{ rubrics { id } }")
        .any(            "+   +   +   +    +   +   +   +"),
    row("rubric", r#"query{ rubric(id:"53414e41-4c00-4000-9000-000000000001"){ id } }"#)
        .case("the national rubric")
        .any(            "ok  ok  ok  ok   ok  ok  ok  ok"),
    row("rubric", r#"query{ rubric(id:"<fresh_rubric>"){ id } }"#)
        .case("a draft")
        .own(            "ok  ok  NF  NF   NF  NF  NF  NF")
        .other(          "ok  ok  NF  NF   NF  NF  NF  NF")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF")
        .note("rubrics belong to no institution: both sides draw a draft of their own"),
    row("indicatorFrameworks", "query{ indicatorFrameworks { id } }")
        .any(            "+   +   +   +    +   +   +   +"),
    row("indicatorFramework", r#"query{ indicatorFramework(id:"53414e41-4c00-4000-9000-000000000002"){ id } }"#)
        .case("the national framework")
        .any(            "ok  ok  ok  ok   ok  ok  ok  ok"),
    row("indicatorFramework", r#"query{ indicatorFramework(id:"<fresh_framework>"){ id } }"#)
        .case("a draft")
        .own(            "ok  ok  NF  NF   NF  NF  NF  NF")
        .other(          "ok  ok  NF  NF   NF  NF  NF  NF")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF")
        .note("frameworks belong to no institution: both sides draw a draft of their own"),
    row("publicOverview", r#"query{ publicOverview(periodKind: MONTH, periodStart: "2026-10-01"){ periodLabel country { figures { counts { responded } } } } }"#)
        .any(            "ok  ok  ok  ok   ok  ok  ok  ok"),
    row("scorecards", r#"query{ scorecards(filter:{periodKind:QUARTER, periodStart:"2026-07-01"}){ id } }"#)
        .any(            "ok  ok  ok  ok   ok  ok  ok  ok"),
    row("scorecard", r#"query{ scorecard(id:"5c0eca4d-0000-4000-8000-000000000000"){ id } }"#)
        .any(            "NF  NF  NF  NF   NF  NF  NF  NF")
        .note("the matrix world has no quarter's conclusions; who reads a draft or published scorecard is tested in tests/scorecards.rs"),
    row("scorecardsCsv", r#"query{ scorecardsCsv(filter:{periodKind:QUARTER, periodStart:"2026-07-01"}) }"#)
        .any(            "ok  ok  ok  ok   ok  ok  ok  ok"),
    row("ngoEvaluations", r#"query{ ngoEvaluations(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    +   +   +   +")
        .other(          "+   +   +   +    +   +   +   +")
        .missing(        "0   0   0   0    0   0   0   0")
        .note("published evaluations are public"),
    row("ngoEvaluation", r#"query{ ngoEvaluation(id:"<evaluation>"){ id } }"#)
        .case("a published one")
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    // The probed reviewer belongs to no NGO: a draft is its own NGO's alone.
    row("ngoEvaluation", r#"query{ ngoEvaluation(id:"<draft_evaluation>"){ id } }"#)
        .case("a draft")
        .own(            "ok  ok  NF  NF   NF  NF  NF  NF")
        .other(          "ok  ok  NF  NF   NF  NF  NF  NF")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("finding", r#"query{ finding(id:"<finding>"){ id } }"#)
        .own(            "ok  ok  ok  ok   FB  FB  FB  UN")
        .other(          "ok  ok  NF  NF   FB  FB  FB  UN")
        .missing(        "NF  NF  NF  NF   FB  FB  FB  UN"),
    row("findingStats", r#"query{ findingStats(filter:{institutionId:"<inst>"}){ total } }"#)
        .own(            "ok  ok  ok  ok   FB  FB  FB  UN")
        .other(          "ok  ok  NF  NF   FB  FB  FB  UN")
        .missing(        "ok  ok  NF  NF   FB  FB  FB  UN")
        .note("ADMIN and SUPERVISOR see every institution: a missing one simply has no findings"),
    row("findings", r#"query{ findings(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    FB  FB  FB  UN")
        .other(          "+   +   NF  NF   FB  FB  FB  UN")
        .missing(        "0   0   NF  NF   FB  FB  FB  UN")
        .note("ADMIN and SUPERVISOR see every institution: a missing one simply has no findings"),
    row("followUps", "query{ followUps(first: 100){ edges { node { id } } } }")
        .any(            "+   FB  +   FB   FB  FB  FB  UN"),
    row("institution", r#"query{ institution(id:"<inst>"){ id } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("institutions", r#"query{ institutions(filter:{within:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    +   +   +   +")
        .other(          "+   +   +   +    +   +   +   +")
        .missing(        "0   0   0   0    0   0   0   0"),
    row("invitation", r#"query{ invitation(token:"<token>"){ status } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("me", "query{ me { id } }")
        .any(            "ok  ok  ok  ok   ok  ok  FB  UN"),
    // What a poster shows is public, like an invitation: it only names the survey.
    row("openSurvey", r#"query{ openSurvey(pointCode:"<open_code>"){ title } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("regions", "query{ regions { code } }")
        .any(            "+   +   +   +    +   +   +   +"),
    row("reportSeries", r#"query{ reportSeries(scope:{kind: INSTITUTION, id:"<inst>"}, kind: MONTH, from:"2026-10-01", to:"2026-12-31"){ periodLabel } }"#)
        .own(            "+   +   +   +    FB  FB  FB  UN")
        .other(          "+   +   NF  NF   FB  FB  FB  UN")
        .missing(        "NF  NF  NF  NF   FB  FB  FB  UN"),
    row("responses", r#"query{ responses(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    FB  FB  FB  UN")
        .other(          "+   +   0   0    FB  FB  FB  UN")
        .missing(        "0   0   0   0    FB  FB  FB  UN"),
    row("satisfactionReport", r#"query{ satisfactionReport(scope:{kind: SERVICE, id:"<svc>"}, period:{kind: MONTH, start:"2026-11-01"}){ periodLabel } }"#)
        .own(            "ok  ok  ok  ok   FB  FB  FB  UN")
        .other(          "ok  ok  NF  NF   FB  FB  FB  UN")
        .missing(        "NF  NF  NF  NF   FB  FB  FB  UN"),
    row("service", r#"query{ service(id:"<svc>"){ id } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  NF  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("servicePoint", r#"query{ servicePoint(id:"<pt>"){ id } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  NF  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  NF  NF"),
    row("servicePoints", r#"query{ servicePoints(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    +   +   +   +")
        .other(          "+   +   +   +    +   +   0   +")
        .missing(        "0   0   0   0    0   0   0   0"),
    row("services", r#"query{ services(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    +   +   +   +")
        .other(          "+   +   +   +    +   +   0   +")
        .missing(        "0   0   0   0    0   0   0   0"),
    row("survey", r#"query{ survey(id:"<survey>"){ id } }"#)
        .own(            "ok  ok  ok  ok   FB  FB  FB  UN")
        .other(          "ok  ok  NF  NF   FB  FB  FB  UN")
        .missing(        "NF  NF  NF  NF   FB  FB  FB  UN"),
    row("surveyTemplates", "query{ surveyTemplates { template } }")
        .any(            "+   +   +   +    +   +   +   +"),
    // A published version is public (what citizens are asked); drafts are not.
    row("surveyVersion", r#"query{ surveyVersion(id:"<version>"){ id } }"#)
        .case("published")
        .own(            "ok  ok  ok  ok   ok  ok  ok  ok")
        .other(          "ok  ok  ok  ok   ok  ok  ok  ok")
        .missing(        "NF  NF  NF  NF   FB  FB  FB  UN"),
    row("surveys", r#"query{ surveys(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   +   +   +    FB  FB  FB  UN")
        .other(          "+   +   0   0    FB  FB  FB  UN")
        .missing(        "0   0   0   0    FB  FB  FB  UN"),
    row("user", r#"query{ user(id:"<user>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("users", r#"query{ users(filter:{institutionId:"<inst>"}){ edges { node { id } } } }"#)
        .own(            "+   FB  +   FB   FB  FB  FB  UN")
        .other(          "+   FB  0   FB   FB  FB  FB  UN")
        .missing(        "0   FB  0   FB   FB  FB  FB  UN"),

    // ──────────────────────────── mutations ────────────────────────────
    //                    ADM SUP MGR STF  NGO CIT KEY ANON
    row("addQuestion", r#"mutation{ addQuestion(surveyId:"<growing_survey>", question:{key:"q<n>", type: RATING, min: 1, max: 5, text:{mn:"Үнэлнэ үү"}}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    // New words under an old key: a supervisor's call, not the institution's.
    row("quarantineCell", r#"mutation{ quarantineCell(serviceId:"<svc>", date:"2026-11-03", reason:"A burst of scripted answers <n>"){ date } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("setHeadlineProvenances", r#"mutation{ setHeadlineProvenances(institutionId:"<inst>", provenances:[NATIONAL_PLATFORM, POSTER], reason:"Kiosk share under review <n>"){ provenances } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("releaseCell", r#"mutation{ releaseCell(serviceId:"<svc>", date:"2026-11-04", reason:"The signals were explained <n>"){ date } }"#)
        .own(            "FB  NF  FB  FB   FB  FB  FB  UN")
        .other(          "FB  NF  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN")
        .note("SUPERVISOR: NOT_FOUND because no cell of that day is quarantined (authorization passed; releasing is tested in tests/integrity.rs)"),
    row("approveQuestionReuse", r#"mutation{ approveQuestionReuse(surveyId:"<survey>", key:"overall", reason:"Clearer wording, same meaning <n>"){ version } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("archiveSurvey", r#"mutation{ archiveSurvey(id:"<archivable>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("assignSurvey", r#"mutation{ assignSurvey(serviceId:"<svc>", surveyVersionId:"<version>"){ surveyVersionId } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("assignSurvey", r#"mutation{ assignSurvey(serviceId:"<own.svc>", surveyVersionId:"<other.version>"){ surveyVersionId } }"#)
        .case("own service, another institution's survey")
        .any(            "BI  FB  NF  FB   FB  FB  FB  UN")
        .note("ADMIN may see both: BAD_USER_INPUT (a survey of an unrelated institution) proves authorization passed"),
    row("changePassword", r#"mutation{ changePassword(currentPassword:"<password>", newPassword:"Шинэ нууц үг <n> зөв!") }"#)
        .fresh_session()
        .any(            "ok  ok  ok  ok   ok  ok  FB  UN"),
    row("closePeriod", r#"mutation{ closePeriod(kind: MONTH, start:"2026-11-01"){ created } }"#)
        .any(            "ok  ok  FB  FB   FB  FB  FB  UN"),
    row("createApiKey", r#"mutation{ createApiKey(input:{institutionId:"<inst>", name:"Probe <n>", kind: INSTITUTION_SYSTEM}){ key } }"#)
        .own(            "ok  FB  FB  FB   FB  FB  FB  UN")
        .other(          "ok  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  FB  FB   FB  FB  FB  UN"),
    row("createApiKey", r#"mutation{ createApiKey(input:{institutionId:"<own.inst>", name:"Wide <n>", kind: NATIONAL_PLATFORM, alsoCovers:["<other.inst>"]}){ key } }"#)
        .case("also covering another institution")
        .any(            "ok  FB  FB  FB   FB  FB  FB  UN"),
    row("createInstitution", r#"mutation{ createInstitution(input:{code:"N<n>", kind: AGENCY, parentId:"<inst>", name:{mn:"Шинэ газар"}}){ id } }"#)
        .own(            "ok  FB  FB  FB   FB  FB  FB  UN")
        .other(          "ok  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "BI  FB  FB  FB   FB  FB  FB  UN")
        .note("ADMIN with a missing parentId: BAD_USER_INPUT (the parent is an input reference; ADMIN sees everything, so nothing can be probed)"),
    row("createKioskDevice", r#"mutation{ createKioskDevice(servicePointId:"<pt>", name:"Kiosk <n>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("createService", r#"mutation{ createService(input:{institutionId:"<inst>", code:"S<n>", channels:[ONLINE], name:{mn:"Үйлчилгээ"}}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("createServicePoint", r#"mutation{ createServicePoint(input:{institutionId:"<inst>", code:"P<n>", kind: BRANCH, name:{mn:"Салбар"}}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("createSurvey", r#"mutation{ createSurvey(input:{institutionId:"<inst>", title:{mn:"Судалгаа"}}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("createSurveyFromTemplate", r#"mutation{ createSurveyFromTemplate(institutionId:"<inst>", template: FACES_3){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("createUser", r#"mutation{ createUser(input:{email:"new<n>@probe.mn", displayName:"Шинэ ажилтан", password:"<password>", assignments:[{role: INSTITUTION_STAFF, institutionId:"<inst>"}]}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("createUser", r#"mutation{ createUser(input:{email:"sup<n>@probe.mn", displayName:"Хянагч", password:"<password>", assignments:[{role: SUPERVISOR}]}){ id } }"#)
        .case("granting SUPERVISOR")
        .any(            "ok  FB  FB  FB   FB  FB  FB  UN"),
    row("addActionProgress", r#"mutation{ addActionProgress(actionId:"<action>", input:{day:"2027-01-09", percent: 10, note:"Явц <n>"}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("createImprovementAction", r#"mutation{ createImprovementAction(input:{institutionId:"<inst>", title:{mn:"Арга <n>"}, description:{mn:"Тайлбар"}, ownerId:"<own.user>", dueDate:"2027-12-31"}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "BI  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN")
        .note("the own institution's staff member owns no action of another institution"),
    row("registerNgo", r#"mutation{ registerNgo(input:{name:{mn:"ТББ <n>"}, registrationNumber:"R-<n>"}){ id } }"#)
        .any(            "ok  ok  FB  FB   FB  FB  FB  UN"),
    row("accreditNgo", r#"mutation{ accreditNgo(id:"<fresh_ngo>", from:"2027-01-01", until:"2027-12-31", note:"Шийдвэрийн тэмдэглэл <n>"){ id } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("suspendNgo", r#"mutation{ suspendNgo(id:"<fresh_accredited_ngo>", reason:"Түр зогсоох шалтгаан <n>"){ id } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("withdrawNgoAccreditation", r#"mutation{ withdrawNgoAccreditation(id:"<fresh_accredited_ngo>", reason:"Цуцлах шалтгаан <n>"){ id } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    // Only ADMIN or the NGO's lead reviewer (the probed reviewer leads none).
    row("addNgoMember", r#"mutation{ addNgoMember(ngoId:"<ngo>", userId:"<fresh_citizen>") }"#)
        .own(            "ok  FB  FB  FB   NF  FB  FB  UN")
        .other(          "ok  FB  FB  FB   NF  FB  FB  UN")
        .missing(        "NF  FB  FB  FB   NF  FB  FB  UN"),
    row("removeNgoMember", r#"mutation{ removeNgoMember(ngoId:"<ngo>", userId:"<fresh_member>") }"#)
        .own(            "ok  FB  FB  FB   NF  FB  FB  UN")
        .other(          "ok  FB  FB  FB   NF  FB  FB  UN")
        .missing(        "NF  FB  FB  FB   NF  FB  FB  UN"),
    row("draftRubric", r#"mutation{ draftRubric(input:{key:"probe_<n>", name:{mn:"Туршилт"}, description:{mn:"Туршилт"}, criteria:[{key:"quality", name:{mn:"Чанар"}, description:{mn:"Чанар"}, levels:[{mn:"1"},{mn:"2"},{mn:"3"},{mn:"4"},{mn:"5"}], weight: 1.0}]}){ id } }"#)
        .any(            "FB  ok  FB  FB   FB  FB  FB  UN"),
    row("publishRubric", r#"mutation{ publishRubric(id:"<fresh_rubric>"){ id } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("draftIndicatorFramework", r#"mutation{ draftIndicatorFramework(input:{key:"probe_<n>", name:{mn:"Туршилт"}, description:{mn:"Туршилт"}, components:[{component:SATISFACTION, weight:1.0, minimum:10}]}){ id } }"#)
        .any(            "FB  ok  FB  FB   FB  FB  FB  UN"),
    row("publishIndicatorFramework", r#"mutation{ publishIndicatorFramework(id:"<fresh_framework>"){ id } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("computeScorecards", r#"mutation{ computeScorecards(kind:QUARTER, start:"2026-07-01", frameworkId:"53414e41-4c00-4000-9000-000000000002"){ id } }"#)
        .any(            "FB  ok  FB  FB   FB  FB  FB  UN"),
    row("publishScorecards", r#"mutation{ publishScorecards(kind:QUARTER, start:"2026-07-01", frameworkId:"53414e41-4c00-4000-9000-000000000002"){ id } }"#)
        .any(            "FB  CF  FB  FB   FB  FB  FB  UN")
        .note("the matrix world has no published conclusion of the quarter: nothing to publish"),
    // Only an NGO's own reviewers write its evaluations (the probed reviewer has no NGO).
    row("startNgoEvaluation", r#"mutation{ startNgoEvaluation(input:{institutionId:"<own.inst>", rubricId:"53414e41-4c00-4000-9000-000000000001", periodStart:"2026-11-01", periodEnd:"2026-11-30"}){ id } }"#)
        .any(            "FB  FB  FB  FB   FB  FB  FB  UN"),
    row("editNgoEvaluation", r#"mutation{ editNgoEvaluation(id:"<draft_evaluation>", content:{summary:"Дүгнэлт <n>"}){ id } }"#)
        .own(            "FB  FB  FB  FB   FB  FB  FB  UN")
        .other(          "FB  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  FB  FB  FB   FB  FB  FB  UN"),
    row("submitNgoEvaluation", r#"mutation{ submitNgoEvaluation(id:"<draft_evaluation>"){ id } }"#)
        .own(            "FB  FB  FB  FB   FB  FB  FB  UN")
        .other(          "FB  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  FB  FB  FB   FB  FB  FB  UN"),
    row("withdrawNgoEvaluation", r#"mutation{ withdrawNgoEvaluation(id:"<draft_evaluation>"){ id } }"#)
        .own(            "FB  FB  FB  FB   FB  FB  FB  UN")
        .other(          "FB  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  FB  FB  FB   FB  FB  FB  UN"),
    row("reviseNgoEvaluation", r#"mutation{ reviseNgoEvaluation(id:"<evaluation>", changeNote:"Засварын тайлбар <n>"){ id } }"#)
        .own(            "FB  FB  FB  FB   FB  FB  FB  UN")
        .other(          "FB  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  FB  FB  FB   FB  FB  FB  UN"),
    row("waiveNgoEvaluationTies", r#"mutation{ waiveNgoEvaluationTies(id:"<draft_evaluation>", reason:"Холбоо үнэлгээнд нөлөөгүй <n>"){ id } }"#)
        .own(            "FB  CF  FB  FB   FB  FB  FB  UN")
        .other(          "FB  CF  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN")
        .note("the probed drafts declare no ties: there is nothing to waive"),
    row("returnNgoEvaluation", r#"mutation{ returnNgoEvaluation(id:"<fresh_submitted_evaluation>", comment:"Хувийн мэдээлэл байна <n>"){ id } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("publishNgoEvaluation", r#"mutation{ publishNgoEvaluation(id:"<fresh_submitted_evaluation>"){ id } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("respondToNgoEvaluation", r#"mutation{ respondToNgoEvaluation(id:"<fresh_published_evaluation>", input:{text:{mn:"Хариу <n>"}}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("verifyActionAsNgo", r#"mutation{ verifyActionAsNgo(actionId:"<fresh_completed_action>", input:{confirmed: true, evidence:"Үзсэн <n>", visitedOn:"2027-01-09"}){ id } }"#)
        .own(            "FB  FB  FB  FB   FB  FB  FB  UN")
        .other(          "FB  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  FB  FB  FB   FB  FB  FB  UN")
        .note("only a reviewer of an accredited NGO verifies; the probed reviewer has no NGO"),
    row("sendSuggestion", r#"mutation{ sendSuggestion(input:{institutionId:"<inst>", kind: SUGGESTION, text:"Санал <n>"}){ id } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  FB  ok")
        .other(          "ok  ok  ok  ok   ok  ok  FB  ok")
        .missing(        "BI  BI  BI  BI   BI  BI  FB  BI")
        .note("a missing institution is a field to correct (institutionId)"),
    row("acknowledgeSuggestion", r#"mutation{ acknowledgeSuggestion(id:"<fresh_suggestion>"){ id } }"#)
        .own(            "ok  FB  ok  ok   FB  FB  FB  UN")
        .other(          "ok  FB  NF  NF   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  NF   FB  FB  FB  UN"),
    row("reviewSuggestion", r#"mutation{ reviewSuggestion(id:"<fresh_acknowledged_suggestion>"){ id } }"#)
        .own(            "ok  FB  ok  ok   FB  FB  FB  UN")
        .other(          "ok  FB  NF  NF   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  NF   FB  FB  FB  UN"),
    row("referSuggestion", r#"mutation{ referSuggestion(id:"<fresh_suggestion>", toInstitutionId:"<own.elsewhere>", reason:"Эрх хэмжээнийх биш <n>"){ id } }"#)
        .own(            "ok  FB  ok  ok   FB  FB  FB  UN")
        .other(          "ok  FB  NF  NF   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  NF   FB  FB  FB  UN"),
    row("answerSuggestion", r#"mutation{ answerSuggestion(id:"<fresh_suggestion>", input:{outcome: ACCEPTED, text:{mn:"Хариу <n>"}}){ id } }"#)
        .own(            "ok  FB  ok  ok   FB  FB  FB  UN")
        .other(          "ok  FB  NF  NF   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  NF   FB  FB  FB  UN"),
    row("extendSuggestionDeadline", r#"mutation{ extendSuggestionDeadline(id:"<fresh_suggestion>", days: 5, reason:"Мэдээлэл хүлээж байна <n>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("publishSuggestion", r#"mutation{ publishSuggestion(id:"<fresh_suggestion>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("suggestionFromComment", r#"mutation{ suggestionFromComment(input:{institutionId:"<inst>", kind: COMPLAINT, text:"Сэтгэгдэл <n>"}){ id } }"#)
        .own(            "ok  FB  ok  ok   FB  FB  FB  UN")
        .other(          "ok  FB  NF  NF   FB  FB  FB  UN")
        .missing(        "BI  FB  NF  NF   FB  FB  FB  UN")
        .note("ADMIN may write for any institution: a missing one is a field to correct"),
    // Without the secret, only the signed-in citizen who sent it may answer back.
    row("confirmSuggestion", r#"mutation{ confirmSuggestion(trackingCode:"<suggestion_code>", resolved: true){ status } }"#)
        .own(            "FB  FB  FB  FB   FB  FB  FB  FB")
        .other(          "FB  FB  FB  FB   FB  FB  FB  FB")
        .missing(        "NF  NF  NF  NF   NF  NF  FB  NF"),
    row("reopenSuggestion", r#"mutation{ reopenSuggestion(trackingCode:"<suggestion_code>", reason:"Шийдэгдээгүй байна <n>"){ status } }"#)
        .own(            "FB  FB  FB  FB   FB  FB  FB  FB")
        .other(          "FB  FB  FB  FB   FB  FB  FB  FB")
        .missing(        "NF  NF  NF  NF   NF  NF  FB  NF"),
    row("supportSuggestion", r#"mutation{ supportSuggestion(id:"<published_suggestion>", deviceKey:"device-key-<n>"){ supports } }"#)
        .own(            "ok  ok  ok  ok   ok  ok  FB  ok")
        .other(          "ok  ok  ok  ok   ok  ok  FB  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  FB  NF"),
    row("addHoliday", r#"mutation{ addHoliday(input:{year: 2099, month: 12, day: 31, name:{mn:"Амралт"}}){ id } }"#)
        .any(            "ok  FB  FB  FB   FB  FB  FB  UN"),
    row("removeHoliday", r#"mutation{ removeHoliday(id:"<fresh_holiday>") }"#)
        .own(            "ok  FB  FB  FB   FB  FB  FB  UN")
        .other(          "ok  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  FB  FB   FB  FB  FB  UN"),
    row("dismissFinding", r#"mutation{ dismissFinding(id:"<fresh_open_finding>", reason:"Шалтгаан <n>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("enableOpenChannel", r#"mutation{ enableOpenChannel(serviceId:"<svc>", servicePointId:"<pt>"){ code } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("enableOpenChannel", r#"mutation{ enableOpenChannel(serviceId:"<other.svc>", servicePointId:"<own.pt2>"){ code } }"#)
        .case("own point, another institution's service")
        .any(            "ok  FB  NF  FB   FB  FB  FB  UN"),
    row("institutionComment", r#"mutation{ institutionComment(conclusionId:"<draft>", comment:"Арга хэмжээ авна <n>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("issueInvitation", r#"mutation{ issueInvitation(input:{serviceId:"<svc>", servicePointId:"<pt>", channel: IN_PERSON, transactionRef:"TX-<n>", deliveredAt:"<delivered_at>"}){ invited } }"#)
        .own(            "FB  FB  FB  FB   FB  FB  ok  UN")
        .other(          "FB  FB  FB  FB   FB  FB  NF  UN")
        .missing(        "FB  FB  FB  FB   FB  FB  NF  UN"),
    row("issueInvitation", r#"mutation{ issueInvitation(input:{serviceId:"<own.svc>", servicePointId:"<other.pt>", channel: IN_PERSON, transactionRef:"TX-<n>", deliveredAt:"<delivered_at>"}){ invited } }"#)
        .case("own service at another institution's point")
        .any(            "FB  FB  FB  FB   FB  FB  NF  UN"),
    row("login", r#"mutation{ login(email:"<login_email>", password:"<password>"){ accessToken } }"#)
        .any(            "ok  ok  ok  ok   ok  ok  ok  ok"),
    row("logout", "mutation{ logout }")
        .fresh_session()
        .any(            "ok  ok  ok  ok   ok  ok  FB  UN"),
    row("publishConclusion", r#"mutation{ publishConclusion(id:"<fresh_conclusion>"){ id } }"#)
        .own(            "ok  ok  FB  FB   FB  FB  FB  UN")
        .other(          "ok  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "NF  NF  FB  FB   FB  FB  FB  UN"),
    row("reopenFinding", r#"mutation{ reopenFinding(id:"<fresh_dismissed_finding>", reason:"Шалтгаан <n>"){ id } }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("moveImprovementAction", r#"mutation{ moveImprovementAction(id:"<fresh_proposed_action>", move: PLAN){ id } }"#)
        .case("the institution's move")
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("moveImprovementAction", r#"mutation{ moveImprovementAction(id:"<fresh_completed_action>", move: VERIFY){ id } }"#)
        .case("a supervisor's verification")
        .own(            "ok  ok  FB  FB   FB  FB  FB  UN")
        .other(          "ok  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "NF  NF  FB  FB   FB  FB  FB  UN"),
    row("publishSurvey", r#"mutation{ publishSurvey(id:"<fresh_draft_survey>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("rebuildRollups", r#"mutation{ rebuildRollups(from:"2026-11-01", to:"2026-11-30"){ responses } }"#)
        .any(            "ok  FB  FB  FB   FB  FB  FB  UN"),
    row("refreshSession", r#"mutation{ refreshSession(refreshToken:"<refresh_token>"){ accessToken } }"#)
        .any(            "ok  ok  ok  ok   ok  ok  ok  ok"),
    row("removeQuestion", r#"mutation{ removeQuestion(surveyId:"<growing_survey>", key:"<fresh_question>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("reorderQuestions", r#"mutation{ reorderQuestions(surveyId:"<fixed_survey>", keys:["comment", "overall", "own"]){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    // Closed periods: only a supervisor corrects, with a reason (November 2026 is closed).
    row("correctDeliveredServices", r#"mutation{ correctDeliveredServices(serviceId:"<svc>", servicePointId:"<pt>", date:"2026-11-20", count: 12, reason:"Queue system double-counted transfers") }"#)
        .own(            "FB  ok  FB  FB   FB  FB  FB  UN")
        .other(          "FB  ok  FB  FB   FB  FB  FB  UN")
        .missing(        "FB  NF  FB  FB   FB  FB  FB  UN"),
    row("reportDeliveredServices", r#"mutation{ reportDeliveredServices(serviceId:"<svc>", servicePointId:"<pt>", date:"2027-01-09", count: 12) }"#)
        .own(            "FB  FB  FB  FB   FB  FB  ok  UN")
        .other(          "FB  FB  FB  FB   FB  FB  NF  UN")
        .missing(        "FB  FB  FB  FB   FB  FB  NF  UN"),
    row("reportDeliveredServices", r#"mutation{ reportDeliveredServices(serviceId:"<own.svc>", servicePointId:"<other.pt>", date:"2027-01-09", count: 12) }"#)
        .case("own service at another institution's point")
        .any(            "FB  FB  FB  FB   FB  FB  NF  UN"),
    row("revokeKioskDevice", r#"mutation{ revokeKioskDevice(id:"<fresh_kiosk>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("revokeApiKey", r#"mutation{ revokeApiKey(id:"<spare_key>"){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("setApiKeyCoverage", r#"mutation{ setApiKeyCoverage(id:"<spare_key>", institutionIds:["<inst>"]){ id } }"#)
        .own(            "ok  FB  FB  FB   FB  FB  FB  UN")
        .other(          "ok  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  FB  FB   FB  FB  FB  UN"),
    row("setInvitationSettings", r#"mutation{ setInvitationSettings(serviceId:"<svc>", input:{samplingRate: 1.0, expiryDays: 7, cooldownDays: 30}){ samplingRate } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    // Whoever is measured never answers: the institution's own people (when they
    // identify themselves) and integrations are refused; anyone else may answer.
    row("submitOpenResponse", r#"mutation{ submitOpenResponse(input:{pointCode:"<open_code>", answers:[{questionKey:"overall", value: 3}]}){ accepted } }"#)
        .own(            "ok  ok  FB  FB   ok  ok  FB  ok")
        .other(          "ok  ok  ok  ok   ok  ok  FB  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  FB  NF"),
    row("submitResponse", r#"mutation{ submitResponse(input:{token:"<fresh_token>", answers:[{questionKey:"overall", value: 3}]}){ accepted } }"#)
        .own(            "ok  ok  FB  FB   ok  ok  FB  ok")
        .other(          "ok  ok  ok  ok   ok  ok  FB  ok")
        .missing(        "NF  NF  NF  NF   NF  NF  FB  NF"),
    row("updateInstitution", r#"mutation{ updateInstitution(id:"<inst>", input:{active: true}){ id } }"#)
        .own(            "ok  FB  FB  FB   FB  FB  FB  UN")
        .other(          "ok  FB  FB  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  FB  FB   FB  FB  FB  UN"),
    row("updateQuestion", r#"mutation{ updateQuestion(surveyId:"<fixed_survey>", key:"own", question:{key:"own", type: RATING, min: 1, max: 5, text:{mn:"Үнэлнэ үү <n>"}}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("updateService", r#"mutation{ updateService(id:"<svc>", input:{active: true}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("updateServicePoint", r#"mutation{ updateServicePoint(id:"<pt>", input:{active: true}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("updateSurvey", r#"mutation{ updateSurvey(id:"<fixed_survey>", input:{title:{mn:"Гарчиг <n>"}}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("updateUser", r#"mutation{ updateUser(id:"<user>", input:{displayName:"Ажилтан <n>"}){ id } }"#)
        .own(            "ok  FB  ok  FB   FB  FB  FB  UN")
        .other(          "ok  FB  NF  FB   FB  FB  FB  UN")
        .missing(        "NF  FB  NF  FB   FB  FB  FB  UN"),
    row("updateUser", r#"mutation{ updateUser(id:"<admin_id>", input:{displayName:"Админ <n>"}){ id } }"#)
        .case("an administrator")
        .any(            "ok  FB  NF  FB   FB  FB  FB  UN"),
];

/// One expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// No error.
    Ok,
    /// No error and a non-empty list.
    NonEmpty,
    /// No error and an empty list.
    Empty,
    /// Exactly this error code.
    Code(&'static str),
}

impl Expect {
    fn describe(self) -> &'static str {
        match self {
            Self::Ok => "no error",
            Self::NonEmpty => "no error and a non-empty list",
            Self::Empty => "no error and an empty list",
            Self::Code(c) => c,
        }
    }
}

fn parse_expect(token: &str) -> Option<Expect> {
    Some(match token {
        "ok" => Expect::Ok,
        "+" => Expect::NonEmpty,
        "0" => Expect::Empty,
        "UN" => Expect::Code("UNAUTHENTICATED"),
        "FB" => Expect::Code("FORBIDDEN"),
        "NF" => Expect::Code("NOT_FOUND"),
        "BI" => Expect::Code("BAD_USER_INPUT"),
        "CF" => Expect::Code("CONFLICT"),
        "AR" => Expect::Code("ALREADY_RESPONDED"),
        "EX" => Expect::Code("EXPIRED"),
        _ => return None,
    })
}

fn expectations(s: &str) -> Vec<Expect> {
    s.split_whitespace()
        .map(|t| parse_expect(t).unwrap_or_else(|| panic!("unknown expectation {t:?} in {s:?}")))
        .collect()
}

/// What a response amounts to, in the terms of [`Expect`].
fn outcome(resp: &Value, field: &str) -> String {
    if let Some(errors) = resp.get("errors") {
        return errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or("<error without a code>")
            .to_owned();
    }
    let data = &resp["data"][field];
    let items = data["edges"]
        .as_array()
        .or_else(|| data.as_array())
        .map(Vec::len);
    match items {
        Some(0) => "ok (empty list)".into(),
        Some(n) => format!("ok ({n} items)"),
        None if data.is_null() => "<no data>".into(),
        None => "ok".into(),
    }
}

fn meets(want: Expect, resp: &Value, field: &str) -> bool {
    let data = &resp["data"][field];
    let items = data["edges"]
        .as_array()
        .or_else(|| data.as_array())
        .map(Vec::len);
    let clean = resp.get("errors").is_none() && !data.is_null();
    match want {
        Expect::Ok => clean,
        Expect::NonEmpty => clean && items.is_some_and(|n| n > 0),
        Expect::Empty => clean && items == Some(0),
        Expect::Code(c) => code(resp) == c,
    }
}

/// The two institutions of the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Own,
    Other,
}

/// A world with both institutions, users of every kind and keys.
struct World {
    app: TestApp,
    admin: Auth,
    callers: HashMap<Caller, Auth>,
    /// Named objects of each side (`inst`, `svc`, `survey`, …).
    objects: HashMap<Side, HashMap<&'static str, String>>,
    /// Each side's API key.
    keys: HashMap<Side, Auth>,
    /// Each side's unpublished conclusions, for `publishConclusion`.
    conclusion_pool: RefCell<HashMap<Side, Vec<String>>>,
    /// Ids only the side's own people (and ADMIN, SUPERVISOR) may receive.
    private: HashMap<Side, BTreeSet<String>>,
    /// Objects made on demand, until a successful probe uses them up.
    fresh: RefCell<HashMap<String, String>>,
    counter: Cell<usize>,
    delivered_at: String,
    admin_id: String,
}

const LOGIN_EMAIL: &str = "login.probe@sanal.test";

/// An improvement action of a side's institution (owned by its staff member),
/// moved by ADMIN through `moves`.
async fn new_action(
    app: &TestApp,
    admin: &Auth,
    o: &HashMap<&'static str, String>,
    moves: &[&str],
) -> String {
    let d = app
        .ok(admin, "mutation($i:CreateImprovementActionInput!){ createImprovementAction(input:$i){ id } }",
            json!({ "i": { "institutionId": o["inst"], "title": { "mn": "Арга хэмжээ" }, "description": { "mn": "Тайлбар" },
                "ownerId": o["user"], "dueDate": "2027-12-31" } }))
        .await;
    let id = id_of(&d["createImprovementAction"]);
    for m in moves {
        app.ok(
            admin,
            "mutation($id:ID!,$m:ActionMove!){ moveImprovementAction(id:$id, move:$m){ id } }",
            json!({ "id": id, "m": m }),
        )
        .await;
    }
    id
}

fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_owned()
}

fn ids_in(v: &Value) -> Vec<String> {
    v["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("not a connection: {v}"))
        .iter()
        .map(|e| id_of(&e["node"]))
        .collect()
}

/// A draft survey (FACES_3: questions `overall` and `comment`) of `inst`.
async fn template_survey(app: &TestApp, admin: &Auth, inst: &str) -> String {
    let d = app
        .ok(admin, "mutation($i:ID!){ createSurveyFromTemplate(institutionId:$i, template: FACES_3){ id } }", json!({ "i": inst }))
        .await;
    id_of(&d["createSurveyFromTemplate"])
}

impl World {
    async fn new() -> Self {
        let app = spawn_app_with(|c| {
            // Dozens of probes come from one address: the per-client limits would
            // answer RATE_LIMITED, which is not what is probed here.
            c.invitation_misses_per_client = 100_000;
            c.open_responses_per_client = 100_000;
            c.suggestions.per_client = 100_000;
            // Every probe of createKioskDevice and revokeKioskDevice adds a kiosk.
            c.max_kiosks_per_point = 100;
            // Responses are listed only from cells of at least this many (here each
            // side has a few): who may list them is what is probed here.
            c.suppression_threshold = 1;
            // Every conclusion with answers or invitations has findings to triage.
            c.finding_driver_floor = 1.01;
            c.finding_response_rate_floor = 1.01;
        })
        .await;
        let admin = app.admin().await;
        let mut objects = HashMap::new();
        let mut keys = HashMap::new();
        for (side, code_) in [(Side::Own, "OWN"), (Side::Other, "OTHER")] {
            let (o, k) = Self::institution_with_everything(&app, &admin, code_).await;
            objects.insert(side, o);
            keys.insert(side, k);
        }

        // Move to when 2026's responses are complete and close its periods, so
        // that drafts and published conclusions exist on both sides.
        use chrono::TimeZone;
        app.clock
            .set(chrono::Utc.with_ymd_and_hms(2027, 1, 10, 0, 0, 0).unwrap());
        let admin = app.admin().await;
        for (kind, start) in [
            ("MONTH", "2026-11-01"),
            ("QUARTER", "2026-10-01"),
            ("YEAR", "2026-01-01"),
        ] {
            app.ok(
                &admin,
                &format!("mutation{{ closePeriod(kind: {kind}, start:\"{start}\"){{ created }} }}"),
                json!({}),
            )
            .await;
        }
        let d = app
            .ok(&admin, "query{ conclusions(first: 100, filter:{status: DRAFT}){ edges { node { id scope institutionId periodLabel } } } }", json!({}))
            .await;
        let mut pool: HashMap<Side, Vec<String>> = HashMap::new();
        for e in d["conclusions"]["edges"].as_array().unwrap() {
            let n = &e["node"];
            let side = if n["institutionId"] == objects[&Side::Own]["inst"].as_str() {
                Side::Own
            } else if n["institutionId"] == objects[&Side::Other]["inst"].as_str() {
                Side::Other
            } else {
                continue;
            };
            let o = objects.get_mut(&side).unwrap();
            match (n["scope"].as_str(), n["periodLabel"].as_str()) {
                (Some("INSTITUTION"), Some("2026-11")) => {
                    o.insert("draft", id_of(n));
                }
                (Some("INSTITUTION"), Some("2026-Q4")) => {
                    app.ok(
                        &admin,
                        "mutation($id:ID!){ publishConclusion(id:$id){ id } }",
                        json!({ "id": id_of(n) }),
                    )
                    .await;
                    o.insert("published", id_of(n));
                    // One of its findings, for triage.
                    let c = app
                        .ok(
                            &admin,
                            "query($id:ID!){ conclusion(id:$id){ findings { id } } }",
                            json!({ "id": id_of(n) }),
                        )
                        .await;
                    let f = c["conclusion"]["findings"][0].clone();
                    assert!(f.is_object(), "no finding in the published conclusion: {c}");
                    o.insert("finding", id_of(&f));
                }
                _ => pool.entry(side).or_default().push(id_of(n)),
            }
        }
        for side in [Side::Own, Side::Other] {
            for name in ["draft", "published"] {
                assert!(
                    objects[&side].contains_key(name),
                    "no {name} conclusion for {side:?}: {d}"
                );
            }
            assert!(pool[&side].len() >= 2, "too few drafts: {d}");
        }

        let now = {
            use sanal::clock::Clock;
            app.clock.now()
        };
        let delivered_at = (now - chrono::Duration::minutes(3)).to_rfc3339();
        // An open invitation on each side, for reading.
        for side in [Side::Own, Side::Other] {
            let o = &objects[&side];
            let d = app
                .ok(&keys[&side], ISSUE, json!({ "i": { "serviceId": o["svc"], "servicePointId": o["pt"], "channel": "IN_PERSON", "transactionRef": "READ-ME", "deliveredAt": delivered_at } }))
                .await;
            let token = d["issueInvitation"]["token"].as_str().unwrap().to_owned();
            objects.get_mut(&side).unwrap().insert("token", token);
        }

        // A planned improvement action on each side (public from PLANNED on).
        for side in [Side::Own, Side::Other] {
            let id = new_action(&app, &admin, &objects[&side], &["PLAN"]).await;
            objects.get_mut(&side).unwrap().insert("action", id);
        }

        // Private ids: what only the side's people (and ADMIN, SUPERVISOR) may see.
        // (A published survey version is public: "version" is not among them.)
        let mut private: HashMap<Side, BTreeSet<String>> = HashMap::new();
        let follow_ups = app
            .ok(
                &admin,
                "query{ followUps(first: 100){ edges { node { id serviceId } } } }",
                json!({}),
            )
            .await;
        for side in [Side::Own, Side::Other] {
            let o = &objects[&side];
            let mut set: BTreeSet<String> = [
                "survey",
                "fixed_survey",
                "growing_survey",
                "archivable",
                "user",
                "spare_key",
                "key_id",
                "draft",
            ]
            .iter()
            .map(|k| o[k].clone())
            .collect();
            let r = app
                .ok(
                    &admin,
                    &format!(
                        "query{{ responses(first: 100, filter:{{institutionId:\"{}\"}}){{ edges {{ node {{ id }} }} }} }}",
                        o["inst"]
                    ),
                    json!({}),
                )
                .await;
            let responses = ids_in(&r["responses"]);
            assert!(!responses.is_empty(), "no responses on {side:?}");
            set.extend(responses);
            let mut followed = 0;
            for e in follow_ups["followUps"]["edges"].as_array().unwrap() {
                if e["node"]["serviceId"] == o["svc"].as_str() {
                    set.insert(id_of(&e["node"]));
                    followed += 1;
                }
            }
            assert!(followed > 0, "no follow-ups on {side:?}: {follow_ups}");
            private.insert(side, set);
        }

        // The callers, signed in now (tokens live ten minutes; the clock stands still).
        let own = objects[&Side::Own]["inst"].clone();
        let mut callers = HashMap::new();
        callers.insert(Caller::Admin, admin.clone());
        for (caller, email) in [
            (Caller::Supervisor, "sup@probe.mn"),
            (Caller::Manager, "manager@probe.mn"),
            (Caller::Staff, "staff@probe.mn"),
            (Caller::Ngo, "ngo@probe.mn"),
            (Caller::Citizen, "citizen@probe.mn"),
        ] {
            let (role, scoped) = caller.role().unwrap();
            let auth = app
                .user_with_role(&admin, email, role, scoped.then_some(own.as_str()))
                .await;
            callers.insert(caller, auth);
        }
        callers.insert(Caller::Key, keys[&Side::Own].clone());
        callers.insert(Caller::Anonymous, Auth::None);
        // Each side has an NGO accredited for 2027, with a reviewer, a published
        // evaluation of the side's institution and a draft.
        for (side, n) in [(Side::Own, 1), (Side::Other, 2)] {
            let id = register_ngo(&app, &admin, &format!("SIDE-{n}")).await;
            let sup = &callers[&Caller::Supervisor];
            app.ok(sup, ACCREDIT_NGO, json!({ "id": id })).await;
            let email = format!("reviewer{n}@probe.mn");
            app.ok(
                &admin,
                "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
                json!({ "i": { "email": email, "displayName": "Үнэлгээч", "password": PASSWORD,
                    "assignments": [{ "role": "NGO_REVIEWER", "ngoId": id }] } }),
            )
            .await;
            let reviewer = app.token(&email, PASSWORD).await;
            let inst = objects[&side]["inst"].clone();
            let published = evaluation(&app, &reviewer, sup, &inst, "PUBLISHED").await;
            let draft = evaluation(&app, &reviewer, sup, &inst, "DRAFT").await;
            let o = objects.get_mut(&side).unwrap();
            o.insert("ngo", id);
            o.insert("reviewer", email);
            o.insert("evaluation", published);
            o.insert("draft_evaluation", draft);
        }
        app.user_with_role(&admin, LOGIN_EMAIL, "CITIZEN", None)
            .await;
        let me = app.ok(&admin, "query{ me { id } }", json!({})).await;

        World {
            app,
            admin,
            callers,
            objects,
            keys,
            conclusion_pool: RefCell::new(pool),
            private,
            fresh: RefCell::new(HashMap::new()),
            counter: Cell::new(0),
            delivered_at,
            admin_id: id_of(&me["me"]),
        }
    }

    /// An institution with a service, two points, a published and assigned survey,
    /// draft surveys to edit, an API key and a spare one, a staff member, an open
    /// channel and two November responses with follow-up contacts.
    async fn institution_with_everything(
        app: &TestApp,
        admin: &Auth,
        code_: &str,
    ) -> (HashMap<&'static str, String>, Auth) {
        let mut o = HashMap::new();
        let inst = app.create_institution(admin, code_, None).await;
        let s = app.create_service(admin, &inst, "SVC").await;
        let svc = s["data"]["createService"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let p = app
            .ok(admin, "mutation($i:CreateServicePointInput!){ createServicePoint(input:$i){ id } }",
                json!({ "i": { "institutionId": inst, "code": "PT", "kind": "BRANCH", "regionCode": "MN-1-04", "name": { "mn": "Салбар" } } }))
            .await;
        let pt = id_of(&p["createServicePoint"]);
        // A second point, for probes that would change the first one's settings.
        let p2 = app
            .ok(admin, "mutation($i:CreateServicePointInput!){ createServicePoint(input:$i){ id } }",
                json!({ "i": { "institutionId": inst, "code": "PT2", "kind": "BRANCH", "name": { "mn": "Салбар 2" } } }))
            .await;
        o.insert("pt2", id_of(&p2["createServicePoint"]));
        let survey = template_survey(app, admin, &inst).await;
        let v = app
            .ok(
                admin,
                "mutation($id:ID!){ publishSurvey(id:$id){ id } }",
                json!({ "id": survey }),
            )
            .await;
        let version = id_of(&v["publishSurvey"]);
        app.ok(admin, "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v){ surveyVersionId } }", json!({ "s": svc, "v": version }))
            .await;
        let k = app
            .ok(
                admin,
                "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key apiKey { id } } }",
                json!({ "i": { "institutionId": inst, "name": "Queue", "kind": "NATIONAL_PLATFORM" } }),
            )
            .await;
        let key = Auth::Key(k["createApiKey"]["key"].as_str().unwrap().to_owned());
        o.insert("key_id", id_of(&k["createApiKey"]["apiKey"]));
        let spare = app
            .ok(
                admin,
                "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ apiKey { id } } }",
                json!({ "i": { "institutionId": inst, "name": "Spare", "kind": "INSTITUTION_SYSTEM" } }),
            )
            .await;
        o.insert("spare_key", id_of(&spare["createApiKey"]["apiKey"]));
        let u = app
            .ok(
                admin,
                "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
                json!({ "i": { "email": format!("target.staff@{}.mn", code_.to_lowercase()), "displayName": "Ажилтан",
                    "password": PASSWORD, "assignments": [{ "role": "INSTITUTION_STAFF", "institutionId": inst }] } }),
            )
            .await;
        o.insert("user", id_of(&u["createUser"]));
        let fixed = template_survey(app, admin, &inst).await;
        // The template's own questions are locked; this one of the institution's is not.
        app.ok(admin, "mutation($s:ID!){ addQuestion(surveyId:$s, question:{key:\"own\", type: RATING, min: 1, max: 5, text:{mn:\"Өөрийн асуулт\"}}){ id } }",
            json!({ "s": fixed }))
            .await;
        o.insert("fixed_survey", fixed);
        o.insert("growing_survey", template_survey(app, admin, &inst).await);
        o.insert("archivable", template_survey(app, admin, &inst).await);
        let c = app
            .ok(admin, "mutation($p:ID!,$s:ID!){ enableOpenChannel(servicePointId:$p, serviceId:$s){ code } }", json!({ "p": pt, "s": svc }))
            .await;
        o.insert(
            "open_code",
            c["enableOpenChannel"]["code"].as_str().unwrap().to_owned(),
        );
        let now = {
            use sanal::clock::Clock;
            app.clock.now()
        };
        for i in 0..2 {
            let d = app
                .ok(&key, ISSUE, json!({ "i": { "serviceId": svc, "servicePointId": pt, "channel": "IN_PERSON",
                    "transactionRef": format!("NOV-{i}"), "deliveredAt": (now - chrono::Duration::minutes(3)).to_rfc3339() } }))
                .await;
            let token = d["issueInvitation"]["token"].as_str().unwrap();
            app.ok(
                &Auth::None,
                SUBMIT,
                json!({ "i": { "token": token, "answers": faces(3), "followUp": { "contact": "99112233", "consent": true } } }),
            )
            .await;
        }
        let sent = app
            .ok(
                &Auth::None,
                SEND_SUGGESTION,
                json!({ "i": { "institutionId": inst, "kind": "SUGGESTION", "text": "Санал" } }),
            )
            .await;
        o.insert("suggestion", id_of(&sent["sendSuggestion"]));
        o.insert(
            "suggestion_code",
            sent["sendSuggestion"]["trackingCode"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let published = app
            .ok(
                &Auth::None,
                SEND_SUGGESTION,
                json!({ "i": { "institutionId": inst, "kind": "PRAISE", "text": "Баярлалаа" } }),
            )
            .await;
        let published = id_of(&published["sendSuggestion"]);
        app.ok(
            admin,
            "mutation($id:ID!){ publishSuggestion(id:$id){ id } }",
            json!({ "id": published }),
        )
        .await;
        o.insert("published_suggestion", published);
        // An institution outside both sides' trees, to refer suggestions to.
        o.insert(
            "elsewhere",
            app.create_institution(admin, &format!("{code_}-ELSEWHERE"), None)
                .await,
        );
        o.insert("inst", inst);
        o.insert("svc", svc);
        o.insert("pt", pt);
        o.insert("survey", survey);
        o.insert("version", version);
        (o, key)
    }

    fn next(&self) -> usize {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        n
    }

    /// Fills the placeholders of `op` for `target`; returns the operation and the
    /// on-demand objects it uses (used up if the probe succeeds).
    async fn fill(&self, op: &str, target: Target) -> (String, Vec<String>) {
        let mut out = String::with_capacity(op.len() + 64);
        let mut used = vec![];
        let mut rest = op;
        while let Some(start) = rest.find('<') {
            out.push_str(&rest[..start]);
            let len = rest[start..]
                .find('>')
                .unwrap_or_else(|| panic!("unclosed placeholder in {op}"));
            let name = &rest[start + 1..start + len];
            out.push_str(&self.value(name, target, &mut used).await);
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        (out, used)
    }

    async fn value(&self, name: &str, target: Target, used: &mut Vec<String>) -> String {
        match name {
            "n" => return self.next().to_string(),
            "password" => return PASSWORD.to_owned(),
            "login_email" => return LOGIN_EMAIL.to_owned(),
            "delivered_at" => return self.delivered_at.clone(),
            "admin_id" => return self.admin_id.clone(),
            "refresh_token" => {
                let r = self.app.login(LOGIN_EMAIL, PASSWORD).await;
                return r["data"]["login"]["refreshToken"]
                    .as_str()
                    .unwrap_or_else(|| panic!("login failed: {r}"))
                    .to_owned();
            }
            _ => {}
        }
        let (side, name) = match (name.split_once('.'), target) {
            (Some(("own", n)), _) => (Side::Own, n),
            (Some(("other", n)), _) => (Side::Other, n),
            (Some(_), _) => panic!("unknown placeholder <{name}>"),
            (None, Target::Own) => (Side::Own, name),
            (None, Target::Other) => (Side::Other, name),
            // Nothing has this id.
            (None, Target::Missing) => return uuid::Uuid::new_v4().to_string(),
            (None, Target::Any) => panic!("<{name}> needs a target; use <own.{name}>"),
        };
        if let Some(v) = self.objects[&side].get(name) {
            return v.clone();
        }
        let slot = format!("{side:?}.{name}");
        used.push(slot.clone());
        if let Some(v) = self.fresh.borrow().get(&slot) {
            return v.clone();
        }
        let v = self.make(side, name).await;
        self.fresh.borrow_mut().insert(slot, v.clone());
        v
    }

    /// The side's finding, moved to `state` (`OPEN` or `DISMISSED`) if it is not there.
    async fn finding_in(&self, side: Side, state: &str) -> String {
        let id = self.objects[&side]["finding"].clone();
        let d = self
            .app
            .ok(
                &self.admin,
                "query($id:ID!){ finding(id:$id){ state } }",
                json!({ "id": id }),
            )
            .await;
        if d["finding"]["state"] != state {
            let (who, op) = match state {
                "OPEN" => (&self.callers[&Caller::Supervisor], "reopenFinding"),
                _ => (&self.admin, "dismissFinding"),
            };
            self.app
                .ok(
                    who,
                    &format!("mutation($id:ID!){{ {op}(id:$id, reason:\"Шалгалт\"){{ state }} }}"),
                    json!({ "id": id }),
                )
                .await;
        }
        id
    }

    /// Makes an on-demand object.
    async fn make(&self, side: Side, name: &str) -> String {
        let o = &self.objects[&side];
        match name {
            "fresh_token" => {
                let d = self
                    .app
                    .ok(&self.keys[&side], ISSUE, json!({ "i": { "serviceId": o["svc"], "servicePointId": o["pt"], "channel": "IN_PERSON",
                        "transactionRef": format!("FRESH-{}", self.next()), "deliveredAt": self.delivered_at } }))
                    .await;
                d["issueInvitation"]["token"].as_str().unwrap().to_owned()
            }
            "fresh_draft_survey" => {
                let d = self
                    .app
                    .ok(&self.admin, "mutation($i:ID!){ createSurveyFromTemplate(institutionId:$i, template: FACES_3){ id } }", json!({ "i": o["inst"] }))
                    .await;
                id_of(&d["createSurveyFromTemplate"])
            }
            "fresh_kiosk" => {
                let d = self
                    .app
                    .ok(&self.admin, "mutation($p:ID!,$n:String!){ createKioskDevice(servicePointId:$p, name:$n){ id } }",
                        json!({ "p": o["pt"], "n": format!("Kiosk {}", self.next()) }))
                    .await;
                id_of(&d["createKioskDevice"])
            }
            "fresh_question" => {
                let key = format!("rm{}", self.next());
                self.app
                    .ok(&self.admin, "mutation($s:ID!,$q:QuestionInput!){ addQuestion(surveyId:$s, question:$q){ id } }",
                        json!({ "s": o["growing_survey"], "q": { "key": key, "type": "RATING", "text": { "mn": "Устгах" } } }))
                    .await;
                key
            }
            // The side's finding, open (a supervisor reopens it if a probe dismissed it).
            "fresh_open_finding" => self.finding_in(side, "OPEN").await,
            // The side's finding, dismissed (ADMIN dismisses it if it is open).
            "fresh_dismissed_finding" => self.finding_in(side, "DISMISSED").await,
            "fresh_proposed_action" => new_action(&self.app, &self.admin, o, &[]).await,
            "fresh_completed_action" => {
                new_action(&self.app, &self.admin, o, &["PLAN", "START", "COMPLETE"]).await
            }
            "fresh_suggestion" => {
                let d = self
                    .app
                    .ok(&Auth::None, SEND_SUGGESTION, json!({ "i": { "institutionId": o["inst"], "kind": "REQUEST", "text": format!("Хүсэлт {}", self.next()) } }))
                    .await;
                id_of(&d["sendSuggestion"])
            }
            "fresh_acknowledged_suggestion" => {
                let id = Box::pin(self.make(side, "fresh_suggestion")).await;
                self.app
                    .ok(
                        &self.admin,
                        "mutation($id:ID!){ acknowledgeSuggestion(id:$id){ id } }",
                        json!({ "id": id }),
                    )
                    .await;
                id
            }
            "fresh_holiday" => loop {
                // A day of its own: the recurring holidays (seeded) are skipped.
                let n = self.next();
                let d = self
                    .app
                    .gql(&self.admin, "mutation($i:HolidayInput!){ addHoliday(input:$i){ id } }",
                        json!({ "i": { "year": 2090 + n / 336, "month": 1 + (n / 28) % 12, "day": 1 + n % 28, "name": { "mn": "Амралт" } } }))
                    .await;
                match code(&d) {
                    "CONFLICT" => continue,
                    _ => break id_of(&d["data"]["addHoliday"]),
                }
            },
            "fresh_ngo" => {
                register_ngo(&self.app, &self.admin, &format!("FRESH-{}", self.next())).await
            }
            "fresh_accredited_ngo" => {
                let id =
                    register_ngo(&self.app, &self.admin, &format!("FRESH-{}", self.next())).await;
                self.app
                    .ok(
                        &self.callers[&Caller::Supervisor],
                        ACCREDIT_NGO,
                        json!({ "id": id }),
                    )
                    .await;
                id
            }
            "fresh_citizen" => {
                let d = self
                    .app
                    .ok(&self.admin, "mutation($i:CreateUserInput!){ createUser(input:$i){ id } }",
                        json!({ "i": { "email": format!("citizen{}@probe.mn", self.next()), "displayName": "Иргэн",
                            "password": PASSWORD, "assignments": [{ "role": "CITIZEN" }] } }))
                    .await;
                id_of(&d["createUser"])
            }
            "fresh_member" => {
                let user = Box::pin(self.make(side, "fresh_citizen")).await;
                self.app
                    .ok(
                        &self.admin,
                        "mutation($n:ID!,$u:ID!){ addNgoMember(ngoId:$n, userId:$u) }",
                        json!({ "n": o["ngo"], "u": user }),
                    )
                    .await;
                user
            }
            "fresh_framework" => {
                let d = self
                    .app
                    .ok(&self.callers[&Caller::Supervisor], "mutation($i:IndicatorFrameworkInput!){ draftIndicatorFramework(input:$i){ id } }",
                        json!({ "i": { "key": format!("probe_{}", self.next()), "name": { "mn": "Туршилт" }, "description": { "mn": "Туршилт" },
                            "components": [{ "component": "SATISFACTION", "weight": 1.0, "minimum": 10 }] } }))
                    .await;
                id_of(&d["draftIndicatorFramework"])
            }
            "fresh_rubric" => {
                let level = json!({ "mn": "Түвшин" });
                let d = self
                    .app
                    .ok(&self.callers[&Caller::Supervisor], "mutation($i:RubricInput!){ draftRubric(input:$i){ id } }",
                        json!({ "i": { "key": format!("probe_{}", self.next()), "name": { "mn": "Туршилт" }, "description": { "mn": "Туршилт" },
                            "criteria": [{ "key": "quality", "name": { "mn": "Чанар" }, "description": { "mn": "Чанар" }, "levels": [level, level, level, level, level], "weight": 1.0 }] } }))
                    .await;
                id_of(&d["draftRubric"])
            }
            "fresh_submitted_evaluation" | "fresh_published_evaluation" => {
                let reviewer = self.app.token(&o["reviewer"], PASSWORD).await;
                let status = if name == "fresh_submitted_evaluation" {
                    "SUBMITTED"
                } else {
                    "PUBLISHED"
                };
                evaluation(
                    &self.app,
                    &reviewer,
                    &self.callers[&Caller::Supervisor],
                    &o["inst"],
                    status,
                )
                .await
            }
            "fresh_conclusion" => self
                .conclusion_pool
                .borrow_mut()
                .get_mut(&side)
                .and_then(Vec::pop)
                .unwrap_or_else(|| panic!("no unpublished conclusion left on {side:?}")),
            _ => panic!("unknown placeholder <{name}>"),
        }
    }

    /// The credentials a probe uses: the caller's, or (for operations that end
    /// sessions) a new account of the caller's kind, signed in just now.
    async fn auth(&self, caller: Caller, fresh_session: bool) -> Auth {
        match caller.role() {
            Some((role, scoped)) if fresh_session => {
                let email = format!("fresh{}@probe.mn", self.next());
                let own = &self.objects[&Side::Own]["inst"];
                self.app
                    .user_with_role(&self.admin, &email, role, scoped.then_some(own.as_str()))
                    .await
            }
            _ => self.callers[&caller].clone(),
        }
    }

    /// Ids `caller` must never receive.
    fn forbidden_ids(&self, caller: Caller) -> Vec<&String> {
        let sides: &[Side] = match caller {
            Caller::Admin | Caller::Supervisor => &[],
            Caller::Manager | Caller::Staff | Caller::Key => &[Side::Other],
            Caller::Ngo | Caller::Citizen | Caller::Anonymous => &[Side::Own, Side::Other],
        };
        sides.iter().flat_map(|s| self.private[s].iter()).collect()
    }
}

/// Sends every probe of `rows`; returns (probes sent, disagreements).
async fn probe(w: &World, rows: &[&Row]) -> (usize, Vec<String>) {
    let mut count = 0;
    let mut problems = vec![];
    for row in rows {
        for (target, line) in row.targets() {
            for (caller, want) in CALLERS.iter().zip(expectations(line)) {
                let (op, used) = w.fill(row.op, target).await;
                let auth = w.auth(*caller, row.fresh_session).await;
                let resp = w.app.gql(&auth, &op, json!({})).await;
                count += 1;
                let where_ = format!(
                    "{} | {} | {}",
                    row.label(),
                    caller.name(),
                    target.describe()
                );
                if !meets(want, &resp, row.field) {
                    problems.push(format!(
                        "{where_}: expected {}, got {}\n      op: {op}\n      response: {resp}",
                        want.describe(),
                        outcome(&resp, row.field)
                    ));
                }
                if resp.get("errors").is_none() {
                    let text = resp.to_string();
                    for id in w.forbidden_ids(*caller) {
                        if text.contains(id.as_str()) {
                            problems.push(format!(
                                "{where_}: the answer holds {id}, private to another institution\n      op: {op}\n      response: {resp}"
                            ));
                        }
                    }
                    let mut fresh = w.fresh.borrow_mut();
                    for slot in &used {
                        fresh.remove(slot);
                    }
                }
            }
        }
    }
    (count, problems)
}

async fn run(mutations: bool) {
    let started = std::time::Instant::now();
    let w = World::new().await;
    let setup = started.elapsed();
    let rows: Vec<&Row> = MATRIX
        .iter()
        .filter(|r| r.is_mutation() == mutations)
        .collect();
    let (count, problems) = probe(&w, &rows).await;
    eprintln!(
        "{} {} rows, {count} probes in {:.1?} (world set up in {:.1?})",
        rows.len(),
        if mutations { "mutation" } else { "query" },
        started.elapsed() - setup,
        setup
    );
    assert!(
        problems.is_empty(),
        "{} of {count} probes disagree with the matrix:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[actix_web::test]
async fn every_query_answers_each_caller_and_target_as_the_matrix_says() {
    run(false).await;
}

#[actix_web::test]
async fn every_mutation_answers_each_caller_and_target_as_the_matrix_says() {
    run(true).await;
}

/// The root fields of `type <name> {` in the committed schema.
fn root_fields(sdl: &str, name: &str) -> Vec<String> {
    let start = format!("type {name} {{");
    let mut fields = vec![];
    let mut inside = false;
    let mut description = false;
    for line in sdl.lines() {
        if !inside {
            inside = line.trim_end() == start;
            continue;
        }
        if line.starts_with('}') {
            break;
        }
        let t = line.trim();
        if t.starts_with("\"\"\"") {
            // A one-line description opens and closes on the same line.
            if !(t.len() > 3 && t.ends_with("\"\"\"")) {
                description = !description;
            }
            continue;
        }
        if description || !line.starts_with('\t') {
            continue;
        }
        let f: String = t
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !f.is_empty() && t[f.len()..].starts_with(['(', ':']) {
            fields.push(f);
        }
    }
    assert!(inside, "no `{start}` in schema.graphql");
    fields
}

#[test]
fn every_root_field_of_the_schema_has_a_row_in_the_matrix() {
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    let queries = root_fields(&sdl, "QueryRoot");
    let mutations = root_fields(&sdl, "MutationRoot");
    assert!(
        queries.len() > 10 && mutations.len() > 10,
        "{queries:?} {mutations:?}"
    );
    let mut missing = vec![];
    for (kind, fields, mutation) in [("query", &queries, false), ("mutation", &mutations, true)] {
        for f in fields {
            if !MATRIX
                .iter()
                .any(|r| r.field == f && r.is_mutation() == mutation)
            {
                missing.push(format!("{kind} {f}"));
            }
        }
    }
    let unknown: Vec<String> = MATRIX
        .iter()
        .filter(|r| {
            let fields = if r.is_mutation() {
                &mutations
            } else {
                &queries
            };
            !fields.iter().any(|f| f == r.field)
        })
        .map(Row::label)
        .collect();
    let probes: usize = MATRIX
        .iter()
        .map(|r| r.targets().len() * CALLERS.len())
        .sum();
    eprintln!(
        "{} root fields ({} queries, {} mutations), {} rows, {probes} probes",
        queries.len() + mutations.len(),
        queries.len(),
        mutations.len(),
        MATRIX.len()
    );
    assert!(
        missing.is_empty(),
        "root fields without a row in the matrix: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "rows naming no root field of the schema (or in the wrong root): {unknown:?}"
    );
}

/// Placeholders that mean the same whatever the target.
const GLOBAL_PLACEHOLDERS: [&str; 6] = [
    "n",
    "password",
    "login_email",
    "delivered_at",
    "admin_id",
    "refresh_token",
];

fn placeholders(op: &str) -> Vec<&str> {
    op.split('<')
        .skip(1)
        .filter_map(|s| s.split_once('>').map(|(p, _)| p))
        .collect()
}

#[test]
fn every_row_of_the_matrix_is_well_formed() {
    let mut seen = BTreeSet::new();
    for r in MATRIX {
        let label = r.label();
        assert!(
            seen.insert(label.clone()),
            "{label}: two rows with one label"
        );
        let targets: Vec<Target> = r.targets().iter().map(|(t, _)| *t).collect();
        assert!(
            targets == [Target::Own, Target::Other, Target::Missing] || targets == [Target::Any],
            "{label}: give own, other and missing, or only any"
        );
        for (t, line) in r.targets() {
            let e = expectations(line);
            assert_eq!(
                e.len(),
                CALLERS.len(),
                "{label} {t:?}: one expectation per caller"
            );
            let non_auth = e.iter().any(|x| {
                matches!(x, Expect::Code(c) if !["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"].contains(c))
            });
            assert!(
                !non_auth || !r.note.is_empty(),
                "{label} {t:?}: a non-authorization code needs a note"
            );
        }
        let called = format!("{}(", r.field);
        let bare = format!("{} {{", r.field);
        assert!(
            r.op.contains(&called)
                || r.op.contains(&bare)
                || r.op.trim_end().ends_with(&format!("{} }}", r.field)),
            "{label}: the operation does not call {}",
            r.field
        );
        assert!(
            r.op.trim_start().starts_with("query") || r.is_mutation(),
            "{label}: operations start with `query` or `mutation`"
        );
        let targeted = placeholders(r.op)
            .iter()
            .any(|p| !p.contains('.') && !GLOBAL_PLACEHOLDERS.contains(p));
        assert_eq!(
            targeted,
            r.targets().len() == 3,
            "{label}: rows with target placeholders have own/other/missing, others only any"
        );
    }
}
