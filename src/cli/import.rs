//! `watchkeeper import FILE [--dry-run]`: appends watch items from a CSV file to the watchlist
//! the config names; see [`watchkeeper::import`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::domain::watch::WatchKind;
use watchkeeper::import;

#[derive(clap::Args)]
pub struct Args {
    /// A CSV file with a header row (columns: kind, name, imo, former_names, aliases, notify,
    /// id, …; list cells separated by `;`).
    pub file: PathBuf,
    /// The kind of rows with no `kind` column or an empty one.
    #[arg(long, default_value = "vessel", value_parser = parse_kind)]
    pub kind: WatchKind,
    /// Check every row and print what would be added, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

fn parse_kind(text: &str) -> Result<WatchKind, String> {
    match text {
        "vessel" => Ok(WatchKind::Vessel),
        "person" => Ok(WatchKind::Person),
        "organization" => Ok(WatchKind::Organization),
        "keyword" => Ok(WatchKind::Keyword),
        _ => Err("expected vessel, person, organization or keyword".to_string()),
    }
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let sources: Vec<String> = cfg.sources.iter().map(|s| s.name.clone()).collect();
    let report = import::import(
        &args.file,
        &cfg.watchlist,
        &sources,
        args.kind,
        args.dry_run,
    )?;
    if args.dry_run {
        for item in &report.items {
            println!("{} {} ({})", item.kind.as_str(), item.label(), item.id);
        }
    }
    println!(
        "{} {} watch items ({} vessels, {} persons, {} organizations, {} keywords) to {}",
        if args.dry_run { "would add" } else { "added" },
        report.items.len(),
        report.count(WatchKind::Vessel),
        report.count(WatchKind::Person),
        report.count(WatchKind::Organization),
        report.count(WatchKind::Keyword),
        cfg.watchlist.display()
    );
    Ok(ExitCode::SUCCESS)
}
