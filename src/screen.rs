//! `watchkeeper screen`: ranks stored entries against an ad-hoc query, with the reason for each
//! score, grouping entries of different lists that share an IMO or passport number.

use std::sync::Arc;

use crate::domain::entry::{Entry, Identifier};
use crate::domain::ident::{self, Imo};
use crate::domain::watch::{WatchItem, WatchKind};
use crate::matching::{Matcher, NameStats};

#[derive(Debug, Clone, serde::Serialize)]
pub struct ScreenResult {
    pub source: String,
    pub entry_id: String,
    pub kind: String,
    pub name: String,
    pub score: f64,
    pub why: String,
    /// Entries of other lists with the same IMO, MMSI or passport number ("source:entry_id").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
}

/// Ranks `entries` against a query name (and IMO), best first, at most `limit` results with a
/// score of at least `min_score`.
pub fn screen(
    entries: &[(String, Entry)],
    name: &str,
    imo: Option<Imo>,
    kind: Option<WatchKind>,
    min_score: f64,
    limit: usize,
) -> Vec<ScreenResult> {
    let kinds: Vec<WatchKind> = match (kind, &imo) {
        (Some(k), _) => vec![k],
        (None, Some(_)) => vec![WatchKind::Vessel, WatchKind::Organization],
        (None, None) => vec![
            WatchKind::Person,
            WatchKind::Organization,
            WatchKind::Vessel,
        ],
    };
    let queries: Vec<WatchItem> = kinds
        .into_iter()
        .map(|k| {
            let mut q = WatchItem::query(k, name);
            // a number fitting both check digit rules is a ship's for a vessel query and a
            // company's for an organisation query (the tie rule of crate::domain::ident)
            q.imo = imo.clone().map(|i| i.in_context(k.imo_kind()));
            q.threshold = Some(min_score);
            q
        })
        .collect();
    // the pipeline's matcher, weighing parts by rarity across the stored names as it does;
    // every entry is scored, as an ad-hoc search wants the weak matches the index skips
    let stats = NameStats::from_entries(entries.iter().map(|(_, e)| e));
    let matcher = Matcher::new(queries, min_score).with_stats(Arc::new(stats));
    let mut results: Vec<ScreenResult> = entries
        .iter()
        .filter_map(|(source, entry)| {
            let (_, best) = matcher
                .match_entry_scan(source, entry)
                .into_iter()
                .max_by(|a, b| a.1.score.total_cmp(&b.1.score))?;
            Some(ScreenResult {
                source: source.clone(),
                entry_id: entry.id.clone(),
                kind: entry.kind.as_str().to_string(),
                name: entry.name.clone(),
                score: (best.score * 1000.0).round() / 1000.0,
                why: best.why,
                same_as: Vec::new(),
            })
        })
        .collect();
    results.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.entry_id.cmp(&b.entry_id))
    });
    results.truncate(limit);
    link_same_identifiers(&mut results, entries);
    results
}

fn shared_ids(e: &Entry) -> Vec<String> {
    e.identifiers
        .iter()
        .filter(|i: &&Identifier| matches!(i.kind.as_str(), "imo" | "mmsi" | "passport"))
        .map(|i| format!("{}:{}", i.kind, ident::comparable(&i.kind, &i.value)))
        .collect()
}

fn link_same_identifiers(results: &mut [ScreenResult], entries: &[(String, Entry)]) {
    let find = |source: &str, id: &str| {
        entries
            .iter()
            .find(|(s, e)| s == source && e.id == id)
            .map(|(_, e)| e)
    };
    let ids: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            find(&r.source, &r.entry_id)
                .map(shared_ids)
                .unwrap_or_default()
        })
        .collect();
    for i in 0..results.len() {
        for j in 0..results.len() {
            if i != j
                && results[i].source != results[j].source
                && ids[i].iter().any(|x| ids[j].contains(x))
            {
                let other = format!("{}:{}", results[j].source, results[j].entry_id);
                results[i].same_as.push(other);
            }
        }
    }
}

/// The entity kinds a `--kind` word selects.
pub fn parse_kind(word: &str) -> Option<WatchKind> {
    match word {
        "vessel" => Some(WatchKind::Vessel),
        "person" => Some(WatchKind::Person),
        "organization" | "organisation" => Some(WatchKind::Organization),
        _ => None,
    }
}
