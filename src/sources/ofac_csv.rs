//! OFAC's delimited SDN files (sdn.csv, alt.csv, add.csv, sdn_comments.csv) and the
//! consolidated (non-SDN) files of the same layout.
//!
//! The files have no header, write `-0-` (usually followed by a space) for an empty field, end
//! with a DOS control-Z, and join on the first column (ent_num). The remarks column is cut at
//! 1,000 characters; the rest of a cut remark is in the comments file, continuing mid-word.

use std::collections::HashMap;

use super::{push_unique, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{
    Alias, EntityKind, Entry, Identifier, ListSnapshot, StrayRows, VesselInfo,
};
use crate::domain::fields::Fields;

pub struct OfacCsv {
    /// Primary, alt, add, comments; `None` for a role not fetched.
    files: [Option<String>; 4],
}

/// OFAC's SDN file names, in role order: primary, alt, add, comments.
pub const SDN_FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

impl OfacCsv {
    /// `files` by role (primary, alt, add, comments), as the config gives them: a role past the
    /// end of the list, or given as `""`, is not fetched; `None` means the four SDN files.
    pub fn new(files: Option<Vec<String>>) -> OfacCsv {
        let files = files.unwrap_or_else(|| SDN_FILES.map(String::from).to_vec());
        let role = |i: usize| files.get(i).filter(|f| !f.trim().is_empty()).cloned();
        OfacCsv {
            files: [role(0), role(1), role(2), role(3)],
        }
    }

    /// The body of each role's file, in the order primary, alt, add, comments. Only the
    /// primary is required.
    fn bodies<'a>(&self, bodies: &'a [Body]) -> Result<[Option<&'a Body>; 4], ParseError> {
        let find = |i: usize| -> Result<Option<&'a Body>, ParseError> {
            let Some(name) = &self.files[i] else {
                return Ok(None);
            };
            bodies
                .iter()
                .find(|b| &b.resource == name)
                .map(Some)
                .ok_or_else(|| ParseError::MissingResource {
                    url: bodies.first().map(|b| b.url.clone()).unwrap_or_default(),
                    resource: name.clone(),
                })
        };
        let prim = find(0)?.ok_or_else(|| ParseError::MissingResource {
            url: bodies.first().map(|b| b.url.clone()).unwrap_or_default(),
            resource: "the primary file (sdn.csv or cons_prim.csv)".into(),
        })?;
        Ok([Some(prim), find(1)?, find(2)?, find(3)?])
    }
}

impl SourceFormat for OfacCsv {
    fn kind(&self) -> &'static str {
        "ofac_sdn_csv"
    }
    fn resources(&self) -> Vec<String> {
        self.files.iter().flatten().cloned().collect()
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let [prim, alt, add, comments] = self.bodies(bodies)?;
        let prim = prim.expect("the primary is required");
        let (entries, stray_rows) = parse_files(prim, alt, add, comments)?;
        Ok(Parsed::List(ListSnapshot {
            entries,
            stray_rows,
            ..ListSnapshot::default()
        }))
    }
}

/// Column counts of the four files.
const PRIM_COLUMNS: usize = 12;
const ALT_COLUMNS: usize = 5;
const ADD_COLUMNS: usize = 6;
const COMMENTS_COLUMNS: usize = 2;

/// OFAC's remarks field holds at most this many characters; longer remarks continue in the
/// comments file.
const REMARKS_FIELD_LIMIT: usize = 1000;

