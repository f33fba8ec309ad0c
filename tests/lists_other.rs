//! EU FSF XML, UK Sanctions List XML, Canada SEMA XML, US CSL CSV and OpenSanctions FtM NDJSON,
//! on excerpts of the real files (tests/fixtures) and, where present, on the full real files.

#[path = "support/data.rs"]
mod data;
#[path = "support/lists.rs"]
mod lists;

use data::real_file;
use lists::entry;

use watchkeeper::domain::digest::StoredDigest;
use watchkeeper::domain::entry::{EntityKind, Entry, ListSnapshot};
use watchkeeper::sources::opensanctions_ftm::{parse_delta, DeltaOp};
use watchkeeper::sources::{format_for, Body, FormatOptions, ParseError, Parsed};

fn fixture(path: &str) -> Vec<u8> {
    let full = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    std::fs::read(format!("{full}{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn body(url: &str, bytes: Vec<u8>) -> Body {
    Body {
        resource: String::new(),
        url: url.into(),
        bytes,
        content_type: None,
    }
}

fn parse(kind: &str, url: &str, bytes: Vec<u8>) -> Result<ListSnapshot, ParseError> {
    lists::parse(kind, url, &bytes)
}

fn ok(kind: &str, path: &str) -> ListSnapshot {
    parse(kind, path, fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn alias_kind<'a>(e: &'a Entry, name: &str) -> &'a str {
    e.aliases
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.kind.as_str())
        .unwrap_or_else(|| panic!("{}: no alias {name:?}", e.id))
}

fn count_of(s: &ListSnapshot, kind: EntityKind) -> usize {
    s.entries.iter().filter(|e| e.kind == kind).count()
}

fn with_imo(s: &ListSnapshot) -> usize {
    s.entries
        .iter()
        .filter(|e| e.identifiers_of("imo").next().is_some())
        .count()
}

/// Cuts a document in the middle (inside a record) and checks it is refused with a position.
fn assert_truncation_refused(kind: &str, bytes: &[u8]) {
    let cut = bytes.len() * 2 / 3;
    let url = "https://example.org/list";
    match parse(kind, url, bytes[..cut].to_vec()) {
        Err(ParseError::Malformed {
            url: u, location, ..
        }) => {
            assert_eq!(u, url);
            assert!(
                location.starts_with("byte ") || location.starts_with("line "),
                "{location}"
            );
        }
        other => panic!("{kind}: truncated document gave {other:?}"),
    }
}

fn assert_wrong_format(kind: &str, bytes: &[u8]) {
    match parse(kind, "https://example.org/x", bytes.to_vec()) {
        Err(ParseError::WrongFormat { .. }) => {}
        other => panic!("{kind}: expected WrongFormat, got {other:?}"),
    }
}

// ---------------------------------------------------------------- EU FSF

const EU: &str = "eu-fsf-xml/eu-fsf.excerpt.xml";

#[test]
fn eu_person_names_identifiers_and_dates() {
    let s = ok("eu_fsf_xml", EU);
    assert_eq!(s.entries.len(), 2);
    assert_eq!(
        s.published.as_deref(),
        Some("2026-08-05T16:47:04.449+02:00")
    );
    let ksm = entry(&s.entries, "EU.3579.2");
    assert_eq!(ksm.kind, EntityKind::Person);
    // The structured alias (first and last name given) is the primary one, not the first listed.
    assert_eq!(ksm.name, "Khalid Sheikh MOHAMMED");
    assert_eq!(alias_kind(ksm, "Bin Khalid Fahd Bin Adballah"), "strong");
    assert_eq!(ksm.aliases.len(), 6);
    assert_eq!(ksm.programs, ["TERR"]);
    assert_eq!(
        ksm.identifiers_of("passport").collect::<Vec<_>>(),
        ["488555"]
    );
    assert_eq!(ksm.dates_of_birth, ["1965-04-14", "1964-03-01"]);
    assert_eq!(
        ksm.url.as_deref(),
        Some("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=OJ:L_202500206")
    );

    let jan = entry(&s.entries, "EU.502.12");
    assert_eq!(jan.listed_on.as_deref(), Some("2001-01-25"));
    assert_eq!(jan.nationalities, ["AFGHANISTAN"]);
    assert_eq!(jan.dates_of_birth, ["circa between 1953 and 1958"]);
    assert!(jan.places_of_birth[0].starts_with("Tirin Kot District"));
    assert!(jan
        .titles
        .contains(&"Minister of Water and Electricity under the Taliban regime".to_string()));
    assert!(jan
        .remarks
        .as_deref()
        .unwrap()
        .contains("Afghanistan/ Pakistan"));
}

#[test]
fn eu_truncated_wrong_root_and_empty_are_refused() {
    let bytes = fixture(EU);
    assert_truncation_refused("eu_fsf_xml", &bytes);
    assert_wrong_format(
        "eu_fsf_xml",
        &fixture("uk-sanctions-list-xml/UK_Sanctions_List.excerpt.xml"),
    );
    assert_wrong_format(
        "eu_fsf_xml",
        br#"<?xml version="1.0"?><export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-08-05"></export>"#,
    );
    assert_wrong_format("eu_fsf_xml", b"<html><body>Maintenance</body></html>");
}

#[test]
fn eu_imo_identification_of_a_vessel() {
    // Constructed: the excerpt has no vessel. Attributes as the FSF 1.1 schema names them.
    let doc = br#"<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-01-01">
<sanctionEntity euReferenceNumber="EU.1.1" logicalId="1"><subjectType code="enterprise" classificationCode="E"/>
<nameAlias wholeName="Ship Owner Ltd" nameLanguage="" strong="true"/>
<identification number="IMO 5342883" identificationTypeCode="imo" countryDescription="UNKNOWN"/>
</sanctionEntity></export>"#;
    let s = parse("eu_fsf_xml", "x", doc.to_vec()).unwrap();
    assert_eq!(s.entries[0].kind, EntityKind::Organization);
    assert_eq!(
        s.entries[0].identifiers_of("imo").collect::<Vec<_>>(),
        ["5342883"]
    );
}

// ---------------------------------------------------------------- UK

const UK: &str = "uk-sanctions-list-xml/UK_Sanctions_List.excerpt.xml";

#[test]
fn uk_kinds_names_aliases_and_details() {
    let s = ok("uk_sanctions_xml", UK);
    assert_eq!(s.entries.len(), 5);
    assert_eq!(s.published.as_deref(), Some("2026-09-10"));
    assert_eq!(count_of(&s, EntityKind::Person), 2);
    assert_eq!(count_of(&s, EntityKind::Organization), 2);

    let akhund = entry(&s.entries, "AFG0006");
    assert_eq!(akhund.name, "MOHAMMAD HASSAN AKHUND");
    assert_eq!(alias_kind(akhund, "Mohammad Akhwand"), "variation");
    assert_eq!(alias_kind(akhund, "محمد حسن آخوند"), "original-script");
    assert_eq!(akhund.dates_of_birth, ["1958-05-12", "1945", "1946"]);
    assert_eq!(akhund.nationalities, ["Afghanistan"]);
    // The list repeats the passport; one identifier is enough.
    assert_eq!(
        akhund.identifiers_of("passport").collect::<Vec<_>>(),
        ["P04581926"]
    );
    assert_eq!(
        akhund.identifiers_of("national-id").collect::<Vec<_>>(),
        ["2132370"]
    );
    assert_eq!(akhund.listed_on.as_deref(), Some("2001-01-25"));
    assert_eq!(
        akhund.programs,
        ["The Afghanistan (Sanctions) (EU Exit) Regulations 2020"]
    );
    assert_eq!(
        akhund.extra.get("ofsi_group_id").map(String::as_str),
        Some("7172")
    );

    let bnk = entry(&s.entries, "BEL0107");
    assert_eq!(alias_kind(bnk, "BNK UK Limited"), "good");
    assert_eq!(alias_kind(bnk, "BNK"), "low");
    assert_eq!(
        bnk.addresses,
        ["Salatin House, 19 Cedar Road, Sutton, Surrey, SM2 5DA, United Kingdom"]
    );
    assert!(bnk.linked_to.contains(&"Belneftekhim".to_string()));
}

#[test]
fn uk_ship_with_imo() {
    let s = ok("uk_sanctions_xml", UK);
    let ship = entry(&s.entries, "DPR0075");
    assert_eq!(ship.kind, EntityKind::Vessel);
    assert_eq!(ship.name, "Petrel 8");
    assert_eq!(alias_kind(ship, "Tian Tai 36"), "aka");
    assert_eq!(ship.identifiers_of("imo").collect::<Vec<_>>(), ["9562233"]);
    let v = ship.vessel.as_ref().expect("vessel details");
    assert_eq!(v.flag.as_deref(), Some("Comoros"));
    assert_eq!(v.vessel_type.as_deref(), Some("Bulk Carrier"));
    assert_eq!(v.owner.as_deref(), Some("Global United Shipping India"));
    assert_eq!(v.tonnage.as_deref(), Some("7078"));
    assert_eq!(with_imo(&s), 1);
}

#[test]
fn uk_truncated_wrong_root_and_empty_are_refused() {
    assert_truncation_refused("uk_sanctions_xml", &fixture(UK));
    assert_wrong_format("uk_sanctions_xml", &fixture(EU));
    assert_wrong_format(
        "uk_sanctions_xml",
        b"<Designations><DateGenerated>10/09/2026</DateGenerated></Designations>",
    );
}

// ---------------------------------------------------------------- Canada SEMA

const CA: &str = "ca-sema-xml/sema-lmes.excerpt.xml";

#[test]
fn ca_people_and_entities_with_derived_ids() {
    let s = ok("ca_sema_xml", CA);
    assert_eq!(s.entries.len(), 10);
    let air = entry(&s.entries, "Burma / Birmanie|1|1");
    assert_eq!(air.kind, EntityKind::Organization);
    assert_eq!(air.name, "Air Bagan");
    assert_eq!(alias_kind(air, "Air Bagan Holdings Pte. Ltd."), "aka");
    assert_eq!(alias_kind(air, "Air Bagan Limited"), "aka");
    assert_eq!(air.programs, ["Burma / Birmanie"]);

    let salyaev = entry(&s.entries, "Russia / Russie|1|112");
    assert_eq!(salyaev.kind, EntityKind::Person);
    assert_eq!(salyaev.name, "Aleksey Mikhailovich SALYAEV");
    assert_eq!(salyaev.dates_of_birth, ["1975-12-04"]);
    assert_eq!(salyaev.aliases.len(), 3);

    // Two candidate dates of birth in one field.
    let s2 = s
        .entries
        .iter()
        .find(|e| e.name.contains("ABAHUSSAIN"))
        .unwrap();
    assert_eq!(s2.dates_of_birth, ["1972-08-10", "1972-08-11"]);
    // A no-break space and a trailing space in Country do not leak into the id.
    assert!(s2.id.starts_with(
        "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR) / Règlement"
    ));
    assert!(s.entries.iter().any(|e| e.id == "Venezuela||55"));
    let syria = entry(&s.entries, "Syria / Syrie|2|60");
    assert_eq!(syria.titles, ["Major General/major-général"]);
    let demco = entry(&s.entries, "Iran|1|9");
    assert_eq!(
        demco.name,
        "DEMCO, Designing Engineering & Manufacturing Co."
    );
}

#[test]
fn ca_ship_record_of_later_releases() {
    // Constructed: the 2020 file has no ships; element names as later releases use them.
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><data-set><record>\
        <Country>Russia / Russie</Country><EntityOrShip>ARTAVIL</EntityOrShip>\
        <TitleOrShip>Crude oil tanker</TitleOrShip><ShipIMONumber>9187629</ShipIMONumber>\
        <DateOfBirthOrShipBuildDate>1999</DateOfBirthOrShipBuildDate><Schedule>1, Part 7</Schedule>\
        <Item>12</Item><DateOfListing>2025-02-24</DateOfListing></record></data-set>";
    let s = parse("ca_sema_xml", "x", doc.as_bytes().to_vec()).unwrap();
    let ship = &s.entries[0];
    assert_eq!(ship.kind, EntityKind::Vessel);
    assert_eq!(ship.identifiers_of("imo").collect::<Vec<_>>(), ["9187629"]);
    assert_eq!(ship.listed_on.as_deref(), Some("2025-02-24"));
    assert!(ship.dates_of_birth.is_empty());
    assert_eq!(ship.id, "Russia / Russie|1, Part 7|12");
}

#[test]
fn ca_truncated_wrong_root_and_empty_are_refused() {
    assert_truncation_refused("ca_sema_xml", &fixture(CA));
    assert_wrong_format("ca_sema_xml", &fixture(UK));
    assert_wrong_format("ca_sema_xml", b"<data-set></data-set>");
}

#[test]
fn ca_full_file_counts() {
    let Some(bytes) = real_file("ca-sema-xml/2020-04/sema-lmes.xml") else {
        return;
    };
    let text = String::from_utf8(bytes.clone()).unwrap();
    let records = text.matches("<record>").count();
    let entities = text.matches("<Entity>").count();
    let s = parse("ca_sema_xml", "sema", bytes).unwrap();
    assert_eq!(s.entries.len(), records);
    assert_eq!(count_of(&s, EntityKind::Organization), entities);
    let ids: std::collections::HashSet<&str> = s.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), records, "derived ids must be unique");
    assert_eq!(with_imo(&s), text.matches("<ShipIMONumber>").count());
}

