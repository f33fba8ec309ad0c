//! Screening benchmark: the whole OFAC SDN list of July 2021 plus the UN list of March 2020
//! (about 10,000 entries) against a watchlist of N names drawn from the real lists and
//! perturbed (word order, a dropped part, a vowel or transliteration change, a title), through
//! `Matcher::new` and `Matcher::match_entry` over every entry, as the pipeline screens a list.
//! One size per process, so that peak memory (VmHWM) is that size's:
//!
//!   cargo bench --bench screening -- 1000
//!   cargo bench --bench screening -- 10000
//!   cargo bench --bench screening -- 1000 --verify   # also a full scan: what the index misses
//!
//! `screen` as a user runs it, each query a whole process of the release binary, on a
//! database that `once` filled with OFAC SDN 2021-07 and UN 2020-03 (the first `screen` after
//! `once` builds the screening cache and is timed apart), then `screen --file` with N names
//! drawn as above:
//!
//!   cargo bench --bench screening -- cli [--queries 30] [--names 10000] [--bin PATH] [--keep DIR]
//!
//! Needs ../shared/data.

#[path = "../examples/support/lists.rs"]
mod lists;

use std::sync::Arc;
use std::time::Instant;

use watchkeeper::domain::entry::{EntityKind, Entry};
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::matching::{Matcher, NameStats, DEFAULT_THRESHOLD};

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// xorshift64*: a fixed seed makes every run screen the same watchlist.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn perturb(name: &str, rng: &mut Rng) -> String {
    match rng.below(6) {
        // "LAST, First" as "First Last"
        0 => match name.split_once(',') {
            Some((last, first)) => format!("{} {}", first.trim(), last.trim()),
            None => name.to_string(),
        },
        // a part dropped
        1 => {
            let words: Vec<&str> = name.split_whitespace().collect();
            if words.len() < 3 {
                return name.to_string();
            }
            let drop = rng.below(words.len());
            words
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, w)| *w)
                .collect::<Vec<_>>()
                .join(" ")
        }
        // a vowel changed
        2 => {
            let mut chars: Vec<char> = name.chars().collect();
            let vowels: Vec<usize> = (0..chars.len())
                .filter(|&i| "AEIOUaeiou".contains(chars[i]))
                .collect();
            if let Some(&at) = vowels.get(rng.below(vowels.len().max(1))) {
                chars[at] = ['a', 'e', 'i', 'o', 'u'][rng.below(5)];
            }
            chars.into_iter().collect()
        }
        // another romanisation
        3 => name
            .replace("KH", "H")
            .replace("OU", "U")
            .replace("Y", "I")
            .replace("PH", "F"),
        4 => format!("Mr {}", name.to_lowercase()),
        _ => name.to_string(),
    }
}

fn watchlist(entries: &[(String, Entry)], size: usize) -> Vec<WatchItem> {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let named: Vec<&Entry> = entries
        .iter()
        .map(|(_, e)| e)
        .filter(|e| e.kind != EntityKind::Aircraft)
        .collect();
    (0..size)
        .map(|_| {
            let e = named[rng.below(named.len())];
            let names: Vec<&str> = e.all_names().collect();
            let name = names[rng.below(names.len())];
            let kind = match e.kind {
                EntityKind::Person => WatchKind::Person,
                EntityKind::Vessel => WatchKind::Vessel,
                _ => WatchKind::Organization,
            };
            WatchItem::query(kind, &perturb(name, &mut rng))
        })
        .collect()
}

/// Runs the binary with `args` against `config`, returning its wall time and standard output.
fn timed(bin: &std::path::Path, config: &std::path::Path, args: &[&str]) -> (f64, Vec<u8>) {
    let started = Instant::now();
    let out = std::process::Command::new(bin)
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("run watchkeeper");
    let t = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (t, out.stdout)
}

