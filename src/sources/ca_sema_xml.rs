//! Canada's Consolidated Special Economic Measures Act list (data-set / record).
//!
//! The file carries no identifier of its own and no date. The entry id is derived from where
//! the record sits in the regulations: `Country|Schedule|Item` (whitespace collapsed), e.g.
//! `Russia / Russie|1|95`. It is unique across the 2020 file and stays stable as long as Global
//! Affairs Canada does not renumber a schedule; a renumbering shows up as a delisting plus a
//! listing.
//!
//! Element names vary between releases: the 2020 file uses `LastName`, `Entity`, `DateOfBirth`;
//! later ones add ships (`EntityOrShip`, `ShipIMONumber`, `DateOfBirthOrShipBuildDate`,
//! `TitleOrShip`) and some use bilingual names (`LastName-NomDeFamille`). Names are compared on
//! the English part before the first `-`.

use super::xml_walk::{non_empty, walk, Item, Node};
use super::{push_unique, single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{Alias, EntityKind, Entry, Identifier, ListSnapshot};
use crate::domain::ident;

pub struct CaSemaXml;

impl SourceFormat for CaSemaXml {
    fn kind(&self) -> &'static str {
        "ca_sema_xml"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        let mut snapshot = ListSnapshot::default();
        walk(
            &body.bytes,
            &body.url,
            "data-set",
            |depth, _| depth == 2,
            |item| {
                if let Item::Record(node, _) = item {
                    if node.name == "record" {
                        snapshot.entries.push(entry(&Record::new(node)));
                    }
                }
                Ok(())
            },
        )?;
        non_empty(
            snapshot,
            &body.url,
            "no <record> in the <data-set> document",
        )
        .map(Parsed::List)
    }
}

/// A record's fields by their English element name.
struct Record<'a> {
    fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Record<'a> {
    fn new(node: &'a Node) -> Record<'a> {
        let fields = node
            .children
            .iter()
            .filter_map(|c| {
                let name = c.name.split('-').next().unwrap_or_default();
                c.text().map(|t| (name, t))
            })
            .collect();
        Record { fields }
    }

    fn get(&self, names: &[&str]) -> Option<&'a str> {
        names
            .iter()
            .find_map(|n| self.fields.iter().find(|(k, _)| k == n).map(|(_, v)| *v))
    }
}

fn entry(r: &Record) -> Entry {
    let country = r.get(&["Country"]).map(collapse_whitespace);
    let schedule = r.get(&["Schedule"]).unwrap_or_default();
    let item = r.get(&["Item"]).unwrap_or_default();
    let imo = r.get(&["ShipIMONumber"]);
    let person = collapse_whitespace(
        &[r.get(&["GivenName"]), r.get(&["LastName"])]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    );
    let organization = r.get(&["EntityOrShip", "Entity"]).map(collapse_whitespace);
    let (kind, name) = match (imo, organization) {
        (Some(_), Some(org)) => (EntityKind::Vessel, org),
        (None, Some(org)) => (EntityKind::Organization, org),
        _ if !person.is_empty() => (EntityKind::Person, person),
        _ => (EntityKind::Unknown, String::new()),
    };
    let mut e = Entry {
        id: format!(
            "{}|{}|{}",
            country.as_deref().unwrap_or_default(),
            collapse_whitespace(schedule),
            collapse_whitespace(item)
        ),
        kind,
        name,
        listed_on: r.get(&["DateOfListing"]).map(String::from),
        ..Entry::default()
    };
    if let Some(c) = country {
        e.programs.push(c);
    }
    for alias in r.get(&["Aliases"]).map(split_aliases).unwrap_or_default() {
        if alias != e.name && !e.aliases.iter().any(|a| a.name == alias) {
            e.aliases.push(Alias {
                name: alias,
                kind: "aka".into(),
            });
        }
    }
    if let Some(imo) = imo {
        e.identifiers.push(Identifier {
            kind: "imo".into(),
            value: ident::imo_value(imo),
            note: None,
        });
    }
    let date = r.get(&["DateOfBirthOrShipBuildDate", "DateOfBirth"]);
    let title = r.get(&["TitleOrShipType", "TitleOrShip", "Title"]);
    if kind == EntityKind::Vessel {
        if let Some(d) = date {
            e.extra.insert("build_date".into(), d.into());
        }
        if let Some(t) = title {
            e.vessel = Some(Box::new(crate::domain::entry::VesselInfo {
                vessel_type: Some(t.into()),
                ..Default::default()
            }));
        }
    } else {
        // "1972-08-10 or 1972-08-11": two candidate dates, each its own.
        for d in date.into_iter().flat_map(|d| d.split(" or ")) {
            push_unique(&mut e.dates_of_birth, d);
        }
        if let Some(t) = title {
            e.titles.push(t.into());
        }
    }
    if !schedule.is_empty() {
        e.extra.insert("schedule".into(), schedule.into());
    }
    if !item.is_empty() {
        e.extra.insert("item".into(), item.into());
    }
    e
}

/// Aliases are one comma-joined string; a comma inside a company suffix ("Pte. Ltd., Air
/// Bagan Limited") still separates two names, so a plain split is what the list means.
fn split_aliases(s: &str) -> Vec<String> {
    s.split([',', ';'])
        .map(collapse_whitespace)
        .filter(|a| !a.is_empty())
        .collect()
}

/// Trims and folds runs of whitespace (including the no-break spaces the file has) to one space.
fn collapse_whitespace(s: &str) -> String {
    s.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
