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
    // 2: history. Every cycle (the audit trail), every version of every entry, listing
    // episodes, and the identifiers and names an entry ever had, so that `history` finds a
    // delisted or renamed entry. What was stored before becomes version 1 of episode 1.
    "CREATE TABLE cycles (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        published TEXT,
        content_hash TEXT,
        entries INTEGER,
        added INTEGER NOT NULL DEFAULT 0,
        relisted INTEGER NOT NULL DEFAULT 0,
        changed INTEGER NOT NULL DEFAULT 0,
        removed INTEGER NOT NULL DEFAULT 0,
        watchlist_hash TEXT NOT NULL,
        watch_items INTEGER NOT NULL,
        alerts TEXT NOT NULL DEFAULT '{}',
        error TEXT
    );
    CREATE INDEX cycles_started ON cycles (started_at);
    CREATE TABLE entry_versions (
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        hash TEXT NOT NULL,
        data TEXT NOT NULL,
        cycle_id INTEGER REFERENCES cycles (id),
        published TEXT,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (source, entry_id, version)
    );
    CREATE TABLE episodes (
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        episode INTEGER NOT NULL,
        listed_at TEXT NOT NULL,
        listed_published TEXT,
        listed_cycle INTEGER REFERENCES cycles (id),
        delisted_at TEXT,
        delisted_published TEXT,
        delisted_cycle INTEGER REFERENCES cycles (id),
        PRIMARY KEY (source, entry_id, episode)
    ) WITHOUT ROWID;
    CREATE TABLE identifier_history (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        PRIMARY KEY (kind, value, source, entry_id)
    ) WITHOUT ROWID;
    CREATE TABLE name_history (
        folded TEXT NOT NULL,
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        PRIMARY KEY (folded, source, entry_id)
    ) WITHOUT ROWID;
    ALTER TABLE entries ADD COLUMN episode INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE entries ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE alerts ADD COLUMN cycle_id INTEGER REFERENCES cycles (id);
    INSERT INTO entry_versions (source, entry_id, version, hash, data, seen_at)
        SELECT source, entry_id, 1, hash, data, first_seen FROM entries;
    INSERT INTO episodes (source, entry_id, episode, listed_at)
        SELECT source, entry_id, 1, first_seen FROM entries;
    INSERT OR IGNORE INTO identifier_history (kind, value, source, entry_id)
        SELECT kind, value, source, entry_id FROM entry_identifiers;",
    // 3: the version each plain `exclude` silences, so that it stays silent only until the
    // entry changes.
    "CREATE TABLE exclusion_pins (
        item_id TEXT NOT NULL,
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        pinned_at TEXT NOT NULL,
        PRIMARY KEY (item_id, source, entry_id)
    ) WITHOUT ROWID;",
    // 4: an entry's content is stored once, in entry_versions; entries keeps what identifies
    // and joins it. The current version takes the current form first.
    "UPDATE entry_versions SET
        hash = (SELECT e.hash FROM entries e WHERE e.source = entry_versions.source
                AND e.entry_id = entry_versions.entry_id),
        data = (SELECT e.data FROM entries e WHERE e.source = entry_versions.source
                AND e.entry_id = entry_versions.entry_id)
     WHERE EXISTS (SELECT 1 FROM entries e WHERE e.source = entry_versions.source
                   AND e.entry_id = entry_versions.entry_id
                   AND e.version = entry_versions.version);
    INSERT OR IGNORE INTO entry_versions (source, entry_id, version, hash, data, seen_at)
        SELECT source, entry_id, version, hash, data, updated_at FROM entries;
    ALTER TABLE entries DROP COLUMN data;",
    // 5: delivery claims a message before sending it. A claimed message is `sending`, owned by
    // `claimed_by` since `claimed_at`, and carries the Message-ID chosen at its first claim;
    // `first_failed_at` starts the time after which a failing message is given up.
    "ALTER TABLE outbox ADD COLUMN message_id TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
    ALTER TABLE outbox ADD COLUMN first_failed_at TEXT;
    CREATE INDEX outbox_state ON outbox (state, id);",
    // 6: alerts reviewed as "not a match" (`watchkeeper dismiss`): who, when, why, and the
    // entry version reviewed, which keeps the (watch item, entry) pair silent until the entry
    // changes.
    "CREATE TABLE reviews (
        alert_id INTEGER PRIMARY KEY REFERENCES alerts (id),
        item_id TEXT NOT NULL,
        source TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX reviews_pair ON reviews (source, item_id, entry_id);",
    // 7: messages go out on channels: `email`, or `webhook:NAME`. An alert is queued once per
    // channel. A channel first seen by a database starts after the alerts already queued
    // (`after_alert_id`), so a webhook added to a running installation does not post its
    // whole past.
    "ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
    CREATE TABLE outbox_channels (
        channel TEXT PRIMARY KEY,
        after_alert_id INTEGER NOT NULL,
        added_at TEXT NOT NULL
    );",
    // 8: which channel a message is on, without reading the message: `channel` is the last
    // column of a row whose text and HTML fill overflow pages, so finding the unqueued alerts
    // read every digest once per alert (2 million page reads for a cycle with nothing to do
    // after a first load of 1,100 alerts).
    "CREATE INDEX outbox_channel ON outbox (channel, id);",
    // 9: files sent with a message (a capped digest's alerts.csv), as a JSON array of
    // {filename, content_type, body}; NULL, as in every row stored before, is none.
    "ALTER TABLE outbox ADD COLUMN attachments TEXT;",
    // 10: the name statistics (rarity weights of name parts), per source, kept up by each
    // cycle's plan instead of counted again from every stored entry. A source without a row in
    // name_stats_sources has not been counted yet (a database from before this step): the
    // pipeline counts it once from its stored entries.
    "CREATE TABLE name_stats (
        key TEXT NOT NULL,
        source TEXT NOT NULL,
        names INTEGER NOT NULL,
        PRIMARY KEY (key, source)
    ) WITHOUT ROWID;
    CREATE TABLE name_stats_sources (
        source TEXT PRIMARY KEY,
        names INTEGER NOT NULL
    );",
    // 11: how many applied snapshots changed a source's stored entries; the screening cache
    // is keyed by these counts instead of by a scan of every entry on each `screen`.
    "ALTER TABLE sources ADD COLUMN entries_changed INTEGER NOT NULL DEFAULT 0;",
    // 12: the digest of the record an entry was parsed from (FtM: its line, and the lines of
    // the addresses, sanctions and documents folded into it), so that a download whose record
    // has the stored digest is not parsed again. NULL until a cycle digests the record.
    "ALTER TABLE entries ADD COLUMN record_hash TEXT;",
    // 13: the matcher rules the name statistics were counted by (`matching::rules_digest`):
    // counts made by other rules are keyed differently, and every source is counted again.
    "CREATE TABLE name_stats_rules (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        rules TEXT NOT NULL
    );",
    // 14: per channel, the alert id through which every alert is in a message of that channel,
    // so that composing reads only the alerts after it instead of every alert ever raised
    // (112,000 after a first load of 10^6 entities). Exact because nothing deletes from
    // `alerts`, `outbox` or `outbox_alerts`, and alert ids are assigned in commit order by one
    // writer at a time. A channel without a row starts from its `after_alert_id`.
    "CREATE TABLE outbox_queued (
        channel TEXT PRIMARY KEY,
        through_alert_id INTEGER NOT NULL
    );",
    // 15: a fast check of the documents screened (xxh3-128, framed as `content_hash` is):
    // a download equal to the last one screened is known so at a tenth of SHA-256's cost.
    // Cycles recorded before it have none, and are compared by `content_hash` as before.
    "ALTER TABLE cycles ADD COLUMN content_check TEXT;",
];

