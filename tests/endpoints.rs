//! The publishers' endpoints as they behave, on real HTTP servers on loopback: OFAC's export URLs
//! answer with a 302 to a signed, short-lived object-store URL, a wrong file name gets an
//! object-store error document, servers that ignore conditional requests send the same bytes
//! again, and OFAC's CSV files may be fetched by role.

#[path = "support/data.rs"]
mod data;

use std::path::{Path, PathBuf};
use std::time::Duration;

use watchkeeper::config::SourceConfig;
use watchkeeper::domain::audit::Outcome;
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::fetch::Fetcher;
use watchkeeper::matching::{Matcher, MatcherSlot, DEFAULT_THRESHOLD};
use watchkeeper::pipeline::{run_source, CycleError};
use watchkeeper::store::Store;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn source(name: &str, kind: &str, url: &str) -> SourceConfig {
    SourceConfig {
        timeout: Duration::from_secs(20),
        max_bytes: 64 << 20,
        ..SourceConfig::new(name, kind, url)
    }
}

fn slot() -> MatcherSlot {
    let item = WatchItem::query(WatchKind::Person, "Abdul Ghani Baradar");
    MatcherSlot::new(Matcher::new(vec![item], DEFAULT_THRESHOLD))
}

/// A UN source served at `at` on `server`, and the database of a fresh folder for it (the
/// folder lives as long as the returned guard).
fn un_source(server: &MockServer, at: &str) -> (tempfile::TempDir, PathBuf, SourceConfig) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let src = source("un", "un_sc_xml", &format!("{}{at}", server.uri()));
    (dir, db, src)
}

fn un_excerpt() -> Vec<u8> {
    std::fs::read(fixture("un-sc-xml/consolidated-2018-10-excerpt.xml")).unwrap()
}

const ETAG: &str = "\"5d41402abc4b2a76b9719d911017c592\"";
const LAST_MODIFIED: &str = "Tue, 29 Oct 2018 23:09:49 GMT";

#[tokio::test]
async fn a_redirect_to_a_new_signed_url_each_time_still_gets_a_304() {
    let server = MockServer::start().await;
    // The export URL sends each request to a URL signed afresh.
    Mock::given(path("/exports/consolidated.xml"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", "/bucket/list?X-Amz-Signature=a1"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/exports/consolidated.xml"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", "/bucket/list?X-Amz-Signature=b2"),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    // The object store honours the validators it gave out, whatever the signature.
    Mock::given(method("GET"))
        .and(path("/bucket/list"))
        .and(header("if-none-match", ETAG))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bucket/list"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", ETAG)
                .insert_header("last-modified", LAST_MODIFIED)
                .set_body_bytes(un_excerpt()),
        )
        .with_priority(2)
        .mount(&server)
        .await;

    let (_dir, db, src) = un_source(&server, "/exports/consolidated.xml");
    let (fetcher, slot) = (Fetcher::new(), slot());
    let first = run_source(&db, &src, &fetcher, &slot).await.unwrap();
    assert!(!first.not_modified && first.entries > 0, "{first:?}");
    let second = run_source(&db, &src, &fetcher, &slot).await.unwrap();
    assert!(second.not_modified, "{second:?}");

    let requests = server.received_requests().await.unwrap();
    let signed: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path() == "/bucket/list")
        .collect();
    assert_eq!(
        signed.len(),
        2,
        "one download, then one conditional request"
    );
    assert_eq!(signed[1].url.query(), Some("X-Amz-Signature=b2"));
    let sent = |name: &str| {
        signed[1]
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(sent("if-none-match").as_deref(), Some(ETAG));
    assert_eq!(sent("if-modified-since").as_deref(), Some(LAST_MODIFIED));
}

