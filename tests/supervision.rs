//! Settings under supervision: the national limits on invitation expiry and
//! cooldown, closing dates no institution can move, and kiosks that are few and
//! can be revoked — each replaying what an institution manager did to raise a score.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

const SETTINGS: &str = "mutation($s:ID!,$i:InvitationSettingsInput!){ setInvitationSettings(serviceId:$s, input:$i){ samplingRate expiryDays cooldownDays } }";
const CLOSE: &str = "mutation{ closePeriod(kind: MONTH, start: \"2026-11-01\"){ created } }";

#[actix_web::test]
async fn expiry_and_cooldown_stay_within_the_national_limits() {
    let w = SurveyWorld::new("FACES_3").await;
    for (bad, field) in [
        (
            json!({ "samplingRate": 1.0, "expiryDays": 30, "cooldownDays": 30 }),
            "expiryDays",
        ),
        (
            json!({ "samplingRate": 1.0, "expiryDays": 8, "cooldownDays": 30 }),
            "expiryDays",
        ),
        (
            json!({ "samplingRate": 1.0, "expiryDays": 7, "cooldownDays": 0 }),
            "cooldownDays",
        ),
        (
            json!({ "samplingRate": 1.0, "expiryDays": 7, "cooldownDays": 29 }),
            "cooldownDays",
        ),
    ] {
        let r = w
            .app
            .gql(&w.manager, SETTINGS, json!({ "s": w.service, "i": bad }))
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{bad}: {r}");
        let invalid = &r["errors"][0]["extensions"]["invalid"][0];
        assert_eq!(invalid["field"], field);
        assert!(
            invalid["reason"]
                .as_str()
                .unwrap()
                .contains("national limit")
        );
    }
    let ok = w
        .app
        .ok(&w.manager, SETTINGS, json!({ "s": w.service, "i": { "samplingRate": 1.0, "expiryDays": 7, "cooldownDays": 30 } }))
        .await;
    assert_eq!(ok["setInvitationSettings"]["expiryDays"], 7);
}

#[actix_web::test]
async fn a_longer_expiry_set_before_the_limit_neither_admits_late_answers_nor_moves_the_closing() {
    let w = SurveyWorld::new("FACES_3").await;
    // A setting stored before the national limit existed: 30 days.
    {
        use entity::service_invitation_setting as settings;
        use sea_orm::{ActiveValue::Set, EntityTrait};
        settings::Entity::insert(settings::ActiveModel {
            service_id: Set(w.service.parse().unwrap()),
            sampling_ppm: Set(1_000_000),
            expiry_days: Set(30),
            cooldown_days: Set(0),
        })
        .exec_without_returning(w.app.state.db.conn())
        .await
        .unwrap();
    }
    let d = w.app.ok(&w.key, ISSUE, w.issue_vars("TX-OLD")).await;
    let delivered: DateTime<Utc> = w.now() - chrono::Duration::minutes(3);
    let expires: DateTime<Utc> = d["issueInvitation"]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        expires - delivered,
        chrono::Duration::days(7),
        "the national limit, not the stored 30 days"
    );
    let token = d["issueInvitation"]["token"].as_str().unwrap().to_owned();
    w.submit(&token, faces(3), None).await;
    w.app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    // November closes 7 + 1 days after its end in Ulaanbaatar (8 December, 16:00 UTC),
    // whatever a service set.
    w.app
        .clock
        .set(Utc.with_ymd_and_hms(2026, 12, 8, 16, 30, 0).unwrap());
    let sup = w.app.token("sup@aogs.gov.mn", PASSWORD).await;
    let r = w.app.ok(&sup, CLOSE, json!({})).await;
    assert_eq!(r["closePeriod"]["created"], 3);
}

