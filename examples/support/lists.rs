//! Loading the real lists under ../shared/data for the evaluation harness and the screening
//! benchmark: OFAC SDN 2021-07 (sdn.csv + alt.csv, read directly, as the OFAC CSV parser is
//! not part of this branch) and a UN Security Council snapshot through the crate's parser.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use watchkeeper::model::{Alias, EntityKind, Entry, Identifier};

pub const OFAC: &str = "ofac-sdn";
pub const UN: &str = "un-sc";

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// OFAC 2021-07 and UN 2020-03, as (source, entry): the universe every query is screened
/// against.
pub fn universe() -> Vec<(String, Entry)> {
    let data = data_dir();
    let mut all: Vec<(String, Entry)> = read_ofac_csv(&data.join("ofac-sdn-csv/2021-07"))
        .into_iter()
        .map(|e| (OFAC.to_string(), e))
        .collect();
    all.extend(
        read_un(&data.join("un-sc-xml/2020-03/consolidated.xml"))
            .into_iter()
            .map(|e| (UN.to_string(), e)),
    );
    all
}

pub fn read_un(path: &Path) -> Vec<Entry> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    watchkeeper::sources::un_xml::parse_document(&bytes, &path.display().to_string())
        .unwrap_or_else(|e| panic!("{e}"))
        .entries
}

/// sdn.csv and alt.csv of one OFAC snapshot: kind from SDN_Type; IMO, MMSI, passport numbers,
/// dates of birth and nationalities from the remarks; aliases from alt.csv.
pub fn read_ofac_csv(dir: &Path) -> Vec<Entry> {
    let reader = |file: &str| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(dir.join(file))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
    };
    let field = |r: &csv::StringRecord, i: usize| {
        let v = r.get(i).unwrap_or("").trim();
        if v == "-0-" {
            String::new()
        } else {
            v.to_string()
        }
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_id = HashMap::new();
    for row in reader("sdn.csv").records() {
        let row = row.expect("sdn.csv row");
        let kind = match field(&row, 2).as_str() {
            "individual" => EntityKind::Person,
            "vessel" => EntityKind::Vessel,
            "aircraft" => EntityKind::Aircraft,
            _ => EntityKind::Organization,
        };
        let remarks = field(&row, 11);
        let mut e = Entry {
            id: field(&row, 0),
            kind,
            name: field(&row, 1),
            ..Entry::default()
        };
        read_remarks(&remarks, &mut e);
        e.remarks = (!remarks.is_empty()).then_some(remarks);
        by_id.insert(e.id.clone(), entries.len());
        entries.push(e);
    }
    for row in reader("alt.csv").records() {
        let row = row.expect("alt.csv row");
        if let Some(&i) = by_id.get(&field(&row, 0)) {
            entries[i].aliases.push(Alias {
                name: field(&row, 3),
                kind: field(&row, 2).trim_end_matches('.').replace('.', ""),
            });
        }
    }
    entries
}

fn read_remarks(remarks: &str, e: &mut Entry) {
    for part in remarks.split(';').map(str::trim) {
        let part = part.strip_prefix("alt. ").unwrap_or(part);
        if let Some(dob) = part.strip_prefix("DOB ") {
            e.dates_of_birth.push(dob.trim_end_matches('.').to_string());
        } else if let Some(n) = part.strip_prefix("nationality ") {
            e.nationalities.push(n.trim_end_matches('.').to_string());
        } else if let Some(p) = part.strip_prefix("Passport ") {
            let number = p.split(" (").next().unwrap_or(p).trim();
            push_id(e, "passport", number);
        } else if let Some(imo) = part.strip_prefix("Vessel Registration Identification IMO ") {
            push_id(e, "imo", imo);
        } else if let Some(mmsi) = part.strip_prefix("MMSI ") {
            push_id(e, "mmsi", mmsi);
        }
    }
    for (at, _) in remarks.match_indices("IMO ") {
        let digits: String = remarks[at + 4..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.len() == 7 {
            push_id(e, "imo", &digits);
        }
    }
    for part in remarks.split("f.k.a. '").skip(1) {
        if let Some(name) = part.split('\'').next() {
            e.aliases.push(Alias {
                name: name.into(),
                kind: "fka".into(),
            });
        }
    }
}

fn push_id(e: &mut Entry, kind: &str, value: &str) {
    let value = value.trim().trim_end_matches('.').to_string();
    if value.is_empty() || e.identifiers_of(kind).any(|v| v == value) {
        return;
    }
    e.identifiers.push(Identifier {
        kind: kind.into(),
        value,
        note: None,
    });
}