/// The entries, and the rows of alt.csv and add.csv that name no entry of the primary file.
///
/// Every real publication measured (SDN January 2019 and July 2021, the consolidated files) has
/// an add.csv row for every entry and no alt.csv or add.csv row of an entry missing from the
/// primary file, so such rows mean a primary file cut short at a row end (which still parses)
/// or files from different publications; they are returned for the guard to refuse. Stray rows
/// of the comments file are tolerated: the January 2019 publication's sdn_comments.csv is from
/// another day, 10 of its 13 rows naming entries not in its sdn.csv, and a continuation of no
/// entry changes nothing. They are logged once for the document, unless the snapshot is to be
/// refused anyway (a cut primary file leaves stray comments rows too).
fn parse_files(
    prim: &Body,
    alt: Option<&Body>,
    add: Option<&Body>,
    comments: Option<&Body>,
) -> Result<(Vec<Entry>, Vec<StrayRows>), ParseError> {
    let prim_rows = read_table(prim, PRIM_COLUMNS, "sdn.csv")?;
    if prim_rows.is_empty() {
        return Err(wrong_format(prim, "no rows at all"));
    }
    let continuations = match comments {
        Some(comments) => read_continuations(comments)?,
        None => HashMap::new(),
    };

    let mut entries = Vec::with_capacity(prim_rows.len());
    let mut by_ent_num: HashMap<String, usize> = HashMap::with_capacity(prim_rows.len());
    for row in &prim_rows {
        let ent_num = ent_num(prim, row)?;
        if by_ent_num.insert(ent_num.clone(), entries.len()).is_some() {
            return Err(malformed(
                prim,
                row,
                format!("ent_num {ent_num} appears twice"),
            ));
        }
        let continuation = continuations.get(&ent_num).map(|(_, rest)| rest.as_str());
        entries.push(entry_from_row(ent_num, row, continuation));
    }
    let stray_in = |body: &Body| StrayRows {
        document: body.resource.clone(),
        primary: prim.resource.clone(),
        ..StrayRows::default()
    };

    // Aliases from alt.csv come first so that names repeated in the remarks are recognised.
    let mut stray = Vec::new();
    if let Some(alt) = alt {
        let mut alt_stray = stray_in(alt);
        for row in read_table(alt, ALT_COLUMNS, "alt.csv")? {
            let ent_num = ent_num(alt, &row)?;
            match by_ent_num.get(&ent_num) {
                Some(&i) => {
                    if let Some(alias) = alias_from_alt_row(&row.fields) {
                        push_alias(&mut entries[i], alias);
                    }
                }
                None => alt_stray.count(&ent_num),
            }
        }
        stray.push(alt_stray);
    }
    if let Some(add) = add {
        let mut add_stray = stray_in(add);
        for row in read_table(add, ADD_COLUMNS, "add.csv")? {
            let ent_num = ent_num(add, &row)?;
            match by_ent_num.get(&ent_num) {
                Some(&i) => {
                    if let Some(address) = address_from_add_row(&row.fields) {
                        entries[i].addresses.push(address);
                    }
                }
                None => add_stray.count(&ent_num),
            }
        }
        stray.push(add_stray);
    }
    stray.retain(|s| s.rows > 0);
    if let Some(comments) = comments {
        let mut comments_stray = stray_in(comments);
        let mut continuation_lines: Vec<(u64, &String)> = continuations
            .iter()
            .filter(|(ent_num, _)| !by_ent_num.contains_key(*ent_num))
            .map(|(ent_num, (line, _))| (*line, ent_num))
            .collect();
        continuation_lines.sort();
        for (_, ent_num) in continuation_lines {
            comments_stray.count(ent_num);
        }
        if stray.is_empty() {
            warn_tolerated(comments, &comments_stray);
        }
    }

    for entry in &mut entries {
        if let Some(remarks) = entry.remarks.clone() {
            apply_remarks(&remarks, entry);
        }
    }
    Ok((entries, stray))
}

/// One warning for the whole document, however many rows it skips.
fn warn_tolerated(body: &Body, stray: &StrayRows) {
    if stray.rows > 0 {
        tracing::warn!(
            url = %body.url,
            rows = stray.rows,
            examples = %stray.examples.join(", "),
            "rows of entries not in {}, skipped (the files are from different days?)",
            stray.primary
        );
    }
}

/// One row of a file, with the line it starts on for error messages.
#[derive(Debug)]
struct Row {
    line: u64,
    fields: Vec<String>,
}

