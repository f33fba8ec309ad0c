//! The snapshot guard against a real HTTP server: a broken download never replaces the stored
//! snapshot and never produces `delisted` alerts; a failing source raises one `source-stale`
//! notice and one `source-recovered` notice.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use watchkeeper::config::SourceConfig;
use watchkeeper::domain::alert::Event;
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::fetch::Fetcher;
use watchkeeper::matching::{Matcher, MatcherSlot, DEFAULT_THRESHOLD};
use watchkeeper::pipeline::{run_source, CycleError};
use watchkeeper::store::Store;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

fn snap1(file: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e/snap1");
    std::fs::read(dir.join(file)).unwrap()
}

fn source(server: &MockServer, stale_after: Duration) -> SourceConfig {
    SourceConfig {
        stale_after,
        timeout: Duration::from_secs(20),
        max_bytes: 8 << 20,
        ..SourceConfig::new(
            "ofac-sdn",
            "ofac_sdn_csv",
            &format!("{}/ofac/", server.uri()),
        )
    }
}

fn matcher() -> MatcherSlot {
    let items = vec![
        WatchItem::query(WatchKind::Person, "Alexander Lukashenko"),
        WatchItem::query(WatchKind::Person, "Nicolas Maduro"),
    ];
    MatcherSlot::new(Matcher::new(items, DEFAULT_THRESHOLD))
}

/// Serves the four OFAC files, `sdn` replacing the real sdn.csv.
async fn serve(server: &MockServer, sdn: ResponseTemplate) {
    serve_only(server, sdn, None).await;
}

/// [`serve`], with alt.csv and add.csv reduced to the rows of the entries `keep` names, when
/// given: a consistent publication of fewer entries (stray comments rows are tolerated).
async fn serve_only(server: &MockServer, sdn: ResponseTemplate, keep: Option<&HashSet<String>>) {
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/ofac/sdn.csv"))
        .respond_with(sdn)
        .mount(server)
        .await;
    for f in &FILES[1..] {
        Mock::given(method("GET"))
            .and(path(format!("/ofac/{f}")))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(match *f {
                "sdn_comments.csv" => snap1(f),
                _ => only(&snap1(f), keep),
            }))
            .mount(server)
            .await;
    }
}

/// The lines of `file` whose first field is an ent_num `keep` names (all when `None`).
fn only(file: &[u8], keep: Option<&HashSet<String>>) -> Vec<u8> {
    let Some(keep) = keep else {
        return file.to_vec();
    };
    String::from_utf8_lossy(file)
        .lines()
        .filter(|l| keep.contains(l.split(',').next().unwrap_or_default()))
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect()
}

fn entry_ids(db: &Path) -> Vec<String> {
    let state = Store::open(db).unwrap().source_state("ofac-sdn").unwrap();
    let mut ids: Vec<String> = state.current.keys().map(String::from).collect();
    ids.sort();
    ids
}

fn events(db: &Path) -> Vec<(Event, String)> {
    let mut v: Vec<(Event, String)> = Store::open(db)
        .unwrap()
        .alerts_since("1970-01-01T00:00:00Z")
        .unwrap()
        .into_iter()
        .map(|r| (r.alert.event, r.alert.entry_id))
        .collect();
    v.sort_by_key(|(e, id)| (e.as_str().to_string(), id.clone()));
    v
}

fn gzip_bomb() -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap()
}

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("state.db")
}

