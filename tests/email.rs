//! The email stage: rendering alerts and delivering them through a real SMTP server on loopback.
//!
//! Alerts are built from real list entries (OFAC SDN CSV, July 2021 snapshot) and real feed
//! items, written out here as the parsed model values, and from the two real OFAC SDN snapshots
//! in tests/fixtures/e2e (the January 2019 and July 2021 rows of the same entries), parsed.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, MimeHeaders};
use support::smtp::{closed_port, SmtpServer, PASSWORD, USERNAME};
use watchkeeper::config::{EmailConfig, MailMode, TlsMode, TransportKind};
use watchkeeper::domain::alert::{Alert, Change, Event, FieldChange, ListRef, Span, Why};
use watchkeeper::domain::changes::changed_fields;
use watchkeeper::domain::entry::{Alias, EntityKind, Entry, FeedItem, Identifier, VesselInfo};
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::email::{self, render, Message, SendError};
use watchkeeper::sources::{format_for, local_bodies, FormatOptions, Parsed};

fn aka(name: &str) -> Alias {
    Alias {
        name: name.to_string(),
        kind: "aka".to_string(),
    }
}

fn fka(name: &str) -> Alias {
    Alias {
        name: name.to_string(),
        kind: "fka".to_string(),
    }
}

/// OFAC SDN ent_num 9760 (sdn.csv and some of its 31 alt.csv rows).
fn lukashenka() -> Entry {
    Entry {
        id: "9760".into(),
        kind: EntityKind::Person,
        name: "LUKASHENKA, Alyaksandr Hryhoryavich".into(),
        aliases: vec![
            aka("LUKASHENKA, Aliaksandr Grigorievich"),
            aka("LUKASHENKO, Aleksandr Grigorievich"),
            aka("LUKASHENKO, Alexander Grigorievich"),
            aka("LUKASHENKA, Alexander Ryhoravich"),
        ],
        programs: vec!["BELARUS".into()],
        titles: vec!["President".into()],
        dates_of_birth: vec!["30 Aug 1954".into()],
        places_of_birth: vec!["Kopys, Vitebsk oblast, Belarus".into()],
        remarks: Some("DOB 30 Aug 1954; POB Kopys, Vitebsk oblast, Belarus; President.".into()),
        ..Entry::default()
    }
}

/// OFAC SDN ent_num 15055, a crude oil tanker, as of July 2021.
fn happiness_i() -> Entry {
    Entry {
        id: "15055".into(),
        kind: EntityKind::Vessel,
        name: "HAPPINESS I".into(),
        aliases: vec![fka("HENGAM"), fka("LOYAL"), fka("TULAR"), fka("HAPPINESS")],
        programs: vec!["IRAN".into(), "SDGT".into()],
        identifiers: vec![
            Identifier {
                kind: "imo".into(),
                value: "9212905".into(),
                note: None,
            },
            Identifier {
                kind: "mmsi".into(),
                value: "256875000".into(),
                note: None,
            },
        ],
        vessel: Some(Box::new(VesselInfo {
            call_sign: Some("T2ER4".into()),
            vessel_type: Some("Crude Oil Tanker".into()),
            tonnage: Some("299,214".into()),
            grt: Some("160,930".into()),
            flag: Some("Iran".into()),
            owner: None,
        })),
        linked_to: vec![
            "NATIONAL IRANIAN TANKER COMPANY".into(),
            "HOKOUL SAL OFFSHORE".into(),
        ],
        ..Entry::default()
    }
}

/// Item 1 of feeds/constructed/ru-windows-1251.xml, decoded.
fn minsk_item() -> FeedItem {
    FeedItem {
        id: "https://example.org/ru/1".into(),
        title: "Джон Коул жмет руку Лукашенко".into(),
        link: Some("https://example.org/ru/1".into()),
        summary: "Посол Венесуэлы в России снова посетил Минск; Александр Лукашенко ждёт визита \
                  Николаса Мадуро."
            .into(),
        published: Some("2025-12-10T18:00:00+03:00".into()),
        ..FeedItem::default()
    }
}

/// An item of feeds/rss_1.0_biorxiv.xml: a long abstract, to test the excerpt.
fn biorxiv_item() -> FeedItem {
    FeedItem {
        id: "http://biorxiv.org/cgi/content/short/2023.12.16.571984v1?rss=1".into(),
        title: "Complete genome of the Medicago anthracnose fungus, Colletotrichum destructivum, \
                reveals a mini-chromosome-like region within a core chromosome."
            .into(),
        link: Some("http://biorxiv.org/cgi/content/short/2023.12.16.571984v1?rss=1".into()),
        summary: "Colletotrichum destructivum (Cd) is a phytopathogenic fungus causing significant \
economic losses on forage legume crops (Medicago and Trifolium species) worldwide. To gain insights \
into the genetic basis of fungal virulence and host specificity, we sequenced the genome of an \
isolate from M. sativa using long-read (PacBio) technology. The resulting genome assembly has a \
total length of 51.7 Mb and comprises 10 core chromosomes and two accessory chromosomes, all of \
which were sequenced from telomere to telomere. A total of 15,631 gene models were predicted, \
including genes encoding potentially pathogenicity-related proteins such as candidate secreted \
effectors (484), secondary metabolism key enzymes (110) and carbohydrate-active enzymes (619). \
Synteny analysis revealed extensive structural rearrangements in the genome of Cd relative to the \
closely-related Brassicaceae pathogen, C. higginsianum. In addition, a 1.2 Mb species-specific \
region was detected within the largest core chromosome of Cd that has all the characteristics of \
fungal accessory chromosomes (transposon-rich, gene-poor, distinct codon usage), providing evidence \
for exchange between these two genomic compartments. This region was also unique in having \
undergone extensive intra-chromosomal segmental duplications. Our findings provide insights into \
the evolution of accessory regions and possible mechanisms for generating genetic diversity in \
this asexual fungal pathogen."
            .into(),
        published: Some("2023-12-16".into()),
        ..FeedItem::default()
    }
}

