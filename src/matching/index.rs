//! Candidate generation: which watch items an entry could match, so that only those are
//! scored and screening cost grows with the number of candidates, not list × watchlist.
//!
//! A watch name is indexed under a few of its parts only, chosen so that any entry name
//! scoring at or above the item's threshold must pair one of them: parts are taken rarest
//! first until the best score the name could still reach with every chosen part unmatched
//! falls below the threshold, whatever the rarity weights (see [`must_pair_one_of`]). "Mohammad
//! Rezaei" is indexed under "rezaei" alone, so the thousands of entries carrying "Mohammad"
//! never reach it. The same parts decide, name pair by name pair, what is scored at all: a
//! pair of names that pairs none of them is left out ([`Index::must_pair`]).
//!
//! A part is looked up by its skeleton and, for skeletons of four letters or more, by the
//! skeleton with any one letter deleted on either side (a symmetric-delete index), so
//! spellings one consonant apart, which the skeleton alone keeps apart, still meet:
//! "Lukashenko" (lkshnka) and "Lukachenko" (lkchnka) share "lkhnka". Two parts written as
//! one ("Abdul Rahman"/"Abdulrahman", "Bin Laden"/"Binladen") are looked up joined as well.

use std::collections::HashMap;

use crate::domain::IdMap;

use super::normalize::{is_particle, NormName, Script, Token, JOINED_ARTICLES};
use super::personal::{DOB_AGREES, NATIONALITY_AGREES};
use super::score::{
    is_patronymic, part_score, part_weight, NameStats, ABSENT_MIDDLE_WEIGHT, JOIN_PREFIXES,
    PART_MIN,
};
use super::scripts::{kana_key, korean_fold, korean_syllable_fold};
use super::translit::{consonant_key, CONSONANT_MARK};
use super::Prepared;
use crate::domain::watch::{WatchItem, WatchKind};

/// Skeletons shorter than this are looked up as they are: the one-letter deletions of "hsn"
/// (Hassan) would meet half the list.
const DELETIONS_FROM: usize = 4;

/// Parts of at least this many letters are also looked up by their first [`PREFIX`] letters.
const PREFIX_FROM: usize = 4;
const PREFIX: usize = 3;
/// What a prefix key begins with.
const PREFIX_MARK: char = '<';

/// Whether some part of a watch name and some part of an entry name that begin with the same
/// [`PREFIX`] letters score as a pair: what a candidate met only by a prefix key needs to
/// score at all. A prefix key stands for such a pair (see [`part_keys`]), and most of the
/// items it meets share only a common beginning ("Moh…", "Abd…") with the entry: this is
/// asked before scoring their names in full.
///
/// Parts in scripts whose vowels are not written (Arabic) or that are compared by syllable
/// (Hangul, kana) pair across scripts in ways no key stands for ("ghabra" and جبر, jabr):
/// where either side has such a part, the answer is yes, and the names are scored in full.
pub(crate) fn prefix_pair_scores(watch: &[(&str, NormName)], entry: &[(String, NormName)]) -> bool {
    if !(watch.iter().all(|(_, n)| n.is_keyed()) && entry.iter().all(|(_, n)| n.is_keyed())) {
        return true;
    }
    let long = |t: &&Token| t.text.len() >= PREFIX_FROM;
    watch
        .iter()
        .flat_map(|(_, n)| n.tokens.iter().filter(long))
        .any(|w| {
            entry
                .iter()
                .flat_map(|(_, n)| n.tokens.iter().filter(long))
                .any(|e| {
                    w.text.as_bytes()[..PREFIX] == e.text.as_bytes()[..PREFIX]
                        && part_score(w, e).0 >= PART_MIN
                })
        })
}

/// Watch items by lookup key.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// Part skeletons and their one-letter deletions → items.
    parts: IdMap<String, Vec<u32>>,
    /// "imo:…" and "mmsi:…" → items.
    ids: IdMap<String, Vec<u32>>,
    /// Items no key can stand for (a name of initials only): always candidates.
    always: Vec<u32>,
    /// The kinds of script keys some watch part is filed under: an entry part looks up only
    /// those (making them costs a spelling, a Korean and a kana reading of every part of
    /// every entry).
    families: Families,
    /// Per item, per name (in the order of its prepared names): the positions of the parts
    /// one of which any match at the item's threshold must pair ([`must_pair_one_of`]);
    /// `None` for a name no set of parts will do for.
    must_pair: Vec<Vec<Option<Vec<usize>>>>,
}

