//! Open data: every dataset as CSV (read by a real CSV reader) and JSON, described
//! field by field by the data package, suppressed cells empty with their flag,
//! and validators for caches (ETag, Last-Modified, 304).
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::{Value, json};

/// 15 invited answers (12 happy) and one open-channel answer in November; the
/// quarter closed, its institution conclusions and scorecards published; a
/// suggestion sent.
async fn published_world() -> (SurveyWorld, Auth) {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    for i in 0..15 {
        let t = w.invite(&format!("TX-{i}")).await;
        w.submit(
            &t,
            faces(if i < 12 { 3 } else { 1 }),
            Some(&format!("c{i}")),
        )
        .await;
    }
    let code = w.open_channel().await;
    w.app
        .ok(
            &Auth::None,
            "mutation($i:SubmitOpenResponseInput!){ submitOpenResponse(input:$i){ accepted } }",
            json!({ "i": { "pointCode": code, "answers": faces(3) } }),
        )
        .await;
    w.app
        .ok(
            &Auth::None,
            "mutation($i:SendSuggestionInput!){ sendSuggestion(input:$i){ trackingCode } }",
            json!({ "i": { "institutionId": w.agency, "kind": "SUGGESTION", "text": "Ээлжийн дугаар мессежээр ирвэл сайн байна." } }),
        )
        .await;
    let sup = publish_quarter(&w, true).await;
    (w, sup)
}

fn text(body: &[u8]) -> String {
    String::from_utf8(body.to_vec()).unwrap()
}

/// Checks a cell against its Table Schema type (empty is missing).
fn typed(kind: &str, cell: &str) -> bool {
    cell.is_empty()
        || match kind {
            "integer" => cell.parse::<i64>().is_ok(),
            "number" => cell.parse::<f64>().is_ok(),
            "boolean" => cell == "true" || cell == "false",
            "date" => chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").is_ok(),
            "datetime" => chrono::DateTime::parse_from_rfc3339(cell).is_ok(),
            _ => true,
        }
}

#[actix_web::test]
async fn every_dataset_is_csv_and_json_with_the_columns_its_data_package_describes() {
    let (w, _) = published_world().await;
    let (status, _, body) = get_raw(&w.app, "/open-data/").await;
    assert_eq!(status, 200);
    let index: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(index["datasets"].as_array().unwrap().len(), 5);
    let (status, _, body) = get_raw(&w.app, "/open-data/datapackage.json").await;
    assert_eq!(status, 200);
    let package: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(package["licenses"][0]["name"], "CC-BY-4.0");
    assert!(
        package["description"]
            .as_str()
            .unwrap()
            .contains("fewer than 10 answers")
    );
    let mut rows_of = std::collections::HashMap::new();
    for r in package["resources"].as_array().unwrap() {
        let name = r["name"].as_str().unwrap();
        let fields: Vec<(String, String)> = r["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                assert!(f["description"].as_str().is_some_and(|d| !d.is_empty()));
                (
                    f["name"].as_str().unwrap().to_owned(),
                    f["type"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let (status, headers, body) = get_raw(
            &w.app,
            &format!("/open-data/{}", r["path"].as_str().unwrap()),
        )
        .await;
        assert_eq!(status, 200, "{name}");
        assert!(
            header(&headers, "content-type").starts_with("text/csv"),
            "{name}"
        );
        let csv_text = text(&body);
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let head: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            head,
            fields.iter().map(|f| f.0.clone()).collect::<Vec<_>>(),
            "{name}"
        );
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        for rec in &records {
            for ((field, kind), cell) in fields.iter().zip(rec.iter()) {
                assert!(typed(kind, cell), "{name}.{field} = {cell:?} is not {kind}");
            }
        }
        let (status, _, body) = get_raw(&w.app, &format!("/open-data/{name}.json")).await;
        assert_eq!(status, 200);
        let json: Value = serde_json::from_slice(&body).unwrap();
        let items = json.as_array().unwrap();
        assert_eq!(
            items.len(),
            records.len(),
            "{name}: CSV and JSON hold the same rows"
        );
        for item in items {
            let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), fields.len(), "{name}");
        }
        rows_of.insert(name.to_owned(), (head, records));
    }
    // The ministry's quality: 16 answers combined, shown; the open channel's one
    // answer withheld with its complement, as empty cells with the flag.
    let (head, rows) = &rows_of["satisfaction"];
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let find = |origin: &str| {
        rows.iter()
            .find(|r| {
                &r[col("scope")] == "INSTITUTION"
                    && &r[col("institution_code")] == "MOJ"
                    && &r[col("measure")] == "DIMENSION"
                    && &r[col("subject")] == "QUALITY"
                    && &r[col("origin")] == origin
            })
            .unwrap_or_else(|| panic!("no {origin} row"))
    };
    let combined = find("COMBINED");
    assert_eq!(
        (&combined[col("suppressed")], &combined[col("n")]),
        ("false", "16")
    );
    assert_eq!(&combined[col("top_box_share")], "0.8125");
    for origin in ["OPEN", "INVITED"] {
        let r = find(origin);
        assert_eq!(&r[col("suppressed")], "true", "{origin}");
        for c in ["n", "top_box_share", "top_box_low", "top_box_high", "mean"] {
            assert_eq!(&r[col(c)], "", "{origin}.{c} is withheld");
        }
    }
    // Scorecards: one row per component of each published scorecard.
    let (head, rows) = &rows_of["scorecards"];
    assert_eq!(rows.len(), 2 * 5);
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    assert!(rows.iter().all(|r| r[col("content_hash")].len() == 64));
    // Suggestions: one received by GASR in November, too few for a share.
    let (head, rows) = &rows_of["suggestion_statistics"];
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (&rows[0][col("institution_code")], &rows[0][col("received")]),
        ("GASR", "1")
    );
    assert_eq!(
        (
            &rows[0][col("suppressed")],
            &rows[0][col("answered_in_time_share")]
        ),
        ("true", "")
    );
}

