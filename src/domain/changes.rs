//! What changed in an entry between two versions, as a person reads it in an email.
//!
//! Lists (aliases, programs, identifiers, addresses, dates of birth…) are compared as sets: a
//! list that only changed order did not change. Objects (vessel particulars, the `extra` map) are
//! compared key by key (`vessel.flag`). Remarks are compared clause by clause for equality (OFAC
//! reorders them) and, when they differ, word by word.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::domain::alert::{Change, FieldChange, Span};
use crate::domain::entry::Entry;

/// Unchanged words shown on each side of a change in a word-level diff.
pub const WORD_CONTEXT: usize = 5;

/// Fields compared word by word.
const TEXT_FIELDS: [&str; 1] = ["remarks"];

/// Above this many words on each side (after the common start and end are set aside), a text
/// is shown as replaced whole rather than diffed: the diff table would be too large.
const MAX_DIFF_WORDS: usize = 3000;

/// The fields that differ in a way a reader would notice, each with how it changed. Empty when
/// the two versions differ only in the order of list items or of remark clauses.
pub fn changed_fields(old: &Entry, new: &Entry) -> Vec<FieldChange> {
    let as_map = |e: &Entry| -> BTreeMap<String, Value> {
        match serde_json::to_value(e).expect("entries serialize") {
            Value::Object(m) => m.into_iter().collect(),
            _ => BTreeMap::new(),
        }
    };
    let (a, b) = (as_map(old), as_map(new));
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        compare(k, a.get(k), b.get(k), &mut out);
    }
    out
}

fn compare(field: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<FieldChange>) {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    if a == b {
        return;
    }
    let is = |v: Option<&Value>, f: fn(&Value) -> bool| v.is_some_and(f);
    if (is(a, Value::is_object) || is(b, Value::is_object))
        && !is(a, not_object)
        && !is(b, not_object)
    {
        let empty = serde_json::Map::new();
        let (ma, mb) = (
            a.and_then(Value::as_object).unwrap_or(&empty),
            b.and_then(Value::as_object).unwrap_or(&empty),
        );
        let keys: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
        for k in keys {
            compare(&format!("{field}.{k}"), ma.get(k), mb.get(k), out);
        }
        return;
    }
    let whole = |v: Option<&Value>| render_value(v);
    let change = if TEXT_FIELDS.contains(&field) {
        let (ta, tb) = (text_of(a), text_of(b));
        if same_clauses(&ta, &tb) {
            return;
        }
        Change::Words(word_diff(&ta, &tb))
    } else if let Some(change) = set_change(a, b, field.starts_with("extra.")) {
        match &change {
            Change::Set { added, removed } if added.is_empty() && removed.is_empty() => return,
            _ => change,
        }
    } else {
        Change::Value
    };
    out.push(FieldChange {
        field: field.to_string(),
        before: whole(a),
        after: whole(b),
        change,
    });
}

fn not_object(v: &Value) -> bool {
    !v.is_object()
}

/// A set comparison when either side is a list or, with `joined`, a `"; "`-joined string (how
/// the `extra` map joins several values); `None` for a plain value.
fn set_change(a: Option<&Value>, b: Option<&Value>, joined: bool) -> Option<Change> {
    let items = |v: Option<&Value>| -> Option<Vec<String>> {
        match v {
            None => Some(Vec::new()),
            Some(Value::Array(xs)) => Some(xs.iter().map(|x| render_value(Some(x))).collect()),
            Some(Value::String(s)) if joined && s.contains("; ") => {
                Some(s.split("; ").map(|p| p.trim().to_string()).collect())
            }
            Some(Value::String(s)) => Some(vec![s.clone()]),
            Some(_) => None,
        }
    };
    let listy = |v: Option<&Value>| match v {
        Some(Value::Array(_)) => true,
        Some(Value::String(s)) => joined && s.contains("; "),
        _ => false,
    };
    if !listy(a) && !listy(b) {
        return None;
    }
    let (xa, xb) = (items(a)?, items(b)?);
    let (sa, sb): (BTreeSet<&String>, BTreeSet<&String>) =
        (xa.iter().collect(), xb.iter().collect());
    let in_order = |xs: &[String], other: &BTreeSet<&String>| -> Vec<String> {
        let mut seen = BTreeSet::new();
        xs.iter()
            .filter(|x| !other.contains(x) && seen.insert(*x))
            .cloned()
            .collect()
    };
    Some(Change::Set {
        added: in_order(&xb, &sa),
        removed: in_order(&xa, &sb),
    })
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        other => render_value(other).replace("(none)", ""),
    }
}

