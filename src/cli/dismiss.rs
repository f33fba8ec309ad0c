//! `watchkeeper dismiss ALERT_ID [--note TEXT]`: records that a person reviewed the alert and
//! found it is not a match. The (watch item, entry) pair stays silent until the entry changes;
//! `alerts` shows who dismissed it, when and why.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// The alert's number, as `watchkeeper alerts` and the email show it (`#42` or `42`).
    #[arg(value_name = "ALERT_ID", value_parser = parse_id)]
    pub id: i64,
    /// Why it is not a match, kept with the review.
    #[arg(long)]
    pub note: Option<String>,
}

fn parse_id(text: &str) -> Result<i64, String> {
    text.trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| format!("expected an alert number such as 42, found {text:?}"))
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let store = Store::open_existing(&cfg.database)?;
    let note = args
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let review = store.dismiss(args.id, &reviewer(), note)?;
    println!(
        "alert #{} dismissed by {} at {}{}: silent until the entry changes",
        review.alert_id,
        review.by,
        review.at,
        review
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

/// Who is reviewing: the person behind `sudo`, else the login user, else the numeric uid.
fn reviewer() -> String {
    for var in ["SUDO_USER", "USER", "LOGNAME"] {
        if let Ok(name) = std::env::var(var) {
            if !name.trim().is_empty() {
                return name.trim().to_string();
            }
        }
    }
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata("/proc/self") {
        Ok(m) => format!("uid {}", m.uid()),
        Err(_) => "unknown".to_string(),
    }
}
