//! Pictures of the public results, for people who would rather look than read:
//! an embeddable badge per institution (its latest published score or index) and
//! a trend chart (its last eight quarters, per dimension), drawn as SVG with the
//! `plotters` charting crate. Only published, public-suppressed figures are
//! drawn: a withheld quarter is a gap, never a point.

use crate::domain::figures::{FigureSet, Snapshot};
use crate::domain::period::{Period, PeriodKind};
use crate::domain::scorecard::ScorecardStatus;
use crate::domain::vocab::{ConclusionStatus, Dimension, FigureOrigin, ScopeKind};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use entity::{conclusion, institution, scorecard};
use plotters::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Quarters a trend chart shows.
pub const TREND_QUARTERS: usize = 8;

/// The colour of each dimension's line (and its legend).
const COLOURS: [RGBColor; 4] = [
    RGBColor(0x1f, 0x5f, 0xa8),
    RGBColor(0x2e, 0x8b, 0x57),
    RGBColor(0xc0, 0x7a, 0x00),
    RGBColor(0x8e, 0x3b, 0x9e),
];

fn draw_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("drawing: {e}"))
}

/// What a badge says.
#[derive(Debug, Clone, PartialEq)]
pub struct BadgeFacts {
    /// Institution code.
    pub code: String,
    /// The headline: `score 83.33` (scorecard) or `SKM 91.67 A` (conclusion), or
    /// `no published results`.
    pub value: String,
    /// Rank (`rank 1 of 5`) or grade words; may be empty.
    pub detail: String,
    /// Period label.
    pub period: String,
    /// Responses behind it (absent without results).
    pub answers: Option<u64>,
}

/// The headline origin of a public snapshot.
fn headline(s: &Snapshot) -> FigureOrigin {
    if s.headline_provenances.is_some() {
        FigureOrigin::Headline
    } else {
        FigureOrigin::Combined
    }
}

async fn institution_of(state: &AppState, id: Uuid) -> AppResult<institution::Model> {
    institution::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// The newest published revision of each of the institution's conclusions of
/// `kind`, newest period first, at most `limit`.
async fn published(
    state: &AppState,
    id: Uuid,
    kind: Option<PeriodKind>,
    limit: u64,
) -> AppResult<Vec<conclusion::Model>> {
    let mut q = conclusion::Entity::find()
        .filter(conclusion::Column::ScopeKind.eq(ScopeKind::Institution.as_str()))
        .filter(conclusion::Column::ScopeId.eq(id))
        .filter(conclusion::Column::Status.eq(ConclusionStatus::Published.as_str()));
    if let Some(k) = kind {
        q = q.filter(conclusion::Column::PeriodKind.eq(k.as_str()));
    }
    let rows = q
        .order_by_desc(conclusion::Column::PeriodEnd)
        .order_by_desc(conclusion::Column::Revision)
        .limit(limit * 4)
        .all(state.db.conn())
        .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|c| seen.insert((c.period_kind.clone(), c.period_start)))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect())
}

fn public_snapshot(c: &conclusion::Model) -> AppResult<Snapshot> {
    super::conclusions::public_snapshot(c.content.clone(), c.public_withheld.as_ref())
}

/// What the badge of institution `id` says: its latest published scorecard, else
/// the SKM index of its latest published conclusion, else that there is none.
pub async fn badge_facts(state: &AppState, id: Uuid) -> AppResult<BadgeFacts> {
    let inst = institution_of(state, id).await?;
    let card = scorecard::Entity::find()
        .filter(scorecard::Column::InstitutionId.eq(id))
        .filter(scorecard::Column::Status.eq(ScorecardStatus::Published.as_str()))
        .order_by_desc(scorecard::Column::PeriodEnd)
        .order_by_desc(scorecard::Column::PublishedAt)
        .one(state.db.conn())
        .await?;
    if let Some(card) = card {
        let conclusion = conclusion::Entity::find_by_id(card.conclusion_id)
            .one(state.db.conn())
            .await?;
        let answers = match &conclusion {
            Some(c) => {
                let s = public_snapshot(c)?;
                Some(s.counts.responded + s.counts.open_responses)
            }
            None => None,
        };
        let kind = PeriodKind::parse(&card.period_kind)
            .ok_or_else(|| AppError::internal("stored scorecard: period kind"))?;
        return Ok(BadgeFacts {
            code: inst.code,
            value: card
                .total
                .map_or_else(|| "too few answers".into(), |t| format!("score {t:.2}")),
            detail: match card.rank {
                Some(r) => format!("rank {r} of {}", card.peers),
                None => "not ranked".into(),
            },
            period: Period::calendar(kind, card.period_start)?.label(),
            answers,
        });
    }
    for c in published(state, id, None, 6).await? {
        let s = public_snapshot(&c)?;
        let origin = headline(&s);
        let Some(skm) = s
            .skm
            .iter()
            .find(|k| k.origin == origin)
            .and_then(|k| k.skm)
        else {
            continue;
        };
        return Ok(BadgeFacts {
            code: inst.code,
            value: format!("SKM {:.2}", skm.index),
            detail: format!("grade {:?}", skm.grade),
            period: s.period.clone(),
            answers: Some(s.counts.responded + s.counts.open_responses),
        });
    }
    Ok(BadgeFacts {
        code: inst.code,
        value: "no published results".into(),
        detail: String::new(),
        period: String::new(),
        answers: None,
    })
}

