//! OFAC's classic XML (sdnList: SDN.XML and the consolidated CONS_PRIM XML).
//!
//! The document is streamed: only one `sdnEntry` at a time is held as a small tree, so a list of
//! any size parses in bounded memory. Element names are matched on their local part because the
//! default namespace has changed over the years (`http://tempuri.org/sdnList.xsd`, then the
//! sanctions list service URL).

use super::xml_walk::{non_empty, walk, Item, Node};
use super::{push_unique, single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{Alias, EntityKind, Entry, Identifier, ListSnapshot, VesselInfo};
use crate::domain::fields::Fields;
use crate::domain::ident;

pub struct OfacXml;

impl SourceFormat for OfacXml {
    fn kind(&self) -> &'static str {
        "ofac_xml"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        parse_sdn_list(body).map(Parsed::List)
    }
}

/// The page OFAC's Sanctions List Search shows for an entry; its id is the uid both XML formats
/// use, and the address has been stable for over a decade.
pub(super) fn entry_url(id: &str) -> String {
    format!("https://sanctionssearch.ofac.treas.gov/Details.aspx?id={id}")
}

fn parse_sdn_list(body: &Body) -> Result<ListSnapshot, ParseError> {
    let mut snapshot = ListSnapshot::default();
    // Only these children of the root matter; anything else is walked past without being kept.
    let is_record =
        |depth, name: &str| depth == 2 && matches!(name, "publshInformation" | "sdnEntry");
    walk(&body.bytes, &body.url, "sdnList", is_record, |item| {
        match item {
            Item::Record(info, _) if info.name == "publshInformation" => {
                snapshot.published = info.child_text("Publish_Date").map(us_date_to_iso);
                snapshot.stated_count =
                    info.child_text("Record_Count").and_then(|c| c.parse().ok());
            }
            Item::Record(node, _) => snapshot.entries.push(entry_from(node)),
            Item::Root(_) => {}
        }
        Ok(())
    })?;
    non_empty(snapshot, &body.url, "sdnList holds no sdnEntry")
}

/// `04/06/2018` → `2018-04-06`; anything else is kept as published.
fn us_date_to_iso(date: &str) -> String {
    chrono::NaiveDate::parse_from_str(date, "%m/%d/%Y")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| date.to_string())
}

/// `LAST, First`, the way OFAC prints a name; entities and vessels have only a last name.
fn ofac_name(node: &Node) -> String {
    let last = node.child_text("lastName").unwrap_or_default();
    match node.child_text("firstName") {
        Some(first) if !last.is_empty() => format!("{last}, {first}"),
        Some(first) => first.to_string(),
        None => last.to_string(),
    }
}

