//! The snapshot guard: a new download replaces the stored snapshot only when it is plausible.
//! A truncated file, an HTML error page or a mass removal must never turn into a flood of
//! false `delisted` alerts.

use crate::domain::entry::{ListSnapshot, StrayRows};
use crate::fetch::error_document::{self, ErrorDocument};
use crate::sources::Body;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Refusal {
    #[error("{url}: empty document")]
    Empty { url: String },
    #[error("{url}: {document}, not the list (an error page served with status 200?)")]
    ErrorDocument {
        url: String,
        document: ErrorDocument,
    },
    #[error("no entries in the snapshot")]
    NoEntries,
    #[error("the document states {stated} entries but holds {found}: incomplete download?")]
    CountMismatch { stated: usize, found: usize },
    #[error("{}", stray_message(.0))]
    StrayRows(Vec<StrayRows>),
    #[error("the snapshot removes {removed} of {stored} stored entries ({share:.0}%), more than max_removed_share allows ({limit:.0}%)")]
    TooManyRemoved {
        removed: usize,
        stored: usize,
        share: f64,
        limit: f64,
    },
    /// The planner was not given the stored content of an entry the snapshot changes or
    /// removes: nothing is stored, and the next cycle plans again.
    #[error("stored entry {entry_id} was not read before planning (an internal error: nothing was stored)")]
    ContentNotRead { entry_id: String },
    /// The parser left an entry unparsed as the stored one unchanged, but no such entry is
    /// stored: the snapshot was parsed against another state of the store.
    #[error("entry {entry_id} was left unparsed as unchanged but is not stored (an internal error: nothing was stored)")]
    UnparsedNotStored { entry_id: String },
}

/// Checks the raw documents before parsing.
pub fn check_bodies(bodies: &[Body]) -> Result<(), Refusal> {
    for b in bodies {
        if error_document::skip_bom_and_space(&b.bytes).is_empty() {
            return Err(Refusal::Empty { url: b.url.clone() });
        }
        if let Some(document) = error_document::read(&b.bytes) {
            return Err(Refusal::ErrorDocument {
                url: b.url.clone(),
                document,
            });
        }
    }
    Ok(())
}

/// Checks a parsed list snapshot against what is stored.
pub fn check_snapshot(
    snapshot: &ListSnapshot,
    stored: usize,
    removed: usize,
    max_removed_share: f64,
) -> Result<(), Refusal> {
    if snapshot.is_empty() {
        return Err(Refusal::NoEntries);
    }
    if let Some(stated) = snapshot.stated_count {
        if stated != snapshot.len() {
            return Err(Refusal::CountMismatch {
                stated,
                found: snapshot.len(),
            });
        }
    }
    // Checked before the removal share: a cut primary document is why entries went missing.
    let stray: Vec<StrayRows> = snapshot
        .stray_rows
        .iter()
        .filter(|s| s.rows > 0)
        .cloned()
        .collect();
    if !stray.is_empty() {
        return Err(Refusal::StrayRows(stray));
    }
    if stored > 0 {
        let share = removed as f64 / stored as f64;
        if share > max_removed_share {
            return Err(Refusal::TooManyRemoved {
                removed,
                stored,
                share: share * 100.0,
                limit: max_removed_share * 100.0,
            });
        }
    }
    Ok(())
}

/// `add.csv has 412 rows of entries missing from sdn.csv (e.g. 36216, 36217, …); alt.csv
/// has 97 such rows (…): sdn.csv is cut short, or the files are from different publications`.
fn stray_message(stray: &[StrayRows]) -> String {
    let primary = stray
        .first()
        .map(|s| s.primary.as_str())
        .unwrap_or_default();
    let parts: Vec<String> = stray
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut examples = s.examples.join(", ");
            if s.examples.len() == StrayRows::EXAMPLES && s.rows > s.examples.len() {
                examples.push_str(", …");
            }
            let what = if i == 0 {
                format!("rows of entries missing from {primary}")
            } else {
                "such rows".to_string()
            };
            format!("{} has {} {what} (e.g. {examples})", s.document, s.rows)
        })
        .collect();
    format!(
        "{}: {primary} is cut short, or the files are from different publications",
        parts.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(bytes: &[u8]) -> Body {
        Body {
            resource: String::new(),
            url: "http://127.0.0.1/list.xml".into(),
            bytes: bytes.to_vec(),
            content_type: None,
        }
    }

    #[test]
    fn html_pages_and_empty_bodies_are_refused() {
        let page = b"\n<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>";
        assert!(matches!(
            check_bodies(&[body(page)]),
            Err(Refusal::ErrorDocument {
                document: ErrorDocument::Html { .. },
                ..
            })
        ));
        assert!(matches!(
            check_bodies(&[body(b"  \n")]),
            Err(Refusal::Empty { .. })
        ));
        assert_eq!(
            check_bodies(&[body(b"<?xml version=\"1.0\"?><sdnList/>")]),
            Ok(())
        );
    }

    #[test]
    fn stray_rows_are_refused_before_the_removal_share_is_looked_at() {
        let stray = |document: &str, rows: usize, examples: &[&str]| StrayRows {
            document: document.into(),
            primary: "sdn.csv".into(),
            rows,
            examples: examples.iter().map(|e| e.to_string()).collect(),
        };
        let snap = ListSnapshot {
            entries: vec![crate::domain::entry::Entry::default(); 40],
            stray_rows: vec![
                stray("alt.csv", 2, &["7", "8"]),
                stray("add.csv", 12, &["1", "2", "3", "4", "5"]),
            ],
            ..ListSnapshot::default()
        };
        let refusal = check_snapshot(&snap, 100, 60, 0.25).unwrap_err();
        assert!(matches!(refusal, Refusal::StrayRows(ref s) if s.len() == 2));
        assert_eq!(
            refusal.to_string(),
            "alt.csv has 2 rows of entries missing from sdn.csv (e.g. 7, 8); \
             add.csv has 12 such rows (e.g. 1, 2, 3, 4, 5, …): \
             sdn.csv is cut short, or the files are from different publications"
        );
    }

    #[test]
    fn removal_share_is_compared_with_the_limit() {
        let snap = ListSnapshot {
            entries: vec![crate::domain::entry::Entry::default(); 40],
            ..ListSnapshot::default()
        };
        assert!(check_snapshot(&snap, 100, 25, 0.25).is_ok());
        assert!(matches!(
            check_snapshot(&snap, 100, 60, 0.25),
            Err(Refusal::TooManyRemoved { removed: 60, .. })
        ));
    }
}
