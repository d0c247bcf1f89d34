//! The floors of the code, checked from its source: data flows one way,
//! `graphql`/`routes` → `services` (+ `authz`) → `entity` + `domain`, and no module
//! depends on itself through others.
//!
//! The graph is read from `crate::…` and `super::…` paths in `src/`. A node is a
//! file-level module, with a directory module (`services/responses/`) counted as
//! one; the top-level graph (`auth`, `services`, `graphql`, …) must be acyclic too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Module path of a file: `src/services/responses/submit.rs` → `services::responses::submit`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|l| l == "mod" || l == "lib" || l == "main")
    {
        parts.pop();
    }
    parts
}

/// Source without comments (doc comments mention paths that are not dependencies)
/// and without the unit tests at the end of a file.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module path referred to as `crate::a::b` or `super::…`, resolved.
fn references(module: &[String], is_dir_module: bool, code: &str) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let starts_word = i == 0 || !ident(bytes[i - 1]);
        let base: Option<(Vec<String>, usize)> = if starts_word && rest.starts_with(b"crate::") {
            Some((vec![], "crate::".len()))
        } else if starts_word && rest.starts_with(b"super::") {
            // `super` of a module is its parent (`mod.rs` is the module itself).
            let mut m = module.to_vec();
            let _ = is_dir_module;
            m.pop();
            let mut n = "super::".len();
            while bytes[i + n..].starts_with(b"super::") {
                m.pop();
                n += "super::".len();
            }
            Some((m, n))
        } else {
            None
        };
        if let Some((mut path, skip)) = base {
            let tail = &code[i + skip..];
            for seg in tail.split("::") {
                let name: String = seg
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name.is_empty() || name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                    break;
                }
                path.push(name.clone());
                if name.len() != seg.len() {
                    break;
                }
            }
            out.insert(path);
            i += skip;
        } else {
            i += 1;
        }
    }
    out
}

struct Graph {
    modules: BTreeSet<Vec<String>>,
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    sources: BTreeMap<Vec<String>, String>,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut modules = BTreeSet::new();
    let mut sources = BTreeMap::new();
    let mut refs = BTreeMap::new();
    for f in &files {
        let m = module_of(&src, f);
        let dir_module = f.file_name().is_some_and(|n| n == "mod.rs");
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        refs.insert(m.clone(), references(&m, dir_module, &code));
        sources.insert(m.clone(), code);
        modules.insert(m);
    }
    // A reference names the longest known module that prefixes it.
    let resolve = |path: &Vec<String>| -> Option<Vec<String>> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|p| modules.contains(p))
    };
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (m, rs) in &refs {
        for r in rs {
            if let Some(t) = resolve(r)
                && &t != m
            {
                edges.entry(m.clone()).or_default().insert(t);
            }
        }
    }
    Graph {
        modules,
        edges,
        sources,
    }
}

/// Collapses module paths to `depth` segments (directory modules count as one).
fn collapse(g: &Graph, depth: usize) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let cut = |m: &Vec<String>| m[..m.len().min(depth)].to_vec();
    let mut out: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (from, tos) in &g.edges {
        for to in tos {
            let (a, b) = (cut(from), cut(to));
            if a != b && !a.is_empty() && !b.is_empty() {
                out.entry(a).or_default().insert(b);
            }
        }
    }
    out
}

fn find_cycle(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        n: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let start = stack.iter().position(|s| s == n).unwrap_or(0);
                let mut cycle: Vec<String> = stack[start..].iter().map(|m| m.join("::")).collect();
                cycle.push(n.join("::"));
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for t in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(t, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut state, &mut vec![]) {
            return Some(c);
        }
    }
    None
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let g = graph();
    assert!(g.modules.len() > 40, "{} modules", g.modules.len());
    for depth in [1, 2] {
        let edges = collapse(&g, depth);
        assert!(
            find_cycle(&edges).is_none(),
            "cycle between modules (depth {depth}): {}",
            find_cycle(&edges).unwrap().join(" → ")
        );
    }
}

#[test]
fn data_flows_one_way_between_the_floors() {
    let g = graph();
    let floor = |m: &Vec<String>| m.first().cloned().unwrap_or_default();
    let forbidden: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "error", "services", "graphql", "routes", "auth", "authz", "state", "db", "config",
                "startup",
            ],
        ),
        ("services", &["graphql", "routes", "startup"]),
        (
            "authz",
            &["services", "graphql", "routes", "state", "startup"],
        ),
        (
            "auth",
            &[
                "services", "graphql", "routes", "state", "config", "startup",
            ],
        ),
        ("graphql", &["routes", "startup"]),
    ];
    let mut wrong = vec![];
    for (from, tos) in &g.edges {
        for (f, banned) in forbidden {
            if floor(from) == *f {
                for to in tos {
                    if banned.contains(&floor(to).as_str()) {
                        wrong.push(format!("{} → {}", from.join("::"), to.join("::")));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_domain_needs_neither_the_database_nor_the_api_and_resolvers_never_touch_entities() {
    let g = graph();
    let mut wrong = vec![];
    for (m, code) in &g.sources {
        let uses = |what: &str| code.contains(what);
        match m.first().map(String::as_str) {
            Some("domain") if uses("sea_orm") || uses("async_graphql") || uses("entity::") => {
                wrong.push(format!("{} uses the database or the API", m.join("::")));
            }
            Some("graphql") if uses("sea_orm") || uses("entity::") => {
                wrong.push(format!("{} touches the database", m.join("::")));
            }
            Some("services") if uses("async_graphql") => {
                wrong.push(format!("{} uses GraphQL types", m.join("::")));
            }
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
