//! Every version of every entry and its listing episodes: append-only, so that `history` can
//! say when an entity was listed, under which names, and what changed since.

use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::entries::shared_identifiers;
use super::{decode, Result, Store};
use crate::domain::entry::Entry;
use crate::domain::history::{EntryHistory, Episode, Version};
use crate::domain::ident;

/// How `history` names what it looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryQuery {
    /// An identifier value (IMO, MMSI, passport), compared as lists are joined.
    Identifier(String),
    /// One entry of one source.
    Entry { source: String, entry_id: String },
    /// Any name or alias the entry ever had, folded (case, script, punctuation).
    Name(String),
}

impl Store {
    /// The histories of every entry, on any source, that the query names, most recently
    /// seen first.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<EntryHistory>> {
        let keys: BTreeSet<(String, String)> = match query {
            HistoryQuery::Entry { source, entry_id } => {
                [(source.clone(), entry_id.clone())].into_iter().collect()
            }
            HistoryQuery::Identifier(value) => {
                // The query does not say which kind of identifier it is: look it up in the
                // comparable form of each kind that joins lists.
                let mut stmt = self.conn.prepare_cached(
                    "SELECT source, entry_id FROM identifier_history
                     WHERE kind = ?1 AND value = ?2",
                )?;
                let mut keys = BTreeSet::new();
                for kind in super::entries::SHARED_IDENTIFIERS {
                    let v = ident::comparable(kind, value);
                    let rows = stmt.query_map(params![kind, v], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    for row in rows {
                        keys.insert(row?);
                    }
                }
                keys
            }
            HistoryQuery::Name(name) => {
                // Every word of the query, in any order, among the words of a name the entry
                // ever had: "Alexander Lukashenko" finds "LUKASHENKO, Alexander Grigoryevich".
                let folded = fold(name);
                let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
                let Some(longest) = words.iter().max_by_key(|w| w.len()) else {
                    return Ok(Vec::new());
                };
                let mut stmt = self.conn.prepare(
                    "SELECT folded, source, entry_id FROM name_history
                     WHERE instr(folded, ?1) > 0",
                )?;
                let rows = stmt.query_map([longest], |r| {
                    Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
                })?;
                let mut keys = BTreeSet::new();
                for row in rows {
                    let (stored, source, entry_id) = row?;
                    let have: BTreeSet<&str> = stored.split(' ').collect();
                    if words.iter().all(|w| have.contains(w)) {
                        keys.insert((source, entry_id));
                    }
                }
                keys
            }
        };
        let keys = self.same_entity(keys)?;
        let mut out = Vec::new();
        for (source, entry_id) in keys {
            if let Some(h) = entry_history(&self.conn, &source, &entry_id)? {
                out.push(h);
            }
        }
        out.sort_by(|a, b| {
            let last = |h: &EntryHistory| h.versions.last().map(|v| v.seen_at.clone());
            last(b).cmp(&last(a))
        });
        Ok(out)
    }
}

