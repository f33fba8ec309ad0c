//! A list over time, as a user lives it: six daily snapshots of the OFAC SDN list made of real
//! rows (tests/fixtures/replay, built by scripts/make-replay-fixtures.py) replayed through
//! `watchkeeper once`, with the exact alert sequence asserted after each day, then `history`
//! and `audit` read back what happened.

mod support;

use std::path::PathBuf;
use std::process::Output;

use support::replay::Installation;
use support::replay::WATCHLIST;

struct Replay {
    inst: Installation,
}

impl Replay {
    fn new() -> Replay {
        let email = r#"transport = "file"
path = "outbox"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
mode = "digest"
"#;
        Replay {
            inst: Installation::new(email),
        }
    }

    fn config(&self) -> PathBuf {
        self.inst.config()
    }

    /// Publishes day `d` and runs one cycle.
    fn publish_and_run(&self, d: &str) {
        self.inst.publish(d);
        let out = self.run(&["once"]);
        assert!(
            out.status.success(),
            "{d}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The name counts the cycles kept up are what counting every stored name gives.
    fn name_counts_are_those_of_the_stored_names(&self) {
        let store = watchkeeper::store::Store::open(&self.inst.db()).unwrap();
        let (names, counts) = store.all_name_stats().unwrap();
        let entries = store.all_entries().unwrap();
        let counted =
            watchkeeper::matching::NameStats::from_entries(entries.iter().map(|(_, e)| e));
        assert!(names > 0);
        assert_eq!(names, counted.names());
        assert_eq!(&counts, counted.counts());
    }

    fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
            .args(args)
            .arg("--config")
            .arg(self.config())
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Every alert so far as (event, entry id, watch item), oldest first.
    fn alerts(&self) -> Vec<(String, String, String)> {
        let v = self.json(&["alerts", "--since", "3650d", "--json"]);
        let mut out: Vec<(i64, (String, String, String))> = v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let s = |k: &str| a[k].as_str().unwrap().to_string();
                (
                    a["id"].as_i64().unwrap(),
                    (s("event"), s("entry_id"), s("watch_item")),
                )
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, a)| a).collect()
    }

    /// The text part of the newest email (file names start with the time of sending).
    fn last_email(&self) -> String {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.inst.path().join("outbox"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let raw = std::fs::read(files.last().unwrap()).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        parsed.body_text(0).unwrap().to_string()
    }

    fn emails(&self) -> usize {
        std::fs::read_dir(self.inst.path().join("outbox"))
            .map(|d| d.count())
            .unwrap_or(0)
    }
}

fn a(event: &str, entry: &str, item: &str) -> (String, String, String) {
    (event.into(), entry.into(), item.into())
}

#[test]
fn six_days_of_the_sdn_list_give_exactly_the_right_alerts() {
    let r = Replay::new();
    let mut expected = Vec::new();
    let new_since = |r: &Replay, expected: &mut Vec<_>, day: Vec<_>| {
        let before = expected.len();
        let mut day: Vec<(String, String, String)> = day;
        day.sort();
        r.name_counts_are_those_of_the_stored_names();
        let got = r.alerts();
        let mut got_today: Vec<_> = got[before..].to_vec();
        got_today.sort();
        assert_eq!(got_today, day);
        expected.extend(day);
        assert_eq!(got.len(), expected.len());
    };

    r.publish_and_run("day1");
    new_since(
        &r,
        &mut expected,
        vec![
            a("already-listed", "15036", "Alpha"),
            a("already-listed", "15055", "Persian Gulf Star"),
            a("already-listed", "9760", "Alexander Lukashenko"),
        ],
    );
    assert_eq!(r.emails(), 1, "one digest a cycle");

    // ALPHA renamed ARTAVIL under the same IMO; MADURO MOROS designated.
    r.publish_and_run("day2");
    new_since(
        &r,
        &mut expected,
        vec![
            a("changed", "15036", "Alpha"),
            a("listed", "22790", "Nicolás Maduro"),
        ],
    );

    // LUKASHENKA withdrawn; HAPPINESS I reflagged Panama → Iran.
    r.publish_and_run("day3");
    new_since(
        &r,
        &mut expected,
        vec![
            a("changed", "15055", "Persian Gulf Star"),
            a("delisted", "9760", "Alexander Lukashenko"),
        ],
    );

    // LUKASHENKA restored byte for byte: listed again, although its content hash is the one
    // alerted on day 1.
    r.publish_and_run("day4");
    new_since(
        &r,
        &mut expected,
        vec![a("listed", "9760", "Alexander Lukashenko")],
    );
    assert_eq!(r.emails(), 4);

    // MADURO MOROS, designated on day 2, withdrawn and restored: the restored entry is the
    // same content under the same id, and its second `listed` must still be sent.
    r.publish_and_run("day5");
    new_since(
        &r,
        &mut expected,
        vec![a("delisted", "22790", "Nicolás Maduro")],
    );
    r.publish_and_run("day6");
    new_since(
        &r,
        &mut expected,
        vec![a("listed", "22790", "Nicolás Maduro")],
    );
    assert_eq!(r.emails(), 6);
    let mail = r.last_email();
    assert!(
        mail.contains("listed again: back on the list after a delisting (listing #2)"),
        "{mail}"
    );

    // The last snapshot again: nothing new, no email.
    r.publish_and_run("day6");
    assert_eq!(r.alerts().len(), expected.len());
    assert_eq!(r.emails(), 6);

    // The rename's alert says what changed, and the flag change names the flag.
    let v = r.json(&["alerts", "--since", "3650d", "--json"]);
    let changed: Vec<&serde_json::Value> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["event"] == "changed")
        .collect();
    assert_eq!(changed.len(), 2);

