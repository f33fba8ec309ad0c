//! The email stage: rendering alerts and delivering them through a real SMTP server on loopback.
//!
//! Alerts are built from real list entries (OFAC SDN CSV, July 2021 snapshot) and real feed
//! items, written out here as the parsed model values.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, MimeHeaders};
use support::smtp::{closed_port, SmtpServer, PASSWORD, USERNAME};
use watchkeeper::config::{EmailConfig, MailMode, TlsMode, TransportKind};
use watchkeeper::domain::alert::{Alert, Change, Event, FieldChange, ListRef, Why};
use watchkeeper::domain::entry::{Alias, EntityKind, Entry, FeedItem, Identifier, VesselInfo};
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::email::{self, render, Message, SendError};

fn aka(name: &str) -> Alias {
    Alias {
        name: name.to_string(),
        kind: "aka".to_string(),
    }
}

fn fka(name: &str) -> Alias {
    Alias {
        name: name.to_string(),
        kind: "fka".to_string(),
    }
}

/// OFAC SDN ent_num 9760 (sdn.csv and some of its 31 alt.csv rows).
fn lukashenka() -> Entry {
    Entry {
        id: "9760".into(),
        kind: EntityKind::Person,
        name: "LUKASHENKA, Alyaksandr Hryhoryavich".into(),
        aliases: vec![
            aka("LUKASHENKA, Aliaksandr Grigorievich"),
            aka("LUKASHENKO, Aleksandr Grigorievich"),
            aka("LUKASHENKO, Alexander Grigorievich"),
            aka("LUKASHENKA, Alexander Ryhoravich"),
        ],
        programs: vec!["BELARUS".into()],
        titles: vec!["President".into()],
        dates_of_birth: vec!["30 Aug 1954".into()],
        places_of_birth: vec!["Kopys, Vitebsk oblast, Belarus".into()],
        remarks: Some("DOB 30 Aug 1954; POB Kopys, Vitebsk oblast, Belarus; President.".into()),
        ..Entry::default()
    }
}

/// OFAC SDN ent_num 15055, a crude oil tanker, as of July 2021.
fn happiness_i() -> Entry {
    Entry {
        id: "15055".into(),
        kind: EntityKind::Vessel,
        name: "HAPPINESS I".into(),
        aliases: vec![fka("HENGAM"), fka("LOYAL"), fka("TULAR"), fka("HAPPINESS")],
        programs: vec!["IRAN".into(), "SDGT".into()],
        identifiers: vec![
            Identifier {
                kind: "imo".into(),
                value: "9212905".into(),
                note: None,
            },
            Identifier {
                kind: "mmsi".into(),
                value: "256875000".into(),
                note: None,
            },
        ],
        vessel: Some(VesselInfo {
            call_sign: Some("T2ER4".into()),
            vessel_type: Some("Crude Oil Tanker".into()),
            tonnage: Some("299,214".into()),
            grt: Some("160,930".into()),
            flag: Some("Iran".into()),
            owner: None,
        }),
        linked_to: vec![
            "NATIONAL IRANIAN TANKER COMPANY".into(),
            "HOKOUL SAL OFFSHORE".into(),
        ],
        ..Entry::default()
    }
}

/// Item 1 of feeds/constructed/ru-windows-1251.xml, decoded.
fn minsk_item() -> FeedItem {
    FeedItem {
        id: "https://example.org/ru/1".into(),
        title: "Джон Коул жмет руку Лукашенко".into(),
        link: Some("https://example.org/ru/1".into()),
        summary: "Посол Венесуэлы в России снова посетил Минск; Александр Лукашенко ждёт визита \
                  Николаса Мадуро."
            .into(),
        published: Some("2025-12-10T18:00:00+03:00".into()),
    }
}