impl Store {
    /// `keys` and every entry of any source that ever shared an identifier (IMO, MMSI,
    /// passport) with one of them: one entity's entries across lists.
    fn same_entity(&self, keys: BTreeSet<(String, String)>) -> Result<BTreeSet<(String, String)>> {
        let mut out = keys.clone();
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.source, o.entry_id FROM identifier_history i
             JOIN identifier_history o ON o.kind = i.kind AND o.value = i.value
             WHERE i.source = ?1 AND i.entry_id = ?2",
        )?;
        for (source, entry_id) in &keys {
            let rows = stmt.query_map(params![source, entry_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for row in rows {
                out.insert(row?);
            }
        }
        Ok(out)
    }
}

fn entry_history(conn: &Connection, source: &str, entry_id: &str) -> Result<Option<EntryHistory>> {
    let mut stmt = conn.prepare(
        "SELECT episode, listed_at, listed_published, delisted_at, delisted_published
         FROM episodes WHERE source = ?1 AND entry_id = ?2 ORDER BY episode",
    )?;
    let episodes: Vec<Episode> = stmt
        .query_map(params![source, entry_id], |r| {
            Ok(Episode {
                episode: r.get(0)?,
                listed_at: r.get(1)?,
                listed_published: r.get(2)?,
                delisted_at: r.get(3)?,
                delisted_published: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare(
        "SELECT version, hash, seen_at, published, data FROM entry_versions
         WHERE source = ?1 AND entry_id = ?2 ORDER BY version",
    )?;
    let rows: Vec<(u32, String, String, Option<String>, String)> = stmt
        .query_map(params![source, entry_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if episodes.is_empty() && rows.is_empty() {
        return Ok(None);
    }
    let mut versions = Vec::new();
    for (version, hash, seen_at, published, data) in rows {
        versions.push(Version {
            version,
            hash,
            seen_at,
            published,
            entry: decode(source, entry_id, &data)?,
        });
    }
    let listed_now = conn
        .query_row(
            "SELECT 1 FROM entries WHERE source = ?1 AND entry_id = ?2",
            params![source, entry_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    Ok(Some(EntryHistory {
        source: source.to_string(),
        entry_id: entry_id.to_string(),
        listed_now,
        episodes,
        versions,
    }))
}

/// A name as `history NAME` compares it: any script to ASCII, lower case, letters and digits
/// separated by single spaces.
pub fn fold(name: &str) -> String {
    let mut out = String::new();
    fold_into(name, &mut out);
    out
}

/// [`fold`], appended to `out`.
fn fold_into(name: &str, out: &mut String) {
    let ascii = any_ascii::any_ascii(name).to_lowercase();
    let start = out.len();
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() > start {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// When a change of history was seen: the cycle, the list's publication date, the time.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stamp<'a> {
    pub cycle: i64,
    pub published: Option<&'a str>,
    pub now: &'a str,
}

/// Appends a version of an entry.
pub(super) fn record_version(
    tx: &Transaction<'_>,
    source: &str,
    entry: &Entry,
    (version, hash): (u32, &str),
    at: Stamp<'_>,
) -> Result<()> {
    let data = serde_json::to_string(entry).expect("entries serialize");
    tx.prepare_cached(
        "INSERT OR REPLACE INTO entry_versions
             (source, entry_id, version, hash, data, cycle_id, published, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        source,
        entry.id,
        version,
        hash,
        data,
        at.cycle,
        at.published,
        at.now
    ])?;
    let mut ids = tx.prepare_cached(
        "INSERT OR IGNORE INTO identifier_history (kind, value, source, entry_id)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (kind, value) in shared_identifiers(entry) {
        ids.execute(params![kind, value, source, entry.id])?;
    }
    Ok(())
}

/// Replaces the stored form of an existing version (same content, new publication form).
pub(super) fn refresh_version(
    tx: &Transaction<'_>,
    source: &str,
    entry: &Entry,
    (version, hash): (u32, &str),
) -> Result<()> {
    let data = serde_json::to_string(entry).expect("entries serialize");
    tx.prepare_cached(
        "UPDATE entry_versions SET hash = ?4, data = ?5
         WHERE source = ?1 AND entry_id = ?2 AND version = ?3 AND hash <> ?4",
    )?
    .execute(params![source, entry.id, version, hash, data])?;
    Ok(())
}

/// Remembers every name of these entries, folded, so that `history NAME` finds it ever after.
/// The names are written in key order: a first load of 10^6 entries adds 3·10^6 of them, and
/// written in list order each would land on a page of its own, out of the page cache.
pub(super) fn record_names<'e>(
    tx: &Transaction<'_>,
    source: &str,
    entries: impl Iterator<Item = &'e Entry>,
) -> Result<()> {
    record_names_in_batches(tx, source, entries, NAMES_BATCH_BYTES)
}

/// [`record_names`], writing whenever the folded names gathered reach `batch_bytes`.
fn record_names_in_batches<'e>(
    tx: &Transaction<'_>,
    source: &str,
    entries: impl Iterator<Item = &'e Entry>,
    batch_bytes: usize,
) -> Result<()> {
    // one buffer of folded names and spans into it, not a String each; written in sorted
    // batches, so that a first load of 10^6 entries does not hold millions of names at once
    let mut text = String::new();
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    for entry in entries {
        for name in entry.all_names() {
            let start = text.len();
            fold_into(name, &mut text);
            if text.len() > start {
                spans.push((start, text.len(), entry.id.as_str()));
            }
        }
        if text.len() >= batch_bytes {
            insert_names(tx, source, &text, &mut spans)?;
            text.clear();
        }
    }
    insert_names(tx, source, &text, &mut spans)
}

/// How many bytes of folded names [`record_names`] gathers before writing them.
const NAMES_BATCH_BYTES: usize = 16 << 20;

/// Writes the names at `spans` of `text` in key order, once each, and empties `spans`.
fn insert_names(
    tx: &Transaction<'_>,
    source: &str,
    text: &str,
    spans: &mut Vec<(usize, usize, &str)>,
) -> Result<()> {
    let folded = |&(start, end, _): &(usize, usize, &str)| &text[start..end];
    // in the index's order: each name lands next to the one before it
    spans.sort_unstable_by(|a, b| folded(a).cmp(folded(b)).then(a.2.cmp(b.2)));
    spans.dedup_by(|a, b| folded(a) == folded(b) && a.2 == b.2);
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO name_history (folded, source, entry_id) VALUES (?1, ?2, ?3)",
    )?;
    for span in spans.iter() {
        stmt.execute(params![folded(span), source, span.2])?;
    }
    spans.clear();
    Ok(())
}

/// Starts a listing episode.
pub(super) fn start_episode(
    tx: &Transaction<'_>,
    source: &str,
    entry_id: &str,
    episode: u32,
    at: Stamp<'_>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO episodes
             (source, entry_id, episode, listed_at, listed_published, listed_cycle)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        source,
        entry_id,
        episode,
        at.now,
        at.published,
        at.cycle
    ])?;
    Ok(())
}

/// Ends a listing episode.
pub(super) fn end_episode(
    tx: &Transaction<'_>,
    source: &str,
    entry_id: &str,
    episode: u32,
    at: Stamp<'_>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE episodes SET delisted_at = ?4, delisted_published = ?5, delisted_cycle = ?6
         WHERE source = ?1 AND entry_id = ?2 AND episode = ?3",
    )?
    .execute(params![
        source,
        entry_id,
        episode,
        at.now,
        at.published,
        at.cycle
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_stored(batch_bytes: usize, entries: &[Entry]) -> Vec<(String, String)> {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let tx = store.conn.transaction().unwrap();
        record_names_in_batches(&tx, "ofac-sdn", entries.iter(), batch_bytes).unwrap();
        tx.commit().unwrap();
        let mut stmt = store
            .conn
            .prepare("SELECT folded, entry_id FROM name_history ORDER BY folded, entry_id")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.map(|r| r.unwrap()).collect()
    }

    #[test]
    fn names_written_in_batches_are_the_names_written_at_once() {
        // OFAC SDN 2021-07: ent_num 9760 with two of its aliases, and 24283; one name twice
        let entries = [
            Entry::person(
                "9760",
                "LUKASHENKA, Alyaksandr Hryhoryavich",
                &[
                    "LUKASHENKO, Aliaksandr Hryhoryavich",
                    "LUKASHENKA, Aliaksandr Grigorievich",
                    "LUKASHENKO, Aliaksandr Hryhoryavich",
                ],
            ),
            Entry::person("24283", "DERIPASKA, Oleg Vladimirovich", &[]),
        ];
        let at_once = names_stored(NAMES_BATCH_BYTES, &entries);
        assert_eq!(at_once.len(), 4, "{at_once:?}");
        // a batch of one byte writes each entry's names on their own
        assert_eq!(names_stored(1, &entries), at_once);
    }
}
