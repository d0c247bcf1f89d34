//! Disclosure control: what of a period's figures the public may see.
//!
//! A figure resting on fewer answers than the publication threshold is withheld,
//! and so is whatever would give a withheld one away by addition or subtraction.
//! Three kinds of sums hold among the published figures of a period:
//!
//! - **origins**, within one figure: combined = invited + open, invited = national
//!   platform + institution system, open = poster + kiosk (and a narrowed
//!   headline = the provenances it counts);
//! - **respondent kinds**, within one scope: a figure = Σ its kinds + the answers
//!   without one;
//! - **scopes**: an institution's figure (with its subtree) = Σ its own services'
//!   figures + Σ its sub-institutions' figures.
//!
//! [`Snapshot::suppress_for_public_withholding`] applies the first two within one
//! conclusion. [`across_scopes`] applies all three to every conclusion of a period
//! together, and then audits the result exactly: over the system of all those
//! sums, no withheld cell (and no small unpublished remainder) may be a linear
//! combination of published ones. It returns, per conclusion, the cells withheld
//! beyond its own small cells; readers pass them back to
//! [`Snapshot::suppress_for_public_withholding`].
//!
//! The cells that add up are those of questions, drivers and dimensions (each
//! origin, each respondent kind). Counts of responses are published as they are;
//! an SKM index is not a sum and is withheld only when it rests on few answers.

use super::figures::{FigureSet, Snapshot};
use super::survey::Driver;
use super::vocab::{Dimension, FigureOrigin, Provenance, RespondentKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// What an additive figure measures.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Measure {
    /// One question of one survey.
    #[serde(rename_all = "camelCase")]
    Question {
        /// Survey.
        survey_id: Uuid,
        /// Question key.
        key: String,
    },
    /// A driver, pooled over its questions.
    Driver(Driver),
    /// A dimension, pooled over its questions.
    Dimension(Dimension),
}

/// One cell of a scope's public figures: a measure, an origin, and a respondent
/// kind (none: every respondent).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    /// What it measures.
    pub measure: Measure,
    /// Origin.
    pub origin: FigureOrigin,
    /// Respondent kind (absent: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RespondentKind>,
}

/// A cell's answers and whether the public view withholds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellState {
    /// Answers (from the frozen figures, before anything is withheld).
    pub n: u64,
    /// Withheld from the public.
    pub withheld: bool,
}

/// How the figure sets of one figure add up: each whole is the sum of its two parts.
const ORIGIN_SUMS: [(FigureOrigin, [FigureOrigin; 2]); 3] = [
    (
        FigureOrigin::Combined,
        [FigureOrigin::Invited, FigureOrigin::Open],
    ),
    (
        FigureOrigin::Invited,
        [
            FigureOrigin::NationalPlatform,
            FigureOrigin::InstitutionSystem,
        ],
    ),
    (
        FigureOrigin::Open,
        [FigureOrigin::Poster, FigureOrigin::Kiosk],
    ),
];

/// Withholds, in one list of figure sets, the low-confidence ones and whatever
/// would give them away by addition or subtraction: when one part of a shown set
/// is withheld, so is the other part; when a set is withheld, so are its parts
/// (they would add up to it). Repeated until nothing changes.
///
/// With a narrowed `headline` (the provenances a supervisor counts), `HEADLINE` is
/// the sum of its provenances, and `COMBINED` the sum of `HEADLINE` and the
/// provenances outside it. `HEADLINE` is the figure to keep: when a provenance
/// outside it is withheld, `COMBINED` is withheld instead (and with it whatever
/// would add up to it).
pub fn suppress(sets: &mut [FigureSet], headline: Option<&[Provenance]>) {
    let mut withheld: BTreeSet<FigureOrigin> = sets
        .iter()
        .filter(|s| s.low_confidence)
        .map(|s| s.origin)
        .collect();
    let present: BTreeSet<FigureOrigin> = sets.iter().map(|s| s.origin).collect();
    let mut sums: Vec<(FigureOrigin, Vec<FigureOrigin>)> =
        ORIGIN_SUMS.iter().map(|(w, p)| (*w, p.to_vec())).collect();
    let mut outside: Vec<FigureOrigin> = vec![];
    if let Some(h) = headline {
        sums.push((
            FigureOrigin::Headline,
            h.iter().map(|p| FigureOrigin::from(*p)).collect(),
        ));
        outside = Provenance::ALL
            .iter()
            .filter(|p| !h.contains(p))
            .map(|p| FigureOrigin::from(*p))
            .filter(|o| present.contains(o))
            .collect();
    }
    let has_headline = headline.is_some() && present.contains(&FigureOrigin::Headline);
    loop {
        let before = withheld.len();
        for (whole, parts) in &sums {
            let parts: Vec<FigureOrigin> = parts
                .iter()
                .copied()
                .filter(|p| present.contains(p))
                .collect();
            let whole_withheld = withheld.contains(whole);
            let part_withheld = parts.iter().any(|p| withheld.contains(p));
            if whole_withheld || (present.contains(whole) && part_withheld) {
                withheld.extend(parts.iter().copied());
            }
        }
        if has_headline {
            let combined = FigureOrigin::Combined;
            if outside.iter().any(|o| withheld.contains(o)) {
                withheld.insert(combined);
            }
            if withheld.contains(&combined) || withheld.contains(&FigureOrigin::Headline) {
                withheld.extend(outside.iter().copied());
            }
        }
        if withheld.len() == before {
            break;
        }
    }
    for s in sets.iter_mut() {
        if withheld.contains(&s.origin) {
            *s = FigureSet::withheld(s.origin);
        }
    }
}

