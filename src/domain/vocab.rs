//! The vocabulary stored and spoken by Sanal: statuses, kinds and origins as enums
//! with one stable name each (`as_str` / `parse`), so no code compares strings.

/// Declares an enum with stable names for storage and the API.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            /// Every variant.
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// Stable storage / API name.
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
            /// Parses the stable name.
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some($name::$v),)+ _ => None } }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown {}: {s}", stringify!($name))))
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Lifecycle of a survey.
    SurveyStatus {
        /// Never published.
        Draft = "DRAFT",
        /// Has a published version and may be assigned.
        Published = "PUBLISHED",
        /// No new use.
        Archived = "ARCHIVED",
    }
);

string_enum!(
    /// Whether a survey version is still being edited or frozen.
    VersionStatus {
        /// Being edited.
        Draft = "DRAFT",
        /// Frozen: immutable, may be assigned.
        Published = "PUBLISHED",
    }
);

string_enum!(
    /// Lifecycle of a conclusion.
    ConclusionStatus {
        /// Made by the system; the institution may comment; may be regenerated.
        Draft = "DRAFT",
        /// Published by a supervisor: never changes again.
        Published = "PUBLISHED",
    }
);

string_enum!(
    /// What a conclusion is about.
    ScopeKind {
        /// An institution with everything below it.
        Institution = "INSTITUTION",
        /// One service.
        Service = "SERVICE",
    }
);

string_enum!(
    /// How a response came: answering an invitation, or the open channel.
    Origin {
        /// Answer to an invitation sent after a delivered service.
        Invited = "INVITED",
        /// QR poster or kiosk.
        Open = "OPEN",
    }
);

string_enum!(
    /// What kind of system an API key belongs to, chosen by an ADMIN when the key is
    /// made. It decides who may see a citizen's survey link: whoever is measured must
    /// never both issue an invitation and be able to answer it.
    IntegrationKind {
        /// A platform the institutions measured do not run (e-Mongolia, a central
        /// queue-system operator, the 11-11 centre): receives the citizen's link and
        /// may show it in its own app.
        NationalPlatform = "NATIONAL_PLATFORM",
        /// An institution's own front-office system: passes the citizen's phone or
        /// e-mail once and Sanal sends the link itself; it never gets a token or code.
        InstitutionSystem = "INSTITUTION_SYSTEM",
    }
);

string_enum!(
    /// How a citizen reached the survey: the coarse segment every response carries,
    /// so figures can be shown per provenance beside the combined one.
    Provenance {
        /// Invited through a national platform's integration.
        NationalPlatform = "NATIONAL_PLATFORM",
        /// Invited through the institution's own system (link sent by Sanal).
        InstitutionSystem = "INSTITUTION_SYSTEM",
        /// Open channel: a QR poster or a link, answered on the citizen's own device.
        Poster = "POSTER",
        /// Open channel: a kiosk device at the service point.
        Kiosk = "KIOSK",
    }
);

impl From<IntegrationKind> for Provenance {
    fn from(k: IntegrationKind) -> Self {
        match k {
            IntegrationKind::NationalPlatform => Self::NationalPlatform,
            IntegrationKind::InstitutionSystem => Self::InstitutionSystem,
        }
    }
}

impl Provenance {
    /// Invited or open channel.
    pub fn origin(self) -> Origin {
        match self {
            Self::NationalPlatform | Self::InstitutionSystem => Origin::Invited,
            Self::Poster | Self::Kiosk => Origin::Open,
        }
    }
}

string_enum!(
    /// What an integrity signal saw on a service × day (supervisors only).
    IntegritySignal {
        /// Many invited answers came within seconds of the invitation.
        FastAnswers = "FAST_ANSWERS",
        /// The day's answers are far from the service's own baseline.
        AnswersFarFromBaseline = "ANSWERS_FAR_FROM_BASELINE",
        /// The response rate jumped above the service's baseline.
        ResponseRateJump = "RESPONSE_RATE_JUMP",
        /// One kiosk or one API key gave far more than its share.
        SourceOverShare = "SOURCE_OVER_SHARE",
        /// A jump came soon after the service's measurement settings changed.
        SettingsChangedBeforeJump = "SETTINGS_CHANGED_BEFORE_JUMP",
    }
);

