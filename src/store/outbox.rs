//! The outbox: messages composed from alerts, waiting for (or done with) delivery.
//!
//! A message is `pending` (waiting, perhaps until `next_attempt_at`), `sending` (claimed by
//! one delivery round, which is talking to the mail server), `sent`, or `failed` (given up,
//! until `watchkeeper retry` makes it `pending` again). Only [`Store::claim_next`] moves a
//! message to `sending`, and only the claim's owner records its outcome.
//!
//! Every message belongs to a channel: [`EMAIL`], or `webhook:NAME` for a `[[webhook]]`. An
//! alert goes into one message per channel.

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use crate::domain::alert::Alert;
use crate::email::render::Attachment;

use super::{now, Result, Store};

/// The channel of email messages (and of every message stored before channels existed).
pub const EMAIL: &str = "email";

/// An outbox message, as claimed for delivery or re-queued.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipients: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attempts: i64,
    /// The Message-ID every attempt to send this message uses, chosen at its first claim.
    pub message_id: Option<String>,
    /// When the first failed attempt since the message was queued (or re-queued) was made.
    pub first_failed_at: Option<String>,
    /// [`EMAIL`] or `webhook:NAME`.
    pub channel: String,
    /// Files sent with the message; none for a message stored before attachments existed.
    pub attachments: Vec<Attachment>,
}

const COLUMNS: &str = "id, recipients, subject, text, html, attempts, message_id, \
                       first_failed_at, channel, attachments";

fn row_to_message(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxMessage> {
    let recipients: String = r.get(1)?;
    Ok(OutboxMessage {
        id: r.get(0)?,
        recipients: serde_json::from_str(&recipients).unwrap_or_default(),
        subject: r.get(2)?,
        text: r.get(3)?,
        html: r.get(4)?,
        attempts: r.get(5)?,
        message_id: r.get(6)?,
        first_failed_at: r.get(7)?,
        channel: r.get(8)?,
        attachments: r
            .get::<_, Option<String>>(9)?
            .map(|json| {
                serde_json::from_str(&json).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        9,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })
            })
            .transpose()?
            .unwrap_or_default(),
    })
}

/// What [`Store::claim_next`] may take.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRule<'a> {
    /// Who claims: recorded on the message, and required to record its outcome.
    pub owner: &'a str,
    /// The claim time (RFC 3339).
    pub now: &'a str,
    /// Only messages with a greater id (a delivery round walks the outbox once, in order).
    pub after_id: i64,
    /// With a time, only pending messages whose retry time has come by then.
    pub due_before: Option<&'a str>,
    /// A `sending` message claimed before this time is taken as abandoned (its sender
    /// crashed or was killed) and may be claimed again.
    pub stale_before: &'a str,
}

