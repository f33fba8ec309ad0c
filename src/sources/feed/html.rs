//! Reducing the HTML that feeds put in titles and descriptions to plain text.
//!
//! A feed's HTML is a fragment, usually small and often sloppy, and all we need from it is the
//! words: a forgiving tag stripper is enough, and keeps an HTML parser out of the dependencies.

use html_escape::decode_html_entities;

/// Elements that start a new line of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];

/// Elements that separate words without starting a line.
const CELL_ELEMENTS: &[&str] = &["td", "th", "img"];

/// Elements whose content is not text for a reader.
const HIDDEN_ELEMENTS: &[&str] = &["script", "style", "head", "template"];

/// Tag names that, found in text already stripped once, show the HTML was escaped twice.
const COMMON_TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "div",
    "em",
    "figure",
    "h1",
    "h2",
    "h3",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "span",
    "strong",
    "table",
    "ul",
];

/// HTML to text: tags removed, block elements as line breaks, entities decoded, whitespace
/// collapsed within lines, empty lines dropped.
pub(super) fn html_to_text(html: &str) -> String {
    let mut text = strip_tags(html);
    // RSS generators that escape already-escaped HTML (`&amp;lt;p&amp;gt;`) leave real tags
    // after one pass; a second pass removes them. Two passes are enough for every feed seen.
    if looks_like_markup(&text) {
        text = strip_tags(&text);
    }
    collapse_lines(&text)
}

/// HTML to one line of text, for titles.
pub(super) fn html_to_line(html: &str) -> String {
    collapse_spaces(&html_to_text(html))
}

/// Plain text (an Atom `type="text"` construct): only whitespace to tidy.
pub(super) fn plain_to_line(text: &str) -> String {
    collapse_spaces(text)
}

/// Plain text kept as paragraphs.
pub(super) fn plain_to_text(text: &str) -> String {
    collapse_lines(text)
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_html_entities(&rest[..lt]));
        rest = &rest[lt..];
        match Markup::at(rest) {
            Some(markup) => {
                rest = &rest[markup.len..];
                if let Some(name) = markup.tag_name.as_deref() {
                    if BLOCK_ELEMENTS.contains(&name) {
                        out.push('\n');
                    } else if CELL_ELEMENTS.contains(&name) {
                        out.push(' ');
                    }
                    if !markup.closing && HIDDEN_ELEMENTS.contains(&name) {
                        rest = skip_past_closing(rest, name);
                    }
                }
            }
            None => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(&decode_html_entities(rest));
    out
}

/// A tag, comment, doctype or processing instruction at the start of some text.
struct Markup {
    len: usize,
    /// Lowercase element name, for tags.
    tag_name: Option<String>,
    closing: bool,
}

impl Markup {
    /// Recognises markup at `s` (which starts with `<`); a `<` that starts nothing ("a < b")
    /// is text.
    fn at(s: &str) -> Option<Markup> {
        let skip_to = |end: &str, from: usize| {
            let len = s[from..]
                .find(end)
                .map_or(s.len(), |i| from + i + end.len());
            Some(Markup {
                len,
                tag_name: None,
                closing: false,
            })
        };
        if s.starts_with("<!--") {
            return skip_to("-->", 4);
        }
        if s.starts_with("<!") || s.starts_with("<?") {
            return skip_to(">", 2);
        }
        let (closing, name_start) = if s.starts_with("</") {
            (true, 2)
        } else {
            (false, 1)
        };
        let name_len = s[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(s.len() - name_start);
        let name = &s[name_start..name_start + name_len];
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let len = name_start + name_len + tag_end(&s[name_start + name_len..])?;
        Some(Markup {
            len,
            tag_name: Some(name.to_ascii_lowercase()),
            closing,
        })
    }
}

/// Length up to and including the `>` that closes a tag, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '>') => return Some(i + 1),
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// The text after the end tag of `name`, or nothing when it is never closed.
fn skip_past_closing<'a>(s: &'a str, name: &str) -> &'a str {
    let lower = s.to_ascii_lowercase();
    let closing = format!("</{name}");
    match lower.find(&closing) {
        Some(i) => {
            let after = &s[i..];
            let end = after.find('>').map_or(after.len(), |j| j + 1);
            &after[end..]
        }
        None => "",
    }
}

fn looks_like_markup(text: &str) -> bool {
    text.match_indices('<').any(|(i, _)| {
        let rest = &text[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        COMMON_TAGS.iter().any(|tag| {
            rest.len() > tag.len()
                && rest.as_bytes()[..tag.len()].eq_ignore_ascii_case(tag.as_bytes())
                && matches!(
                    rest.as_bytes()[tag.len()],
                    b'>' | b' ' | b'/' | b'\n' | b'\t'
                )
        })
    })
}

/// Whitespace (including no-break spaces) collapsed to single spaces on each line; blank lines
/// dropped.
fn collapse_lines(text: &str) -> String {
    text.lines()
        .map(collapse_spaces)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn collapse_spaces(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_blocks_become_lines() {
        let html = "<p>First <b>bold</b> para.</p><p>Second&nbsp;one<br/>next line</p>";
        assert_eq!(
            html_to_text(html),
            "First bold para.\nSecond one\nnext line"
        );
    }

    #[test]
    fn attributes_with_angle_brackets_and_comments() {
        let html = r#"<a href="x" title="a > b">link</a><!-- <p>hidden</p> -->text"#;
        assert_eq!(html_to_text(html), "linktext");
    }

    #[test]
    fn scripts_and_styles_are_not_text() {
        let html = "<style>p { color: red }</style>Body<script>alert('<p>')</script> end";
        assert_eq!(html_to_text(html), "Body end");
    }

    #[test]
    fn a_lone_less_than_is_text() {
        assert_eq!(html_to_line("a < b &amp; c <3"), "a < b & c <3");
    }

    #[test]
    fn double_escaped_html_is_stripped() {
        // What `&amp;lt;p&amp;gt;Caf&amp;amp;eacute;&amp;lt;/p&amp;gt;` is after XML decoding.
        assert_eq!(html_to_text("&lt;p&gt;Caf&amp;eacute;&lt;/p&gt;"), "Café");
    }

    #[test]
    fn escaped_text_about_markup_is_kept() {
        assert_eq!(html_to_line("Use &lt;tag&gt; for it"), "Use <tag> for it");
    }

    #[test]
    fn titles_are_one_line() {
        assert_eq!(html_to_line("  Two\n  lines<br>three "), "Two lines three");
    }
}