/// A 32-hex entry version, as the store hashes entries.
const VERSION: &str = "0123456789abcdef0123456789abcdef";

fn ofac_sdn() -> ListRef {
    ListRef {
        source: "ofac-sdn".into(),
        publisher: Some("US Treasury, OFAC".into()),
        list_title: Some("OFAC SDN list".into()),
        published: Some("2021-07".into()),
    }
}

fn list_alert(id: i64, event: Event, entry: &Entry, watch_item: &str) -> Alert {
    list_alert_on(&ofac_sdn(), id, event, entry, watch_item)
}

fn list_alert_on(list: &ListRef, id: i64, event: Event, entry: &Entry, watch_item: &str) -> Alert {
    let mut item = WatchItem::query(WatchKind::Person, watch_item);
    item.id = format!("wi-{id}");
    let why = Why {
        score: 0.93,
        why: format!(
            "name \"{watch_item}\" ~ alias of \"{}\" (transliteration)",
            entry.name
        ),
    };
    let mut a = Alert::for_entry(
        event,
        list,
        entry,
        VERSION,
        &item,
        why,
        "2021-07-02T07:00:00Z",
    );
    a.id = id;
    a
}

fn feed_alert(id: i64, item: &FeedItem, watch_item: &str) -> Alert {
    let mut watch = WatchItem::query(WatchKind::Keyword, watch_item);
    watch.id = format!("wi-{id}");
    let why = Why {
        score: 1.0,
        why: format!("phrase \"{watch_item}\" found in the summary"),
    };
    let mut a = Alert::for_feed_item("news", item, &watch, why, "2025-12-10T15:05:00Z");
    a.id = id;
    a
}

/// One of the two real OFAC SDN snapshots of tests/fixtures/e2e ("snap1": January 2019 rows,
/// "snap2": July 2021 rows of the same entries), parsed.
fn snapshot(name: &str) -> Vec<Entry> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/e2e")
        .join(name);
    let format = format_for("ofac_sdn_csv", &FormatOptions::default()).unwrap();
    match format.parse(&local_bodies(format.as_ref(), &folder).unwrap()) {
        Ok(Parsed::List(list)) => list.entries,
        other => panic!("{name}: {other:?}"),
    }
}

fn snapshot_entry(snapshot: &[Entry], id: &str) -> Entry {
    snapshot
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
        .clone()
}

/// A `changed` alert for a real change between the two snapshots.
fn real_changed_alert(id: i64, old: &Entry, new: &Entry, watch_item: &str) -> Alert {
    let mut a = list_alert(id, Event::Changed, new, watch_item);
    a.changes = changed_fields(old, new);
    a
}

/// HAPPINESS I (15055) from January 2019 to July 2021: SDGT added, flag Panama → Iran, a new
/// link, and remarks restating all three.
fn changed_alert() -> Alert {
    let mut a = real_changed_alert(
        7,
        &snapshot_entry(&snapshot("snap1"), "15055"),
        &snapshot_entry(&snapshot("snap2"), "15055"),
        "Happiness I",
    );
    a.why = "IMO 9212905 equals the IMO number of vessel \"HAPPINESS I\"".into();
    a.score = 1.0;
    a.also_listed = vec!["un-sc: IMO 9212905 (entry 1234)".into()];
    a
}

fn six_alerts() -> Vec<Alert> {
    // Deliberately out of event order: the digest sorts them.
    vec![
        feed_alert(1, &minsk_item(), "Лукашенко"),
        list_alert(2, Event::Delisted, &happiness_i(), "Happiness I"),
        list_alert(3, Event::Listed, &lukashenka(), "Alexander Lukashenko"),
        feed_alert(4, &biorxiv_item(), "segmental duplications"),
        list_alert(5, Event::Listed, &happiness_i(), "Happiness I"),
        feed_alert(6, &minsk_item(), "Nicolás Maduro Moros"),
    ]
}

