//! Benchmarks of the real lists, one measurement per process so that peak memory is that of
//! the measured work alone:
//!
//!   cargo bench --bench cycle -- parse-ofac   [DIR]   (default ../shared/data/ofac-sdn-csv/2021-07)
//!   cargo bench --bench cycle -- parse-un     [FILE]  (default ../shared/data/un-sc-xml/2018-10/consolidated.xml)
//!   cargo bench --bench cycle -- once         [ITEMS] (default 100: OFAC 2021 + UN 2018-10, a
//!                                                     watchlist of ITEMS real names, file transport)
//!   cargo bench --bench cycle -- parse-all            (every real list file, every kind)
//!   cargo bench --bench cycle -- parse-ratio  [FILE]  (default: the UN list, then the other XML
//!                                                     lists: parsing against a bare quick-xml
//!                                                     scan of the same bytes that decodes every
//!                                                     text node; medians of the rounds, in
//!                                                     wall and in thread CPU time)
//!   cargo bench --bench cycle -- once-all     [ITEMS] (one config with every real list file)
//!   cargo bench --bench cycle -- same-content [REPS]  (default 5: the full SDN 2021 files read
//!                                                     again with a new mtime, as a server that
//!                                                     ignores conditional requests sends them:
//!                                                     the cycle against reading and hashing alone)
//!   cargo bench --bench cycle -- rss [N] [--keep] (default 10: resident memory after each of N
//!                                                     forced re-parses of the full SDN files, as
//!                                                     the daemon runs them, with memory released
//!                                                     after each cycle, or kept with --keep)
//!
//! Prints wall time and peak resident memory (VmHWM).

use std::path::{Path, PathBuf};
use std::time::Instant;

