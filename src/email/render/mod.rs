//! Rendering alerts into email messages: a plain-text part for terminals and a HTML part.
//!
//! Both parts come from the same intermediate form (a [`Block`] of labelled fields per alert), so
//! they always say the same thing. Everything that comes from a list or a feed is untrusted: the
//! text part drops control characters (a list could carry terminal escape sequences) and the HTML
//! part escapes every value and links only `http(s)` URLs.

pub mod attachment;
mod html;
mod remarks;
pub mod subject;
mod text;

use crate::domain::alert::{Alert, Change, Event, FieldChange, Span};
use crate::domain::entry::{Entry, FeedItem};

pub use html::html_escape;

/// One email, ready for a transport.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Files sent with the message (a capped digest's `alerts.csv`); none for most messages.
    pub attachments: Vec<Attachment>,
}

/// A file attached to a message, as text (the outbox stores it with the message, so that a
/// resend carries the same bytes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub filename: String,
    /// A MIME type, with its parameters (`text/csv; charset=utf-8`).
    pub content_type: String,
    pub body: String,
}

/// Digests list alerts and counts in this order.
const EVENT_ORDER: [Event; 7] = Event::ALL;

/// Characters of feed text shown on each side of the matched phrase.
const EXCERPT_CONTEXT: usize = 160;

/// Alerts a digest shows unless the config says otherwise (`[email] digest_limit`).
pub const DEFAULT_DIGEST_LIMIT: usize = 200;

/// [`digest_limited`] with [`DEFAULT_DIGEST_LIMIT`].
pub fn digest(alerts: &[Alert], to: Vec<String>) -> Message {
    digest_limited(alerts, to, DEFAULT_DIGEST_LIMIT)
}

/// One message for many alerts (mode `digest`): a summary table of every alert, then each
/// alert in detail, in [`EVENT_ORDER`].
///
/// Above `limit` alerts (a first load can raise thousands), the table and the details cover
/// only the `limit` most important ones, in [`rank`] order, and every alert goes into the
/// attached `alerts.csv`: an email of thousands of alerts is one no one reads, and it takes
/// long to build and to send.
pub fn digest_limited(alerts: &[Alert], to: Vec<String>, limit: usize) -> Message {
    let limit = limit.max(1);
    if alerts.len() > limit {
        return capped_digest(alerts, to, limit);
    }
    let mut sorted: Vec<&Alert> = alerts.iter().collect();
    sorted.sort_by_key(|a| event_rank(a.event));
    let subject = subject::digest(&sorted);
    let intro = format!(
        "{} alert{}: {}.",
        alerts.len(),
        if alerts.len() == 1 { "" } else { "s" },
        count_summary(alerts)
    );
    let summary = if sorted.len() > 1 {
        sorted.iter().map(|a| summary_row(a)).collect()
    } else {
        Vec::new()
    };
    let blocks: Vec<Block> = sorted.iter().map(|a| block(a)).collect();
    message(to, &subject, &intro, &summary, &blocks)
}

fn capped_digest(alerts: &[Alert], to: Vec<String>, limit: usize) -> Message {
    let ranked = rank(alerts);
    let shown = &ranked[..limit];
    let subject = subject::digest(&ranked);
    let intro = format!(
        "{} alerts: {}. {limit} of {} alerts shown, identifier matches (IMO, MMSI) first, then \
         by score; all {} are in the attached {}.",
        alerts.len(),
        count_summary(alerts),
        alerts.len(),
        alerts.len(),
        attachment::FILENAME,
    );
    let summary: Vec<Row> = shown.iter().map(|a| summary_row(a)).collect();
    let blocks: Vec<Block> = shown.iter().map(|a| block(a)).collect();
    let mut msg = message(to, &subject, &intro, &summary, &blocks);
    msg.attachments = vec![attachment::alerts_csv(&ranked, limit)];
    msg
}

