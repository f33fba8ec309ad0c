//! An entry's names as scoring prepares them (split, normalised per kind, with the keys they
//! are weighed under and how many stored names carry each key), written as bytes once when
//! the screening cache is built and read back by each `screen`: preparing a candidate's names
//! (folding, skeletons, joined pairs) cost a query more than scoring them.
//!
//! The bytes are only ever read by the build that wrote them: the cache records
//! [`super::prepared_digest`] and is built again when it differs, so the layout needs no
//! version of its own. A record that does not read back whole is reported as `None` and the
//! caller prepares that entry from its names.
//!
//! Layout, little-endian: the number of names (u16), then per name in
//! [`Entry::all_names`] order its length in bytes (u32) and its body: the length of the name
//! it was made from (u32, a check that it is this entry's), the split tokens and
//! the comma position (u16, `u16::MAX` for none); the number of kinds (u8) and per kind its
//! code (u8), normalised tokens and family flags; the weighed keys (u16) with their counts
//! (u32). A token is its text, skeleton and script; a string is a u16 length and UTF-8.

use std::collections::{BTreeSet, HashMap};

use super::normalize::{NameKind, NormName, Script, Token};
use super::{insert_key, normalised_keys, EntryNames, NameStats, PreparedEntry, ALL_NAME_KINDS};
use crate::domain::entry::Entry;

const NO_COMMA: u16 = u16::MAX;

/// `entry`'s names prepared as [`PreparedEntry::new`] prepares them, with `count(key)` for
/// each key they are weighed under. `None` if a name is too long for the layout (a part or
/// a count of parts beyond u16): such an entry is prepared when screened.
pub fn encode(entry: &Entry, count: impl Fn(&str) -> u32) -> Option<Vec<u8>> {
    let names = PreparedEntry::new(entry).0;
    let all_names: Vec<&str> = entry.all_names().collect();
    let mut out = Vec::new();
    put_len(&mut out, names.split.len())?;
    let kinds: Vec<NameKind> = {
        let mut k: Vec<NameKind> = names.by_kind.keys().copied().collect();
        k.sort_by_key(|k| kind_code(*k));
        k
    };
    for (position, (tokens, comma_at)) in names.split.iter().enumerate() {
        let mut body = Vec::new();
        let name = all_names[position];
        body.extend(u32::try_from(name.len()).ok()?.to_le_bytes());
        put_tokens(&mut body, tokens)?;
        let comma = match comma_at {
            None => NO_COMMA,
            Some(at) => u16::try_from(*at).ok().filter(|&at| at != NO_COMMA)?,
        };
        body.extend(comma.to_le_bytes());
        body.push(kinds.len() as u8);
        let mut keys = BTreeSet::new();
        for t in tokens {
            insert_key(&mut keys, NameStats::key(t));
        }
        for kind in &kinds {
            let (_, norm) = &names.by_kind[kind][position];
            body.push(kind_code(*kind));
            put_tokens(&mut body, &norm.tokens)?;
            body.extend(norm.family.iter().map(|&f| f as u8));
            normalised_keys(norm, &mut keys);
        }
        put_len(&mut body, keys.len())?;
        for k in &keys {
            put_str(&mut body, k)?;
            body.extend(count(k).to_le_bytes());
        }
        out.extend(u32::try_from(body.len()).ok()?.to_le_bytes());
        out.extend(body);
    }
    Some(out)
}

