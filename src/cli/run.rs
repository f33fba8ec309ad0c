//! `watchkeeper run`: the daemon, every source on its schedule until SIGTERM or SIGINT.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::daemon;

// `run` takes no arguments of its own.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    super::runtime()?.block_on(daemon::run(cfg))?;
    Ok(ExitCode::SUCCESS)
}
