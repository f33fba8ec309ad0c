//! Times both OFAC XML formats on the real files and prints what they hold.
//!
//! `cargo run --release --example parse_ofac_xml [-- --show ID]`
//! Reads the files under `../shared/data` beside the crate; `--show ID` prints that entry as JSON.

use std::time::Instant;

use watchkeeper::model::{EntityKind, ListSnapshot};
use watchkeeper::sources::{format_for, Body, FormatOptions, Parsed};

const FILES: &[(&str, &str)] = &[
    ("ofac_xml", "ofac-consolidated-xml/2018-04/consolidated.xml"),
    (
        "ofac_enhanced_xml",
        "ofac-enhanced-xml/2025-01/CONS_ENHANCED.XML",
    ),
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let show = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1));
    // `../shared` from the main checkout, `../../shared` from a worktree kept beside it.
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = ["../shared/data", "../../shared/data"]
        .iter()
        .map(|d| manifest.join(d))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| manifest.join("../shared/data"));
    for (kind, file) in FILES {
        let path = data.join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("{}: not found, skipped", path.display());
            continue;
        };
        let size = bytes.len();
        let body = Body {
            resource: String::new(),
            url: format!("file://{}", path.display()),
            bytes,
            content_type: None,
        };
        let format = format_for(kind, &FormatOptions::default()).expect("known kind");
        const RUNS: u32 = 5;
        let mut snapshot = None;
        let started = Instant::now();
        for _ in 0..RUNS {
            snapshot = Some(format.parse(std::slice::from_ref(&body))?);
        }
        let per_run = started.elapsed() / RUNS;
        let Some(Parsed::List(snapshot)) = snapshot else {
            anyhow::bail!("{kind} did not parse into a list");
        };
        report(kind, file, size, per_run, &snapshot);
        if let Some(id) = show {
            if let Some(entry) = snapshot.entries.iter().find(|e| &e.id == id) {
                println!("{}", serde_json::to_string_pretty(entry)?);
            }
        }
    }
    Ok(())
}

fn report(kind: &str, file: &str, size: usize, per_run: std::time::Duration, s: &ListSnapshot) {
    let count = |k: EntityKind| s.entries.iter().filter(|e| e.kind == k).count();
    let ids = |k: &str| {
        s.entries
            .iter()
            .map(|e| e.identifiers_of(k).count())
            .sum::<usize>()
    };
    let aliases: usize = s.entries.iter().map(|e| e.aliases.len()).sum();
    println!(
        "{kind} {file}: {size} bytes, {:.1} ms a parse ({:.0} MB/s); published {:?}, stated {:?}",
        per_run.as_secs_f64() * 1e3,
        size as f64 / per_run.as_secs_f64() / 1e6,
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
