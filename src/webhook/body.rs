//! What a webhook posts. Every format says the same as the email: the subject, then one line
//! per alert (its title and why it matched), at most [`MAX_LINES`] of them: above that, the
//! most important ones as a capped email digest ranks them (identifier matches first, then by
//! score), and a line counting the rest. The `json` format adds every alert's fields, for a
//! program to read; a digest posts at most [`JSON_ALERTS`] of them at a time (see
//! [`super::plan`]). Everything from a list or a feed is untrusted: control characters are
//! dropped, and each format escapes what its markup reads.

use serde_json::{json, Value};

use crate::config::WebhookFormat;
use crate::domain::alert::Alert;
use crate::email::render::{html_escape, subject};
use crate::email::Message;

/// Alert lines a chat message shows; the rest are counted (a first load can raise hundreds
/// of `already-listed` alerts, more than a chat message holds).
pub const MAX_LINES: usize = 40;

/// Alerts one `json` post carries: a digest of more goes out as several posts, so that every
/// alert reaches the program and no post grows without bound (about 0.5 kB an alert).
pub const JSON_ALERTS: usize = 200;

/// The stored form of a webhook message: the subject and the plain lines (no recipients).
pub fn message(alerts: &[Alert]) -> Message {
    let sorted = sorted(alerts);
    Message {
        to: Vec::new(),
        subject: clean(&subject::digest(&sorted)),
        text: lines(&sorted).join("\n"),
        html: String::new(),
        attachments: Vec::new(),
    }
}

/// The JSON body for `format`, under the message's idempotency `key`.
pub fn payload(format: WebhookFormat, key: &str, msg: &Message, alerts: &[Alert]) -> Value {
    let sorted = sorted(alerts);
    match format {
        WebhookFormat::Json => json!({
            "id": key,
            "subject": msg.subject,
            "text": msg.text,
            "alerts": sorted.iter().map(|a| alert_json(a)).collect::<Vec<_>>(),
        }),
        WebhookFormat::Slack => {
            let mut text = format!("*{}*", slack_escape(&msg.subject));
            for line in lines(&sorted) {
                text.push_str("\n• ");
                text.push_str(&slack_escape(&line));
            }
            json!({ "text": text })
        }
        WebhookFormat::Matrix => {
            let body = format!("{}\n{}", msg.subject, msg.text);
            let items: String = lines(&sorted)
                .iter()
                .map(|l| format!("<li>{}</li>", html_escape(l)))
                .collect();
            json!({
                "msgtype": "m.text",
                "body": body,
                "format": "org.matrix.custom.html",
                "formatted_body": format!("<p><strong>{}</strong></p><ul>{items}</ul>", html_escape(&msg.subject)),
            })
        }
        WebhookFormat::Teams => {
            // Adaptive Cards render a little Markdown in a TextBlock; "- " makes a list.
            let list: Vec<String> = lines(&sorted)
                .iter()
                .map(|l| format!("- {}", markdown_escape(l)))
                .collect();
            json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            { "type": "TextBlock", "text": markdown_escape(&msg.subject), "weight": "Bolder", "wrap": true },
                            { "type": "TextBlock", "text": list.join("\n"), "wrap": true },
                        ],
                    },
                }],
            })
        }
    }
}

/// The alerts in digest order (by event, as the email lists them), then by id; more than
/// [`MAX_LINES`], most important first, so that the lines shown are those.
fn sorted(alerts: &[Alert]) -> Vec<&Alert> {
    if alerts.len() > MAX_LINES {
        return crate::email::render::rank(alerts);
    }
    let mut sorted: Vec<&Alert> = alerts.iter().collect();
    sorted.sort_by_key(|a| {
        let rank = crate::domain::alert::Event::ALL
            .iter()
            .position(|&e| e == a.event);
        (rank, a.id)
    });
    sorted
}

