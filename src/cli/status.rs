//! `watchkeeper status`: per configured source, the last attempt, the last success, the entry
//! or item count and the last error.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::store::Store;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let store = Store::open_existing(&cfg.database)?;
    let stored = store.all_source_status()?;
    let mut rows = Vec::new();
    for s in &cfg.sources {
        let mut row = stored
            .iter()
            .find(|x| x.name == s.name)
            .cloned()
            .unwrap_or_default();
        row.name = s.name.clone();
        row.kind = s.kind.clone();
        rows.push(row);
    }
    if args.json {
        println!("{}", serde_json::json!({ "sources": rows }));
    } else {
        for r in rows {
            println!(
                "{:<20} {:<18} entries {:>6}  last attempt {}  last success {}{}",
                r.name,
                r.kind,
                r.entries,
                r.last_attempt.as_deref().unwrap_or("never"),
                r.last_success.as_deref().unwrap_or("never"),
                r.last_error
                    .map(|e| format!("\n    last error: {e}"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
