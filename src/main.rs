//! The `watchkeeper` command: logging, the command line, and a hand-off to the subcommand's
//! module under [`cli`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    watchkeeper::memory::one_arena();
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

/// Logs to stderr at `WATCHKEEPER_LOG` (default `info`), as text or, with
/// `WATCHKEEPER_LOG_FORMAT=json`, one JSON object per line. When stderr is the journal's
/// stream (`JOURNAL_STREAM` names it), each line starts with its syslog priority (`<3>` for
/// errors, `<4>` warnings, `<6>` info, `<7>` debug) so that `journalctl -p err` finds errors,
/// and carries no timestamp, which the journal adds. Colours only on a terminal.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("WATCHKEEPER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let json =
        std::env::var("WATCHKEEPER_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let journal = stderr_is_journal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(!json && !journal && std::io::stderr().is_terminal())
        .with_target(false);
    match (json, journal) {
        (true, true) => builder
            .json()
            .without_time()
            .event_format(journal::Priority(
                tracing_subscriber::fmt::format()
                    .json()
                    .without_time()
                    .with_target(false),
            ))
            .init(),
        (true, false) => builder.json().init(),
        (false, true) => builder
            .event_format(journal::Priority(
                tracing_subscriber::fmt::format()
                    .without_time()
                    .with_target(false)
                    .with_ansi(false),
            ))
            .init(),
        (false, false) => builder.init(),
    }
}

/// Whether stderr is the stream systemd connected to the journal: `JOURNAL_STREAM` is
/// `DEVICE:INODE` of that stream, and a process whose stderr was redirected since (a shell
/// started from a unit) must not prefix priorities into a file.
fn stderr_is_journal() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(stream) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = stream.to_str().and_then(|s| s.split_once(':')) else {
        return false;
    };
    match std::fs::metadata("/proc/self/fd/2") {
        Ok(m) => dev.parse() == Ok(m.dev()) && ino.parse() == Ok(m.ino()),
        Err(_) => false,
    }
}

mod journal {
    use std::fmt;

    use tracing::{Event, Level, Subscriber};
    use tracing_subscriber::fmt::format::Writer;
    use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
    use tracing_subscriber::registry::LookupSpan;

    /// An event format with the sd-daemon priority prefix (`<3>`…) before each line.
    pub struct Priority<F>(pub F);

    impl<S, N, F> FormatEvent<S, N> for Priority<F>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
        F: FormatEvent<S, N>,
    {
        fn format_event(
            &self,
            ctx: &FmtContext<'_, S, N>,
            mut writer: Writer<'_>,
            event: &Event<'_>,
        ) -> fmt::Result {
            let priority = match *event.metadata().level() {
                Level::ERROR => 3,
                Level::WARN => 4,
                Level::INFO => 6,
                _ => 7,
            };
            write!(writer, "<{priority}>")?;
            self.0.format_event(ctx, writer, event)
        }
    }
}
