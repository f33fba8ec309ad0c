//! `watchkeeper test-email`: sends one test message through the configured transport.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use watchkeeper::email;

// `test-email` takes no arguments of its own.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let msg = email::render::test_message(cfg.email.to.clone());
    super::runtime()?
        .block_on(email::transport::send(&cfg.email, &msg))
        .context("test email not sent")?;
    println!("test email sent to {}", cfg.email.to.join(", "));
    Ok(ExitCode::SUCCESS)
}
