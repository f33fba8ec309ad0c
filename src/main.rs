//! The `watchkeeper` command.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use watchkeeper::config::{self, Config};
use watchkeeper::domain::ident as imo;
use watchkeeper::{daemon, email, screen, store::Store, watchlist};

const DEFAULT_CONFIG: &str = "/etc/watchkeeper/watchkeeper.toml";

/// Watches sanctions lists and news feeds, and emails you when a watched vessel, person,
/// organisation or keyword appears, changes or disappears.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// The daemon config file.
    #[arg(long, global = true, env = "WATCHKEEPER_CONFIG", default_value = DEFAULT_CONFIG)]
    config: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run as a daemon: every source on its schedule, watchlist reloaded on change or SIGHUP.
    Run,
    /// One full cycle (fetch, parse, diff, match, send) of all or the named sources, then exit.
    Once {
        /// Only this source (repeatable).
        #[arg(long = "source", value_name = "NAME")]
        sources: Vec<String>,
    },
    /// Validate the config and the watchlist and print a summary.
    Check,
    /// Rank stored list entries against a name, with the reason for each score.
    Screen {
        /// The name to screen.
        name: String,
        /// An IMO number (ship or company).
        #[arg(long)]
        imo: Option<String>,
        /// vessel, person or organization.
        #[arg(long)]
        kind: Option<String>,
        /// At most this many results.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Lowest score shown.
        #[arg(long, default_value_t = 0.5)]
        min_score: f64,
        #[arg(long)]
        json: bool,
    },
    /// Recent alerts and their delivery state.
    Alerts {
        /// How far back, e.g. 24h, 7d.
        #[arg(long, default_value = "7d")]
        since: String,
        #[arg(long)]
        json: bool,
    },
    /// Per source: last attempt, last success, entry or item count, last error.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Send one test message through the configured transport.
    TestEmail,
}

fn main() -> ExitCode {
    use std::io::IsTerminal;
    // Under systemd the journal adds its own timestamps and shows raw escape codes: one plain
    // line per event there; colours only on a terminal.
    let under_journal = std::env::var_os("JOURNAL_STREAM").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WATCHKEEPER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    if under_journal {
        builder.without_time().init();
    } else {
        builder.init();
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("watchkeeper: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(path: &std::path::Path) -> Result<Config> {
    // ConfigError already names file:line:col; no extra context needed.
    Ok(config::load(path)?)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check => {
            let cfg = load_config(&cli.config)?;
            let wl = watchlist::load(&cfg.watchlist)?;
            let names: Vec<String> = cfg.sources.iter().map(|s| s.name.clone()).collect();
            watchlist::validate_sources(&wl, &names)?;
            print!("{}", config::summary(&cfg, &wl));
            println!("ok");
            Ok(ExitCode::SUCCESS)
        }
        Command::Once { sources } => {
            let cfg = load_config(&cli.config)?;
            let wl = watchlist::load(&cfg.watchlist)?;
            let report = runtime()?.block_on(daemon::once(&cfg, wl, &sources))?;
            for c in &report.cycles {
                match c {
                    Ok(s) if s.not_modified => println!("{}: not modified", s.source),
                    Ok(s) => println!(
                        "{}: {} entries, {} added, {} changed, {} removed, {} new items, {} alerts",
                        s.source,
                        s.entries,
                        s.added,
                        s.changed,
                        s.removed,
                        s.new_feed_items,
                        s.alerts
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
        Command::Run => {
            let cfg = load_config(&cli.config)?;
            runtime()?.block_on(daemon::run(cfg))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { json } => {
            let cfg = load_config(&cli.config)?;
            let store = Store::open(&cfg.database)?;
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
            if json {
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
        Command::Alerts { since, json } => {
            let cfg = load_config(&cli.config)?;
            let span = humantime::parse_duration(&since).with_context(|| {
                format!("--since {since:?}: expected a duration like 24h or 7d")
            })?;
            let from = chrono::Utc::now() - chrono::Duration::from_std(span)?;
            let from = from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let store = Store::open(&cfg.database)?;
            let records = store.alerts_since(&from)?;
            if json {
                let alerts: Vec<_> = records
                    .iter()
                    .map(|r| {
                        let a = &r.alert;
                        serde_json::json!({
                            "id": a.id, "event": a.event.as_str(), "source": a.source,
                            "entry_id": a.entry_id, "entry_name": a.entry_name,
                            "watch_item": a.watch_item, "score": a.score, "why": a.why,
                            "state": r.state, "created_at": a.created_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::json!({ "alerts": alerts }));
            } else {
                for r in &records {
                    let a = &r.alert;
                    println!(
                        "#{} {} {:<16} {:<8} {} \"{}\" ← {} (score {:.2}) [{}]\n    why: {}",
                        a.id,
                        a.created_at,
                        a.event.as_str(),
                        a.source,
                        a.entry_id,
                        a.entry_name,
                        a.watch_item,
                        a.score,
                        r.state,
                        a.why
                    );
                }
                if records.is_empty() {
                    println!("no alerts since {from}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Screen {
            name,
            imo: imo_arg,
            kind,
            limit,
            min_score,
            json,
        } => {
            let cfg = load_config(&cli.config)?;
            let imo = imo_arg
                .as_deref()
                .map(imo::parse)
                .transpose()
                .context("--imo")?;
            let kind = kind
                .as_deref()
                .map(|k| {
                    screen::parse_kind(k).with_context(|| {
                        format!("--kind {k:?}: expected vessel, person or organization")
                    })
                })
                .transpose()?;
            let store = Store::open(&cfg.database)?;
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
        Command::TestEmail => {
            let cfg = load_config(&cli.config)?;
            let msg = email::render::test_message(cfg.email.to.clone());
            runtime()?
                .block_on(email::transport::send(&cfg.email, &msg))
                .context("test email not sent")?;
            println!("test email sent to {}", cfg.email.to.join(", "));
            Ok(ExitCode::SUCCESS)
        }
    }
}
