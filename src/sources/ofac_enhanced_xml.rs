//! OFAC's enhanced XML (sanctionsData: SDN_ENHANCED.XML and CONS_ENHANCED.XML).
//!
//! Streamed like the classic format: one `entity` at a time becomes a small tree. Types are
//! given both as a reference id and (today) as inline text; the inline text is used when present
//! and the id is resolved through `referenceValues` / `featureTypes` otherwise. Those tables come
//! before `entities` in every file seen; should one come later, entities are held back until the
//! tables have been read.

use std::collections::HashMap;

use super::ofac_xml::{add_id, alias_kind, append_extra, entry_url, statement_key};
use super::xml_walk::{non_empty, walk, Item, Node};
use super::{push_unique, single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{Alias, EntityKind, Entry, ListSnapshot, VesselInfo};

pub struct OfacEnhancedXml;

impl SourceFormat for OfacEnhancedXml {
    fn kind(&self) -> &'static str {
        "ofac_enhanced_xml"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        parse_sanctions_data(body).map(Parsed::List)
    }
}

/// The lookup tables an entity's reference ids point into.
#[derive(Default)]
struct References {
    /// `referenceValue/@refId` → its value.
    values: HashMap<String, String>,
    /// `featureType/@featureTypeId` → its type name.
    feature_types: HashMap<String, String>,
    values_read: bool,
    feature_types_read: bool,
}

impl References {
    fn complete(&self) -> bool {
        self.values_read && self.feature_types_read
    }

    /// The element's inline text, else what its `refId` (or `featureTypeId`) stands for.
    fn resolve(&self, node: &Node) -> Option<String> {
        if let Some(text) = node.text() {
            return Some(text.to_string());
        }
        let by_ref = node.attr("refId").and_then(|id| self.values.get(id));
        let by_feature = || {
            node.attr("featureTypeId")
                .and_then(|id| self.feature_types.get(id))
        };
        by_ref.or_else(by_feature).cloned()
    }

    fn resolve_child(&self, node: &Node, name: &str) -> Option<String> {
        node.child(name).and_then(|c| self.resolve(c))
    }

    fn read_values(&mut self, table: &Node) {
        for value in table.children_named("referenceValue") {
            if let (Some(id), Some(text)) = (value.attr("refId"), value.child_text("value")) {
                self.values.insert(id.to_string(), text.to_string());
            }
        }
        self.values_read = true;
    }

    fn read_feature_types(&mut self, table: &Node) {
        for feature in table.children_named("featureType") {
            if let (Some(id), Some(text)) =
                (feature.attr("featureTypeId"), feature.child_text("type"))
            {
                self.feature_types.insert(id.to_string(), text.to_string());
            }
        }
        self.feature_types_read = true;
    }
}

fn parse_sanctions_data(body: &Body) -> Result<ListSnapshot, ParseError> {
    let mut snapshot = ListSnapshot::default();
    let mut refs = References::default();
    let mut held_back = Vec::new();
    let is_record = |depth, name: &str| {
        matches!(
            (depth, name),
            (2, "publicationInfo" | "referenceValues" | "featureTypes") | (3, "entity")
        )
    };
    walk(&body.bytes, &body.url, "sanctionsData", is_record, |item| {
        let Item::Record(node, _) = item else {
            return Ok(());
        };
        match node.name.as_ref() {
            "publicationInfo" => {
                snapshot.published = node.child_text("dataAsOf").map(str::to_string);
                snapshot.stated_count = stated_count(node);
            }
            "referenceValues" => refs.read_values(node),
            "featureTypes" => refs.read_feature_types(node),
            _ if refs.complete() => snapshot.entries.push(entry_from(node, &refs)),
            // The walk reuses what it lends: a record kept for later is copied.
            _ => held_back.push(node.clone()),
        }
        Ok(())
    })?;
    snapshot
        .entries
        .extend(held_back.iter().map(|node| entry_from(node, &refs)));
    non_empty(snapshot, &body.url, "sanctionsData holds no entity")
}

/// The files seen state no count; should one appear in publicationInfo, it is used.
fn stated_count(info: &Node) -> Option<usize> {
    info.children
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case("recordCount") || c.name == "Record_Count")
        .and_then(Node::text)
        .and_then(|t| t.parse().ok())
}

