//! Diffing two snapshots of a list: which entries were added, changed and removed.

use sha2::{Digest, Sha256};

use crate::domain::entry::{Entry, ListSnapshot};
use crate::domain::IdSet;
use crate::plan::{SourceState, StoredHead};

/// The content hash of an entry: what tells one version of an entry from another.
pub fn entry_hash(entry: &Entry) -> String {
    // serde_json writes struct fields in declaration order and the maps are BTreeMaps, so the
    // encoding is canonical for a given model version.
    let json = serde_json::to_vec(entry).expect("entries serialize");
    let digest = Sha256::digest(&json);
    crate::domain::digest::hex(&digest[..16])
}

/// What changed between the stored snapshot and a new one, by position in the new snapshot.
#[derive(Debug, Default)]
pub struct Diff {
    /// (index in the new snapshot, hash)
    pub added: Vec<(usize, String)>,
    /// (entry id, stored head, index in the new snapshot, new hash)
    pub changed: Vec<(String, StoredHead, usize, String)>,
    /// (entry id, stored head), by entry id
    pub removed: Vec<(String, StoredHead)>,
    pub unchanged: usize,
    /// Unchanged entries whose record digest is not the stored one, as (entry id, digest).
    pub redigested: Vec<(String, String)>,
    /// Entries the parser left unparsed as stored and unchanged that are not stored: the
    /// snapshot was parsed against another state, and must not be planned.
    pub unparsed_not_stored: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// The ids of the added entries of `new`, the snapshot diffed: those whose earlier
    /// listings (if any) the plan reads.
    pub fn added_ids<'a>(
        &'a self,
        new: &'a ListSnapshot,
    ) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        self.added.iter().map(|&(i, _)| new.entries[i].id.as_str())
    }

    /// The entries whose stored content the plan reads: the changed and the removed ones.
    pub fn needs_content(&self) -> impl Iterator<Item = &str> {
        self.changed
            .iter()
            .map(|(id, ..)| id.as_str())
            .chain(self.removed.iter().map(|(id, _)| id.as_str()))
    }
}

/// Compares `new` with what is stored, by hash: no stored entry's content is needed. The
/// entries `new` left unparsed (their record's digest is the stored one) are unchanged.
///
/// When `state` holds only the heads a cycle touches ([`SourceState::touched_of`]), the
/// unparsed entries of a snapshot parsed against [`crate::plan::StoredRecords`] are stored by
/// construction (their digest was found there), and every head it holds that is not parsed
/// is one no record of `new` had: removed.
pub fn diff(state: &SourceState, new: &ListSnapshot) -> Diff {
    let (old, touched) = (&state.current, state.touched_of.is_some());
    let mut d = Diff::default();
    let mut stored_unparsed = 0;
    if touched {
        d.unchanged = new.unparsed.len();
        stored_unparsed = new.unparsed.len();
    } else {
        for id in new.unparsed.iter() {
            if old.contains_key(id) {
                d.unchanged += 1;
                stored_unparsed += 1;
            } else {
                d.unparsed_not_stored.push(id.to_string());
            }
        }
    }
    let mut parsed = IdSet::with_capacity_and_hasher(new.entries.len(), Default::default());
    for (i, entry) in new.entries.iter().enumerate() {
        parsed.insert(entry.id.as_str());
        let hash = entry_hash(entry);
        match old.get(&entry.id) {
            None => d.added.push((i, hash)),
            Some(stored) if stored.hash == *hash => {
                d.unchanged += 1;
                if let Some(digest) = new.record_digests.get(&entry.id) {
                    if !stored.record.as_ref().is_some_and(|r| r == digest.as_str()) {
                        d.redigested.push((entry.id.clone(), digest.clone()));
                    }
                }
            }
            Some(stored) => d.changed.push((entry.id.clone(), stored.clone(), i, hash)),
        }
    }
    let stored_parsed = parsed.iter().filter(|id| old.contains_key(id)).count();
    // Each stored entry the snapshot names is counted once (the unparsed ids are distinct and
    // none is parsed too, as `ListSnapshot::unparsed` says): when they are all of them, none
    // was removed, and the 10⁶ unparsed ids of a small change are not gathered into a set.
    if stored_unparsed + stored_parsed < state.stored_len() {
        let unparsed: IdSet<&str> = if touched {
            IdSet::default()
        } else {
            new.unparsed.iter().collect()
        };
        let mut removed: Vec<(String, StoredHead)> = old
            .iter()
            .filter(|(id, _)| !parsed.contains(id) && !unparsed.contains(id))
            .map(|(id, s)| (id.to_string(), s.clone()))
            .collect();
        removed.sort_by(|a, b| a.0.cmp(&b.0));
        d.removed = removed;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{Alias, EntityKind};

    fn entry(id: &str, name: &str) -> Entry {
        Entry {
            id: id.into(),
            kind: EntityKind::Vessel,
            name: name.into(),
            ..Entry::default()
        }
    }

    fn stored(e: Entry) -> (String, StoredHead) {
        (e.id.clone(), crate::plan::StoredEntry::first(e).head())
    }

    /// The state of a source whose heads are all read.
    fn state(heads: impl IntoIterator<Item = (String, StoredHead)>) -> SourceState {
        SourceState {
            current: heads.into_iter().collect(),
            ..SourceState::default()
        }
    }

    #[test]
    fn added_changed_removed_and_unchanged_are_told_apart() {
        let old = state([
            stored(entry("1", "ADISA")),
            stored(entry("2", "ARTAVIL")),
            stored(entry("3", "GONE")),
        ]);
        let mut renamed = entry("1", "SKIPPER");
        renamed.aliases.push(Alias {
            name: "ADISA".into(),
            kind: "fka".into(),
        });
        let new = ListSnapshot {
            entries: vec![renamed, entry("2", "ARTAVIL"), entry("4", "NEW")],
            ..ListSnapshot::default()
        };
        let d = diff(&old, &new);
        assert_eq!(d.added.len(), 1);
        assert_eq!(new.entries[d.added[0].0].id, "4");
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].0, "3");
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].0, "1");
        assert_eq!(new.entries[d.changed[0].2].name, "SKIPPER");
    }

    #[test]
    fn removed_entries_are_found_beside_unparsed_ones() {
        let old = state(["1", "2", "3", "4"].map(|id| stored(entry(id, "ADISA"))));
        let mut new = ListSnapshot {
            entries: vec![entry("2", "SKIPPER"), entry("5", "NEW")],
            ..ListSnapshot::default()
        };
        new.unparsed.push("1");
        let d = diff(&old, &new);
        let removed: Vec<&str> = d.removed.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(removed, ["3", "4"]);
        assert_eq!((d.unchanged, d.changed.len(), d.added.len()), (1, 1, 1));

        // every stored entry named, parsed or not: nothing removed
        new.unparsed.push("3");
        new.unparsed.push("4");
        assert!(diff(&old, &new).removed.is_empty());
    }

    #[test]
    fn hash_changes_with_any_field_and_only_then() {
        let a = entry("1", "X");
        let mut b = a.clone();
        assert_eq!(entry_hash(&a), entry_hash(&b));
        b.programs.push("SDGT".into());
        assert_ne!(entry_hash(&a), entry_hash(&b));
    }
}
