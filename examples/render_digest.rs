//! Renders a digest of real alerts to look at: the changes between the two real OFAC SDN
//! snapshots in tests/fixtures/e2e (January 2019 rows, then July 2021 rows of the same entries):
//! three `changed`, one `listed`, one `delisted`, and a news mention from a real feed capture,
//! written as one HTML file and one text file.
//!
//!   cargo run --example render_digest -- OUT.html     # also writes OUT.txt
//!
//! Open OUT.html in a browser (or `chromium --headless --screenshot`) to check the layout.

use std::path::{Path, PathBuf};

use watchkeeper::domain::alert::{Alert, Event, ListRef, Why};
use watchkeeper::domain::changes::changed_fields;
use watchkeeper::domain::entry::Entry;
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::email::render;
use watchkeeper::sources::{format_for, local_bodies, FormatOptions, Parsed};

fn snapshot(folder: &Path) -> anyhow::Result<Vec<Entry>> {
    let format = format_for("ofac_sdn_csv", &FormatOptions::default()).expect("registered");
    match format.parse(&local_bodies(format.as_ref(), folder)?)? {
        Parsed::List(list) => Ok(list.entries),
        _ => anyhow::bail!("not a list"),
    }
}

fn find<'a>(entries: &'a [Entry], id: &str) -> &'a Entry {
    entries
        .iter()
        .find(|e| e.id == id)
        .expect("entry in fixture")
}

fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or_else(|| anyhow::anyhow!("usage: render_digest OUT.html"))?,
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let old = snapshot(&root.join("e2e/snap1"))?;
    let new = snapshot(&root.join("e2e/snap2"))?;
    let list = ListRef {
        source: "ofac-sdn".into(),
        publisher: Some("US Treasury, OFAC".into()),
        list_title: Some("OFAC SDN list".into()),
        published: Some("2021-07-01".into()),
    };
    let now = "2021-07-02T07:00:00Z";
    let version = "9f86d081884c7d659a2feaa0c55ad015";
    let alert = |event: Event, entry: &Entry, watch: &str, kind: WatchKind, why: &str| {
        let mut item = WatchItem::query(kind, watch);
        item.id = format!("wi-{}", entry.id);
        let why = Why {
            score: 1.0,
            why: why.to_string(),
        };
        Alert::for_entry(event, &list, entry, version, &item, why, now)
    };
    let mut alerts = Vec::new();
    for (id, watch, kind, why) in [
        (
            "15055",
            "Happiness I",
            WatchKind::Vessel,
            "IMO 9212905 equals the IMO number of vessel \"HAPPINESS I\"",
        ),
        (
            "15036",
            "Artavil",
            WatchKind::Vessel,
            "IMO 9187629 equals the IMO number of vessel \"ARTAVIL\"",
        ),
        (
            "22790",
            "Nicolás Maduro",
            WatchKind::Person,
            "name \"Nicolás Maduro\" ~ primary name \"MADURO MOROS, Nicolas\" (2 of 3 parts)",
        ),
    ] {
        let mut a = alert(Event::Changed, find(&new, id), watch, kind, why);
        a.changes = changed_fields(find(&old, id), find(&new, id));
        alerts.push(a);
    }
    alerts.push(alert(
        Event::Listed,
        find(&new, "26623"),
        "Urdaneta",
        WatchKind::Vessel,
        "IMO 7912111 equals the IMO number of vessel \"URDANETA\"",
    ));
    alerts.push(alert(
        Event::Delisted,
        find(&old, "7503"),
        "Shuvai Mahofa",
        WatchKind::Person,
        "name \"Shuvai Mahofa\" ~ primary name \"MAHOFA, Shuvai Ben\" (2 of 3 parts)",
    ));
    let feed = format_for("feed", &FormatOptions::default()).expect("registered");
    let path = root.join("feeds/rss_2.0_bbc.xml");
    if let Parsed::Feed(snapshot) = feed.parse(&local_bodies(feed.as_ref(), &path)?)? {
        if let Some(item) = snapshot.items.first() {
            let phrase = item
                .title
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            let watch = WatchItem::query(WatchKind::Keyword, &phrase);
            let why = Why {
                score: 1.0,
                why: format!("phrase \"{phrase}\" found in the title"),
            };
            alerts.push(Alert::for_feed_item("bbc", item, &watch, why, now));
        }
    }
    for (n, a) in alerts.iter_mut().enumerate() {
        a.id = n as i64 + 1;
    }
    let msg = render::digest(&alerts, vec!["compliance@example.org".into()]);
    std::fs::write(&out, &msg.html)?;
    std::fs::write(out.with_extension("txt"), &msg.text)?;
    println!("{}\n{} and .txt written", msg.subject, out.display());
    Ok(())
}
