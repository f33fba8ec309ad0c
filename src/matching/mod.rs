//! Matching: does a list entry or a news item concern a watch item, how strongly, and why.
//!
//! - [`normalize`]: names to folded parts (scripts, diacritics, titles, legal forms, vessel
//!   prefixes, "LAST, First").
//! - [`translit`]: a phonetic skeleton equal for transliteration variants; Russian endings.
//! - [`score`]: name against name as sets of parts.
//! - [`text`]: names and keywords in news text.
//! - [`index`]: which watch items an entry could match, so that only those are scored.
//!
//! Identifiers decide before names: an equal IMO or MMSI number is a match whatever the
//! names say (a renamed tanker keeps its IMO), and a different IMO number of the same kind
//! vetoes a match on the name alone (two ships may share a name, never an IMO number). MMSI
//! numbers change when a ship is reflagged, so a different MMSI vetoes nothing.

mod gloss;
mod index;
mod jaro;
pub mod normalize;
pub mod personal;
pub mod score;
pub mod scripts;
pub mod stored;
pub mod text;
pub mod translit;

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use crate::domain::alert::Quote;
use crate::domain::entry::{EntityKind, Entry, FeedItem};
use crate::domain::ident::{self, ImoKind};
use crate::domain::watch::{WatchItem, WatchKind};
use normalize::{normalize, normalize_split, split_words, NameKind, NormName};
pub use score::NameStats;
use score::{describe_parts, score_names_with, NameScore, Strictness};

/// Used when neither the watch item nor the config sets a threshold.
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// A match, with its score (0–1) and a reason a compliance officer can read.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Match {
    pub score: f64,
    pub why: String,
}

/// A news item's mention of a watch item: the score and reason, and the sentence it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub score: f64,
    pub why: String,
    pub quote: Quote,
}

/// The parts of a news item that are matched, in the order a mention is looked for.
const PLACES: [&str; 3] = ["title", "summary", "content"];

/// A watch item, normalised once.
struct Prepared {
    /// (label, normalised name) for the name, aliases and former names.
    names: Vec<(&'static str, NormName)>,
    patterns: Vec<text::Pattern>,
    imo: Option<(String, ImoKind)>,
    mmsi: Option<String>,
}

impl Prepared {
    fn new(item: &WatchItem) -> Prepared {
        let kind = name_kind(item.kind);
        let labelled = labelled_names(item);
        let names = if item.kind == WatchKind::Keyword {
            Vec::new()
        } else {
            labelled
                .iter()
                .map(|(label, n)| (*label, normalize(n, kind)))
                .collect()
        };
        let patterns = if item.kind == WatchKind::Keyword {
            vec![text::Pattern::keyword(&item.name)]
        } else {
            labelled
                .iter()
                .map(|(label, n)| text::Pattern::name(label, n, kind))
                .collect()
        };
        Prepared {
            names,
            patterns,
            imo: item.imo.as_ref().map(|i| (i.number.clone(), i.kind)),
            mmsi: item.mmsi.as_ref().map(|m| ident::comparable("mmsi", m)),
        }
    }
}

/// Every key the parts of `name` may be weighed under when it is scored against another
/// name, added to `out`: the keys it is counted under ([`NameStats::name_keys`]), those of its
/// parts as normalised for each kind of watch item, and those of each pair of adjacent parts
/// joined (scoring joins two parts that the other name writes as one). Stats holding the
/// counts of these keys, for both names of every pair scored, weigh each pair exactly as the
/// stats of every stored name would: the store loads only these.
pub fn weighed_keys(name: &str, out: &mut BTreeSet<String>) {
    let (tokens, comma_at) = split_words(name, false);
    out.extend(tokens.iter().map(|t| NameStats::key(t).to_string()));
    for kind in ALL_NAME_KINDS {
        normalised_keys(&normalize_split(name, tokens.clone(), comma_at, kind), out);
    }
}

const ALL_NAME_KINDS: [NameKind; 3] = [NameKind::Person, NameKind::Organization, NameKind::Vessel];

/// The keys of a normalised name's parts and of each pair of adjacent parts joined.
fn normalised_keys(norm: &NormName, out: &mut BTreeSet<String>) {
    for t in &norm.tokens {
        insert_key(out, NameStats::key(t));
    }
    for pair in norm.tokens.windows(2) {
        let joined =
            normalize::Token::new(format!("{}{}", pair[0].text, pair[1].text), pair[0].script);
        insert_key(out, NameStats::key(&joined));
    }
}

/// Most keys are there already (a name's parts recur across its aliases and kinds): look
/// before allocating.
fn insert_key(out: &mut BTreeSet<String>, key: &str) {
    if !out.contains(key) {
        out.insert(key.to_string());
    }
}

/// [`weighed_keys`] of every name of `entry`, normalised only as scoring normalises them:
/// as names of the entry's own kind, or of every kind for an entity of unknown kind.
pub fn entry_weighed_keys(entry: &Entry, out: &mut BTreeSet<String>) {
    PreparedEntry::new(entry).weighed_keys(out);
}

/// An entry's names split and normalised once, to list the keys they are weighed under and
/// then to be scored ([`Matcher::match_prepared`]): `screen` reads the weights of those keys
/// in between, and would otherwise normalise every candidate twice.
pub struct PreparedEntry<'a>(EntryNames<'a>);

