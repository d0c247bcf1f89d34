//! NGOs, their accreditation and membership, and the rubrics they evaluate on.

use super::common::{
    Date, LocalizedTextInput, LocalizedTextObject, connection_type, ctx, page, parse_id,
};
use super::vocab::{AccreditationStatus, RubricStatus};
use crate::domain::LocalizedText;
use crate::domain::ngo::{AccreditationMove, Criterion};
use crate::services::ngos::{self as svc, NAME_MAX, NewNgo, NewRubric, NgoView, RubricView};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

connection_type!(NgoConnection, NgoEdge, Ngo, "NGOs");

/// A civil society organisation that evaluates public services, with its
/// accreditation.
pub struct Ngo(pub NgoView);

/// A civil society organisation that evaluates public services, with its
/// accreditation.
#[Object]
impl Ngo {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// Name.
    async fn name(&self) -> LocalizedTextObject {
        LocalizedTextObject(LocalizedText::from_json(&self.0.row.name))
    }
    /// State registration number.
    async fn registration_number(&self) -> &str {
        &self.0.row.registration_number
    }
    /// The organisation's contact e-mail.
    async fn contact_email(&self) -> Option<&str> {
        self.0.row.contact_email.as_deref()
    }
    /// The organisation's contact phone.
    async fn contact_phone(&self) -> Option<&str> {
        self.0.row.contact_phone.as_deref()
    }
    /// Website.
    async fn website(&self) -> Option<&str> {
        self.0.row.website.as_deref()
    }
    /// Accreditation status.
    async fn status(&self) -> AccreditationStatus {
        self.0.status.into()
    }
    /// First day of the accreditation.
    async fn accredited_from(&self) -> Option<Date> {
        self.0.row.accredited_from.map(Date)
    }
    /// Last day of the accreditation.
    async fn accredited_until(&self) -> Option<Date> {
        self.0.row.accredited_until.map(Date)
    }
    /// Accredited and within its validity today: may start and submit evaluations.
    async fn may_evaluate(&self) -> bool {
        self.0.may_evaluate
    }
    /// The latest decision's note or reason.
    async fn decision_note(&self) -> Option<&str> {
        self.0.row.decision_note.as_deref()
    }
    /// When the latest decision was made.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.decided_at
    }
}

/// An NGO to register.
#[derive(InputObject)]
pub struct RegisterNgoInput {
    /// Name (each translation at most 300 characters).
    pub name: LocalizedTextInput,
    /// State registration number (unique).
    pub registration_number: String,
    /// Contact e-mail (or a phone).
    pub contact_email: Option<String>,
    /// Contact phone (or an e-mail).
    pub contact_phone: Option<String>,
    /// Website (https).
    pub website: Option<String>,
}

/// One level of a criterion's scale.
#[derive(SimpleObject)]
pub struct RubricLevel {
    /// 1 (lowest) to 5.
    pub score: i32,
    /// What it means.
    pub description: LocalizedTextObject,
}

/// One criterion of a rubric.
pub struct RubricCriterion(Criterion);

/// One criterion of a rubric.
#[Object]
impl RubricCriterion {
    /// Stable key.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Name.
    async fn name(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.name.clone())
    }
    /// What it assesses.
    async fn description(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.description.clone())
    }
    /// Its weight (a rubric's weights sum to 1).
    async fn weight(&self) -> f64 {
        self.0.weight
    }
    /// The anchored levels, 1 to 5.
    async fn levels(&self) -> Vec<RubricLevel> {
        self.0
            .levels
            .iter()
            .zip(1..)
            .map(|(l, score)| RubricLevel {
                score,
                description: LocalizedTextObject(l.clone()),
            })
            .collect()
    }
}

/// One version of an evaluation rubric (methodology). A published version never
/// changes; a change is a new version.
pub struct Rubric(pub RubricView);

