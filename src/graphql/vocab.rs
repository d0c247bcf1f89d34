//! The API's names for the domain's vocabulary: GraphQL enums mirroring domain
//! enums, shared by every area (so areas need not import each other).

use super::common::mirror_enum;

mirror_enum!(
    /// How a service is delivered.
    Channel => crate::domain::catalogue::Channel {
        /// Online (e-Mongolia, an agency portal).
        Online,
        /// In person at a counter.
        InPerson,
        /// By phone.
        Phone,
        /// At a self-service kiosk.
        Kiosk,
    }
);

mirror_enum!(
    /// Calendar period kinds (in the reporting time zone).
    PeriodKind => crate::domain::period::PeriodKind {
        /// A month.
        Month,
        /// A quarter (starting Jan, Apr, Jul or Oct 1).
        Quarter,
        /// A half-year (starting Jan or Jul 1).
        HalfYear,
        /// A year.
        Year,
    }
);

mirror_enum!(
    /// Which responses a set of figures counts.
    FigureOrigin => crate::domain::vocab::FigureOrigin {
        /// Answers to invitations.
        Invited,
        /// Open channel (posters, kiosks).
        Open,
        /// Both together.
        Combined,
        /// Invited through a national platform (a segment of `INVITED`).
        NationalPlatform,
        /// Invited through the institution's own system (a segment of `INVITED`).
        InstitutionSystem,
        /// QR posters (a segment of `OPEN`).
        Poster,
        /// Kiosk devices (a segment of `OPEN`).
        Kiosk,
        /// The provenances a SUPERVISOR counts towards the institution's published
        /// figure; present only when that is not all of them, and then the figure
        /// findings and scorecards use.
        Headline,
    }
);

mirror_enum!(
    /// SKM grade.
    SkmGrade => crate::domain::metrics::SkmGrade {
        /// ≥ 88.31: very good.
        A,
        /// ≥ 76.61: good.
        B,
        /// ≥ 65.00: poor.
        C,
        /// Below 65.00: very poor.
        D,
    }
);

mirror_enum!(
    /// Lifecycle of a conclusion.
    ConclusionStatus => crate::domain::vocab::ConclusionStatus {
        /// Made by the system; the institution may comment; may be regenerated.
        Draft,
        /// Published by a supervisor; never changes (late data makes a new revision).
        Published,
    }
);

mirror_enum!(
    /// What a conclusion is about.
    ConclusionScope => crate::domain::vocab::ScopeKind {
        /// An institution with its sub-institutions.
        Institution,
        /// One service.
        Service,
    }
);

mirror_enum!(
    /// What a finding says.
    FindingKind => crate::domain::vocab::FindingKind {
        /// A driver's top-box share is below the floor (`SANAL_FINDING_DRIVER_FLOOR`).
        LowDriver,
        /// An SKM element's mean (1–4) is below the floor (`SANAL_FINDING_SKM_ELEMENT_FLOOR`).
        LowSkmElement,
        /// A driver's top-box share dropped significantly (95%) against the previous period.
        SignificantDrop,
        /// The response rate is below the floor (`SANAL_FINDING_RESPONSE_RATE_FLOOR`).
        LowResponseRate,
        /// Invitations went out and nobody answered.
        InvitationsWithoutResponses,
        /// Some figures rest on fewer answers than the publication threshold (not shown to the public).
        LowConfidence,
        /// A sign that figures were manufactured: SUPERVISOR and ADMIN only.
        Integrity,
    }
);

mirror_enum!(
    /// Where a finding of a published conclusion stands.
    FindingState => crate::domain::vocab::FindingState {
        /// Awaits its institution: an improvement action, or a dismissal with a reason.
        Open,
        /// An improvement action addresses it.
        Addressed,
        /// Its institution dismissed it, with a reason (a supervisor may reopen it).
        Dismissed,
    }
);

