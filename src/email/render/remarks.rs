//! The part of an entry's remarks that the other fields do not already show.
//!
//! OFAC's remarks restate most of an entry ("DOB 30 Aug 1954; POB Kopys…; Vessel Registration
//! Identification IMO 9187629; Linked To: NATIONAL IRANIAN TANKER COMPANY."), and the parsers
//! lift those clauses into fields. A clause is left out when it is a short label followed by a
//! value the email shows as a field; what remains is what only the remarks say.

use crate::domain::alert::{Change, FieldChange};
use crate::domain::entry::Entry;

/// Words a clause may have besides the shown value and still count as that value's label
/// ("Vessel Registration Identification IMO", "Additional Sanctions Information -").
const MAX_LABEL_WORDS: usize = 5;

/// The remarks without the clauses shown elsewhere, and whether any was left out; `None` when
/// nothing is left.
pub fn unshown(entry: &Entry) -> Option<(String, bool)> {
    let remarks = entry.remarks.as_deref()?;
    let shown = shown_values(entry);
    let clauses: Vec<&str> = remarks
        .split(';')
        .map(|c| c.trim().trim_end_matches('.').trim())
        .filter(|c| !c.is_empty())
        .collect();
    let kept: Vec<&str> = clauses
        .iter()
        .copied()
        .filter(|c| !shown.iter().any(|v| restates(c, v)))
        .collect();
    if kept.is_empty() {
        return None;
    }
    let dropped = kept.len() < clauses.len();
    let mut text = kept.join("; ");
    text.push('.');
    Some((text, dropped))
}

/// The values the email shows as fields, as lowercase words.
fn shown_values(e: &Entry) -> Vec<Vec<String>> {
    let mut values: Vec<&str> = Vec::new();
    values.extend(e.aliases.iter().map(|a| a.name.as_str()));
    values.extend(e.identifiers.iter().map(|i| i.value.as_str()));
    values.extend(e.titles.iter().map(String::as_str));
    values.extend(e.dates_of_birth.iter().map(String::as_str));
    values.extend(e.places_of_birth.iter().map(String::as_str));
    values.extend(e.nationalities.iter().map(String::as_str));
    values.extend(e.addresses.iter().map(String::as_str));
    values.extend(e.linked_to.iter().map(String::as_str));
    values.extend(e.extra.values().flat_map(|v| v.split("; ")));
    if let Some(v) = &e.vessel {
        // Not the flag: "Former Vessel Flag Iran" is not the current flag Iran.
        values.extend(
            [&v.call_sign, &v.vessel_type, &v.owner]
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
    }
    values
        .into_iter()
        .map(words)
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `clause` is a short label followed by `value` (and perhaps a note in brackets, as
/// in "Cedula No. 5892464 (Venezuela)").
fn restates(clause: &str, value: &[String]) -> bool {
    let mut c = words(clause);
    if c.first().is_some_and(|w| w == "alt") {
        c.remove(0);
    }
    if c.last().is_some_and(|w| w.ends_with(')')) {
        if let Some(open) = c.iter().rposition(|w| w.starts_with('(')) {
            if open > 0 && c[..open].ends_with(value) {
                c.truncate(open);
            }
        }
    }
    c.ends_with(value) && c.len() - value.len() <= MAX_LABEL_WORDS
}

/// Lowercase words with quotes and trailing commas and full stops trimmed.
fn words(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| {
            w.trim_matches(|c| c == '\'' || c == '"')
                .trim_end_matches([',', '.'])
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a change of the remarks only restates `others` (the other changes of the same
/// alert): every clause it adds names a value the entry shows, and every clause it removes a
/// value shown or one the other changes removed.
pub fn restates_changes(
    remarks: &FieldChange,
    others: &[&FieldChange],
    entry: Option<&Entry>,
) -> bool {
    let Some(entry) = entry else { return false };
    if others.is_empty() {
        return false;
    }
    let mut shown = shown_values(entry);
    for c in others {
        match &c.change {
            Change::Set { removed, .. } => {
                for r in removed {
                    shown.push(words(r));
                    // An alias "LOYAL (fka)" is "f.k.a. 'LOYAL'" in the remarks.
                    if let Some((name, _)) = r.rsplit_once(" (") {
                        shown.push(words(name));
                    }
                }
            }
            Change::Value => shown.push(words(&c.before)),
            Change::Words(_) => {}
        }
    }
    let clauses = |s: &str| -> Vec<String> {
        s.split(';')
            .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
            .map(|c| c.trim_end_matches('.').to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let (before, after) = (clauses(&remarks.before), clauses(&remarks.after));
    let changed = after
        .iter()
        .filter(|c| !before.contains(c))
        .chain(before.iter().filter(|c| !after.contains(c)));
    let mut any = false;
    for c in changed {
        any = true;
        if !shown.iter().any(|v| restates(c, v)) {
            return false;
        }
    }
    any
}
