//! Watch items: what people want to hear about, as validated by the watchlist loader
//! ([`crate::watchlist`]).

use std::path::PathBuf;

use crate::domain::ident::Imo;

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
    /// The name, or for a keyword its phrase.
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
    /// Known false positives: `SOURCE:ENTRY_ID` silences the entry for good,
    /// `SOURCE:ENTRY_ID@VERSION` (the line each alert suggests) only until the entry changes.
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

    /// The name followed by aliases and former names.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.former_names.iter().map(String::as_str))
    }

    /// Whether a pinned `exclude` (`SOURCE:ENTRY_ID@VERSION`) silences this version of the
    /// entry: the pin is a prefix of the entry's content hash, so any change ends the silence.
    pub fn silences(&self, source: &str, entry_id: &str, version: &str) -> bool {
        self.exclude.iter().any(|x| {
            let Some((target, pin)) = x.rsplit_once('@') else {
                return false;
            };
            !pin.is_empty()
                && target.split_once(':') == Some((source, entry_id))
                && version.starts_with(&pin.to_ascii_lowercase())
        })
    }

    /// Whether this item applies to a source (its `sources` limit) and entry (its unpinned
    /// `exclude`; pinned ones are [`WatchItem::silences`]).
    pub fn applies_to(&self, source: &str, entry_id: &str) -> bool {
        (self.sources.is_empty() || self.sources.iter().any(|s| s == source))
            && !self
                .exclude
                .iter()
                .any(|x| x.split_once(':') == Some((source, entry_id)))
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
