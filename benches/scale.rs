//! Cost against the size of a list: OpenSanctions-like FollowTheMoney exports of 10⁴, 10⁵ and
//! 10⁶ entities, each cycle run by the CLI binary in a fresh child process, so that CPU time
//! and peak memory are the kernel's figures for that cycle alone:
//!
//!   cargo build --release
//!   cargo bench --bench scale -- [--bin PATH] [--sizes 10000,100000,1000000] [--items 1000]
//!                                [--keep DIR] [--skip-check] [--skip-rss] [--skip-parse]
//!
//! For each size N it writes `entities.ftm.json`: N entities made from the real entries of
//! the OFAC SDN (2021-07), OFAC enhanced (2025-01), UN (2018-10) and Canadian SEMA (2020-04)
//! lists in ../shared/data, taken in turn, each under a new id (`syn-0000042`: the export is
//! sorted by id, as OpenSanctions writes its exports), with its names, aliases, former names,
//! identifiers (IMO, passport…), dates of birth, nationalities and remarks as FtM
//! properties. A real entry recurs every U entities (U: the size of that pool), as an entity
//! published by several datasets would. The watchlist holds `--items` real names (persons,
//! organisations, vessels with their IMO) drawn evenly from the pool, so each matches about
//! N/U entities.
//!
//! Then, on one state folder, in this order, a `once` each:
//! 1. first load, into an empty database (digest mode, file transport);
//! 2. not modified: the same file untouched (its size and mtime are the validator);
//! 3. identical content: the same bytes written again (new mtime);
//! 4. 1 % changed: every hundredth entity has a new remark, as an OpenSanctions MOD would.
//!
//! It prints CPU time (user + sys) and peak RSS per step and size, then `check` on watchlists
//! of 10³, 10⁴ and 10⁵ real names, then the UN list's parse time against a bare quick-xml
//! scan of the same bytes (`cargo bench --bench cycle -- parse-ratio FILE`), then the resident
//! memory of the pipeline over ten forced
//! re-parses of the full SDN list (`cargo bench --bench cycle -- rss 10`, run here in a child).

#[path = "support/child.rs"]
mod child;
#[allow(dead_code)]
#[path = "cycle.rs"]
mod cycle;
#[path = "../examples/support/lists.rs"]
mod lists;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use watchkeeper::domain::entry::{EntityKind, Entry};

use child::{run, run_args, Run};

fn pool() -> Vec<Entry> {
    let d = lists::data_dir();
    let mut all = Vec::new();
    for (kind, path) in [
        ("ofac_sdn_csv", d.join("ofac-sdn-csv/2021-07")),
        (
            "ofac_enhanced_xml",
            d.join("ofac-enhanced-xml/2025-01/CONS_ENHANCED.XML"),
        ),
        ("un_sc_xml", d.join("un-sc-xml/2018-10/consolidated.xml")),
        ("ca_sema_xml", d.join("ca-sema-xml/2020-04/sema-lmes.xml")),
    ] {
        all.extend(
            lists::read_list(kind, &path)
                .into_iter()
                .filter(|e| e.kind != EntityKind::Aircraft && !e.name.trim().is_empty()),
        );
    }
    all
}

fn schema(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "Person",
        EntityKind::Vessel => "Vessel",
        EntityKind::Organization => "Organization",
        _ => "LegalEntity",
    }
}

/// A real entry as an FtM entity under a new id; `changed` gives it a new remark. The ids are
/// zero-padded, so that the export is sorted by id as OpenSanctions writes its exports.
fn entity(k: usize, e: &Entry, changed: bool) -> Value {
    let mut props: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    props.entry("name").or_default().push(e.name.clone());
    for a in &e.aliases {
        let prop = match a.kind.as_str() {
            "fka" => "previousName",
            "weak" => "weakAlias",
            _ => "alias",
        };
        props.entry(prop).or_default().push(a.name.clone());
    }
    for i in &e.identifiers {
        let prop = match i.kind.as_str() {
            "imo" => "imoNumber",
            "mmsi" => "mmsi",
            "passport" => "passportNumber",
            "tax-id" => "taxNumber",
            "registration" => "registrationNumber",
            "swift" => "swiftBic",
            "email" => "email",
            "website" => "website",
            _ => "idNumber",
        };
        props.entry(prop).or_default().push(i.value.clone());
    }
    if e.kind == EntityKind::Person {
        props.insert("birthDate", e.dates_of_birth.clone());
        props.insert("birthPlace", e.places_of_birth.clone());
        props.insert("nationality", e.nationalities.clone());
        props.insert("position", e.titles.clone());
    }
    if let Some(v) = &e.vessel {
        if let Some(flag) = &v.flag {
            props.insert("flag", vec![flag.clone()]);
        }
    }
    let mut notes: Vec<String> = e.remarks.iter().cloned().collect();
    if changed {
        notes.push(format!("Amended: entry {k} revised in this export."));
    }
    props.insert("notes", notes);
    props.insert("topics", vec!["sanction".to_string()]);
    props.retain(|_, v| !v.is_empty());
    json!({
        "id": format!("syn-{k:07}"),
        "caption": e.name,
        "schema": schema(e.kind),
        "properties": props,
        "datasets": ["synthetic"],
    })
}

