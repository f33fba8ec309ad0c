//! Evaluation of the matcher on the sets in tests/fixtures/eval (built from the real lists by
//! `cargo run --release --example build_eval_sets`).
//!
//!   cargo run --release --example eval_matching [-- --no-dob] [--no-stats] [--no-baseline]
//!
//! Every query is screened against every entry of OFAC SDN 2021-07 and UN 2020-03 (read from
//! ../shared/data) through `Matcher::match_entry`, the way the pipeline screens a list. Scoring,
//! at a threshold t (results are the entries scoring >= t):
//! - a query's `expect` entry among its results is a true positive, missing a false negative;
//! - a `forbid` entry among the results is a false positive; `forbid` = `*` makes every result
//!   outside `expect` and `allow` a false positive (common names, which should find only
//!   entries that carry every part of them);
//! - any other result is not counted (an alias query may rightly find another entry of the
//!   same name); their number per query is printed as "other results".
//!
//! `--show N` lists N false positives, misses and queries whose expected entry another
//! outranks ("not first"), instead of 20. `--no-dob` ignores the date of birth and
//! nationality columns, `--no-stats` screens without name-part frequencies; the baseline is
//! whole-string Jaro-Winkler on folded names.

#[path = "support/lists.rs"]
mod lists;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use watchkeeper::domain::entry::{EntityKind, Entry};
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::matching::{score_entry, Matcher, NameStats, DEFAULT_THRESHOLD};

const FILES: &[&str] = &[
    "positives_aliases.tsv",
    "positives_crosslist.tsv",
    "negatives_similar.tsv",
    "negatives_common.tsv",
    "positives_scripts.tsv",
    "negatives_generic.tsv",
];
const FLOOR: f64 = 0.70;

struct Row {
    set: String,
    query: String,
    kind: WatchKind,
    dob: Option<String>,
    nationality: Option<String>,
    expect: Vec<String>,
    /// `None` for `*`.
    forbid: Option<Vec<String>>,
    allow: HashSet<String>,
    why: String,
}

/// One query's results: entry key → (score, why).
type Found = HashMap<String, (f64, String)>;
/// Per query: its results.
type Results = Vec<Found>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval");
    let rows: Vec<Row> = FILES.iter().flat_map(|f| read_rows(&dir.join(f))).collect();
    let universe = lists::universe();
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        *sizes.entry(r.set.as_str()).or_default() += 1;
    }
    println!(
        "{} entries screened ({} OFAC SDN 2021-07, {} UN 2020-03); {} queries: {sizes:?}",
        universe.len(),
        universe.iter().filter(|(s, _)| s == lists::OFAC).count(),
        universe.iter().filter(|(s, _)| s == lists::UN).count(),
        rows.len()
    );

    let started = Instant::now();
    let results = screen_matcher(&rows, &universe, !flag("--no-dob"), !flag("--no-stats"));
    println!(
        "\n== matcher (Matcher::match_entry{}{}), screened in {:.1?}",
        if flag("--no-stats") {
            ""
        } else {
            ", name-part frequencies"
        },
        if flag("--no-dob") {
            ", dates of birth ignored"
        } else {
            ""
        },
        started.elapsed()
    );
    let show = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(20);
    report(&rows, &results, &universe, true, show);

    if !flag("--no-baseline") {
        let started = Instant::now();
        let results = screen_baseline(&rows, &universe);
        println!(
            "\n== baseline (whole-string Jaro-Winkler on folded names), screened in {:.1?}",
            started.elapsed()
        );
        report(&rows, &results, &universe, false, 0);
    }
}

