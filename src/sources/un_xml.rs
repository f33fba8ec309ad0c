//! The UN Security Council consolidated list, XML.
//!
//! Root `CONSOLIDATED_LIST` (attribute `dateGenerated`) holding `INDIVIDUALS/INDIVIDUAL` and
//! `ENTITIES/ENTITY`. The document is read as a stream of events; each record is gathered into a
//! small tree and mapped to an [`Entry`] once its end tag is read, so memory stays bounded by the
//! largest record rather than the document. Fields are looked up by name and anything unknown is
//! kept in `extra`, because the UN adds fields to this schema over time.

use std::borrow::Cow;

use super::xml_walk::{non_empty, walk, Item, Node};
use super::{push_unique, single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{Alias, EntityKind, Entry, Identifier, ListSnapshot};
use crate::domain::fields::Fields as ExtraFields;
use crate::domain::ident::{self as imo, ImoKind};

const ROOT: &str = "CONSOLIDATED_LIST";
const INDIVIDUAL: &str = "INDIVIDUAL";
const ENTITY: &str = "ENTITY";

pub struct UnScXml;

impl SourceFormat for UnScXml {
    fn kind(&self) -> &'static str {
        "un_sc_xml"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        parse_document(&body.bytes, &body.url).map(Parsed::List)
    }
}

/// Parses one UN consolidated list document; `url` only names it in errors.
pub fn parse_document(bytes: &[u8], url: &str) -> Result<ListSnapshot, ParseError> {
    let mut snapshot = ListSnapshot::default();
    // A record is an INDIVIDUAL or ENTITY wherever it sits (today under INDIVIDUALS/ENTITIES).
    let is_record = |_, name: &str| name == INDIVIDUAL || name == ENTITY;
    let mut fields = RecordFields::default();
    walk(bytes, url, ROOT, is_record, |item| {
        match item {
            Item::Root(root) => {
                snapshot.published = root.attr("dateGenerated").map(str::to_string);
            }
            Item::Record(record, at) => {
                fields.sort(record);
                snapshot
                    .entries
                    .push(entry_from_record(record, &fields, url, at)?);
            }
        }
        Ok(())
    })?;
    non_empty(snapshot, url, "no INDIVIDUAL or ENTITY records")
}

/// How the UN list's fields read: whitespace collapsed, multi-valued fields as `VALUE` children.
trait Fields {
    /// The cleaned text of the first child `name` that has any, borrowed when it can be.
    fn field_str(&self, name: &str) -> Option<Cow<'_, str>>;
    /// [`Fields::field_str`], owned.
    fn field(&self, name: &str) -> Option<String> {
        self.field_str(name).map(Cow::into_owned)
    }
}

impl Fields for Node<'_> {
    fn field_str(&self, name: &str) -> Option<Cow<'_, str>> {
        self.children
            .iter()
            .filter(|c| c.name == name)
            .find_map(|c| clean(&c.text))
    }
}

/// Collapses the indentation and line breaks the list carries inside text; `None` when empty.
///
/// Every text of a record goes through here, so it is read as bytes: most texts are clean
/// already (words apart by single spaces) and are taken as they are. A text is searched a
/// block of bytes at a time ([`next_suspect`]) for what may need collapsing, so that a remark
/// of hundreds of bytes with a line break or two costs little more than a clean one; only the
/// suspect places are looked at one by one.
fn clean(text: &str) -> Option<Cow<'_, str>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut collapsed: Option<String> = None;
    // `text[..kept]` is in `collapsed` already.
    let mut kept = 0;
    let mut from = 0;
    while let Some(at) = next_suspect(bytes, from) {
        // A run of whitespace may begin with the one space before the suspect byte (two
        // spaces in a row are suspect themselves, so no more than one).
        let start = if at > kept && bytes[at - 1] == b' ' {
            at - 1
        } else {
            at
        };
        let mut end = at;
        loop {
            match whitespace_len(&bytes[end..]) {
                0 => break,
                len => end += len,
            }
        }
        from = end.max(at + 1);
        // The lead byte of a character that is not whitespace.
        if end == at {
            continue;
        }
        // Trimmed, the text neither starts nor ends with a run: each one lies between words.
        let out = collapsed.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[kept..start]);
        out.push(' ');
        kept = end;
    }
    Some(match collapsed {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[kept..]);
            Cow::Owned(out)
        }
    })
}