/// The alerts most important first: those an identifier (IMO, MMSI) matched, then notices
/// that a source is failing or works again (they carry no score, and a reader must not miss
/// that a list went unread), then by score, highest first; among equals in [`EVENT_ORDER`],
/// then oldest first (by time, then id).
pub fn rank(alerts: &[Alert]) -> Vec<&Alert> {
    let tier = |a: &Alert| match a.event {
        _ if a.identifier_match() => 0u8,
        Event::SourceStale | Event::SourceRecovered => 1,
        _ => 2,
    };
    // the tier reads the reason's text: once per alert, not once per comparison
    let mut ranked: Vec<(u8, &Alert)> = alerts.iter().map(|a| (tier(a), a)).collect();
    ranked.sort_by(|(ta, a), (tb, b)| {
        ta.cmp(tb)
            .then(b.score.total_cmp(&a.score))
            .then(event_rank(a.event).cmp(&event_rank(b.event)))
            .then_with(|| a.created_at.cmp(&b.created_at))
            .then(a.id.cmp(&b.id))
    });
    ranked.into_iter().map(|(_, a)| a).collect()
}

/// One message for one alert (mode `each`).
pub fn single(alert: &Alert, to: Vec<String>) -> Message {
    let subject = subject::single(alert);
    let intro = format!("{}.", capitalise(event_phrase(alert.event)));
    message(to, &subject, &intro, &[], &[block(alert)])
}

/// The message of `watchkeeper test-email`.
pub fn test_message(to: Vec<String>) -> Message {
    let subject = "watchkeeper: test message";
    let intro = "This is a test message from watchkeeper. If you can read it, the configured \
                 email transport delivers alerts to this address.";
    message(to, subject, intro, &[], &[])
}

fn message(
    to: Vec<String>,
    subject: &str,
    intro: &str,
    summary: &[Row],
    blocks: &[Block],
) -> Message {
    Message {
        to,
        subject: text::clean_line(subject),
        text: text::body(intro, summary, blocks),
        html: html::body(subject, intro, summary, blocks),
        attachments: Vec::new(),
    }
}

