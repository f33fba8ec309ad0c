//! Rendering alerts into email messages: a plain-text part for terminals and a HTML part.
//!
//! Both parts come from the same intermediate form (a [`Block`] of labelled fields per alert), so
//! they always say the same thing. Everything that comes from a list or a feed is untrusted: the
//! text part drops control characters (a list could carry terminal escape sequences) and the HTML
//! part escapes every value and links only `http(s)` URLs.

use crate::domain::alert::{Alert, Event};
use crate::domain::entry::{Entry, FeedItem};

/// One email, ready for a transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Digests list alerts and counts in this order.
const EVENT_ORDER: [Event; 7] = Event::ALL;

/// Characters of feed text shown on each side of the matched phrase.
const EXCERPT_CONTEXT: usize = 160;
/// Label column width of the text part.
const LABEL_WIDTH: usize = 14;
/// Line width the text part wraps values to, for an 80-column terminal.
const TEXT_WIDTH: usize = 78;

/// One message for many alerts (mode `digest`).
pub fn digest(alerts: &[Alert], to: Vec<String>) -> Message {
    let mut sorted: Vec<&Alert> = alerts.iter().collect();
    sorted.sort_by_key(|a| event_rank(a.event));
    let counts = count_summary(alerts);
    let subject = format!("watchkeeper: {counts}");
    let intro = format!(
        "{} alert{}: {counts}.",
        alerts.len(),
        if alerts.len() == 1 { "" } else { "s" }
    );
    let blocks: Vec<Block> = sorted.iter().map(|a| block(a)).collect();
    Message {
        to,
        subject: clean_line(&subject),
        text: text_body(&intro, &blocks),
        html: html_body(&subject, &intro, &blocks),
    }
}

/// One message for one alert (mode `each`).
pub fn single(alert: &Alert, to: Vec<String>) -> Message {
    let subject = match alert.event {
        Event::SourceStale | Event::SourceRecovered => {
            format!("watchkeeper: {}: {}", alert.event.as_str(), alert.source)
        }
        _ => format!(
            "watchkeeper: {}: {} - {} ({})",
            alert.event.as_str(),
            alert.watch_item,
            alert.entry_name,
            alert.source
        ),
    };
    let intro = format!("{}.", capitalise(event_phrase(alert.event)));
    let blocks = vec![block(alert)];
    Message {
        to,
        subject: clean_line(&subject),
        text: text_body(&intro, &blocks),
        html: html_body(&subject, &intro, &blocks),
    }
}

/// The message of `watchkeeper test-email`.
pub fn test_message(to: Vec<String>) -> Message {
    let subject = "watchkeeper: test message".to_string();
    let intro = "This is a test message from watchkeeper. If you can read it, the configured \
                 email transport delivers alerts to this address."
        .to_string();
    Message {
        to,
        text: text_body(&intro, &[]),
        html: html_body(&subject, &intro, &[]),
        subject,
    }
}

