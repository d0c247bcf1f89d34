use super::*;
use crate::domain::figures::DriverFigures;
use proptest::prelude::*;

fn set(origin: FigureOrigin, n: u64, low: bool) -> FigureSet {
    FigureSet {
        n: Some(n),
        low_confidence: low,
        suppressed: false,
        ..FigureSet::withheld(origin)
    }
}

#[test]
fn a_withheld_part_never_stands_alone_or_below_the_threshold() {
    let parts = |p: &[(u64, bool)], rest: u64| {
        let total = p.iter().map(|x| x.0).sum::<u64>() + rest;
        protect((total, false), p, rest, 10)
    };
    // 14 and 3 of 17: the 3 would be 17 − 14.
    assert_eq!(
        parts(&[(14, false), (3, true)], 0),
        (false, vec![true, true])
    );
    // 60 and 38 of 100: the 2 without a kind would be 100 − 60 − 38.
    assert_eq!(
        parts(&[(60, false), (38, false)], 2),
        (false, vec![false, true])
    );
    // Two withheld with 12 together: safe.
    assert_eq!(
        parts(&[(50, false), (6, true), (6, true)], 0),
        (false, vec![false, true, true])
    );
    // Nothing small: nothing withheld.
    assert_eq!(
        parts(&[(50, false), (40, false)], 0),
        (false, vec![false, false])
    );
    // 3 of 40, the other 37 unpublished: the remainder protects it.
    assert_eq!(parts(&[(3, true)], 37), (false, vec![true]));
}

#[test]
fn a_withheld_whole_takes_one_of_its_parts_with_it() {
    // 500 = 490 + 10, the whole withheld: the 10 goes too, else 490 + 10 gives it.
    assert_eq!(
        protect((500, true), &[(490, false), (10, false)], 0, 10),
        (true, vec![false, true])
    );
    // A part withheld already: nothing more.
    assert_eq!(
        protect((500, true), &[(490, false), (10, true)], 0, 10),
        (true, vec![false, true])
    );
    // The only part withheld and nothing else to take: the whole goes.
    assert_eq!(protect((4, false), &[(4, true)], 0, 10), (true, vec![true]));
}

#[test]
fn a_small_cell_and_its_complement_are_withheld_and_the_total_stays() {
    let mut sets = vec![
        set(FigureOrigin::Invited, 12, false),
        set(FigureOrigin::Open, 2, true),
        set(FigureOrigin::Combined, 14, false),
    ];
    suppress(&mut sets, None);
    assert!(sets[0].suppressed && sets[0].n.is_none());
    assert!(sets[1].suppressed && sets[1].n.is_none());
    assert_eq!((sets[2].suppressed, sets[2].n), (false, Some(14)));
}

fn shown_after_suppression(sets: &mut [FigureSet]) -> Vec<FigureOrigin> {
    suppress(sets, None);
    sets.iter()
        .filter(|s| !s.suppressed)
        .map(|s| s.origin)
        .collect()
}

#[test]
fn a_small_provenance_withholds_its_sibling_and_a_withheld_origin_its_parts() {
    use FigureOrigin::*;
    let mut sets = vec![
        set(Invited, 30, false),
        set(Open, 4, true),
        set(Combined, 34, false),
        set(NationalPlatform, 27, false),
        set(InstitutionSystem, 3, true),
        set(Poster, 4, true),
    ];
    let shown = shown_after_suppression(&mut sets);
    // OPEN is small, so INVITED (= COMBINED − OPEN) goes; INVITED's parts would
    // add up to it, so they go too; only the total stays.
    assert_eq!(shown, vec![Combined]);
    let mut sets = vec![
        set(Invited, 30, false),
        set(Combined, 30, false),
        set(NationalPlatform, 27, false),
        set(InstitutionSystem, 3, true),
    ];
    let shown = shown_after_suppression(&mut sets);
    assert_eq!(shown, vec![Invited, Combined]);
}

#[test]
fn a_narrowed_headline_is_kept_and_combined_goes_when_a_provenance_outside_it_is_small() {
    use FigureOrigin::*;
    let mut sets = vec![
        set(Invited, 40, false),
        set(Open, 13, false),
        set(Combined, 53, false),
        set(NationalPlatform, 40, false),
        set(Poster, 10, false),
        set(Kiosk, 3, true),
        set(Headline, 50, false),
    ];
    let headline = [Provenance::NationalPlatform, Provenance::Poster];
    suppress(&mut sets, Some(&headline));
    let shown: Vec<FigureOrigin> = sets
        .iter()
        .filter(|s| !s.suppressed)
        .map(|s| s.origin)
        .collect();
    // KIOSK = COMBINED − HEADLINE, so COMBINED goes, and with it every set
    // that would add up to it; HEADLINE stays, its parts do not.
    assert_eq!(shown, vec![Headline]);
}

