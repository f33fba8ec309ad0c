//! The `ofac_sdn_csv` format on an excerpt of OFAC's real July 2021 files (whole rows, with their
//! alt/add/comments rows and the files' CRLF line ends and control-Z end mark), and on the full
//! real files when the shared data folder is present.

#[path = "support/data.rs"]
mod data;
#[path = "support/lists.rs"]
mod lists;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Once;
use std::time::Instant;

use lists::{aliases, entry};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use watchkeeper::domain::entry::{EntityKind, Entry, ListSnapshot, StrayRows};
use watchkeeper::guard::{check_snapshot, Refusal};
use watchkeeper::sources::ofac_csv::OfacCsv;
use watchkeeper::sources::{format_for, Body, FormatOptions, ParseError, Parsed, SourceFormat};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ofac-sdn-csv");
const SDN_FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];
const CONS_FILES: [&str; 4] = [
    "cons_prim.csv",
    "cons_alt.csv",
    "cons_add.csv",
    "cons_comments.csv",
];

fn body(resource: &str, bytes: Vec<u8>) -> Body {
    Body {
        resource: resource.to_string(),
        url: format!("https://www.treasury.gov/ofac/downloads/{resource}"),
        bytes,
        content_type: None,
    }
}

fn read_folder(folder: &str, names: [&str; 4]) -> Vec<Body> {
    names
        .iter()
        .map(|name| body(name, std::fs::read(Path::new(folder).join(name)).unwrap()))
        .collect()
}

fn snapshot(format: &OfacCsv, bodies: &[Body]) -> ListSnapshot {
    match format.parse(bodies).expect("parses") {
        Parsed::List(list) => list,
        other => panic!("a list format returned something else: {other:?}"),
    }
}

fn entries(format: &OfacCsv, bodies: &[Body]) -> Vec<Entry> {
    snapshot(format, bodies).entries
}

fn fixture_entries() -> Vec<Entry> {
    entries(&OfacCsv::new(None), &read_folder(FIXTURES, SDN_FILES))
}

/// Rows of a file with the given column count, read independently of the parser.
fn csv_rows(bytes: &[u8], columns: usize) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(Result::unwrap)
        .filter(|r| r.len() == columns)
        .collect()
}

#[test]
fn every_primary_row_is_one_entry_in_file_order() {
    let sdn = std::fs::read(Path::new(FIXTURES).join("sdn.csv")).unwrap();
    let expected: Vec<String> = csv_rows(&sdn, 12)
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    let ids: Vec<String> = fixture_entries().into_iter().map(|e| e.id).collect();
    assert_eq!(ids, expected);
    assert_eq!(ids.len(), 11);
}

#[test]
fn lukashenka_has_his_aliases_birth_and_title() {
    let entries = fixture_entries();
    let e = entry(&entries, "9760");
    assert_eq!(e.kind, EntityKind::Person);
    assert_eq!(e.name, "LUKASHENKA, Alyaksandr Hryhoryavich");
    assert_eq!(e.programs, ["BELARUS"]);
    assert_eq!(e.titles, ["President"]);
    assert_eq!(e.dates_of_birth, ["30 Aug 1954"]);
    assert_eq!(e.places_of_birth, ["Kopys, Vitebsk oblast, Belarus"]);
    let alt = std::fs::read(Path::new(FIXTURES).join("alt.csv")).unwrap();
    let alt_rows = csv_rows(&alt, 5).iter().filter(|r| &r[0] == "9760").count();
    assert_eq!(aliases(e, "aka").len(), alt_rows);
    assert!(aliases(e, "aka").contains(&"LUKASHENKO, Alexander Grigorievich"));
    // His only add.csv row is all `-0-`: no empty address.
    assert!(e.addresses.is_empty());
    assert_eq!(
        e.url.as_deref(),
        Some("https://sanctionssearch.ofac.treas.gov/Details.aspx?id=9760")
    );
}

