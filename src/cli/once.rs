//! `watchkeeper once`: one full cycle (fetch, parse, diff, match, send) of all or the named
//! sources, one line per source; fails if a source failed or a message was not sent.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::{daemon, watchlist};

#[derive(clap::Args)]
pub struct Args {
    /// Only this source (repeatable).
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let wl = watchlist::load(&cfg.watchlist)?;
    let report = super::runtime()?.block_on(daemon::once(&cfg, wl, &args.sources))?;
    for c in &report.cycles {
        match c {
            Ok(s) if s.not_modified => println!("{}: not modified", s.source),
            Ok(s) if s.same_content => println!(
                "{}: same content as last screened ({} entries), nothing to do",
                s.source, s.entries
            ),
            Ok(s) => println!(
                "{}: {} entries, {} added, {} changed, {} removed, {} new items, {} alerts",
                s.source, s.entries, s.added, s.changed, s.removed, s.new_feed_items, s.alerts
            ),
            Err(e) => println!("FAILED {e}"),
        }
    }
    let d = &report.delivery;
    println!(
        "already-listed alerts for new watch items: {}; messages queued: {}; sent: {}, failed: {}, given up: {}",
        report.already_listed, report.messages_queued, d.sent, d.failed, d.given_up
    );
    Ok(if report.failures() > 0 || d.failed > 0 || d.given_up > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