/// Whether two remarks say the same clauses (split at `;`), in whatever order and spacing.
fn same_clauses(a: &str, b: &str) -> bool {
    let clauses = |s: &str| -> Vec<String> {
        let mut c: Vec<String> = s
            .split(';')
            .map(|c| {
                c.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .trim_end_matches('.')
                    .to_string()
            })
            .filter(|c| !c.is_empty())
            .collect();
        c.sort();
        c
    };
    clauses(a) == clauses(b)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// The words of `before` and `after` that differ, with [`WORD_CONTEXT`] unchanged words on each
/// side of every change and [`Span::Elided`] for the unchanged words left out.
///
/// A trailing `;`, `,` or `.` is a word of its own, so that "COMPANY." → "COMPANY; Linked To: X."
/// shows as "COMPANY{+; Linked To: X+}.". A span's words are joined by spaces, except before
/// such a mark: `Span::Added("; Linked To: X")` is shown glued to what precedes it.
pub fn word_diff(before: &str, after: &str) -> Vec<Span> {
    let (a, b) = (tokens(before), tokens(after));
    let ops = word_ops(&a, &b);
    let changed: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].0 != Op::Same).collect();
    let near_change = |i: usize| {
        let at = changed.partition_point(|&c| c < i);
        let after_ok = changed.get(at).is_some_and(|&c| c - i <= WORD_CONTEXT);
        let before_ok = at > 0 && i - changed[at - 1] <= WORD_CONTEXT;
        after_ok || before_ok
    };
    let mut spans: Vec<Span> = Vec::new();
    let mut i = 0;
    while i < ops.len() {
        let (op, _) = ops[i];
        if op == Op::Same {
            let start = i;
            while i < ops.len() && ops[i].0 == Op::Same && near_change(i) {
                i += 1;
            }
            if i > start {
                spans.push(Span::Same(join(&ops[start..i])));
            }
            if i < ops.len() && ops[i].0 == Op::Same {
                while i < ops.len() && ops[i].0 == Op::Same && !near_change(i) {
                    i += 1;
                }
                spans.push(Span::Elided);
            }
        } else {
            let start = i;
            while i < ops.len() && ops[i].0 != Op::Same {
                i += 1;
            }
            let run = &ops[start..i];
            let removed: Vec<&str> = run
                .iter()
                .filter(|(o, _)| *o == Op::Removed)
                .map(|(_, w)| *w)
                .collect();
            let added: Vec<&str> = run
                .iter()
                .filter(|(o, _)| *o == Op::Added)
                .map(|(_, w)| *w)
                .collect();
            if !removed.is_empty() {
                spans.push(Span::Removed(glue(removed)));
            }
            if !added.is_empty() {
                spans.push(Span::Added(glue(added)));
            }
        }
    }
    spans
}

fn join(ops: &[(Op, &str)]) -> String {
    glue(ops.iter().map(|(_, w)| *w))
}

/// Words joined by spaces, with no space before a punctuation mark.
fn glue<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for w in words {
        if !out.is_empty() && !starts_with_mark(w) {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Whether a span or word begins with a mark that attaches to what precedes it.
pub fn starts_with_mark(s: &str) -> bool {
    s.starts_with([';', ',', '.'])
}

/// The words of `s`, with a trailing `;`, `,` or `.` split off as a word of its own.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for w in s.split_whitespace() {
        match w.char_indices().last() {
            Some((i, c)) if i > 0 && [';', ',', '.'].contains(&c) => {
                out.push(&w[..i]);
                out.push(&w[i..]);
            }
            _ => out.push(w),
        }
    }
    out
}

