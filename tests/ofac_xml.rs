//! OFAC classic XML (`ofac_xml`) and enhanced XML (`ofac_enhanced_xml`) on excerpts of the real
//! files, and on the full files when the shared data folder is there.

#[path = "support/data.rs"]
mod data;
#[path = "support/lists.rs"]
mod lists;

use lists::{aliases, entry};
use watchkeeper::domain::entry::{EntityKind, Entry, ListSnapshot};
use watchkeeper::sources::ParseError;

const CLASSIC: &str = include_str!("fixtures/ofac-xml/consolidated-excerpt.xml");
const ENHANCED: &str = include_str!("fixtures/ofac-enhanced-xml/cons-enhanced-excerpt.xml");

fn parse(kind: &str, bytes: &[u8]) -> Result<ListSnapshot, ParseError> {
    lists::parse(kind, &format!("https://example.org/{kind}.xml"), bytes)
}

fn classic(bytes: &[u8]) -> Result<ListSnapshot, ParseError> {
    parse("ofac_xml", bytes)
}

fn enhanced(bytes: &[u8]) -> Result<ListSnapshot, ParseError> {
    parse("ofac_enhanced_xml", bytes)
}

fn ids<'a>(entry: &'a Entry, kind: &'a str) -> Vec<&'a str> {
    entry.identifiers_of(kind).collect()
}

/// Every way of cutting the document short after its root opened must fail, naming the URL
/// and a byte position, and never yield the entries read so far.
fn assert_every_cut_fails(
    text: &str,
    root: &str,
    parse: fn(&[u8]) -> Result<ListSnapshot, ParseError>,
) {
    // From the root's name on; a cut before it leaves no sign of the format.
    let root_open = text.find(root).expect("root tag") + root.len();
    let end = text.trim_end().len();
    let step = ((end - root_open) / 150).max(1);
    let mut cuts = 0;
    for cut in (root_open..end).step_by(step).chain([end - 1, end / 2]) {
        match parse(&text.as_bytes()[..cut]) {
            Err(ParseError::Malformed { url, location, .. }) => {
                assert!(url.starts_with("https://example.org/"), "url {url}");
                assert!(location.starts_with("byte "), "location {location}");
            }
            Err(other) => panic!("cut at {cut}: expected Malformed, got {other}"),
            Ok(list) => panic!("cut at {cut}: parsed {} entries", list.entries.len()),
        }
        cuts += 1;
    }
    assert!(cuts > 50, "only {cuts} cuts tried");
}

// ---------------------------------------------------------------- classic XML (sdnList)

#[test]
fn classic_header_gives_publication_date_and_record_count() {
    let list = classic(CLASSIC.as_bytes()).unwrap();
    assert_eq!(list.published.as_deref(), Some("2018-04-06"));
    // The excerpt keeps the real header, which states the full file's count.
    assert_eq!(list.stated_count, Some(639));
    let ids: Vec<&str> = list.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["4637", "9639", "15960", "16134", "15036", "15037"]);
}

#[test]
fn classic_vessel_carries_imo_mmsi_former_names_and_particulars() {
    let list = classic(CLASSIC.as_bytes()).unwrap();
    let shona = entry(&list.entries, "15036");
    assert_eq!(shona.kind, EntityKind::Vessel);
    assert_eq!(shona.name, "SHONA");
    assert_eq!(aliases(shona, "fka"), ["ABADAN", "ALPHA"]);
    assert_eq!(ids(shona, "imo"), ["9187629"]);
    assert_eq!(ids(shona, "mmsi"), ["572469210"]);
    assert_eq!(ids(shona, "call-sign"), ["T2EU4"]);
    let vessel = shona.vessel.as_ref().expect("vesselInfo");
    assert_eq!(vessel.flag.as_deref(), Some("Tanzania"));
    assert_eq!(
        vessel.vessel_type.as_deref(),
        Some("Crude/Oil Products Tanker")
    );
    assert_eq!(vessel.tonnage.as_deref(), Some("99144"));
    assert_eq!(vessel.grt.as_deref(), Some("56068"));
    assert_eq!(shona.programs, ["IRAN"]);
    assert_eq!(shona.linked_to, ["NATIONAL IRANIAN TANKER COMPANY"]);
    assert_eq!(
        shona.extra.get("former_vessel_flag").map(String::as_str),
        Some("Malta; Tuvalu; None Identified")
    );
    assert_eq!(
        shona.url.as_deref(),
        Some("https://sanctionssearch.ofac.treas.gov/Details.aspx?id=15036")
    );
    // Statements about the designation are not identifiers a watch item could match.
    assert!(shona
        .identifiers
        .iter()
        .all(|i| !i.value.starts_with("Not on the SDN List")));

    let sundial = entry(&list.entries, "15037");
    assert_eq!(ids(sundial, "imo"), ["9187655"]);
}

