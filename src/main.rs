//! The `watchkeeper` command: logging, the command line, and a hand-off to the subcommand's
//! module under [`cli`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    init_logging();
    let cli = cli::Cli::parse();
    if cli.command.only_prints() {
        quiet_on_broken_pipe();
    }
    match cli.command.run(&cli.config) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("watchkeeper: {}", cli::report(&e));
            ExitCode::FAILURE
        }
    }
}

/// `watchkeeper screen … | head -1`: when the reader goes away, end at once and quietly, as
/// Unix tools do (killed by SIGPIPE, status 141 in a shell), instead of Rust's default of
/// ignoring the signal and panicking on the failed write. Only for the commands that read the
/// database and print: the daemon and the commands that send mail keep SIGPIPE ignored, so a
/// dropped connection stays an error they handle.
fn quiet_on_broken_pipe() {
    // SAFETY: called before any thread starts; SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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
