//! Matching: does a list entry or a news item concern a watch item, how strongly, and why.

use crate::model::{Entry, FeedItem};
use crate::watchlist::WatchItem;

/// Used when neither the watch item nor the config sets a threshold.
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// A match, with its score (0–1) and a reason a compliance officer can read.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Match {
    pub score: f64,
    pub why: String,
}

/// The watchlist, prepared for matching.
pub struct Matcher {
    items: Vec<WatchItem>,
    default_threshold: f64,
}

impl Matcher {
    pub fn new(items: Vec<WatchItem>, default_threshold: f64) -> Matcher {
        Matcher {
            items,
            default_threshold,
        }
    }

    pub fn default_threshold(&self) -> f64 {
        self.default_threshold
    }

    pub fn items(&self) -> &[WatchItem] {
        &self.items
    }

    /// Watch items (by index) that `entry` of `source` matches at or above their threshold,
    /// honouring each item's `sources` and `exclude`. Keywords never match list entries.
    pub fn match_entry(&self, source: &str, entry: &Entry) -> Vec<(usize, Match)> {
        let _ = (source, entry, self.default_threshold);
        Vec::new()
    }

    /// Watch items (by index, keywords included) that a news item of `source` mentions.
    pub fn match_feed_item(&self, source: &str, item: &FeedItem) -> Vec<(usize, Match)> {
        let _ = (source, item);
        Vec::new()
    }
}

/// Scores one query against one entry without any threshold (for `screen`); `None` when
/// nothing at all is shared.
pub fn score_entry(query: &WatchItem, entry: &Entry) -> Option<Match> {
    let _ = (query, entry);
    None
}