// ---------------------------------------------------------------- US CSL

const CSL: &str = "us-csl-csv/csl.excerpt.csv";

#[test]
fn csl_vessels_ids_and_sub_lists() {
    let s = ok("us_csl_csv", CSL);
    // 12 lines: the header, its repetition (as in the real export), 10 rows.
    assert_eq!(s.entries.len(), 10);
    let ebano = entry(&s.entries, "SDN:4243");
    assert_eq!(ebano.kind, EntityKind::Vessel);
    assert_eq!(ebano.identifiers_of("imo").collect::<Vec<_>>(), ["7406784"]);
    assert_eq!(alias_kind(ebano, "SAND SWAN"), "aka");
    let v = ebano.vessel.as_ref().unwrap();
    assert_eq!(v.flag.as_deref(), Some("Panama"));
    assert_eq!(v.vessel_type.as_deref(), Some("General Cargo"));
    assert_eq!(v.tonnage.as_deref(), Some("2595"));
    assert_eq!(v.grt.as_deref(), Some("1865"));
    assert_eq!(ebano.programs, ["SDN", "CUBA"]);
    assert_eq!(count_of(&s, EntityKind::Vessel), 3);
    assert_eq!(with_imo(&s), 2);
    let tug = entry(&s.entries, "SDN:4238");
    assert_eq!(
        tug.identifiers_of("call-sign").collect::<Vec<_>>(),
        ["CL2192"]
    );
    assert_eq!(
        tug.vessel.as_ref().unwrap().owner.as_deref(),
        Some("Samir de Navegacion S.A.")
    );

    // The same _id on two sub-lists stays two entries.
    assert_eq!(entry(&s.entries, "SSI:17014").programs[0], "SSI");
    assert_eq!(
        entry(&s.entries, "NS-MBS List:17014").programs[0],
        "NS-MBS List"
    );

    let zubaydah = entry(&s.entries, "SDN:6905");
    assert_eq!(zubaydah.kind, EntityKind::Person);
    assert_eq!(zubaydah.aliases.len(), 5);
    assert_eq!(zubaydah.dates_of_birth, ["1971-03-12"]);
    assert_eq!(zubaydah.nationalities, ["PS"]);
    assert_eq!(zubaydah.places_of_birth, ["Riyadh, Saudi Arabia"]);
    let passport = &zubaydah.identifiers[0];
    assert_eq!(
        (passport.kind.as_str(), passport.value.as_str()),
        ("passport", "484824")
    );
    assert_eq!(passport.note.as_deref(), Some("EG, 18 Jan 1984"));
    assert_eq!(
        zubaydah.extra.get("gender").map(String::as_str),
        Some("Male")
    );

    let cmic = entry(&s.entries, "CMIC:30882");
    assert!(cmic.identifiers_of("isin").any(|v| v == "US1694261033"));
    assert_eq!(
        cmic.extra.get("listing-date-cmic").map(String::as_str),
        Some("2021-06-03")
    );
    let el = s.entries.iter().find(|e| e.programs[0] == "EL").unwrap();
    assert_eq!(el.kind, EntityKind::Unknown);
}