#[tokio::test]
async fn implausible_snapshots_are_refused_and_nothing_stored_changes() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let src = source(&server, Duration::from_secs(48 * 3600));
    let fetcher = Fetcher::new();
    let sdn = snap1("sdn.csv");

    serve(
        &server,
        ResponseTemplate::new(200).set_body_bytes(sdn.clone()),
    )
    .await;
    let first = run_source(&db, &src, &fetcher, &matcher()).await.unwrap();
    assert_eq!(first.entries, 31);
    let stored = entry_ids(&db);
    let alerts_before = events(&db);
    assert!(alerts_before.contains(&(Event::AlreadyListed, "9760".into())));

    let text = String::from_utf8_lossy(&sdn).to_string();
    let lukashenka_at = text.find("\n9760,").unwrap() + 1;
    let cut = &sdn[..lukashenka_at + 30];
    let without_most: Vec<u8> = text
        .lines()
        .enumerate()
        .filter(|(i, l)| i % 5 < 2 && !l.starts_with("9760,"))
        .flat_map(|(_, l)| format!("{l}\n").into_bytes())
        .collect();
    assert!(!String::from_utf8_lossy(&without_most).contains("\n9760,"));
    let kept: HashSet<String> = String::from_utf8_lossy(&without_most)
        .lines()
        .filter_map(|l| l.split(',').next().map(String::from))
        .collect();

    // The last field, when given, makes a consistent publication: the other files hold only the
    // rows of the entries it names.
    let cases: Vec<(&str, ResponseTemplate, &str, Option<&HashSet<String>>)> = vec![
        (
            "an HTML error page with status 200",
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string(
                    "<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>",
                ),
            "HTML page",
            None,
        ),
        (
            "an empty body",
            ResponseTemplate::new(200),
            "empty document",
            None,
        ),
        (
            "a document cut in the middle of a row",
            ResponseTemplate::new(200).set_body_bytes(cut.to_vec()),
            "parse failed",
            None,
        ),
        (
            "60% of the entries removed from sdn.csv only",
            ResponseTemplate::new(200).set_body_bytes(without_most.clone()),
            "rows of entries missing from sdn.csv",
            None,
        ),
        (
            "60% of the entries removed from all four files",
            ResponseTemplate::new(200).set_body_bytes(without_most),
            "more than max_removed_share",
            Some(&kept),
        ),
        (
            "a gzip bomb",
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_bytes(gzip_bomb()),
            "larger than",
            None,
        ),
        (
            "a server error",
            ResponseTemplate::new(503),
            "server answered 503",
            None,
        ),
    ];
    for (what, response, reason, keep) in cases {
        serve_only(&server, response, keep).await;
        let err = run_source(&db, &src, &fetcher, &matcher())
            .await
            .expect_err(what);
        let msg = err.to_string();
        assert!(
            msg.contains(reason),
            "{what}: refused for another reason: {msg}"
        );
        assert!(
            !matches!(err, CycleError::Store(_)),
            "{what}: store error {msg}"
        );
        assert_eq!(entry_ids(&db), stored, "{what}: stored snapshot changed");
        assert_eq!(events(&db), alerts_before, "{what}: alerts raised");
        let status = Store::open(&db)
            .unwrap()
            .source_status("ofac-sdn")
            .unwrap()
            .unwrap();
        assert!(
            status.last_error.as_deref().unwrap_or("").contains(reason),
            "{what}: status does not show the reason: {:?}",
            status.last_error
        );
    }

    // The good file is accepted again, clearing the error.
    serve(&server, ResponseTemplate::new(200).set_body_bytes(sdn)).await;
    run_source(&db, &src, &fetcher, &matcher()).await.unwrap();
    let status = Store::open(&db)
        .unwrap()
        .source_status("ofac-sdn")
        .unwrap()
        .unwrap();
    assert_eq!(status.last_error, None);
    assert_eq!(entry_ids(&db), stored);
    assert!(!events(&db).iter().any(|(e, _)| *e == Event::Delisted));
}

#[tokio::test]
async fn a_failing_source_raises_one_stale_and_one_recovered_notice() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let src = source(&server, Duration::from_secs(1));
    let fetcher = Fetcher::new();
    let good = || ResponseTemplate::new(200).set_body_bytes(snap1("sdn.csv"));

    serve(&server, good()).await;
    run_source(&db, &src, &fetcher, &matcher()).await.unwrap();
    serve(&server, ResponseTemplate::new(500)).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for _ in 0..3 {
        assert!(run_source(&db, &src, &fetcher, &matcher()).await.is_err());
    }
    serve(&server, good()).await;
    for _ in 0..2 {
        run_source(&db, &src, &fetcher, &matcher()).await.unwrap();
    }
    let notices: Vec<Event> = events(&db)
        .into_iter()
        .map(|(e, _)| e)
        .filter(|e| matches!(e, Event::SourceStale | Event::SourceRecovered))
        .collect();
    assert_eq!(notices, [Event::SourceRecovered, Event::SourceStale]);
}

/// OFAC's four files of `snap1` in a folder of their own, `sdn` replacing the real sdn.csv.
fn write_folder(folder: &Path, sdn: &[u8]) {
    for f in &FILES[1..] {
        std::fs::write(folder.join(f), snap1(f)).unwrap();
    }
    std::fs::write(folder.join("sdn.csv"), sdn).unwrap();
}

/// The real sdn.csv up to the end of its row `rows` (counting from 1): a truncated download that
/// still parses, since it ends at a row end.
fn cut_after_row(sdn: &[u8], rows: usize) -> Vec<u8> {
    let end = sdn
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(rows - 1)
        .map(|(i, _)| i + 1)
        .unwrap();
    sdn[..end].to_vec()
}

