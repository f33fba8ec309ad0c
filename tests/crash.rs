//! Delivery when `watchkeeper once` runs twice at once, or is killed: the real binary as child
//! processes, over the real daily OFAC SDN snapshots of tests/fixtures/replay (the list update
//! of tests/replay.rs), against a real SMTP server on loopback.
//!
//! An alert is identified by (event, source, entry id, watch item): in `alerts --json`, and in
//! a received digest by its section (heading `N. EVENT: …`, `List: … (source S)`,
//! `Watch item: W`, `Entry: … [kind, id E]`).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::replay::{Installation, DAYS};
use support::smtp::{Received, SmtpServer};

/// (event, source, entry id, watch item).
type AlertKey = (String, String, String, String);

/// An alert across runs: its key and which occurrence of that key it is (an entry delisted and
/// listed again has two `listed` alerts, one per listing episode, with the same key).
type Ident = (AlertKey, usize);

/// One installation: a config, a watchlist, a served folder (the `file:` source) and a
/// database, mailing the SMTP server on `port`.
struct World {
    inst: Installation,
}

impl World {
    /// `claim_timeout`: the `[email]` key, if set.
    fn new(port: u16, claim_timeout: Option<&str>) -> World {
        let claim = claim_timeout.map_or(String::new(), |t| format!("claim_timeout = \"{t}\"\n"));
        let email = format!(
            r#"transport = "smtp"
host = "127.0.0.1"
port = {port}
tls = "none"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
mode = "digest"
{claim}"#
        );
        World {
            inst: Installation::new(&email),
        }
    }

    fn config(&self) -> PathBuf {
        self.inst.config()
    }

    fn db(&self) -> PathBuf {
        self.inst.db()
    }

    fn publish(&self, d: &str) {
        self.inst.publish(d)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_watchkeeper"));
        c.args(args).arg("--config").arg(self.config());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// `once` to completion, which must succeed.
    fn once(&self, what: &str) -> Duration {
        let t = Instant::now();
        let out = self.run(&["once"]);
        let took = t.elapsed();
        assert!(
            out.status.success(),
            "{what}: once failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        took
    }

    /// `once` started, not waited for.
    fn spawn_once(&self) -> Child {
        self.command(&["once"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Every alert with its id and delivery state, by id.
    fn alerts(&self) -> Vec<(i64, AlertKey, String)> {
        let out = self.run(&["alerts", "--since", "3650d", "--json"]);
        assert!(
            out.status.success(),
            "alerts: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut all: Vec<(i64, AlertKey, String)> = v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let s = |k: &str| a[k].as_str().unwrap().to_string();
                (
                    a["id"].as_i64().unwrap(),
                    (s("event"), s("source"), s("entry_id"), s("watch_item")),
                    s("state"),
                )
            })
            .collect();
        all.sort();
        all
    }

    /// Every alert as an [`Ident`], by alert id.
    fn idents(&self) -> BTreeMap<i64, Ident> {
        let mut seen: BTreeMap<AlertKey, usize> = BTreeMap::new();
        self.alerts()
            .into_iter()
            .map(|(id, key, _)| {
                let n = seen.entry(key.clone()).or_default();
                *n += 1;
                (id, (key, *n))
            })
            .collect()
    }

    /// The database as an administrator reads it, if it exists: never created here (a `once`
    /// killed at its start may have left none, or one without tables yet).
    fn admin(&self) -> Option<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            self.db(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE,
        )
        .ok()?;
        conn.busy_timeout(Duration::from_secs(30)).unwrap();
        Some(conn)
    }

    /// Outbox messages by state (none before the schema exists).
    fn outbox_states(&self) -> BTreeMap<String, usize> {
        let Some(conn) = self.admin() else {
            return BTreeMap::new();
        };
        let Ok(mut stmt) = conn.prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state") else {
            return BTreeMap::new();
        };
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    }

    fn count(&self, sql: &str) -> usize {
        self.admin()
            .and_then(|c| c.query_row(sql, [], |r| r.get::<_, i64>(0)).ok())
            .unwrap_or(0) as usize
    }

    /// Alerts not yet in any outbox message.
    fn uncomposed(&self) -> usize {
        self.count(
            "SELECT COUNT(*) FROM alerts WHERE id NOT IN (SELECT alert_id FROM outbox_alerts)",
        )
    }

    fn alert_count(&self) -> usize {
        self.count("SELECT COUNT(*) FROM alerts")
    }

    /// After a final `once`, every alert is sent and no message is left unsent.
    fn assert_all_sent(&self, what: &str) {
        self.once(&format!("{what}: final once"));
        let unsent: Vec<_> = self
            .alerts()
            .into_iter()
            .filter(|(_, _, state)| state != "sent")
            .collect();
        assert!(unsent.is_empty(), "{what}: unsent alerts {unsent:?}");
        let states = self.outbox_states();
        assert_eq!(
            states.keys().collect::<Vec<_>>(),
            ["sent"],
            "{what}: outbox {states:?}"
        );
    }
}

/// One received message: its Message-ID and the alerts its digest carries (alert id, key).
#[derive(Debug, Clone)]
struct Mail {
    message_id: String,
    alerts: Vec<(i64, AlertKey)>,
}

fn parse_mail(m: &Received) -> Mail {
    let parsed = mail_parser::MessageParser::default()
        .parse(&m.data)
        .expect("parseable message");
    let message_id = parsed.message_id().expect("a Message-ID").to_string();
    let text = parsed.body_text(0).expect("a text part").to_string();
    let lines: Vec<&str> = text.lines().collect();
    // A section starts with `N. EVENT: …` underlined with `=`.
    let starts: Vec<usize> = (0..lines.len().saturating_sub(1))
        .filter(|&i| lines[i + 1].starts_with("===") && section_event(lines[i]).is_some())
        .collect();
    let mut alerts = Vec::new();
    for (n, &s) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        let block = &lines[s..end];
        let event = section_event(block[0]).unwrap();
        let field = |name: &str| -> String {
            let i = block
                .iter()
                .position(|l| l.starts_with(name))
                .unwrap_or_else(|| panic!("no {name} in {block:#?}"));
            // A value may wrap onto indented lines.
            let mut v = block[i][name.len()..].trim().to_string();
            for l in &block[i + 1..] {
                if l.starts_with(' ') && !l.trim().is_empty() && !l.trim_start().contains(": ") {
                    v.push(' ');
                    v.push_str(l.trim());
                } else {
                    break;
                }
            }
            v
        };
        let list = field("List:");
        let source = between(&list, "(source ", ")").expect("source in List:");
        let watch_item = field("Watch item:");
        let entry = field("Entry:");
        let entry_id = between(&entry, ", id ", "]").expect("id in Entry:");
        let id = between(&format!("{} ", field("Alert:")), "#", " ")
            .and_then(|n| n.parse().ok())
            .expect("id in Alert:");
        alerts.push((id, (event, source, entry_id, watch_item)));
    }
    assert!(!alerts.is_empty(), "no alert sections in {text}");
    Mail { message_id, alerts }
}

fn section_event(line: &str) -> Option<String> {
    let (n, rest) = line.split_once(". ")?;
    if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (event, _) = rest.split_once(": ")?;
    event
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '-')
        .then(|| event.to_string())
}