#[test]
fn csl_truncated_and_wrong_format_are_refused() {
    let bytes = fixture(CSL);
    assert_truncation_refused("us_csl_csv", &bytes);
    // Cut inside the last quoted field: same field count, but the quote never closes.
    let mut cut = bytes.clone();
    while cut.last() != Some(&b'"') {
        cut.pop();
    }
    cut.truncate(cut.len() - 5);
    assert!(matches!(
        parse("us_csl_csv", "u", cut),
        Err(ParseError::Malformed { .. })
    ));
    assert_wrong_format("us_csl_csv", &fixture(EU));
    let header_only = bytes.split(|b| *b == b'\n').next().unwrap().to_vec();
    assert_wrong_format("us_csl_csv", &header_only);
}

#[test]
fn csl_full_file_counts() {
    let Some(bytes) = real_file("us-csl-csv/2023-11/csl.csv") else {
        return;
    };
    // The 2023 copy ends inside its last record: refused as a whole, naming the line.
    match parse("us_csl_csv", "csl", bytes.clone()) {
        Err(ParseError::Malformed { location, .. }) => assert!(location.starts_with("line ")),
        other => panic!("truncated real file gave {other:?}"),
    }
    // Independently: rows of the full header width, minus the repeated header; the file is
    // then cut before its incomplete last record.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    let (mut rows, mut vessels, mut imo, mut complete_end) = (0, 0, 0, 0);
    for record in reader.records() {
        let record = record.unwrap();
        if record.len() != header.len() {
            break;
        }
        complete_end = record.position().unwrap().byte() as usize;
        if record == header {
            continue;
        }
        rows += 1;
        vessels += usize::from(&record[3] == "Vessel");
        imo += usize::from(record[28].contains(", IMO "));
    }
    let next_line = bytes[complete_end..]
        .iter()
        .position(|b| *b == b'\n')
        .unwrap();
    let complete = bytes[..complete_end + next_line + 1].to_vec();
    let s = parse("us_csl_csv", "csl", complete).unwrap();
    assert_eq!(s.entries.len(), rows);
    assert_eq!(count_of(&s, EntityKind::Vessel), vessels);
    assert_eq!(with_imo(&s), imo);
    let ids: std::collections::HashSet<&str> = s.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), rows, "ids must be unique");
}