#[actix_web::test]
async fn a_point_has_only_a_few_kiosks_and_a_revoked_one_is_refused() {
    let w = SurveyWorld::with("FACES_3", |c| c.max_kiosks_per_point = 2).await;
    let d = w
        .app
        .ok(
            &w.manager,
            "mutation($p:ID!,$s:ID!){ enableOpenChannel(servicePointId:$p, serviceId:$s){ code } }",
            json!({ "p": w.point, "s": w.service }),
        )
        .await;
    let point_code = d["enableOpenChannel"]["code"].as_str().unwrap().to_owned();
    let create = "mutation($p:ID!,$n:String!){ createKioskDevice(servicePointId:$p, name:$n){ id deviceKey } }";
    let mut kiosks: Vec<(String, String)> = vec![];
    for n in ["A", "B"] {
        let k = w
            .app
            .ok(&w.manager, create, json!({ "p": w.point, "n": n }))
            .await;
        kiosks.push((
            k["createKioskDevice"]["id"].as_str().unwrap().to_owned(),
            k["createKioskDevice"]["deviceKey"]
                .as_str()
                .unwrap()
                .to_owned(),
        ));
    }
    let third = w
        .app
        .gql(&w.manager, create, json!({ "p": w.point, "n": "C" }))
        .await;
    assert_eq!(code(&third), "CONFLICT", "{third}");

    let answer = |key: &str| json!({ "i": { "pointCode": point_code, "deviceKey": key, "answers": faces(3) } });
    let submit =
        "mutation($i:SubmitOpenResponseInput!){ submitOpenResponse(input:$i){ accepted } }";
    w.app.ok(&Auth::None, submit, answer(&kiosks[0].1)).await;
    let revoke = "mutation($id:ID!){ revokeKioskDevice(id:$id){ id deviceKey } }";
    let r = w
        .app
        .ok(&w.manager, revoke, json!({ "id": kiosks[0].0 }))
        .await;
    assert_eq!(r["revokeKioskDevice"]["deviceKey"], Value::Null);
    // Idempotent.
    w.app
        .ok(&w.manager, revoke, json!({ "id": kiosks[0].0 }))
        .await;
    let refused = w.app.gql(&Auth::None, submit, answer(&kiosks[0].1)).await;
    assert_eq!(code(&refused), "UNAUTHENTICATED", "{refused}");
    assert_eq!(w.stored_responses().await, 1);
    // Its place is free again.
    w.app
        .ok(&w.manager, create, json!({ "p": w.point, "n": "C" }))
        .await;
    let log = w
        .app
        .ok(
            &w.admin,
            "query($t:ID!){ auditLog(filter:{targetId:$t}){ edges { node { action } } } }",
            json!({ "t": kiosks[0].0 }),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "KIOSK_REVOKED").count(),
        1,
        "{actions:?}"
    );
    assert!(actions.contains(&"KIOSK_CREATED"), "{actions:?}");
}

