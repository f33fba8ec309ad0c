//! The alert outbox: alerts recorded by a cycle become messages (one digest per recipient, or
//! one per alert), and messages are delivered with retries and backoff. An alert is always
//! committed before any attempt to send it, so a crash or a dead mail server loses nothing.
//! Email and each `[[webhook]]` are channels of one outbox: an alert becomes one message per
//! channel, and every message is claimed, sent and recorded the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::config::{EmailConfig, MailMode, WebhookConfig};
use crate::domain::alert::Alert;
use crate::email::{self, Message};
use crate::store::outbox::{ClaimRule, EMAIL};
use crate::store::{OutboxMessage, Store, StoreError};
use crate::webhook;

/// A `sending` message whose claim is older than this is taken as abandoned by a sender that
/// crashed or was killed, and is claimed again and resent under the same Message-ID. A live
/// sender records its outcome within [`SMTP_TIMEOUT`](email::transport::SMTP_TIMEOUT) of its
/// claim, so a claim this old cannot belong to a send still under way. The default of the
/// `[email]` key `claim_timeout` ([`EmailConfig::claim_timeout`]).
pub const CLAIM_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Delay before the next attempt after `attempts` failures: 1 min, doubling, at most 6 h.
pub fn backoff(attempts: i64) -> Duration {
    let secs = 60u64.saturating_mul(1u64 << attempts.clamp(0, 20) as u32);
    Duration::from_secs(secs.min(6 * 3600))
}

/// Turns every alert not yet in a message into messages, per the configured mode. The alerts
/// are read and queued in one write transaction, so two processes composing at once never put
/// one alert into two messages (which would go out under two Message-IDs).
pub fn compose(store: &mut Store, email_cfg: &EmailConfig) -> Result<usize, StoreError> {
    compose_all(store, email_cfg, &[])
}

/// [`compose`] for email and every webhook, in one transaction.
pub fn compose_all(
    store: &mut Store,
    email_cfg: &EmailConfig,
    webhooks: &[WebhookConfig],
) -> Result<usize, StoreError> {
    store.queue_for_channels(&channels(webhooks), |channel, alerts| {
        match webhooks.iter().find(|w| w.channel() == channel) {
            Some(w) => webhook::plan(alerts, w),
            None => plan(alerts, email_cfg),
        }
    })
}

fn channels(webhooks: &[WebhookConfig]) -> Vec<String> {
    std::iter::once(EMAIL.to_string())
        .chain(webhooks.iter().map(WebhookConfig::channel))
        .collect()
}

/// Who gets which alerts, and in how many messages.
fn plan(alerts: &[Alert], cfg: &EmailConfig) -> Vec<(Vec<i64>, Message)> {
    let recipients_of =
        |a: &Alert| -> BTreeSet<String> { cfg.to.iter().chain(a.notify.iter()).cloned().collect() };
    match cfg.mode {
        MailMode::Each => alerts
            .iter()
            .map(|a| {
                let to: Vec<String> = recipients_of(a).into_iter().collect();
                (vec![a.id], email::render::single(a, to))
            })
            .collect(),
        MailMode::Digest => {
            // One digest per recipient; recipients who get exactly the same alerts share one
            // message, so a team on `to` sees one email, not one each.
            let mut per_recipient: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, a) in alerts.iter().enumerate() {
                for r in recipients_of(a) {
                    per_recipient.entry(r).or_default().push(i);
                }
            }
            let mut groups: BTreeMap<Vec<usize>, Vec<String>> = BTreeMap::new();
            for (r, idxs) in per_recipient {
                groups.entry(idxs).or_default().push(r);
            }
            groups
                .into_iter()
                .map(|(idxs, to)| {
                    let chosen: Vec<Alert> = idxs.iter().map(|&i| alerts[i].clone()).collect();
                    let ids = chosen.iter().map(|a| a.id).collect();
                    (
                        ids,
                        email::render::digest_limited(&chosen, to, cfg.digest_limit),
                    )
                })
                .collect()
        }
    }
}

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
    pub given_up: usize,
}

