//! Alerts: what happened, to which watch item, and why it matched.

use serde::{Deserialize, Serialize};

/// The events of PRODUCT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    Listed,
    Changed,
    Delisted,
    AlreadyListed,
    Mentioned,
    SourceStale,
    SourceRecovered,
}

impl Event {
    /// Every event, in the order a reader cares about them (digests list alerts in this order).
    pub const ALL: [Event; 7] = [
        Event::Listed,
        Event::Changed,
        Event::Delisted,
        Event::AlreadyListed,
        Event::Mentioned,
        Event::SourceStale,
        Event::SourceRecovered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::Listed => "listed",
            Event::Changed => "changed",
            Event::Delisted => "delisted",
            Event::AlreadyListed => "already-listed",
            Event::Mentioned => "mentioned",
            Event::SourceStale => "source-stale",
            Event::SourceRecovered => "source-recovered",
        }
    }

    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// One alert, as stored and as rendered into email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub event: Event,
    pub source: String,
    /// The source's publication date for the snapshot that raised the alert, if known.
    pub source_published: Option<String>,
    /// The list's own entry id, or for `mentioned` the feed item's id (guid or link).
    pub entry_id: String,
    /// The entry's primary name, or the feed item's title.
    pub entry_name: String,
    pub watch_item_id: String,
    /// The watch item's name or phrase.
    pub watch_item: String,
    pub score: f64,
    pub why: String,
    /// For `changed`: the fields that changed (`aliases`, `vessel`, …), with before/after text.
    pub changes: Vec<FieldChange>,
    /// The entry as published (a `model::Entry`) or the feed item (a `model::FeedItem`), as JSON.
    pub details: serde_json::Value,
    /// Other lists that carry the same IMO or passport ("also listed by …"), one line each.
    pub also_listed: Vec<String>,
    /// Extra recipients (the watch item's `notify`).
    pub notify: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// One changed field of an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}
