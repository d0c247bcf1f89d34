//! The seeder: a national-scale catalogue (20 ministries × 10 services, 1,000
//! service points) and N responses over 18 months, written through the entity
//! layer with the same rollup code the server runs.

use entity::{invitation, response, response_answer};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sanal::auth::actor::Actor;
use sanal::domain::catalogue::{Channel, InstitutionKind, ServicePointKind};
use sanal::domain::survey::{Answer, SurveyContent};
use sanal::domain::templates::Template;
use sanal::domain::{Locale, LocalizedText};
use sanal::services::{catalogue, institutions, rollups, surveys};
use sanal::state::AppState;
use sea_orm::{ActiveValue::Set, EntityTrait};
use std::time::Instant;
use uuid::Uuid;

/// One service with its points and survey.
pub struct Target {
    pub service: Uuid,
    pub institution: Uuid,
    pub ministry: Uuid,
    pub points: Vec<Uuid>,
    pub version: Uuid,
    pub content: SurveyContent,
}

fn name(mn: String) -> LocalizedText {
    LocalizedText::parse("name", [(Locale::Mn, Some(mn))], 300)
        .unwrap_or_else(|_| LocalizedText::from_json(&serde_json::json!({"mn": "x"})))
}

pub async fn catalogue(
    state: &AppState,
    ministries: usize,
    services_each: usize,
    points_each: usize,
) -> Result<Vec<Target>, String> {
    let a = Actor::system("bench");
    let e = |e: sanal::error::AppError| e.public_message();
    let regions = [
        "MN-1-04", "MN-037", "MN-043", "MN-061", "MN-073", "MN-035", "MN-049", "MN-041",
    ];
    let templates = [
        Template::Skm9,
        Template::A11V1,
        Template::A11V2,
        Template::Faces3,
    ];
    let mut out = vec![];
    for m in 0..ministries {
        let ministry = institutions::create_institution(
            state,
            &a,
            institutions::NewInstitution {
                parent_id: None,
                kind: InstitutionKind::Ministry,
                code: format!("M{m:02}"),
                name: name(format!("Яам {m}")),
                region_code: Some("MN-1".into()),
            },
        )
        .await
        .map_err(e)?;
        let agency = institutions::create_institution(
            state,
            &a,
            institutions::NewInstitution {
                parent_id: Some(ministry.id),
                kind: InstitutionKind::Agency,
                code: format!("A{m:02}"),
                name: name(format!("Агентлаг {m}")),
                region_code: Some("MN-1".into()),
            },
        )
        .await
        .map_err(e)?;
        let survey =
            surveys::create_from_template(state, &a, agency.id, templates[m % templates.len()])
                .await
                .map_err(e)?;
        let version = surveys::publish_survey(state, &a, survey.id)
            .await
            .map_err(e)?;
        for s in 0..services_each {
            let svc = catalogue::create_service(
                state,
                &a,
                catalogue::NewService {
                    institution_id: agency.id,
                    code: format!("S{s:02}"),
                    name: name(format!("Үйлчилгээ {m}-{s}")),
                    description: None,
                    channels: vec![Channel::InPerson, Channel::Online],
                },
            )
            .await
            .map_err(e)?;
            surveys::assign_survey(state, &a, svc.id, version.id, None)
                .await
                .map_err(e)?;
            let mut points = vec![];
            for p in 0..points_each {
                let pt = catalogue::create_service_point(
                    state,
                    &a,
                    catalogue::NewServicePoint {
                        institution_id: agency.id,
                        code: format!("P{s:02}-{p:02}"),
                        kind: ServicePointKind::Branch,
                        name: name(format!("Салбар {m}-{s}-{p}")),
                        region_code: Some(regions[(s + p) % regions.len()].into()),
                    },
                )
                .await
                .map_err(e)?;
                points.push(pt.id);
            }
            out.push(Target {
                service: svc.id,
                institution: agency.id,
                ministry: ministry.id,
                points,
                version: version.id,
                content: version.content.clone(),
            });
        }
    }
    Ok(out)
}

fn answers(rng: &mut StdRng, c: &SurveyContent, quality: f64) -> Vec<Answer> {
    let mut out = vec![];
    let mut given = std::collections::HashMap::new();
    for q in &c.questions {
        if let Some(s) = &q.show_if
            && !given
                .get(&s.question_key)
                .is_some_and(|v| s.values.contains(v))
        {
            continue;
        }
        if q.kind.is_scale() {
            let x: f64 = (quality + rng.random_range(-0.4..0.4)).clamp(0.0, 1.0);
            let v = q.min + (f64::from(q.max - q.min) * x).round() as i32;
            given.insert(q.key.clone(), v);
            out.push(Answer {
                question_key: q.key.clone(),
                value: Some(v),
                ..Default::default()
            });
        } else if q.kind.is_choice() {
            let k = q.options[rng.random_range(0..q.options.len())].key.clone();
            out.push(Answer {
                question_key: q.key.clone(),
                choices: vec![k],
                ..Default::default()
            });
        } else if rng.random_bool(0.1) {
            out.push(Answer {
                question_key: q.key.clone(),
                text: Some("санал".into()),
                ..Default::default()
            });
        }
    }
    out
}

