//! `watchkeeper retry [ID…]`: makes given-up (`failed`) messages pending again, all or those
//! named by their message id (the `message_id` field of the "message given up" log line), and
//! prints each one re-queued. The next delivery (the daemon's next cycle, or `once`) sends
//! them. Fails if a named id is not a given-up message.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use watchkeeper::outbox;

#[derive(clap::Args)]
pub struct Args {
    /// Message ids to re-queue; all given-up messages when none is named.
    #[arg(value_name = "ID")]
    pub ids: Vec<i64>,
}

pub fn run(args: Args, config: &Path) -> Result<ExitCode> {
    let cfg = super::load_config(config)?;
    let named = (!args.ids.is_empty()).then_some(args.ids.as_slice());
    let requeued = outbox::retry(&cfg.database, named)?;
    for m in &requeued {
        let to = match m.channel.strip_prefix("webhook:") {
            Some(name) => format!("webhook {name}"),
            None => m.recipients.join(", "),
        };
        println!("re-queued message {} to {to}: {}", m.id, m.subject);
    }
    let missing: Vec<i64> = args
        .ids
        .iter()
        .copied()
        .filter(|id| !requeued.iter().any(|m| m.id == *id))
        .collect();
    for id in &missing {
        println!("message {id} is not a given-up message; left as it is");
    }
    if requeued.is_empty() && args.ids.is_empty() {
        println!("no given-up messages");
    }
    Ok(if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
