//! Planning: what one cycle changes, decided without the database, the network or the clock.
//!
//! The pipeline reads what the store knows about a source ([`SourceState`]), parses a new
//! snapshot, and asks [`plan_list`] (or [`plan_feed`]) what follows: the entries to write, the
//! listings that end, the alerts to raise. The store applies the [`CyclePlan`] in one
//! transaction. Because planning is pure, every rule below has unit tests that need no files.
//!
//! An entry's presence on a list is a sequence of *episodes*: listed in one snapshot, delisted
//! when a later snapshot no longer has it, listed again (episode 2) if it comes back. Its
//! content is a sequence of *versions*: version 1 when first seen, a new version whenever a
//! snapshot carries it with different content. Alerts are transitions of that state, keyed so
//! that each transition alerts once ([`AlertKey`]):
//! - `listed` / `already-listed`: the start of episode *n* (`ep{n}`), so a relisting alerts
//!   again whatever the content;
//! - `delisted`: the end of episode *n*;
//! - `changed`: the entry reaching version *v* (`v{v}`); a difference in order only (the same
//!   aliases listed in another order) is no version and no alert.

pub mod diff;
mod heads;
pub mod notices;
pub mod records;
pub mod stats;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::domain::alert::{Alert, AlertKey, Event, ListRef, Why};
use crate::domain::changes::changed_fields;
use crate::domain::digest::StoredDigest;
use crate::domain::entry::{Entry, FeedItem, FeedSnapshot, ListSnapshot};
use crate::domain::watch::{Exclusion, WatchItem};
use crate::guard::{self, Refusal};
use crate::matching::{scored_alike, Match, Matcher};
use crate::sources::DeltaOp;
pub use diff::entry_hash;
pub use heads::Heads;
pub use records::StoredRecords;
pub use stats::NameStatsDelta;

/// One entry as the store holds it: current content, and where it is in its history.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub hash: String,
    pub entry: Entry,
    /// The listing episode it is in (1 for the first).
    pub episode: u32,
    /// Its content version (1 for the first).
    pub version: u32,
}

/// A stored entry's hash and place in its history, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHead {
    pub hash: StoredDigest,
    pub episode: u32,
    pub version: u32,
    /// The digest of the record it was parsed from, for a format that digests records one by
    /// one ([`ListSnapshot::record_digests`]); `None` for other formats, and for an entry
    /// whose record was not digested (stored by a delta, or before records were).
    pub record: Option<StoredDigest>,
}

impl StoredEntry {
    pub fn head(&self) -> StoredHead {
        StoredHead {
            hash: StoredDigest::new(&self.hash),
            episode: self.episode,
            version: self.version,
            record: None,
        }
    }

    /// An entry at the start of its history: episode 1, version 1.
    pub fn first(entry: Entry) -> StoredEntry {
        StoredEntry {
            hash: entry_hash(&entry),
            entry,
            episode: 1,
            version: 1,
        }
    }
}

/// An entry that was on the list and is not now: where its history stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastListing {
    pub episode: u32,
    pub version: u32,
    pub hash: String,
}

/// What the store knows about one list source before a cycle.
#[derive(Debug, Clone, Default)]
pub struct SourceState {
    /// The entries on the list now, by entry id: their hash and place in their history, which
    /// is all a diff needs.
    pub current: Heads,
    /// `Some(n)` when `current` holds only the heads a cycle touches (those of the records it
    /// parsed, and of the stored entries no record was found unchanged by: see
    /// [`StoredRecords`]), `n` being the number of entries stored; `None` when it holds all.
    pub touched_of: Option<usize>,
    /// The stored content of current entries, by entry id: at least of those a snapshot
    /// changes or removes (the store reads them after the diff, so that a cycle decodes what
    /// changed and not the whole list), and of all of them where a delta is applied.
    pub contents: HashMap<String, Entry>,
    /// Entries delisted earlier, by entry id.
    pub past: HashMap<String, PastListing>,
    /// No snapshot has been applied yet: what it holds is `already-listed`, not news.
    pub first_snapshot: bool,
    /// The versions plain `exclude`s are pinned to, by (watch item id, entry id).
    pub pins: HashMap<(String, String), String>,
    /// Versions reviewed as "not a match" (`watchkeeper dismiss`), as (watch item id, entry
    /// id, version): silent while the entry keeps that version.
    pub dismissed: HashSet<(String, String, String)>,
}

