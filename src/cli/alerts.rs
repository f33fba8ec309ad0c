//! `watchkeeper alerts`: the alerts of a recent span and their delivery state.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use watchkeeper::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// How far back, e.g. 24h, 7d.
    #[arg(long, default_value = "7d")]
    pub since: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let Args { since, json } = args;
    let cfg = super::load_config(config)?;
    let span = humantime::parse_duration(&since)
        .with_context(|| format!("--since {since:?}: expected a duration like 24h or 7d"))?;
    let from = chrono::Utc::now() - chrono::Duration::from_std(span)?;
    let from = from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let store = Store::open_existing(&cfg.database)?;
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
                    "review": r.review.as_ref().map(|v| serde_json::json!({
                        "state": "dismissed", "by": v.by, "at": v.at, "note": v.note,
                    })),
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "alerts": alerts }));
    } else {
        for r in &records {
            let a = &r.alert;
            println!(
                "#{} {} {:<16} {:<8} {} \"{}\" ← {} (score {:.2}) [{}]\n    why: {}{}",
                a.id,
                a.created_at,
                a.event.as_str(),
                a.source,
                a.entry_id,
                a.entry_name,
                a.watch_item,
                a.score,
                r.state,
                a.why,
                r.review
                    .as_ref()
                    .map(|v| format!(
                        "\n    dismissed: not a match, by {} at {}{}",
                        v.by,
                        v.at,
                        v.note
                            .as_deref()
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default()
                    ))
                    .unwrap_or_default()
            );
        }
        if records.is_empty() {
            println!("no alerts since {from}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
