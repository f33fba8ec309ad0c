//! End to end, as a user runs it: `watchkeeper once` against a real HTTP server on loopback
//! serving two real snapshots of the OFAC SDN list and a real windows-1251 news feed, and a real
//! SMTP server on loopback (STARTTLS + AUTH) receiving the mail.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::smtp::{closed_port, Received, SmtpServer, PASSWORD, USERNAME};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD_VAR: &str = "WATCHKEEPER_E2E_SMTP_PASSWORD";

const WATCHLIST: &str = r#"
[[person]]
name = "Alexander Lukashenko"

[[person]]
name = "Nicolás Maduro"

[[vessel]]
name = "Artavil"
imo = "IMO 9187629"
former_names = ["Alpha"]
notify = ["ops@example.org"]

# Made-up names: only the IMO numbers (of HAPPINESS I and URDANETA) can find these.
[[vessel]]
name = "Persian Gulf Star"
imo = "9212905"

[[vessel]]
name = "Orinoco Tug"
imo = "7912111"

[[person]]
name = "Shuvai Mahofa"

[[organization]]
name = "Cartel de los Soles"
"#;

const ADDED_LATER: &str = r#"
[[organization]]
name = "Chongchongang Shipping Company"
imo = "5342883"
"#;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Serves snapshot `snap` of the list (with ETags, answering 304 to a matching If-None-Match)
/// and the news feed.
async fn serve(server: &MockServer, snap: &str) {
    server.reset().await;
    let files = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];
    let mut docs: Vec<(String, PathBuf)> = files
        .iter()
        .map(|f| (format!("/ofac/{f}"), fixture(&format!("e2e/{snap}/{f}"))))
        .collect();
    docs.push(("/news/ru.xml".into(), fixture("feeds/ru-windows-1251.xml")));
    for (url_path, file) in docs {
        let etag = format!("\"{snap}-{}\"", file.file_name().unwrap().to_string_lossy());
        Mock::given(method("GET"))
            .and(path(url_path.as_str()))
            .and(header("if-none-match", etag.as_str()))
            .respond_with(ResponseTemplate::new(304))
            .with_priority(1)
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(url_path.as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("etag", etag.as_str())
                    .set_body_bytes(std::fs::read(&file).unwrap()),
            )
            .with_priority(2)
            .mount(server)
            .await;
    }
}

fn write_config(dir: &Path, http: &str, smtp_port: u16, ca: &Path) -> PathBuf {
    let cfg = format!(
        r#"
[daemon]
database = "watchkeeper.db"
watchlist = "watchlist.toml"

[[source]]
name = "ofac-sdn"
kind = "ofac_sdn_csv"
url = "{http}/ofac/"
schedule = "0 0 7 * * *"

[[source]]
name = "ru-news"
kind = "feed"
url = "{http}/news/ru.xml"
schedule = "0 */10 * * * *"

[email]
transport = "smtp"
host = "localhost"
port = {smtp_port}
tls = "starttls"
username = "{USERNAME}"
password_env = "{PASSWORD_VAR}"
ca_file = "{ca}"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
mode = "digest"
"#,
        ca = ca.display()
    );
    let p = dir.join("watchkeeper.toml");
    std::fs::write(&p, cfg).unwrap();
    p
}

async fn watchkeeper(config: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(args)
        .arg("--config")
        .arg(config)
        .env(PASSWORD_VAR, PASSWORD)
        .output()
        .await
        .unwrap()
}

async fn once(config: &Path) -> Output {
    let out = watchkeeper(config, &["once"]).await;
    eprintln!(
        "once: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

type AlertKey = (String, String, String, String);

/// Every stored alert as (event, source, entry_id, watch_item), from `alerts --json`.
async fn alerts(config: &Path) -> (BTreeSet<AlertKey>, serde_json::Value) {
    let out = watchkeeper(config, &["alerts", "--json"]).await;
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let set = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let s = |k: &str| a[k].as_str().unwrap().to_string();
            (s("event"), s("source"), s("entry_id"), s("watch_item"))
        })
        .collect();
    (set, v)
}