impl SourceState {
    /// The number of entries stored, whether `current` holds all their heads or not.
    pub fn stored_len(&self) -> usize {
        self.touched_of.unwrap_or(self.current.len())
    }
}

/// A plain `exclude` pinned to the version of the entry it silences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionPin {
    pub item_id: String,
    pub source: String,
    pub entry_id: String,
    pub hash: String,
}

/// The facts of a cycle that do not come from the store or the snapshot.
#[derive(Debug, Clone)]
pub struct PlanContext {
    /// The source and its publication.
    pub list: ListRef,
    /// RFC 3339; stamped on alerts.
    pub now: String,
    /// The guard's limit on the share of stored entries one snapshot may remove.
    pub max_removed_share: f64,
}

/// An entry to write as the list now has it: the snapshot's own, not a copy (a first load
/// of 10^6 entries would hold each twice).
#[derive(Debug, Clone, PartialEq)]
pub struct EntryWrite<'s> {
    pub entry: &'s Entry,
    pub hash: String,
    pub episode: u32,
    pub version: u32,
    /// The content is a version not stored before: append it to the history.
    pub new_version: bool,
    /// The entry (re)enters the list: episode `episode` starts.
    pub new_episode: bool,
    /// The digest of the record it was parsed from, if its format digests records.
    pub record: Option<&'s str>,
}

/// An entry leaving the list: its episode ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delisting {
    pub entry_id: String,
    pub episode: u32,
}

/// An alert with the key that makes it unique.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedAlert {
    pub key: AlertKey,
    pub alert: Alert,
}

/// How many entries each kind of transition concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub added: usize,
    pub relisted: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub new_feed_items: usize,
}

/// Everything one cycle of one source changes; applied by the store in one transaction.
/// It borrows the entries to write from the snapshot it was made from (`'s`).
#[derive(Debug, Clone, Default)]
pub struct CyclePlan<'s> {
    pub source: String,
    pub published: Option<String>,
    /// Entries (or feed items) the snapshot holds.
    pub entries: usize,
    pub writes: Vec<EntryWrite<'s>>,
    pub delistings: Vec<Delisting>,
    /// New feed items, to remember as seen.
    pub feed_items: Vec<FeedItem>,
    pub alerts: Vec<PlannedAlert>,
    /// Plain exclusions met for the first time, pinned to the version they silenced.
    pub pins: Vec<ExclusionPin>,
    pub counts: Counts,
    /// How many snapshots of the source were stored when the plan was made: the store applies
    /// the plan only if that is still so, so two processes never both apply a plan made from
    /// the same state.
    pub generation: i64,
    /// What went wrong without failing the cycle (a feed read only up to where it broke, text
    /// decoded with replacement characters): the source's status shows it until a cycle
    /// without one.
    pub warning: Option<String>,
    /// How the plan changes the source's name counts.
    pub name_stats: NameStatsDelta,
    /// Entries whose content is unchanged but whose record's digest is new (the record's
    /// bytes changed, or were not digested before), as (entry id, digest): the store keeps
    /// the digest, so that the next download of the same bytes is not parsed.
    pub record_digests: Vec<(String, String)>,
}

impl CyclePlan<'_> {
    /// Alerts by event, for the audit trail.
    pub fn alerts_by_event(&self) -> BTreeMap<Event, usize> {
        let mut out = BTreeMap::new();
        for a in &self.alerts {
            *out.entry(a.alert.event).or_default() += 1;
        }
        out
    }
}

/// Plans a list snapshot against the stored state, or refuses it (the guard's checks that
/// need the stored state: too many removals, an empty document, a count that disagrees).
pub fn plan_list<'s>(
    state: &SourceState,
    snapshot: &'s ListSnapshot,
    matcher: &Matcher,
    ctx: &PlanContext,
) -> Result<CyclePlan<'s>, Refusal> {
    let d = diff::diff(state, snapshot);
    plan_list_reweighed(state, snapshot, d, ctx, matcher, |_, _| None).map(|(plan, _)| plan)
}