/// One version of an evaluation rubric (methodology). A published version never
/// changes; a change is a new version.
#[Object]
impl Rubric {
    /// Id (of this version).
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// The rubric's key.
    async fn key(&self) -> &str {
        &self.0.row.key
    }
    /// Version, from 1.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// Name.
    async fn name(&self) -> LocalizedTextObject {
        LocalizedTextObject(LocalizedText::from_json(&self.0.row.name))
    }
    /// Description.
    async fn description(&self) -> LocalizedTextObject {
        LocalizedTextObject(LocalizedText::from_json(&self.0.row.description))
    }
    /// Draft or published.
    async fn status(&self) -> RubricStatus {
        self.0.status.into()
    }
    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.published_at
    }
    /// Its criteria.
    async fn criteria(&self) -> Vec<RubricCriterion> {
        self.0
            .criteria
            .iter()
            .cloned()
            .map(RubricCriterion)
            .collect()
    }
}

/// A criterion of a new rubric version.
#[derive(InputObject)]
pub struct RubricCriterionInput {
    /// Stable key (a-z, 0-9, _).
    pub key: String,
    /// Name (each translation at most 200 characters).
    pub name: LocalizedTextInput,
    /// What it assesses (each translation at most 2,000 characters).
    pub description: LocalizedTextInput,
    /// What each level means, 1 to 5 (five entries).
    pub levels: Vec<LocalizedTextInput>,
    /// Its weight, in (0, 1]; the weights sum to 1.
    pub weight: f64,
}

/// A new rubric version.
#[derive(InputObject)]
pub struct RubricInput {
    /// The rubric's key: a new key starts at version 1, a known one gets the next version.
    pub key: String,
    /// Name (each translation at most 200 characters).
    pub name: LocalizedTextInput,
    /// Description (each translation at most 2,000 characters).
    pub description: LocalizedTextInput,
    /// Criteria (1 to 20).
    pub criteria: Vec<RubricCriterionInput>,
}

/// NGO and rubric queries.
#[derive(Default)]
pub struct NgoQuery;

#[Object]
impl NgoQuery {
    /// NGOs: those accredited and valid today for everyone; all of them (of a
    /// status) for ADMIN and SUPERVISOR; reviewers also see their own.
    async fn ngos(
        &self,
        c: &Context<'_>,
        status: Option<AccreditationStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<NgoConnection> {
        let (state, actor) = ctx(c)?;
        let p = svc::list(state, actor, status.map(Into::into), page(first, after)?).await?;
        Ok(NgoConnection::from_page(p, |n| n.row.id, Ngo))
    }

    /// One NGO.
    async fn ngo(&self, c: &Context<'_>, id: ID) -> Result<Ngo> {
        let (state, actor) = ctx(c)?;
        Ok(Ngo(svc::get(state, actor, parse_id("id", &id)?).await?))
    }

    /// Evaluation rubrics: published versions (drafts too for ADMIN and SUPERVISOR).
    async fn rubrics(&self, c: &Context<'_>) -> Result<Vec<Rubric>> {
        let (state, actor) = ctx(c)?;
        Ok(svc::rubrics(state, actor)
            .await?
            .into_iter()
            .map(Rubric)
            .collect())
    }

    /// One rubric version.
    async fn rubric(&self, c: &Context<'_>, id: ID) -> Result<Rubric> {
        let (state, actor) = ctx(c)?;
        Ok(Rubric(
            svc::rubric(state, actor, parse_id("id", &id)?).await?,
        ))
    }
}

/// NGO and rubric mutations.
#[derive(Default)]
pub struct NgoMutation;

#[Object]
impl NgoMutation {
    /// Registers an NGO (ADMIN, SUPERVISOR); it evaluates once accredited.
    async fn register_ngo(&self, c: &Context<'_>, input: RegisterNgoInput) -> Result<Ngo> {
        let (state, actor) = ctx(c)?;
        let n = NewNgo {
            name: input.name.parse("name", NAME_MAX)?,
            registration_number: input.registration_number,
            contact_email: input.contact_email,
            contact_phone: input.contact_phone,
            website: input.website,
        };
        Ok(Ngo(svc::register(state, actor, n).await?))
    }