#[test]
fn classic_individual_has_last_first_name_aliases_and_birth() {
    let list = classic(CLASSIC.as_bytes()).unwrap();
    let haniya = entry(&list.entries, "9639");
    assert_eq!(haniya.kind, EntityKind::Person);
    assert_eq!(haniya.name, "HANIYA, Ismail Abdul Salah");
    assert_eq!(
        aliases(haniya, "aka"),
        ["HANIYA, Ismail", "HANIYYA, Ismaeel"]
    );
    assert_eq!(haniya.dates_of_birth, ["1962"]);
    assert_eq!(haniya.places_of_birth, ["Shati"]);
    assert_eq!(haniya.programs, ["NS-PLC"]);

    let seyyedi = entry(&list.entries, "16134");
    assert_eq!(seyyedi.name, "SEYYEDI, Seyed Nasser Mohammad");
    assert_eq!(
        ids(seyyedi, "passport"),
        ["L18507193", "X95321252", "B14354139"]
    );
    assert_eq!(seyyedi.identifiers[0].note.as_deref(), Some("Iran"));
    assert_eq!(seyyedi.nationalities, ["Iran"]);
    assert_eq!(seyyedi.dates_of_birth, ["21 Apr 1963"]);
    assert_eq!(seyyedi.titles, ["Managing Director, Sima General Trading"]);
}

#[test]
fn classic_entity_has_weak_alias_and_addresses() {
    let list = classic(CLASSIC.as_bytes()).unwrap();
    let bank = entry(&list.entries, "4637");
    assert_eq!(bank.kind, EntityKind::Organization);
    assert_eq!(bank.name, "BANK OF INDUSTRY AND MINE (OF IRAN)");
    assert_eq!(aliases(bank, "weak-aka"), ["BIM"]);
    assert!(
        bank.addresses.iter().any(|a| a.ends_with(", Tehran, Iran")),
        "{:?}",
        bank.addresses
    );
}

#[test]
fn classic_truncated_document_is_malformed() {
    assert_every_cut_fails(CLASSIC, "<sdnList", classic);
}

#[test]
fn classic_other_root_or_no_entries_is_wrong_format() {
    for doc in [
        ENHANCED.to_string(),
        "<html><body>Service unavailable</body></html>".into(),
        String::new(),
        format!(
            "{}</sdnList>",
            &CLASSIC[..CLASSIC.find("  <sdnEntry>").unwrap()]
        ),
    ] {
        match classic(doc.as_bytes()) {
            Err(ParseError::WrongFormat { url, .. }) => assert!(url.contains("ofac_xml")),
            other => panic!("expected WrongFormat, got {other:?}"),
        }
    }
}

#[test]
fn classic_unknown_elements_are_ignored() {
    let original = classic(CLASSIC.as_bytes()).unwrap();
    let extended = CLASSIC
        .replacen(
            "<sdnEntry>",
            "<sdnEntry>\r\n    <riskScore><value>7</value></riskScore><flagged/>",
            3,
        )
        .replace(
            "</publshInformation>",
            "</publshInformation>\r\n  <disclaimer lang=\"en\">new</disclaimer>",
        );
    let list = classic(extended.as_bytes()).unwrap();
    assert_eq!(list.entries, original.entries);
}