impl Index {
    /// Indexes `items`; `rarity` ranks parts (fewer stored names first). Without stats, a
    /// part's frequency among the watch names stands in for it.
    pub(crate) fn build(
        items: &[WatchItem],
        prepared: &[Prepared],
        default_threshold: f64,
        stats: Option<&NameStats>,
    ) -> Index {
        let mut watch_counts: HashMap<&str, u32> = HashMap::new();
        if stats.is_none() {
            for p in prepared {
                for (_, n) in &p.names {
                    for t in &n.tokens {
                        *watch_counts.entry(t.key.as_str()).or_default() += 1;
                    }
                }
            }
        }
        let frequency = |t: &Token| match stats {
            Some(s) => s.frequency(t),
            None => watch_counts.get(t.key.as_str()).copied().unwrap_or(0),
        };
        let mut index = Index::default();
        for (i, (item, p)) in items.iter().zip(prepared).enumerate() {
            let i = i as u32;
            let mut must_pair = Vec::with_capacity(p.names.len());
            if item.kind == WatchKind::Keyword {
                index.must_pair.push(must_pair);
                continue;
            }
            let threshold = item.threshold.unwrap_or(default_threshold) - max_bonus(item);
            let strictness = super::strictness(item.kind);
            let weight = |t: &Token| part_weight(t, strictness, stats);
            let mut keys: Vec<String> = Vec::new();
            let mut emit = |k: &str| keys.push(k.to_string());
            let mut always = false;
            for (_, name) in &p.names {
                let chosen =
                    must_pair_one_of(&name.tokens, item.kind, threshold, &weight, &frequency);
                must_pair.push(chosen.clone());
                match chosen {
                    Some(chosen) => {
                        for &c in &chosen {
                            part_keys(&name.tokens[c], &mut emit);
                            script_keys(&name.tokens[c], Lookup::Filed, &mut emit);
                            // the entry may give the part as an initial only ("Ahmed, A")
                            initial_key(&name.tokens[c], &mut emit);
                            // written as one with a neighbour ("Binladen")
                            let t = &name.tokens;
                            if c > 0 {
                                part_keys(&joined(&t[c - 1], &t[c]), &mut emit);
                            }
                            if let Some(next) = t.get(c + 1) {
                                part_keys(&joined(&t[c], next), &mut emit);
                            }
                        }
                    }
                    None => always = true,
                }
            }
            index.must_pair.push(must_pair);
            if always {
                index.always.push(i);
            }
            keys.sort_unstable();
            keys.dedup();
            index.families.consonants |= keys.iter().any(|k| k.starts_with(CONSONANT_MARK));
            index.families.korean |= keys.iter().any(|k| k.starts_with(KOREAN_MARK));
            index.families.kana |= keys.iter().any(|k| k.starts_with(KANA_MARK));
            for k in keys {
                index.parts.entry(k).or_default().push(i);
            }
            let ids = p.imo.iter().map(|(n, _)| format!("imo:{n}"));
            let ids = ids.chain(p.mmsi.iter().map(|m| format!("mmsi:{m}")));
            for k in ids {
                let slot = index.ids.entry(k).or_default();
                if slot.last() != Some(&i) {
                    slot.push(i);
                }
            }
        }
        index
    }

    /// Watch items (ascending, once each) that an entry could match, from the parts of each of
    /// its names and its IMO and MMSI numbers, with whether only the first letters of a part
    /// ([`PREFIX`]) met the item: then the pair those letters stand for must still score as a
    /// pair ([`prefix_pair_scores`]).
    pub(crate) fn candidates<'t>(
        &self,
        names: impl Iterator<Item = (&'t [Token], Option<usize>)>,
        imos: &[String],
        mmsis: &[String],
    ) -> Vec<(usize, bool)> {
        self.candidates_looking_up(names, imos, mmsis, self.families)
    }

