//! NGO evaluations: their content, life, publication and official responses.

use super::common::{
    Date, LocalizedTextInput, LocalizedTextObject, connection_type, ctx, page, parse_id, parse_ids,
};
use super::vocab::{EvaluationMethod, EvaluationStatus, Priority, ResponseDecision};
use crate::domain::evaluation::{Content, CriterionScore, Method, Observation, Recommendation};
use crate::services::evaluations::{
    self as svc, EvaluationFilter, EvaluationView, NewEvaluation, NewResponse, NewVerification,
    RecommendationAnswer,
};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

connection_type!(
    NgoEvaluationConnection,
    NgoEvaluationEdge,
    NgoEvaluation,
    "NGO evaluations"
);

/// A criterion's score in an evaluation.
#[derive(SimpleObject)]
pub struct CriterionScoreObject {
    /// The rubric criterion's key.
    pub key: String,
    /// 1–5, or null: not assessed.
    pub score: Option<i32>,
    /// What the score rests on.
    pub evidence: String,
    /// Evidence links.
    pub links: Vec<String>,
}

/// What the evaluators saw at a service point.
#[derive(SimpleObject)]
pub struct ObservationObject {
    /// The service point.
    pub service_point_id: ID,
    /// What they saw.
    pub text: String,
}

/// A method an evaluation used.
#[derive(SimpleObject)]
pub struct MethodObject {
    /// Which.
    pub kind: EvaluationMethod,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Where.
    pub service_point_ids: Vec<ID>,
    /// How many visits, shoppers, documents, people or tests.
    pub sample_size: i32,
}

/// A recommendation, with the institution's answer once it responded.
#[derive(SimpleObject)]
pub struct RecommendationObject {
    /// Its place (0-based): what a response names it by.
    pub index: i32,
    /// What to do.
    pub text: String,
    /// How urgent.
    pub priority: Priority,
    /// The institution's decision.
    pub decision: Option<ResponseDecision>,
    /// Why (for a rejection).
    pub reason: Option<String>,
    /// The improvement action carrying it out.
    pub action_id: Option<ID>,
}

/// The institution's official response.
#[derive(SimpleObject)]
pub struct EvaluationResponseObject {
    /// Its text.
    pub text: LocalizedTextObject,
    /// The responding officer's role.
    pub role: String,
    /// When it was given.
    pub responded_at: Option<DateTime<Utc>>,
}

/// An NGO's independent evaluation of an institution, scored on a rubric version.
/// Drafts are seen only by their NGO, SUPERVISOR and ADMIN; published ones by
/// everyone, with the conflict-of-interest declaration and the institution's
/// official response.
pub struct NgoEvaluation(pub EvaluationView);