#[test]
fn classic_full_file_counts_match_independent_counts() {
    let Some(bytes) = data::real_file("ofac-consolidated-xml/2018-04/consolidated.xml") else {
        return;
    };
    let text = String::from_utf8(bytes).unwrap();
    let list = classic(text.as_bytes()).unwrap();
    let stated: usize = between(&text, "<Record_Count>", "</Record_Count>")
        .parse()
        .unwrap();

    assert_eq!(list.entries.len(), text.matches("<sdnEntry>").count());
    assert_eq!(list.entries.len(), stated);
    assert_eq!(list.stated_count, Some(stated));
    let count = |kind| list.entries.iter().filter(|e| e.kind == kind).count();
    assert_eq!(
        count(EntityKind::Vessel),
        text.matches("<sdnType>Vessel</sdnType>").count()
    );
    assert_eq!(
        count(EntityKind::Person),
        text.matches("<sdnType>Individual</sdnType>").count()
    );
    let total = |kind: &str| {
        list.entries
            .iter()
            .map(|e| e.identifiers_of(kind).count())
            .sum::<usize>()
    };
    let imo_in_text = text.matches("<idNumber>IMO ").count();
    assert_eq!(total("imo"), imo_in_text);
    assert_eq!(
        imo_in_text,
        text.matches("<idType>Vessel Registration Identification</idType>")
            .count()
    );
    assert_eq!(total("mmsi"), text.matches("<idType>MMSI</idType>").count());
    let alias_total: usize = list.entries.iter().map(|e| e.aliases.len()).sum();
    assert_eq!(alias_total, text.matches("<aka>").count());
    // Every vessel on this list has an IMO number that passes through as seven digits.
    assert!(list
        .entries
        .iter()
        .filter(|e| e.kind == EntityKind::Vessel)
        .all(|e| e.identifiers_of("imo").any(|v| v.len() == 7)));
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).expect("open tag") + open.len();
    let len = text[start..].find(close).expect("close tag");
    &text[start..start + len]
}

// ---------------------------------------------------------------- enhanced XML (sanctionsData)

#[test]
fn enhanced_publication_date_and_entities() {
    let list = enhanced(ENHANCED.as_bytes()).unwrap();
    assert_eq!(list.published.as_deref(), Some("2025-01-10T00:00:00"));
    assert_eq!(list.stated_count, None);
    let ids: Vec<&str> = list.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["9639", "9647", "26182", "17013"]);
}

#[test]
fn enhanced_individual_has_aliases_birth_nationality_links_and_listing_date() {
    let list = enhanced(ENHANCED.as_bytes()).unwrap();
    let zahhar = entry(&list.entries, "9647");
    assert_eq!(zahhar.kind, EntityKind::Person);
    assert_eq!(zahhar.name, "ZAHHAR, Mahmoud Khaled");
    assert_eq!(aliases(zahhar, "aka"), ["AL ZAHAR, Mahmoud Khaled"]);
    assert_eq!(
        aliases(zahhar, "weak-aka"),
        ["ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud"]
    );
    assert_eq!(zahhar.dates_of_birth, ["1945"]);
    assert_eq!(zahhar.places_of_birth, ["Gaza Strip"]);
    assert_eq!(zahhar.nationalities, ["Palestinian"]);
    assert_eq!(zahhar.programs, ["NS-PLC", "SDGT"]);
    assert_eq!(zahhar.linked_to, ["HAMAS"]);
    assert_eq!(zahhar.listed_on.as_deref(), Some("2006-04-12"));
    assert_eq!(zahhar.extra.get("gender").map(String::as_str), Some("Male"));
    assert_eq!(
        zahhar.url.as_deref(),
        Some("https://sanctionssearch.ofac.treas.gov/Details.aspx?id=9647")
    );

    let kayakiran = entry(&list.entries, "26182");
    assert_eq!(ids(kayakiran, "passport"), ["U00242309"]);
    assert_eq!(kayakiran.identifiers[0].note.as_deref(), Some("Turkey"));
    assert_eq!(kayakiran.dates_of_birth, ["08 Feb 1980"]);
}

#[test]
fn enhanced_entity_has_original_script_documents_and_addresses() {
    let list = enhanced(ENHANCED.as_bytes()).unwrap();
    let vtb = entry(&list.entries, "17013");
    assert_eq!(vtb.kind, EntityKind::Organization);
    assert_eq!(vtb.name, "VTB BANK PUBLIC JOINT STOCK COMPANY");
    assert!(aliases(vtb, "original-script").contains(&"БАНК ВТБ ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО"));
    assert!(aliases(vtb, "fka").contains(&"VNESHTORGBANK ROSSII CLOSED JOINT STOCK COMPANY"));
    assert_eq!(ids(vtb, "swift"), ["VTBRRUMM"]);
    assert_eq!(ids(vtb, "tax-id"), ["7702070139"]);
    assert!(vtb
        .addresses
        .contains(&"29, Bolshaya Morskaya str., St. Petersburg, 190000, Russia".to_string()));
}

