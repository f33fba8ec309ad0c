//! The CSV file a capped digest attaches: every alert of the digest, one row each, in the
//! digest's ranking, with the columns a compliance officer files or sorts by.
//!
//! RFC 4180: a header row, fields quoted when they hold a comma, a quote or a line break, CRLF
//! line ends. The text starts with a UTF-8 byte order mark, which is how a spreadsheet knows
//! "Nicolás" is UTF-8 when the file is opened from disk, where the part's `charset` is lost.
//! Everything from a list is untrusted: line breaks and control characters become spaces (one
//! alert is one line), and a text cell that a spreadsheet would run as a formula (`=`, `+`,
//! `-`, `@` first) is prefixed with `'`, which spreadsheets show as text.

use crate::domain::alert::Alert;

use super::{subject, Attachment};

/// The attachment's file name, which the digest's intro names.
pub const FILENAME: &str = "alerts.csv";

const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

const HEADERS: [&str; 20] = [
    "rank",
    "shown_in_email",
    "alert_id",
    "created_at",
    "event",
    "identifier_match",
    "score",
    "watch_item",
    "watch_item_id",
    "source",
    "list",
    "list_published",
    "entry_id",
    "entry_name",
    "entity_kind",
    "identifiers",
    "programs",
    "why",
    "also_listed",
    "exclude_token",
];

/// `ranked` as a CSV attachment; the first `shown` of them are the ones the email lists.
pub fn alerts_csv(ranked: &[&Alert], shown: usize) -> Attachment {
    // About 400 bytes a row: one allocation for most digests.
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(64 + ranked.len() * 400));
    let mut record: Vec<String> = Vec::with_capacity(HEADERS.len());
    // Writing to a Vec cannot fail; the csv crate's errors here would be I/O errors.
    w.write_record(HEADERS).expect("writes to memory");
    for (n, a) in ranked.iter().enumerate() {
        record.clear();
        row(&mut record, a, n + 1, n < shown);
        w.write_record(&record).expect("writes to memory");
    }
    let bytes = w.into_inner().expect("writes to memory");
    let mut body = String::with_capacity(bytes.len() + 3);
    body.push('\u{feff}');
    // Every cell was a `String`, so the bytes are UTF-8.
    body.push_str(&String::from_utf8(bytes).expect("cells are UTF-8"));
    Attachment {
        filename: FILENAME.to_string(),
        content_type: CONTENT_TYPE.to_string(),
        body,
    }
}

fn row(out: &mut Vec<String>, a: &Alert, rank: usize, shown: bool) {
    let entry = a.entry();
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    out.push(rank.to_string());
    out.push(yes_no(shown));
    out.push(a.id.to_string());
    out.push(text(&a.created_at));
    out.push(a.event.as_str().to_string());
    out.push(yes_no(a.identifier_match()));
    out.push(format!("{:.2}", a.score));
    out.push(text(&a.watch_item));
    out.push(text(&a.watch_item_id));
    out.push(text(&a.source));
    out.push(text(subject::list_name(a)));
    out.push(text(a.source_published.as_deref().unwrap_or("")));
    out.push(text(&a.entry_id));
    out.push(text(&a.entry_name));
    out.push(entry.map_or_else(String::new, |e| e.kind.as_str().to_string()));
    out.push(text(
        &entry
            .map(|e| {
                e.identifiers
                    .iter()
                    .map(|i| format!("{} {}", i.kind.to_uppercase(), i.value))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
    ));
    out.push(text(
        &entry.map(|e| e.programs.join("; ")).unwrap_or_default(),
    ));
    out.push(text(&a.why));
    out.push(text(&a.also_listed.join("; ")));
    out.push(text(&a.exclude_token().unwrap_or_default()));
}

/// One untrusted value as a cell: on one line, and never read as a formula.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    if s.starts_with(['=', '+', '-', '@']) {
        out.push('\'');
    }
    out.extend(s.chars().map(|c| if c.is_control() { ' ' } else { c }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_text_and_stays_on_one_line() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("ACME\r\nLTD"), "ACME  LTD");
        assert_eq!(text("MADURO MOROS, Nicolas"), "MADURO MOROS, Nicolas");
    }
}