/// Reads one of the four files: decodes it, drops the control-Z and blank rows, and checks the
/// column count. A file in which no row has the right count is not an OFAC file at all.
fn read_table(body: &Body, columns: usize, what: &str) -> Result<Vec<Row>, ParseError> {
    let text = decode(&body.bytes);
    if looks_like_markup(&text, body.content_type.as_deref()) {
        return Err(wrong_format(
            body,
            &format!("expected OFAC's {what} (CSV) but got an HTML/XML document"),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = LineCounter::new(text.as_bytes());
    let mut rows = Vec::new();
    let mut first_bad: Option<(u64, usize)> = None;
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(body, &e, &mut lines))?;
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if is_filler(&record) {
            continue;
        }
        if record.len() != columns {
            first_bad.get_or_insert((line, record.len()));
            continue;
        }
        rows.push(Row {
            line,
            fields: record.iter().map(String::from).collect(),
        });
    }
    match first_bad {
        Some((line, found)) if rows.is_empty() => Err(wrong_format(
            body,
            &format!(
                "expected OFAC's {what} with {columns} columns, but no row has them \
                 (line {line} has {found})"
            ),
        )),
        Some((line, found)) => Err(ParseError::Malformed {
            url: body.url.clone(),
            location: format!("line {line}"),
            message: format!("{found} columns where {what} has {columns}"),
        }),
        None => Ok(rows),
    }
}

/// OFAC's files are ASCII in practice; older and other publications have been Windows-1252
/// (a superset of Latin-1), which is what any byte sequence that is not UTF-8 is taken for.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

fn looks_like_markup(text: &str, content_type: Option<&str>) -> bool {
    let html_type = content_type.is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t.contains("html") || t.contains("xml")
    });
    html_type || text.trim_start().starts_with('<')
}

/// The DOS end-of-file mark (control-Z) and blank lines are not rows.
fn is_filler(record: &csv::StringRecord) -> bool {
    record
        .iter()
        .all(|f| f.chars().all(|c| c.is_whitespace() || c == '\u{1a}'))
}

fn csv_error(body: &Body, error: &csv::Error, lines: &mut LineCounter) -> ParseError {
    let location = error.position().map_or_else(
        || "unknown position".to_string(),
        |p| format!("line {}", lines.line_at(p.byte())),
    );
    ParseError::Malformed {
        url: body.url.clone(),
        location,
        message: error.to_string(),
    }
}

/// Line numbers of record starts. The csv crate's own line count lags behind on CRLF files,
/// which OFAC's are, so lines are counted here from the byte offsets, moving forward only.
struct LineCounter<'t> {
    text: &'t [u8],
    offset: usize,
    line: u64,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t [u8]) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        // A record's reported start can be the line end that precedes it.
        let mut target = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while self
            .text
            .get(target)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            target += 1;
        }
        if target >= self.offset {
            let newlines = self.text[self.offset..target]
                .iter()
                .filter(|b| **b == b'\n');
            self.line += newlines.count() as u64;
            self.offset = target;
        }
        self.line
    }
}

fn wrong_format(body: &Body, reason: &str) -> ParseError {
    ParseError::WrongFormat {
        url: body.url.clone(),
        reason: reason.to_string(),
    }
}

fn malformed(body: &Body, row: &Row, message: String) -> ParseError {
    ParseError::Malformed {
        url: body.url.clone(),
        location: format!("line {}", row.line),
        message,
    }
}

/// A field's value, `None` for OFAC's `-0-` empty mark.
fn value(field: &str) -> Option<&str> {
    let field = field.trim();
    (!field.is_empty() && field != "-0-").then_some(field)
}

fn ent_num(body: &Body, row: &Row) -> Result<String, ParseError> {
    let raw = row.fields[0].trim();
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(
            body,
            row,
            format!("ent_num {raw:?} is not a number"),
        ));
    }
    Ok(raw.to_string())
}

/// The comments file: the rest of each cut remark, and the line it is on, by ent_num.
fn read_continuations(body: &Body) -> Result<HashMap<String, (u64, String)>, ParseError> {
    let mut continuations = HashMap::new();
    for row in read_table(body, COMMENTS_COLUMNS, "sdn_comments.csv")? {
        let ent_num = ent_num(body, &row)?;
        continuations.insert(ent_num, (row.line, row.fields[1].clone()));
    }
    Ok(continuations)
}

