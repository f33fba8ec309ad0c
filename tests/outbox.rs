//! Delivery from the outbox: claim, send, record, against a real SMTP server on loopback and a
//! real SQLite database.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mail_parser::MessageParser;
use support::smtp::{closed_port, Received, SmtpServer};
use watchkeeper::config::{EmailConfig, TlsMode, TransportKind};
use watchkeeper::email::Message;
use watchkeeper::outbox;
use watchkeeper::store::outbox::ClaimRule;
use watchkeeper::store::Store;

/// A plaintext relay on this machine, as `tls = "none"` allows for loopback.
fn relay_config(port: u16) -> EmailConfig {
    EmailConfig {
        host: Some("127.0.0.1".into()),
        port: Some(port),
        tls: TlsMode::None,
        ..EmailConfig::new(
            TransportKind::Smtp,
            "watchkeeper <alerts@example.org>",
            vec!["compliance@example.org".into()],
        )
    }
}

/// A database with `n` queued messages, subjects `message 1` … `message n`.
fn queued(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("watchkeeper.db");
    let mut store = Store::open(&db).unwrap();
    let messages: Vec<(Vec<i64>, Message)> = (1..=n)
        .map(|i| {
            let msg = Message {
                to: vec!["compliance@example.org".into()],
                subject: format!("message {i}"),
                text: format!("alert text {i}"),
                html: format!("<p>alert text {i}</p>"),
                attachments: Vec::new(),
            };
            (Vec::new(), msg)
        })
        .collect();
    store.queue_messages(&messages).unwrap();
    (dir, db)
}

fn header(m: &Received, pick: impl Fn(&mail_parser::Message<'_>) -> Option<String>) -> String {
    let parsed = MessageParser::default().parse(&m.data).expect("parseable");
    pick(&parsed).expect("header present")
}

fn subject(m: &Received) -> String {
    header(m, |p| p.subject().map(str::to_string))
}

fn message_id(m: &Received) -> String {
    header(m, |p| p.message_id().map(str::to_string))
}

/// How many times each subject was received.
fn counts(server: &SmtpServer) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for m in server.messages() {
        *out.entry(subject(&m)).or_default() += 1;
    }
    out
}

fn each_once(n: usize) -> BTreeMap<String, usize> {
    (1..=n).map(|i| (format!("message {i}"), 1)).collect()
}

fn deliver(
    db: &Path,
    cfg: &EmailConfig,
) -> Result<outbox::Delivery, watchkeeper::store::StoreError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(outbox::deliver(db, cfg, false))
}

fn state(db: &Path, id: i64) -> String {
    Store::open(db).unwrap().message_state(id).unwrap().unwrap()
}

#[test]
fn two_deliveries_at_once_send_every_message_exactly_once() {
    let server = SmtpServer::start_plaintext();
    let (_dir, db) = queued(12);
    let cfg = relay_config(server.port);
    let barrier = std::sync::Barrier::new(2);
    let reports: Vec<outbox::Delivery> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    deliver(&db, &cfg).unwrap()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(counts(&server), each_once(12));
    assert_eq!(
        reports.iter().map(|r| r.sent).sum::<usize>(),
        12,
        "{reports:?}"
    );
    assert!((1..=12).all(|id| state(&db, id) == "sent"));
}

/// The outcome cannot be recorded: a trigger, created by a second connection as an
/// administrator or a broken disk might break things, makes every write that moves a message
/// out of `sending` fail, as a full disk would. (File permissions cannot do this here: the
/// tests may run as root, who ignores them; a second connection's exclusive lock would only
/// fail the write after the store's 30 s busy timeout.)
#[test]
fn a_store_that_cannot_record_the_outcome_stops_delivery_and_sends_nothing_twice() {
    let server = SmtpServer::start_plaintext();
    let (_dir, db) = queued(3);
    let cfg = relay_config(server.port);
    let admin = rusqlite::Connection::open(&db).unwrap();
    admin
        .execute_batch(
            "CREATE TRIGGER outcome_fails BEFORE UPDATE OF state ON outbox
             WHEN OLD.state = 'sending'
             BEGIN SELECT RAISE(ABORT, 'cannot write the outcome'); END;",
        )
        .unwrap();

    let err = deliver(&db, &cfg).unwrap_err();
    assert!(
        err.to_string().contains("cannot write the outcome"),
        "{err}"
    );
    assert_eq!(
        counts(&server),
        each_once(1),
        "stopped after the first message"
    );
    assert_eq!(state(&db, 1), "sending");
    assert_eq!(state(&db, 2), "pending");

    // The store works again: the others go out; the first, claimed moments ago, is not resent.
    admin.execute_batch("DROP TRIGGER outcome_fails").unwrap();
    assert_eq!(deliver(&db, &cfg).unwrap().sent, 2);
    assert_eq!(deliver(&db, &cfg).unwrap().sent, 0);
    assert_eq!(counts(&server), each_once(3));
    assert_eq!(state(&db, 1), "sending");
}

