//! OFAC's classic XML (sdnList: SDN.XML and the consolidated CONS_PRIM XML).
//!
//! The document is streamed: only one `sdnEntry` at a time is held as a small tree, so a list of
//! any size parses in bounded memory. Element names are matched on their local part because the
//! default namespace has changed over the years (`http://tempuri.org/sdnList.xsd`, then the
//! sanctions list service URL).

use std::collections::BTreeMap;

use super::{Body, ParseError, Parsed, SourceFormat};
use crate::model::{Alias, EntityKind, Entry, Identifier, ListSnapshot, VesselInfo};

pub struct OfacXml;

impl SourceFormat for OfacXml {
    fn kind(&self) -> &'static str {
        "ofac_xml"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = first_body(bodies)?;
        parse_sdn_list(body).map(Parsed::List)
    }
}

/// The one document an OFAC XML source downloads.
pub(super) fn first_body(bodies: &[Body]) -> Result<&Body, ParseError> {
    bodies.first().ok_or_else(|| ParseError::MissingResource {
        url: String::new(),
        resource: String::new(),
    })
}

/// The page OFAC's Sanctions List Search shows for an entry; its id is the uid both XML formats
/// use, and the address has been stable for over a decade.
pub(super) fn entry_url(id: &str) -> String {
    format!("https://sanctionssearch.ofac.treas.gov/Details.aspx?id={id}")
}

fn parse_sdn_list(body: &Body) -> Result<ListSnapshot, ParseError> {
    let mut stream = tree::XmlStream::new(&body.bytes, &body.url);
    stream.expect_root("sdnList")?;
    let mut snapshot = ListSnapshot::default();
    while let Some(start) = stream.next_start()? {
        // Only the root's children matter here; anything deeper is consumed by `read_subtree`,
        // and unknown top-level elements are walked past without being kept.
        if start.depth != 2 {
            continue;
        }
        match start.name.as_str() {
            "publshInformation" => {
                let info = stream.read_subtree(start)?;
                snapshot.published = info.text_of("Publish_Date").map(us_date_to_iso);
                snapshot.stated_count = info.text_of("Record_Count").and_then(|c| c.parse().ok());
            }
            "sdnEntry" => {
                let node = stream.read_subtree(start)?;
                snapshot.entries.push(entry_from(&node));
            }
            _ => {}
        }
    }
    if snapshot.entries.is_empty() {
        return Err(ParseError::WrongFormat {
            url: body.url.clone(),
            reason: "sdnList holds no sdnEntry".into(),
        });
    }
    Ok(snapshot)
}

/// `04/06/2018` → `2018-04-06`; anything else is kept as published.
fn us_date_to_iso(date: &str) -> String {
    chrono::NaiveDate::parse_from_str(date, "%m/%d/%Y")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| date.to_string())
}

/// `LAST, First`, the way OFAC prints a name; entities and vessels have only a last name.
fn ofac_name(node: &tree::Node) -> String {
    let last = node.text_of("lastName").unwrap_or_default();
    match node.text_of("firstName") {
        Some(first) if !last.is_empty() => format!("{last}, {first}"),
        Some(first) => first.to_string(),
        None => last.to_string(),
    }
}

