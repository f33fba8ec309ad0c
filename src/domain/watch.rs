//! Watch items: what people want to hear about, as validated by the watchlist loader
//! ([`crate::watchlist`]).

use std::path::PathBuf;

use crate::domain::ident::{Imo, ImoKind};

/// What a watch item watches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchKind {
    Vessel,
    Person,
    Organization,
    /// A phrase searched in news feeds only.
    Keyword,
}

impl WatchKind {
    /// The IMO numbering a watch item of this kind carries, if its kind says (the context of
    /// the tie rule in [`crate::domain::ident`]).
    pub fn imo_kind(self) -> Option<ImoKind> {
        match self {
            WatchKind::Vessel => Some(ImoKind::Ship),
            WatchKind::Organization => Some(ImoKind::Company),
            WatchKind::Person | WatchKind::Keyword => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WatchKind::Vessel => "vessel",
            WatchKind::Person => "person",
            WatchKind::Organization => "organization",
            WatchKind::Keyword => "keyword",
        }
    }
}

/// One watch item, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WatchItem {
    /// Stable identity: the `id` the user set, else derived from kind and content.
    pub id: String,
    pub kind: WatchKind,
    /// The name, or for a keyword its phrase; empty for a vessel watched by IMO alone (see
    /// [`WatchItem::label`]).
    pub name: String,
    /// Other names the user gave (`aliases`), not including `former_names`.
    pub aliases: Vec<String>,
    /// Former names of a vessel (or organisation).
    pub former_names: Vec<String>,
    pub imo: Option<Imo>,
    pub mmsi: Option<String>,
    /// Dates of birth as the user wrote them (YYYY, YYYY-MM or YYYY-MM-DD).
    pub dates_of_birth: Vec<String>,
    pub nationalities: Vec<String>,
    /// Extra recipients for this item's alerts, besides the default ones.
    pub notify: Vec<String>,
    /// 0–1; `None` means the matcher's default.
    pub threshold: Option<f64>,
    /// Source names this item is limited to; empty means all.
    pub sources: Vec<String>,
    /// Known false positives, each silenced until the entry changes: `SOURCE:ENTRY_ID@VERSION`
    /// (the line each alert suggests) names the version; a plain `SOURCE:ENTRY_ID` is pinned by
    /// the store to the version stored when the exclusion was first read.
    pub exclude: Vec<String>,
}

impl WatchItem {
    /// A watch item with only a kind and a name, everything else empty (for `screen` queries).
    pub fn query(kind: WatchKind, name: &str) -> WatchItem {
        WatchItem {
            id: format!("query:{name}"),
            kind,
            name: name.to_string(),
            aliases: Vec::new(),
            former_names: Vec::new(),
            imo: None,
            mmsi: None,
            dates_of_birth: Vec::new(),
            nationalities: Vec::new(),
            notify: Vec::new(),
            threshold: None,
            sources: Vec::new(),
            exclude: Vec::new(),
        }
    }

    /// The name followed by aliases and former names (a vessel watched by IMO alone has no
    /// name: empty names are left out).
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.former_names.iter().map(String::as_str))
            .filter(|n| !n.is_empty())
    }

    /// What alerts and messages call the item: its name, or for a vessel watched by IMO alone
    /// its number (`IMO 9187629`).
    pub fn label(&self) -> String {
        match &self.imo {
            Some(imo) if self.name.is_empty() => format!("IMO {}", imo.number),
            _ => self.name.clone(),
        }
    }

    /// How this item's `exclude` treats an entry of a source.
    pub fn exclusion(&self, source: &str, entry_id: &str) -> Exclusion<'_> {
        let mut out = Exclusion::None;
        for x in &self.exclude {
            let (target, pin) = match x.rsplit_once('@') {
                Some((target, pin)) if !pin.is_empty() => (target, Some(pin)),
                _ => (x.as_str(), None),
            };
            if target.split_once(':') != Some((source, entry_id)) {
                continue;
            }
            match pin {
                // A plain exclude wins over a pinned one: it covers every version.
                None => return Exclusion::Plain,
                Some(pin) => out = Exclusion::Pinned(pin),
            }
        }
        out
    }

    /// Whether this item watches `source` (its `sources` limit).
    pub fn covers(&self, source: &str) -> bool {
        self.sources.is_empty() || self.sources.iter().any(|s| s == source)
    }

    /// Whether this item applies to a news item of a source: its `sources` limit and any
    /// `exclude` of the item (a news item has one version).
    pub fn applies_to(&self, source: &str, item_id: &str) -> bool {
        self.covers(source) && self.exclusion(source, item_id) == Exclusion::None
    }
}

/// A loaded watchlist.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Watchlist {
    pub items: Vec<WatchItem>,
    /// The file it was read from (empty when built in code).
    #[serde(skip)]
    pub path: PathBuf,
    /// Where each item sits in the file, parallel to `items` (may be empty when built in code).
    #[serde(skip)]
    pub positions: Vec<ItemPositions>,
}

/// Two watchlists are equal when their items are: moving an item within the file is no change.
impl PartialEq for Watchlist {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

/// 1-based line and column of an item's parts, for errors found after loading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemPositions {
    /// The item's `name` (or `phrase`).
    pub name: (usize, usize),
    pub sources: Option<(usize, usize)>,
    pub exclude: Option<(usize, usize)>,
}

/// What a watch item's `exclude` says of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion<'a> {
    None,
    /// `SOURCE:ENTRY_ID@PIN`: silent while the entry's version starts with `PIN`.
    Pinned(&'a str),
    /// `SOURCE:ENTRY_ID`: silent while the entry keeps the version it had when the exclusion
    /// was first read.
    Plain,
}

impl Exclusion<'_> {
    /// Whether an alert about `version` of the entry is silenced, given the version a plain
    /// exclusion was pinned to (`None`: not pinned yet, so this version becomes the pin).
    pub fn silences(self, version: &str, plain_pin: Option<&str>) -> bool {
        match self {
            Exclusion::None => false,
            Exclusion::Pinned(pin) => version.starts_with(&pin.to_ascii_lowercase()),
            Exclusion::Plain => plain_pin.is_none_or(|p| p == version),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_kind_is_the_context_of_an_imo_number() {
        assert_eq!(WatchKind::Vessel.imo_kind(), Some(ImoKind::Ship));
        assert_eq!(WatchKind::Organization.imo_kind(), Some(ImoKind::Company));
        assert_eq!(WatchKind::Person.imo_kind(), None);
    }
}
