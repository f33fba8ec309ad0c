//! `watchkeeper import` as a shipping company uses it: a 500-row fleet list (real IMO numbers
//! and names from the OFAC lists, tests/fixtures/import/fleet.csv, built by
//! scripts/make-fleet-fixture.py; every fifth vessel by IMO alone) appended to a commented
//! watchlist, then checked and screened; and a file with bad rows, refused whole.

mod support;

use std::path::Path;
use std::process::Output;

use support::replay::{Installation, WATCHLIST};

const EMAIL: &str = r#"transport = "file"
path = "outbox"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
"#;

fn fleet() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/fleet.csv")
}

fn run(inst: &Installation, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(args)
        .arg("--config")
        .arg(inst.config())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn a_fleet_list_of_500_rows_is_appended_keeping_the_watchlist_as_written() {
    let inst = Installation::new(EMAIL);
    let fleet = fleet().display().to_string();

    // A dry run writes nothing.
    let out = run(&inst, &["import", &fleet, "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("would add 500 watch items"));
    let watchlist = inst.path().join("watchlist.toml");
    assert_eq!(std::fs::read_to_string(&watchlist).unwrap(), WATCHLIST);

    let out = run(&inst, &["import", &fleet]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(
            "added 500 watch items (399 vessels, 0 persons, 101 organizations, 0 keywords)"
        ),
        "{}",
        text(&out.stdout)
    );
    let after = std::fs::read_to_string(&watchlist).unwrap();
    // The file as written (its comments included) is untouched; the items follow it.
    assert!(after.starts_with(WATCHLIST), "{after}");
    assert!(after.contains("# 500 watch items imported from fleet.csv on "));
    // A ship by IMO alone is one line.
    assert!(
        after.contains("\n[[vessel]]\nimo = \"9212905\"\n\n"),
        "{after}"
    );
    assert!(after.contains(
        "[[vessel]]\nimo = \"9283760\"\nname = \"Forest\"\nnotify = [\"fleet-ops@example.org\"]\n"
    ));

    // (`check` opens the files the source reads.)
    inst.publish("day1");
    let out = run(&inst, &["check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("watch items (504): 401 vessel(s), 2 person(s), 101 organization(s)"),
        "{}",
        text(&out.stdout)
    );

    // The imported items alert like typed ones: HAPPINESS I (IMO 9212905, imported without a
    // name) is found by its number and named by it.
    let out = run(&inst, &["once"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = run(&inst, &["alerts", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String)> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["entry_id"].as_str().unwrap().to_string(),
                a["watch_item"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (entry, item) in [("15055", "IMO 9212905"), ("15036", "Artavil")] {
        assert!(
            found.contains(&(entry.to_string(), item.to_string())),
            "{found:?}"
        );
    }

    // Importing the same file again would watch every ship twice: refused, nothing written.
    let out = run(&inst, &["import", &fleet]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("fleet.csv:2:3: name: duplicate id `vessel:artavil:9187629`")
    );
    assert_eq!(std::fs::read_to_string(&watchlist).unwrap(), after);
}

#[test]
fn bad_rows_are_each_named_by_row_and_column_and_nothing_is_written() {
    let inst = Installation::new(EMAIL);
    // The real fleet list with three cells spoilt: a check digit, a kind, a recipient.
    let original = std::fs::read_to_string(fleet()).unwrap();
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    assert_eq!(lines[100], "vessel,7529641,,");
    lines[100] = "vessel,7529642,,".to_string();
    lines[299] = lines[299].replacen("vessel,", "vesel,", 1);
    lines[14] = lines[14].replace("fleet-ops@example.org", "fleet-ops at example.org");
    let bad = inst.path().join("fleet-bad.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();

    let out = run(&inst, &["import", &bad.display().to_string()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let at = |row: usize, col: usize, what: &str| format!("fleet-bad.csv:{row}:{col}: {what}");
    for expected in [
        at(
            15,
            4,
            "notify: invalid email address \"fleet-ops at example.org\"",
        ),
        at(101, 2, "imo: IMO 7529642: check digit"),
        at(
            300,
            1,
            "kind: expected vessel, person, organization or keyword, found \"vesel\"",
        ),
    ] {
        assert!(stderr.contains(&expected), "{expected}\n{stderr}");
    }
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(inst.path().join("watchlist.toml")).unwrap(),
        WATCHLIST
    );

    // An unknown column is named before any row is read.
    std::fs::write(&bad, "IMO,Flag\n9187629,Iran\n").unwrap();
    let out = run(&inst, &["import", &bad.display().to_string()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("fleet-bad.csv:1:2: Flag: unknown column"),
        "{}",
        text(&out.stderr)
    );
}
