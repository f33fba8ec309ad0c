//! The current entries of a source by id, as a cycle reads them before it diffs: held in a
//! few large buffers rather than a map of strings.
//!
//! A source of 10⁶ entries has its heads read, looked up once for each record of the new
//! document and dropped on every cycle, however little changed. As a `HashMap<String, _>`
//! that was 10⁶ allocations and frees, a table of 2²¹ buckets of 72 bytes, and a cache miss
//! per lookup on the bucket and another on the key's string. Here the ids share one string,
//! the heads one vector, and the table holds only each head's position (4 bytes a bucket).

use std::fmt;

use ahash::RandomState;
use hashbrown::HashTable;

use super::StoredHead;

#[derive(Clone, Default)]
pub struct Heads {
    /// Every id inserted, one after another (a removed one stays, unreferenced).
    ids: String,
    /// Each head with where its id is in `ids`; `None` once removed.
    rows: Vec<(usize, u32, Option<StoredHead>)>,
    /// Positions in `rows` of the heads there are, by a hash of their id.
    index: HashTable<u32>,
    hasher: RandomState,
    len: usize,
}

impl Heads {
    pub fn with_capacity(heads: usize) -> Heads {
        Heads {
            rows: Vec::with_capacity(heads),
            index: HashTable::with_capacity(heads),
            ..Heads::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn id(&self, row: u32) -> &str {
        let (start, len, _) = self.rows[row as usize];
        &self.ids[start..start + len as usize]
    }

    fn find(&self, id: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        self.index.find(hash, |&row| self.id(row) == id).copied()
    }

    pub fn get(&self, id: &str) -> Option<&StoredHead> {
        self.rows[self.find(id)? as usize].2.as_ref()
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut StoredHead> {
        let row = self.find(id)?;
        self.rows[row as usize].2.as_mut()
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.find(id).is_some()
    }

    /// Sets the head of `id`, returning the one it replaces.
    pub fn insert(&mut self, id: &str, head: StoredHead) -> Option<StoredHead> {
        if let Some(row) = self.find(id) {
            return self.rows[row as usize].2.replace(head);
        }
        let row = u32::try_from(self.rows.len()).expect("fewer than 2³² entries in one source");
        let len = u32::try_from(id.len()).expect("an id shorter than 4 GiB");
        self.rows.push((self.ids.len(), len, Some(head)));
        self.ids.push_str(id);
        let Heads {
            ids,
            rows,
            index,
            hasher,
            ..
        } = self;
        let id_of = |row: &u32| {
            let (start, len, _) = rows[*row as usize];
            hasher.hash_one(&ids[start..start + len as usize])
        };
        index.insert_unique(hasher.hash_one(id), row, id_of);
        self.len += 1;
        None
    }

    pub fn remove(&mut self, id: &str) -> Option<StoredHead> {
        let hash = self.hasher.hash_one(id);
        let Heads {
            ids, rows, index, ..
        } = self;
        let id_is = |row: &u32| {
            let (start, len, _) = rows[*row as usize];
            &ids[start..start + len as usize] == id
        };
        let (row, _) = index.find_entry(hash, id_is).ok()?.remove();
        self.len -= 1;
        self.rows[row as usize].2.take()
    }

    /// Every head with its id, in the order they were inserted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &StoredHead)> + '_ {
        self.rows.iter().filter_map(|(start, len, head)| {
            let head = head.as_ref()?;
            Some((&self.ids[*start..*start + *len as usize], head))
        })
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|(id, _)| id)
    }
}

impl std::ops::Index<&str> for Heads {
    type Output = StoredHead;

    fn index(&self, id: &str) -> &StoredHead {
        self.get(id)
            .unwrap_or_else(|| panic!("no stored head for {id:?}"))
    }
}

impl<S: AsRef<str>> FromIterator<(S, StoredHead)> for Heads {
    fn from_iter<I: IntoIterator<Item = (S, StoredHead)>>(iter: I) -> Heads {
        let mut heads = Heads::default();
        for (id, head) in iter {
            heads.insert(id.as_ref(), head);
        }
        heads
    }
}

impl fmt::Debug for Heads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::digest::StoredDigest;

    fn head(version: u32) -> StoredHead {
        StoredHead {
            hash: StoredDigest::new(&format!("h{version}")),
            episode: 1,
            version,
            record: None,
        }
    }

    #[test]
    fn heads_are_found_replaced_and_removed_by_id() {
        let mut heads: Heads = (0..1000).map(|i| (format!("id-{i}"), head(i))).collect();
        assert_eq!(heads.len(), 1000);
        assert_eq!(heads["id-617"].version, 617);
        assert!(heads.get("id-1000").is_none() && !heads.contains_key("id-06"));

        assert_eq!(heads.insert("id-5", head(7)).map(|h| h.version), Some(5));
        assert_eq!(heads.len(), 1000);
        heads.get_mut("id-5").unwrap().episode = 2;
        assert_eq!((heads["id-5"].version, heads["id-5"].episode), (7, 2));

        assert_eq!(heads.remove("id-9").map(|h| h.version), Some(9));
        assert!(heads.remove("id-9").is_none());
        assert!(!heads.contains_key("id-9") && heads.len() == 999);
        assert_eq!(heads.iter().count(), 999);
        assert!(heads.keys().all(|id| id != "id-9"));

        // back again after its removal: found, and listed once
        heads.insert("id-9", head(90));
        assert_eq!(heads["id-9"].version, 90);
        assert_eq!(heads.keys().filter(|id| *id == "id-9").count(), 1);
        assert_eq!(heads.len(), 1000);
    }
}