/// An item of feeds/rss_1.0_biorxiv.xml: a long abstract, to test the excerpt.
fn biorxiv_item() -> FeedItem {
    FeedItem {
        id: "http://biorxiv.org/cgi/content/short/2023.12.16.571984v1?rss=1".into(),
        title: "Complete genome of the Medicago anthracnose fungus, Colletotrichum destructivum, \
                reveals a mini-chromosome-like region within a core chromosome."
            .into(),
        link: Some("http://biorxiv.org/cgi/content/short/2023.12.16.571984v1?rss=1".into()),
        summary: "Colletotrichum destructivum (Cd) is a phytopathogenic fungus causing significant \
economic losses on forage legume crops (Medicago and Trifolium species) worldwide. To gain insights \
into the genetic basis of fungal virulence and host specificity, we sequenced the genome of an \
isolate from M. sativa using long-read (PacBio) technology. The resulting genome assembly has a \
total length of 51.7 Mb and comprises 10 core chromosomes and two accessory chromosomes, all of \
which were sequenced from telomere to telomere. A total of 15,631 gene models were predicted, \
including genes encoding potentially pathogenicity-related proteins such as candidate secreted \
effectors (484), secondary metabolism key enzymes (110) and carbohydrate-active enzymes (619). \
Synteny analysis revealed extensive structural rearrangements in the genome of Cd relative to the \
closely-related Brassicaceae pathogen, C. higginsianum. In addition, a 1.2 Mb species-specific \
region was detected within the largest core chromosome of Cd that has all the characteristics of \
fungal accessory chromosomes (transposon-rich, gene-poor, distinct codon usage), providing evidence \
for exchange between these two genomic compartments. This region was also unique in having \
undergone extensive intra-chromosomal segmental duplications. Our findings provide insights into \
the evolution of accessory regions and possible mechanisms for generating genetic diversity in \
this asexual fungal pathogen."
            .into(),
        published: Some("2023-12-16".into()),
    }
}

fn list_alert(id: i64, event: Event, entry: &Entry, watch_item: &str) -> Alert {
    let mut item = WatchItem::query(WatchKind::Person, watch_item);
    item.id = format!("wi-{id}");
    let why = Why {
        score: 0.93,
        why: format!(
            "name \"{watch_item}\" ~ alias of \"{}\" (transliteration)",
            entry.name
        ),
    };
    let mut a = Alert::for_entry(
        event,
        &ListRef {
            source: "ofac-sdn".into(),
            publisher: None,
            list_title: None,
            published: Some("2021-07".into()),
        },
        entry,
        "0123456789abcdef",
        &item,
        why,
        "2021-07-02T07:00:00Z",
    );
    a.id = id;
    a
}

fn feed_alert(id: i64, item: &FeedItem, watch_item: &str) -> Alert {
    let mut watch = WatchItem::query(WatchKind::Keyword, watch_item);
    watch.id = format!("wi-{id}");
    let why = Why {
        score: 1.0,
        why: format!("phrase \"{watch_item}\" found in the summary"),
    };
    let mut a = Alert::for_feed_item("news", item, &watch, why, "2025-12-10T15:05:00Z");
    a.id = id;
    a
}

fn changed_alert() -> Alert {
    let mut a = list_alert(7, Event::Changed, &happiness_i(), "Happiness I");
    a.why = "IMO 9212905 equals IMO 9212905".into();
    a.score = 1.0;
    a.changes = vec![
        FieldChange {
            field: "programs".into(),
            before: "IRAN".into(),
            after: "IRAN; SDGT".into(),
            change: Change::Value,
        },
        FieldChange {
            field: "vessel.flag".into(),
            before: "Panama".into(),
            after: "Iran".into(),
            change: Change::Value,
        },
    ];
    a.also_listed = vec!["un-sc: IMO 9212905 (entry 1234)".into()];
    a
}

fn six_alerts() -> Vec<Alert> {
    // Deliberately out of event order: the digest sorts them.
    vec![
        feed_alert(1, &minsk_item(), "Лукашенко"),
        list_alert(2, Event::Delisted, &happiness_i(), "Happiness I"),
        list_alert(3, Event::Listed, &lukashenka(), "Alexander Lukashenko"),
        feed_alert(4, &biorxiv_item(), "segmental duplications"),
        list_alert(5, Event::Listed, &happiness_i(), "Happiness I"),
        feed_alert(6, &minsk_item(), "Nicolás Maduro Moros"),
    ]
}

