//! `sanal demo`: fills an empty database with a living example — ministries,
//! agencies and aimag branches with Mongolian names, services, the four templates
//! published and assigned, demo users, and a few thousand responses spread over the
//! last 18 months with plausible variation (seeded, so every run looks the same).
//!
//! Then the loop that follows the figures (see [`closing`]): improvement actions,
//! citizens' suggestions in every state, and the moving public holidays; and the
//! independent voice (see [`evaluations`]): accredited NGOs and their evaluations.
//!
//! The catalogue goes through the ordinary services; the history (invitations,
//! responses, delivered counts for past days, which the live API rightly refuses)
//! is written straight into the tables, already in its purged state.

mod closing;
mod evaluations;
mod scorecards;

use super::catalogue::{NewService, NewServicePoint, create_service, create_service_point};
use super::institutions::{NewInstitution, create_institution};
use super::surveys::{assign_survey, create_from_template, publish_survey};
use crate::auth::actor::Actor;
use crate::domain::catalogue::{Channel, InstitutionKind, ServicePointKind};
use crate::domain::role::{Assignment, Role};
use crate::domain::survey::{QuestionType, SurveyContent};
use crate::domain::templates::Template;
use crate::domain::vocab::Provenance;
use crate::domain::{Locale, LocalizedText};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use entity::{delivered_count, institution, invitation, response, response_answer};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait};
use uuid::Uuid;

/// What the demo created.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// Institutions created.
    pub institutions: usize,
    /// Services created.
    pub services: usize,
    /// Service points created.
    pub service_points: usize,
    /// Responses written.
    pub responses: usize,
    /// Demo sign-ins (e-mail, password).
    pub users: Vec<(String, String)>,
    /// Ids a newcomer needs next, named: (what, id), e.g. ("ministry MOJHA", id).
    pub ids: Vec<(String, Uuid)>,
    /// Conclusions made for the complete periods of the history.
    pub conclusions: u32,
    /// Improvement actions (one verified with its effect measured).
    pub actions: usize,
    /// Citizens' suggestions, in every state of their life.
    pub suggestions: usize,
    /// NGO evaluations (one published with its response, one draft).
    pub evaluations: usize,
    /// Published scorecards of the last complete quarter.
    pub scorecards: usize,
}

/// Password of the demo users (printed by `sanal demo`; change or disable them).
pub const DEMO_PASSWORD: &str = "tsagaan-sar-demo-2026";

fn t(mn: &str, en: &str) -> AppResult<LocalizedText> {
    Ok(LocalizedText::parse(
        "name",
        [(Locale::Mn, Some(mn.into())), (Locale::En, Some(en.into()))],
        300,
    )?)
}

struct Agency {
    ministry: (&'static str, &'static str, &'static str),
    agency: (&'static str, &'static str, &'static str),
    template: Template,
    services: &'static [(&'static str, &'static str, &'static str)],
}

const AGENCIES: &[Agency] = &[
    Agency {
        ministry: (
            "MOJHA",
            "Хууль зүй, дотоод хэргийн яам",
            "Ministry of Justice and Home Affairs",
        ),
        agency: (
            "GASR",
            "Улсын бүртгэлийн ерөнхий газар",
            "General Authority for State Registration",
        ),
        template: Template::Skm9,
        services: &[
            (
                "CIVIL-ID",
                "Иргэний үнэмлэх дахин олгох",
                "Re-issue of the citizen ID card",
            ),
            (
                "PROPERTY-REG",
                "Эд хөрөнгийн эрхийн улсын бүртгэл",
                "Registration of property rights",
            ),
            ("BIRTH-CERT", "Төрсний гэрчилгээ олгох", "Birth certificate"),
        ],
    },
    Agency {
        ministry: (
            "MLSP",
            "Хөдөлмөр, нийгмийн хамгааллын яам",
            "Ministry of Labour and Social Protection",
        ),
        agency: (
            "GASI",
            "Нийгмийн даатгалын ерөнхий газар",
            "General Authority for Social Insurance",
        ),
        template: Template::A11V1,
        services: &[
            (
                "PENSION",
                "Өндөр насны тэтгэвэр тогтоох",
                "Old-age pension assessment",
            ),
            (
                "SI-STATEMENT",
                "Нийгмийн даатгалын шимтгэлийн лавлагаа",
                "Social insurance contribution statement",
            ),
        ],
    },
    Agency {
        ministry: ("MOH", "Эрүүл мэндийн яам", "Ministry of Health"),
        agency: (
            "HIGO",
            "Эрүүл мэндийн даатгалын ерөнхий газар",
            "Health Insurance General Office",
        ),
        template: Template::A11V2,
        services: &[(
            "HI-PAYMENT",
            "Эрүүл мэндийн даатгалын шимтгэл төлөх",
            "Paying health insurance contributions",
        )],
    },
];