/// [`plan_list`] with the diff `d` of `snapshot` against `state` made by the caller (who
/// reads the stored content of the entries it names into `state.contents`). When the snapshot
/// changes anything, the names' rarity weights change with it: `reweigh` is given the change
/// to the source's name counts and the entries that will be scored, and makes the matcher
/// weighted by the counts as they will stand; with none, `matcher` is used. Returns the
/// matcher it used if `reweigh` made it.
pub fn plan_list_reweighed<'s>(
    state: &SourceState,
    snapshot: &'s ListSnapshot,
    mut d: diff::Diff,
    ctx: &PlanContext,
    matcher: &Matcher,
    reweigh: impl FnOnce(&NameStatsDelta, &[&Entry]) -> Option<Arc<Matcher>>,
) -> Result<(CyclePlan<'s>, Option<Arc<Matcher>>), Refusal> {
    let content = |id: &str| {
        state
            .contents
            .get(id)
            .ok_or_else(|| Refusal::ContentNotRead {
                entry_id: id.to_string(),
            })
    };
    if let Some(id) = d.unparsed_not_stored.first() {
        return Err(Refusal::UnparsedNotStored {
            entry_id: id.clone(),
        });
    }
    guard::check_snapshot(
        snapshot,
        state.stored_len(),
        d.removed.len(),
        ctx.max_removed_share,
    )?;
    let entries = &snapshot.entries;
    // the name counts' change, and the entries scored: added ones, changed ones as they are
    // now (and as they were, when the change touches what scoring reads), removed ones
    let mut delta = NameStatsDelta::default();
    let mut scored: Vec<&Entry> = Vec::new();
    for (i, _) in &d.added {
        delta.add(&entries[*i], 1);
        scored.push(&entries[*i]);
    }
    for (id, _, i, _) in &d.changed {
        let (old, new) = (content(id)?, &entries[*i]);
        // the same names (a new remark, a new program): the counts do not change
        if !old.all_names().eq(new.all_names()) {
            delta.add(old, -1);
            delta.add(new, 1);
        }
        scored.push(new);
        if !scored_alike(old, new) {
            scored.push(old);
        }
    }
    for (id, _) in &d.removed {
        let old = content(id)?;
        delta.add(old, -1);
        scored.push(old);
    }
    let version = if d.is_empty() {
        None
    } else {
        reweigh(&delta, &scored)
    };
    drop(scored);
    let matcher: &Matcher = version.as_deref().unwrap_or(matcher);
    let mut plan = CyclePlan {
        source: ctx.list.source.clone(),
        published: ctx.list.published.clone(),
        entries: snapshot.len(),
        ..CyclePlan::default()
    };
    plan.counts.unchanged = d.unchanged;
    plan.name_stats = delta;
    plan.record_digests = d.redigested;
    let record = |id: &str| snapshot.record_digests.get(id).map(String::as_str);
    let raise = |plan: &mut CyclePlan<'s>, event, entry: &Entry, write: (&str, u32, u32), hits| {
        let (hash, episode, version) = write;
        let at = Transition {
            event,
            hash,
            episode,
            version,
        };
        let silent = Silent {
            pins: &state.pins,
            dismissed: &state.dismissed,
        };
        push_alerts(plan, matcher, silent, ctx, entry, at, hits);
    };

    // the diff's hashes move into the writes: a second copy of each is some 70 MB at 10^6
    for (i, hash) in std::mem::take(&mut d.added) {
        let entry = &entries[i];
        let (episode, version, new_version, event) = match state.past.get(&entry.id) {
            Some(past) => {
                plan.counts.relisted += 1;
                let changed = past.hash != hash;
                let version = past.version + changed as u32;
                (past.episode + 1, version, changed, Event::Listed)
            }
            None => {
                plan.counts.added += 1;
                let event = if state.first_snapshot {
                    Event::AlreadyListed
                } else {
                    Event::Listed
                };
                (1, 1, true, event)
            }
        };
        let hits = matcher.match_entry(&ctx.list.source, entry);
        raise(&mut plan, event, entry, (&hash, episode, version), hits);
        plan.writes.push(EntryWrite {
            entry,
            hash,
            episode,
            version,
            new_version,
            new_episode: true,
            record: record(&entry.id),
        });
    }

    for (id, stored, i, hash) in std::mem::take(&mut d.changed) {
        let entry = &entries[i];
        let old = content(&id)?;
        let changes = changed_fields(old, entry);
        // A difference in order only is no new version: the stored copy takes the new hash so
        // that the next snapshot compares equal, and nobody is told.
        let meaningful = !changes.is_empty();
        let version = stored.version + meaningful as u32;
        if meaningful {
            plan.counts.changed += 1;
            // A change that takes a name away from a watched entry still concerns the watcher.
            let mut hits = matcher.match_entry(&ctx.list.source, entry);
            if !scored_alike(old, entry) {
                for (idx, m) in matcher.match_entry(&ctx.list.source, old) {
                    if !hits.iter().any(|(i, _)| *i == idx) {
                        hits.push((idx, m));
                    }
                }
            }
            let before = plan.alerts.len();
            raise(
                &mut plan,
                Event::Changed,
                entry,
                (&hash, stored.episode, version),
                hits,
            );
            for a in &mut plan.alerts[before..] {
                a.alert.changes = changes.clone();
            }
        } else {
            plan.counts.unchanged += 1;
        }
        plan.writes.push(EntryWrite {
            entry,
            hash,
            episode: stored.episode,
            version,
            new_version: meaningful,
            new_episode: false,
            record: record(&entry.id),
        });
    }

    for (id, stored) in &d.removed {
        plan.counts.removed += 1;
        let old = content(id)?;
        let hits = matcher.match_entry(&ctx.list.source, old);
        let hash = stored.hash.to_string();
        let write = (hash.as_str(), stored.episode, stored.version);
        raise(&mut plan, Event::Delisted, old, write, hits);
        plan.delistings.push(Delisting {
            entry_id: id.clone(),
            episode: stored.episode,
        });
    }
    Ok((plan, version))
}