// ---------------------------------------------------------------- OpenSanctions FtM

const FTM: &str = "opensanctions-ftm/entities.ftm.json";

#[test]
fn ftm_entities_become_entries_and_addresses_do_not() {
    let s = ok("opensanctions_ftm", FTM);
    // 7 lines: 4 Person, 2 Organization, 1 Address.
    assert_eq!(s.entries.len(), 6);
    assert_eq!(count_of(&s, EntityKind::Person), 4);
    let k = entry(&s.entries, "NK-2Ka3UvopqbpZmVDFjWd4LA");
    assert_eq!(k.name, "Vitaly Yurievich KUZMENKO");
    assert_eq!(alias_kind(k, "Виталий Юрьевич КУЗЬМЕНКО"), "aka");
    assert_eq!(k.dates_of_birth, ["1971-01-22"]);
    assert_eq!(k.nationalities, ["ru"]);
    assert_eq!(
        k.identifiers_of("tax-id").collect::<Vec<_>>(),
        ["366510784303"]
    );
    assert_eq!(k.listed_on.as_deref(), Some("2024-02-23"));
    assert_eq!(k.extra.get("topics").map(String::as_str), Some("sanction"));
    let irgc = entry(&s.entries, "NK-2PacmNpiLUmoz4XD2mSt7A");
    assert_eq!(irgc.kind, EntityKind::Organization);
}