/// A shortest edit of `a` into `b`, word by word (longest common subsequence, after the common
/// start and end are set aside).
fn word_ops<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(Op, &'a str)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<(Op, &str)> = a[..prefix].iter().map(|w| (Op::Same, *w)).collect();
    if ma.len() > MAX_DIFF_WORDS || mb.len() > MAX_DIFF_WORDS {
        ops.extend(ma.iter().map(|w| (Op::Removed, *w)));
        ops.extend(mb.iter().map(|w| (Op::Added, *w)));
    } else {
        // lcs[i][j]: length of the longest common subsequence of ma[i..] and mb[j..].
        let (n, m) = (ma.len(), mb.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[at(i, j)] = if ma[i] == mb[j] {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && ma[i] == mb[j] {
                ops.push((Op::Same, ma[i]));
                i += 1;
                j += 1;
            } else if j == m || (i < n && lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
                ops.push((Op::Removed, ma[i]));
                i += 1;
            } else {
                ops.push((Op::Added, mb[j]));
                j += 1;
            }
        }
    }
    ops.extend(a[a.len() - suffix..].iter().map(|w| (Op::Same, *w)));
    ops
}

/// A JSON value as a person would read it in an email.
fn render_value(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(none)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| render_value(Some(i)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(Value::Object(m)) => {
            // Identifiers: "IMO 9187629 (note)", as the email shows them.
            if let (Some(Value::String(value)), Some(Value::String(kind))) =
                (m.get("value"), m.get("kind"))
            {
                let mut s = format!("{} {value}", kind.to_uppercase());
                if let Some(Value::String(note)) = m.get("note") {
                    s.push_str(&format!(" ({note})"));
                }
                return s;
            }
            // Aliases: "NAME (kind)".
            if let (Some(Value::String(name)), Some(Value::String(kind))) =
                (m.get("name"), m.get("kind"))
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

impl FieldChange {
    /// The change as one line of plain text, without the field name: `added: SDGT`,
    /// `Panama → Iran`, `… MMSI 572469210; {+f.k.a. 'ALPHA';+} Linked To …`.
    pub fn plain(&self) -> String {
        let none = |s: &str| {
            if s.trim().is_empty() {
                "(none)".to_string()
            } else {
                s.to_string()
            }
        };
        match &self.change {
            Change::Value => format!("{} → {}", none(&self.before), none(&self.after)),
            Change::Set { added, removed } => {
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("added {}", added.join("; ")));
                }
                if !removed.is_empty() {
                    parts.push(format!("removed {}", removed.join("; ")));
                }
                parts.join("; ")
            }
            Change::Words(spans) => spans
                .iter()
                .map(|s| match s {
                    Span::Same(t) => t.clone(),
                    Span::Elided => "…".into(),
                    Span::Removed(t) => format!("[-{t}-]"),
                    Span::Added(t) => format!("{{+{t}+}}"),
                })
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{Alias, EntityKind, Identifier, VesselInfo};

    /// OFAC SDN 15055 (HAPPINESS I) as of January 2019.
    fn happiness() -> Entry {
        Entry {
            id: "15055".into(),
            kind: EntityKind::Vessel,
            name: "HAPPINESS I".into(),
            aliases: ["HENGAM", "LOYAL", "TULAR", "HAPPINESS"]
                .map(|n| Alias {
                    name: n.into(),
                    kind: "fka".into(),
                })
                .to_vec(),
            programs: vec!["IRAN".into()],
            identifiers: vec![
                Identifier {
                    kind: "imo".into(),
                    value: "9212905".into(),
                    note: Some("Vessel Registration Identification".into()),
                },
                Identifier {
                    kind: "mmsi".into(),
                    value: "256875000".into(),
                    note: None,
                },
            ],
            vessel: Some(Box::new(VesselInfo {
                call_sign: Some("T2ER4".into()),
                flag: Some("Panama".into()),
                ..VesselInfo::default()
            })),
            linked_to: vec!["NATIONAL IRANIAN TANKER COMPANY".into()],
            remarks: Some(
                "Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; alt. Former Vessel \
                 Flag Tanzania; Additional Sanctions Information - Subject to Secondary \
                 Sanctions; Vessel Registration Identification IMO 9212905; MMSI 256875000; \
                 Linked To: NATIONAL IRANIAN TANKER COMPANY."
                    .into(),
            ),
            extra: [(
                "former-vessel-flag".to_string(),
                "Malta; Tuvalu; Tanzania".to_string(),
            )]
            .into_iter()
            .collect(),
            ..Entry::default()
        }
    }

    #[test]
    fn an_order_only_change_is_no_change() {
        let old = happiness();
        let mut new = old.clone();
        new.aliases.reverse();
        new.identifiers.reverse();
        new.remarks = Some(
            "MMSI 256875000; Former Vessel Flag Malta; alt. Former Vessel Flag Tanzania; alt. \
             Former Vessel Flag Tuvalu; Additional Sanctions Information - Subject to Secondary \
             Sanctions; Vessel Registration Identification IMO 9212905; Linked To: NATIONAL \
             IRANIAN TANKER COMPANY"
                .into(),
        );
        new.extra.insert(
            "former-vessel-flag".into(),
            "Tanzania; Malta; Tuvalu".into(),
        );
        assert_ne!(old, new);
        assert_eq!(changed_fields(&old, &new), Vec::new());
    }

    #[test]
    fn lists_as_sets_vessel_by_sub_field_remarks_by_words() {
        let old = happiness();
        let mut new = old.clone();
        new.programs.push("SDGT".into());
        new.aliases.retain(|a| a.name != "LOYAL");
        new.vessel.as_mut().unwrap().flag = Some("Iran".into());
        new.remarks = Some(old.remarks.clone().unwrap().replace(
            "Tanzania; Additional",
            "Tanzania; alt. Former Vessel Flag Panama; Additional",
        ));
        let got = changed_fields(&old, &new);
        let fields: Vec<&str> = got.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["aliases", "programs", "remarks", "vessel.flag"]);
        assert_eq!(
            got[0].change,
            Change::Set {
                added: vec![],
                removed: vec!["LOYAL (fka)".into()]
            }
        );
        assert_eq!(
            got[1].change,
            Change::Set {
                added: vec!["SDGT".into()],
                removed: vec![]
            }
        );
        assert_eq!(
            got[2].change,
            Change::Words(vec![
                Span::Elided,
                Span::Same("Former Vessel Flag Tanzania;".into()),
                Span::Added("alt. Former Vessel Flag Panama;".into()),
                Span::Same("Additional Sanctions Information - Subject".into()),
                Span::Elided,
            ])
        );
        assert_eq!(
            (got[3].before.as_str(), got[3].after.as_str()),
            ("Panama", "Iran")
        );
        assert_eq!(got[3].change, Change::Value);
    }
}