/// Writes `n` responses (with a used invitation each) spread over 18 months.
pub async fn responses(state: &AppState, targets: &[Target], n: usize) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(7);
    let now = chrono::Utc::now();
    let today = now.with_timezone(&state.config.timezone).date_naive();
    let start = today - chrono::Duration::days(547);
    let t0 = Instant::now();
    let e = |e: sea_orm::DbErr| e.to_string();
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(5000);
        let txn = state
            .db
            .begin_write()
            .await
            .map_err(|e| e.public_message())?;
        let (mut rs, mut ans, mut invs) = (vec![], vec![], vec![]);
        let mut inc = rollups::Increments::default();
        let mut cohort = std::collections::BTreeMap::new();
        for _ in 0..batch {
            let t = &targets[rng.random_range(0..targets.len())];
            let point = t.points[rng.random_range(0..t.points.len())];
            let day = start + chrono::Duration::days(rng.random_range(0..548));
            let id = Uuid::new_v4();
            let a = answers(
                &mut rng,
                &t.content,
                0.55 + 0.4 * (t.service.as_bytes()[0] as f64 / 255.0),
            );
            inc.add(
                &rollups::Facts {
                    day,
                    point,
                    service: t.service,
                    institution: t.institution,
                    channel: sanal::domain::catalogue::Channel::InPerson,
                    provenance: sanal::domain::vocab::Provenance::NationalPlatform,
                    version: t.version,
                },
                &a,
            );
            let at = day.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc();
            *cohort
                .entry((day, point, t.service, t.institution))
                .or_insert(0i64) += 1;
            invs.push(invitation::ActiveModel {
                id: Set(Uuid::new_v4()),
                service_id: Set(t.service),
                service_point_id: Set(point),
                institution_id: Set(t.institution),
                channel: Set("IN_PERSON".into()),
                transaction_ref: Set(None),
                payload_hash: Set(None),
                invited: Set(true),
                survey_version_id: Set(Some(t.version)),
                token_hash: Set(None),
                code_hash: Set(None),
                locale: Set("mn".into()),
                delivered_at: Set(at),
                delivery_date: Set(day),
                expires_at: Set(at + chrono::Duration::days(7)),
                used_at: Set(Some(at)),
                submission_hash: Set(None),
                purged_at: Set(Some(now)),
                provenance: Set("NATIONAL_PLATFORM".into()),
                issued_at: Set(None),
            });
            rs.push(response::ActiveModel {
                id: Set(id),
                survey_version_id: Set(t.version),
                service_id: Set(t.service),
                service_point_id: Set(point),
                institution_id: Set(t.institution),
                channel: Set("IN_PERSON".into()),
                origin: Set("INVITED".into()),
                provenance: Set("NATIONAL_PLATFORM".into()),
                locale: Set("mn".into()),
                response_date: Set(day),
            });
            for x in a {
                ans.push(response_answer::ActiveModel {
                    response_id: Set(id),
                    question_key: Set(x.question_key),
                    value: Set(x.value),
                    choices: Set((!x.choices.is_empty()).then(|| serde_json::json!(x.choices))),
                    text: Set(x.text),
                    not_applicable: Set(false),
                });
            }
        }
        for c in invs.chunks(500) {
            invitation::Entity::insert_many(c.to_vec())
                .exec_without_returning(&*txn)
                .await
                .map_err(e)?;
        }
        for c in rs.chunks(1000) {
            response::Entity::insert_many(c.to_vec())
                .exec_without_returning(&*txn)
                .await
                .map_err(e)?;
        }
        for c in ans.chunks(1000) {
            response_answer::Entity::insert_many(c.to_vec())
                .exec_without_returning(&*txn)
                .await
                .map_err(e)?;
        }
        rollups::apply(&*txn, inc)
            .await
            .map_err(|e| e.public_message())?;
        rollups::apply_invitations(&*txn, cohort)
            .await
            .map_err(|e| e.public_message())?;
        txn.commit().await.map_err(|e| e.public_message())?;
        done += batch;
        if done % 100_000 == 0 {
            eprintln!(
                "  seeded {done} responses in {:.0} s",
                t0.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!(
        "  seeded {n} responses (with rollups) in {:.0} s",
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}
