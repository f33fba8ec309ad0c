//! `watchkeeper check`: validates the config and the watchlist and prints a summary; an error
//! names `file:line:col`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::{config, watchlist};

// `check` takes no arguments of its own.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let wl = watchlist::load(&cfg.watchlist)?;
    let names: Vec<String> = cfg.sources.iter().map(|s| s.name.clone()).collect();
    watchlist::validate_sources(&wl, &names)?;
    print!("{}", config::summary(&cfg, &wl));
    println!("ok");
    Ok(ExitCode::SUCCESS)
}