/// The value of one field of a text part, its wrapped lines joined again.
fn text_field(text: &str, label: &str) -> String {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(&format!("{label}:")));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no {label} in\n{text}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| l.starts_with("    ")))
        .map(|l| l.split_at(15).1.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn digest_subject_counts_events_in_order() {
    let msg = render::digest(&six_alerts(), vec!["c@example.org".into()]);
    assert_eq!(
        msg.subject,
        "watchkeeper: 2 listed, 1 delisted, 3 mentioned"
    );
    // Listed alerts come first in the body, mentions last.
    let listed = msg.text.find("listed: Alexander Lukashenko").unwrap();
    let delisted = msg.text.find("delisted: Happiness I").unwrap();
    let mentioned = msg.text.find("mentioned: segmental duplications").unwrap();
    assert!(listed < delisted && delisted < mentioned, "{}", msg.text);
    assert!(msg
        .text
        .starts_with("6 alerts: 2 listed, 1 delisted, 3 mentioned."));
}

#[test]
fn listed_alert_shows_entry_source_and_why() {
    let alert = list_alert(3, Event::Listed, &lukashenka(), "Alexander Lukashenko");
    let msg = render::single(&alert, vec!["c@example.org".into()]);
    assert_eq!(
        msg.subject,
        "watchkeeper: listed: Alexander Lukashenko - LUKASHENKA, Alyaksandr Hryhoryavich (ofac-sdn)"
    );
    for expected in [
        "Source:        ofac-sdn (published 2021-07)",
        "Watch item:    Alexander Lukashenko",
        "Entry:         LUKASHENKA, Alyaksandr Hryhoryavich [person, id 9760]",
        "LUKASHENKO, Alexander Grigorievich (aka)",
        "Programs:      BELARUS",
        "Born:          30 Aug 1954",
        "Score:         0.93",
        "Why:           name \"Alexander Lukashenko\" ~ alias of \"LUKASHENKA, Alyaksandr",
        "newly listed",
    ] {
        assert!(
            msg.text.contains(expected),
            "missing {expected:?} in\n{}",
            msg.text
        );
    }
    assert!(msg
        .html
        .contains("<th align=\"left\" valign=\"top\">Programs</th><td>BELARUS</td>"));
}

#[test]
fn changed_alert_shows_before_and_after() {
    let msg = render::single(&changed_alert(), vec!["c@example.org".into()]);
    assert!(
        msg.text
            .contains("Changed:       programs: IRAN → IRAN; SDGT"),
        "{}",
        msg.text
    );
    assert!(
        msg.text
            .contains("               vessel.flag: Panama → Iran"),
        "{}",
        msg.text
    );
    assert!(msg.text.contains("Identifiers:   IMO 9212905"));
    assert!(msg.text.contains("               MMSI 256875000"));
    assert!(msg.text.contains("flag: Iran"));
    assert!(msg
        .text
        .contains("Also listed:   un-sc: IMO 9212905 (entry 1234)"));
    assert!(msg.html.contains("vessel.flag: Panama → Iran"));
}

#[test]
fn mentioned_alert_shows_an_excerpt_around_the_match() {
    let item = biorxiv_item();
    let msg = render::single(
        &feed_alert(4, &item, "Segmental Duplications"),
        vec!["c@example.org".into()],
    );
    let line = text_field(&msg.text, "Excerpt");
    assert!(
        msg.text.lines().all(|l| l.chars().count() <= 78),
        "wrapped for a terminal:\n{}",
        msg.text
    );
    assert!(
        line.contains("intra-chromosomal segmental duplications. Our findings"),
        "{line}"
    );
    assert!(line.contains('…'), "the long abstract is cut: {line}");
    assert!(line.len() < item.summary.len() / 2, "{line}");
    assert!(
        !line.contains("phytopathogenic"),
        "the start is far from the match: {line}"
    );
    assert!(msg.html.contains("<mark>segmental duplications</mark>"));
    assert!(msg
        .text
        .contains("News item:     Complete genome of the Medicago"));
    assert!(msg.text.contains("Published:     2023-12-16"));
    assert!(msg
        .html
        .contains("<a href=\"http://biorxiv.org/cgi/content/short/2023.12.16.571984v1?rss=1\">"));

    // Case-insensitive in Cyrillic too.
    let msg = render::single(&feed_alert(1, &minsk_item(), "лукашенко"), vec![]);
    assert!(
        msg.html.contains("Александр <mark>Лукашенко</mark> ждёт"),
        "{}",
        msg.html
    );
}

#[test]
fn untrusted_list_content_is_escaped_in_html_and_cleaned_in_text() {
    let mut entry = lukashenka();
    entry.name = "<script>alert('x')</script> LUKASHENKA & Co \u{1b}[31mRED".into();
    entry.url = Some("javascript:alert(1)".into());
    let alert = list_alert(3, Event::Listed, &entry, "Alexander <b>Lukashenko</b>");
    for msg in [
        render::single(&alert, vec![]),
        render::digest(std::slice::from_ref(&alert), vec![]),
    ] {
        assert!(!msg.html.contains("<script>"), "{}", msg.html);
        assert!(msg
            .html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; LUKASHENKA &amp; Co"));
        assert!(msg.html.contains("Alexander &lt;b&gt;Lukashenko&lt;/b&gt;"));
        assert!(!msg.html.contains("href=\"javascript"), "{}", msg.html);
        assert!(
            !msg.text.contains('\u{1b}'),
            "no terminal escapes in the text part"
        );
        assert!(!msg.subject.contains('\u{1b}'));
        assert!(msg
            .text
            .contains("<script>alert('x')</script> LUKASHENKA & Co"));
    }
}

#[test]
fn source_notices_name_the_source() {
    let mut notice = Alert::for_source(
        Event::SourceStale,
        "un-sc",
        "",
        "failing since 2025-12-08T07:00:00Z: HTTP 503 from https://example.org/un.xml".into(),
        "2025-12-10T07:00:00Z",
    );
    notice.id = 9;
    let msg = render::single(&notice, vec![]);
    assert_eq!(msg.subject, "watchkeeper: source-stale: un-sc");
    assert!(msg
        .text
        .contains("Details:       failing since 2025-12-08T07:00:00Z: HTTP 503"));
    assert!(!msg.text.contains("Score:"));
}

// ---- delivery -------------------------------------------------------------------------------

fn smtp_config(server_port: u16, tls: TlsMode) -> (EmailConfig, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("smtp-password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let cfg = EmailConfig {
        transport: TransportKind::Smtp,
        path: None,
        host: Some("localhost".into()),
        port: Some(server_port),
        tls,
        username: Some(USERNAME.into()),
        password_file: Some(password_file),
        password_env: None,
        ca_file: None,
        from: "watchkeeper <alerts@example.org>".into(),
        to: vec!["compliance@example.org".into()],
        mode: MailMode::Digest,
    };
    (cfg, dir)
}

fn recipients() -> Vec<String> {
    vec!["compliance@example.org".into(), "ops@example.org".into()]
}

fn hostile_digest() -> Message {
    let mut alerts = six_alerts();
    let mut entry = lukashenka();
    entry.aliases.push(aka("<script>steal()</script>"));
    alerts[2] = list_alert(3, Event::Listed, &entry, "Alexander Lukashenko");
    email::digest(&alerts, recipients())
}

#[tokio::test]
async fn digest_goes_through_smtp_with_starttls_and_auth() {
    let server = SmtpServer::start();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    let msg = hostile_digest();
    email::send(&cfg, &msg).await.expect("sent");

    let received = server.messages();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.from, "alerts@example.org");
    assert_eq!(r.to, recipients());

    let parsed = MessageParser::default().parse(&r.data).expect("parseable");
    assert_eq!(
        parsed.subject(),
        Some("watchkeeper: 2 listed, 1 delisted, 3 mentioned")
    );
    assert!(parsed
        .message_id()
        .is_some_and(|id| id.ends_with("@example.org")));
    assert!(parsed.date().is_some());
    let to: Vec<&str> = parsed
        .to()
        .unwrap()
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(to, ["compliance@example.org", "ops@example.org"]);
    let ct = parsed.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );

    let text = parsed.body_text(0).expect("text part");
    let html = parsed.body_html(0).expect("html part");
    assert!(text.contains("Entry:         LUKASHENKA, Alyaksandr Hryhoryavich [person, id 9760]"));
    assert!(
        text_field(&text, "Excerpt").contains("Александр Лукашенко ждёт"),
        "UTF-8 survives the trip"
    );
    assert!(html.contains("LUKASHENKA, Alyaksandr Hryhoryavich"));
    assert!(html.contains("&lt;script&gt;steal()&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
}

#[tokio::test]
async fn wrong_password_reports_the_server_reply() {
    let server = SmtpServer::start();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    // Setting an environment variable here would race with other test threads reading theirs.
    std::fs::write(cfg.password_file.as_ref().unwrap(), "not the password\n").unwrap();

    let err = email::send(&cfg, &email::test_message(recipients()))
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(matches!(err, SendError::Smtp { .. }), "{err:?}");
    assert!(shown.contains("535"), "{shown}");
    assert!(shown.contains("Invalid credentials"), "{shown}");
    assert!(
        shown.contains(&format!("localhost:{}", server.port)),
        "{shown}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn missing_password_variable_is_named() {
    let server = SmtpServer::start();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    cfg.password_file = None;
    cfg.password_env = Some("WATCHKEEPER_TEST_PASSWORD_NEVER_SET".into());
    let err = email::send(&cfg, &email::test_message(recipients()))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("WATCHKEEPER_TEST_PASSWORD_NEVER_SET"),
        "{err}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    let server = SmtpServer::start();
    // No ca_file: the test CA is in no trust store, so STARTTLS must fail before AUTH.
    let (cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    let err = email::send(&cfg, &email::test_message(recipients()))
        .await
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn mail_server_down_fails_fast_with_a_connection_error() {
    let mut server = SmtpServer::start();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    email::send(&cfg, &email::test_message(recipients()))
        .await
        .expect("sent while up");
    server.stop();

    for port in [server.port, closed_port()] {
        cfg.port = Some(port);
        let started = Instant::now();
        let err = email::send(&cfg, &email::test_message(recipients()))
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
        let shown = err.to_string();
        assert!(matches!(err, SendError::Smtp { .. }), "{err:?}");
        assert!(shown.contains(&format!("localhost:{port}")), "{shown}");
        assert!(shown.to_lowercase().contains("connection"), "{shown}");
    }
}

#[tokio::test]
async fn implicit_tls_delivers() {
    let server = SmtpServer::start_implicit_tls();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Tls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    cfg.host = Some("127.0.0.1".into());
    cfg.username = None;
    let alert = changed_alert();
    email::send(&cfg, &email::single(&alert, vec!["ops@example.org".into()]))
        .await
        .expect("sent");
    let received = server.messages();
    assert_eq!(received.len(), 1);
    let parsed = MessageParser::default().parse(&received[0].data).unwrap();
    assert!(parsed
        .subject()
        .unwrap()
        .starts_with("watchkeeper: changed: Happiness I - HAPPINESS I"));
    assert!(parsed
        .body_text(0)
        .unwrap()
        .contains("programs: IRAN → IRAN; SDGT"));

    // A client expecting a plaintext greeting (STARTTLS mode) waits on a server waiting for a
    // TLS hello: the send must give up after its timeout instead of hanging.
    cfg.tls = TlsMode::Starttls;
    let started = Instant::now();
    let err = email::transport::send_with_timeout(
        &cfg,
        &email::test_message(recipients()),
        Duration::from_secs(2),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, SendError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        err.to_string().contains("no complete reply within 2s"),
        "{err}"
    );
}

#[tokio::test]
async fn plaintext_is_for_a_local_relay_only() {
    let server = SmtpServer::start_plaintext();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::None);
    cfg.username = None;
    cfg.host = Some("127.0.0.1".into());
    email::send(&cfg, &email::test_message(recipients()))
        .await
        .expect("sent to the local relay");
    assert_eq!(server.messages().len(), 1);

    cfg.host = Some("smtp.example.org".into());
    let err = email::send(&cfg, &email::test_message(recipients()))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("smtp.example.org"), "{err}");
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn file_transport_writes_one_parseable_eml_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let cfg = EmailConfig {
        transport: TransportKind::File,
        path: Some(outbox.clone()),
        host: None,
        port: None,
        tls: TlsMode::Starttls,
        username: None,
        password_file: None,
        password_env: None,
        ca_file: None,
        from: "watchkeeper <alerts@example.org>".into(),
        to: recipients(),
        mode: MailMode::Each,
    };
    let alerts = six_alerts();
    for a in &alerts {
        email::send(&cfg, &email::single(a, recipients()))
            .await
            .unwrap();
    }
    let mut files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), alerts.len(), "{files:?}");
    let mut subjects = BTreeMap::new();
    for f in &files {
        assert_eq!(
            f.extension().unwrap(),
            "eml",
            "no temporary file left: {f:?}"
        );
        let raw = std::fs::read(f).unwrap();
        let parsed = MessageParser::default().parse(&raw).expect("parseable");
        assert!(parsed.body_text(0).is_some() && parsed.body_html(0).is_some());
        assert!(parsed.message_id().is_some());
        *subjects
            .entry(parsed.subject().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(
        subjects.get("watchkeeper: listed: Alexander Lukashenko - LUKASHENKA, Alyaksandr Hryhoryavich (ofac-sdn)"),
        Some(&1)
    );
    assert_eq!(subjects.values().sum::<i32>(), 6);
}
