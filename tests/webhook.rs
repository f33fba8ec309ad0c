//! Webhooks through the outbox, as a user runs them: `watchkeeper once` on the real OFAC
//! excerpt of tests/fixtures, posting to real HTTP servers on loopback (wiremock), with a
//! real SQLite database and the email going to .eml files beside.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::smtp::closed_port;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ARTAVIL: &str = "[[vessel]]\nname = \"Artavil\"\nimo = \"IMO 9187629\"\n";
const LUKASHENKO: &str = "[[person]]\nname = \"Alexander Lukashenko\"\n";

/// A config reading the OFAC SDN excerpt, emailing into `outbox/`, with `webhook` appended.
fn setup(webhook: &str, watchlist: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ofac-sdn-csv");
    let config = format!(
        r#"[daemon]
database = "state.db"
watchlist = "watchlist.toml"

[[source]]
name = "ofac-sdn"
kind = "ofac_sdn_csv"
url = "file://{}/"
schedule = "0 0 7 * * *"

[email]
transport = "file"
path = "outbox"
to = ["compliance@example.org"]
{webhook}"#,
        fixtures.display()
    );
    std::fs::write(dir.path().join("watchkeeper.toml"), config).unwrap();
    std::fs::write(dir.path().join("watchlist.toml"), watchlist).unwrap();
    dir
}