/// The first position from `from` on that may need collapsing: whitespace other than the
/// space, the lead byte of a whitespace character beyond ASCII ([`may_start_whitespace`]), or
/// a space followed by another.
fn next_suspect(bytes: &[u8], from: usize) -> Option<usize> {
    const BLOCK: usize = 32;
    let suspect =
        |b: u8, next: u8| (may_start_whitespace(b) & (b != b' ')) | ((b == b' ') & (next == b' '));
    // Each block with the byte after it: no early exit inside a block, so that the compiler
    // reads it many bytes at a time. The last one (most texts are shorter than a block) is
    // copied out padded with zeros, which are not suspect.
    let any_in = |window: &[u8; BLOCK + 1]| {
        window[..BLOCK]
            .iter()
            .zip(&window[1..])
            .fold(false, |seen, (&b, &next)| seen | suspect(b, next))
    };
    let mut at = from;
    loop {
        let rest = bytes.get(at..)?;
        let any = match rest.first_chunk::<{ BLOCK + 1 }>() {
            Some(window) => any_in(window),
            None => {
                let mut window = [0; BLOCK + 1];
                window[..rest.len()].copy_from_slice(rest);
                any_in(&window)
            }
        };
        if any {
            let end = (at + BLOCK).min(bytes.len());
            return (at..end).find(|&i| suspect(bytes[i], bytes.get(i + 1).copied().unwrap_or(0)));
        }
        at += BLOCK;
    }
}

/// Whether `b` may start a whitespace character: ASCII whitespace, or the lead byte of one
/// beyond ASCII. Arithmetic rather than a table, so that a block of bytes is tested at once.
fn may_start_whitespace(b: u8) -> bool {
    (b.wrapping_sub(b'\t') < 5) | (b == b' ') | (b == 0xC2) | (b.wrapping_sub(0xE1) < 3)
}

/// The length in bytes of the whitespace character (as `char::is_whitespace` has it) that
/// `bytes` start with; 0 when they start with none.
fn whitespace_len(bytes: &[u8]) -> usize {
    match bytes {
        [b'\t'..=b'\r' | b' ', ..] => 1,
        // U+0085, U+00A0
        [0xC2, 0x85 | 0xA0, ..] => 2,
        // U+1680; U+2000–U+200A, U+2028, U+2029, U+202F; U+205F; U+3000
        [0xE1, 0x9A, 0x80, ..]
        | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
        | [0xE2, 0x81, 0x9F, ..]
        | [0xE3, 0x80, 0x80, ..] => 3,
        _ => 0,
    }
}

/// The fields of a record that are mapped explicitly; any other lands in `extra`.
#[derive(Clone, Copy)]
enum Field {
    DataId,
    FirstName,
    SecondName,
    ThirdName,
    FourthName,
    ListType,
    ListedOn,
    OriginalScript,
    Comments,
    Title,
    Designation,
    Nationality,
    IndividualAlias,
    EntityAlias,
    IndividualAddress,
    EntityAddress,
    DateOfBirth,
    PlaceOfBirth,
    Document,
    /// Sorting aids of the UN's own site, empty in every published snapshot.
    SortKey,
}

const FIELDS: usize = Field::SortKey as usize + 1;

impl Field {
    /// The field a child element is, by its name; `None`: an extra field.
    fn of(name: &str) -> Option<Field> {
        Some(match name {
            "DATAID" => Field::DataId,
            "FIRST_NAME" => Field::FirstName,
            "SECOND_NAME" => Field::SecondName,
            "THIRD_NAME" => Field::ThirdName,
            "FOURTH_NAME" => Field::FourthName,
            "UN_LIST_TYPE" => Field::ListType,
            "LISTED_ON" => Field::ListedOn,
            "NAME_ORIGINAL_SCRIPT" => Field::OriginalScript,
            "COMMENTS1" => Field::Comments,
            "TITLE" => Field::Title,
            "DESIGNATION" => Field::Designation,
            "NATIONALITY" => Field::Nationality,
            "INDIVIDUAL_ALIAS" => Field::IndividualAlias,
            "ENTITY_ALIAS" => Field::EntityAlias,
            "INDIVIDUAL_ADDRESS" => Field::IndividualAddress,
            "ENTITY_ADDRESS" => Field::EntityAddress,
            "INDIVIDUAL_DATE_OF_BIRTH" => Field::DateOfBirth,
            "INDIVIDUAL_PLACE_OF_BIRTH" => Field::PlaceOfBirth,
            "INDIVIDUAL_DOCUMENT" => Field::Document,
            "SORT_KEY" | "SORT_KEY_LAST_MOD" => Field::SortKey,
            _ => return None,
        })
    }
}

