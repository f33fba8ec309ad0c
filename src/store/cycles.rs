//! The audit trail: one row per cycle.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::{Result, Store};
pub use crate::domain::audit::CycleRecord;
use crate::domain::audit::Outcome;

impl Store {
    /// Records a cycle that stored nothing (not modified, refused, failed); returns its id.
    pub fn record_cycle(&self, cycle: &CycleRecord) -> Result<i64> {
        insert(&self.conn, cycle)
    }

    /// The last cycle of `source` that screened a download (applied, or found no entry
    /// changed): what the stored snapshot was made from.
    pub fn last_screened(&self, source: &str) -> Result<Option<LastScreened>> {
        Ok(self
            .conn
            .query_row(
                "SELECT content_hash, content_check, published, entries FROM cycles
                 WHERE source = ?1 AND outcome IN ('applied', 'unchanged')
                       AND content_hash IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                [source],
                |r| {
                    Ok(LastScreened {
                        content_hash: r.get(0)?,
                        content_check: r.get(1)?,
                        published: r.get(2)?,
                        entries: r.get::<_, Option<i64>>(3)?.map(|n| n as usize),
                    })
                },
            )
            .optional()?)
    }

    /// Cycles begun at or after `since` (RFC 3339), oldest first.
    pub fn cycles_since(&self, since: &str) -> Result<Vec<CycleRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, source, kind, started_at, finished_at, outcome, published, content_hash,
                    entries, added, relisted, changed, removed, watchlist_hash, watch_items,
                    alerts, error, content_check
             FROM cycles WHERE started_at >= ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([since], |r| {
            let outcome: String = r.get(5)?;
            let alerts: String = r.get(15)?;
            Ok(CycleRecord {
                id: r.get(0)?,
                source: r.get(1)?,
                kind: r.get(2)?,
                started_at: r.get(3)?,
                finished_at: r.get(4)?,
                outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Failed),
                published: r.get(6)?,
                content_hash: r.get(7)?,
                entries: r.get::<_, Option<i64>>(8)?.map(|n| n as usize),
                added: r.get::<_, i64>(9)? as usize,
                relisted: r.get::<_, i64>(10)? as usize,
                changed: r.get::<_, i64>(11)? as usize,
                removed: r.get::<_, i64>(12)? as usize,
                watchlist_hash: r.get(13)?,
                watch_items: r.get::<_, i64>(14)? as usize,
                alerts: serde_json::from_str::<BTreeMap<String, usize>>(&alerts)
                    .unwrap_or_default(),
                error: r.get(16)?,
                content_check: r.get(17)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// What the last screened download of a source was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastScreened {
    pub content_hash: String,
    /// None for a cycle recorded by a build that made no such check.
    pub content_check: Option<String>,
    pub published: Option<String>,
    pub entries: Option<usize>,
}

pub(super) fn insert(conn: &Connection, c: &CycleRecord) -> Result<i64> {
    conn.execute(
        "INSERT INTO cycles (source, kind, started_at, finished_at, outcome, published,
                             content_hash, entries, added, relisted, changed, removed,
                             watchlist_hash, watch_items, alerts, error, content_check)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            c.source,
            c.kind,
            c.started_at,
            c.finished_at,
            c.outcome.as_str(),
            c.published,
            c.content_hash,
            c.entries.map(|n| n as i64),
            c.added as i64,
            c.relisted as i64,
            c.changed as i64,
            c.removed as i64,
            c.watchlist_hash,
            c.watch_items as i64,
            serde_json::to_string(&c.alerts).expect("counts serialize"),
            c.error,
            c.content_check,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Sets the new-alert counts of a cycle, known once its alerts are inserted.
pub(super) fn set_alert_counts(
    conn: &Connection,
    id: i64,
    alerts: &BTreeMap<String, usize>,
) -> Result<()> {
    conn.execute(
        "UPDATE cycles SET alerts = ?2 WHERE id = ?1",
        params![id, serde_json::to_string(alerts).expect("counts serialize")],
    )?;
    Ok(())
}