/// One sum `whole = Σ parts + rest` as the public would see it: which of the whole
/// and the parts to withhold so that no withheld cell is the difference of shown
/// ones. Withheld cells with answers never stand alone in the sum, and while the
/// whole is shown the withheld parts hold at least `threshold` answers together;
/// the smallest shown part is withheld until that holds (the whole only when no
/// part is left). `whole` and `parts` are (answers, withheld already). `rest`, the
/// whole's answers outside every part, is never published: it counts as a
/// withheld cell.
pub fn protect(
    whole: (u64, bool),
    parts: &[(u64, bool)],
    rest: u64,
    threshold: u64,
) -> (bool, Vec<bool>) {
    let mut whole_withheld = whole.1;
    let mut withheld: Vec<bool> = parts.iter().map(|(_, w)| *w).collect();
    if whole.0 == 0 {
        return (whole_withheld, withheld);
    }
    let rest_hidden = rest > 0;
    loop {
        let (count, sum) = parts
            .iter()
            .zip(&withheld)
            .filter(|((n, _), w)| **w && *n > 0)
            .fold(
                (usize::from(rest_hidden), if rest_hidden { rest } else { 0 }),
                |(c, s), ((n, _), _)| (c + 1, s + n),
            );
        let safe = if whole_withheld {
            count >= 1
        } else {
            count == 0 || (count >= 2 && sum >= threshold)
        };
        if safe {
            break;
        }
        let smallest = parts
            .iter()
            .zip(&withheld)
            .enumerate()
            .filter(|(_, ((n, _), w))| !**w && *n > 0)
            .min_by_key(|(_, ((n, _), _))| *n)
            .map(|(i, _)| i);
        match smallest {
            Some(i) => withheld[i] = true,
            None if !whole_withheld => whole_withheld = true,
            None => break,
        }
    }
    (whole_withheld, withheld)
}

impl Snapshot {
    /// Every cell that adds up (questions, drivers, dimensions; each origin; all
    /// respondents and each kind): its answers and whether it is withheld.
    pub fn cells(&self) -> BTreeMap<Cell, CellState> {
        self.cells_of(true)
    }

    /// [`Snapshot::cells`], without the questions' (which are never split by
    /// respondent kind) unless `questions`.
    fn cells_of(&self, questions: bool) -> BTreeMap<Cell, CellState> {
        let mut out = BTreeMap::new();
        let mut add = |measure: &Measure, kind: Option<RespondentKind>, sets: &[FigureSet]| {
            for f in sets {
                let cell = Cell {
                    measure: measure.clone(),
                    origin: f.origin,
                    kind,
                };
                let state = CellState {
                    n: f.n.unwrap_or(0),
                    withheld: f.suppressed,
                };
                out.insert(cell, state);
            }
        };
        for q in self.questions.iter().filter(|_| questions) {
            let m = Measure::Question {
                survey_id: q.survey_id,
                key: q.question_key.clone(),
            };
            add(&m, None, &q.figures);
        }
        for d in &self.drivers {
            add(&Measure::Driver(d.driver), None, &d.figures);
        }
        for d in &self.dimensions {
            add(&Measure::Dimension(d.dimension), None, &d.figures);
        }
        for k in &self.respondent_kinds {
            for d in &k.drivers {
                add(&Measure::Driver(d.driver), Some(k.kind), &d.figures);
            }
            for d in &k.dimensions {
                add(&Measure::Dimension(d.dimension), Some(k.kind), &d.figures);
            }
        }
        out
    }