/// Plans the new items of a feed: those whose id is not in `seen`.
pub fn plan_feed(
    seen: &HashSet<String>,
    feed: FeedSnapshot,
    matcher: &Matcher,
    ctx: &PlanContext,
) -> CyclePlan<'static> {
    let mut plan = CyclePlan {
        source: ctx.list.source.clone(),
        entries: feed.items.len(),
        warning: (!feed.warnings.is_empty())
            .then(|| format!("warning: {}", feed.warnings.join("; "))),
        ..CyclePlan::default()
    };
    let mut fresh = HashSet::new();
    for item in feed.items {
        if seen.contains(&item.id) || !fresh.insert(item.id.clone()) {
            continue;
        }
        for (idx, m) in matcher.match_feed_item(&ctx.list.source, &item) {
            let watch = &matcher.items()[idx];
            let why = Why {
                score: m.score,
                why: m.why,
            };
            let mut alert = Alert::for_feed_item(&ctx.list.source, &item, watch, why, &ctx.now);
            alert.quote = Some(m.quote);
            plan.alerts.push(PlannedAlert {
                key: AlertKey::mention(&watch.id, &ctx.list.source, &item.id),
                alert,
            });
        }
        plan.feed_items.push(item);
    }
    plan.counts.new_feed_items = plan.feed_items.len();
    plan
}

/// `already-listed` alerts for watch items seen for the first time, against every entry on
/// every list now: `entries` are (list, stored entry).
pub fn plan_already_listed(
    entries: &[(ListRef, StoredEntry)],
    fresh: &Matcher,
    now: &str,
) -> CyclePlan<'static> {
    let mut plan = CyclePlan::default();
    let no_pins = HashMap::new();
    let none_dismissed = HashSet::new();
    for (list, stored) in entries {
        let ctx = PlanContext {
            list: list.clone(),
            now: now.to_string(),
            max_removed_share: 1.0,
        };
        let hits = fresh.match_entry(&list.source, &stored.entry);
        let at = Transition {
            event: Event::AlreadyListed,
            hash: &stored.hash,
            episode: stored.episode,
            version: stored.version,
        };
        let silent = Silent {
            pins: &no_pins,
            dismissed: &none_dismissed,
        };
        push_alerts(&mut plan, fresh, silent, &ctx, &stored.entry, at, hits);
    }
    plan
}

