//! Lists together: one vessel on two lists is shown as such ("also listed by"), `screen` groups
//! the entries, and OpenSanctions delta files update the stored snapshot like a full export.

use std::path::{Path, PathBuf};
use std::time::Duration;

use watchkeeper::config::SourceConfig;
use watchkeeper::domain::alert::Event;
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::fetch::Fetcher;
use watchkeeper::matching::{Matcher, MatcherSlot, DEFAULT_THRESHOLD};
use watchkeeper::pipeline::run_source;
use watchkeeper::store::Store;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn source(name: &str, kind: &str, url: String) -> SourceConfig {
    SourceConfig {
        timeout: Duration::from_secs(20),
        max_bytes: 64 << 20,
        ..SourceConfig::new(name, kind, &url)
    }
}

/// A matcher with one watched person.
fn watching(person: &str) -> MatcherSlot {
    MatcherSlot::new(Matcher::new(
        vec![WatchItem::query(WatchKind::Person, person)],
        DEFAULT_THRESHOLD,
    ))
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[tokio::test]
async fn a_vessel_on_two_lists_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let fetcher = Fetcher::new();
    // ARTAVIL on the SDN list (CSV) and, under its former name SHONA, on OFAC's classic XML:
    // the same hull, IMO 9187629.
    let mut vessel = WatchItem::query(WatchKind::Vessel, "Artavil");
    vessel.imo = Some(watchkeeper::domain::ident::parse("IMO 9187629").unwrap());
    let matcher = MatcherSlot::new(Matcher::new(vec![vessel], DEFAULT_THRESHOLD));
    let sdn = source(
        "ofac-sdn",
        "ofac_sdn_csv",
        format!("{}/", file_url(&fixture("e2e/snap1"))),
    );
    // The excerpt keeps the real header, whose Record_Count (639) the guard would rightly
    // refuse for 6 entries: serve a copy that states what it holds.
    let excerpt = std::fs::read_to_string(fixture("ofac-xml/consolidated-excerpt.xml")).unwrap();
    assert!(excerpt.contains("<Record_Count>639</Record_Count>"));
    let xml = dir.path().join("consolidated.xml");
    std::fs::write(
        &xml,
        excerpt.replace(
            "<Record_Count>639</Record_Count>",
            "<Record_Count>6</Record_Count>",
        ),
    )
    .unwrap();
    let cons = source("ofac-xml", "ofac_xml", file_url(&xml));
    run_source(&db, &sdn, &fetcher, &matcher).await.unwrap();
    run_source(&db, &cons, &fetcher, &matcher).await.unwrap();

    let store = Store::open(&db).unwrap();
    let alerts = store.alerts_since("1970-01-01T00:00:00Z").unwrap();
    let from_xml = alerts
        .iter()
        .find(|r| r.alert.source == "ofac-xml")
        .expect("the XML list's entry matched by IMO");
    assert_eq!(from_xml.alert.event, Event::AlreadyListed);
    assert_eq!(
        from_xml.alert.also_listed.len(),
        1,
        "{:?}",
        from_xml.alert.also_listed
    );
    let line = &from_xml.alert.also_listed[0];
    assert!(
        line.starts_with("also listed by ofac-sdn as 15036 \"ARTAVIL\""),
        "{line}"
    );
    assert!(line.contains("IMO 9187629"), "{line}");

    let entries = store.all_entries().unwrap();
    let imo = watchkeeper::domain::ident::parse("9187629").ok();
    let results = watchkeeper::screen::screen(&entries, "Shona", imo, None, 0.5, 10);
    // one row for the tanker, however many lists carry it
    let rows: Vec<_> = results
        .iter()
        .filter(|r| r.entry_id == "15036" || r.same_as.iter().any(|s| s == "ofac-sdn:15036"))
        .collect();
    assert_eq!(rows.len(), 1, "{results:?}");
    let row = rows[0];
    assert_eq!(
        (row.source.as_str(), row.entry_id.as_str()),
        ("ofac-sdn", "15036")
    );
    assert_eq!(row.same_as.len(), 1, "{row:?}");
    assert!(row.same_as[0].starts_with("ofac-xml:"), "{row:?}");
}

#[tokio::test]
async fn opensanctions_deltas_update_the_stored_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let served = dir.path().join("entities.json");
    let fetcher = Fetcher::new();
    let matcher = watching("Vladimir Plotnikov");
    let src = source("opensanctions", "opensanctions_ftm", file_url(&served));
    let count = |db: &Path| stored_hashes(db, "opensanctions").len();

    std::fs::copy(fixture("opensanctions-ftm/entities.ftm.json"), &served).unwrap();
    run_source(&db, &src, &fetcher, &matcher).await.unwrap();
    assert_eq!(
        count(&db),
        6,
        "4 persons and 2 organisations; the address folds into them"
    );

    // Three real consecutive deltas: two additions; a deletion of an entity we never had; one
    // addition of a watched person, which is `listed` (not the first snapshot any more).
    let steps = [
        ("20240527194702-wnk", 8),
        ("20240528074703-npf", 8),
        ("20240528134729-3iv", 9),
    ];
    for (version, expected) in steps {
        // A different size or mtime is what tells the file fetcher the document changed.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::copy(
            fixture(&format!("opensanctions-ftm/{version}.entities.delta.json")),
            &served,
        )
        .unwrap();
        run_source(&db, &src, &fetcher, &matcher)
            .await
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(count(&db), expected, "after {version}");
    }
    let alerts = Store::open(&db)
        .unwrap()
        .alerts_since("1970-01-01T00:00:00Z")
        .unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].alert.event, Event::Listed);
    assert_eq!(alerts[0].alert.entry_id, "Q4365364");
}