impl Store {
    /// Queues messages, each covering some alerts, in one transaction.
    pub fn queue_messages(&mut self, messages: &[(Vec<i64>, crate::email::Message)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert_messages(&tx, EMAIL, messages)?;
        tx.commit()?;
        Ok(())
    }

    /// Puts every alert not yet in an email message into the messages `plan` makes of them;
    /// [`Store::queue_for_channels`] with the email channel alone.
    pub fn queue_unqueued_alerts(
        &mut self,
        plan: impl FnOnce(&[Alert]) -> Vec<(Vec<i64>, crate::email::Message)>,
    ) -> Result<usize> {
        let mut plan = Some(plan);
        self.queue_for_channels(&[EMAIL.to_string()], |_, alerts| {
            plan.take().map_or_else(Vec::new, |p| p(alerts))
        })
    }

    /// For each channel, puts every alert not yet in a message of that channel into the
    /// messages `plan(channel, alerts)` makes of them, in one IMMEDIATE transaction: the
    /// alerts are read under the write lock, so of two processes composing at once (two
    /// `once`, or the daemon and a `once`) the second finds them already queued, and no alert
    /// goes out twice on one channel under two message ids. A channel other than email that
    /// this database has never seen starts after the alerts already queued on any channel:
    /// a webhook added later gets what is new, not the past. Returns the messages queued.
    pub fn queue_for_channels(
        &mut self,
        channels: &[String],
        mut plan: impl FnMut(&str, &[Alert]) -> Vec<(Vec<i64>, crate::email::Message)>,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now();
        // All channels are registered before any is composed, so a channel new with this
        // cycle still gets this cycle's alerts.
        for channel in channels.iter().filter(|c| *c != EMAIL) {
            tx.execute(
                "INSERT OR IGNORE INTO outbox_channels (channel, after_alert_id, added_at)
                 VALUES (?1, COALESCE((SELECT MAX(alert_id) FROM outbox_alerts), 0), ?2)",
                params![channel, now],
            )?;
        }
        let mut queued = 0;
        for channel in channels {
            let alerts = super::alerts::unqueued_on(&tx, channel)?;
            if alerts.is_empty() {
                continue;
            }
            let messages = plan(channel, &alerts);
            insert_messages(&tx, channel, &messages)?;
            queued += messages.len();
            raise_watermark(&tx, channel, &alerts, &messages)?;
        }
        tx.commit()?;
        Ok(queued)
    }

    /// The alerts message `id` carries, oldest first.
    pub fn message_alerts(&self, id: i64) -> Result<Vec<Alert>> {
        super::alerts::of_message(&self.conn, id)
    }

    /// Claims the next message `rule` allows, in one IMMEDIATE transaction: it becomes
    /// `sending`, owned by `rule.owner`, and keeps its Message-ID or takes `new_message_id`.
    /// The UPDATE repeats the state test and its row count is checked, so of two processes
    /// only one ever claims a message. `None` when nothing is left to claim.
    pub fn claim_next(
        &mut self,
        rule: &ClaimRule<'_>,
        new_message_id: &str,
    ) -> Result<Option<OutboxMessage>> {
        self.claim_next_in(rule, &[EMAIL.to_string()], new_message_id)
    }

    /// [`Store::claim_next`] among the messages of `channels` only: a message of a channel
    /// that is no longer configured waits, neither sent nor failed.
    pub fn claim_next_in(
        &mut self,
        rule: &ClaimRule<'_>,
        channels: &[String],
        new_message_id: &str,
    ) -> Result<Option<OutboxMessage>> {
        // `?N`: the parameter holding the channels (a JSON array), which the two statements
        // number differently.
        let claimable = |n: u8| {
            format!(
                "((state = 'pending' AND (?2 IS NULL OR next_attempt_at <= ?2))
                  OR (state = 'sending' AND claimed_at < ?3))
                 AND channel IN (SELECT value FROM json_each(?{n}))"
            )
        };
        let channels = serde_json::to_string(channels).expect("strings serialize");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        loop {
            let id: Option<i64> = tx
                .query_row(
                    &format!(
                        "SELECT id FROM outbox WHERE id > ?1 AND ({}) ORDER BY id LIMIT 1",
                        claimable(4)
                    ),
                    params![rule.after_id, rule.due_before, rule.stale_before, channels],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(id) = id else {
                tx.commit()?;
                return Ok(None);
            };
            let claimed = tx.execute(
                &format!(
                    "UPDATE outbox SET state = 'sending', claimed_by = ?4, claimed_at = ?5,
                            message_id = COALESCE(message_id, ?6)
                     WHERE id = ?1 AND ({})",
                    claimable(7)
                ),
                params![
                    id,
                    rule.due_before,
                    rule.stale_before,
                    rule.owner,
                    rule.now,
                    new_message_id,
                    channels
                ],
            )?;
            if claimed == 1 {
                let m = tx.query_row(
                    &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
                    [id],
                    row_to_message,
                )?;
                tx.commit()?;
                return Ok(Some(m));
            }
            // Cannot happen under the write lock; were it to, the next candidate is tried.
        }
    }

    /// Records that `owner`'s claim of message `id` was sent. Returns false when the claim
    /// was no longer `owner`'s (taken as abandoned and claimed again), which changes nothing.
    pub fn mark_sent(&self, id: i64, owner: &str) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?3, last_error = NULL,
                    attempts = attempts + 1, claimed_by = NULL, claimed_at = NULL
             WHERE id = ?1 AND state = 'sending' AND claimed_by = ?2",
            params![id, owner, now()],
        )?;
        Ok(n == 1)
    }

    /// Records a failed attempt of `owner`'s claim: `next_attempt_at = None` gives the message
    /// up (`failed`), else it is `pending` until then. The first failure starts the give-up
    /// clock. Returns false, changing nothing, when the claim was no longer `owner`'s.
    pub fn mark_failed(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        next_attempt_at: Option<&str>,
    ) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?3,
                    state = CASE WHEN ?4 IS NULL THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = COALESCE(?4, next_attempt_at),
                    first_failed_at = COALESCE(first_failed_at, ?5),
                    claimed_by = NULL, claimed_at = NULL
             WHERE id = ?1 AND state = 'sending' AND claimed_by = ?2",
            params![id, owner, error, next_attempt_at, now()],
        )?;
        Ok(n == 1)
    }

    /// Makes given-up (`failed`) messages pending again, due now and with a fresh give-up
    /// clock: all of them, or those of `ids`. Returns the re-queued messages, by id.
    pub fn requeue_failed(&mut self, ids: Option<&[i64]>) -> Result<Vec<OutboxMessage>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let failed: Vec<OutboxMessage> = {
            let mut stmt = tx.prepare(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE state = 'failed' ORDER BY id"
            ))?;
            let rows = stmt.query_map([], row_to_message)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let chosen: Vec<OutboxMessage> = failed
            .into_iter()
            .filter(|m| ids.is_none_or(|ids| ids.contains(&m.id)))
            .collect();
        let now = now();
        for m in &chosen {
            tx.execute(
                "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2,
                        first_failed_at = NULL
                 WHERE id = ?1 AND state = 'failed'",
                params![m.id, now],
            )?;
        }
        tx.commit()?;
        Ok(chosen)
    }

    /// The state of message `id` (`pending`, `sending`, `sent`, `failed`), if it exists.
    pub fn message_state(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT state FROM outbox WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }
}