#[test]
fn ftm_vessel_sanction_and_address_are_folded_in() {
    // Constructed lines in the FtM shape: a Vessel, its Address and its Sanction.
    let doc = r#"{"id":"v1","caption":"ARTAVIL","schema":"Vessel","properties":{"name":["ARTAVIL"],"previousName":["ALPHA"],"imoNumber":["IMO 9187629"],"mmsi":["273123456"],"flag":["ru"],"type":["Crude Oil Tanker"],"addressEntity":["a1"],"sourceUrl":["https://sanctionssearch.ofac.treas.gov/Details.aspx?id=1"]}}
{"id":"a1","schema":"Address","properties":{"full":["Novorossiysk, Russia"]}}
{"id":"s1","schema":"Sanction","properties":{"entity":["v1"],"program":["RUSSIA-EO14024"],"listingDate":["2024-01-05"]}}
"#;
    let s = parse("opensanctions_ftm", "x", doc.as_bytes().to_vec()).unwrap();
    assert_eq!(s.entries.len(), 1);
    let v = &s.entries[0];
    assert_eq!(v.kind, EntityKind::Vessel);
    assert_eq!(v.identifiers_of("imo").collect::<Vec<_>>(), ["9187629"]);
    assert_eq!(v.identifiers_of("mmsi").collect::<Vec<_>>(), ["273123456"]);
    assert_eq!(alias_kind(v, "ALPHA"), "fka");
    assert_eq!(v.addresses, ["Novorossiysk, Russia"]);
    assert_eq!(v.programs, ["RUSSIA-EO14024"]);
    assert_eq!(v.listed_on.as_deref(), Some("2024-01-05"));
    assert_eq!(v.vessel.as_ref().unwrap().flag.as_deref(), Some("ru"));
    assert!(v.url.as_deref().unwrap().contains("Details.aspx"));
}

