//! `kind = "opensanctions"`: a dataset kept up to date through its index, on a real HTTP server
//! on loopback serving an index, the real delta index and the real delta files of OpenSanctions
//! (tests/fixtures/opensanctions-index, built by scripts/make-opensanctions-index-fixtures.py).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha1::Digest;
use watchkeeper::config::SourceConfig;
use watchkeeper::domain::digest::hex;
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::fetch::Fetcher;
use watchkeeper::matching::{Matcher, MatcherSlot, DEFAULT_THRESHOLD};
use watchkeeper::pipeline::{run_source, CycleSummary};
use watchkeeper::store::Store;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const VERSIONS: [&str; 5] = [
    "20240527134702-zbn",
    "20240527194702-wnk",
    "20240528014702-pfh",
    "20240528074703-npf",
    "20240528134729-3iv",
];

fn fixture(name: &str) -> Vec<u8> {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/opensanctions-index")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The full export as of `version`: the real one for the first version, the assembled one for
/// the last; none for the others (fetching it then fails the test).
fn full_export(version: &str) -> Option<Vec<u8>> {
    if version == VERSIONS[0] {
        Some(fixture("entities.ftm.json"))
    } else if version == VERSIONS[4] {
        Some(fixture(&format!("entities.{version}.ftm.json")))
    } else {
        None
    }
}

struct Publication<'a> {
    /// The dataset's current version.
    version: &'a str,
    /// The versions the delta index lists.
    window: &'a [&'a str],
    /// Delta versions whose file fails with 500.
    failing: &'a [&'a str],
    /// The checksum the index gives, if not the right one.
    checksum: Option<&'a str>,
}

