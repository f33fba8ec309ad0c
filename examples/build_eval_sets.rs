//! Builds the matcher's evaluation sets from the real lists and writes them to
//! tests/fixtures/eval/*.tsv (committed; the evaluation harness reads them from there).
//!
//!   cargo run --release --example build_eval_sets
//!
//! Needs ../shared/data (OFAC SDN CSV 2021-07, UN 2020-03, OFAC consolidated XML 2018-04).
//! Deterministic: the same data gives the same files. Columns of every file:
//! set, query, kind, dob, nationality, expect, forbid, allow, why — `expect`, `forbid` and
//! `allow` are comma-separated `source:entry_id`, `-` for none, and `forbid` may be `*`
//! (every entry not in `expect` or `allow`). See examples/eval_matching.rs for the scoring.

#[path = "support/lists.rs"]
mod lists;

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use watchkeeper::domain::entry::{EntityKind, Entry};
use watchkeeper::matching::normalize::{fold, normalize, NameKind};
use watchkeeper::matching::translit::skeleton;

struct Row {
    set: &'static str,
    query: String,
    kind: &'static str,
    dob: String,
    nationality: String,
    expect: Vec<String>,
    forbid: String,
    allow: Vec<String>,
    why: String,
}

fn main() {
    let universe = lists::universe();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval");
    std::fs::create_dir_all(&out).expect("create tests/fixtures/eval");
    let sets = [
        ("positives_aliases.tsv", alias_rows(&universe)),
        ("positives_crosslist.tsv", crosslist_rows(&universe)),
        ("negatives_similar.tsv", similar_rows(&universe)),
        ("negatives_common.tsv", common_rows(&universe)),
        ("positives_scripts.tsv", script_rows(&universe, &out)),
        ("negatives_generic.tsv", generic_rows(&universe)),
    ];
    for (file, rows) in sets {
        write_rows(&out.join(file), &rows);
        println!("{file}: {} rows", rows.len());
    }
}

fn write_rows(path: &Path, rows: &[Row]) {
    let mut text = String::from("set\tquery\tkind\tdob\tnationality\texpect\tforbid\tallow\twhy\n");
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(",")
        }
    };
    let clean = |s: &str| {
        let s = s.replace(['\t', '\n'], " ");
        if s.is_empty() {
            "-".to_string()
        } else {
            s
        }
    };
    for r in rows {
        let _ = writeln!(
            text,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.set,
            clean(&r.query),
            r.kind,
            clean(&r.dob),
            clean(&r.nationality),
            list(&r.expect),
            clean(&r.forbid),
            list(&r.allow),
            clean(&r.why)
        );
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn kind_of(e: &Entry) -> Option<&'static str> {
    match e.kind {
        EntityKind::Person => Some("person"),
        EntityKind::Organization => Some("organization"),
        EntityKind::Vessel => Some("vessel"),
        _ => None,
    }
}

fn key(source: &str, e: &Entry) -> String {
    format!("{source}:{}", e.id)
}

