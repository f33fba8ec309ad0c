//! How a cycle changes the name statistics (the rarity weights of name parts): the names of
//! the entries it adds count once more, those of the entries it removes once less, and a
//! changed entry swaps its old names for its new ones. The store keeps the counts per source
//! and applies this change with the plan, so no cycle counts every stored name again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::domain::entry::Entry;
use crate::matching::{entry_weighed_keys, NameStats};

/// The change a plan makes to one source's name counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameStatsDelta {
    /// Change in the number of names counted.
    pub names: i64,
    /// Change in the number of names each part key occurs in; keys whose count does not
    /// change (a changed entry that kept its names) are kept with 0.
    pub counts: BTreeMap<String, i64>,
}

impl NameStatsDelta {
    /// Counts the names of `entry` once more (`sign` 1) or once less (-1).
    pub fn add(&mut self, entry: &Entry, sign: i64) {
        for name in entry.all_names() {
            self.names += sign;
            for k in NameStats::name_keys(name) {
                *self.counts.entry(k).or_default() += sign;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.names == 0 && self.counts.values().all(|&c| c == 0)
    }

    /// The statistics after this change, from the stored number of names and the stored
    /// counts of at least every key of this change (and of every key the caller will weigh;
    /// a key absent from `counts` occurs in no stored name).
    pub fn applied_to(&self, names: u32, mut counts: HashMap<String, u32>) -> NameStats {
        for (k, d) in &self.counts {
            let c = counts.entry(k.clone()).or_default();
            *c = (i64::from(*c) + d).max(0) as u32;
        }
        counts.retain(|_, c| *c > 0);
        let names = (i64::from(names) + self.names).max(0) as u32;
        NameStats::from_counts(names, counts)
    }
}

/// Every key the names of `entries` are weighed under when scored ([`entry_weighed_keys`]).
pub fn keys_of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in entries {
        entry_weighed_keys(e, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A person of that name (its id too) and aliases.
    fn entry(name: &str, aliases: &[&str]) -> Entry {
        Entry::person(name, name, aliases)
    }

    #[test]
    fn counts_after_a_delta_are_the_counts_of_the_names_then_stored() {
        let before = [
            entry("HUSSEIN, Saddam", &["AL-TIKRITI, Saddam Hussein"]),
            entry("KIM, Jong Un", &[]),
            entry("ADISA", &[]),
        ];
        let mut renamed = entry("SKIPPER", &["ADISA"]);
        renamed.id = "ADISA".into();
        let after = [
            before[0].clone(),
            renamed.clone(),
            entry("HUSSEIN, Uday", &[]),
        ];
        let mut d = NameStatsDelta::default();
        d.add(&before[1], -1);
        d.add(&before[2], -1);
        d.add(&renamed, 1);
        d.add(&after[2], 1);
        let stored = NameStats::from_entries(&before);
        let got = d.applied_to(stored.names(), stored.counts().clone());
        let want = NameStats::from_entries(&after);
        assert_eq!(got.names(), want.names());
        assert_eq!(got.counts(), want.counts());
        assert!(!d.is_empty());
        let mut none = NameStatsDelta::default();
        none.add(&before[0], 1);
        none.add(&before[0], -1);
        assert!(none.is_empty());
    }
}
