//! The watchlist: what people want to hear about. Edited by hand, reloaded live.
//!
//! The file has one array of tables per kind: `[[vessel]]`, `[[person]]`, `[[organization]]`,
//! `[[keyword]]`. Unknown keys are errors, so a typo never silently widens or narrows a watch.
//! Every value that is checked beyond its type (IMO, MMSI, dates, addresses, `exclude`) is read
//! with its span, so errors point at `file:line:col`.
//!
//! An item without `id` gets one derived from its kind, its name and its IMO number:
//! `kind:slug[:imo]`, where the slug is the name transliterated to ASCII, lowercased, with every
//! run of other characters turned into `-` (`vessel:artavil:9187629`,
//! `person:nicolas-maduro-moros`, `keyword:shadow-fleet`). A name with no letter or digit at all
//! gets `kind:h` + 12 hex digits of its SHA-256 instead, and a vessel watched by IMO number
//! alone (no `name`) `vessel:imo:NUMBER`. Editing aliases, notify or threshold
//! keeps the id; renaming the item changes it. Two items with the same id are an error.

use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::config::{check_mailbox, read_text, ConfigError, OneOrMany};
use crate::domain::ident::{self, Imo, ImoKind};
use crate::domain::watch::{ItemPositions, WatchItem, WatchKind, Watchlist};

// ---------------------------------------------------------------------------------------------
// Raw file structure

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWatchlist {
    #[serde(default)]
    vessel: Vec<RawVessel>,
    #[serde(default)]
    person: Vec<RawPerson>,
    #[serde(default)]
    organization: Vec<RawOrganization>,
    #[serde(default)]
    keyword: Vec<RawKeyword>,
}

/// An IMO or MMSI written as a string or a bare integer.
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Text(String),
    Int(i64),
}

impl Number {
    fn text(&self) -> String {
        match self {
            Number::Text(s) => s.clone(),
            Number::Int(n) => n.to_string(),
        }
    }
}