fn read_rows(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run the build_eval_sets example)", path.display()));
    let opt = |s: &str| (s != "-").then(|| s.to_string());
    let list = |s: &str| -> Vec<String> {
        if s == "-" {
            Vec::new()
        } else {
            s.split(',').map(str::to_string).collect()
        }
    };
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(n, line)| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 9, "{}: line {}: 9 columns", path.display(), n + 2);
            Row {
                set: f[0].to_string(),
                query: f[1].to_string(),
                kind: match f[2] {
                    "person" => WatchKind::Person,
                    "vessel" => WatchKind::Vessel,
                    _ => WatchKind::Organization,
                },
                dob: opt(f[3]),
                nationality: opt(f[4]),
                expect: list(f[5]),
                forbid: (f[6] != "*").then(|| list(f[6])),
                allow: list(f[7]).into_iter().collect(),
                why: f[8].to_string(),
            }
        })
        .collect()
}

fn watch_item(row: &Row, with_dob: bool) -> WatchItem {
    let mut item = WatchItem::query(row.kind, &row.query);
    if with_dob {
        item.dates_of_birth = row.dob.iter().cloned().collect();
        item.nationalities = row.nationality.iter().cloned().collect();
    }
    item
}

fn screen_matcher(
    rows: &[Row],
    universe: &[(String, Entry)],
    with_dob: bool,
    with_stats: bool,
) -> Results {
    let items: Vec<WatchItem> = rows.iter().map(|r| watch_item(r, with_dob)).collect();
    let stats = with_stats
        .then(|| std::sync::Arc::new(NameStats::from_entries(universe.iter().map(|(_, e)| e))));
    let build = |items: Vec<WatchItem>| match &stats {
        Some(s) => Matcher::new(items, FLOOR).with_stats(s.clone()),
        None => Matcher::new(items, FLOOR),
    };
    let matcher = build(items);
    let mut results: Results = vec![HashMap::new(); rows.len()];
    for (source, entry) in universe {
        for (i, m) in matcher.match_entry(source, entry) {
            results[i].insert(format!("{source}:{}", entry.id), (m.score, m.why));
        }
    }
    // An alias query must find its entry through the entry's other names: scored again
    // against the entry without that alias.
    let by_key = keyed(universe);
    for (i, row) in rows.iter().enumerate() {
        let Some((source, entry)) = leave_one_out(row, &by_key) else {
            continue;
        };
        let key = format!("{source}:{}", entry.id);
        results[i].remove(&key);
        let one = build(vec![matcher.items()[i].clone()]);
        for (_, m) in one.match_entry(source, &entry) {
            results[i].insert(key.clone(), (m.score, m.why));
        }
    }
    results
}

fn keyed(universe: &[(String, Entry)]) -> HashMap<String, (&str, &Entry)> {
    universe
        .iter()
        .map(|(s, e)| (format!("{s}:{}", e.id), (s.as_str(), e)))
        .collect()
}

/// For an alias or other-script query: its entry without the alias that is the query. An
/// original-script query also loses every other original-script name of the entry (the UN
/// gives some twice, with a variant letter), so that it must be found through the entry's
/// Latin names as on a list that gives none (OFAC never does).
fn leave_one_out<'a>(
    row: &Row,
    by_key: &HashMap<String, (&'a str, &'a Entry)>,
) -> Option<(&'a str, Entry)> {
    if row.set != "alias" && row.set != "original-script" {
        return None;
    }
    let (source, entry) = by_key.get(row.expect.first()?)?;
    let mut entry = (*entry).clone();
    let original = row.set == "original-script";
    let query = naive_fold(&row.query);
    entry.aliases.retain(|a| {
        a.name != row.query
            && !(original && (a.kind == "original-script" || naive_fold(&a.name) == query))
    });
    Some((source, entry))
}