string_enum!(
    /// How Sanal reaches a citizen with their link.
    ContactKind {
        /// SMS through the configured gateway.
        Phone = "PHONE",
        /// E-mail through the configured SMTP server.
        Email = "EMAIL",
    }
);

string_enum!(
    /// Which responses a figure counts.
    FigureOrigin {
        /// Answers to invitations.
        Invited = "INVITED",
        /// Open channel (posters, kiosks).
        Open = "OPEN",
        /// Both together.
        Combined = "COMBINED",
        /// Invited through a national platform.
        NationalPlatform = "NATIONAL_PLATFORM",
        /// Invited through the institution's own system.
        InstitutionSystem = "INSTITUTION_SYSTEM",
        /// Open channel: QR posters.
        Poster = "POSTER",
        /// Open channel: kiosks.
        Kiosk = "KIOSK",
        /// The provenances a SUPERVISOR counts towards the institution's published
        /// figure (present only when that is not all of them).
        Headline = "HEADLINE",
    }
);

impl From<Provenance> for FigureOrigin {
    fn from(p: Provenance) -> Self {
        match p {
            Provenance::NationalPlatform => Self::NationalPlatform,
            Provenance::InstitutionSystem => Self::InstitutionSystem,
            Provenance::Poster => Self::Poster,
            Provenance::Kiosk => Self::Kiosk,
        }
    }
}

impl FigureOrigin {
    /// Whether these figures are of one provenance (a segment of an origin).
    pub fn is_provenance(self) -> bool {
        !matches!(
            self,
            Self::Invited | Self::Open | Self::Combined | Self::Headline
        )
    }
}

impl From<Origin> for FigureOrigin {
    fn from(o: Origin) -> Self {
        match o {
            Origin::Invited => Self::Invited,
            Origin::Open => Self::Open,
        }
    }
}

string_enum!(
    /// What a finding of a conclusion says.
    FindingKind {
        /// A driver's top-box share is below the floor.
        LowDriver = "LOW_DRIVER",
        /// An SKM element's mean is below the floor.
        LowSkmElement = "LOW_SKM_ELEMENT",
        /// A driver's top-box share dropped significantly against the previous period.
        SignificantDrop = "SIGNIFICANT_DROP",
        /// The response rate is below the floor.
        LowResponseRate = "LOW_RESPONSE_RATE",
        /// Invitations went out and nobody answered.
        InvitationsWithoutResponses = "INVITATIONS_WITHOUT_RESPONSES",
        /// Some figures rest on fewer answers than the publication threshold.
        LowConfidence = "LOW_CONFIDENCE",
        /// A sign that figures were manufactured (supervisors and admins only).
        Integrity = "INTEGRITY",
    }
);

string_enum!(
    /// Where an improvement action stands (see [`crate::domain::action`]).
    ActionStatus {
        /// Proposed: not yet committed to.
        Proposed = "PROPOSED",
        /// Planned: committed to, with its owner and due date.
        Planned = "PLANNED",
        /// Being carried out.
        InProgress = "IN_PROGRESS",
        /// Done, as its institution says.
        Completed = "COMPLETED",
        /// Done, as a supervisor verified.
        Verified = "VERIFIED",
        /// Abandoned, with a reason.
        Cancelled = "CANCELLED",
    }
);

string_enum!(
    /// What an improvement action aims to move.
    MetricKind {
        /// One question of the services' surveys, by key.
        Question = "QUESTION",
        /// A driver pooled across the services' surveys.
        Driver = "DRIVER",
        /// The SKM index.
        SkmIndex = "SKM_INDEX",
        /// The response rate.
        ResponseRate = "RESPONSE_RATE",
    }
);