    /// [`Index::candidates`], the entry's script keys made of `families`.
    fn candidates_looking_up<'t>(
        &self,
        names: impl Iterator<Item = (&'t [Token], Option<usize>)>,
        imos: &[String],
        mmsis: &[String],
        families: Families,
    ) -> Vec<(usize, bool)> {
        let mut out: Vec<(usize, bool)> =
            self.always.iter().map(|&i| (i as usize, false)).collect();
        // looked up as they are made, each from a borrowed or reused buffer: an entry has
        // hundreds of keys, and only a few of them file anything
        let lookup = Lookup::Entry(families);
        Index::each_lookup_key(names, imos, mmsis, lookup, &mut |k| {
            let items = self.parts.get(k).or_else(|| self.ids.get(k));
            if let Some(items) = items {
                let by_prefix = k.starts_with(PREFIX_MARK);
                out.extend(items.iter().map(|&i| (i as usize, by_prefix)));
            }
        });
        // an item met by any other key as well comes first (false < true) and stays
        out.sort_unstable();
        out.dedup_by_key(|&mut (i, _)| i);
        out
    }

    /// For each name of item `item` (in the order of its prepared names), the positions of
    /// the parts a match at its threshold must pair, or `None` where any may do.
    pub(crate) fn must_pair(&self, item: usize) -> &[Option<Vec<usize>>] {
        self.must_pair.get(item).map_or(&[], Vec::as_slice)
    }

    /// Every key items are filed under; `None` when an item is always a candidate.
    pub(crate) fn keys(&self) -> Option<Vec<String>> {
        if !self.always.is_empty() {
            return None;
        }
        Some(self.parts.keys().chain(self.ids.keys()).cloned().collect())
    }

    /// The keys an entry is looked up under (sorted, once each): those of the parts of each
    /// of its names, and "imo:…"/"mmsi:…" for its numbers.
    pub(crate) fn lookup_keys<'t>(
        names: impl Iterator<Item = (&'t [Token], Option<usize>)>,
        imos: &[String],
        mmsis: &[String],
    ) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let lookup = Lookup::Entry(Families::ALL);
        Index::each_lookup_key(names, imos, mmsis, lookup, &mut |k| {
            keys.push(k.to_string())
        });
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// [`Index::lookup_keys`] one by one, as made (some more than once), to `emit`.
    fn each_lookup_key<'t>(
        names: impl Iterator<Item = (&'t [Token], Option<usize>)>,
        imos: &[String],
        mmsis: &[String],
        lookup: Lookup,
        emit: &mut dyn FnMut(&str),
    ) {
        // an entry's names share most of their parts ("ALI, Hassan", "Hassan Ali"): a part's
        // keys are its own, so each is made once
        let mut keyed: Vec<&Token> = Vec::new();
        let mut joined_seen = Vec::new();
        for (tokens, comma_at) in names {
            for t in tokens {
                if keyed.contains(&t) {
                    continue;
                }
                keyed.push(t);
                if t.is_initial() {
                    initial_key(t, emit);
                    continue;
                }
                part_keys(t, emit);
                script_keys(t, lookup, emit);
                // "Abdulrahman" listed, "Abdul Rahman" watched and indexed under "rahman";
                // "Elhassan" listed, "Hassan" watched
                for p in JOIN_PREFIXES.iter().chain(JOINED_ARTICLES) {
                    if let Some(rest) = t.text.strip_prefix(p) {
                        if rest.len() >= 3 {
                            part_keys(&Token::new(rest.to_string(), t.script), emit);
                        }
                    }
                }
            }
            joined_keys(tokens.iter(), None, &mut joined_seen, emit);
            // "AL RAHMAN, Umar Abd" is read "Umar Abd al-Rahman": only the pairs across the
            // turn are new
            if let Some(at) = comma_at.filter(|&at| at > 0 && at < tokens.len()) {
                let turn = tokens.len() - at;
                let turned = tokens[at..].iter().chain(&tokens[..at]);
                joined_keys(turned, Some(turn), &mut joined_seen, emit);
            }
        }
        let mut key = String::new();
        for (prefix, numbers) in [("imo:", imos), ("mmsi:", mmsis)] {
            for n in numbers {
                key.clear();
                key.push_str(prefix);
                key.push_str(n);
                emit(&key);
            }
        }
    }
}