#[test]
fn a_message_left_sending_by_a_crash_is_resent_once_with_the_same_message_id() {
    let server = SmtpServer::start_plaintext();
    let (_dir, db) = queued(2);
    let cfg = relay_config(server.port);
    // Two senders claimed a message each and never recorded the outcome: one claimed an hour
    // ago (it crashed), one just now (it may still be talking to the mail server).
    let mut store = Store::open(&db).unwrap();
    let t = |ago: i64| {
        (chrono::Utc::now() - chrono::Duration::seconds(ago))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let claim = |store: &mut Store, owner: &str, now: &str| {
        let rule = ClaimRule {
            owner,
            now,
            after_id: 0,
            due_before: None,
            stale_before: "0000",
        };
        let id = watchkeeper::email::transport::new_message_id(&cfg.from);
        store.claim_next(&rule, &id).unwrap().unwrap()
    };
    let crashed = claim(&mut store, "crashed sender", &t(3600));
    let alive = claim(&mut store, "live sender", &t(0));
    assert_eq!((crashed.id, alive.id), (1, 2));
    let claimed_id = crashed.message_id.clone().unwrap();
    drop(store);

    assert_eq!(deliver(&db, &cfg).unwrap().sent, 1);
    assert_eq!(
        deliver(&db, &cfg).unwrap().sent,
        0,
        "resent once, not on every run"
    );
    let got = server.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(subject(&got[0]), "message 1");
    assert_eq!(format!("<{}>", message_id(&got[0])), claimed_id);
    assert_eq!(state(&db, 1), "sent");
    assert_eq!(
        state(&db, 2),
        "sending",
        "a fresh claim is left to its owner"
    );
}

#[test]
fn a_server_refusing_for_more_than_twenty_attempts_still_gets_the_message() {
    let server = SmtpServer::start_plaintext();
    let (_dir, db) = queued(1);
    let down = relay_config(closed_port());
    for attempt in 1..=25 {
        let d = deliver(&db, &down).unwrap();
        assert_eq!((d.failed, d.given_up), (1, 0), "attempt {attempt}");
    }
    assert_eq!(state(&db, 1), "pending");
    let d = deliver(&db, &relay_config(server.port)).unwrap();
    assert_eq!(d.sent, 1);
    assert_eq!(counts(&server), each_once(1));
}

#[test]
fn retry_requeues_a_given_up_message_and_it_is_then_sent() {
    let server = SmtpServer::start_plaintext();
    let (dir, db) = queued(2);
    // Given up at its first failure.
    let mut down = relay_config(closed_port());
    down.give_up_after = Duration::ZERO;
    let d = deliver(&db, &down).unwrap();
    assert_eq!((d.failed, d.given_up), (0, 2));
    assert_eq!(deliver(&db, &relay_config(server.port)).unwrap().sent, 0);
    assert!(server.messages().is_empty(), "given up means not retried");

    let config = dir.path().join("watchkeeper.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"watchkeeper.db\"\nwatchlist = \"watchlist.toml\"\n\n\
             [email]\ntransport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
             from = \"alerts@example.org\"\nto = [\"compliance@example.org\"]\n",
            server.port
        ),
    )
    .unwrap();
    let retry = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
            .arg("retry")
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap()
    };
    let out = retry(&["2"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        "re-queued message 2 to compliance@example.org: message 2\n"
    );
    assert_eq!(
        (state(&db, 1).as_str(), state(&db, 2).as_str()),
        ("failed", "pending")
    );

    assert_eq!(deliver(&db, &relay_config(server.port)).unwrap().sent, 1);
    assert_eq!(
        counts(&server),
        BTreeMap::from([("message 2".to_string(), 1)])
    );

    // A sent message is not re-queued; with no ids, every given-up one is.
    let out = retry(&["2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("message 2 is not a given-up message"));
    let out = retry(&[]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "re-queued message 1 to compliance@example.org: message 1\n"
    );
    assert_eq!(deliver(&db, &relay_config(server.port)).unwrap().sent, 1);
    assert_eq!(counts(&server), each_once(2));
}
