//! The seeder: a national-scale catalogue (20 ministries × 10 services, 1,000
//! service points) through the services, and N responses over 18 months in bulk
//! (`COPY` on PostgreSQL, multi-row inserts on SQLite) with the rollups the
//! server's own code computes for them.

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

/// One generated response with its used invitation, before it is written.
struct Generated {
    day: chrono::NaiveDate,
    target: usize,
    point: Uuid,
    response: Uuid,
    invitation: Uuid,
    answers: Vec<Answer>,
}

/// Writes `n` responses (with a used invitation each) spread over 18 months.
///
/// Generated **in day order**, a few days at a time (about 100,000 responses):
/// those days' rollup increments are summed in memory and written once (so each
/// daily rollup row is inserted once, not upserted per batch), and ids are time-ordered (UUIDv7) so that primary keys grow at their
/// end instead of splitting pages at random. On PostgreSQL the rows go in with
/// `COPY … FROM STDIN` (each costs about 40 ms of TCP delayed acknowledgement
/// here whatever its size, hence days in chunks); on SQLite with multi-row inserts,
/// one transaction per chunk.
pub async fn responses(state: &AppState, targets: &[Target], n: usize) -> Result<(), String> {
    const DAYS: usize = 548;
    let mut rng = StdRng::seed_from_u64(7);
    let now = chrono::Utc::now();
    let today = now.with_timezone(&state.config.timezone).date_naive();
    let start = today - chrono::Duration::days(DAYS as i64 - 1);
    let t0 = Instant::now();
    let conn = state.db.conn();
    let postgres = conn.get_database_backend() == sea_orm::DbBackend::Postgres;
    let mut done = 0;
    let mut next_report = 1_000_000;
    // Where the time goes: generating, raw rows, rollups.
    let (mut t_gen, mut t_rows, mut t_rollups) = (0.0, 0.0, 0.0);
    let days_per_chunk = (100_000 * DAYS / n.max(1)).clamp(1, DAYS);
    for first in (0..DAYS).step_by(days_per_chunk) {
        let mut rows = vec![];
        let mut inc = rollups::Increments::default();
        let mut cohort = std::collections::BTreeMap::new();
        let tg = Instant::now();
        for d in first..(first + days_per_chunk).min(DAYS) {
            let today_n = n * (d + 1) / DAYS - n * d / DAYS;
            let day = start + chrono::Duration::days(d as i64);
            for _ in 0..today_n {
                let ti = rng.random_range(0..targets.len());
                let t = &targets[ti];
                let point = t.points[rng.random_range(0..t.points.len())];
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
                        respondent_kind: None,
                    },
                    &a,
                );
                *cohort
                    .entry((day, point, t.service, t.institution))
                    .or_insert(0i64) += 1;
                rows.push(Generated {
                    day,
                    target: ti,
                    point,
                    response: Uuid::now_v7(),
                    invitation: Uuid::now_v7(),
                    answers: a,
                });
            }
        }
        let today_n = rows.len();
        t_gen += tg.elapsed().as_secs_f64();
        let tr = Instant::now();
        if postgres {
            copy_rows(state, targets, &rows, now).await?;
        }
        let txn = state
            .db
            .begin_write()
            .await
            .map_err(|e| e.public_message())?;
        if postgres {
            use sea_orm::ConnectionTrait;
            txn.execute_unprepared("SET LOCAL synchronous_commit = off")
                .await
                .map_err(|e| e.to_string())?;
        } else {
            // A 1 GiB page cache for the writer (SQLite's default is 2 MiB).
            use sea_orm::ConnectionTrait;
            txn.execute_unprepared("PRAGMA cache_size = -1048576")
                .await
                .map_err(|e| e.to_string())?;
            insert_rows(&*txn, targets, &rows, now).await?;
        }
        t_rows += tr.elapsed().as_secs_f64();
        let tu = Instant::now();
        rollups::apply(&*txn, inc)
            .await
            .map_err(|e| e.public_message())?;
        rollups::apply_invitations(&*txn, cohort)
            .await
            .map_err(|e| e.public_message())?;
        txn.commit().await.map_err(|e| e.public_message())?;
        t_rollups += tu.elapsed().as_secs_f64();
        done += today_n;
        if done >= next_report {
            eprintln!(
                "  seeded {done} responses in {:.0} s",
                t0.elapsed().as_secs_f64()
            );
            next_report += 1_000_000;
        }
    }
    eprintln!(
        "  seeded {n} responses (with rollups) in {:.0} s: generating {t_gen:.0} s, \
         responses, answers and invitations {t_rows:.0} s, rollups {t_rollups:.0} s",
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// When a seeded invitation was delivered and used: 04:00 UTC on its day.
fn at_of(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc()
}

/// One value of a `COPY … FROM STDIN` text row (`\N` for NULL; the generated
/// values never hold a tab, newline or backslash).
fn field(out: &mut String, v: Option<&dyn std::fmt::Display>, last: bool) {
    use std::fmt::Write;
    match v {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.push_str("\\N"),
    }
    out.push(if last { '\n' } else { '\t' });
}

/// Sends `data` with one `COPY … FROM STDIN`.
async fn copy(
    c: &mut sea_orm::sqlx::PgConnection,
    statement: &str,
    data: String,
) -> Result<(), String> {
    let e = |e: sea_orm::sqlx::Error| e.to_string();
    let mut copy = c.copy_in_raw(statement).await.map_err(e)?;
    copy.send(data.into_bytes()).await.map_err(e)?;
    copy.finish().await.map_err(e)?;
    Ok(())
}

/// Invitations, responses and answers by `COPY` (PostgreSQL).
async fn copy_rows(
    state: &AppState,
    targets: &[Target],
    rows: &[Generated],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    use sea_orm::sqlx::Executor;
    let mut c = state
        .db
        .conn()
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(|e| e.to_string())?;
    // A bulk load needs no fsync per day: the server, started afterwards, commits
    // durably as always.
    c.execute("SET synchronous_commit = off")
        .await
        .map_err(|e| e.to_string())?;
    let now_s = now.to_rfc3339();
    let (mut inv, mut res, mut ans) = (String::new(), String::new(), String::new());
    for g in rows {
        let t = &targets[g.target];
        let (day, at) = (g.day, at_of(g.day));
        let (at_s, exp_s) = (
            at.to_rfc3339(),
            (at + chrono::Duration::days(7)).to_rfc3339(),
        );
        for (i, v) in [
            &g.invitation as &dyn std::fmt::Display,
            &t.service,
            &g.point,
            &t.institution,
            &"IN_PERSON",
            &"t",
            &t.version,
            &"mn",
            &at_s,
            &day,
            &exp_s,
            &at_s,
            &now_s,
            &"NATIONAL_PLATFORM",
        ]
        .into_iter()
        .enumerate()
        {
            field(&mut inv, Some(v), i == 13);
        }
        for (i, v) in [
            &g.response as &dyn std::fmt::Display,
            &t.version,
            &t.service,
            &g.point,
            &t.institution,
            &"IN_PERSON",
            &"INVITED",
            &"NATIONAL_PLATFORM",
            &"mn",
            &day,
        ]
        .into_iter()
        .enumerate()
        {
            field(&mut res, Some(v), i == 9);
        }
        for a in &g.answers {
            let choices = (!a.choices.is_empty()).then(|| serde_json::json!(a.choices));
            field(&mut ans, Some(&g.response), false);
            field(&mut ans, Some(&a.question_key), false);
            field(&mut ans, a.value.as_ref().map(|v| v as _), false);
            field(&mut ans, choices.as_ref().map(|v| v as _), false);
            field(&mut ans, a.text.as_ref().map(|v| v as _), false);
            field(&mut ans, Some(&"f"), true);
        }
    }
    copy(
        &mut c,
        "COPY invitations (id, service_id, service_point_id, institution_id, channel, invited, \
         survey_version_id, locale, delivered_at, delivery_date, expires_at, used_at, purged_at, \
         provenance) FROM STDIN",
        inv,
    )
    .await?;
    copy(
        &mut c,
        "COPY responses (id, survey_version_id, service_id, service_point_id, institution_id, \
         channel, origin, provenance, locale, response_date) FROM STDIN",
        res,
    )
    .await?;
    copy(
        &mut c,
        "COPY response_answers (response_id, question_key, value, choices, text, not_applicable) \
         FROM STDIN",
        ans,
    )
    .await
}

/// Invitations, responses and answers by multi-row inserts (SQLite).
async fn insert_rows(
    txn: &impl sea_orm::ConnectionTrait,
    targets: &[Target],
    rows: &[Generated],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let e = |e: sea_orm::DbErr| e.to_string();
    let (mut rs, mut ans, mut invs) = (vec![], vec![], vec![]);
    for g in rows {
        let t = &targets[g.target];
        let (day, at) = (g.day, at_of(g.day));
        invs.push(invitation::ActiveModel {
            id: Set(g.invitation),
            service_id: Set(t.service),
            service_point_id: Set(g.point),
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
            respondent_kind: Set(None),
        });
        rs.push(response::ActiveModel {
            id: Set(g.response),
            survey_version_id: Set(t.version),
            service_id: Set(t.service),
            service_point_id: Set(g.point),
            institution_id: Set(t.institution),
            channel: Set("IN_PERSON".into()),
            origin: Set("INVITED".into()),
            provenance: Set("NATIONAL_PLATFORM".into()),
            locale: Set("mn".into()),
            response_date: Set(day),
            respondent_kind: Set(None),
        });
        for x in &g.answers {
            ans.push(response_answer::ActiveModel {
                response_id: Set(g.response),
                question_key: Set(x.question_key.clone()),
                value: Set(x.value),
                choices: Set((!x.choices.is_empty()).then(|| serde_json::json!(x.choices))),
                text: Set(x.text.clone()),
                not_applicable: Set(false),
            });
        }
    }
    // SQLite binds at most 32,766 values per statement.
    for c in invs.chunks(1400) {
        invitation::Entity::insert_many(c.to_vec())
            .exec_without_returning(txn)
            .await
            .map_err(e)?;
    }
    for c in rs.chunks(2900) {
        response::Entity::insert_many(c.to_vec())
            .exec_without_returning(txn)
            .await
            .map_err(e)?;
    }
    for c in ans.chunks(5000) {
        response_answer::Entity::insert_many(c.to_vec())
            .exec_without_returning(txn)
            .await
            .map_err(e)?;
    }
    Ok(())
}

/// The database's size on disk, in bytes.
pub async fn size_bytes(state: &AppState) -> Result<u64, String> {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = state.db.conn();
    let backend = conn.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "SELECT CAST(pg_database_size(current_database()) AS BIGINT) AS b"
    } else {
        "SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()"
    };
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no size")?;
    let b: i64 = row.try_get("", "b").map_err(|e| e.to_string())?;
    Ok(u64::try_from(b).unwrap_or(0))
}