#[tokio::test]
async fn a_primary_file_cut_at_a_row_end_is_refused_and_nothing_is_delisted() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let folder = dir.path().join("ofac");
    std::fs::create_dir(&folder).unwrap();
    let src = SourceConfig::new(
        "ofac-sdn",
        "ofac_sdn_csv",
        &format!("file://{}/", folder.display()),
    );
    let fetcher = Fetcher::new();
    let sdn = snap1("sdn.csv");

    write_folder(&folder, &sdn);
    let first = run_source(&db, &src, &fetcher, &matcher()).await.unwrap();
    assert_eq!(first.entries, 31);
    let stored = entry_ids(&db);
    let alerts_before = events(&db);
    assert!(alerts_before.contains(&(Event::AlreadyListed, "22790".into())));

    // After row 26 the cut drops five entries (16%, under max_removed_share), Maduro (22790)
    // among them; after row 10, 21 entries (68%), Lukashenka (9760) among them. Either is
    // refused for the rows alt.csv and add.csv still hold, not for the share.
    let cases = [
        (
            26,
            "alt.csv has 4 rows of entries missing from sdn.csv (e.g. 20050, 20880, 21229); \
             add.csv has 5 such rows (e.g. 20050, 20880, 21229, 22790, 23128)",
        ),
        (
            10,
            "alt.csv has 56 rows of entries missing from sdn.csv \
             (e.g. 9760, 10654, 12300, 12733, 15036, …); \
             add.csv has 51 such rows (e.g. 9383, 9760, 10654, 11310, 12300, …)",
        ),
    ];
    for (rows, stray) in cases {
        let cut = cut_after_row(&sdn, rows);
        assert!(cut.ends_with(b"\n") && cut.len() < sdn.len());
        write_folder(&folder, &cut);
        let err = run_source(&db, &src, &fetcher, &matcher())
            .await
            .expect_err("a cut sdn.csv is refused");
        assert!(matches!(err, CycleError::Refused { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(stray), "{msg}");
        assert!(msg.contains("sdn.csv is cut short"), "{msg}");
        assert!(!msg.contains("max_removed_share"), "{msg}");
        assert_eq!(
            entry_ids(&db),
            stored,
            "cut after row {rows}: stored changed"
        );
        assert_eq!(
            events(&db),
            alerts_before,
            "cut after row {rows}: alerts raised"
        );
        let store = Store::open(&db).unwrap();
        let status = store.source_status("ofac-sdn").unwrap().unwrap();
        assert!(
            status
                .last_error
                .as_deref()
                .unwrap_or("")
                .contains("cut short"),
            "{:?}",
            status.last_error
        );
        let last = store.cycles_since("1970-01-01T00:00:00Z").unwrap();
        assert_eq!(
            last.last().unwrap().outcome,
            watchkeeper::domain::audit::Outcome::Refused
        );
    }

    // The whole file applies again.
    write_folder(&folder, &sdn);
    run_source(&db, &src, &fetcher, &matcher()).await.unwrap();
    let status = Store::open(&db)
        .unwrap()
        .source_status("ofac-sdn")
        .unwrap()
        .unwrap();
    assert_eq!(status.last_error, None);
    assert_eq!(entry_ids(&db), stored);
    assert!(!events(&db).iter().any(|(e, _)| *e == Event::Delisted));
}

/// The real UN list excerpt, with its first record made 100,000 elements deep.
fn un_list(deep: bool) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/un-sc-xml/consolidated-2018-10-excerpt.xml");
    let text = std::fs::read_to_string(path).unwrap();
    if !deep {
        return text.into_bytes();
    }
    let at = text.find("<INDIVIDUAL>").unwrap() + "<INDIVIDUAL>".len();
    let nest = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    format!("{}{nest}{}", &text[..at], &text[at..]).into_bytes()
}

#[tokio::test]
async fn a_list_nested_100000_deep_fails_its_cycle_and_the_other_sources_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let fetcher = Fetcher::new();
    let mut sources = Vec::new();
    for (name, deep) in [("un-deep", true), ("un", false)] {
        let file = dir.path().join(format!("{name}.xml"));
        std::fs::write(&file, un_list(deep)).unwrap();
        let url = format!("file://{}", file.display());
        sources.push(SourceConfig::new(name, "un_sc_xml", &url));
    }
    let deep = run_source(&db, &sources[0], &fetcher, &matcher())
        .await
        .expect_err("a 100,000-deep record is refused");
    let msg = deep.to_string();
    assert!(
        msg.contains("un-deep.xml: byte ")
            && msg.contains("nested more than 256 deep inside record <INDIVIDUAL>"),
        "{msg}"
    );
    let good = run_source(&db, &sources[1], &fetcher, &matcher())
        .await
        .unwrap();
    assert!(good.entries > 0);

    let store = Store::open(&db).unwrap();
    let failed = store.source_status("un-deep").unwrap().unwrap();
    let error = failed.last_error.unwrap_or_default();
    assert!(error.contains("nested more than 256 deep"), "{error}");
    assert!(store.source_state("un-deep").unwrap().current.is_empty());
    let ok = store.source_status("un").unwrap().unwrap();
    assert_eq!(ok.last_error, None);
    assert_eq!(
        store.source_state("un").unwrap().current.len(),
        good.entries
    );
}
