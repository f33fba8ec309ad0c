//! `watchkeeper check`: validates the config and the watchlist, prints a summary, then looks
//! at what would fail at run time ([`watchkeeper::preflight`]): errors make it fail, warnings
//! are printed and it passes. A config or watchlist error names `file:line:col`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::preflight::{self, Severity};
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
    let findings = preflight::check(&cfg, &wl);
    for f in &findings {
        eprintln!("{f}");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    if errors > 0 {
        eprintln!(
            "watchkeeper: check found {errors} error(s) and {warnings} warning(s): the daemon would fail"
        );
        return Ok(ExitCode::FAILURE);
    }
    if warnings > 0 {
        println!("ok, with {warnings} warning(s)");
    } else {
        println!("ok");
    }
    Ok(ExitCode::SUCCESS)
}
