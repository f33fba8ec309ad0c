//! `watchkeeper screen`: ranks stored entries against ad-hoc queries, with the reason for each
//! score, one row per person or vessel: entries of different lists that share an IMO, MMSI or
//! passport number, or a name and a date of birth, are one row.
//!
//! Queries go through the pipeline's matcher and candidate index, so only entries that share
//! a lookup key with a query are scored. Against the store ([`screen_store`]) the entries'
//! keys, their names as the matcher prepares them and the counts those names are weighed by
//! come from a cache (`store::screen_index`) rebuilt only when the stored entries or counts
//! changed, so one query reads a few postings and candidates and normalises no entry name.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::domain::entry::{Entry, Identifier};
use crate::domain::ident::{self, Imo};
use crate::domain::watch::{WatchItem, WatchKind};
use crate::matching::normalize::fold;
use crate::matching::{self, entry_lookup_keys, Matcher, NameStats, PreparedEntry};
use crate::store::screen_index::{Candidate, ScreenIndex, ScreenRecord, WHOLE_ENTRY};
use crate::store::{Result, Store};
use crate::weights;

#[derive(Debug, Clone, serde::Serialize)]
pub struct ScreenResult {
    pub source: String,
    pub entry_id: String,
    pub kind: String,
    pub name: String,
    pub score: f64,
    pub why: String,
    /// The other entries of this row: the same person or vessel on other lists, or listed
    /// twice ("source:entry_id").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
}

/// One name to screen.
#[derive(Debug, Clone)]
pub struct Query {
    pub name: String,
    pub imo: Option<Imo>,
    pub kind: Option<WatchKind>,
}

impl Query {
    pub fn name(name: &str) -> Query {
        Query {
            name: name.to_string(),
            imo: None,
            kind: None,
        }
    }

    /// The watch items the query is screened as: one per kind it may be.
    fn items(&self, min_score: f64) -> Vec<WatchItem> {
        let kinds: Vec<WatchKind> = match (self.kind, &self.imo) {
            (Some(k), _) => vec![k],
            (None, Some(_)) => vec![WatchKind::Vessel, WatchKind::Organization],
            (None, None) => vec![
                WatchKind::Person,
                WatchKind::Organization,
                WatchKind::Vessel,
            ],
        };
        kinds
            .into_iter()
            .map(|k| {
                let mut q = WatchItem::query(k, &self.name);
                // a number fitting both check digit rules is a ship's for a vessel query and a
                // company's for an organisation query (the tie rule of crate::domain::ident)
                q.imo = self.imo.clone().map(|i| i.in_context(k.imo_kind()));
                q.threshold = Some(min_score);
                q
            })
            .collect()
    }
}

/// Ranks `entries` against a query name (and IMO), best first, at most `limit` rows with a
/// score of at least `min_score`, weighing name parts by their rarity across `entries`.
pub fn screen(
    entries: &[(String, Entry)],
    name: &str,
    imo: Option<Imo>,
    kind: Option<WatchKind>,
    min_score: f64,
    limit: usize,
) -> Vec<ScreenResult> {
    let stats = Arc::new(NameStats::from_entries(entries.iter().map(|(_, e)| e)));
    let query = Query {
        name: name.to_string(),
        imo,
        kind,
    };
    screen_many(entries, stats, &[query], min_score, limit)
        .pop()
        .unwrap_or_default()
}

/// Up to this many watch items (a query is one per kind it is screened as), entries are
/// scored without the candidate index.
const FEW_ITEMS: usize = 8;

/// Fewer entries than this are scored on one thread: starting another costs more.
const MIN_ENTRIES_PER_THREAD: usize = 64;

/// Ranks `entries` against each query, weighing parts by `stats`: per query, best first.
pub fn screen_many(
    entries: &[(String, Entry)],
    stats: Arc<NameStats>,
    queries: &[Query],
    min_score: f64,
    limit: usize,
) -> Vec<Vec<ScreenResult>> {
    let (items, owner) = query_items(queries, min_score);
    let matcher = Matcher::new(items, min_score).with_stats(stats);
    let (mut prepared, _) = prepared(entries, None, None);
    ranked(
        entries,
        &mut prepared,
        &matcher,
        (&owner, queries.len()),
        limit,
    )
}