/// A record's children sorted by field in one pass over them, each field's in document order,
/// so that building the entry does not search the children once per field (about twenty
/// searches of some twenty-five children). The lists are kept from record to record.
#[derive(Default)]
struct RecordFields {
    /// Per [`Field`], the positions of its children.
    at: [Vec<u32>; FIELDS],
    /// The positions of the children of no known field.
    extra: Vec<u32>,
}

impl RecordFields {
    fn sort(&mut self, record: &Node) {
        self.at.iter_mut().for_each(Vec::clear);
        self.extra.clear();
        for (i, child) in record.children.iter().enumerate() {
            match Field::of(&child.name) {
                Some(field) => self.at[field as usize].push(i as u32),
                None => self.extra.push(i as u32),
            }
        }
    }

    /// The children of `field`, in document order.
    fn nodes<'s, 'n, 'a>(
        &'s self,
        record: &'n Node<'a>,
        field: Field,
    ) -> impl Iterator<Item = &'n Node<'a>> + 's
    where
        'n: 's,
    {
        self.at[field as usize]
            .iter()
            .map(|&i| &record.children[i as usize])
    }

    /// The cleaned text of the first child of `field` that has any.
    fn text<'n>(&self, record: &'n Node, field: Field) -> Option<Cow<'n, str>> {
        self.nodes(record, field).find_map(|c| clean(&c.text))
    }

    /// The cleaned `VALUE`s of every child of `field`.
    fn values(&self, record: &Node, field: Field) -> Vec<String> {
        self.nodes(record, field)
            .flat_map(|c| c.children_named("VALUE"))
            .filter_map(|v| clean(&v.text).map(Cow::into_owned))
            .collect()
    }
}

fn entry_from_record(
    record: &Node,
    fields: &RecordFields,
    url: &str,
    position: u64,
) -> Result<Entry, ParseError> {
    let owned = |field| fields.text(record, field).map(Cow::into_owned);
    let id = owned(Field::DataId).ok_or_else(|| ParseError::Malformed {
        url: url.to_string(),
        location: format!("byte {position}"),
        message: format!("<{}> without a DATAID", record.name),
    })?;
    let is_individual = record.name == INDIVIDUAL;
    let name = if is_individual {
        let mut name = String::new();
        for part in [
            Field::FirstName,
            Field::SecondName,
            Field::ThirdName,
            Field::FourthName,
        ]
        .into_iter()
        .filter_map(|f| fields.text(record, f))
        {
            if !name.is_empty() {
                name.push(' ');
            }
            name.push_str(&part);
        }
        name
    } else {
        owned(Field::FirstName).unwrap_or_default()
    };

    let mut entry = Entry {
        id,
        kind: if is_individual {
            EntityKind::Person
        } else {
            EntityKind::Organization
        },
        name,
        programs: owned(Field::ListType).into_iter().collect(),
        listed_on: fields.text(record, Field::ListedOn).map(|d| date_part(&d)),
        remarks: owned(Field::Comments),
        nationalities: fields.values(record, Field::Nationality),
        ..Entry::default()
    };
    entry.titles = fields.values(record, Field::Title);
    entry
        .titles
        .extend(fields.values(record, Field::Designation));

    add_aliases(record, fields, &mut entry);
    for dob in fields.nodes(record, Field::DateOfBirth) {
        push_some(&mut entry.dates_of_birth, date_of_birth(dob));
    }
    for place in fields.nodes(record, Field::PlaceOfBirth) {
        let text = joined_parts(place, &["STREET", "CITY", "STATE_PROVINCE", "COUNTRY"]);
        push_some(&mut entry.places_of_birth, text);
    }
    for address in fields
        .nodes(record, Field::IndividualAddress)
        .chain(fields.nodes(record, Field::EntityAddress))
    {
        let parts = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"];
        push_some(&mut entry.addresses, joined_parts(address, &parts));
    }
    entry
        .identifiers
        .extend(fields.nodes(record, Field::Document).filter_map(document));
    entry.extra = extra_fields(record, fields);

    if !is_individual {
        add_imo_numbers(&mut entry);
    }
    Ok(entry)
}

