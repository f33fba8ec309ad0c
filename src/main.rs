//! The `watchkeeper` command: logging, the command line, and a hand-off to the subcommand's
//! module under [`cli`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    init_logging();
    let cli = cli::Cli::parse();
    match cli.command.run(&cli.config) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("watchkeeper: {}", cli::report(&e));
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr at `WATCHKEEPER_LOG` (default `info`). Under systemd the journal adds its own
/// timestamps and shows raw escape codes: one plain line per event there; colours only on a
/// terminal.
fn init_logging() {
    use std::io::IsTerminal;
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
}
