//! Badges and trend charts: SVG pictures of an institution's published results,
//! parsed as XML, cacheable, and drawn only from public (suppressed) figures.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;

/// `answers` invited answers (`happy` of them happy) in November 2026; the fourth
/// quarter closed, its institution conclusions and scorecards published.
async fn published_quarter(answers: usize, happy: usize) -> SurveyWorld {
    let w = SurveyWorld::new("FACES_3").await;
    people(&w).await;
    for i in 0..answers {
        let t = w.invite(&format!("TX-{i}")).await;
        w.submit(
            &t,
            faces(if i < happy { 3 } else { 1 }),
            Some(&format!("c{i}")),
        )
        .await;
    }
    publish_quarter(&w, true).await;
    w
}

/// The SVG's text content (every `<text>`, trimmed) and its element names.
fn parse(body: &[u8]) -> (Vec<String>, Vec<String>) {
    let text = std::str::from_utf8(body).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_owned())
        .collect();
    let names = doc
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name().to_owned())
        .collect();
    (texts, names)
}

#[actix_web::test]
async fn a_badge_shows_the_latest_published_score_and_a_cache_revalidates_it() {
    let w = published_quarter(15, 12).await;
    let path = format!("/public/badge/{}.svg", w.ministry);
    let (status, headers, body) = get_raw(&w.app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "image/svg+xml");
    let (texts, _) = parse(&body);
    assert!(texts.contains(&"MOJ".to_owned()), "{texts:?}");
    // Satisfaction 80 and coverage 100: (0.5 × 80 + 0.1 × 100) / 0.6.
    assert!(texts.contains(&"score 83.33".to_owned()), "{texts:?}");
    assert!(
        texts.contains(&"rank 1 of 1 · 2026-Q4 · 15 answers".to_owned()),
        "{texts:?}"
    );
    let etag = header(&headers, "etag").to_owned();
    let resp = awc::Client::default()
        .get(format!("{}{path}", w.app.base))
        .insert_header(("if-none-match", etag.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 304);
    let missing = format!("/public/badge/{}.svg", uuid::Uuid::new_v4());
    assert_eq!(get_raw(&w.app, &missing).await.0, 404);
    assert_eq!(get_raw(&w.app, "/public/badge/not-an-id.svg").await.0, 404);
}

#[actix_web::test]
async fn a_trend_chart_draws_each_dimensions_published_quarters() {
    let w = published_quarter(15, 12).await;
    let (status, headers, body) =
        get_raw(&w.app, &format!("/public/trend/{}.svg", w.ministry)).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "image/svg+xml");
    let (texts, names) = parse(&body);
    assert!(
        texts.iter().any(|t| t.starts_with("MOJ: top-box share")),
        "{texts:?}"
    );
    assert!(texts.contains(&"2026-Q4".to_owned()), "{texts:?}");
    assert!(
        texts.contains(&"QUALITY".to_owned()),
        "the legend names the dimension: {texts:?}"
    );
    // One quarter, one dimension (faces measure quality): one point.
    assert_eq!(names.iter().filter(|n| *n == "circle").count(), 1);
}

#[actix_web::test]
async fn a_quarter_with_too_few_answers_is_a_gap_not_a_point() {
    let w = published_quarter(5, 5).await;
    let (status, _, body) = get_raw(&w.app, &format!("/public/trend/{}.svg", w.ministry)).await;
    assert_eq!(status, 200);
    let (texts, names) = parse(&body);
    assert!(
        texts.contains(&"2026-Q4".to_owned()),
        "the quarter is on the axis: {texts:?}"
    );
    assert!(!texts.contains(&"QUALITY".to_owned()), "{texts:?}");
    assert_eq!(names.iter().filter(|n| *n == "circle").count(), 0);
    // Its badge says so, not a score (no component has enough data).
    let (_, _, body) = get_raw(&w.app, &format!("/public/badge/{}.svg", w.ministry)).await;
    let (texts, _) = parse(&body);
    assert!(texts.contains(&"too few answers".to_owned()), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.starts_with("not ranked · 2026-Q4")),
        "{texts:?}"
    );
}