/// A date of birth as a string ("1954", "1954-08") or a TOML date (1954-08-30).
#[derive(Deserialize)]
#[serde(untagged)]
enum DateValue {
    Text(String),
    Date(toml::value::Datetime),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVessel {
    /// Optional when `imo` is set: a fleet list may watch a ship by its number alone.
    name: Option<Spanned<String>>,
    aliases: Option<OneOrMany>,
    former_names: Option<OneOrMany>,
    imo: Option<Spanned<Number>>,
    mmsi: Option<Spanned<Number>>,
    notify: Option<Spanned<OneOrMany>>,
    id: Option<Spanned<String>>,
    threshold: Option<Spanned<f64>>,
    sources: Option<Spanned<OneOrMany>>,
    exclude: Option<Spanned<OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: Spanned<String>,
    aliases: Option<OneOrMany>,
    date_of_birth: Option<Spanned<DateValue>>,
    dates_of_birth: Option<Spanned<Vec<DateValue>>>,
    nationality: Option<OneOrMany>,
    nationalities: Option<Vec<String>>,
    notify: Option<Spanned<OneOrMany>>,
    id: Option<Spanned<String>>,
    threshold: Option<Spanned<f64>>,
    sources: Option<Spanned<OneOrMany>>,
    exclude: Option<Spanned<OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    name: Spanned<String>,
    aliases: Option<OneOrMany>,
    former_names: Option<OneOrMany>,
    imo: Option<Spanned<Number>>,
    notify: Option<Spanned<OneOrMany>>,
    id: Option<Spanned<String>>,
    threshold: Option<Spanned<f64>>,
    sources: Option<Spanned<OneOrMany>>,
    exclude: Option<Spanned<OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeyword {
    phrase: Spanned<String>,
    notify: Option<Spanned<OneOrMany>>,
    id: Option<Spanned<String>>,
    threshold: Option<Spanned<f64>>,
    sources: Option<Spanned<OneOrMany>>,
    exclude: Option<Spanned<OneOrMany>>,
}

/// The keys every kind shares.
struct Common<'r> {
    notify: &'r Option<Spanned<OneOrMany>>,
    id: &'r Option<Spanned<String>>,
    threshold: &'r Option<Spanned<f64>>,
    sources: &'r Option<Spanned<OneOrMany>>,
    exclude: &'r Option<Spanned<OneOrMany>>,
}

macro_rules! common {
    ($raw:expr) => {
        Common {
            notify: &$raw.notify,
            id: &$raw.id,
            threshold: &$raw.threshold,
            sources: &$raw.sources,
            exclude: &$raw.exclude,
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Loading

/// Reads and validates the watchlist at `path`.
pub fn load(path: &Path) -> Result<Watchlist, ConfigError> {
    parse(&read_text(path)?, path)
}

/// Validates watchlist `text`, read from `path` (named in error messages). Items come out in
/// the order they appear in the file, whatever their kind.
pub fn parse(text: &str, path: &Path) -> Result<Watchlist, ConfigError> {
    let raw: RawWatchlist =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
    let cx = Cx {
        path,
        text,
        lines: LineIndex::new(text),
    };
    // (offset of the name in the file, item, positions, span to blame for a duplicate id)
    let mut built: Vec<(usize, WatchItem, ItemPositions, std::ops::Range<usize>)> = Vec::new();
    for v in &raw.vessel {
        built.push(cx.vessel(v)?);
    }
    for p in &raw.person {
        built.push(cx.person(p)?);
    }
    for o in &raw.organization {
        built.push(cx.organization(o)?);
    }
    for k in &raw.keyword {
        built.push(cx.keyword(k)?);
    }
    built.sort_by_key(|b| b.0);
    // One pass with a map: a bank's watchlist has 10^5 items.
    let mut first_with: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(built.len());
    for (i, (_, item, _, id_span)) in built.iter().enumerate() {
        if let Some(&first) = first_with.get(item.id.as_str()) {
            return Err(ConfigError::at(
                path,
                text,
                id_span.clone(),
                format!(
                    "duplicate id `{}` (the item at line {} has it too); set `id = \"...\"` on one of them",
                    item.id, built[first].2.name.0
                ),
            ));
        }
        first_with.insert(item.id.as_str(), i);
    }
    let (items, positions) = built.into_iter().map(|(_, i, p, _)| (i, p)).unzip();
    Ok(Watchlist {
        items,
        path: path.to_path_buf(),
        positions,
    })
}

/// Checks that every `sources = [...]` name and every `exclude` source is one of `known` (the
/// config's source names), so that `check` catches a misspelt source instead of a watch item
/// silently matching nothing.
pub fn validate_sources(watchlist: &Watchlist, known: &[String]) -> Result<(), ConfigError> {
    let expected = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    for (i, item) in watchlist.items.iter().enumerate() {
        let pos = watchlist.positions.get(i);
        let excluded = item
            .exclude
            .iter()
            .filter_map(|x| x.split_once(':').map(|p| p.0));
        let checks = item
            .sources
            .iter()
            .map(|s| (s.as_str(), "sources", pos.and_then(|p| p.sources)))
            .chain(excluded.map(|s| (s, "exclude", pos.and_then(|p| p.exclude))));
        for (name, key, at) in checks {
            if known.iter().any(|k| k == name) {
                continue;
            }
            let message = format!(
                "{key}: unknown source `{name}` in {} `{}`, expected one of {expected}",
                item.kind.as_str(),
                item.label()
            );
            let path = watchlist.path.clone();
            return Err(match at.or(pos.map(|p| p.name)) {
                Some((line, column)) => ConfigError::At {
                    path,
                    line,
                    column,
                    message,
                },
                None => ConfigError::File { path, message },
            });
        }
    }
    Ok(())
}

struct Cx<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex,
}

/// Where each line starts, found in one pass, so that the position of every item and key is a
/// binary search instead of a count from the start of the file (quadratic over a watchlist).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column (in characters) of byte `offset` in `text`, as
    /// [`crate::config::line_col`] gives them.
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, text[start..offset].chars().count() + 1)
    }
}

type Built = (usize, WatchItem, ItemPositions, std::ops::Range<usize>);

