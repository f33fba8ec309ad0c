//! The store: one SQLite database (WAL), the daemon's only state, and the only module that
//! speaks SQL. One file per concern:
//! - [`entries`]: every source's current snapshot and the identifiers that join lists;
//! - [`history`]: every version of every entry and its listing episodes, append-only;
//! - [`cycles`]: one row per cycle, the audit trail;
//! - [`apply`]: a cycle's plan written in one transaction;
//! - [`exclusions`]: the version each plain `exclude` silences, and [`reviews`] the versions
//!   dismissed from the command line;
//! - [`sources`]: each source's status (last attempt, success, error, staleness);
//! - [`alerts`] and [`outbox`]: alerts and the messages that carry them;
//! - [`name_stats`]: how often each name part occurs across the stored names, per source,
//!   kept up by each cycle;
//! - [`screen_index`]: a cache of every entry name's lookup keys, for `screen`.

pub mod alerts;
pub mod apply;
pub mod cycles;
pub mod entries;
pub mod exclusions;
pub mod feed_items;
pub mod history;
mod migrations;
pub mod name_stats;
pub mod outbox;
pub mod reviews;
pub mod screen_index;
pub mod sources;

use std::path::Path;

use rusqlite::{Connection, Transaction};

pub use alerts::AlertRecord;
pub use cycles::CycleRecord;
pub use outbox::OutboxMessage;
pub use reviews::Review;
pub use sources::SourceStatus;

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
    #[error("source {source_name}: another process stored a snapshot while this one was planned")]
    Conflict { source_name: String },
    #[error("database {path} does not exist: no cycle has stored anything there yet (run `watchkeeper once`), or `database` in the config names another file")]
    Missing { path: String },
    #[error("no alert #{0} in the database (see `watchkeeper alerts`)")]
    NoSuchAlert(i64),
    #[error("alert #{id} is a {event} alert: only alerts about a list entry can be dismissed")]
    NotDismissable { id: i64, event: String },
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

    /// Opens a database that must exist already, for the commands that only read: a mistyped
    /// path is an error, not a new empty database.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.display().to_string(),
            });
        }
        Store::open(path)
    }

    fn transaction(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction()?)
    }

    /// Runs `read` in one read transaction (unless one is open already): its queries see one
    /// state of the database, and SQLite takes its locks once rather than for each query,
    /// which is most of the cost of many small lookups.
    pub fn reading<T>(&self, read: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return read(self);
        }
        let tx = self.conn.unchecked_transaction()?;
        let out = read(self)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Decodes stored JSON, naming the row when it is corrupt.
fn decode<T: serde::de::DeserializeOwned>(table: &str, key: &str, data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|error| StoreError::Corrupt {
        source_name: table.to_string(),
        entry_id: key.to_string(),
        error,
    })
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
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, migrations::VERSION);
    }
}