impl<'a> PreparedEntry<'a> {
    pub fn new(entry: &'a Entry) -> PreparedEntry<'a> {
        PreparedEntry::of_names(entry, None)
    }

    /// The entry with only the names at `names` (positions in [`Entry::all_names`]) split,
    /// normalised and scored; every name with `None`. A name that shares no lookup key with
    /// a watch item cannot reach its threshold (the index's guarantee, name by name), so a
    /// caller that knows which names share one may leave the others out.
    pub fn of_names(entry: &'a Entry, names: Option<&[u32]>) -> PreparedEntry<'a> {
        let mut names = match names {
            Some(kept) => EntryNames::of(entry, |n| kept.binary_search(&(n as u32)).is_ok()),
            None => EntryNames::new(entry),
        };
        // an entity of unknown kind is normalised as each watch item it is compared with
        let own = own_name_kind(entry.kind);
        for &kind in own
            .as_ref()
            .map_or(&ALL_NAME_KINDS[..], std::slice::from_ref)
        {
            names.get(kind);
        }
        PreparedEntry(names)
    }

    /// Adds the keys these names are weighed under when scored (see [`weighed_keys`]).
    pub fn weighed_keys(&self, out: &mut BTreeSet<String>) {
        for (tokens, _) in &self.0.split {
            for t in tokens {
                insert_key(out, NameStats::key(t));
            }
        }
        for names in self.0.by_kind.values() {
            for (_, norm) in names {
                normalised_keys(norm, out);
            }
        }
    }
}

/// Whether two versions of an entry score alike against every watch item: they agree on
/// every field [`Matcher::match_entry`] reads (kind, names, identifiers, dates of birth,
/// nationalities), so that a change elsewhere (a remark, a program) needs one of them scored.
pub fn scored_alike(a: &Entry, b: &Entry) -> bool {
    (
        a.kind,
        &a.name,
        &a.aliases,
        &a.identifiers,
        &a.dates_of_birth,
        &a.nationalities,
    ) == (
        b.kind,
        &b.name,
        &b.aliases,
        &b.identifiers,
        &b.dates_of_birth,
        &b.nationalities,
    )
}

/// An item's names with what each is; an organisation's names in Arabic script are followed
/// by their English glosses ([`gloss::english_glosses`]), as the lists translate them.
fn labelled_names(item: &WatchItem) -> Vec<(&'static str, Cow<'_, str>)> {
    let written = std::iter::once(("name", item.name.as_str()))
        .chain(item.aliases.iter().map(|a| ("alias", a.as_str())))
        .chain(
            item.former_names
                .iter()
                .map(|a| ("former name", a.as_str())),
        )
        // A vessel watched by IMO alone has an empty name: nothing to match by name.
        .filter(|(_, n)| !n.is_empty());
    let mut out = Vec::new();
    for (label, name) in written {
        out.push((label, Cow::Borrowed(name)));
        if item.kind == WatchKind::Organization {
            for english in gloss::english_glosses(name) {
                out.push(("English gloss", Cow::Owned(english)));
            }
        }
    }
    out
}

/// The watchlist, normalised once; shared by every [`Matcher`] version built from it. What
/// only matching needs is made when first asked for: a cycle whose download did not change
/// matches nothing, and `once` would otherwise pay for it on every run (a third of its work
/// besides reading the bytes, with 1,000 items).
struct Watch {
    items: Vec<WatchItem>,
    default_threshold: f64,
    prepared: std::sync::OnceLock<Vec<Prepared>>,
    /// SHA-256 of the items as loaded, for the audit trail.
    hash: String,
    /// [`Matcher::weighed_keys`]: every cycle that reweighs asks.
    weighed_keys: std::sync::OnceLock<BTreeSet<String>>,
    /// Which watch items a news text could mention.
    news: std::sync::OnceLock<text::NewsIndex>,
}

impl Watch {
    fn prepared(&self) -> &[Prepared] {
        self.prepared
            .get_or_init(|| self.items.iter().map(Prepared::new).collect())
    }

    fn news(&self) -> &text::NewsIndex {
        self.news.get_or_init(|| {
            text::NewsIndex::build(self.prepared().iter().map(|p| p.patterns.as_slice()))
        })
    }
}

/// The watchlist prepared for matching, with the rarity weights it scores with. Immutable: a
/// new watchlist or new weights make a new version ([`Matcher::with_stats`]), which a
/// [`MatcherSlot`] swaps in between cycles; a cycle in progress keeps the version it began with.
pub struct Matcher {
    watch: Arc<Watch>,
    /// Name-part frequencies across the stored names, when known.
    stats: Option<Arc<NameStats>>,
    /// The candidate index for these weights, made when first asked for.
    index: std::sync::OnceLock<index::Index>,
}

impl Matcher {
    pub fn new(items: Vec<WatchItem>, default_threshold: f64) -> Matcher {
        let hash = watchlist_hash(&items);
        Matcher {
            watch: Arc::new(Watch {
                items,
                default_threshold,
                prepared: std::sync::OnceLock::new(),
                hash,
                weighed_keys: std::sync::OnceLock::new(),
                news: std::sync::OnceLock::new(),
            }),
            stats: None,
            index: std::sync::OnceLock::new(),
        }
    }

    /// A new version of this matcher that weighs name parts by their rarity in `stats` (see
    /// [`NameStats`]); the watchlist is re-indexed for them when it is first matched.
    pub fn with_stats(&self, stats: Arc<NameStats>) -> Matcher {
        Matcher {
            watch: self.watch.clone(),
            stats: Some(stats),
            index: std::sync::OnceLock::new(),
        }
    }

    fn index(&self) -> &index::Index {
        self.index.get_or_init(|| {
            let w = &self.watch;
            index::Index::build(
                &w.items,
                w.prepared(),
                w.default_threshold,
                self.stats.as_deref(),
            )
        })
    }

    /// Every key the watch items' names may be weighed under ([`weighed_keys`]).
    pub fn weighed_keys(&self) -> &BTreeSet<String> {
        self.watch.weighed_keys.get_or_init(|| {
            let mut out = BTreeSet::new();
            for item in &self.watch.items {
                if item.kind != WatchKind::Keyword {
                    for (_, name) in labelled_names(item) {
                        weighed_keys(&name, &mut out);
                    }
                }
            }
            out
        })
    }

    /// The rarity weights this version scores with.
    pub fn stats(&self) -> Option<&Arc<NameStats>> {
        self.stats.as_ref()
    }

    pub fn default_threshold(&self) -> f64 {
        self.watch.default_threshold
    }

    pub fn items(&self) -> &[WatchItem] {
        &self.watch.items
    }

    /// The watchlist's version: a SHA-256 of its items, as the audit trail records it.
    pub fn watchlist_hash(&self) -> &str {
        &self.watch.hash
    }

    /// Watch items (by index) that `entry` of `source` matches at or above their threshold,
    /// honouring each item's `sources` and `exclude`. Keywords never match list entries.
    pub fn match_entry(&self, source: &str, entry: &Entry) -> Vec<(usize, Match)> {
        let mut names = EntryNames::new(entry);
        let candidates = candidates(self.index(), &names);
        self.match_among(source, &mut names, candidates, Some(self.index()))
    }

    /// [`Matcher::match_entry`] scoring every watch item, without the index: for `screen`,
    /// whose low thresholds want weak matches the index does not look for, and as the
    /// reference the index is checked against.
    pub fn match_entry_scan(&self, source: &str, entry: &Entry) -> Vec<(usize, Match)> {
        let mut names = EntryNames::new(entry);
        self.match_among(source, &mut names, every(self.watch.items.len()), None)
    }

    /// [`Matcher::match_entry`] (or with `every_item`, [`Matcher::match_entry_scan`]) on names
    /// already prepared.
    pub fn match_prepared(
        &self,
        source: &str,
        prepared: &mut PreparedEntry<'_>,
        every_item: bool,
    ) -> Vec<(usize, Match)> {
        let names = &mut prepared.0;
        if every_item {
            self.match_among(source, names, every(self.watch.items.len()), None)
        } else {
            let candidates = candidates(self.index(), names);
            self.match_among(source, names, candidates, Some(self.index()))
        }
    }

    /// Every key the index files its watch items under, or `None` when some item is a
    /// candidate for every entry (a name of initials only): an entry can match only if one of
    /// [`entry_lookup_keys`] is among them. `screen` looks these up in its stored postings.
    pub fn index_keys(&self) -> Option<Vec<String>> {
        self.index().keys()
    }

    /// How many watch items the index proposes for `entry` (for the benchmark).
    pub fn candidate_count(&self, entry: &Entry) -> usize {
        candidates(self.index(), &EntryNames::new(entry)).len()
    }

    /// Scores `candidates`; with the `index` that proposed them, a pair of names that pairs
    /// none of the parts the index chose for the watch name is not scored (it cannot reach
    /// the item's threshold).
    fn match_among(
        &self,
        source: &str,
        names: &mut EntryNames<'_>,
        candidates: impl IntoIterator<Item = (usize, bool)>,
        index: Option<&index::Index>,
    ) -> Vec<(usize, Match)> {
        let entry = names.entry;
        let stats = self.stats.as_deref();
        let w = &self.watch;
        let prepared = w.prepared();
        let mut out = Vec::new();
        for (i, by_prefix) in candidates {
            let item = &w.items[i];
            // Exclusions depend on the entry's version: the plan applies them.
            if !item.covers(source) {
                continue;
            }
            if by_prefix
                && compatible(item.kind, entry.kind)
                && !index::prefix_pair_scores(&prepared[i].names, names.get(name_kind(item.kind)))
            {
                continue;
            }
            let threshold = item.threshold.unwrap_or(w.default_threshold);
            let must_pair = index.map(|x| x.must_pair(i));
            let scored = score_prepared(
                item,
                &prepared[i],
                entry,
                names,
                stats,
                threshold,
                must_pair,
            );
            if let Some(m) = scored {
                out.push((i, m));
            }
        }
        out
    }

    /// Watch items (by index, keywords included) that a news item of `source` mentions, in
    /// its title, summary or content. Only the items the news index proposes are looked for.
    pub fn match_feed_item(&self, source: &str, item: &FeedItem) -> Vec<(usize, Mention)> {
        let places = places(item);
        let candidates = self.watch.news().candidates(&places);
        self.mentions(source, item, &places, candidates)
    }

    /// [`Matcher::match_feed_item`] looking for every watch item, without the index: the
    /// reference the index is checked against.
    pub fn match_feed_item_scan(&self, source: &str, item: &FeedItem) -> Vec<(usize, Mention)> {
        self.mentions(source, item, &places(item), 0..self.watch.items.len())
    }

    /// How many watch items the news index proposes for `item` (for the benchmark).
    pub fn news_candidate_count(&self, item: &FeedItem) -> usize {
        self.watch.news().candidates(&places(item)).len()
    }

    fn mentions(
        &self,
        source: &str,
        item: &FeedItem,
        places: &[text::Place],
        candidates: impl IntoIterator<Item = usize>,
    ) -> Vec<(usize, Mention)> {
        let mut found = Vec::new();
        for i in candidates {
            if !self.watch.items[i].applies_to(source, &item.id) {
                continue;
            }
            if let Some(hit) = self.mention(i, places) {
                found.push((i, hit));
            }
        }
        // A family name alone is somebody else's when another watch item's full name covers
        // one of its occurrences ("Николаса Мадуро" is the father's alias, not the son).
        let full: Vec<(usize, usize, (usize, usize))> = found
            .iter()
            .filter(|(_, (_, _, f))| !f.alone)
            .map(|(i, (_, place, f))| (*i, *place, f.span))
            .collect();
        let mut out = Vec::new();
        for (i, (pattern, place, f)) in found {
            let claimed = f.alone
                && f.occurrences.iter().any(|(p, (s, e))| {
                    full.iter()
                        .any(|(j, fp, (fs, fe))| *j != i && fp == p && fs <= s && e <= fe)
                });
            let threshold = self.watch.items[i]
                .threshold
                .unwrap_or(self.watch.default_threshold);
            if claimed || f.score < threshold {
                continue;
            }
            let texts = [&item.title, &item.summary, &item.content];
            let (before, matched, after) = text::quote(texts[place], f.span);
            out.push((
                i,
                Mention {
                    score: f.score,
                    why: describe_mention(pattern, PLACES[place], &f),
                    quote: Quote {
                        place: PLACES[place].to_string(),
                        before,
                        matched,
                        after,
                    },
                },
            ));
        }
        out
    }

    /// The best finding of any pattern of watch item `i`, with where it was found.
    fn mention<'p>(
        &'p self,
        i: usize,
        places: &[text::Place],
    ) -> Option<(&'p text::Pattern, usize, text::Found)> {
        let mut best: Option<(&text::Pattern, usize, text::Found)> = None;
        for pattern in &self.watch.prepared()[i].patterns {
            let Some((place, found)) = text::find_in(pattern, places) else {
                continue;
            };
            if best
                .as_ref()
                .is_some_and(|(_, _, b)| b.score >= found.score)
            {
                continue;
            }
            best = Some((pattern, place, found));
        }
        best
    }
}

/// The matcher in force, swapped whole between cycles: when the watchlist is reloaded (the
/// rarity weights carry over) and when a list cycle changed the stored names (the watchlist
/// carries over). A cycle takes the current version once and keeps it to its end.
pub struct MatcherSlot {
    current: RwLock<Arc<Matcher>>,
}

impl MatcherSlot {
    pub fn new(matcher: Matcher) -> MatcherSlot {
        MatcherSlot {
            current: RwLock::new(Arc::new(matcher)),
        }
    }