/// The stored entries of a source, by id, with their content hashes.
fn stored_hashes(db: &Path, source: &str) -> std::collections::BTreeMap<String, String> {
    Store::open(db)
        .unwrap()
        .source_state(source)
        .unwrap()
        .current
        .iter()
        .map(|(id, head)| (id.to_string(), head.hash.to_string()))
        .collect()
}

#[tokio::test]
async fn a_full_export_is_parsed_again_only_where_its_records_changed() {
    // The real export, with the organisation's address pointed at the real Address line it
    // carries (its own address lines are not in the excerpt), so one entry is made of two lines.
    let real = std::fs::read_to_string(fixture("opensanctions-ftm/entities.ftm.json")).unwrap();
    let first = real.replace(
        "addr-125caec37c3486d3a71de8ae943eec47f420b38a",
        "NK-2MQE6AmhAk4tqhENJAMUG9",
    );
    assert_ne!(first, real);
    // Then a new date of birth on one person's line; then a new text on the Address line.
    let second = first.replace(
        r#""birthDate":["1971-01-22"]"#,
        r#""birthDate":["1971-01-23"]"#,
    );
    let third = second.replace(
        r#""full":["Majengo area, Mombasa, KENYA"]"#,
        r#""full":["Majengo, Mombasa, KENYA"]"#,
    );
    assert!(first != second && second != third);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let served = dir.path().join("entities.json");
    let fetcher = Fetcher::new();
    let matcher = watching("Vitaly Kuzmenko");
    let src = source("os", "opensanctions_ftm", file_url(&served));
    let mut hashes = Vec::new();
    let mut summaries = Vec::new();
    for doc in [&first, &second, &third] {
        // A different size or mtime is what tells the file fetcher the document changed.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&served, doc).unwrap();
        summaries.push(run_source(&db, &src, &fetcher, &matcher).await.unwrap());
        hashes.push(stored_hashes(&db, "os"));

        // What a cycle stores from the records it parsed again is what parsing the whole
        // export into a fresh database stores.
        let fresh = dir.path().join("fresh.db");
        let _ = std::fs::remove_file(&fresh);
        let whole = run_source(&fresh, &src, &fetcher, &matcher).await.unwrap();
        assert_eq!(whole.parsed, 6, "{whole:?}");
        assert_eq!(stored_hashes(&fresh, "os"), hashes[hashes.len() - 1]);
    }

    let [s1, s2, s3] = &summaries[..] else {
        unreachable!()
    };
    assert_eq!((s1.entries, s1.parsed), (6, 6), "{s1:?}");
    assert_eq!((s2.entries, s2.parsed, s2.changed), (6, 1, 1), "{s2:?}");
    assert_eq!(
        s2.alerts, 1,
        "the watched person's change is an alert: {s2:?}"
    );
    assert_eq!((s3.entries, s3.parsed, s3.changed), (6, 1, 1), "{s3:?}");
    assert_eq!(s3.alerts, 0, "{s3:?}");

    let differs = |a: usize, b: usize| -> Vec<&String> {
        hashes[a]
            .iter()
            .filter(|(id, h)| hashes[b].get(*id) != Some(h))
            .map(|(id, _)| id)
            .collect()
    };
    assert_eq!(differs(0, 1), ["NK-2Ka3UvopqbpZmVDFjWd4LA"]);
    // Only the Address line changed, and the organisation that refers to it was parsed again.
    assert_eq!(differs(1, 2), ["NK-2GdmHtZTeNXjNVrBGEXZNj"]);

    // The watched person's line gone: one entry removed, an alert, nothing parsed; back
    // again: listed again, its line alone parsed.
    let person = r#"{"id":"NK-2Ka3UvopqbpZmVDFjWd4LA","#;
    let without: String = third
        .lines()
        .filter(|line| !line.starts_with(person))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(without.lines().count() + 1, third.lines().count());
    let mut again = Vec::new();
    for doc in [&without, &third] {
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&served, doc).unwrap();
        again.push(run_source(&db, &src, &fetcher, &matcher).await.unwrap());
    }
    let (gone, back) = (&again[0], &again[1]);
    assert_eq!(
        (gone.entries, gone.parsed, gone.removed),
        (5, 0, 1),
        "{gone:?}"
    );
    assert_eq!(gone.alerts, 1, "the watched person delisted: {gone:?}");
    assert_eq!(
        (back.entries, back.parsed, back.added),
        (6, 1, 1),
        "{back:?}"
    );
    assert_eq!(back.alerts, 1, "the watched person listed again: {back:?}");
    assert_eq!(stored_hashes(&db, "os"), hashes[2]);
}
