//! A day in the life of the daemon, measured on the CLI binary as child processes, so that the
//! same bench measures an old and a new build:
//!
//!   cargo build --release
//!   cargo bench --bench day -- [--bin PATH] [--items 1000] [--days 100] [--reps 5] [--keep DIR]
//!
//! `--bin` defaults to target/release/watchkeeper (relative to the crate); `--keep DIR` works in
//! DIR and leaves it there (otherwise a temp dir, removed at the end).
//!
//! What it does:
//! 1. Builds a sequence of daily OFAC SDN CSV snapshots (sdn.csv, alt.csv, add.csv,
//!    sdn_comments.csv) from the real files in ../shared/data/ofac-sdn-csv/2021-07 ("new") and
//!    2019-01 ("old"); see "The sequence" below.
//! 2. Writes a state dir: a config (one source `ofac-sdn`, kind `ofac_sdn_csv`, url `file:feed/`,
//!    max_removed_share 0.25; file transport into `outbox/`; database `watchkeeper.db`), and a
//!    watchlist of `--items` real names (see "The watchlist"), checked with `BIN check`.
//! 3. Runs `BIN once` on day 0 (setup, not counted), copies the state dir, then runs day 1
//!    `--reps` times, each on a fresh copy of the day-0 state, in a fresh child process, and
//!    reports its CPU time (user + sys) and peak RSS from `wait4`, min and median.
//! 4. From the day-0 state applies days 1..=D in order, one `once` each, and prints per day the
//!    entries, the diff `once` reports, the changes the sequence made, the alerts by event
//!    (from `BIN alerts --json`), and at the end the database size at day 0 and day D (db + wal
//!    as left by the last run; page_count × page_size after a checkpoint; and that less the
//!    free pages), the growth per 100 days, and the alerts and .eml messages in total.
//!
//! The sequence. Let `new` be 2021-07 and `old` 2019-01. An entry's rows are its sdn.csv row and
//! its alt.csv, add.csv and sdn_comments.csv rows (joined on ent_num). Each day's files list the
//! entries in the order of new's sdn.csv; an entry is either withheld (no rows at all), in its
//! new version (its new rows) or in its old version (its old rows); rows are written in the
//! order they have in their file, with CRLF line ends and new's trailing 0x1A where new has it,
//! so day 0 with nothing withheld would be new byte for byte.
//! - Order O: the ent_nums of new, the five vessels whose flag changed Panama -> Iran (15055,
//!   15090, 15725, 25375, 25378) first, then all others by splitmix64(ent_num) ascending.
//! - C ("changed" pool): the entries of O that are in both versions and whose parsed entries
//!   (watchkeeper's own ofac_sdn_csv parser) differ, in O order. T ("toggle" pool): the rest of
//!   O, in O order.
//! - Day 0: new, with T[0..10] withheld (a FIFO queue of withheld entries).
//! - Day d >= 1, in this order: restore 1 + (d+1) % 3 entries from the front of the queue (they
//!   come back in their new version: `listed`); withhold the next 1 + d % 3 entries of T not yet
//!   used (`delisted`); switch C[2(d-1)] and C[2(d-1)+1] to their old version, and the two
//!   switched on day d-5 back to their new version (`changed`; the vessels go Iran -> Panama on
//!   days 1-3 and Panama -> Iran, as it really happened, on days 6-8). Pools wrap around if
//!   exhausted (only past ~400 days for C).
//!
//!   So each day removes at most 3 of ~8,970 entries (the guard allows 25%), the entry count
//!   moves by at most 2 a day, and `once` should report exactly the day's restored, changed
//!   and withheld counts as added, changed and removed.
//!
//! The watchlist: `--items` N items of real names, as benches/cycle.rs takes them, aircraft
//! left out (an organization item does not match an aircraft entry): the first N/4 persons,
//! organizations and vessels of C, the first N/4 of T, and the rest a stride sample (in list
//! order) of the other entries of new; persons as `[[person]]`, vessels as `[[vessel]]` with
//! their IMO where the list gives a valid one, the rest as `[[organization]]` (with a valid
//! company IMO where given); ids `bench-0`, `bench-1`... With N = 1000 every change of the
//! first 100 days but those of aircraft concerns a watched entry, so it should raise at least
//! one alert (more when other items match the same entry); the table prints how many of each
//! day's changes concern watched entries, next to the alerts by event.

#[path = "support/child.rs"]
mod child;

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use child::run;

