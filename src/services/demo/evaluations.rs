//! The demo's independent voice: two accredited NGOs with a reviewer each, a
//! published evaluation of GASR on the national rubric with GASR's response, and
//! a draft. All through the ordinary services, each act by the role that does it.

use crate::auth::actor::{Actor, Caller, UserActor};
use crate::domain::evaluation::{Content, CriterionScore, Method, Observation, Recommendation};
use crate::domain::ngo::AccreditationMove;
use crate::domain::role::{Assignment, Role};
use crate::domain::vocab::{EvaluationMethod, Priority, ResponseDecision};
use crate::error::{AppError, AppResult};
use crate::services::evaluations::{self, NewEvaluation, NewResponse, RecommendationAnswer};
use crate::services::ngos::{self, NewNgo};
use crate::state::AppState;
use chrono::Duration;
use entity::{rubric, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Someone acting with one assignment (the demo's users, without signing in).
pub(super) fn acting(state_user: &user::Model, a: Assignment) -> Actor {
    Actor {
        caller: Caller::User(UserActor {
            id: state_user.id,
            email: state_user.email.clone(),
            session_id: Uuid::nil(),
            assignments: vec![a],
        }),
        client_ip: None,
    }
}

pub(super) async fn user_by_email(state: &AppState, email: &str) -> AppResult<user::Model> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(state.db.conn())
        .await?
        .ok_or_else(|| AppError::internal(format!("the demo's {email} is missing")))
}

/// Seeds the NGOs and evaluations of `agency` (with a service point `point`);
/// `action` is the improvement action GASR's response links. Returns the number
/// of evaluations and the reviewers' sign-ins.
pub(super) async fn seed(
    state: &AppState,
    admin: &Actor,
    agency: Uuid,
    point: Uuid,
    action: Uuid,
) -> AppResult<(usize, Vec<String>)> {
    let sup_user = user_by_email(state, "supervisor@demo.sanal.mn").await?;
    let sup = acting(&sup_user, Assignment::parse(Role::Supervisor, None, None)?);
    let manager_user = user_by_email(state, "manager@gasr.demo.sanal.mn").await?;
    let manager = acting(
        &manager_user,
        Assignment::parse(Role::InstitutionManager, Some(agency), None)?,
    );
    let today = evaluations_today(state);
    let mut reviewers = vec![];
    let mut emails = vec![];
    for (i, (mn, en, number, site)) in [
        (
            "Иргэний хяналт ТББ",
            "Citizens' Watch NGO",
            "9011000001",
            "https://watch.demo.sanal.mn",
        ),
        (
            "Нээлттэй засаглал төв",
            "Open Governance Centre",
            "9011000002",
            "https://open.demo.sanal.mn",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let ngo = ngos::register(
            state,
            admin,
            NewNgo {
                name: super::t(mn, en)?,
                registration_number: number.into(),
                contact_email: Some(format!("info{i}@ngo.demo.sanal.mn")),
                contact_phone: None,
                website: Some(site.into()),
            },
        )
        .await?;
        ngos::decide(
            state,
            &sup,
            ngo.row.id,
            AccreditationMove::Accredit,
            Some((today - Duration::days(200), today + Duration::days(530))),
            "Аргачлал, туршлага, ашиг сонирхлын зөрчилгүй байдал шалгагдсан.",
        )
        .await?;
        let email = format!("reviewer{}@ngo.demo.sanal.mn", i + 1);
        let hash = state.passwords.hash(super::DEMO_PASSWORD).await?;
        let a = Assignment::parse(Role::NgoReviewer, None, Some(ngo.row.id))?;
        crate::services::users::create_user_unchecked(
            state,
            admin,
            crate::domain::Email::parse(&email)?,
            format!("reviewer{}", i + 1),
            hash,
            vec![a],
        )
        .await?;
        let u = user_by_email(state, &email).await?;
        reviewers.push(acting(&u, a));
        emails.push(email);
    }
    let national = rubric::Entity::find()
        .filter(rubric::Column::Key.eq("national"))
        .one(state.db.conn())
        .await?
        .ok_or_else(|| AppError::internal("the national rubric is missing"))?;
    let month = today - Duration::days(60);
    let new = |ties: Option<&str>| NewEvaluation {
        institution_id: agency,
        service_ids: vec![],
        service_point_ids: vec![point],
        rubric_id: national.id,
        period_start: month,
        period_end: month + Duration::days(29),
        ties: ties.map(str::to_owned),
    };
    let score = |key: &str, s: Option<u8>, evidence: &str| CriterionScore {
        key: key.into(),
        score: s,
        evidence: evidence.into(),
        links: vec![],
    };
    let content = Content {
        criteria: vec![
            score("quality", Some(4), "Бүртгэл алдаагүй, 20 минутад хийгдсэн."),
            score("availability", Some(3), "Өглөө дараалал 40 минут."),
            score("transparency", Some(4), "Шаардлагууд самбар дээр бий."),
            score("openness", None, "Үнэлээгүй."),
            score(
                "responsiveness",
                Some(3),
                "Санал хүсэлтэд хугацаандаа хариулдаг.",
            ),
            score(
                "accessibility",
                Some(2),
                "Монгол бичиг, казах хэлээр мэдээлэл алга.",
            ),
        ],
        observations: vec![Observation {
            service_point_id: point,
            text: "Налуу зам бий, тэмдэглэгээ дутуу.".into(),
        }],
        methods: vec![Method {
            kind: EvaluationMethod::MysteryShopping,
            from: month + Duration::days(5),
            to: month + Duration::days(20),
            service_point_ids: vec![point],
            sample_size: 8,
        }],
        summary: "Үйлчилгээ чанартай; оргил цагийн дараалал, хэлний хүртээмж сайжрах шаардлагатай."
            .into(),
        recommendations: vec![
            Recommendation {
                text: "Оргил цагт хоёр дахь цонх ажиллуулах.".into(),
                priority: Priority::High,
            },
            Recommendation {
                text: "Казах хэлээр мэдээлэл байршуулах.".into(),
                priority: Priority::Medium,
            },
        ],
    };
    // Published, with GASR's response.
    let first = &reviewers[0];
    let e = evaluations::start(state, first, new(None)).await?;
    evaluations::edit(state, first, e.row.id, content.clone()).await?;
    evaluations::submit(state, first, e.row.id).await?;
    evaluations::publish(state, &sup, e.row.id).await?;
    evaluations::respond(
        state,
        &manager,
        e.row.id,
        NewResponse {
            text: super::t(
                "Зөвлөмжийг хүлээн авлаа; хоёр дахь цонхыг нээж байна.",
                "Recommendations received; a second window is opening.",
            )?,
            recommendations: vec![
                RecommendationAnswer {
                    index: 0,
                    decision: ResponseDecision::Accepted,
                    reason: None,
                    action_id: Some(action),
                },
                RecommendationAnswer {
                    index: 1,
                    decision: ResponseDecision::PartiallyAccepted,
                    reason: Some("Орчуулгын төсөв дараа онд батлагдана.".into()),
                    action_id: None,
                },
            ],
        },
    )
    .await?;
    // A draft of the second NGO, which declared a tie.
    let second = &reviewers[1];
    let d = evaluations::start(
        state,
        second,
        new(Some(
            "Манай нэг гишүүн тус агентлагийн зөвлөхөөр ажилладаг.",
        )),
    )
    .await?;
    evaluations::edit(state, second, d.row.id, content).await?;
    Ok((2, emails))
}

fn evaluations_today(state: &AppState) -> chrono::NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&state.config.timezone)
        .date_naive()
}
