//! The plain-text part, for an 80-column terminal. Untrusted text loses its control characters.

use super::{Block, Piece, Row, Value};

/// Label column width.
const LABEL_WIDTH: usize = 14;
/// Line width values are wrapped to.
const TEXT_WIDTH: usize = 78;
/// Space between the summary table's columns.
const GAP: &str = "  ";
/// The summary's `why` column is given at least this width, taken from `entity` and `list`.
const MIN_WHY: usize = 18;

/// Removes control characters (terminal escapes, line breaks) from untrusted one-line text.
pub fn clean_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Text(s) | Value::Link(s) => clean_line(s),
        Value::Excerpt(b, m, a) => clean_line(&format!("{b}{m}{a}")),
        Value::Marked(pieces) => super::join_pieces(pieces, |p| match p {
            Piece::Name(s) | Piece::Plain(s) => clean_line(s),
            Piece::Removed(s) => format!("[-{}-]", clean_line(s)),
            Piece::Added(s) => format!("{{+{}+}}", clean_line(s)),
        }),
    }
}

pub fn body(intro: &str, summary: &[Row], blocks: &[Block]) -> String {
    let mut out = String::new();
    for line in wrap(intro, TEXT_WIDTH) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
    if !summary.is_empty() {
        out.push_str(&table(summary));
        out.push('\n');
    }
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
        if let Some(s) = &b.silence {
            for (sentence, line) in [(&s.dismiss_sentence, &s.dismiss), (&s.sentence, &s.line)] {
                out.push('\n');
                for line in wrap(&clean_line(sentence), TEXT_WIDTH) {
                    out.push_str(&line);
                    out.push('\n');
                }
                // Whole, on its own line, to be copied.
                out.push_str(&format!("    {}\n", clean_line(line)));
            }
        }
        out.push('\n');
    }
    out.push_str("-- \nwatchkeeper\n");
    out
}

/// The summary as a table of wrapped cells, numbered like the alerts below it.
fn table(rows: &[Row]) -> String {
    let numbers: Vec<String> = (1..=rows.len()).map(|n| n.to_string()).collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.cells().iter().map(|c| clean_line(c)).collect())
        .collect();
    let natural = |i: usize| {
        cells
            .iter()
            .map(|r| r[i].chars().count())
            .chain(std::iter::once(Row::HEADERS[i].len()))
            .max()
            .unwrap_or(0)
    };
    let num_width = numbers.last().map_or(1, |n| n.len());
    let mut widths = [
        natural(0),
        natural(1).min(26),
        natural(2).min(12),
        natural(3).min(16),
        0,
    ];
    let fixed = |w: &[usize; 5]| num_width + GAP.len() * 5 + w[..4].iter().sum::<usize>();
    // Give `why` room by narrowing the entity, then the list, down to a floor.
    while TEXT_WIDTH.saturating_sub(fixed(&widths)) < MIN_WHY && (widths[1] > 14 || widths[3] > 10)
    {
        if widths[1] > 14 {
            widths[1] -= 1;
        } else {
            widths[3] -= 1;
        }
    }
    widths[4] = TEXT_WIDTH.saturating_sub(fixed(&widths)).max(MIN_WHY);

    let mut out = String::new();
    let header: Vec<String> = Row::HEADERS.iter().map(|h| h.to_string()).collect();
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    table_row(&mut out, num_width, "#", &header, &widths);
    table_row(&mut out, num_width, &"-".repeat(num_width), &rule, &widths);
    for (n, row) in numbers.iter().zip(&cells) {
        table_row(&mut out, num_width, n, row, &widths);
    }
    out
}

fn table_row(out: &mut String, num_width: usize, n: &str, cells: &[String], widths: &[usize; 5]) {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(c, w)| wrap_hard(c, *w))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    for line in 0..height {
        let mut s = if line == 0 {
            format!("{n:>num_width$}")
        } else {
            " ".repeat(num_width)
        };
        for (col, w) in wrapped.iter().zip(widths) {
            s.push_str(GAP);
            let cell = col.get(line).map(String::as_str).unwrap_or("");
            s.push_str(cell);
            s.push_str(&" ".repeat(w.saturating_sub(cell.chars().count())));
        }
        out.push_str(s.trim_end());
        out.push('\n');
    }
}

/// Like [`wrap`], but a word longer than `width` is cut, so that a table column keeps its width.
fn wrap_hard(s: &str, width: usize) -> Vec<String> {
    let mut words = Vec::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let chars: Vec<char> = word.chars().collect();
        words.extend(
            chars
                .chunks(width.max(1))
                .map(|c| c.iter().collect::<String>()),
        );
    }
    wrap(&words.join(" "), width)
}

/// Splits `s` at spaces into lines of at most `width` chars; a longer word (a URL) stays whole.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
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