#[test]
fn maduro_remarks_become_structured_fields() {
    let entries = fixture_entries();
    let e = entry(&entries, "22790");
    assert_eq!(e.name, "MADURO MOROS, Nicolas");
    assert_eq!(e.programs, ["VENEZUELA", "IRAN-CON-ARMS-EO"]);
    assert_eq!(
        e.titles,
        ["President of the Bolivarian Republic of Venezuela"]
    );
    assert_eq!(e.dates_of_birth, ["23 Nov 1962"]);
    assert_eq!(e.places_of_birth, ["Caracas, Venezuela"]);
    assert_eq!(e.nationalities, ["Venezuela"]);
    assert_eq!(e.extra.get("gender").map(String::as_str), Some("Male"));
    assert_eq!(e.identifiers.len(), 1);
    assert_eq!(e.identifiers[0].kind, "cedula");
    assert_eq!(e.identifiers[0].value, "5892464");
    assert_eq!(e.identifiers[0].note.as_deref(), Some("Venezuela"));
    assert_eq!(e.addresses, ["Caracas, Capital District, Venezuela"]);
}

#[test]
fn vessels_carry_particulars_imo_mmsi_and_former_names() {
    let entries = fixture_entries();

    let artavil = entry(&entries, "15036");
    assert_eq!(artavil.kind, EntityKind::Vessel);
    let v = artavil.vessel.as_ref().expect("vessel info");
    assert_eq!(v.call_sign.as_deref(), Some("T2EU4"));
    assert_eq!(v.vessel_type.as_deref(), Some("Crude/Oil Products Tanker"));
    assert_eq!(v.tonnage.as_deref(), Some("99,144"));
    assert_eq!(v.grt.as_deref(), Some("56,068"));
    assert_eq!(v.flag.as_deref(), Some("Iran"));
    assert_eq!(v.owner, None);
    assert_eq!(
        artavil.identifiers_of("imo").collect::<Vec<_>>(),
        ["9187629"]
    );
    assert_eq!(
        artavil.identifiers_of("mmsi").collect::<Vec<_>>(),
        ["572469210"]
    );
    // ABADAN and SHONA come from alt.csv, ALPHA only from the remarks; none twice.
    assert_eq!(aliases(artavil, "fka"), ["ABADAN", "SHONA", "ALPHA"]);
    assert_eq!(artavil.linked_to, ["NATIONAL IRANIAN TANKER COMPANY"]);
    assert_eq!(
        artavil.extra.get("former-vessel-flag").map(String::as_str),
        Some("Malta; Tuvalu; None Identified; Tanzania")
    );

    let star = entry(&entries, "28716");
    assert_eq!(star.identifiers_of("imo").collect::<Vec<_>>(), ["9020015"]);
    assert_eq!(aliases(star, "fka"), ["SAM 5", "THINH CUONG"]);
    assert_eq!(star.vessel.as_ref().unwrap().tonnage, None);

    let swan = entry(&entries, "4243");
    assert_eq!(aliases(swan, "fka"), ["ANA I"]);
    assert_eq!(
        swan.vessel.as_ref().unwrap().owner.as_deref(),
        Some("Sand & Swan Navigation Co. Ltd.")
    );
}

#[test]
fn non_vessels_have_no_vessel_info() {
    for e in fixture_entries() {
        assert_eq!(e.vessel.is_some(), e.kind == EntityKind::Vessel, "{}", e.id);
    }
}