/// Lowercase ASCII (any_ascii), letters and digits, single spaces.
fn naive_fold(name: &str) -> String {
    any_ascii::any_ascii(name)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn screen_baseline(rows: &[Row], universe: &[(String, Entry)]) -> Results {
    let by_key = keyed(universe);
    let names: Vec<(String, Vec<String>)> = universe
        .iter()
        .map(|(s, e)| {
            (
                format!("{s}:{}", e.id),
                e.all_names().map(naive_fold).collect(),
            )
        })
        .collect();
    rows.iter()
        .map(|row| {
            let q = naive_fold(&row.query);
            let mut found = HashMap::new();
            let own = leave_one_out(row, &by_key).map(|(s, e)| {
                let names: Vec<String> = e.all_names().map(naive_fold).collect();
                (format!("{s}:{}", e.id), names)
            });
            for (key, ns) in &names {
                let ns = match &own {
                    Some((k, own_names)) if k == key => own_names,
                    _ => ns,
                };
                let best = ns
                    .iter()
                    .map(|n| strsim::jaro_winkler(&q, n))
                    .fold(0.0, f64::max);
                if best >= FLOOR {
                    found.insert(key.clone(), (best, String::new()));
                }
            }
            found
        })
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    other: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// What one query's results amount to at threshold `t`: counts, false-positive keys, missed
/// keys.
fn judge(
    row: &Row,
    found: &HashMap<String, (f64, String)>,
    t: f64,
) -> (Counts, Vec<String>, Vec<String>) {
    let mut c = Counts::default();
    let mut fps = Vec::new();
    let mut misses = Vec::new();
    for e in &row.expect {
        if found.get(e).is_some_and(|(s, _)| *s >= t) {
            c.tp += 1;
        } else {
            c.fn_ += 1;
            misses.push(e.clone());
        }
    }
    let mut hits: Vec<(&String, f64)> = found
        .iter()
        .filter(|(_, (s, _))| *s >= t)
        .map(|(k, (s, _))| (k, *s))
        .collect();
    hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    for (k, _) in hits {
        if row.expect.contains(k) {
            continue;
        }
        let forbidden = match &row.forbid {
            Some(list) => list.contains(k),
            None => !row.allow.contains(k),
        };
        if forbidden {
            c.fp += 1;
            fps.push(k.clone());
        } else {
            c.other += 1;
        }
    }
    (c, fps, misses)
}

/// Whether the query's expected entries come first: each scores at least as high as every
/// result outside `expect` and `allow` (ties count as first). Counted per expected entry.
fn first(row: &Row, found: &HashMap<String, (f64, String)>) -> (usize, usize) {
    let best_other = found
        .iter()
        .filter(|(k, _)| !row.expect.contains(k) && !row.allow.contains(*k))
        .map(|(_, (s, _))| *s)
        .fold(f64::NEG_INFINITY, f64::max);
    let hits = row
        .expect
        .iter()
        .filter(|e| found.get(*e).is_some_and(|(s, _)| *s >= best_other))
        .count();
    (hits, row.expect.len())
}

fn total(rows: &[Row], results: &Results, t: f64, set: Option<&str>) -> Counts {
    let mut sum = Counts::default();
    for (row, found) in rows.iter().zip(results) {
        if set.is_some_and(|s| s != row.set) {
            continue;
        }
        let (c, _, _) = judge(row, found, t);
        sum.tp += c.tp;
        sum.fp += c.fp;
        sum.fn_ += c.fn_;
        sum.other += c.other;
    }
    sum
}

fn report(
    rows: &[Row],
    results: &Results,
    universe: &[(String, Entry)],
    explain: bool,
    show: usize,
) {
    let t = DEFAULT_THRESHOLD;
    let mut sets: Vec<&str> = Vec::new();
    for r in rows {
        if !sets.contains(&r.set.as_str()) {
            sets.push(&r.set);
        }
    }
    println!("at the default threshold {t:.2} (R@1: the expected entry ranks first; clean: queries without a false positive):");
    println!(
        "  {:<17} {:>5} {:>5} {:>5} {:>5} {:>7} {:>6} {:>6} {:>6} {:>6}",
        "set", "n", "TP", "FP", "FN", "other/q", "R@1", "R@t", "P@t", "clean"
    );
    for set in sets.iter().map(|s| Some(*s)).chain([None]) {
        let c = total(rows, results, t, set);
        let in_set: Vec<(&Row, &Found)> = rows
            .iter()
            .zip(results)
            .filter(|(r, _)| set.is_none_or(|s| s == r.set))
            .collect();
        let n = in_set.len();
        let (hits, expected) = in_set
            .iter()
            .map(|(r, f)| first(r, f))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let clean = in_set
            .iter()
            .filter(|(r, f)| judge(r, f, t).0.fp == 0)
            .count();
        println!(
            "  {:<17} {:>5} {:>5} {:>5} {:>5} {:>7.2} {:>6.3} {:>6.3} {:>6.3} {:>6.3}",
            set.unwrap_or("ALL"),
            n,
            c.tp,
            c.fp,
            c.fn_,
            c.other as f64 / n as f64,
            ratio(hits, expected),
            c.recall(),
            c.precision(),
            ratio(clean, n)
        );
    }
    println!("precision/recall over thresholds (all sets):");
    println!(
        "  {:>5} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6}",
        "t", "TP", "FP", "FN", "P", "R", "F1"
    );
    for step in 0..=14 {
        let t = FLOOR + 0.02 * step as f64;
        let c = total(rows, results, t - 1e-9, None);
        println!(
            "  {t:>5.2} {:>5} {:>5} {:>5} {:>6.3} {:>6.3} {:>6.3}",
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall(),
            c.f1()
        );
    }
    if !explain {
        return;
    }
    let by_key: HashMap<String, &Entry> = universe
        .iter()
        .map(|(s, e)| (format!("{s}:{}", e.id), e))
        .collect();
    println!("false positives at {t:.2} (first {show}):");
    let mut shown = 0;
    for (row, found) in rows.iter().zip(results) {
        let (_, fps, _) = judge(row, found, t);
        for k in fps {
            if shown < show {
                let (s, why) = &found[&k];
                println!("  [{}] {:?} -> {k} {:.3}: {why}", row.set, row.query, s);
            }
            shown += 1;
        }
    }
    println!("  ({shown} in all)");
    println!(
        "misses at {t:.2} (first {show}, at most {} per set):",
        show.div_ceil(3)
    );
    let keyed_all = keyed(universe);
    let mut shown = 0;
    let mut per_set: HashMap<&str, usize> = HashMap::new();
    for (row, found) in rows.iter().zip(results) {
        let (_, _, misses) = judge(row, found, t);
        for k in misses {
            let n = per_set.entry(row.set.as_str()).or_default();
            if shown < show && *n < show.div_ceil(3) {
                *n += 1;
                shown += 1;
                let item = watch_item(row, true);
                let entry = leave_one_out(row, &keyed_all)
                    .map(|(_, e)| e)
                    .or_else(|| by_key.get(&k).map(|e| (*e).clone()));
                let how = entry
                    .and_then(|e| score_entry(&item, &e))
                    .map(|m| format!("{:.3}: {}", m.score, m.why))
                    .unwrap_or_else(|| "no part in common".into());
                println!("  [{}] {:?} -> {k} ({}) {how}", row.set, row.query, row.why);
            }
        }
    }
    let missed: usize = rows
        .iter()
        .zip(results)
        .map(|(r, f)| judge(r, f, t).2.len())
        .sum();
    shown = missed;
    println!("  ({shown} in all)");
    println!("not first (an entry outside the expected ones scores higher; first {show}):");
    let mut shown = 0;
    for (row, found) in rows.iter().zip(results) {
        let Some((other, (best, why))) = found
            .iter()
            .filter(|(k, _)| !row.expect.contains(k) && !row.allow.contains(*k))
            // ties to the first key, so that two runs list the same entry
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then_with(|| b.0.cmp(a.0)))
        else {
            continue;
        };
        for e in &row.expect {
            let own = found.get(e).map_or(0.0, |(s, _)| *s);
            if own < *best {
                if shown < show {
                    println!(
                        "  [{}] {:?} -> {e} {own:.3}, but {other} {best:.3}: {why}",
                        row.set, row.query
                    );
                }
                shown += 1;
            }
        }
    }
    println!("  ({shown} in all)");
    let _ = EntityKind::Person;
}
