//! Times parsing a folder of OFAC CSV files:
//! `cargo run --release --example parse_ofac -- FOLDER [--consolidated] [--dump]`.
//! `--dump` prints every entry as one JSON line, to inspect what the remarks parser made of it.

use std::time::Instant;

use watchkeeper::sources::{ofac_csv::OfacCsv, Body, Parsed, SourceFormat};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let folder = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .ok_or("usage: parse_ofac FOLDER [--consolidated] [--dump]")?;
    let format = if args.iter().any(|a| a == "--consolidated") {
        let names = [
            "cons_prim.csv",
            "cons_alt.csv",
            "cons_add.csv",
            "cons_comments.csv",
        ];
        OfacCsv::new(Some(names.map(String::from).to_vec()))
    } else {
        OfacCsv::new(None)
    };
    let mut bodies = Vec::new();
    for resource in format.resources() {
        let path = std::path::Path::new(folder).join(&resource);
        bodies.push(Body {
            bytes: std::fs::read(&path)?,
            url: path.display().to_string(),
            resource,
            content_type: None,
        });
    }

    const RUNS: u32 = 20;
    let mut parsed = None;
    let start = Instant::now();
    for _ in 0..RUNS {
        parsed = Some(format.parse(&bodies)?);
    }
    let per_run = start.elapsed() / RUNS;
    let Some(Parsed::List(list)) = parsed else {
        return Err("not a list".into());
    };
    if args.iter().any(|a| a == "--dump") {
        for entry in &list.entries {
            println!("{}", serde_json::to_string(entry)?);
        }
    }
    eprintln!(
        "{folder}: {} entries, parsed in {per_run:?} (mean of {RUNS} runs)",
        list.entries.len()
    );
    Ok(())
}