/// The entry `bytes` were encoded from, prepared for the names at `kept` (positions in
/// [`Entry::all_names`], ascending; `None`: all), adding the counts of the keys those names
/// are weighed under to `counts`. `None` if the bytes do not read back as a record of
/// `entry`.
pub fn decode<'a>(
    entry: &'a Entry,
    bytes: &[u8],
    kept: Option<&[u32]>,
    counts: &mut HashMap<String, u32>,
) -> Option<PreparedEntry<'a>> {
    let mut r = Reader(bytes);
    let n = r.len()?;
    if n != entry.all_names().count() {
        return None;
    }
    let kept: Vec<bool> = (0..n)
        .map(|p| kept.is_none_or(|k| k.binary_search(&(p as u32)).is_ok()))
        .collect();
    let mut split = Vec::with_capacity(n);
    let mut by_kind: HashMap<NameKind, Vec<(String, NormName)>> = HashMap::new();
    for ((name, &keep), label) in entry.all_names().zip(&kept).zip(super::name_labels(entry)) {
        let size = r.u32()? as usize;
        let mut body = Reader(r.take(size)?);
        if !keep {
            split.push((Vec::new(), None));
            continue;
        }
        if body.u32()? as usize != name.len() {
            return None;
        }
        let tokens = body.tokens()?;
        let comma_at = match body.u16()? {
            NO_COMMA => None,
            at => Some(at as usize),
        };
        split.push((tokens, comma_at));
        for _ in 0..body.u8()? {
            let kind = kind_of(body.u8()?)?;
            let tokens = body.tokens()?;
            let family = body.take(tokens.len())?.iter().map(|&f| f != 0).collect();
            let norm = NormName {
                original: name.to_string(),
                tokens,
                family,
                joins: Default::default(),
            };
            by_kind
                .entry(kind)
                .or_default()
                .push((label.to_string(), norm));
        }
        for _ in 0..body.len()? {
            let key = body.str()?;
            let n = body.u32()?;
            if n > 0 && !counts.contains_key(key) {
                counts.insert(key.to_string(), n);
            }
        }
    }
    if !r.0.is_empty() {
        return None;
    }
    // an entry of unknown kind has every kind; one of its own kind, that kind only
    let expected = match super::own_name_kind(entry.kind) {
        Some(_) => 1,
        None => ALL_NAME_KINDS.len(),
    };
    if kept.iter().any(|&k| k) && by_kind.len() != expected {
        return None;
    }
    Some(PreparedEntry(EntryNames {
        entry,
        split,
        kept,
        by_kind,
    }))
}

fn kind_code(kind: NameKind) -> u8 {
    match kind {
        NameKind::Person => 0,
        NameKind::Organization => 1,
        NameKind::Vessel => 2,
        NameKind::Unknown => 3,
    }
}

fn kind_of(code: u8) -> Option<NameKind> {
    Some(match code {
        0 => NameKind::Person,
        1 => NameKind::Organization,
        2 => NameKind::Vessel,
        3 => NameKind::Unknown,
        _ => return None,
    })
}

fn script_code(script: Script) -> u8 {
    match script {
        Script::Latin => 0,
        Script::Cyrillic => 1,
        Script::Arabic => 2,
        Script::Korean => 3,
        Script::Kana => 4,
    }
}

fn script_of(code: u8) -> Option<Script> {
    Some(match code {
        0 => Script::Latin,
        1 => Script::Cyrillic,
        2 => Script::Arabic,
        3 => Script::Korean,
        4 => Script::Kana,
        _ => return None,
    })
}

fn put_len(out: &mut Vec<u8>, n: usize) -> Option<()> {
    out.extend(u16::try_from(n).ok()?.to_le_bytes());
    Some(())
}

fn put_str(out: &mut Vec<u8>, s: &str) -> Option<()> {
    put_len(out, s.len())?;
    out.extend(s.as_bytes());
    Some(())
}

fn put_tokens(out: &mut Vec<u8>, tokens: &[Token]) -> Option<()> {
    put_len(out, tokens.len())?;
    for t in tokens {
        put_str(out, &t.text)?;
        put_str(out, &t.key)?;
        out.push(script_code(t.script));
    }
    Some(())
}

