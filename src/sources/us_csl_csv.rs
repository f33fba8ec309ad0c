//! The US Consolidated Screening List CSV (trade.gov): eleven export-control and sanctions lists
//! of Commerce, State and Treasury in one file, one row per listing, multi-values joined by `;`.
//!
//! Entry id: `_id` alone is not unique — Treasury rows reuse the OFAC entity number, and one
//! entity can sit on two sub-lists (SSI and NS-MBS) with the same `_id`. So the id is the
//! sub-list's abbreviation and `_id`: `SSI:17014`, `EL:dcc74203…`. The sub-list also goes into
//! `programs`, ahead of the list's own programs.
//!
//! Columns are found by header name, so a reordered or extended export still parses. A row
//! that repeats the header (the 2023 export has one) is skipped; a row with the wrong number of
//! fields or an unterminated quote (a truncated download) fails the whole document.

use std::collections::HashMap;

use super::{push_unique, single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{Alias, EntityKind, Entry, Identifier, ListSnapshot, VesselInfo};
use crate::domain::ident;

pub struct UsCslCsv;

/// Columns without which a row cannot become an entry.
const REQUIRED: [&str; 3] = ["_id", "source", "name"];

impl SourceFormat for UsCslCsv {
    fn kind(&self) -> &'static str {
        "us_csl_csv"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        let entries = parse_rows(body)?;
        if entries.is_empty() {
            return Err(ParseError::WrongFormat {
                url: body.url.clone(),
                reason: "no rows after the CSV header".into(),
            });
        }
        Ok(Parsed::List(ListSnapshot {
            entries,
            ..ListSnapshot::default()
        }))
    }
}

fn parse_rows(body: &Body) -> Result<Vec<Entry>, ParseError> {
    let bytes = body
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&body.bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader.headers().map_err(|e| csv_error(body, &e))?.clone();
    let columns: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    if let Some(missing) = REQUIRED.iter().find(|c| !columns.contains_key(*c)) {
        return Err(ParseError::WrongFormat {
            url: body.url.clone(),
            reason: format!("no {missing:?} column in the CSV header"),
        });
    }
    let mut entries = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut last_start = 0u64;
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(body, &e))?
    {
        let position = record
            .position()
            .cloned()
            .unwrap_or_else(csv::Position::new);
        last_start = position.byte();
        if record.len() != header.len() {
            return Err(ParseError::Malformed {
                url: body.url.clone(),
                location: format!("line {}", position.line()),
                message: format!(
                    "{} fields, the header has {} (truncated download?)",
                    record.len(),
                    header.len()
                ),
            });
        }
        if record == header {
            continue;
        }
        let row = Row {
            record: &record,
            columns: &columns,
        };
        entries.push(entry(&row));
    }
    // The csv reader accepts a quote left open at the end of input; a download cut inside the
    // last field would otherwise pass as a shorter value.
    let tail = &bytes[(last_start as usize).min(bytes.len())..];
    if tail.iter().filter(|b| **b == b'"').count() % 2 == 1 {
        return Err(ParseError::Malformed {
            url: body.url.clone(),
            location: format!("byte {last_start}"),
            message: "unterminated quoted field at end of file (truncated download?)".into(),
        });
    }
    Ok(entries)
}

fn csv_error(body: &Body, e: &csv::Error) -> ParseError {
    let location = e
        .position()
        .map(|p| format!("line {}", p.line()))
        .unwrap_or_else(|| "header".into());
    ParseError::Malformed {
        url: body.url.clone(),
        location,
        message: e.to_string(),
    }
}

struct Row<'a> {
    record: &'a csv::StringRecord,
    columns: &'a HashMap<&'a str, usize>,
}