/// Work a step needs beyond SQL, run after the step of the same number.
fn after_step(tx: &rusqlite::Transaction<'_>, step: usize) -> Result<()> {
    if step == 2 {
        // Names are folded in Rust (any script to ASCII), so the backfill is too.
        // Step 2 runs before step 4 drops entries.data, so the data is still there.
        let rows: Vec<(String, String, String)> = {
            let mut stmt = tx.prepare("SELECT source, entry_id, data FROM entries")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (source, id, data) in rows {
            let entry: crate::domain::entry::Entry = super::decode(&source, &id, &data)?;
            super::history::record_names(tx, &source, std::iter::once(&entry))?;
        }
    }
    Ok(())
}

/// The schema version this build writes.
#[cfg(test)]
pub(super) const VERSION: i64 = STEPS.len() as i64;

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
        after_step(&tx, i + 1)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::render::{Attachment, Message};
    use crate::store::history::HistoryQuery;
    use crate::store::outbox::ClaimRule;
    use crate::store::Store;

    fn claim(store: &mut Store) -> crate::store::OutboxMessage {
        let rule = ClaimRule {
            owner: "test",
            now: "2026-12-02T07:00:00Z",
            after_id: 0,
            due_before: None,
            stale_before: "2026-12-02T06:00:00Z",
        };
        store
            .claim_next(&rule, "<1@example.org>")
            .unwrap()
            .expect("a message to claim")
    }

    #[test]
    fn a_message_queued_before_attachments_existed_is_sent_without_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v7.db");
        {
            let conn = Connection::open(&path).unwrap();
            for step in &STEPS[..7] {
                conn.execute_batch(step).unwrap();
            }
            conn.pragma_update(None, "user_version", 7).unwrap();
            conn.execute(
                "INSERT INTO outbox (recipients, subject, text, html, state, attempts,
                                     next_attempt_at, created_at)
                 VALUES ('[\"c@example.org\"]', 'old digest', 'text', '<p>html</p>', 'pending',
                         0, '2026-12-01T07:00:00Z', '2026-12-01T07:00:00Z')",
                [],
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let m = claim(&mut store);
        assert_eq!(
            (m.subject.as_str(), m.text.as_str()),
            ("old digest", "text")
        );
        assert!(m.attachments.is_empty());
    }

    #[test]
    fn a_queued_attachment_is_claimed_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.db")).unwrap();
        let csv = Attachment {
            filename: "alerts.csv".into(),
            content_type: "text/csv; charset=utf-8".into(),
            body: "\u{feff}rank,entry_name\r\n1,\"MADURO MOROS, Nicolas\"\r\n".into(),
        };
        let msg = Message {
            to: vec!["c@example.org".into()],
            subject: "digest".into(),
            attachments: vec![csv.clone()],
            ..Message::default()
        };
        store.queue_messages(&[(Vec::new(), msg)]).unwrap();
        assert_eq!(claim(&mut store).attachments, vec![csv]);
    }

    #[test]
    fn a_first_schema_database_keeps_its_entries_as_version_1_of_episode_1() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(STEPS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            let data = r#"{"id":"15036","kind":"vessel","name":"ARTAVIL","aliases":[{"name":"ALPHA","kind":"fka"}],"identifiers":[{"kind":"imo","value":"9187629"}]}"#;
            conn.execute(
                "INSERT INTO entries (source, entry_id, hash, name, kind, data, first_seen,
                                      updated_at)
                 VALUES ('ofac-sdn', '15036', 'h1', 'ARTAVIL', 'vessel', ?1,
                         '2025-01-02T07:00:00Z', '2025-01-02T07:00:00Z')",
                [data],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO entry_identifiers VALUES ('ofac-sdn', '15036', 'imo', '9187629')",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let mut state = store.source_state("ofac-sdn").unwrap();
        let e = &state.current["15036"];
        assert_eq!(
            (e.episode, e.version, e.hash.to_string().as_str()),
            (1, 1, "h1")
        );
        store
            .read_contents("ofac-sdn", &mut state, ["15036"])
            .unwrap();
        assert_eq!(state.contents["15036"].aliases[0].name, "ALPHA");
        for q in [
            HistoryQuery::Identifier("IMO 9187629".into()),
            HistoryQuery::Name("Alpha".into()),
        ] {
            let h = store.history(&q).unwrap();
            assert_eq!(h.len(), 1, "{q:?}");
            assert_eq!(h[0].episodes[0].listed_at, "2025-01-02T07:00:00Z");
            assert_eq!(h[0].versions.len(), 1);
        }
    }
}