    /// The version in force now.
    pub fn current(&self) -> Arc<Matcher> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A new watchlist, keeping the current rarity weights.
    pub fn replace_watchlist(&self, items: Vec<WatchItem>, default_threshold: f64) -> Arc<Matcher> {
        let fresh = Matcher::new(items, default_threshold);
        let mut slot = self.current.write().unwrap_or_else(|e| e.into_inner());
        let next = match slot.stats.clone() {
            Some(stats) => fresh.with_stats(stats),
            None => fresh,
        };
        *slot = Arc::new(next);
        slot.clone()
    }

    /// New rarity weights after a cycle, computed by `version` (the matcher that cycle built).
    /// If the watchlist was reloaded meanwhile, the weights go onto the new watchlist.
    pub fn replace_stats(&self, version: Arc<Matcher>) {
        let mut slot = self.current.write().unwrap_or_else(|e| e.into_inner());
        if Arc::ptr_eq(&slot.watch, &version.watch) {
            *slot = version;
        } else if let Some(stats) = version.stats.clone() {
            *slot = Arc::new(slot.with_stats(stats));
        }
    }
}

/// SHA-256 of the watch items as matched (their JSON), hex.
fn watchlist_hash(items: &[WatchItem]) -> String {
    let json = serde_json::to_vec(items).expect("watch items serialize");
    crate::domain::digest::hex(&Sha256::digest(&json))
}

/// Every watch item, as candidates met by more than a prefix.
fn every(items: usize) -> impl Iterator<Item = (usize, bool)> {
    (0..items).map(|i| (i, false))
}

/// Watch items the index proposes for the entry.
fn candidates(index: &index::Index, names: &EntryNames<'_>) -> Vec<(usize, bool)> {
    let entry = names.entry;
    let imos: Vec<String> = entry_imo_numbers(entry).collect();
    let mmsis: Vec<String> = entry.identifiers_of("mmsi").map(mmsi).collect();
    let parts = names
        .split
        .iter()
        .map(|(tokens, comma)| (tokens.as_slice(), *comma));
    index.candidates(parts, &imos, &mmsis)
}

/// A digest of the matcher's sources (see `build.rs`): what the store keeps as this matcher
/// prepared it is built again by a binary whose matcher differs.
pub fn prepared_digest() -> &'static str {
    env!("WATCHKEEPER_MATCHING_DIGEST")
}

