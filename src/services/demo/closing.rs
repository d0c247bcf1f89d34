//! The demo's closed loop, so a newcomer sees what follows the figures: the
//! moving public holidays of the demo's history, improvement actions of GASR in
//! every public state (one verified, whose effect the history's rollups measure),
//! and citizens' suggestions in every state of their life.
//!
//! Everything goes through the ordinary services except the verified action's
//! dates, which lie in the past (the services date each move today).

use crate::auth::actor::Actor;
use crate::domain::LocalizedText;
use crate::domain::action::{ActionMove, Metric};
use crate::domain::vocab::{ActionStatus, AnswerOutcome, Measure, MetricKind, SuggestionKind};
use crate::error::{AppError, AppResult};
use crate::services::holidays::{self, NewHoliday};
use crate::services::improvement_actions::{self as actions, NewAction, NewUpdate};
use crate::services::suggestions::{self, NewAnswer, NewSuggestion};
use crate::state::AppState;
use chrono::{Duration, NaiveDate};
use entity::{improvement_action as ia, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

/// When the demo's verified action ran: the history's rollups are generated with
/// a better service after `completed`, so its effect is there to see.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan {
    /// The day it started.
    pub started: NaiveDate,
    /// The day it was completed.
    pub completed: NaiveDate,
}

impl Plan {
    /// The plan for a history ending `today`: started 230 days ago, completed 120
    /// days ago (so its 90 days after are over).
    pub(super) fn ending(today: NaiveDate) -> Self {
        Plan {
            started: today - Duration::days(230),
            completed: today - Duration::days(120),
        }
    }
}

/// What the closed loop added.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Seeded {
    /// Improvement actions.
    pub actions: usize,
    /// Suggestions.
    pub suggestions: usize,
    /// The action in progress (NGO recommendations link it too).
    pub in_progress: Option<Uuid>,
}

fn text(mn: &str, en: &str) -> AppResult<LocalizedText> {
    super::t(mn, en)
}

/// Tsagaan Sar 2026 (the first three days of the lunar year), entered like an
/// ADMIN enters it each year: the moving holidays are data, not computed.
const MOVING_HOLIDAYS: &[(i32, u32, u32, &str, &str)] = &[
    (2026, 2, 20, "Цагаан сар", "Tsagaan Sar"),
    (2026, 2, 21, "Цагаан сар", "Tsagaan Sar"),
    (2026, 2, 22, "Цагаан сар", "Tsagaan Sar"),
];