/// GET with one request header: status, headers, body.
async fn get_with(
    app: &TestApp,
    path: &str,
    name: &str,
    value: &str,
) -> (u16, Vec<(String, String)>) {
    let resp = awc::Client::default()
        .get(format!("{}{path}", app.base))
        .insert_header((name, value))
        .send()
        .await
        .unwrap();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    (resp.status().as_u16(), headers)
}

#[actix_web::test]
async fn a_cache_revalidates_with_etag_or_last_modified_and_a_new_publication_changes_the_etag() {
    let (w, sup) = published_world().await;
    let path = "/open-data/scorecards.csv";
    let (status, headers, _) = get_raw(&w.app, path).await;
    assert_eq!(status, 200);
    let etag = header(&headers, "etag").to_owned();
    let modified = header(&headers, "last-modified").to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    assert!(modified.ends_with("GMT"), "{modified}");
    assert_eq!(header(&headers, "cache-control"), "public, max-age=300");
    let (status, headers) = get_with(&w.app, path, "if-none-match", &etag).await;
    assert_eq!(status, 304);
    assert_eq!(header(&headers, "etag"), etag);
    assert_eq!(
        get_with(&w.app, path, "if-modified-since", &modified)
            .await
            .0,
        304
    );
    assert_eq!(
        get_with(&w.app, path, "if-none-match", "\"other\"").await.0,
        200
    );
    // The JSON file has its own validator.
    let (_, headers, _) = get_raw(&w.app, "/open-data/scorecards.json").await;
    assert_ne!(header(&headers, "etag"), etag);
    // A stricter framework's scorecards published: the dataset changed.
    let d = w
        .app
        .ok(&sup, "mutation($i:IndicatorFrameworkInput!){ draftIndicatorFramework(input:$i){ id } }",
            json!({ "i": { "key": "strict", "name": { "mn": "Хатуу" }, "description": { "mn": "Туршилт" },
                "components": [ { "component": "SATISFACTION", "weight": 1.0, "minimum": 10 } ] } }))
        .await;
    let id = d["draftIndicatorFramework"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.app
        .ok(
            &sup,
            "mutation($id:ID!){ publishIndicatorFramework(id:$id){ id } }",
            json!({ "id": id }),
        )
        .await;
    w.app.clock.advance(chrono::Duration::seconds(5));
    w.app
        .ok(&sup, "mutation($f:ID!){ publishScorecards(kind: QUARTER, start: \"2026-10-01\", frameworkId: $f){ id } }", json!({ "f": id }))
        .await;
    let (status, headers) = get_with(&w.app, path, "if-none-match", &etag).await;
    assert_eq!(status, 200);
    assert_ne!(header(&headers, "etag"), etag);
    // Unknown files are 404 problems.
    assert_eq!(get_raw(&w.app, "/open-data/responses.csv").await.0, 404);
    assert_eq!(get_raw(&w.app, "/open-data/scorecards.xlsx").await.0, 404);
}