fn write_export(path: &Path, pool: &[Entry], n: usize, changed_every: Option<usize>) {
    let file = std::fs::File::create(path).expect("create export");
    let mut out = BufWriter::new(file);
    for k in 0..n {
        let changed = changed_every.is_some_and(|c| k % c == c - 1);
        serde_json::to_writer(&mut out, &entity(k, &pool[k % pool.len()], changed))
            .expect("write entity");
        out.write_all(b"\n").expect("write");
    }
    out.flush().expect("flush");
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `n` watch items: real names drawn evenly from the pool (persons, organisations, vessels
/// with their IMO number), with distinct ids.
fn watchlist(pool: &[Entry], n: usize) -> String {
    let mut toml = String::from("# Written by benches/scale.rs: real names from the lists.\n");
    let step = (pool.len() / n.max(1)).max(1);
    for i in 0..n {
        // past the pool's size, names recur (a bank's customers share names too)
        let e = &pool[(i * step + i / pool.len()) % pool.len()];
        let table = match e.kind {
            EntityKind::Person => "person",
            EntityKind::Vessel => "vessel",
            _ => "organization",
        };
        let _ = write!(
            toml,
            "\n[[{table}]]\nid = \"w{i}\"\nname = {}\n",
            q(&e.name)
        );
        if e.kind == EntityKind::Vessel {
            if let Some(imo) = e.identifiers_of("imo").next() {
                if imo.len() == 7 && imo.bytes().all(|b| b.is_ascii_digit()) {
                    let _ = writeln!(toml, "imo = {}", q(imo));
                }
            }
        }
    }
    toml
}

fn write_config(dir: &Path) {
    let config = r#"# Written by benches/scale.rs; paths are relative to this folder.
[daemon]
database = "watchkeeper.db"
watchlist = "watchlist.toml"

[[source]]
name = "opensanctions-synthetic"
kind = "opensanctions_ftm"
url = "file:export/entities.ftm.json"
schedule = "0 0 */6 * * *"
max_bytes = 4294967296

[email]
transport = "file"
path = "outbox"
from = "watchkeeper <bench@localhost>"
to = ["bench@localhost"]
mode = "digest"
"#;
    std::fs::write(dir.join("watchkeeper.toml"), config).expect("write config");
}

struct Args {
    bin: PathBuf,
    sizes: Vec<usize>,
    items: usize,
    keep: Option<PathBuf>,
    check: bool,
    rss: bool,
    parse_ratio: bool,
}

fn args() -> Args {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        all.iter()
            .position(|a| a == flag)
            .and_then(|i| all.get(i + 1).cloned())
    };
    Args {
        bin: value("--bin").map(PathBuf::from).unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/watchkeeper")
        }),
        sizes: value("--sizes")
            .map(|s| s.split(',').map(|n| n.parse().expect("a size")).collect())
            .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]),
        items: value("--items").map_or(1000, |n| n.parse().expect("a number")),
        keep: value("--keep").map(PathBuf::from),
        check: !all.iter().any(|a| a == "--skip-check"),
        rss: !all.iter().any(|a| a == "--skip-rss"),
        parse_ratio: !all.iter().any(|a| a == "--skip-parse"),
    }
}

/// The alerts count of `once`'s output ("… N alerts …"), for the table.
fn alerts_of(r: &Run) -> String {
    r.stdout
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[1].starts_with("alert"))
        .map_or_else(|| "?".to_string(), |w| w[0].to_string())
}