string_enum!(
    /// How a targeted metric is measured.
    Measure {
        /// Top-box share (0–1).
        TopBox = "TOP_BOX",
        /// Mean on the question's own scale.
        Mean = "MEAN",
        /// Net Promoter Score (−100–100).
        Nps = "NPS",
        /// SKM index (25–100).
        SkmIndex = "SKM_INDEX",
        /// Responses / invitations (0–1).
        ResponseRate = "RESPONSE_RATE",
    }
);

string_enum!(
    /// What an improvement action comes from.
    OriginKind {
        /// A finding of a published conclusion.
        Finding = "FINDING",
        /// A published conclusion as a whole.
        Conclusion = "CONCLUSION",
        /// A citizen's suggestion, request, complaint or praise.
        Suggestion = "SUGGESTION",
        /// A recommendation of a published NGO evaluation (the evaluation's id).
        NgoEvaluation = "NGO_EVALUATION",
    }
);

string_enum!(
    /// Whether an improvement action moved what it targeted.
    EffectStatus {
        /// The window after completion is not over yet (figures are provisional).
        Pending = "PENDING",
        /// Either window has fewer answers than the publication threshold.
        InsufficientData = "INSUFFICIENT_DATA",
        /// Better after, significant at 95%.
        Improved = "IMPROVED",
        /// No significant change at 95%.
        NoChange = "NO_CHANGE",
        /// Worse after, significant at 95%.
        Worsened = "WORSENED",
    }
);

string_enum!(
    /// Where a finding of a published conclusion stands (see [`crate::domain::finding`]).
    FindingState {
        /// Awaits the institution: an improvement action, or a dismissal with a reason.
        Open = "OPEN",
        /// An improvement action addresses it.
        Addressed = "ADDRESSED",
        /// The institution dismissed it, with a reason.
        Dismissed = "DISMISSED",
    }
);

string_enum!(
    /// What a citizen writes to an institution.
    SuggestionKind {
        /// An idea to do something better.
        Suggestion = "SUGGESTION",
        /// A request for something to be done.
        Request = "REQUEST",
        /// A complaint about a service.
        Complaint = "COMPLAINT",
        /// Praise for a service or its people.
        Praise = "PRAISE",
    }
);

string_enum!(
    /// Where a citizen's suggestion stands (see [`crate::domain::suggestion`]).
    SuggestionStatus {
        /// Received; the acknowledgement clock runs.
        Received = "RECEIVED",
        /// The institution acknowledged it.
        Acknowledged = "ACKNOWLEDGED",
        /// Being looked into.
        InReview = "IN_REVIEW",
        /// Routed to another institution, which now holds it (the clock keeps running).
        Referred = "REFERRED",
        /// Officially answered; the citizen may confirm or reopen.
        Answered = "ANSWERED",
        /// Reopened by the citizen (once), with a reason.
        Reopened = "REOPENED",
        /// Closed: confirmed by the citizen, or 30 days after the answer.
        Closed = "CLOSED",
    }
);

string_enum!(
    /// The outcome of an official answer to a suggestion.
    AnswerOutcome {
        /// Accepted: it will be done, or was done.
        Accepted = "ACCEPTED",
        /// Planned: linked improvement actions will do it.
        Planned = "PLANNED",
        /// What it asks for exists already.
        AlreadyInPlace = "ALREADY_IN_PLACE",
        /// Declined, with a reason.
        Declined = "DECLINED",
        /// Not something this institution can do (and nobody to refer it to).
        NotInRemit = "NOT_IN_REMIT",
    }
);

string_enum!(
    /// Where an NGO's accreditation stands (see [`crate::domain::ngo`]).
    AccreditationStatus {
        /// Registered, never accredited.
        Registered = "REGISTERED",
        /// Accredited for a validity period.
        Accredited = "ACCREDITED",
        /// Suspended, with a reason.
        Suspended = "SUSPENDED",
        /// Withdrawn, with a reason.
        Withdrawn = "WITHDRAWN",
    }
);

