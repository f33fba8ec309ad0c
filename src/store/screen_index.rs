//! A cache for `screen`: the lookup keys of every stored entry name (key → entry names), so
//! that one query reads the postings of its own keys and the few entries they name instead of
//! every entry, and of those only the names that share a key with it; and per entry the
//! fields scoring reads with its names as the matcher prepared them (bytes the store does not
//! read), so that a query neither decodes whole entries nor normalises their names.
//!
//! It is derived data: built from `entries` and the name counts by the caller (the store
//! knows no matching), it records the state of both it was built from and is rebuilt when
//! that changed. Its tables are created on first use, not by a migration: dropping them loses
//! nothing.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use super::{Result, Store};
use crate::domain::entry::Entry;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS screen_index_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fingerprint TEXT NOT NULL
    );
    DROP TABLE IF EXISTS screen_entries;
    DROP TABLE IF EXISTS screen_rows;
    -- entry: the fields scoring reads, as JSON; prepared: its names as the matcher
    -- prepared them (NULL: prepared when screened)
    CREATE TABLE IF NOT EXISTS screen_records (
        ordinal INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        entry TEXT NOT NULL,
        prepared BLOB
    );
    -- ordinals: (entry ordinal, name position) pairs, two little-endian u32 each
    CREATE TABLE IF NOT EXISTS screen_postings (
        key TEXT PRIMARY KEY,
        ordinals BLOB NOT NULL
    ) WITHOUT ROWID;
    DROP TABLE IF EXISTS screen_stats;
    DROP TABLE IF EXISTS screen_meta;";

/// Stands for every name of an entry in a posting: a key of its identifiers.
pub const WHOLE_ENTRY: u32 = u32::MAX;

/// How the cache is written (postings by name, entries as records); a cache written
/// otherwise is rebuilt.
const CACHE_FORMAT: &str = "names+records";

/// One entry as the cache keeps it.
pub struct ScreenRecord {
    pub source: String,
    /// The entry with only the fields scoring reads.
    pub entry: Entry,
    pub prepared: Option<Vec<u8>>,
}

/// What a screening cache holds, as the caller computed it from the entries.
pub struct ScreenIndex {
    /// By ordinal.
    pub entries: Vec<ScreenRecord>,
    /// Lookup key → (entry ordinal, position of the name in `Entry::all_names`, or
    /// [`WHOLE_ENTRY`]) of the names under it.
    pub postings: HashMap<String, Vec<(u32, u32)>>,
}

/// A cached entry a query's keys lead to, and which of its names they lead to (`None`: all).
pub type Candidate = (u32, Option<Vec<u32>>);

