//! The `feed` source format on real feeds (tests/fixtures/feeds: byte-for-byte copies of the
//! feeds in shared/data/feeds, see its SOURCES.md) and on a few small constructed documents for
//! what no real capture shows (relative links, items with neither guid nor link, non-feeds).

use watchkeeper::domain::entry::{FeedItem, FeedSnapshot};
use watchkeeper::sources::feed::parse_feed;
use watchkeeper::sources::{format_for, Body, FormatOptions, ParseError, Parsed};

const FEED_URL: &str = "https://feeds.example.net/news/rss.xml";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/feeds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn body(bytes: Vec<u8>, content_type: Option<&str>) -> Body {
    Body {
        resource: String::new(),
        url: FEED_URL.to_string(),
        bytes,
        content_type: content_type.map(str::to_string),
    }
}

fn parse_bytes(bytes: &[u8]) -> Result<FeedSnapshot, ParseError> {
    parse_feed(&body(bytes.to_vec(), None))
}

fn parse(name: &str) -> FeedSnapshot {
    parse_bytes(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Items counted as plain text, independently of the parser: `<item>`/`<item ...>` and
/// `<entry>`/`<entry ...>` tags (RSS 1.0's `<items>` list is not an item).
fn count_item_tags(bytes: &[u8]) -> usize {
    ["<item>", "<item ", "<entry>", "<entry "]
        .iter()
        .map(|tag| {
            bytes
                .windows(tag.len())
                .filter(|w| w == &tag.as_bytes())
                .count()
        })
        .sum()
}

const REAL_FEEDS: &[&str] = &[
    "atom_example_reddit.xml",
    "atom_mediarss_reddit_1.xml",
    "atom_scattered.xml",
    "rss_0.91_spec_1.xml",
    "rss_1.0_biorxiv.xml",
    "rss_1.0_debian.xml",
    "rss_1.0_iso8859.xml",
    "rss_2.0_bbc.xml",
    "rss_2.0_cloudflare.xml",
    "rss_2.0_encoding_1.xml",
    "rss_2.0_ilgiornale.xml",
    "rss_2.0_ilmessaggero.xml",
    "rss_2.0_nbcny.xml",
    "rss_2.0_relurl_1.xml",
    "rss_2.0_spiegel.xml",
    "ru-koi8-r.xml",
    "ru-windows-1251.xml",
];

#[test]
fn every_real_feed_parses_with_the_items_it_holds() {
    for name in REAL_FEEDS {
        let bytes = fixture(name);
        let feed = parse(name);
        let expected = count_item_tags(&bytes);
        assert!(expected > 0, "{name}: no item tag found by the test itself");
        assert_eq!(feed.items.len(), expected, "{name}");
        assert!(
            feed.title.as_deref().is_some_and(|t| !t.is_empty()),
            "{name}"
        );
        for item in &feed.items {
            assert!(!item.id.is_empty(), "{name}: item without id: {item:?}");
            assert!(!item.title.is_empty(), "{name}: item without title");
            let link = item
                .link
                .as_deref()
                .unwrap_or_else(|| panic!("{name}: no link"));
            assert!(link.starts_with("http"), "{name}: {link}");
        }
    }
}

#[test]
fn the_format_is_reachable_through_its_config_kind() {
    let format = format_for("feed", &FormatOptions::default()).expect("kind feed");
    assert_eq!(format.kind(), "feed");
    let parsed = format
        .parse(&[body(fixture("rss_2.0_bbc.xml"), None)])
        .expect("BBC feed");
    let Parsed::Feed(feed) = parsed else {
        panic!("a feed must parse into Parsed::Feed");
    };
    assert_eq!(feed.title.as_deref(), Some("In Our Time"));
}

fn first(name: &str) -> FeedItem {
    parse(name).items.into_iter().next().expect("one item")
}

#[test]
fn rss_2_items_carry_title_link_guid_and_date() {
    let bbc = first("rss_2.0_bbc.xml");
    assert_eq!(bbc.title, "Marcus Aurelius");
    assert_eq!(bbc.id, "urn:bbc:podcast:m000sjxt");
    assert_eq!(
        bbc.link.as_deref(),
        Some("http://www.bbc.co.uk/programmes/m000sjxt")
    );
    assert_eq!(bbc.published.as_deref(), Some("2021-02-25T10:15:00Z"));

    let cloudflare = first("rss_2.0_cloudflare.xml");
    assert_eq!(
        cloudflare.title,
        "Privacy-Preserving Compromised Credential Checking"
    );
    assert_eq!(cloudflare.id, "6166e7e065133e02a961145d");
    assert_eq!(
        cloudflare.published.as_deref(),
        Some("2021-10-14T12:59:53Z")
    );

    let spiegel = parse("rss_2.0_spiegel.xml");
    assert_eq!(
        spiegel.title.as_deref(),
        Some("SPIEGEL Update – Die Nachrichten")
    );
    assert!(spiegel.items[0]
        .title
        .starts_with("07.02. – die Wochenvorschau"));
}

#[test]
fn atom_entries_carry_id_alternate_link_and_date() {
    let reddit = parse("atom_mediarss_reddit_1.xml");
    assert_eq!(
        reddit.title.as_deref(),
        Some("newest submissions : homelab")
    );
    let entry = &reddit.items[0];
    assert_eq!(entry.id, "t3_157kyrd");
    assert_eq!(
        entry.title,
        "Any reason to keep 1G connections to my servers?"
    );
    assert_eq!(
        entry.link.as_deref(),
        Some("https://ud.reddit.com/r/homelab/comments/157kyrd/any_reason_to_keep_1g_connections_to_my_servers/")
    );
    assert_eq!(entry.published.as_deref(), Some("2023-07-23T17:38:30Z"));
    // The entry has content and no summary: its HTML content reduced to text, kept as content.
    assert!(entry
        .content
        .starts_with("Hello all, I recently acquired a 40G switch"));
    assert!(!entry.content.contains('<'), "{}", entry.content);
    assert_eq!(entry.summary, "");

    // A blank line before the XML declaration is tolerated.
    let scattered = first("atom_scattered.xml");
    assert_eq!(scattered.id, "https://www.scattered-thoughts.net/log/0042/");
    assert_eq!(scattered.published.as_deref(), Some("2023-12-01T00:00:00Z"));
}

#[test]
fn rss_1_rdf_items_are_read() {
    let debian = first("rss_1.0_debian.xml");
    assert_eq!(debian.title, "Updated Debian 11: 11.6 released");
    assert_eq!(
        debian.link.as_deref(),
        Some("https://www.debian.org/News/2022/20221217")
    );
    assert_eq!(debian.published.as_deref(), Some("2022-12-17T00:00:00Z"));
    // `<q>bullseye</q>` inside the description: the tag goes, the word stays.
    assert!(
        debian.summary.contains("(codename bullseye)"),
        "{}",
        debian.summary
    );

    let biorxiv = first("rss_1.0_biorxiv.xml");
    assert!(biorxiv
        .title
        .starts_with("Complete genome of the Medicago anthracnose fungus"));
}

#[test]
fn windows_1251_and_koi8_r_feeds_give_cyrillic_text() {
    for (name, feed_title) in [
        ("ru-windows-1251.xml", "Новости (windows-1251)"),
        ("ru-koi8-r.xml", "Новости (KOI8-R)"),
    ] {
        let feed = parse(name);
        assert_eq!(feed.title.as_deref(), Some(feed_title), "{name}");
        let items = &feed.items;
        assert_eq!(items[0].title, "Джон Коул жмет руку Лукашенко", "{name}");
        assert_eq!(
            items[0].summary,
            "Посол Венесуэлы в России снова посетил Минск; Александр Лукашенко ждёт визита Николаса Мадуро.",
            "{name}"
        );
        assert_eq!(items[0].published.as_deref(), Some("2025-12-10T15:00:00Z"));
        // «» are bytes in windows-1251 and character references in KOI8-R; `C&amp;#225;rtel`
        // is a character reference escaped once more inside escaped HTML.
        assert!(
            items[2]
                .summary
                .contains("«Картелем солнц» (Cártel de los Soles)"),
            "{name}: {}",
            items[2].summary
        );
    }
}

#[test]
fn http_charset_is_honoured_and_a_wrong_one_gives_way_to_the_declaration() {
    let bytes = fixture("ru-koi8-r.xml");
    let right = parse_feed(&body(
        bytes.clone(),
        Some("application/rss+xml; charset=KOI8-R"),
    ));
    assert_eq!(
        right.unwrap().items[0].title,
        "Джон Коул жмет руку Лукашенко"
    );
    // Servers that label everything UTF-8: KOI8-R bytes are not UTF-8, the declaration wins.
    let wrong = parse_feed(&body(bytes, Some("text/xml; charset=utf-8")));
    assert_eq!(
        wrong.unwrap().items[0].title,
        "Джон Коул жмет руку Лукашенко"
    );
}

#[test]
fn iso_8859_1_feeds_give_accented_letters() {
    let golem = parse("rss_1.0_iso8859.xml");
    assert_eq!(
        golem.items[0].title,
        "Digitalministerium: Neue Glasfaserförderung mit Schnellkasse"
    );
    assert!(golem.items[0]
        .summary
        .starts_with("Ab April soll es wieder Förderung"));

    let inovacao = parse("rss_2.0_encoding_1.xml");
    assert_eq!(
        inovacao.title.as_deref(),
        Some("RSS Feed do Site Inovação Tecnológica")
    );
    assert_eq!(
        inovacao.items[0].title,
        "Revolução nas telas com pontos quânticos impressos em 3D"
    );
    // `&amp;` in the link is the XML escape of a plain `&`.
    assert!(inovacao.items[0]
        .link
        .as_deref()
        .unwrap()
        .ends_with("impressos-3d&id=010150200813"));
}

#[test]
fn html_in_descriptions_becomes_text() {
    // Escaped HTML with links and a tracking image.
    let golem = first("rss_1.0_iso8859.xml");
    assert!(golem
        .summary
        .ends_with("Das Bundesdigitalministerium will es diesmal besser machen. (Infrastruktur, Glasfaser)"),
        "{}", golem.summary);
    // Unescaped HTML elements inside <description> (mixed content) keep all their words.
    let relurl = first("rss_2.0_relurl_1.xml");
    assert_eq!(
        relurl.summary,
        "Everyone wants good compression. But what exactly is good compression? Time for a closer look."
    );
    // HTML in CDATA, with a <div> holding an image before the text.
    let inovacao = first("rss_2.0_encoding_1.xml");
    assert!(
        inovacao
            .summary
            .starts_with("A nova tecnologia permitiu criar"),
        "{}",
        inovacao.summary
    );
    for name in REAL_FEEDS {
        for item in parse(name).items {
            for text in [&item.title, &item.summary] {
                for tag in [
                    "<p>", "<br", "<a ", "<img", "<div", "</", "&lt;", "&amp;", "&#",
                ] {
                    assert!(!text.contains(tag), "{name}: {tag} left in {text:?}");
                }
            }
        }
    }
}

#[test]
fn absolute_links_stay_and_xml_base_is_applied() {
    let feed = parse("rss_2.0_relurl_1.xml");
    let links: Vec<_> = feed
        .items
        .iter()
        .filter_map(|i| i.link.as_deref())
        .collect();
    assert_eq!(
        links,
        [
            "https://insanity.industries/post/pareto-optimal-compression/",
            "https://insanity.industries/post/pacman-tracking-leftover-packages/"
        ]
    );
}

/// Constructed: no real capture has relative links.
#[test]
fn relative_links_become_absolute() {
    let rss = br#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title><link>https://site.example/blog/</link>
<item><title>A</title><link>posts/a.html</link></item>
<item xml:base="https://other.example/x/"><title>B</title><link>../b.html</link></item>
<item><title>C</title><link>/c</link></item>
</channel></rss>"#;
    let feed = parse_bytes(rss).unwrap();
    let links: Vec<_> = feed
        .items
        .iter()
        .filter_map(|i| i.link.as_deref())
        .collect();
    assert_eq!(
        links,
        [
            "https://site.example/blog/posts/a.html",
            "https://other.example/b.html",
            "https://site.example/c"
        ]
    );

    let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example/feeds/">
<title>T</title>
<entry><id>urn:1</id><title>A</title><link rel="self" href="self.xml"/><link href="../entries/1"/></entry>
</feed>"#;
    let feed = parse_bytes(atom).unwrap();
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("https://atom.example/entries/1")
    );

    // No xml:base and no feed link: the document's own URL is the base.
    let bare = b"<rss version=\"2.0\"><channel><title>T</title><item><title>A</title><link>a/1</link></item></channel></rss>";
    let feed = parse_bytes(bare).unwrap();
    assert_eq!(
        feed.items[0].link.as_deref(),
        Some("https://feeds.example.net/news/a/1")
    );
}

#[test]
fn items_without_guid_get_stable_ids() {
    // Real: RSS 0.91 items have no guid, their link is their id.
    let first_parse = parse("rss_0.91_spec_1.xml");
    let ids: Vec<_> = first_parse.items.iter().map(|i| i.id.clone()).collect();
    assert_eq!(
        ids,
        [
            "http://writetheweb.com/read.php?item=24",
            "http://writetheweb.com/read.php?item=23"
        ]
    );
    // Constructed: neither guid nor link, so a hash of the text.
    let doc = b"<rss version=\"2.0\"><channel><title>T</title>\
        <item><title>One</title><description>First &lt;b&gt;story&lt;/b&gt;</description></item>\
        <item><title>Two</title><description>Second story</description></item>\
        </channel></rss>";
    let a = parse_bytes(doc).unwrap();
    let b = parse_bytes(doc).unwrap();
    let ids_a: Vec<_> = a.items.iter().map(|i| i.id.as_str()).collect();
    let ids_b: Vec<_> = b.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids_a, ids_b);
    assert_ne!(ids_a[0], ids_a[1]);
    assert!(ids_a
        .iter()
        .all(|id| id.starts_with("sha256:") && id.len() == 7 + 64));
    assert_eq!(a.items[0].summary, "First story");
}