fn between(s: &str, open: &str, close: &str) -> Option<String> {
    let start = s.rfind(open)? + open.len();
    let len = s[start..].find(close)?;
    Some(s[start..start + len].to_string())
}

/// How a run's received messages compare with the alerts they should carry.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    /// Alerts never received.
    lost: usize,
    /// Extra receipts of an alert under a Message-ID it was already received under.
    duplicates_same_id: usize,
    /// Extra Message-IDs an alert was received under (the same content sent as a new message).
    new_id_resends: usize,
    /// Alerts received that were not expected.
    unexpected: usize,
}

/// `recorded`: the run's alerts by id ([`World::idents`]); `expected`: the clean run's.
fn tally(expected: &BTreeSet<Ident>, recorded: &BTreeMap<i64, Ident>, mails: &[Mail]) -> Tally {
    let mut receipts: BTreeMap<&Ident, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut unknown = 0;
    for m in mails {
        for (id, key) in &m.alerts {
            let Some(ident) = recorded.get(id) else {
                unknown += 1;
                continue;
            };
            assert_eq!(
                &ident.0, key,
                "alert #{id}: the message and `alerts` disagree"
            );
            *receipts
                .entry(ident)
                .or_default()
                .entry(m.message_id.as_str())
                .or_default() += 1;
        }
    }
    let mut t = Tally {
        lost: expected
            .iter()
            .filter(|k| !receipts.contains_key(k))
            .count(),
        unexpected: unknown,
        ..Tally::default()
    };
    for (key, by_id) in &receipts {
        if !expected.contains(*key) {
            t.unexpected += 1;
        }
        t.new_id_resends += by_id.len() - 1;
        t.duplicates_same_id += by_id.values().map(|n| n - 1).sum::<usize>();
    }
    t
}

