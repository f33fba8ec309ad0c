//! Times parsing the full real files of the EU, UK, Canada, US CSL and OpenSanctions formats.
//!
//! `cargo run --release --example parse_lists_other [DATA_DIR]`; DATA_DIR defaults to
//! `../shared/data` next to the crate. With `--dump`, prints every entry as JSON instead.

use std::path::{Path, PathBuf};
use std::time::Instant;

use watchkeeper::sources::{format_for, Body, FormatOptions, Parsed};

const FILES: &[(&str, &str)] = &[
    (
        "eu_fsf_xml",
        "eu-fsf-xml/excerpt-2026-08/eu-fsf.excerpt.xml",
    ),
    (
        "uk_sanctions_xml",
        "uk-sanctions-list-xml/excerpt-2026-09/UK_Sanctions_List.excerpt.xml",
    ),
    ("ca_sema_xml", "ca-sema-xml/2020-04/sema-lmes.xml"),
    ("us_csl_csv", "us-csl-csv/2023-11/csl.csv"),
    (
        "opensanctions_ftm",
        "opensanctions-ftm/yente-fixtures/entities.ftm.json",
    ),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dump = args.iter().any(|a| a == "--dump");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    for (kind, file) in FILES {
        let path = dir.join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("{kind}: {} not found, skipped", path.display());
            continue;
        };
        let size = bytes.len();
        let body = Body {
            resource: String::new(),
            url: format!("file://{}", path.display()),
            bytes,
            content_type: None,
        };
        let format = format_for(kind, &FormatOptions::default()).expect("registered kind");
        // Median of several runs: the small files parse in well under a millisecond.
        let mut times = Vec::new();
        let mut result = None;
        for _ in 0..7 {
            let start = Instant::now();
            result = Some(format.parse(std::slice::from_ref(&body)));
            times.push(start.elapsed());
        }
        times.sort();
        match result.expect("ran at least once") {
            Ok(Parsed::List(snapshot)) if dump => {
                for e in &snapshot.entries {
                    println!("{}", serde_json::to_string(e).expect("entry serializes"));
                }
            }
            Ok(Parsed::List(snapshot)) => {
                let vessels = snapshot
                    .entries
                    .iter()
                    .filter(|e| e.kind == watchkeeper::model::EntityKind::Vessel)
                    .count();
                let imo = snapshot
                    .entries
                    .iter()
                    .filter(|e| e.identifiers_of("imo").next().is_some())
                    .count();
                println!(
                    "{kind:18} {size:>9} bytes {:>6} entries {vessels:>3} vessels {imo:>3} with IMO  median {:?} (min {:?})",
                    snapshot.entries.len(),
                    times[times.len() / 2],
                    times[0]
                );
            }
            Ok(other) => println!("{kind}: not a list: {other:?}"),
            Err(e) => println!(
                "{kind:18} {size:>9} bytes  error: {e}  median {:?}",
                times[times.len() / 2]
            ),
        }
    }
}
