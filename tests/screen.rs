//! `watchkeeper screen` as a user runs it, on a database that `once` filled from real OFAC
//! 2021 rows (tests/fixtures/ofac-sdn-csv-scripts): a name in another script, a batch file in
//! CSV and JSON lines, and the screening cache that makes a query cheap.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(config: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A config whose one source is a copy of the fixture folder (in `dir/list`), after one
/// `once`.
fn installed(dir: &Path) -> PathBuf {
    let list = dir.join("list");
    copy_fixture(&list);
    let url = url::Url::from_directory_path(&list).unwrap();
    let config = dir.join("watchkeeper.toml");
    std::fs::write(
        &config,
        format!(
            r#"[daemon]
database = "state.db"
watchlist = "watchlist.toml"

[[source]]
name = "ofac-sdn"
kind = "ofac_sdn_csv"
url = "{url}"
schedule = "0 15 */2 * * *"

[email]
transport = "file"
path = "outbox"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
"#
        ),
    )
    .unwrap();
    std::fs::write(dir.join("watchlist.toml"), "").unwrap();
    run(&config, &["once"]);
    config
}

/// The entry ids `screen` gives for `query`, best first.
fn screened(config: &Path, query: &str) -> Vec<String> {
    let out = run(config, &["screen", query, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entry_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_name_in_hangul_finds_the_listed_person() {
    let dir = tempfile::tempdir().unwrap();
    let config = installed(dir.path());
    let out = run(&config, &["screen", "리병철", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"][0]["entry_id"], "23215", "{v}");
    assert!(v["results"][0]["score"].as_f64().unwrap() >= 0.85, "{v}");
    // a second query reads the cache the first one built
    let again = run(
        &config,
        &["screen", "Gulf Marine Services", "--min-score", "0.85"],
    );
    assert!(again.starts_with("no stored entry scores"), "{again}");
}

#[test]
fn a_cache_built_by_other_lookup_rules_is_built_again() {
    let dir = tempfile::tempdir().unwrap();
    let config = installed(dir.path());
    let first = |config: &Path| screened(config, "리병철").into_iter().next();
    assert_eq!(first(&config).as_deref(), Some("23215"));
    // As an older build would have left it: keys that miss the name, under its own rules.
    let db = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    db.execute_batch(
        "DELETE FROM screen_postings;
         UPDATE screen_index_meta SET fingerprint =
           substr(fingerprint, 1, instr(fingerprint, '|'))
           || 'older-rules' || substr(fingerprint, instr(fingerprint, '|')
           + instr(substr(fingerprint, instr(fingerprint, '|') + 1), '|'));",
    )
    .unwrap();
    let meta: String = db
        .query_row("SELECT fingerprint FROM screen_index_meta", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(meta.contains("|older-rules|"), "{meta}");
    drop(db);
    assert_eq!(
        first(&config).as_deref(),
        Some("23215"),
        "the cache was kept"
    );
}

/// The fixture list files, copied into `to`.
fn copy_fixture(to: &Path) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ofac-sdn-csv-scripts");
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(&fixture).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
}

/// The list files in `dir/list` without the rows of OFAC entry `id`.
fn delist(dir: &Path, id: &str) {
    for file in ["sdn.csv", "alt.csv", "add.csv"] {
        let path = dir.join("list").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: String = text
            .split_inclusive('\n')
            .filter(|l| !l.starts_with(&format!("{id},")))
            .collect();
        assert_ne!(kept.len(), text.len(), "{file} lists {id}");
        std::fs::write(&path, kept).unwrap();
    }
}

#[test]
fn the_cache_follows_the_list_through_a_delisting_and_a_relisting() {
    let dir = tempfile::tempdir().unwrap();
    let config = installed(dir.path());
    let found = |config: &Path| {
        screened(config, "RI, Pyong Chol")
            .iter()
            .any(|id| id == "23215")
    };
    // the cache is built after the delisting: only a rebuild finds the entry again
    delist(dir.path(), "23215");
    run(&config, &["once"]);
    assert!(!found(&config), "a delisted entry is still screened");
    copy_fixture(&dir.path().join("list"));
    run(&config, &["once"]);
    assert!(found(&config), "a relisted entry is not screened");
}

#[test]
fn a_file_of_names_is_screened_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let config = installed(dir.path());
    let names = dir.path().join("names.csv");
    std::fs::write(
        &names,
        "name,kind\nΌλεγκ Ντεριπάσκα,person\nبشار الأسد,\nOcean Shipping Co,organization\n\"KIM, Jong Un\",person\n",
    )
    .unwrap();
    let file = names.to_str().unwrap();
    let csv = run(&config, &["screen", "--file", file, "--min-score", "0.85"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let top = |query: &str| {
        rows.iter()
            .find(|r| &r[0] == query && &r[1] == "1")
            .map(|r| r[4].to_string())
    };
    assert_eq!(top("Όλεγκ Ντεριπάσκα").as_deref(), Some("24283"), "{csv}");
    assert_eq!(top("بشار الأسد").as_deref(), Some("12735"), "{csv}");
    assert_eq!(top("KIM, Jong Un").as_deref(), Some("20157"), "{csv}");
    assert_eq!(top("Ocean Shipping Co"), None, "{csv}");

    let json = run(&config, &["screen", "--file", file, "--json"]);
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["query"], "بشار الأسد");
    assert_eq!(lines[1]["results"][0]["entry_id"], "12735");
}

#[test]
fn a_file_without_a_header_is_read_by_its_first_column() {
    let dir = tempfile::tempdir().unwrap();
    let config = installed(dir.path());
    let names = dir.path().join("names.csv");
    std::fs::write(&names, "Jewgeni Prigoschin\nRamsan Kadyrow\n").unwrap();
    let json = run(
        &config,
        &["screen", "--file", names.to_str().unwrap(), "--json"],
    );
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["results"][0]["entry_id"], "21171", "{json}");
    assert_eq!(lines[1]["results"][0]["entry_id"], "23343", "{json}");
}

/// Each name and alias of every fixture entry as a user might type it: as listed, in lower
/// case, with its parts reversed, with a letter of its longest part left out, and its
/// longest part alone.
fn typed_names(entries: &[(String, watchkeeper::domain::entry::Entry)]) -> Vec<String> {
    let mut out = Vec::new();
    for (_, e) in entries {
        for name in e.all_names() {
            let parts: Vec<&str> = name.split_whitespace().collect();
            let longest = parts.iter().max_by_key(|p| p.chars().count()).unwrap();
            let mut dropped: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
            if let Some(p) = dropped.iter_mut().find(|p| p.as_str() == *longest) {
                if let Some((at, _)) = p.char_indices().nth(2) {
                    p.remove(at);
                }
            }
            out.push(name.to_string());
            out.push(name.to_lowercase());
            out.push(parts.iter().rev().copied().collect::<Vec<_>>().join(" "));
            out.push(dropped.join(" "));
            out.push(longest.to_string());
        }
    }
    out
}

/// Screening rows as a user reads them, to compare two screenings.
fn text(rows: &[watchkeeper::screen::ScreenResult]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            format!(
                "{}:{} {:.6} {} {:?}",
                r.source, r.entry_id, r.score, r.why, r.same_as
            )
        })
        .collect()
}

#[test]
fn the_cache_screens_as_scoring_every_stored_entry_does() {
    use std::sync::Arc;
    use watchkeeper::matching::NameStats;
    use watchkeeper::screen::{screen_many, screen_store, Query};

    let dir = tempfile::tempdir().unwrap();
    installed(dir.path());
    let mut store = watchkeeper::store::Store::open(&dir.path().join("state.db")).unwrap();
    let entries = store.all_entries().unwrap();
    let (names, counts) = store.all_name_stats().unwrap();
    let stats = Arc::new(NameStats::from_counts(names, counts));
    let queries: Vec<Query> = typed_names(&entries)
        .iter()
        .map(|n| Query::name(n))
        .collect();
    assert!(queries.len() > 400, "{} queries", queries.len());
    let every = screen_many(&entries, stats, &queries, 0.5, 10);
    let mut rows = 0;
    // one query at a time, as `screen NAME` runs, and all at once, as `screen --file`
    for (q, expected) in queries.iter().zip(&every) {
        let (cached, _) = screen_store(&mut store, std::slice::from_ref(q), 0.5, 10).unwrap();
        assert_eq!(text(&cached[0]), text(expected), "{:?}", q.name);
        rows += expected.len();
    }
    let (batch, _) = screen_store(&mut store, &queries, 0.5, 10).unwrap();
    for ((q, cached), expected) in queries.iter().zip(&batch).zip(&every) {
        assert_eq!(text(cached), text(expected), "{:?} in a batch", q.name);
    }
    assert!(rows > queries.len(), "{rows} rows");
}

#[test]
fn a_cache_record_that_does_not_read_back_is_prepared_from_its_names() {
    use watchkeeper::screen::{screen_store, Query};

    let dir = tempfile::tempdir().unwrap();
    installed(dir.path());
    let mut store = watchkeeper::store::Store::open(&dir.path().join("state.db")).unwrap();
    let entries = store.all_entries().unwrap();
    let queries: Vec<Query> = typed_names(&entries)
        .iter()
        .map(|n| Query::name(n))
        .collect();
    let (sound, _) = screen_store(&mut store, &queries, 0.5, 10).unwrap();
    // the cache stays current (same fingerprint); its prepared names are cut short, wrong,
    // or missing, record by record
    let db = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let damaged = db
        .execute(
            "UPDATE screen_records SET prepared = CASE ordinal % 3
                 WHEN 0 THEN substr(prepared, 1, length(prepared) / 2)
                 WHEN 1 THEN x'0100ffffffff'
                 ELSE NULL END",
            [],
        )
        .unwrap();
    assert!(damaged > 20, "{damaged} records");
    drop(db);
    let rows: usize = sound.iter().map(Vec::len).sum();
    assert!(rows > queries.len(), "{rows} rows");
    // one at a time: a query alone weighs the entry parts it does not have by their counts
    for (q, sound) in queries.iter().zip(&sound) {
        let (read, _) = screen_store(&mut store, std::slice::from_ref(q), 0.5, 10).unwrap();
        assert_eq!(text(&read[0]), text(sound), "{:?}", q.name);
    }
}