impl Store {
    /// The state of the stored entries, as the cache records it: any listing, delisting or
    /// new version changes it. It is read from the per-source change counts the store keeps
    /// when it applies a snapshot (and the schema version, since a migration may rewrite
    /// entries), so that checking the cache costs no scan of the entries.
    pub fn entries_fingerprint(&self) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT (SELECT user_version FROM pragma_user_version) || '|'
                    || coalesce(group_concat(name || ':' || entries_changed, ','), '')
             FROM (SELECT name, entries_changed FROM sources ORDER BY name)",
            [],
            |r| r.get(0),
        )?)
    }

    /// The state of the stored entries and of the name counts, as the cache records it: the
    /// counts change with the entries, and also when a source is counted (again).
    pub fn screen_fingerprint(&self) -> Result<String> {
        let counted: String = self.conn.query_row(
            "SELECT coalesce(group_concat(source || ':' || names, ','), '')
             FROM (SELECT source, names FROM name_stats_sources ORDER BY source)",
            [],
            |r| r.get(0),
        )?;
        Ok(format!("{}|{counted}", self.entries_fingerprint()?))
    }

    /// Whether the cache was built from the entries and counts as they are now, by the
    /// matcher whose digest is `rules`.
    pub fn screen_index_current(&self, rules: &str) -> Result<bool> {
        self.conn.execute_batch(SCHEMA)?;
        let current = format!("{CACHE_FORMAT}|{rules}|{}", self.screen_fingerprint()?);
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT fingerprint FROM screen_index_meta WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(stored.is_some_and(|s| s == current))
    }

    /// Replaces the cache, in one transaction, as built by the matcher `rules` from entries
    /// and counts in the state `fingerprint` ([`Store::screen_fingerprint`]).
    pub fn write_screen_index(
        &mut self,
        rules: &str,
        fingerprint: &str,
        index: &ScreenIndex,
    ) -> Result<()> {
        self.conn.execute_batch(SCHEMA)?;
        let tx = self.transaction()?;
        tx.execute_batch(
            "DELETE FROM screen_index_meta; DELETE FROM screen_records;
             DELETE FROM screen_postings;",
        )?;
        {
            let mut ins = tx.prepare(
                "INSERT INTO screen_records (ordinal, source, entry, prepared)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (i, r) in index.entries.iter().enumerate() {
                let json = serde_json::to_string(&r.entry).expect("an entry serializes");
                ins.execute(params![i as i64, r.source, json, r.prepared])?;
            }
            let mut ins =
                tx.prepare("INSERT INTO screen_postings (key, ordinals) VALUES (?1, ?2)")?;
            for (key, names) in &index.postings {
                let blob: Vec<u8> = names
                    .iter()
                    .flat_map(|(o, n)| o.to_le_bytes().into_iter().chain(n.to_le_bytes()))
                    .collect();
                ins.execute(params![key, blob])?;
            }
        }
        tx.execute(
            "INSERT INTO screen_index_meta (id, fingerprint) VALUES (1, ?1)",
            params![format!("{CACHE_FORMAT}|{rules}|{fingerprint}")],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The entries with a name under any of `keys` (by ordinal, ascending, once each), with
    /// the positions of those names (ascending). Many lookups: run it in [`Store::reading`],
    /// as `screen` does.
    pub fn screen_postings(&self, keys: &[String]) -> Result<Vec<Candidate>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ordinals FROM screen_postings WHERE key = ?1")?;
        let mut names = Vec::new();
        let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        for k in keys {
            let blob: Option<Vec<u8>> = stmt.query_row([k], |r| r.get(0)).optional()?;
            for posting in blob.unwrap_or_default().chunks_exact(8) {
                names.push((word(&posting[..4]), word(&posting[4..])));
            }
        }
        names.sort_unstable();
        names.dedup();
        let mut out: Vec<Candidate> = Vec::new();
        for (ordinal, name) in names {
            match out.last_mut() {
                Some((last, kept)) if *last == ordinal => match kept {
                    // WHOLE_ENTRY sorts last and takes in every name, those before it too
                    Some(_) if name == WHOLE_ENTRY => *kept = None,
                    Some(kept) => kept.push(name),
                    None => {}
                },
                _ => out.push((ordinal, (name != WHOLE_ENTRY).then(|| vec![name]))),
            }
        }
        Ok(out)
    }

    /// One past the highest ordinal the cache holds (an entry gone while the cache was
    /// built leaves a gap).
    pub fn screen_entry_count(&self) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(ordinal) + 1, 0) FROM screen_records",
            [],
            |r| r.get(0),
        )?)
    }

    /// The cached records of the given ordinals, as (ordinal, record); in
    /// [`Store::reading`] too.
    pub fn screen_records(&self, ordinals: &[u32]) -> Result<Vec<(u32, ScreenRecord)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, entry, prepared FROM screen_records WHERE ordinal = ?1",
        )?;
        let mut out = Vec::with_capacity(ordinals.len());
        for &o in ordinals {
            let row: Option<(String, String, Option<Vec<u8>>)> = stmt
                .query_row([o as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            if let Some((source, data, prepared)) = row {
                let entry: Entry = super::decode("screen_records", &o.to_string(), &data)?;
                out.push((
                    o,
                    ScreenRecord {
                        source,
                        entry,
                        prepared,
                    },
                ));
            }
        }
        Ok(out)
    }
}
