//! Each source's status: last attempt, last success, last error, staleness; and which watch
//! items have been screened against the stored lists.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{now, Result, Store};

pub use crate::domain::audit::SourceStatus;

impl Store {
    pub fn source_status(&self, name: &str) -> Result<Option<SourceStatus>> {
        source_status(&self.conn, name)
    }

    pub fn all_source_status(&self) -> Result<Vec<SourceStatus>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM sources ORDER BY name")?;
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for n in names {
            if let Some(s) = source_status(&self.conn, &n)? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// How many snapshots of `name` have been stored; a plan records it (`CyclePlan::generation`).
    pub fn generation(&self, name: &str) -> Result<i64> {
        generation(&self.conn, name)
    }

    /// Records that a cycle of `name` begins.
    pub fn record_attempt(&self, name: &str, kind: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sources (name, kind, last_attempt) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind,
                                              last_attempt = excluded.last_attempt",
            params![name, kind, now()],
        )?;
        Ok(())
    }

    /// Records that a cycle of `name` failed; returns the status as it now stands.
    pub fn record_failure(&self, name: &str, error: &str) -> Result<Option<SourceStatus>> {
        self.conn.execute(
            "UPDATE sources SET last_error = ?2, failing_since = COALESCE(failing_since, ?3)
             WHERE name = ?1",
            params![name, error, now()],
        )?;
        self.source_status(name)
    }

    /// Records a successful cycle that stored no new snapshot (not modified).
    pub fn record_not_modified(&self, name: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET last_success = ?2, last_error = NULL, failing_since = NULL
             WHERE name = ?1",
            params![name, now()],
        )?;
        Ok(())
    }

    /// Records a successful cycle whose download was byte for byte the one last screened: the
    /// server ignored the conditional request, or sent new validators for the same content.
    pub fn record_same_content(
        &self,
        name: &str,
        validators: &str,
        published: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET last_success = ?2, last_error = NULL, failing_since = NULL,
                    validators = ?3, published = COALESCE(?4, published)
             WHERE name = ?1",
            params![name, now(), validators, published],
        )?;
        Ok(())
    }

    /// The HTTP validators (ETag, Last-Modified…) stored for a source, as JSON.
    pub fn validators(&self, source: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT validators FROM sources WHERE name = ?1",
                [source],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Watch item ids already screened against the stored lists.
    pub fn screened_watch_items(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.conn.prepare("SELECT item_id FROM watch_items")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }
}

/// How many snapshots of a source have been stored (0 for a source never applied): what a plan
/// was made from, checked again when it is applied.
pub(super) fn generation(conn: &Connection, name: &str) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT snapshots FROM sources WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Records a successful cycle that applied a snapshot of `entries` entries; a `warning` (a
/// feed read only up to where it broke) stands as the last error, but the source is not failing.
pub(super) fn record_snapshot(
    tx: &Transaction<'_>,
    name: &str,
    validators: Option<&str>,
    published: Option<&str>,
    entries: usize,
    warning: Option<&str>,
) -> Result<()> {
    tx.execute(
        "UPDATE sources SET last_success = ?2, last_error = ?6, failing_since = NULL,
                entries = ?3, snapshots = snapshots + 1,
                validators = COALESCE(?4, validators), published = COALESCE(?5, published)
         WHERE name = ?1",
        params![name, now(), entries as i64, validators, published, warning],
    )?;
    Ok(())
}

/// Counts a snapshot that listed, changed or delisted entries of a source (see
/// `Store::entries_fingerprint`).
pub(super) fn note_entries_changed(tx: &Transaction<'_>, name: &str) -> Result<()> {
    tx.execute(
        "UPDATE sources SET entries_changed = entries_changed + 1 WHERE name = ?1",
        [name],
    )?;
    Ok(())
}

/// Sets whether a `source-stale` notice is outstanding for a source.
pub(super) fn set_stale_notified(tx: &Transaction<'_>, name: &str, stale: bool) -> Result<()> {
    tx.execute(
        "UPDATE sources SET stale_notified = ?2 WHERE name = ?1",
        params![name, stale as i64],
    )?;
    Ok(())
}

/// Marks watch items as screened against the stored lists.
pub(super) fn mark_screened(tx: &Transaction<'_>, item_ids: &[String], now: &str) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO watch_items (item_id, first_seen) VALUES (?1, ?2)",
    )?;
    for id in item_ids {
        stmt.execute(params![id, now])?;
    }
    Ok(())
}

fn source_status(conn: &Connection, name: &str) -> Result<Option<SourceStatus>> {
    Ok(conn
        .query_row(
            "SELECT name, kind, last_attempt, last_success, entries, last_error, failing_since,
                    stale_notified, snapshots, published
             FROM sources WHERE name = ?1",
            [name],
            |r| {
                Ok(SourceStatus {
                    name: r.get(0)?,
                    kind: r.get(1)?,
                    last_attempt: r.get(2)?,
                    last_success: r.get(3)?,
                    entries: r.get(4)?,
                    last_error: r.get(5)?,
                    failing_since: r.get(6)?,
                    stale_notified: r.get::<_, i64>(7)? != 0,
                    snapshots: r.get(8)?,
                    published: r.get(9)?,
                })
            },
        )
        .optional()?)
}
