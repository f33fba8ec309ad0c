//! What changed in an entry between two versions, as a person reads it in an email.

use std::collections::BTreeMap;

use crate::domain::alert::FieldChange;
use crate::domain::entry::Entry;

/// The top-level fields that differ, each with a short before/after rendering.
pub fn changed_fields(old: &Entry, new: &Entry) -> Vec<FieldChange> {
    let as_map = |e: &Entry| -> BTreeMap<String, serde_json::Value> {
        match serde_json::to_value(e).expect("entries serialize") {
            serde_json::Value::Object(m) => m.into_iter().collect(),
            _ => BTreeMap::new(),
        }
    };
    let (a, b) = (as_map(old), as_map(new));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            before: render_value(a.get(k)),
            after: render_value(b.get(k)),
        })
        .collect()
}

/// A JSON value as a person would read it in an email.
fn render_value(v: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => "(none)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| render_value(Some(i)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(Value::Object(m)) => {
            // Aliases and identifiers are objects: show them as "value (kind)".
            if let (Some(Value::String(name)), Some(Value::String(kind))) =
                (m.get("name").or_else(|| m.get("value")), m.get("kind"))
            {
                return format!("{name} ({kind})");
            }
            m.iter()
                .map(|(k, v)| format!("{k}: {}", render_value(Some(v))))
                .collect::<Vec<_>>()
                .join(", ")
        }
        Some(other) => other.to_string(),
    }
}