impl Cx<'_> {
    fn err<T>(&self, at: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.path, self.text, at.span(), message)
    }

    fn pos<T>(&self, at: &Spanned<T>) -> (usize, usize) {
        self.lines.line_col(self.text, at.span().start)
    }

    fn name(&self, name: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        let n = name.get_ref().trim();
        // A vessel watched by IMO alone gets an empty name in a span of its own (see `vessel`).
        if n.is_empty() && !name.span().is_empty() {
            return Err(self.err(name, format!("{key}: must not be empty")));
        }
        Ok(n.to_string())
    }

    /// The item with only kind and name set, plus what every kind shares.
    fn base(
        &self,
        kind: WatchKind,
        name: &Spanned<String>,
        key: &str,
        c: Common<'_>,
    ) -> Result<Built, ConfigError> {
        let mut item = WatchItem::query(kind, &self.name(name, key)?);
        if let Some(t) = c.threshold {
            let x = *t.get_ref();
            if !(0.0..=1.0).contains(&x) {
                return Err(self.err(
                    t,
                    format!("threshold: expected a number from 0 to 1, found {x}"),
                ));
            }
            item.threshold = Some(x);
        }
        if let Some(n) = c.notify {
            item.notify = n
                .get_ref()
                .to_vec()
                .iter()
                .map(|a| a.trim().to_string())
                .collect();
            for a in &item.notify {
                check_mailbox(a).map_err(|m| self.err(n, format!("notify: {m}")))?;
            }
        }
        if let Some(s) = c.sources {
            item.sources = clean_list(&s.get_ref().to_vec());
            if item.sources.is_empty() {
                return Err(self.err(s, "sources: an empty list would match nothing; remove the key to use every source"));
            }
        }
        if let Some(x) = c.exclude {
            item.exclude = clean_list(&x.get_ref().to_vec());
            for e in &item.exclude {
                match e.split_once(':') {
                    Some((s, id)) if !s.trim().is_empty() && !id.trim().is_empty() => {}
                    _ => {
                        return Err(self.err(
                            x,
                            format!("exclude: expected \"SOURCE:ENTRY_ID\" (e.g. \"ofac-sdn:15036\"), found {e:?}"),
                        ))
                    }
                }
            }
        }
        let positions = ItemPositions {
            name: self.pos(name),
            sources: c.sources.as_ref().map(|s| self.pos(s)),
            exclude: c.exclude.as_ref().map(|s| self.pos(s)),
        };
        let id_span = match c.id {
            Some(id) => {
                let text = id.get_ref().trim();
                if text.is_empty() {
                    return Err(self.err(id, "id: must not be empty"));
                }
                item.id = text.to_string();
                id.span()
            }
            None => name.span(),
        };
        Ok((name.span().start, item, positions, id_span))
    }

    fn imo(
        &self,
        raw: &Option<Spanned<Number>>,
        kind: ImoKind,
    ) -> Result<Option<Imo>, ConfigError> {
        raw.as_ref()
            .map(|v| {
                ident::parse_as(&v.get_ref().text(), kind)
                    .map_err(|e| self.err(v, format!("imo: {e}")))
            })
            .transpose()
    }

    fn vessel(&self, v: &RawVessel) -> Result<Built, ConfigError> {
        let name = match (&v.name, &v.imo) {
            (Some(name), _) => name.clone(),
            // Placed at the IMO number, so items keep their file order; empty, so no name is
            // matched.
            (None, Some(imo)) => Spanned::new(imo.span().start..imo.span().start, String::new()),
            (None, None) => {
                let at = v
                    .mmsi
                    .as_ref()
                    .map(Spanned::span)
                    .or(v.id.as_ref().map(Spanned::span))
                    .or(v.notify.as_ref().map(Spanned::span));
                let message = "a [[vessel]] needs `name` or `imo` (or both)";
                return Err(match at {
                    Some(span) => ConfigError::at(self.path, self.text, span, message),
                    None => ConfigError::File {
                        path: self.path.to_path_buf(),
                        message: message.to_string(),
                    },
                });
            }
        };
        let mut b = self.base(WatchKind::Vessel, &name, "name", common!(v))?;
        b.1.aliases = list(&v.aliases);
        b.1.former_names = list(&v.former_names);
        b.1.imo = self.imo(&v.imo, ImoKind::Ship)?;
        if let Some(m) = &v.mmsi {
            let mmsi = ident::parse_mmsi(&m.get_ref().text());
            b.1.mmsi = Some(mmsi.map_err(|e| self.err(m, format!("mmsi: {e}")))?);
        }
        derive_id(&mut b, v.id.is_none());
        Ok(b)
    }

    fn person(&self, p: &RawPerson) -> Result<Built, ConfigError> {
        let mut b = self.base(WatchKind::Person, &p.name, "name", common!(p))?;
        b.1.aliases = list(&p.aliases);
        let mut dates = Vec::new();
        if let Some(d) = &p.date_of_birth {
            dates.push(self.date(d, d.get_ref())?);
        }
        if let Some(ds) = &p.dates_of_birth {
            for d in ds.get_ref() {
                dates.push(self.date(ds, d)?);
            }
        }
        b.1.dates_of_birth = dates;
        let mut nationalities = list(&p.nationality);
        nationalities.extend(clean_list(p.nationalities.as_deref().unwrap_or_default()));
        b.1.nationalities = nationalities;
        derive_id(&mut b, p.id.is_none());
        Ok(b)
    }

    fn date<T>(&self, at: &Spanned<T>, d: &DateValue) -> Result<String, ConfigError> {
        let text = match d {
            DateValue::Text(s) => s.trim().to_string(),
            DateValue::Date(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            DateValue::Date(dt) => dt.to_string() + " (a time)",
        };
        if valid_partial_date(&text) {
            Ok(text)
        } else {
            Err(self.err(
                at,
                format!("date of birth: expected YYYY, YYYY-MM or YYYY-MM-DD, found {text:?}"),
            ))
        }
    }

    fn organization(&self, o: &RawOrganization) -> Result<Built, ConfigError> {
        let mut b = self.base(WatchKind::Organization, &o.name, "name", common!(o))?;
        b.1.aliases = list(&o.aliases);
        b.1.former_names = list(&o.former_names);
        b.1.imo = self.imo(&o.imo, ImoKind::Company)?;
        derive_id(&mut b, o.id.is_none());
        Ok(b)
    }

    fn keyword(&self, k: &RawKeyword) -> Result<Built, ConfigError> {
        let mut b = self.base(WatchKind::Keyword, &k.phrase, "phrase", common!(k))?;
        derive_id(&mut b, k.id.is_none());
        Ok(b)
    }
}