/// Serves a publication of the dataset as data.opensanctions.org lays it out.
async fn publish(server: &MockServer, p: Publication<'_>) {
    server.reset().await;
    let uri = server.uri();
    let full = full_export(p.version);
    let checksum = p
        .checksum
        .map(str::to_string)
        .unwrap_or_else(|| hex(&sha1::Sha1::digest(full.as_deref().unwrap_or_default())));
    let index = serde_json::json!({
        "name": "sanctions",
        "version": p.version,
        "delta_url": format!("{uri}/artifacts/sanctions/delta.json"),
        "resources": [
            {"name": "targets.simple.csv", "url": format!("{uri}/datasets/{}/sanctions/targets.simple.csv", p.version)},
            {"name": "entities.ftm.json", "url": format!("{uri}/datasets/{}/sanctions/entities.ftm.json", p.version),
             "checksum": checksum, "mime_type": "application/json+ftm"}
        ]
    });
    Mock::given(path("/datasets/latest/sanctions/index.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(index))
        .mount(server)
        .await;
    if let Some(full) = full {
        Mock::given(path(format!(
            "/datasets/{}/sanctions/entities.ftm.json",
            p.version
        )))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(full))
        .mount(server)
        .await;
    }
    // The real delta index, its URLs moved to this server and cut to the window.
    let real: serde_json::Value = serde_json::from_slice(&fixture("delta.json")).unwrap();
    let mut versions = BTreeMap::new();
    for (v, url) in real["versions"].as_object().unwrap() {
        if p.window.contains(&v.as_str()) {
            let url = url.as_str().unwrap();
            versions.insert(
                v.clone(),
                url.replace("https://data.opensanctions.org", &uri),
            );
        }
    }
    Mock::given(path("/artifacts/sanctions/delta.json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"versions": versions})),
        )
        .mount(server)
        .await;
    for v in &VERSIONS[1..] {
        let response = if p.failing.contains(v) {
            ResponseTemplate::new(500)
        } else {
            ResponseTemplate::new(200).set_body_bytes(fixture(&format!("{v}.entities.delta.json")))
        };
        Mock::given(path(format!(
            "/artifacts/sanctions/{v}/entities.delta.json"
        )))
        .respond_with(response)
        .mount(server)
        .await;
    }
}

fn source(server: &MockServer) -> SourceConfig {
    SourceConfig {
        timeout: Duration::from_secs(20),
        ..SourceConfig::new(
            "opensanctions",
            "opensanctions",
            &format!("{}/datasets/latest/sanctions/index.json", server.uri()),
        )
    }
}

fn slot() -> MatcherSlot {
    // Vladimir Nikolaevich PLOTNIKOV arrives with the last delta.
    let item = WatchItem::query(WatchKind::Person, "Vladimir Plotnikov");
    MatcherSlot::new(Matcher::new(vec![item], DEFAULT_THRESHOLD))
}

async fn cycle(db: &Path, server: &MockServer) -> CycleSummary {
    run_source(db, &source(server), &Fetcher::new(), &slot())
        .await
        .unwrap()
}

/// Paths requested since the last publication, in order.
async fn requested(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect()
}

/// The stored entries, by id, with their content hashes.
fn stored(db: &Path) -> BTreeMap<String, String> {
    let state = Store::open(db)
        .unwrap()
        .source_state("opensanctions")
        .unwrap();
    state
        .current
        .iter()
        .map(|(id, e)| (id.to_string(), e.hash.to_string()))
        .collect()
}

fn published(db: &Path) -> Option<String> {
    Store::open(db)
        .unwrap()
        .source_status("opensanctions")
        .unwrap()
        .unwrap()
        .published
}

const NO_FAILURES: &[&str] = &[];

#[tokio::test]
async fn an_unchanged_version_costs_one_request() {
    let server = MockServer::start().await;
    let at_first = Publication {
        version: VERSIONS[0],
        window: &VERSIONS,
        failing: NO_FAILURES,
        checksum: None,
    };
    publish(&server, at_first).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let first = cycle(&db, &server).await;
    assert_eq!(first.entries, 6, "{first:?}");
    assert_eq!(published(&db).as_deref(), Some(VERSIONS[0]));
    let before = requested(&server).await.len();
    let again = cycle(&db, &server).await;
    assert!(again.not_modified, "{again:?}");
    let after = requested(&server).await;
    assert_eq!(
        &after[before..],
        ["/datasets/latest/sanctions/index.json"],
        "only the index is read"
    );
}

#[tokio::test]
async fn deltas_in_a_row_give_the_store_the_full_export_gives() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let publication = |version| Publication {
        version,
        window: &VERSIONS,
        failing: NO_FAILURES,
        checksum: None,
    };
    publish(&server, publication(VERSIONS[0])).await;
    cycle(&db, &server).await;

    publish(&server, publication(VERSIONS[1])).await;
    let one = cycle(&db, &server).await;
    assert_eq!(one.added, 2, "{one:?}");
    // Three deltas in a row: an entity added, changed, deleted, and PLOTNIKOV added.
    publish(&server, publication(VERSIONS[4])).await;
    let three = cycle(&db, &server).await;
    assert_eq!(
        requested(&server).await,
        [
            "/datasets/latest/sanctions/index.json",
            "/artifacts/sanctions/delta.json",
            "/artifacts/sanctions/20240528014702-pfh/entities.delta.json",
            "/artifacts/sanctions/20240528074703-npf/entities.delta.json",
            "/artifacts/sanctions/20240528134729-3iv/entities.delta.json",
        ],
        "the deltas in version order, never the full export"
    );
    assert_eq!(three.alerts, 1, "PLOTNIKOV is listed: {three:?}");
    assert_eq!(published(&db).as_deref(), Some(VERSIONS[4]));

    // The same store as loading the last version's full export into an empty database.
    let fresh = dir.path().join("fresh.db");
    cycle(&fresh, &server).await;
    assert!(requested(&server)
        .await
        .contains(&"/datasets/20240528134729-3iv/sanctions/entities.ftm.json".to_string()));
    assert_eq!(stored(&db), stored(&fresh));
    assert_eq!(
        stored(&db).len(),
        9,
        "6 + 2 added + PLOTNIKOV; the one added then deleted is gone"
    );
}

#[tokio::test]
async fn out_of_the_delta_window_or_after_a_failed_delta_the_full_export() {
    for (window, failing) in [
        // The store's version has left the window.
        (&VERSIONS[3..], NO_FAILURES),
        // A delta file fails.
        (&VERSIONS[..], &["20240528074703-npf"][..]),
    ] {
        let server = MockServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("state.db");
        publish(
            &server,
            Publication {
                version: VERSIONS[0],
                window: &VERSIONS,
                failing: NO_FAILURES,
                checksum: None,
            },
        )
        .await;
        cycle(&db, &server).await;
        publish(
            &server,
            Publication {
                version: VERSIONS[4],
                window,
                failing,
                checksum: None,
            },
        )
        .await;
        let summary = cycle(&db, &server).await;
        assert_eq!(summary.alerts, 1, "{summary:?}");
        let paths = requested(&server).await;
        assert_eq!(
            paths.last().map(String::as_str),
            Some("/datasets/20240528134729-3iv/sanctions/entities.ftm.json"),
            "{window:?} {failing:?}: {paths:?}"
        );
        assert_eq!(published(&db).as_deref(), Some(VERSIONS[4]));
    }
}

#[tokio::test]
async fn a_full_export_that_does_not_match_its_checksum_is_refused() {
    let server = MockServer::start().await;
    publish(
        &server,
        Publication {
            version: VERSIONS[0],
            window: &VERSIONS,
            failing: NO_FAILURES,
            checksum: Some("0000000000000000000000000000000000000000"),
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let err = run_source(&db, &source(&server), &Fetcher::new(), &slot())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("checksum mismatch: the index gives SHA-1 0000000000"),
        "{err}"
    );
    let status = Store::open(&db)
        .unwrap()
        .source_status("opensanctions")
        .unwrap()
        .unwrap();
    assert_eq!(status.entries, 0);
    assert!(status.last_error.unwrap().contains("checksum mismatch"));
}