/// The value of one field of a text part, its wrapped lines joined again.
fn text_field(text: &str, label: &str) -> String {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(&format!("{:<15}", format!("{label}:"))));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no {label} in\n{text}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| l.starts_with("    ")))
        .map(|l| l.split_at(15).1.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of a text part from the one starting with `start` (trimmed) to the next blank line.
fn paragraph<'a>(text: &'a str, start: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| !l.trim_start().starts_with(start))
        .take_while(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn digest_subject_counts_events_and_names_the_first_entity() {
    let msg = render::digest(&six_alerts(), vec!["c@example.org".into()]);
    assert_eq!(
        msg.subject,
        "watchkeeper: 2 listed, 1 delisted, 3 mentioned: LUKASHENKA, Alyaksandr Hryhoryavich \
         and 5 more"
    );
    // Listed alerts come first in the body, mentions last.
    let listed = msg
        .text
        .find("1. listed: LUKASHENKA, Alyaksandr Hryhoryavich on OFAC SDN list")
        .unwrap();
    let delisted = msg
        .text
        .find("3. delisted: HAPPINESS I (IMO 9212905) from OFAC SDN list")
        .unwrap();
    let mentioned = msg
        .text
        .find("mentioned: segmental duplications in \"Complete genome")
        .unwrap();
    assert!(listed < delisted && delisted < mentioned, "{}", msg.text);
    assert!(msg
        .text
        .starts_with("6 alerts: 2 listed, 1 delisted, 3 mentioned."));

    // A digest of one alert is titled like that alert alone.
    let one = render::digest(&six_alerts()[4..5], vec![]);
    assert_eq!(
        one.subject,
        "watchkeeper: listed: HAPPINESS I (IMO 9212905) on OFAC SDN list"
    );
}

#[test]
fn digest_opens_with_a_summary_table_of_every_alert() {
    let old = snapshot("snap1");
    let new = snapshot("snap2");
    let alerts = vec![
        feed_alert(1, &minsk_item(), "Лукашенко"),
        real_changed_alert(
            2,
            &snapshot_entry(&old, "22790"),
            &snapshot_entry(&new, "22790"),
            "Nicolás Maduro",
        ),
        list_alert(3, Event::Listed, &snapshot_entry(&new, "26623"), "Urdaneta"),
    ];
    let msg = render::digest(&alerts, vec![]);
    let table = paragraph(&msg.text, "#  event");
    let numbered: Vec<&str> = table[2..]
        .iter()
        .filter(|l| !l.starts_with(' '))
        .map(|l| &l[..1])
        .collect();
    assert_eq!(numbered, ["1", "2", "3"], "{}", msg.text);
    // The cells of a row's first line (cells wrap onto the lines below).
    let first_line = |n: usize| -> Vec<&str> {
        let line = table
            .iter()
            .find(|l| l.starts_with(&format!("{n} ")))
            .unwrap_or_else(|| panic!("no row {n}:\n{}", table.join("\n")));
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect()
    };
    assert_eq!(
        first_line(1),
        [
            "1",
            "listed",
            "URDANETA",
            "IMO 7912111",
            "OFAC SDN list",
            "name like"
        ],
        "{}",
        table.join("\n")
    );
    assert_eq!(
        first_line(2),
        [
            "2",
            "changed",
            "MADURO MOROS,",
            "id 22790",
            "OFAC SDN list",
            "programs"
        ]
    );
    assert_eq!(
        first_line(3),
        [
            "3",
            "mentioned",
            "Джон Коул жмет",
            "news",
            "\"Лукашенко\" in the"
        ]
    );
    let why_column = table.join("\n");
    assert!(
        why_column.contains("+IRAN-CON-ARMS-EO"),
        "what changed: {why_column}"
    );
    assert!(
        msg.text.find("#  event").unwrap() < msg.text.find("1. listed: URDANETA").unwrap(),
        "the table comes before the details"
    );
    assert!(
        msg.text.lines().all(|l| l.chars().count() <= 78),
        "{}",
        msg.text
    );

    // The HTML part has the same rows, each entity linking to its details.
    assert!(
        msg.html.contains("<a href=\"#alert-1\">URDANETA</a>"),
        "{}",
        msg.html
    );
    assert!(msg.html.contains("<h3 id=\"alert-1\""));
    assert_eq!(msg.html.matches("<a href=\"#alert-").count(), 3);
    // A single alert needs no table.
    assert!(!render::single(&alerts[2], vec![]).text.contains("#  event"));
}

#[test]
fn listed_alert_shows_entry_list_publisher_and_why() {
    let alert = list_alert(3, Event::Listed, &lukashenka(), "Alexander Lukashenko");
    let msg = render::single(&alert, vec!["c@example.org".into()]);
    assert_eq!(
        msg.subject,
        "watchkeeper: listed: LUKASHENKA, Alyaksandr Hryhoryavich on OFAC SDN list"
    );
    for expected in [
        "List:          OFAC SDN list (source ofac-sdn)",
        "Publisher:     US Treasury, OFAC",
        "Published:     2021-07",
        "Watch item:    Alexander Lukashenko",
        "Entry:         LUKASHENKA, Alyaksandr Hryhoryavich [person, id 9760]",
        "LUKASHENKO, Alexander Grigorievich (aka)",
        "Programs:      BELARUS",
        "Born:          30 Aug 1954",
        "Score:         0.93",
        "Why:           name \"Alexander Lukashenko\" ~ alias of \"LUKASHENKA, Alyaksandr",
        "newly listed",
    ] {
        assert!(
            msg.text.contains(expected),
            "missing {expected:?} in\n{}",
            msg.text
        );
    }
    assert!(
        msg.html.contains(">Programs</th><td>BELARUS</td>"),
        "{}",
        msg.html
    );
    assert!(msg
        .html
        .contains(">Publisher</th><td>US Treasury, OFAC</td>"));

    // Without a list title (a source the pipeline knows nothing more of), the source's name.
    let bare = ListRef {
        source: "ofac-sdn".into(),
        ..ListRef::default()
    };
    let alert = list_alert_on(
        &bare,
        3,
        Event::Listed,
        &lukashenka(),
        "Alexander Lukashenko",
    );
    let msg = render::single(&alert, vec![]);
    assert_eq!(
        msg.subject,
        "watchkeeper: listed: LUKASHENKA, Alyaksandr Hryhoryavich on ofac-sdn"
    );
    assert!(
        msg.text.contains("List:          ofac-sdn\n"),
        "{}",
        msg.text
    );
    assert!(msg
        .text
        .contains("Published:     (the list states no publication date)"));
    assert!(!msg.text.contains("Publisher:"));
}

#[test]
fn list_alerts_end_with_the_exclude_line_that_silences_them() {
    let alert = list_alert(
        5,
        Event::Listed,
        &snapshot_entry(&snapshot("snap2"), "15036"),
        "Artavil",
    );
    let msg = render::single(&alert, vec![]);
    let block: Vec<&str> = msg
        .text
        .lines()
        .take_while(|l| *l != "-- ")
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        block.last().copied(),
        Some("    exclude = [\"ofac-sdn:15036@0123456789ab\"]"),
        "{}",
        msg.text
    );
    let sentence = paragraph(&msg.text, "To silence").join(" ");
    assert!(
        sentence.starts_with(
            "To silence this alert until the entry changes, add this line to watch item \
             \"Artavil\""
        ),
        "{sentence}"
    );
    assert!(msg
        .html
        .contains(">exclude = [&quot;ofac-sdn:15036@0123456789ab&quot;]</pre>"));
    // Before it, the command that records the review on the server instead.
    let dismiss = block.iter().position(|l| *l == "    watchkeeper dismiss 5");
    assert_eq!(dismiss, Some(block.len() - 4), "{}", msg.text);
    assert!(msg.html.contains(">watchkeeper dismiss 5</pre>"));

    // The line, pasted into the watch item as told, is what the watchlist reads.
    let toml = format!(
        "[[vessel]]\nname = \"Artavil\"\nimo = \"IMO 9187629\"\n{}\n",
        block.last().unwrap().trim()
    );
    let watchlist = watchkeeper::watchlist::parse(&toml, std::path::Path::new("watchlist.toml"))
        .expect("the exclude line is valid watchlist TOML");
    assert_eq!(watchlist.items[0].exclude, [alert.exclude_token().unwrap()]);

    // Notices and news mentions have no entry version to pin.
    assert!(
        !render::single(&feed_alert(1, &minsk_item(), "Лукашенко"), vec![])
            .text
            .contains("exclude =")
    );
}

