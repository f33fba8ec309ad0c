//! The EU Financial Sanctions Files XML 1.1 (export / sanctionEntity).
//!
//! Values live in attributes. An entity carries many `nameAlias` elements (languages and scripts,
//! none marked primary), `identification`, `birthdate`, `citizenship`, `address` and the
//! `regulation` that listed or amended it. The entry id is the EU reference number
//! (`EU.3579.2`), falling back to the entity's `logicalId` when a record has none.

use super::xml_walk::{non_empty, walk, Item, Node};
use super::{push_unique, single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{Alias, EntityKind, Entry, Identifier, ListSnapshot};
use crate::domain::ident;

pub struct EuFsfXml;

impl SourceFormat for EuFsfXml {
    fn kind(&self) -> &'static str {
        "eu_fsf_xml"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        let mut snapshot = ListSnapshot::default();
        walk(
            &body.bytes,
            &body.url,
            "export",
            |depth, _| depth == 2,
            |item| {
                match item {
                    Item::Root(root) => {
                        snapshot.published = root.attr("generationDate").map(String::from)
                    }
                    Item::Record(node, _) if node.name == "sanctionEntity" => {
                        snapshot.entries.push(entry(node))
                    }
                    Item::Record(..) => {}
                }
                Ok(())
            },
        )?;
        non_empty(
            snapshot,
            &body.url,
            "no <sanctionEntity> in the <export> document",
        )
        .map(Parsed::List)
    }
}

fn entry(node: &Node) -> Entry {
    let mut e = Entry {
        id: node
            .attr("euReferenceNumber")
            .or(node.attr("logicalId"))
            .unwrap_or_default()
            .to_string(),
        kind: kind(node),
        listed_on: node.attr("designationDate").map(String::from),
        ..Entry::default()
    };
    names(node, &mut e);
    for reg in node.children_named("regulation") {
        if let Some(p) = reg.attr("programme") {
            push_unique(&mut e.programs, p);
        }
        if e.url.is_none() {
            // EU publishes no page per entity; the Official Journal act is the citable source.
            e.url = reg
                .child_text("publicationUrl")
                .or(reg.attr("publicationUrl"))
                .map(String::from);
        }
    }
    for c in node.children_named("citizenship") {
        if let Some(country) = c.attr("countryDescription").or(c.attr("countryIso2Code")) {
            push_unique(&mut e.nationalities, country);
        }
    }
    for b in node.children_named("birthdate") {
        if let Some(date) = birth_date(b) {
            push_unique(&mut e.dates_of_birth, &date);
        }
        if let Some(place) = birth_place(b) {
            push_unique(&mut e.places_of_birth, &place);
        }
    }
    for id in node.children_named("identification") {
        if let Some(identifier) = identifier(id) {
            if !e.identifiers.contains(&identifier) {
                e.identifiers.push(identifier);
            }
        }
    }
    for a in node.children_named("address") {
        if let Some(address) = address(a) {
            push_unique(&mut e.addresses, &address);
        }
    }
    let remarks: Vec<&str> = node
        .children_named("remark")
        .filter_map(Node::text)
        .collect();
    if !remarks.is_empty() {
        e.remarks = Some(remarks.join("\n"));
    }
    for (attr, key) in [
        ("unitedNationId", "un_id"),
        ("designationDetails", "designation_details"),
        ("logicalId", "logical_id"),
    ] {
        if let Some(v) = node.attr(attr) {
            e.extra.insert(key.into(), v.into());
        }
    }
    e
}