#[test]
fn enhanced_types_given_only_by_reference_are_resolved() {
    let original = enhanced(ENHANCED.as_bytes()).unwrap();
    // The same document with the inline type texts removed: only the reference ids remain.
    let by_reference = ENHANCED
        .replace(
            r#"<entityType refId="600">Individual</entityType>"#,
            r#"<entityType refId="600"/>"#,
        )
        .replace(
            r#"<type featureTypeId="8">Birthdate</type>"#,
            r#"<type featureTypeId="8"></type>"#,
        )
        .replace(
            r#"<aliasType refId="1400">A.K.A.</aliasType>"#,
            r#"<aliasType refId="1400"/>"#,
        );
    assert_ne!(by_reference, ENHANCED);
    let list = enhanced(by_reference.as_bytes()).unwrap();
    assert_eq!(list.entries, original.entries);
}

#[test]
fn enhanced_reference_tables_after_entities_are_still_used() {
    let original = enhanced(ENHANCED.as_bytes()).unwrap();
    let start = ENHANCED.find("  <referenceValues>").unwrap();
    let end = ENHANCED.find("  <entities>").unwrap();
    let tables = &ENHANCED[start..end];
    let moved = ENHANCED
        .replace(tables, "")
        .replace("</sanctionsData>", &format!("{tables}</sanctionsData>"))
        .replace(
            r#"<entityType refId="600">Individual</entityType>"#,
            r#"<entityType refId="600"/>"#,
        );
    let list = enhanced(moved.as_bytes()).unwrap();
    assert_eq!(list.entries, original.entries);
}

#[test]
fn enhanced_truncated_document_is_malformed() {
    assert_every_cut_fails(ENHANCED, "<sanctionsData", enhanced);
}

#[test]
fn enhanced_other_root_or_no_entities_is_wrong_format() {
    let start = ENHANCED.find("    <entity ").unwrap();
    let end = ENHANCED.find("  </entities>").unwrap();
    for doc in [
        CLASSIC.to_string(),
        format!("{}{}", &ENHANCED[..start], &ENHANCED[end..]),
    ] {
        match enhanced(doc.as_bytes()) {
            Err(ParseError::WrongFormat { url, .. }) => assert!(url.contains("ofac_enhanced_xml")),
            other => panic!("expected WrongFormat, got {other:?}"),
        }
    }
}

#[test]
fn enhanced_full_file_counts_match_independent_counts() {
    let Some(bytes) = data::real_file("ofac-enhanced-xml/2025-01/CONS_ENHANCED.XML") else {
        return;
    };
    let text = String::from_utf8(bytes).unwrap();
    let list = enhanced(text.as_bytes()).unwrap();
    let entities = &text[text.find("<entities>").unwrap()..];

    assert_eq!(list.entries.len(), text.matches("<entity ").count());
    let count = |kind| list.entries.iter().filter(|e| e.kind == kind).count();
    assert_eq!(
        count(EntityKind::Person),
        entities.matches(">Individual</entityType>").count()
    );
    assert_eq!(
        count(EntityKind::Organization),
        entities.matches(">Entity</entityType>").count()
    );
    assert_eq!(
        count(EntityKind::Vessel),
        entities.matches(">Vessel</entityType>").count()
    );
    let total = |kind: &str| {
        list.entries
            .iter()
            .map(|e| e.identifiers_of(kind).count())
            .sum::<usize>()
    };
    assert_eq!(
        total("imo"),
        entities
            .matches(">Vessel Registration Identification</type>")
            .count()
    );
    assert_eq!(
        total("passport"),
        entities.matches("Passport</type>").count()
    );
    assert_eq!(
        total("swift"),
        entities.matches(">SWIFT/BIC</type>").count()
    );
    let primary_names = list.entries.iter().filter(|e| !e.name.is_empty()).count();
    assert_eq!(primary_names, list.entries.len());
    let names_total: usize = list.entries.iter().map(|e| 1 + e.aliases.len()).sum();
    assert_eq!(names_total, entities.matches("<formattedFullName>").count());
    let dobs: usize = list.entries.iter().map(|e| e.dates_of_birth.len()).sum();
    assert_eq!(dobs, entities.matches(">Birthdate</type>").count());
}