/// "2 listed, 1 delisted, 3 mentioned": how many alerts of which event, in [`EVENT_ORDER`].
pub fn count_summary(alerts: &[Alert]) -> String {
    EVENT_ORDER
        .iter()
        .filter_map(|&ev| {
            let n = alerts.iter().filter(|a| a.event == ev).count();
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

/// What one alert shows, independent of the output format.
struct Block {
    heading: String,
    fields: Vec<Field>,
}

struct Field {
    label: &'static str,
    values: Vec<Value>,
}

enum Value {
    Text(String),
    /// A URL: linked in HTML when it is http(s).
    Link(String),
    /// Feed text with the matched part marked: (before, matched, after).
    Excerpt(String, String, String),
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
        heading: match alert.event {
            Event::SourceStale | Event::SourceRecovered => {
                format!("{}: {}", alert.event.as_str(), alert.source)
            }
            _ => format!(
                "{}: {} - {}",
                alert.event.as_str(),
                alert.watch_item,
                alert.entry_name
            ),
        },
        fields: Vec::new(),
    };
    b.text("Event", event_phrase(alert.event));
    let source = match &alert.source_published {
        Some(date) => format!("{} (published {date})", alert.source),
        None => alert.source.clone(),
    };
    b.text("Source", source);
    match alert.event {
        Event::SourceStale | Event::SourceRecovered => {
            b.text("Details", alert.why.clone());
        }
        Event::Mentioned => {
            b.text("Watch item", alert.watch_item.clone());
            match alert.feed_item() {
                Some(item) => feed_item_fields(&mut b, item, &alert.watch_item),
                None => b.text("News item", alert.entry_name.clone()),
            }
            match_fields(&mut b, alert);
        }
        _ => {
            b.text("Watch item", alert.watch_item.clone());
            match alert.entry() {
                Some(entry) => entry_fields(&mut b, entry),
                None => b.text(
                    "Entry",
                    format!("{} [id {}]", alert.entry_name, alert.entry_id),
                ),
            }
            match_fields(&mut b, alert);
            b.list(
                "Changed",
                alert.changes.iter().map(|c| {
                    format!(
                        "{}: {} → {}",
                        c.field,
                        or_none(&c.before),
                        or_none(&c.after)
                    )
                }),
            );
        }
    }
    b.list("Also listed", alert.also_listed.iter().cloned());
    b.text("Alert", format!("#{} at {}", alert.id, alert.created_at));
    b
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
    b.list(
        "Identifiers",
        e.identifiers.iter().map(|i| {
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
    if let Some(r) = &e.remarks {
        b.text("Remarks", r.clone());
    }
    b.list("More", e.extra.iter().map(|(k, v)| format!("{k}: {v}")));
    b.link("Link", e.url.as_deref());
}

fn feed_item_fields(b: &mut Block, item: &FeedItem, phrase: &str) {
    b.text("News item", item.title.clone());
    if let Some(p) = &item.published {
        b.text("Published", p.clone());
    }
    b.link("Link", item.link.as_deref());
    if let Some((before, hit, after)) = excerpt(&item.summary, phrase) {
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

/// Removes control characters (terminal escapes, line breaks) from untrusted one-line text.
fn clean_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Text(s) | Value::Link(s) => clean_line(s),
        Value::Excerpt(b, m, a) => clean_line(&format!("{b}{m}{a}")),
    }
}

fn text_body(intro: &str, blocks: &[Block]) -> String {
    let mut out = String::new();
    out.push_str(intro);
    out.push_str("\n\n");
    for (n, b) in blocks.iter().enumerate() {
        let heading = wrap(
            &format!("{}. {}", n + 1, clean_line(&b.heading)),
            TEXT_WIDTH,
        );
        let underline = heading.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        for line in &heading {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&"=".repeat(underline));
        out.push('\n');
        for f in &b.fields {
            let mut label = format!("{}:", f.label);
            for v in &f.values {
                for line in wrap(&value_text(v), TEXT_WIDTH - LABEL_WIDTH - 1) {
                    out.push_str(&format!("{label:<LABEL_WIDTH$} {line}\n"));
                    label.clear();
                }
            }
        }
        out.push('\n');
    }
    out.push_str("-- \nwatchkeeper\n");
    out
}

/// Splits `s` at spaces into lines of at most `width` chars; a longer word (a URL) stays whole.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn is_web_url(s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn value_html(v: &Value) -> String {
    match v {
        Value::Text(s) => html_escape(s),
        Value::Link(url) if is_web_url(url) => {
            let url = html_escape(url);
            format!("<a href=\"{url}\">{url}</a>")
        }
        Value::Link(url) => html_escape(url),
        Value::Excerpt(b, m, a) => format!(
            "{}<mark>{}</mark>{}",
            html_escape(b),
            html_escape(m),
            html_escape(a)
        ),
    }
}

fn html_body(subject: &str, intro: &str, blocks: &[Block]) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    out.push_str(&html_escape(subject));
    out.push_str("</title></head>\n<body style=\"font-family: sans-serif; font-size: 14px;\">\n");
    out.push_str(&format!("<p>{}</p>\n", html_escape(intro)));
    for (n, b) in blocks.iter().enumerate() {
        out.push_str(&format!(
            "<h3>{}. {}</h3>\n<table cellpadding=\"3\" style=\"border-collapse: collapse;\">\n",
            n + 1,
            html_escape(&b.heading)
        ));
        for f in &b.fields {
            let values: Vec<String> = f.values.iter().map(value_html).collect();
            out.push_str(&format!(
                "<tr><th align=\"left\" valign=\"top\">{}</th><td>{}</td></tr>\n",
                html_escape(f.label),
                values.join("<br>\n")
            ));
        }
        out.push_str("</table>\n");
    }
    out.push_str("<p style=\"color: #666;\">watchkeeper</p>\n</body></html>\n");
    out
}