fn entry_from_row(ent_num: String, row: &Row, continuation: Option<&str>) -> Entry {
    let f = &row.fields;
    let sdn_type = value(&f[2]);
    let kind = match sdn_type.map(str::to_ascii_lowercase).as_deref() {
        None => EntityKind::Organization,
        Some("individual") => EntityKind::Person,
        Some("vessel") => EntityKind::Vessel,
        Some("aircraft") => EntityKind::Aircraft,
        Some(_) => EntityKind::Unknown,
    };
    let mut extra = Fields::new();
    if let (EntityKind::Unknown, Some(t)) = (kind, sdn_type) {
        extra.insert("sdn-type".to_string(), t.to_string());
    }
    let vessel = (kind == EntityKind::Vessel).then(|| VesselInfo {
        call_sign: value(&f[5]).map(String::from),
        vessel_type: value(&f[6]).map(String::from),
        tonnage: value(&f[7]).map(String::from),
        grt: value(&f[8]).map(String::from),
        flag: value(&f[9]).map(String::from),
        owner: value(&f[10]).map(String::from),
    });
    let mut identifiers = Vec::new();
    if let Some(call_sign) = vessel.as_ref().and_then(|v| v.call_sign.clone()) {
        identifiers.push(identifier("call-sign", &call_sign, None));
    }
    Entry {
        url: Some(format!(
            "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={ent_num}"
        )),
        id: ent_num,
        kind,
        name: value(&f[1]).unwrap_or_default().to_string(),
        programs: programs(&f[3]),
        titles: value(&f[4]).map(String::from).into_iter().collect(),
        vessel: vessel.map(Box::new),
        identifiers,
        remarks: full_remarks(&f[11], continuation),
        extra,
        ..Entry::default()
    }
}

