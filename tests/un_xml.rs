//! The UN Security Council consolidated list (`un_sc_xml`), on an excerpt of the real 2018-10
//! file and, where present, on the three full snapshots.

#[path = "support/data.rs"]
mod data;
#[path = "support/lists.rs"]
mod lists;

use lists::{aliases, entry};
use watchkeeper::domain::entry::{EntityKind, ListSnapshot};
use watchkeeper::sources::ParseError;

const EXCERPT: &[u8] = include_bytes!("fixtures/un-sc-xml/consolidated-2018-10-excerpt.xml");
const EXCERPT_URL: &str = "https://scsanctions.un.org/resources/xml/en/consolidated.xml";

fn parse(bytes: &[u8], url: &str) -> Result<ListSnapshot, ParseError> {
    lists::parse("un_sc_xml", url, bytes)
}

fn excerpt() -> ListSnapshot {
    parse(EXCERPT, EXCERPT_URL).expect("the excerpt parses")
}

fn count(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

#[test]
fn excerpt_gives_one_entry_per_record_with_the_publication_date() {
    let list = excerpt();
    assert_eq!(
        list.entries.len(),
        count(EXCERPT, "<INDIVIDUAL>") + count(EXCERPT, "<ENTITY>")
    );
    assert_eq!(
        list.published.as_deref(),
        Some("2018-10-29T19:09:49.856-04:00")
    );
    let persons = list
        .entries
        .iter()
        .filter(|e| e.kind == EntityKind::Person)
        .count();
    assert_eq!(persons, count(EXCERPT, "<INDIVIDUAL>"));
}

#[test]
fn individual_names_titles_documents_and_dates() {
    let list = excerpt();
    // FIRST_NAME " RI " with stray spaces: the name is trimmed, parts in list order.
    let ri = entry(&list.entries, "6908555");
    assert_eq!(ri.kind, EntityKind::Person);
    assert_eq!(ri.name, "RI WON HO");
    assert_eq!(ri.programs, ["DPRK"]);
    assert_eq!(ri.listed_on.as_deref(), Some("2016-11-30"));
    assert_eq!(ri.dates_of_birth, ["1964-07-17"]);
    assert_eq!(ri.nationalities, ["Democratic People's Republic of Korea"]);
    assert_eq!(ri.titles, ["DPRK Ministry of State Security Official"]);
    assert_eq!(
        ri.identifiers_of("passport").collect::<Vec<_>>(),
        ["381310014"]
    );
    assert_eq!(ri.extra["reference_number"], "KPi.033");
    assert_eq!(ri.extra["versionnum"], "1");
    assert!(ri.url.is_none());
    // Trailing blank lines of COMMENTS1 are not part of the remark.
    assert_eq!(
        ri.remarks.as_deref(),
        Some("Ri Won Ho is a DPRK Ministry of State Security Official stationed in Syria supporting KOMID.")
    );

    let khalifa = entry(&list.entries, "2827659");
    assert_eq!(khalifa.name, "KHALIFA MUHAMMAD TURKI AL-SUBAIY");
    assert_eq!(khalifa.extra["submitted_by"], "United States");
    let passport = khalifa
        .identifiers
        .iter()
        .find(|i| i.kind == "passport")
        .expect("passport");
    assert_eq!(passport.value, "00685868");
    let note = passport.note.as_deref().unwrap_or_default();
    assert!(
        note.contains("Qatar") && note.contains("2006-02-05"),
        "{note}"
    );
    assert_eq!(
        khalifa.identifiers_of("national-id").collect::<Vec<_>>(),
        ["26563400140"]
    );

    // TITLE and DESIGNATION values, and a BETWEEN date of birth given twice.
    let akhund = entry(&list.entries, "110577");
    assert_eq!(&akhund.titles[..2], ["Mullah", "Haji"]);
    assert!(akhund
        .titles
        .contains(&"Foreign Minister under the Taliban regime".to_string()));
    assert_eq!(
        akhund.dates_of_birth,
        ["between 1955 and 1958", "between 1945 and 1950"]
    );
    assert_eq!(
        akhund.places_of_birth,
        ["Pashmul village, Panjwai District, Kandahar Province, Afghanistan"]
    );

    let baradar = entry(&list.entries, "111040");
    assert_eq!(baradar.dates_of_birth, ["approximately 1968"]);

    let jones = entry(&list.entries, "6908476");
    assert_eq!(jones.extra["gender"], "Female");
    assert_eq!(
        jones.addresses,
        [
            "Syrian Arab Republic (as at 2013)",
            "United Kingdom of Great Britain and Northern Ireland (previous location until 2013)"
        ]
    );
}

#[test]
fn aliases_carry_their_quality_and_the_original_script() {
    let list = excerpt();
    let khalifa = entry(&list.entries, "2827659");
    assert_eq!(
        aliases(khalifa, "original-script"),
        ["خليفة محمد تركي السبيعي"]
    );
    let low = aliases(khalifa, "low");
    assert!(low.contains(&"Abu Mohammed al-Qatari"), "{low:?}");

    let guchaev = entry(&list.entries, "6908492");
    assert_eq!(guchaev.name, "ZAURBEK SALIMOVICH GUCHAEV");
    assert_eq!(
        aliases(guchaev, "original-script"),
        ["Заурбек Салимович Гучаев"]
    );

    let chang = entry(&list.entries, "6908570");
    assert_eq!(aliases(chang, "good"), ["Jang Chang Ha"]);
    // <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/> placeholders are not aliases.
    assert!(entry(&list.entries, "6908555").aliases.is_empty());

    // a.k.a. / f.k.a., and a name the list breaks over two indented lines.
    let adf = entry(&list.entries, "6908402");
    assert_eq!(adf.kind, EntityKind::Organization);
    assert_eq!(adf.name, "ADF");
    assert_eq!(aliases(adf, "aka"), ["Allied Democratic Forces"]);
    assert_eq!(
        aliases(adf, "fka"),
        [
            "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
            "ADF/NALU",
            "NALU"
        ]
    );
    assert_eq!(
        adf.addresses,
        ["North Kivu, Democratic Republic of the Congo"]
    );

    let blood = entry(&list.entries, "6908426");
    assert_eq!(aliases(blood, "original-script"), ["الموقعون بالدم"]);
}

#[test]
fn shipping_companies_get_their_imo_company_numbers_and_stay_organizations() {
    let list = excerpt();
    for (id, number) in [
        ("6908516", "5342883"), // "IMO Number: 5342883."
        ("6908680", "5434358"), // "Company Number IMO 5434358."
        ("6908046", "1790183"), // "International Maritime Organization (IMO) Number: 1790183."
    ] {
        let company = entry(&list.entries, id);
        assert_eq!(company.identifiers_of("imo").collect::<Vec<_>>(), [number]);
        assert_eq!(company.kind, EntityKind::Organization, "{}", company.name);
    }
    let yuk_tung = entry(&list.entries, "6908689");
    assert_eq!(yuk_tung.identifiers_of("imo").count(), 0);
    assert_eq!(
        yuk_tung.addresses,
        ["17-22, UOB Plaza 2, Raffles Place, Singapore, 048624, Singapore"]
    );
}

/// Constructed: no snapshot at hand lists a ship itself, so this record, shaped like the
/// real ENTITY records, carries a ship's IMO number (its check digit fits the ship scheme).
#[test]
fn an_entity_with_a_ship_imo_number_is_a_vessel() {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST dateGenerated="2020-01-01T00:00:00.000-05:00">
    <INDIVIDUALS/>
    <ENTITIES>
        <ENTITY><DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>SAMPLE STAR</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPe.999</REFERENCE_NUMBER><LISTED_ON>2020-01-01</LISTED_ON><COMMENTS1>Tanker, IMO: 9074729. Flag: unknown.</COMMENTS1><ENTITY_ALIAS><QUALITY/><ALIAS_NAME/></ENTITY_ALIAS></ENTITY>
    </ENTITIES>
</CONSOLIDATED_LIST>"#;
    let list = parse(doc.as_bytes(), "constructed.xml").expect("parses");
    let ship = entry(&list.entries, "1");
    assert_eq!(ship.kind, EntityKind::Vessel);
    assert_eq!(ship.identifiers_of("imo").collect::<Vec<_>>(), ["9074729"]);
}

#[test]
fn a_utf16_copy_reads_the_same_as_the_utf8_original() {
    let text = std::str::from_utf8(EXCERPT).expect("UTF-8");
    let utf16: Vec<u8> = std::iter::once('\u{feff}')
        .chain(text.chars())
        .collect::<String>()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let list = parse(&utf16, EXCERPT_URL).expect("UTF-16 parses");
    assert_eq!(list.entries, excerpt().entries);
    assert_eq!(list.published, excerpt().published);
}

fn assert_malformed(result: Result<ListSnapshot, ParseError>, what: &str) {
    match result {
        Err(ParseError::Malformed { url, location, .. }) => {
            assert_eq!(url, EXCERPT_URL, "{what}");
            assert!(location.starts_with("byte "), "{what}: {location}");
        }
        Err(other) => panic!("{what}: expected Malformed, got {other}"),
        Ok(list) => panic!(
            "{what}: a cut document passed as a list of {} entries",
            list.entries.len()
        ),
    }
}

#[test]
fn a_truncated_download_is_an_error_not_a_shorter_list() {
    assert_malformed(
        parse(&EXCERPT[..EXCERPT.len() / 2], EXCERPT_URL),
        "cut in the middle",
    );
    // Cut right after a whole record: every record read is complete, the list is not.
    let after_record = EXCERPT
        .windows(b"</ENTITY>".len())
        .position(|w| w == b"</ENTITY>")
        .expect("an ENTITY")
        + b"</ENTITY>".len();
    assert_malformed(
        parse(&EXCERPT[..after_record], EXCERPT_URL),
        "cut after a record",
    );
    // Only the root's end tag missing.
    let without_end = EXCERPT.len() - b"</CONSOLIDATED_LIST>".len();
    assert_malformed(
        parse(&EXCERPT[..without_end], EXCERPT_URL),
        "cut before </CONSOLIDATED_LIST>",
    );
}

#[test]
fn other_documents_are_the_wrong_format() {
    let cases: [(&str, &[u8]); 5] = [
        (
            "another list",
            br#"<?xml version="1.0"?><sdnList><publshInformation><Record_Count>1</Record_Count></publshInformation></sdnList>"#,
        ),
        (
            "an HTML error page",
            b"<html><body><h1>503 Service Unavailable</h1></body></html>",
        ),
        (
            "an empty list",
            br#"<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2018-10-29T19:09:49.856-04:00"><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>"#,
        ),
        ("nothing", b""),
        ("gzip bytes", b"\x1f\x8b\x08\x00<\x00\xff\xfe<<"),
    ];
    for (what, bytes) in cases {
        match parse(bytes, EXCERPT_URL) {
            Err(ParseError::WrongFormat { url, .. }) => assert_eq!(url, EXCERPT_URL),
            other => panic!("{what}: expected WrongFormat, got {other:?}"),
        }
    }
}

/// IMO numbers a plain scan finds inside each ENTITY element: the 7-digit run that follows
/// "IMO" within a few characters.
fn imo_mentions_by_entity(xml: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for block in xml.split("<ENTITY>").skip(1) {
        let block = &block[..block.find("</ENTITY>").unwrap_or(block.len())];
        let id = block
            .split("<DATAID>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_default()
            .to_string();
        for (at, _) in block.match_indices("IMO") {
            let after: String = block[at + 3..].chars().take(20).collect();
            let digits: String = after
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let letters_before_digits = after
                .chars()
                .take_while(|c| !c.is_ascii_digit())
                .filter(|c| c.is_alphabetic())
                .count();
            // "IMO 1234567", "IMO Number: 1234567", "(IMO) Number: 1234567", not "IMOhammed".
            let word_ends = !after.starts_with(char::is_alphanumeric);
            let pair = (id.clone(), digits.clone());
            if word_ends
                && digits.len() == 7
                && letters_before_digits <= 6
                && !found.contains(&pair)
            {
                found.push(pair);
            }
        }
    }
    found
}

/// The ship scheme of IMO check digits, when the company scheme does not also fit.
fn is_ship_number(number: &str) -> bool {
    let d: Vec<u32> = number.bytes().map(|b| u32::from(b - b'0')).collect();
    let ship = (d[0] * 7 + d[1] * 6 + d[2] * 5 + d[3] * 4 + d[4] * 3 + d[5] * 2) % 10;
    let company_sum = d[0] * 8 + d[1] * 6 + d[2] * 4 + d[3] * 2 + d[4] * 9 + d[5] * 7;
    let company = (11 - company_sum % 11) % 10;
    ship == d[6] && company != d[6]
}

#[test]
fn full_snapshots_parse_to_every_record() {
    let Some(root) = data::real_path("un-sc-xml") else {
        return;
    };
    let root = root.display();
    for (snapshot, stated) in [
        ("2018-08", None),
        ("2018-10", Some((703, 390))),
        ("2020-03", None),
    ] {
        let path = format!("{root}/{snapshot}/consolidated.xml");
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("skipping {snapshot}: {path} is absent");
            continue;
        };
        let individuals = count(&bytes, "<INDIVIDUAL>");
        let entities = count(&bytes, "<ENTITY>");
        if let Some(stated) = stated {
            assert_eq!((individuals, entities), stated, "{snapshot} per SOURCES.md");
        }
        let list = parse(&bytes, &path).unwrap_or_else(|e| panic!("{e}"));
        let persons = list
            .entries
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .count();
        assert_eq!(persons, individuals, "{snapshot} individuals");
        assert_eq!(
            list.entries.len() - persons,
            entities,
            "{snapshot} entities"
        );
        assert!(list
            .entries
            .iter()
            .all(|e| !e.id.is_empty() && !e.name.is_empty()));
        let mut ids: Vec<&str> = list.entries.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            list.entries.len(),
            "{snapshot}: DATAIDs are unique"
        );

        let text = String::from_utf8(bytes).expect("UTF-8");
        let mentions = imo_mentions_by_entity(&text);
        let parsed: Vec<(String, String)> = list
            .entries
            .iter()
            .flat_map(|e| {
                e.identifiers_of("imo")
                    .map(|n| (e.id.clone(), n.to_string()))
            })
            .collect();
        assert_eq!(parsed, mentions, "{snapshot} IMO numbers");
        assert!(!mentions.is_empty(), "{snapshot} has IMO numbers to find");

        let mut expected_vessels: Vec<&str> = mentions
            .iter()
            .filter(|(_, n)| is_ship_number(n))
            .map(|(id, _)| id.as_str())
            .collect();
        expected_vessels.dedup();
        let vessels: Vec<&str> = list
            .entries
            .iter()
            .filter(|e| e.kind == EntityKind::Vessel)
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(vessels, expected_vessels, "{snapshot} vessels");
    }
}