#[test]
fn changed_alert_shows_what_changed_not_the_whole_values() {
    let msg = render::single(&changed_alert(), vec!["c@example.org".into()]);
    assert_eq!(
        msg.subject,
        "watchkeeper: changed: HAPPINESS I (IMO 9212905) on OFAC SDN list"
    );
    let changed: Vec<&str> = msg
        .text
        .lines()
        .skip_while(|l| !l.starts_with("Changed:       "))
        .take_while(|l| l.starts_with("Changed:       ") || l.starts_with("    "))
        .map(|l| l.split_at(15).1)
        .collect();
    assert_eq!(
        changed,
        [
            "programs: added: SDGT",
            "vessel.flag: Panama → Iran",
            "linked to: added: HOKOUL SAL OFFSHORE",
            "former vessel flag: added: Panama",
        ],
        "the remarks change only restates these, so it is left out:\n{}",
        msg.text
    );
    assert!(msg.text.contains("Identifiers:   IMO 9212905"));
    assert!(msg.text.contains("               MMSI 256875000"));
    assert!(msg.text.contains("flag: Iran"));
    assert!(msg
        .text
        .contains("Also listed:   un-sc: IMO 9212905 (entry 1234)"));
    assert!(
        msg.html.contains("<b>vessel.flag:</b> Panama → Iran"),
        "{}",
        msg.html
    );
    assert!(msg.html.contains("<b>programs:</b> added: SDGT"));
}

#[test]
fn remarks_changes_show_the_changed_words_with_a_little_context() {
    let old = snapshot_entry(&snapshot("snap1"), "15036");
    let new = snapshot_entry(&snapshot("snap2"), "15036");
    // July 2021: OFAC moved "f.k.a. 'ALPHA'" from the alias file into the remarks. The aliases
    // only changed order, which is no change.
    let alert = real_changed_alert(4, &old, &new, "Artavil");
    let fields: Vec<&str> = alert.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["remarks"]);
    let msg = render::single(&alert, vec![]);
    assert_eq!(
        text_field(&msg.text, "Changed"),
        "remarks: … 9187629; MMSI 572469210; {+f.k.a. 'ALPHA';+} Linked To: NATIONAL IRANIAN \
         TANKER …"
    );
    assert!(
        msg.html
            .contains("MMSI 572469210; <ins style=\"background: #dfd; color: #060;\">f.k.a. &#39;ALPHA&#39;;</ins> Linked To"),
        "{}",
        msg.html
    );

    // A real remark changed in one word: only that word, in its clause.
    let mut renamed = new.clone();
    renamed.remarks = new.remarks.as_ref().map(|r| r.replace("'ALPHA'", "'BETA'"));
    let alert = real_changed_alert(4, &new, &renamed, "Artavil");
    let msg = render::single(&alert, vec![]);
    assert_eq!(
        text_field(&msg.text, "Changed"),
        "remarks: … MMSI 572469210; f.k.a. [-'ALPHA'-] {+'BETA'+}; Linked To: NATIONAL IRANIAN …"
    );
    assert!(msg.html.contains(
        "f.k.a. <del style=\"background: #fdd; color: #900;\">&#39;ALPHA&#39;</del> \
         <ins style=\"background: #dfd; color: #060;\">&#39;BETA&#39;</ins>; Linked To"
    ));
}

#[test]
fn remarks_show_only_what_the_fields_above_do_not() {
    let new = snapshot("snap2");
    // Every clause of these remarks is an identifier, link, flag, date or title shown above.
    for (id, restated) in [
        ("15036", "Linked To: NATIONAL IRANIAN TANKER COMPANY"),
        ("22790", "Cedula No. 5892464"),
    ] {
        let msg = render::single(
            &list_alert(1, Event::Listed, &snapshot_entry(&new, id), "x"),
            vec![],
        );
        assert!(!msg.text.contains("Remarks"), "{}", msg.text);
        assert!(!msg.text.contains(restated), "{}", msg.text);
    }
    // What only the remarks say stays, under a label that says the rest was left out.
    let mut entry = snapshot_entry(&new, "22790");
    entry.remarks = entry.remarks.map(|r| {
        r.replace(
            "Gender Male;",
            "Gender Male; Former Minister of Foreign Affairs;",
        )
    });
    let msg = render::single(&list_alert(1, Event::Listed, &entry, "x"), vec![]);
    assert_eq!(
        text_field(&msg.text, "Other remarks"),
        "Former Minister of Foreign Affairs."
    );
}

