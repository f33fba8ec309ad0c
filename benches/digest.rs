//! Digest benchmark: the time to build one digest email of N alerts as the outbox and the
//! transports do (render the parts, build the lettre message with its alerts.csv, format it
//! to the bytes SMTP sends), per alert, to show that it grows linearly with N.
//!
//! The alerts are `already-listed` alerts on the real OFAC SDN list of July 2021 (8,976
//! entries, taken in turn, so 100,000 alerts repeat each about 11 times), with scores spread
//! from 0.85 to 1 and vessels that carry an IMO number matched by it, as a first load raises
//! them.
//!
//!   cargo bench --bench digest                          # 1,000 10,000 100,000, capped at 200
//!   cargo bench --bench digest -- 500 5000 --limit 50
//!   cargo bench --bench digest -- --uncapped 1000 3000 9000
//!   cargo bench --bench digest -- --old 1000 3000 9000
//!
//! `--uncapped` puts every alert in the body (no limit), built as now; `--old` also hands the
//! parts to lettre with bare line ends, as before the cap, when lettre made them CRLF itself
//! by inserting each `\r` in place: the cost a first load of 9,162 alerts paid.
//!
//! Needs ../shared/data.

#[path = "../examples/support/lists.rs"]
mod lists;

use std::time::{Duration, Instant};

use lettre::message::header::ContentType;
use lettre::message::{MultiPart, SinglePart};
use watchkeeper::config::{EmailConfig, TransportKind};
use watchkeeper::domain::alert::{Alert, Event, ListRef, Why};
use watchkeeper::domain::entry::{EntityKind, Entry};
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::email::render::{self, Message};
use watchkeeper::email::transport;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Capped,
    Uncapped,
    Old,
}

fn alerts(entries: &[Entry], n: usize) -> Vec<Alert> {
    let list = ListRef {
        source: "ofac-sdn".into(),
        publisher: Some("US Treasury, OFAC".into()),
        list_title: Some("OFAC SDN list".into()),
        published: Some("2021-07-01".into()),
    };
    (0..n)
        .map(|i| {
            let e = &entries[i % entries.len()];
            let imo = e.identifiers_of("imo").next().map(str::to_string);
            let kind = match e.kind {
                EntityKind::Vessel => WatchKind::Vessel,
                EntityKind::Person => WatchKind::Person,
                _ => WatchKind::Organization,
            };
            let mut item = WatchItem::query(kind, &e.name);
            item.id = format!("wi-{i}");
            let why = match (&imo, e.kind) {
                (Some(imo), EntityKind::Vessel) => Why {
                    score: 1.0,
                    why: format!("{imo} equals the IMO number of vessel \"{}\"", e.name),
                },
                _ => Why {
                    // A spread of scores, in no order.
                    score: 0.85 + ((i * 37) % 16) as f64 / 100.0,
                    why: format!(
                        "name \"{}\" ~ primary name \"{}\" (2 of 3 parts)",
                        e.name, e.name
                    ),
                },
            };
            let mut a = Alert::for_entry(
                Event::AlreadyListed,
                &list,
                e,
                "9f86d081884c7d659a2feaa0c55ad015",
                &item,
                why,
                "2026-12-02T07:00:00Z",
            );
            a.id = i as i64 + 1;
            a
        })
        .collect()
}

/// The lettre message as it was built before the cap: the parts given to lettre as they are.
fn old_build(cfg: &EmailConfig, msg: &Message) -> lettre::Message {
    let mut b = lettre::Message::builder()
        .from(cfg.from.parse().unwrap())
        .subject(msg.subject.clone())
        .date_now();
    for to in &msg.to {
        b = b.to(to.parse().unwrap());
    }
    b.multipart(
        MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(msg.text.clone()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(msg.html.clone()),
            ),
    )
    .unwrap()
}

fn config(limit: usize) -> EmailConfig {
    EmailConfig {
        digest_limit: limit,
        ..EmailConfig::new(
            TransportKind::File,
            "watchkeeper <alerts@example.org>",
            vec!["compliance@example.org".into()],
        )
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut sizes = Vec::new();
    let mut mode = Mode::Capped;
    let mut limit = render::DEFAULT_DIGEST_LIMIT;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--uncapped" => mode = Mode::Uncapped,
            "--old" => mode = Mode::Old,
            "--limit" => limit = args.next().and_then(|v| v.parse().ok()).expect("--limit N"),
            "--bench" => {}
            n => sizes.push(
                n.parse::<usize>()
                    .unwrap_or_else(|_| panic!("not a size: {n}")),
            ),
        }
    }
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000, 100_000];
    }
    if mode != Mode::Capped {
        limit = usize::MAX;
    }
    let entries = lists::read_list(
        "ofac_sdn_csv",
        &lists::data_dir().join("ofac-sdn-csv/2021-07"),
    );
    let cfg = config(limit);
    let label = match mode {
        Mode::Capped => format!("capped at {limit}"),
        Mode::Uncapped => "uncapped".to_string(),
        Mode::Old => "uncapped, as before (lettre makes the line ends CRLF)".to_string(),
    };
    println!("digest of N alerts, {label}: render + build + format, one run each");
    println!(
        "{:>8} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12} {:>12}",
        "alerts",
        "render ms",
        "build ms",
        "format ms",
        "total ms",
        "µs/alert",
        "email bytes",
        "csv bytes"
    );
    for n in sizes {
        let alerts = alerts(&entries, n);
        let t0 = Instant::now();
        let msg = render::digest_limited(&alerts, cfg.to.clone(), cfg.digest_limit);
        let t1 = Instant::now();
        let email = match mode {
            Mode::Old => old_build(&cfg, &msg),
            _ => transport::build(&cfg, &msg).expect("builds"),
        };
        let t2 = Instant::now();
        let bytes = email.formatted();
        let t3 = Instant::now();
        let csv: usize = msg.attachments.iter().map(|a| a.body.len()).sum();
        println!(
            "{n:>8} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>12.2} {:>12} {:>12}",
            ms(t1 - t0),
            ms(t2 - t1),
            ms(t3 - t2),
            ms(t3 - t0),
            (t3 - t0).as_secs_f64() * 1e6 / n as f64,
            bytes.len(),
            csv
        );
    }
}
