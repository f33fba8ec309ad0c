//! The UK Sanctions List XML (Designations / Designation), published by the FCDO.
//!
//! The entry id is the list's `UniqueID` (`AFG0006`, `DPR0075`). Names are split into Name1
//! (given) … Name6 (family) and joined in that order. Dates are `dd/mm/yyyy`, with `dd`/`mm`
//! left as letters when unknown; they are turned into ISO 8601 as far as they are known.

use super::xml_walk::{non_empty, walk, Item, Node};
use super::{push_unique, single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{Alias, EntityKind, Entry, Identifier, ListSnapshot, VesselInfo};
use crate::domain::ident;

pub struct UkSanctionsXml;

impl SourceFormat for UkSanctionsXml {
    fn kind(&self) -> &'static str {
        "uk_sanctions_xml"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        let mut snapshot = ListSnapshot::default();
        walk(
            &body.bytes,
            &body.url,
            "Designations",
            |depth, _| depth == 2,
            |item| {
                match item {
                    Item::Record(node, _) if node.name == "Designation" => {
                        snapshot.entries.push(entry(node))
                    }
                    Item::Record(node, _) if node.name == "DateGenerated" => {
                        snapshot.published = node.text().map(iso_date)
                    }
                    _ => {}
                }
                Ok(())
            },
        )?;
        non_empty(
            snapshot,
            &body.url,
            "no <Designation> in the <Designations> document",
        )
        .map(Parsed::List)
    }
}

fn entry(node: &Node) -> Entry {
    let mut e = Entry {
        id: node.child_text("UniqueID").unwrap_or_default().to_string(),
        kind: match node.child_text("IndividualEntityShip") {
            Some("Individual") => EntityKind::Person,
            Some("Entity") => EntityKind::Organization,
            Some("Ship") => EntityKind::Vessel,
            _ => EntityKind::Unknown,
        },
        listed_on: node.child_text("DateDesignated").map(iso_date),
        remarks: node.child_text("OtherInformation").map(String::from),
        ..Entry::default()
    };
    if let Some(regime) = node.child_text("RegimeName") {
        e.programs.push(regime.to_string());
    }
    names(node, &mut e);
    for t in texts(node, &["Titles", "Title"]) {
        push_unique(&mut e.titles, t);
    }
    for a in node
        .child("Addresses")
        .into_iter()
        .flat_map(|n| n.children.iter())
    {
        if let Some(address) = address(a) {
            push_unique(&mut e.addresses, &address);
        }
    }
    if let Some(ind) = node
        .child("IndividualDetails")
        .and_then(|d| d.child("Individual"))
    {
        individual(ind, &mut e);
    }
    if let Some(ent) = node.child("EntityDetails").and_then(|d| d.child("Entity")) {
        entity(ent, &mut e);
    }
    if let Some(ship) = node.child("ShipDetails").and_then(|d| d.child("Ship")) {
        ship_details(ship, &mut e);
    }
    for (path, key) in [
        (&["OFSIGroupID"][..], "ofsi_group_id"),
        (&["UNReferenceNumber"], "un_reference_number"),
        (&["DesignationSource"], "designation_source"),
        (&["SanctionsImposed"], "sanctions_imposed"),
        (&["LastUpdated"], "last_updated"),
        (&["UKStatementofReasons"], "statement_of_reasons"),
        (&["PhoneNumbers", "PhoneNumber"], "phones"),
        (&["EmailAddresses", "EmailAddress"], "emails"),
        (&["Websites", "Website"], "websites"),
    ] {
        let values = texts(node, path);
        if !values.is_empty() {
            let value = values.join("; ");
            let value = if key == "last_updated" {
                iso_date(&value)
            } else {
                value
            };
            e.extra.insert(key.into(), value);
        }
    }
    e
}

/// The texts at `path` below `node` (each step a child name; repeated elements all count).
fn texts<'a>(node: &'a Node, path: &[&str]) -> Vec<&'a str> {
    let mut level = vec![node];
    for step in path {
        level = level
            .into_iter()
            .flat_map(|n| n.children.iter().filter(move |c| c.name == *step))
            .collect();
    }
    level.into_iter().filter_map(Node::text).collect()
}

fn names(node: &Node, e: &mut Entry) {
    let names = node.child("Names").map(|n| n.children.as_slice());
    let names = names.unwrap_or_default();
    let primary = names
        .iter()
        .position(|n| n.child_text("NameType") == Some("Primary Name"))
        .unwrap_or(0);
    if let Some(n) = names.get(primary) {
        e.name = full_name(n);
    }
    for (i, n) in names.iter().enumerate() {
        if i == primary {
            continue;
        }
        let kind = match (n.child_text("NameType"), n.child_text("AliasStrength")) {
            (_, Some(s)) if s.to_ascii_lowercase().starts_with("good") => "good",
            (_, Some(s)) if s.to_ascii_lowercase().starts_with("low") => "low",
            (Some("Primary Name Variation"), _) => "variation",
            _ => "aka",
        };
        add_alias(e, full_name(n), kind);
    }
    for n in texts(
        node,
        &["NonLatinNames", "NonLatinName", "NameNonLatinScript"],
    ) {
        add_alias(e, n.to_string(), "original-script");
    }
}

fn add_alias(e: &mut Entry, name: String, kind: &str) {
    if name.is_empty() || name == e.name || e.aliases.iter().any(|a| a.name == name) {
        return;
    }
    e.aliases.push(Alias {
        name,
        kind: kind.into(),
    });
}

fn full_name(n: &Node) -> String {
    let parts: Vec<&str> = ["Name1", "Name2", "Name3", "Name4", "Name5", "Name6"]
        .iter()
        .filter_map(|k| n.child_text(k))
        .collect();
    parts.join(" ")
}

