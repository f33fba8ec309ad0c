//! An entity's timeline across every list: its listing episodes and the versions of its
//! entries, as `watchkeeper history` shows them.

use serde::Serialize;

use crate::domain::entry::Entry;

/// One listing episode of an entry: on the list from one cycle until another (or now).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Episode {
    pub episode: u32,
    /// When watchkeeper first saw the entry on the list (RFC 3339).
    pub listed_at: String,
    /// The list's publication date of that snapshot.
    pub listed_published: Option<String>,
    pub delisted_at: Option<String>,
    pub delisted_published: Option<String>,
}

/// One version of an entry's content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    pub version: u32,
    pub hash: String,
    /// When this version was first seen (RFC 3339), and the publication it came in.
    pub seen_at: String,
    pub published: Option<String>,
    pub entry: Entry,
}

/// The history of one entry of one source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryHistory {
    pub source: String,
    pub entry_id: String,
    /// Whether the entry is on the list now.
    pub listed_now: bool,
    pub episodes: Vec<Episode>,
    pub versions: Vec<Version>,
}

impl EntryHistory {
    /// Every primary name the entry had, oldest first, each once.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for v in &self.versions {
            if !out.contains(&v.entry.name.as_str()) {
                out.push(&v.entry.name);
            }
        }
        out
    }
}