impl Row<'_> {
    fn get(&self, column: &str) -> Option<&str> {
        let i = *self.columns.get(column)?;
        Some(self.record.get(i)?.trim()).filter(|v| !v.is_empty())
    }

    /// The `;`-joined values of a column.
    fn list(&self, column: &str) -> Vec<&str> {
        self.get(column)
            .map(|v| {
                v.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn entry(row: &Row) -> Entry {
    let source = row.get("source").unwrap_or_default();
    let list = abbreviation(source);
    let mut e = Entry {
        id: format!("{list}:{}", row.get("_id").unwrap_or_default()),
        kind: match row.get("type") {
            Some("Individual") => EntityKind::Person,
            Some("Entity") => EntityKind::Organization,
            Some("Vessel") => EntityKind::Vessel,
            Some("Aircraft") => EntityKind::Aircraft,
            _ => EntityKind::Unknown,
        },
        name: row.get("name").unwrap_or_default().to_string(),
        listed_on: row.get("start_date").map(String::from),
        remarks: row.get("remarks").map(String::from),
        ..Entry::default()
    };
    push_unique(&mut e.programs, list);
    for p in row.list("programs") {
        push_unique(&mut e.programs, p);
    }
    for alt in row.list("alt_names") {
        if alt != e.name && !e.aliases.iter().any(|a| a.name == alt) {
            e.aliases.push(Alias {
                name: alt.to_string(),
                kind: "aka".into(),
            });
        }
    }
    for (column, target) in [
        ("addresses", &mut e.addresses),
        ("dates_of_birth", &mut e.dates_of_birth),
        ("places_of_birth", &mut e.places_of_birth),
        ("nationalities", &mut e.nationalities),
        ("title", &mut e.titles),
    ] {
        for v in row.list(column) {
            push_unique(target, v);
        }
    }
    for v in row.list("citizenships") {
        push_unique(&mut e.nationalities, v);
    }
    if e.kind == EntityKind::Vessel || row.get("vessel_type").is_some() {
        e.vessel = Some(Box::new(VesselInfo {
            call_sign: row.get("call_sign").map(String::from),
            vessel_type: row.get("vessel_type").map(String::from),
            tonnage: row.get("gross_tonnage").map(String::from),
            grt: row.get("gross_registered_tonnage").map(String::from),
            flag: row.get("vessel_flag").map(String::from),
            owner: row.get("vessel_owner").map(String::from),
        }));
    }
    if let Some(call_sign) = row.get("call_sign") {
        e.identifiers.push(Identifier {
            kind: "call-sign".into(),
            value: call_sign.into(),
            note: None,
        });
    }
    for id in row.list("ids") {
        add_id(&mut e, id);
    }
    for (column, key) in [
        ("entity_number", "entity_number"),
        ("source", "source"),
        ("federal_register_notice", "federal_register_notice"),
        ("end_date", "end_date"),
        ("standard_order", "standard_order"),
        ("license_requirement", "license_requirement"),
        ("license_policy", "license_policy"),
    ] {
        if let Some(v) = row.get(column) {
            e.extra.insert(key.into(), v.into());
        }
    }
    e
}

/// "Entity List (EL) - Bureau of Industry and Security" → "EL"; the whole name if it has no
/// parenthesised abbreviation.
fn abbreviation(source: &str) -> &str {
    source
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(abbr, _)| abbr.trim())
        .filter(|a| !a.is_empty())
        .unwrap_or(source)
}

/// One `ids` value: "Type, number[, country[, more]]". Statements that are not identifiers
/// ("Secondary sanctions risk:, …", "Gender, Male", dates of a directive) go to `extra`.
fn add_id(e: &mut Entry, raw: &str) {
    let Some((label, rest)) = raw.split_once(", ") else {
        return;
    };
    let label = label.trim();
    let rest = rest.trim();
    if is_statement(label) {
        let key = slug(label);
        let value = match e.extra.remove(&key) {
            Some(previous) => format!("{previous}; {rest}"),
            None => rest.to_string(),
        };
        e.extra.insert(key, value);
        return;
    }
    // A trailing ", CO" (issuing country, then sometimes a date) annotates the number.
    let (value, country) = match rest.split_once(", ") {
        Some((v, n)) if label != "Website" => (v, Some(n)),
        _ => (rest, None),
    };
    let label_note = (label != "Passport").then_some(label);
    let note: Vec<&str> = label_note.into_iter().chain(country).collect();
    let (kind, value) = if let Some(imo) = value.strip_prefix("IMO ") {
        ("imo".to_string(), ident::imo_value(imo))
    } else if let Some(mmsi) = value.strip_prefix("MMSI ") {
        ("mmsi".to_string(), mmsi.trim().to_string())
    } else {
        (id_kind(label), value.to_string())
    };
    let id = Identifier {
        kind,
        value,
        note: (!note.is_empty()).then(|| note.join(", ")),
    };
    if !e.identifiers.contains(&id) {
        e.identifiers.push(id);
    }
}

fn is_statement(label: &str) -> bool {
    label.ends_with(':')
        || label.ends_with('-')
        || label.contains("Date")
        || label.contains("Directive")
        || matches!(
            label,
            "Gender" | "Target Type" | "Issuer Name" | "Equity Ticker"
        )
}

fn id_kind(label: &str) -> String {
    match label {
        "Passport" | "Travel Document Number" => "passport".into(),
        "National ID No."
        | "Cedula No."
        | "D.N.I."
        | "C.U.R.P."
        | "Identification Number"
        | "National Foreign ID Number"
        | "SSN"
        | "Credencial electoral" => "national-id".into(),
        "Tax ID No." | "R.F.C." | "NIT #" | "RUC #" | "US FEIN" | "Italian Fiscal Code" => {
            "tax-id".into()
        }
        "SWIFT/BIC" => "swift".into(),
        "Email Address" => "email".into(),
        "Website" => "website".into(),
        "ISIN" => "isin".into(),
        l if l.contains("Registration") || l.contains("Company Number") => "registration".into(),
        other => slug(other),
    }
}

/// "Unified Social Credit Code (USCC)" → "unified-social-credit-code-uscc".
fn slug(label: &str) -> String {
    let mut out = String::new();
    for word in label
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}