fn address(a: &Node) -> Option<String> {
    // Lines first, then postal code and country, whatever other fields a newer file adds.
    let mut parts: Vec<&str> = a
        .children
        .iter()
        .filter(|c| c.name.starts_with("AddressLine"))
        .filter_map(Node::text)
        .collect();
    parts.extend(
        ["AddressPostalCode", "AddressCountry"]
            .iter()
            .filter_map(|k| a.child_text(k)),
    );
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn individual(ind: &Node, e: &mut Entry) {
    for d in texts(ind, &["DOBs", "DOB"]) {
        push_unique(&mut e.dates_of_birth, &iso_date(d));
    }
    for n in texts(ind, &["Nationalities", "Nationality"]) {
        push_unique(&mut e.nationalities, n);
    }
    for p in texts(ind, &["Positions", "Position"]) {
        push_unique(&mut e.titles, p);
    }
    let genders = texts(ind, &["Genders", "Gender"]);
    if !genders.is_empty() {
        e.extra.insert("gender".into(), genders.join("; "));
    }
    for loc in ind
        .child("BirthDetails")
        .into_iter()
        .flat_map(|b| b.children_named("Location"))
    {
        let parts: Vec<&str> = loc.children.iter().filter_map(Node::text).collect();
        if !parts.is_empty() {
            push_unique(&mut e.places_of_birth, &parts.join(", "));
        }
    }
    for p in ind
        .child("PassportDetails")
        .into_iter()
        .flat_map(|d| d.children_named("Passport"))
    {
        push_identifier(
            e,
            "passport",
            p,
            "PassportNumber",
            "PassportAdditionalInformation",
        );
    }
    for n in ind
        .child("NationalIdentifierDetails")
        .into_iter()
        .flat_map(|d| d.children_named("NationalIdentifier"))
    {
        push_identifier(
            e,
            "national-id",
            n,
            "NationalIdentifierNumber",
            "NationalIdentifierAdditionalInformation",
        );
    }
}

fn push_identifier(e: &mut Entry, kind: &str, n: &Node, number: &str, info: &str) {
    let Some(value) = n.child_text(number) else {
        return;
    };
    let id = Identifier {
        kind: kind.into(),
        value: value.into(),
        note: n.child_text(info).map(String::from),
    };
    // The list repeats a passport when it appears under two regimes' statements.
    if !e.identifiers.contains(&id) {
        e.identifiers.push(id);
    }
}

fn entity(ent: &Node, e: &mut Entry) {
    for r in texts(
        ent,
        &["BusinessRegistrationNumbers", "BusinessRegistrationNumber"],
    ) {
        let id = Identifier {
            kind: "registration".into(),
            value: r.into(),
            note: None,
        };
        if !e.identifiers.contains(&id) {
            e.identifiers.push(id);
        }
    }
    for path in [
        ["ParentCompanies", "ParentCompany"],
        ["Subsidiaries", "Subsidiary"],
    ] {
        for name in texts(ent, &path) {
            push_unique(&mut e.linked_to, name);
        }
    }
    let types = texts(ent, &["TypeOfEntities", "TypeOfEntity"]);
    if !types.is_empty() {
        e.extra.insert("type_of_entity".into(), types.join("; "));
    }
}

fn ship_details(ship: &Node, e: &mut Entry) {
    for imo in texts(ship, &["IMONumbers", "IMONumber"]) {
        let id = Identifier {
            kind: "imo".into(),
            value: ident::imo_value(imo),
            note: None,
        };
        if !e.identifiers.contains(&id) {
            e.identifiers.push(id);
        }
    }
    let joined = |path: &[&str]| {
        let v = texts(ship, path);
        (!v.is_empty()).then(|| v.join("; "))
    };
    e.vessel = Some(Box::new(VesselInfo {
        call_sign: joined(&["CallSigns", "CallSign"]),
        vessel_type: joined(&["TypeOfShipDetails", "TypeOfShip"]),
        tonnage: joined(&["TonnageOfShipDetails", "TonnageOfShip"]),
        grt: None,
        flag: joined(&["CurrentBelievedFlagOfShips", "CurrentBelievedFlagOfShip"]),
        owner: joined(&["CurrentOwnerOperators", "CurrentOwnerOperator"]),
    }));
    for (path, key) in [
        (["PreviousFlags", "PreviousFlag"], "previous_flags"),
        (
            ["PreviousOwnerOperators", "PreviousOwnerOperator"],
            "previous_owners",
        ),
        (["LengthOfShipDetails", "LengthOfShip"], "length"),
        (["YearBuiltDetails", "YearBuilt"], "year_built"),
        (["HINs", "HIN"], "hin"),
    ] {
        if let Some(v) = joined(&path) {
            e.extra.insert(key.into(), v);
        }
    }
}

/// `12/05/1958` → `1958-05-12`, `mm` or `dd` placeholders dropped (`dd/mm/1945` → `1945`);
/// anything else is kept as published.
fn iso_date(d: &str) -> String {
    let parts: Vec<&str> = d.trim().split('/').collect();
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [day, month, year] if numeric(year) && year.len() == 4 => {
            match (numeric(day), numeric(month)) {
                (true, true) => format!("{year}-{month:0>2}-{day:0>2}"),
                (false, true) => format!("{year}-{month:0>2}"),
                _ => year.to_string(),
            }
        }
        _ => d.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::iso_date;

    #[test]
    fn uk_dates_become_iso_as_far_as_known() {
        assert_eq!(iso_date("12/05/1958"), "1958-05-12");
        assert_eq!(iso_date("dd/mm/1945"), "1945");
        assert_eq!(iso_date("dd/03/1945"), "1945-03");
        assert_eq!(iso_date("1946"), "1946");
    }
}