/// Moves `channel`'s watermark past the alerts just read that all went into `messages`: up to
/// the first one left out (an email digest with no recipient for it, say), which stays
/// unqueued and is read again next time. `alerts` are every unqueued alert after the old
/// watermark, oldest first, so an alert below the new one that was not read was already in a
/// message of the channel.
fn raise_watermark(
    tx: &Transaction<'_>,
    channel: &str,
    alerts: &[Alert],
    messages: &[(Vec<i64>, crate::email::Message)],
) -> Result<()> {
    let placed: std::collections::HashSet<i64> =
        messages.iter().flat_map(|(ids, _)| ids).copied().collect();
    let through = match alerts.iter().position(|a| !placed.contains(&a.id)) {
        Some(0) => return Ok(()),
        Some(first_left_out) => alerts[first_left_out - 1].id,
        None => alerts.last().map_or(0, |a| a.id),
    };
    tx.execute(
        "INSERT INTO outbox_queued (channel, through_alert_id) VALUES (?1, ?2)
         ON CONFLICT (channel) DO UPDATE
         SET through_alert_id = MAX(through_alert_id, excluded.through_alert_id)",
        params![channel, through],
    )?;
    Ok(())
}

/// Inserts messages of `channel`, each covering some alerts, in `tx`.
fn insert_messages(
    tx: &Transaction<'_>,
    channel: &str,
    messages: &[(Vec<i64>, crate::email::Message)],
) -> Result<()> {
    let now = now();
    for (alert_ids, msg) in messages {
        tx.execute(
            "INSERT INTO outbox (recipients, subject, text, html, state, attempts,
                                 next_attempt_at, created_at, channel, attachments)
             VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5, ?6, ?7)",
            params![
                serde_json::to_string(&msg.to).expect("strings serialize"),
                msg.subject,
                msg.text,
                msg.html,
                now,
                channel,
                (!msg.attachments.is_empty())
                    .then(|| serde_json::to_string(&msg.attachments).expect("strings serialize")),
            ],
        )?;
        let outbox_id = tx.last_insert_rowid();
        for id in alert_ids {
            tx.execute(
                "INSERT OR IGNORE INTO outbox_alerts (outbox_id, alert_id) VALUES (?1, ?2)",
                params![outbox_id, id],
            )?;
        }
    }
    Ok(())
}