    /// Accredits an NGO from `from` to `until` (inclusive, at most five years) with a
    /// decision note (a SUPERVISOR). Accrediting again renews or reinstates.
    async fn accredit_ngo(
        &self,
        c: &Context<'_>,
        id: ID,
        from: Date,
        until: Date,
        note: String,
    ) -> Result<Ngo> {
        let (state, actor) = ctx(c)?;
        Ok(Ngo(svc::decide(
            state,
            actor,
            parse_id("id", &id)?,
            AccreditationMove::Accredit,
            Some((from.0, until.0)),
            &note,
        )
        .await?))
    }

    /// Suspends an NGO's accreditation, with a reason (a SUPERVISOR).
    async fn suspend_ngo(&self, c: &Context<'_>, id: ID, reason: String) -> Result<Ngo> {
        let (state, actor) = ctx(c)?;
        Ok(Ngo(svc::decide(
            state,
            actor,
            parse_id("id", &id)?,
            AccreditationMove::Suspend,
            None,
            &reason,
        )
        .await?))
    }

    /// Withdraws an NGO's accreditation, with a reason (a SUPERVISOR).
    async fn withdraw_ngo_accreditation(
        &self,
        c: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<Ngo> {
        let (state, actor) = ctx(c)?;
        Ok(Ngo(svc::decide(
            state,
            actor,
            parse_id("id", &id)?,
            AccreditationMove::Withdraw,
            None,
            &reason,
        )
        .await?))
    }

    /// Makes a user a reviewer of an NGO (its lead reviewer, or ADMIN; only ADMIN
    /// names a lead: `lead`, default false). Never an institution's officer.
    async fn add_ngo_member(
        &self,
        c: &Context<'_>,
        ngo_id: ID,
        user_id: ID,
        lead: Option<bool>,
    ) -> Result<bool> {
        let (state, actor) = ctx(c)?;
        svc::add_member(
            state,
            actor,
            parse_id("ngoId", &ngo_id)?,
            parse_id("userId", &user_id)?,
            lead.unwrap_or(false),
        )
        .await?;
        Ok(true)
    }

    /// Ends a user's membership of an NGO (its lead reviewer, or ADMIN).
    async fn remove_ngo_member(&self, c: &Context<'_>, ngo_id: ID, user_id: ID) -> Result<bool> {
        let (state, actor) = ctx(c)?;
        svc::remove_member(
            state,
            actor,
            parse_id("ngoId", &ngo_id)?,
            parse_id("userId", &user_id)?,
        )
        .await?;
        Ok(true)
    }

    /// Drafts the next version of a rubric (a SUPERVISOR).
    async fn draft_rubric(&self, c: &Context<'_>, input: RubricInput) -> Result<Rubric> {
        let (state, actor) = ctx(c)?;
        let mut criteria = vec![];
        for cr in input.criteria {
            let mut levels = vec![];
            for l in cr.levels {
                levels.push(l.parse("criteria.levels", 500)?);
            }
            criteria.push(Criterion {
                key: cr.key,
                name: cr.name.parse("criteria.name", 200)?,
                description: cr.description.parse("criteria.description", 2_000)?,
                levels,
                weight: cr.weight,
            });
        }
        let r = NewRubric {
            key: input.key,
            name: input.name.parse("name", 200)?,
            description: input.description.parse("description", 2_000)?,
            criteria,
        };
        Ok(Rubric(svc::draft_rubric(state, actor, r).await?))
    }

    /// Publishes a rubric draft (a SUPERVISOR): it never changes again.
    async fn publish_rubric(&self, c: &Context<'_>, id: ID) -> Result<Rubric> {
        let (state, actor) = ctx(c)?;
        Ok(Rubric(
            svc::publish_rubric(state, actor, parse_id("id", &id)?).await?,
        ))
    }
}
