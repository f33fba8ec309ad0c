//! `watchkeeper audit`: for each cycle, which version of which list was screened, when,
//! against which watchlist version, and what came of it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use watchkeeper::report;
use watchkeeper::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// How far back, e.g. 24h, 30d, 365d.
    #[arg(long, default_value = "30d")]
    pub since: String,
    /// One CSV row per cycle, with a header row.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let span = humantime::parse_duration(&args.since).with_context(|| {
        format!(
            "--since {:?}: expected a duration like 24h or 30d",
            args.since
        )
    })?;
    let from = chrono::Utc::now() - chrono::Duration::from_std(span)?;
    let from = from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let store = Store::open_existing(&cfg.database)?;
    let cycles = store.cycles_since(&from)?;
    if args.json {
        println!("{}", serde_json::json!({ "since": from, "cycles": cycles }));
    } else if args.csv {
        print!("{}", report::audit::csv(&cycles));
    } else {
        print!("{}", report::audit::text(&cycles));
    }
    Ok(ExitCode::SUCCESS)
}