/// Folded words of a name, without punctuation.
fn words(name: &str) -> Vec<String> {
    fold(name)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn word_set(name: &str) -> BTreeSet<String> {
    words(name).into_iter().collect()
}

/// A cheap deterministic hash for sampling (FNV-1a).
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

fn sampled(s: &str, one_in: u64) -> bool {
    hash(s) % one_in == 0
}

/// An entry's aliases and other-script names as queries for that entry; aliases equal to the
/// primary name after folding and word order are left out (they test nothing).
fn alias_rows(universe: &[(String, Entry)]) -> Vec<Row> {
    // the same subject on the other list is a right answer too (linked by passport, IMO or
    // date of birth, not by the matcher): it counts neither way
    let twins = twins(universe);
    let mut rows = Vec::new();
    for (source, e) in universe {
        let Some(kind) = kind_of(e) else { continue };
        let primary = word_set(&e.name);
        for a in &e.aliases {
            if word_set(&a.name) == primary || a.name.trim().is_empty() {
                continue;
            }
            let original = a.kind == "original-script";
            // every other-script name; one in 14 OFAC aliases, one in 5 UN aliases
            let one_in = if original {
                1
            } else if source == lists::OFAC {
                14
            } else {
                5
            };
            if !sampled(&format!("{source}:{}:{}", e.id, a.name), one_in) {
                continue;
            }
            rows.push(Row {
                set: if original { "original-script" } else { "alias" },
                query: a.name.clone(),
                kind,
                dob: String::new(),
                nationality: String::new(),
                expect: vec![key(source, e)],
                forbid: "-".into(),
                allow: twins.get(&key(source, e)).cloned().unwrap_or_default(),
                why: format!("{} of {} \"{}\"", a.kind, key(source, e), e.name),
            });
        }
    }
    rows
}

fn norm_id(v: &str) -> String {
    v.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Full dates of birth as (year, month, day), from OFAC's "30 Aug 1954" and the UN's
/// "1954-08-30".
fn full_dates(e: &Entry) -> BTreeSet<(u32, u32, u32)> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let mut out = BTreeSet::new();
    for d in &e.dates_of_birth {
        let iso: Vec<&str> = d.split('-').collect();
        if iso.len() == 3 && iso[0].len() == 4 {
            if let (Ok(y), Ok(m), Ok(day)) = (iso[0].parse(), iso[1].parse(), iso[2].parse()) {
                out.insert((y, m, day));
            }
            continue;
        }
        let w: Vec<&str> = d.split_whitespace().collect();
        if w.len() == 3 {
            let month = MONTHS
                .iter()
                .position(|m| w[1].to_ascii_lowercase().starts_with(m));
            if let (Ok(day), Some(m), Ok(y)) = (w[0].parse(), month, w[2].parse()) {
                out.insert((y, m as u32 + 1, day));
            }
        }
    }
    out
}

fn all_words(e: &Entry) -> BTreeSet<String> {
    e.all_names()
        .flat_map(words)
        .filter(|w| w.len() >= 3)
        .collect()
}

/// Why two entries of different lists are the same person or vessel, if they are.
fn same_subject(a: &Entry, b: &Entry) -> Option<String> {
    for kind in ["imo", "passport"] {
        let bs: BTreeSet<String> = b
            .identifiers_of(kind)
            .map(norm_id)
            .filter(|v| v.len() >= 5)
            .collect();
        if let Some(v) = a.identifiers_of(kind).map(norm_id).find(|v| bs.contains(v)) {
            return Some(format!("same {kind} {v}"));
        }
    }
    if a.kind == EntityKind::Person && b.kind == EntityKind::Person {
        let (da, db) = (full_dates(a), full_dates(b));
        if let Some(d) = da.intersection(&db).next() {
            let shared: Vec<String> = all_words(a).intersection(&all_words(b)).cloned().collect();
            if shared.len() >= 2 {
                return Some(format!(
                    "same date of birth {:04}-{:02}-{:02} and names share {}",
                    d.0,
                    d.1,
                    d.2,
                    shared.join(" ")
                ));
            }
        }
    }
    None
}

/// Whether some part of one entry's names sounds like a part of the other's: pairs linked only
/// by an identifier under unrelated names (a renamed ship, a passport used by another person)
/// are beyond any name matcher and are left out.
fn name_reachable(a: &Entry, b: &Entry) -> bool {
    let sk = |e: &Entry| -> BTreeSet<String> { all_words(e).iter().map(|w| skeleton(w)).collect() };
    !sk(a).is_disjoint(&sk(b))
}

fn first_dob(e: &Entry) -> String {
    e.dates_of_birth.first().cloned().unwrap_or_default()
}

/// Every pair of entries, one on the UN list and one on OFAC, that are the same person or
/// vessel by [`same_subject`], with why; candidates are found through a shared word or
/// identifier, so that not every pair is compared.
fn same_subject_pairs<'a>(universe: &'a [(String, Entry)]) -> Vec<(&'a Entry, &'a Entry, String)> {
    let on = |list: &str| -> Vec<&'a Entry> {
        universe
            .iter()
            .filter(|(s, _)| s == list)
            .map(|(_, e)| e)
            .collect()
    };
    let (ofac, un) = (on(lists::OFAC), on(lists::UN));
    let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in ofac.iter().enumerate() {
        for w in all_words(e) {
            by_word.entry(w).or_default().push(i);
        }
        for kind in ["imo", "passport"] {
            for v in e.identifiers_of(kind) {
                by_word
                    .entry(format!("id:{}", norm_id(v)))
                    .or_default()
                    .push(i);
            }
        }
    }
    let mut pairs = Vec::new();
    for u in un {
        let mut cands: BTreeSet<usize> = BTreeSet::new();
        for w in all_words(u) {
            cands.extend(by_word.get(&w).into_iter().flatten());
        }
        for kind in ["imo", "passport"] {
            for v in u.identifiers_of(kind) {
                cands.extend(
                    by_word
                        .get(&format!("id:{}", norm_id(v)))
                        .into_iter()
                        .flatten(),
                );
            }
        }
        for &i in &cands {
            if let Some(why) = same_subject(u, ofac[i]) {
                pairs.push((u, ofac[i], why));
            }
        }
    }
    pairs
}