fn entity_kind(entity_type: &str) -> EntityKind {
    match entity_type.to_ascii_lowercase().as_str() {
        "individual" => EntityKind::Person,
        "entity" => EntityKind::Organization,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}

fn entry_from(entity: &Node, refs: &References) -> Entry {
    let id = entity.attr("id").unwrap_or_default().to_string();
    let info = entity.child("generalInfo");
    let mut entry = Entry {
        url: Some(entry_url(&id)),
        id,
        kind: info
            .and_then(|i| refs.resolve_child(i, "entityType"))
            .map_or(EntityKind::Unknown, |t| entity_kind(&t)),
        remarks: info
            .and_then(|i| i.child_text("remarks"))
            .map(str::to_string),
        programs: entity
            .all(&["sanctionsPrograms", "sanctionsProgram"])
            .filter_map(|p| refs.resolve(p))
            .collect(),
        addresses: entity
            .all(&["addresses", "address"])
            .map(|a| address_line(a, refs))
            .filter(|a| !a.is_empty())
            .collect(),
        ..Entry::default()
    };
    add_names(&mut entry, entity, refs);
    add_lists(&mut entry, entity, refs);
    for document in entity.all(&["identityDocuments", "identityDocument"]) {
        add_document(&mut entry, document, refs);
    }
    for feature in entity.all(&["features", "feature"]) {
        add_feature(&mut entry, feature, refs);
    }
    for related in entity.all(&["relationships", "relationship", "relatedEntity"]) {
        if let Some(name) = related.text() {
            push_unique(&mut entry.linked_to, name);
        }
    }
    entry
}

/// The primary name's primary translation is the entry's name; its other translations (the
/// name in Cyrillic, Chinese…) and every alias translation become aliases.
fn add_names(entry: &mut Entry, entity: &Node, refs: &References) {
    for name in entity.all(&["names", "name"]) {
        let primary_name = name.flag("isPrimary");
        let kind = if primary_name {
            None
        } else {
            let alias_type = refs
                .resolve_child(name, "aliasType")
                .unwrap_or_else(|| "a.k.a.".into());
            let category = if name.flag("isLowQuality") {
                "weak"
            } else {
                ""
            };
            Some(alias_kind(&alias_type, category))
        };
        for translation in name.all(&["translations", "translation"]) {
            let Some(full) = translation.child_text("formattedFullName") else {
                continue;
            };
            let primary_script = translation.flag("isPrimary");
            if primary_name && primary_script && entry.name.is_empty() {
                entry.name = full.to_string();
                continue;
            }
            let kind = match (&kind, primary_script) {
                (Some(kind), true) => kind.clone(),
                _ => "original-script".to_string(),
            };
            entry.aliases.push(Alias {
                name: full.to_string(),
                kind,
            });
        }
    }
}

/// The lists an entity is on, and the earliest date it was published on one: its listing date.
fn add_lists(entry: &mut Entry, entity: &Node, refs: &References) {
    let mut earliest: Option<&str> = None;
    for list in entity.all(&["sanctionsLists", "sanctionsList"]) {
        if let Some(name) = refs.resolve(list) {
            append_extra(&mut entry.extra, "lists", &name);
        }
        if let Some(date) = list.attr("datePublished") {
            // ISO dates compare correctly as strings.
            if earliest.is_none_or(|e| date < e) {
                earliest = Some(date);
            }
        }
    }
    entry.listed_on = earliest.map(str::to_string);
}

fn add_document(entry: &mut Entry, document: &Node, refs: &References) {
    let doc_type = refs.resolve_child(document, "type").unwrap_or_default();
    let number = document.child_text("documentNumber").unwrap_or_default();
    let mut note: Vec<String> = Vec::new();
    if let Some(country) = refs.resolve_child(document, "issuingCountry") {
        note.push(country);
    }
    if let Some(authority) = document.child_text("issuingAuthority") {
        note.push(authority.to_string());
    }
    if document.child_text("isValid") == Some("false") {
        note.push("not valid".into());
    }
    let note = (!note.is_empty()).then(|| note.join("; "));
    add_id(entry, &doc_type, number, note);
}

fn add_feature(entry: &mut Entry, feature: &Node, refs: &References) {
    let Some(feature_type) = refs.resolve_child(feature, "type") else {
        return;
    };
    let value = feature.child_text("value").map(str::to_string).or_else(|| {
        feature
            .child_text("valueRefId")
            .and_then(|id| refs.values.get(id).cloned())
    });
    let Some(value) = value else { return };
    let lower = feature_type.to_ascii_lowercase();
    match lower.as_str() {
        "birthdate" => push_unique(&mut entry.dates_of_birth, &value),
        "place of birth" => push_unique(&mut entry.places_of_birth, &value),
        "nationality country" | "citizenship country" => {
            push_unique(&mut entry.nationalities, &value)
        }
        "title" => push_unique(&mut entry.titles, &value),
        _ if lower.starts_with("vessel") && set_vessel_field(entry, &lower, &value) => {}
        _ if IDENTIFIER_FEATURES.contains(&lower.as_str())
            || lower.starts_with("digital currency address") =>
        {
            add_id(entry, &feature_type, &value, feature_note(feature))
        }
        _ => append_extra(&mut entry.extra, &statement_key(&feature_type), &value),
    }
}

/// Features that identify the entity and can be matched on; every other feature (directive
/// determinations, listing dates, gender…) is a statement kept in `extra`.
const IDENTIFIER_FEATURES: &[&str] = &[
    "website",
    "email address",
    "swift/bic",
    "bik (ru)",
    "isin",
    "equity ticker",
    "mmsi",
    "imo",
    "vessel registration identification",
    "aircraft serial identification",
    "aircraft tail number",
];

fn feature_note(feature: &Node) -> Option<String> {
    feature.child_text("comments").map(str::to_string)
}

/// Vessel particulars, which the enhanced format gives as features (`Vessel Flag`, `VESSEL
/// TYPE`…). Returns false for a vessel feature it does not know, to be kept another way.
fn set_vessel_field(entry: &mut Entry, lower_type: &str, value: &str) -> bool {
    let vessel = entry.vessel.get_or_insert_with(Box::default);
    let field = match lower_type {
        "vessel call sign" => &mut vessel.call_sign,
        "vessel type" => &mut vessel.vessel_type,
        "vessel flag" => &mut vessel.flag,
        "vessel owner" => &mut vessel.owner,
        "vessel tonnage" => &mut vessel.tonnage,
        "vessel gross registered tonnage" => &mut vessel.grt,
        _ => {
            if **vessel == VesselInfo::default() {
                entry.vessel = None;
            }
            return false;
        }
    };
    field.get_or_insert_with(|| value.to_string());
    if lower_type == "vessel call sign" {
        add_id(entry, "Call Sign", value, None);
    }
    true
}

/// The address's primary translation: its parts in document order, then the country.
fn address_line(address: &Node, refs: &References) -> String {
    let translations: Vec<&Node> = address.all(&["translations", "translation"]).collect();
    let chosen = translations
        .iter()
        .find(|t| t.flag("isPrimary"))
        .or_else(|| translations.first());
    let mut parts: Vec<String> = chosen
        .map(|t| t.texts(&["addressParts", "addressPart", "value"]))
        .unwrap_or_default();
    if let Some(country) = refs.resolve_child(address, "country") {
        parts.push(country);
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vessel features as SDN_ENHANCED.XML names them; CONS_ENHANCED.XML (the only enhanced file
    /// at hand) lists no vessel, so this small document is written after the published schema.
    const VESSEL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<sanctionsData xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML">
  <referenceValues>
    <referenceValue refId="3"><type>SDN TYPE</type><value>Vessel</value></referenceValue>
    <referenceValue refId="7"><type>ID DOCUMENT TYPE</type><value>Vessel Registration Identification</value></referenceValue>
  </referenceValues>
  <featureTypes>
    <featureType featureTypeId="3"><type>Vessel Flag</type></featureType>
  </featureTypes>
  <entities>
    <entity id="15036">
      <generalInfo><entityType refId="3"/></generalInfo>
      <names><name><isPrimary>true</isPrimary><translations><translation>
        <isPrimary>true</isPrimary><formattedFullName>ARTAVIL</formattedFullName>
      </translation></translations></name></names>
      <features>
        <feature><type featureTypeId="3"/><value>None Identified</value></feature>
        <feature><type>VESSEL TYPE</type><value>Crude Oil Tanker</value></feature>
      </features>
      <identityDocuments>
        <identityDocument><type refId="7"/><documentNumber>IMO 9187629</documentNumber></identityDocument>
      </identityDocuments>
    </entity>
  </entities>
</sanctionsData>"#;

    #[test]
    fn vessel_features_and_ids_resolve_through_reference_tables() {
        let body = Body {
            resource: String::new(),
            url: "test:vessel".into(),
            bytes: VESSEL.as_bytes().to_vec(),
            content_type: None,
        };
        let snapshot = parse_sanctions_data(&body).expect("parses");
        let entry = &snapshot.entries[0];
        assert_eq!(entry.kind, EntityKind::Vessel);
        assert_eq!(entry.name, "ARTAVIL");
        assert_eq!(entry.identifiers_of("imo").collect::<Vec<_>>(), ["9187629"]);
        let vessel = entry.vessel.as_ref().expect("vessel info");
        assert_eq!(vessel.flag.as_deref(), Some("None Identified"));
        assert_eq!(vessel.vessel_type.as_deref(), Some("Crude Oil Tanker"));
    }
}
