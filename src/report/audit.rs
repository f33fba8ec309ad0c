//! `watchkeeper audit`: for each cycle, which version of which list was screened, when,
//! against which watchlist, and what came of it.

use crate::domain::audit::CycleRecord;

/// The columns of the CSV, in order.
pub const CSV_COLUMNS: [&str; 17] = [
    "cycle",
    "started_at",
    "finished_at",
    "source",
    "kind",
    "outcome",
    "published",
    "content_sha256",
    "entries",
    "added",
    "relisted",
    "changed",
    "removed",
    "watchlist_sha256",
    "watch_items",
    "alerts",
    "error",
];

/// One line per cycle.
pub fn text(cycles: &[CycleRecord]) -> String {
    let mut out = String::new();
    for c in cycles {
        let version = match (&c.published, &c.content_hash) {
            (Some(p), Some(h)) => format!("list of {p}, sha256 {}", short(h)),
            (None, Some(h)) => format!("sha256 {}", short(h)),
            (Some(p), None) => format!("list of {p}"),
            (None, None) => "-".to_string(),
        };
        let entries = if c.outcome == crate::domain::audit::Outcome::Screened {
            format!(
                "{} new watch items against {} stored entries",
                c.added,
                c.entries.unwrap_or(0)
            )
        } else {
            c.entries
                .map(|n| {
                    format!(
                        "{n} entries (+{} ↺{} ~{} -{})",
                        c.added, c.relisted, c.changed, c.removed
                    )
                })
                .unwrap_or_else(|| "-".into())
        };
        out.push_str(&format!(
            "#{} {} {:<12} {:<12} {version}; {entries}; watchlist {} ({} items); alerts: {}{}\n",
            c.id,
            c.started_at,
            c.source,
            c.outcome.as_str(),
            short(&c.watchlist_hash),
            c.watch_items,
            alerts(c),
            c.error
                .as_ref()
                .map(|e| format!("\n    {e}"))
                .unwrap_or_default()
        ));
    }
    if cycles.is_empty() {
        out.push_str("no cycles in that period\n");
    }
    out
}

/// The cycles as CSV, with a header row.
pub fn csv(cycles: &[CycleRecord]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).expect("writing to memory");
    for c in cycles {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        w.write_record([
            c.id.to_string(),
            c.started_at.clone(),
            c.finished_at.clone(),
            c.source.clone(),
            c.kind.clone(),
            c.outcome.as_str().to_string(),
            opt(&c.published),
            opt(&c.content_hash),
            c.entries.map(|n| n.to_string()).unwrap_or_default(),
            c.added.to_string(),
            c.relisted.to_string(),
            c.changed.to_string(),
            c.removed.to_string(),
            c.watchlist_hash.clone(),
            c.watch_items.to_string(),
            alerts(c),
            opt(&c.error),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("CSV of strings")
}

/// New alerts by event, or `none`.
fn alerts(c: &CycleRecord) -> String {
    if c.alerts.is_empty() {
        return "none".into();
    }
    c.alerts
        .iter()
        .map(|(e, n)| format!("{e} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