fn row(step: &str, r: &Run) -> String {
    format!(
        "  {step:<22} {:>8.2} s CPU {:>8.1} MiB peak {:>8.2} s wall   alerts: {}",
        r.cpu.as_secs_f64(),
        r.peak_mib(),
        r.wall.as_secs_f64(),
        alerts_of(r)
    )
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    // the in-process part, run by this same binary in a child so that its memory is its own
    match raw.first().map(String::as_str) {
        Some("--rss-child") => return cycle::rss(10, true),
        Some("--parse-ratio-child") => {
            return cycle::parse_ratio(Some(
                lists::data_dir().join("un-sc-xml/2018-10/consolidated.xml"),
            ))
        }
        _ => {}
    }
    let a = args();
    if !lists::data_dir().exists() {
        eprintln!("needs ../shared/data beside the checkout (the real lists)");
        std::process::exit(2);
    }
    if !a.bin.exists() {
        eprintln!(
            "{} not found: run `cargo build --release` first",
            a.bin.display()
        );
        std::process::exit(2);
    }
    let pool = pool();
    println!(
        "pool: {} real entries; watchlist: {} items; binary: {}",
        pool.len(),
        a.items,
        a.bin.display()
    );
    let base = a.keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("watchkeeper-scale-{}", std::process::id()))
    });
    for &n in &a.sizes {
        let dir = base.join(format!("n{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("export")).expect("state dir");
        std::fs::create_dir_all(dir.join("outbox")).expect("outbox dir");
        write_config(&dir);
        std::fs::write(dir.join("watchlist.toml"), watchlist(&pool, a.items)).expect("watchlist");
        let export = dir.join("export/entities.ftm.json");
        write_export(&export, &pool, n, None);
        let bytes = std::fs::metadata(&export).map_or(0, |m| m.len());
        println!("\n{n} entities ({:.1} MB export):", bytes as f64 / 1e6);
        let first = run(&a.bin, &dir, &["once"]);
        println!("{}", row("first load", &first));
        let same = run(&a.bin, &dir, &["once"]);
        println!("{}", row("not modified", &same));
        // the same bytes, a new mtime: what a server that ignores conditional requests sends
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_export(&export, &pool, n, None);
        let identical = run(&a.bin, &dir, &["once"]);
        println!("{}", row("identical content", &identical));
        if a.keep.is_some() {
            // what a profile of the 1 % cycle starts from, kept beside the state it ends in
            let before = dir.join("before-change");
            std::fs::create_dir_all(&before).expect("before-change dir");
            for name in ["watchkeeper.db", "export/entities.ftm.json"] {
                let to = before.join(Path::new(name).file_name().expect("file name"));
                std::fs::copy(dir.join(name), to).expect("copy state");
            }
        }
        write_export(&export, &pool, n, Some(100));
        let changed = run(&a.bin, &dir, &["once"]);
        println!("{}", row("1 % changed", &changed));
        if a.keep.is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    if a.check {
        println!("\ncheck (load, validate and index the watchlist):");
        let dir = base.join("check");
        std::fs::create_dir_all(dir.join("export")).expect("check dir");
        write_config(&dir);
        write_export(&dir.join("export/entities.ftm.json"), &pool, 10, None);
        for n in [1_000, 10_000, 100_000] {
            std::fs::write(dir.join("watchlist.toml"), watchlist(&pool, n)).expect("watchlist");
            let r = run(&a.bin, &dir, &["check"]);
            println!(
                "  {n:>7} items {:>8.2} s CPU {:>8.1} MiB peak",
                r.cpu.as_secs_f64(),
                r.peak_mib()
            );
        }
    }
    let me = std::env::current_exe().expect("own path");
    if a.parse_ratio {
        std::fs::create_dir_all(&base).expect("base dir");
        let r = run_args(&me, &base, &[OsStr::new("--parse-ratio-child")]);
        print!(
            "\nparsing the UN list against a bare XML scan of it:\n{}",
            r.stdout
        );
    }
    if a.rss {
        std::fs::create_dir_all(&base).expect("base dir");
        let r = run_args(&me, &base, &[OsStr::new("--rss-child")]);
        print!(
            "\npipeline memory over ten re-parses of the full SDN list:\n  {}",
            r.stdout
        );
    }
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&base);
    }
}
