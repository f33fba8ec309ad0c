//! News matching benchmark: a day of news, 5,000 items from 200 feeds, against a watchlist of
//! N names (default 10,000) drawn from the real OFAC SDN (2021-07) and UN (2020-03) lists, plus
//! one keyword in a hundred, through `Matcher::match_feed_item` as `plan_feed` calls it.
//!
//! The items are the real items of every feed in tests/fixtures/feeds (title, summary and
//! content as the parser reads them), dealt round-robin to 200 feed sources with distinct ids
//! until there are 5,000: the same texts recur, but nothing is cached between items, so each
//! costs what it would cost new. Items from the Russian feeds name Lukashenko and Maduro, who
//! are on the lists, so some items do match.
//!
//!   cargo bench --bench news                  # 10,000 watch items
//!   cargo bench --bench news -- 1000 --verify # also a scan of every watch item per news item
//!   cargo bench --bench news -- 1000 --news 500  # fewer news items
//!
//! The digest printed with the mentions hashes every mention (item, watch item, reason, quote):
//! two builds that find the same mentions print the same digest.
//!
//! Needs ../shared/data (the lists); the feeds are in the repository.

#[path = "../examples/support/lists.rs"]
mod lists;

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::Instant;

use watchkeeper::domain::entry::{EntityKind, FeedItem};
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::matching::{Matcher, DEFAULT_THRESHOLD};
use watchkeeper::sources::feed::parse_feed;
use watchkeeper::sources::Body;

const FEEDS: usize = 200;
const ITEMS: usize = 5_000;

/// Keywords a newsroom watcher would follow; one watch item in a hundred is one of them.
const KEYWORDS: &[&str] = &[
    "shadow fleet",
    "sanctions",
    "санкции",
    "tanker",
    "ship-to-ship transfer",
    "export controls",
    "cartel",
    "money laundering",
];

/// xorshift64*: a fixed seed makes every run use the same watchlist.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545F4914F6CDD1D) % n as u64) as usize
    }
}

fn watchlist(size: usize) -> Vec<WatchItem> {
    let entries = lists::universe();
    let mut rng = Rng(0x9E3779B97F4A7C15);
    (0..size)
        .map(|n| {
            if n % 100 == 99 {
                let mut k =
                    WatchItem::query(WatchKind::Keyword, KEYWORDS[n / 100 % KEYWORDS.len()]);
                k.id = format!("k{n}");
                return k;
            }
            let (_, e) = &entries[rng.below(entries.len())];
            let names: Vec<&str> = e.all_names().collect();
            let kind = match e.kind {
                EntityKind::Person => WatchKind::Person,
                EntityKind::Vessel => WatchKind::Vessel,
                _ => WatchKind::Organization,
            };
            let mut item = WatchItem::query(kind, names[rng.below(names.len())]);
            item.id = format!("w{n}");
            item
        })
        .collect()
}

/// Every item of every feed in tests/fixtures/feeds.
fn real_items() -> Vec<FeedItem> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    paths.sort();
    let mut items = Vec::new();
    for path in paths {
        let body = Body::from_file("", &path).unwrap();
        if let Ok(feed) = parse_feed(&body) {
            items.extend(feed.items);
        }
    }
    items
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size: usize = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let verify = args.iter().any(|a| a == "--verify");
    let news: usize = args
        .iter()
        .position(|a| a == "--news")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(ITEMS);
    if !lists::data_dir().exists() {
        eprintln!("needs ../shared/data beside the checkout (the real lists)");
        std::process::exit(2);
    }
    let base = real_items();
    let day: Vec<(String, FeedItem)> = (0..news)
        .map(|n| {
            let mut item = base[n % base.len()].clone();
            item.id = format!("{}#{n}", item.id);
            (format!("feed-{}", n % FEEDS), item)
        })
        .collect();
    let words: usize = day
        .iter()
        .map(|(_, i)| {
            [&i.title, &i.summary, &i.content]
                .iter()
                .map(|t| t.split_whitespace().count())
                .sum::<usize>()
        })
        .sum();
    let items = watchlist(size);

    let started = Instant::now();
    let matcher = Matcher::new(items, DEFAULT_THRESHOLD);
    let build = started.elapsed();
    let started = Instant::now();
    let mut mentions = 0usize;
    // what was found, to compare two builds: every mention's item, watch item, reason and quote
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    for (source, item) in &day {
        for (i, m) in matcher.match_feed_item(source, item) {
            mentions += 1;
            (&item.id, i, &m.why, &m.quote.before, &m.quote.matched).hash(&mut digest);
        }
    }
    let matched = started.elapsed();
    let candidates: usize = day
        .iter()
        .map(|(_, i)| matcher.news_candidate_count(i))
        .sum();
    println!(
        "{size} watch items x {news} news items from {FEEDS} feeds ({} distinct real items, \
         {:.0} words per item on average): matcher built in {:.2} s, matched in {:.2} s \
         ({:.2} ms per item), {mentions} mentions (digest {:016x})",
        base.len(),
        words as f64 / news as f64,
        build.as_secs_f64(),
        matched.as_secs_f64(),
        matched.as_secs_f64() * 1e3 / news as f64,
        digest.finish(),
    );
    println!(
        "candidates: {:.1} watch items looked for per news item ({:.2}% of the watchlist)",
        candidates as f64 / news as f64,
        candidates as f64 * 100.0 / (news * size) as f64
    );
    if verify {
        let started = Instant::now();
        let mut scanned = 0usize;
        let mut lost = Vec::new();
        for (source, item) in &day {
            let found: Vec<usize> = matcher
                .match_feed_item(source, item)
                .into_iter()
                .map(|(i, _)| i)
                .collect();
            let all = matcher.match_feed_item_scan(source, item);
            scanned += all.len();
            for (i, m) in all {
                if !found.contains(&i) {
                    lost.push(format!(
                        "  {:?} in {:?}: {}",
                        matcher.items()[i].name,
                        item.title,
                        m.why
                    ));
                }
            }
        }
        println!(
            "verify: a scan of every watch item ({:.1} s) finds {scanned} mentions; the index misses {}",
            started.elapsed().as_secs_f64(),
            lost.len()
        );
        for l in lost.iter().take(20) {
            println!("{l}");
        }
    }
}
