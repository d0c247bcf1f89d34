//! Citizens' suggestions and requests, their official answers, and the holiday
//! calendar their deadlines count working days by.

use super::common::{
    Date, LocalizedTextInput, LocalizedTextObject, connection_type, ctx, page, parse_id, parse_ids,
};
use super::reports::PeriodInput;
use super::vocab::{
    AnswerOutcome, ContactKind, SuggestionKind, SuggestionSource, SuggestionStatus,
};
use crate::domain::LocalizedText;
use crate::services::holidays::{self, NAME_MAX, NewHoliday};
use crate::services::suggestions::{
    self as svc, Audience, NewAnswer, NewSuggestion, SuggestionFilter, SuggestionView, TEXT_MAX,
};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

connection_type!(
    SuggestionConnection,
    SuggestionEdge,
    Suggestion,
    "suggestions"
);

/// A citizen's suggestion, request, complaint or praise, and its official answer.
/// What is shown depends on the reader: the institution holding it (and
/// supervisors) see everything but the contact, which only its managers read
/// (`contact`, each read audited); the citizen sees their own text only with the
/// secret; the public sees a published suggestion's redacted text, never the
/// tracking code or who answered.
pub struct Suggestion(pub SuggestionView);

impl Suggestion {
    fn institution(&self) -> bool {
        self.0.audience == Audience::Institution
    }
    fn citizen(&self) -> bool {
        matches!(self.0.audience, Audience::Citizen { .. })
    }
    fn owner(&self) -> bool {
        matches!(self.0.audience, Audience::Citizen { owner: true })
    }
}

/// An official answer to a suggestion.
#[derive(SimpleObject)]
pub struct SuggestionAnswer {
    /// Its outcome.
    pub outcome: AnswerOutcome,
    /// Its text.
    pub text: LocalizedTextObject,
    /// Why it was declined.
    pub reason: Option<String>,
    /// The answering officer's role (`INSTITUTION_MANAGER`, `INSTITUTION_STAFF` or `ADMIN`).
    pub role: Option<String>,
    /// The institution that answered.
    pub institution_id: Option<ID>,
    /// Day of the latest answer.
    pub answered_on: Option<Date>,
    /// Improvement actions that will do it.
    pub action_ids: Vec<ID>,
}

/// How to reach the citizen who sent a suggestion (given with consent).
#[derive(SimpleObject)]
pub struct SuggestionContact {
    /// Phone or e-mail.
    pub kind: ContactKind,
    /// The number or address.
    pub value: String,
}

