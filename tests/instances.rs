//! Several stateless instances behind a load balancer on one PostgreSQL: two
//! server instances in one test, one database. The hourly jobs run on one at a
//! time, the sign-in and guessing limits hold between them, their group writers
//! never consume an invitation twice, and no instance serves a survey version it
//! saw as a draft. (On SQLite, which serves one instance, the limits are each
//! process's own: those tests return at once.)
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use sea_orm::DbBackend;
use serde_json::json;

fn on_postgres(app: &TestApp) -> bool {
    app.state.db.backend() == DbBackend::Postgres
}

#[actix_web::test]
async fn the_hourly_jobs_run_on_one_instance_at_a_time_and_do_their_work_once() {
    let w = SurveyWorld::new("FACES_3").await;
    if !on_postgres(&w.app) {
        return;
    }
    let b = w.app.another_instance(|_| {}).await;
    for i in 0..6 {
        w.invite(&format!("J-{i}")).await;
    }
    w.app.clock.advance(chrono::Duration::days(8));
    // While one instance holds the jobs' lock, the other skips its turn.
    // (Each instance also ran the jobs once at start: wait for the lock.)
    let mut held = None;
    for _ in 0..100 {
        held = w
            .app
            .state
            .db
            .exclusive(sanal::services::jobs::HOURLY_LOCK)
            .await
            .unwrap();
        if held.is_some() {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let held = held.expect("the lock is free once the start-up turns are over");
    let skipped = sanal::services::jobs::run_hourly(&b.state).await.unwrap();
    assert!(
        skipped.is_none(),
        "ran while another instance held the lock"
    );
    held.release().await;
    // Both at once: one runs, or both in turn; the work is done once.
    let (x, y) = futures_util::future::join(
        sanal::services::jobs::run_hourly(&w.app.state),
        sanal::services::jobs::run_hourly(&b.state),
    )
    .await;
    let purged: u64 = [x.unwrap(), y.unwrap()]
        .into_iter()
        .flatten()
        .map(|r| r.purged)
        .sum();
    assert_eq!(purged, 6);
}

#[actix_web::test]
async fn sign_in_failures_are_counted_between_instances() {
    let a = spawn_app_with(|c| c.login_max_failures_per_client = 4).await;
    if !on_postgres(&a) {
        return;
    }
    let b = a.another_instance(|_| {}).await;
    for (i, app) in [&a, &b, &a, &b].into_iter().enumerate() {
        let r = app.login(ADMIN_EMAIL, &format!("wrong password {i}")).await;
        assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    }
    for app in [&a, &b] {
        let r = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(code(&r), "RATE_LIMITED", "{r}");
    }
}

#[actix_web::test]
async fn invitation_guesses_are_counted_between_instances() {
    let w = SurveyWorld::with("FACES_3", |c| c.invitation_misses_per_client = 3).await;
    if !on_postgres(&w.app) {
        return;
    }
    let b = w.app.another_instance(|_| {}).await;
    let token = w.invite("G-1").await;
    let view = "query($c:String!){ invitation(code:$c){ status } }";
    for (i, app) in [&w.app, &b, &w.app].into_iter().enumerate() {
        let r = app
            .gql(&Auth::None, view, json!({ "c": format!("GUESS{i}") }))
            .await;
        assert_eq!(code(&r), "NOT_FOUND", "{r}");
    }
    // The fourth look-up, even of a real token, on either instance: held back.
    for app in [&b, &w.app] {
        let r = app
            .gql(
                &Auth::None,
                "query($t:String!){ invitation(token:$t){ status } }",
                json!({ "t": token }),
            )
            .await;
        assert_eq!(code(&r), "RATE_LIMITED", "{r}");
    }
}

#[actix_web::test]
async fn two_instances_answering_one_invitation_at_once_store_one_response() {
    let w = SurveyWorld::new("FACES_3").await;
    let b = w.app.another_instance(|_| {}).await;
    let token = w.invite("TWICE").await;
    let results = futures_util::future::join_all((0..20).map(|i| {
        let app = if i % 2 == 0 { &w.app } else { &b };
        let token = token.clone();
        async move {
            app.gql(
                &Auth::None,
                SUBMIT,
                json!({ "i": { "token": token, "answers": faces(1 + i % 3), "clientSubmissionId": format!("c{i}") } }),
            )
            .await
        }
    }))
    .await;
    let accepted = results
        .iter()
        .filter(|r| r["data"]["submitResponse"]["accepted"] == true)
        .count();
    let refused = results
        .iter()
        .filter(|r| code(r) == "ALREADY_RESPONDED")
        .count();
    assert_eq!((accepted, refused), (1, 19), "{results:?}");
    assert_eq!(w.stored_responses().await, 1);
}

#[actix_web::test]
async fn a_version_edited_as_a_draft_and_published_elsewhere_is_served_as_published() {
    let w = SurveyWorld::new("FACES_3").await;
    let b = w.app.another_instance(|_| {}).await;
    let texts = "mutation($s:ID!,$t:String!){ updateSurvey(id:$s, input:{ thankYou:{ mn:$t } }){ id status } }";
    let draft = b
        .ok(&w.manager, texts, json!({ "s": w.survey, "t": "Ноорог" }))
        .await["updateSurvey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The first instance reads the draft...
    let q = "query($id:ID!){ surveyVersion(id:$id){ status thankYou { mn } } }";
    let seen = w.app.ok(&w.manager, q, json!({ "id": draft })).await;
    assert_eq!(seen["surveyVersion"]["thankYou"]["mn"], "Ноорог");
    // ...which the second changes, publishes and assigns.
    b.ok(
        &w.manager,
        texts,
        json!({ "s": w.survey, "t": "Баярлалаа!" }),
    )
    .await;
    b.ok(
        &w.manager,
        "mutation($id:ID!){ publishSurvey(id:$id){ id } }",
        json!({ "id": w.survey }),
    )
    .await;
    b.ok(&w.manager, "mutation($s:ID!,$v:ID!){ assignSurvey(serviceId:$s, surveyVersionId:$v){ surveyVersionId } }", json!({ "s": w.service, "v": draft }))
        .await;
    let token = w.invite("AFTER").await;
    let view = w
        .app
        .ok(
            &Auth::None,
            "query($t:String!){ invitation(token:$t){ surveyVersionId } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(view["invitation"]["surveyVersionId"], draft.as_str());
    let ack = w
        .app
        .gql(
            &Auth::None,
            "mutation($i:SubmitResponseInput!){ submitResponse(input:$i){ thankYou } }",
            json!({ "i": { "token": token, "answers": faces(3), "locale": "mn" } }),
        )
        .await;
    assert_eq!(
        ack["data"]["submitResponse"]["thankYou"], "Баярлалаа!",
        "{ack}"
    );
}