/// Keys of each two neighbouring parts written as one, also over a particle that
/// normalisation drops ("Abd al-Rahman" = "Abdrahman"); with `across`, only of the pairs
/// that span the gap before that position. A pair in `seen` was keyed already, by another
/// name of the same entry.
fn joined_keys<'t>(
    tokens: impl Iterator<Item = &'t Token>,
    across: Option<usize>,
    seen: &mut Vec<(&'t Token, &'t Token)>,
    emit: &mut dyn FnMut(&str),
) {
    let parts: Vec<&Token> = tokens.collect();
    let spans = |from: usize, to: usize| across.is_none_or(|gap| from < gap && gap <= to);
    let mut key = |a: &'t Token, b: &'t Token| {
        if !seen.contains(&(a, b)) {
            seen.push((a, b));
            part_keys(&joined(a, b), emit);
        }
    };
    for (j, t) in parts.iter().enumerate() {
        if let Some(next) = parts.get(j + 1) {
            if spans(j, j + 1) {
                key(t, next);
            }
            if is_particle(&next.text) && spans(j, j + 2) {
                if let Some(after) = parts.get(j + 2) {
                    key(t, after);
                }
            }
        }
    }
}

/// The most a date of birth and nationality that agree can add to a person's score.
fn max_bonus(item: &WatchItem) -> f64 {
    if item.kind != WatchKind::Person {
        return 0.0;
    }
    let dob = if item.dates_of_birth.is_empty() {
        0.0
    } else {
        DOB_AGREES
    };
    let nat = if item.nationalities.is_empty() {
        0.0
    } else {
        NATIONALITY_AGREES
    };
    dob + nat
}

/// Positions of parts of which any match at `threshold` must pair one, rarest first; `None`
/// when no set of parts will do (a name of initials only).
///
/// The bound is the score of the best case left when every chosen part goes unmatched: all
/// other parts paired perfectly, each part weighing what scoring gives it (`weight`: its
/// rarity, or 1 without stats), a person's middle name or patronymic tolerated as absent.
/// Leftover entry parts and an unmatched family name only ever lower a score, so they are
/// left out of the bound, which keeps it safe.
pub(crate) fn must_pair_one_of(
    tokens: &[Token],
    kind: WatchKind,
    threshold: f64,
    weight: &dyn Fn(&Token) -> f64,
    frequency: &dyn Fn(&Token) -> u32,
) -> Option<Vec<usize>> {
    let full_weight = |t: &Token| weight(t);
    let absent_weight = |i: usize, t: &Token| {
        let absentable = kind == WatchKind::Person
            && ((i > 0 && i + 1 < tokens.len()) || is_patronymic(&t.text));
        full_weight(t)
            * if absentable {
                ABSENT_MIDDLE_WEIGHT
            } else {
                1.0
            }
    };
    let mut order: Vec<usize> = (0..tokens.len())
        .filter(|&i| !tokens[i].is_initial() && tokens[i].text.len() >= 2)
        .collect();
    // rarest first; between equally rare parts the longer, which is rarer in practice
    order.sort_by_key(|&i| {
        (
            frequency(&tokens[i]),
            std::cmp::Reverse(tokens[i].text.len()),
        )
    });
    let mut kept: f64 = tokens.iter().map(full_weight).sum();
    let mut lost = 0.0;
    let mut chosen = Vec::new();
    for i in order {
        chosen.push(i);
        kept -= full_weight(&tokens[i]);
        lost += absent_weight(i, &tokens[i]);
        if kept <= 1e-9 || kept / (kept + lost) < threshold {
            return Some(chosen);
        }
    }
    None
}

/// The key an initial, or a part the entry may give as an initial, is found under.
fn initial_key(t: &Token, emit: &mut dyn FnMut(&str)) {
    if let Some(c) = t.text.chars().next() {
        emit(&format!("^{c}"));
    }
}

fn joined(a: &Token, b: &Token) -> Token {
    Token::new(format!("{}{}", a.text, b.text), a.script)
}

/// Which side a part's [`script_keys`] are made for.
#[derive(Clone, Copy)]
enum Lookup {
    /// A watch part, filed under the keys of its own script.
    Filed,
    /// An entry part, looking up the script keys of these families.
    Entry(Families),
}

/// Kinds of [`script_keys`] that only some watch parts are filed under.
#[derive(Clone, Copy, Debug, Default)]
struct Families {
    /// A part's [`consonant_key`] (of Arabic-script watch parts).
    consonants: bool,
    /// The Korean fold of a syllable (of watch parts read as Korean: Hangul, or Korean
    /// syllables in Latin letters).
    korean: bool,
    /// The kana key (of kana watch parts).
    kana: bool,
}

impl Families {
    const ALL: Families = Families {
        consonants: true,
        korean: true,
        kana: true,
    };
}

/// The marks of the Korean and kana keys.
const KOREAN_MARK: &str = "k:";
const KANA_MARK: &str = "j:";