    /// The figure set of `cell`.
    fn cell_mut(&mut self, cell: &Cell) -> Option<&mut FigureSet> {
        let sets = match (&cell.measure, cell.kind) {
            (Measure::Question { survey_id, key }, None) => {
                &mut self
                    .questions
                    .iter_mut()
                    .find(|q| q.survey_id == *survey_id && q.question_key == *key)?
                    .figures
            }
            (Measure::Question { .. }, Some(_)) => return None,
            (Measure::Driver(d), None) => {
                &mut self.drivers.iter_mut().find(|x| x.driver == *d)?.figures
            }
            (Measure::Dimension(d), None) => {
                &mut self
                    .dimensions
                    .iter_mut()
                    .find(|x| x.dimension == *d)?
                    .figures
            }
            (m, Some(k)) => {
                let kind = self.respondent_kinds.iter_mut().find(|x| x.kind == k)?;
                match m {
                    Measure::Driver(d) => {
                        &mut kind.drivers.iter_mut().find(|x| x.driver == *d)?.figures
                    }
                    Measure::Dimension(d) => {
                        &mut kind
                            .dimensions
                            .iter_mut()
                            .find(|x| x.dimension == *d)?
                            .figures
                    }
                    Measure::Question { .. } => return None,
                }
            }
        };
        sets.iter_mut().find(|f| f.origin == cell.origin)
    }

    /// Applies [`suppress`] to every list of figure sets.
    fn suppress_origins(&mut self) {
        let headline = self.headline_provenances.clone();
        let h = headline.as_deref();
        for q in &mut self.questions {
            suppress(&mut q.figures, h);
        }
        for d in &mut self.drivers {
            suppress(&mut d.figures, h);
        }
        for d in &mut self.dimensions {
            suppress(&mut d.figures, h);
        }
        for k in &mut self.respondent_kinds {
            for d in &mut k.drivers {
                suppress(&mut d.figures, h);
            }
            for d in &mut k.dimensions {
                suppress(&mut d.figures, h);
            }
        }
    }

    /// The public view: every small cell (and its complement) withheld.
    pub fn suppress_for_public(&mut self) {
        self.suppress_for_public_withholding(&BTreeSet::new());
    }

    /// The public view with `cells` withheld too (those [`across_scopes`] chose):
    /// small cells, the cells `cells` names, and whatever would give any of them
    /// away within this snapshot (origins, respondent kinds), repeated until
    /// nothing changes.
    pub fn suppress_for_public_withholding(&mut self, cells: &BTreeSet<Cell>) {
        // Only respondent kinds need the cells' answers read before anything is
        // withheld (and only drivers and dimensions are split by kind).
        let kinds = !self.respondent_kinds.is_empty();
        let raw = if kinds {
            self.cells_of(false)
        } else {
            BTreeMap::new()
        };
        let threshold = self.suppression_threshold;
        let mut forced = cells.clone();
        loop {
            for c in &forced {
                if let Some(f) = self.cell_mut(c) {
                    f.low_confidence = true;
                }
            }
            self.suppress_origins();
            if !kinds {
                break;
            }
            let now = self.cells_of(false);
            let more: Vec<Cell> = kind_sums(&raw, &now, threshold)
                .into_iter()
                .filter(|c| !forced.contains(c))
                .collect();
            if more.is_empty() {
                break;
            }
            forced.extend(more);
        }
        let previous = self.previous.iter_mut().flat_map(|p| p.skm.iter_mut());
        let kinds = self
            .respondent_kinds
            .iter_mut()
            .flat_map(|k| k.skm.iter_mut());
        for f in self.skm.iter_mut().chain(previous).chain(kinds) {
            f.suppress();
        }
    }
}

