//! Alerts: stored once per key, before any send.

use rusqlite::{params, Transaction};

use super::{decode, Result, Store};
use crate::domain::alert::{Alert, AlertKey};

/// A stored alert with its delivery state, for `alerts`.
#[derive(Debug, Clone)]
pub struct AlertRecord {
    pub alert: Alert,
    /// `pending` (not yet in a message), `queued`, `sending` (claimed by a delivery that is
    /// sending it, or that crashed doing so), `sent` or `failed` (given up; `retry` re-queues).
    pub state: String,
    /// Set when someone dismissed it as "not a match" (`watchkeeper dismiss`).
    pub review: Option<super::Review>,
}

impl Store {
    /// Alerts not yet placed in any outbox message, oldest first (to compose them, see
    /// [`Store::queue_unqueued_alerts`], which reads them under the write lock).
    pub fn unqueued_alerts(&self) -> Result<Vec<Alert>> {
        unqueued(&self.conn)
    }

    /// Alerts created at or after `since` (RFC 3339), newest first, with delivery state.
    pub fn alerts_since(&self, since: &str) -> Result<Vec<AlertRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.data,
                    CASE WHEN NOT EXISTS (SELECT 1 FROM outbox_alerts oa WHERE oa.alert_id = a.id)
                           THEN 'pending'
                         WHEN EXISTS (SELECT 1 FROM outbox_alerts oa JOIN outbox o ON o.id = oa.outbox_id
                                      WHERE oa.alert_id = a.id AND o.state = 'failed') THEN 'failed'
                         WHEN EXISTS (SELECT 1 FROM outbox_alerts oa JOIN outbox o ON o.id = oa.outbox_id
                                      WHERE oa.alert_id = a.id AND o.state = 'sending') THEN 'sending'
                         WHEN EXISTS (SELECT 1 FROM outbox_alerts oa JOIN outbox o ON o.id = oa.outbox_id
                                      WHERE oa.alert_id = a.id AND o.state = 'pending') THEN 'queued'
                         ELSE 'sent' END,
                    r.reviewer, r.reviewed_at, r.note
             FROM alerts a LEFT JOIN reviews r ON r.alert_id = a.id
             WHERE a.created_at >= ?1 ORDER BY a.id DESC",
        )?;
        let rows = stmt.query_map([since], |r| {
            let review = match r.get::<_, Option<String>>(2)? {
                Some(by) => Some((by, r.get::<_, String>(3)?, r.get::<_, Option<String>>(4)?)),
                None => None,
            };
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, review))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (data, state, review) = row?;
            let alert = decode_alert(&data)?;
            let review = review.map(|(by, at, note)| super::Review {
                alert_id: alert.id,
                by,
                at,
                note,
            });
            out.push(AlertRecord {
                alert,
                state,
                review,
            });
        }
        Ok(out)
    }
}

fn decode_alert(data: &str) -> Result<Alert> {
    decode("alerts", "", data)
}

/// Whether an alert with this key was ever recorded.
pub(super) fn exists(tx: &Transaction<'_>, key: &AlertKey) -> Result<bool> {
    let mut stmt = tx.prepare_cached("SELECT 1 FROM alerts WHERE dedup_key = ?1")?;
    Ok(stmt.exists([key.as_str()])?)
}

/// Records an alert unless one with the same key exists; returns whether it was new.
pub(super) fn insert_alert(
    tx: &Transaction<'_>,
    key: &AlertKey,
    alert: &mut Alert,
    cycle: Option<i64>,
) -> Result<bool> {
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO alerts (dedup_key, event, source, entry_id, entry_name,
                                       watch_item_id, watch_item, score, why, data, created_at,
                                       cycle_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '{}', ?10, ?11)",
        params![
            key.as_str(),
            alert.event.as_str(),
            alert.source,
            alert.entry_id,
            alert.entry_name,
            alert.watch_item_id,
            alert.watch_item,
            alert.score,
            alert.why,
            alert.created_at,
            cycle
        ],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    alert.id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE alerts SET data = ?2 WHERE id = ?1",
        params![
            alert.id,
            serde_json::to_string(alert).expect("alerts serialize")
        ],
    )?;
    Ok(true)
}

/// Alerts not yet placed in any outbox message, oldest first.
pub(super) fn unqueued(conn: &rusqlite::Connection) -> Result<Vec<Alert>> {
    let mut stmt = conn.prepare(
        "SELECT data FROM alerts WHERE id NOT IN (SELECT alert_id FROM outbox_alerts)
         ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    decode_all(rows)
}

/// Alerts not yet in a message of `channel` and not older than the channel (see
/// [`Store::queue_for_channels`]), oldest first. Only alerts after the channel's watermark
/// (`outbox_queued`) are read: every alert up to it is in a message of the channel.
pub(super) fn unqueued_on(conn: &rusqlite::Connection, channel: &str) -> Result<Vec<Alert>> {
    let mut stmt = conn.prepare(
        "SELECT a.data FROM alerts a
         WHERE a.id > MAX(
                 COALESCE((SELECT after_alert_id FROM outbox_channels WHERE channel = ?1), 0),
                 COALESCE((SELECT through_alert_id FROM outbox_queued WHERE channel = ?1), 0))
           AND NOT EXISTS (SELECT 1 FROM outbox_alerts oa JOIN outbox o ON o.id = oa.outbox_id
                           WHERE oa.alert_id = a.id AND o.channel = ?1)
         ORDER BY a.id",
    )?;
    let rows = stmt.query_map([channel], |r| r.get::<_, String>(0))?;
    decode_all(rows)
}

/// The alerts of outbox message `id`, oldest first.
pub(super) fn of_message(conn: &rusqlite::Connection, id: i64) -> Result<Vec<Alert>> {
    let mut stmt = conn.prepare(
        "SELECT a.data FROM outbox_alerts oa JOIN alerts a ON a.id = oa.alert_id
         WHERE oa.outbox_id = ?1 ORDER BY a.id",
    )?;
    let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
    decode_all(rows)
}

fn decode_all(rows: impl Iterator<Item = rusqlite::Result<String>>) -> Result<Vec<Alert>> {
    let mut out = Vec::new();
    for row in rows {
        out.push(decode_alert(&row?)?);
    }
    Ok(out)
}
