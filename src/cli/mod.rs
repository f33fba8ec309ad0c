//! The command line: the clap definitions, one module per subcommand, and what they share.
//!
//! Each subcommand is one variant of [`Command`] holding its module's `Args`, and one module
//! with `pub fn run(args: Args, config: &Path) -> anyhow::Result<ExitCode>`; [`Command::run`]
//! hands the parsed arguments to it. Adding a subcommand is a variant (with its doc comment,
//! which is its `--help` line) and its arm below, plus the module.
//!
//! Library errors stay typed; a subcommand adds context with `anyhow` where the library error
//! does not say which argument it is about, and [`report`] prints the chain once.

pub mod alerts;
pub mod audit;
pub mod check;
pub mod dismiss;
pub mod generate;
pub mod history;
pub mod import;
pub mod once;
pub mod retry;
pub mod run;
pub mod screen;
pub mod status;
pub mod test_email;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use watchkeeper::config::{self, Config};

const DEFAULT_CONFIG: &str = "/etc/watchkeeper/watchkeeper.toml";

/// `--version`: the package version and the commit it was built from (`build.rs`).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("WATCHKEEPER_COMMIT"),
    ")"
);

/// Watches sanctions lists and news feeds, and emails you when a watched vessel, person,
/// organisation or keyword appears, changes or disappears.
#[derive(Parser)]
#[command(version = VERSION, about, long_about = None)]
pub struct Cli {
    /// The daemon config file.
    #[arg(long, global = true, env = "WATCHKEEPER_CONFIG", default_value = DEFAULT_CONFIG)]
    pub config: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run as a daemon: every source on its schedule, watchlist reloaded on change or SIGHUP.
    Run(run::Args),
    /// One full cycle (fetch, parse, diff, match, send) of all or the named sources, then exit.
    Once(once::Args),
    /// Validate the config and the watchlist and print a summary.
    Check(check::Args),
    /// Rank stored list entries against a name, with the reason for each score.
    Screen(screen::Args),
    /// Recent alerts and their delivery state.
    Alerts(alerts::Args),
    /// Per source: last attempt, last success, entry or item count, last error.
    Status(status::Args),
    /// Send one test message through the configured transport.
    TestEmail(test_email::Args),
    /// Record that an alert was reviewed and is not a match: silent until the entry changes.
    Dismiss(dismiss::Args),
    /// Append watch items from a CSV file (columns by header name) to the watchlist.
    Import(import::Args),
    /// Re-queue given-up messages (all, or the named message ids) for the next delivery.
    Retry(retry::Args),
    /// An entity's timeline across every list: episodes, names, flags, links, programs.
    History(history::Args),
    /// For each cycle: which list version was screened, when, against which watchlist, and
    /// what came of it.
    Audit(audit::Args),
    /// Write the man pages and shell completions into a folder (for packaging).
    #[command(hide = true)]
    Generate(generate::Args),
}

impl Command {
    /// Runs the subcommand with the config file at `config`.
    pub fn run(self, config: &Path) -> Result<ExitCode> {
        match self {
            Command::Run(args) => run::run(args, config),
            Command::Once(args) => once::run(args, config),
            Command::Check(args) => check::run(args, config),
            Command::Screen(args) => screen::run(args, config),
            Command::Alerts(args) => alerts::run(args, config),
            Command::Status(args) => status::run(args, config),
            Command::TestEmail(args) => test_email::run(args, config),
            Command::Dismiss(args) => dismiss::run(args, config),
            Command::Import(args) => import::run(args, config),
            Command::Retry(args) => retry::run(args, config),
            Command::History(args) => history::run(args, config),
            Command::Audit(args) => audit::run(args, config),
            Command::Generate(args) => generate::run(args, config),
        }
    }
}

impl Command {
    /// Whether the command only reads files and the database and prints (no network, no
    /// daemon): such a command may simply end when its output is closed.
    pub fn only_prints(&self) -> bool {
        !matches!(
            self,
            Command::Run(_) | Command::Once(_) | Command::TestEmail(_)
        )
    }
}

/// The daemon config.
pub fn load_config(path: &Path) -> Result<Config> {
    // ConfigError already names file:line:col; no extra context needed.
    Ok(config::load(path)?)
}

/// The async runtime for the subcommands that fetch, send or run the daemon.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// An error and its causes on one line, `outer: inner: …`, each cause once: a cause whose text
/// the message already holds (library errors often print their source in their own message)
/// is not repeated.
pub fn report(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{path}: {source}")]
    struct Repeats {
        path: String,
        source: std::io::Error,
    }

    #[test]
    fn report_names_each_cause_once() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(Repeats {
            path: "x.toml".into(),
            source: io(),
        });
        assert_eq!(report(&e), "x.toml: no such file");
        let e = anyhow::Error::new(io()).context("--since");
        assert_eq!(report(&e), "--since: no such file");
        let e = anyhow::Error::new(Repeats {
            path: "x.toml".into(),
            source: io(),
        })
        .context("reading the config");
        assert_eq!(report(&e), "reading the config: x.toml: no such file");
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
