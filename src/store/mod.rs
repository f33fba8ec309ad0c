//! The store: one SQLite database (WAL) holding every source's current snapshot, seen feed
//! items, alerts and the outbox. It is the daemon's only state.

mod migrations;

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::domain::alert::Alert;
use crate::domain::entry::Entry;
use crate::domain::ident;
use crate::matching::NameStats;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database: stored entry {source_name}/{entry_id} is not valid JSON: {error}")]
    Corrupt {
        source_name: String,
        entry_id: String,
        error: serde_json::Error,
    },
    #[error("database {path} has schema version {found}, newer than this watchkeeper ({supported}); upgrade watchkeeper")]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open database.
pub struct Store {
    conn: Connection,
}

/// One stored entry: its content hash and the entry itself.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub hash: String,
    pub entry: Entry,
}

/// What `status` shows for a source.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SourceStatus {
    pub name: String,
    pub kind: String,
    pub last_attempt: Option<String>,
    pub last_success: Option<String>,
    pub entries: i64,
    pub last_error: Option<String>,
    /// When the source started failing, if it is failing now.
    #[serde(skip)]
    pub failing_since: Option<String>,
    #[serde(skip)]
    pub stale_notified: bool,
    /// How many snapshots have been applied; 0 means the next one is the first.
    #[serde(skip)]
    pub snapshots: i64,
    #[serde(skip)]
    pub published: Option<String>,
}

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

/// A stored alert with its delivery state, for `alerts`.
#[derive(Debug, Clone)]
pub struct AlertRecord {
    pub alert: Alert,
    /// `pending` (not yet in a message), `queued`, `sent` or `failed`.
    pub state: String,
}

/// Switches the database to WAL. Changing the journal mode needs an exclusive lock, and
/// SQLite answers "database is locked" at once, without calling the busy handler, when another
/// process is opening the same new database; so this waits and tries again, up to 30 s.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                // A missing state folder is the common first-run case; let SQLite report the
                // real problem if creating it fails.
                let _ = std::fs::create_dir_all(dir);
            }
        }
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(open_err)?;
        set_wal(&conn).map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        let mut store = Store { conn };
        migrations::migrate(&mut store.conn, &path.display().to_string())?;
        Ok(store)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction()?)
    }

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

    /// Every entry stored for a source.
    pub fn entries(&self, source: &str) -> Result<HashMap<String, StoredEntry>> {
        entries(&self.conn, source)
    }

    /// Every stored entry of every source, as (source, entry).
    pub fn all_entries(&self) -> Result<Vec<(String, Entry)>> {
        all_entries(&self.conn)
    }

    /// Watch item ids already screened against the stored lists.
    pub fn screened_watch_items(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.conn.prepare("SELECT item_id FROM watch_items")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Alerts not yet placed in any outbox message, oldest first.
    pub fn unqueued_alerts(&self) -> Result<Vec<Alert>> {
        let mut stmt = self.conn.prepare(
            "SELECT data FROM alerts WHERE id NOT IN (SELECT alert_id FROM outbox_alerts)
             ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(decode_alert(&row?)?);
        }
        Ok(out)
    }

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

    /// Alerts created at or after `since` (RFC 3339), newest first, with delivery state.
    pub fn alerts_since(&self, since: &str) -> Result<Vec<AlertRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.data,
                    CASE WHEN NOT EXISTS (SELECT 1 FROM outbox_alerts oa WHERE oa.alert_id = a.id)
                           THEN 'pending'
                         WHEN EXISTS (SELECT 1 FROM outbox_alerts oa JOIN outbox o ON o.id = oa.outbox_id
                                      WHERE oa.alert_id = a.id AND o.state = 'failed') THEN 'failed'
                         WHEN EXISTS (SELECT 1 FROM outbox_alerts oa JOIN outbox o ON o.id = oa.outbox_id
                                      WHERE oa.alert_id = a.id AND o.state = 'pending') THEN 'queued'
                         ELSE 'sent' END
             FROM alerts a WHERE a.created_at >= ?1 ORDER BY a.id DESC",
        )?;
        let rows = stmt.query_map([since], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (data, state) = row?;
            out.push(AlertRecord {
                alert: decode_alert(&data)?,
                state,
            });
        }
        Ok(out)
    }

    /// Entries of other sources that share an identifier (IMO, MMSI, passport) with `entry`.
    pub fn also_listed(&self, source: &str, entry: &Entry) -> Result<Vec<String>> {
        also_listed(&self.conn, source, entry)
    }
}

fn decode_alert(data: &str) -> Result<Alert> {
    serde_json::from_str(data).map_err(|error| StoreError::Corrupt {
        source_name: "alerts".into(),
        entry_id: String::new(),
        error,
    })
}

/// Every stored entry of every source, as (source, entry).
pub(crate) fn all_entries(conn: &Connection) -> Result<Vec<(String, Entry)>> {
    let mut stmt =
        conn.prepare("SELECT source, entry_id, data FROM entries ORDER BY source, entry_id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (source, id, data) = row?;
        let entry = decode_entry(&source, &id, &data)?;
        out.push((source, entry));
    }
    Ok(out)
}

/// How often each name part occurs across every stored name, for weighing parts by rarity.
pub(crate) fn name_stats(conn: &Connection) -> Result<NameStats> {
    let entries = all_entries(conn)?;
    Ok(NameStats::from_entries(entries.iter().map(|(_, e)| e)))
}

