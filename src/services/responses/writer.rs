//! The group writer: every accepted response is stored by one task per server
//! instance, which commits them in groups.
//!
//! Why: one durable commit per response (an fsync each, ~25 rollup upserts each)
//! capped the write path at a few hundred per second, and it let a database reader
//! pair each response with its invitation (same transaction id, same physical
//! order, same time). A group fixes both:
//! - **Throughput.** A group of up to [`GroupSettings::max`] submissions, gathered
//!   for at most [`GroupSettings::wait`] after the first, shares one transaction and
//!   one fsync; the rollup increments of the whole group are summed per key and
//!   upserted once per key, in key order.
//! - **Mixing.** Invitations are marked used in invitation-id order with the
//!   start of the local day as `used_at`; the group's responses are inserted in a
//!   random order of their own. Transaction id, physical order and time then tie a
//!   response to "an invitation of the same group", never to one invitation.
//! - **Exactly once.** Each submission's conditional update of its invitation
//!   decides its fate as before: a submission that changes no row (already used,
//!   expired, or beaten by another in the same group) stores nothing and is told
//!   [`Outcome::Lost`]; it does not fail the group.
//! - **Durability.** A caller is answered only after its group's commit returned
//!   (SQLite `synchronous=FULL`, PostgreSQL `synchronous_commit=on`). Should the
//!   group fail, each of its submissions is retried alone, so one bad submission
//!   fails alone.
//! - **Bounded.** The queue holds at most [`GroupSettings::queue`] submissions; a
//!   full queue answers `RATE_LIMITED` with a retry hint instead of growing.

use crate::db::Db;
use crate::domain::submission::{Bump, Claim, Outcome, Submission};
use crate::error::AppResult;
use crate::group_commit::StoreGroup;
use crate::services::rollups::{self, Facts, Increments};
use entity::{follow_up, response, response_answer};
use rand::seq::SliceRandom;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbBackend, EntityTrait, Statement};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// What a group's transaction does, for the [group writer](crate::group_commit).
pub fn store_group_fn() -> StoreGroup {
    Arc::new(|db, subs| Box::pin(async move { store_group(&db, &subs).await }))
}

/// Stores a group in one transaction; the outcome of each submission, in order.
async fn store_group(db: &Db, subs: &[Submission]) -> AppResult<Vec<Outcome>> {
    let txn = db.begin_write().await?;
    // 1. Claims: one conditional update for the whole group, in invitation-id
    //    order. Should two submissions of the group claim the same invitation, the
    //    first one queued claims it and the other has lost.
    let mut outcomes = vec![Outcome::Stored; subs.len()];
    let mut claims: BTreeMap<Uuid, (usize, &Claim)> = BTreeMap::new();
    for (i, s) in subs.iter().enumerate() {
        if let Some(c) = &s.claim {
            outcomes[i] = Outcome::Lost;
            claims.entry(c.invitation_id).or_insert((i, c));
        }
    }
    for won in claim(&*txn, claims.values().map(|(_, c)| *c)).await? {
        if let Some((i, _)) = claims.get(&won) {
            outcomes[*i] = Outcome::Stored;
        }
    }
    // 2. Responses, in a random order of their own.
    let mut stored: Vec<&Submission> = subs
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| **o == Outcome::Stored)
        .map(|(s, _)| s)
        .collect();
    stored.shuffle(&mut rand::rng());
    insert_responses(&*txn, &stored).await?;
    txn.commit().await?;
    Ok(outcomes)
}

/// Marks the claimed invitations used, in one statement per 200 (sorted by id);
/// gives the ids of those that were still unused and unexpired: the claims that won.
async fn claim<'a>(
    conn: &impl ConnectionTrait,
    claims: impl Iterator<Item = &'a Claim>,
) -> AppResult<Vec<Uuid>> {
    let claims: Vec<&Claim> = claims.collect();
    let backend = conn.get_database_backend();
    let mut won = Vec::with_capacity(claims.len());
    for chunk in claims.chunks(200) {
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 4);
        let mut rows = Vec::with_capacity(chunk.len());
        for c in chunk {
            let n = values.len();
            rows.push(match backend {
                DbBackend::Postgres => format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4),
                _ => "(?, ?, ?, ?)".to_owned(),
            });
            values.extend([
                c.invitation_id.into(),
                c.submission_hash.clone().into(),
                c.now.into(),
                c.used_on.into(),
            ]);
        }
        // VALUES columns are column1… on both databases.
        let sql = format!(
            "UPDATE invitations SET used_at = v.column4, submission_hash = v.column2 \
             FROM (VALUES {}) AS v \
             WHERE invitations.id = v.column1 AND invitations.used_at IS NULL \
             AND invitations.expires_at > v.column3 RETURNING invitations.id",
            rows.join(", ")
        );
        for r in conn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
        {
            won.push(r.try_get::<Uuid>("", "id")?);
        }
    }
    Ok(won)
}

async fn insert_responses(conn: &impl ConnectionTrait, subs: &[&Submission]) -> AppResult<()> {
    let mut responses = Vec::with_capacity(subs.len());
    let mut answers = Vec::new();
    let mut follow_ups = Vec::new();
    let mut inc = Increments::default();
    let mut bumps: BTreeMap<&Bump, i64> = BTreeMap::new();
    for s in subs {
        let id = Uuid::new_v4();
        responses.push(response::ActiveModel {
            id: Set(id),
            survey_version_id: Set(s.version_id),
            service_id: Set(s.service_id),
            service_point_id: Set(s.point_id),
            institution_id: Set(s.institution_id),
            channel: Set(s.channel.as_str().to_owned()),
            origin: Set(s.provenance.origin().as_str().to_owned()),
            provenance: Set(s.provenance.as_str().to_owned()),
            locale: Set(s.locale.tag().to_owned()),
            response_date: Set(s.date),
            respondent_kind: Set(s.respondent_kind.map(|k| k.as_str().to_owned())),
        });
        answers.extend(s.answers.iter().map(|a| response_answer::ActiveModel {
            response_id: Set(id),
            question_key: Set(a.question_key.clone()),
            value: Set(a.value),
            choices: Set((!a.choices.is_empty()).then(|| json!(a.choices))),
            text: Set(a.text.clone()),
            not_applicable: Set(a.not_applicable),
        }));
        if let Some(contact) = &s.follow_up {
            follow_ups.push(follow_up::ActiveModel {
                id: Set(Uuid::new_v4()),
                response_id: Set(id),
                institution_id: Set(s.institution_id),
                service_id: Set(s.service_id),
                contact: Set(contact.clone()),
                created_date: Set(s.date),
            });
        }
        inc.add(
            &Facts {
                day: s.date,
                point: s.point_id,
                service: s.service_id,
                institution: s.institution_id,
                channel: s.channel,
                provenance: s.provenance,
                version: s.version_id,
                respondent_kind: s.respondent_kind,
            },
            &s.answers,
        );
        for b in &s.bumps {
            *bumps.entry(b).or_default() += 1;
        }
    }
    // Chunks keep each statement well under the databases' parameter limits.
    for chunk in responses.chunks(200) {
        response::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    for chunk in answers.chunks(1000) {
        response_answer::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    for chunk in follow_ups.chunks(200) {
        follow_up::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    rollups::apply(conn, inc).await?;
    for (b, n) in bumps {
        crate::services::integrity::bump_by(
            conn,
            b.day,
            b.service_id,
            b.institution_id,
            b.signal,
            &b.source,
            n,
        )
        .await?;
    }
    Ok(())
}