fn entity_kind(sdn_type: &str) -> EntityKind {
    match sdn_type.to_ascii_lowercase().as_str() {
        "individual" => EntityKind::Person,
        "entity" => EntityKind::Organization,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}

fn entry_from(node: &tree::Node) -> Entry {
    let id = node.text_of("uid").unwrap_or_default().to_string();
    let mut entry = Entry {
        url: Some(entry_url(&id)),
        id,
        kind: entity_kind(node.text_of("sdnType").unwrap_or_default()),
        name: ofac_name(node),
        titles: node
            .text_of("title")
            .map(str::to_string)
            .into_iter()
            .collect(),
        remarks: node.text_of("remarks").map(str::to_string),
        programs: node.texts(&["programList", "program"]),
        aliases: node
            .all(&["akaList", "aka"])
            .map(|aka| Alias {
                name: ofac_name(aka),
                kind: alias_kind(
                    aka.text_of("type").unwrap_or_default(),
                    aka.text_of("category").unwrap_or_default(),
                ),
            })
            .collect(),
        dates_of_birth: node.texts(&["dateOfBirthList", "dateOfBirthItem", "dateOfBirth"]),
        places_of_birth: node.texts(&["placeOfBirthList", "placeOfBirthItem", "placeOfBirth"]),
        addresses: node
            .all(&["addressList", "address"])
            .map(address_line)
            .filter(|a| !a.is_empty())
            .collect(),
        ..Entry::default()
    };
    let countries = node
        .texts(&["nationalityList", "nationality", "country"])
        .into_iter()
        .chain(node.texts(&["citizenshipList", "citizenship", "country"]));
    for country in countries {
        push_unique(&mut entry.nationalities, country);
    }
    for id in node.all(&["idList", "id"]) {
        add_id(
            &mut entry,
            id.text_of("idType").unwrap_or_default(),
            id.text_of("idNumber").unwrap_or_default(),
            id_note(id),
        );
    }
    if let Some(info) = node.child("vesselInfo") {
        set_vessel(&mut entry, info);
    }
    entry.linked_to = linked_to(entry.remarks.as_deref().unwrap_or_default());
    entry
}

/// The classic format has no relationship list; OFAC writes links into the remarks instead, as
/// `(Linked To: NATIONAL IRANIAN TANKER COMPANY)`.
fn linked_to(remarks: &str) -> Vec<String> {
    let mut names = Vec::new();
    for piece in remarks.split("Linked To:").skip(1) {
        let name = piece.split([')', ';']).next().unwrap_or_default().trim();
        push_unique(&mut names, name.to_string());
    }
    names
}

/// `a.k.a.` + `strong` → `aka`; `f.k.a.` → `fka`; a weak alias (OFAC's low-quality a.k.a.) is
/// marked so matching can weigh it less.
pub(super) fn alias_kind(alias_type: &str, category: &str) -> String {
    let kind: String = alias_type
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let kind = if kind.is_empty() { "aka".into() } else { kind };
    if category.eq_ignore_ascii_case("weak") {
        format!("weak-{kind}")
    } else {
        kind
    }
}

fn address_line(address: &tree::Node) -> String {
    const PARTS: &[&str] = &[
        "address1",
        "address2",
        "address3",
        "city",
        "stateOrProvince",
        "postalCode",
        "country",
    ];
    PARTS
        .iter()
        .filter_map(|part| address.text_of(part))
        .collect::<Vec<_>>()
        .join(", ")
}

fn id_note(id: &tree::Node) -> Option<String> {
    let parts: Vec<String> = [
        id.text_of("idCountry").map(str::to_string),
        id.text_of("issueDate").map(|d| format!("issued {d}")),
        id.text_of("expirationDate").map(|d| format!("expires {d}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn set_vessel(entry: &mut Entry, info: &tree::Node) {
    let text = |name: &str| info.text_of(name).map(str::to_string);
    let vessel = VesselInfo {
        call_sign: text("callSign"),
        vessel_type: text("vesselType"),
        tonnage: text("tonnage"),
        grt: text("grossRegisteredTonnage"),
        flag: text("vesselFlag"),
        owner: text("vesselOwner"),
    };
    if let Some(call_sign) = &vessel.call_sign {
        add_id(entry, "Call Sign", call_sign, None);
    }
    if vessel != VesselInfo::default() {
        entry.vessel = Some(vessel);
    }
}

/// What an OFAC id type carries: a number a watch item can be matched on, or a statement
/// about the designation (directive determinations, secondary sanctions, former flags…).
#[derive(Debug, PartialEq, Eq)]
enum IdClass {
    Identifier(String),
    Statement(String),
}

/// id types that are statements although they do not end in `-` or `:` as most do.
const STATEMENT_TYPES: &[&str] = &[
    "former vessel flag",
    "other vessel flag",
    "nationality of registration",
    "gender",
    "target type",
    "organization established date",
    "issuer name",
];

fn classify_id_type(id_type: &str) -> IdClass {
    let lower = id_type.trim().to_ascii_lowercase();
    if lower.ends_with('-')
        || lower.ends_with(':')
        || lower.contains(" date")
        || STATEMENT_TYPES.contains(&lower.as_str())
    {
        return IdClass::Statement(statement_key(&lower));
    }
    let kind = match lower.as_str() {
        "vessel registration identification" | "imo" | "imo number" | "company imo" => "imo",
        "mmsi" => "mmsi",
        "call sign" | "vessel call sign" => "call-sign",
        "swift/bic" => "swift",
        "tax id no." => "tax-id",
        "national id no." => "national-id",
        "email address" => "email",
        _ if lower.contains("passport") => "passport",
        _ => return IdClass::Identifier(slug(&lower)),
    };
    IdClass::Identifier(kind.to_string())
}

/// The `extra` key a statement is kept under: `Former Vessel Flag` → `former_vessel_flag`.
pub(super) fn statement_key(statement_type: &str) -> String {
    slug(statement_type).replace('-', "_")
}

/// `Tax ID No.` → `tax-id-no`.
fn slug(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase()
}

/// `IMO 9187629` → `9187629`; OFAC also writes the bare digits now and then.
fn imo_digits(value: &str) -> Option<String> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 7).then_some(digits)
}

/// Files one idList item (or an enhanced identity document or feature) into the entry.
pub(super) fn add_id(entry: &mut Entry, id_type: &str, number: &str, note: Option<String>) {
    let number = number.trim();
    if number.is_empty() {
        return;
    }
    match classify_id_type(id_type) {
        IdClass::Statement(key) => append_extra(&mut entry.extra, &key, number),
        IdClass::Identifier(kind) => {
            let value = match kind.as_str() {
                "imo" => imo_digits(number).unwrap_or_else(|| number.to_string()),
                _ => number.to_string(),
            };
            // A passport type with a qualifier (`Diplomatic Passport`) keeps it in the note.
            let note = if kind == "passport" && !id_type.eq_ignore_ascii_case("passport") {
                Some(match note {
                    Some(n) => format!("{id_type}; {n}"),
                    None => id_type.to_string(),
                })
            } else {
                note
            };
            entry.identifiers.push(Identifier { kind, value, note });
        }
    }
}

pub(super) fn append_extra(extra: &mut BTreeMap<String, String>, key: &str, value: &str) {
    extra
        .entry(key.to_string())
        .and_modify(|v| {
            if !v.split("; ").any(|x| x == value) {
                v.push_str("; ");
                v.push_str(value);
            }
        })
        .or_insert_with(|| value.to_string());
}

pub(super) fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

/// A streaming reader over one XML document that hands out small element trees on demand.
pub(super) mod tree {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::Reader;

    use crate::sources::ParseError;

    /// One element with its attributes, its text and its child elements.
    #[derive(Debug, Default, Clone)]
    pub struct Node {
        pub name: String,
        pub attrs: Vec<(String, String)>,
        pub text: String,
        pub children: Vec<Node>,
    }

    impl Node {
        pub fn child(&self, name: &str) -> Option<&Node> {
            self.children.iter().find(|c| c.name == name)
        }

        pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
            self.children.iter().filter(move |c| c.name == name)
        }

        /// Every descendant reached by following `path` (each step may match several children).
        pub fn all<'a>(&'a self, path: &'a [&'a str]) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
            match path.split_first() {
                None => Box::new(std::iter::once(self)),
                Some((first, rest)) => Box::new(self.children(first).flat_map(|c| c.all(rest))),
            }
        }

        /// The non-empty trimmed texts at `path`, in document order.
        pub fn texts(&self, path: &[&str]) -> Vec<String> {
            self.all(path)
                .filter_map(|n| n.text())
                .map(str::to_string)
                .collect()
        }

        /// This element's trimmed text, if it has any.
        pub fn text(&self) -> Option<&str> {
            let text = self.text.trim();
            (!text.is_empty()).then_some(text)
        }

        /// The trimmed text of the first child called `name`, if non-empty.
        pub fn text_of(&self, name: &str) -> Option<&str> {
            self.child(name).and_then(Node::text)
        }

        pub fn attr(&self, name: &str) -> Option<&str> {
            self.attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        }

        /// `true` when the child `name` says `true`.
        pub fn flag(&self, name: &str) -> bool {
            self.text_of(name)
                .is_some_and(|t| t.eq_ignore_ascii_case("true"))
        }
    }

    /// An element just opened: its local name, attributes and depth (the root is 1).
    pub struct Start {
        pub name: String,
        pub attrs: Vec<(String, String)>,
        pub depth: usize,
    }

    enum Step {
        Start(Start),
        End,
        Text(String),
        Eof,
    }

    pub struct XmlStream<'a> {
        reader: Reader<&'a [u8]>,
        buf: Vec<u8>,
        url: &'a str,
        bytes: &'a [u8],
        len: usize,
        /// Local names of the open elements, root first.
        open: Vec<String>,
        /// An empty element (`<a/>`) is reported as a start then this end.
        pending_end: bool,
    }

    impl<'a> XmlStream<'a> {
        pub fn new(bytes: &'a [u8], url: &'a str) -> Self {
            let mut reader = Reader::from_reader(bytes);
            reader.config_mut().trim_text(true);
            XmlStream {
                reader,
                buf: Vec::new(),
                url,
                bytes,
                len: bytes.len(),
                open: Vec::new(),
                pending_end: false,
            }
        }

        /// Reads up to the root element and checks its name; a document whose root is
        /// something else (or that has none) is another format, not a broken one.
        pub fn expect_root(&mut self, root: &str) -> Result<(), ParseError> {
            loop {
                match self.step() {
                    Ok(Step::Start(start)) if start.name == root => return Ok(()),
                    Ok(Step::Start(start)) => {
                        return Err(self.wrong_format(format!(
                            "root element is <{}>, expected <{root}>",
                            start.name
                        )))
                    }
                    Ok(Step::Text(_)) | Ok(Step::End) => {}
                    Ok(Step::Eof) => {
                        return Err(self.wrong_format(format!("no <{root}> element")));
                    }
                    // A download cut inside the root's own start tag is still this format.
                    Err(ParseError::Malformed { message, .. })
                        if self.open.is_empty() && !self.mentions(root) =>
                    {
                        return Err(self.wrong_format(format!("not XML: {message}")));
                    }
                    Err(e) => return Err(e),
                }
            }
        }

        /// The next element start anywhere in the document, or `None` once the root is closed.
        pub fn next_start(&mut self) -> Result<Option<Start>, ParseError> {
            loop {
                match self.step()? {
                    Step::Start(start) => return Ok(Some(start)),
                    Step::End if self.open.is_empty() => return Ok(None),
                    Step::Eof => return Ok(None),
                    Step::End | Step::Text(_) => {}
                }
            }
        }

        /// Reads the element just started, children and all, up to its end tag.
        pub fn read_subtree(&mut self, start: Start) -> Result<Node, ParseError> {
            let mut stack = vec![Node {
                name: start.name,
                attrs: start.attrs,
                ..Node::default()
            }];
            loop {
                match self.step()? {
                    Step::Start(s) => stack.push(Node {
                        name: s.name,
                        attrs: s.attrs,
                        ..Node::default()
                    }),
                    Step::Text(t) => {
                        if let Some(top) = stack.last_mut() {
                            top.text.push_str(&t);
                        }
                    }
                    Step::End => {
                        let done = stack.pop().unwrap_or_default();
                        match stack.last_mut() {
                            Some(parent) => parent.children.push(done),
                            None => return Ok(done),
                        }
                    }
                    // `step` reports an end of input inside an element as an error.
                    Step::Eof => return Err(self.truncated()),
                }
            }
        }

        fn step(&mut self) -> Result<Step, ParseError> {
            if self.pending_end {
                self.pending_end = false;
                self.open.pop();
                return Ok(Step::End);
            }
            self.buf.clear();
            let event = self
                .reader
                .read_event_into(&mut self.buf)
                .map_err(|e| malformed(self.url, self.reader.error_position(), e.to_string()))?;
            match event {
                Event::Start(e) => {
                    let start = start_of(&e, &self.reader, self.open.len() + 1, self.url)?;
                    self.open.push(start.name.clone());
                    Ok(Step::Start(start))
                }
                Event::Empty(e) => {
                    let start = start_of(&e, &self.reader, self.open.len() + 1, self.url)?;
                    self.open.push(start.name.clone());
                    self.pending_end = true;
                    Ok(Step::Start(start))
                }
                Event::End(_) => {
                    self.open.pop();
                    Ok(Step::End)
                }
                Event::Text(t) => {
                    let text = t.unescape().map_err(|e| {
                        malformed(self.url, self.reader.buffer_position(), e.to_string())
                    })?;
                    Ok(Step::Text(text.into_owned()))
                }
                Event::CData(c) => {
                    let text = c.decode().map_err(|e| {
                        malformed(self.url, self.reader.buffer_position(), e.to_string())
                    })?;
                    Ok(Step::Text(text.into_owned()))
                }
                Event::Eof if !self.open.is_empty() => Err(self.truncated()),
                Event::Eof => Ok(Step::Eof),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {
                    Ok(Step::Text(String::new()))
                }
            }
        }

        /// Whether the document opens an element named `root` (with or without a prefix).
        fn mentions(&self, root: &str) -> bool {
            let head = &self.bytes[..self.bytes.len().min(4096)];
            [format!("<{root}"), format!(":{root}")]
                .iter()
                .any(|pat| head.windows(pat.len()).any(|w| w == pat.as_bytes()))
        }

        fn truncated(&self) -> ParseError {
            let inside = self
                .open
                .last()
                .map(String::as_str)
                .unwrap_or("the document");
            malformed(
                self.url,
                self.len as u64,
                format!("document ends inside <{inside}>: truncated download?"),
            )
        }

        fn wrong_format(&self, reason: String) -> ParseError {
            ParseError::WrongFormat {
                url: self.url.to_string(),
                reason,
            }
        }
    }

    fn start_of(
        e: &BytesStart<'_>,
        reader: &Reader<&[u8]>,
        depth: usize,
        url: &str,
    ) -> Result<Start, ParseError> {
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr =
                attr.map_err(|err| malformed(url, reader.buffer_position(), err.to_string()))?;
            let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
            let value = attr
                .decode_and_unescape_value(reader.decoder())
                .map_err(|err| malformed(url, reader.buffer_position(), err.to_string()))?;
            attrs.push((key, value.into_owned()));
        }
        Ok(Start { name, attrs, depth })
    }

    fn malformed(url: &str, byte: u64, message: String) -> ParseError {
        ParseError::Malformed {
            url: url.to_string(),
            location: format!("byte {byte}"),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_types_split_into_identifiers_and_statements() {
        let id = |t: &str| classify_id_type(t);
        assert_eq!(
            id("Vessel Registration Identification"),
            IdClass::Identifier("imo".into())
        );
        assert_eq!(id("MMSI"), IdClass::Identifier("mmsi".into()));
        assert_eq!(
            id("Diplomatic Passport"),
            IdClass::Identifier("passport".into())
        );
        assert_eq!(id("Tax ID No."), IdClass::Identifier("tax-id".into()));
        assert_eq!(
            id("UK Company Number"),
            IdClass::Identifier("uk-company-number".into())
        );
        assert_eq!(
            id("Additional Sanctions Information -"),
            IdClass::Statement("additional_sanctions_information".into())
        );
        assert_eq!(
            id("Former Vessel Flag"),
            IdClass::Statement("former_vessel_flag".into())
        );
    }

    #[test]
    fn alias_kinds_follow_type_and_category() {
        assert_eq!(alias_kind("a.k.a.", "strong"), "aka");
        assert_eq!(alias_kind("f.k.a.", "strong"), "fka");
        assert_eq!(alias_kind("A.K.A.", "weak"), "weak-aka");
        assert_eq!(alias_kind("n.k.a.", ""), "nka");
    }

    #[test]
    fn links_come_from_remarks() {
        assert_eq!(
            linked_to("(Linked To: NATIONAL IRANIAN TANKER COMPANY)"),
            ["NATIONAL IRANIAN TANKER COMPANY"]
        );
        assert!(linked_to("all offices worldwide").is_empty());
    }

    #[test]
    fn imo_keeps_digits_only() {
        let mut entry = Entry::default();
        add_id(
            &mut entry,
            "Vessel Registration Identification",
            "IMO 9187629",
            None,
        );
        assert_eq!(entry.identifiers_of("imo").collect::<Vec<_>>(), ["9187629"]);
    }
}