#[tokio::test]
async fn the_same_bytes_again_cost_no_parse_and_no_diff() {
    let server = MockServer::start().await;
    // A server that ignores conditional requests and gives no validators.
    let body = un_excerpt();
    Mock::given(path("/consolidated.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(body.clone()))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    // Then a new publication: one entry fewer.
    let text = String::from_utf8(body).unwrap();
    let cut_start = text.find("<INDIVIDUAL>").unwrap();
    let cut_end = text[cut_start..].find("</INDIVIDUAL>").unwrap() + cut_start + 13;
    let fewer = format!("{}{}", &text[..cut_start], &text[cut_end..]);
    Mock::given(path("/consolidated.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fewer))
        .with_priority(2)
        .mount(&server)
        .await;

    let (_dir, db, src) = un_source(&server, "/consolidated.xml");
    let (fetcher, slot) = (Fetcher::new(), slot());
    let first = run_source(&db, &src, &fetcher, &slot).await.unwrap();
    let second = run_source(&db, &src, &fetcher, &slot).await.unwrap();
    assert!(second.same_content && !second.not_modified, "{second:?}");
    assert_eq!(second.entries, first.entries);
    let third = run_source(&db, &src, &fetcher, &slot).await.unwrap();
    assert!(!third.same_content, "{third:?}");
    assert_eq!(third.removed, 1, "{third:?}");

    let store = Store::open(&db).unwrap();
    let cycles = store.cycles_since("1970-01-01T00:00:00Z").unwrap();
    let outcomes: Vec<Outcome> = cycles.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Applied, Outcome::Unchanged, Outcome::Applied]
    );
    // The audit trail names the same version for the first two cycles.
    assert_eq!(cycles[0].content_hash, cycles[1].content_hash);
    assert_eq!(cycles[1].entries, Some(first.entries));
    assert_ne!(cycles[1].content_hash, cycles[2].content_hash);
}

#[tokio::test]
async fn the_same_bytes_are_known_in_a_database_from_before_the_fast_check() {
    let server = MockServer::start().await;
    Mock::given(path("/consolidated.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(un_excerpt()))
        .mount(&server)
        .await;
    let (_dir, db, src) = un_source(&server, "/consolidated.xml");
    let (fetcher, slot) = (Fetcher::new(), slot());
    run_source(&db, &src, &fetcher, &slot).await.unwrap();
    // cycles recorded by a build that kept only the SHA-256
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("UPDATE cycles SET content_check = NULL", [])
        .unwrap();
    let second = run_source(&db, &src, &fetcher, &slot).await.unwrap();
    assert!(second.same_content, "{second:?}");
    let third = run_source(&db, &src, &fetcher, &slot).await.unwrap();
    assert!(third.same_content, "{third:?}");

    let cycles = Store::open(&db)
        .unwrap()
        .cycles_since("1970-01-01T00:00:00Z")
        .unwrap();
    assert_eq!(cycles.len(), 3);
    // every cycle names the version by the same SHA-256, and the later ones keep the check
    let sha = cycles[0].content_hash.clone().unwrap();
    assert_eq!(sha.len(), 64, "{sha}");
    for c in &cycles {
        assert_eq!(c.content_hash.as_deref(), Some(sha.as_str()));
    }
    let check = cycles[1].content_check.clone().unwrap();
    assert!(check.starts_with("xxh3-128:"), "{check}");
    assert_eq!(cycles[2].content_check.as_deref(), Some(check.as_str()));
}

/// What Amazon S3 answers a GET of a key that does not exist with.
const NO_SUCH_KEY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>exports/SDN.XMLL</Key><RequestId>9V3QJ4Y0B1F5</RequestId></Error>";

#[tokio::test]
async fn an_object_store_error_document_is_refused_with_its_message() {
    let server = MockServer::start().await;
    Mock::given(path("/consolidated.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(un_excerpt()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    // Served with 200, as some object-store gateways do, then with 404.
    Mock::given(path("/consolidated.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_string(NO_SUCH_KEY))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/consolidated.xml"))
        .respond_with(ResponseTemplate::new(404).set_body_string(NO_SUCH_KEY))
        .with_priority(3)
        .mount(&server)
        .await;

    let (_dir, db, src) = un_source(&server, "/consolidated.xml");
    let (fetcher, slot) = (Fetcher::new(), slot());
    let stored = run_source(&db, &src, &fetcher, &slot)
        .await
        .unwrap()
        .entries;

    let said = "NoSuchKey: The specified key does not exist.";
    let refused = run_source(&db, &src, &fetcher, &slot).await.unwrap_err();
    assert!(matches!(refused, CycleError::Refused { .. }), "{refused}");
    assert!(refused.to_string().contains(said), "{refused}");
    let missing = run_source(&db, &src, &fetcher, &slot).await.unwrap_err();
    assert!(matches!(missing, CycleError::Fetch { .. }), "{missing}");
    assert!(
        missing.to_string().contains(&format!(
            "server answered 404: the server sent an error document: {said}"
        )),
        "{missing}"
    );

    let store = Store::open(&db).unwrap();
    let status = store.source_status("un").unwrap().unwrap();
    assert!(status.last_error.unwrap().contains(said));
    assert_eq!(status.entries, stored as i64, "the stored snapshot is kept");
}

fn csv_rows(bytes: &[u8]) -> usize {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .filter_map(Result::ok)
        .filter(|r| r.len() == 12)
        .count()
}

async fn load_primary_alone(sdn_csv: &Path) -> (usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    // Only the primary file is published here: fetching alt.csv would fail.
    std::fs::copy(sdn_csv, folder.join("sdn.csv")).unwrap();
    let mut src = source(
        "ofac-sdn",
        "ofac_sdn_csv",
        &format!("file://{}/", folder.display()),
    );
    src.files = Some(vec!["sdn.csv".into()]);
    let summary = run_source(&dir.path().join("state.db"), &src, &Fetcher::new(), &slot())
        .await
        .unwrap();
    (summary.entries, csv_rows(&std::fs::read(sdn_csv).unwrap()))
}

#[tokio::test]
async fn the_primary_sdn_file_alone_is_a_list() {
    let (entries, rows) = load_primary_alone(&fixture("ofac-sdn-csv/sdn.csv")).await;
    assert!(rows > 10);
    assert_eq!(entries, rows);
    // The whole real July 2021 file, when the shared data is beside the checkout.
    if let Some(full) = data::real_path("ofac-sdn-csv/2021-07/sdn.csv") {
        let (entries, rows) = load_primary_alone(&full).await;
        assert!(rows > 8_000, "{rows}");
        assert_eq!(entries, rows);
    }
}

#[tokio::test]
async fn without_alt_csv_the_default_files_fail_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(fixture("ofac-sdn-csv/sdn.csv"), folder.join("sdn.csv")).unwrap();
    let src = source(
        "ofac-sdn",
        "ofac_sdn_csv",
        &format!("file://{}/", folder.display()),
    );
    let err = run_source(&dir.path().join("state.db"), &src, &Fetcher::new(), &slot())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("alt.csv"), "{err}");
}

fn config_with_files(files: &str) -> Result<watchkeeper::config::Config, String> {
    let text = format!(
        r#"[daemon]
database = "state.db"
watchlist = "watchlist.toml"

[[source]]
name = "ofac-cons"
kind = "ofac_sdn_csv"
url = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
schedule = "0 15 */2 * * *"
files = {files}

[email]
transport = "stdout"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
"#
    );
    watchkeeper::config::parse(&text, Path::new("/etc/watchkeeper/watchkeeper.toml"))
        .map_err(|e| e.to_string())
}

#[test]
fn files_are_given_by_position_or_by_role() {
    let files = |spec: &str| {
        config_with_files(spec).unwrap().sources[0]
            .files
            .clone()
            .unwrap()
    };
    assert_eq!(files(r#"["sdn.csv"]"#), ["sdn.csv"]);
    // A role left out takes OFAC's name of that file beside the primary; "" is not fetched.
    assert_eq!(
        files(r#"{ primary = "CONS_PRIM.CSV", comments = "" }"#),
        ["CONS_PRIM.CSV", "CONS_ALT.CSV", "CONS_ADD.CSV", ""]
    );
    assert_eq!(
        files(r#"{ primary = "sdn.csv" }"#),
        ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
    );
    for (spec, says) in [
        (r#"{ alt = "alt.csv" }"#, "the primary file is missing"),
        ("[]", "expected 1 to 4 file names"),
        (
            r#"["", "alt.csv"]"#,
            "the primary file (the first) is missing",
        ),
        (r#"["lists/sdn.csv"]"#, "no folders"),
    ] {
        let err = config_with_files(spec).unwrap_err();
        assert!(err.contains("watchkeeper.toml:10:9: files: "), "{err}");
        assert!(err.contains(says), "{spec}: {err}");
    }
}

#[test]
fn a_config_of_presets_only_checks_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from(
        "[daemon]\ndatabase = \"state.db\"\nwatchlist = \"watchlist.toml\"\ncontact = \"compliance@example.org\"\n\n",
    );
    for p in watchkeeper::sources::presets::PRESETS {
        config.push_str(&format!("[[source]]\npreset = \"{}\"\n\n", p.name));
    }
    config.push_str("[email]\ntransport = \"stdout\"\nfrom = \"watchkeeper <alerts@example.org>\"\nto = [\"compliance@example.org\"]\n");
    std::fs::write(dir.path().join("watchkeeper.toml"), &config).unwrap();
    std::fs::write(
        dir.path().join("watchlist.toml"),
        "[[vessel]]\nname = \"Skipper\"\nimo = \"9304667\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(["check", "--config"])
        .arg(dir.path().join("watchkeeper.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for p in watchkeeper::sources::presets::PRESETS {
        assert!(
            stdout.contains(&format!("  {} ({})", p.name, p.kind)),
            "{stdout}"
        );
        assert!(stdout.contains(p.url), "{stdout}");
    }
}

#[test]
fn a_preset_fills_what_is_not_set_and_unknown_presets_are_named() {
    let parse = |source: &str| {
        let text = format!(
            "[daemon]\ndatabase = \"s.db\"\nwatchlist = \"w.toml\"\n\n[[source]]\n{source}\n[email]\ntransport = \"stdout\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n"
        );
        watchkeeper::config::parse(&text, Path::new("/etc/watchkeeper/watchkeeper.toml"))
            .map(|c| c.sources[0].clone())
            .map_err(|e| e.to_string())
    };
    let s = parse("preset = \"ofac-consolidated\"\nname = \"cons\"\nschedule = \"0 0 6 * * *\"\n")
        .unwrap();
    assert_eq!((s.name.as_str(), s.kind.as_str()), ("cons", "ofac_sdn_csv"));
    assert_eq!(s.schedule, "0 0 6 * * *");
    assert_eq!(s.files.unwrap()[0], "CONS_PRIM.CSV");
    let eu = parse("preset = \"eu-fsf\"\n").unwrap();
    assert!(
        eu.url.ends_with("content?token=dG9rZW4tMjAxNw"),
        "{}",
        eu.url
    );
    let os = parse("kind = \"opensanctions\"\nname = \"os-peps\"\ndataset = \"peps\"\nschedule = \"0 0 6 * * *\"\n").unwrap();
    assert_eq!(
        os.url,
        "https://data.opensanctions.org/datasets/latest/peps/index.json"
    );
    let err = parse("preset = \"ofac\"\n").unwrap_err();
    assert!(
        err.contains("watchkeeper.toml:6:10: unknown preset `ofac`, expected one of `ofac-sdn`"),
        "{err}"
    );
    let err = parse("name = \"x\"\nurl = \"https://example.org/\"\nschedule = \"0 0 6 * * *\"\n")
        .unwrap_err();
    assert!(
        err.contains("[[source]] number 1: missing `kind` (or a `preset`)"),
        "{err}"
    );
}

#[tokio::test]
async fn a_source_sends_its_user_agent_everywhere_and_its_headers_to_its_own_host_only() {
    let server = MockServer::start().await;
    let port = server.address().port();
    Mock::given(path("/list"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("http://localhost:{port}/elsewhere")),
        )
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(un_excerpt()))
        .mount(&server)
        .await;
    let mut src = source("un", "un_sc_xml", &format!("http://127.0.0.1:{port}/list"));
    src.allow_redirect_hosts = vec!["localhost".into()];
    src.user_agent = Some("Mozilla/5.0 (compatible; screening)".into());
    src.headers = vec![("X-Api-Key".into(), "secret-key".into())];
    let fetcher = Fetcher::new();
    fetcher.fetch(&src, &[], &Default::default()).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let header = |i: usize, name: &str| {
        requests[i]
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(requests.len(), 2);
    for i in 0..2 {
        assert_eq!(
            header(i, "user-agent").as_deref(),
            Some("Mozilla/5.0 (compatible; screening)")
        );
    }
    assert_eq!(header(0, "x-api-key").as_deref(), Some("secret-key"));
    assert_eq!(
        header(1, "x-api-key"),
        None,
        "never to where a redirect leads"
    );

    // Without its own, a source sends watchkeeper's, with the operator's contact.
    let plain = source("un", "un_sc_xml", &format!("{}/elsewhere", server.uri()));
    Fetcher::with_contact(Some("compliance@example.org"))
        .fetch(&plain, &[], &Default::default())
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let ua = requests[2]
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(
        ua,
        format!(
            "watchkeeper/{} (sanctions list monitor; contact: compliance@example.org)",
            env!("CARGO_PKG_VERSION")
        )
    );
}