/// Adds a value the record may or may not give; one borrowed from the record is copied only
/// when it is added.
fn push_some(list: &mut Vec<String>, value: Option<Cow<'_, str>>) {
    match value {
        // Moved in, not copied again, when it needs no trimming.
        Some(value)
            if value.trim().len() == value.len()
                && !value.is_empty()
                && !list.iter().any(|v| *v == value) =>
        {
            list.push(value.into_owned());
        }
        Some(value) => push_unique(list, &value),
        None => {}
    }
}

fn add_aliases(record: &Node, fields: &RecordFields, entry: &mut Entry) {
    for alias in fields
        .nodes(record, Field::IndividualAlias)
        .chain(fields.nodes(record, Field::EntityAlias))
    {
        let Some(name) = alias.field("ALIAS_NAME") else {
            continue;
        };
        let kind = alias_kind(alias.field_str("QUALITY").as_deref());
        push_alias(&mut entry.aliases, name, kind);
        // Birth data given under an alias is still this person's, and matching may need it.
        push_some(&mut entry.dates_of_birth, alias.field_str("DATE_OF_BIRTH"));
        let place = joined(
            [
                alias.field_str("CITY_OF_BIRTH"),
                alias.field_str("COUNTRY_OF_BIRTH"),
            ]
            .into_iter()
            .flatten(),
        );
        push_some(&mut entry.places_of_birth, place);
    }
    for original in fields.nodes(record, Field::OriginalScript) {
        if let Some(name) = clean(&original.text) {
            push_alias(
                &mut entry.aliases,
                name.into_owned(),
                "original-script".to_string(),
            );
        }
    }
}

fn push_alias(aliases: &mut Vec<Alias>, name: String, kind: String) {
    if !aliases.iter().any(|a| a.name == name && a.kind == kind) {
        aliases.push(Alias { name, kind });
    }
}

/// The list's alias QUALITY as a lowercase word: `good`, `low`, `aka`, `fka`, … An alias with
/// no quality is a plain a.k.a.
fn alias_kind(quality: Option<&str>) -> String {
    let Some(quality) = quality else {
        return "aka".to_string();
    };
    // The forms the list writes, nearly every alias: told apart without lowercasing.
    if let Some((_, word)) = ALIAS_QUALITIES
        .iter()
        .find(|(written, _)| quality == *written)
    {
        return word.to_string();
    }
    // Compared as it is lowercased, not collected first: nearly every alias has a quality.
    let compact = || {
        quality
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .flat_map(char::to_lowercase)
    };
    if compact().next().is_none() {
        return "aka".to_string();
    }
    ALIAS_QUALITIES
        .iter()
        .find(|(_, word)| compact().eq(word.chars()))
        .map_or_else(|| hyphenated(quality), |(_, word)| word.to_string())
}

/// The alias qualities an alias kind is made of, as the list writes them and as the word kept.
const ALIAS_QUALITIES: [(&str, &str); 5] = [
    ("Good", "good"),
    ("Low", "low"),
    ("a.k.a.", "aka"),
    ("f.k.a.", "fka"),
    ("n.k.a.", "nka"),
];

fn hyphenated(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// `2015-07-01-04:00` (a date with the list's UTC offset) → `2015-07-01`.
fn date_part(date: &str) -> String {
    let bytes = date.as_bytes();
    let is_date = bytes.len() > 10
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && matches!(bytes[10], b'-' | b'+' | b'Z');
    if is_date {
        date[..10].to_string()
    } else {
        date.to_string()
    }
}

/// A readable date of birth: `1958-08-30`, `1960`, `approximately 1968`,
/// `between 1956 and 1958`, with the list's note in parentheses.
fn date_of_birth<'n>(node: &'n Node) -> Option<Cow<'n, str>> {
    let approximately = node
        .field_str("TYPE_OF_DATE")
        .is_some_and(|t| upper_case_is(&t, "APPROXIMATELY"));
    let note = node.field_str("NOTE");
    let range = node.field_str("FROM_YEAR").zip(node.field_str("TO_YEAR"));
    let date = if let Some((from, to)) = range {
        Cow::Owned(format!("between {from} and {to}"))
    } else if let Some(date) = node.field_str("DATE") {
        Cow::Owned(date_part(&date))
    } else if let Some(year) = node.field_str("YEAR") {
        year
    } else {
        return note;
    };
    let date = if approximately {
        Cow::Owned(format!("approximately {date}"))
    } else {
        date
    };
    // "Approximately" as a note only repeats what TYPE_OF_DATE or the range already says.
    match note.filter(|n| !n.eq_ignore_ascii_case("approximately")) {
        Some(note) => Some(Cow::Owned(format!("{date} ({note})"))),
        None => Some(date),
    }
}