/// Pins for the plain exclusions of `items` not pinned yet, to the version each entry has now
/// (`current` gives it, `None` when the entry is not listed: it is pinned when first met).
pub fn pin_exclusions(
    items: &[WatchItem],
    pinned: &HashSet<(String, String, String)>,
    mut current: impl FnMut(&str, &str) -> Option<String>,
) -> Vec<ExclusionPin> {
    let mut out = Vec::new();
    for item in items {
        for x in &item.exclude {
            let Some((source, entry_id)) = x.split_once(':') else {
                continue;
            };
            if entry_id.contains('@') {
                continue;
            }
            let key = (item.id.clone(), source.to_string(), entry_id.to_string());
            if pinned.contains(&key) {
                continue;
            }
            if let Some(hash) = current(source, entry_id) {
                out.push(ExclusionPin {
                    item_id: item.id.clone(),
                    source: source.to_string(),
                    entry_id: entry_id.to_string(),
                    hash,
                });
            }
        }
    }
    out
}

/// The stored snapshot with a delta's additions, modifications and deletions applied, so that
/// a delta goes through the same guard, diff and alerts as a full snapshot.
pub fn apply_delta(state: &SourceState, ops: Vec<DeltaOp>) -> ListSnapshot {
    // the caller has read the content of every current entry (see `SourceState::contents`)
    let mut entries: BTreeMap<String, Entry> = state
        .contents
        .iter()
        .filter(|(id, _)| state.current.contains_key(id))
        .map(|(id, e)| (id.clone(), e.clone()))
        .collect();
    for op in ops {
        match op {
            DeltaOp::Add(e) | DeltaOp::Mod(e) => {
                entries.insert(e.id.clone(), e);
            }
            DeltaOp::Del(id) => {
                entries.remove(&id);
            }
        }
    }
    ListSnapshot {
        entries: entries.into_values().collect(),
        ..ListSnapshot::default()
    }
}

/// A change of an entry's listing state: what happened, and to which version and episode.
#[derive(Debug, Clone, Copy)]
struct Transition<'a> {
    event: Event,
    hash: &'a str,
    episode: u32,
    version: u32,
}

impl Transition<'_> {
    /// What makes the alert unique: the episode for listing events, the version for changes.
    fn key_part(&self) -> String {
        match self.event {
            Event::Changed => format!("v{}", self.version),
            _ => format!("ep{}", self.episode),
        }
    }
}

/// What keeps a (watch item, entry) pair silent besides the watchlist's `exclude`s.
#[derive(Clone, Copy)]
struct Silent<'a> {
    pins: &'a HashMap<(String, String), String>,
    dismissed: &'a HashSet<(String, String, String)>,
}

/// Alerts for `hits` on `entry` at transition `at`, less those an `exclude` or a dismissal
/// silences.
fn push_alerts(
    plan: &mut CyclePlan<'_>,
    matcher: &Matcher,
    silent: Silent<'_>,
    ctx: &PlanContext,
    entry: &Entry,
    at: Transition<'_>,
    hits: Vec<(usize, Match)>,
) {
    let hash = at.hash;
    for (idx, m) in hits {
        let item: &WatchItem = &matcher.items()[idx];
        let exclusion = item.exclusion(&ctx.list.source, &entry.id);
        let pin = silent.pins.get(&(item.id.clone(), entry.id.clone()));
        if exclusion.silences(hash, pin.map(String::as_str)) {
            if exclusion == Exclusion::Plain && pin.is_none() {
                plan.pins.push(ExclusionPin {
                    item_id: item.id.clone(),
                    source: ctx.list.source.clone(),
                    entry_id: entry.id.clone(),
                    hash: hash.to_string(),
                });
            }
            continue;
        }
        let reviewed = (item.id.clone(), entry.id.clone(), hash.to_string());
        if silent.dismissed.contains(&reviewed) {
            continue;
        }
        let mut alert = Alert::for_entry(at.event, &ctx.list, entry, hash, item, why(m), &ctx.now);
        if at.event != Event::Changed {
            alert.episode = Some(at.episode);
        }
        let key = AlertKey::list(
            &item.id,
            &ctx.list.source,
            &entry.id,
            at.event,
            &at.key_part(),
        );
        plan.alerts.push(PlannedAlert { key, alert });
    }
}

fn why(m: Match) -> Why {
    Why {
        score: m.score,
        why: m.why,
    }
}

#[cfg(test)]
mod tests;