/// A digest of the keys a fixed set of names in the scripts the matcher reads is looked up
/// ([`entry_lookup_keys`]) and counted ([`NameStats::name_keys`]) under. What the store keeps
/// by these keys, made by another build of the rules (a new folding, a new romanisation),
/// would miss entries or weigh parts wrongly: it records this digest and is built again when
/// it differs.
pub fn rules_digest() -> &'static str {
    static DIGEST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DIGEST.get_or_init(probe_keys_digest)
}

fn probe_keys_digest() -> String {
    const PROBES: &[(EntityKind, &str)] = &[
        (EntityKind::Person, "ABU MARZOOK, Mousa Mohammed"),
        (EntityKind::Person, "LUKASHENKA, Alyaksandr Hryhoryavich"),
        (EntityKind::Person, "سيف الدين المشهداني"),
        (EntityKind::Person, "عبد الله احمد عبدالله الالفي"),
        (EntityKind::Person, "سید عصمت الله عاصم"),
        (EntityKind::Person, "محمد عمر ځدران"),
        (EntityKind::Person, "Шамиль Магомедович Измайлов"),
        (EntityKind::Person, "Ντεριπάσκα Όλεγκ"),
        (EntityKind::Person, "김정은"),
        (EntityKind::Person, "ウラジーミル・プーチン"),
        (EntityKind::Person, "בשאר אל-אסד"),
        (EntityKind::Person, "איגור סצ'ין"),
        (EntityKind::Person, "רמזאן קדירוב"),
        (EntityKind::Person, "ZAKARYA ESSABAR"),
        (EntityKind::Person, "DJAMEL LOUNICI"),
        (EntityKind::Person, "ፍትዊ ዓብዱረዛቕ (Tigrinya)"),
        (EntityKind::Person, "الدكتور ساهــر برهــان"),
        (EntityKind::Person, "عبد الله حماد ﻤﺤﻤﺪ ﻛﺮﻴﻡ"),
        (EntityKind::Person, "عبدالرقیب تخاری"),
        (EntityKind::Person, "KADKHODAEI, Abbasali"),
        (EntityKind::Person, "راضي عبد السميع أبواليزيد العياشي"),
        (EntityKind::Organization, "HAQQANI NETWORK (HQN)"),
        (EntityKind::Organization, "AL-ITIHAAD AL-ISLAMIYA / AIAI"),
        (EntityKind::Organization, "HARAKAT-UL JIHAD ISLAMI"),
        (EntityKind::Organization, "حاجی خيرالله و حاجی ستار صرافی"),
        (
            EntityKind::Organization,
            "Gulf Marine Services General Trading LLC",
        ),
        (EntityKind::Vessel, "M/T SKIPPER (ex ADISA)"),
    ];
    let mut h = Sha256::new();
    for (kind, name) in PROBES {
        let entry = Entry {
            kind: *kind,
            name: name.to_string(),
            ..Entry::default()
        };
        for keys in entry_lookup_keys(&entry).0 {
            h.update(keys.join(" "));
            h.update(b"\n");
        }
        h.update(NameStats::name_keys(name).join(" "));
        h.update(b"\n");
    }
    crate::domain::digest::hex(&h.finalize()[..8])
}