/// Whether `text` upper-cased is `upper`, without upper-casing a copy when it is ASCII.
fn upper_case_is(text: &str, upper: &str) -> bool {
    if text.is_ascii() {
        text.len() == upper.len()
            && text
                .bytes()
                .zip(upper.bytes())
                .all(|(t, u)| t.to_ascii_uppercase() == u)
    } else {
        text.to_uppercase() == upper
    }
}

/// The non-empty `parts` of an address or place joined by commas, with its NOTE in parentheses
/// (or the NOTE alone when it is all the list gives). Each part is the first child of its name
/// that has text, found in one pass over the children.
fn joined_parts<'n, const N: usize>(node: &'n Node, parts: &[&str; N]) -> Option<Cow<'n, str>> {
    let mut found: [Option<Cow<'n, str>>; N] = std::array::from_fn(|_| None);
    let mut note = None;
    for child in &node.children {
        let slot = match parts.iter().position(|p| child.name == *p) {
            Some(at) => &mut found[at],
            None if child.name == "NOTE" => &mut note,
            None => continue,
        };
        if slot.is_none() {
            *slot = clean(&child.text);
        }
    }
    match (joined(found.into_iter().flatten()), note) {
        (Some(text), Some(note)) => Some(Cow::Owned(format!("{text} ({note})"))),
        (text, note) => text.or(note),
    }
}

/// Cleaned texts joined by commas, `None` when there are none; one text alone stays borrowed.
/// Cleaned texts joined so are clean.
fn joined<'t>(mut texts: impl Iterator<Item = Cow<'t, str>>) -> Option<Cow<'t, str>> {
    let first = texts.next()?;
    let Some(second) = texts.next() else {
        return Some(first);
    };
    let mut joined = first.into_owned();
    for text in std::iter::once(second).chain(texts) {
        joined.push_str(", ");
        joined.push_str(&text);
    }
    Some(Cow::Owned(joined))
}

/// An identity document as an identifier; documents the list gives no number for are left to
/// the remarks, as an identifier without a value would match nothing.
fn document(node: &Node) -> Option<Identifier> {
    let value = node.field("NUMBER")?;
    let type_of_document = node.field_str("TYPE_OF_DOCUMENT");
    let detail = node.field_str("TYPE_OF_DOCUMENT2");
    let kind = type_of_document
        .as_deref()
        .or(detail.as_deref())
        .map(document_kind)
        .unwrap_or_else(|| "document".to_string());

    let mut note: Vec<Cow<str>> = Vec::new();
    if detail.is_some() && detail != type_of_document {
        note.extend(detail);
    }
    if let Some(country) = node
        .field_str("ISSUING_COUNTRY")
        .or_else(|| node.field_str("COUNTRY_OF_ISSUE"))
    {
        note.push(format!("issued by {country}").into());
    }
    if let Some(city) = node.field_str("CITY_OF_ISSUE") {
        note.push(format!("issued in {city}").into());
    }
    if let Some(date) = node.field_str("DATE_OF_ISSUE") {
        note.push(format!("issued on {}", date_part(&date)).into());
    }
    note.extend(node.field_str("NOTE"));
    Some(Identifier {
        kind,
        value,
        note: (!note.is_empty()).then(|| note.join("; ")),
    })
}

/// The list's document type as an identifier kind; it spells passports in three languages.
fn document_kind(type_of_document: &str) -> String {
    let lower = type_of_document.to_lowercase();
    if ["passport", "passeport", "pasaporte"]
        .iter()
        .any(|w| lower.contains(w))
    {
        "passport".to_string()
    } else if lower.contains("national identification") || lower.contains("national id") {
        "national-id".to_string()
    } else {
        hyphenated(type_of_document)
    }
}