/// Seeds the loop for `agency` (its first service `service`), referring one
/// suggestion to `elsewhere`.
pub(super) async fn seed(
    state: &AppState,
    admin: &Actor,
    plan: Plan,
    agency: Uuid,
    service: Uuid,
    elsewhere: Uuid,
) -> AppResult<Seeded> {
    for (year, month, day, mn, en) in MOVING_HOLIDAYS {
        let h = NewHoliday {
            year: Some(*year),
            month: *month,
            day: *day,
            name: text(mn, en)?,
        };
        match holidays::add(state, admin, h).await {
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let owner = user::Entity::find()
        .filter(user::Column::Email.eq("manager@gasr.demo.sanal.mn"))
        .one(state.db.conn())
        .await?
        .map(|u| u.id)
        .ok_or_else(|| AppError::internal("the demo's GASR manager is missing"))?;
    let today = suggestions::today(state);
    let action = |title: (&str, &str), what: (&str, &str), metric: Option<Metric>| {
        Ok::<_, AppError>(NewAction {
            institution_id: agency,
            title: text(title.0, title.1)?,
            description: text(what.0, what.1)?,
            owner_id: owner,
            due_date: today + Duration::days(60),
            service_ids: vec![service],
            metric,
            baseline: None,
            target: None,
            window_before_days: None,
            window_after_days: None,
            finding_ids: vec![],
            conclusion_ids: vec![],
            suggestion_ids: vec![],
        })
    };
    let skm = Metric::parse(MetricKind::SkmIndex, None, Measure::SkmIndex)?;

    // Verified, months ago: its effect is measured from the history.
    let done = actions::create(
        state,
        admin,
        action(
            ("Цахим дараалал нэвтрүүлэх", "Introduce an online queue"),
            (
                "Иргэн цагаа урьдчилан захиалж, салбарт хүлээх хугацааг богиносгоно.",
                "Citizens book a time in advance, so they wait less at the branch.",
            ),
            Some(skm.clone()),
        )?,
    )
    .await?;
    for (days, percent, note) in [
        (20, 40, "Захиалгын систем туршиж эхэлсэн."),
        (90, 100, "Бүх салбарт нэвтэрсэн."),
    ] {
        actions::add_update(
            state,
            admin,
            done.row.id,
            NewUpdate {
                day: plan.started + Duration::days(days),
                percent,
                note: note.into(),
                evidence: vec!["https://gasr.gov.mn/news/online-queue".into()],
            },
        )
        .await?;
    }
    let mut row = ia::Entity::find_by_id(done.row.id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?
        .into_active_model();
    row.status = Set(ActionStatus::Verified.as_str().into());
    row.planned_on = Set(Some(plan.started - Duration::days(14)));
    row.started_on = Set(Some(plan.started));
    row.completed_on = Set(Some(plan.completed));
    row.verified_on = Set(Some(plan.completed + Duration::days(10)));
    row.due_date = Set(plan.completed + Duration::days(7));
    row.update(state.db.conn()).await?;

    // In progress, answering a citizen's suggestion below.
    let doing = actions::create(
        state,
        admin,
        action(
            (
                "Салбарт хоёр дахь цонх нээх",
                "Open a second window at the branch",
            ),
            (
                "Оргил цагт хоёр дахь цонхоор үйлчилнэ.",
                "A second window serves at peak hours.",
            ),
            Some(skm),
        )?,
    )
    .await?;
    for m in [ActionMove::Plan, ActionMove::Start] {
        actions::move_action(state, admin, doing.row.id, m, None).await?;
    }
    actions::add_update(
        state,
        admin,
        doing.row.id,
        NewUpdate {
            day: today,
            percent: 30,
            note: "Ажлын байр тохижуулж байна.".into(),
            evidence: vec![],
        },
    )
    .await?;
    // Planned, without a metric.
    let planned = actions::create(
        state,
        admin,
        action(
            (
                "Шаардлагатай бичиг баримтын жагсаалт",
                "A list of the documents needed",
            ),
            (
                "Вэб сайтад ойлгомжтой жагсаалт нийтэлнэ.",
                "A clear list on the website.",
            ),
            None,
        )?,
    )
    .await?;
    actions::move_action(state, admin, planned.row.id, ActionMove::Plan, None).await?;

    // Suggestions in every state. Each comes from its own documentation address
    // (RFC 5737), as from a different citizen.
    let mut sent = vec![];
    for (i, (kind, body)) in [
        (
            SuggestionKind::Complaint,
            "Салбарт дараалал хэт урт, хоёр цаг хүлээлээ.",
        ),
        (
            SuggestionKind::Request,
            "Амралтын өдөр ажилладаг болгож өгнө үү.",
        ),
        (
            SuggestionKind::Suggestion,
            "Шаардлагатай бичиг баримтыг урьдчилан мессежээр мэдэгдээч.",
        ),
        (
            SuggestionKind::Request,
            "Газрын зургийн лавлагаа авах хүсэлтэй байна.",
        ),
        (
            SuggestionKind::Suggestion,
            "Оргил цагт хоёр дахь цонх ажиллуулаач.",
        ),
        (
            SuggestionKind::Complaint,
            "Иргэний үнэмлэх авахад 10 хоног хүлээлгэсэн.",
        ),
        (
            SuggestionKind::Praise,
            "Ажилтан маш эелдэг, шуурхай үйлчиллээ. Баярлалаа!",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let citizen = Actor::anonymous(Some(format!("198.51.100.{}", i + 10)));
        let with_contact = i == 0;
        let s = suggestions::submit(
            state,
            &citizen,
            NewSuggestion {
                institution_id: agency,
                service_id: Some(service),
                service_point_id: None,
                kind,
                text: body.into(),
                language: Some("mn".into()),
                phone: with_contact.then(|| "99112233".into()),
                email: None,
                consent: with_contact,
                device_key: None,
            },
        )
        .await?;
        sent.push((citizen, s));
    }
    let answer = |outcome, mn: &str, en: &str, reason: Option<&str>, ids: Vec<Uuid>| {
        Ok::<_, AppError>(NewAnswer {
            outcome,
            text: text(mn, en)?,
            reason: reason.map(str::to_owned),
            action_ids: ids,
        })
    };
    let id = |i: usize| sent[i].1.row.id;
    // 0 stays RECEIVED. 1 ACKNOWLEDGED; 2 IN_REVIEW; 3 REFERRED.
    suggestions::acknowledge(state, admin, id(1)).await?;
    suggestions::acknowledge(state, admin, id(2)).await?;
    suggestions::review(state, admin, id(2)).await?;
    suggestions::refer(
        state,
        admin,
        id(3),
        elsewhere,
        "Газрын асуудал тухайн байгууллагын эрх хэмжээнийх.",
    )
    .await?;
    // 4 ANSWERED (planned by the action in progress) and published, with supports.
    suggestions::answer(
        state,
        admin,
        id(4),
        answer(
            AnswerOutcome::Planned,
            "Хоёр дахь цонхыг нээхээр ажиллаж байна.",
            "We are opening a second window.",
            None,
            vec![doing.row.id],
        )?,
    )
    .await?;
    suggestions::publish(state, admin, id(4), None).await?;
    for d in 0..3 {
        let supporter = Actor::anonymous(Some(format!("198.51.100.{}", 50 + d)));
        suggestions::support(
            state,
            &supporter,
            id(4),
            Some(&format!("demo-device-{d:04}")),
        )
        .await?;
    }
    // 5 answered, then REOPENED by the citizen with the secret.
    suggestions::answer(
        state,
        admin,
        id(5),
        answer(
            AnswerOutcome::AlreadyInPlace,
            "Иргэний үнэмлэхийг 5 хоногт олгодог.",
            "ID cards are issued within 5 days.",
            None,
            vec![],
        )?,
    )
    .await?;
    let (citizen, s) = &sent[5];
    let secret = s.secret.clone().unwrap_or_default();
    suggestions::reopen(
        state,
        citizen,
        &s.row.tracking_code,
        Some(&secret),
        "Надад 10 хоног хүлээлгэсэн, дахин шалгана уу.",
    )
    .await?;
    // 6 answered and CLOSED: the citizen confirms it resolved; published.
    suggestions::answer(
        state,
        admin,
        id(6),
        answer(
            AnswerOutcome::Accepted,
            "Талархлыг тань ажилтанд уламжиллаа.",
            "We passed your thanks on.",
            None,
            vec![],
        )?,
    )
    .await?;
    let (citizen, s) = &sent[6];
    let secret = s.secret.clone().unwrap_or_default();
    suggestions::confirm(state, citizen, &s.row.tracking_code, Some(&secret), true).await?;
    suggestions::publish(state, admin, id(6), None).await?;
    // And one written down by staff from a survey comment.
    suggestions::from_comment(
        state,
        admin,
        agency,
        Some(service),
        SuggestionKind::Suggestion,
        "Цахимаар авах боломжтой болгоосой.",
    )
    .await?;
    Ok(Seeded {
        actions: 3,
        suggestions: sent.len() + 1,
        in_progress: Some(doing.row.id),
    })
}