#[test]
fn an_entity_has_its_aliases_and_readable_addresses() {
    let entries = fixture_entries();
    let bank = entry(&entries, "306");
    assert_eq!(bank.kind, EntityKind::Organization);
    assert_eq!(aliases(bank, "aka"), ["NATIONAL BANK OF CUBA", "BNC"]);
    assert_eq!(
        bank.addresses,
        [
            "Zweierstrasse 35, Zurich CH-8022, Switzerland",
            "Avenida de Concha Espina 8, Madrid E-28036, Spain",
            "Dai-Ichi Bldg. 6th Floor, 10-2 Nihombashi, 2-chome, Chuo-ku, Tokyo 103, Japan",
            "Federico Boyd Avenue & 51 Street, Panama City, Panama",
        ]
    );

    let nitc = entry(&entries, "15117");
    assert_eq!(nitc.programs, ["IRAN", "SDGT", "IFSR", "IFCA"]);
    assert_eq!(aliases(nitc, "aka"), ["NITC"]);
    assert_eq!(
        nitc.identifiers_of("national-id").collect::<Vec<_>>(),
        ["4891"]
    );
    assert_eq!(
        nitc.extra.get("email").map(String::as_str),
        Some("info@nitc.co.ir; administrator@nitc.co.ir")
    );
    // The name ends in a bracket, not an abbreviation: the closing full stop is not part of it.
    assert_eq!(
        nitc.linked_to,
        ["ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE"]
    );
}

#[test]
fn a_ship_manager_has_all_its_company_imo_numbers() {
    let entries = fixture_entries();
    let yongjin = entry(&entries, "18954");
    assert_eq!(
        yongjin.identifiers_of("imo").collect::<Vec<_>>(),
        ["5814883", "5814906", "5820255"]
    );
    assert_eq!(yongjin.addresses.len(), 2);
}

#[test]
fn an_aircraft_has_its_serial_and_tail_number() {
    let entries = fixture_entries();
    let msn = entry(&entries, "18150");
    assert_eq!(msn.kind, EntityKind::Aircraft);
    assert_eq!(
        msn.identifiers_of("aircraft-msn").collect::<Vec<_>>(),
        ["391"]
    );
    assert_eq!(
        msn.identifiers_of("aircraft-tail-number")
            .collect::<Vec<_>>(),
        ["EP-MMH"]
    );
    assert_eq!(msn.linked_to, ["MAHAN AIR"]);
}

#[test]
fn cut_remarks_continue_from_the_comments_file() {
    let entries = fixture_entries();
    let cifuentes = entry(&entries, "12300");
    // sdn.csv stops at "PROMO RAI"; sdn_comments.csv goes on with "Z S.A.S.; …".
    assert!(cifuentes
        .linked_to
        .contains(&"PROMO RAIZ S.A.S.".to_string()));
    assert_eq!(cifuentes.linked_to.last().unwrap(), "R D I S.A.");
    assert!(cifuentes
        .remarks
        .as_ref()
        .unwrap()
        .ends_with("Linked To: R D I S.A."));
    assert_eq!(cifuentes.addresses.len(), 11);

    let tian = entry(&entries, "28263");
    assert_eq!(aliases(tian, "aka"), ["tianyinyin0404", "snowsjohn"]);
    assert_eq!(tian.linked_to, ["LAZARUS GROUP"]);
    assert_eq!(tian.identifiers_of("digital-currency-address").count(), 8);
}

#[test]
fn bodies_are_matched_by_resource_name_not_order() {
    let options = FormatOptions {
        files: Some(CONS_FILES.map(String::from).to_vec()),
    };
    let format = format_for("ofac_sdn_csv", &options).unwrap();
    assert_eq!(format.resources(), CONS_FILES);
    let mut bodies: Vec<Body> = SDN_FILES
        .iter()
        .zip(CONS_FILES)
        .map(|(sdn, cons)| body(cons, std::fs::read(Path::new(FIXTURES).join(sdn)).unwrap()))
        .collect();
    bodies.reverse();
    let Parsed::List(list) = format.parse(&bodies).unwrap() else {
        panic!("not a list")
    };
    assert_eq!(list.entries, fixture_entries());
    assert_eq!(list.published, None);
}

