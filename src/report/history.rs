//! `watchkeeper history`: an entity's timeline across every list.

use crate::domain::changes::changed_fields;
use crate::domain::entry::Entry;
use crate::domain::history::EntryHistory;

/// The timelines as text, one block per entry, most recently seen first.
pub fn text(query: &str, histories: &[EntryHistory]) -> String {
    let mut out = String::new();
    if histories.is_empty() {
        out.push_str(&format!("nothing stored matches {query:?}\n"));
        return out;
    }
    for h in histories {
        block(&mut out, h);
    }
    out
}

fn block(out: &mut String, h: &EntryHistory) {
    let Some(last) = h.versions.last() else {
        return;
    };
    let e = &last.entry;
    let state = if h.listed_now {
        "listed now"
    } else {
        "not listed now"
    };
    out.push_str(&format!(
        "{}:{}  {}  {}  ({state})\n",
        h.source,
        h.entry_id,
        e.kind.as_str(),
        e.name
    ));
    let ids = identifiers(e);
    if !ids.is_empty() {
        out.push_str(&format!("  identifiers: {ids}\n"));
    }
    let names = h.names();
    if names.len() > 1 {
        out.push_str(&format!("  names over time: {}\n", names.join(" → ")));
    }
    let former: Vec<&str> = e
        .aliases
        .iter()
        .filter(|a| a.kind == "fka")
        .map(|a| a.name.as_str())
        .collect();
    if !former.is_empty() {
        out.push_str(&format!("  formerly known as: {}\n", former.join("; ")));
    }
    out.push_str("  episodes:\n");
    for ep in &h.episodes {
        let listed = dated(&ep.listed_at, ep.listed_published.as_deref());
        let until = match &ep.delisted_at {
            Some(at) => format!("delisted {}", dated(at, ep.delisted_published.as_deref())),
            None => "listed now".to_string(),
        };
        out.push_str(&format!("    #{}  listed {listed} – {until}\n", ep.episode));
    }
    out.push_str("  versions:\n");
    let mut previous: Option<&Entry> = None;
    for v in &h.versions {
        let when = dated(&v.seen_at, v.published.as_deref());
        match previous {
            None => out.push_str(&format!(
                "    v{}  {when}: {}\n",
                v.version,
                summary(&v.entry)
            )),
            Some(p) => {
                let changes: Vec<String> = changed_fields(p, &v.entry)
                    .iter()
                    .map(|c| format!("{}: {}", c.field, c.plain()))
                    .collect();
                out.push_str(&format!(
                    "    v{}  {when}: {}\n",
                    v.version,
                    changes.join("; ")
                ));
            }
        }
        previous = Some(&v.entry);
    }
}

/// A seen-at time and the list's publication date, as a reader wants them.
fn dated(at: &str, published: Option<&str>) -> String {
    let day = at.get(..10).unwrap_or(at);
    match published {
        Some(p) => format!("{day} (list of {p})"),
        None => day.to_string(),
    }
}

fn identifiers(e: &Entry) -> String {
    e.identifiers
        .iter()
        .filter(|i| matches!(i.kind.as_str(), "imo" | "mmsi" | "passport" | "call-sign"))
        .map(|i| format!("{} {}", i.kind.to_uppercase(), i.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The facts of a first version that a timeline follows: name, flag, owner, links, programs.
fn summary(e: &Entry) -> String {
    let mut parts = vec![format!("\"{}\"", e.name)];
    if let Some(v) = &e.vessel {
        if let Some(flag) = &v.flag {
            parts.push(format!("flag {flag}"));
        }
        if let Some(owner) = &v.owner {
            parts.push(format!("owner {owner}"));
        }
    }
    if !e.programs.is_empty() {
        parts.push(format!("programs {}", e.programs.join(", ")));
    }
    if !e.linked_to.is_empty() {
        parts.push(format!("linked to {}", e.linked_to.join("; ")));
    }
    parts.join("; ")
}