/// Every field not mapped elsewhere, lowercased: REFERENCE_NUMBER, VERSIONNUM, GENDER,
/// LIST_TYPE, SUBMITTED_BY… and whatever the UN adds later.
fn extra_fields(record: &Node, fields: &RecordFields) -> ExtraFields {
    let mut extra = ExtraFields::new();
    for child in fields.extra.iter().map(|&i| &record.children[i as usize]) {
        let value = if child.children.is_empty() {
            clean(&child.text).map(Cow::into_owned)
        } else {
            let mut values = String::new();
            let same_field = fields.extra.iter().map(|&i| &record.children[i as usize]);
            let all_values = same_field
                .filter(|c| c.name == child.name)
                .flat_map(|c| c.children_named("VALUE"))
                .filter_map(|v| clean(&v.text));
            for value in all_values {
                if !values.is_empty() {
                    values.push_str("; ");
                }
                values.push_str(&value);
            }
            (!values.is_empty()).then_some(values)
        };
        if let Some(value) = value {
            extra.insert_if_absent(child.name.to_lowercase(), value);
        }
    }
    extra
}

/// Adds the IMO numbers an entity's text mentions, and makes it a vessel when one of them is a
/// ship's number rather than a company's.
fn add_imo_numbers(entry: &mut Entry) {
    let mut numbers = Vec::new();
    let texts = std::iter::once(entry.name.as_str())
        .chain(entry.remarks.as_deref())
        .chain(entry.aliases.iter().map(|a| a.name.as_str()))
        .chain(entry.addresses.iter().map(String::as_str));
    for text in texts {
        for number in imo_numbers(text) {
            if !numbers.contains(&number) {
                numbers.push(number);
            }
        }
    }
    // The tie rule (crate::domain::ident) with the entity as listed for context: a number
    // fitting both rules is an organisation's company number, and does not make it a vessel.
    let context = ImoKind::of_entry(entry.kind);
    for number in numbers {
        let kind = imo::kind_of(&number, context);
        if kind == Some(ImoKind::Ship) && !looks_like_company(&entry.name) {
            entry.kind = EntityKind::Vessel;
        }
        let note = match kind {
            Some(ImoKind::Ship) => "ship number",
            Some(ImoKind::Company) => "company number",
            None => "check digit does not match",
        };
        entry.identifiers.push(Identifier {
            kind: "imo".to_string(),
            value: number,
            note: Some(note.to_string()),
        });
    }
}

/// Seven-digit numbers following the word `IMO` ("IMO 1234567", "IMO number 1234567",
/// "IMO: 1234567", "(IMO) Number: 1234567"). Only the upper-case word counts: "Imo" is also
/// a Nigerian state.
fn imo_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("IMO") {
        let before = text[..at].chars().next_back();
        let rest = &text[at + 3..];
        if before.is_some_and(char::is_alphanumeric)
            || rest.chars().next().is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let rest = skip_imo_filler(rest);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() == 7 && !found.contains(&digits) {
            found.push(digits);
        }
    }
    found
}

/// Skips what the list writes between "IMO" and the number: punctuation, "number", "no.".
fn skip_imo_filler(mut rest: &str) -> &str {
    loop {
        let trimmed = rest.trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '.' | '#' | '(' | ')' | '-')
        });
        let word = ["number", "no"].iter().find_map(|w| {
            let head = trimmed.get(..w.len())?;
            let after = trimmed[w.len()..].chars().next();
            (head.eq_ignore_ascii_case(w) && !after.is_some_and(char::is_alphanumeric))
                .then(|| &trimmed[w.len()..])
        });
        let next = word.unwrap_or(trimmed);
        if next.len() == rest.len() {
            return rest;
        }
        rest = next;
    }
}