/// "2 listed, 1 delisted, 3 mentioned": how many alerts of which event, in [`EVENT_ORDER`].
pub fn count_summary<'a>(alerts: impl IntoIterator<Item = &'a Alert>) -> String {
    let events: Vec<Event> = alerts.into_iter().map(|a| a.event).collect();
    EVENT_ORDER
        .iter()
        .filter_map(|&ev| {
            let n = events.iter().filter(|&&e| e == ev).count();
            (n > 0).then(|| format!("{n} {}", ev.as_str()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn event_rank(event: Event) -> usize {
    EVENT_ORDER.iter().position(|&e| e == event).unwrap_or(0)
}

/// The event in plain words, for people who do not know the event names.
pub fn event_phrase(event: Event) -> &'static str {
    match event {
        Event::Listed => "newly listed: a watched name appeared on a list",
        Event::Changed => "changed: a listed entry matching a watched name was modified",
        Event::Delisted => "delisted: an entry matching a watched name was removed from a list",
        Event::AlreadyListed => "already listed: a watched name matches an entry already on a list",
        Event::Mentioned => "mentioned: a new news item matches a watched name or phrase",
        Event::SourceStale => "source stale: a source has been failing for too long",
        Event::SourceRecovered => "source recovered: a failing source works again",
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One row of a digest's summary table.
struct Row {
    event: String,
    entity: String,
    identifier: String,
    list: String,
    why: String,
}

impl Row {
    const HEADERS: [&'static str; 5] = ["event", "entity", "identifier", "list", "why"];

    fn cells(&self) -> [&str; 5] {
        [
            &self.event,
            &self.entity,
            &self.identifier,
            &self.list,
            &self.why,
        ]
    }
}

fn summary_row(a: &Alert) -> Row {
    let (entity, identifier, list) = match a.event {
        Event::SourceStale | Event::SourceRecovered => {
            (a.source.clone(), String::new(), a.source.clone())
        }
        Event::Mentioned => (
            subject::shorten(&a.entry_name, 60),
            String::new(),
            a.source.clone(),
        ),
        _ => (
            a.entry_name.clone(),
            subject::identifier(a).unwrap_or_else(|| format!("id {}", a.entry_id)),
            subject::list_name(a).to_string(),
        ),
    };
    Row {
        event: a.event.as_str().to_string(),
        entity,
        identifier,
        list,
        why: subject::reason(a),
    }
}

/// What one alert shows, independent of the output format.
struct Block {
    heading: String,
    fields: Vec<Field>,
    /// For list alerts: how to silence the alert.
    silence: Option<Silence>,
}

struct Field {
    label: &'static str,
    values: Vec<Value>,
}

/// The two ways to silence a list alert, each a sentence and the line to copy: the
/// `watchkeeper dismiss` command, then the `exclude` line for the watchlist.
struct Silence {
    dismiss_sentence: String,
    dismiss: String,
    sentence: String,
    line: String,
}

enum Value {
    Text(String),
    /// A URL: linked in HTML when it is http(s).
    Link(String),
    /// Feed text with the matched part marked: (before, matched, after).
    Excerpt(String, String, String),
    /// Text with removed and added parts marked (a word-level diff).
    Marked(Vec<Piece>),
}

enum Piece {
    /// A changed field's name.
    Name(String),
    Plain(String),
    Removed(String),
    Added(String),
}

impl Piece {
    fn text(&self) -> &str {
        match self {
            Piece::Name(s) | Piece::Plain(s) | Piece::Removed(s) | Piece::Added(s) => s,
        }
    }
}

/// Pieces shown one after another, a space between them except before a punctuation mark
/// ("COMPANY{+; Linked To: X+}.").
fn join_pieces(pieces: &[Piece], show: impl Fn(&Piece) -> String) -> String {
    let mut out = String::new();
    for (n, p) in pieces.iter().enumerate() {
        if n > 0 && !crate::domain::changes::starts_with_mark(p.text()) {
            out.push(' ');
        }
        out.push_str(&show(p));
    }
    out
}

impl Block {
    fn text(&mut self, label: &'static str, value: impl Into<String>) {
        let value = value.into();
        if !value.trim().is_empty() {
            self.fields.push(Field {
                label,
                values: vec![Value::Text(value)],
            });
        }
    }

    fn list(&mut self, label: &'static str, values: impl IntoIterator<Item = String>) {
        let values: Vec<Value> = values
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .map(Value::Text)
            .collect();
        if !values.is_empty() {
            self.fields.push(Field { label, values });
        }
    }

    fn link(&mut self, label: &'static str, url: Option<&str>) {
        if let Some(url) = url.filter(|u| !u.trim().is_empty()) {
            self.fields.push(Field {
                label,
                values: vec![Value::Link(url.to_string())],
            });
        }
    }
}

fn block(alert: &Alert) -> Block {
    let mut b = Block {
        heading: subject::title(alert),
        fields: Vec::new(),
        silence: None,
    };
    match (alert.event, alert.episode) {
        (Event::Listed, Some(n)) if n > 1 => b.text(
            "Event",
            format!("listed again: back on the list after a delisting (listing #{n})"),
        ),
        _ => b.text("Event", event_phrase(alert.event)),
    }
    match alert.event {
        Event::SourceStale | Event::SourceRecovered => {
            b.text("Source", alert.source.clone());
            b.text("Details", alert.why.clone());
        }
        Event::Mentioned => {
            b.text("Source", alert.source.clone());
            b.text("Watch item", alert.watch_item.clone());
            match alert.feed_item() {
                Some(item) => feed_item_fields(&mut b, item, alert),
                None => b.text("News item", alert.entry_name.clone()),
            }
            match_fields(&mut b, alert);
        }
        _ => {
            list_fields(&mut b, alert);
            b.text("Watch item", alert.watch_item.clone());
            let changes = shown_changes(alert);
            if !changes.is_empty() {
                b.fields.push(Field {
                    label: "Changed",
                    values: changes.into_iter().map(change_value).collect(),
                });
            }
            match alert.entry() {
                Some(entry) => entry_fields(&mut b, entry),
                None => b.text(
                    "Entry",
                    format!("{} [id {}]", alert.entry_name, alert.entry_id),
                ),
            }
            match_fields(&mut b, alert);
            b.silence = alert.exclude_token().map(|token| Silence {
                dismiss_sentence: "If it is not a match, record that on the server with this \
                                   command (add --note \"why\" to keep a reason); the alert \
                                   stays silent until the entry changes:"
                    .to_string(),
                dismiss: format!("watchkeeper dismiss {}", alert.id),
                sentence: format!(
                    "To silence this alert until the entry changes, add this line to watch item \
                     \"{}\" in the watchlist (or add the quoted token to its exclude list):",
                    alert.watch_item
                ),
                line: format!("exclude = [\"{token}\"]"),
            });
        }
    }
    b.list("Also listed", alert.also_listed.iter().cloned());
    b.text("Alert", format!("#{} at {}", alert.id, alert.created_at));
    b
}

/// Which list, who publishes it, and the publication the alert comes from.
fn list_fields(b: &mut Block, alert: &Alert) {
    let list = subject::list_name(alert);
    if list == alert.source {
        b.text("List", list.to_string());
    } else {
        b.text("List", format!("{list} (source {})", alert.source));
    }
    if let Some(p) = &alert.publisher {
        b.text("Publisher", p.clone());
    }
    b.text(
        "Published",
        alert
            .source_published
            .clone()
            .unwrap_or_else(|| "(the list states no publication date)".to_string()),
    );
}

/// One changed field as one line: `programs: added: SDGT`, `vessel.flag: Panama → Iran`,
/// `remarks: … [-old words-] {+new words+} …`.
fn change_value(c: &FieldChange) -> Value {
    let name = Piece::Name(format!("{}:", subject::field_label(&c.field)));
    let rest = match &c.change {
        Change::Value => vec![Piece::Plain(format!(
            "{} → {}",
            or_none(&c.before),
            or_none(&c.after)
        ))],
        Change::Set { added, removed } => {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("added: {}", added.join("; ")));
            }
            if !removed.is_empty() {
                parts.push(format!("removed: {}", removed.join("; ")));
            }
            vec![Piece::Plain(parts.join("; "))]
        }
        Change::Words(spans) => spans
            .iter()
            .map(|s| match s {
                Span::Same(t) => Piece::Plain(t.clone()),
                Span::Elided => Piece::Plain("…".into()),
                Span::Removed(t) => Piece::Removed(t.clone()),
                Span::Added(t) => Piece::Added(t.clone()),
            })
            .collect(),
    };
    Value::Marked(std::iter::once(name).chain(rest).collect())
}

/// The changes a reader should see, most telling first: names, programs and identifiers before
/// particulars, remarks last; remarks that only restate the other changes are left out.
fn shown_changes(alert: &Alert) -> Vec<&FieldChange> {
    const ORDER: [&str; 16] = [
        "name",
        "kind",
        "programs",
        "identifiers",
        "aliases",
        "vessel.",
        "linked_to",
        "nationalities",
        "dates_of_birth",
        "places_of_birth",
        "addresses",
        "titles",
        "listed_on",
        "extra.",
        "url",
        "remarks",
    ];
    let rank = |f: &str| {
        ORDER
            .iter()
            .position(|o| f == *o || (o.ends_with('.') && f.starts_with(o)))
            .unwrap_or(ORDER.len() - 1)
    };
    let mut shown: Vec<&FieldChange> = alert.changes.iter().collect();
    shown.sort_by_key(|c| rank(&c.field));
    if shown.len() > 1 {
        let others: Vec<&FieldChange> = shown
            .iter()
            .copied()
            .filter(|c| c.field != "remarks")
            .collect();
        shown.retain(|c| {
            c.field != "remarks" || !remarks::restates_changes(c, &others, alert.entry())
        });
    }
    shown
}

fn or_none(s: &str) -> &str {
    if s.trim().is_empty() {
        "(none)"
    } else {
        s
    }
}

fn match_fields(b: &mut Block, alert: &Alert) {
    b.text("Score", format!("{:.2}", alert.score));
    b.text("Why", alert.why.clone());
}

fn entry_fields(b: &mut Block, e: &Entry) {
    b.text(
        "Entry",
        format!("{} [{}, id {}]", e.name, e.kind.as_str(), e.id),
    );
    b.list(
        "Aliases",
        e.aliases.iter().map(|a| format!("{} ({})", a.name, a.kind)),
    );
    b.list("Titles", e.titles.iter().cloned());
    let call_sign = e.vessel.as_ref().and_then(|v| v.call_sign.as_deref());
    b.list(
        "Identifiers",
        e.identifiers
            .iter()
            // The vessel's call sign is shown with its particulars.
            .filter(|i| !(i.kind == "call-sign" && Some(i.value.as_str()) == call_sign))
            .map(|i| {
                let mut s = format!("{} {}", i.kind.to_uppercase(), i.value);
                if let Some(note) = &i.note {
                    s.push_str(&format!(" ({note})"));
                }
                s
            }),
    );
    b.list("Programs", e.programs.iter().cloned());
    if let Some(v) = &e.vessel {
        let parts = [
            ("type", &v.vessel_type),
            ("flag", &v.flag),
            ("call sign", &v.call_sign),
            ("tonnage", &v.tonnage),
            ("GRT", &v.grt),
            ("owner", &v.owner),
        ];
        b.list(
            "Vessel",
            parts
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {v}"))),
        );
    }
    b.list("Born", e.dates_of_birth.iter().cloned());
    b.list("Birthplace", e.places_of_birth.iter().cloned());
    b.list("Nationality", e.nationalities.iter().cloned());
    b.list("Addresses", e.addresses.iter().cloned());
    b.list("Linked to", e.linked_to.iter().cloned());
    if let Some(d) = &e.listed_on {
        b.text("Listed on", d.clone());
    }
    b.list(
        "More",
        e.extra
            .iter()
            .map(|(k, v)| format!("{}: {v}", subject::field_label(&format!("extra.{k}")))),
    );
    match remarks::unshown(e) {
        Some((r, true)) => b.text("Other remarks", r),
        Some((r, false)) => b.text("Remarks", r),
        None => {}
    }
    b.link("Link", e.url.as_deref());
}

fn feed_item_fields(b: &mut Block, item: &FeedItem, alert: &Alert) {
    b.text("News item", item.title.clone());
    if let Some(p) = &item.published {
        b.text("Published", p.clone());
    }
    b.link("Link", item.link.as_deref());
    // The sentence the matcher found the words in; alerts stored before it said so get the
    // text around the watch item's name, as then.
    let quoted = match &alert.quote {
        Some(q) => {
            b.text("Found in", q.place.clone());
            Some((q.before.clone(), q.matched.clone(), q.after.clone()))
        }
        None => {
            let text = if item.summary.is_empty() {
                &item.content
            } else {
                &item.summary
            };
            excerpt(text, &alert.watch_item)
        }
    };
    if let Some((before, hit, after)) = quoted {
        b.fields.push(Field {
            label: "Excerpt",
            values: vec![Value::Excerpt(before, hit, after)],
        });
    }
}

/// The part of `text` around the first case-insensitive occurrence of `phrase` (else of its
/// longest word, else the start of the text), as (before, matched, after) with "…" where cut.
pub fn excerpt(text: &str, phrase: &str) -> Option<(String, String, String)> {
    let chars: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if chars.is_empty() {
        return None;
    }
    let mut longest_word: Vec<&str> = phrase.split_whitespace().collect();
    longest_word.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let found = find_ci(&chars, phrase).or_else(|| {
        longest_word
            .first()
            .filter(|w| w.chars().count() >= 4)
            .and_then(|w| find_ci(&chars, w))
    });
    let (start, end) = found.unwrap_or((0, 0));
    let from = start.saturating_sub(EXCERPT_CONTEXT);
    let to = (end + EXCERPT_CONTEXT).min(chars.len());
    let mut before: String = chars[from..start].iter().collect();
    if from > 0 {
        before.insert(0, '…');
    }
    let mut after: String = chars[end..to].iter().collect();
    if to < chars.len() {
        after.push('…');
    }
    Some((before, chars[start..end].iter().collect(), after))
}

/// Char range of the first case-insensitive occurrence of `needle` in `hay`.
fn find_ci(hay: &[char], needle: &str) -> Option<(usize, usize)> {
    let needle: Vec<char> = needle.chars().map(fold).collect();
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .find(|&i| {
            hay[i..i + needle.len()]
                .iter()
                .zip(&needle)
                .all(|(h, n)| fold(*h) == *n)
        })
        .map(|i| (i, i + needle.len()))
}

/// One char's lowercase form; a char whose lowercase is several chars keeps its first, which
/// keeps the char offsets of haystack and needle aligned.
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}