#[test]
fn lf_line_ends_parse_like_crlf() {
    let bodies: Vec<Body> = read_folder(FIXTURES, SDN_FILES)
        .into_iter()
        .map(|b| {
            let text = String::from_utf8(b.bytes.clone())
                .unwrap()
                .replace("\r\n", "\n");
            body(&b.resource, text.into_bytes())
        })
        .collect();
    assert_eq!(entries(&OfacCsv::new(None), &bodies), fixture_entries());
}

fn with_primary(bytes: &[u8]) -> Vec<Body> {
    let mut bodies = read_folder(FIXTURES, SDN_FILES);
    bodies[0].bytes = bytes.to_vec();
    bodies
}

fn parse_error(bodies: &[Body]) -> ParseError {
    OfacCsv::new(None).parse(bodies).expect_err("must fail")
}

#[test]
fn an_html_page_is_the_wrong_format() {
    let html = b"<!DOCTYPE html>\n<html><head><title>Page Not Found</title></head></html>\n";
    match parse_error(&with_primary(html)) {
        ParseError::WrongFormat { url, reason } => {
            assert!(url.ends_with("sdn.csv"), "{url}");
            assert!(reason.contains("HTML"), "{reason}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn another_csv_as_primary_is_the_wrong_format() {
    let alt = std::fs::read(Path::new(FIXTURES).join("alt.csv")).unwrap();
    let err = parse_error(&with_primary(&alt));
    assert!(matches!(err, ParseError::WrongFormat { .. }), "{err}");
    assert!(err.to_string().contains("12 columns"), "{err}");
}

#[test]
fn a_primary_without_rows_is_the_wrong_format() {
    for empty in [&b""[..], b"\x1a", b"\r\n\r\n\x1a"] {
        let err = parse_error(&with_primary(empty));
        assert!(matches!(err, ParseError::WrongFormat { .. }), "{err}");
    }
}

#[test]
fn a_row_missing_a_column_is_malformed_and_named() {
    let sdn = std::fs::read_to_string(Path::new(FIXTURES).join("sdn.csv")).unwrap();
    // Third row loses its remarks column.
    let broken = sdn.replacen(
        ",\"DOB 30 Aug 1954; POB Kopys, Vitebsk oblast, Belarus; President.\"",
        "",
        1,
    );
    assert_ne!(broken, sdn);
    match parse_error(&with_primary(broken.as_bytes())) {
        ParseError::Malformed {
            url,
            location,
            message,
        } => {
            assert!(url.ends_with("sdn.csv"), "{url}");
            assert_eq!(location, "line 3");
            assert!(message.contains("11 columns"), "{message}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_non_numeric_ent_num_is_malformed() {
    let sdn = std::fs::read_to_string(Path::new(FIXTURES).join("sdn.csv")).unwrap();
    let broken = sdn.replacen("9760,", "97X0,", 1);
    let err = parse_error(&with_primary(broken.as_bytes()));
    assert!(matches!(err, ParseError::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("line 3"), "{err}");
}

#[test]
fn a_missing_file_is_reported_by_name() {
    let bodies: Vec<Body> = read_folder(FIXTURES, SDN_FILES)
        .into_iter()
        .filter(|b| b.resource != "add.csv")
        .collect();
    match parse_error(&bodies) {
        ParseError::MissingResource { resource, .. } => assert_eq!(resource, "add.csv"),
        other => panic!("{other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The full real files.
// ---------------------------------------------------------------------------------------------

fn shared_folder(sub: &str) -> Option<String> {
    data::real_path(sub).map(|p| p.display().to_string())
}

/// Independent counts over the raw files, by the csv crate and plain string search.
struct RawCounts {
    rows: usize,
    vessels: usize,
    /// Rows whose remarks mention `IMO ` followed by a digit.
    rows_with_imo: usize,
    /// Mentions of `IMO ` followed by a digit, all rows together.
    imo_mentions: usize,
    /// Rows naming an IMO number only as `International Maritime Organization No. (n)`.
    rows_with_long_form_imo_only: usize,
    rows_with_mmsi: usize,
    /// Mentions of `IMO ` followed by fewer or more than seven digits.
    short_imo_mentions: usize,
}

/// The digit runs following each `IMO ` in the text.
fn imo_numbers(text: &str) -> Vec<&str> {
    text.match_indices("IMO ")
        .map(|(at, _)| {
            let rest = &text[at + 4..];
            &rest[..rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len())]
        })
        .filter(|digits| !digits.is_empty())
        .collect()
}

fn imo_mentions(text: &str) -> usize {
    imo_numbers(text).len()
}

fn raw_counts(prim: &[u8]) -> RawCounts {
    let rows = csv_rows(prim, 12);
    let remarks = |r: &csv::StringRecord| r[11].to_string();
    RawCounts {
        rows: rows.len(),
        vessels: rows.iter().filter(|r| r[2].trim() == "vessel").count(),
        rows_with_imo: rows
            .iter()
            .filter(|r| imo_mentions(&remarks(r)) > 0)
            .count(),
        imo_mentions: rows.iter().map(|r| imo_mentions(&remarks(r))).sum(),
        rows_with_long_form_imo_only: rows
            .iter()
            .filter(|r| {
                imo_mentions(&remarks(r)) == 0
                    && remarks(r).contains("International Maritime Organization No.")
            })
            .count(),
        rows_with_mmsi: rows.iter().filter(|r| remarks(r).contains("MMSI ")).count(),
        short_imo_mentions: rows
            .iter()
            .map(|r| imo_numbers(&r[11]).iter().filter(|d| d.len() != 7).count())
            .sum(),
    }
}

fn check_full_sdn(sub: &str, stated_rows: usize, stated_vessels: usize, stated_imo_rows: usize) {
    let Some(folder) = shared_folder(sub) else {
        return;
    };
    let bodies = read_folder(&folder, SDN_FILES);
    let start = Instant::now();
    let entries = entries(&OfacCsv::new(None), &bodies);
    eprintln!(
        "{sub}: {} entries parsed in {:?} (this build's profile)",
        entries.len(),
        start.elapsed()
    );
    let raw = raw_counts(&bodies[0].bytes);

    assert_eq!(entries.len(), raw.rows);
    assert_eq!(raw.rows, stated_rows);
    let vessels = entries
        .iter()
        .filter(|e| e.kind == EntityKind::Vessel)
        .count();
    assert_eq!(vessels, raw.vessels);
    assert_eq!(vessels, stated_vessels);

    // Entries with an IMO number: every row mentioning "IMO n" (SOURCES.md's count) plus the
    // one (24899) that spells it out as "International Maritime Organization No. (5777731)".
    // A few rows publish short numbers (2021: 23424 "IMO 15411", 23513 "IMO 543400"): they
    // count, kept as published and flagged in the note.
    assert_eq!(raw.rows_with_imo, stated_imo_rows);
    let with_imo = entries
        .iter()
        .filter(|e| e.identifiers_of("imo").next().is_some());
    assert_eq!(
        with_imo.count(),
        raw.rows_with_imo + raw.rows_with_long_form_imo_only
    );
    // More mentions than rows: ship managers list several company IMO numbers; none is lost.
    let imo_ids: usize = entries
        .iter()
        .map(|e| e.identifiers_of("imo").count())
        .sum();
    assert_eq!(imo_ids, raw.imo_mentions + raw.rows_with_long_form_imo_only);
    let flagged = entries
        .iter()
        .flat_map(|e| &e.identifiers)
        .filter(|i| i.kind == "imo" && i.value.len() != 7)
        .inspect(|i| assert!(i.note.as_ref().unwrap().contains("not a 7-digit"), "{i:?}"))
        .count();
    assert_eq!(flagged, raw.short_imo_mentions);
    let with_mmsi = entries
        .iter()
        .filter(|e| e.identifiers_of("mmsi").next().is_some());
    assert_eq!(with_mmsi.count(), raw.rows_with_mmsi);

    check_every_alt_and_add_row_attached(&entries, &bodies[1].bytes, &bodies[2].bytes);
    assert_eq!(snapshot(&OfacCsv::new(None), &bodies).stray_rows, []);
}

fn check_every_alt_and_add_row_attached(entries: &[Entry], alt: &[u8], add: &[u8]) {
    let index: HashMap<&str, &Entry> = entries.iter().map(|e| (e.id.as_str(), e)).collect();
    let alt_rows = csv_rows(alt, 5);
    assert!(!alt_rows.is_empty());
    for row in &alt_rows {
        let entry = index
            .get(&row[0])
            .unwrap_or_else(|| panic!("alt row of unknown entry {}", &row[0]));
        assert!(
            entry.all_names().any(|n| n == row[3].trim()),
            "alias {:?} not on entry {}",
            &row[3],
            &row[0]
        );
    }
    for row in csv_rows(add, 6) {
        let entry = index
            .get(&row[0])
            .unwrap_or_else(|| panic!("add row of unknown entry {}", &row[0]));
        if let Some(city) = Some(row[3].trim()).filter(|c| *c != "-0-") {
            assert!(
                entry.addresses.iter().any(|a| a.contains(city)),
                "address in {city:?} not on entry {}",
                &row[0]
            );
        }
    }
}

#[test]
fn full_2019_01_sdn_files() {
    // SOURCES.md says 7,378 rows, which is `wc -l`: the file's last row has no line end, so the
    // csv count (and OFAC's list) is 7,379.
    check_full_sdn("ofac-sdn-csv/2019-01", 7_379, 323, 367);
}

#[test]
fn full_2021_07_sdn_files() {
    check_full_sdn("ofac-sdn-csv/2021-07", 8_976, 406, 479);
}

#[test]
fn full_2019_01_comments_of_other_entries_are_ignored() {
    // This snapshot's sdn_comments.csv is from a later day: 10 of its 13 rows belong to entries
    // not in its sdn.csv. They are skipped with one warning, the snapshot is not refused, and
    // the three that match complete their remarks.
    let Some(folder) = shared_folder("ofac-sdn-csv/2019-01") else {
        return;
    };
    let bodies = read_folder(&folder, SDN_FILES);
    let (list, warnings) = with_warnings(|| snapshot(&OfacCsv::new(None), &bodies));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("rows=10"), "{warnings:?}");
    assert!(warnings[0].contains("sdn_comments.csv"), "{warnings:?}");
    assert_eq!(list.stray_rows, []);
    assert_eq!(check_snapshot(&list, 0, 0, 0.25), Ok(()));
    let entries = list.entries;
    for id in ["12300", "15599", "15600"] {
        let remarks = entry(&entries, id).remarks.clone().unwrap();
        assert!(remarks.len() > 1000 && remarks.ends_with('.'), "{id}");
    }
    assert!(!entries.iter().any(|e| e.id == "28263"));
}

#[test]
fn full_consolidated_files_by_their_cons_names() {
    let Some(folder) = shared_folder("ofac-consolidated-csv") else {
        return;
    };
    let bodies = read_folder(&folder, CONS_FILES);
    let format = OfacCsv::new(Some(CONS_FILES.map(String::from).to_vec()));
    let entries = entries(&format, &bodies);
    // SOURCES.md says 441 rows; cons_prim.csv holds 442 rows of 12 columns (and no duplicate
    // ent_num), then its control-Z.
    let raw = raw_counts(&bodies[0].bytes);
    assert_eq!(entries.len(), raw.rows);
    assert_eq!(raw.rows, 442);
    check_every_alt_and_add_row_attached(&entries, &bodies[1].bytes, &bodies[2].bytes);
    assert_eq!(snapshot(&format, &bodies).stray_rows, []);

    // All ten cut remarks are completed from cons_comments.csv.
    let comments = csv_rows(&bodies[3].bytes, 2);
    assert_eq!(comments.len(), 10);
    for row in comments {
        let remarks = entry(&entries, &row[0]).remarks.clone().unwrap();
        assert!(remarks.ends_with(row[1].trim()), "{}", &row[0]);
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-file consistency: rows of alt.csv and add.csv whose entry sdn.csv lacks.
// ---------------------------------------------------------------------------------------------

thread_local! {
    /// The WARN events of this thread while [`with_warnings`] runs.
    static WARNINGS: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// The WARN events logged on this thread while `f` runs, each as its fields (`name=value`,
/// space-separated). One global subscriber collects them for the thread they happen on: a
/// subscriber per test (`with_default`) can miss events when tests run in parallel, since
/// tracing caches each callsite's interest for all threads.
fn with_warnings<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    struct Warnings;
    struct Fields(String);
    impl tracing::field::Visit for Fields {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!("{}={value:?} ", field.name()));
        }
    }
    impl<S: tracing::Subscriber> Layer<S> for Warnings {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            if *event.metadata().level() == tracing::Level::WARN {
                let mut fields = Fields(String::new());
                event.record(&mut fields);
                WARNINGS.with(|w| {
                    if let Some(w) = w.borrow_mut().as_mut() {
                        w.push(fields.0);
                    }
                });
            }
        }
    }
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Warnings))
            .expect("no other global subscriber in this test binary");
    });
    WARNINGS.with(|w| *w.borrow_mut() = Some(Vec::new()));
    let out = f();
    let warnings = WARNINGS.with(|w| w.borrow_mut().take()).unwrap_or_default();
    (out, warnings)
}

/// `bytes` up to the end of its row `rows` (counting from 1), CRLF line ends: a download cut at
/// a row end, which still parses.
fn cut_after_row(bytes: &[u8], rows: usize) -> Vec<u8> {
    let end = bytes
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w == b"\r\n")
        .nth(rows - 1)
        .map(|(i, _)| i + 2)
        .expect("that many rows");
    bytes[..end].to_vec()
}

/// What the guard should be told about `bodies` (primary, alt, add, comments) whose primary was
/// cut: the alt and add rows of the entries the primary lacks, counted without the parser.
fn expected_stray(bodies: &[Body]) -> Vec<StrayRows> {
    let kept: Vec<String> = csv_rows(&bodies[0].bytes, 12)
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    [(1, 5), (2, 6)]
        .into_iter()
        .map(|(i, columns)| {
            let mut stray = StrayRows {
                document: bodies[i].resource.clone(),
                primary: bodies[0].resource.clone(),
                ..StrayRows::default()
            };
            for row in csv_rows(&bodies[i].bytes, columns) {
                if !kept.iter().any(|k| k == &row[0]) {
                    stray.rows += 1;
                    if stray.examples.len() < 5 && !stray.examples.iter().any(|e| e == &row[0]) {
                        stray.examples.push(row[0].to_string());
                    }
                }
            }
            stray
        })
        .filter(|s| s.rows > 0)
        .collect()
}

#[test]
fn a_primary_cut_at_a_row_end_is_refused_by_the_guard_without_a_warning_per_row() {
    let sdn = std::fs::read(Path::new(FIXTURES).join("sdn.csv")).unwrap();
    // Cut after the fourth of eleven rows: 15036 onwards are missing; their rows in alt.csv,
    // add.csv and sdn_comments.csv are not.
    let bodies = with_primary(&cut_after_row(&sdn, 4));
    let (list, warnings) = with_warnings(|| snapshot(&OfacCsv::new(None), &bodies));
    assert_eq!(list.entries.len(), 4);
    let expected = expected_stray(&bodies);
    assert_eq!(list.stray_rows, expected);
    let counts: Vec<(&str, usize)> = expected
        .iter()
        .map(|s| (s.document.as_str(), s.rows))
        .collect();
    assert_eq!(counts, [("alt.csv", 3), ("add.csv", 9)]);
    assert_eq!(list.stray_rows[1].examples[0], "15036");
    // The refusal is the one message: nothing is logged per row, nor for the comments row.
    assert_eq!(warnings, Vec::<String>::new());
    // Refused even with no stored snapshot to compare the removals with.
    let refusal = check_snapshot(&list, 0, 0, 0.25).expect_err("refused");
    assert_eq!(refusal, Refusal::StrayRows(expected));
    let msg = refusal.to_string();
    assert!(
        msg.starts_with("alt.csv has 3 rows of entries missing from sdn.csv (e.g. "),
        "{msg}"
    );
    assert!(
        msg.contains("; add.csv has 9 such rows (e.g. 15036, "),
        "{msg}"
    );
    assert!(msg.ends_with("sdn.csv is cut short, or the files are from different publications"));

    // One entry missing, the last: its one add.csv row is enough.
    let list = snapshot(&OfacCsv::new(None), &with_primary(&cut_after_row(&sdn, 10)));
    assert_eq!(list.entries.len(), 10);
    assert_eq!(
        list.stray_rows,
        [StrayRows {
            document: "add.csv".into(),
            primary: "sdn.csv".into(),
            rows: 1,
            examples: vec!["28716".into()],
        }]
    );
    assert!(check_snapshot(&list, 11, 1, 0.25).is_err());

    // The whole excerpt has none.
    let whole = snapshot(&OfacCsv::new(None), &read_folder(FIXTURES, SDN_FILES));
    assert_eq!(whole.stray_rows, []);
    assert_eq!(check_snapshot(&whole, 0, 0, 0.25), Ok(()));
}

#[test]
fn stray_comments_rows_are_tolerated_with_one_warning_per_document() {
    // Constructed: the real comments rows of the excerpt, and three of entries not in it (as in
    // OFAC's January 2019 publication, whose comments file is from another day).
    let mut comments = std::fs::read(Path::new(FIXTURES).join("sdn_comments.csv")).unwrap();
    comments.extend_from_slice(b"90001,\"ab.\"\r\n90002,\"cd.\"\r\n90003,\"ef.\"\r\n\x1a");
    let mut bodies = read_folder(FIXTURES, SDN_FILES);
    bodies[3].bytes = comments;
    let (list, warnings) = with_warnings(|| snapshot(&OfacCsv::new(None), &bodies));
    assert_eq!(list.entries, fixture_entries());
    assert_eq!(list.stray_rows, []);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    assert!(warning.contains("rows=3 "), "{warning}");
    assert!(warning.contains("90001, 90002, 90003"), "{warning}");
    assert!(warning.contains("sdn_comments.csv"), "{warning}");

    // The real excerpt as published logs nothing.
    let (_, warnings) = with_warnings(fixture_entries);
    assert_eq!(warnings, Vec::<String>::new());
}

#[test]
fn full_2021_07_sdn_cut_at_a_row_end_is_refused() {
    let Some(folder) = shared_folder("ofac-sdn-csv/2021-07") else {
        return;
    };
    let mut bodies = read_folder(&folder, SDN_FILES);
    // Half the list, cut at a row end.
    bodies[0].bytes = cut_after_row(&bodies[0].bytes, 4_488);
    let (list, warnings) = with_warnings(|| snapshot(&OfacCsv::new(None), &bodies));
    assert_eq!(list.entries.len(), 4_488);
    assert_eq!(warnings, Vec::<String>::new());
    let expected = expected_stray(&bodies);
    assert_eq!(list.stray_rows, expected);
    // Every entry of the real files has an add.csv row, so each missing entry leaves one.
    assert!(
        list.stray_rows[1].rows >= 8_976 - 4_488,
        "{:?}",
        list.stray_rows
    );
    eprintln!("{}", check_snapshot(&list, 8_976, 4_488, 0.9).unwrap_err());
    assert!(matches!(
        check_snapshot(&list, 8_976, 4_488, 0.9),
        Err(Refusal::StrayRows(_))
    ));
}
