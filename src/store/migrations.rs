//! Schema migrations, tracked by `PRAGMA user_version`. Append a step; never edit one that
//! has shipped.

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, StoreError};

const STEPS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        last_attempt TEXT,
        last_success TEXT,
        last_error TEXT,
        failing_since TEXT,
        stale_notified INTEGER NOT NULL DEFAULT 0,
        entries INTEGER NOT NULL DEFAULT 0,
        snapshots INTEGER NOT NULL DEFAULT 0,
        published TEXT,
        validators TEXT
    );
    CREATE TABLE entries (
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (source, entry_id)
    );
    CREATE TABLE entry_identifiers (
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (source, entry_id, kind, value)
    );
    CREATE INDEX entry_identifiers_value ON entry_identifiers (kind, value);
    CREATE TABLE feed_items (
        source TEXT NOT NULL,
        item_id TEXT NOT NULL,
        title TEXT NOT NULL,
        link TEXT,
        published TEXT,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (source, item_id)
    );
    CREATE TABLE watch_items (
        item_id TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL
    );
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        event TEXT NOT NULL,
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        entry_name TEXT NOT NULL,
        watch_item_id TEXT NOT NULL,
        watch_item TEXT NOT NULL,
        score REAL NOT NULL,
        why TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX alerts_created ON alerts (created_at);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        recipients TEXT NOT NULL,
        subject TEXT NOT NULL,
        text TEXT NOT NULL,
        html TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE TABLE outbox_alerts (
        outbox_id INTEGER NOT NULL REFERENCES outbox (id),
        alert_id INTEGER NOT NULL REFERENCES alerts (id),
        PRIMARY KEY (outbox_id, alert_id)
    );
    CREATE INDEX outbox_alerts_alert ON outbox_alerts (alert_id);",
];

pub(super) fn migrate(conn: &mut Connection, path: &str) -> Result<()> {
    // IMMEDIATE takes the write lock before reading the version, so two processes opening a
    // new database at once (the daemon and `watchkeeper alerts`, say) migrate it once, in turn.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = STEPS.len() as i64;
    if version > supported {
        return Err(StoreError::TooNew {
            path: path.to_string(),
            found: version,
            supported,
        });
    }
    for (i, step) in STEPS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}
