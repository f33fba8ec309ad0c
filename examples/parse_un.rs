//! Times parsing a UN Security Council consolidated list XML file.
//!
//! `cargo run --release --example parse_un [FILE] [ROUNDS] [DATAID…]`: FILE defaults to the
//! 2018-10 snapshot under ../shared/data; any DATAIDs given are printed as JSON.

use std::time::{Duration, Instant};

use watchkeeper::sources::un_xml::parse_document;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/un-sc-xml/2018-10/consolidated.xml"
        )
        .to_string()
    });
    let rounds: u32 = args.next().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let show: Vec<String> = args.collect();
    let bytes = std::fs::read(&path)?;

    let mut best = Duration::MAX;
    let mut snapshot = None;
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        let parsed = parse_document(&bytes, &path)?;
        best = best.min(started.elapsed());
        snapshot = Some(parsed);
    }
    let snapshot = snapshot.expect("at least one round");
    let persons = snapshot
        .entries
        .iter()
        .filter(|e| e.kind == watchkeeper::model::EntityKind::Person)
        .count();
    println!(
        "{path}: {} bytes, {} entries ({persons} persons), published {:?}",
        bytes.len(),
        snapshot.entries.len(),
        snapshot.published
    );
    println!(
        "best of {rounds}: {:.2} ms ({:.0} MB/s)",
        best.as_secs_f64() * 1e3,
        bytes.len() as f64 / best.as_secs_f64() / 1e6
    );
    for entry in snapshot.entries.iter().filter(|e| show.contains(&e.id)) {
        println!("{}", serde_json::to_string_pretty(entry)?);
    }
    Ok(())
}