pub(crate) fn source_status(conn: &Connection, name: &str) -> Result<Option<SourceStatus>> {
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

pub(crate) fn entries(conn: &Connection, source: &str) -> Result<HashMap<String, StoredEntry>> {
    let mut stmt = conn.prepare("SELECT entry_id, hash, data FROM entries WHERE source = ?1")?;
    let rows = stmt.query_map([source], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, hash, data) = row?;
        let entry = decode_entry(source, &id, &data)?;
        out.insert(id, StoredEntry { hash, entry });
    }
    Ok(out)
}

/// A stored entry's JSON, or which entry is corrupt.
fn decode_entry(source: &str, id: &str, data: &str) -> Result<Entry> {
    serde_json::from_str(data).map_err(|error| StoreError::Corrupt {
        source_name: source.to_string(),
        entry_id: id.to_string(),
        error,
    })
}

/// Identifier kinds that name one vessel or one person across lists.
const SHARED_IDENTIFIERS: &[&str] = &["imo", "mmsi", "passport"];

pub(crate) fn also_listed(conn: &Connection, source: &str, entry: &Entry) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT i.source, i.entry_id, e.name, e.first_seen FROM entry_identifiers i
         JOIN entries e ON e.source = i.source AND e.entry_id = i.entry_id
         WHERE i.kind = ?1 AND i.value = ?2 AND i.source <> ?3",
    )?;
    // One line per other entry, naming every identifier it shares with this one.
    let mut others: std::collections::BTreeMap<(String, String), (String, String, Vec<String>)> =
        std::collections::BTreeMap::new();
    for id in &entry.identifiers {
        if !SHARED_IDENTIFIERS.contains(&id.kind.as_str()) {
            continue;
        }
        let value = ident::comparable(&id.kind, &id.value);
        let rows = stmt.query_map(params![id.kind, value, source], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (src, entry_id, name, first_seen) = row?;
            let shared = format!("{} {value}", id.kind.to_uppercase());
            let slot = others
                .entry((src, entry_id))
                .or_insert_with(|| (name, first_seen, Vec::new()));
            if !slot.2.contains(&shared) {
                slot.2.push(shared);
            }
        }
    }
    Ok(others
        .into_iter()
        .map(|((src, entry_id), (name, first_seen, shared))| {
            format!(
                "also listed by {src} as {entry_id} \"{name}\" (same {}; stored since {})",
                shared.join(", "),
                first_seen.get(..10).unwrap_or(&first_seen)
            )
        })
        .collect())
}

/// Writes an entry (insert or replace) and its shared identifiers.
pub(crate) fn put_entry(
    tx: &Transaction<'_>,
    source: &str,
    hash: &str,
    entry: &Entry,
    now: &str,
) -> Result<()> {
    let data = serde_json::to_string(entry).expect("entries serialize");
    tx.execute(
        "INSERT INTO entries (source, entry_id, hash, name, kind, data, first_seen, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (source, entry_id) DO UPDATE SET
            hash = excluded.hash, name = excluded.name, kind = excluded.kind,
            data = excluded.data, updated_at = excluded.updated_at",
        params![
            source,
            entry.id,
            hash,
            entry.name,
            entry.kind.as_str(),
            data,
            now
        ],
    )?;
    tx.execute(
        "DELETE FROM entry_identifiers WHERE source = ?1 AND entry_id = ?2",
        params![source, entry.id],
    )?;
    let mut ins = tx.prepare_cached(
        "INSERT OR IGNORE INTO entry_identifiers (source, entry_id, kind, value)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for id in &entry.identifiers {
        if SHARED_IDENTIFIERS.contains(&id.kind.as_str()) {
            ins.execute(params![
                source,
                entry.id,
                id.kind,
                ident::comparable(&id.kind, &id.value)
            ])?;
        }
    }
    Ok(())
}

pub(crate) fn delete_entry(tx: &Transaction<'_>, source: &str, entry_id: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM entries WHERE source = ?1 AND entry_id = ?2",
        params![source, entry_id],
    )?;
    tx.execute(
        "DELETE FROM entry_identifiers WHERE source = ?1 AND entry_id = ?2",
        params![source, entry_id],
    )?;
    Ok(())
}

/// Records an alert unless one with the same dedup key exists; returns whether it was new.
pub(crate) fn insert_alert(
    tx: &Transaction<'_>,
    dedup_key: &str,
    alert: &mut Alert,
) -> Result<bool> {
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO alerts (dedup_key, event, source, entry_id, entry_name,
                                       watch_item_id, watch_item, score, why, data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '{}', ?10)",
        params![
            dedup_key,
            alert.event.as_str(),
            alert.source,
            alert.entry_id,
            alert.entry_name,
            alert.watch_item_id,
            alert.watch_item,
            alert.score,
            alert.why,
            alert.created_at
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

/// Marks watch items as screened against the stored lists.
pub(crate) fn mark_screened(tx: &Transaction<'_>, item_ids: &[String], now: &str) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO watch_items (item_id, first_seen) VALUES (?1, ?2)",
    )?;
    for id in item_ids {
        stmt.execute(params![id, now])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_opening_a_new_database_at_once_migrate_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let p = path.clone();
                std::thread::spawn(move || Store::open(&p).map(|_| ()))
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let version: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1);
    }
}