/// Whether an entity's name is a company's, which keeps a ship number in its remarks (the
/// ship it owns or manages) from making the company a vessel.
fn looks_like_company(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "COMPANY",
        "CO",
        "LTD",
        "LIMITED",
        "CORPORATION",
        "CORP",
        "INC",
        "LLC",
        "PTE",
        "SHIPPING",
        "TRADING",
        "GROUP",
        "ENTERPRISE",
        "ENTERPRISES",
        "AGENCY",
        "BANK",
    ];
    name.split(|c: char| !c.is_alphanumeric())
        .any(|w| WORDS.contains(&w.to_uppercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_by_bytes_are_cleaned_as_when_read_by_characters() {
        let fixture =
            include_str!("../../tests/fixtures/un-sc-xml/consolidated-2018-10-excerpt.xml");
        let spaces = [
            "", " ", "  ", "\t", "\n", "\u{b}", "\u{85}", "\u{a0}", "\u{1680}",
        ];
        let more = [
            "\u{2007}", "\u{2028}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{2019}",
        ];
        let mut texts = 0;
        for line in fixture.lines() {
            for space in spaces.iter().chain(&more).copied() {
                for varied in [
                    line.to_string(),
                    line.replacen(' ', space, 1),
                    line.replace(' ', space),
                    format!("{line}{space}\u{e9}{space}{space}x"),
                ] {
                    texts += 1;
                    let by_chars = varied.split_whitespace().collect::<Vec<_>>().join(" ");
                    let cleaned = clean(&varied);
                    assert_eq!(
                        cleaned.as_deref(),
                        Some(by_chars.as_str()).filter(|t| !t.is_empty()),
                        "{varied:?}"
                    );
                    if let Some(Cow::Borrowed(kept)) = cleaned {
                        assert!(varied.contains(kept));
                    }
                }
            }
        }
        assert!(texts > 2_000, "{texts} texts");
    }

    #[test]
    fn whitespace_read_by_bytes_is_whitespace_read_by_characters() {
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let mut bytes = c.to_string().into_bytes();
            bytes.push(b'x');
            let expected = if c.is_whitespace() { c.len_utf8() } else { 0 };
            assert_eq!(whitespace_len(&bytes), expected, "{c:?}");
            if expected > 0 {
                assert!(may_start_whitespace(bytes[0]), "{c:?}");
            }
        }
    }

    #[test]
    fn imo_numbers_in_the_forms_the_list_writes() {
        assert_eq!(imo_numbers("IMO Number: 5342883. The"), ["5342883"]);
        assert_eq!(imo_numbers("Company Number IMO 5434358."), ["5434358"]);
        assert_eq!(
            imo_numbers("International Maritime Organization (IMO) Number: 1790183."),
            ["1790183"]
        );
        assert_eq!(imo_numbers("vessel (IMO no. 9220952)"), ["9220952"]);
        assert!(imo_numbers("Imo 1234567, Jaish-IMohammed 1234567").is_empty());
        assert!(imo_numbers("IMO 12345678").is_empty());
    }

    #[test]
    fn entity_imo_numbers_follow_the_tie_rule() {
        let entity = |remarks: &str| {
            let mut e = Entry {
                kind: EntityKind::Organization,
                name: "SAMPLE".into(),
                remarks: Some(remarks.into()),
                ..Entry::default()
            };
            add_imo_numbers(&mut e);
            e
        };
        // a company number (2018 lists, DPRK shipping companies)
        let e = entity("IMO Number: 5342883.");
        assert_eq!(e.kind, EntityKind::Organization);
        assert_eq!(e.identifiers[0].note.as_deref(), Some("company number"));
        // fits both rules: the entity's kind (an organisation) decides, a company number
        let e = entity("International Maritime Organization (IMO) Number: 1790183.");
        assert_eq!(e.kind, EntityKind::Organization);
        assert_eq!(e.identifiers[0].note.as_deref(), Some("company number"));
        // a ship's number makes the entity a vessel
        let e = entity("Tanker, IMO: 9074729.");
        assert_eq!(e.kind, EntityKind::Vessel);
        assert_eq!(e.identifiers[0].note.as_deref(), Some("ship number"));
        let e = entity("IMO 9074720");
        assert_eq!(
            e.identifiers[0].note.as_deref(),
            Some("check digit does not match")
        );
    }

    #[test]
    fn alias_qualities_become_lowercase_words() {
        assert_eq!(alias_kind(Some("Good")), "good");
        assert_eq!(alias_kind(Some("Low")), "low");
        assert_eq!(alias_kind(Some("a.k.a.")), "aka");
        assert_eq!(alias_kind(Some("f.k.a.")), "fka");
        assert_eq!(alias_kind(None), "aka");
    }

    #[test]
    fn dates_keep_the_day_and_drop_the_offset() {
        assert_eq!(date_part("2015-07-01-04:00"), "2015-07-01");
        assert_eq!(date_part("2015-07-01"), "2015-07-01");
        assert_eq!(date_part("1960"), "1960");
    }
}