/// The cells to withhold so that the sums over respondent kinds give nothing
/// away: per figure of all respondents, [`protect`] over its kinds.
fn kind_sums(
    raw: &BTreeMap<Cell, CellState>,
    now: &BTreeMap<Cell, CellState>,
    threshold: u64,
) -> Vec<Cell> {
    let withheld = |c: &Cell| now.get(c).is_some_and(|s| s.withheld);
    let mut out = vec![];
    for (total, t) in raw.iter().filter(|(c, _)| c.kind.is_none()) {
        let parts: Vec<(Cell, u64)> = RespondentKind::ALL
            .iter()
            .filter_map(|k| {
                let c = Cell {
                    kind: Some(*k),
                    ..total.clone()
                };
                raw.get(&c).map(|s| (c, s.n))
            })
            .collect();
        if parts.is_empty() {
            continue;
        }
        let flags: Vec<(u64, bool)> = parts.iter().map(|(c, n)| (*n, withheld(c))).collect();
        let rest = t.n.saturating_sub(parts.iter().map(|(_, n)| n).sum());
        let (w_total, w_parts) = protect((t.n, withheld(total)), &flags, rest, threshold);
        if w_total && !withheld(total) {
            out.push(total.clone());
        }
        for ((c, _), w) in parts.into_iter().zip(w_parts) {
            if w && !withheld(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// One conclusion of a period, for [`across_scopes`].
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// Its frozen figures.
    pub snapshot: &'a Snapshot,
    /// The scope whose figures include these (the service's institution, the
    /// institution's parent), as an index in the same list.
    pub parent: Option<usize>,
}

/// Where a cell is: (scope index, cell).
type At = (usize, Cell);

/// A sum among a period's published cells: `whole = Σ parts + rest`.
#[derive(Debug, Clone)]
struct Sum {
    whole: At,
    parts: Vec<At>,
    rest: u64,
}

/// The sums over scopes: each institution's cell = Σ its children's + rest (the
/// narrowed headline is each institution's own, so it is no sum over scopes).
fn scope_sums(scopes: &[Scope<'_>], raw: &[BTreeMap<Cell, CellState>]) -> Vec<Sum> {
    let mut children: Vec<Vec<usize>> = vec![vec![]; scopes.len()];
    for (i, s) in scopes.iter().enumerate() {
        if let Some(p) = s.parent.filter(|p| *p < scopes.len() && *p != i) {
            children[p].push(i);
        }
    }
    let mut out = vec![];
    for (p, kids) in children.iter().enumerate() {
        if kids.is_empty() {
            continue;
        }
        for (cell, whole) in &raw[p] {
            if cell.origin == FigureOrigin::Headline {
                continue;
            }
            let parts: Vec<At> = kids
                .iter()
                .filter(|c| raw[**c].get(cell).is_some_and(|s| s.n > 0))
                .map(|c| (*c, cell.clone()))
                .collect();
            let sum: u64 = parts.iter().map(|(c, x)| raw[*c][x].n).sum();
            out.push(Sum {
                whole: (p, cell.clone()),
                parts,
                rest: whole.n.saturating_sub(sum),
            });
        }
    }
    out
}

/// The sums within each scope: origins (and a narrowed headline) and respondent kinds.
fn inner_sums(scopes: &[Scope<'_>], raw: &[BTreeMap<Cell, CellState>]) -> Vec<Sum> {
    let mut out = vec![];
    let n_of = |i: usize, c: &Cell| raw[i].get(c).map_or(0, |s| s.n);
    for (i, s) in scopes.iter().enumerate() {
        let mut sums: Vec<(FigureOrigin, Vec<FigureOrigin>)> =
            ORIGIN_SUMS.iter().map(|(w, p)| (*w, p.to_vec())).collect();
        if let Some(h) = &s.snapshot.headline_provenances {
            let inside: Vec<FigureOrigin> = h.iter().map(|p| FigureOrigin::from(*p)).collect();
            let outside: Vec<FigureOrigin> = Provenance::ALL
                .iter()
                .filter(|p| !h.contains(p))
                .map(|p| FigureOrigin::from(*p))
                .chain([FigureOrigin::Headline])
                .collect();
            sums.push((FigureOrigin::Headline, inside));
            sums.push((FigureOrigin::Combined, outside));
        }
        for cell in raw[i].keys() {
            for (whole, parts) in &sums {
                if cell.origin != *whole {
                    continue;
                }
                let parts: Vec<At> = parts
                    .iter()
                    .map(|o| Cell {
                        origin: *o,
                        ..cell.clone()
                    })
                    .filter(|c| n_of(i, c) > 0)
                    .map(|c| (i, c))
                    .collect();
                let sum: u64 = parts.iter().map(|(_, c)| n_of(i, c)).sum();
                out.push(Sum {
                    whole: (i, cell.clone()),
                    parts,
                    rest: n_of(i, cell).saturating_sub(sum),
                });
            }
            if cell.kind.is_none() {
                let parts: Vec<At> = RespondentKind::ALL
                    .iter()
                    .map(|k| Cell {
                        kind: Some(*k),
                        ..cell.clone()
                    })
                    .filter(|c| n_of(i, c) > 0)
                    .map(|c| (i, c))
                    .collect();
                if !parts.is_empty() {
                    let sum: u64 = parts.iter().map(|(_, c)| n_of(i, c)).sum();
                    out.push(Sum {
                        whole: (i, cell.clone()),
                        parts,
                        rest: n_of(i, cell).saturating_sub(sum),
                    });
                }
            }
        }
    }
    out
}

/// The unknowns of the public's system of sums: withheld cells with answers, and
/// the remainders (never published), by sum index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Unknown {
    Cell(At),
    Rest(usize),
}

/// Which unknowns a linear combination of the sums pins down exactly. Each sum is
/// a row `whole − Σ parts − rest = 0` restricted to its unknowns (the rest of it
/// is published); an unknown is determined when its unit vector lies in the span
/// of the rows, i.e. when the reduced row echelon form has a row with that
/// unknown alone. Solved per connected group of unknowns.
fn determined(sums: &[Sum], is_unknown: impl Fn(&At) -> bool) -> Vec<Unknown> {
    let mut index: BTreeMap<Unknown, usize> = BTreeMap::new();
    let mut rows: Vec<Vec<(usize, f64)>> = vec![];
    for (k, s) in sums.iter().enumerate() {
        let mut row: Vec<(Unknown, f64)> = vec![];
        if is_unknown(&s.whole) {
            row.push((Unknown::Cell(s.whole.clone()), 1.0));
        }
        for p in &s.parts {
            if is_unknown(p) {
                row.push((Unknown::Cell(p.clone()), -1.0));
            }
        }
        if s.rest > 0 {
            row.push((Unknown::Rest(k), -1.0));
        }
        if row.is_empty() {
            continue;
        }
        let row = row
            .into_iter()
            .map(|(u, v)| {
                let next = index.len();
                (*index.entry(u).or_insert(next), v)
            })
            .collect();
        rows.push(row);
    }
    let names: BTreeMap<usize, Unknown> = index.into_iter().map(|(u, i)| (i, u)).collect();
    // Groups of unknowns linked by a row (union-find), eliminated one by one.
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for r in &rows {
        if let Some((first, _)) = r.first() {
            for (u, _) in r {
                let (a, b) = (find(&mut parent, *first), find(&mut parent, *u));
                parent[a] = b;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Vec<(usize, f64)>>> = BTreeMap::new();
    for r in rows {
        if let Some((u, _)) = r.first() {
            let g = find(&mut parent, *u);
            groups.entry(g).or_default().push(r);
        }
    }
    let mut out = vec![];
    for rows in groups.into_values() {
        for u in pinned(rows) {
            if let Some(name) = names.get(&u) {
                out.push(name.clone());
            }
        }
    }
    out
}

/// Gaussian elimination over sparse rows, kept in reduced row echelon form (each
/// pivot column appears in its own row only); the columns left alone in a row.
fn pinned(rows: Vec<Vec<(usize, f64)>>) -> Vec<usize> {
    const EPS: f64 = 1e-9;
    let mut reduced: Vec<(usize, BTreeMap<usize, f64>)> = vec![];
    for r in rows {
        let mut row: BTreeMap<usize, f64> = BTreeMap::new();
        for (c, v) in r {
            *row.entry(c).or_insert(0.0) += v;
        }
        for (pc, p) in &reduced {
            if let Some(f) = row.get(pc).copied() {
                for (c, v) in p {
                    *row.entry(*c).or_insert(0.0) -= f * v;
                }
            }
        }
        row.retain(|_, v| v.abs() > EPS);
        let Some((pc, pv)) = row.iter().next().map(|(c, v)| (*c, *v)) else {
            continue;
        };
        for v in row.values_mut() {
            *v /= pv;
        }
        for (_, p) in &mut reduced {
            if let Some(f) = p.get(&pc).copied() {
                for (c, v) in &row {
                    *p.entry(*c).or_insert(0.0) -= f * v;
                }
                p.retain(|_, v| v.abs() > EPS);
            }
        }
        reduced.push((pc, row));
    }
    reduced
        .iter()
        .filter(|(_, r)| r.len() == 1)
        .map(|(pc, _)| *pc)
        .collect()
}

/// The cells each conclusion of a period withholds beyond its own small cells, so
/// that none of its withheld cells — nor a small remainder — can be found from
/// the published figures of the whole period: the origin, respondent-kind and
/// scope sums protected as [`protect`] says, then audited exactly
/// ([`determined`]); a cell found out has the smallest shown cell of one of its
/// sums withheld beside it, and the whole is repeated until nothing changes.
/// `already` are cells withheld before (a published view never gets one back).
pub fn across_scopes(scopes: &[Scope<'_>], already: &[BTreeSet<Cell>]) -> Vec<BTreeSet<Cell>> {
    let raw: Vec<BTreeMap<Cell, CellState>> = scopes.iter().map(|s| s.snapshot.cells()).collect();
    let threshold = scopes
        .iter()
        .map(|s| s.snapshot.suppression_threshold)
        .max()
        .unwrap_or(0);
    let mut forced: Vec<BTreeSet<Cell>> = (0..scopes.len())
        .map(|i| already.get(i).cloned().unwrap_or_default())
        .collect();
    let outer = scope_sums(scopes, &raw);
    let mut all = inner_sums(scopes, &raw);
    all.extend(outer.iter().cloned());
    let mut public: Vec<BTreeMap<Cell, CellState>> = vec![BTreeMap::new(); scopes.len()];
    let mut dirty: BTreeSet<usize> = (0..scopes.len()).collect();
    loop {
        for i in std::mem::take(&mut dirty) {
            let mut s = scopes[i].snapshot.clone();
            s.suppress_for_public_withholding(&forced[i]);
            public[i] = s.cells();
        }
        let withheld = |(i, c): &At| public[*i].get(c).is_some_and(|s| s.withheld);
        let mut more: Vec<At> = vec![];
        for s in &outer {
            let flags: Vec<(u64, bool)> = s
                .parts
                .iter()
                .map(|p| (raw[p.0][&p.1].n, withheld(p)))
                .collect();
            let whole = (raw[s.whole.0][&s.whole.1].n, withheld(&s.whole));
            let (w, parts) = protect(whole, &flags, s.rest, threshold);
            if w && !whole.1 {
                more.push(s.whole.clone());
            }
            for (p, w) in s.parts.iter().zip(parts) {
                if w && !withheld(p) {
                    more.push(p.clone());
                }
            }
        }
        if more.is_empty() {
            let unknown = |a: &At| withheld(a) && raw[a.0].get(&a.1).is_some_and(|s| s.n > 0);
            for u in determined(&all, unknown) {
                if let Some(cell) = cover(&all, &u, &raw, &withheld) {
                    more.push(cell);
                }
            }
        }
        if more.is_empty() {
            break;
        }
        for (i, c) in more {
            if forced[i].insert(c) {
                dirty.insert(i);
            }
        }
        if dirty.is_empty() {
            break;
        }
    }
    forced
}

/// The cell to withhold beside an unknown the public could pin down: the smallest
/// shown cell with answers in a sum holding it (a part rather than the whole).
fn cover(
    sums: &[Sum],
    u: &Unknown,
    raw: &[BTreeMap<Cell, CellState>],
    withheld: &impl Fn(&At) -> bool,
) -> Option<At> {
    let holds = |(k, s): &(usize, &Sum)| match u {
        Unknown::Cell(a) => s.whole == *a || s.parts.contains(a),
        Unknown::Rest(r) => k == r,
    };
    let n = |a: &At| raw[a.0].get(&a.1).map_or(0, |s| s.n);
    let shown = |a: &&At| !withheld(a) && n(a) > 0;
    let holding: Vec<&Sum> = sums
        .iter()
        .enumerate()
        .filter(holds)
        .map(|(_, s)| s)
        .collect();
    holding
        .iter()
        .flat_map(|s| s.parts.iter())
        .filter(shown)
        .min_by_key(|a| (n(a), a.1.origin == FigureOrigin::Headline))
        .or_else(|| {
            holding
                .iter()
                .map(|s| &s.whole)
                .filter(shown)
                .min_by_key(|a| n(a))
        })
        .cloned()
}

#[cfg(test)]
mod tests;
