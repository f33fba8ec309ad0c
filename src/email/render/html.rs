//! The HTML part. Every value is escaped and only `http(s)` URLs are linked. Styles are inline,
//! as mail clients drop style sheets.

use super::{Block, Piece, Row, Value};

const BODY_STYLE: &str = "font-family: sans-serif; font-size: 14px; line-height: 1.4; \
                          color: #222; max-width: 820px;";
const SUMMARY_STYLE: &str = "border-collapse: collapse; margin: 0 0 16px 0;";
const SUMMARY_CELL: &str = "border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; \
                            vertical-align: top;";
const HEADING_STYLE: &str = "font-size: 16px; margin: 24px 0 6px 0; padding-top: 10px; \
                             border-top: 2px solid #ccc;";
const LABEL_STYLE: &str = "width: 110px; white-space: nowrap; color: #555; padding-right: 12px;";
const CHANGED_ROW_STYLE: &str = "background: #fff8dc;";
const DEL_STYLE: &str = "background: #fdd; color: #900;";
const INS_STYLE: &str = "background: #dfd; color: #060;";
const SILENCE_STYLE: &str = "background: #f4f4f4; border: 1px solid #ddd; padding: 6px 8px; \
                             font-size: 13px; white-space: pre-wrap; word-break: break-all;";

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
        Value::Marked(pieces) => super::join_pieces(pieces, |p| match p {
            Piece::Name(s) => format!("<b>{}</b>", html_escape(s)),
            Piece::Plain(s) => html_escape(s),
            Piece::Removed(s) => format!("<del style=\"{DEL_STYLE}\">{}</del>", html_escape(s)),
            Piece::Added(s) => format!("<ins style=\"{INS_STYLE}\">{}</ins>", html_escape(s)),
        }),
    }
}

pub fn body(subject: &str, intro: &str, summary: &[Row], blocks: &[Block]) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    out.push_str(&html_escape(subject));
    out.push_str(&format!(
        "</title></head>\n<body style=\"{BODY_STYLE}\">\n<p>{}</p>\n",
        html_escape(intro)
    ));
    if !summary.is_empty() {
        out.push_str(&summary_table(summary));
    }
    for (n, b) in blocks.iter().enumerate() {
        out.push_str(&format!(
            "<h3 id=\"alert-{}\" style=\"{HEADING_STYLE}\">{}. {}</h3>\n<table width=\"100%\" cellpadding=\"3\" \
             style=\"border-collapse: collapse;\">\n",
            n + 1,
            n + 1,
            html_escape(&b.heading)
        ));
        for f in &b.fields {
            let values: Vec<String> = f.values.iter().map(value_html).collect();
            // What changed is what a `changed` alert is about: set off from the entry.
            let row = if f.label == "Changed" {
                CHANGED_ROW_STYLE
            } else {
                ""
            };
            out.push_str(&format!(
                "<tr style=\"{row}\"><th align=\"left\" valign=\"top\" style=\"{LABEL_STYLE}\">{}</th>\
                 <td>{}</td></tr>\n",
                html_escape(f.label),
                values.join("<br>\n")
            ));
        }
        out.push_str("</table>\n");
        if let Some(s) = &b.silence {
            for (sentence, line) in [(&s.dismiss_sentence, &s.dismiss), (&s.sentence, &s.line)] {
                out.push_str(&format!(
                    "<p style=\"font-size: 13px; color: #555; margin-bottom: 4px;\">{}</p>\n\
                     <pre style=\"{SILENCE_STYLE}\">{}</pre>\n",
                    html_escape(sentence),
                    html_escape(line)
                ));
            }
        }
    }
    out.push_str("<p style=\"color: #666;\">watchkeeper</p>\n</body></html>\n");
    out
}

fn summary_table(rows: &[Row]) -> String {
    let mut out =
        format!("<table style=\"{SUMMARY_STYLE}\">\n<tr><th style=\"{SUMMARY_CELL}\">#</th>");
    for h in Row::HEADERS {
        out.push_str(&format!("<th style=\"{SUMMARY_CELL}\">{h}</th>"));
    }
    out.push_str("</tr>\n");
    for (n, r) in rows.iter().enumerate() {
        out.push_str(&format!("<tr><td style=\"{SUMMARY_CELL}\">{}</td>", n + 1));
        for (i, c) in r.cells().into_iter().enumerate() {
            let shown = if i == 1 {
                // The entity links to its details below.
                format!("<a href=\"#alert-{}\">{}</a>", n + 1, html_escape(c))
            } else {
                html_escape(c)
            };
            // Event, identifier and list are short: kept on one line, the others wrap.
            let nowrap = if [0, 2, 3].contains(&i) {
                " white-space: nowrap;"
            } else {
                ""
            };
            out.push_str(&format!(
                "<td style=\"{SUMMARY_CELL}{nowrap}\">{shown}</td>"
            ));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}