#[test]
fn changed_fields_compare_lists_as_sets_and_vessels_by_particular() {
    let old = snapshot_entry(&snapshot("snap1"), "15055");
    let new = snapshot_entry(&snapshot("snap2"), "15055");
    let changes = changed_fields(&old, &new);
    let shown: Vec<(&str, &Change)> = changes
        .iter()
        .map(|c| (c.field.as_str(), &c.change))
        .collect();
    let set = |added: &[&str]| Change::Set {
        added: added.iter().map(|s| s.to_string()).collect(),
        removed: vec![],
    };
    assert_eq!(shown[0], ("extra.former-vessel-flag", &set(&["Panama"])));
    assert_eq!(shown[1], ("linked_to", &set(&["HOKOUL SAL OFFSHORE"])));
    assert_eq!(shown[2], ("programs", &set(&["SDGT"])));
    assert_eq!(shown[3].0, "remarks");
    assert!(matches!(shown[3].1, Change::Words(_)));
    assert_eq!(shown[4], ("vessel.flag", &Change::Value));
    assert_eq!(changes.len(), 5);
    assert_eq!(
        (changes[4].before.as_str(), changes[4].after.as_str()),
        ("Panama", "Iran")
    );

    // The same entry with its lists, remark clauses and former flags reordered: no change.
    let mut shuffled = new.clone();
    shuffled.aliases.reverse();
    shuffled.identifiers.reverse();
    shuffled.programs.reverse();
    shuffled.linked_to.reverse();
    let remarks = new.remarks.clone().unwrap();
    let mut clauses: Vec<&str> = remarks.trim_end_matches('.').split("; ").collect();
    clauses.reverse();
    shuffled.remarks = Some(clauses.join("; ") + ".");
    shuffled.extra.insert(
        "former-vessel-flag".into(),
        "Panama; Tanzania; Tuvalu; Malta".into(),
    );
    assert_ne!(shuffled, new);
    assert_eq!(changed_fields(&new, &shuffled), Vec::<FieldChange>::new());
}

#[test]
fn stored_changes_keep_their_json_and_old_alerts_still_read() {
    let alert = changed_alert();
    let json = serde_json::to_value(&alert).unwrap();
    let programs = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "programs")
        .unwrap();
    assert_eq!(
        programs,
        &serde_json::json!({
            "field": "programs",
            "before": "IRAN",
            "after": "IRAN; SDGT",
            "change": {"set": {"added": ["SDGT"], "removed": []}}
        })
    );
    let words = serde_json::to_value(Change::Words(vec![
        Span::Elided,
        Span::Same("MMSI 572469210;".into()),
        Span::Added("f.k.a. 'ALPHA';".into()),
    ]))
    .unwrap();
    assert_eq!(
        words,
        serde_json::json!({"words": ["elided", {"same": "MMSI 572469210;"}, {"added": "f.k.a. 'ALPHA';"}]})
    );

    // An alert stored before `change` existed: {field, before, after}, shown as before → after.
    let mut old = json.clone();
    old["changes"] = serde_json::json!([
        {"field": "programs", "before": "IRAN", "after": "IRAN; SDGT"},
        {"field": "vessel", "before": "flag: Panama", "after": "flag: Iran"}
    ]);
    let read: Alert = serde_json::from_value(old).expect("old alerts still read");
    assert_eq!(read.changes[0].change, Change::Value);
    let msg = render::single(&read, vec![]);
    assert!(
        msg.text
            .contains("Changed:       programs: IRAN → IRAN; SDGT\n               vessel: flag: Panama → flag: Iran"),
        "{}",
        msg.text
    );
}

#[test]
fn mentioned_alert_shows_an_excerpt_around_the_match() {
    let item = biorxiv_item();
    let msg = render::single(
        &feed_alert(4, &item, "Segmental Duplications"),
        vec!["c@example.org".into()],
    );
    let line = text_field(&msg.text, "Excerpt");
    assert!(
        msg.text.lines().all(|l| l.chars().count() <= 78),
        "wrapped for a terminal:\n{}",
        msg.text
    );
    assert!(
        line.contains("intra-chromosomal segmental duplications. Our findings"),
        "{line}"
    );
    assert!(line.contains('…'), "the long abstract is cut: {line}");
    assert!(line.len() < item.summary.len() / 2, "{line}");
    assert!(
        !line.contains("phytopathogenic"),
        "the start is far from the match: {line}"
    );
    assert!(msg.html.contains("<mark>segmental duplications</mark>"));
    assert!(msg
        .text
        .contains("News item:     Complete genome of the Medicago"));
    assert!(msg.text.contains("Published:     2023-12-16"));
    assert!(msg
        .html
        .contains("<a href=\"http://biorxiv.org/cgi/content/short/2023.12.16.571984v1?rss=1\">"));

    // Case-insensitive in Cyrillic too.
    let msg = render::single(&feed_alert(1, &minsk_item(), "лукашенко"), vec![]);
    assert!(
        msg.html.contains("Александр <mark>Лукашенко</mark> ждёт"),
        "{}",
        msg.html
    );
}

