//! The daemon as systemd runs it: `watchkeeper run` on a schedule, the watchlist reloaded when
//! the file changes (an invalid one refused, the old one kept), a clean stop on SIGTERM.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

const WATCHLIST: &str = r#"
[[person]]
name = "Alexander Lukashenko"
"#;

const WATCHLIST_WITH_VESSEL: &str = r#"
[[person]]
name = "Alexander Lukashenko"

[[vessel]]
name = "Some New Name"
imo = "IMO 9187629"
"#;

fn write_config(dir: &Path) -> PathBuf {
    let cfg = format!(
        r#"
[daemon]
database = "state/watchkeeper.db"
watchlist = "watchlist.toml"

[[source]]
name = "ofac-sdn"
kind = "ofac_sdn_csv"
url = "file://{snap}/"
schedule = "*/1 * * * * *"

[email]
transport = "file"
path = "outbox"
from = "watchkeeper <watchkeeper@localhost>"
to = ["compliance@localhost"]
"#,
        snap = fixtures().join("e2e/snap1").display()
    );
    let path = dir.join("watchkeeper.toml");
    std::fs::write(&path, cfg).unwrap();
    std::fs::write(dir.join("watchlist.toml"), WATCHLIST).unwrap();
    path
}

fn alerts_json(config: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(["alerts", "--json", "--config"])
        .arg(config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits until `cond` holds on the alerts, or fails after 30 s.
fn wait_for_alerts(config: &Path, what: &str, cond: impl Fn(&[serde_json::Value]) -> bool) {
    let start = Instant::now();
    // `alerts` never creates the database: wait for the daemon to.
    let db = config.parent().unwrap().join("state/watchkeeper.db");
    loop {
        if !db.exists() {
            assert!(start.elapsed() < Duration::from_secs(30), "no database");
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        let v = alerts_json(config);
        if cond(v["alerts"].as_array().unwrap()) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}: {v}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn has(alerts: &[serde_json::Value], event: &str, entry: &str, item: &str) -> bool {
    alerts
        .iter()
        .any(|a| a["event"] == event && a["entry_id"] == entry && a["watch_item"] == item)
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

#[test]
fn daemon_runs_on_schedule_reloads_watchlist_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let log = std::fs::File::create(dir.path().join("daemon.log")).unwrap();
    let mut daemon = Daemon(
        Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
            .args(["run", "--config"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );

    // The first scheduled cycle stores the list and finds the watched person already listed.
    wait_for_alerts(&config, "already-listed Lukashenko", |a| {
        has(a, "already-listed", "9760", "Alexander Lukashenko")
    });

    // An invalid watchlist is refused and the old one stays in force…
    std::fs::write(
        dir.path().join("watchlist.toml"),
        "[[vessel]]\nnmae = \"x\"\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    let log_text = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(
        log_text.contains("watchlist not reloaded"),
        "no reload error logged:\n{log_text}"
    );
    // …and a valid edit takes effect without a restart: the new vessel (watched by the IMO of
    // the tanker ARTAVIL under another name) is screened against the stored list at once.
    std::fs::write(dir.path().join("watchlist.toml"), WATCHLIST_WITH_VESSEL).unwrap();
    wait_for_alerts(&config, "already-listed by IMO after reload", |a| {
        has(a, "already-listed", "15036", "Some New Name")
    });

    // The alerts were delivered through the file transport, each exactly once.
    let start = Instant::now();
    loop {
        let sent = alerts_json(&config)["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["state"] == "sent");
        if sent {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "alerts not all sent"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let emls = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(
        emls, 2,
        "one digest for the first cycle, one for the reload"
    );

    // SIGTERM: a clean stop with status 0.
    unsafe {
        libc::kill(daemon.0.id() as i32, libc::SIGTERM);
    }
    let start = Instant::now();
    let status = loop {
        if let Some(s) = daemon.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "exit status {status:?}");
    let log_text = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(log_text.contains("stopped"), "{log_text}");
}

fn start(config: &Path, log: &Path) -> Daemon {
    let log = std::fs::File::create(log).unwrap();
    Daemon(
        Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
            .args(["run", "--config"])
            .arg(config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    )
}

fn stop(mut daemon: Daemon) {
    unsafe {
        libc::kill(daemon.0.id() as i32, libc::SIGTERM);
    }
    let status = daemon.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_source_never_loaded_runs_at_start_not_at_its_next_scheduled_time() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    // Once a day at 07:00 UTC: without catching up, nothing would happen for hours.
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("*/1 * * * * *", "0 0 7 * * *");
    std::fs::write(&config, text).unwrap();
    let log = dir.path().join("daemon.log");
    let started = Instant::now();
    let daemon = start(&config, &log);
    wait_for_alerts(&config, "already-listed Lukashenko", |a| {
        has(a, "already-listed", "9760", "Alexander Lukashenko")
    });
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    stop(daemon);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("catching up at once: never loaded successfully"),
        "{text}"
    );
    // The first load says where it is, stage by stage.
    for stage in ["Fetching", "Parsing", "Matching", "Storing"] {
        assert!(text.contains(&format!("stage={stage}")), "{stage}: {text}");
    }

    // Started again after a success with no scheduled run missed, it waits for 07:00.
    let daemon = start(&config, &log);
    std::thread::sleep(Duration::from_secs(2));
    stop(daemon);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("catching up"), "{text}");
    assert!(!text.contains("cycle done"), "{text}");
}
