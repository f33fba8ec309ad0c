//! The version each plain `exclude` was pinned to: an excluded entry stays silent only until it
//! changes.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension};

use super::{now, Result, Store};
use crate::plan::ExclusionPin;

impl Store {
    /// Every pinned exclusion, as (watch item id, source, entry id).
    pub fn exclusion_pins(&self) -> Result<HashSet<(String, String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT item_id, source, entry_id FROM exclusion_pins")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The version an entry has on its list now, if it is listed.
    pub fn current_hash(&self, source: &str, entry_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT hash FROM entries WHERE source = ?1 AND entry_id = ?2",
                params![source, entry_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records pins (a pin already recorded keeps its version).
    pub fn record_pins(&self, pins: &[ExclusionPin]) -> Result<()> {
        insert(&self.conn, pins)
    }
}

/// The pins of one source, by (watch item id, entry id).
pub(super) fn of_source(
    conn: &Connection,
    source: &str,
) -> Result<HashMap<(String, String), String>> {
    let mut stmt =
        conn.prepare("SELECT item_id, entry_id, hash FROM exclusion_pins WHERE source = ?1")?;
    let rows = stmt.query_map([source], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn insert(conn: &Connection, pins: &[ExclusionPin]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO exclusion_pins (item_id, source, entry_id, hash, pinned_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let at = now();
    for p in pins {
        stmt.execute(params![p.item_id, p.source, p.entry_id, p.hash, at])?;
    }
    Ok(())
}
