//! Feed items already seen, so that an item alerts once however often the feed repeats it.

use std::collections::HashSet;

use super::{Result, Store};

impl Store {
    /// Which of `ids` have been seen before on `source`.
    pub fn seen_feed_items(&self, source: &str, ids: &[&str]) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM feed_items WHERE source = ?1 AND item_id = ?2")?;
        let mut seen = HashSet::new();
        for id in ids {
            if stmt.exists([source, id])? {
                seen.insert(id.to_string());
            }
        }
        Ok(seen)
    }
}