use watchkeeper::config::{Config, EmailConfig, SourceConfig, TlsMode, TransportKind};
use watchkeeper::domain::entry::{EntityKind, Entry};
use watchkeeper::domain::watch::{WatchItem, WatchKind, Watchlist};
use watchkeeper::sources::{format_for, local_bodies, FormatOptions, Parsed};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// A memory figure of this process from /proc/self/status (`VmHWM:`, `VmRSS:`), in MiB.
fn status_mib(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

fn parse(kind: &str, path: &Path) -> Vec<Entry> {
    let format = format_for(kind, &FormatOptions::default()).expect("known kind");
    let b = local_bodies(format.as_ref(), path).expect("read list file");
    let start = Instant::now();
    let parsed = format.parse(&b).expect("real list parses");
    let took = start.elapsed();
    let Parsed::List(snap) = parsed else {
        panic!("a list")
    };
    println!(
        "{kind}: {} entries parsed in {:.1} ms ({})",
        snap.entries.len(),
        took.as_secs_f64() * 1e3,
        path.display()
    );
    snap.entries
}

fn watchlist(n: usize, lists: &[Vec<Entry>]) -> Watchlist {
    // Real names, spread over the lists and kinds, so that the matcher does real work.
    let mut items = Vec::new();
    let all: Vec<&Entry> = lists.iter().flatten().collect();
    let step = (all.len() / n.max(1)).max(1);
    for (i, e) in all.iter().step_by(step).take(n).enumerate() {
        let kind = match e.kind {
            EntityKind::Person => WatchKind::Person,
            EntityKind::Vessel => WatchKind::Vessel,
            _ => WatchKind::Organization,
        };
        let mut item = WatchItem::query(kind, &e.name);
        item.id = format!("bench-{i}");
        items.push(item);
    }
    Watchlist {
        items,
        ..Default::default()
    }
}

/// Every real list file in ../shared/data, by kind.
fn all_lists() -> Vec<(&'static str, &'static str, PathBuf)> {
    let d = data();
    vec![
        ("ofac-sdn", "ofac_sdn_csv", d.join("ofac-sdn-csv/2021-07")),
        (
            "ofac-xml",
            "ofac_xml",
            d.join("ofac-consolidated-xml/2018-04/consolidated.xml"),
        ),
        (
            "ofac-enhanced",
            "ofac_enhanced_xml",
            d.join("ofac-enhanced-xml/2025-01/CONS_ENHANCED.XML"),
        ),
        (
            "un-sc",
            "un_sc_xml",
            d.join("un-sc-xml/2018-10/consolidated.xml"),
        ),
        (
            "eu-fsf",
            "eu_fsf_xml",
            d.join("eu-fsf-xml/excerpt-2026-08/eu-fsf.excerpt.xml"),
        ),
        (
            "uk",
            "uk_sanctions_xml",
            d.join("uk-sanctions-list-xml/excerpt-2026-09/UK_Sanctions_List.excerpt.xml"),
        ),
        (
            "ca-sema",
            "ca_sema_xml",
            d.join("ca-sema-xml/2020-04/sema-lmes.xml"),
        ),
        ("us-csl", "us_csl_csv", d.join("us-csl-csv/2023-11/csl.csv")),
        (
            "opensanctions",
            "opensanctions_ftm",
            d.join("opensanctions-ftm/yente-fixtures/entities.ftm.json"),
        ),
    ]
}

fn parse_all() {
    for (_, kind, path) in all_lists() {
        let format = format_for(kind, &FormatOptions::default()).expect("known kind");
        let b = local_bodies(format.as_ref(), &path).expect("read list file");
        let start = Instant::now();
        let parsed = format.parse(&b);
        let took = start.elapsed().as_secs_f64() * 1e3;
        match parsed {
            Ok(Parsed::List(snap)) => println!(
                "{kind:18} {:>6} entries {:>4} vessels  {took:>7.1} ms",
                snap.entries.len(),
                snap.entries
                    .iter()
                    .filter(|e| e.kind == EntityKind::Vessel)
                    .count()
            ),
            Ok(_) => println!("{kind:18} not a list"),
            Err(e) => println!("{kind:18} refused: {e}  ({took:.1} ms)"),
        }
    }
}

/// Rounds of `parse-ratio`, alternating scan and parse so that both see the same machine load.
const RATIO_ROUNDS: usize = 21;

/// The lower limit of parsing a list: quick-xml reading every event of the same bytes into one
/// reused buffer, decoding and unescaping every text node, and keeping nothing.
fn bare_scan(bytes: &[u8]) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut chars = 0;
    loop {
        match reader.read_event_into(&mut buf).expect("real list is XML") {
            Event::Text(t) => chars += t.unescape().map_or(0, |t| t.len()),
            Event::CData(c) => chars += c.decode().map_or(0, |t| t.len()),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    chars
}

/// CPU time of this thread: on a machine shared with other work, being descheduled does not
/// count, as it does in wall time.
fn thread_cpu_ms() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill in.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}

/// The bare scan's time over the parse's (both medians) for each XML list: 1.0 would be a
/// parse as fast as reading the XML at all.
pub fn parse_ratio(file: Option<PathBuf>) {
    let mut lists: Vec<(&str, PathBuf)> = match file {
        Some(path) => vec![("un_sc_xml", path)],
        None => all_lists()
            .into_iter()
            .filter(|(_, kind, _)| kind.ends_with("_xml"))
            .map(|(_, kind, path)| (kind, path))
            .collect(),
    };
    // The UN list first: it is the figure the target is set on.
    lists.sort_by_key(|(kind, _)| *kind != "un_sc_xml");
    for (kind, path) in lists {
        let format = format_for(kind, &FormatOptions::default()).expect("known kind");
        let bodies = local_bodies(format.as_ref(), &path).expect("read list file");
        let bytes = &bodies[0].bytes;
        let (mut scans, mut parses) = (Vec::new(), Vec::new());
        let (mut scans_cpu, mut parses_cpu) = (Vec::new(), Vec::new());
        for _ in 0..RATIO_ROUNDS {
            let (start, cpu) = (Instant::now(), thread_cpu_ms());
            std::hint::black_box(bare_scan(std::hint::black_box(bytes)));
            scans_cpu.push(thread_cpu_ms() - cpu);
            scans.push(start.elapsed().as_secs_f64() * 1e3);
            let (start, cpu) = (Instant::now(), thread_cpu_ms());
            let parsed = format.parse(std::hint::black_box(&bodies)).expect("parses");
            parses_cpu.push(thread_cpu_ms() - cpu);
            parses.push(start.elapsed().as_secs_f64() * 1e3);
            drop(std::hint::black_box(parsed));
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|a, b| a.total_cmp(b));
            v[v.len() / 2]
        };
        let (scan, parse) = (median(&mut scans), median(&mut parses));
        let (scan_cpu, parse_cpu) = (median(&mut scans_cpu), median(&mut parses_cpu));
        println!(
            "{kind:18} {:>9} bytes  bare scan {scan:>6.2} ms  parse {parse:>6.2} ms  \
             ratio {:.2}  | cpu: {scan_cpu:>6.2} / {parse_cpu:>6.2} ms  ratio {:.2}  \
             (medians of {RATIO_ROUNDS})",
            bytes.len(),
            scan / parse,
            scan_cpu / parse_cpu,
        );
    }
}

fn once(n: usize) {
    run_once(n, false)
}