/// The keys an entry is looked up under in the candidate index (see [`Matcher::index_keys`]):
/// those of each of its names, by position in [`Entry::all_names`], and those of its
/// identifiers, which stand for the whole entry.
pub fn entry_lookup_keys(entry: &Entry) -> (Vec<Vec<String>>, Vec<String>) {
    let names = EntryNames::new(entry);
    let imos: Vec<String> = entry_imo_numbers(entry).collect();
    let mmsis: Vec<String> = entry.identifiers_of("mmsi").map(mmsi).collect();
    let by_name = names
        .split
        .iter()
        .map(|(tokens, comma)| {
            index::Index::lookup_keys(std::iter::once((tokens.as_slice(), *comma)), &[], &[])
        })
        .collect();
    (
        by_name,
        index::Index::lookup_keys(std::iter::empty(), &imos, &mmsis),
    )
}

/// Scores one query against one entry without any threshold or rarity weights; `None` when
/// nothing at all is shared.
pub fn score_entry(query: &WatchItem, entry: &Entry) -> Option<Match> {
    let prepared = Prepared::new(query);
    score_prepared(
        query,
        &prepared,
        entry,
        &mut EntryNames::new(entry),
        None,
        f64::MIN,
        None,
    )
}

/// The entry's names, split into parts once (for the index and every normalisation) and
/// normalised on demand for each kind of name they are compared as.
struct EntryNames<'a> {
    entry: &'a Entry,
    /// [`split_words`] of the primary name, then of each alias; nothing for a name left out.
    split: Vec<(Vec<normalize::Token>, Option<usize>)>,
    /// Per name, whether it is split, normalised and scored.
    kept: Vec<bool>,
    by_kind: HashMap<NameKind, Vec<(String, NormName)>>,
}

