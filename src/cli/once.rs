//! `watchkeeper once`: one full cycle (fetch, parse, diff, match, send) of all or the named
//! sources, one line per source; fails if a source failed or a message was not sent.

use std::path::Path;
use std::process::ExitCode;

use std::sync::Arc;

use anyhow::Result;

use watchkeeper::config::Config;
use watchkeeper::pipeline::{OnStage, Stage};
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
    let (on_stage, bar) = progress(&cfg, &args);
    let report = super::runtime()?.block_on(daemon::once_with(&cfg, wl, &args.sources, on_stage));
    bar.finish_and_clear();
    let report = report?;
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

/// A progress bar on stderr, one step per source, naming the source and its stage; hidden when
/// stderr is not a terminal (indicatif draws nothing there), so logs and pipes stay clean.
fn progress(cfg: &Config, args: &Args) -> (OnStage, indicatif::ProgressBar) {
    let count = cfg
        .sources
        .iter()
        .filter(|s| args.sources.is_empty() || args.sources.contains(&s.name))
        .count();
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(count as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{pos}/{len}] {elapsed} {wide_msg}")
            .expect("a valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let started = std::sync::Mutex::new(Vec::<String>::new());
    let shown = bar.clone();
    let on_stage: OnStage = Arc::new(move |source: &str, stage: Stage| {
        let mut seen = started.lock().unwrap_or_else(|e| e.into_inner());
        if stage == Stage::Fetching {
            if !seen.is_empty() {
                shown.inc(1);
            }
            seen.push(source.to_string());
        }
        let what = match stage {
            Stage::Fetching => "fetching".to_string(),
            Stage::Parsing { bytes } => format!("parsing {:.1} MB", bytes as f64 / 1e6),
            Stage::Matching { entries } => format!("matching {entries} entries"),
            Stage::Storing { alerts } => format!("storing ({alerts} alerts)"),
        };
        shown.set_message(format!("{source}: {what}"));
    });
    (on_stage, bar)
}