/// A citizen's suggestion, request, complaint or praise, and its official answer.
/// What is shown depends on the reader: the institution holding it (and
/// supervisors) see everything but the contact, which only its managers read
/// (`contact`, each read audited); the citizen sees their own text only with the
/// secret; the public sees a published suggestion's redacted text, never the
/// tracking code or who answered.
#[Object]
impl Suggestion {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// The code the citizen follows it by (`XXXXX-XXXXX`); not shown to the public.
    async fn tracking_code(&self) -> Option<&str> {
        (!matches!(self.0.audience, Audience::Public)).then_some(self.0.row.tracking_code.as_str())
    }
    /// The secret that confirms or reopens it: only in the answer to sending it.
    /// Keep it; it is never shown again.
    async fn secret(&self) -> Option<&str> {
        self.0.secret.as_deref()
    }
    /// This was an exact repeat of a suggestion sent moments before from the same
    /// place, and is that one.
    async fn folded(&self) -> bool {
        self.0.folded
    }
    /// What it is.
    async fn kind(&self) -> SuggestionKind {
        self.0.kind.into()
    }
    /// Who wrote it down.
    async fn source(&self) -> SuggestionSource {
        self.0.source.into()
    }
    /// The institution holding it now.
    async fn institution_id(&self) -> ID {
        ID(self.0.row.institution_id.to_string())
    }
    /// The institution it was first sent to (referrals move it).
    async fn received_by_id(&self) -> ID {
        ID(self.0.row.received_by_id.to_string())
    }
    /// The service it is about.
    async fn service_id(&self) -> Option<ID> {
        self.0.row.service_id.map(|s| ID(s.to_string()))
    }
    /// The service point it is about (not shown to the public).
    async fn service_point_id(&self) -> Option<ID> {
        if matches!(self.0.audience, Audience::Public) {
            return None;
        }
        self.0.row.service_point_id.map(|s| ID(s.to_string()))
    }
    /// The text: exactly as written for the institution and the citizen with the
    /// secret; the published, redacted text for the public; null otherwise.
    /// Render it as text, never as markup.
    async fn text(&self) -> Option<&str> {
        match self.0.audience {
            Audience::Institution | Audience::Citizen { owner: true } => Some(&self.0.row.body),
            Audience::Public => self.0.row.public_body.as_deref(),
            Audience::Citizen { owner: false } => None,
        }
    }
    /// The language it says it is written in.
    async fn language(&self) -> Option<&str> {
        (self.institution() || self.owner())
            .then_some(self.0.row.language.as_deref())
            .flatten()
    }
    /// The text as it would be published: phone numbers, e-mail addresses and
    /// register numbers masked (institution only).
    async fn redacted_text(&self) -> Option<String> {
        self.institution()
            .then(|| crate::domain::suggestion::redact(&self.0.row.body))
    }
    /// The published text, if published (institution and public).
    async fn published_text(&self) -> Option<&str> {
        (!self.citizen())
            .then_some(self.0.row.public_body.as_deref())
            .flatten()
    }
    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.published_at
    }
    /// Where it stands.
    async fn status(&self) -> SuggestionStatus {
        self.0.status.into()
    }
    /// Why it was referred.
    async fn status_reason(&self) -> Option<&str> {
        (!matches!(self.0.audience, Audience::Public))
            .then_some(self.0.row.status_reason.as_deref())
            .flatten()
    }
    /// The day it was received (reporting zone).
    async fn received_on(&self) -> Date {
        Date(self.0.row.received_on)
    }
    /// Last day to acknowledge it (working days after receipt).
    async fn acknowledge_by(&self) -> Date {
        Date(self.0.row.ack_due)
    }
    /// Last day to answer it (extended, if it was).
    async fn answer_by(&self) -> Date {
        Date(self.0.row.answer_due)
    }
    /// Days the answer deadline was extended by.
    async fn extension_days(&self) -> Option<i32> {
        self.0.row.extension_days
    }
    /// Why it was extended.
    async fn extension_reason(&self) -> Option<&str> {
        self.0.row.extension_reason.as_deref()
    }
    /// When it was acknowledged.
    async fn acknowledged_on(&self) -> Option<Date> {
        self.0.row.acknowledged_on.map(Date)
    }
    /// Whether its first answer came by the deadline.
    async fn answered_in_time(&self) -> Option<bool> {
        self.0.row.answered_in_time
    }
    /// A deadline passed without the acknowledgement or answer it asked for.
    async fn overdue(&self) -> bool {
        self.0.overdue
    }
    /// The official answer.
    async fn answer(&self) -> Option<SuggestionAnswer> {
        let outcome = self.0.outcome()?;
        let text = self
            .0
            .answer_text()
            .unwrap_or_else(|| LocalizedText::from_json(&serde_json::Value::Null));
        Some(SuggestionAnswer {
            outcome: outcome.into(),
            text: LocalizedTextObject(text),
            reason: self.0.row.answer_reason.clone(),
            role: self.0.row.answer_role.clone(),
            institution_id: self.0.row.answer_institution_id.map(|i| ID(i.to_string())),
            answered_on: self.0.row.answered_on.map(Date),
            action_ids: self
                .0
                .action_ids
                .iter()
                .map(|a| ID(a.to_string()))
                .collect(),
        })
    }
    /// Who answered (institution only).
    async fn answered_by(&self) -> Option<ID> {
        self.institution()
            .then_some(self.0.row.answered_by)
            .flatten()
            .map(|u| ID(u.to_string()))
    }
    /// When it was reopened, and why (not shown to the public).
    async fn reopened_on(&self) -> Option<Date> {
        self.0.row.reopened_on.map(Date)
    }
    /// The citizen's reason for reopening (their own words: the institution and
    /// the citizen with the secret only).
    async fn reopen_reason(&self) -> Option<&str> {
        (self.institution() || self.owner())
            .then_some(self.0.row.reopen_reason.as_deref())
            .flatten()
    }
    /// The citizen's confirmation: resolved or not (null: no reply).
    async fn resolved(&self) -> Option<bool> {
        self.0.row.resolved
    }
    /// When it closed.
    async fn closed_on(&self) -> Option<Date> {
        self.0.row.closed_on.map(Date)
    }
    /// The citizen may still reopen the answer (once, within 30 days).
    async fn can_reopen(&self, c: &Context<'_>) -> Result<bool> {
        let (state, _) = ctx(c)?;
        Ok(self.0.can_reopen(svc::today(state)))
    }
    /// How many support it.
    async fn supports(&self) -> i32 {
        self.0.row.supports
    }
    /// The citizen left a contact that is still kept (institution only).
    async fn has_contact(&self) -> bool {
        self.institution() && self.0.has_contact
    }
    /// The citizen's contact: the institution's managers only, each read audited;
    /// null for everyone else, or when none was left or it was erased.
    #[graphql(complexity = 20)]
    async fn contact(&self, c: &Context<'_>) -> Result<Option<SuggestionContact>> {
        if !self.institution() || !self.0.has_contact {
            return Ok(None);
        }
        let (state, actor) = ctx(c)?;
        match svc::contact(state, actor, self.0.row.id).await {
            Ok(c) => Ok(c.map(|(kind, value)| SuggestionContact {
                kind: kind.into(),
                value,
            })),
            Err(crate::error::AppError::Forbidden | crate::error::AppError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// A suggestion to send.
#[derive(InputObject)]
pub struct SendSuggestionInput {
    /// The institution it is for.
    pub institution_id: ID,
    /// One of its services.
    pub service_id: Option<ID>,
    /// The service point (with the service).
    pub service_point_id: Option<ID>,
    /// What it is.
    pub kind: SuggestionKind,
    /// The text, in the language written (1–4,000 characters).
    pub text: String,
    /// That language (`mn`, `en`, `mn-Mong`, `kk`).
    pub language: Option<String>,
    /// A phone number to be reached on (only with `consent`).
    pub phone: Option<String>,
    /// An e-mail address to be reached on (only with `consent`).
    pub email: Option<String>,
    /// The citizen agrees to be contacted about it.
    #[graphql(default)]
    pub consent: bool,
    /// A random key the app keeps on the device (8–200 characters): limits sending per device.
    pub device_key: Option<String>,
}

/// An official answer.
#[derive(InputObject)]
pub struct AnswerSuggestionInput {
    /// The outcome.
    pub outcome: AnswerOutcome,
    /// The answer (each translation at most 4,000 characters).
    pub text: LocalizedTextInput,
    /// Why (required for `DECLINED`; 10–2,000 characters).
    pub reason: Option<String>,
    /// Improvement actions of the institution that will do it (required for `PLANNED`).
    #[graphql(default)]
    pub action_ids: Vec<ID>,
}

/// A suggestion written down from a survey comment.
#[derive(InputObject)]
pub struct SuggestionFromCommentInput {
    /// The institution (in the caller's scope).
    pub institution_id: ID,
    /// The service the comment was about.
    pub service_id: Option<ID>,
    /// What it is.
    pub kind: SuggestionKind,
    /// The comment's text (nothing links it to the response).
    pub text: String,
}

/// Filters for `suggestions`, `publicSuggestions` and `suggestionStats`.
#[derive(InputObject, Default)]
pub struct SuggestionFilterInput {
    /// Held by this institution.
    pub institution_id: Option<ID>,
    /// With everything below it (default false).
    #[graphql(default)]
    pub with_subtree: bool,
    /// In this status.
    pub status: Option<SuggestionStatus>,
    /// Of this kind.
    pub kind: Option<SuggestionKind>,
    /// Overdue (or not).
    pub overdue: Option<bool>,
    /// About this service.
    pub service_id: Option<ID>,
}

impl SuggestionFilterInput {
    fn parse(self) -> Result<SuggestionFilter> {
        let id = |f: &str, v: &Option<ID>| v.as_ref().map(|i| parse_id(f, i)).transpose();
        Ok(SuggestionFilter {
            institution_id: id("institutionId", &self.institution_id)?,
            with_subtree: self.with_subtree,
            status: self.status.map(Into::into),
            kind: self.kind.map(Into::into),
            overdue: self.overdue,
            service_id: id("serviceId", &self.service_id)?,
        })
    }
}

/// A share with its 95% Wilson interval.
#[derive(SimpleObject)]
pub struct ShareInterval {
    /// The share, 0–1.
    pub value: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// Suggestions of one kind.
#[derive(SimpleObject)]
pub struct SuggestionKindCount {
    /// The kind.
    pub kind: SuggestionKind,
    /// How many.
    pub count: i64,
}

/// How suggestions are handled over a period (by the day received).
#[derive(SimpleObject)]
pub struct SuggestionStats {
    /// Received in the period.
    pub received: i64,
    /// Of those, per kind.
    pub by_kind: Vec<SuggestionKindCount>,
    /// Of those, answered.
    pub answered: i64,
    /// Of those answered, answered by the deadline.
    pub answered_in_time: i64,
    /// That share, with its 95% Wilson interval.
    pub answered_in_time_share: Option<ShareInterval>,
    /// Median working days from receipt to the first answer.
    pub median_working_days_to_answer: Option<f64>,
    /// Answers the citizen confirmed (resolved or not).
    pub confirmed: i64,
    /// Of those, confirmed resolved.
    pub confirmed_resolved: i64,
    /// That share, with its 95% Wilson interval.
    pub confirmed_resolved_share: Option<ShareInterval>,
    /// Overdue today, whenever received.
    pub overdue_now: i64,
    /// Sent to the institution in the period and referred outside it since: they
    /// count towards the receiver's figures, not these.
    pub referred_away: i64,
}

/// A public holiday.
#[derive(SimpleObject)]
pub struct Holiday {
    /// Id.
    pub id: ID,
    /// Its date in the year asked for.
    pub date: Date,
    /// On this date every year (else only this year).
    pub every_year: bool,
    /// Its name.
    pub name: LocalizedTextObject,
}

/// A public holiday to add.
#[derive(InputObject)]
pub struct HolidayInput {
    /// Only this year (e.g. Tsagaan Sar); none: every year.
    pub year: Option<i32>,
    /// Month, 1–12.
    pub month: i32,
    /// Day of the month.
    pub day: i32,
    /// Its name (each translation at most 200 characters).
    pub name: LocalizedTextInput,
}

fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn interval(s: Option<(f64, f64, f64)>) -> Option<ShareInterval> {
    s.map(|(value, low, high)| ShareInterval { value, low, high })
}

/// Suggestion queries.
#[derive(Default)]
pub struct SuggestionQuery;

#[Object]
impl SuggestionQuery {
    /// Suggestions the caller's institutions hold (supervisors: all), oldest first.
    async fn suggestions(
        &self,
        c: &Context<'_>,
        filter: Option<SuggestionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SuggestionConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default().parse()?;
        let p = svc::list(state, actor, f, page(first, after)?).await?;
        Ok(SuggestionConnection::from_page(p, |s| s.row.id, Suggestion))
    }

    /// One suggestion the caller's institutions hold (supervisors: any).
    async fn institution_suggestion(&self, c: &Context<'_>, id: ID) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::get(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// A suggestion by its tracking code, for the citizen who sent it (no account
    /// needed): with its text only when the secret is given (or its signed-in
    /// sender asks). An unknown code or wrong secret answers `NOT_FOUND` and counts
    /// towards the client's misses limit.
    async fn suggestion(
        &self,
        c: &Context<'_>,
        tracking_code: String,
        secret: Option<String>,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::by_code(state, actor, &tracking_code, secret.as_deref()).await?,
        ))
    }

    /// The signed-in citizen's own suggestions.
    async fn my_suggestions(
        &self,
        c: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SuggestionConnection> {
        let (state, actor) = ctx(c)?;
        let p = svc::mine(state, actor, page(first, after)?).await?;
        Ok(SuggestionConnection::from_page(p, |s| s.row.id, Suggestion))
    }

    /// Published suggestions with their answers and supports (no account needed).
    async fn public_suggestions(
        &self,
        c: &Context<'_>,
        filter: Option<SuggestionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SuggestionConnection> {
        let (state, _) = ctx(c)?;
        let f = filter.unwrap_or_default().parse()?;
        let p = svc::public_list(state, f, page(first, after)?).await?;
        Ok(SuggestionConnection::from_page(p, |s| s.row.id, Suggestion))
    }

    /// How the caller's institutions handle suggestions over a period (by the day
    /// received); `overdueNow` counts all suggestions overdue today.
    #[graphql(complexity = 50)]
    async fn suggestion_stats(
        &self,
        c: &Context<'_>,
        filter: Option<SuggestionFilterInput>,
        period: PeriodInput,
    ) -> Result<SuggestionStats> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default().parse()?;
        let s = svc::stats(state, actor, f, period.parse()?).await?;
        Ok(SuggestionStats {
            received: int(s.received),
            by_kind: s
                .by_kind
                .into_iter()
                .map(|(k, n)| SuggestionKindCount {
                    kind: k.into(),
                    count: int(n),
                })
                .collect(),
            answered: int(s.answered),
            answered_in_time: int(s.answered_in_time),
            answered_in_time_share: interval(s.in_time_share),
            median_working_days_to_answer: s.median_working_days,
            confirmed: int(s.confirmed),
            confirmed_resolved: int(s.resolved),
            confirmed_resolved_share: interval(s.resolved_share),
            overdue_now: int(s.overdue_now),
            referred_away: int(s.referred_away),
        })
    }

    /// The public holidays of a year (every-year ones and that year's), by date.
    async fn holidays(&self, c: &Context<'_>, year: i32) -> Result<Vec<Holiday>> {
        let (state, _) = ctx(c)?;
        Ok(holidays::list(state, year)
            .await?
            .into_iter()
            .map(|(date, r)| Holiday {
                id: ID(r.id.to_string()),
                date: Date(date),
                every_year: r.year.is_none(),
                name: LocalizedTextObject(LocalizedText::from_json(&r.name)),
            })
            .collect())
    }
}

/// Suggestion mutations.
#[derive(Default)]
pub struct SuggestionMutation;

#[Object]
impl SuggestionMutation {
    /// Sends a suggestion, request, complaint or praise (no account needed). Keep
    /// the tracking code and the secret it answers with. Rate-limited per client
    /// and per device; an exact repeat within minutes is folded into the first.
    async fn send_suggestion(
        &self,
        c: &Context<'_>,
        input: SendSuggestionInput,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        let id = |f: &str, v: &Option<ID>| v.as_ref().map(|i| parse_id(f, i)).transpose();
        let s = NewSuggestion {
            institution_id: parse_id("institutionId", &input.institution_id)?,
            service_id: id("serviceId", &input.service_id)?,
            service_point_id: id("servicePointId", &input.service_point_id)?,
            kind: input.kind.into(),
            text: input.text,
            language: input.language,
            phone: input.phone,
            email: input.email,
            consent: input.consent,
            device_key: input.device_key,
        };
        Ok(Suggestion(svc::submit(state, actor, s).await?))
    }

    /// Acknowledges a suggestion (the institution's managers and staff).
    async fn acknowledge_suggestion(&self, c: &Context<'_>, id: ID) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::acknowledge(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Starts looking into a suggestion (the institution's managers and staff).
    async fn review_suggestion(&self, c: &Context<'_>, id: ID) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::review(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Refers a suggestion to the institution that can act on it, with a reason:
    /// that one holds it now, and the deadlines stay as they were.
    async fn refer_suggestion(
        &self,
        c: &Context<'_>,
        id: ID,
        to_institution_id: ID,
        reason: String,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::refer(
                state,
                actor,
                parse_id("id", &id)?,
                parse_id("toInstitutionId", &to_institution_id)?,
                &reason,
            )
            .await?,
        ))
    }

    /// Answers a suggestion officially (the institution's managers and staff).
    async fn answer_suggestion(
        &self,
        c: &Context<'_>,
        id: ID,
        input: AnswerSuggestionInput,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        let a = NewAnswer {
            outcome: input.outcome.into(),
            text: input.text.parse("text", TEXT_MAX)?,
            reason: input.reason,
            action_ids: parse_ids("actionIds", &input.action_ids)?,
        };
        Ok(Suggestion(
            svc::answer(state, actor, parse_id("id", &id)?, a).await?,
        ))
    }

    /// Extends the answer deadline once, with a reason (the institution's managers).
    async fn extend_suggestion_deadline(
        &self,
        c: &Context<'_>,
        id: ID,
        days: i32,
        reason: String,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::extend(state, actor, parse_id("id", &id)?, days, &reason).await?,
        ))
    }

    /// Publishes a suggestion (the institution's managers): the public reads its
    /// text with phone numbers, e-mail addresses and register numbers masked —
    /// `text` is the manager's edit of it, masked again.
    async fn publish_suggestion(
        &self,
        c: &Context<'_>,
        id: ID,
        text: Option<String>,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::publish(state, actor, parse_id("id", &id)?, text.as_deref()).await?,
        ))
    }

    /// Writes a suggestion down from a survey comment (managers and staff): the
    /// text only, with nothing linking it to the response.
    async fn suggestion_from_comment(
        &self,
        c: &Context<'_>,
        input: SuggestionFromCommentInput,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        let service = input
            .service_id
            .as_ref()
            .map(|s| parse_id("serviceId", s))
            .transpose()?;
        Ok(Suggestion(
            svc::from_comment(
                state,
                actor,
                parse_id("institutionId", &input.institution_id)?,
                service,
                input.kind.into(),
                &input.text,
            )
            .await?,
        ))
    }

    /// The citizen says whether the answer resolved it (with the secret, or signed
    /// in as its sender): it closes.
    async fn confirm_suggestion(
        &self,
        c: &Context<'_>,
        tracking_code: String,
        secret: Option<String>,
        resolved: bool,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::confirm(state, actor, &tracking_code, secret.as_deref(), resolved).await?,
        ))
    }

    /// The citizen reopens the answer — once, within 30 days of it, with a reason.
    async fn reopen_suggestion(
        &self,
        c: &Context<'_>,
        tracking_code: String,
        secret: Option<String>,
        reason: String,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::reopen(state, actor, &tracking_code, secret.as_deref(), &reason).await?,
        ))
    }

    /// Supports a published suggestion: once per signed-in user, or per device.
    async fn support_suggestion(
        &self,
        c: &Context<'_>,
        id: ID,
        device_key: Option<String>,
    ) -> Result<Suggestion> {
        let (state, actor) = ctx(c)?;
        Ok(Suggestion(
            svc::support(state, actor, parse_id("id", &id)?, device_key.as_deref()).await?,
        ))
    }

    /// Adds a public holiday (ADMIN): every year on a date, or one year's date
    /// (Tsagaan Sar, Chinggis Khaan's birthday). Deadlines count from then on.
    async fn add_holiday(&self, c: &Context<'_>, input: HolidayInput) -> Result<Holiday> {
        let (state, actor) = ctx(c)?;
        let (month, day) = match (u32::try_from(input.month), u32::try_from(input.day)) {
            (Ok(m), Ok(d)) => (m, d),
            _ => return Err(crate::error::AppError::bad_input("day", "no such date").into()),
        };
        let h = NewHoliday {
            year: input.year,
            month,
            day,
            name: input.name.parse("name", NAME_MAX)?,
        };
        let r = holidays::add(state, actor, h).await?;
        let date = chrono::NaiveDate::from_ymd_opt(
            r.year
                .unwrap_or_else(|| chrono::Datelike::year(&svc::today(state))),
            month,
            day,
        )
        .or_else(|| chrono::NaiveDate::from_ymd_opt(2028, month, day))
        .ok_or_else(|| crate::error::AppError::internal("a stored holiday has no date"))?;
        Ok(Holiday {
            id: ID(r.id.to_string()),
            date: Date(date),
            every_year: r.year.is_none(),
            name: LocalizedTextObject(LocalizedText::from_json(&r.name)),
        })
    }

    /// Removes a public holiday (ADMIN).
    async fn remove_holiday(&self, c: &Context<'_>, id: ID) -> Result<bool> {
        let (state, actor) = ctx(c)?;
        holidays::remove(state, actor, parse_id("id", &id)?).await?;
        Ok(true)
    }
}
