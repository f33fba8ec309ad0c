//! Alerts: what happened, to which watch item, and why it matched.
//!
//! An alert is built in one place per kind ([`Alert::for_entry`], [`Alert::for_feed_item`],
//! [`Alert::for_source`]) and identified by one [`AlertKey`], so that "never the same alert
//! twice" has one definition.

use serde::{Deserialize, Serialize};

use crate::domain::entry::{Entry, FeedItem};
use crate::domain::watch::WatchItem;

/// The events of PRODUCT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
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

/// What an alert is about, typed: the list entry as published, the feed item, or (for
/// `source-stale` and `source-recovered`) nothing beyond the source.
///
/// Untagged, so that alerts stored before this type existed (an entry or item object, or
/// `null`, under `details`) still read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(untagged)]
pub enum Subject {
    Entry(Box<Entry>),
    FeedItem(FeedItem),
    #[default]
    Source,
}

/// One alert, as stored and as rendered into email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub event: Event,
    pub source: String,
    /// Who publishes the source ("US Treasury, OFAC").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// What the list is called ("OFAC SDN list").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_title: Option<String>,
    /// The source's publication date for the snapshot that raised the alert, if known.
    pub source_published: Option<String>,
    /// The list's own entry id, or for `mentioned` the feed item's id (guid or link).
    pub entry_id: String,
    /// The entry's primary name, or the feed item's title.
    pub entry_name: String,
    /// For `listed`, `delisted` and `already-listed`: which listing of the entry on this list
    /// it is (2 and more: it had been delisted before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode: Option<u32>,
    /// The entry version (content hash) the alert is about, for list alerts: what an
    /// `exclude = ["SOURCE:ENTRY_ID@VERSION"]` line pins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_version: Option<String>,
    pub watch_item_id: String,
    /// The watch item's name or phrase.
    pub watch_item: String,
    pub score: f64,
    pub why: String,
    /// For `changed`: the fields that changed (`aliases`, `vessel.flag`, …) and how.
    pub changes: Vec<FieldChange>,
    /// The entry as published or the feed item.
    #[serde(alias = "details")]
    pub subject: Subject,
    /// For `mentioned`: where in the news item the match was found and the sentence around it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
    /// Other lists that carry the same IMO or passport ("also listed by …"), one line each.
    pub also_listed: Vec<String>,
    /// Extra recipients (the watch item's `notify`).
    pub notify: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// Where a news item mentions a watch item: the part of the item (`title`, `summary`,
/// `content`) and the sentence around the matched words, cut into the text before them, the
/// words as written, and the text after them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Quote {
    pub place: String,
    pub before: String,
    pub matched: String,
    pub after: String,
}

/// One changed field of an entry: which field, its whole value before and after, and how it
/// changed, which is what an email shows.
///
/// Alerts stored before `change` existed (`{"field", "before", "after"}`) still read back, as
/// [`Change::Value`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `name`, `aliases`, `programs`, `vessel.flag`, `extra.gender`, `remarks`…
    pub field: String,
    /// The whole value before, on one line (`(none)` when absent).
    pub before: String,
    /// The whole value after, on one line (`(none)` when absent).
    pub after: String,
    #[serde(default)]
    pub change: Change,
}

/// How a field changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// One value replaced by another: shown as before → after.
    #[default]
    Value,
    /// A list compared as a set (order and repetition do not count): what is new, what is gone.
    Set {
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// Long text compared word by word: the changed words with a little unchanged context.
    Words(Vec<Span>),
}

/// A piece of a word-level diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// Unchanged words shown as context.
    Same(String),
    Removed(String),
    Added(String),
    /// Unchanged words left out.
    Elided,
}

/// The identity of an alert: the same key is never alerted twice.
///
/// List alerts are keyed by the *transition* of the entry's listing state that raised them:
/// `listed` and `delisted` by the listing episode (so a relisting is a new `listed`, whatever
/// the content), `changed` by the entry version it changed to, `already-listed` by the episode
/// the watch item found on the list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlertKey(pub String);

impl AlertKey {
    /// A list alert: watch item, source, entry, event, and the transition (`ep3`, `v7`…).
    pub fn list(item: &str, source: &str, entry_id: &str, event: Event, transition: &str) -> Self {
        AlertKey(format!(
            "{item}\u{1f}{source}\u{1f}{entry_id}\u{1f}{}\u{1f}{transition}",
            event.as_str()
        ))
    }

    /// A news mention: one per watch item and feed item.
    pub fn mention(item: &str, source: &str, feed_item_id: &str) -> Self {
        Self::list(item, source, feed_item_id, Event::Mentioned, "")
    }