/// One line per alert, `listed: ADISA (IMO 9304667) on OFAC SDN list — IMO of "Adisa"`, and
/// a last line counting those left out.
fn lines(sorted: &[&Alert]) -> Vec<String> {
    let mut out: Vec<String> = sorted
        .iter()
        .take(MAX_LINES)
        .map(|a| clean(&format!("{} — {}", subject::title(a), subject::reason(a))))
        .collect();
    if sorted.len() > MAX_LINES {
        out.push(format!(
            "… and {} more: `watchkeeper alerts` lists them all",
            sorted.len() - MAX_LINES
        ));
    }
    out
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Slack reads `&`, `<` and `>` as markup (`<!channel>` pings everyone): they are escaped.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Markdown's active characters, escaped so a list's text cannot make links or emphasis.
fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '`' | '<' | '>'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One alert in the `json` format: the fields of `watchkeeper alerts --json`, the list's
/// name and publication date, and the alert's one-line title.
fn alert_json(a: &Alert) -> Value {
    json!({
        "id": a.id,
        "event": a.event.as_str(),
        "title": clean(&subject::title(a)),
        "source": a.source,
        "list": subject::list_name(a),
        "published": a.source_published,
        "entry_id": a.entry_id,
        "entry_name": a.entry_name,
        "watch_item": a.watch_item,
        "score": a.score,
        "why": a.why,
        "created_at": a.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alert::{Event, Subject};

    /// A `mentioned` alert on a news title, which anyone who can publish a feed item writes.
    fn mentioned(id: i64, title: &str) -> Alert {
        Alert {
            id,
            event: Event::Mentioned,
            source: "reform-news".into(),
            publisher: None,
            list_title: None,
            source_published: None,
            entry_id: format!("item-{id}"),
            entry_name: title.into(),
            episode: None,
            entry_version: None,
            watch_item_id: "k1".into(),
            watch_item: "shadow fleet".into(),
            score: 1.0,
            why: "phrase \"shadow fleet\" in the title".into(),
            changes: Vec::new(),
            subject: Subject::Source,
            also_listed: Vec::new(),
            notify: Vec::new(),
            created_at: "2026-12-01T07:00:00Z".into(),
            quote: None,
        }
    }

    #[test]
    fn chat_markup_in_a_feed_title_is_escaped_in_every_format() {
        let alerts = [mentioned(
            1,
            "<!channel> *shadow fleet* & [x](http://evil)\u{1b}[2J",
        )];
        let msg = message(&alerts);
        let slack = payload(WebhookFormat::Slack, "k", &msg, &alerts)["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            slack.contains("&lt;!channel&gt;") && slack.contains("&amp;"),
            "{slack}"
        );
        assert!(!slack.contains('\u{1b}'), "{slack}");
        let matrix = payload(WebhookFormat::Matrix, "k", &msg, &alerts);
        let html = matrix["formatted_body"].as_str().unwrap();
        assert!(
            html.contains("&lt;!channel&gt;") && !html.contains("<!channel>"),
            "{html}"
        );
        let teams = payload(WebhookFormat::Teams, "k", &msg, &alerts);
        let card = teams["attachments"][0]["content"]["body"][1]["text"]
            .as_str()
            .unwrap();
        assert!(card.contains(r"\[x\]\(http://evil\)"), "{card}");
    }

    #[test]
    fn a_large_first_load_is_cut_to_a_readable_message_and_counted() {
        let alerts: Vec<Alert> = (1..=100)
            .map(|i| mentioned(i, &format!("item {i}")))
            .collect();
        let msg = message(&alerts);
        assert_eq!(msg.text.lines().count(), MAX_LINES + 1);
        assert!(msg
            .text
            .ends_with("… and 60 more: `watchkeeper alerts` lists them all"));
        assert!(
            msg.subject.starts_with("watchkeeper: 100 mentioned"),
            "{}",
            msg.subject
        );
        let json = payload(WebhookFormat::Json, "k", &msg, &alerts);
        assert_eq!(
            json["alerts"].as_array().unwrap().len(),
            100,
            "json keeps them all"
        );
    }

    #[test]
    fn the_lines_of_a_large_digest_are_its_most_important_alerts() {
        let mut alerts: Vec<Alert> = (1..=100)
            .map(|i| mentioned(i, &format!("item {i}")))
            .collect();
        for a in &mut alerts {
            a.score = 0.5;
        }
        alerts[97].score = 0.9;
        alerts[98].event = Event::AlreadyListed;
        alerts[98].entry_name = "HAPPINESS I".into();
        alerts[98].why = "IMO 9212905 equals the IMO number of vessel \"HAPPINESS I\"".into();
        let msg = message(&alerts);
        let lines: Vec<&str> = msg.text.lines().collect();
        assert!(lines[0].contains("HAPPINESS I"), "{}", msg.text);
        assert!(lines[1].contains("\"item 98\""), "{}", msg.text);
        assert!(
            lines[2].contains("\"item 1\""),
            "then oldest first: {}",
            msg.text
        );
    }

    #[test]
    fn a_json_digest_of_many_alerts_is_posted_in_parts_that_carry_them_all() {
        let alerts: Vec<Alert> = (1..=450)
            .map(|i| mentioned(i, &format!("item {i}")))
            .collect();
        let json =
            crate::config::WebhookConfig::new("hook", WebhookFormat::Json, "https://example.org/h");
        let parts = super::super::plan(&alerts, &json);
        let sizes: Vec<usize> = parts.iter().map(|(ids, _)| ids.len()).collect();
        assert_eq!(sizes, [JSON_ALERTS, JSON_ALERTS, 50]);
        let all: Vec<i64> = parts.iter().flat_map(|(ids, _)| ids.clone()).collect();
        assert_eq!(all, (1..=450).collect::<Vec<i64>>());
        assert!(
            parts[2].1.subject.ends_with("(part 3 of 3)"),
            "{}",
            parts[2].1.subject
        );
        let slack = crate::config::WebhookConfig::new(
            "chat",
            WebhookFormat::Slack,
            "https://example.org/h",
        );
        assert_eq!(
            super::super::plan(&alerts, &slack).len(),
            1,
            "one chat post"
        );
    }
}
