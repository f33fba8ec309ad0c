//! The log as the journal and a log shipper read it: sd-daemon priority prefixes when stderr is
//! the journal's stream (`JOURNAL_STREAM`), none when it is not, and one JSON object per line
//! with `WATCHKEEPER_LOG_FORMAT=json`.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

/// A config with one source that works (the e2e snapshot) and one whose file is missing.
fn setup(dir: &Path) -> std::path::PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let cfg = format!(
        r#"
[daemon]
database = "state.db"
watchlist = "watchlist.toml"

[[source]]
name = "ofac-sdn"
kind = "ofac_sdn_csv"
url = "file://{snap}/"
schedule = "0 0 7 * * *"

[[source]]
name = "gone"
kind = "un_sc_xml"
url = "file:missing.xml"
schedule = "0 0 7 * * *"

[email]
transport = "file"
path = "outbox"
"#,
        snap = fixtures.join("e2e/snap1").display()
    );
    std::fs::write(dir.join("watchkeeper.toml"), cfg).unwrap();
    std::fs::write(
        dir.join("watchlist.toml"),
        "[[person]]\nname = \"Alexander Lukashenko\"\n",
    )
    .unwrap();
    dir.join("watchkeeper.toml")
}

/// Runs `once` with stderr into a file, `journal` telling it that file is the journal.
fn once(dir: &Path, journal: bool, json: bool) -> String {
    let config = setup(dir);
    let log = dir.join("stderr.log");
    let file = std::fs::File::create(&log).unwrap();
    let meta = file.metadata().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_watchkeeper"));
    cmd.args(["once", "--config"])
        .arg(&config)
        .env_remove("JOURNAL_STREAM")
        .env_remove("WATCHKEEPER_LOG_FORMAT")
        .env_remove("WATCHKEEPER_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(file);
    if journal {
        cmd.env("JOURNAL_STREAM", format!("{}:{}", meta.dev(), meta.ino()));
    }
    if json {
        cmd.env("WATCHKEEPER_LOG_FORMAT", "json");
    }
    let status = cmd.status().unwrap();
    assert!(!status.success(), "the missing source fails the run");
    std::fs::read_to_string(&log).unwrap()
}

#[test]
fn under_the_journal_each_line_carries_its_priority() {
    let dir = tempfile::tempdir().unwrap();
    let text = once(dir.path(), true, false);
    let failed = text.lines().find(|l| l.contains("cycle failed")).unwrap();
    assert!(failed.starts_with("<3>"), "{text}");
    assert!(failed.contains("source=\"gone\""), "{failed}");
    let done = text.lines().find(|l| l.contains("cycle done")).unwrap();
    assert!(done.starts_with("<6>"), "{text}");
    // The journal stamps lines itself, and shows escape codes raw.
    assert!(!done.contains("Z "), "{done}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.lines().all(|l| l.starts_with('<')), "{text}");

    // The same variable inherited by a process whose stderr goes elsewhere: no prefixes.
    let other = tempfile::tempdir().unwrap();
    let config = setup(other.path());
    let out = Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(["once", "--config"])
        .arg(&config)
        .env("JOURNAL_STREAM", "1:1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cycle failed"), "{stderr}");
    assert!(!stderr.lines().any(|l| l.starts_with("<3>")), "{stderr}");
}

#[test]
fn json_logs_are_one_object_per_line_with_the_message_and_fields() {
    let dir = tempfile::tempdir().unwrap();
    let text = once(dir.path(), false, true);
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let failed = events
        .iter()
        .find(|e| e["fields"]["message"] == "cycle failed")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(failed["level"], "ERROR");
    assert_eq!(failed["fields"]["source"], "gone");
    assert!(failed["timestamp"].is_string());

    // Under the journal, JSON too carries the priority, before the object.
    let dir = tempfile::tempdir().unwrap();
    let text = once(dir.path(), true, true);
    let line = text.lines().find(|l| l.contains("cycle failed")).unwrap();
    let object = line.strip_prefix("<3>").unwrap_or_else(|| panic!("{line}"));
    let v: serde_json::Value = serde_json::from_str(object).unwrap();
    assert_eq!(v["fields"]["source"], "gone");
}