fn list(v: &Option<OneOrMany>) -> Vec<String> {
    v.as_ref()
        .map_or_else(Vec::new, |v| clean_list(&v.to_vec()))
}

fn clean_list(v: &[String]) -> Vec<String> {
    v.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn valid_partial_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize, range: std::ops::RangeInclusive<u32>| {
        p.len() == len && p.parse::<u32>().is_ok_and(|n| range.contains(&n))
    };
    match parts.as_slice() {
        [y] => num(y, 4, 1000..=9999),
        [y, m] => num(y, 4, 1000..=9999) && num(m, 2, 1..=12),
        [y, m, d] => {
            num(y, 4, 1000..=9999)
                && num(m, 2, 1..=12)
                && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
                && num(d, 2, 1..=31)
        }
        _ => false,
    }
}

fn derive_id(b: &mut Built, derive: bool) {
    if derive {
        b.1.id = derived_id(&b.1);
    }
}

/// `kind:slug[:imo]`; see the module documentation.
pub fn derived_id(item: &WatchItem) -> String {
    let mut slug = String::new();
    for c in any_ascii::any_ascii(&item.name).to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let mut id = if item.name.is_empty() && item.imo.is_some() {
        // Watched by IMO number alone: `vessel:imo:9187629`.
        format!("{}:imo", item.kind.as_str())
    } else if slug.is_empty() {
        let hash = Sha256::digest(item.name.as_bytes());
        let hex = crate::domain::digest::hex(&hash[..6]);
        format!("{}:h{hex}", item.kind.as_str())
    } else {
        format!("{}:{slug}", item.kind.as_str())
    };
    if let Some(imo) = &item.imo {
        id.push(':');
        id.push_str(&imo.number);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn positions_are_those_line_col_gives() {
        let text = "[[vessel]]\nname = \"Ádisa\"\n\nimo = \"9304667\"\n# ü\n";
        let lines = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                lines.line_col(text, offset),
                crate::config::line_col(text, offset),
                "offset {offset}"
            );
        }
    }
}