/// For each entry key, the keys of the same subject on the other list.
fn twins(universe: &[(String, Entry)]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (u, o, _) in same_subject_pairs(universe) {
        out.entry(key(lists::UN, u))
            .or_default()
            .push(key(lists::OFAC, o));
        out.entry(key(lists::OFAC, o))
            .or_default()
            .push(key(lists::UN, u));
    }
    out
}

/// The same person or vessel on two lists, found by shared identifiers or date of birth,
/// with one list's primary name as the query for the other list's entry.
fn crosslist_rows(universe: &[(String, Entry)]) -> Vec<Row> {
    let mut rows = Vec::new();
    for (u, o, why) in same_subject_pairs(universe) {
        let Some(kind) = kind_of(o).or_else(|| kind_of(u)) else {
            continue;
        };
        if word_set(&u.name) == word_set(&o.name) || !name_reachable(u, o) {
            continue;
        }
        for (q, src, target, tsrc) in [
            (u, lists::UN, o, lists::OFAC),
            (o, lists::OFAC, u, lists::UN),
        ] {
            rows.push(Row {
                set: "crosslist",
                query: q.name.clone(),
                kind,
                dob: first_dob(q),
                nationality: q.nationalities.first().cloned().unwrap_or_default(),
                expect: vec![key(tsrc, target)],
                forbid: "-".into(),
                allow: Vec::new(),
                why: format!(
                    "{} \"{}\" is {} \"{}\": {why}",
                    key(src, q),
                    q.name,
                    key(tsrc, target),
                    target.name
                ),
            });
        }
    }
    let ofac: Vec<&Entry> = universe
        .iter()
        .filter(|(s, _)| s == lists::OFAC)
        .map(|(_, e)| e)
        .collect();
    rows.extend(consolidated_vessel_rows(&ofac));
    rows
}

/// Vessels of OFAC's consolidated XML (2018-04) that the 2021 SDN list carries under the same
/// IMO number and another name: the 2018 name as a query (without the IMO).
fn consolidated_vessel_rows(ofac: &[&Entry]) -> Vec<Row> {
    let path = lists::data_dir().join("ofac-consolidated-xml/2018-04/consolidated.xml");
    if !path.exists() {
        return Vec::new();
    }
    let consolidated = lists::read_list("ofac_xml", &path);
    let mut rows = Vec::new();
    for c in &consolidated {
        for o in ofac {
            let Some(why) = same_subject(c, o) else {
                continue;
            };
            let Some(kind) = kind_of(o) else { continue };
            if word_set(&c.name) == word_set(&o.name) || !name_reachable(c, o) {
                continue;
            }
            rows.push(Row {
                set: "crosslist",
                query: c.name.clone(),
                kind,
                dob: first_dob(c),
                nationality: String::new(),
                expect: vec![key(lists::OFAC, o)],
                forbid: "-".into(),
                allow: Vec::new(),
                why: format!(
                    "ofac-cons-2018:{} \"{}\" is {} \"{}\": {why}",
                    c.id,
                    c.name,
                    key(lists::OFAC, o),
                    o.name
                ),
            });
        }
    }
    rows
}

/// "LAST, First Middle" → (family words, given words) of an OFAC person.
fn family_given(name: &str) -> Option<(Vec<String>, Vec<String>)> {
    let (family, given) = name.split_once(',')?;
    let (f, g) = (words(family), words(given));
    (!f.is_empty() && !g.is_empty()).then_some((f, g))
}

fn skeletons(ws: &[String]) -> BTreeSet<String> {
    ws.iter().map(|w| skeleton(w)).collect()
}