/// `SDGT] [IRGC` → `["SDGT", "IRGC"]`.
fn programs(field: &str) -> Vec<String> {
    value(field)
        .map(|v| {
            v.split("] [")
                .map(|p| p.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace()))
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The remark, with its continuation when the remark was cut. Every complete remark ends with a
/// full stop; a cut one stops at the field limit. A comments file from another day may hold rows
/// for remarks that are complete here, and those are not appended.
fn full_remarks(field: &str, continuation: Option<&str>) -> Option<String> {
    let remark = value(field).map(|_| field).unwrap_or_default();
    let cut = !remark.trim_end().ends_with('.') || remark.chars().count() >= REMARKS_FIELD_LIMIT;
    let joined = match continuation {
        // The cut falls mid-word or just before a space: join without adding or trimming.
        Some(rest) if cut => format!("{remark}{rest}"),
        _ => remark.to_string(),
    };
    let joined = joined.trim();
    (!joined.is_empty()).then(|| joined.to_string())
}

fn alias_from_alt_row(f: &[String]) -> Option<Alias> {
    let name = value(&f[3])?;
    let kind = value(&f[2]).map_or_else(|| "aka".to_string(), alias_kind);
    Some(Alias {
        name: name.to_string(),
        kind,
    })
}

/// `a.k.a.` / `AKA` → `aka`.
fn alias_kind(raw: &str) -> String {
    raw.chars()
        .filter(|c| *c != '.' && !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// Adds an alias unless the entry already has that name (the remarks repeat alt.csv names).
fn push_alias(entry: &mut Entry, alias: Alias) {
    let known = entry
        .all_names()
        .any(|n| n.trim().eq_ignore_ascii_case(alias.name.trim()));
    if !known {
        entry.aliases.push(alias);
    }
}

/// Street, city/state/postal code and country as one line; the remark, if any, in brackets.
fn address_from_add_row(f: &[String]) -> Option<String> {
    let parts: Vec<&str> = f[2..5].iter().filter_map(|p| value(p)).collect();
    if parts.is_empty() {
        return None;
    }
    let mut address = parts.join(", ");
    if let Some(remark) = value(&f[5]) {
        address.push_str(&format!(" ({remark})"));
    }
    Some(address)
}

fn identifier(kind: &str, value: &str, note: Option<String>) -> Identifier {
    Identifier {
        kind: kind.to_string(),
        value: value.to_string(),
        note,
    }
}

// ---------------------------------------------------------------------------------------------
// Remarks: `DOB 30 Aug 1954; POB Kopys, Vitebsk oblast, Belarus; alt. Passport 123 (Belarus).`
// ---------------------------------------------------------------------------------------------

/// Reads the structured facts out of an entry's remarks into its fields. The remark text itself
/// stays in `remarks`; clauses that say nothing structured (free-text positions, sanctions
/// notices) are only there.
fn apply_remarks(remarks: &str, entry: &mut Entry) {
    for clause in clauses(remarks) {
        apply_clause(clause, entry);
    }
}

/// Clauses are separated by `; ` (once, in OFAC's data, by a bare `;`) and the last one ends
/// with a full stop. An `alt.` prefix only
/// says "another value of the same kind", which the fields here express by being lists.
fn clauses(remarks: &str) -> impl Iterator<Item = &str> {
    let remarks = strip_final_stop(remarks.trim());
    remarks.split(';').filter_map(|clause| {
        let clause = clause.trim();
        let clause = clause
            .strip_prefix("alt. ")
            .or_else(|| clause.strip_prefix("Alt. "))
            .unwrap_or(clause)
            .trim();
        (!clause.is_empty()).then_some(clause)
    })
}

/// OFAC does not double the full stop after a name ending in an abbreviation
/// (`Linked To: GALAPAGOS S.A.`), so the stop stays when the last word is one.
fn strip_final_stop(remarks: &str) -> &str {
    let Some(body) = remarks.strip_suffix('.') else {
        return remarks;
    };
    let last_word = body.rsplit([' ', '\'']).next().unwrap_or_default();
    let abbreviation = last_word.contains('.')
        || (last_word.len() == 1 && last_word.chars().all(|c| c.is_alphabetic()))
        || ["LTD", "LTDA", "CO", "INC", "CORP", "CIA", "JR", "SR"]
            .iter()
            .any(|a| last_word.eq_ignore_ascii_case(a));
    if abbreviation {
        remarks
    } else {
        body
    }
}

fn apply_clause(clause: &str, entry: &mut Entry) {
    if let Some(dob) = after_label(clause, "DOB") {
        push_unique(&mut entry.dates_of_birth, dob);
    } else if let Some(pob) = after_label(clause, "POB") {
        push_unique(&mut entry.places_of_birth, pob);
    } else if let Some(country) =
        after_label(clause, "nationality").or_else(|| after_label(clause, "citizen"))
    {
        push_unique(&mut entry.nationalities, country);
    } else if let Some(alias) = remark_alias(clause) {
        push_alias(entry, alias);
    } else if let Some(name) = after_label(clause, "Linked To:") {
        push_unique(&mut entry.linked_to, name);
    } else if let Some(id) = imo_identifier(clause) {
        push_identifier(entry, id);
    } else if let Some(mmsi) = after_label(clause, "MMSI") {
        push_identifier(entry, identifier("mmsi", mmsi, None));
    } else if let Some(id) = document_identifier(clause) {
        push_identifier(entry, id);
    } else if let Some((key, text)) = extra_fact(clause) {
        match entry.extra.get_mut(key) {
            Some(v) => {
                v.push_str("; ");
                v.push_str(text);
            }
            None => {
                entry.extra.insert(key.to_string(), text.to_string());
            }
        }
    }
}

/// The text after `label`, when the clause starts with it as a whole word (followed by a space,
/// a colon or nothing more to say). `None` when the clause is not of that label or is empty.
fn after_label<'c>(clause: &'c str, label: &str) -> Option<&'c str> {
    let rest = clause.strip_prefix(label)?;
    if !(label.ends_with([':', '#', ' ']) || rest.starts_with([' ', ':'])) {
        return None;
    }
    let rest = rest.trim_start_matches([':', ' ']).trim();
    (!rest.is_empty()).then_some(rest)
}

fn push_identifier(entry: &mut Entry, id: Identifier) {
    let known = entry
        .identifiers
        .iter()
        .any(|i| i.kind == id.kind && i.value == id.value);
    if !known {
        entry.identifiers.push(id);
    }
}

/// `a.k.a. 'NAME'`, `f.k.a. 'OLD NAME'`, `n.k.a. 'NEW NAME'`.
fn remark_alias(clause: &str) -> Option<Alias> {
    let (kind, rest) = ["a.k.a.", "f.k.a.", "n.k.a."]
        .iter()
        .find_map(|k| Some((*k, clause.strip_prefix(k)?)))?;
    let name = rest.trim();
    let name = name.strip_prefix('\'').unwrap_or(name);
    let name = name.strip_suffix('\'').unwrap_or(name).trim();
    (!name.is_empty()).then(|| Alias {
        name: name.to_string(),
        kind: alias_kind(kind),
    })
}

/// `Vessel Registration Identification IMO 9187629`, `Company Number IMO 5055293`,
/// `Identification Number IMO 5342883` and `International Maritime Organization No. (5777731)`.
/// The note keeps what the number identifies (a ship or its owning company).
fn imo_identifier(clause: &str) -> Option<Identifier> {
    let (label, number) = if let Some(at) = clause.find("IMO ") {
        (&clause[..at], &clause[at + 4..])
    } else {
        let at = clause.find("International Maritime Organization No.")?;
        (
            &clause[..at],
            &clause[at + "International Maritime Organization No.".len()..],
        )
    };
    let digits: String = number
        .trim_start_matches([' ', '('])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return None;
    }
    // OFAC has published a few short numbers (`IMO 15411`); they are kept as published, so
    // that the entry still shows them, and flagged, so that nobody trusts them as IMO numbers.
    let label = label.trim();
    let mut note: Vec<&str> = Vec::new();
    if !label.is_empty() {
        note.push(label);
    }
    if digits.len() != 7 {
        note.push("not a 7-digit IMO number");
    }
    let note = (!note.is_empty()).then(|| note.join("; "));
    Some(identifier("imo", &digits, note))
}

/// The remark labels of identity and registration documents, and the identifier kind each is
/// filed under. Matched longest first, so `Passport Booklet` wins over `Passport`.
const DOCUMENT_LABELS: &[(&str, &str)] = &[
    ("Passport", "passport"),
    ("Passport No.", "passport"),
    ("Passport Booklet", "passport"),
    ("Diplomatic Passport", "diplomatic-passport"),
    ("Stateless Person Passport", "passport"),
    ("British National Overseas Passport", "passport"),
    ("National ID No.", "national-id"),
    ("Personal ID Card", "national-id"),
    ("Kenyan ID No.", "national-id"),
    ("Moroccan Personal ID No.", "national-id"),
    ("Bosnian Personal ID No.", "national-id"),
    ("Tazkira National ID Card", "national-id"),
    ("Turkish Identification Number", "national-id"),
    ("Turkish Identificiation Number", "national-id"),
    ("Numero de Identidad", "national-id"),
    ("Citizen's Card Number", "national-id"),
    ("UAE Identification", "national-id"),
    ("CNP (Personal Numerical Code)", "national-id"),
    ("National Foreign ID Number", "foreign-id"),
    ("Cedula No.", "cedula"),
    ("D.N.I.", "dni"),
    ("N.I.E.", "nie"),
    ("SSN", "ssn"),
    ("C.U.R.P.", "curp"),
    ("C.U.R.P. #", "curp"),
    ("C.U.I.P.", "cuip"),
    ("C.U.I.T.", "cuit"),
    ("C.U.I.", "cui"),
    ("I.F.E.", "ife"),
    ("Credencial electoral", "electoral-id"),
    ("Electoral Registry No.", "electoral-id"),
    (
        "Cartilla de Servicio Militar Nacional",
        "military-service-card",
    ),
    ("Driver's License No.", "drivers-license"),
    ("Pilot License Number", "pilot-license"),
    ("Travel Document Number", "travel-document"),
    ("Refugee ID Card", "refugee-id"),
    ("Stateless Person ID Card", "stateless-id"),
    ("Residency Number", "residency-number"),
    ("Birth Certificate Number", "birth-certificate"),
    ("Immigration No.", "immigration-number"),
    ("Public Security and Immigration No.", "immigration-number"),
    ("VisaNumberID", "visa"),
    ("Tax ID No.", "tax-id"),
    ("Italian Fiscal Code", "tax-id"),
    ("Fiscal Code", "tax-id"),
    ("Romanian Tax Registration", "tax-id"),
    ("Paraguayan tax identification number", "tax-id"),
    ("Numero Unico de Identificacao Tributaria (NUIT)", "tax-id"),
    ("US FEIN", "tax-id"),
    ("R.F.C.", "rfc"),
    ("R.F.C. #", "rfc"),
    ("RFC", "rfc"),
    ("NIT #", "nit"),
    ("RIF #", "rif"),
    ("RUC #", "ruc"),
    ("RTN", "rtn"),
    ("C.I.F.", "cif"),
    ("V.A.T. Number", "vat"),
    ("Registration ID", "registration-id"),
    ("Registration Number", "registration-number"),
    ("Public Registration Number", "registration-number"),
    ("Business Registration Number", "registration-number"),
    ("Business Registration Document #", "registration-number"),
    ("Commercial Registry Number", "registration-number"),
    ("C.R. No.", "registration-number"),
    ("Romanian C.R.", "registration-number"),
    ("Company Number", "registration-number"),
    ("UK Company Number", "registration-number"),
    ("Certificate of Incorporation Number", "registration-number"),
    ("Enterprise Number", "registration-number"),
    ("Branch Unit Number", "registration-number"),
    ("Business Number", "registration-number"),
    ("Folio Mercantil No.", "registration-number"),
    ("Matricula Mercantil No", "registration-number"),
    ("Government Gazette Number", "government-gazette-number"),
    ("Chamber of Commerce Number", "chamber-of-commerce-number"),
    (
        "Dubai Chamber of Commerce Membership No.",
        "chamber-of-commerce-number",
    ),
    (
        "Istanbul Chamber of Comm. No.",
        "chamber-of-commerce-number",
    ),
    ("Trade License No.", "trade-license"),
    ("License", "license"),
    ("Afghan Money Service Provider License Number", "license"),
    ("Registered Charity No.", "charity-number"),
    ("Unified Social Credit Code (USCC)", "uscc"),
    ("United Social Credit Code Certificate (USCCC)", "uscc"),
    ("Chinese Commercial Code", "chinese-commercial-code"),
    ("Legal Entity Number", "lei"),
    ("LE Number", "le-number"),
    ("D-U-N-S Number", "duns"),
    ("SWIFT/BIC", "swift"),
    ("BIK (RU)", "bik"),
    ("ISIN", "isin"),
    ("Identification Number ISIN:", "isin"),
    ("Equity Ticker", "equity-ticker"),
    ("Identification Number", "identification-number"),
    ("File Number", "file-number"),
    ("Serial No.", "serial-number"),
    ("Vessel Registration Identification", "vessel-registration"),
    ("Other Vessel Call Sign", "call-sign"),
    (
        "Aircraft Manufacturer's Serial Number (MSN)",
        "aircraft-msn",
    ),
    (
        "Aircraft Construction Number (also called L/N or S/N or F/N)",
        "aircraft-construction-number",
    ),
    ("Aircraft Serial Identification", "aircraft-serial"),
    ("Aircraft Tail Number", "aircraft-tail-number"),
    ("Previous Aircraft Tail Number", "aircraft-tail-number"),
    ("Aircraft Mode S Transponder Code", "aircraft-mode-s"),
];

/// `Passport A1234567 (Iran) issued 01 Jan 2000 expires 01 Jan 2010` → passport `A1234567`,
/// note `Iran, issued 01 Jan 2000 expires 01 Jan 2010`.
fn document_identifier(clause: &str) -> Option<Identifier> {
    if let Some(rest) = after_label(clause, "Digital Currency Address -") {
        // `Digital Currency Address - XBT 1Abc…`: the currency is the note.
        let (currency, address) = rest.split_once(' ')?;
        return Some(identifier(
            "digital-currency-address",
            address.trim(),
            Some(currency.to_string()),
        ));
    }
    let (label, kind) = DOCUMENT_LABELS
        .iter()
        .filter(|(label, _)| after_label(clause, label).is_some())
        .max_by_key(|(label, _)| label.len())?;
    let rest = after_label(clause, label)?.trim_start_matches('#').trim();
    let (value, note) = split_value_and_note(rest);
    (!value.is_empty()).then(|| identifier(kind, value, note))
}

/// The document number runs up to the issuing country in brackets or the issue/expiry dates.
fn split_value_and_note(rest: &str) -> (&str, Option<String>) {
    let end = [" (", " issued", " expires", ", issued", ", expired"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    let value = rest[..end].trim().trim_end_matches(',');
    let tail = rest[end..].trim().trim_start_matches(',').trim();
    let note = if let Some(inner) = tail.strip_prefix('(') {
        match inner.split_once(')') {
            Some((country, after)) => [country.trim(), after.trim()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            None => tail.to_string(),
        }
    } else {
        tail.to_string()
    };
    (value, (!note.is_empty()).then_some(note))
}

/// Facts worth showing that are neither names nor identifiers, and the `extra` key each goes in.
const EXTRA_LABELS: &[(&str, &str)] = &[
    ("Gender", "gender"),
    ("Website", "website"),
    ("Email Address", "email"),
    ("Email", "email"),
    ("Telephone", "phone"),
    ("Telephone No.", "phone"),
    ("Telephone Number", "phone"),
    ("Phone Number", "phone"),
    ("Phone No.", "phone"),
    ("PHONE", "phone"),
    ("Fax", "fax"),
    ("Fax No.", "fax"),
    ("FAX", "fax"),
    ("Aircraft Model", "aircraft-model"),
    ("Aircraft Operator", "aircraft-operator"),
    ("Aircraft Manufacture Date", "aircraft-manufacture-date"),
    ("Former Vessel Flag", "former-vessel-flag"),
    (
        "Organization Established Date",
        "organization-established-date",
    ),
    ("Organization Type", "organization-type"),
    ("Target Type", "target-type"),
    ("Secondary sanctions risk", "secondary-sanctions-risk"),
    (
        "Additional Sanctions Information -",
        "additional-sanctions-information",
    ),
];

fn extra_fact(clause: &str) -> Option<(&'static str, &str)> {
    EXTRA_LABELS
        .iter()
        .filter_map(|(label, key)| Some((label.len(), *key, after_label(clause, label)?)))
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, key, text)| (key, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(resource: &str, bytes: &[u8]) -> Body {
        Body {
            resource: resource.to_string(),
            url: format!("https://example.test/{resource}"),
            bytes: bytes.to_vec(),
            content_type: None,
        }
    }

    fn parse(
        sdn: &[u8],
        alt: &[u8],
        add: &[u8],
        comments: &[u8],
    ) -> Result<Vec<Entry>, ParseError> {
        let bodies = [
            body("sdn.csv", sdn),
            body("alt.csv", alt),
            body("add.csv", add),
            body("sdn_comments.csv", comments),
        ];
        match OfacCsv::new(None).parse(&bodies)? {
            Parsed::List(list) => Ok(list.entries),
            other => panic!("a list format returned something else: {other:?}"),
        }
    }

    #[test]
    fn windows_1252_bytes_are_decoded_not_lost() {
        // Constructed: OFAC's files are ASCII today; a Latin-1 name must still read right.
        let sdn = b"1,\"MU\xd1OZ, Jos\xe9\",\"individual\",\"SDNT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a";
        let entries = parse(sdn, b"", b"", b"").unwrap();
        assert_eq!(entries[0].name, "MUÑOZ, José");
    }

    #[test]
    fn remark_clauses_become_fields() {
        let mut entry = Entry::default();
        apply_remarks(
            "DOB 01 Jan 1960; alt. DOB 1961; POB Tehran, Iran; nationality Iran; \
             Gender Male; Passport A123 (Iran) issued 01 Jan 2000 expires 01 Jan 2010; \
             National ID No. 55-1 (Iran); Digital Currency Address - XBT 1abc; \
             a.k.a. 'AL-QA'IDA'; nationality possibly Palestinian;arrested 2002; \
             Linked To: SOME CO., LTD.",
            &mut entry,
        );
        assert_eq!(entry.dates_of_birth, ["01 Jan 1960", "1961"]);
        assert_eq!(entry.places_of_birth, ["Tehran, Iran"]);
        assert_eq!(entry.nationalities, ["Iran", "possibly Palestinian"]);
        assert_eq!(entry.extra["gender"], "Male");
        assert_eq!(
            entry.identifiers[0],
            identifier(
                "passport",
                "A123",
                Some("Iran, issued 01 Jan 2000 expires 01 Jan 2010".into())
            )
        );
        assert_eq!(
            entry.identifiers[1],
            identifier("national-id", "55-1", Some("Iran".into()))
        );
        assert_eq!(
            entry.identifiers[2],
            identifier("digital-currency-address", "1abc", Some("XBT".into()))
        );
        assert_eq!(entry.aliases[0].name, "AL-QA'IDA");
        assert_eq!(entry.linked_to, ["SOME CO., LTD."]);
    }

    #[test]
    fn cut_remark_is_joined_without_a_gap() {
        let head = format!("{}PROMO RAI", "x".repeat(REMARKS_FIELD_LIMIT - 9));
        let joined = full_remarks(&head, Some("Z S.A.S.")).unwrap();
        assert!(joined.ends_with("PROMO RAIZ S.A.S."));
        // A complete remark is left alone even if a stale comments row names the entry.
        assert_eq!(
            full_remarks("DOB 1960.", Some("junk")).unwrap(),
            "DOB 1960."
        );
    }
}
