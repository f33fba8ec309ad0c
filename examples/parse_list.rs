//! Parses a real list with the crate's parser of its kind, times it and tells what it holds.
//!
//!   cargo run --release --example parse_list -- KIND PATH [--dump | --show ID…]
//!
//! PATH is the list file, or the folder of a multi-file kind (`ofac_sdn_csv`). `--dump` prints
//! every entry as one JSON line, `--show ID` that entry as JSON. For every real file at once,
//! with peak memory, see `cargo bench --bench cycle -- parse-all`.

use std::path::Path;
use std::time::{Duration, Instant};

use watchkeeper::domain::entry::{EntityKind, ListSnapshot};
use watchkeeper::sources::{format_for, local_bodies, FormatOptions, Parsed};

const USAGE: &str = "usage: parse_list KIND PATH [--dump | --show ID…]";
/// Parses timed; the best is reported, as the small files parse in well under a millisecond.
const RUNS: u32 = 7;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut plain = args.iter().filter(|a| !a.starts_with("--"));
    let kind = plain.next().ok_or_else(|| anyhow::anyhow!(USAGE))?;
    let path = Path::new(plain.next().ok_or_else(|| anyhow::anyhow!(USAGE))?);
    let show: Vec<&String> = plain.collect();
    let format = format_for(kind, &FormatOptions::default())
        .ok_or_else(|| anyhow::anyhow!("unknown kind {kind}"))?;
    let bodies = local_bodies(format.as_ref(), path)?;
    let size: usize = bodies.iter().map(|b| b.bytes.len()).sum();

    let mut best = Duration::MAX;
    let mut parsed = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        parsed = Some(format.parse(&bodies)?);
        best = best.min(started.elapsed());
    }
    let Some(Parsed::List(list)) = parsed else {
        anyhow::bail!("{kind} is not a list format");
    };
    if args.iter().any(|a| a == "--dump") {
        for entry in &list.entries {
            println!("{}", serde_json::to_string(entry)?);
        }
        return Ok(());
    }
    report(kind, path, size, best, &list);
    for entry in list.entries.iter().filter(|e| show.contains(&&e.id)) {
        println!("{}", serde_json::to_string_pretty(entry)?);
    }
    Ok(())
}

fn report(kind: &str, path: &Path, size: usize, best: Duration, s: &ListSnapshot) {
    let count = |k: EntityKind| s.entries.iter().filter(|e| e.kind == k).count();
    let ids = |k: &str| {
        s.entries
            .iter()
            .map(|e| e.identifiers_of(k).count())
            .sum::<usize>()
    };
    let aliases: usize = s.entries.iter().map(|e| e.aliases.len()).sum();
    println!(
        "{kind} {}: {size} bytes, best of {RUNS} {:.2} ms ({:.0} MB/s); published {:?}, stated {:?}",
        path.display(),
        best.as_secs_f64() * 1e3,
        size as f64 / best.as_secs_f64() / 1e6,
        s.published,
        s.stated_count,
    );
    println!(
        "  {} entries: {} persons, {} organizations, {} vessels, {} aircraft; {} aliases; \
         {} IMO, {} MMSI, {} passport identifiers",
        s.entries.len(),
        count(EntityKind::Person),
        count(EntityKind::Organization),
        count(EntityKind::Vessel),
        count(EntityKind::Aircraft),
        aliases,
        ids("imo"),
        ids("mmsi"),
        ids("passport"),
    );
}