/// Given-name skeletons over every name of an entry.
fn given_skeletons(e: &Entry) -> BTreeSet<String> {
    e.all_names()
        .filter_map(family_given)
        .flat_map(|(_, g)| skeletons(&g))
        .collect()
}

/// Different people with similar names: the same family name and no given name in common
/// (family members such as LUKASHENKA Alyaksandr and Viktar), or the same first given name and
/// no family name in common. The query is one person's listed name (with their date of birth
/// and nationality, as a watch item would carry them); the other person is forbidden.
fn similar_rows(universe: &[(String, Entry)]) -> Vec<Row> {
    let persons: Vec<&Entry> = universe
        .iter()
        .filter(|(s, e)| s == lists::OFAC && e.kind == EntityKind::Person)
        .map(|(_, e)| e)
        .collect();
    let mut by_family: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_given: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in persons.iter().enumerate() {
        if let Some((f, g)) = family_given(&e.name) {
            by_family.entry(f.join(" ")).or_default().push(i);
            by_given.entry(g[0].clone()).or_default().push(i);
        }
    }
    let mut rows = Vec::new();
    let mut push = |a: &Entry, b: &Entry, set: &'static str, why: String| {
        rows.push(Row {
            set,
            query: a.name.clone(),
            kind: "person",
            dob: first_dob(a),
            nationality: a.nationalities.first().cloned().unwrap_or_default(),
            expect: Vec::new(),
            forbid: key(lists::OFAC, b),
            allow: vec![key(lists::OFAC, a)],
            why,
        });
    };
    let mut families: Vec<(&String, &Vec<usize>)> = by_family.iter().collect();
    families.sort();
    for (family, members) in families {
        if members.len() < 2 || members.len() > 8 {
            continue;
        }
        for &i in members {
            for &j in members {
                let (a, b) = (persons[i], persons[j]);
                if i == j || !given_skeletons(a).is_disjoint(&given_skeletons(b)) {
                    continue;
                }
                if !sampled(&format!("{}:{}", a.id, b.id), 4) {
                    continue;
                }
                push(
                    a,
                    b,
                    "same-family",
                    format!(
                        "same family name {family}: \"{}\" vs \"{}\"",
                        a.name, b.name
                    ),
                );
            }
        }
    }
    let mut givens: Vec<(&String, &Vec<usize>)> = by_given.iter().collect();
    givens.sort();
    for (given, members) in givens {
        if given.len() < 3 {
            continue;
        }
        for &i in members {
            for &j in members {
                let (a, b) = (persons[i], persons[j]);
                let (Some((fa, _)), Some((fb, _))) = (family_given(&a.name), family_given(&b.name))
                else {
                    continue;
                };
                if i == j || !skeletons(&fa).is_disjoint(&skeletons(&fb)) {
                    continue;
                }
                if !sampled(&format!("{}:{}", a.id, b.id), 150) {
                    continue;
                }
                push(
                    a,
                    b,
                    "same-given",
                    format!("same given name {given}: \"{}\" vs \"{}\"", a.name, b.name),
                );
            }
        }
    }
    rows
}

/// Common names that designate nobody in particular. Entries carrying every part of the query
/// (by folded spelling or transliteration skeleton) in one name are allowed; any other result
/// is a false positive.
const COMMON: &[(&str, &str)] = &[
    ("Ali Hassan", "person"),
    ("Mohammed Ahmed", "person"),
    ("Ivanov", "person"),
    ("Sergey Ivanov", "person"),
    ("Mohammad Ali", "person"),
    ("Ahmed Ali", "person"),
    ("Abdul Rahman", "person"),
    ("Ali Mohamed", "person"),
    ("Hussein Ali", "person"),
    ("Omar Abdullah", "person"),
    ("Khalid Hassan", "person"),
    ("Ibrahim Mohamed", "person"),
    ("Mahmoud Ahmad", "person"),
    ("Yusuf Ibrahim", "person"),
    ("Aleksandr Petrov", "person"),
    ("Vladimir Popov", "person"),
    ("Jose Garcia", "person"),
    ("Juan Carlos Rodriguez", "person"),
    ("Maria Gonzalez", "person"),
    ("Li Wei", "person"),
    ("Wang Jun", "person"),
    ("Kim Chol", "person"),
    ("Ahmad Khan", "person"),
    ("John Smith", "person"),
    ("Global Trading", "organization"),
    ("International Trading Company", "organization"),
    ("Golden Star", "vessel"),
    ("Ocean Trading LLC", "organization"),
];