impl<'a> EntryNames<'a> {
    fn new(entry: &'a Entry) -> EntryNames<'a> {
        EntryNames::of(entry, |_| true)
    }

    /// The entry's names at the positions `keep` selects.
    fn of(entry: &'a Entry, keep: impl Fn(usize) -> bool) -> EntryNames<'a> {
        let kept: Vec<bool> = (0..entry.all_names().count()).map(keep).collect();
        let split = entry
            .all_names()
            .zip(&kept)
            .map(|(n, &kept)| {
                if kept {
                    split_words(n, false)
                } else {
                    (Vec::new(), None)
                }
            })
            .collect();
        EntryNames {
            entry,
            split,
            kept,
            by_kind: HashMap::new(),
        }
    }

    fn get(&mut self, watch_kind: NameKind) -> &[(String, NormName)] {
        // an OFAC "entity" compared with a vessel watch item may well be a vessel
        let kind = own_name_kind(self.entry.kind).unwrap_or(watch_kind);
        let (entry, split, kept) = (self.entry, &self.split, &self.kept);
        self.by_kind.entry(kind).or_insert_with(|| {
            name_labels(entry)
                .zip(entry.all_names().zip(split))
                .zip(kept)
                .filter(|(_, &kept)| kept)
                .map(|((label, (n, (tokens, comma_at))), _)| {
                    let norm = normalize_split(n, tokens.clone(), *comma_at, kind);
                    (label.to_string(), norm)
                })
                .collect()
        })
    }
}

/// How a match's reason names each of [`Entry::all_names`]: "name", "alias" for a plain alias,
/// else the list's own word for it ("fka", "original-script"…).
fn name_labels(entry: &Entry) -> impl Iterator<Item = &str> {
    let aliases = entry.aliases.iter().map(|a| {
        if a.kind == "aka" || a.kind.is_empty() {
            "alias"
        } else {
            a.kind.as_str()
        }
    });
    std::iter::once("name").chain(aliases)
}

/// The kind of name an entry's names are normalised as; `None` for an entity of unknown
/// kind, whose names are normalised as those of the watch item they are compared with.
fn own_name_kind(kind: EntityKind) -> Option<NameKind> {
    match kind {
        EntityKind::Person => Some(NameKind::Person),
        EntityKind::Organization => Some(NameKind::Organization),
        EntityKind::Vessel | EntityKind::Aircraft => Some(NameKind::Vessel),
        EntityKind::Unknown => None,
    }
}

fn score_prepared(
    item: &WatchItem,
    prepared: &Prepared,
    entry: &Entry,
    names: &mut EntryNames<'_>,
    stats: Option<&NameStats>,
    min_score: f64,
    must_pair: Option<&[Option<Vec<usize>>]>,
) -> Option<Match> {
    if !compatible(item.kind, entry.kind) {
        return None;
    }
    let listed_imos: Vec<(String, ImoKind)> = match &prepared.imo {
        Some((_, watched)) => entry_imo_numbers(entry)
            .map(|n| {
                let kind = listed_imo_kind(entry, &n, *watched);
                (n, kind)
            })
            .collect(),
        None => Vec::new(),
    };
    let same_imo = prepared
        .imo
        .as_ref()
        .filter(|(imo, kind)| listed_imos.iter().any(|(n, k)| n == imo && k == kind));
    let same_mmsi = prepared
        .mmsi
        .as_ref()
        .filter(|m| entry.identifiers_of("mmsi").any(|v| mmsi(v) == **m));
    let decisive = same_imo
        .map(|(imo, _)| format!("IMO {imo} equals the IMO number"))
        .or_else(|| same_mmsi.map(|mmsi| format!("MMSI {mmsi} equals the MMSI")));
    if let Some(equal) = decisive {
        return Some(Match {
            score: 1.0,
            why: format!("{equal} of {} \"{}\"", entry.kind.as_str(), entry.name),
        });
    }
    let (watch_label, watch_name, entry_label, entry_name, s) = best_name_pair(
        prepared,
        names.get(name_kind(item.kind)),
        strictness(item.kind),
        stats,
        must_pair,
    )?;
    let mut score = s.score;
    // the evidence first, the words after: most pairs scored end below the threshold, and
    // their reasons would be written for nothing
    let mut notes = Vec::new();
    if item.kind == WatchKind::Person && score > 0.0 {
        for (delta, reason) in [
            personal::dob_evidence(&item.dates_of_birth, &entry.dates_of_birth),
            personal::nationality_evidence(&item.nationalities, &entry.nationalities),
        ]
        .into_iter()
        .flatten()
        {
            score = (score + delta).clamp(0.0, 1.0);
            notes.push(format!("; {reason} ({delta:+.2})"));
        }
    }
    if let Some((imo, kind)) = &prepared.imo {
        let conflicting: Vec<&str> = listed_imos
            .iter()
            .filter(|(_, k)| k == kind)
            .map(|(n, _)| n.as_str())
            .collect();
        if !conflicting.is_empty() {
            score = 0.0;
            notes.push(format!(
                "; vetoed: watched IMO {imo} differs from listed IMO {}",
                conflicting.join(", ")
            ));
        }
    }
    if score < min_score {
        return None;
    }
    let same = s.score >= 1.0 && s.pairs.iter().all(|p| p.score >= 1.0);
    let how = if same {
        "same after normalisation".to_string()
    } else {
        describe_parts(&s)
    };
    let op = if same { "=" } else { "~" };
    let mut why = format!(
        "{watch_label} \"{}\" {op} {entry_label} \"{}\" ({how})",
        watch_name.original, entry_name.original
    );
    for note in notes {
        why.push_str(&note);
    }
    Some(Match { score, why })
}

type BestPair<'a> = (&'static str, &'a NormName, &'a str, &'a NormName, NameScore);

/// The best-scoring pair of a watch name and an entry name; `None` when no part of any name
/// has a partner. With `must_pair` (per watch name, as [`index::Index::must_pair`] gives it),
/// only the pairs that may reach the item's threshold are scored: the best is then the same
/// wherever it reaches the threshold.
fn best_name_pair<'a>(
    prepared: &'a Prepared,
    entry_names: &'a [(String, NormName)],
    strictness: Strictness,
    stats: Option<&NameStats>,
    must_pair: Option<&[Option<Vec<usize>>]>,
) -> Option<BestPair<'a>> {
    let mut best: Option<BestPair<'a>> = None;
    for (k, (wl, wn)) in prepared.names.iter().enumerate() {
        let chosen = must_pair.and_then(|m| m.get(k)?.as_deref());
        for (el, en) in entry_names {
            if !may_pair(wn, en) {
                continue;
            }
            let s = match chosen {
                Some(c) => match score::score_names_pairing(wn, en, strictness, stats, c) {
                    Some(s) => s,
                    None => continue,
                },
                None => score_names_with(wn, en, strictness, stats),
            };
            if s.pairs.is_empty() {
                continue;
            }
            if best.as_ref().is_none_or(|b| s.score > b.4.score) {
                best = Some((wl, wn, el.as_str(), en, s));
            }
        }
    }
    best
}