/// Who owns a delivery round's claims: the process and a per-process counter (two rounds in
/// one process, as in tests or a daemon cycle overlapping `once`, are two owners) and the time.
fn claim_owner() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static ROUND: AtomicU64 = AtomicU64::new(0);
    format!(
        "pid {} round {} at {}",
        std::process::id(),
        ROUND.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Sends pending messages, each claimed first. With `respect_backoff`, only messages whose
/// retry time has come (the daemon); without, every pending message (a person running `once`
/// wants it now), which does not bring the give-up time any closer: a message is given up
/// only after failing for `give_up_after`, however often it was tried.
///
/// Each message is claimed in the database (state `sending`, with its Message-ID) before any
/// byte goes to the mail server, so two rounds, in one process or two, never send the same
/// message. If the outcome of a send cannot be recorded, the round stops there and returns
/// the error: the message stays `sending` and is resent, under the same Message-ID, only once
/// its claim is older than `claim_timeout` ([`CLAIM_TIMEOUT`] unless configured).
pub async fn deliver(
    db: &std::path::Path,
    email_cfg: &EmailConfig,
    respect_backoff: bool,
) -> Result<Delivery, StoreError> {
    deliver_all(db, email_cfg, &[], respect_backoff).await
}

/// Why one attempt failed, on whichever channel.
#[derive(Debug, thiserror::Error)]
enum AttemptError {
    #[error(transparent)]
    Email(#[from] email::SendError),
    #[error(transparent)]
    Webhook(#[from] webhook::WebhookError),
}

/// [`deliver`] for the messages of email and of every webhook. Webhook messages follow the
/// same rules: claimed first, sent under their stored message id (the `Idempotency-Key`),
/// retried with the same backoff and given up after the same `give_up_after`.
pub async fn deliver_all(
    db: &std::path::Path,
    email_cfg: &EmailConfig,
    webhooks: &[WebhookConfig],
    respect_backoff: bool,
) -> Result<Delivery, StoreError> {
    let channels = channels(webhooks);
    let mut store = Store::open(db)?;
    let owner = claim_owner();
    let started = chrono::Utc::now();
    let due = rfc3339(started);
    let mut report = Delivery::default();
    let mut after_id = 0;
    loop {
        let now = chrono::Utc::now();
        let stale_before =
            rfc3339(now - chrono::Duration::from_std(email_cfg.claim_timeout).unwrap_or_default());
        let rule = ClaimRule {
            owner: &owner,
            now: &rfc3339(now),
            after_id,
            due_before: respect_backoff.then_some(due.as_str()),
            stale_before: &stale_before,
        };
        let new_id = email::transport::new_message_id(&email_cfg.from);
        let Some(m) = store.claim_next_in(&rule, &channels, &new_id)? else {
            break;
        };
        after_id = m.id;
        let msg = Message {
            to: m.recipients.clone(),
            subject: m.subject.clone(),
            text: m.text.clone(),
            html: m.html.clone(),
            attachments: m.attachments.clone(),
        };
        tracing::debug!(
            message_id = m.id,
            smtp_message_id = m.message_id.as_deref().unwrap_or(""),
            channel = %m.channel,
            to = %m.recipients.join(", "),
            subject = %m.subject,
            "sending message"
        );
        let hook = webhooks.iter().find(|w| w.channel() == m.channel);
        let sent: Result<(), AttemptError> = match hook {
            None => email::transport::send_as(
                email_cfg,
                &msg,
                m.message_id.as_deref(),
                email::transport::SMTP_TIMEOUT,
            )
            .await
            .map_err(AttemptError::from),
            Some(w) => {
                let alerts = store.message_alerts(m.id)?;
                let key = webhook::idempotency_key(m.message_id.as_deref().unwrap_or(&new_id));
                webhook::send(w, &msg, &alerts, &key)
                    .await
                    .map_err(AttemptError::from)
            }
        };
        match sent {
            Ok(()) => {
                if !store.mark_sent(m.id, &owner)? {
                    tracing::warn!(
                        message_id = m.id,
                        "sent after its claim had expired and been taken over"
                    );
                }
                report.sent += 1;
                match hook {
                    None => {
                        tracing::info!(message_id = m.id, to = %m.recipients.join(", "), subject = %m.subject, "email sent")
                    }
                    Some(w) => {
                        tracing::info!(message_id = m.id, webhook = %w.name, subject = %m.subject, "webhook message sent")
                    }
                }
            }
            Err(e) => {
                let attempts = m.attempts + 1;
                let now = chrono::Utc::now();
                let failing_since = m
                    .first_failed_at
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map_or(now, |t| t.with_timezone(&chrono::Utc));
                let failing_for = (now - failing_since).to_std().unwrap_or_default();
                if failing_for >= email_cfg.give_up_after {
                    store.mark_failed(m.id, &owner, &e.to_string(), None)?;
                    report.given_up += 1;
                    tracing::error!(message_id = m.id, channel = %m.channel, attempts, error = %e, "message given up after failing for {}", humantime::format_duration(email_cfg.give_up_after));
                } else {
                    let next =
                        now + chrono::Duration::from_std(backoff(m.attempts)).unwrap_or_default();
                    let next = rfc3339(next);
                    store.mark_failed(m.id, &owner, &e.to_string(), Some(&next))?;
                    report.failed += 1;
                    tracing::warn!(message_id = m.id, channel = %m.channel, attempts, error = %e, retry_at = %next, "message not sent, will retry");
                }
            }
        }
    }
    Ok(report)
}

/// Makes given-up messages pending again (all, or those of `ids`), to be sent by the next
/// delivery; returns them.
pub fn retry(db: &std::path::Path, ids: Option<&[i64]>) -> Result<Vec<OutboxMessage>, StoreError> {
    Store::open(db)?.requeue_failed(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0), Duration::from_secs(60));
        assert_eq!(backoff(3), Duration::from_secs(480));
        assert_eq!(backoff(15), Duration::from_secs(6 * 3600));
    }
}