fn common_rows(universe: &[(String, Entry)]) -> Vec<Row> {
    let mut rows = Vec::new();
    for (query, kind) in COMMON {
        let q = skeletons(&words(query));
        let allow: Vec<String> = universe
            .iter()
            .filter(|(_, e)| e.all_names().any(|n| q.is_subset(&skeletons(&words(n)))))
            .map(|(s, e)| key(s, e))
            .collect();
        rows.push(Row {
            set: "common-name",
            query: query.to_string(),
            kind,
            dob: String::new(),
            nationality: String::new(),
            expect: Vec::new(),
            forbid: "*".into(),
            allow,
            why: "common name: only entries carrying every part of it are acceptable".into(),
        });
    }
    rows
}

/// Other scripts and romanisations: the hand-written queries of `scripts_seed.tsv` (Hangul,
/// Korean romanisations, Greek, Hebrew, Japanese kana, Persian with zero-width non-joiners;
/// each with its source), resolved to the OFAC 2021-07 entry of that primary name; the UN's
/// own Arabic-script names screened against the OFAC entry of the same person (linked as for
/// `crosslist`), which spells the name its own way; and Arabic names of the UN list rewritten
/// by the French and the Egyptian romanisation conventions (see [`regional`]).
fn script_rows(universe: &[(String, Entry)], dir: &Path) -> Vec<Row> {
    let by_name: HashMap<&str, &Entry> = universe
        .iter()
        .filter(|(s, _)| s == lists::OFAC)
        .map(|(_, e)| (e.name.as_str(), e))
        .collect();
    let seed = dir.join("scripts_seed.tsv");
    let text = std::fs::read_to_string(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "{}:{}: 5 columns", seed.display(), n + 1);
        let entry = by_name
            .get(f[3])
            .unwrap_or_else(|| panic!("{}:{}: no OFAC entry {:?}", seed.display(), n + 1, f[3]));
        let set: &'static str = match f[0] {
            "hangul" => "hangul",
            "korean-latin" => "korean-latin",
            "greek" => "greek",
            "hebrew" => "hebrew",
            "kana" => "kana",
            "persian" => "persian",
            other => panic!("{}:{}: unknown set {other}", seed.display(), n + 1),
        };
        let kind = if f[2] == "person" {
            "person"
        } else {
            "organization"
        };
        rows.push(Row {
            set,
            query: f[1].to_string(),
            kind,
            dob: String::new(),
            nationality: String::new(),
            expect: vec![key(lists::OFAC, entry)],
            forbid: "-".into(),
            allow: Vec::new(),
            why: format!("{} of {} \"{}\"", f[4], key(lists::OFAC, entry), entry.name),
        });
    }
    rows.extend(arabic_crosslist_rows(universe));
    rows.extend(regional_rows(universe));
    rows
}

/// The UN's Arabic-script name of a person against the OFAC entry of the same person.
fn arabic_crosslist_rows(universe: &[(String, Entry)]) -> Vec<Row> {
    let ofac: Vec<&Entry> = universe
        .iter()
        .filter(|(s, e)| s == lists::OFAC && e.kind == EntityKind::Person)
        .map(|(_, e)| e)
        .collect();
    let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in ofac.iter().enumerate() {
        for w in all_words(e) {
            by_word.entry(w).or_default().push(i);
        }
    }
    let mut rows = Vec::new();
    for (s, u) in universe {
        if s != lists::UN || u.kind != EntityKind::Person {
            continue;
        }
        let arabic: Vec<&str> = u
            .aliases
            .iter()
            .filter(|a| a.kind == "original-script")
            .map(|a| a.name.as_str())
            .filter(|n| n.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)))
            .collect();
        if arabic.is_empty() {
            continue;
        }
        let mut cands: BTreeSet<usize> = BTreeSet::new();
        for w in all_words(u) {
            cands.extend(by_word.get(&w).into_iter().flatten());
        }
        for &i in &cands {
            let o = ofac[i];
            let Some(why) = same_subject(u, o) else {
                continue;
            };
            for q in &arabic {
                rows.push(Row {
                    set: "arabic-crosslist",
                    query: q.to_string(),
                    kind: "person",
                    dob: String::new(),
                    nationality: String::new(),
                    expect: vec![key(lists::OFAC, o)],
                    forbid: "-".into(),
                    allow: vec![key(lists::UN, u)],
                    why: format!(
                        "original-script name of {} is {} \"{}\": {why}",
                        key(lists::UN, u),
                        key(lists::OFAC, o),
                        o.name
                    ),
                });
            }
        }
    }
    rows
}