#[test]
fn ftm_delta_parses_to_its_operations() {
    let delta = fixture("opensanctions-ftm/20240527194702-wnk.entities.delta.json");
    let format = format_for("opensanctions_ftm", &FormatOptions::default()).unwrap();
    match format.parse(&[body("d", delta.clone())]) {
        Ok(Parsed::Delta(ops)) => assert_eq!(ops.len(), 2),
        other => panic!("{other:?}"),
    }
    let ops = parse_delta(&body("d", delta)).unwrap();
    assert_eq!(ops.len(), 2);
    assert!(ops.iter().all(|op| matches!(op, DeltaOp::Add(_))));
    let DeltaOp::Add(first) = &ops[0] else {
        unreachable!()
    };
    assert_eq!(first.name, "AL-QAIDA IN IRAQ");
    assert!(first.aliases.iter().any(|a| a.kind == "weak"));

    let del = parse_delta(&body(
        "d",
        fixture("opensanctions-ftm/20240528074703-npf.entities.delta.json"),
    ))
    .unwrap();
    assert_eq!(del, [DeltaOp::Del("NK-500Poltergeist".into())]);
}

#[test]
fn ftm_malformed_line_is_named() {
    let mut doc = fixture(FTM);
    if doc.last() != Some(&b'\n') {
        doc.push(b'\n');
    }
    doc.extend_from_slice(b"{\"id\": \"broken\", \"schema\": \n");
    match parse("opensanctions_ftm", "https://example.org/e.json", doc) {
        Err(ParseError::Malformed { location, url, .. }) => {
            assert_eq!(location, "line 8");
            assert_eq!(url, "https://example.org/e.json");
        }
        other => panic!("{other:?}"),
    }
    assert_truncation_refused("opensanctions_ftm", &fixture(FTM));
    assert_wrong_format("opensanctions_ftm", b"<html></html>");
    assert_wrong_format("opensanctions_ftm", b"\n\n");
}

#[test]
fn ftm_stored_records_are_left_unparsed_but_an_id_on_two_lines_is_parsed() {
    let text = String::from_utf8(fixture(FTM)).unwrap();
    let kuzmenko = "NK-2Ka3UvopqbpZmVDFjWd4LA";
    let line = text.lines().find(|l| l.contains(kuzmenko)).unwrap();
    // the same entity again further down, renamed: which of the two is current is for the
    // parse of both lines to decide, not for a digest of one of them
    let doc = format!("{text}\n{}\n", line.replace("KUZMENKO", "KUZMENKOV"));
    let format = format_for("opensanctions_ftm", &FormatOptions::default()).unwrap();
    let stored_all = |_: &str, _: &StoredDigest| true;
    let Ok(Parsed::List(s)) = format.parse_known(&[body("e", doc.into_bytes())], &stored_all)
    else {
        panic!("a list");
    };
    assert_eq!(s.entries.len(), 2);
    assert!(s.entries.iter().all(|e| e.id == kuzmenko));
    assert_eq!(s.unparsed.len(), 5);
    assert!(!s.unparsed.iter().any(|id| id == kuzmenko));
}