fn key(event: &str, source: &str, entry: &str, item: &str) -> AlertKey {
    (event.into(), source.into(), entry.into(), item.into())
}

fn body(m: &Received) -> String {
    String::from_utf8_lossy(&m.data).to_string()
}

/// The text/plain part of a message, decoded by an independent MIME parser.
fn plain_text(m: &Received) -> String {
    let parsed = mail_parser::MessageParser::default()
        .parse(&m.data)
        .expect("a parseable message");
    parsed.body_text(0).expect("a text part").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_snapshots_and_a_feed_give_exactly_the_right_alerts_once() {
    let http = MockServer::start().await;
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &http.uri(), smtp.port, &smtp.ca_pem_path);
    std::fs::write(dir.path().join("watchlist.toml"), WATCHLIST).unwrap();

    // Cycle 1: the first snapshot of each source.
    serve(&http, "snap1").await;
    assert!(once(&config).await.status.success());
    let (after1, _) = alerts(&config).await;
    let expected1: BTreeSet<AlertKey> = [
        key("already-listed", "ofac-sdn", "9760", "Alexander Lukashenko"),
        key("already-listed", "ofac-sdn", "22790", "Nicolás Maduro"),
        key("already-listed", "ofac-sdn", "15036", "Artavil"),
        key("already-listed", "ofac-sdn", "15055", "Persian Gulf Star"),
        key("already-listed", "ofac-sdn", "7503", "Shuvai Mahofa"),
        key(
            "mentioned",
            "ru-news",
            "https://example.org/ru/1",
            "Alexander Lukashenko",
        ),
        key(
            "mentioned",
            "ru-news",
            "https://example.org/ru/1",
            "Nicolás Maduro",
        ),
        key(
            "mentioned",
            "ru-news",
            "https://example.org/ru/3",
            "Cartel de los Soles",
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(after1, expected1);

    let mail = smtp.messages();
    assert_eq!(
        mail.len(),
        2,
        "one digest for compliance, one for ops (Artavil's notify)"
    );
    let to_compliance = mail
        .iter()
        .find(|m| m.to == ["compliance@example.org"])
        .expect("a digest to compliance");
    let to_ops = mail
        .iter()
        .find(|m| m.to == ["ops@example.org"])
        .expect("a digest to ops");
    let text = plain_text(to_compliance);
    assert!(body(to_compliance).contains("Subject: "));
    assert!(
        text.contains("LUKASHENKA, Alyaksandr Hryhoryavich"),
        "{text}"
    );
    assert!(text.contains("MADURO MOROS, Nicolas"));
    assert!(text.contains("9187629"), "the IMO shown for Artavil");
    assert!(
        text.contains("Лукашенко"),
        "the feed item's Cyrillic text, decoded: {text}"
    );
    assert!(body(to_compliance).contains("text/html"));
    let ops_text = plain_text(to_ops);
    assert!(ops_text.contains("ARTAVIL"));
    assert!(
        !ops_text.contains("LUKASHENKA"),
        "ops gets only its own item's alerts"
    );

    // Cycle 2: the second snapshot, made of the same entries' July 2021 rows.
    serve(&http, "snap2").await;
    assert!(once(&config).await.status.success());
    let (after2, json) = alerts(&config).await;
    let new: BTreeSet<AlertKey> = after2.difference(&after1).cloned().collect();
    let expected2: BTreeSet<AlertKey> = [
        key("listed", "ofac-sdn", "26623", "Orinoco Tug"),
        key("changed", "ofac-sdn", "22790", "Nicolás Maduro"),
        key("changed", "ofac-sdn", "15036", "Artavil"),
        key("changed", "ofac-sdn", "15055", "Persian Gulf Star"),
        key("delisted", "ofac-sdn", "7503", "Shuvai Mahofa"),
    ]
    .into_iter()
    .collect();
    assert_eq!(new, expected2);
    for a in json["alerts"].as_array().unwrap() {
        for field in [
            "id",
            "event",
            "source",
            "entry_id",
            "entry_name",
            "watch_item",
            "score",
            "why",
            "state",
            "created_at",
        ] {
            assert!(a.get(field).is_some(), "alerts --json lacks {field}: {a}");
        }
        assert_eq!(a["state"], "sent", "{a}");
    }
    let mail = smtp.messages();
    assert_eq!(mail.len(), 4);
    let digest2 = plain_text(
        mail[2..]
            .iter()
            .find(|m| m.to == ["compliance@example.org"])
            .unwrap(),
    );
    assert!(
        digest2.contains("IRAN-CON-ARMS-EO"),
        "Maduro's new program shown: {digest2}"
    );
    assert!(digest2.contains("URDANETA"));
    assert!(digest2.contains("MAHOFA"));

    // Cycle 3: nothing new anywhere: no alert, no email, and the list costs 304s, no parse.
    assert!(once(&config).await.status.success());
    assert_eq!(alerts(&config).await.0, after2);
    assert_eq!(smtp.messages().len(), 4, "nothing is sent twice");
    let status = watchkeeper(&config, &["status", "--json"]).await;
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let ofac = &status["sources"][0];
    assert_eq!(ofac["name"], "ofac-sdn");
    assert_eq!(ofac["entries"], 31);
    assert!(ofac["last_error"].is_null());
    assert!(ofac["last_success"].is_string());

    // A watch item added now is screened against what is stored: already-listed.
    std::fs::write(
        dir.path().join("watchlist.toml"),
        format!("{WATCHLIST}{ADDED_LATER}"),
    )
    .unwrap();
    assert!(once(&config).await.status.success());
    let (after4, _) = alerts(&config).await;
    let new: Vec<AlertKey> = after4.difference(&after2).cloned().collect();
    assert_eq!(
        new,
        [key(
            "already-listed",
            "ofac-sdn",
            "17067",
            "Chongchongang Shipping Company"
        )]
    );
    assert_eq!(smtp.messages().len(), 5);

    // `screen` finds the renamed tanker by its IMO whatever the name.
    let out = watchkeeper(
        &config,
        &["screen", "Anything", "--imo", "9187629", "--json"],
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["query"], "Anything");
    assert_eq!(v["results"][0]["entry_id"], "15036");
    assert_eq!(v["results"][0]["source"], "ofac-sdn");
    for field in ["source", "entry_id", "kind", "name", "score", "why"] {
        assert!(
            v["results"][0].get(field).is_some(),
            "screen --json lacks {field}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_wait_in_the_outbox_while_the_mail_server_is_down() {
    let http = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("watchlist.toml"), WATCHLIST).unwrap();
    serve(&http, "snap1").await;

    // The mail server is down: the cycle itself works, the alerts are stored and queued, and
    // `once` says that mail could not be sent.
    let smtp = SmtpServer::start();
    let config = write_config(dir.path(), &http.uri(), closed_port(), &smtp.ca_pem_path);
    let out = once(&config).await;
    assert!(!out.status.success(), "a failed send is a failed once");
    let (stored, json) = alerts(&config).await;
    assert_eq!(stored.len(), 8);
    assert!(json["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["state"] == "queued"));
    assert!(smtp.messages().is_empty());

    // The next cycle, with the server back: everything arrives, once.
    write_config(dir.path(), &http.uri(), smtp.port, &smtp.ca_pem_path);
    assert!(once(&config).await.status.success());
    assert_eq!(smtp.messages().len(), 2);
    assert!(once(&config).await.status.success());
    assert_eq!(smtp.messages().len(), 2, "nothing sent twice");
    let (_, json) = alerts(&config).await;
    assert!(json["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["state"] == "sent"));
}