    history_follows_the_vessel_and_the_relisted_person(&r);
    audit_says_what_was_screened_each_day(&r);
}

fn history_follows_the_vessel_and_the_relisted_person(r: &Replay) {
    // By IMO: the tanker first listed as ALPHA, renamed ARTAVIL, both names in its history.
    let v = r.json(&["history", "IMO 9187629", "--json"]);
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{v}");
    let artavil = &entries[0];
    assert_eq!(artavil["entry_id"], "15036");
    assert_eq!(artavil["listed_now"], true);
    let names: Vec<&str> = artavil["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["entry"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ALPHA", "ARTAVIL"]);
    assert_eq!(artavil["episodes"].as_array().unwrap().len(), 1);
    let text = String::from_utf8(r.run(&["history", "9187629"]).stdout).unwrap();
    assert!(text.contains("names over time: ALPHA → ARTAVIL"), "{text}");
    assert!(text.contains("name: ALPHA → ARTAVIL"), "{text}");

    // HAPPINESS I, found by its IMO: the flag change is in its timeline.
    let text = String::from_utf8(r.run(&["history", "9212905"]).stdout).unwrap();
    assert!(text.contains("vessel.flag: Panama → Iran"), "{text}");

    // By name, in another order than the list writes it: two episodes, the first closed.
    let v = r.json(&["history", "Alexander Lukashenko", "--json"]);
    let e = &v["entries"][0];
    assert_eq!(e["entry_id"], "9760", "{v}");
    let episodes = e["episodes"].as_array().unwrap();
    assert_eq!(episodes.len(), 2);
    assert!(episodes[0]["delisted_at"].is_string());
    assert!(episodes[1]["delisted_at"].is_null());
    // The restored entry was byte for byte the same: one version across both episodes.
    assert_eq!(e["versions"].as_array().unwrap().len(), 1);

    // By SOURCE:ENTRY_ID.
    let v = r.json(&["history", "ofac-sdn:22790", "--json"]);
    assert_eq!(v["entries"][0]["episodes"].as_array().unwrap().len(), 2);

    let none = r.run(&["history", "Nobody Atall"]);
    assert!(!none.status.success(), "nothing known is a non-zero exit");
    let text = String::from_utf8(none.stdout).unwrap();
    assert!(text.contains("nothing stored matches"), "{text}");
}

fn audit_says_what_was_screened_each_day(r: &Replay) {
    let v = r.json(&["audit", "--json"]);
    let cycles = v["cycles"].as_array().unwrap();
    let list: Vec<&serde_json::Value> = cycles
        .iter()
        .filter(|c| c["source"] == "ofac-sdn")
        .collect();
    let outcomes: Vec<&str> = list
        .iter()
        .map(|c| c["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "applied",
            "applied",
            "applied",
            "applied",
            "applied",
            "applied",
            "unchanged"
        ]
    );
    let alerts: Vec<String> = list.iter().map(|c| c["alerts"].to_string()).collect();
    assert_eq!(
        alerts,
        [
            r#"{"already-listed":3}"#,
            r#"{"changed":1,"listed":1}"#,
            r#"{"changed":1,"delisted":1}"#,
            r#"{"listed":1}"#,
            r#"{"delisted":1}"#,
            r#"{"listed":1}"#,
            "{}",
        ]
    );
    let entries: Vec<u64> = list
        .iter()
        .map(|c| c["entries"].as_u64().unwrap())
        .collect();
    assert_eq!(entries, [30, 31, 30, 31, 30, 31, 31]);
    // The version screened: days 4 and 6 published the same files, and say so.
    let hash = |i: usize| list[i]["content_hash"].as_str().unwrap().to_string();
    assert_eq!(hash(3), hash(5));
    assert_eq!(hash(5), hash(6));
    assert_ne!(hash(0), hash(1));
    // One watchlist throughout, of 4 items, also recorded for the screening of new items.
    let screened: Vec<&serde_json::Value> = cycles
        .iter()
        .filter(|c| c["outcome"] == "screened")
        .collect();
    assert_eq!(screened.len(), 1);
    for c in cycles {
        assert_eq!(c["watch_items"], 4);
        assert_eq!(c["watchlist_hash"], cycles[0]["watchlist_hash"]);
    }

    let csv = String::from_utf8(r.run(&["audit", "--csv"]).stdout).unwrap();
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("cycle,started_at,finished_at,source,"));
    assert_eq!(lines.count(), cycles.len());
    let text = String::from_utf8(r.run(&["audit"]).stdout).unwrap();
    assert!(text.contains("alerts: changed 1, delisted 1"), "{text}");
}