fn entity_kind(sdn_type: &str) -> EntityKind {
    match sdn_type.to_ascii_lowercase().as_str() {
        "individual" => EntityKind::Person,
        "entity" => EntityKind::Organization,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}

fn entry_from(node: &Node) -> Entry {
    let id = node.child_text("uid").unwrap_or_default().to_string();
    let mut entry = Entry {
        url: Some(entry_url(&id)),
        id,
        kind: entity_kind(node.child_text("sdnType").unwrap_or_default()),
        name: ofac_name(node),
        titles: node
            .child_text("title")
            .map(str::to_string)
            .into_iter()
            .collect(),
        remarks: node.child_text("remarks").map(str::to_string),
        programs: node.texts(&["programList", "program"]),
        aliases: node
            .all(&["akaList", "aka"])
            .map(|aka| Alias {
                name: ofac_name(aka),
                kind: alias_kind(
                    aka.child_text("type").unwrap_or_default(),
                    aka.child_text("category").unwrap_or_default(),
                ),
            })
            .collect(),
        dates_of_birth: node.texts(&["dateOfBirthList", "dateOfBirthItem", "dateOfBirth"]),
        places_of_birth: node.texts(&["placeOfBirthList", "placeOfBirthItem", "placeOfBirth"]),
        addresses: node
            .all(&["addressList", "address"])
            .map(address_line)
            .filter(|a| !a.is_empty())
            .collect(),
        ..Entry::default()
    };
    let countries = node
        .texts(&["nationalityList", "nationality", "country"])
        .into_iter()
        .chain(node.texts(&["citizenshipList", "citizenship", "country"]));
    for country in countries {
        push_unique(&mut entry.nationalities, &country);
    }
    for id in node.all(&["idList", "id"]) {
        add_id(
            &mut entry,
            id.child_text("idType").unwrap_or_default(),
            id.child_text("idNumber").unwrap_or_default(),
            id_note(id),
        );
    }
    if let Some(info) = node.child("vesselInfo") {
        set_vessel(&mut entry, info);
    }
    entry.linked_to = linked_to(entry.remarks.as_deref().unwrap_or_default());
    entry
}

/// The classic format has no relationship list; OFAC writes links into the remarks instead, as
/// `(Linked To: NATIONAL IRANIAN TANKER COMPANY)`.
fn linked_to(remarks: &str) -> Vec<String> {
    let mut names = Vec::new();
    for piece in remarks.split("Linked To:").skip(1) {
        let name = piece.split([')', ';']).next().unwrap_or_default().trim();
        push_unique(&mut names, name);
    }
    names
}

/// `a.k.a.` + `strong` → `aka`; `f.k.a.` → `fka`; a weak alias (OFAC's low-quality a.k.a.) is
/// marked so matching can weigh it less.
pub(super) fn alias_kind(alias_type: &str, category: &str) -> String {
    let kind: String = alias_type
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let kind = if kind.is_empty() { "aka".into() } else { kind };
    if category.eq_ignore_ascii_case("weak") {
        format!("weak-{kind}")
    } else {
        kind
    }
}

fn address_line(address: &Node) -> String {
    const PARTS: &[&str] = &[
        "address1",
        "address2",
        "address3",
        "city",
        "stateOrProvince",
        "postalCode",
        "country",
    ];
    PARTS
        .iter()
        .filter_map(|part| address.child_text(part))
        .collect::<Vec<_>>()
        .join(", ")
}

fn id_note(id: &Node) -> Option<String> {
    let parts: Vec<String> = [
        id.child_text("idCountry").map(str::to_string),
        id.child_text("issueDate").map(|d| format!("issued {d}")),
        id.child_text("expirationDate")
            .map(|d| format!("expires {d}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn set_vessel(entry: &mut Entry, info: &Node) {
    let text = |name: &str| info.child_text(name).map(str::to_string);
    let vessel = VesselInfo {
        call_sign: text("callSign"),
        vessel_type: text("vesselType"),
        tonnage: text("tonnage"),
        grt: text("grossRegisteredTonnage"),
        flag: text("vesselFlag"),
        owner: text("vesselOwner"),
    };
    if let Some(call_sign) = &vessel.call_sign {
        add_id(entry, "Call Sign", call_sign, None);
    }
    if vessel != VesselInfo::default() {
        entry.vessel = Some(Box::new(vessel));
    }
}

/// What an OFAC id type carries: a number a watch item can be matched on, or a statement
/// about the designation (directive determinations, secondary sanctions, former flags…).
#[derive(Debug, PartialEq, Eq)]
enum IdClass {
    Identifier(String),
    Statement(String),
}

/// id types that are statements although they do not end in `-` or `:` as most do.
const STATEMENT_TYPES: &[&str] = &[
    "former vessel flag",
    "other vessel flag",
    "nationality of registration",
    "gender",
    "target type",
    "organization established date",
    "issuer name",
];

fn classify_id_type(id_type: &str) -> IdClass {
    let lower = id_type.trim().to_ascii_lowercase();
    if lower.ends_with('-')
        || lower.ends_with(':')
        || lower.contains(" date")
        || STATEMENT_TYPES.contains(&lower.as_str())
    {
        return IdClass::Statement(statement_key(&lower));
    }
    let kind = match lower.as_str() {
        "vessel registration identification" | "imo" | "imo number" | "company imo" => "imo",
        "mmsi" => "mmsi",
        "call sign" | "vessel call sign" => "call-sign",
        "swift/bic" => "swift",
        "tax id no." => "tax-id",
        "national id no." => "national-id",
        "email address" => "email",
        _ if lower.contains("passport") => "passport",
        _ => return IdClass::Identifier(slug(&lower)),
    };
    IdClass::Identifier(kind.to_string())
}

/// The `extra` key a statement is kept under: `Former Vessel Flag` → `former_vessel_flag`.
pub(super) fn statement_key(statement_type: &str) -> String {
    slug(statement_type).replace('-', "_")
}

/// `Tax ID No.` → `tax-id-no`.
fn slug(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase()
}

/// Files one idList item (or an enhanced identity document or feature) into the entry.
pub(super) fn add_id(entry: &mut Entry, id_type: &str, number: &str, note: Option<String>) {
    let number = number.trim();
    if number.is_empty() {
        return;
    }
    match classify_id_type(id_type) {
        IdClass::Statement(key) => append_extra(&mut entry.extra, &key, number),
        IdClass::Identifier(kind) => {
            let value = match kind.as_str() {
                "imo" => ident::imo_value(number),
                _ => number.to_string(),
            };
            // A passport type with a qualifier (`Diplomatic Passport`) keeps it in the note.
            let note = if kind == "passport" && !id_type.eq_ignore_ascii_case("passport") {
                Some(match note {
                    Some(n) => format!("{id_type}; {n}"),
                    None => id_type.to_string(),
                })
            } else {
                note
            };
            entry.identifiers.push(Identifier { kind, value, note });
        }
    }
}

pub(super) fn append_extra(extra: &mut Fields, key: &str, value: &str) {
    match extra.get_mut(key) {
        Some(v) => {
            if !v.split("; ").any(|x| x == value) {
                v.push_str("; ");
                v.push_str(value);
            }
        }
        None => {
            extra.insert(key.to_string(), value.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_types_split_into_identifiers_and_statements() {
        let id = |t: &str| classify_id_type(t);
        assert_eq!(
            id("Vessel Registration Identification"),
            IdClass::Identifier("imo".into())
        );
        assert_eq!(id("MMSI"), IdClass::Identifier("mmsi".into()));
        assert_eq!(
            id("Diplomatic Passport"),
            IdClass::Identifier("passport".into())
        );
        assert_eq!(id("Tax ID No."), IdClass::Identifier("tax-id".into()));
        assert_eq!(
            id("UK Company Number"),
            IdClass::Identifier("uk-company-number".into())
        );
        assert_eq!(
            id("Additional Sanctions Information -"),
            IdClass::Statement("additional_sanctions_information".into())
        );
        assert_eq!(
            id("Former Vessel Flag"),
            IdClass::Statement("former_vessel_flag".into())
        );
    }

    #[test]
    fn alias_kinds_follow_type_and_category() {
        assert_eq!(alias_kind("a.k.a.", "strong"), "aka");
        assert_eq!(alias_kind("f.k.a.", "strong"), "fka");
        assert_eq!(alias_kind("A.K.A.", "weak"), "weak-aka");
        assert_eq!(alias_kind("n.k.a.", ""), "nka");
    }

    #[test]
    fn links_come_from_remarks() {
        assert_eq!(
            linked_to("(Linked To: NATIONAL IRANIAN TANKER COMPANY)"),
            ["NATIONAL IRANIAN TANKER COMPANY"]
        );
        assert!(linked_to("all offices worldwide").is_empty());
    }

    #[test]
    fn imo_keeps_digits_only() {
        let mut entry = Entry::default();
        add_id(
            &mut entry,
            "Vessel Registration Identification",
            "IMO 9187629",
            None,
        );
        assert_eq!(entry.identifiers_of("imo").collect::<Vec<_>>(), ["9187629"]);
    }
}