mirror_enum!(
    /// Kinds of question.
    QuestionType => crate::domain::survey::QuestionType {
        /// A numeric scale `min..max` (1–4, 1–5, 1–7…) with optional labels per point; answered with `value`.
        Rating,
        /// Net Promoter Score, 0–10; answered with `value`.
        Nps,
        /// Thumbs: `value` 1 = up, 0 = down.
        Thumbs,
        /// Three faces: `value` 1 unhappy, 2 neutral, 3 happy.
        Faces,
        /// One option; answered with `choices` (one key).
        SingleChoice,
        /// Several options; answered with `choices`.
        MultiChoice,
        /// Free text; answered with `text`.
        Text,
    }
);

mirror_enum!(
    /// The national list of drivers a question can measure (A-11, SKM, NPS, effort).
    Driver => crate::domain::survey::Driver {
        /// Overall satisfaction (faces, single overall question).
        Overall,
        /// Satisfaction.
        Satisfaction,
        /// Trust / confidence.
        Trust,
        /// Effectiveness / quality: the need was met.
        Effectiveness,
        /// Ease / simplicity.
        Ease,
        /// Efficiency / speed.
        Efficiency,
        /// Equity / transparency.
        Transparency,
        /// Employee helpfulness.
        Employee,
        /// Humanity: treated with respect (A-11 v2).
        Humanity,
        /// Net Promoter Score.
        Nps,
        /// Customer effort (1–7 ease).
        Effort,
        /// SKM element: requirements.
        SkmRequirements,
        /// SKM element: procedure.
        SkmProcedure,
        /// SKM element: service time.
        SkmTime,
        /// SKM element: cost / tariff.
        SkmCost,
        /// SKM element: product / specification of service.
        SkmProduct,
        /// SKM element: staff competence.
        SkmCompetence,
        /// SKM element: staff behaviour.
        SkmBehaviour,
        /// SKM element: handling of complaints and suggestions.
        SkmComplaints,
        /// SKM element: facilities.
        SkmFacilities,
    }
);

mirror_enum!(
    /// Where a response came from.
    ResponseOrigin => crate::domain::vocab::Origin {
        /// Answer to an invitation issued after a delivered service.
        Invited,
        /// Given through a service point's QR poster or kiosk.
        Open,
    }
);

mirror_enum!(
    /// What kind of system an API key belongs to (chosen by an ADMIN).
    IntegrationKind => crate::domain::vocab::IntegrationKind {
        /// A platform the institutions measured do not run (e-Mongolia, a central
        /// queue operator, the 11-11 centre): receives the citizen's link.
        NationalPlatform,
        /// An institution's own front-office system: passes the citizen's phone or
        /// e-mail and Sanal sends the link itself; it never sees a token or code.
        InstitutionSystem,
    }
);

mirror_enum!(
    /// How a citizen reached the survey.
    Provenance => crate::domain::vocab::Provenance {
        /// Invited through a national platform.
        NationalPlatform,
        /// Invited through the institution's own system (link sent by Sanal).
        InstitutionSystem,
        /// Open channel: QR poster, on the citizen's own device.
        Poster,
        /// Open channel: a kiosk device at the service point.
        Kiosk,
    }
);

mirror_enum!(
    /// What an integrity signal saw on a service × day (supervisors only).
    IntegritySignal => crate::domain::vocab::IntegritySignal {
        /// Many invited answers came within a minute of the invitation being issued.
        FastAnswers,
        /// The day's top-box share is far from the service's own previous 90 days.
        AnswersFarFromBaseline,
        /// The response rate jumped above the service's previous 90 days.
        ResponseRateJump,
        /// One kiosk gave most of the day's answers, or one API key far more of the
        /// invitations than before.
        SourceOverShare,
        /// A jump came within 14 days after the service's settings or survey changed.
        SettingsChangedBeforeJump,
    }
);