use watchkeeper::domain::entry::{EntityKind, Entry};
use watchkeeper::domain::ident::{parse_as, ImoKind};
use watchkeeper::sources::{format_for, local_bodies, FormatOptions, Parsed};

const FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];
const VESSELS: [&str; 5] = ["15055", "15090", "15725", "25375", "25378"];
const WITHHELD_ON_DAY_0: usize = 10;
const SWAPS_PER_DAY: usize = 2;
const SWAP_DAYS: usize = 5;
const SOURCE: &str = "ofac-sdn";

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

// ------------------------------------------------------------------ the real files

/// One published version of the four files, as rows per ent_num.
struct Version {
    /// ent_nums in sdn.csv order.
    order: Vec<String>,
    /// ent_num -> its rows in each of the four files, in file order, without line ends.
    rows: HashMap<String, [Vec<String>; 4]>,
    /// Whether each file ends with the 0x1A end-of-file byte.
    eof_byte: [bool; 4],
}

fn read_version(dir: &Path) -> Version {
    let mut v = Version {
        order: Vec::new(),
        rows: HashMap::new(),
        eof_byte: [false; 4],
    };
    for (f, name) in FILES.iter().enumerate() {
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        v.eof_byte[f] = text.ends_with('\u{1a}');
        for line in text.trim_end_matches('\u{1a}').lines() {
            if line.trim().is_empty() {
                continue;
            }
            let ent = line.split(',').next().unwrap_or("").trim().to_string();
            if f == 0 {
                v.order.push(ent.clone());
            }
            v.rows.entry(ent).or_default()[f].push(line.to_string());
        }
    }
    v
}

