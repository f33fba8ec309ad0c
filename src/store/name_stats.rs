//! The name statistics (in how many stored names each name-part key occurs), per source: kept
//! up by each cycle's plan ([`NameStatsDelta`]), and read for the keys a matcher will weigh,
//! so that no cycle, `screen` or new watch item reads every stored entry to weigh names.
//!
//! The keys are the matcher's ([`crate::matching::NameStats::name_keys`]); the store only
//! adds them up. A source that has no row in `name_stats_sources` has not been counted yet
//! (a database from before the tables): [`Store::uncounted_sources`] names it, and the
//! caller counts it once from its entries ([`Store::put_name_stats`]).

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{Result, Store};
use crate::plan::NameStatsDelta;

impl Store {
    /// Forgets every count if they were made by matcher rules other than `rules` (or before
    /// the rules were recorded), so that every source is counted again; returns whether any
    /// count was forgotten.
    pub fn reset_name_stats_unless(&mut self, rules: &str) -> Result<bool> {
        let read = |conn: &rusqlite::Connection| -> Result<Option<String>> {
            Ok(conn
                .query_row("SELECT rules FROM name_stats_rules WHERE id = 1", [], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        // read first: nearly always the same, and then no write lock is taken
        if read(&self.conn)?.as_deref() == Some(rules) {
            return Ok(false);
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if read(&tx)?.as_deref() == Some(rules) {
            return Ok(false);
        }
        let forgotten = tx.execute("DELETE FROM name_stats_sources", [])?;
        tx.execute("DELETE FROM name_stats", [])?;
        tx.execute(
            "INSERT INTO name_stats_rules (id, rules) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET rules = excluded.rules",
            [rules],
        )?;
        tx.commit()?;
        Ok(forgotten > 0)
    }

    /// Sources whose names have not been counted yet.
    pub fn uncounted_sources(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT name FROM sources
             WHERE name NOT IN (SELECT source FROM name_stats_sources) ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores the counts of `source`'s names as counted from its entries when it had stored
    /// `generation` snapshots. Returns false (and stores nothing) if a snapshot was stored
    /// since, or the source was counted meanwhile: the caller counts again.
    pub fn put_name_stats(
        &mut self,
        source: &str,
        generation: i64,
        names: u32,
        counts: &HashMap<String, u32>,
    ) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let counted: Option<i64> = tx
            .query_row(
                "SELECT names FROM name_stats_sources WHERE source = ?1",
                [source],
                |r| r.get(0),
            )
            .optional()?;
        if counted.is_some() || super::sources::generation(&tx, source)? != generation {
            return Ok(false);
        }
        tx.execute("DELETE FROM name_stats WHERE source = ?1", [source])?;
        {
            let mut ins =
                tx.prepare("INSERT INTO name_stats (key, source, names) VALUES (?1, ?2, ?3)")?;
            for (k, n) in counts {
                ins.execute(params![k, source, n])?;
            }
        }
        tx.execute(
            "INSERT INTO name_stats_sources (source, names) VALUES (?1, ?2)",
            params![source, names],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The number of names counted over every source, and in how many of them each of `keys`
    /// occurs (keys that occur in none are left out).
    pub fn name_stats<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<(u32, HashMap<String, u32>)> {
        self.reading(|store| {
            let names = total_names(&store.conn)?;
            let mut stmt = store
                .conn
                .prepare_cached("SELECT sum(names) FROM name_stats WHERE key = ?1")?;
            let mut out = HashMap::new();
            for k in keys {
                let n: Option<i64> = stmt.query_row([k], |r| r.get(0))?;
                if let Some(n) = n.filter(|n| *n > 0) {
                    out.insert(k.to_string(), n as u32);
                }
            }
            Ok((names, out))
        })
    }

    /// The number of names counted over every source and the counts of every key.
    pub fn all_name_stats(&self) -> Result<(u32, HashMap<String, u32>)> {
        let names = total_names(&self.conn)?;
        let mut stmt = self
            .conn
            .prepare("SELECT key, sum(names) FROM name_stats GROUP BY key")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (k, n) = row?;
            if n > 0 {
                out.insert(k, n as u32);
            }
        }
        Ok((names, out))
    }
}

fn total_names(conn: &rusqlite::Connection) -> Result<u32> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(sum(names), 0) FROM name_stats_sources",
        [],
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u32)
}

/// Applies a plan's change to `source`'s counts, inside the plan's transaction. A source not
/// counted yet is counted by this change only if it is its first snapshot (the change is
/// then the whole count); otherwise it is left for the caller to count from its entries.
pub(super) fn apply_delta(
    tx: &Transaction<'_>,
    source: &str,
    first_snapshot: bool,
    delta: &NameStatsDelta,
) -> Result<()> {
    let counted = tx
        .query_row(
            "SELECT 1 FROM name_stats_sources WHERE source = ?1",
            [source],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !counted && !first_snapshot {
        return Ok(());
    }
    if delta.is_empty() && counted {
        return Ok(());
    }
    let mut add = tx.prepare_cached(
        "INSERT INTO name_stats (key, source, names) VALUES (?1, ?2, ?3)
         ON CONFLICT (key, source) DO UPDATE SET names = names + excluded.names",
    )?;
    let mut prune =
        tx.prepare_cached("DELETE FROM name_stats WHERE key = ?1 AND source = ?2 AND names <= 0")?;
    for (k, d) in &delta.counts {
        if *d == 0 {
            continue;
        }
        add.execute(params![k, source, d])?;
        if *d < 0 {
            prune.execute(params![k, source])?;
        }
    }
    tx.execute(
        "INSERT INTO name_stats_sources (source, names) VALUES (?1, ?2)
         ON CONFLICT (source) DO UPDATE SET names = max(0, names + excluded.names)",
        params![source, delta.names],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_made_by_other_matcher_rules_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        assert!(!store.reset_name_stats_unless("rules-1").unwrap());
        let generation = store.generation("un").unwrap();
        let counts = HashMap::from([("hsin".to_string(), 2)]);
        assert!(store.put_name_stats("un", generation, 3, &counts).unwrap());
        assert!(!store.reset_name_stats_unless("rules-1").unwrap());
        assert_eq!(store.all_name_stats().unwrap(), (3, counts.clone()));
        assert!(store.reset_name_stats_unless("rules-2").unwrap());
        assert_eq!(store.all_name_stats().unwrap(), (0, HashMap::new()));
        // and counted again, as `weights::count_uncounted` does next
        assert!(store.put_name_stats("un", generation, 3, &counts).unwrap());
    }
}