/// An NGO's independent evaluation of an institution, scored on a rubric version.
/// Drafts are seen only by their NGO, SUPERVISOR and ADMIN; published ones by
/// everyone, with the conflict-of-interest declaration and the institution's
/// official response.
#[Object]
impl NgoEvaluation {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// The NGO.
    async fn ngo_id(&self) -> ID {
        ID(self.0.row.ngo_id.to_string())
    }
    /// The institution evaluated.
    async fn institution_id(&self) -> ID {
        ID(self.0.row.institution_id.to_string())
    }
    /// The rubric version it is scored on.
    async fn rubric_id(&self) -> ID {
        ID(self.0.row.rubric_id.to_string())
    }
    /// First day of the period evaluated.
    async fn period_start(&self) -> Date {
        Date(self.0.row.period_start)
    }
    /// Last day.
    async fn period_end(&self) -> Date {
        Date(self.0.row.period_end)
    }
    /// Services evaluated (none: the institution as a whole).
    async fn service_ids(&self) -> Vec<ID> {
        ids(&self.0.row.service_ids)
    }
    /// Service points evaluated.
    async fn service_point_ids(&self) -> Vec<ID> {
        ids(&self.0.row.service_point_ids)
    }
    /// Where it stands.
    async fn status(&self) -> EvaluationStatus {
        self.0.status.into()
    }
    /// 1, 2, …: a correction is a new revision.
    async fn revision(&self) -> i32 {
        self.0.row.revision
    }
    /// The published evaluation this revision corrects.
    async fn supersedes_id(&self) -> Option<ID> {
        self.0.row.supersedes_id.map(|i| ID(i.to_string()))
    }
    /// What the correction changes.
    async fn change_note(&self) -> Option<&str> {
        self.0.row.change_note.as_deref()
    }
    /// The NGO declared ties to the institution.
    async fn declared_ties(&self) -> bool {
        self.0.row.declared_ties
    }
    /// Which ties.
    async fn ties(&self) -> Option<&str> {
        self.0.row.ties.as_deref()
    }
    /// A SUPERVISOR's waiver of the declared ties.
    async fn waiver_reason(&self) -> Option<&str> {
        self.0.row.waiver_reason.as_deref()
    }
    /// Per criterion.
    async fn criteria(&self) -> Vec<CriterionScoreObject> {
        self.0
            .content
            .criteria
            .iter()
            .map(|c| CriterionScoreObject {
                key: c.key.clone(),
                score: c.score.map(i32::from),
                evidence: c.evidence.clone(),
                links: c.links.clone(),
            })
            .collect()
    }
    /// Per service point.
    async fn observations(&self) -> Vec<ObservationObject> {
        self.0
            .content
            .observations
            .iter()
            .map(|o| ObservationObject {
                service_point_id: ID(o.service_point_id.to_string()),
                text: o.text.clone(),
            })
            .collect()
    }
    /// The methods used.
    async fn methods(&self) -> Vec<MethodObject> {
        self.0
            .content
            .methods
            .iter()
            .map(|m| MethodObject {
                kind: m.kind.into(),
                from: Date(m.from),
                to: Date(m.to),
                service_point_ids: m
                    .service_point_ids
                    .iter()
                    .map(|p| ID(p.to_string()))
                    .collect(),
                sample_size: i32::try_from(m.sample_size).unwrap_or(i32::MAX),
            })
            .collect()
    }
    /// Overall summary.
    async fn summary(&self) -> &str {
        &self.0.content.summary
    }
    /// Recommendations, with the institution's answers.
    async fn recommendations(&self) -> Vec<RecommendationObject> {
        self.0
            .content
            .recommendations
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let answer = self
                    .0
                    .response
                    .as_ref()
                    .and_then(|resp| resp.recommendations.iter().find(|a| a.index == i));
                RecommendationObject {
                    index: i32::try_from(i).unwrap_or(i32::MAX),
                    text: r.text.clone(),
                    priority: r.priority.into(),
                    decision: answer.map(|a| a.decision.into()),
                    reason: answer.and_then(|a| a.reason.clone()),
                    action_id: answer.and_then(|a| a.action_id).map(|x| ID(x.to_string())),
                }
            })
            .collect()
    }
    /// Weighted mean of the assessed criteria, 1–5 (from submission on).
    async fn score(&self) -> Option<f64> {
        self.0.row.score
    }
    /// That score mapped to 0–100.
    async fn score100(&self) -> Option<f64> {
        self.0.row.score_100
    }
    /// A SUPERVISOR's comments when returning it (its NGO and supervisors only).
    async fn return_comment(&self) -> Option<&str> {
        self.0
            .insider
            .then_some(self.0.row.return_comment.as_deref())
            .flatten()
    }
    /// SHA-256 of the published evaluation (canonical: who, whom, period, rubric
    /// version with its criteria, declaration, waiver, content, score, revision).
    async fn content_hash(&self) -> Option<&str> {
        self.0.row.content_hash.as_deref()
    }
    /// When it was submitted.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.submitted_at
    }
    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.published_at
    }
    /// Last day for the institution's response.
    async fn response_due(&self) -> Option<Date> {
        self.0.row.response_due.map(Date)
    }
    /// Published, unanswered, and past its response day.
    async fn response_overdue(&self) -> bool {
        self.0.response_overdue
    }
    /// The institution's official response.
    async fn response(&self) -> Option<EvaluationResponseObject> {
        self.0.response.as_ref().map(|r| EvaluationResponseObject {
            text: LocalizedTextObject(r.text.clone()),
            role: r.role.clone(),
            responded_at: self.0.row.responded_at,
        })
    }
}