/// Draws a badge (360 × 64).
pub fn draw_badge(f: &BadgeFacts) -> AppResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (360, 64)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (left, right) = root.split_horizontally(112);
        left.fill(&RGBColor(0x1f, 0x5f, 0xa8)).map_err(draw_error)?;
        let white = ("sans-serif", 15).into_font().color(&WHITE);
        left.draw(&Text::new("Sanal", (14, 12), white.clone()))
            .map_err(draw_error)?;
        left.draw(&Text::new(
            f.code.clone(),
            (14, 36),
            ("sans-serif", 13).into_font().color(&WHITE),
        ))
        .map_err(draw_error)?;
        right
            .draw(&Text::new(
                f.value.clone(),
                (12, 8),
                ("sans-serif", 17).into_font().color(&BLACK),
            ))
            .map_err(draw_error)?;
        let mut line = vec![];
        if !f.detail.is_empty() {
            line.push(f.detail.clone());
        }
        if !f.period.is_empty() {
            line.push(f.period.clone());
        }
        if let Some(n) = f.answers {
            line.push(format!("{n} answers"));
        }
        right
            .draw(&Text::new(
                line.join(" · "),
                (12, 38),
                ("sans-serif", 12)
                    .into_font()
                    .color(&RGBColor(0x44, 0x44, 0x44)),
            ))
            .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

/// One dimension's series: (quarter index, top-box share × 100) where published.
pub type Series = BTreeMap<Dimension, Vec<(usize, f64)>>;

/// The institution's last [`TREND_QUARTERS`] published quarters (oldest first) and
/// each dimension's public top-box share × 100 in them.
pub async fn trend_facts(state: &AppState, id: Uuid) -> AppResult<(String, Vec<String>, Series)> {
    let inst = institution_of(state, id).await?;
    let mut rows = published(state, id, Some(PeriodKind::Quarter), TREND_QUARTERS as u64).await?;
    rows.reverse();
    let mut labels = vec![];
    let mut series: Series = BTreeMap::new();
    for (i, c) in rows.iter().enumerate() {
        let s = public_snapshot(c)?;
        let origin = headline(&s);
        labels.push(s.period.clone());
        for d in &s.dimensions {
            let shown: Option<&FigureSet> = d
                .figures
                .iter()
                .find(|f| f.origin == origin && !f.suppressed);
            if let Some(tb) = shown.and_then(|f| f.top_box) {
                series
                    .entry(d.dimension)
                    .or_default()
                    .push((i, tb.value * 100.0));
            }
        }
    }
    Ok((inst.code, labels, series))
}

/// Draws a trend chart (640 × 320): one line per dimension over the quarters,
/// broken where a quarter is withheld or has no answers for it.
pub fn draw_trend(code: &str, labels: &[String], series: &Series) -> AppResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let quarters = labels.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{code}: top-box share by dimension, %"),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d(-0.5f64..(quarters as f64 - 0.5), 0f64..100f64)
            .map_err(draw_error)?;
        let label_of = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            labels.get(i as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(quarters * 2 + 1)
            .x_label_formatter(&label_of)
            .y_labels(6)
            .disable_x_mesh()
            .draw()
            .map_err(draw_error)?;
        for (k, dim) in Dimension::ALL.iter().enumerate() {
            let colour = COLOURS[k % COLOURS.len()];
            let Some(points) = series.get(dim) else {
                continue;
            };
            // Consecutive quarters make a line; a gap starts a new one.
            let mut segments: Vec<Vec<(f64, f64)>> = vec![];
            for (i, v) in points {
                match segments.last_mut() {
                    Some(seg) if seg.last().is_some_and(|(x, _)| (*x as usize) + 1 == *i) => {
                        seg.push((*i as f64, *v));
                    }
                    _ => segments.push(vec![(*i as f64, *v)]),
                }
            }
            let style = ShapeStyle::from(&colour).stroke_width(2);
            let mut first = true;
            for seg in segments {
                let line = chart
                    .draw_series(LineSeries::new(seg.clone(), style))
                    .map_err(draw_error)?;
                if first {
                    line.label(dim.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], style));
                    first = false;
                }
                chart
                    .draw_series(seg.iter().map(|p| Circle::new(*p, 3, colour.filled())))
                    .map_err(draw_error)?;
            }
        }
        if !series.is_empty() {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .position(SeriesLabelPosition::LowerRight)
                .draw()
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_says_its_value_period_and_answers() {
        let svg = draw_badge(&BadgeFacts {
            code: "MOJ".into(),
            value: "score 83.33".into(),
            detail: "rank 1 of 5".into(),
            period: "2026-Q4".into(),
            answers: Some(1234),
        })
        .unwrap_or_default();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("score 83.33"));
        assert!(svg.contains("rank 1 of 5 · 2026-Q4 · 1234 answers"));
    }

    #[test]
    fn a_gap_in_the_quarters_breaks_the_line() {
        let mut series = Series::new();
        series.insert(Dimension::Quality, vec![(0, 70.0), (1, 75.0), (3, 80.0)]);
        let labels: Vec<String> = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
            .map(String::from)
            .to_vec();
        let svg = draw_trend("MOJ", &labels, &series).unwrap_or_default();
        let quality_lines = svg
            .lines()
            .filter(|l| l.starts_with("<polyline") && l.contains("stroke=\"#1F5FA8\""))
            .count();
        assert_eq!(quality_lines, 2 + 1, "two segments and the legend");
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("2026-Q3") && svg.contains("QUALITY"));
    }
}
