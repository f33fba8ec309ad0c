//! Record-at-a-time XML reading, shared by every XML list format (OFAC classic and enhanced, UN,
//! EU FSF, UK Sanctions List, Canada SEMA).
//!
//! The document is streamed with quick-xml; only one record at a time is held as a small tree,
//! so a 25 MB list never becomes a 25 MB DOM. Element and attribute names are compared by local
//! name, because publishers add or change namespaces without notice. The encoding a document
//! declares is honoured, and a UTF-16 document (known by its byte order mark) is read too.
//!
//! Whatever the input, reading it costs bounded stack and, per record, bounded memory: elements
//! nested deeper than [`MAX_DEPTH`] anywhere in the document, a record of more than
//! [`MAX_RECORD_ELEMENTS`] elements or [`MAX_RECORD_ATTRIBUTES`] attributes, and an element of
//! more than [`MAX_ELEMENT_ATTRIBUTES`] attributes are refused as malformed. Nothing here
//! recurses over the document's depth; a [`Node`] tree is at most [`MAX_DEPTH`] deep, so what
//! recurses over it (its derived drop, clone and debug) is bounded by that constant. The real
//! lists nest at most 10 deep, and their largest record (OFAC enhanced XML's reference
//! tables) holds about 2,700 elements and 800 attributes.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::ParseError;
use crate::domain::entry::ListSnapshot;

/// The deepest nesting of elements accepted anywhere in a document, the root being depth 1.
pub(crate) const MAX_DEPTH: usize = 256;
/// The most elements one record may hold, itself included.
pub(crate) const MAX_RECORD_ELEMENTS: usize = 100_000;
/// The most attributes one element may carry: quick-xml compares each attribute's name with
/// those before it, so one start tag of N attributes costs N² comparisons.
pub(crate) const MAX_ELEMENT_ATTRIBUTES: usize = 1_000;
/// The most attributes one record's elements may carry together.
pub(crate) const MAX_RECORD_ATTRIBUTES: usize = 100_000;

/// One element of a record: its local name, attributes, own text and child elements.
#[derive(Debug, Default, Clone)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// An attribute's value, trimmed; `None` when absent or blank.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Every descendant reached by following `path` (each step may match several children).
    pub fn all<'a>(&'a self, path: &'a [&'a str]) -> Box<dyn Iterator<Item = &'a Node> + 'a> {
        match path.split_first() {
            None => Box::new(std::iter::once(self)),
            Some((first, rest)) => Box::new(self.children_named(first).flat_map(|c| c.all(rest))),
        }
    }

    /// The non-empty trimmed texts at `path`, in document order.
    pub fn texts(&self, path: &[&str]) -> Vec<String> {
        self.all(path)
            .filter_map(Node::text)
            .map(str::to_string)
            .collect()
    }

    /// The element's own text, trimmed; `None` when blank.
    pub fn text(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|t| !t.is_empty())
    }

    /// The trimmed text of the first child called `name`, if it has any.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(Node::text)
    }

    /// `true` when the child `name` says `true`.
    pub fn flag(&self, name: &str) -> bool {
        self.child_text(name)
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
    }
}

/// What the walk reports, in document order.
pub(crate) enum Item {
    /// The root element, with its attributes (no children).
    Root(Node),
    /// A whole record (an element the caller selected), with the byte offset of its start tag.
    Record(Node, u64),
}