/// A Latin spelling of an Arabic name rewritten by a regional convention: French (ou for u,
/// ch for sh, dj for j, the article assimilated before a sun letter: "Ech-Cherif") or
/// Egyptian (g for j, "Gamal"). `None` when the rule changes nothing.
fn regional(name: &str, french: bool) -> Option<String> {
    const SUN: &[&str] = &["t", "th", "d", "dh", "r", "z", "s", "sh", "n"];
    let mut out = Vec::new();
    let words: Vec<String> = name
        .to_lowercase()
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    for w in &words {
        let mut parts = Vec::new();
        for part in w.split('-') {
            let p = if french {
                part.replace("sh", "ch")
                    .replace("ou", "u")
                    .replace('u', "ou")
                    .replace('j', "dj")
            } else {
                part.replace('j', "g")
            };
            parts.push(p);
        }
        // "al-sharif" → "ech-cherif"
        if french && parts.len() == 2 && parts[0] == "al" {
            if let Some(sun) = SUN.iter().find(|s| w[3..].starts_with(**s)) {
                let art = match *sun {
                    "sh" => "ch".to_string(),
                    s => s.to_string(),
                };
                parts[0] = format!("e{art}");
            }
        }
        out.push(parts.join("-"));
    }
    let rewritten = out.join(" ");
    (rewritten != words.join(" ")).then_some(rewritten)
}

/// UN persons with an Arabic-script name: their listed name by the French and the Egyptian
/// conventions ([`regional`]), one in three sampled by hash.
fn regional_rows(universe: &[(String, Entry)]) -> Vec<Row> {
    let mut rows = Vec::new();
    for (s, e) in universe {
        let arabic = e.aliases.iter().any(|a| {
            a.kind == "original-script"
                && a.name
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
        });
        if s != lists::UN || e.kind != EntityKind::Person || !arabic {
            continue;
        }
        for (french, label) in [(true, "French"), (false, "Egyptian")] {
            if !sampled(&format!("{label}:{}", e.id), 3) {
                continue;
            }
            let Some(q) = regional(&e.name, french) else {
                continue;
            };
            rows.push(Row {
                set: "arabic-regional",
                query: q,
                kind: "person",
                dob: String::new(),
                nationality: String::new(),
                expect: vec![key(s, e)],
                forbid: "-".into(),
                allow: Vec::new(),
                why: format!("{label} romanisation of {} \"{}\"", key(s, e), e.name),
            });
        }
    }
    rows
}

/// Generic organisation names on no list (sector words, legal forms, a common adjective).
const GENERIC: &[&str] = &[
    "Ocean Shipping Co",
    "Marine Services LLC",
    "Gulf Marine Services",
    "General Trading Company",
    "Global Oil Trading",
    "International Petroleum Company",
    "National Oil Company",
    "Star Shipping Ltd",
    "Pacific Shipping Company",
    "United Trading Company",
    "Al Noor General Trading",
    "Eastern Oil Company",
    "Sea Star Shipping",
    "Golden Marine Services",
    "Atlantic Shipping Company",
    "Asia Marine Services",
    "Royal Trading LLC",
    "Blue Ocean Trading",
    "First International Trading",
    "Middle East Petroleum",
    "Oriental Shipping Company",
    "Delta Marine Services",
    "Global Marine Services Ltd",
    "Union Shipping Company",
    "Energy Trading International",
    "Petro Services Company",
    "Sun Shipping Co",
    "New Star Trading Company",
    "Alpha Marine Services",
    "Silver Sea Shipping",
    "Euro Trading Company",
    "Ocean Marine Services",
    "Tanker Shipping Company",
    "Red Sea Trading",
    "Dubai General Trading LLC",
    "Istanbul Petroleum Trading",
];