fn ids(v: &serde_json::Value) -> Vec<ID> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(|s| ID(s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// A new evaluation.
#[derive(InputObject)]
pub struct StartEvaluationInput {
    /// The institution evaluated.
    pub institution_id: ID,
    /// Some of its services (none: the institution as a whole).
    #[graphql(default)]
    pub service_ids: Vec<ID>,
    /// Some of its service points.
    #[graphql(default)]
    pub service_point_ids: Vec<ID>,
    /// A published rubric version.
    pub rubric_id: ID,
    /// First day of the period evaluated.
    pub period_start: Date,
    /// Last day (at most a year after the first).
    pub period_end: Date,
    /// The conflict-of-interest declaration: null for no ties with the
    /// institution, else the ties (10–2,000 characters). Ties block submission
    /// until a SUPERVISOR waives them; the declaration is published.
    pub ties: Option<String>,
}

/// A criterion's score.
#[derive(InputObject)]
pub struct CriterionScoreInput {
    /// The rubric criterion's key.
    pub key: String,
    /// 1–5, or null: not assessed.
    pub score: Option<i32>,
    /// What the score rests on (at most 4,000 characters).
    #[graphql(default)]
    pub evidence: String,
    /// Evidence links (https, at most 50).
    #[graphql(default)]
    pub links: Vec<String>,
}

/// What the evaluators saw at a service point.
#[derive(InputObject)]
pub struct ObservationInput {
    /// A service point of the institution.
    pub service_point_id: ID,
    /// What they saw (at most 4,000 characters).
    pub text: String,
}

/// A method used.
#[derive(InputObject)]
pub struct MethodInput {
    /// Which.
    pub kind: EvaluationMethod,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Where (service points of the institution).
    #[graphql(default)]
    pub service_point_ids: Vec<ID>,
    /// How many visits, shoppers, documents, people or tests (1–1,000,000).
    pub sample_size: i32,
}

/// A recommendation.
#[derive(InputObject)]
pub struct RecommendationInput {
    /// What to do (1–4,000 characters).
    pub text: String,
    /// How urgent.
    pub priority: Priority,
}

/// An evaluation's content (replaces what was there).
#[derive(InputObject)]
pub struct EvaluationContentInput {
    /// Per criterion of the rubric.
    #[graphql(default)]
    pub criteria: Vec<CriterionScoreInput>,
    /// Per service point.
    #[graphql(default)]
    pub observations: Vec<ObservationInput>,
    /// The methods used.
    #[graphql(default)]
    pub methods: Vec<MethodInput>,
    /// Overall summary (at most 4,000 characters).
    #[graphql(default)]
    pub summary: String,
    /// Recommendations (at most 50).
    #[graphql(default)]
    pub recommendations: Vec<RecommendationInput>,
}

impl EvaluationContentInput {
    fn parse(self) -> Result<Content> {
        let score = |s: Option<i32>| {
            s.map(|v| {
                u8::try_from(v).map_err(|_| {
                    crate::error::AppError::bad_input("criteria.score", "must be 1-5, or none")
                })
            })
            .transpose()
        };
        let mut criteria = vec![];
        for c in self.criteria {
            criteria.push(CriterionScore {
                key: c.key,
                score: score(c.score)?,
                evidence: c.evidence,
                links: c.links,
            });
        }
        let mut observations = vec![];
        for o in self.observations {
            observations.push(Observation {
                service_point_id: parse_id("observations.servicePointId", &o.service_point_id)?,
                text: o.text,
            });
        }
        let mut methods = vec![];
        for m in self.methods {
            methods.push(Method {
                kind: m.kind.into(),
                from: m.from.0,
                to: m.to.0,
                service_point_ids: parse_ids("methods.servicePointIds", &m.service_point_ids)?,
                sample_size: u32::try_from(m.sample_size).unwrap_or(0),
            });
        }
        Ok(Content {
            criteria,
            observations,
            methods,
            summary: self.summary,
            recommendations: self
                .recommendations
                .into_iter()
                .map(|r| Recommendation {
                    text: r.text,
                    priority: r.priority.into(),
                })
                .collect(),
        })
    }
}

/// The answer to one recommendation.
#[derive(InputObject)]
pub struct RecommendationAnswerInput {
    /// The recommendation's index.
    pub index: i32,
    /// The decision.
    pub decision: ResponseDecision,
    /// Why (required for `REJECTED`; 10–2,000 characters).
    pub reason: Option<String>,
    /// A live improvement action of the institution that carries it out.
    pub action_id: Option<ID>,
}

/// The institution's official response.
#[derive(InputObject)]
pub struct EvaluationResponseInput {
    /// Its text (each translation at most 4,000 characters).
    pub text: LocalizedTextInput,
    /// One answer per recommendation.
    #[graphql(default)]
    pub recommendations: Vec<RecommendationAnswerInput>,
}

/// Filters for `ngoEvaluations`.
#[derive(InputObject, Default)]
pub struct NgoEvaluationFilterInput {
    /// Of this institution.
    pub institution_id: Option<ID>,
    /// With everything below it (default false).
    #[graphql(default)]
    pub with_subtree: bool,
    /// By this NGO.
    pub ngo_id: Option<ID>,
    /// In this status.
    pub status: Option<EvaluationStatus>,
    /// Of a period starting on or after this day.
    pub period_start: Option<Date>,
}

/// An accredited NGO's verification of a completed improvement action. It sits
/// beside the supervisor's verification and never changes the action's status.
#[derive(SimpleObject)]
pub struct NgoActionVerification {
    /// Id.
    pub id: ID,
    /// The NGO.
    pub ngo_id: ID,
    /// Whether the NGO found it done.
    pub confirmed: bool,
    /// What the verification rests on.
    pub evidence: String,
    /// Evidence links.
    pub links: Vec<String>,
    /// The day of the visit.
    pub visited_on: Date,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl From<svc::VerificationView> for NgoActionVerification {
    fn from(m: svc::VerificationView) -> Self {
        NgoActionVerification {
            id: ID(m.id.to_string()),
            ngo_id: ID(m.ngo_id.to_string()),
            confirmed: m.confirmed,
            evidence: m.evidence,
            links: m.links,
            visited_on: Date(m.visited_on),
            created_at: m.created_at,
        }
    }
}

/// An NGO's verification of an improvement action.
#[derive(InputObject)]
pub struct VerifyActionInput {
    /// Whether the NGO found it done.
    pub confirmed: bool,
    /// What it rests on (1–4,000 characters).
    pub evidence: String,
    /// Evidence links (https, at most 50).
    #[graphql(default)]
    pub links: Vec<String>,
    /// The day of the visit (not in the future).
    pub visited_on: Date,
}

/// NGO evaluation queries.
#[derive(Default)]
pub struct EvaluationQuery;

#[Object]
impl EvaluationQuery {
    /// NGO evaluations: published ones for everyone (no account needed), with the
    /// official response; drafts only for their NGO, SUPERVISOR and ADMIN.
    async fn ngo_evaluations(
        &self,
        c: &Context<'_>,
        filter: Option<NgoEvaluationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<NgoEvaluationConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let id = |field: &str, v: &Option<ID>| v.as_ref().map(|i| parse_id(field, i)).transpose();
        let filter = EvaluationFilter {
            institution_id: id("institutionId", &f.institution_id)?,
            with_subtree: f.with_subtree,
            ngo_id: id("ngoId", &f.ngo_id)?,
            status: f.status.map(Into::into),
            period_start: f.period_start.map(|d| d.0),
        };
        let p = svc::list(state, actor, filter, page(first, after)?).await?;
        Ok(NgoEvaluationConnection::from_page(
            p,
            |e| e.row.id,
            NgoEvaluation,
        ))
    }

    /// One NGO evaluation.
    async fn ngo_evaluation(&self, c: &Context<'_>, id: ID) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        Ok(NgoEvaluation(
            svc::get(state, actor, parse_id("id", &id)?).await?,
        ))
    }
}

/// NGO evaluation mutations.
#[derive(Default)]
pub struct EvaluationMutation;

#[Object]
impl EvaluationMutation {
    /// Starts an evaluation (a reviewer of an NGO accredited today), with the
    /// conflict-of-interest declaration.
    async fn start_ngo_evaluation(
        &self,
        c: &Context<'_>,
        input: StartEvaluationInput,
    ) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        let e = NewEvaluation {
            institution_id: parse_id("institutionId", &input.institution_id)?,
            service_ids: parse_ids("serviceIds", &input.service_ids)?,
            service_point_ids: parse_ids("servicePointIds", &input.service_point_ids)?,
            rubric_id: parse_id("rubricId", &input.rubric_id)?,
            period_start: input.period_start.0,
            period_end: input.period_end.0,
            ties: input.ties,
        };
        Ok(NgoEvaluation(svc::start(state, actor, e).await?))
    }

    /// Replaces a draft's (or a returned one's) content (its NGO's reviewers).
    async fn edit_ngo_evaluation(
        &self,
        c: &Context<'_>,
        id: ID,
        content: EvaluationContentInput,
    ) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        Ok(NgoEvaluation(
            svc::edit(state, actor, parse_id("id", &id)?, content.parse()?).await?,
        ))
    }

    /// Submits an evaluation (its NGO's reviewers, while accredited).
    async fn submit_ngo_evaluation(&self, c: &Context<'_>, id: ID) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        Ok(NgoEvaluation(
            svc::submit(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Withdraws an evaluation before publication (its NGO's reviewers).
    async fn withdraw_ngo_evaluation(&self, c: &Context<'_>, id: ID) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        Ok(NgoEvaluation(
            svc::withdraw(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Waives an evaluation's declared ties, with a reason (a SUPERVISOR).
    async fn waive_ngo_evaluation_ties(
        &self,
        c: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        Ok(NgoEvaluation(
            svc::waive(state, actor, parse_id("id", &id)?, &reason).await?,
        ))
    }

    /// Returns a submission with comments, e.g. personal data found (a SUPERVISOR).
    async fn return_ngo_evaluation(
        &self,
        c: &Context<'_>,
        id: ID,
        comment: String,
    ) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        Ok(NgoEvaluation(
            svc::send_back(state, actor, parse_id("id", &id)?, &comment).await?,
        ))
    }

    /// Publishes a submission (a SUPERVISOR): frozen and hashed; the institution's
    /// response is due within 30 days.
    async fn publish_ngo_evaluation(&self, c: &Context<'_>, id: ID) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        Ok(NgoEvaluation(
            svc::publish(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Starts a correction of a published evaluation: a new draft revision saying
    /// what it changes (its NGO's reviewers).
    async fn revise_ngo_evaluation(
        &self,
        c: &Context<'_>,
        id: ID,
        change_note: String,
    ) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        Ok(NgoEvaluation(
            svc::revise(state, actor, parse_id("id", &id)?, &change_note).await?,
        ))
    }

    /// Records the caller's NGO's verification of a completed improvement action of
    /// any institution (a reviewer of an NGO accredited today), once per NGO; it
    /// never changes the action's status.
    async fn verify_action_as_ngo(
        &self,
        c: &Context<'_>,
        action_id: ID,
        input: VerifyActionInput,
    ) -> Result<NgoActionVerification> {
        let (state, actor) = ctx(c)?;
        let v = NewVerification {
            confirmed: input.confirmed,
            evidence: input.evidence,
            links: input.links,
            visited_on: input.visited_on.0,
        };
        Ok(
            svc::verify_action(state, actor, parse_id("actionId", &action_id)?, v)
                .await?
                .into(),
        )
    }

    /// The institution's official response to a published evaluation (its
    /// managers), once: every recommendation accepted, partly accepted or rejected.
    async fn respond_to_ngo_evaluation(
        &self,
        c: &Context<'_>,
        id: ID,
        input: EvaluationResponseInput,
    ) -> Result<NgoEvaluation> {
        let (state, actor) = ctx(c)?;
        let mut recommendations = vec![];
        for r in input.recommendations {
            recommendations.push(RecommendationAnswer {
                index: usize::try_from(r.index).unwrap_or(usize::MAX),
                decision: r.decision.into(),
                reason: r.reason,
                action_id: r
                    .action_id
                    .as_ref()
                    .map(|a| parse_id("recommendations.actionId", a))
                    .transpose()?,
            });
        }
        let resp = NewResponse {
            text: input.text.parse("text", 4_000)?,
            recommendations,
        };
        Ok(NgoEvaluation(
            svc::respond(state, actor, parse_id("id", &id)?, resp).await?,
        ))
    }
}