#[test]
fn nothing_is_withheld_when_every_cell_is_large_enough() {
    let mut sets = vec![
        set(FigureOrigin::Invited, 12, false),
        set(FigureOrigin::Combined, 12, false),
    ];
    let before = sets.clone();
    suppress(&mut sets, None);
    assert_eq!(sets, before);
}

/// Every origin a snapshot of `leaves` answers carries: the provenances and their sums.
fn origins(leaves: [u64; 4]) -> Vec<(FigureOrigin, u64)> {
    let [np, is, po, ki] = leaves;
    vec![
        (FigureOrigin::NationalPlatform, np),
        (FigureOrigin::InstitutionSystem, is),
        (FigureOrigin::Invited, np + is),
        (FigureOrigin::Poster, po),
        (FigureOrigin::Kiosk, ki),
        (FigureOrigin::Open, po + ki),
        (FigureOrigin::Combined, np + is + po + ki),
    ]
}

/// A snapshot with one driver and the answers `leaves` per provenance (sets with
/// no answers left out, as reports leave them out).
fn snapshot(leaves: [u64; 4]) -> Snapshot {
    let figures = origins(leaves)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(o, n)| set(o, n, n < 10))
        .collect();
    Snapshot::of_drivers(vec![DriverFigures {
        driver: Driver::Overall,
        figures,
    }])
}

fn overall(o: FigureOrigin) -> Cell {
    Cell {
        measure: Measure::Driver(Driver::Overall),
        origin: o,
        kind: None,
    }
}

/// The public view of each scope once [`across_scopes`] has spoken.
fn published(scopes: &[Scope<'_>]) -> Vec<Snapshot> {
    let extra = across_scopes(scopes, &[]);
    scopes
        .iter()
        .zip(&extra)
        .map(|(s, e)| {
            let mut v = s.snapshot.clone();
            v.suppress_for_public_withholding(e);
            v
        })
        .collect()
}

fn shown(s: &Snapshot, o: FigureOrigin) -> bool {
    s.cells().get(&overall(o)).is_some_and(|c| !c.withheld)
}

#[test]
fn a_service_of_three_answers_is_not_the_difference_of_its_institution_and_its_sibling() {
    // An institution of two services, one with 3 answers: withholding the 3 alone
    // would publish it as 43 − 40.
    let inst = snapshot([43, 0, 0, 0]);
    let big = snapshot([40, 0, 0, 0]);
    let small = snapshot([3, 0, 0, 0]);
    let scopes = [
        Scope {
            snapshot: &inst,
            parent: None,
        },
        Scope {
            snapshot: &big,
            parent: Some(0),
        },
        Scope {
            snapshot: &small,
            parent: Some(0),
        },
    ];
    let public = published(&scopes);
    assert!(
        shown(&public[0], FigureOrigin::Combined),
        "the institution stays"
    );
    assert!(
        !shown(&public[2], FigureOrigin::Combined),
        "3 answers are withheld"
    );
    assert!(
        !shown(&public[1], FigureOrigin::Combined),
        "and so is the sibling"
    );
    // Alone, each service's own view would have shown the sibling.
    let mut alone = big.clone();
    alone.suppress_for_public();
    assert!(shown(&alone, FigureOrigin::Combined));
}

#[test]
fn a_withheld_sub_institution_is_not_the_sum_of_its_shown_services() {
    // Ministry = agency (with two services of 30 and 20) + a service of 4. The
    // agency goes beside the 4, and then one of its services must go too.
    let ministry = snapshot([54, 0, 0, 0]);
    let agency = snapshot([50, 0, 0, 0]);
    let s4 = snapshot([4, 0, 0, 0]);
    let s30 = snapshot([30, 0, 0, 0]);
    let s20 = snapshot([20, 0, 0, 0]);
    let scopes = [
        Scope {
            snapshot: &ministry,
            parent: None,
        },
        Scope {
            snapshot: &agency,
            parent: Some(0),
        },
        Scope {
            snapshot: &s4,
            parent: Some(0),
        },
        Scope {
            snapshot: &s30,
            parent: Some(1),
        },
        Scope {
            snapshot: &s20,
            parent: Some(1),
        },
    ];
    let public = published(&scopes);
    let c = FigureOrigin::Combined;
    assert!(shown(&public[0], c));
    assert!(!shown(&public[1], c) && !shown(&public[2], c));
    assert!(
        !shown(&public[3], c) || !shown(&public[4], c),
        "30 + 20 would give the agency, and 54 − 50 the 4"
    );
}

/// Dense rank by Gaussian elimination (the test's own, independent of the module's).
fn rank(mut m: Vec<Vec<f64>>) -> usize {
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).max_by(|a, b| m[*a][c].abs().total_cmp(&m[*b][c].abs())) else {
            break;
        };
        if m[p][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, p);
        let pivot = m[r].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i != r {
                let f = row[c] / pivot[c];
                for (x, y) in row.iter_mut().zip(&pivot) {
                    *x -= f * y;
                }
            }
        }
        r += 1;
    }
    r
}

