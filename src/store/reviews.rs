//! Alerts reviewed from the command line as "not a match" (`watchkeeper dismiss`). A review
//! names the entry version it saw: the (watch item, entry) pair stays silent while the entry
//! keeps that version, and alerts again once it changes.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::{now, Result, Store, StoreError};

/// One review of an alert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Review {
    pub alert_id: i64,
    /// Who reviewed it (a user name, or `uid N`).
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub note: Option<String>,
}

impl Store {
    /// Records that alert `alert_id` was reviewed by `by` and is not a match; a second review of
    /// the same alert replaces the first. Fails for an unknown alert and for an alert about no
    /// list entry (a news mention, a source notice), which has no version to pin.
    pub fn dismiss(&self, alert_id: i64, by: &str, note: Option<&str>) -> Result<Review> {
        let row: Option<(String, String, String, String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT event, watch_item_id, source, entry_id,
                        json_extract(data, '$.entry_version')
                 FROM alerts WHERE id = ?1",
                [alert_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((event, item_id, source, entry_id, version)) = row else {
            return Err(StoreError::NoSuchAlert(alert_id));
        };
        let Some(hash) = version.filter(|_| !item_id.is_empty()) else {
            return Err(StoreError::NotDismissable {
                id: alert_id,
                event,
            });
        };
        let at = now();
        self.conn.execute(
            "INSERT OR REPLACE INTO reviews
                 (alert_id, item_id, source, entry_id, hash, reviewer, reviewed_at, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![alert_id, item_id, source, entry_id, hash, by, at, note],
        )?;
        Ok(Review {
            alert_id,
            by: by.to_string(),
            at,
            note: note.map(str::to_string),
        })
    }

    /// The review of an alert, if it has one.
    pub fn review(&self, alert_id: i64) -> Result<Option<Review>> {
        Ok(self
            .conn
            .query_row(
                "SELECT reviewer, reviewed_at, note FROM reviews WHERE alert_id = ?1",
                [alert_id],
                |r| {
                    Ok(Review {
                        alert_id,
                        by: r.get(0)?,
                        at: r.get(1)?,
                        note: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }
}

/// The dismissed versions of one source, as (watch item id, entry id, version).
pub(super) fn of_source(
    conn: &Connection,
    source: &str,
) -> Result<HashSet<(String, String, String)>> {
    let mut stmt = conn.prepare("SELECT item_id, entry_id, hash FROM reviews WHERE source = ?1")?;
    let rows = stmt.query_map([source], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
