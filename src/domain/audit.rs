//! The audit trail: one record per cycle, saying which version of which list was screened,
//! when, against which watchlist, and what came of it.

use std::collections::BTreeMap;

use serde::Serialize;

/// How a cycle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A new snapshot was screened and stored.
    Applied,
    /// The download was identical to the stored snapshot (no entry changed).
    Unchanged,
    /// The server said the document had not changed (HTTP 304).
    NotModified,
    /// The snapshot was implausible and refused; the stored one stays.
    Refused,
    /// Fetching or parsing failed.
    Failed,
    /// New watch items were screened against every stored list.
    Screened,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Applied,
        Outcome::Unchanged,
        Outcome::NotModified,
        Outcome::Refused,
        Outcome::Failed,
        Outcome::Screened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Unchanged => "unchanged",
            Outcome::NotModified => "not-modified",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
            Outcome::Screened => "screened",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One cycle, as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleRecord {
    /// Assigned by the store.
    pub id: i64,
    /// The source's name, or `watchlist` for a screening of new watch items.
    pub source: String,
    pub kind: String,
    /// RFC 3339.
    pub started_at: String,
    pub finished_at: String,
    pub outcome: Outcome,
    /// The publication date the list states, if it states one.
    pub published: Option<String>,
    /// SHA-256 of the documents as downloaded, hex: the version screened.
    pub content_hash: Option<String>,
    /// xxh3-128 of the same bytes, hex: what tells the next download is the same one.
    pub content_check: Option<String>,
    /// Entries (or feed items) in the snapshot screened.
    pub entries: Option<usize>,
    pub added: usize,
    pub relisted: usize,
    pub changed: usize,
    pub removed: usize,
    /// The watchlist version screened against (SHA-256 of its items).
    pub watchlist_hash: String,
    pub watch_items: usize,
    /// New alerts by event (`listed`, `changed`…); empty when nothing came of it.
    pub alerts: BTreeMap<String, usize>,
    /// Why it failed or was refused.
    pub error: Option<String>,
}

impl CycleRecord {
    /// A record of a cycle of `source` begun at `started_at`, outcome still to be set.
    pub fn begin(
        source: &str,
        kind: &str,
        started_at: &str,
        watchlist_hash: &str,
        watch_items: usize,
    ) -> Self {
        CycleRecord {
            id: 0,
            source: source.to_string(),
            kind: kind.to_string(),
            started_at: started_at.to_string(),
            finished_at: started_at.to_string(),
            outcome: Outcome::Failed,
            published: None,
            content_hash: None,
            content_check: None,
            entries: None,
            added: 0,
            relisted: 0,
            changed: 0,
            removed: 0,
            watchlist_hash: watchlist_hash.to_string(),
            watch_items,
            alerts: BTreeMap::new(),
            error: None,
        }
    }
}

/// What `status` shows for a source.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SourceStatus {
    pub name: String,
    pub kind: String,
    pub last_attempt: Option<String>,
    pub last_success: Option<String>,
    pub entries: i64,
    pub last_error: Option<String>,
    /// When the source started failing, if it is failing now.
    #[serde(skip)]
    pub failing_since: Option<String>,
    #[serde(skip)]
    pub stale_notified: bool,
    /// How many snapshots have been applied; 0 means the next one is the first.
    #[serde(skip)]
    pub snapshots: i64,
    #[serde(skip)]
    pub published: Option<String>,
}
