//! The rarity weights a matcher scores with, from the name counts the store keeps
//! ([`crate::store::name_stats`]): only the counts of the name parts about to be weighed are
//! read, so weighing costs what is scored, not what is stored.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::domain::entry::Entry;
use crate::matching::{Matcher, NameStats};
use crate::plan::{stats::keys_of, NameStatsDelta};
use crate::store::{Store, StoreError};

/// Above this many entries scored, every stored count is read at once rather than key by key.
const READ_ALL_ABOVE: usize = 20_000;

/// Counts, once, the names of each source the store has not counted yet (a database from
/// before the counts were kept, or counts made by other matcher rules) from its stored
/// entries.
pub fn count_uncounted(store: &mut Store) -> Result<(), StoreError> {
    if store.reset_name_stats_unless(crate::matching::rules_digest())? {
        tracing::info!("name statistics made by other matcher rules: counted again");
    }
    // a snapshot stored meanwhile by another process makes a count stale: count again
    for _ in 0..5 {
        let sources = store.uncounted_sources()?;
        if sources.is_empty() {
            break;
        }
        for source in sources {
            let generation = store.generation(&source)?;
            let stats = NameStats::from_entries(&store.entries_of(&source)?);
            if store.put_name_stats(&source, generation, stats.names(), stats.counts())? {
                tracing::info!(source, names = stats.names(), "name statistics counted");
            }
        }
    }
    Ok(())
}

/// The weights once `delta` is applied to the stored counts, for scoring `matcher`'s watch
/// items against `scored`.
pub fn after_change(
    store: &Store,
    matcher: &Matcher,
    delta: &NameStatsDelta,
    scored: &[&Entry],
) -> Result<NameStats, StoreError> {
    let (names, counts) = if scored.len() > READ_ALL_ABOVE {
        store.all_name_stats()?
    } else {
        let mut keys = matcher.weighed_keys().clone();
        keys.extend(keys_of(scored.iter().copied()));
        keys.extend(delta.counts.keys().cloned());
        store.name_stats(keys.iter().map(String::as_str))?
    };
    Ok(delta.applied_to(names, counts))
}

/// `matcher` weighted by the stored counts, for scoring its watch items against `scored`.
pub fn weighted<'a>(
    store: &Store,
    matcher: &Matcher,
    scored: impl IntoIterator<Item = &'a Entry>,
) -> Result<Matcher, StoreError> {
    let mut keys: BTreeSet<String> = matcher.weighed_keys().clone();
    keys.extend(keys_of(scored));
    let (names, counts) = store.name_stats(keys.iter().map(String::as_str))?;
    Ok(matcher.with_stats(Arc::new(NameStats::from_counts(names, counts))))
}