const BRANCHES: &[(&str, &str, &str)] = &[
    ("UB-BZD", "MN-1-04", "Баянзүрх дүүргийн салбар"),
    ("DARKHAN", "MN-037", "Дархан-Уул аймгийн салбар"),
    ("KHOVD", "MN-043", "Ховд аймгийн салбар"),
    ("DORNOD", "MN-061", "Дорнод аймгийн салбар"),
];

const COMMENTS: &[&str] = &[
    "Дараалал удаан байсан.",
    "Ажилтан маш эелдэг, тусламжтай байлаа.",
    "Цахимаар авах боломжтой болгоосой.",
    "Бичиг баримтын шаардлага ойлгомжгүй байсан.",
    "Хурдан шуурхай үйлчилсэнд баярлалаа.",
    "Танхим хүйтэн, суудал хүрэлцэхгүй байна.",
];

/// One generated answer: (question key, value, choices, text, not applicable).
type GenAnswer = (
    String,
    Option<i32>,
    Option<serde_json::Value>,
    Option<String>,
    bool,
);

/// A value on `min..=max` around the share `quality` (0–1) with noise.
fn draw(rng: &mut StdRng, min: i32, max: i32, quality: f64) -> i32 {
    let x = (quality + rng.random_range(-0.35..0.35)).clamp(0.0, 1.0);
    min + ((f64::from(max - min)) * x).round() as i32
}

fn answers_for(rng: &mut StdRng, content: &SurveyContent, quality: f64) -> Vec<GenAnswer> {
    let mut out = vec![];
    let mut given: std::collections::HashMap<String, i32> = std::collections::HashMap::new();
    for q in &content.questions {
        if let Some(c) = &q.show_if
            && !given
                .get(&c.question_key)
                .is_some_and(|v| c.values.contains(v))
        {
            continue;
        }
        match q.kind {
            k if k.is_scale() => {
                if q.allow_not_applicable && rng.random_bool(0.08) {
                    out.push((q.key.clone(), None, None, None, true));
                } else {
                    let v = draw(rng, q.min, q.max, quality);
                    given.insert(q.key.clone(), v);
                    out.push((q.key.clone(), Some(v), None, None, false));
                }
            }
            QuestionType::MultiChoice | QuestionType::SingleChoice => {
                let n = rng.random_range(1..=2usize).min(q.options.len());
                let mut keys: Vec<String> = q.options.iter().map(|o| o.key.clone()).collect();
                let mut picked = vec![];
                for _ in 0..n {
                    let i = rng.random_range(0..keys.len());
                    picked.push(keys.remove(i));
                }
                out.push((
                    q.key.clone(),
                    None,
                    Some(serde_json::json!(picked)),
                    None,
                    false,
                ));
            }
            _ => {
                if rng.random_bool(0.15) {
                    let c = COMMENTS[rng.random_range(0..COMMENTS.len())];
                    out.push((q.key.clone(), None, None, Some(c.to_owned()), false));
                }
            }
        }
    }
    out
}

