//! The outbox: messages composed from alerts, waiting for (or done with) delivery.

use rusqlite::params;

use super::{now, Result, Store};

/// An outbox message waiting for delivery.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipients: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attempts: i64,
}

impl Store {
    /// Queues messages, each covering some alerts, in one transaction.
    pub fn queue_messages(&mut self, messages: &[(Vec<i64>, crate::email::Message)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        let now = now();
        for (alert_ids, msg) in messages {
            tx.execute(
                "INSERT INTO outbox (recipients, subject, text, html, state, attempts,
                                     next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)",
                params![
                    serde_json::to_string(&msg.to).expect("strings serialize"),
                    msg.subject,
                    msg.text,
                    msg.html,
                    now
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
        tx.commit()?;
        Ok(())
    }

    /// Pending messages; with `due_before`, only those whose backoff has expired by then.
    pub fn pending_messages(&self, due_before: Option<&str>) -> Result<Vec<OutboxMessage>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, recipients, subject, text, html, attempts FROM outbox
             WHERE state = 'pending' AND (?1 IS NULL OR next_attempt_at <= ?1) ORDER BY id",
        )?;
        let rows = stmt.query_map([due_before], |r| {
            let recipients: String = r.get(1)?;
            Ok(OutboxMessage {
                id: r.get(0)?,
                recipients: serde_json::from_str(&recipients).unwrap_or_default(),
                subject: r.get(2)?,
                text: r.get(3)?,
                html: r.get(4)?,
                attempts: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn mark_sent(&self, id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?2, last_error = NULL,
                    attempts = attempts + 1 WHERE id = ?1",
            params![id, now()],
        )?;
        Ok(())
    }

    /// Records a failed attempt; `next_attempt_at = None` gives the message up.
    pub fn mark_failed(&self, id: i64, error: &str, next_attempt_at: Option<&str>) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,
                    state = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = COALESCE(?3, next_attempt_at)
             WHERE id = ?1",
            params![id, error, next_attempt_at],
        )?;
        Ok(())
    }
}