/// Whether two names can score at all: names in letters that spell their vowels (Latin,
/// Cyrillic) share a part's text or skeleton, as the candidate index asks of the watch item
/// and the entry; an entry has many aliases and a watch item several names, and most of
/// their pairs share nothing. Names in other scripts are compared by spellings and syllables
/// that no key captures, and always scored.
fn may_pair(w: &NormName, e: &NormName) -> bool {
    if !(w.is_keyed() && e.is_keyed()) {
        return true;
    }
    // "Abdul Rahman" is "Abdulrahman": a part may be the start or end of a joined one
    let joined = |a: &str, b: &str| {
        a.len() >= 3 && b.len() > a.len() && (b.starts_with(a) || b.ends_with(a))
    };
    w.tokens.iter().any(|a| {
        !a.is_initial()
            && e.tokens.iter().any(|b| {
                !b.is_initial()
                    && (a.key == b.key
                        || a.text.get(..2) == b.text.get(..2)
                        || joined(&a.text, &b.text)
                        || joined(&b.text, &a.text))
            })
    })
}

/// The texts of a news item in [`PLACES`] order (title, summary, content), each indexed once.
fn places(item: &FeedItem) -> Vec<text::Place> {
    [&item.title, &item.summary, &item.content]
        .into_iter()
        .map(|t| text::Place::of(t))
        .collect()
}

/// A person is never a vessel; a list entry of unknown kind may be anything.
fn compatible(watch: WatchKind, entry: EntityKind) -> bool {
    match (watch, entry) {
        (WatchKind::Keyword, _) => false,
        (_, EntityKind::Unknown) => true,
        (WatchKind::Person, e) => e == EntityKind::Person,
        (WatchKind::Organization, e) => e == EntityKind::Organization,
        (WatchKind::Vessel, e) => e == EntityKind::Vessel,
    }
}

fn name_kind(kind: WatchKind) -> NameKind {
    match kind {
        WatchKind::Person => NameKind::Person,
        WatchKind::Organization | WatchKind::Keyword => NameKind::Organization,
        WatchKind::Vessel => NameKind::Vessel,
    }
}

fn strictness(kind: WatchKind) -> Strictness {
    match kind {
        WatchKind::Person => Strictness::Person,
        WatchKind::Organization | WatchKind::Keyword => Strictness::Organization,
        WatchKind::Vessel => Strictness::Vessel,
    }
}

/// An MMSI in the form lists are compared in ([`ident::comparable`]).
fn mmsi(value: &str) -> String {
    ident::comparable("mmsi", value)
}