struct Reader<'b>(&'b [u8]);

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn len(&mut self) -> Option<usize> {
        self.u16().map(usize::from)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'b str> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn tokens(&mut self) -> Option<Vec<Token>> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let text = self.str()?.to_string();
            let key = self.str()?.to_string();
            let script = script_of(self.u8()?)?;
            out.push(Token::stored(text, key, script));
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{Alias, EntityKind};

    fn entry(kind: EntityKind, name: &str, aliases: &[(&str, &str)]) -> Entry {
        Entry {
            id: "1".into(),
            kind,
            name: name.into(),
            aliases: aliases
                .iter()
                .map(|(n, k)| Alias {
                    name: n.to_string(),
                    kind: k.to_string(),
                })
                .collect(),
            ..Entry::default()
        }
    }

    /// Each kind's normalised names in order, each as its kind, label, original, tokens and
    /// family.
    fn by_kind(p: &PreparedEntry<'_>) -> Vec<String> {
        let mut kinds: Vec<_> = p.0.by_kind.iter().collect();
        kinds.sort_by_key(|(k, _)| kind_code(**k));
        kinds
            .into_iter()
            .flat_map(|(k, names)| {
                names.iter().map(move |(label, n)| {
                    format!("{k:?} {label} {} {:?} {:?}", n.original, n.tokens, n.family)
                })
            })
            .collect()
    }

    #[test]
    fn names_read_back_as_scoring_prepares_them() {
        // names of the 2021 OFAC and 2020 UN lists, in the scripts and kinds the lists give
        let entries = [
            entry(
                EntityKind::Person,
                "AL-ASSAD, Bashar",
                &[
                    ("بشار الأسد", "original-script"),
                    ("ASSAD, Bashar al-", "aka"),
                ],
            ),
            entry(EntityKind::Person, "RI, Pyong Chol", &[("리병철", "aka")]),
            entry(
                EntityKind::Unknown,
                "GULF MARINE SERVICES GENERAL TRADING LLC",
                &[],
            ),
            entry(EntityKind::Vessel, "SKIPPER", &[("ADISA", "fka")]),
        ];
        for e in &entries {
            let bytes = encode(e, |k| k.len() as u32).unwrap();
            let fresh = PreparedEntry::new(e);
            let mut counts = HashMap::new();
            let read = decode(e, &bytes, None, &mut counts).unwrap();
            assert_eq!(read.0.split, fresh.0.split, "{}", e.name);
            assert_eq!(by_kind(&read), by_kind(&fresh), "{}", e.name);
            // every key the names are weighed under, with its count
            let mut keys = BTreeSet::new();
            fresh.weighed_keys(&mut keys);
            let expected: HashMap<String, u32> = keys
                .into_iter()
                .map(|k| (k.clone(), k.len() as u32))
                .collect();
            assert_eq!(counts, expected, "{}", e.name);
            // only the kept names, as `of_names` gives them
            let last = e.aliases.len() as u32;
            let some = decode(e, &bytes, Some(&[last]), &mut HashMap::new()).unwrap();
            let fresh = PreparedEntry::of_names(e, Some(&[last]));
            assert_eq!(some.0.split, fresh.0.split, "{}", e.name);
            assert_eq!(some.0.kept, fresh.0.kept, "{}", e.name);
            assert_eq!(by_kind(&some), by_kind(&fresh), "{}", e.name);
        }
    }

    #[test]
    fn bytes_of_another_entry_or_cut_short_do_not_read_back() {
        let a = entry(EntityKind::Person, "RI, Pyong Chol", &[("리병철", "aka")]);
        let bytes = encode(&a, |_| 1).unwrap();
        for other in [
            entry(EntityKind::Person, "KIM, Jong Un", &[]),
            entry(EntityKind::Person, "KIM, Jong Un", &[("김정은", "aka")]),
        ] {
            assert!(decode(&other, &bytes, None, &mut HashMap::new()).is_none());
        }
        for cut in [1, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&a, &bytes[..cut], None, &mut HashMap::new()).is_none());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&a, &longer, None, &mut HashMap::new()).is_none());
    }
}
