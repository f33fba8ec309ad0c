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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
        for (source, entry) in &entries {
            let found: Vec<usize> = matcher
                .match_entry(source, entry)
                .into_iter()
                .map(|(i, _)| i)
                .collect();
            for (i, m) in matcher.match_entry_scan(source, entry) {
                scanned += 1;
                if !found.contains(&i) {
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
            "verify: a full scan ({:.1} s) finds {scanned} matches; the index misses {}",
            started.elapsed().as_secs_f64(),
            lost.len()
        );
        for l in lost.iter().take(30) {
            println!("{l}");
        }
    }
}
