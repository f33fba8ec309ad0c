//! The domain: what the lists, the feeds and the watchlist say, and the alerts made of them.
//! Types and pure functions only: nothing here reads a file, a socket or the database.

/// A map keyed by entry id (or another short string), built over a whole list in one cycle:
/// hashed with aHash, several times faster than SipHash on such keys, and like it seeded at
/// random per process.
pub type IdMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
/// A set of [`IdMap`] keys.
pub type IdSet<K> = std::collections::HashSet<K, ahash::RandomState>;

/// A list of entry ids in one buffer: a cycle that leaves 10⁶ unchanged records unparsed names
/// each one, and a `String` apiece was 10⁶ allocations to make and to free.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdList {
    text: String,
    /// Where each id ends in `text`.
    ends: Vec<usize>,
}

impl IdList {
    /// Room for `ids` ids (their text grows as they come).
    pub fn with_capacity(ids: usize) -> IdList {
        IdList {
            text: String::new(),
            ends: Vec::with_capacity(ids),
        }
    }

    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The id at `index`, in the order they were pushed.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        Some(&self.text[start..end])
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.text[start..end])
    }
}

impl<S: AsRef<str>> FromIterator<S> for IdList {
    fn from_iter<I: IntoIterator<Item = S>>(ids: I) -> Self {
        let mut list = IdList::default();
        for id in ids {
            list.push(id.as_ref());
        }
        list
    }
}

pub mod alert;
pub mod audit;
pub mod changes;
pub mod digest;
pub mod entry;
pub mod fields;
pub mod history;
pub mod ident;
pub mod watch;

#[cfg(test)]
mod tests {
    use super::IdList;

    #[test]
    fn an_id_list_gives_back_its_ids_in_order() {
        let mut ids: IdList = ["15036", "", "ofac-9304667"].into_iter().collect();
        ids.push("Q7747");
        assert_eq!(ids.len(), 4);
        assert_eq!(ids.get(1), Some(""));
        assert_eq!(ids.get(3), Some("Q7747"));
        assert_eq!(ids.get(4), None);
        assert_eq!(
            ids.iter().collect::<Vec<_>>(),
            ["15036", "", "ofac-9304667", "Q7747"]
        );
        assert!(IdList::default().is_empty());
    }
}
