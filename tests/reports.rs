//! Reports from rollups: figures, access, changes; rollups equal a recompute.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const REPORT: &str = "query($s:ReportScopeInput!,$p:PeriodInput!){ satisfactionReport(scope:$s, period:$p){ periodLabel counts { invited responded openResponses delivered } responseRate { k n value low high } skm { origin index grade } questions { questionKey type figures { origin n notApplicable mean topBox { k n value } distribution { bucket count } lowConfidence topBoxChange { delta significant } } } drivers { driver figures { origin n topBox { value } } } previous { periodLabel counts { responded } } } }";

fn month_period() -> Value {
    json!({ "kind": "MONTH", "start": "2026-11-01" })
}

#[actix_web::test]
async fn an_skm_report_gives_the_index_and_grade_from_pooled_element_means() {
    let w = SurveyWorld::new("SKM_9").await;
    // Ten respondents answer 4 on elements 1-8 and leave 9 as 4; two answer 1 on element 9 only… SKM needs all nine,
    // so: one respondent 4,4,3,4,4,4,4,3,3 gives 91.67 / A.
    let t = w.invite("TX-1").await;
    let r = w
        .submit(&t, skm_answers([4, 4, 3, 4, 4, 4, 4, 3, 3]), Some("a"))
        .await;
    assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": month_period() }),
        )
        .await;
    let rep = &d["satisfactionReport"];
    assert_eq!(rep["periodLabel"], "2026-11");
    assert_eq!(
        rep["counts"],
        json!({ "invited": 1, "responded": 1, "openResponses": 0, "delivered": 0 })
    );
    let invited = rep["skm"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["origin"] == "INVITED")
        .unwrap();
    assert_eq!(
        (invited["index"].as_f64(), invited["grade"].as_str()),
        (Some(91.67), Some("A"))
    );
    let q = rep["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["questionKey"] == "skm_time")
        .unwrap();
    let f = q["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["origin"] == "INVITED")
        .unwrap();
    assert_eq!(f["n"], 1);
    assert_eq!(f["mean"], 3.0);
    assert_eq!(
        f["lowConfidence"], true,
        "one answer is below the threshold of 10"
    );
    assert_eq!(rep["previous"]["periodLabel"], "2026-10");
}

#[actix_web::test]
async fn figures_pool_counts_across_sub_institutions_and_exclude_not_applicable() {
    let w = SurveyWorld::new("A11_V1").await;
    let base = |v: i32| -> Vec<Value> {
        [
            "satisfaction",
            "trust",
            "effectiveness",
            "ease",
            "efficiency",
            "transparency",
        ]
        .iter()
        .map(|k| json!({ "questionKey": k, "value": v }))
        .collect()
    };
    for i in 0..12 {
        let t = w.invite(&format!("TX-{i}")).await;
        let mut a = base(if i < 9 { 5 } else { 2 });
        a.push(if i % 4 == 0 {
            json!({ "questionKey": "employee", "notApplicable": true })
        } else {
            json!({ "questionKey": "employee", "value": 4 })
        });
        let r = w.submit(&t, json!(a), Some("x")).await;
        assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
    }
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "INSTITUTION", "id": w.ministry }, "p": month_period() }),
        )
        .await;
    let rep = &d["satisfactionReport"];
    let fig = |key: &str| {
        let q = rep["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["questionKey"] == key)
            .unwrap();
        q["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["origin"] == "COMBINED")
            .unwrap()
            .clone()
    };
    let sat = fig("satisfaction");
    assert_eq!(sat["topBox"], json!({ "k": 9, "n": 12, "value": 0.75 }));
    assert_eq!(sat["lowConfidence"], false);
    let emp = fig("employee");
    assert_eq!(
        (emp["n"].as_i64(), emp["notApplicable"].as_i64()),
        (Some(9), Some(3))
    );
    assert_eq!(emp["topBox"]["value"], 1.0);
    assert_eq!(rep["responseRate"]["value"], 1.0);
    let drivers = rep["drivers"].as_array().unwrap();
    assert!(drivers.iter().any(|d| d["driver"] == "SATISFACTION"));
}

#[actix_web::test]
async fn invited_and_open_responses_are_reported_apart_and_combined() {
    let w = SurveyWorld::new("FACES_3").await;
    let code_ = w
        .app
        .ok(
            &w.manager,
            "mutation($p:ID!,$s:ID!){ enableOpenChannel(servicePointId:$p, serviceId:$s){ code } }",
            json!({ "p": w.point, "s": w.service }),
        )
        .await["enableOpenChannel"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = w.invite("TX-1").await;
    w.submit(&t, faces(3), Some("a")).await;
    w.app
        .ok(
            &Auth::None,
            "mutation($i:SubmitOpenResponseInput!){ submitOpenResponse(input:$i){ accepted } }",
            json!({ "i": { "pointCode": code_, "answers": faces(1) } }),
        )
        .await;
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE_POINT", "id": w.point }, "p": month_period() }),
        )
        .await;
    let rep = &d["satisfactionReport"];
    assert_eq!(rep["counts"]["responded"], 1);
    assert_eq!(rep["counts"]["openResponses"], 1);
    let q = rep["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["questionKey"] == "overall")
        .unwrap();
    let by: BTreeMap<String, f64> = q["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["origin"].as_str().unwrap().to_owned(),
                f["mean"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by,
        BTreeMap::from([
            ("COMBINED".into(), 2.0),
            ("INVITED".into(), 3.0),
            ("NATIONAL_PLATFORM".into(), 3.0),
            ("OPEN".into(), 1.0),
            ("POSTER".into(), 1.0)
        ])
    );
}

#[actix_web::test]
async fn a_report_is_refused_outside_the_callers_scope() {
    let w = SurveyWorld::new("FACES_3").await;
    let other = w.app.create_institution(&w.admin, "MOF", None).await;
    let stranger = w
        .app
        .user_with_role(
            &w.admin,
            "m@mof.gov.mn",
            "INSTITUTION_MANAGER",
            Some(&other),
        )
        .await;
    let r = w
        .app
        .gql(
            &stranger,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": month_period() }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let reviewer = w
        .app
        .user_with_role(&w.admin, "ngo@ngo.mn", "NGO_REVIEWER", None)
        .await;
    assert_eq!(
        code(
            &w.app
                .gql(
                    &reviewer,
                    REPORT,
                    json!({ "s": { "kind": "COUNTRY" }, "p": month_period() })
                )
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &w.app
                .gql(
                    &Auth::None,
                    REPORT,
                    json!({ "s": { "kind": "COUNTRY" }, "p": month_period() })
                )
                .await
        ),
        "UNAUTHENTICATED"
    );
    let bad = w.app.gql(&w.manager, REPORT, json!({ "s": { "kind": "COUNTRY" }, "p": { "kind": "QUARTER", "start": "2026-11-01" } })).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    // The country for a manager is their subtree; a supervisor sees it all.
    let t = w.invite("TX-1").await;
    w.submit(&t, faces(3), Some("a")).await;
    let mine = w
        .app
        .ok(
            &stranger,
            REPORT,
            json!({ "s": { "kind": "COUNTRY" }, "p": month_period() }),
        )
        .await;
    assert_eq!(mine["satisfactionReport"]["counts"]["responded"], 0);
    let sup = w
        .app
        .user_with_role(&w.admin, "sup@aogs.gov.mn", "SUPERVISOR", None)
        .await;
    let all = w
        .app
        .ok(
            &sup,
            REPORT,
            json!({ "s": { "kind": "COUNTRY" }, "p": { "kind": "YEAR", "start": "2026-01-01" } }),
        )
        .await;
    assert_eq!(all["satisfactionReport"]["counts"]["responded"], 1);
}

#[actix_web::test]
async fn a_significant_rise_between_months_is_flagged() {
    let w = SurveyWorld::new("FACES_3").await;
    // October: 40 responses, 10 happy. November: 40 responses, 35 happy.
    let oct = Utc.with_ymd_and_hms(2026, 10, 20, 4, 0, 0).unwrap();
    w.app.clock.set(oct);
    for i in 0..40 {
        let t = w.invite(&format!("O-{i}")).await;
        w.submit(&t, faces(if i < 10 { 3 } else { 2 }), Some("x"))
            .await;
    }
    w.app.clock.set(start_time());
    for i in 0..40 {
        let t = w.invite(&format!("N-{i}")).await;
        w.submit(&t, faces(if i < 35 { 3 } else { 1 }), Some("x"))
            .await;
    }
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": month_period() }),
        )
        .await;
    let q = d["satisfactionReport"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["questionKey"] == "overall")
        .unwrap()
        .clone();
    let inv = q["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["origin"] == "INVITED")
        .unwrap()
        .clone();
    assert_eq!(inv["topBox"]["value"], 0.875);
    assert_eq!(inv["topBoxChange"]["significant"], true);
    assert!((inv["topBoxChange"]["delta"].as_f64().unwrap() - 0.625).abs() < 1e-9);
    assert_eq!(
        d["satisfactionReport"]["previous"]["counts"]["responded"],
        40
    );
    let series = w
        .app
        .ok(&w.manager, "query($s:ReportScopeInput!){ reportSeries(scope:$s, kind:MONTH, from:\"2026-09-15\", to:\"2026-11-30\"){ periodLabel counts { responded } } }", json!({ "s": { "kind": "SERVICE", "id": w.service } }))
        .await;
    assert_eq!(
        series["reportSeries"],
        json!([
            { "periodLabel": "2026-09", "counts": { "responded": 0 } },
            { "periodLabel": "2026-10", "counts": { "responded": 40 } },
            { "periodLabel": "2026-11", "counts": { "responded": 40 } },
        ])
    );
}

async fn rollup_snapshot(w: &SurveyWorld) -> Vec<(String, String, String, i64)> {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = w.app.state.db.conn();
    let mut out = vec![];
    for (t, d) in [("rollup_daily", "day"), ("rollup_monthly", "month")] {
        let sql = format!(
            "SELECT CAST({d} AS TEXT) AS d, question_key, bucket, CAST(SUM(n) AS BIGINT) AS n FROM {t} GROUP BY {d}, question_key, bucket"
        );
        for r in conn
            .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap()
        {
            out.push((
                format!("{t}:{}", r.try_get::<String>("", "d").unwrap()),
                r.try_get("", "question_key").unwrap(),
                r.try_get("", "bucket").unwrap(),
                r.try_get("", "n").unwrap(),
            ));
        }
    }
    out.sort();
    out
}

/// A tiny deterministic generator, so a failing case can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, m: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % m
    }
}

#[actix_web::test]
async fn rollups_equal_an_independent_recount_including_deliveries_near_local_midnight() {
    let w = SurveyWorld::new("A11_V2").await;
    let tz = chrono_tz::Asia::Ulaanbaatar;
    let mut rng = Lcg(20261128);
    // The oracle: (local delivery date, question, bucket) → count, from the inputs alone.
    let mut oracle: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    for i in 0..60 {
        // Deliveries within a few minutes of local midnight (16:00 UTC), over the last days.
        let day_back = rng.next(5) as i64 + 1;
        let offset = rng.next(20) as i64 - 10;
        let local_midnight = tz
            .with_ymd_and_hms(2026, 11, 28, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
            - Duration::days(day_back - 1);
        let delivered = local_midnight + Duration::minutes(offset);
        let mut v = w.issue_vars(&format!("P-{i}"));
        v["i"]["deliveredAt"] = json!(delivered.to_rfc3339());
        let d = w.app.ok(&w.key, ISSUE, v).await;
        let token = d["issueInvitation"]["token"].as_str().unwrap().to_owned();
        let up = rng.next(2) as i32;
        let mut answers = vec![json!({ "questionKey": "trust", "value": up })];
        let branch = if up == 1 {
            "went_well"
        } else {
            "didnt_go_well"
        };
        let opts = [
            "effectiveness",
            "ease",
            "efficiency",
            "transparency",
            "humanity",
            "employee",
        ];
        let picked: Vec<&str> = (0..rng.next(3))
            .map(|_| opts[rng.next(6) as usize])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !picked.is_empty() {
            answers.push(json!({ "questionKey": branch, "choices": picked }));
        }
        let comment = rng.next(3) == 0;
        if comment {
            answers.push(json!({ "questionKey": "comment", "text": "санал" }));
        }
        let r = w.submit(&token, json!(answers), Some("p")).await;
        assert_eq!(r["data"]["submitResponse"]["accepted"], true, "{r}");
        let day = delivered.with_timezone(&tz).date_naive().to_string();
        let mut add =
            |q: &str, b: String| *oracle.entry((day.clone(), q.to_owned(), b)).or_default() += 1;
        add("#", "#".into());
        add("trust", format!("v:{up}"));
        if !picked.is_empty() {
            for p in &picked {
                add(branch, format!("c:{p}"));
            }
            add(branch, "a".into());
        }
        if comment {
            add("comment", "t".into());
        }
    }
    let live = rollup_snapshot(&w).await;
    let daily: BTreeMap<(String, String, String), i64> = live
        .iter()
        .filter_map(|(d, q, b, n)| {
            d.strip_prefix("rollup_daily:")
                .map(|d| ((d[..10].to_owned(), q.clone(), b.clone()), *n))
        })
        .collect();
    assert_eq!(daily, oracle, "daily rollups equal the oracle");
    let monthly_total: i64 = live
        .iter()
        .filter(|(d, q, ..)| d.starts_with("rollup_monthly") && q == "#")
        .map(|x| x.3)
        .sum();
    assert_eq!(monthly_total, 60);
    let r = w.app.ok(&w.admin, "mutation{ rebuildRollups(from:\"2026-11-01\", to:\"2026-11-30\"){ from to responses } }", json!({})).await;
    assert_eq!(
        r["rebuildRollups"],
        json!({ "from": "2026-11-01", "to": "2026-11-30", "responses": 60 })
    );
    assert_eq!(
        rollup_snapshot(&w).await,
        live,
        "a rebuild from raw responses changes nothing"
    );
    assert_eq!(code(&w.app.gql(&w.manager, "mutation{ rebuildRollups(from:\"2026-11-01\", to:\"2026-11-30\"){ responses } }", json!({})).await), "FORBIDDEN");
}

#[actix_web::test]
async fn submissions_during_a_rebuild_are_not_lost() {
    let w = SurveyWorld::new("FACES_3").await;
    let mut tokens = vec![];
    for i in 0..30 {
        tokens.push(w.invite(&format!("R-{i}")).await);
    }
    for t in &tokens[..10] {
        w.submit(t, faces(3), Some("x")).await;
    }
    let rebuild = w.app.gql(
        &w.admin,
        "mutation{ rebuildRollups(from:\"2026-11-01\", to:\"2026-11-30\"){ responses } }",
        json!({}),
    );
    let submits = futures_util::future::join_all(
        tokens[10..]
            .iter()
            .map(|t| w.submit(t, faces(2), Some("y"))),
    );
    let (r, s) = futures_util::join!(rebuild, submits);
    assert!(r["data"]["rebuildRollups"].is_object(), "{r}");
    assert!(
        s.iter()
            .all(|x| x["data"]["submitResponse"]["accepted"] == true)
    );
    let d = w
        .app
        .ok(
            &w.manager,
            REPORT,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": month_period() }),
        )
        .await;
    assert_eq!(d["satisfactionReport"]["counts"]["responded"], 30);
    assert_eq!(w.stored_responses().await, 30);
}

#[actix_web::test]
async fn went_well_shares_count_everyone_who_was_shown_the_question() {
    let w = SurveyWorld::with("A11_V2", |c| c.suppression_threshold = 3).await;
    // Ten thumbs up: four pick "ease", two pick "employee", four skip the question.
    for i in 0..10 {
        let t = w.invite(&format!("U-{i}")).await;
        let mut a = vec![json!({ "questionKey": "trust", "value": 1 })];
        match i {
            0..=3 => a.push(json!({ "questionKey": "went_well", "choices": ["ease"] })),
            4..=5 => a.push(json!({ "questionKey": "went_well", "choices": ["employee"] })),
            _ => {}
        }
        w.submit(&t, json!(a), Some("x")).await;
    }
    for i in 0..2 {
        let t = w.invite(&format!("D-{i}")).await;
        w.submit(
            &t,
            json!([{ "questionKey": "trust", "value": 0 }]),
            Some("x"),
        )
        .await;
    }
    let q = "query($s:ReportScopeInput!,$p:PeriodInput!){ satisfactionReport(scope:$s, period:$p){ questions { questionKey figures { origin n shown lowConfidence optionShares { option share { k n value } } } } } }";
    let d = w
        .app
        .ok(
            &w.manager,
            q,
            json!({ "s": { "kind": "SERVICE", "id": w.service }, "p": month_period() }),
        )
        .await;
    let ww = d["satisfactionReport"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["questionKey"] == "went_well")
        .unwrap()
        .clone();
    let inv = ww["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["origin"] == "INVITED")
        .unwrap()
        .clone();
    assert_eq!(inv["shown"], 10);
    assert_eq!(inv["n"], 6);
    let ease = inv["optionShares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["option"] == "ease")
        .unwrap()
        .clone();
    assert_eq!(ease["share"], json!({ "k": 4, "n": 10, "value": 0.4 }));
    assert_eq!(
        inv["lowConfidence"], false,
        "the threshold is configurable (3 here)"
    );
}
