//! Reporting periods: calendar months, quarters, half-years and years in the
//! reporting time zone, or a custom date range.

use super::error::{Invalid, Parsed};
use super::vocab::string_enum;
use chrono::{Datelike, NaiveDate};

/// Earliest date a client may give (reports, periods, delivered counts).
pub const MIN_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// Latest date a client may give.
pub const MAX_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// Whether a client's date lies in [`MIN_DATE`]..=[`MAX_DATE`], where every
/// period, expiry and time-zone calculation stays representable (and both
/// databases can store it).
pub fn in_range(d: NaiveDate) -> bool {
    (MIN_DATE..=MAX_DATE).contains(&d)
}

/// A client's instant, if its day lies within [`in_range`]; `BAD_USER_INPUT` otherwise.
pub fn instant(
    field: &str,
    t: chrono::DateTime<chrono::Utc>,
) -> Parsed<chrono::DateTime<chrono::Utc>> {
    if in_range(t.date_naive()) {
        Ok(t)
    } else {
        Err(Invalid::field(
            field,
            "must be between 1900-01-01 and 9999-12-31",
        ))
    }
}

string_enum!(
    /// Kinds of calendar period.
    PeriodKind {
        /// A calendar month.
        Month = "MONTH",
        /// A calendar quarter (Jan, Apr, Jul, Oct).
        Quarter = "QUARTER",
        /// A half-year (Jan, Jul).
        HalfYear = "HALF_YEAR",
        /// A calendar year.
        Year = "YEAR",
    }
);

impl PeriodKind {
    fn months(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::HalfYear => 6,
            Self::Year => 12,
        }
    }
}

/// A closed range of local dates; `kind` is set for calendar periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// Calendar kind, or none for a custom range.
    pub kind: Option<PeriodKind>,
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
}

fn add_months(d: NaiveDate, months: i32) -> Option<NaiveDate> {
    let total = d.year() * 12 + d.month0() as i32 + months;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
}

impl Period {
    /// The calendar period of `kind` starting on `start`, which must be its first day.
    pub fn calendar(kind: PeriodKind, start: NaiveDate) -> Parsed<Self> {
        if start.day() != 1 || !start.month0().is_multiple_of(kind.months()) {
            return Err(Invalid::field(
                "period.start",
                "must be the first day of the period (e.g. 2026-07-01 for 2026-Q3)",
            ));
        }
        let next = add_months(start, kind.months() as i32)
            .ok_or_else(|| Invalid::field("period.start", "out of range"))?;
        let end = next
            .pred_opt()
            .ok_or_else(|| Invalid::field("period.start", "out of range"))?;
        Ok(Self {
            kind: Some(kind),
            start,
            end,
        })
    }

    /// The calendar period of `kind` containing `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Parsed<Self> {
        let m0 = day.month0() - day.month0() % kind.months();
        let start = NaiveDate::from_ymd_opt(day.year(), m0 + 1, 1)
            .ok_or_else(|| Invalid::field("period", "out of range"))?;
        Self::calendar(kind, start)
    }

    /// A custom range (at most ten years).
    pub fn custom(from: NaiveDate, to: NaiveDate) -> Parsed<Self> {
        if to < from || (to - from).num_days() > 3660 {
            return Err(Invalid::field(
                "period.to",
                "must be on or after from, within ten years",
            ));
        }
        Ok(Self {
            kind: None,
            start: from,
            end: to,
        })
    }

    /// The period just before: the previous calendar period, or a range of equal length.
    pub fn previous(&self) -> Option<Self> {
        match self.kind {
            Some(k) => Self::calendar(k, add_months(self.start, -(k.months() as i32))?).ok(),
            None => {
                let len = (self.end - self.start).num_days();
                let end = self.start.pred_opt()?;
                Some(Self {
                    kind: None,
                    start: end.checked_sub_signed(chrono::Duration::days(len))?,
                    end,
                })
            }
        }
    }

    /// The next calendar period (custom ranges have none).
    pub fn next(&self) -> Option<Self> {
        let k = self.kind?;
        Self::calendar(k, add_months(self.start, k.months() as i32)?).ok()
    }

    /// Whether it is made of whole months (monthly rollups can answer it).
    pub fn month_aligned(&self) -> bool {
        self.start.day() == 1 && self.end.succ_opt().is_some_and(|n| n.day() == 1)
    }

    /// A label: `2026-11`, `2026-Q3`, `2026-H1`, `2026`, or `2026-01-05..2026-02-04`.
    pub fn label(&self) -> String {
        match self.kind {
            Some(PeriodKind::Month) => self.start.format("%Y-%m").to_string(),
            Some(PeriodKind::Quarter) => {
                format!("{}-Q{}", self.start.year(), self.start.month0() / 3 + 1)
            }
            Some(PeriodKind::HalfYear) => {
                format!("{}-H{}", self.start.year(), self.start.month0() / 6 + 1)
            }
            Some(PeriodKind::Year) => self.start.year().to_string(),
            None => format!("{}..{}", self.start, self.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn calendar_periods_know_their_bounds_and_labels() {
        let q3 = Period::calendar(PeriodKind::Quarter, d("2026-07-01")).unwrap();
        assert_eq!(
            (q3.start, q3.end, q3.label()),
            (d("2026-07-01"), d("2026-09-30"), "2026-Q3".into())
        );
        let feb = Period::calendar(PeriodKind::Month, d("2028-02-01")).unwrap();
        assert_eq!(feb.end, d("2028-02-29"));
        let h2 = Period::calendar(PeriodKind::HalfYear, d("2026-07-01")).unwrap();
        assert_eq!((h2.end, h2.label()), (d("2026-12-31"), "2026-H2".into()));
        assert_eq!(
            Period::calendar(PeriodKind::Year, d("2026-01-01"))
                .unwrap()
                .label(),
            "2026"
        );
    }

    #[test]
    fn a_period_must_start_on_its_first_day() {
        assert!(Period::calendar(PeriodKind::Quarter, d("2026-08-01")).is_err());
        assert!(Period::calendar(PeriodKind::Month, d("2026-08-02")).is_err());
        assert_eq!(
            Period::containing(PeriodKind::Quarter, d("2026-08-15"))
                .unwrap()
                .start,
            d("2026-07-01")
        );
    }

    #[test]
    fn previous_periods_cross_year_boundaries() {
        let q1 = Period::calendar(PeriodKind::Quarter, d("2026-01-01")).unwrap();
        assert_eq!(q1.previous().unwrap().label(), "2025-Q4");
        let custom = Period::custom(d("2026-01-10"), d("2026-01-19")).unwrap();
        let prev = custom.previous().unwrap();
        assert_eq!((prev.start, prev.end), (d("2025-12-31"), d("2026-01-09")));
        assert!(q1.month_aligned() && !custom.month_aligned());
    }
}