#[test]
fn atom_text_types_are_respected() {
    let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Feed</title>
<entry><id>e1</id><title type="text">Use &lt;b&gt; for bold</title>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One &amp; two</p><p>three</p></div></content></entry>
</feed>"#;
    let item = &parse_bytes(doc).unwrap().items[0];
    // type="text": the escaped tag is literal text, not markup.
    assert_eq!(item.title, "Use <b> for bold");
    assert_eq!(item.content, "One & two\nthree");
}

#[test]
fn an_html_page_is_refused_as_wrong_format() {
    let page =
        b"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>News</title></head>\
        <body><p>Hello<br></body></html>";
    let err = parse_bytes(page).unwrap_err();
    assert!(matches!(err, ParseError::WrongFormat { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(FEED_URL) && message.contains("HTML"),
        "{message}"
    );
}

#[test]
fn json_empty_and_other_xml_are_refused_as_wrong_format() {
    for doc in [
        &b"{\"version\": \"https://jsonfeed.org/version/1\", \"items\": []}"[..],
        b"",
        b"  \n ",
        b"<?xml version=\"1.0\"?><CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>",
        b"Service unavailable",
    ] {
        let err = parse_bytes(doc).unwrap_err();
        assert!(
            matches!(err, ParseError::WrongFormat { .. }),
            "{:?}: {err:?}",
            String::from_utf8_lossy(doc)
        );
        assert!(err.to_string().contains(FEED_URL));
    }
}

#[test]
fn a_truncated_feed_is_malformed_with_its_position() {
    // Real: a Reuters feed that stops inside <channel> (the server hit an exception).
    let bytes = fixture("rss_2.0_invalid_1.xml");
    let last_line = bytes.split(|b| *b == b'\n').count();
    match parse_bytes(&bytes).unwrap_err() {
        ParseError::Malformed {
            url,
            location,
            message,
        } => {
            assert_eq!(url, FEED_URL);
            assert!(
                location.starts_with(&format!("line {last_line},")),
                "{location}"
            );
            assert!(message.contains("channel"), "{message}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn broken_xml_is_malformed_with_its_line() {
    let doc = b"<rss version=\"2.0\">\n<channel>\n<title>T</title>\n<item><title>A</item>\n</channel></rss>";
    match parse_bytes(doc).unwrap_err() {
        ParseError::Malformed { location, .. } => {
            assert!(location.starts_with("line 4,"), "{location}")
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The whole item: title, summary and content apart, each matched, the alert quoting the match.

use std::collections::HashSet;

use watchkeeper::domain::alert::{ListRef, Quote};
use watchkeeper::domain::watch::{WatchItem, WatchKind};
use watchkeeper::email::render;
use watchkeeper::matching::Matcher;
use watchkeeper::plan::{plan_feed, PlanContext};

fn watch(kind: WatchKind, name: &str, aliases: &[&str]) -> WatchItem {
    let mut item = WatchItem::query(kind, name);
    item.id = format!("{kind:?}:{name}");
    item.aliases = aliases.iter().map(|a| a.to_string()).collect();
    item
}

fn news_ctx() -> PlanContext {
    PlanContext {
        list: ListRef {
            source: "news".into(),
            publisher: None,
            list_title: None,
            published: None,
        },
        now: "2026-12-01T12:00:00Z".into(),
        max_removed_share: 0.25,
    }
}

/// The `mentioned` alerts a feed raises for a watchlist: (watch item name, quote).
fn mentions(feed: FeedSnapshot, items: Vec<WatchItem>) -> Vec<(String, Quote)> {
    let matcher = Matcher::new(items, 0.85);
    let plan = plan_feed(&HashSet::new(), feed, &matcher, &news_ctx());
    plan.alerts
        .iter()
        .map(|a| {
            let q = a
                .alert
                .quote
                .clone()
                .expect("a mention quotes its sentence");
            (a.alert.watch_item.clone(), q)
        })
        .collect()
}

#[test]
fn names_only_in_content_encoded_raise_mentions() {
    // The real Cloudflare blog item: a one-line teaser in <description>, the article in
    // <content:encoded>. Troy Hunt and "Have I Been Pwned" occur only in the article.
    let feed = parse("rss_2.0_cloudflare.xml");
    let item = &feed.items[0];
    assert!(item.summary.starts_with("Announcing a public demo"));
    assert!(!item.summary.contains("Troy Hunt"));
    assert!(item
        .content
        .contains("a nod to Troy Hunt’s “Have I Been Pwned”"));
    assert!(!item.content.contains('<'), "HTML reduced to text");
    let watchlist = vec![
        watch(WatchKind::Person, "Troy Hunt", &[]),
        watch(WatchKind::Keyword, "credential stuffing", &[]),
        watch(WatchKind::Person, "Nicolás Maduro Moros", &[]),
    ];
    let found = mentions(feed.clone(), watchlist.clone());
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Troy Hunt", "credential stuffing"], "{found:?}");
    let (_, troy) = &found[0];
    assert_eq!(troy.place, "content");
    assert_eq!(troy.matched, "Troy Hunt");
    // the sentence around it, not the start of the article
    assert!(
        troy.before.ends_with("(“Might I Get Pwned”, a nod to "),
        "{troy:?}"
    );
    assert!(
        troy.after.starts_with("’s “Have I Been Pwned”)."),
        "{troy:?}"
    );

    // the email says where and marks the words
    let matcher = Matcher::new(watchlist, 0.85);
    let plan = plan_feed(&HashSet::new(), feed, &matcher, &news_ctx());
    let msg = render::single(&plan.alerts[0].alert, vec!["c@example.org".into()]);
    assert!(msg.html.contains("<mark>Troy Hunt</mark>"), "{}", msg.html);
    assert!(msg.text.contains("Found in:      content"), "{}", msg.text);
    assert!(msg.text.contains("a nod to Troy Hunt"), "{}", msg.text);
}

#[test]
fn atom_summary_and_content_are_both_kept_and_matched() {
    // The real Akamai blog entry: an Atom <summary> and an HTML <content>, different texts.
    let feed = parse("atom_example_3.xml");
    let item = &feed.items[0];
    assert!(item
        .summary
        .starts_with("Now, there are many reasons to isolate"));
    assert!(item
        .content
        .starts_with("We all heed the gospel of patching"));
    let found = mentions(
        feed,
        vec![
            watch(WatchKind::Keyword, "moats and castles", &[]),
            watch(WatchKind::Keyword, "cutting-edge disruptors", &[]),
            watch(WatchKind::Keyword, "transfer risk", &[]),
        ],
    );
    let places: Vec<(&str, &str)> = found
        .iter()
        .map(|(n, q)| (n.as_str(), q.place.as_str()))
        .collect();
    assert_eq!(
        places,
        [
            ("moats and castles", "summary"),
            ("cutting-edge disruptors", "content"),
            ("transfer risk", "title"),
        ]
    );
    let (_, moats) = &found[0];
    assert_eq!(moats.matched, "moats and castles");
    assert_eq!(moats.before, "At this point, I think we all agree that ");
    assert_eq!(moats.after, " belong in the past.");
}

#[test]
fn teasers_from_other_namespaces_are_read() {
    // YouTube: the only text is <media:description> inside <media:group>.
    let yt = first("atom_mediarss_youtube_1.xml");
    assert!(
        yt.summary.starts_with("Check Out Weathered on PBS Terra"),
        "{yt:?}"
    );
    // RSS 1.0 with Dublin Core: <dc:description> where <description> is missing.
    let items = parse("rss_1.0_spec_2.xml").items;
    assert!(items.iter().all(|i| !i.summary.is_empty()), "{items:?}");
    // A podcast whose article repeats its teaser keeps one copy.
    let spiegel = first("rss_2.0_spiegel.xml");
    assert!(spiegel.summary.starts_with("Die wichtigsten Nachrichten"));
    assert!(spiegel.content.is_empty() || spiegel.content != spiegel.summary);
}

#[test]
fn base64_xhtml_body_and_rss_items_in_an_atom_document() {
    // No real feed at hand shows these three; the documents below are the smallest that do.
    let atom03 = br#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title>
<entry><id>e1</id><title>One</title>
<content type="text/html" mode="base64">PHA+VGhlIHRhbmtlciA8Yj5BcnRhdmlsPC9iPiB3YXMgc2VpemVkLjwvcD4=</content>
<summary type="text/plain" mode="escaped">Seized &amp;lt;tanker&amp;gt;</summary></entry></feed>"#;
    let item = &parse_bytes(atom03).unwrap().items[0];
    assert_eq!(item.content, "The tanker Artavil was seized.");
    assert_eq!(item.summary, "Seized <tanker>");

    let xhtml = br#"<rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml"><channel><title>T</title>
<item><title>One</title><link>https://example.org/1</link><description>Short.</description>
<xhtml:body><xhtml:p>The whole <xhtml:b>article</xhtml:b>.</xhtml:p></xhtml:body></item></channel></rss>"#;
    let item = &parse_bytes(xhtml).unwrap().items[0];
    assert_eq!(item.summary, "Short.");
    assert_eq!(item.content, "The whole article.");

    let mixed = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Mixed</title>
<item><title>An RSS item</title><link>https://example.org/a</link><description>Text</description></item>
<entry><id>e2</id><title>An entry</title><link href="https://example.org/b"/></entry></feed>"#;
    let feed = parse_bytes(mixed).unwrap();
    let got: Vec<(&str, Option<&str>, &str)> = feed
        .items
        .iter()
        .map(|i| (i.title.as_str(), i.link.as_deref(), i.summary.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("An RSS item", Some("https://example.org/a"), "Text"),
            ("An entry", Some("https://example.org/b"), "")
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Encodings.

#[test]
fn a_koi8_r_feed_without_its_declaration_is_detected() {
    let bytes = fixture("ru-koi8-r.xml");
    let text = String::from_utf8_lossy(&bytes);
    let declaration = text.lines().next().unwrap();
    assert!(declaration.contains("KOI8-R"), "{declaration}");
    let undeclared = &bytes[declaration.len() + 1..];
    let feed = parse_bytes(undeclared).unwrap();
    assert_eq!(feed.title.as_deref(), Some("Новости (KOI8-R)"));
    assert_eq!(feed.items[0].title, "Джон Коул жмет руку Лукашенко");
    assert_eq!(feed.warnings.len(), 1, "{:?}", feed.warnings);
    // chardetng names KOI8-U, which is KOI8-R plus a few Ukrainian letters: the same text
    assert!(feed.warnings[0].contains("KOI8"), "{:?}", feed.warnings);
    // declared, it needs no warning
    assert!(parse("ru-koi8-r.xml").warnings.is_empty());
}

#[test]
fn unknown_labels_are_normalised_and_garbage_is_warned_about() {
    // The real windows-1251 feed, declared with the underscore spelling some servers use.
    let mut bytes = fixture("ru-windows-1251.xml");
    let label = bytes
        .windows(12)
        .position(|w| w == b"windows-1251")
        .unwrap();
    bytes[label + 7] = b'_';
    let feed = parse_bytes(&bytes).unwrap();
    assert!(feed.items[0].title.contains("Лукашенко"));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);

    // The real UTF-8 Spiegel feed with one byte broken: one U+FFFD, said once.
    let mut bytes = fixture("rss_2.0_spiegel.xml");
    let at = bytes.windows(2).position(|w| w == "ä".as_bytes()).unwrap();
    bytes[at + 1] = b'!';
    let feed = parse_bytes(&bytes).unwrap();
    assert_eq!(feed.warnings.len(), 1, "{:?}", feed.warnings);
    assert!(feed.warnings[0].contains("U+FFFD"), "{:?}", feed.warnings);
    assert!(feed.warnings[0].contains(FEED_URL), "{:?}", feed.warnings);
}

// ---------------------------------------------------------------------------------------------
// Recovery: a feed that breaks late keeps its complete items.

#[test]
fn a_feed_cut_before_its_last_closing_tag_keeps_its_complete_items() {
    let bytes = fixture("atom_mediarss_reddit_1.xml");
    let whole = parse_bytes(&bytes).unwrap();
    assert_eq!(whole.items.len(), 25);
    let end = bytes.iter().rposition(|b| *b == b'>').unwrap();

    // the final '>' missing
    let feed = parse_bytes(&bytes[..end]).unwrap();
    assert_eq!(feed.items, whole.items);
    assert_eq!(feed.warnings.len(), 1);
    assert!(
        feed.warnings[0].contains("25 item(s)"),
        "{:?}",
        feed.warnings
    );

    // cut inside the last entry: the 24 before it are kept, whole
    let last_entry = bytes.windows(7).rposition(|w| w == b"<entry>").unwrap();
    let feed = parse_bytes(&bytes[..last_entry + 200]).unwrap();
    assert_eq!(feed.items[..], whole.items[..24]);
    assert!(feed.warnings[0].contains("line "), "{:?}", feed.warnings);

    // cut inside a CDATA section (the real relurl feed, inside its second item's article)
    let rel = fixture("rss_2.0_relurl_1.xml");
    let whole = parse_bytes(&rel).unwrap();
    assert_eq!(whole.items.len(), 2);
    let second = rel.windows(6).rposition(|w| w == b"<item ").unwrap();
    let cdata = second
        + rel[second..]
            .windows(9)
            .position(|w| w == b"<![CDATA[")
            .unwrap();
    let feed = parse_bytes(&rel[..cdata + 20]).unwrap();
    assert_eq!(feed.items[..], whole.items[..1]);
    assert_eq!(feed.warnings.len(), 1, "{:?}", feed.warnings);
    assert!(feed.warnings[0].contains("CDATA"), "{:?}", feed.warnings);

    // nothing complete before the break: still an error, as before
    let first_entry = bytes.windows(7).position(|w| w == b"<entry>").unwrap();
    assert!(parse_bytes(&bytes[..first_entry + 100]).is_err());
}

#[test]
fn a_cut_feed_cycle_succeeds_alerts_on_its_items_and_shows_the_break_in_status() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = fixture("atom_mediarss_reddit_1.xml");
    let end = bytes.iter().rposition(|b| *b == b'>').unwrap();
    std::fs::write(dir.path().join("feed.xml"), &bytes[..end]).unwrap();
    std::fs::write(
        dir.path().join("watchkeeper.toml"),
        r#"[daemon]
database = "state.db"
watchlist = "watchlist.toml"

[[source]]
name = "homelab"
kind = "feed"
url = "file:feed.xml"
schedule = "0 */10 * * * *"

[email]
transport = "file"
path = "outbox"
from = "watchkeeper <alerts@example.org>"
to = ["compliance@example.org"]
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("watchlist.toml"),
        "[[keyword]]\nphrase = \"40G switch\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_watchkeeper"))
            .args(args)
            .arg("--config")
            .arg(dir.path().join("watchkeeper.toml"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        (out.status.success(), stdout, stderr)
    };
    let (ok, _, stderr) = run(&["once"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("the 25 item(s) complete"),
        "logged: {stderr}"
    );
    let (_, alerts, _) = run(&["alerts", "--json"]);
    let alerts: serde_json::Value = serde_json::from_str(&alerts).unwrap();
    assert_eq!(alerts["alerts"].as_array().unwrap().len(), 1, "{alerts}");
    let (_, status, _) = run(&["status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let source = &status["sources"][0];
    assert_eq!(source["entries"], 25, "{status}");
    assert!(source["last_success"].is_string(), "{status}");
    let error = source["last_error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("warning: ")
            && error.contains("`>` not found")
            && error.contains("the 25 item(s) complete before the break"),
        "{status}"
    );
}

// ---------------------------------------------------------------------------------------------
// A surname is not a person.

/// The real windows-1251 item: title "Джон Коул жмет руку Лукашенко", summary "Посол
/// Венесуэлы в России снова посетил Минск; Александр Лукашенко ждёт визита Николаса Мадуро."
fn father_item() -> FeedSnapshot {
    let mut feed = parse("ru-windows-1251.xml");
    feed.items.truncate(1);
    assert!(feed.items[0]
        .summary
        .contains("Александр Лукашенко ждёт визита Николаса Мадуро"));
    feed
}

/// The same real item with the son named where the text names the father, and the son of
/// Maduro where it names Maduro (the only change).
fn son_item() -> FeedSnapshot {
    let mut feed = father_item();
    let item = &mut feed.items[0];
    item.id.push_str("#son");
    item.title = item.title.replace("Лукашенко", "Виктору Лукашенко");
    item.summary = item
        .summary
        .replace("Александр Лукашенко", "Виктор Лукашенко")
        .replace("Николаса Мадуро", "Николаса Мадуро Герры");
    feed
}

fn mentioned(feed: FeedSnapshot, watchlist: &[WatchItem]) -> Vec<String> {
    mentions(feed, watchlist.to_vec())
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

#[test]
fn the_sons_watch_item_is_silent_on_the_father_and_fires_on_the_son() {
    let son = watch(WatchKind::Person, "Viktar Lukashenka", &[]);
    assert!(
        mentioned(father_item(), std::slice::from_ref(&son)).is_empty(),
        "the title's bare 'Лукашенко' is the father the summary names"
    );
    let found = mentions(son_item(), vec![son.clone()]);
    assert_eq!(found.len(), 1, "{found:?}");
    // the title, "Джон Коул жмет руку Виктору Лукашенко", comes first
    assert_eq!(found[0].1.place, "title");
    assert_eq!(found[0].1.matched, "Виктору Лукашенко");

    // the father's own item still fires on the father
    let father = watch(WatchKind::Person, "Alexander Lukashenko", &[]);
    assert_eq!(
        mentioned(father_item(), &[father, son]),
        ["Alexander Lukashenko"]
    );
}

#[test]
fn maduros_son_and_wife_are_not_the_father() {
    // As in config/watchlist.toml: the father, with his Russian spelling as an alias.
    let father = watch(
        WatchKind::Person,
        "Nicolás Maduro Moros",
        &["Николас Мадуро"],
    );
    let son = watch(WatchKind::Person, "Nicolas Maduro Guerra", &[]);
    let wife = watch(WatchKind::Person, "Cilia Flores de Maduro", &[]);
    let all = [father.clone(), son.clone(), wife.clone()];
    assert_eq!(mentioned(father_item(), &all), ["Nicolás Maduro Moros"]);
    // the wife is silent even without the father on the watchlist: "Николаса" is not Cilia
    assert!(mentioned(father_item(), &[wife]).is_empty());
    // the son is named in full in the other article
    let found = mentioned(son_item(), &all);
    assert!(
        found.contains(&"Nicolas Maduro Guerra".to_string()),
        "{found:?}"
    );
}

#[test]
fn a_surname_alone_scores_lower_and_says_so() {
    // the real title "Джон Коул жмет руку Лукашенко" with the summary left out
    let mut feed = father_item();
    feed.items[0].summary.clear();
    let matcher = Matcher::new(
        vec![watch(WatchKind::Person, "Alexander Lukashenko", &[])],
        0.85,
    );
    let hits = matcher.match_feed_item("news", &feed.items[0]);
    assert_eq!(hits.len(), 1);
    let (_, m) = &hits[0];
    assert!(m.score < 0.95 && m.score >= 0.85, "{m:?}");
    assert!(m.why.contains("found alone in title"), "{}", m.why);
    assert!(m.why.contains("another person"), "{}", m.why);
}

#[test]
fn russian_keywords_match_their_inflections() {
    // The real KOI8-R item 2: "Танкер, находящийся под санкциями, задержан…"
    let feed = parse("ru-koi8-r.xml");
    assert!(feed.items[1].summary.contains("под санкциями"));
    let found = mentions(
        feed,
        vec![
            watch(WatchKind::Keyword, "санкции", &[]),
            watch(WatchKind::Keyword, "танкер", &[]),
        ],
    );
    let got: Vec<(&str, &str)> = found
        .iter()
        .map(|(n, q)| (n.as_str(), q.matched.as_str()))
        .collect();
    assert!(got.contains(&("санкции", "санкциями")), "{got:?}");
    assert!(got.contains(&("танкер", "танкер")), "{got:?}");
}

#[test]
fn names_in_arabic_script_are_found_in_text() {
    // No real Arabic-script feed is at hand: the real item's title replaced by a sentence
    // ("Nicolás Maduro received the ambassador") as Arabic-language news writes the name.
    let watchlist = [watch(WatchKind::Person, "Nicolas Maduro", &[])];
    let mut feed = father_item();
    feed.items[0].title = "استقبل نيكولاس مادورو السفير".into();
    feed.items[0].summary.clear();
    let found = mentions(feed, watchlist.to_vec());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1.matched, "نيكولاس مادورو");
}

// ---------------------------------------------------------------------------------------------
// Content-Encoding.

#[tokio::test]
async fn deflate_and_gzip_encoded_feeds_are_decoded() {
    use std::io::Write;
    use watchkeeper::config::SourceConfig;
    use watchkeeper::fetch::{FetchOutcome, Fetcher, Validators};

    let plain = fixture("rss_2.0_cloudflare.xml");
    let mut deflate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    deflate.write_all(&plain).unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(&plain).unwrap();
    let server = wiremock::MockServer::start().await;
    for (name, body) in [
        ("deflate", deflate.finish().unwrap()),
        ("gzip", gzip.finish().unwrap()),
    ] {
        wiremock::Mock::given(wiremock::matchers::path(format!("/{name}.xml")))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .insert_header("content-encoding", name)
                    .insert_header("content-type", "application/rss+xml")
                    .set_body_bytes(body),
            )
            .mount(&server)
            .await;
    }
    let expected = parse("rss_2.0_cloudflare.xml").items;
    for name in ["deflate", "gzip"] {
        let src = SourceConfig::new("news", "feed", &format!("{}/{name}.xml", server.uri()));
        let outcome = Fetcher::new()
            .fetch(&src, &[], &Validators::new())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let FetchOutcome::Fetched { bodies, .. } = outcome else {
            panic!("{name}: not fetched");
        };
        assert_eq!(bodies[0].bytes, plain, "{name}");
        let feed = parse_feed(&bodies[0]).unwrap();
        assert_eq!(feed.items.len(), expected.len(), "{name}");
        assert_eq!(feed.items[0].content, expected[0].content, "{name}");
    }
}

#[test]
fn an_atom_entry_document_is_a_feed_of_one_entry() {
    // feed-rs's real Atom Entry Document (root <entry>, RFC 4287 §4.1.2)
    let feed = parse("atom_entry_1.xml");
    assert_eq!(feed.items.len(), 1);
    let item = &feed.items[0];
    assert_eq!(item.title, "Specifications");
    assert!(item
        .summary
        .starts_with("This Atom Entry XML Doc publishes"));
    assert!(item.content.starts_with("1) Pixels 12.3 million"));
}

#[test]
fn a_watch_alias_in_arabic_script_finds_latin_text() {
    // The real Cloudflare item names "Troy Hunt"; the watch item gives only his name in Arabic
    // script (as a watchlist built from an Arabic-language source would).
    let feed = parse("rss_2.0_cloudflare.xml");
    let found = mentions(feed, vec![watch(WatchKind::Person, "تروي هانت", &[])]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1.matched, "Troy Hunt");
}
