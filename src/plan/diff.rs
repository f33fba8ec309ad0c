//! Diffing two snapshots of a list: which entries were added, changed and removed.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::domain::entry::Entry;
use crate::plan::StoredEntry;

/// The content hash of an entry: what tells one version of an entry from another.
pub fn entry_hash(entry: &Entry) -> String {
    // serde_json writes struct fields in declaration order and the maps are BTreeMaps, so the
    // encoding is canonical for a given model version.
    let json = serde_json::to_vec(entry).expect("entries serialize");
    let digest = Sha256::digest(&json);
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// What changed between the stored snapshot and a new one, by position in the new snapshot.
#[derive(Debug, Default)]
pub struct Diff<'a> {
    /// (index in the new snapshot, hash)
    pub added: Vec<(usize, String)>,
    /// (stored, index in the new snapshot, new hash)
    pub changed: Vec<(&'a StoredEntry, usize, String)>,
    pub removed: Vec<&'a StoredEntry>,
    pub unchanged: usize,
}

impl Diff<'_> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Compares `new` (entries of one snapshot) with what is stored.
pub fn diff<'a>(old: &'a HashMap<String, StoredEntry>, new: &[Entry]) -> Diff<'a> {
    let mut d = Diff::default();
    let mut seen = std::collections::HashSet::with_capacity(new.len());
    for (i, entry) in new.iter().enumerate() {
        seen.insert(entry.id.as_str());
        let hash = entry_hash(entry);
        match old.get(&entry.id) {
            None => d.added.push((i, hash)),
            Some(stored) if stored.hash == hash => d.unchanged += 1,
            Some(stored) => d.changed.push((stored, i, hash)),
        }
    }
    let mut removed: Vec<&StoredEntry> = old
        .iter()
        .filter(|(id, _)| !seen.contains(id.as_str()))
        .map(|(_, s)| s)
        .collect();
    removed.sort_by(|a, b| a.entry.id.cmp(&b.entry.id));
    d.removed = removed;
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

    fn stored(e: Entry) -> (String, StoredEntry) {
        (e.id.clone(), StoredEntry::first(e))
    }

    #[test]
    fn added_changed_removed_and_unchanged_are_told_apart() {
        let old: HashMap<_, _> = [
            stored(entry("1", "ADISA")),
            stored(entry("2", "ARTAVIL")),
            stored(entry("3", "GONE")),
        ]
        .into_iter()
        .collect();
        let mut renamed = entry("1", "SKIPPER");
        renamed.aliases.push(Alias {
            name: "ADISA".into(),
            kind: "fka".into(),
        });
        let new = vec![renamed, entry("2", "ARTAVIL"), entry("4", "NEW")];
        let d = diff(&old, &new);
        assert_eq!(d.added.len(), 1);
        assert_eq!(new[d.added[0].0].id, "4");
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].entry.id, "3");
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].0.entry.name, "ADISA");
        assert_eq!(new[d.changed[0].1].name, "SKIPPER");
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