/// Streams a document (`url` only names it in errors), checks that the root element is `root`, and hands over the root, then each
/// element `is_record(depth, local_name)` selects (the root's depth is 1) as a complete
/// [`Node`]. Elements outside records are walked past without being kept. A document that ends
/// before the root is closed is an error, so a truncated download never yields a partial list.
pub(crate) fn walk(
    bytes: &[u8],
    url: &str,
    root: &str,
    is_record: impl Fn(usize, &str) -> bool,
    mut on_item: impl FnMut(Item) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let transcoded = utf16_as_utf8(bytes);
    let mut walker = Walker {
        reader: match &transcoded {
            // Locked to UTF-8: the declaration still says UTF-16, which no longer holds.
            Some(text) => Reader::from_str(text),
            None => Reader::from_reader(bytes),
        },
        head: transcoded.as_ref().map_or(bytes, |t| t.as_bytes()),
        url,
        root,
        open: Vec::new(),
        record: Vec::new(),
        record_start: 0,
        record_elements: 0,
        record_attributes: 0,
    };
    // Keeps the parser honest about `</a>` closing `<b>`: a spliced document must fail.
    walker.reader.config_mut().check_end_names = true;
    walker.run(&is_record, &mut on_item)
}

/// The list, unless it holds no record at all: a document of the right shape without a single
/// record is not taken as everyone having been delisted.
pub(crate) fn non_empty(
    snapshot: ListSnapshot,
    url: &str,
    reason: &str,
) -> Result<ListSnapshot, ParseError> {
    if snapshot.entries.is_empty() {
        return Err(wrong_format(url, reason.to_string()));
    }
    Ok(snapshot)
}

/// A UTF-16 document (known by its byte order mark) as UTF-8: quick-xml reads only encodings
/// that keep ASCII as is, and would otherwise see no root element at all. Byte positions in
/// errors then count in the UTF-8 text.
fn utf16_as_utf8(bytes: &[u8]) -> Option<String> {
    let (encoding, _) = encoding_rs::Encoding::for_bom(bytes)?;
    if encoding == encoding_rs::UTF_8 {
        return None;
    }
    let (text, _) = encoding.decode_with_bom_removal(bytes);
    Some(text.into_owned())
}

struct Walker<'a> {
    reader: Reader<&'a [u8]>,
    /// The document as parsed, to tell a non-XML body from one cut inside the root's start tag.
    head: &'a [u8],
    url: &'a str,
    root: &'a str,
    /// Local names of the open elements, root first.
    open: Vec<String>,
    /// Non-empty while inside a record: the record and its open descendants.
    record: Vec<Node>,
    record_start: u64,
    /// Elements and attributes of the current record so far, against the per-record limits.
    record_elements: usize,
    record_attributes: usize,
}