fn kind(node: &Node) -> EntityKind {
    let code = node
        .child("subjectType")
        .and_then(|s| s.attr("code"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    match code.as_str() {
        "person" => EntityKind::Person,
        "enterprise" => EntityKind::Organization,
        c if c.contains("vessel") => EntityKind::Vessel,
        c if c.contains("aircraft") => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}

/// EU marks no alias as the primary name: the first Latin-language alias that has a last name
/// (the structured, "main" form), else the first English or language-less one, else the first.
fn names(node: &Node, e: &mut Entry) {
    let aliases: Vec<(&Node, String)> = node
        .children_named("nameAlias")
        .filter_map(|a| alias_name(a).map(|n| (a, n)))
        .collect();
    let neutral = |a: &Node| matches!(a.attr("nameLanguage"), None | Some("EN"));
    let primary = aliases
        .iter()
        .position(|(a, _)| neutral(a) && a.attr("lastName").is_some())
        .or_else(|| aliases.iter().position(|(a, _)| neutral(a)))
        .unwrap_or(0);
    for (i, (a, name)) in aliases.iter().enumerate() {
        if i == primary {
            e.name = name.clone();
        }
        for t in [a.attr("title"), a.attr("function")].into_iter().flatten() {
            push_unique(&mut e.titles, t);
        }
        if let Some(g) = a.attr("gender") {
            e.extra.insert("gender".into(), g.into());
        }
    }
    for (i, (a, name)) in aliases.iter().enumerate() {
        let duplicate = *name == e.name || e.aliases.iter().any(|x| x.name == *name);
        if i == primary || duplicate {
            continue;
        }
        let kind = if a.attr("strong") == Some("false") {
            "weak"
        } else {
            "strong"
        };
        e.aliases.push(Alias {
            name: name.clone(),
            kind: kind.into(),
        });
    }
}

fn alias_name(a: &Node) -> Option<String> {
    if let Some(whole) = a.attr("wholeName") {
        return Some(whole.to_string());
    }
    let parts: Vec<&str> = ["firstName", "middleName", "lastName"]
        .iter()
        .filter_map(|k| a.attr(k))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A full date, else the parts given, else the year range; `circa` kept in words.
fn birth_date(b: &Node) -> Option<String> {
    let date = if let Some(d) = b.attr("birthdate") {
        d.to_string()
    } else if let Some(year) = b.attr("year") {
        match (b.attr("monthOfYear"), b.attr("dayOfMonth")) {
            (Some(m), Some(d)) => format!("{year}-{m:0>2}-{d:0>2}"),
            (Some(m), None) => format!("{year}-{m:0>2}"),
            _ => year.to_string(),
        }
    } else {
        match (b.attr("yearRangeFrom"), b.attr("yearRangeTo")) {
            (Some(from), Some(to)) if from != to => format!("between {from} and {to}"),
            (Some(y), _) | (None, Some(y)) => y.to_string(),
            (None, None) => return None,
        }
    };
    Some(if b.attr("circa") == Some("true") {
        format!("circa {date}")
    } else {
        date
    })
}

fn birth_place(b: &Node) -> Option<String> {
    join_present(b, &["place", "city", "region", "countryDescription"])
}

fn address(a: &Node) -> Option<String> {
    join_present(
        a,
        &[
            "street",
            "poBox",
            "city",
            "zipCode",
            "region",
            "place",
            "countryDescription",
        ],
    )
}

/// The attributes present, joined with ", "; "-" and "UNKNOWN" are EU's way of saying nothing.
fn join_present(n: &Node, keys: &[&str]) -> Option<String> {
    let parts: Vec<&str> = keys
        .iter()
        .filter_map(|k| n.attr(k))
        .filter(|v| *v != "-" && *v != "UNKNOWN")
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn identifier(id: &Node) -> Option<Identifier> {
    let raw = id.attr("number").or(id.attr("latinNumber"))?;
    let code = id
        .attr("identificationTypeCode")
        .unwrap_or("other")
        .to_ascii_lowercase();
    let (kind, value) = match code.as_str() {
        "passport" => ("passport".to_string(), raw.to_string()),
        "id" => ("national-id".to_string(), raw.to_string()),
        "fiscalcode" => ("tax-id".to_string(), raw.to_string()),
        "regnumber" => ("registration".to_string(), raw.to_string()),
        "swiftbic" => ("swift".to_string(), raw.to_string()),
        "imo" => ("imo".to_string(), ident::imo_value(raw)),
        "mmsi" => ("mmsi".to_string(), raw.to_string()),
        other => (other.to_string(), raw.to_string()),
    };
    let mut note: Vec<String> = [
        id.attr("identificationTypeDescription"),
        id.attr("countryDescription").filter(|c| *c != "UNKNOWN"),
        id.attr("issuedBy"),
    ]
    .into_iter()
    .flatten()
    .map(String::from)
    .collect();
    for flag in [
        "knownFalse",
        "knownExpired",
        "reportedLost",
        "revokedByIssuer",
        "diplomatic",
    ] {
        if id.attr(flag) == Some("true") {
            note.push(flag.to_string());
        }
    }
    Some(Identifier {
        kind,
        value,
        note: (!note.is_empty()).then(|| note.join("; ")),
    })
}