/// Keys by which parts of other romanisations meet: the German, French and Egyptian
/// spellings' skeletons, the Korean fold of a syllable, the kana key and the consonant key of
/// Arabic script. A watch part ([`Lookup::Filed`]) is indexed under those of its own script;
/// an entry part looks them all up, as any Latin part may meet a Hangul, kana or Arabic-script
/// watch name.
fn script_keys(t: &Token, side: Lookup, emit: &mut dyn FnMut(&str)) {
    for v in t.variants() {
        emit(v);
    }
    // an Arabic-script watch part is met by the consonants of Latin spellings of it
    let (fold, consonants, kana) = match side {
        Lookup::Filed => (
            (t.script == Script::Korean).then(|| korean_fold(&t.text)),
            t.script == Script::Arabic,
            t.script == Script::Kana,
        ),
        Lookup::Entry(families) => (
            match t.script {
                _ if !families.korean => None,
                Script::Korean => Some(korean_fold(&t.text)),
                _ => korean_syllable_fold(&t.text),
            },
            families.consonants && t.script == Script::Latin,
            families.kana && (t.script == Script::Kana || t.text.len() >= 2),
        ),
    };
    if let Some(fold) = fold {
        emit(&format!("{KOREAN_MARK}{fold}"));
    }
    if let Some(key) = consonants.then(|| consonant_key(t.spelling())).flatten() {
        emit(&key);
    }
    if kana {
        emit(&format!(
            "{KANA_MARK}{}",
            kana_key(&t.text, t.script == Script::Kana)
        ));
    }
}