/// The watch items `queries` are screened as, and for each the query it stands for.
fn query_items(queries: &[Query], min_score: f64) -> (Vec<WatchItem>, Vec<usize>) {
    let mut items = Vec::new();
    let mut owner = Vec::new();
    for (q, query) in queries.iter().enumerate() {
        for item in query.items(min_score) {
            items.push(item);
            owner.push(q);
        }
    }
    (items, owner)
}

/// `entries` in chunks, one per core, each with the index of its first entry: preparing
/// and scoring are most of a screen's work, and each entry's is its own (a screen is run by
/// hand and waited for).
fn chunks<T>(entries: &[T]) -> impl Iterator<Item = (usize, &[T])> {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let size = entries.len().div_ceil(threads).max(MIN_ENTRIES_PER_THREAD);
    entries
        .chunks(size)
        .enumerate()
        .map(move |(c, chunk)| (c * size, chunk))
}

/// Runs each job on a thread of its own and returns their results in order.
fn in_parallel<'env, T: Send + 'env>(
    jobs: impl IntoIterator<Item = impl FnOnce() -> T + Send + 'env>,
) -> Vec<T> {
    std::thread::scope(|s| {
        let workers: Vec<_> = jobs.into_iter().map(|job| s.spawn(job)).collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// The entries' names prepared for scoring, in the [`chunks`] of `entries` (with the index
/// of each chunk's first entry): with `kept`, only the names it gives for each entry (`None`:
/// all). With `stored` (per entry, its names as the screening cache keeps them), they are
/// read from there with the counts of the keys they are weighed under; an entry whose bytes
/// are missing or do not read back is prepared from its names, and its keys are returned as
/// still to be counted.
fn prepared<'e>(
    entries: &'e [(String, Entry)],
    kept: Option<&[Option<Vec<u32>>]>,
    stored: Option<&[Option<Vec<u8>>]>,
) -> (Vec<(usize, Vec<PreparedEntry<'e>>)>, Weighing) {
    let done = in_parallel(chunks(entries).map(|(start, chunk)| {
        move || {
            let mut weighing = Weighing::default();
            let names: Vec<PreparedEntry> = chunk
                .iter()
                .enumerate()
                .map(|(i, (_, e))| {
                    let names = kept.and_then(|k| k[start + i].as_deref());
                    let Some(stored) = stored else {
                        return PreparedEntry::of_names(e, names);
                    };
                    let bytes = stored[start + i].as_deref();
                    let read = bytes
                        .and_then(|b| matching::stored::decode(e, b, names, &mut weighing.counts));
                    read.unwrap_or_else(|| {
                        let p = PreparedEntry::of_names(e, names);
                        p.weighed_keys(&mut weighing.uncounted);
                        p
                    })
                })
                .collect();
            ((start, names), weighing)
        }
    }));
    let mut all = Weighing::default();
    let mut out = Vec::with_capacity(done.len());
    for (chunk, weighing) in done {
        out.push(chunk);
        all.counts.extend(weighing.counts);
        all.uncounted.extend(weighing.uncounted);
    }
    (out, all)
}

/// What weighing the prepared names takes: the counts read with them, and the keys of names
/// prepared afresh, still to be counted.
#[derive(Default)]
struct Weighing {
    counts: HashMap<String, u32>,
    uncounted: BTreeSet<String>,
}

/// Scores the `prepared` chunks of `entries` with `matcher`, whose item `i` stands for query
/// `owner[i]` of `queries`: per query, its rows, best first.
fn ranked(
    entries: &[(String, Entry)],
    prepared: &mut [(usize, Vec<PreparedEntry<'_>>)],
    matcher: &Matcher,
    (owner, queries): (&[usize], usize),
    limit: usize,
) -> Vec<Vec<ScreenResult>> {
    // A few queries score every entry they are given (the store has already picked those
    // that share a key with them), which costs less than looking each entry up in the index;
    // a batch goes through the index.
    let every_item = matcher.items().len() <= FEW_ITEMS;
    let scored = in_parallel(prepared.iter_mut().map(|(start, names)| {
        let start = *start;
        move || {
            let mut out = Vec::new();
            for (e, names) in names.iter_mut().enumerate() {
                let source = &entries[start + e].0;
                for (i, m) in matcher.match_prepared(source, names, every_item) {
                    out.push((start + e, i, m));
                }
            }
            out
        }
    }));
    // per query: entry index → best match over the kinds it was screened as
    let mut found: Vec<HashMap<usize, crate::matching::Match>> = vec![HashMap::new(); queries];
    for (e, i, m) in scored.into_iter().flatten() {
        let slot = found[owner[i]].entry(e).or_insert_with(|| m.clone());
        if m.score > slot.score {
            *slot = m;
        }
    }
    found
        .into_iter()
        .map(|hits| rows(entries, hits, limit))
        .collect()
}

/// A query's matches as rows: grouped by person or vessel, ranked, cut at `limit`.
fn rows(
    entries: &[(String, Entry)],
    hits: HashMap<usize, crate::matching::Match>,
    limit: usize,
) -> Vec<ScreenResult> {
    let mut hits: Vec<(usize, crate::matching::Match)> = hits.into_iter().collect();
    hits.sort_by_key(|(e, _)| *e);
    let groups = same_subject_groups(entries, &hits);
    let mut out: Vec<(ScreenResult, usize, u32)> = groups
        .into_iter()
        .map(|members| {
            // the member that scores best stands for the row; between equal scores, the one
            // with more evidence (agreeing date of birth, nationality, identifiers)
            let best = *members
                .iter()
                .max_by(|a, b| {
                    let (ma, mb) = (&hits[**a].1, &hits[**b].1);
                    ma.score
                        .total_cmp(&mb.score)
                        .then(evidence(&ma.why).cmp(&evidence(&mb.why)))
                        .then(b.cmp(a))
                })
                .expect("a group has members");
            let (e, m) = &hits[best];
            let (source, entry) = &entries[*e];
            let same_as = members
                .iter()
                .filter(|&&i| i != best)
                .map(|&i| {
                    let (s, other) = &entries[hits[i].0];
                    format!("{s}:{}", other.id)
                })
                .collect();
            let row = ScreenResult {
                source: source.clone(),
                entry_id: entry.id.clone(),
                kind: entry.kind.as_str().to_string(),
                name: entry.name.clone(),
                score: (m.score * 1000.0).round() / 1000.0,
                why: m.why.clone(),
                same_as,
            };
            (row, members.len(), evidence(&m.why))
        })
        .collect();
    // ties are broken by evidence: a match confirmed by date of birth or identifiers, then one
    // found on more lists, before the order of sources and ids
    out.sort_by(|(a, an, ae), (b, bn, be)| {
        b.score
            .total_cmp(&a.score)
            .then(be.cmp(ae))
            .then(bn.cmp(an))
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.entry_id.cmp(&b.entry_id))
    });
    out.truncate(limit);
    out.into_iter().map(|(r, _, _)| r).collect()
}

/// How much a match's reason confirms beyond the name: decisive identifiers, an agreeing date
/// of birth or nationality, a name equal after normalisation.
fn evidence(why: &str) -> u32 {
    let mut n = 0;
    if why.contains(" equals the ") {
        n += 4;
    }
    n += why.matches("agree").count() as u32 * 2;
    if why.contains("same after normalisation") {
        n += 1;
    }
    n
}

/// Groups of matched entries (indexes into `hits`) that are one person or vessel: they share
/// an IMO, MMSI or passport number, or they are persons with the same name (as a set of
/// folded words) and a date of birth in common.
fn same_subject_groups(
    entries: &[(String, Entry)],
    hits: &[(usize, crate::matching::Match)],
) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn root(parent: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while parent[r] != r {
            r = parent[r];
        }
        parent[i] = r;
        r
    }
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (h, (e, _)) in hits.iter().enumerate() {
        let entry = &entries[*e].1;
        let mut keys = shared_ids(entry);
        if entry.kind == crate::domain::entry::EntityKind::Person {
            let names: BTreeSet<String> = entry.all_names().map(name_words).collect();
            for n in names {
                for dob in &entry.dates_of_birth {
                    keys.push(format!("person:{n}:{}", dob.to_ascii_lowercase()));
                }
            }
        }
        for k in keys {
            match by_key.get(&k) {
                Some(&other) => {
                    let (a, b) = (root(&mut parent, h), root(&mut parent, other));
                    parent[a] = b;
                }
                None => {
                    by_key.insert(k, h);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for h in 0..hits.len() {
        let r = root(&mut parent, h);
        groups.entry(r).or_default().push(h);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    out.sort();
    out
}

/// A name as the sorted set of its folded words: "MADURO MOROS, Nicolas" = "Nicolas Maduro
/// Moros".
fn name_words(name: &str) -> String {
    let words: BTreeSet<String> = fold(name)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    words.into_iter().collect::<Vec<_>>().join(" ")
}

fn shared_ids(e: &Entry) -> Vec<String> {
    e.identifiers
        .iter()
        .filter(|i: &&Identifier| matches!(i.kind.as_str(), "imo" | "mmsi" | "passport"))
        .map(|i| format!("{}:{}", i.kind, ident::comparable(&i.kind, &i.value)))
        .filter(|k| k.len() > 8)
        .collect()
}

/// What the screening cache is built by: the lookup rules and the matcher's sources (its
/// records hold names as this matcher prepares them).
fn cache_rules() -> String {
    format!(
        "{}+{}",
        matching::rules_digest(),
        matching::prepared_digest()
    )
}

/// Rebuilds the screening cache if the stored entries or name counts changed since it was
/// built; returns whether it did.
pub fn refresh_index(store: &mut Store) -> Result<bool> {
    let rules = cache_rules();
    if store.screen_index_current(&rules)? {
        return Ok(false);
    }
    // one state of the store: a change after it makes the next call rebuild
    let (fingerprint, entries, (_, counts)) = store.reading(|s| {
        Ok((
            s.screen_fingerprint()?,
            s.all_entries()?,
            s.all_name_stats()?,
        ))
    })?;
    let mut index = ScreenIndex {
        entries: Vec::with_capacity(entries.len()),
        postings: HashMap::new(),
    };
    for (i, (source, entry)) in entries.into_iter().enumerate() {
        let (by_name, of_ids) = entry_lookup_keys(&entry);
        let names = by_name.into_iter().enumerate();
        let of_ids = std::iter::once((WHOLE_ENTRY as usize, of_ids));
        for (name, keys) in names.chain(of_ids) {
            for k in keys {
                let posting = (i as u32, name as u32);
                index.postings.entry(k).or_default().push(posting);
            }
        }
        let prepared = matching::stored::encode(&entry, |k| counts.get(k).copied().unwrap_or(0));
        index.entries.push(ScreenRecord {
            source,
            entry: scored_fields(entry),
            prepared,
        });
    }
    store.write_screen_index(&rules, &fingerprint, &index)?;
    Ok(true)
}

/// The entry with only the fields scoring and grouping read ([`crate::matching::scored_alike`]
/// names them): what the cache keeps of it.
fn scored_fields(entry: Entry) -> Entry {
    Entry {
        id: entry.id,
        kind: entry.kind,
        name: entry.name,
        aliases: entry.aliases,
        identifiers: entry.identifiers,
        dates_of_birth: entry.dates_of_birth,
        nationalities: entry.nationalities,
        ..Entry::default()
    }
}

/// Screens stored entries against each query through the screening cache (rebuilt first if
/// stale): only the entries under a query's index keys are read and scored, weighed by the
/// stored frequencies of the parts involved. Returns the rows per query and the number of
/// entries scored.
pub fn screen_store(
    store: &mut Store,
    queries: &[Query],
    min_score: f64,
    limit: usize,
) -> Result<(Vec<Vec<ScreenResult>>, usize)> {
    // counted first: the cache keeps the counts of its names' keys
    weights::count_uncounted(store)?;
    refresh_index(store)?;
    // one read transaction: postings, entries and counts of one state of the store
    store.reading(|store| screen_stored(store, queries, min_score, limit))
}

fn screen_stored(
    store: &Store,
    queries: &[Query],
    min_score: f64,
    limit: usize,
) -> Result<(Vec<Vec<ScreenResult>>, usize)> {
    let (items, owner) = query_items(queries, min_score);
    // the query's parts decide which keys it is indexed under (rarest first)
    let first = weights::weighted(store, &Matcher::new(items, min_score), std::iter::empty())?;
    // only the names under the queries' keys can reach the threshold (the index's
    // guarantee holds name by name): the others are neither normalised nor scored
    let candidates: Vec<Candidate> = match first.index_keys() {
        Some(keys) => store.screen_postings(&keys)?,
        None => (0..store.screen_entry_count()?)
            .map(|o| (o, None))
            .collect(),
    };
    let ordinals: Vec<u32> = candidates.iter().map(|(o, _)| *o).collect();
    let (entries, kept, stored) = with_names(store.screen_records(&ordinals)?, candidates);
    // the candidates' parts are weighed too (an entry part without a partner costs its
    // weight): the cache gives their names prepared, with the counts of their keys. The
    // queries' own keys were read above, in the same read transaction.
    let (mut prepared, weighing) = prepared(&entries, Some(&kept), Some(&stored));
    let query_keys = first.weighed_keys();
    let unread = (weighing.uncounted.iter()).filter(|k| !query_keys.contains(*k));
    let (names, mut counts) = store.name_stats(unread.map(String::as_str))?;
    counts.extend(weighing.counts);
    if let Some(read) = first.stats() {
        counts.extend(read.counts().iter().map(|(k, n)| (k.clone(), *n)));
    }
    let matcher = first.with_stats(Arc::new(NameStats::from_counts(names, counts)));
    let rows = ranked(
        &entries,
        &mut prepared,
        &matcher,
        (&owner, queries.len()),
        limit,
    );
    Ok((rows, entries.len()))
}

/// Per entry read, the positions of the names of it to prepare (`None`: all).
type KeptNames = Vec<Option<Vec<u32>>>;

/// Per entry read, its names as the cache keeps them prepared (`None`: not kept).
type StoredNames = Vec<Option<Vec<u8>>>;

/// The entries read, each with the names of it that its candidate gives and its prepared
/// names: the lists are in ordinal order, and an entry the cache names but no longer holds is
/// not read.
fn with_names(
    read: Vec<(u32, ScreenRecord)>,
    candidates: Vec<Candidate>,
) -> (Vec<(String, Entry)>, KeptNames, StoredNames) {
    let mut candidates = candidates.into_iter().peekable();
    let mut entries = Vec::with_capacity(read.len());
    let mut kept = Vec::with_capacity(read.len());
    let mut stored = Vec::with_capacity(read.len());
    for (ordinal, record) in read {
        while candidates.next_if(|(o, _)| *o < ordinal).is_some() {}
        let names = candidates
            .next_if(|(o, _)| *o == ordinal)
            .and_then(|(_, n)| n);
        entries.push((record.source, record.entry));
        kept.push(names);
        stored.push(record.prepared);
    }
    (entries, kept, stored)
}

/// The entity kinds a `--kind` word selects.
pub fn parse_kind(word: &str) -> Option<WatchKind> {
    match word {
        "vessel" => Some(WatchKind::Vessel),
        "person" => Some(WatchKind::Person),
        "organization" | "organisation" => Some(WatchKind::Organization),
        _ => None,
    }
}