impl Walker<'_> {
    fn run(
        &mut self,
        is_record: &impl Fn(usize, &str) -> bool,
        on_item: &mut impl FnMut(Item) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        loop {
            let position = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.read_error(e.to_string())),
            };
            match event {
                Event::Start(start) if self.open.is_empty() => self.open_root(&start, on_item)?,
                Event::Empty(start) if self.open.is_empty() => {
                    return self.open_root(&start, on_item);
                }
                Event::Start(start) => {
                    self.check_depth(position)?;
                    let node = self.open_node(&start)?;
                    self.open.push(node.name.clone());
                    if !self.record.is_empty() || is_record(self.open.len(), &node.name) {
                        self.enter(node, position)?;
                    }
                }
                Event::Empty(start) => {
                    self.check_depth(position)?;
                    let node = self.open_node(&start)?;
                    if !self.record.is_empty() || is_record(self.open.len() + 1, &node.name) {
                        self.enter(node, position)?;
                        self.close(on_item)?;
                    }
                }
                Event::End(_) => {
                    self.open.pop();
                    if self.open.is_empty() {
                        return Ok(());
                    }
                    if !self.record.is_empty() {
                        self.close(on_item)?;
                    }
                }
                Event::Text(text) => {
                    if let Some(top) = self.record.last_mut() {
                        let decoded = match text.unescape() {
                            Ok(t) => t.into_owned(),
                            // An unknown entity (`&nbsp;` in a hand-edited list) is kept
                            // verbatim rather than stopping the whole list.
                            Err(_) => decode(&self.reader, self.url, text.as_ref())?,
                        };
                        top.text.push_str(&decoded);
                    }
                }
                Event::CData(data) => {
                    if let Some(top) = self.record.last_mut() {
                        let decoded = decode(&self.reader, self.url, data.as_ref())?;
                        top.text.push_str(&decoded);
                    }
                }
                Event::Eof => return Err(self.eof()),
                _ => {}
            }
        }
    }

    /// Refuses an element that would open deeper than [`MAX_DEPTH`] (`position`: its start tag).
    fn check_depth(&self, position: u64) -> Result<(), ParseError> {
        if self.open.len() < MAX_DEPTH {
            return Ok(());
        }
        Err(malformed(
            self.url,
            position,
            format!(
                "elements nested more than {MAX_DEPTH} deep{}: refused",
                self.in_record()
            ),
        ))
    }

    /// Adds an element to the current record (starting one if there is none), within the
    /// per-record limits.
    fn enter(&mut self, node: Node, position: u64) -> Result<(), ParseError> {
        if self.record.is_empty() {
            self.record_start = position;
            self.record_elements = 0;
            self.record_attributes = 0;
        }
        self.record_elements += 1;
        self.record_attributes += node.attrs.len();
        let exceeded = if self.record_elements > MAX_RECORD_ELEMENTS {
            Some(format!("more than {MAX_RECORD_ELEMENTS} elements"))
        } else if self.record_attributes > MAX_RECORD_ATTRIBUTES {
            Some(format!("more than {MAX_RECORD_ATTRIBUTES} attributes"))
        } else {
            None
        };
        if let Some(exceeded) = exceeded {
            let record = self.record.first().map_or(&node.name, |r| &r.name);
            return Err(malformed(
                self.url,
                position,
                format!(
                    "record <{record}> (at byte {}) has {exceeded}: refused",
                    self.record_start
                ),
            ));
        }
        self.record.push(node);
        Ok(())
    }

    /// ` inside record <NAME> at byte N`, when inside a record.
    fn in_record(&self) -> String {
        self.record.first().map_or(String::new(), |r| {
            format!(" inside record <{}> at byte {}", r.name, self.record_start)
        })
    }

    /// Finishes the innermost open element of the record: the record itself goes to the
    /// caller, anything deeper to its parent.
    fn close(
        &mut self,
        on_item: &mut impl FnMut(Item) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        let Some(node) = self.record.pop() else {
            return Ok(());
        };
        match self.record.last_mut() {
            Some(parent) => {
                parent.children.push(node);
                Ok(())
            }
            None => on_item(Item::Record(node, self.record_start)),
        }
    }

    /// Checks the root element's name and reports it.
    fn open_root(
        &mut self,
        start: &BytesStart,
        on_item: &mut impl FnMut(Item) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        let node = self.open_node(start)?;
        if node.name != self.root {
            return Err(wrong_format(
                self.url,
                format!("root element is <{}>, expected <{}>", node.name, self.root),
            ));
        }
        self.open.push(node.name.clone());
        on_item(Item::Root(node))
    }

    /// A reading error is a broken document once the root has opened, or when the document
    /// names the root (a download cut inside the root's own start tag); otherwise the body is
    /// not XML at all (a compressed file, a binary), so not this format.
    fn read_error(&self, message: String) -> ParseError {
        let position = self.reader.error_position();
        if self.open.is_empty() && !self.mentions_root() {
            wrong_format(self.url, format!("not XML: byte {position}: {message}"))
        } else {
            malformed(self.url, position, message)
        }
    }

    fn eof(&self) -> ParseError {
        match self.open.last() {
            // A cut download must never pass for a list that shrank.
            Some(inside) => malformed(
                self.url,
                self.reader.buffer_position(),
                format!("document ends inside <{inside}>: truncated download?"),
            ),
            None => wrong_format(
                self.url,
                format!("no XML element found, expected <{}>", self.root),
            ),
        }
    }

    /// Whether the document opens an element named `root` (with or without a prefix).
    fn mentions_root(&self) -> bool {
        let head = &self.head[..self.head.len().min(4096)];
        [format!("<{}", self.root), format!(":{}", self.root)]
            .iter()
            .any(|pat| head.windows(pat.len()).any(|w| w == pat.as_bytes()))
    }

    fn open_node(&self, start: &BytesStart) -> Result<Node, ParseError> {
        let (reader, url) = (&self.reader, self.url);
        let name = decode(reader, url, start.local_name().as_ref())?;
        let mut attrs = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| malformed(url, reader.buffer_position(), e.to_string()))?;
            let key = decode(reader, url, attr.key.local_name().as_ref())?;
            let value = match attr.decode_and_unescape_value(reader.decoder()) {
                Ok(v) => v.into_owned(),
                Err(_) => decode(reader, url, &attr.value)?,
            };
            attrs.push((key, value));
            if attrs.len() > MAX_ELEMENT_ATTRIBUTES {
                return Err(malformed(
                    url,
                    reader.buffer_position(),
                    format!("<{name}> has more than {MAX_ELEMENT_ATTRIBUTES} attributes: refused"),
                ));
            }
        }
        Ok(Node {
            name,
            attrs,
            ..Node::default()
        })
    }
}