/// The withheld cells (with answers) the public can compute exactly from the
/// published ones: origin sums in every scope, scope sums for every origin.
fn derivable(
    parents: &[Option<usize>],
    leaves: &[[u64; 4]],
    public: &[Snapshot],
) -> Vec<(usize, FigureOrigin)> {
    let n = |i: usize, o: FigureOrigin| {
        origins(leaves[i])
            .into_iter()
            .find(|(x, _)| *x == o)
            .map_or(0, |(_, v)| v)
    };
    let unknown: Vec<(usize, FigureOrigin)> = (0..public.len())
        .flat_map(|i| origins(leaves[i]).into_iter().map(move |(o, _)| (i, o)))
        .filter(|(i, o)| n(*i, *o) > 0 && !shown(&public[*i], *o))
        .collect();
    let col = |k: (usize, FigureOrigin)| unknown.iter().position(|u| *u == k);
    let mut rows: Vec<Vec<f64>> = vec![];
    let mut push = |terms: Vec<((usize, FigureOrigin), f64)>| {
        let mut row = vec![0.0; unknown.len()];
        for (k, v) in terms {
            if let Some(c) = col(k) {
                row[c] += v;
            }
        }
        if row.iter().any(|v| *v != 0.0) {
            rows.push(row);
        }
    };
    use FigureOrigin::*;
    for i in 0..public.len() {
        for (w, a, b) in [
            (Combined, Invited, Open),
            (Invited, NationalPlatform, InstitutionSystem),
            (Open, Poster, Kiosk),
        ] {
            push(vec![((i, w), 1.0), ((i, a), -1.0), ((i, b), -1.0)]);
        }
    }
    for (p, _) in parents.iter().enumerate() {
        for (o, _) in origins([0; 4]) {
            let mut terms = vec![((p, o), 1.0)];
            for (c, parent) in parents.iter().enumerate() {
                if *parent == Some(p) {
                    terms.push(((c, o), -1.0));
                }
            }
            if terms.len() > 1 {
                push(terms);
            }
        }
    }
    if rows.is_empty() {
        return vec![];
    }
    let full = rank(rows.clone());
    (0..unknown.len())
        .filter(|j| {
            let without: Vec<Vec<f64>> = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .enumerate()
                        .filter(|(c, _)| c != j)
                        .map(|(_, v)| *v)
                        .collect()
                })
                .collect();
            rank(without) < full
        })
        .map(|j| unknown[j])
        .collect()
}

/// A random tree: each node's parent is an earlier node (node 0 is the root);
/// the leaves' answers per provenance are small enough for small cells to be common.
fn tree() -> impl Strategy<Value = (Vec<Option<usize>>, Vec<[u64; 4]>)> {
    (2usize..9)
        .prop_flat_map(|n| {
            let parents = (1..n)
                .map(|i| (0..i).prop_map(Some).boxed())
                .collect::<Vec<_>>();
            let answers = proptest::collection::vec([0u64..25, 0u64..25, 0u64..12, 0u64..6], n);
            (
                Just(None).prop_map(|p: Option<usize>| vec![p]),
                parents,
                answers,
            )
        })
        .prop_map(|(mut root, rest, own)| {
            root.extend(rest);
            // Answers come from the leaves (services); a node with children has
            // theirs, summed, so every sum over scopes holds exactly.
            let mut total = own.clone();
            for (i, t) in total.iter_mut().enumerate() {
                if root.contains(&Some(i)) {
                    *t = [0; 4];
                }
            }
            for i in (1..root.len()).rev() {
                if let Some(p) = root[i] {
                    let child = total[i];
                    for (x, y) in total[p].iter_mut().zip(child) {
                        *x += y;
                    }
                }
            }
            (root, total)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_withheld_cell_of_a_period_can_be_computed_from_the_published_ones((parents, leaves) in tree()) {
        let snaps: Vec<Snapshot> = leaves.iter().map(|l| snapshot(*l)).collect();
        let scopes: Vec<Scope<'_>> = snaps
            .iter()
            .zip(&parents)
            .map(|(s, p)| Scope { snapshot: s, parent: *p })
            .collect();
        let public = published(&scopes);
        for s in &public {
            for (c, st) in s.cells() {
                prop_assert!(st.withheld || st.n >= 10, "{c:?} shown with {} answers", st.n);
            }
        }
        let found = derivable(&parents, &leaves, &public);
        prop_assert!(found.is_empty(), "derivable: {found:?}");
    }
}