/// A part's lookup keys: its skeleton and, when long enough, each one-letter deletion of it.
fn part_keys(t: &Token, emit: &mut dyn FnMut(&str)) {
    let key = if t.key.len() >= 2 { &t.key } else { &t.text };
    if key.len() < 2 {
        return;
    }
    emit(key);
    let mut made = String::new();
    // Jaro-Winkler rewards a shared beginning, so most spellings it finds close share their
    // first letters even where their skeletons differ by more than one letter ("Khalid" and
    // "Khalil", "Ryongak" and "Ryongwang")
    if t.text.len() >= PREFIX_FROM {
        made.push(PREFIX_MARK);
        made.push_str(&t.text[..PREFIX]);
        emit(&made);
    }
    if key.len() >= DELETIONS_FROM && key.is_ascii() {
        for i in 0..key.len() {
            made.clear();
            made.push_str(&key[..i]);
            made.push_str(&key[i + 1..]);
            emit(&made);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::{normalize, NameKind, Script};

    /// Chosen parts, weighing parts as scoring does with stats in which `common` parts occur
    /// in thousands of names.
    fn chosen(name: &str, kind: WatchKind, common: &[(&str, u32)]) -> Option<Vec<String>> {
        let n = normalize(name, NameKind::Person);
        let freq = |t: &Token| {
            common
                .iter()
                .find(|(p, _)| *p == t.text)
                .map_or(0, |(_, c)| *c)
        };
        let weight = |t: &Token| if freq(t) > 1000 { 0.35 } else { 1.0 };
        must_pair_one_of(&n.tokens, kind, 0.85, &weight, &freq)
            .map(|c| c.into_iter().map(|i| n.tokens[i].text.clone()).collect())
    }

    #[test]
    fn a_common_part_is_not_indexed_when_a_rare_one_must_match() {
        let common = [("mohammad", 5000), ("ali", 3000)];
        assert_eq!(
            chosen("Mohammad Rezaei", WatchKind::Person, &common).unwrap(),
            ["rezaei"]
        );
        // a middle name may be absent from the entry, so it cannot stand for the name
        assert_eq!(
            chosen("Mohammad Ali Rezaei", WatchKind::Person, &common).unwrap(),
            ["rezaei"]
        );
    }

    #[test]
    fn more_parts_are_chosen_when_one_could_be_missing() {
        // four equally rare parts: any one unmatched leaves 3/4 = 0.75
        let c = chosen("Alpha Bravo Charlie Delta", WatchKind::Organization, &[]).unwrap();
        assert_eq!(c.len(), 1, "{c:?}");
        // ten parts: one unmatched leaves 0.9, two 0.8
        let c = chosen(
            "Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliet",
            WatchKind::Organization,
            &[],
        );
        assert_eq!(c.unwrap().len(), 2);
    }

    #[test]
    fn a_name_of_initials_has_no_key() {
        assert_eq!(chosen("A. B.", WatchKind::Person, &[]), None);
    }

    #[test]
    fn a_shared_beginning_counts_only_for_parts_that_pair() {
        let names = |name: &str, kind: NameKind| vec![(name.to_string(), normalize(name, kind))];
        let pairs = |watch: &str, entry: &str, kind: NameKind| {
            let w = names(watch, kind);
            let w: Vec<(&str, NormName)> = w.into_iter().map(|(_, n)| ("name", n)).collect();
            prefix_pair_scores(&w, &names(entry, kind))
        };
        // OFAC's "KOREA RYONGWANG TRADING CORPORATION": no skeleton or deletion key meets
        // "ryongak", its first letters do, and the pair scores 0.90
        let org = NameKind::Organization;
        assert!(pairs(
            "KOREA RYONGAK TRADING CO",
            "KOREA RYONGWANG TRADING CORPORATION",
            org
        ));
        // "abd" begins both, and nothing else is alike
        let person = NameKind::Person;
        assert!(!pairs("Abdulkarim Tahir", "ABDELRAHMAN, Mansour", person));
        // the same part, whatever the beginning of the others
        assert!(pairs("Abdulkarim Tahir", "ABDULKARIM, Mansour", person));
        // Arabic script pairs by its consonants, which no first letters stand for
        assert!(pairs(
            "AL GHABRA, Mohammed",
            "جابر عبد الله الجلاهمة",
            person
        ));
    }

    #[test]
    fn an_entry_looks_up_only_the_script_keys_some_watch_part_is_filed_under() {
        use crate::domain::entry::{EntityKind, Entry};
        use crate::matching::{EntryNames, Matcher};
        // OFAC's DERIPASKA and LUKASHENKA watched in Latin letters; KIM Jong Un and RI Pyong
        // Chol in Latin letters (read as Korean syllables), in Hangul and in kana; and entries
        // in each of those scripts
        let watched = |names: &[&str]| {
            let items = names
                .iter()
                .map(|n| WatchItem::query(WatchKind::Person, n))
                .collect();
            Matcher::new(items, 0.85)
        };
        let latin = watched(&["Oleg Deripaska", "Alexander Lukashenko"]);
        let korean = watched(&["Kim Jong Un", "Ri Pyong Chol"]);
        let hangul = watched(&["김정은", "리병철"]);
        let kana = watched(&["キム・ジョンウン"]);
        let families = |m: &Matcher| (m.index().families.korean, m.index().families.kana);
        assert_eq!(families(&latin), (false, false));
        assert_eq!(families(&korean), (true, false));
        assert_eq!(families(&hangul), (true, false));
        assert_eq!(families(&kana), (false, true));
        let mut found = 0;
        for m in [&latin, &korean, &hangul, &kana] {
            for name in [
                "DERIPASKA, Oleg Vladimirovich",
                "KIM, Jong Un",
                "RI, Pyong Chol",
                "김정은",
                "キム・ジョンウン",
            ] {
                let entry = Entry {
                    name: name.into(),
                    kind: EntityKind::Person,
                    ..Entry::default()
                };
                let names = EntryNames::new(&entry);
                let parts = || names.split.iter().map(|(t, comma)| (t.as_slice(), *comma));
                let index = m.index();
                let looked_up = index.candidates(parts(), &[], &[]);
                let all = index.candidates_looking_up(parts(), &[], &[], Families::ALL);
                assert_eq!(looked_up, all, "{name}");
                found += looked_up.len();
            }
        }
        assert!(found > 0);
    }

    #[test]
    fn close_spellings_share_a_key() {
        let keys = |text: &str| {
            let mut keys = Vec::new();
            part_keys(&Token::new(text.into(), Script::Latin), &mut |k| {
                keys.push(k.to_string())
            });
            keys
        };
        let (a, b) = (keys("lukashenko"), keys("lukachenko"));
        assert!(a.iter().any(|k| b.contains(k)), "{a:?} {b:?}");
        // two letters apart in the skeleton, the same beginning
        let (d, e) = (keys("khalid"), keys("khalil"));
        assert!(d.iter().any(|k| e.contains(k)), "{d:?} {e:?}");
        let c = keys("lavrov");
        assert!(!a.iter().any(|k| c.contains(k)), "{a:?} {c:?}");
    }
}
