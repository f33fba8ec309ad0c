//! `watchkeeper screen`: ranks the stored list entries against a name (and IMO number), with
//! the reason for each score; the ranking itself is [`watchkeeper::screen`].

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use watchkeeper::domain::ident;
use watchkeeper::screen;
use watchkeeper::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// The name to screen.
    pub name: String,
    /// An IMO number (ship or company).
    #[arg(long)]
    pub imo: Option<String>,
    /// vessel, person or organization.
    #[arg(long)]
    pub kind: Option<String>,
    /// At most this many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Lowest score shown.
    #[arg(long, default_value_t = 0.5)]
    pub min_score: f64,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let Args {
        name,
        imo,
        kind,
        limit,
        min_score,
        json,
    } = args;
    let cfg = super::load_config(config)?;
    // a number fitting both check digit rules is resolved per query kind by screen::screen
    let imo = imo
        .as_deref()
        .map(ident::parse)
        .transpose()
        .context("--imo")?;
    let kind = kind
        .as_deref()
        .map(|k| {
            screen::parse_kind(k)
                .with_context(|| format!("--kind {k:?}: expected vessel, person or organization"))
        })
        .transpose()?;
    let store = Store::open_existing(&cfg.database)?;
    let entries = store.all_entries()?;
    let results = screen::screen(&entries, &name, imo, kind, min_score, limit);
    if json {
        println!(
            "{}",
            serde_json::json!({ "query": name, "results": results })
        );
    } else if results.is_empty() {
        println!(
            "no stored entry scores {min_score} or more against {name:?} ({} entries screened)",
            entries.len()
        );
    } else {
        for r in &results {
            println!(
                "{:.3}  {}:{}  {} \"{}\"\n       why: {}{}",
                r.score,
                r.source,
                r.entry_id,
                r.kind,
                r.name,
                r.why,
                if r.same_as.is_empty() {
                    String::new()
                } else {
                    format!("\n       same as: {}", r.same_as.join(", "))
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