#[test]
fn ftm_full_files_counts() {
    let Some(bytes) = real_file("opensanctions-ftm/yente-fixtures/entities.ftm.json") else {
        return;
    };
    let text = String::from_utf8(bytes.clone()).unwrap();
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let helpers = text.matches("\"schema\":\"Address\"").count();
    let s = parse("opensanctions_ftm", "e", bytes).unwrap();
    assert_eq!(s.entries.len(), lines - helpers);
    for name in [
        "20240527194702-wnk",
        "20240528014702-pfh",
        "20240528074703-npf",
        "20240528134729-3iv",
    ] {
        let Some(bytes) = real_file(&format!(
            "opensanctions-ftm/yente-fixtures/{name}.entities.delta.json"
        )) else {
            return;
        };
        let text = String::from_utf8(bytes.clone()).unwrap();
        let expected = text.lines().filter(|l| !l.trim().is_empty()).count();
        let ops = parse_delta(&body(name, bytes)).unwrap();
        assert_eq!(ops.len(), expected, "{name}");
        let dels = ops.iter().filter(|o| matches!(o, DeltaOp::Del(_))).count();
        assert_eq!(dels, text.matches("\"op\":\"DEL\"").count(), "{name}");
    }
}

/// A real list excerpt with `nest` put inside its first record, right after the start tag
/// `<{record}` (up to its `>`).
fn with_inside_first_record(path: &str, record: &str, nest: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture(path)).unwrap();
    let at = text.find(&format!("<{record}")).unwrap();
    let at = at + text[at..].find('>').unwrap() + 1;
    format!("{}{nest}{}", &text[..at], &text[at..]).into_bytes()
}

/// The six XML list formats, with a fixture of each and the name of its records.
const XML_LISTS: [(&str, &str, &str); 6] = [
    (
        "un_sc_xml",
        "un-sc-xml/consolidated-2018-10-excerpt.xml",
        "INDIVIDUAL>",
    ),
    ("ofac_xml", "ofac-xml/consolidated-excerpt.xml", "sdnEntry"),
    (
        "ofac_enhanced_xml",
        "ofac-enhanced-xml/cons-enhanced-excerpt.xml",
        "entity ",
    ),
    (
        "eu_fsf_xml",
        "eu-fsf-xml/eu-fsf.excerpt.xml",
        "sanctionEntity",
    ),
    (
        "uk_sanctions_xml",
        "uk-sanctions-list-xml/UK_Sanctions_List.excerpt.xml",
        "Designation>",
    ),
    ("ca_sema_xml", "ca-sema-xml/sema-lmes.excerpt.xml", "record"),
];

/// Refused as malformed, naming the document and a byte position, with `message` in the text.
fn assert_refused_at(kind: &str, bytes: Vec<u8>, message: &str) {
    let url = "https://example.org/list.xml";
    match parse(kind, url, bytes) {
        Err(ParseError::Malformed {
            url: u,
            location,
            message: m,
        }) => {
            assert_eq!(u, url, "{kind}");
            assert!(location.starts_with("byte "), "{kind}: {location}");
            assert!(m.contains(message), "{kind}: {m}");
        }
        other => panic!("{kind}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn every_xml_list_refuses_a_record_nested_100000_deep_without_overflowing() {
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    for (kind, path, record) in XML_LISTS {
        let bytes = with_inside_first_record(path, record, &deep);
        assert_refused_at(kind, bytes, "nested more than 256 deep inside record");
        // 250 levels inside a record is still read (the real lists nest at most 10 deep).
        let nested = format!("{}{}", "<a>".repeat(240), "</a>".repeat(240));
        let bytes = with_inside_first_record(path, record, &nested);
        parse(kind, path, bytes).unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
}

#[test]
fn every_xml_list_refuses_a_record_of_too_many_elements_or_attributes() {
    let elements = "<a/>".repeat(100_001);
    let attributes = format!(
        "<a {}/>",
        (0..1_001)
            .map(|i| format!("x{i}=\"\" "))
            .collect::<String>()
    );
    let spread = "<a x=\"\" y=\"\"/>".repeat(50_001);
    for (kind, path, record) in XML_LISTS {
        let bytes = with_inside_first_record(path, record, &elements);
        assert_refused_at(kind, bytes, "more than 100000 elements");
        let bytes = with_inside_first_record(path, record, &attributes);
        assert_refused_at(kind, bytes, "<a> has more than 1000 attributes");
        let bytes = with_inside_first_record(path, record, &spread);
        assert_refused_at(kind, bytes, "more than 100000 attributes");
    }
}