/// The entry's IMO numbers that are seven digits, in the form lists are compared in.
fn entry_imo_numbers(entry: &Entry) -> impl Iterator<Item = String> + '_ {
    entry
        .identifiers_of("imo")
        .map(|v| ident::comparable("imo", v))
        .filter(|n| n.len() == 7 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The numbering of an entry's IMO number, compared with a watch item's number of kind
/// `watched`, by the tie rule of [`ident`]: the entry's own kind is the context, else (an
/// entry of unknown kind, say) the watch item's. A number fitting neither rule is taken as
/// [`ident::DEFAULT_KIND`], so that it can still be compared.
fn listed_imo_kind(entry: &Entry, number: &str, watched: ImoKind) -> ImoKind {
    let context = ImoKind::of_entry(entry.kind).or(Some(watched));
    ident::kind_of(number, context).unwrap_or(ident::DEFAULT_KIND)
}

fn describe_mention(pattern: &text::Pattern, place: &str, found: &text::Found) -> String {
    if pattern.keyword {
        return format!(
            "keyword \"{}\" found in {place}: \"{}\"",
            pattern.name.original, found.text
        );
    }
    let parts = found.parts.join(", ");
    if found.alone {
        format!(
            "family name of {} \"{}\" found alone in {place}: \"{}\" ({parts}); the full name \
             is not in the text, so this may be another person of that name",
            pattern.label, pattern.name.original, found.text
        )
    } else {
        format!(
            "{} \"{}\" found in {place}: \"{}\" ({parts})",
            pattern.label, pattern.name.original, found.text
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_pairs_that_share_nothing_are_not_scored_and_variants_still_are() {
        let p = |a: &str, b: &str| {
            may_pair(
                &normalize(a, NameKind::Person),
                &normalize(b, NameKind::Person),
            )
        };
        // spellings of one name: the same skeleton, the same start, or joined parts
        assert!(p("Haji Khairullah", "KHERULLAH, Haji"));
        assert!(p("KOSTRUBYTSKYY, Oleksuy", "KOSTRUBITSKIJ, Aleksej"));
        assert!(p("Abdelrahmman", "Abdul Rahman"));
        assert!(p("Rashid", "Rachid"));
        // two names with no part in common are not compared
        assert!(!p("Viktor Bout", "Olga Petrova"));
        // a name in Arabic script is compared by spelling, which no key captures
        assert!(p("بشار الأسد", "AL-ASSAD, Bashar"));
    }

    #[test]
    fn listed_imo_kinds_follow_the_tie_rule() {
        let entry = |kind| Entry {
            kind,
            ..Entry::default()
        };
        let (ship, company) = (ImoKind::Ship, ImoKind::Company);
        // one rule only: the number decides
        for kind in [
            EntityKind::Vessel,
            EntityKind::Organization,
            EntityKind::Unknown,
        ] {
            assert_eq!(listed_imo_kind(&entry(kind), "9187629", company), ship);
            assert_eq!(listed_imo_kind(&entry(kind), "5342883", ship), company);
        }
        // both rules (OCEAN MARITIME MANAGEMENT's 1790183): the entry's kind, else the watch
        // item's
        let omm = "1790183";
        assert_eq!(
            listed_imo_kind(&entry(EntityKind::Organization), omm, ship),
            company
        );
        assert_eq!(
            listed_imo_kind(&entry(EntityKind::Vessel), omm, company),
            ship
        );
        assert_eq!(
            listed_imo_kind(&entry(EntityKind::Unknown), omm, company),
            company
        );
        assert_eq!(
            listed_imo_kind(&entry(EntityKind::Unknown), omm, ship),
            ship
        );
    }

    #[test]
    fn a_company_number_fitting_both_rules_matches_the_organisation() {
        // OCEAN MARITIME MANAGEMENT COMPANY, LIMITED: company number 1790183, which also fits
        // the ship rule. Listed as an organisation, it is a company number there too.
        let mut omm = WatchItem::query(WatchKind::Organization, "Ocean Maritime Management");
        omm.imo = Some(ident::parse_as("1790183", ImoKind::Company).unwrap());
        let listed = |kind| Entry {
            kind,
            name: "OMM".into(),
            identifiers: vec![crate::domain::entry::Identifier {
                kind: "imo".into(),
                value: "IMO 1790183".into(),
                note: None,
            }],
            ..Entry::default()
        };
        for kind in [EntityKind::Organization, EntityKind::Unknown] {
            let m = score_entry(&omm, &listed(kind)).unwrap();
            assert_eq!(m.score, 1.0, "{kind:?}: {}", m.why);
            assert!(m.why.starts_with("IMO 1790183 equals"), "{}", m.why);
        }
        // a different number of the same kind vetoes the name match
        let mut other = omm.clone();
        other.name = "OMM".into();
        other.imo = Some(ident::parse_as("5342883", ImoKind::Company).unwrap());
        let m = score_entry(&other, &listed(EntityKind::Organization)).unwrap();
        assert_eq!(m.score, 0.0, "{}", m.why);
        assert!(m.why.contains("vetoed"), "{}", m.why);
    }

    #[test]
    fn kinds_compatible() {
        assert!(!compatible(WatchKind::Person, EntityKind::Vessel));
        assert!(compatible(WatchKind::Person, EntityKind::Unknown));
        assert!(!compatible(WatchKind::Keyword, EntityKind::Person));
        assert!(compatible(WatchKind::Vessel, EntityKind::Vessel));
    }
}