#[test]
fn untrusted_list_content_is_escaped_in_html_and_cleaned_in_text() {
    let mut entry = lukashenka();
    entry.name = "<script>alert('x')</script> LUKASHENKA & Co \u{1b}[31mRED".into();
    entry.url = Some("javascript:alert(1)".into());
    let alert = list_alert(3, Event::Listed, &entry, "Alexander <b>Lukashenko</b>");
    for msg in [
        render::single(&alert, vec![]),
        render::digest(std::slice::from_ref(&alert), vec![]),
        // Two alerts: the summary table shows the name too.
        render::digest(&[alert.clone(), alert.clone()], vec![]),
    ] {
        assert!(!msg.html.contains("<script>"), "{}", msg.html);
        assert!(msg
            .html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; LUKASHENKA &amp; Co"));
        assert!(msg.html.contains("Alexander &lt;b&gt;Lukashenko&lt;/b&gt;"));
        assert!(!msg.html.contains("href=\"javascript"), "{}", msg.html);
        assert!(
            !msg.text.contains('\u{1b}'),
            "no terminal escapes in the text part"
        );
        assert!(!msg.subject.contains('\u{1b}'));
        assert!(msg
            .text
            .contains("<script>alert('x')</script> LUKASHENKA & Co"));
    }
}

#[test]
fn source_notices_name_the_source() {
    let mut notice = Alert::for_source(
        Event::SourceStale,
        "un-sc",
        "",
        "failing since 2025-12-08T07:00:00Z: HTTP 503 from https://example.org/un.xml".into(),
        "2025-12-10T07:00:00Z",
    );
    notice.id = 9;
    let msg = render::single(&notice, vec![]);
    assert_eq!(msg.subject, "watchkeeper: source-stale: un-sc");
    assert!(msg
        .text
        .contains("Details:       failing since 2025-12-08T07:00:00Z: HTTP 503"));
    assert!(!msg.text.contains("Score:"));
}

// ---- delivery -------------------------------------------------------------------------------

fn smtp_config(server_port: u16, tls: TlsMode) -> (EmailConfig, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("smtp-password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let cfg = EmailConfig {
        transport: TransportKind::Smtp,
        path: None,
        host: Some("localhost".into()),
        port: Some(server_port),
        tls,
        username: Some(USERNAME.into()),
        password_file: Some(password_file),
        password_env: None,
        ca_file: None,
        from: "watchkeeper <alerts@example.org>".into(),
        to: vec!["compliance@example.org".into()],
        mode: MailMode::Digest,
        give_up_after: watchkeeper::config::DEFAULT_GIVE_UP_AFTER,
        claim_timeout: watchkeeper::outbox::CLAIM_TIMEOUT,
        digest_limit: watchkeeper::email::render::DEFAULT_DIGEST_LIMIT,
    };
    (cfg, dir)
}

fn recipients() -> Vec<String> {
    vec!["compliance@example.org".into(), "ops@example.org".into()]
}

fn hostile_digest() -> Message {
    let mut alerts = six_alerts();
    let mut entry = lukashenka();
    entry.aliases.push(aka("<script>steal()</script>"));
    alerts[2] = list_alert(3, Event::Listed, &entry, "Alexander Lukashenko");
    email::digest(&alerts, recipients())
}

#[tokio::test]
async fn digest_goes_through_smtp_with_starttls_and_auth() {
    let server = SmtpServer::start();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    let msg = hostile_digest();
    email::send(&cfg, &msg).await.expect("sent");

    let received = server.messages();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.from, "alerts@example.org");
    assert_eq!(r.to, recipients());

    let parsed = MessageParser::default().parse(&r.data).expect("parseable");
    assert_eq!(
        parsed.subject(),
        Some(
            "watchkeeper: 2 listed, 1 delisted, 3 mentioned: LUKASHENKA, Alyaksandr Hryhoryavich \
             and 5 more"
        )
    );
    assert!(parsed
        .message_id()
        .is_some_and(|id| id.ends_with("@example.org")));
    assert!(parsed.date().is_some());
    let to: Vec<&str> = parsed
        .to()
        .unwrap()
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(to, ["compliance@example.org", "ops@example.org"]);
    let ct = parsed.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );

    let text = parsed.body_text(0).expect("text part");
    let html = parsed.body_html(0).expect("html part");
    assert!(text.contains("Entry:         LUKASHENKA, Alyaksandr Hryhoryavich [person, id 9760]"));
    assert!(
        text_field(&text, "Excerpt").contains("Александр Лукашенко ждёт"),
        "UTF-8 survives the trip"
    );
    assert!(html.contains("LUKASHENKA, Alyaksandr Hryhoryavich"));
    assert!(html.contains("&lt;script&gt;steal()&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
}

#[tokio::test]
async fn wrong_password_reports_the_server_reply() {
    let server = SmtpServer::start();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    // Setting an environment variable here would race with other test threads reading theirs.
    std::fs::write(cfg.password_file.as_ref().unwrap(), "not the password\n").unwrap();

    let err = email::send(&cfg, &email::test_message(recipients()))
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(matches!(err, SendError::Smtp { .. }), "{err:?}");
    assert!(shown.contains("535"), "{shown}");
    assert!(shown.contains("Invalid credentials"), "{shown}");
    assert!(
        shown.contains(&format!("localhost:{}", server.port)),
        "{shown}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn missing_password_variable_is_named() {
    let server = SmtpServer::start();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    cfg.password_file = None;
    cfg.password_env = Some("WATCHKEEPER_TEST_PASSWORD_NEVER_SET".into());
    let err = email::send(&cfg, &email::test_message(recipients()))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("WATCHKEEPER_TEST_PASSWORD_NEVER_SET"),
        "{err}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    let server = SmtpServer::start();
    // No ca_file: the test CA is in no trust store, so STARTTLS must fail before AUTH.
    let (cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    let err = email::send(&cfg, &email::test_message(recipients()))
        .await
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn mail_server_down_fails_fast_with_a_connection_error() {
    let mut server = SmtpServer::start();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    email::send(&cfg, &email::test_message(recipients()))
        .await
        .expect("sent while up");
    server.stop();

    for port in [server.port, closed_port()] {
        cfg.port = Some(port);
        let started = Instant::now();
        let err = email::send(&cfg, &email::test_message(recipients()))
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
        let shown = err.to_string();
        assert!(matches!(err, SendError::Smtp { .. }), "{err:?}");
        assert!(shown.contains(&format!("localhost:{port}")), "{shown}");
        assert!(shown.to_lowercase().contains("connection"), "{shown}");
    }
}

#[tokio::test]
async fn implicit_tls_delivers() {
    let server = SmtpServer::start_implicit_tls();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::Tls);
    cfg.ca_file = Some(server.ca_pem_path.clone());
    cfg.host = Some("127.0.0.1".into());
    cfg.username = None;
    let alert = changed_alert();
    email::send(&cfg, &email::single(&alert, vec!["ops@example.org".into()]))
        .await
        .expect("sent");
    let received = server.messages();
    assert_eq!(received.len(), 1);
    let parsed = MessageParser::default().parse(&received[0].data).unwrap();
    assert!(parsed
        .subject()
        .unwrap()
        .starts_with("watchkeeper: changed: HAPPINESS I (IMO 9212905) on OFAC SDN list"));
    assert!(parsed
        .body_text(0)
        .unwrap()
        .contains("programs: added: SDGT"));

    // A client expecting a plaintext greeting (STARTTLS mode) waits on a server waiting for a
    // TLS hello: the send must give up after its timeout instead of hanging.
    cfg.tls = TlsMode::Starttls;
    let started = Instant::now();
    let err = email::transport::send_with_timeout(
        &cfg,
        &email::test_message(recipients()),
        Duration::from_secs(2),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, SendError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        err.to_string().contains("no complete reply within 2s"),
        "{err}"
    );
}

#[tokio::test]
async fn plaintext_is_for_a_local_relay_only() {
    let server = SmtpServer::start_plaintext();
    let (mut cfg, _dir) = smtp_config(server.port, TlsMode::None);
    cfg.username = None;
    cfg.host = Some("127.0.0.1".into());
    email::send(&cfg, &email::test_message(recipients()))
        .await
        .expect("sent to the local relay");
    assert_eq!(server.messages().len(), 1);

    cfg.host = Some("smtp.example.org".into());
    let err = email::send(&cfg, &email::test_message(recipients()))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("smtp.example.org"), "{err}");
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn file_transport_writes_one_parseable_eml_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let cfg = EmailConfig {
        path: Some(outbox.clone()),
        mode: MailMode::Each,
        ..EmailConfig::new(
            TransportKind::File,
            "watchkeeper <alerts@example.org>",
            recipients(),
        )
    };
    let alerts = six_alerts();
    for a in &alerts {
        email::send(&cfg, &email::single(a, recipients()))
            .await
            .unwrap();
    }
    let mut files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), alerts.len(), "{files:?}");
    let mut subjects = BTreeMap::new();
    for f in &files {
        assert_eq!(
            f.extension().unwrap(),
            "eml",
            "no temporary file left: {f:?}"
        );
        let raw = std::fs::read(f).unwrap();
        let parsed = MessageParser::default().parse(&raw).expect("parseable");
        assert!(parsed.body_text(0).is_some() && parsed.body_html(0).is_some());
        assert!(parsed.message_id().is_some());
        *subjects
            .entry(parsed.subject().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(
        subjects.get("watchkeeper: listed: LUKASHENKA, Alyaksandr Hryhoryavich on OFAC SDN list"),
        Some(&1)
    );
    assert_eq!(subjects.values().sum::<i32>(), 6);
}

// ---- digests above their limit ------------------------------------------------------------

/// Every entry of the July 2021 snapshot as an `already-listed` alert with a name match of
/// some score (a first load), and the HAPPINESS I alert an IMO number matched, last.
fn first_load() -> Vec<Alert> {
    let mut alerts: Vec<Alert> = snapshot("snap2")
        .iter()
        .filter(|e| e.id != "15055")
        .enumerate()
        .map(|(i, e)| {
            let mut a = list_alert(i as i64 + 1, Event::AlreadyListed, e, &e.name);
            // Scores from 0.86 to 1.00, some equal, none in order of the ids.
            a.score = 0.86 + ((i * 7) % 15) as f64 / 100.0;
            a
        })
        .collect();
    let mut by_imo = changed_alert();
    by_imo.id = alerts.len() as i64 + 1;
    by_imo.event = Event::AlreadyListed;
    by_imo.changes.clear();
    alerts.push(by_imo);
    alerts
}

/// The numbered alert headings of a HTML part ("3. already-listed: …"), unwrapped.
fn headings(html: &str) -> Vec<String> {
    html.lines()
        .filter(|l| l.starts_with("<h3 id=\"alert-"))
        .map(|l| {
            let start = l.find("\">").unwrap() + 2;
            l[start..l.find("</h3>").unwrap()].to_string()
        })
        .collect()
}

fn csv_rows(csv_text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn a_digest_above_its_limit_lists_the_most_important_and_attaches_every_alert() {
    let alerts = first_load();
    let total = alerts.len();
    assert!(total > 20, "{total}");
    let msg = render::digest_limited(&alerts, vec![], 5);

    let intro: String = paragraph(&msg.text, &format!("{total} alerts")).join(" ");
    assert!(
        intro.contains(&format!("5 of {total} alerts shown"))
            && intro.contains(&format!("all {total} are in the attached alerts.csv")),
        "{intro}"
    );
    assert!(
        msg.html
            .contains(&format!("all {total} are in the attached alerts.csv")),
        "the HTML part says it too"
    );
    assert!(msg
        .subject
        .starts_with(&format!("watchkeeper: {total} already-listed: HAPPINESS I")));

    // Exactly five alerts in detail, the IMO match first, then by score.
    let shown = headings(&msg.html);
    assert_eq!(shown.len(), 5, "{shown:?}");
    assert!(
        shown[0].starts_with("1. already-listed: HAPPINESS I (IMO 9212905)"),
        "{shown:?}"
    );
    let score_of = |heading: &str| {
        alerts
            .iter()
            .find(|a| heading.contains(&format!(": {} ", render::html_escape(&a.entry_name))))
            .map(|a| a.score)
            .unwrap_or_else(|| panic!("{heading}"))
    };
    let scores: Vec<f64> = shown[1..].iter().map(|h| score_of(h)).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let lowest_shown = scores.last().copied().unwrap();
    for a in &alerts {
        let listed = msg.html.contains(&format!(", id {}]", a.entry_id));
        if a.score > lowest_shown {
            assert!(listed, "{} ({}) should be shown", a.entry_name, a.score);
        } else if a.score < lowest_shown {
            assert!(
                !listed,
                "{} ({}) should not be shown",
                a.entry_name, a.score
            );
        }
    }

    // The attachment: every alert, one row each, in the same ranking.
    assert_eq!(msg.attachments.len(), 1);
    let csv_file = &msg.attachments[0];
    assert_eq!(csv_file.filename, "alerts.csv");
    assert!(csv_file.content_type.starts_with("text/csv"));
    let rows = csv_rows(&csv_file.body);
    assert_eq!(rows.len(), total);
    let ids: std::collections::BTreeSet<i64> = rows
        .iter()
        .map(|r| r["alert_id"].parse().unwrap())
        .collect();
    assert_eq!(ids, alerts.iter().map(|a| a.id).collect());
    assert_eq!(rows[0]["entry_name"], "HAPPINESS I");
    assert_eq!(rows[0]["identifier_match"], "yes");
    assert!(
        rows[0]["identifiers"].contains("IMO 9212905"),
        "{:?}",
        rows[0]
    );
    assert_eq!(
        rows.iter().filter(|r| r["shown_in_email"] == "yes").count(),
        5
    );
    let maduro = rows
        .iter()
        .find(|r| r["entry_id"] == "22790")
        .expect("Maduro's row");
    assert_eq!(
        maduro["entry_name"], "MADURO MOROS, Nicolas",
        "a comma, quoted"
    );
    assert_eq!(maduro["list"], "OFAC SDN list");
    assert_eq!(maduro["list_published"], "2021-07");
    assert!(maduro["exclude_token"].starts_with("ofac-sdn:22790@"));

    // At the limit, the digest is as it always was.
    let at_limit = render::digest_limited(&alerts, vec![], total);
    assert!(at_limit.attachments.is_empty());
    assert_eq!(headings(&at_limit.html).len(), total);
    assert_eq!(at_limit, render::digest(&alerts, vec![]));
}

#[test]
fn a_failing_source_is_not_cut_from_a_large_digest() {
    let mut alerts = first_load();
    let mut notice = Alert::for_source(
        Event::SourceStale,
        "un-sc",
        "https://example.org/un.xml",
        "failing since 2025-12-08T07:00:00Z: HTTP 503 from https://example.org/un.xml".into(),
        "2025-12-10T07:00:00Z",
    );
    notice.id = alerts.len() as i64 + 1;
    alerts.push(notice);
    let msg = render::digest_limited(&alerts, vec![], 3);
    let shown = headings(&msg.html);
    assert!(shown[0].contains("HAPPINESS I"), "{shown:?}");
    assert_eq!(shown[1], "2. source-stale: un-sc", "{shown:?}");
    assert!(msg.subject.contains("1 source-stale"), "{}", msg.subject);
}

#[tokio::test]
async fn the_file_transport_carries_the_csv_attachment() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let cfg = EmailConfig {
        path: Some(outbox.clone()),
        digest_limit: 5,
        ..EmailConfig::new(
            TransportKind::File,
            "watchkeeper <alerts@example.org>",
            recipients(),
        )
    };
    let alerts = first_load();
    let msg = render::digest_limited(&alerts, recipients(), cfg.digest_limit);
    email::send(&cfg, &msg).await.unwrap();
    let file = std::fs::read_dir(&outbox).unwrap().next().unwrap().unwrap();
    let raw = std::fs::read(file.path()).unwrap();
    let parsed = MessageParser::default().parse(&raw).expect("parseable");
    let ct = parsed.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("mixed")));
    assert!(parsed.body_text(0).unwrap().contains("5 of"));
    assert!(parsed.body_html(0).is_some());
    assert_eq!(parsed.attachment_count(), 1);
    let part = parsed.attachment(0).unwrap();
    assert_eq!(part.attachment_name(), Some("alerts.csv"));
    let pct = part.content_type().unwrap();
    assert_eq!((pct.ctype(), pct.subtype()), ("text", Some("csv")));
    let body = String::from_utf8(part.contents().to_vec()).unwrap();
    assert_eq!(csv_rows(&body).len(), alerts.len());
    assert!(body.contains("\r\n"), "RFC 4180 line ends");
}