#[actix_web::test]
async fn delivered_counts_are_final_once_their_period_closes_and_only_a_supervisor_corrects_them() {
    let w = SurveyWorld::new("FACES_3").await;
    let report = "mutation($s:ID!,$p:ID!,$n:Int!){ reportDeliveredServices(serviceId:$s, servicePointId:$p, date:\"2026-11-27\", count:$n) }";
    let correct = "mutation($s:ID!,$p:ID!,$n:Int!,$r:String!){ correctDeliveredServices(serviceId:$s, servicePointId:$p, date:\"2026-11-27\", count:$n, reason:$r) }";
    w.app
        .ok(
            &w.key,
            report,
            json!({ "s": w.service, "p": w.point, "n": 40 }),
        )
        .await;
    let t = w.invite("TX-1").await;
    w.submit(&t, faces(3), None).await;
    w.app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    // November is complete on 8 December (16:00 UTC); the job concludes it.
    w.app
        .clock
        .set(Utc.with_ymd_and_hms(2026, 12, 10, 0, 0, 0).unwrap());
    let first = sanal::services::conclusions::close_due_periods(&w.app.state)
        .await
        .unwrap();
    assert_eq!(first.conclusions.created, 3, "{first:?}");
    // 13,709 -> 1,013,657 was possible 400 days back; now a closed period is final.
    let late = w
        .app
        .gql(
            &w.key,
            report,
            json!({ "s": w.service, "p": w.point, "n": 1_000_000 }),
        )
        .await;
    assert_eq!(code(&late), "CONFLICT", "{late}");
    let admin = w.app.admin().await;
    let manager = w.app.token("manager@moj.gov.mn", PASSWORD).await;
    let vars = json!({ "s": w.service, "p": w.point, "n": 38, "r": "Queue system double-counted two transfers" });
    for who in [&admin, &manager, &w.key] {
        assert_eq!(
            code(&w.app.gql(who, correct, vars.clone()).await),
            "FORBIDDEN"
        );
    }
    let sup = w.app.token("sup@aogs.gov.mn", PASSWORD).await;
    let service_conclusions = "query($s:ID!){ conclusions(filter:{scope: SERVICE, scopeId:$s}){ edges { node { id revision status changes } } } }";
    let c = w
        .app
        .ok(&sup, service_conclusions, json!({ "s": w.service }))
        .await;
    let published = c["conclusions"]["edges"][0]["node"]["id"].clone();
    w.app
        .ok(
            &sup,
            "mutation($id:ID!){ publishConclusion(id:$id){ id } }",
            json!({ "id": published }),
        )
        .await;
    w.app
        .clock
        .set(Utc.with_ymd_and_hms(2026, 12, 10, 0, 1, 0).unwrap());
    let vague = json!({ "s": w.service, "p": w.point, "n": 38, "r": "fix" });
    assert_eq!(
        code(&w.app.gql(&sup, correct, vague).await),
        "BAD_USER_INPUT"
    );
    let ok = w.app.ok(&sup, correct, vars).await;
    assert_eq!(ok["correctDeliveredServices"], 38);
    let log = w
        .app
        .ok(&admin, "{ auditLog(filter:{action:\"DELIVERED_COUNT_CORRECTED\"}){ edges { node { actorLabel details } } } }", json!({}))
        .await;
    let entry = &log["auditLog"]["edges"][0]["node"];
    assert_eq!(entry["actorLabel"], "sup@aogs.gov.mn");
    let details: Value = match &entry["details"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        v => v.clone(),
    };
    assert_eq!(details["previous"], 40);
    assert_eq!(
        details["reason"],
        "Queue system double-counted two transfers"
    );
    // The corrected period is concluded again (late data).
    let again = sanal::services::conclusions::close_due_periods(&w.app.state)
        .await
        .unwrap();
    assert!(
        again.late >= 1 && again.conclusions.revised >= 1,
        "{again:?}"
    );
    // The new revision of the published conclusion says why it exists.
    let c = w
        .app
        .ok(&sup, service_conclusions, json!({ "s": w.service }))
        .await;
    let revision = c["conclusions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["revision"] == 2)
        .cloned()
        .unwrap_or_else(|| panic!("no revision 2: {c}"));
    let correction = &revision["changes"]["corrections"][0];
    assert_eq!(
        correction["reason"],
        "Queue system double-counted two transfers"
    );
    assert_eq!(
        (correction["before"].clone(), correction["after"].clone()),
        (json!(40), json!(38))
    );
    assert_eq!(correction["by"], "sup@aogs.gov.mn");
    assert_eq!(revision["changes"]["counts"]["after"]["delivered"], 38);
}

#[actix_web::test]
async fn supervisors_list_every_change_to_how_an_institution_is_measured_in_one_query() {
    let w = SurveyWorld::new("FACES_3").await;
    w.app
        .ok(&w.manager, SETTINGS, json!({ "s": w.service, "i": { "samplingRate": 0.5, "expiryDays": 5, "cooldownDays": 60 } }))
        .await;
    w.app
        .ok(
            &w.manager,
            "mutation($p:ID!,$s:ID!){ enableOpenChannel(servicePointId:$p, serviceId:$s){ code } }",
            json!({ "p": w.point, "s": w.service }),
        )
        .await;
    let k = w
        .app
        .ok(
            &w.manager,
            "mutation($p:ID!){ createKioskDevice(servicePointId:$p, name:\"Hall\"){ id } }",
            json!({ "p": w.point }),
        )
        .await;
    w.app
        .ok(
            &w.manager,
            "mutation($id:ID!){ revokeKioskDevice(id:$id){ id } }",
            json!({ "id": k["createKioskDevice"]["id"] }),
        )
        .await;
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let watched = [
        "INVITATION_SETTINGS_CHANGED",
        "OPEN_CHANNEL_ENABLED",
        "KIOSK_CREATED",
        "KIOSK_REVOKED",
        "API_KEY_CREATED",
        "DELIVERED_COUNT_REPORTED",
        "DELIVERED_COUNT_CORRECTED",
    ];
    let d = w
        .app
        .ok(
            &sup,
            "query($a:[String!]!){ auditLog(first: 100, filter:{actions:$a}){ edges { node { action actorLabel } } } }",
            json!({ "a": watched }),
        )
        .await;
    let mut seen: Vec<&str> = d["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen,
        [
            "API_KEY_CREATED",
            "INVITATION_SETTINGS_CHANGED",
            "KIOSK_CREATED",
            "KIOSK_REVOKED",
            "OPEN_CHANNEL_ENABLED"
        ]
    );
    let too_many: Vec<String> = (0..21).map(|i| format!("A{i}")).collect();
    let r = w
        .app
        .gql(
            &sup,
            "query($a:[String!]!){ auditLog(filter:{actions:$a}){ edges { node { action } } } }",
            json!({ "a": too_many }),
        )
        .await;
    assert_eq!(code(&r), "BAD_USER_INPUT");
}