    /// A source notice: one per source and the moment it refers to (stale since…, recovered at…).
    pub fn notice(event: Event, source: &str, at: &str) -> Self {
        AlertKey(format!("{}\u{1f}{source}\u{1f}{at}", event.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which publication of which list an alert comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListRef {
    /// The source's name in the config.
    pub source: String,
    /// Who publishes it ("US Treasury, OFAC").
    pub publisher: Option<String>,
    /// What the list is called ("OFAC SDN list").
    pub list_title: Option<String>,
    /// The publication date the document states.
    pub published: Option<String>,
}

/// What a match said, as the alert carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct Why {
    pub score: f64,
    pub why: String,
}

impl Alert {
    /// A list alert about `entry` for `item`.
    pub fn for_entry(
        event: Event,
        list: &ListRef,
        entry: &Entry,
        version: &str,
        item: &WatchItem,
        why: Why,
        now: &str,
    ) -> Alert {
        Alert {
            id: 0,
            event,
            source: list.source.clone(),
            publisher: list.publisher.clone(),
            list_title: list.list_title.clone(),
            source_published: list.published.clone(),
            entry_id: entry.id.clone(),
            entry_name: entry.name.clone(),
            episode: None,
            entry_version: Some(version.to_string()),
            watch_item_id: item.id.clone(),
            watch_item: item.label(),
            score: why.score,
            why: why.why,
            changes: Vec::new(),
            subject: Subject::Entry(Box::new(entry.clone())),
            quote: None,
            also_listed: Vec::new(),
            notify: item.notify.clone(),
            created_at: now.to_string(),
        }
    }

    /// A `mentioned` alert about a news item.
    pub fn for_feed_item(
        source: &str,
        item: &FeedItem,
        watch: &WatchItem,
        why: Why,
        now: &str,
    ) -> Alert {
        Alert {
            id: 0,
            event: Event::Mentioned,
            source: source.to_string(),
            publisher: None,
            list_title: None,
            source_published: item.published.clone(),
            entry_id: item.id.clone(),
            entry_name: item.title.clone(),
            episode: None,
            entry_version: None,
            watch_item_id: watch.id.clone(),
            watch_item: watch.label(),
            score: why.score,
            why: why.why,
            changes: Vec::new(),
            subject: Subject::FeedItem(item.clone()),
            quote: None,
            also_listed: Vec::new(),
            notify: watch.notify.clone(),
            created_at: now.to_string(),
        }
    }

    /// A notice about a source itself (`source-stale`, `source-recovered`).
    pub fn for_source(event: Event, source: &str, url: &str, why: String, now: &str) -> Alert {
        Alert {
            id: 0,
            event,
            source: source.to_string(),
            publisher: None,
            list_title: None,
            source_published: None,
            entry_id: String::new(),
            entry_name: url.to_string(),
            episode: None,
            entry_version: None,
            watch_item_id: String::new(),
            watch_item: String::new(),
            score: 0.0,
            why,
            changes: Vec::new(),
            subject: Subject::Source,
            quote: None,
            also_listed: Vec::new(),
            notify: Vec::new(),
            created_at: now.to_string(),
        }
    }

    /// What to add to the watch item's `exclude` to silence this alert: the entry pinned to
    /// the version alerted, so that the silence ends when the entry changes.
    pub fn exclude_token(&self) -> Option<String> {
        let version = self.entry_version.as_deref()?;
        Some(exclude_token(&self.source, &self.entry_id, version))
    }

    /// Whether a decisive identifier (an equal IMO or MMSI number) made the match, rather
    /// than a name: the strongest evidence an alert can carry. The matcher records it as the
    /// start of the reason (`IMO 9187629 equals the IMO number of vessel "ARTAVIL"`).
    pub fn identifier_match(&self) -> bool {
        (self.why.starts_with("IMO ") || self.why.starts_with("MMSI "))
            && self.why.contains(" equals the ")
    }

    /// The entry as published, for list alerts.
    pub fn entry(&self) -> Option<&Entry> {
        match &self.subject {
            Subject::Entry(e) => Some(e),
            _ => None,
        }
    }

    /// The news item, for `mentioned`.
    pub fn feed_item(&self) -> Option<&FeedItem> {
        match &self.subject {
            Subject::FeedItem(i) => Some(i),
            _ => None,
        }
    }
}

/// How many hex digits of an entry version an `exclude` pin carries: enough to tell versions
/// apart, short enough to type.
pub const PIN_DIGITS: usize = 12;

/// `SOURCE:ENTRY_ID@VERSION`, the pinned form of an `exclude` item.
pub fn exclude_token(source: &str, entry_id: &str, version: &str) -> String {
    let pin = version.get(..PIN_DIGITS).unwrap_or(version);
    format!("{source}:{entry_id}@{pin}")
}
