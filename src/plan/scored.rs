//! The entries a cycle scores, split and normalised once for both things done with them:
//! listing the name keys whose weights are read before scoring, and the scoring itself.

use std::collections::BTreeSet;

use crate::domain::entry::Entry;
use crate::matching::{entry_weighed_keys, Match, Matcher, PreparedEntry};

/// Up to this many entries scored are prepared at once; more (a first load, a large change)
/// would hold every one's normalised names together, and are prepared one at a time as they
/// are scored. The weights of so many are read whole anyway ([`crate::weights`]).
pub const PREPARED_AT_MOST: usize = 20_000;

/// The entries a plan scores, in the order it scores them.
pub struct Scored<'e> {
    entries: Vec<&'e Entry>,
    prepared: Vec<PreparedEntry<'e>>,
    /// The first prepared entry not scored yet.
    next: usize,
}

impl<'e> Scored<'e> {
    pub fn new(entries: Vec<&'e Entry>) -> Scored<'e> {
        let prepared = if entries.len() <= PREPARED_AT_MOST {
            entries.iter().map(|e| PreparedEntry::new(e)).collect()
        } else {
            Vec::new()
        };
        Scored {
            entries,
            prepared,
            next: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every key the names of these entries are weighed under when scored.
    pub fn weighed_keys(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if self.prepared.is_empty() {
            for e in &self.entries {
                entry_weighed_keys(e, &mut out);
            }
        } else {
            for p in &self.prepared {
                p.weighed_keys(&mut out);
            }
        }
        out
    }

    /// [`Matcher::match_entry`] of `entry`, from its prepared names when it is the next
    /// prepared entry in order (entries the plan passes over are skipped), else from its own.
    pub fn match_entry(
        &mut self,
        matcher: &Matcher,
        source: &str,
        entry: &Entry,
    ) -> Vec<(usize, Match)> {
        while let Some(p) = self.prepared.get_mut(self.next) {
            self.next += 1;
            if std::ptr::eq(p.entry(), entry) {
                return matcher.match_prepared(source, p, false);
            }
        }
        matcher.match_entry(source, entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::watch::{WatchItem, WatchKind};
    use crate::matching::DEFAULT_THRESHOLD;
    use crate::plan::stats::tests::entry as person;

    #[test]
    fn prepared_entries_score_as_their_own_names_in_any_order() {
        // OFAC SDN ent_num 9760 and 24283 (July 2021), and one nobody watches
        let lukashenka = person(
            "LUKASHENKA, Alyaksandr Hryhoryavich",
            &["LUKASHENKO, Aliaksandr Hryhoryavich"],
        );
        let deripaska = person("DERIPASKA, Oleg Vladimirovich", &[]);
        let nobody = person("FILLER TRADING LLC", &[]);
        let matcher = Matcher::new(
            vec![
                WatchItem::query(WatchKind::Person, "Alexander Lukashenko"),
                WatchItem::query(WatchKind::Person, "Oleg Deripaska"),
            ],
            DEFAULT_THRESHOLD,
        );
        let own = |e: &Entry| matcher.match_entry("ofac-sdn", e);
        assert_eq!(own(&lukashenka).len(), 1);
        assert_eq!(own(&deripaska).len(), 1);

        let mut scored = Scored::new(vec![&nobody, &lukashenka, &deripaska]);
        assert_eq!(scored.weighed_keys().len(), {
            let mut keys = BTreeSet::new();
            for e in [&nobody, &lukashenka, &deripaska] {
                entry_weighed_keys(e, &mut keys);
            }
            keys.len()
        });
        // the first passed over, the next two prepared, the first asked for out of order
        let hits = |v: Vec<(usize, Match)>| -> Vec<(usize, String)> {
            v.into_iter().map(|(i, m)| (i, m.why)).collect()
        };
        for e in [&lukashenka, &deripaska, &nobody] {
            let from_scored = hits(scored.match_entry(&matcher, "ofac-sdn", e));
            assert_eq!(from_scored, hits(own(e)), "{}", e.name);
        }
    }
}