/// Bytes of the document in its declared encoding.
fn decode(reader: &Reader<&[u8]>, url: &str, bytes: &[u8]) -> Result<String, ParseError> {
    reader
        .decoder()
        .decode(bytes)
        .map(|t| t.into_owned())
        .map_err(|e| malformed(url, reader.buffer_position(), e.to_string()))
}

fn malformed(url: &str, position: u64, message: String) -> ParseError {
    ParseError::Malformed {
        url: url.to_string(),
        location: format!("byte {position}"),
        message,
    }
}

fn wrong_format(url: &str, reason: String) -> ParseError {
    ParseError::WrongFormat {
        url: url.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records' names and texts, or the error.
    fn records(bytes: &[u8]) -> Result<Vec<(String, String)>, ParseError> {
        let mut seen = Vec::new();
        walk(
            bytes,
            "u",
            "list",
            |d, _| d == 2,
            |item| {
                if let Item::Record(node, _) = item {
                    seen.push((
                        node.name.clone(),
                        node.child_text("name").unwrap_or_default().into(),
                    ));
                }
                Ok(())
            },
        )?;
        Ok(seen)
    }

    const DOC: &str =
        "<?xml version=\"1.0\"?>\n<x:list xmlns:x=\"urn:a\"><x:rec><name>Zoë</name></x:rec>\
                       <other><deep><name>n</name></deep></other></x:list>";

    #[test]
    fn records_are_matched_on_local_names() {
        let seen = records(DOC.as_bytes()).unwrap();
        assert_eq!(
            seen,
            [
                ("rec".into(), "Zoë".into()),
                ("other".into(), String::new())
            ]
        );
    }

    #[test]
    fn utf16_and_declared_encodings_read_like_utf8() {
        let utf16: Vec<u8> = std::iter::once('\u{feff}')
            .chain(DOC.chars())
            .collect::<String>()
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(records(&utf16).unwrap(), records(DOC.as_bytes()).unwrap());
        let declared = DOC.replace("version=\"1.0\"", "version=\"1.0\" encoding=\"ISO-8859-1\"");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&declared);
        assert_eq!(records(&bytes).unwrap(), records(DOC.as_bytes()).unwrap());
    }

    #[test]
    fn a_cut_document_is_malformed_and_other_documents_the_wrong_format() {
        // From the root's name on; a cut before it leaves no sign of the format.
        let root_opened = DOC.find("<x:list").unwrap() + "<x:list".len();
        for cut in root_opened..DOC.len() - 1 {
            assert!(
                matches!(
                    records(&DOC.as_bytes()[..cut]),
                    Err(ParseError::Malformed { .. })
                ),
                "cut at {cut}"
            );
        }
        for other in ["", "<html><body>503</body></html>", "\u{1f}\u{8b} <<"] {
            assert!(
                matches!(
                    records(other.as_bytes()),
                    Err(ParseError::WrongFormat { .. })
                ),
                "{other:?}"
            );
        }
    }
}
