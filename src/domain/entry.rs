//! The entry model every list format fills, and the item model every feed fills.
//!
//! Entries are stored as JSON and hashed field by field, so the field names here are part of the
//! on-disk format: rename one only with a migration.

use serde::{Deserialize, Serialize};

/// What a list entry designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Vessel,
    Aircraft,
    #[default]
    Unknown,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Vessel => "vessel",
            EntityKind::Aircraft => "aircraft",
            EntityKind::Unknown => "unknown",
        }
    }
}

/// Another name of an entry, with what the list says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    /// The list's own word for the alias: `aka`, `fka`, `nka`, `good`, `low`, `original-script`…
    pub kind: String,
}

/// An identifier the list gives for the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    /// `imo`, `mmsi`, `passport`, `national-id`, `call-sign`, `tax-id`, `swift`, … (lowercase).
    pub kind: String,
    pub value: String,
    /// Issuing country, validity or anything else the list adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Vessel particulars, where the list gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct VesselInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tonnage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// One entry of a sanctions list, as the list publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Entry {
    /// The list's own identifier (OFAC ent_num, UN DATAID, …): stable across snapshots.
    pub id: String,
    pub kind: EntityKind,
    /// The primary name, as published.
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates_of_birth: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places_of_birth: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// Boxed: most entries are not vessels, and a list of 10^6 entries holds them all at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel: Option<Box<VesselInfo>>,
    /// Names of other entries this one is linked to (OFAC `Linked To:`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_to: Vec<String>,
    /// Title, designation or function (OFAC Title, UN DESIGNATION).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    /// A link to the entry's page on the publisher's site, where the list gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Anything else worth showing (UN reference number, list type, gender…), by field name.
    #[serde(default, skip_serializing_if = "super::fields::Fields::is_empty")]
    pub extra: super::fields::Fields,
}

#[cfg(test)]
impl Entry {
    /// A person of these names with aliases of kind `aka`, for tests.
    pub fn person(id: &str, name: &str, aliases: &[&str]) -> Entry {
        Entry {
            id: id.into(),
            kind: EntityKind::Person,
            name: name.into(),
            aliases: aliases
                .iter()
                .map(|a| Alias {
                    name: a.to_string(),
                    kind: "aka".into(),
                })
                .collect(),
            ..Entry::default()
        }
    }
}

impl Entry {
    /// The primary name followed by every alias, in list order.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(|a| a.name.as_str()))
    }

    /// Identifier values of one kind (`imo`, `mmsi`, …).
    pub fn identifiers_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.identifiers
            .iter()
            .filter(move |i| i.kind == kind)
            .map(|i| i.value.as_str())
    }
}

/// One item of a news feed, reduced to text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FeedItem {
    /// guid / id, else the link, else a hash of title and summary (or content): what makes the
    /// item new once.
    pub id: String,
    /// Title as plain text (HTML stripped, entities decoded).
    pub title: String,
    /// Absolute link (relative links resolved against the feed's base).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The teaser as plain text: RSS `<description>`, Atom `<summary>`, `dc:description`,
    /// `media:description`, `itunes:summary`…
    #[serde(default)]
    pub summary: String,
    /// The whole article as plain text, where the feed carries it apart from the teaser
    /// (`<content:encoded>`, Atom `<content>`, `<xhtml:body>`); empty when it does not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// Publication date as RFC 3339, where the feed gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

/// What parsing one download of a list produced.
#[derive(Debug, Clone, Default)]
pub struct ListSnapshot {
    pub entries: Vec<Entry>,
    /// The publication date the document states, if any (RFC 3339 or the list's own form).
    pub published: Option<String>,
    /// How many entries the document says it holds (OFAC Record_Count and the like), if it says.
    pub stated_count: Option<usize>,
    /// For a list published as several documents joined on an entry id (OFAC's delimited
    /// files): rows of the secondary documents that name no entry of the primary one, by
    /// document. The guard refuses a snapshot with any: the primary document is cut short, or
    /// the documents are from different publications.
    pub stray_rows: Vec<StrayRows>,
    /// For a format that digests each record's bytes (FtM, a JSON object a line): the ids of
    /// the entries whose record has the digest stored for them, left unparsed because they
    /// are the stored entries unchanged. They are on the list as much as `entries` are. Each id
    /// is here once and is not the id of any of `entries` (an id on two records is parsed):
    /// the diff counts on it to find that nothing was removed without a set of all the ids.
    pub unparsed: super::IdList,
    /// The digest of each parsed entry's record (its bytes and those of the records folded
    /// into it), by entry id, for the store to keep: the next download's record with the same
    /// digest is not parsed. Empty for formats that parse the document whole.
    pub record_digests: super::IdMap<String, String>,
}

impl ListSnapshot {
    /// How many entries the document holds: those parsed and those left unparsed.
    pub fn len(&self) -> usize {
        self.entries.len() + self.unparsed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Rows of one secondary document that belong to no entry of the primary document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrayRows {
    /// The document holding the rows (`add.csv`).
    pub document: String,
    /// The document that lacks their entries (`sdn.csv`).
    pub primary: String,
    pub rows: usize,
    /// The first few entry ids they name, in document order, each once.
    pub examples: Vec<String>,
}

impl StrayRows {
    /// How many example ids are kept.
    pub const EXAMPLES: usize = 5;

    /// Counts one row of `id`, keeping it as an example while there is room.
    pub fn count(&mut self, id: &str) {
        self.rows += 1;
        if self.examples.len() < Self::EXAMPLES && !self.examples.iter().any(|e| e == id) {
            self.examples.push(id.to_string());
        }
    }
}

/// What parsing one download of a feed produced.
#[derive(Debug, Clone, Default)]
pub struct FeedSnapshot {
    pub title: Option<String>,
    pub items: Vec<FeedItem>,
    /// What went wrong without losing the feed: text that could only be decoded with
    /// replacement characters, a document broken after its last complete item. The cycle
    /// succeeds and the source's status shows these.
    pub warnings: Vec<String>,
}
