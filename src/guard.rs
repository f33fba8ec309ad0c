//! The snapshot guard: a new download replaces the stored snapshot only when it is plausible.
//! A truncated file, an HTML error page or a mass removal must never turn into a flood of
//! false `delisted` alerts.

use crate::domain::entry::ListSnapshot;
use crate::sources::Body;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Refusal {
    #[error("{url}: empty document")]
    Empty { url: String },
    #[error("{url}: an HTML page, not the list (an error page served with status 200?)")]
    Html { url: String },
    #[error("no entries in the snapshot")]
    NoEntries,
    #[error("the document states {stated} entries but holds {found}: incomplete download?")]
    CountMismatch { stated: usize, found: usize },
    #[error("the snapshot removes {removed} of {stored} stored entries ({share:.0}%), more than max_removed_share allows ({limit:.0}%)")]
    TooManyRemoved {
        removed: usize,
        stored: usize,
        share: f64,
        limit: f64,
    },
}

/// Checks the raw documents before parsing.
pub fn check_bodies(bodies: &[Body]) -> Result<(), Refusal> {
    for b in bodies {
        let start = skip_bom_and_space(&b.bytes);
        if start.is_empty() {
            return Err(Refusal::Empty { url: b.url.clone() });
        }
        if looks_like_html(start) {
            return Err(Refusal::Html { url: b.url.clone() });
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
    if snapshot.entries.is_empty() {
        return Err(Refusal::NoEntries);
    }
    if let Some(stated) = snapshot.stated_count {
        if stated != snapshot.entries.len() {
            return Err(Refusal::CountMismatch {
                stated,
                found: snapshot.entries.len(),
            });
        }
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

fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[first..]
}

fn looks_like_html(start: &[u8]) -> bool {
    let head: Vec<u8> = start
        .iter()
        .take(512)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let head = String::from_utf8_lossy(&head);
    let head = head.trim_start();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with("<?xml") && head.contains("<html"))
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
            Err(Refusal::Html { .. })
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