/// The replay with no kills: the alerts it records (each received exactly once, checked) and
/// how long each day's `once` took.
fn clean_run(server: &SmtpServer) -> (BTreeSet<Ident>, Vec<Duration>) {
    let w = World::new(server.port, Some("1s"));
    let before = server.messages().len();
    let mut took = Vec::new();
    for d in DAYS {
        w.publish(d);
        took.push(w.once(d));
    }
    w.assert_all_sent("clean run");
    let recorded = w.idents();
    let expected: BTreeSet<Ident> = recorded.values().cloned().collect();
    let mails: Vec<Mail> = server.messages()[before..].iter().map(parse_mail).collect();
    assert_eq!(mails.len(), DAYS.len(), "one digest a day");
    assert_eq!(
        tally(&expected, &recorded, &mails),
        Tally::default(),
        "clean run"
    );
    let received: usize = mails.iter().map(|m| m.alerts.len()).sum();
    assert_eq!(received, expected.len());
    (expected, took)
}

#[test]
fn two_onces_at_once_on_one_database_send_every_alert_exactly_once() {
    let server = SmtpServer::start_plaintext();
    let (expected, _) = clean_run(&server);

    let w = World::new(server.port, None);
    let before = server.messages().len();
    for d in DAYS {
        w.publish(d);
        let barrier = std::sync::Barrier::new(2);
        let outs: Vec<Output> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        let mut c = w.command(&["once"]);
                        barrier.wait();
                        c.output().unwrap()
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for out in &outs {
            assert!(
                out.status.success(),
                "{d}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    w.assert_all_sent("two onces");
    // The audit trail holds one `applied` cycle a day: the second process of each pair found
    // the snapshot stored (its plan was refused and made again) and recorded `unchanged`.
    let applied =
        w.count("SELECT COUNT(*) FROM cycles WHERE source = 'ofac-sdn' AND outcome = 'applied'");
    assert_eq!(applied, DAYS.len(), "one applied cycle a day");
    let recorded = w.idents();
    let got: BTreeSet<Ident> = recorded.values().cloned().collect();
    assert_eq!(got, expected, "the alerts of a run one at a time");
    assert_eq!(got.len(), recorded.len());

    let received = server.messages()[before..].to_vec();
    let mails: Vec<Mail> = received.iter().map(parse_mail).collect();
    let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &mails {
        *by_id.entry(m.message_id.as_str()).or_default() += 1;
    }
    assert!(
        by_id.values().all(|&n| n == 1),
        "a Message-ID received twice: {by_id:?}"
    );
    assert_eq!(
        tally(&expected, &recorded, &mails),
        Tally::default(),
        "every alert received exactly once: {mails:#?}"
    );
}

/// splitmix64: a small deterministic generator, so every run kills at the same points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const SEED: u64 = 0x7761_7463_686b_6565;
const TRIALS: usize = 16;
const KILLS_PER_TRIAL: usize = 2;
/// Kills that must land (more trials follow the TRIALS planned ones while fewer have).
const KILLS: usize = 32;
const MAX_TRIALS: usize = 40;
/// The stale-claim timeout (`claim_timeout`) of the killed installations: after a kill that
/// left a message `sending`, the recovery waits until the claim is older than this.
const CLAIM_TIMEOUT: &str = "1s";

/// Waits until every `sending` claim is stale for `claim_timeout = "1s"`: claims are stamped
/// to the second and compared with the time a second ago truncated to the second, so a claim
/// stamped T is stale from T + 2 s on.
fn wait_for_stale_claims(w: &World) {
    let conn = w.admin().expect("a database with a claim");
    let latest: String = conn
        .query_row(
            "SELECT MAX(claimed_at) FROM outbox WHERE state = 'sending'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let claimed = chrono::DateTime::parse_from_rfc3339(&latest).unwrap();
    let stale_at = claimed + chrono::Duration::milliseconds(2050);
    let left = (stale_at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    std::thread::sleep(left);
}

/// Where the database stood when a kill landed.
fn phase(w: &World, alerts_before_day: usize) -> &'static str {
    let states = w.outbox_states();
    let n = |s: &str| states.get(s).copied().unwrap_or(0);
    if w.alert_count() == alerts_before_day {
        "before the day's alerts were stored"
    } else if w.uncomposed() > 0 {
        "alerts stored, not yet in a message"
    } else if n("sending") > 0 {
        "message claimed (sending)"
    } else if n("pending") > 0 {
        "message queued, not claimed"
    } else {
        "message sent and recorded"
    }
}

#[test]
fn once_killed_at_random_moments_loses_nothing_and_resends_only_under_the_same_message_id() {
    let started = Instant::now();
    let server = SmtpServer::start_plaintext();
    // Twice: the first warms the caches, the second gives the durations the kills spread over.
    let (expected, _) = clean_run(&server);
    let (again, took) = clean_run(&server);
    assert_eq!(again, expected);
    let total: f64 = took.iter().map(Duration::as_secs_f64).sum();

    // Kill points: stratified over the clean run's total `once` time, so that they cover it
    // evenly (kill i of N at a seeded point of the i-th N-th), each mapped to the `once` of the
    // day it falls in and an offset into it (scaled by 0.9: a run a little faster than the
    // measured one should still be alive). Trial t gets kills t and t + TRIALS, one in each
    // half of the run. A kill that misses (the process had already exited: a loaded machine
    // during the clean run makes later runs faster than measured) is counted, and extra
    // trials with seeded points uniform over the run follow until KILLS kills have landed.
    let n = TRIALS * KILLS_PER_TRIAL;
    let mut rng = Rng(SEED);
    let locate = |mut at: f64| {
        let mut day = 0;
        while day + 1 < took.len() && at >= took[day].as_secs_f64() {
            at -= took[day].as_secs_f64();
            day += 1;
        }
        (day, Duration::from_secs_f64(at * 0.9))
    };
    let points: Vec<(usize, Duration)> = (0..n)
        .map(|i| locate((i as f64 + rng.unit()) / n as f64 * total))
        .collect();

    let mut totals = Tally::default();
    let (mut kills, mut missed, mut runs, mut claim_waits) = (0, 0, 0, 0);
    let mut phases: BTreeMap<&str, usize> = BTreeMap::new();
    let mut messages = 0;
    let mut t = 0;
    while t < TRIALS || (kills < KILLS && t < MAX_TRIALS) {
        let mut plan: Vec<(usize, Duration)> = (0..KILLS_PER_TRIAL)
            .map(|k| match points.get(t + k * TRIALS) {
                Some(&p) if t < TRIALS => p,
                _ => locate(rng.unit() * total),
            })
            .collect();
        plan.sort();
        let w = World::new(server.port, Some(CLAIM_TIMEOUT));
        let before = server.messages().len();
        for (day, d) in DAYS.iter().enumerate() {
            w.publish(d);
            let alerts_before_day = w.alert_count();
            // This day's kills in turn, each followed by the recovery `once` below (a second
            // kill on the same day kills that recovery, and another follows).
            for &(_, offset) in plan.iter().filter(|(kd, _)| *kd == day) {
                let mut child = w.spawn_once();
                runs += 1;
                std::thread::sleep(offset);
                if child.try_wait().unwrap().is_some() {
                    missed += 1;
                    continue;
                }
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
                *phases.entry(phase(&w, alerts_before_day)).or_default() += 1;
                if w.outbox_states().contains_key("sending") {
                    // An abandoned claim: the recovery takes it over once it is stale.
                    wait_for_stale_claims(&w);
                    claim_waits += 1;
                }
            }
            w.once(&format!("trial {t} {d}"));
            runs += 1;
        }
        w.assert_all_sent(&format!("trial {t}"));
        runs += 1;
        let recorded = w.idents();
        let got: BTreeSet<Ident> = recorded.values().cloned().collect();
        assert_eq!(got, expected, "trial {t}: the clean run's alerts");
        assert_eq!(
            got.len(),
            recorded.len(),
            "trial {t}: an alert recorded twice"
        );
        let mails: Vec<Mail> = server.messages()[before..].iter().map(parse_mail).collect();
        messages += mails.len();
        let tt = tally(&expected, &recorded, &mails);
        totals.lost += tt.lost;
        totals.duplicates_same_id += tt.duplicates_same_id;
        totals.new_id_resends += tt.new_id_resends;
        totals.unexpected += tt.unexpected;
        t += 1;
    }

    println!(
        "crash harness: seed {SEED:#x}, clean run {:.0} ms over {} days ({} alerts); \
         {kills} kills (SIGKILL) landed, {missed} missed (the process had exited); \
         {runs} `once` runs in {t} trials, {messages} messages received; \
         {claim_waits} recoveries waited for a stale claim; \
         lost {}, duplicates under the same Message-ID {}, resent under a new Message-ID {}, \
         unexpected {}; {:.1} s",
        total * 1000.0,
        DAYS.len(),
        expected.len(),
        totals.lost,
        totals.duplicates_same_id,
        totals.new_id_resends,
        totals.unexpected,
        started.elapsed().as_secs_f64()
    );
    for (p, k) in &phases {
        println!("  kills {p}: {k}");
    }
    assert!(
        kills >= KILLS,
        "only {kills} kills landed ({missed} missed)"
    );
    assert_eq!(totals.lost, 0, "alerts lost");
    assert_eq!(
        totals.new_id_resends, 0,
        "alerts resent under a new Message-ID"
    );
    assert_eq!(totals.unexpected, 0, "alerts received that no run recorded");
}