#[test]
fn an_excluded_entry_stays_silent_until_it_changes() {
    let r = Replay::new();
    r.publish_and_run("day1");
    assert_eq!(r.alerts().len(), 3);
    // Having reviewed day 1's alerts, the user dismisses HAPPINESS I and LUKASHENKA.
    let dismissed = WATCHLIST
        .replace(
            "imo = \"9212905\"",
            "imo = \"9212905\"\nexclude = [\"ofac-sdn:15055\"]",
        )
        .replace(
            "name = \"Alexander Lukashenko\"",
            "name = \"Alexander Lukashenko\"\nexclude = [\"ofac-sdn:9760\"]",
        );
    std::fs::write(r.inst.path().join("watchlist.toml"), dismissed).unwrap();
    r.publish_and_run("day2");
    r.publish_and_run("day3");
    r.publish_and_run("day4");
    let after: Vec<_> = r.alerts().split_off(3);
    // LUKASHENKA's withdrawal and restoration concern the version dismissed: silent. HAPPINESS
    // I was reflagged after the dismissal: the change is news again.
    assert_eq!(
        after,
        [
            a("listed", "22790", "Nicolás Maduro"),
            a("changed", "15036", "Alpha"),
            a("changed", "15055", "Persian Gulf Star"),
        ]
    );
}

#[test]
fn a_dismissed_alert_stays_silent_until_the_entry_changes() {
    let r = Replay::new();
    r.publish_and_run("day1");
    let v = r.json(&["alerts", "--since", "3650d", "--json"]);
    let id_of = |entry: &str| {
        v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["entry_id"] == entry)
            .map(|a| a["id"].as_i64().unwrap())
            .unwrap()
    };
    let (happiness, lukashenka) = (id_of("15055"), id_of("9760"));
    // The digest tells the reader the exact command for each alert.
    let mail = r.last_email();
    for id in [happiness, lukashenka] {
        assert!(
            mail.lines()
                .any(|l| l.trim_end() == format!("    watchkeeper dismiss {id}")),
            "{mail}"
        );
    }
    for (id, note) in [(happiness, "other ship"), (lukashenka, "namesake")] {
        let out = r.run(&["dismiss", &id.to_string(), "--note", note]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("alert #{id} dismissed by ")),
            "{stdout}"
        );
    }
    // `alerts` shows the review.
    let v = r.json(&["alerts", "--since", "3650d", "--json"]);
    let reviewed: Vec<(String, String)> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["review"].is_null())
        .map(|a| {
            assert_eq!(a["review"]["state"], "dismissed");
            assert!(!a["review"]["by"].as_str().unwrap().is_empty());
            (
                a["entry_id"].as_str().unwrap().to_string(),
                a["review"]["note"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        reviewed,
        [
            ("15055".to_string(), "other ship".to_string()),
            ("9760".to_string(), "namesake".to_string())
        ]
    );
    let text = String::from_utf8_lossy(&r.run(&["alerts", "--since", "3650d"]).stdout).to_string();
    assert!(text.contains("dismissed: not a match, by "), "{text}");
    assert!(text.contains(": namesake"), "{text}");

    r.publish_and_run("day2");
    r.publish_and_run("day3");
    r.publish_and_run("day4");
    let after: Vec<_> = r.alerts().split_off(3);
    // LUKASHENKA's withdrawal and restoration concern the version dismissed: silent. HAPPINESS
    // I was reflagged after the dismissal: the change is news again.
    assert_eq!(
        after,
        [
            a("listed", "22790", "Nicolás Maduro"),
            a("changed", "15036", "Alpha"),
            a("changed", "15055", "Persian Gulf Star"),
        ]
    );

    // An alert that does not exist is refused, naming it.
    let out = r.run(&["dismiss", "999"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no alert #999"), "{stderr}");
}

/// A database from before the name counts were kept has entries and no counts: the next cycle
/// counts them once from the stored entries, and then keeps them up like any other.
#[test]
fn a_database_without_name_counts_is_counted_once_then_kept_up() {
    let r = Replay::new();
    r.publish_and_run("day1");
    {
        let conn = rusqlite::Connection::open(r.inst.db()).unwrap();
        conn.execute_batch("DELETE FROM name_stats; DELETE FROM name_stats_sources;")
            .unwrap();
    }
    r.publish_and_run("day2");
    r.name_counts_are_those_of_the_stored_names();
    r.publish_and_run("day3");
    r.name_counts_are_those_of_the_stored_names();
}