mirror_enum!(
    /// Where an improvement action stands.
    ActionStatus => crate::domain::vocab::ActionStatus {
        /// Proposed: not yet committed to (not public).
        Proposed,
        /// Planned: committed to, with an owner and a due date.
        Planned,
        /// Being carried out.
        InProgress,
        /// Done, as its institution says.
        Completed,
        /// Done, as a supervisor verified.
        Verified,
        /// Abandoned before completion, with a reason.
        Cancelled,
    }
);

mirror_enum!(
    /// A move of an improvement action's life cycle.
    ActionMove => crate::domain::action::ActionMove {
        /// `PROPOSED → PLANNED` (the institution's managers).
        Plan,
        /// `PLANNED → IN_PROGRESS` (the institution's managers).
        Start,
        /// `IN_PROGRESS → COMPLETED` (the institution's managers).
        Complete,
        /// `COMPLETED → VERIFIED` (SUPERVISOR).
        Verify,
        /// `COMPLETED → IN_PROGRESS`, with a reason (SUPERVISOR).
        Reject,
        /// Any state before `COMPLETED` → `CANCELLED`, with a reason (the institution's managers).
        Cancel,
    }
);

mirror_enum!(
    /// What an improvement action aims to move.
    MetricKind => crate::domain::vocab::MetricKind {
        /// One question of the services' surveys, by key (`subject`).
        Question,
        /// A driver pooled across the services' surveys (`subject`, e.g. `OVERALL`).
        Driver,
        /// The SKM index.
        SkmIndex,
        /// The response rate.
        ResponseRate,
    }
);

mirror_enum!(
    /// How a targeted metric is measured.
    Measure => crate::domain::vocab::Measure {
        /// Top-box share, 0–1.
        TopBox,
        /// Mean on the question's own scale.
        Mean,
        /// Net Promoter Score, −100–100.
        Nps,
        /// SKM index, 25–100.
        SkmIndex,
        /// Responses / invitations, 0–1.
        ResponseRate,
    }
);

mirror_enum!(
    /// What an improvement action comes from.
    OriginKind => crate::domain::vocab::OriginKind {
        /// A finding of a published conclusion.
        Finding,
        /// A published conclusion as a whole.
        Conclusion,
        /// A citizen's suggestion, request, complaint or praise.
        Suggestion,
        /// A recommendation of a published NGO evaluation (the evaluation's id).
        NgoEvaluation,
    }
);

mirror_enum!(
    /// What a citizen writes to an institution.
    SuggestionKind => crate::domain::vocab::SuggestionKind {
        /// An idea to do something better.
        Suggestion,
        /// A request for something to be done.
        Request,
        /// A complaint about a service.
        Complaint,
        /// Praise for a service or its people.
        Praise,
    }
);

mirror_enum!(
    /// Where a citizen's suggestion stands. `RECEIVED → ACKNOWLEDGED → IN_REVIEW →
    /// ANSWERED → CLOSED`; `REFERRED` to another institution before the answer;
    /// `REOPENED` once by the citizen within 30 days of the answer.
    SuggestionStatus => crate::domain::vocab::SuggestionStatus {
        /// Received; the acknowledgement clock runs.
        Received,
        /// The institution acknowledged it.
        Acknowledged,
        /// Being looked into.
        InReview,
        /// Routed to another institution, which now holds it (the clock keeps running).
        Referred,
        /// Officially answered; the citizen may confirm or reopen.
        Answered,
        /// Reopened by the citizen (once), with a reason.
        Reopened,
        /// Closed: confirmed by the citizen, or 30 days after the answer without reply.
        Closed,
    }
);

mirror_enum!(
    /// The outcome of an official answer to a suggestion.
    AnswerOutcome => crate::domain::vocab::AnswerOutcome {
        /// Accepted: it will be done, or was done.
        Accepted,
        /// Planned: linked improvement actions will do it.
        Planned,
        /// What it asks for exists already.
        AlreadyInPlace,
        /// Declined, with a reason.
        Declined,
        /// Not something this institution can do.
        NotInRemit,
    }
);