string_enum!(
    /// Where an NGO evaluation stands (see [`crate::domain::evaluation`]).
    EvaluationStatus {
        /// Being written by the NGO.
        Draft = "DRAFT",
        /// Submitted for publication.
        Submitted = "SUBMITTED",
        /// Sent back by a supervisor with comments.
        Returned = "RETURNED",
        /// Published: frozen and hashed.
        Published = "PUBLISHED",
        /// Withdrawn by the NGO before publication.
        Withdrawn = "WITHDRAWN",
    }
);

string_enum!(
    /// How an NGO evaluated.
    EvaluationMethod {
        /// A visit to a service point.
        SiteVisit = "SITE_VISIT",
        /// Mystery shopping.
        MysteryShopping = "MYSTERY_SHOPPING",
        /// A review of documents.
        DocumentReview = "DOCUMENT_REVIEW",
        /// Interviews with citizens.
        CitizenInterviews = "CITIZEN_INTERVIEWS",
        /// A focus group.
        FocusGroup = "FOCUS_GROUP",
        /// A test of the online service.
        OnlineServiceTest = "ONLINE_SERVICE_TEST",
    }
);

string_enum!(
    /// How urgent a recommendation is.
    Priority {
        /// Act first.
        High = "HIGH",
        /// Act soon.
        Medium = "MEDIUM",
        /// Act when possible.
        Low = "LOW",
    }
);

string_enum!(
    /// An institution's decision on a recommendation.
    ResponseDecision {
        /// Accepted (an improvement action may carry it out).
        Accepted = "ACCEPTED",
        /// Partly accepted.
        PartiallyAccepted = "PARTIALLY_ACCEPTED",
        /// Rejected, with a reason.
        Rejected = "REJECTED",
    }
);

string_enum!(
    /// Whether a rubric version is still being drafted.
    RubricStatus {
        /// Being drafted.
        Draft = "DRAFT",
        /// Published: never changes.
        Published = "PUBLISHED",
    }
);

string_enum!(
    /// Who wrote a suggestion down.
    SuggestionSource {
        /// A citizen, through the API.
        Citizen = "CITIZEN",
        /// An institution's officer, from a survey comment (text only, no link to the response).
        SurveyComment = "SURVEY_COMMENT",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_and_serializes_as_itself() {
        for k in FindingKind::ALL {
            assert_eq!(FindingKind::parse(k.as_str()), Some(*k));
            assert_eq!(
                serde_json::to_value(k).ok(),
                Some(serde_json::json!(k.as_str()))
            );
        }
        assert_eq!(ConclusionStatus::parse("draft"), None);
        assert!(serde_json::from_str::<Origin>("\"KIOSK\"").is_err());
    }
}

string_enum!(
    /// The four dimensions of a public service named by the commitment (MN0064).
    /// A scale question measures at most one; the template questions are mapped in
    /// `domain::templates::dimension_of`, custom questions opt in.
    Dimension {
        /// The service itself and the people giving it: result, competence, courtesy.
        Quality = "QUALITY",
        /// Getting the service: procedure, time, ease, place.
        Availability = "AVAILABILITY",
        /// Knowing the rules: requirements and fees published, equal treatment.
        Transparency = "TRANSPARENCY",
        /// Listening: complaints and suggestions handled.
        Openness = "OPENNESS",
    }
);

string_enum!(
    /// Whom the delivering system served: the commitment surveys citizens and
    /// legal entities. A coarse segment on the response, never an identity.
    RespondentKind {
        /// A citizen, for themself.
        Individual = "INDIVIDUAL",
        /// A company, NGO or other legal entity (through its representative).
        LegalEntity = "LEGAL_ENTITY",
    }
);
