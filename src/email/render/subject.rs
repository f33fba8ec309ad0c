//! The words that name an alert: its entity, its list, its one-line title, and the short
//! reason a summary row gives. Subjects, headings and summary rows all come from here, so that
//! they name an alert the same way.

use crate::domain::alert::{Alert, Change, Event};
use crate::domain::entry::EntityKind;

use super::count_summary;

/// Characters of a news title kept in a subject.
const TITLE_CHARS: usize = 80;
/// Changed fields a summary row names; the others are counted.
const REASON_FIELDS: usize = 2;
/// Characters of an added or removed item a summary row quotes.
const REASON_ITEM_CHARS: usize = 20;

/// The entity as a reader looks it up: its name, with the IMO number for a vessel.
pub fn entity(alert: &Alert) -> String {
    match identifier(alert) {
        Some(id) => format!("{} ({id})", alert.entry_name),
        None => alert.entry_name.clone(),
    }
}

/// The short identifier a subject carries: `IMO 9304667` for a vessel, else none.
pub fn identifier(alert: &Alert) -> Option<String> {
    let entry = alert.entry()?;
    if entry.kind != EntityKind::Vessel {
        return None;
    }
    entry
        .identifiers_of("imo")
        .next()
        .map(|n| format!("IMO {n}"))
}

/// What the list is called, else the source's name in the config.
pub fn list_name(alert: &Alert) -> &str {
    alert
        .list_title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(&alert.source)
}

/// One line naming the alert: `listed: ADISA (IMO 9304667) on OFAC SDN list`.
pub fn title(alert: &Alert) -> String {
    let event = alert.event.as_str();
    match alert.event {
        Event::SourceStale | Event::SourceRecovered => format!("{event}: {}", alert.source),
        Event::Mentioned => format!(
            "{event}: {} in \"{}\" ({})",
            alert.watch_item,
            shorten(&alert.entry_name, TITLE_CHARS),
            alert.source
        ),
        Event::Delisted => format!("{event}: {} from {}", entity(alert), list_name(alert)),
        Event::Listed | Event::Changed | Event::AlreadyListed => {
            format!("{event}: {} on {}", entity(alert), list_name(alert))
        }
    }
}

/// The subject of a message about one alert.
pub fn single(alert: &Alert) -> String {
    format!("watchkeeper: {}", title(alert))
}

/// The subject of a digest: one alert is named as alone; several are counted by event, and
/// the first (in digest order) is named.
pub fn digest(sorted: &[&Alert]) -> String {
    match sorted {
        [] => "watchkeeper: no alerts".to_string(),
        [only] => single(only),
        [first, rest @ ..] => {
            format!(
                "watchkeeper: {}: {} and {} more",
                count_summary(sorted.iter().copied()),
                entity_or_source(first),
                rest.len()
            )
        }
    }
}

fn entity_or_source(alert: &Alert) -> String {
    match alert.event {
        Event::SourceStale | Event::SourceRecovered => alert.source.clone(),
        Event::Mentioned => format!("\"{}\"", alert.watch_item),
        _ => entity(alert),
    }
}

/// Why the alert is there, in a few words: how it matched, and for `changed` what changed.
pub fn reason(alert: &Alert) -> String {
    match alert.event {
        Event::SourceStale | Event::SourceRecovered => shorten(&alert.why, 60),
        Event::Mentioned => format!("\"{}\" in the news", alert.watch_item),
        Event::Changed if !alert.changes.is_empty() => {
            let shown = super::shown_changes(alert);
            let mut fields: Vec<String> = shown
                .iter()
                .take(REASON_FIELDS)
                .map(|c| changed_words(c))
                .collect();
            if shown.len() > REASON_FIELDS {
                fields.push(format!("{} more", shown.len() - REASON_FIELDS));
            }
            format!("{} changed; {}", fields.join(", "), match_basis(alert))
        }
        _ => match_basis(alert),
    }
}

/// "programs +SDGT", "vessel flag", "remarks": a changed field in the fewest words.
fn changed_words(c: &crate::domain::alert::FieldChange) -> String {
    let name = field_label(&c.field);
    match &c.change {
        Change::Set { added, removed } if added.len() + removed.len() == 1 => {
            match (added.first(), removed.first()) {
                (Some(a), _) => format!("{name} +{}", shorten(a, REASON_ITEM_CHARS)),
                (_, Some(r)) => format!("{name} -{}", shorten(r, REASON_ITEM_CHARS)),
                _ => name,
            }
        }
        Change::Value if c.before.chars().count() + c.after.chars().count() <= 24 => {
            format!("{name} {} → {}", c.before, c.after)
        }
        _ => name,
    }
}

/// How the watch item matched: `IMO of "Artavil"`, `name like "Alexander Lukashenko"`.
fn match_basis(alert: &Alert) -> String {
    let why = alert.why.as_str();
    let how = if why.starts_with("IMO ") {
        "IMO of"
    } else if why.starts_with("MMSI ") {
        "MMSI of"
    } else if why.contains("\" = ") {
        "same name as"
    } else {
        "name like"
    };
    format!("{how} \"{}\"", alert.watch_item)
}

/// A field name as a reader reads it: `linked_to` → `linked to`, `extra.former-vessel-flag` →
/// `former vessel flag`; a vessel particular keeps its path (`vessel.flag`).
pub fn field_label(field: &str) -> String {
    if let Some(key) = field.strip_prefix("extra.") {
        key.replace('-', " ")
    } else if field.starts_with("vessel.") {
        field.to_string()
    } else {
        field.replace('_', " ")
    }
}

/// `s` cut to at most `max` chars at a word boundary, with "…" where cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for word in s.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max.saturating_sub(1) {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = s.chars().take(max.saturating_sub(1)).collect();
    }
    out.push('…');
    out
}