fn run_once(n: usize, every_kind: bool) {
    let dir = std::env::temp_dir().join(format!("watchkeeper-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ofac = data().join("ofac-sdn-csv/2021-07");
    let un = data().join("un-sc-xml/2018-10/consolidated.xml");
    let source = |name: &str, kind: &str, url: String| SourceConfig::new(name, kind, &url);
    let config = Config {
        path: dir.join("watchkeeper.toml"),
        database: dir.join("bench.db"),
        watchlist: dir.join("watchlist.toml"),
        sources: if every_kind {
            all_lists()
                .into_iter()
                .map(|(name, kind, path)| {
                    let slash = if kind == "ofac_sdn_csv" { "/" } else { "" };
                    source(name, kind, format!("file://{}{slash}", path.display()))
                })
                .collect()
        } else {
            vec![
                source(
                    "ofac-sdn",
                    "ofac_sdn_csv",
                    format!("file://{}/", ofac.display()),
                ),
                source("un-sc", "un_sc_xml", format!("file://{}", un.display())),
            ]
        },
        email: EmailConfig {
            path: Some(dir.join("outbox")),
            tls: TlsMode::None,
            ..EmailConfig::new(
                TransportKind::File,
                "watchkeeper <bench@localhost>",
                vec!["bench@localhost".into()],
            )
        },
        webhooks: Vec::new(),
        threshold: watchkeeper::matching::DEFAULT_THRESHOLD,
        contact: None,
    };
    // The watchlist is drawn from the lists themselves; parsing them for that is not measured.
    let lists = vec![parse("ofac_sdn_csv", &ofac), parse("un_sc_xml", &un)];
    let wl = watchlist(n, &lists);
    drop(lists);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let start = Instant::now();
    let report = rt
        .block_on(watchkeeper::daemon::once(&config, wl, &[]))
        .expect("once");
    let took = start.elapsed();
    for c in &report.cycles {
        match c {
            Ok(s) => println!("  {}: {} entries, {} alerts", s.source, s.entries, s.alerts),
            Err(e) => println!("  FAILED {e}"),
        }
    }
    println!(
        "once over {} sources with {n} watch items: {:.2} s, {} messages sent",
        config.sources.len(),
        took.as_secs_f64(),
        report.delivery.sent
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A cycle whose download is byte for byte the one last screened, against the download alone
/// (reading the four files and hashing them), and against a cycle that must parse and diff
/// (one trailing newline added, so the entries are the same but the bytes are not).
fn same_content(reps: usize) {
    use sha2::Digest;
    let dir = std::env::temp_dir().join(format!("watchkeeper-same-{}", std::process::id()));
    let folder = dir.join("exports");
    std::fs::create_dir_all(&folder).expect("temp dir");
    let names = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];
    let copy = |extra: &[u8]| {
        for n in names {
            let mut bytes =
                std::fs::read(data().join("ofac-sdn-csv/2021-07").join(n)).expect("SDN 2021");
            if n == "sdn_comments.csv" {
                bytes.extend_from_slice(extra);
            }
            // Written afresh: a new mtime, so the file:// validator changes and all is read.
            std::fs::write(folder.join(n), bytes).expect("write");
        }
    };
    copy(b"");
    let db = dir.join("bench.db");
    let source = SourceConfig {
        max_bytes: 1 << 30,
        ..SourceConfig::new(
            "ofac-sdn",
            "ofac_sdn_csv",
            &format!("file://{}/", folder.display()),
        )
    };
    let lists = vec![parse("ofac_sdn_csv", &data().join("ofac-sdn-csv/2021-07"))];
    let items = watchlist(1000, &lists).items;
    drop(lists);
    let slot = watchkeeper::matching::MatcherSlot::new(watchkeeper::matching::Matcher::new(
        items,
        watchkeeper::matching::DEFAULT_THRESHOLD,
    ));
    let fetcher = watchkeeper::fetch::Fetcher::new();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let cycle = || {
        let start = Instant::now();
        let s = rt
            .block_on(watchkeeper::pipeline::run_source(
                &db, &source, &fetcher, &slot,
            ))
            .expect("cycle");
        (start.elapsed().as_secs_f64() * 1e3, s)
    };
    let (first, _) = cycle();
    println!("first load: {first:.0} ms");
    let (mut same, mut read, mut parsed) = (Vec::new(), Vec::new(), Vec::new());
    // What the last cycle screened: the same-content cycle must see exactly that again.
    let mut extra: &[u8] = b"";
    for _ in 0..reps {
        copy(extra);
        let (ms, s) = cycle();
        assert!(s.same_content, "{s:?}");
        same.push(ms);
        let start = Instant::now();
        let mut h = sha2::Sha256::new();
        for n in names {
            h.update(std::fs::read(folder.join(n)).expect("read"));
        }
        std::hint::black_box(h.finalize());
        read.push(start.elapsed().as_secs_f64() * 1e3);
        // Alternate so that each parse-and-diff cycle really has new bytes.
        extra = if extra.is_empty() { b"\r\n" } else { b"" };
        copy(extra);
        let (ms, s) = cycle();
        assert!(!s.same_content, "{s:?}");
        parsed.push(ms);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let (same, read, parsed) = (median(&mut same), median(&mut read), median(&mut parsed));
    println!(
        "median of {reps}: same content {same:.1} ms, reading + hashing alone {read:.1} ms \
         (the cycle costs {:.1} ms beyond), parse and diff of the same entries {parsed:.1} ms",
        same - read
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn vm_rss_mib() -> f64 {
    status_mib("VmRSS:")
}

/// Resident memory over `n` cycles that each parse and diff the whole SDN list (the bytes
/// differ by a trailing newline, the entries do not), on the daemon's multi-thread runtime.
pub fn rss(n: usize, release: bool) {
    // as the binary does before its threads start
    if release {
        watchkeeper::memory::one_arena();
    }
    let dir = std::env::temp_dir().join(format!("watchkeeper-rss-{}", std::process::id()));
    let folder = dir.join("exports");
    std::fs::create_dir_all(&folder).expect("temp dir");
    let write = |rep: usize| {
        for name in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
            let mut bytes =
                std::fs::read(data().join("ofac-sdn-csv/2021-07").join(name)).expect("SDN 2021");
            if name == "sdn_comments.csv" {
                bytes.extend(std::iter::repeat_n(b'\n', rep));
            }
            std::fs::write(folder.join(name), bytes).expect("write");
        }
    };
    let source = SourceConfig {
        max_bytes: 1 << 30,
        ..SourceConfig::new(
            "ofac-sdn",
            "ofac_sdn_csv",
            &format!("file://{}/", folder.display()),
        )
    };
    let items = watchlist(
        1000,
        &[parse("ofac_sdn_csv", &data().join("ofac-sdn-csv/2021-07"))],
    )
    .items;
    let slot = watchkeeper::matching::MatcherSlot::new(watchkeeper::matching::Matcher::new(
        items,
        watchkeeper::matching::DEFAULT_THRESHOLD,
    ));
    let fetcher = watchkeeper::fetch::Fetcher::new();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = dir.join("bench.db");
    let mut line = Vec::new();
    for rep in 0..=n {
        write(rep);
        rt.block_on(watchkeeper::pipeline::run_source(
            &db, &source, &fetcher, &slot,
        ))
        .expect("cycle");
        if release {
            watchkeeper::memory::release();
        }
        line.push(format!("{:.0}", vm_rss_mib()));
    }
    println!(
        "VmRSS MiB after the first load and each of {n} re-parses ({}): {}",
        if release {
            "memory released after each cycle, as the daemon does"
        } else {
            "kept"
        },
        line.join(" ")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let what = args.first().map(String::as_str).unwrap_or("");
    let arg = args.get(1);
    if !data().exists() {
        eprintln!(
            "{} not found: the benchmarks need the real lists",
            data().display()
        );
        return;
    }
    match what {
        "parse-ofac" => {
            let p = arg
                .map(PathBuf::from)
                .unwrap_or(data().join("ofac-sdn-csv/2021-07"));
            parse("ofac_sdn_csv", &p);
        }
        "parse-un" => {
            let p = arg
                .map(PathBuf::from)
                .unwrap_or(data().join("un-sc-xml/2018-10/consolidated.xml"));
            parse("un_sc_xml", &p);
        }
        "once" => once(arg.and_then(|a| a.parse().ok()).unwrap_or(100)),
        "parse-all" => parse_all(),
        "parse-ratio" => parse_ratio(arg.map(PathBuf::from)),
        "once-all" => run_once(arg.and_then(|a| a.parse().ok()).unwrap_or(100), true),
        "same-content" => same_content(arg.and_then(|a| a.parse().ok()).unwrap_or(5)),
        "rss" => rss(
            arg.and_then(|a| a.parse().ok()).unwrap_or(10),
            !std::env::args().any(|a| a == "--keep"),
        ),
        _ => {
            eprintln!(
                "usage: cargo bench --bench cycle -- parse-ofac|parse-un|parse-ratio|once [ARG]"
            );
            return;
        }
    }
    println!("peak memory (VmHWM): {:.1} MiB", peak_rss_mib());
}