fn parse_dir(dir: &Path) -> Vec<Entry> {
    let format = format_for("ofac_sdn_csv", &FormatOptions::default()).expect("known kind");
    let bodies = local_bodies(format.as_ref(), dir).expect("read list files");
    match format.parse(&bodies).expect("real list parses") {
        Parsed::List(snap) => snap.entries,
        _ => panic!("a list"),
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

// ------------------------------------------------------------------ the sequence

struct Lists {
    new: Version,
    old: Version,
    /// new's parsed entries by id.
    entries: HashMap<String, Entry>,
    c: Vec<String>,
    t: Vec<String>,
}

fn lists() -> Lists {
    let new_dir = data().join("ofac-sdn-csv/2021-07");
    let old_dir = data().join("ofac-sdn-csv/2019-01");
    let new = read_version(&new_dir);
    let old = read_version(&old_dir);
    let entries: HashMap<String, Entry> = parse_dir(&new_dir)
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let old_entries: HashMap<String, Entry> = parse_dir(&old_dir)
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    for id in &new.order {
        assert!(entries.contains_key(id), "ent_num {id} is not an entry id");
    }
    let mut order: Vec<String> = VESSELS
        .iter()
        .map(|s| s.to_string())
        .filter(|v| new.rows.contains_key(v))
        .collect();
    let mut rest: Vec<&String> = new
        .order
        .iter()
        .filter(|id| !VESSELS.contains(&id.as_str()))
        .collect();
    rest.sort_by_key(|id| (splitmix64(id.parse().unwrap_or(0)), id.to_string()));
    order.extend(rest.into_iter().cloned());
    let (c, t): (Vec<String>, Vec<String>) = order.into_iter().partition(|id| {
        old.rows.contains_key(id) && old_entries.get(id).is_some_and(|o| o != &entries[id])
    });
    Lists {
        new,
        old,
        entries,
        c,
        t,
    }
}

#[derive(Clone, Default)]
struct State {
    withheld: VecDeque<String>,
    in_old: HashSet<String>,
    next_t: usize,
}

#[derive(Default)]
struct Changes {
    restored: Vec<String>,
    withheld: Vec<String>,
    to_old: Vec<String>,
    to_new: Vec<String>,
}

impl Changes {
    fn changed(&self) -> impl Iterator<Item = &String> {
        self.to_old.iter().chain(&self.to_new)
    }
}

impl Lists {
    fn day0(&self) -> State {
        let mut s = State::default();
        for _ in 0..WITHHELD_ON_DAY_0 {
            self.withhold_next(&mut s);
        }
        s
    }

    fn withhold_next(&self, s: &mut State) -> String {
        loop {
            let id = self.t[s.next_t % self.t.len()].clone();
            s.next_t += 1;
            if !s.withheld.contains(&id) {
                s.withheld.push_back(id.clone());
                return id;
            }
        }
    }

    fn swapped_on(&self, day: usize) -> impl Iterator<Item = &String> {
        (0..SWAPS_PER_DAY).map(move |j| &self.c[(SWAPS_PER_DAY * (day - 1) + j) % self.c.len()])
    }

    /// Turns the state of day `d - 1` into that of day `d`.
    fn step(&self, s: &mut State, d: usize) -> Changes {
        let mut ch = Changes::default();
        for _ in 0..1 + (d + 1) % 3 {
            if let Some(id) = s.withheld.pop_front() {
                ch.restored.push(id);
            }
        }
        for _ in 0..1 + d % 3 {
            ch.withheld.push(self.withhold_next(s));
        }
        if d > SWAP_DAYS {
            for id in self.swapped_on(d - SWAP_DAYS) {
                if s.in_old.remove(id) {
                    ch.to_new.push(id.clone());
                }
            }
        }
        for id in self.swapped_on(d) {
            if s.in_old.insert(id.clone()) {
                ch.to_old.push(id.clone());
            }
        }
        ch
    }

    fn entries_on(&self, s: &State) -> usize {
        self.new.order.len() - s.withheld.len()
    }

    fn write_snapshot(&self, s: &State, dir: &Path) {
        std::fs::create_dir_all(dir).expect("feed dir");
        let withheld: HashSet<&String> = s.withheld.iter().collect();
        for (f, name) in FILES.iter().enumerate() {
            let mut out = String::new();
            for id in &self.new.order {
                if withheld.contains(id) {
                    continue;
                }
                let version = if s.in_old.contains(id) {
                    &self.old
                } else {
                    &self.new
                };
                for row in &version.rows[id][f] {
                    out.push_str(row);
                    out.push_str("\r\n");
                }
            }
            if self.new.eof_byte[f] {
                out.push('\u{1a}');
            }
            std::fs::write(dir.join(name), out).expect("write snapshot");
        }
    }
}

// ------------------------------------------------------------------ config and watchlist

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn write_config(dir: &Path) {
    let config = format!(
        r#"# Written by benches/day.rs; paths are relative to this folder.
[daemon]
database = "watchkeeper.db"
watchlist = "watchlist.toml"

[[source]]
name = {source}
kind = "ofac_sdn_csv"
url = "file:feed/"
schedule = "0 0 7 * * *"
max_removed_share = 0.25

[email]
transport = "file"
path = "outbox"
from = "watchkeeper <bench@localhost>"
to = ["bench@localhost"]
mode = "digest"
"#,
        source = q(SOURCE)
    );
    std::fs::write(dir.join("watchkeeper.toml"), config).expect("write config");
}

/// The watchlist (TOML) and the ids of the entries it was drawn from.
fn watchlist(lists: &Lists, n: usize) -> (String, HashSet<String>) {
    // Persons, organizations and vessels: an organization item does not match an aircraft.
    let eligible = |id: &&String| lists.entries[*id].kind != EntityKind::Aircraft;
    let quarter = n / 4;
    let mut picked: Vec<&String> = lists.c.iter().filter(eligible).take(quarter).collect();
    picked.extend(lists.t.iter().filter(eligible).take(quarter));
    let taken: HashSet<&String> = picked.iter().copied().collect();
    let rest: Vec<&String> = lists
        .new
        .order
        .iter()
        .filter(|id| eligible(id) && !taken.contains(id))
        .collect();
    let want = n.saturating_sub(picked.len());
    let step = (rest.len() / want.max(1)).max(1);
    picked.extend(rest.into_iter().step_by(step).take(want));

    let mut toml =
        String::from("# Written by benches/day.rs: real names from the OFAC SDN list.\n");
    for (i, id) in picked.iter().enumerate() {
        let e = &lists.entries[*id];
        let (table, imo_kind) = match e.kind {
            EntityKind::Person => ("person", None),
            EntityKind::Vessel => ("vessel", Some(ImoKind::Ship)),
            _ => ("organization", Some(ImoKind::Company)),
        };
        let _ = write!(
            toml,
            "\n[[{table}]]\nid = \"bench-{i}\"\nname = {}\n",
            q(&e.name)
        );
        if let Some(kind) = imo_kind {
            if let Some(imo) = e.identifiers_of("imo").find_map(|v| parse_as(v, kind).ok()) {
                let _ = writeln!(toml, "imo = {}", q(&imo.number));
            }
        }
    }
    (toml, picked.into_iter().cloned().collect())
}

// ------------------------------------------------------------------ child processes

/// The numbers of `once`'s line for the source: entries, added, changed, removed, alerts.
#[derive(Debug, Clone, Copy, Default)]
struct Cycle {
    entries: usize,
    added: usize,
    changed: usize,
    removed: usize,
    alerts: usize,
}

fn cycle(stdout: &str) -> Cycle {
    let prefix = format!("{SOURCE}: ");
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {SOURCE} line in:\n{stdout}"));
    let mut c = Cycle::default();
    for part in line.split(", ") {
        let mut words = part.split_whitespace();
        let n = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        match words.collect::<Vec<_>>().join(" ").as_str() {
            "entries" => c.entries = n,
            "added" => c.added = n,
            "changed" => c.changed = n,
            "removed" => c.removed = n,
            "alerts" => c.alerts = n,
            _ => {}
        }
    }
    c
}

/// Every alert: (id, event).
fn alerts(bin: &Path, dir: &Path) -> Vec<(u64, String)> {
    let out = run(bin, dir, &["alerts", "--since", "3650d", "--json"]).stdout;
    let v: serde_json::Value = serde_json::from_str(&out).expect("alerts --json");
    v["alerts"]
        .as_array()
        .expect("alerts array")
        .iter()
        .map(|a| {
            (
                a["id"].as_u64().expect("id"),
                a["event"].as_str().expect("event").to_string(),
            )
        })
        .collect()
}

// ------------------------------------------------------------------ files

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("dir entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// (db, wal) bytes as left by the last process.
fn db_sizes(dir: &Path) -> (u64, u64) {
    (
        size(&dir.join("watchkeeper.db")),
        size(&dir.join("watchkeeper.db-wal")),
    )
}

/// Bytes of the database after a checkpoint (page_count × page_size), and its free pages'.
fn checkpointed(dir: &Path) -> (u64, u64) {
    let scratch = dir.with_extension("ckpt");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("scratch");
    for suffix in ["", "-wal", "-shm"] {
        let f = dir.join(format!("watchkeeper.db{suffix}"));
        if f.exists() {
            std::fs::copy(&f, scratch.join(format!("watchkeeper.db{suffix}"))).expect("copy db");
        }
    }
    let conn = rusqlite::Connection::open(scratch.join("watchkeeper.db")).expect("open db");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let pragma = |p: &str| -> u64 {
        conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0))
            .expect("pragma") as u64
    };
    let page = pragma("page_size");
    let r = (pragma("page_count") * page, pragma("freelist_count") * page);
    drop(conn);
    let _ = std::fs::remove_dir_all(&scratch);
    r
}

fn count_eml(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("outbox"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .count()
        })
        .unwrap_or(0)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ------------------------------------------------------------------ main

struct Args {
    bin: PathBuf,
    items: usize,
    days: usize,
    reps: usize,
    keep: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        bin: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/watchkeeper"),
        items: 1000,
        days: 100,
        reps: 5,
        keep: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        let number = |v: String| -> usize { v.parse().unwrap_or_else(|_| panic!("{v:?}")) };
        match arg.as_str() {
            "--bin" => a.bin = PathBuf::from(value()),
            "--items" => a.items = number(value()),
            "--days" => a.days = number(value()),
            "--reps" => a.reps = number(value()).max(1),
            "--keep" => a.keep = Some(PathBuf::from(value())),
            "--bench" => {} // added by cargo bench
            other => panic!(
                "unknown argument {other:?}; usage: cargo bench --bench day -- [--bin PATH] \
                 [--items N] [--days D] [--reps R] [--keep DIR]"
            ),
        }
    }
    a
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let a = args();
    if !data().exists() {
        eprintln!(
            "{} not found: the benchmark needs the real lists",
            data().display()
        );
        return;
    }
    if !a.bin.exists() {
        eprintln!(
            "{} not found: build it first (cargo build --release) or pass --bin PATH",
            a.bin.display()
        );
        std::process::exit(2);
    }
    let work = a.keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("watchkeeper-day-{}", std::process::id()))
    });
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work dir");
    println!("binary: {}", a.bin.display());
    println!("work dir: {}", work.display());

    // 1. The sequence.
    let lists = lists();
    println!(
        "lists: 2021-07 {} entries, 2019-01 {}; pool C (differ between the two) {}, pool T {}",
        lists.new.order.len(),
        lists.old.order.len(),
        lists.c.len(),
        lists.t.len()
    );

    // 2. Config and watchlist.
    let day0 = work.join("day0");
    std::fs::create_dir_all(&day0).expect("day0 dir");
    write_config(&day0);
    let (wl, watched) = watchlist(&lists, a.items);
    std::fs::write(day0.join("watchlist.toml"), wl).expect("write watchlist");
    let check = run(&a.bin, &day0, &["check"]);
    for l in check.stdout.lines() {
        println!("check: {l}");
    }

    // 3. Day 0 (setup), then day 1 on fresh copies.
    let state0 = lists.day0();
    lists.write_snapshot(&state0, &day0.join("feed"));
    let setup = run(&a.bin, &day0, &["once"]);
    let c0 = cycle(&setup.stdout);
    println!(
        "day 0 (setup, not counted): {} entries, {} alerts, cpu {:.2} s, peak RSS {:.1} MiB",
        c0.entries,
        c0.alerts,
        setup.cpu.as_secs_f64(),
        setup.max_rss_kib as f64 / 1024.0
    );
    let (db0, wal0) = db_sizes(&day0);
    let ckpt0 = checkpointed(&day0);
    let alerts0 = alerts(&a.bin, &day0);
    let eml0 = count_eml(&day0);

    let mut state1 = state0.clone();
    let changes1 = lists.step(&mut state1, 1);
    let (mut cpu, mut rss, mut wall) = (Vec::new(), Vec::new(), Vec::new());
    let mut c1 = Cycle::default();
    for rep in 0..a.reps {
        let dir = work.join(format!("day1-run{rep}"));
        copy_dir(&day0, &dir);
        lists.write_snapshot(&state1, &dir.join("feed"));
        let r = run(&a.bin, &dir, &["once"]);
        c1 = cycle(&r.stdout);
        println!(
            "  day 1 run {rep}: cpu {:.3} s, peak RSS {:.1} MiB, wall {:.3} s ({} entries, {} added, {} changed, {} removed, {} alerts)",
            r.cpu.as_secs_f64(),
            r.max_rss_kib as f64 / 1024.0,
            r.wall.as_secs_f64(),
            c1.entries,
            c1.added,
            c1.changed,
            c1.removed,
            c1.alerts
        );
        cpu.push(r.cpu.as_secs_f64());
        rss.push(r.max_rss_kib as f64 / 1024.0);
        wall.push(r.wall.as_secs_f64());
        if rep > 0 || a.keep.is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (cpu_min, rss_min, wall_min) = (min(&cpu), min(&rss), min(&wall));
    let (cpu_med, rss_med, wall_med) = (median(&mut cpu), median(&mut rss), median(&mut wall));
    println!(
        "day 1 changes: {} restored, {} withheld, {} changed",
        changes1.restored.len(),
        changes1.withheld.len(),
        changes1.changed().count()
    );

    // 4. Days 1..=D in order.
    let grow = work.join("growth");
    copy_dir(&day0, &grow);
    let mut log = String::new();
    let mut state = state0;
    let mut seen: HashSet<u64> = alerts0.iter().map(|(id, _)| *id).collect();
    let mut totals: HashMap<String, usize> = HashMap::new();
    let mut mismatches = 0;
    let (mut db_d, mut wal_d) = (db0, wal0);
    println!();
    println!(
        "{:>4} {:>7} | {:^17} | {:^17} | {:^17} | {:>6} {:>6} {:>6} {:>5} | {:>7}",
        "day",
        "entries",
        "made +/~/-",
        "on watched +/~/-",
        "once +/~/-",
        "listed",
        "chngd",
        "delist",
        "other",
        "db MiB"
    );
    for d in 1..=a.days {
        let ch = lists.step(&mut state, d);
        lists.write_snapshot(&state, &grow.join("feed"));
        let r = run(&a.bin, &grow, &["once"]);
        let c = cycle(&r.stdout);
        (db_d, wal_d) = db_sizes(&grow);
        let mut by_event: HashMap<String, usize> = HashMap::new();
        for (id, event) in alerts(&a.bin, &grow) {
            if seen.insert(id) {
                *by_event.entry(event.clone()).or_default() += 1;
                *totals.entry(event).or_default() += 1;
            }
        }
        let ev = |e: &str| by_event.get(e).copied().unwrap_or(0);
        let other: usize =
            by_event.values().sum::<usize>() - ev("listed") - ev("changed") - ev("delisted");
        let w = |v: &mut dyn Iterator<Item = &String>| v.filter(|id| watched.contains(*id)).count();
        let made = (ch.restored.len(), ch.changed().count(), ch.withheld.len());
        let on_watched = (
            w(&mut ch.restored.iter()),
            w(&mut ch.changed()),
            w(&mut ch.withheld.iter()),
        );
        let expected_entries = lists.entries_on(&state);
        let ok = (c.added, c.changed, c.removed) == made && c.entries == expected_entries;
        if !ok {
            mismatches += 1;
        }
        println!(
            "{d:>4} {:>7} | {:>5}{:>6}{:>6} | {:>5}{:>6}{:>6} | {:>5}{:>6}{:>6} | {:>6} {:>6} {:>6} {:>5} | {:>7.2}{}",
            c.entries,
            made.0,
            made.1,
            made.2,
            on_watched.0,
            on_watched.1,
            on_watched.2,
            c.added,
            c.changed,
            c.removed,
            ev("listed"),
            ev("changed"),
            ev("delisted"),
            other,
            mib(db_d + wal_d),
            if ok { "" } else { "  <- differs from the sequence" }
        );
        let _ = writeln!(
            log,
            "day {d}: restored {:?} withheld {:?} to 2019-01 {:?} to 2021-07 {:?}",
            ch.restored, ch.withheld, ch.to_old, ch.to_new
        );
    }
    std::fs::write(work.join("sequence.txt"), log).expect("write sequence log");
    let ckpt_d = checkpointed(&grow);
    let eml_d = count_eml(&grow);
    let total_alerts = alerts(&a.bin, &grow).len();

    // The table.
    let days = a.days.max(1) as f64;
    println!();
    println!(
        "binary {}: {} watch items, day 1 = {} entries ({} added, {} changed, {} removed, {} alerts)",
        a.bin.display(),
        a.items,
        c1.entries,
        c1.added,
        c1.changed,
        c1.removed,
        c1.alerts
    );
    println!("| measure | min | median |");
    println!("|---|---|---|");
    println!(
        "| day's cycle CPU (user+sys), {} runs | {cpu_min:.3} s | {cpu_med:.3} s |",
        a.reps
    );
    println!("| day's cycle peak RSS | {rss_min:.1} MiB | {rss_med:.1} MiB |");
    println!("| day's cycle wall | {wall_min:.3} s | {wall_med:.3} s |");
    println!();
    println!(
        "| database | day 0 | day {} | growth per 100 days |",
        a.days
    );
    println!("|---|---|---|---|");
    println!(
        "| db + wal as left | {:.2} MiB ({:.2} + {:.2}) | {:.2} MiB ({:.2} + {:.2}) | {:.2} MiB |",
        mib(db0 + wal0),
        mib(db0),
        mib(wal0),
        mib(db_d + wal_d),
        mib(db_d),
        mib(wal_d),
        mib((db_d + wal_d).saturating_sub(db0 + wal0)) * 100.0 / days
    );
    println!(
        "| checkpointed (page_count x page_size) | {:.2} MiB ({:.2} free) | {:.2} MiB ({:.2} free) | {:.2} MiB |",
        mib(ckpt0.0),
        mib(ckpt0.1),
        mib(ckpt_d.0),
        mib(ckpt_d.1),
        mib(ckpt_d.0.saturating_sub(ckpt0.0)) * 100.0 / days
    );
    let (used0, used_d) = (ckpt0.0 - ckpt0.1, ckpt_d.0 - ckpt_d.1);
    println!(
        "| in use (checkpointed - free pages) | {:.2} MiB | {:.2} MiB | {:.2} MiB |",
        mib(used0),
        mib(used_d),
        mib(used_d.saturating_sub(used0)) * 100.0 / days
    );
    let t = |e: &str| totals.get(e).copied().unwrap_or(0);
    println!(
        "| alerts | {} | {} (days 1..={}: {} listed, {} changed, {} delisted, {} other) | |",
        alerts0.len(),
        total_alerts,
        a.days,
        t("listed"),
        t("changed"),
        t("delisted"),
        totals.values().sum::<usize>() - t("listed") - t("changed") - t("delisted")
    );
    println!("| .eml messages in the outbox | {eml0} | {eml_d} | |");
    if mismatches > 0 {
        println!("{mismatches} days where once's diff differs from the sequence");
    } else {
        println!("every day, once's added/changed/removed equal the sequence's restored/changed/withheld");
    }
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
}