fn cli(args: &[String]) {
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let queries: usize = opt("--queries").and_then(|v| v.parse().ok()).unwrap_or(30);
    let names: usize = opt("--names")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let bin = opt("--bin")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_watchkeeper").into());
    let data = lists::data_dir().canonicalize().expect("../shared/data");
    // --keep DIR: the database and the names file stay in DIR, to profile a query later
    let temp = tempfile::tempdir().expect("temp dir");
    let dir_path = match opt("--keep") {
        Some(d) => {
            std::fs::create_dir_all(d).expect("--keep DIR");
            std::path::PathBuf::from(d)
                .canonicalize()
                .expect("--keep DIR")
        }
        None => temp.path().to_path_buf(),
    };
    let url = |p: &str| url::Url::from_file_path(data.join(p)).expect("file url");
    let ofac = url::Url::from_directory_path(data.join("ofac-sdn-csv/2021-07")).unwrap();
    let config = dir_path.as_path().join("watchkeeper.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"state.db\"\nwatchlist = \"watchlist.toml\"\n\n\
             [[source]]\nname = \"ofac-sdn\"\nkind = \"ofac_sdn_csv\"\nurl = \"{ofac}\"\n\
             schedule = \"0 0 7 * * *\"\n\n[[source]]\nname = \"un-sc\"\nkind = \"un_sc_xml\"\n\
             url = \"{}\"\nschedule = \"0 0 7 * * *\"\n\n[email]\ntransport = \"file\"\n\
             path = \"outbox\"\nfrom = \"w <w@example.org>\"\nto = [\"c@example.org\"]\n",
            url("un-sc-xml/2020-03/consolidated.xml")
        ),
    )
    .unwrap();
    std::fs::write(dir_path.as_path().join("watchlist.toml"), "").unwrap();
    let (once, _) = timed(&bin, &config, &["once"]);
    let entries = lists::universe();
    let items = watchlist(&entries, names.max(queries));
    let (first, _) = timed(&bin, &config, &["screen", &items[0].name]);
    let mut timed_queries: Vec<(f64, &str)> = items[..queries]
        .iter()
        .map(|q| {
            (
                timed(&bin, &config, &["screen", &q.name]).0,
                q.name.as_str(),
            )
        })
        .collect();
    timed_queries.sort_by(|a, b| a.0.total_cmp(&b.0));
    let times: Vec<f64> = timed_queries.iter().map(|(t, _)| *t).collect();
    for (t, q) in timed_queries.iter().rev().take(3) {
        println!("slowest: {:.1} ms {q:?}", t * 1e3);
    }
    println!(
        "screen, one query per process, {queries} queries on {} entries: median {:.1} ms, min \
         {:.1} ms, max {:.1} ms (first query after `once`, building the screening cache: {:.0} \
         ms; `once` itself {:.1} s)",
        entries.len(),
        times[times.len() / 2] * 1e3,
        times[0] * 1e3,
        times[times.len() - 1] * 1e3,
        first * 1e3,
        once
    );
    let file = dir_path.as_path().join("names.csv");
    let mut w = csv::Writer::from_path(&file).unwrap();
    w.write_record(["name", "kind"]).unwrap();
    for q in &items[..names] {
        let kind = match q.kind {
            WatchKind::Person => "person",
            WatchKind::Vessel => "vessel",
            _ => "organization",
        };
        w.write_record([q.name.as_str(), kind]).unwrap();
    }
    w.flush().unwrap();
    let path = file.to_str().unwrap();
    let (t, out) = timed(&bin, &config, &["screen", "--file", path]);
    let rows = out
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        .saturating_sub(1);
    let (tj, _) = timed(&bin, &config, &["screen", "--file", path, "--json"]);
    println!(
        "screen --file, {names} names: {t:.2} s as CSV ({rows} result rows), {tj:.2} s as JSON lines"
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "cli") {
        cli(&args);
        return;
    }
    let size: usize = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let verify = args.iter().any(|a| a == "--verify");
    let started = Instant::now();
    let entries = lists::universe();
    let load = started.elapsed();
    let items = watchlist(&entries, size);
    let rss_loaded = status_kib("VmRSS:");

    // as the pipeline does: rarity weights from every stored name, then the watchlist
    let started = Instant::now();
    let stats = Arc::new(NameStats::from_entries(entries.iter().map(|(_, e)| e)));
    let stats_time = started.elapsed();
    let started = Instant::now();
    let matcher = Matcher::new(items, DEFAULT_THRESHOLD).with_stats(stats);
    let build = started.elapsed();
    let started = Instant::now();
    let mut matches = 0usize;
    for (source, entry) in &entries {
        matches += matcher.match_entry(source, entry).len();
    }
    let screen = started.elapsed();
    let started = Instant::now();
    let candidates: usize = entries
        .iter()
        .map(|(_, e)| matcher.candidate_count(e))
        .sum();
    let lookup = started.elapsed();
    let pairs = entries.len() * size;
    println!(
        "watchlist {size} items x {} entries: rarity counted in {:.3} s, matcher built in \
         {:.3} s, screened in {:.3} s ({:.1} µs per entry), {matches} matches; lists loaded in \
         {:.2} s",
        entries.len(),
        stats_time.as_secs_f64(),
        build.as_secs_f64(),
        screen.as_secs_f64(),
        screen.as_secs_f64() * 1e6 / entries.len() as f64,
        load.as_secs_f64()
    );
    println!(
        "candidates: {candidates} pairs scored of {pairs} ({:.3}%), {:.2} per entry; \
         looking them up alone takes {:.3} s",
        candidates as f64 * 100.0 / pairs as f64,
        candidates as f64 / entries.len() as f64,
        lookup.as_secs_f64(),
    );
    println!(
        "memory: {:.1} MiB resident after loading the lists and watchlist, peak (VmHWM) {:.1} MiB",
        rss_loaded as f64 / 1024.0,
        status_kib("VmHWM:") as f64 / 1024.0
    );
    if verify {
        let started = Instant::now();
        let mut scanned = 0usize;
        let mut lost = Vec::new();
        let mut differ = Vec::new();
        for (source, entry) in &entries {
            let found = matcher.match_entry(source, entry);
            for (i, m) in matcher.match_entry_scan(source, entry) {
                scanned += 1;
                if let Some((_, f)) = found.iter().find(|(j, _)| *j == i) {
                    // the index may only leave pairs out, never score one otherwise
                    if f.score != m.score || f.why != m.why {
                        differ.push(format!(
                            "  {:?} vs {source}:{}: {:.3} {} / by scan {:.3} {}",
                            matcher.items()[i].name,
                            entry.id,
                            f.score,
                            f.why,
                            m.score,
                            m.why
                        ));
                    }
                } else {
                    lost.push(format!(
                        "  {:?} vs {source}:{} {:?}: {:.3} {}",
                        matcher.items()[i].name,
                        entry.id,
                        entry.name,
                        m.score,
                        m.why
                    ));
                }
            }
        }
        println!(
            "verify: a full scan ({:.1} s) finds {scanned} matches; the index misses {}, \
             and scores {} otherwise",
            started.elapsed().as_secs_f64(),
            lost.len(),
            differ.len()
        );
        for l in lost.iter().chain(&differ).take(30) {
            println!("{l}");
        }
    }
}