/// Precision sets: generic organisation names (a result is acceptable only when one of its
/// names is the same name once legal forms are dropped), and near-miss surnames: a listed
/// person's given name with another common family name one letter apart ("Maria Fernandez"
/// for "HERNANDEZ, Maria"; "Elena Ivanov" for "IVANOVA, Elena"), which must not find them.
fn generic_rows(universe: &[(String, Entry)]) -> Vec<Row> {
    let org_words = |n: &str| -> BTreeSet<String> {
        normalize(n, NameKind::Organization)
            .tokens
            .into_iter()
            .map(|t| t.text)
            .collect()
    };
    let mut rows = Vec::new();
    for q in GENERIC {
        let mine = org_words(q);
        let allow: Vec<String> = universe
            .iter()
            .filter(|(_, e)| e.all_names().any(|n| org_words(n) == mine))
            .map(|(s, e)| key(s, e))
            .collect();
        rows.push(Row {
            set: "generic-org",
            query: q.to_string(),
            kind: "organization",
            dob: String::new(),
            nationality: String::new(),
            expect: Vec::new(),
            forbid: "*".into(),
            allow,
            why: "generic organisation name: only an entry of the same name is acceptable".into(),
        });
    }
    rows.extend(near_surname_rows(universe));
    rows
}

/// Pairs of words (in order) that the lists write for one person: two names of one entry
/// whose words are the same but for one word on each side ("AHMAD, Ali" a.k.a. "AHMED, Ali").
fn written_both_ways(universe: &[(String, Entry)]) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    for (_, e) in universe {
        let names: Vec<Vec<String>> = e
            .all_names()
            .map(|n| {
                let mut w = words(n);
                w.sort_unstable();
                w
            })
            .collect();
        for (i, x) in names.iter().enumerate() {
            for y in &names[i + 1..] {
                let only = |p: &[String], q: &[String]| -> Vec<String> {
                    p.iter().filter(|w| !q.contains(w)).cloned().collect()
                };
                if let ([a], [b]) = (&only(x, y)[..], &only(y, x)[..]) {
                    if x.len() == y.len() {
                        pairs.insert((a.min(b).clone(), a.max(b).clone()));
                    }
                }
            }
        }
    }
    pairs
}

fn near_surname_rows(universe: &[(String, Entry)]) -> Vec<Row> {
    // (family, first given name) of OFAC persons written "FAMILY, Given ..."
    let people: Vec<(&Entry, String, String)> = universe
        .iter()
        .filter(|(s, e)| s == lists::OFAC && e.kind == EntityKind::Person)
        .filter_map(|(_, e)| {
            let (family, given) = e.name.split_once(',')?;
            let family = words(family);
            let given = words(given);
            (family.len() == 1 && !given.is_empty())
                .then(|| (e, family[0].clone(), given[0].clone()))
        })
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, f, _) in &people {
        *counts.entry(f.as_str()).or_default() += 1;
    }
    let common: Vec<&str> = {
        let mut c: Vec<&str> = counts
            .iter()
            .filter(|(_, n)| **n >= 2)
            .map(|(f, _)| *f)
            .collect();
        c.sort_unstable();
        c
    };
    let one_apart = |a: &str, b: &str| a != b && a.len() >= 5 && strsim::levenshtein(a, b) == 1;
    let both_ways = written_both_ways(universe);
    let mut rows = Vec::new();
    for a in &common {
        for b in &common {
            // two spellings the lists give one person (Ahmad/Ahmed, Abbas/Abbes) are one name,
            // which the matcher is right to find
            if !one_apart(a, b) || both_ways.contains(&(a.min(b).to_string(), a.max(b).to_string()))
            {
                continue;
            }
            let mut taken = 0;
            for (e, f, given) in &people {
                if f != a || taken == 3 {
                    continue;
                }
                // a listed "B, Given" would be a right answer
                if people.iter().any(|(_, f2, g2)| f2 == b && g2 == given) {
                    continue;
                }
                taken += 1;
                let mut query = format!("{given} {b}");
                if let Some(c) = query.get_mut(0..1) {
                    c.make_ascii_uppercase();
                }
                rows.push(Row {
                    set: "near-surname",
                    query,
                    kind: "person",
                    dob: String::new(),
                    nationality: String::new(),
                    expect: Vec::new(),
                    forbid: key(lists::OFAC, e),
                    allow: Vec::new(),
                    why: format!(
                        "family name {b}, one letter from {} \"{}\"",
                        key(lists::OFAC, e),
                        e.name
                    ),
                });
            }
        }
    }
    rows
}
