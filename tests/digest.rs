//! A first load above the digest limit, as a user runs it: `watchkeeper once` against a real
//! OFAC SDN snapshot (tests/fixtures/e2e/snap1) served on loopback, a watchlist of real names
//! from it and a vessel known only by its IMO number, `digest_limit = 5`, and a real SMTP
//! server on loopback. The email lists five alerts, the IMO match first; the attached CSV
//! has every alert.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, MimeHeaders};
use support::smtp::{SmtpServer, PASSWORD, USERNAME};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD_VAR: &str = "WATCHKEEPER_DIGEST_SMTP_PASSWORD";

/// Names as a compliance officer types them, most not as the list spells them, and last a
/// made-up name with the IMO number of HAPPINESS I: only the number can find it.
const WATCHLIST: &str = r#"
[[person]]
name = "Alexander Lukashenko"

[[person]]
name = "Nicolás Maduro"

[[person]]
name = "Shuvai Mahofa"

[[person]]
name = "Willard Chiwewe"

[[person]]
name = "Spiro Butka"

[[person]]
name = "Miroslav Tadic"

[[person]]
name = "Rosario Guarino"

[[person]]
name = "Celestin Kanyama"

[[person]]
name = "Dmitri Mityaev"

[[person]]
name = "Enver Hadzihasanovic"

[[organization]]
name = "Army of Islam"

[[vessel]]
name = "Persian Gulf Star"
imo = "9212905"
"#;

const LIMIT: usize = 5;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

async fn serve(server: &MockServer) {
    for f in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
        Mock::given(method("GET"))
            .and(path(format!("/ofac/{f}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_bytes(std::fs::read(fixture(&format!("e2e/snap1/{f}"))).unwrap()),
            )
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
digest_limit = {LIMIT}
"#,
        ca = ca.display()
    );
    let p = dir.join("watchkeeper.toml");
    std::fs::write(&p, cfg).unwrap();
    p
}

async fn watchkeeper(config: &Path, args: &[&str]) -> std::process::Output {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(args)
        .arg("--config")
        .arg(config)
        .env(PASSWORD_VAR, PASSWORD)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_load_above_the_limit_emails_the_top_alerts_and_attaches_them_all() {
    let http = MockServer::start().await;
    serve(&http).await;
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &http.uri(), smtp.port, &smtp.ca_pem_path);
    std::fs::write(dir.path().join("watchlist.toml"), WATCHLIST).unwrap();

    let check = watchkeeper(&config, &["check"]).await;
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("above 5 alerts, the 5 most important"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    watchkeeper(&config, &["once"]).await;
    let listed = watchkeeper(&config, &["alerts", "--json"]).await;
    let stored: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let stored = stored["alerts"].as_array().unwrap();
    assert!(
        stored.len() > LIMIT,
        "the watchlist raises more alerts than the limit: {}",
        stored.len()
    );

    let mail = smtp.messages();
    assert_eq!(mail.len(), 1, "one digest");
    let parsed = MessageParser::default().parse(&mail[0].data).unwrap();
    let ct = parsed.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("mixed")));
    let text = parsed.body_text(0).unwrap().replace("\r\n", "\n");
    let html = parsed.body_html(0).unwrap().to_string();
    let intro = text.split("\n\n").next().unwrap().replace('\n', " ");
    assert!(
        intro.contains(&format!(
            "{LIMIT} of {} alerts shown, identifier matches (IMO, MMSI) first, then by score; \
             all {} are in the attached alerts.csv.",
            stored.len(),
            stored.len()
        )),
        "{intro}"
    );

    assert_eq!(parsed.attachment_count(), 1);
    let part = parsed.attachment(0).unwrap();
    assert_eq!(part.attachment_name(), Some("alerts.csv"));
    let rows = csv_rows(std::str::from_utf8(part.contents()).unwrap());
    assert_eq!(rows.len(), stored.len(), "one row per alert");
    let csv_ids: BTreeSet<String> = rows.iter().map(|r| r["alert_id"].clone()).collect();
    let stored_ids: BTreeSet<String> = stored.iter().map(|a| a["id"].to_string()).collect();
    assert_eq!(csv_ids, stored_ids, "every stored alert, once");

    // The IMO match first, though its watch item's name matches nothing.
    assert_eq!(rows[0]["entry_id"], "15055");
    assert_eq!(rows[0]["identifier_match"], "yes");
    assert!(
        rows[0]["why"].starts_with("IMO 9212905 equals"),
        "{:?}",
        rows[0]
    );
    // Then by score, as the matcher scored them.
    let scores: Vec<f64> = rows[1..]
        .iter()
        .map(|r| r["score"].parse().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(
        scores.first() > scores.last(),
        "the names match with different scores: {scores:?}"
    );

    // The email details exactly the first five rows, in that order, and no other alert.
    let headings: Vec<&str> = html
        .lines()
        .filter(|l| l.starts_with("<h3 id=\"alert-"))
        .collect();
    assert_eq!(headings.len(), LIMIT, "{headings:?}");
    assert!(
        headings[0].contains("HAPPINESS I (IMO 9212905)"),
        "{}",
        headings[0]
    );
    for (n, row) in rows.iter().enumerate() {
        let in_email = html.contains(&format!(", id {}]", row["entry_id"]));
        assert_eq!(in_email, n < LIMIT, "row {n}: {row:?}");
        assert_eq!(
            row["shown_in_email"] == "yes",
            n < LIMIT,
            "row {n}: {row:?}"
        );
    }
    let at: Vec<usize> = rows[..LIMIT]
        .iter()
        .map(|r| {
            html.find(&format!("watchkeeper dismiss {}<", r["alert_id"]))
                .unwrap_or_else(|| panic!("alert {} in the email", r["alert_id"]))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "in rank order: {at:?}");
}