fn set_config(dir: &Path, webhook: &str) {
    let path = dir.join("watchkeeper.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let base = text.split("[[webhook]]").next().unwrap().to_string();
    std::fs::write(&path, base + webhook).unwrap();
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn watchkeeper(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(args)
        .arg("--config")
        .arg(dir.join("watchkeeper.toml"))
        .env_remove("CREDENTIALS_DIRECTORY")
        .output()
        .unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

fn once(dir: &Path) -> Run {
    watchkeeper(dir, &["once"])
}

fn emails(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir.join("outbox")) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

fn webhook(name: &str, format: &str, url: &str) -> String {
    format!("\n[[webhook]]\nname = \"{name}\"\nformat = \"{format}\"\nurl = \"{url}\"\n")
}

/// A server on `port`, which nothing listened on until now.
async fn server_on(port: u16) -> MockServer {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    MockServer::builder().listener(listener).start().await
}

fn body(r: &wiremock::Request) -> Value {
    serde_json::from_slice(&r.body).expect("a JSON body")
}

fn key(r: &wiremock::Request) -> String {
    r.headers
        .get("idempotency-key")
        .expect("an Idempotency-Key header")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_down_for_one_cycle_gets_the_alerts_exactly_once_on_the_next() {
    let port = closed_port();
    let dir = setup(
        &webhook("ops", "json", &format!("http://127.0.0.1:{port}/hook")),
        &format!("{ARTAVIL}{LUKASHENKO}"),
    );
    let down = once(dir.path());
    assert!(!down.ok, "a failed post must fail `once`: {}", down.stdout);
    assert!(
        down.stdout.contains("sent: 1, failed: 1"),
        "{}",
        down.stdout
    );
    assert!(
        down.stderr.contains("webhook ops (127.0.0.1)"),
        "{}",
        down.stderr
    );
    let mailed = emails(dir.path());
    assert_eq!(mailed.len(), 1, "email does not wait for the webhook");

    let server = server_on(port).await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let up = once(dir.path());
    assert!(up.ok, "{}{}", up.stdout, up.stderr);
    assert!(up.stdout.contains("sent: 1, failed: 0"), "{}", up.stdout);
    let again = once(dir.path());
    assert!(again.ok, "{}{}", again.stdout, again.stderr);

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1, "posted exactly once");
    assert_eq!(
        emails(dir.path()),
        mailed,
        "and the email was not sent again"
    );
    let b = body(&received[0]);
    assert_eq!(b["id"].as_str().unwrap(), key(&received[0]));
    let alerts = b["alerts"].as_array().unwrap();
    let mut names: Vec<&str> = alerts
        .iter()
        .map(|a| a["entry_name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["ARTAVIL", "LUKASHENKA, Alyaksandr Hryhoryavich"]);
    assert!(alerts.iter().all(|a| a["event"] == "already-listed"));
    assert!(b["subject"]
        .as_str()
        .unwrap()
        .starts_with("watchkeeper: 2 already-listed"));
    assert!(b["text"]
        .as_str()
        .unwrap()
        .contains("ARTAVIL (IMO 9187629)"));

    let states = watchkeeper(dir.path(), &["alerts", "--json"]);
    let v: Value = serde_json::from_str(&states.stdout).unwrap();
    let states: Vec<&str> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["sent", "sent"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_post_is_retried_with_the_same_key_and_body_in_slack_format() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("invalid_token"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let dir = setup(
        &webhook(
            "team",
            "slack",
            &format!("{}/services/T0/B0/x", server.uri()),
        ),
        ARTAVIL,
    );
    let first = once(dir.path());
    assert!(!first.ok);
    assert!(
        first.stderr.contains("HTTP 500: invalid_token"),
        "the endpoint's answer is logged: {}",
        first.stderr
    );
    assert!(
        !first.stderr.contains("/services/T0"),
        "the URL's secret path is never logged: {}",
        first.stderr
    );
    assert!(once(dir.path()).ok);
    assert!(once(dir.path()).ok);
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2, "one refused, one taken, nothing after");
    assert_eq!(key(&received[0]), key(&received[1]));
    assert_eq!(received[0].body, received[1].body);
    let text = body(&received[1])["text"].as_str().unwrap().to_string();
    assert!(
        text.starts_with("*watchkeeper: already-listed: ARTAVIL (IMO 9187629) on "),
        "{text}"
    );
    assert!(text.contains("\n• already-listed: ARTAVIL"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn matrix_gets_a_room_message_put_under_the_key_with_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path_regex(
            r"^/_matrix/client/v3/rooms/!ops:example\.org/send/m\.room\.message/[^/]+$",
        ))
        .and(header("authorization", "Bearer syt_secret"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"event_id":"$1"}"#))
        .mount(&server)
        .await;
    let dir = setup("", ARTAVIL);
    std::fs::write(dir.path().join("matrix-token"), "syt_secret\n").unwrap();
    std::fs::write(
        dir.path().join("matrix-url"),
        format!(
            "{}/_matrix/client/v3/rooms/!ops:example.org/send/m.room.message\n",
            server.uri()
        ),
    )
    .unwrap();
    set_config(
        dir.path(),
        "[[webhook]]\nname = \"room\"\nformat = \"matrix\"\nurl_file = \"matrix-url\"\ntoken_file = \"matrix-token\"\n",
    );
    let run = once(dir.path());
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let txn = received[0]
        .url
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap();
    assert_eq!(txn, key(&received[0]));
    let b = body(&received[0]);
    assert_eq!(b["msgtype"], "m.text");
    assert_eq!(b["format"], "org.matrix.custom.html");
    assert!(b["formatted_body"]
        .as_str()
        .unwrap()
        .contains("<li>already-listed: ARTAVIL (IMO 9187629)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_added_later_gets_new_alerts_not_the_past() {
    let dir = setup("", ARTAVIL);
    assert!(once(dir.path()).ok);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    set_config(dir.path(), &webhook("ops", "json", &server.uri()));
    let quiet = once(dir.path());
    assert!(quiet.ok, "{}{}", quiet.stdout, quiet.stderr);
    assert!(server.received_requests().await.unwrap().is_empty());

    std::fs::write(
        dir.path().join("watchlist.toml"),
        format!("{ARTAVIL}{LUKASHENKO}"),
    )
    .unwrap();
    assert!(once(dir.path()).ok);
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let names: Vec<Value> = body(&received[0])["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["entry_name"].clone())
        .collect();
    assert_eq!(names, ["LUKASHENKA, Alyaksandr Hryhoryavich"]);
}

#[test]
fn check_refuses_a_clear_text_webhook_to_another_host_at_its_line() {
    let dir = setup(
        &webhook("ops", "slack", "http://hooks.example.org/x"),
        ARTAVIL,
    );
    let run = watchkeeper(dir.path(), &["check"]);
    assert!(!run.ok);
    let place = format!("{}:19:7:", dir.path().join("watchkeeper.toml").display());
    assert!(
        run.stderr.contains(&place) && run.stderr.contains("clear text"),
        "{}",
        run.stderr
    );
    set_config(
        dir.path(),
        "[[webhook]]\nname = \"ops\"\nformat = \"slack\"\nurl_file = \"slack-url\"\n",
    );
    let run = watchkeeper(dir.path(), &["check"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("ops (slack, digest): URL from file"),
        "{}",
        run.stdout
    );
}

/// Who each .eml in `outbox/` went to and which watch items it names, oldest first.
fn mailed_items(dir: &Path) -> Vec<(String, Vec<&'static str>)> {
    let mut files = emails(dir);
    files.sort();
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).unwrap();
            let parsed = mail_parser::MessageParser::default()
                .parse(&bytes)
                .expect("a parseable message");
            let to = parsed
                .to()
                .and_then(|to| to.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_string();
            let text = parsed.body_text(0).expect("a text part");
            let items = ["Artavil", "Alexander Lukashenko"]
                .into_iter()
                .filter(|item| text.contains(item))
                .collect();
            (to, items)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_no_email_could_carry_waits_until_a_recipient_is_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    // Lukashenko's alert has a recipient (`notify`); Artavil's has none (no `to` either).
    let watchlist = format!("{LUKASHENKO}notify = [\"ops@example.org\"]\n{ARTAVIL}");
    let dir = setup(&webhook("ops", "json", &server.uri()), &watchlist);
    let config = dir.path().join("watchkeeper.toml");
    let with_to = std::fs::read_to_string(&config).unwrap();
    let without_to = with_to.replace("to = [\"compliance@example.org\"]\n", "");
    assert_ne!(with_to, without_to);
    std::fs::write(&config, &without_to).unwrap();

    // The webhook gets both alerts; email sends Lukashenko's and keeps Artavil's back.
    for _ in 0..2 {
        let run = once(dir.path());
        assert!(run.ok, "{}{}", run.stdout, run.stderr);
    }
    assert_eq!(
        mailed_items(dir.path()),
        [("ops@example.org".to_string(), vec!["Alexander Lukashenko"])]
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    // Artavil's alert was raised after the one that was emailed: the case where composing
    // must not move past an alert it left behind.
    let listed = watchkeeper(dir.path(), &["alerts", "--json"]);
    let listed: Value = serde_json::from_str(&listed.stdout).expect("alerts as JSON");
    let alert = |item: &str| {
        let a = listed["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["watch_item"] == item)
            .unwrap_or_else(|| panic!("an alert for {item}: {listed}"));
        a["id"].as_i64().unwrap()
    };
    assert!(alert("Alexander Lukashenko") < alert("Artavil"), "{listed}");

    // With default recipients, the waiting alert goes out, once, and nothing goes twice.
    std::fs::write(&config, &with_to).unwrap();
    for _ in 0..2 {
        let run = once(dir.path());
        assert!(run.ok, "{}{}", run.stdout, run.stderr);
    }
    let mailed = mailed_items(dir.path());
    assert_eq!(mailed.len(), 2, "{mailed:?}");
    assert!(
        mailed.contains(&("compliance@example.org".to_string(), vec!["Artavil"])),
        "{mailed:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