mirror_enum!(
    /// Where an NGO's accreditation stands.
    AccreditationStatus => crate::domain::vocab::AccreditationStatus {
        /// Registered, never accredited.
        Registered,
        /// Accredited for a validity period.
        Accredited,
        /// Suspended, with a reason.
        Suspended,
        /// Withdrawn, with a reason.
        Withdrawn,
    }
);

mirror_enum!(
    /// Where an NGO evaluation stands: `DRAFT → SUBMITTED → PUBLISHED`, `RETURNED`
    /// by a supervisor with comments, `WITHDRAWN` by the NGO before publication.
    EvaluationStatus => crate::domain::vocab::EvaluationStatus {
        /// Being written by the NGO.
        Draft,
        /// Submitted for publication.
        Submitted,
        /// Sent back by a supervisor with comments.
        Returned,
        /// Published: frozen and hashed.
        Published,
        /// Withdrawn by the NGO before publication.
        Withdrawn,
    }
);

mirror_enum!(
    /// How an NGO evaluated.
    EvaluationMethod => crate::domain::vocab::EvaluationMethod {
        /// A visit to a service point.
        SiteVisit,
        /// Mystery shopping.
        MysteryShopping,
        /// A review of documents.
        DocumentReview,
        /// Interviews with citizens.
        CitizenInterviews,
        /// A focus group.
        FocusGroup,
        /// A test of the online service.
        OnlineServiceTest,
    }
);

mirror_enum!(
    /// How urgent a recommendation is.
    Priority => crate::domain::vocab::Priority {
        /// Act first.
        High,
        /// Act soon.
        Medium,
        /// Act when possible.
        Low,
    }
);

mirror_enum!(
    /// An institution's decision on a recommendation.
    ResponseDecision => crate::domain::vocab::ResponseDecision {
        /// Accepted (an improvement action may carry it out).
        Accepted,
        /// Partly accepted.
        PartiallyAccepted,
        /// Rejected, with a reason.
        Rejected,
    }
);

mirror_enum!(
    /// Whether a rubric version is still being drafted.
    RubricStatus => crate::domain::vocab::RubricStatus {
        /// Being drafted.
        Draft,
        /// Published: never changes.
        Published,
    }
);

mirror_enum!(
    /// How a citizen may be reached.
    ContactKind => crate::domain::vocab::ContactKind {
        /// A phone number.
        Phone,
        /// An e-mail address.
        Email,
    }
);

mirror_enum!(
    /// Who wrote a suggestion down.
    SuggestionSource => crate::domain::vocab::SuggestionSource {
        /// A citizen.
        Citizen,
        /// An institution's officer, from a survey comment (text only, no link to the response).
        SurveyComment,
    }
);

mirror_enum!(
    /// Whether an improvement action moved what it targeted.
    EffectStatus => crate::domain::vocab::EffectStatus {
        /// The window after completion is not over yet: the figures are provisional.
        Pending,
        /// Either window has fewer answers than the publication threshold.
        InsufficientData,
        /// Better after, significant at 95%.
        Improved,
        /// No significant change at 95%.
        NoChange,
        /// Worse after, significant at 95%.
        Worsened,
    }
);

mirror_enum!(
    /// The four dimensions of a public service named by the commitment (MN0064).
    Dimension => crate::domain::vocab::Dimension {
        /// The service itself and the people giving it: result, competence, courtesy.
        Quality,
        /// Getting the service: procedure, time, ease, place.
        Availability,
        /// Knowing the rules: requirements and fees published, equal treatment.
        Transparency,
        /// Listening: complaints and suggestions handled.
        Openness,
    }
);

mirror_enum!(
    /// Whom the delivering system served (a coarse segment, never an identity).
    RespondentKind => crate::domain::vocab::RespondentKind {
        /// A citizen, for themself.
        Individual,
        /// A company, NGO or other legal entity (through its representative).
        LegalEntity,
    }
);
