//! Feed evaluation: every real feed in tests/fixtures/feeds parsed as the daemon parses it,
//! each item checked against tests/fixtures/feeds/expected.tsv (its title, link and the first
//! words of its text, as the feed-rs project reads the same files; see
//! scripts/make-feed-expectations.py for how the expectations were built). Prints per feed and
//! total figures: items found, titles, links and texts correct.
//!
//!   cargo run --release --example eval_feeds            # the table and the totals
//!   cargo run --release --example eval_feeds -- -v      # and every mismatch

use std::collections::BTreeMap;
use std::path::Path;

use watchkeeper::sources::feed::parse_feed;
use watchkeeper::sources::Body;

struct Expected {
    title: String,
    link: String,
    text: String,
}

#[derive(Default)]
struct Tally {
    expected: usize,
    found: usize,
    titles: (usize, usize),
    links: (usize, usize),
    texts: (usize, usize),
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text compared as words: HTML-stripping parsers differ on where a space goes around a tag
/// ("Weblog ." against "Weblog."), so punctuation and case are ignored.
fn words(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    squeeze(&mapped)
}

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds");
    let table = std::fs::read_to_string(dir.join("expected.tsv"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("expected.tsv").display()));
    let mut expected: BTreeMap<String, Vec<Expected>> = BTreeMap::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let [feed, _, title, link, text] = f[..] else {
            panic!("expected.tsv: bad line {line:?}");
        };
        expected
            .entry(feed.to_string())
            .or_default()
            .push(Expected {
                title: title.to_string(),
                link: link.to_string(),
                text: text.to_string(),
            });
    }
    let mut total = Tally::default();
    println!(
        "{:<32} {:>5} {:>5} {:>7} {:>7} {:>7}",
        "feed", "items", "found", "titles", "links", "texts"
    );
    for (name, items) in &expected {
        let path = dir.join(name);
        let mut t = Tally {
            expected: items.len(),
            ..Tally::default()
        };
        let parsed = Body::from_file("", &path)
            .map_err(|e| e.to_string())
            .and_then(|b| parse_feed(&b).map_err(|e| e.to_string()));
        let got = match parsed {
            Ok(feed) => feed.items,
            Err(e) => {
                println!("{name}: {e}");
                Vec::new()
            }
        };
        t.found = got.len().min(items.len());
        for (n, want) in items.iter().enumerate() {
            let item = got.get(n);
            let check = |slot: &mut (usize, usize), want: &str, ok: bool, what: &str, had: &str| {
                if want.is_empty() {
                    return;
                }
                slot.1 += 1;
                if ok {
                    slot.0 += 1;
                } else if verbose {
                    println!("  {name} #{n} {what}: expected {want:?}, got {had:?}");
                }
            };
            let title = item.map(|i| i.title.clone()).unwrap_or_default();
            check(
                &mut t.titles,
                &want.title,
                squeeze(&title) == squeeze(&want.title),
                "title",
                &title,
            );
            let link = item.and_then(|i| i.link.clone()).unwrap_or_default();
            check(&mut t.links, &want.link, link == want.link, "link", &link);
            let text = item
                .map(|i| format!("{}\n{}", i.summary, i.content))
                .unwrap_or_default();
            let ok = words(&text).contains(&words(&want.text));
            let shown: String = text.chars().take(80).collect();
            check(&mut t.texts, &want.text, ok, "text", &shown);
        }
        let ratio = |(a, b): (usize, usize)| format!("{a}/{b}");
        println!(
            "{:<32} {:>5} {:>5} {:>7} {:>7} {:>7}",
            name,
            t.expected,
            t.found,
            ratio(t.titles),
            ratio(t.links),
            ratio(t.texts)
        );
        total.expected += t.expected;
        total.found += t.found;
        for (sum, part) in [
            (&mut total.titles, t.titles),
            (&mut total.links, t.links),
            (&mut total.texts, t.texts),
        ] {
            sum.0 += part.0;
            sum.1 += part.1;
        }
    }
    let pct = |(a, b): (usize, usize)| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "total: {} feeds, {}/{} items found; titles {}/{} ({:.1}%), links {}/{} ({:.1}%), texts {}/{} ({:.1}%)",
        expected.len(),
        total.found,
        total.expected,
        total.titles.0,
        total.titles.1,
        pct(total.titles),
        total.links.0,
        total.links.1,
        pct(total.links),
        total.texts.0,
        total.texts.1,
        pct(total.texts)
    );
}