/// Fills an empty database with the demo. Refuses a database that has institutions.
pub async fn seed(state: &AppState, responses_wanted: usize) -> AppResult<DemoSummary> {
    if institution::Entity::find().count(state.db.conn()).await? > 0 {
        return Err(AppError::Conflict(
            "the demo fills an empty database; this one has institutions".into(),
        ));
    }
    let admin = Actor::system("sanal demo");
    let mut rng = StdRng::seed_from_u64(20_261_128);
    let mut summary = DemoSummary::default();
    // (service id, institution id, points, version id, content, quality)
    let mut targets: Vec<(Uuid, Uuid, Vec<Uuid>, Uuid, SurveyContent, f64)> = vec![];
    for a in AGENCIES {
        let ministry = create_institution(
            state,
            &admin,
            NewInstitution {
                parent_id: None,
                kind: InstitutionKind::Ministry,
                code: a.ministry.0.into(),
                name: t(a.ministry.1, a.ministry.2)?,
                region_code: Some("MN-1".into()),
            },
        )
        .await?;
        let agency = create_institution(
            state,
            &admin,
            NewInstitution {
                parent_id: Some(ministry.id),
                kind: InstitutionKind::Agency,
                code: a.agency.0.into(),
                name: t(a.agency.1, a.agency.2)?,
                region_code: Some("MN-1".into()),
            },
        )
        .await?;
        summary.institutions += 2;
        if summary.ids.is_empty() {
            summary
                .ids
                .push((format!("ministry {}", a.ministry.0), ministry.id));
            summary
                .ids
                .push((format!("agency {}", a.agency.0), agency.id));
        }
        let mut points = vec![];
        for (code, region, name) in BRANCHES {
            let branch = create_institution(
                state,
                &admin,
                NewInstitution {
                    parent_id: Some(agency.id),
                    kind: InstitutionKind::LocalUnit,
                    code: format!("{}-{code}", a.agency.0),
                    name: t(
                        &format!("{} — {name}", a.agency.1),
                        &format!("{} — {code} branch", a.agency.2),
                    )?,
                    region_code: Some((*region).into()),
                },
            )
            .await?;
            summary.institutions += 1;
            let p = create_service_point(
                state,
                &admin,
                NewServicePoint {
                    institution_id: branch.id,
                    code: format!("{code}-1"),
                    kind: ServicePointKind::Branch,
                    name: t(name, &format!("{code} branch"))?,
                    region_code: Some((*region).into()),
                },
            )
            .await?;
            points.push(p.id);
        }
        let portal = create_service_point(
            state,
            &admin,
            NewServicePoint {
                institution_id: agency.id,
                code: "E-MONGOLIA".into(),
                kind: ServicePointKind::OnlinePortal,
                name: t("E-Mongolia портал", "E-Mongolia portal")?,
                region_code: None,
            },
        )
        .await?;
        points.push(portal.id);
        summary.service_points += points.len();
        let survey = create_from_template(state, &admin, agency.id, a.template).await?;
        let version = publish_survey(state, &admin, survey.id).await?;
        for (code, mn, en) in a.services {
            let s = create_service(
                state,
                &admin,
                NewService {
                    institution_id: agency.id,
                    code: (*code).into(),
                    name: t(mn, en)?,
                    description: None,
                    channels: vec![Channel::InPerson, Channel::Online],
                },
            )
            .await?;
            assign_survey(state, &admin, s.id, version.id, None).await?;
            if summary.services == 0 {
                summary.ids.push((format!("service {code}"), s.id));
                if let Some(p) = points.first() {
                    summary.ids.push(("service point".into(), *p));
                }
            }
            summary.services += 1;
            let quality = rng.random_range(0.55..0.9);
            targets.push((
                s.id,
                agency.id,
                points.clone(),
                version.id,
                version.content.clone(),
                quality,
            ));
        }
    }
    for (email, role, code) in [
        ("supervisor@demo.sanal.mn", Role::Supervisor, None),
        (
            "manager@gasr.demo.sanal.mn",
            Role::InstitutionManager,
            Some("GASR"),
        ),
        (
            "staff@gasi.demo.sanal.mn",
            Role::InstitutionStaff,
            Some("GASI"),
        ),
    ] {
        let inst = match code {
            Some(c) => {
                use sea_orm::{ColumnTrait, QueryFilter};
                institution::Entity::find()
                    .filter(institution::Column::Code.eq(c))
                    .one(state.db.conn())
                    .await?
                    .map(|i| i.id)
            }
            None => None,
        };
        let hash = state.passwords.hash(DEMO_PASSWORD).await?;
        super::users::create_user_unchecked(
            state,
            &admin,
            crate::domain::Email::parse(email)?,
            email.split('@').next().unwrap_or(email).to_owned(),
            hash,
            vec![Assignment::parse(role, inst, None)?],
        )
        .await?;
        summary
            .users
            .push((email.to_owned(), DEMO_PASSWORD.to_owned()));
    }

    // History: 18 months of deliveries, invitations (already purged) and responses.
    let now = state.clock.now();
    let tz = state.config.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let start = today - Duration::days(548);
    let plan = closing::Plan::ending(today);
    let days = (today - start).num_days().max(1) as usize;
    let txn = crate::services::write::begin(state).await?;
    let mut resp_rows = vec![];
    let mut answer_rows = vec![];
    let mut inv_rows = vec![];
    // Responses come in cells of a dozen (one service, one point, one day): the API
    // lists individual responses only from cells of at least the suppression
    // threshold, so a newcomer sees some.
    const PER_CELL: usize = 12;
    for n in 0..responses_wanted {
        let target = n % targets.len();
        let (service_id, institution_id, points, version_id, content, quality) = &targets[target];
        let cell = (n / targets.len() / PER_CELL) as u64;
        let mut place = StdRng::seed_from_u64(cell * 1_000 + target as u64);
        let day = start + Duration::days(place.random_range(0..days) as i64);
        let point = points[place.random_range(0..points.len())];
        // A slow improvement over time and a weaker far-west branch.
        let months =
            f64::from((day.year() - start.year()) * 12 + day.month() as i32 - start.month() as i32);
        let q = quality + months * 0.004 - if point == points[2] { 0.08 } else { 0.0 }
            // The first service got better after its improvement action.
            + if target == 0 && day > plan.completed { 0.15 } else { 0.0 };
        let channel = if point == *points.last().unwrap_or(&point) {
            "ONLINE"
        } else {
            "IN_PERSON"
        };
        let delivered = tz
            .from_local_datetime(
                &day.and_hms_opt(rng.random_range(9..18), rng.random_range(0..60), 0)
                    .unwrap_or_default(),
            )
            .single()
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or(now);
        // Legal entities are served one day in five (deterministic: the demo
        // looks the same every run).
        let kind = if day.ordinal().is_multiple_of(5) {
            crate::domain::vocab::RespondentKind::LegalEntity
        } else {
            crate::domain::vocab::RespondentKind::Individual
        };
        // Roughly one in three invitations is answered.
        for answered in [true, false, false] {
            inv_rows.push(invitation::ActiveModel {
                id: Set(Uuid::new_v4()),
                service_id: Set(*service_id),
                service_point_id: Set(point),
                institution_id: Set(*institution_id),
                channel: Set(channel.into()),
                transaction_ref: Set(None),
                payload_hash: Set(None),
                invited: Set(true),
                survey_version_id: Set(Some(*version_id)),
                token_hash: Set(None),
                code_hash: Set(None),
                locale: Set("mn".into()),
                delivered_at: Set(delivered),
                delivery_date: Set(day),
                expires_at: Set(delivered + Duration::days(7)),
                used_at: Set(answered.then_some(delivered + Duration::hours(1))),
                submission_hash: Set(None),
                purged_at: Set(Some(now)),
                provenance: Set(Provenance::NationalPlatform.as_str().into()),
                issued_at: Set(None),
                respondent_kind: Set(Some(kind.as_str().into())),
            });
        }
        let id = Uuid::new_v4();
        resp_rows.push(response::ActiveModel {
            id: Set(id),
            survey_version_id: Set(*version_id),
            service_id: Set(*service_id),
            service_point_id: Set(point),
            institution_id: Set(*institution_id),
            channel: Set(channel.into()),
            origin: Set(crate::domain::vocab::Origin::Invited.as_str().into()),
            provenance: Set(Provenance::NationalPlatform.as_str().into()),
            locale: Set(if rng.random_bool(0.9) { "mn" } else { "en" }.into()),
            response_date: Set(day),
            respondent_kind: Set(Some(kind.as_str().into())),
        });
        for (key, value, choices, text, na) in answers_for(&mut rng, content, q) {
            answer_rows.push(response_answer::ActiveModel {
                response_id: Set(id),
                question_key: Set(key),
                value: Set(value),
                choices: Set(choices),
                text: Set(text),
                not_applicable: Set(na),
            });
        }
        if resp_rows.len() >= 200 {
            flush(&*txn, &mut inv_rows, &mut resp_rows, &mut answer_rows).await?;
        }
    }
    flush(&*txn, &mut inv_rows, &mut resp_rows, &mut answer_rows).await?;
    // Delivered counts: every day, every point of every service.
    let mut counts = vec![];
    for (service_id, _, points, ..) in &targets {
        for d in 0..days {
            let day: NaiveDate = start + Duration::days(d as i64);
            for p in points {
                counts.push(delivered_count::ActiveModel {
                    service_id: Set(*service_id),
                    service_point_id: Set(*p),
                    day: Set(day),
                    count: Set(rng.random_range(5..60)),
                    reported_at: Set(now),
                });
                if counts.len() >= 500 {
                    delivered_count::Entity::insert_many(std::mem::take(&mut counts))
                        .exec_without_returning(&*txn)
                        .await?;
                }
            }
        }
    }
    if !counts.is_empty() {
        delivered_count::Entity::insert_many(counts)
            .exec_without_returning(&*txn)
            .await?;
    }
    txn.finish_unaudited("demo data for a fresh database")
        .await?;
    super::rollups::rebuild_unchecked(state, &Actor::system("sanal demo"), start, today).await?;
    summary.responses = responses_wanted;
    // The history's complete periods get their conclusions now (on a database that
    // was served before, they were closed with no data: this is late data).
    let run = super::conclusions::close_due_periods(state).await?;
    summary.conclusions = run.conclusions.created + run.conclusions.revised;
    let elsewhere = {
        use sea_orm::{ColumnTrait, QueryFilter};
        institution::Entity::find()
            .filter(institution::Column::Code.eq("GASI"))
            .one(state.db.conn())
            .await?
            .map(|i| i.id)
            .ok_or_else(|| AppError::internal("the demo's GASI is missing"))?
    };
    let (service, agency, point) = targets
        .first()
        .and_then(|t| Some((t.0, t.1, *t.2.first()?)))
        .ok_or_else(|| AppError::internal("the demo has no services"))?;
    let seeded = closing::seed(state, &admin, plan, agency, service, elsewhere).await?;
    summary.actions = seeded.actions;
    summary.suggestions = seeded.suggestions;
    let action = seeded
        .in_progress
        .ok_or_else(|| AppError::internal("the demo has no action in progress"))?;
    let (n, reviewers) = evaluations::seed(state, &admin, agency, point, action).await?;
    summary.evaluations = n;
    summary.scorecards = scorecards::seed(state).await?;
    for email in reviewers {
        summary.users.push((email, DEMO_PASSWORD.to_owned()));
    }
    Ok(summary)
}

async fn flush(
    conn: &impl sea_orm::ConnectionTrait,
    inv: &mut Vec<invitation::ActiveModel>,
    resp: &mut Vec<response::ActiveModel>,
    ans: &mut Vec<response_answer::ActiveModel>,
) -> AppResult<()> {
    if !inv.is_empty() {
        for chunk in std::mem::take(inv).chunks(200) {
            invitation::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(conn)
                .await?;
        }
    }
    if !resp.is_empty() {
        response::Entity::insert_many(std::mem::take(resp))
            .exec_without_returning(conn)
            .await?;
    }
    if !ans.is_empty() {
        for chunk in std::mem::take(ans).chunks(500) {
            response_answer::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(conn)
                .await?;
        }
    }
    Ok(())
}
