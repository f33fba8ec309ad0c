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
//!
//! A record's names, attribute values and texts borrow from the document wherever they can
//! (UTF-8, nothing to unescape, one piece of text), so reading a list allocates little more
//! than the records' child lists: allocation, not XML scanning, was most of the parsing time.

use std::borrow::Cow;

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

/// One element of a record: its local name, attributes, own text and child elements, borrowed
/// from the document `'a` where they can be.
#[derive(Debug, Default, Clone)]
pub(crate) struct Node<'a> {
    pub name: Cow<'a, str>,
    pub attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The element's own text, for reading trimmed: blank pieces before its first non-blank
    /// one are not kept, so that a parent's indentation between its children costs nothing.
    pub text: Cow<'a, str>,
    pub children: Vec<Node<'a>>,
}

impl<'a> Node<'a> {
    /// An attribute's value, trimmed; `None` when absent or blank.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn child(&self, name: &str) -> Option<&Node<'a>> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'n>(&'n self, name: &'n str) -> impl Iterator<Item = &'n Node<'a>> + 'n {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Every descendant reached by following `path` (each step may match several children).
    pub fn all<'n>(&'n self, path: &'n [&'n str]) -> Box<dyn Iterator<Item = &'n Node<'a>> + 'n> {
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

    /// A copy of the node with nothing borrowed, to outlive the document it was read from.
    pub fn to_owned_node(&self) -> Node<'static> {
        let own = |c: &Cow<'a, str>| Cow::Owned(c.to_string());
        Node {
            name: own(&self.name),
            attrs: self.attrs.iter().map(|(k, v)| (own(k), own(v))).collect(),
            text: own(&self.text),
            children: self.children.iter().map(Node::to_owned_node).collect(),
        }
    }

    /// Adds a piece of the element's text (text and CDATA sections may alternate).
    fn push_text(&mut self, piece: Cow<'a, str>) {
        // Trimmed, blank text followed by a piece reads as the piece: only then may it stay
        // borrowed. The same whitespace as `str::trim` uses.
        if self.text.chars().all(char::is_whitespace) {
            self.text = piece;
        } else {
            self.text.to_mut().push_str(&piece);
        }
    }
}

/// What the walk reports, in document order. The walk keeps the nodes it lends: it reuses
/// their lists of children for the next records.
pub(crate) enum Item<'r, 'a> {
    /// The root element, with its attributes (no children).
    Root(&'r Node<'a>),
    /// A whole record (an element the caller selected), with the byte offset of its start tag.
    Record(&'r Node<'a>, u64),
}

/// Streams a document (`url` only names it in errors), checks that the root element is `root`, and hands over the root, then each
/// element `is_record(depth, local_name)` selects (the root's depth is 1) as a complete
/// [`Node`]. Elements outside records are walked past without being kept. A document that ends
/// before the root is closed is an error, so a truncated download never yields a partial list.
pub(crate) fn walk<'a>(
    bytes: &'a [u8],
    url: &str,
    root: &str,
    is_record: impl Fn(usize, &str) -> bool,
    mut on_item: impl FnMut(Item<'_, 'a>) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    match utf16_as_utf8(bytes) {
        // Locked to UTF-8: the declaration still says UTF-16, which no longer holds. The
        // records borrow from the transcoded text, which ends here, so they are handed over
        // as copies that borrow nothing.
        Some(text) => Walker::new(Reader::from_str(&text), text.as_bytes(), url, root).run(
            &is_record,
            &mut |item| match item {
                Item::Root(node) => on_item(Item::Root(&node.to_owned_node())),
                Item::Record(node, at) => on_item(Item::Record(&node.to_owned_node(), at)),
            },
        ),
        None => {
            Walker::new(Reader::from_reader(bytes), bytes, url, root).run(&is_record, &mut on_item)
        }
    }
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

/// Reads a document `'a`; `'s` is that of the names it is given.
struct Walker<'a, 's> {
    reader: Reader<&'a [u8]>,
    /// The document as parsed: what the events hand out is re-borrowed from it, and it tells a
    /// non-XML body from one cut inside the root's start tag.
    head: &'a [u8],
    /// The document, when it is UTF-8 throughout: checked once, so that no name or text needs
    /// checking again.
    utf8: Option<&'a str>,
    url: &'s str,
    root: &'s str,
    /// Local names of the open elements, root first.
    open: Vec<Cow<'a, str>>,
    /// The record being read, when inside one. Each element is written once, where it will
    /// stay (in its parent's list of children), and reached again through [`Walker::path`],
    /// rather than kept on a stack and moved into its parent when it ends. The path is at most
    /// [`MAX_DEPTH`] long, so reaching the open element stays bounded.
    record: Option<Node<'a>>,
    /// The positions, from the record down, of the open element the next events belong to:
    /// empty when that is the record itself.
    path: Vec<usize>,
    /// Empty lists of children, kept from the records handed over, for the next records to
    /// fill: after the first records, reading one allocates no list of children.
    spare: Vec<Vec<Node<'a>>>,
    record_start: u64,
    /// Elements and attributes of the current record so far, against the per-record limits.
    record_elements: usize,
    record_attributes: usize,
}

impl<'a, 's> Walker<'a, 's> {
    fn new(mut reader: Reader<&'a [u8]>, head: &'a [u8], url: &'s str, root: &'s str) -> Self {
        // Keeps the parser honest about `</a>` closing `<b>`: a spliced document must fail.
        reader.config_mut().check_end_names = true;
        Walker {
            reader,
            head,
            utf8: std::str::from_utf8(head).ok(),
            url,
            root,
            open: Vec::new(),
            record: None,
            path: Vec::new(),
            spare: Vec::new(),
            record_start: 0,
            record_elements: 0,
            record_attributes: 0,
        }
    }

    fn run(
        mut self,
        is_record: &impl Fn(usize, &str) -> bool,
        on_item: &mut impl FnMut(Item<'_, 'a>) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        loop {
            let position = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.read_error(e.to_string())),
            };
            match event {
                Event::Start(start) if self.open.is_empty() => self.open_root(start, on_item)?,
                Event::Empty(start) if self.open.is_empty() => {
                    return self.open_root(start, on_item);
                }
                Event::Start(start) => {
                    self.check_depth(position)?;
                    let node = self.open_node(start)?;
                    self.open.push(node.name.clone());
                    if self.record.is_some() || is_record(self.open.len(), &node.name) {
                        self.enter(node, position)?;
                    }
                }
                Event::Empty(start) => {
                    self.check_depth(position)?;
                    let node = self.open_node(start)?;
                    if self.record.is_some() || is_record(self.open.len() + 1, &node.name) {
                        self.enter(node, position)?;
                        self.close(on_item)?;
                    }
                }
                Event::End(_) => {
                    self.open.pop();
                    if self.open.is_empty() {
                        return Ok(());
                    }
                    if self.record.is_some() {
                        self.close(on_item)?;
                    }
                }
                Event::Text(text) if self.record.is_some() => {
                    // The indentation between elements, nearly every text event of a list:
                    // blank text before any other reads as no text at all.
                    if self.text_is_blank() && text.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let decoded = self.decode(&text)?;
                    self.push_text(unescaped(decoded));
                }
                Event::CData(data) if self.record.is_some() => {
                    let decoded = self.decode(&data)?;
                    self.push_text(decoded);
                }
                Event::Eof => return Err(self.eof()),
                _ => {}
            }
        }
    }

    /// Whether the innermost open element of the record has no text but blanks so far.
    fn text_is_blank(&self) -> bool {
        self.open_element()
            .is_none_or(|top| top.text.is_empty() || top.text.chars().all(char::is_whitespace))
    }

    fn push_text(&mut self, piece: Cow<'a, str>) {
        if let Some(record) = &mut self.record {
            descend(record, &self.path).push_text(piece);
        }
    }

    /// The innermost open element of the record, if inside one.
    fn open_element(&self) -> Option<&Node<'a>> {
        let mut node = self.record.as_ref()?;
        for &at in &self.path {
            node = &node.children[at];
        }
        Some(node)
    }

    /// Refuses an element that would open deeper than [`MAX_DEPTH`] (`position`: its start tag).
    #[inline]
    fn check_depth(&self, position: u64) -> Result<(), ParseError> {
        if self.open.len() < MAX_DEPTH {
            return Ok(());
        }
        Err(self.too_deep(position))
    }

    #[cold]
    fn too_deep(&self, position: u64) -> ParseError {
        malformed(
            self.url,
            position,
            format!(
                "elements nested more than {MAX_DEPTH} deep{}: refused",
                self.in_record()
            ),
        )
    }

    /// Adds an element to the current record (starting one if there is none), within the
    /// per-record limits.
    #[inline(always)]
    fn enter(&mut self, node: Node<'a>, position: u64) -> Result<(), ParseError> {
        if self.record.is_none() {
            self.record_start = position;
            self.record_elements = 0;
            self.record_attributes = 0;
        }
        self.record_elements += 1;
        self.record_attributes += node.attrs.len();
        if self.record_elements > MAX_RECORD_ELEMENTS
            || self.record_attributes > MAX_RECORD_ATTRIBUTES
        {
            return Err(self.too_large(&node, position));
        }
        match &mut self.record {
            None => self.record = Some(node),
            Some(record) => {
                let parent = descend(record, &self.path);
                if parent.children.capacity() == 0 {
                    parent.children = self.spare.pop().unwrap_or_default();
                }
                parent.children.push(node);
                self.path.push(parent.children.len() - 1);
            }
        }
        Ok(())
    }

    #[cold]
    fn too_large(&self, node: &Node<'a>, position: u64) -> ParseError {
        let exceeded = if self.record_elements > MAX_RECORD_ELEMENTS {
            format!("more than {MAX_RECORD_ELEMENTS} elements")
        } else {
            format!("more than {MAX_RECORD_ATTRIBUTES} attributes")
        };
        let record = self.record.as_ref().map_or(&node.name, |r| &r.name);
        malformed(
            self.url,
            position,
            format!(
                "record <{record}> (at byte {}) has {exceeded}: refused",
                self.record_start
            ),
        )
    }

    /// ` inside record <NAME> at byte N`, when inside a record.
    fn in_record(&self) -> String {
        self.record.as_ref().map_or(String::new(), |r| {
            format!(" inside record <{}> at byte {}", r.name, self.record_start)
        })
    }

    /// Finishes the innermost open element of the record (it is in its parent already); the
    /// record itself goes to the caller.
    fn close(
        &mut self,
        on_item: &mut impl FnMut(Item<'_, 'a>) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        if self.path.pop().is_some() {
            return Ok(());
        }
        let Some(record) = self.record.take() else {
            return Ok(());
        };
        let handed = on_item(Item::Record(&record, self.record_start));
        self.keep_lists(record);
        handed
    }

    /// Empties every list of children in a record handed over into [`Walker::spare`]; without
    /// recursion, as the tree may be deep.
    fn keep_lists(&mut self, mut record: Node<'a>) {
        let first = self.spare.len();
        if record.children.capacity() > 0 {
            self.spare.push(std::mem::take(&mut record.children));
        }
        let mut next = first;
        while next < self.spare.len() {
            let mut list = std::mem::take(&mut self.spare[next]);
            for child in &mut list {
                if child.children.capacity() > 0 {
                    self.spare.push(std::mem::take(&mut child.children));
                }
            }
            list.clear();
            self.spare[next] = list;
            next += 1;
        }
    }

    /// Checks the root element's name and reports it.
    fn open_root(
        &mut self,
        start: BytesStart<'a>,
        on_item: &mut impl FnMut(Item<'_, 'a>) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        let node = self.open_node(start)?;
        if node.name != self.root {
            return Err(wrong_format(
                self.url,
                format!("root element is <{}>, expected <{}>", node.name, self.root),
            ));
        }
        self.open.push(node.name.clone());
        on_item(Item::Root(&node))
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

    /// Bytes of the document in its declared encoding, borrowed from the document when they are
    /// UTF-8 already. Inlined, with the rare case apart: every name and text of a list passes
    /// here, and a call returning its result through memory cost more than the work.
    #[inline]
    fn decode(&self, part: &[u8]) -> Result<Cow<'a, str>, ParseError> {
        if let (Some(utf8), Some(span)) = (self.utf8, span_in(self.head, part)) {
            if self.reader.decoder().encoding() == encoding_rs::UTF_8 {
                if let Some(text) = utf8.get(span) {
                    return Ok(Cow::Borrowed(text));
                }
            }
        }
        self.decode_other(part)
    }

    /// [`Walker::decode`] of bytes that are not borrowed UTF-8.
    #[cold]
    fn decode_other(&self, part: &[u8]) -> Result<Cow<'a, str>, ParseError> {
        let decoder = self.reader.decoder();
        let decoded = match span_in(self.head, part) {
            Some(span) => decoder.decode(&self.head[span]),
            None => decoder.decode(part).map(|t| Cow::Owned(t.into_owned())),
        };
        decoded.map_err(|e| malformed(self.url, self.reader.buffer_position(), e.to_string()))
    }

    // Always inlined: a node returned through memory is read back more slowly than it is built.
    #[inline(always)]
    fn open_node(&self, start: BytesStart<'a>) -> Result<Node<'a>, ParseError> {
        let (reader, url) = (&self.reader, self.url);
        let name = self.decode(local_name(start.name().into_inner()))?;
        let mut attrs = Vec::new();
        // Most elements have none, and reading none still costs a pass of the attribute parser.
        if start.attributes_raw().iter().all(u8::is_ascii_whitespace) {
            return Ok(Node {
                name,
                ..Node::default()
            });
        }
        for attr in start.attributes() {
            let attr = attr.map_err(|e| malformed(url, reader.buffer_position(), e.to_string()))?;
            let key = self.decode(local_name(attr.key.into_inner()))?;
            let value = unescaped(self.decode(&attr.value)?);
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

/// The element `path` leads to from `node` (positions in successive lists of children).
fn descend<'n, 'a>(mut node: &'n mut Node<'a>, path: &[usize]) -> &'n mut Node<'a> {
    for &at in path {
        node = &mut node.children[at];
    }
    node
}

/// A qualified name without its prefix, as `QName::local_name` has it. Searched for here
/// rather than with memchr, whose setup costs more than reading a name of a dozen bytes.
fn local_name(qname: &[u8]) -> &[u8] {
    match qname.iter().position(|&b| b == b':') {
        Some(colon) => &qname[colon + 1..],
        None => qname,
    }
}

/// Where `part` (a name, value or text an event hands out) lies in `document`, if it does.
fn span_in(document: &[u8], part: &[u8]) -> Option<std::ops::Range<usize>> {
    // The events borrow from the document, but only for as long as the event lives.
    let at = (part.as_ptr() as usize).wrapping_sub(document.as_ptr() as usize);
    let span = at..at.checked_add(part.len())?;
    (span.end <= document.len()).then_some(span)
}

/// Text or an attribute value with its entity and character references replaced. An unknown
/// entity (`&nbsp;` in a hand-edited list) is kept verbatim rather than stopping the whole list.
fn unescaped(decoded: Cow<'_, str>) -> Cow<'_, str> {
    // Nearly every text holds no reference; one search for `&` costs less than setting out to
    // unescape each.
    if !decoded.contains('&') {
        return decoded;
    }
    match decoded {
        Cow::Borrowed(raw) => quick_xml::escape::unescape(raw).unwrap_or(Cow::Borrowed(raw)),
        Cow::Owned(raw) => match quick_xml::escape::unescape(&raw) {
            Ok(Cow::Owned(unescaped)) => Cow::Owned(unescaped),
            _ => Cow::Owned(raw),
        },
    }
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
                        node.name.to_string(),
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
    fn text_in_pieces_and_escapes_read_whole() {
        let doc = "<list><rec a=\"x &amp; y\" b='&nbsp;'>\n  <name>\n  Zo&#235; <!-- c --> \
                   <![CDATA[& <Co>]]>  Ltd  </name><name/>\n</rec></list>";
        let mut seen = Vec::new();
        walk(
            doc.as_bytes(),
            "u",
            "list",
            |d, _| d == 2,
            |item| {
                if let Item::Record(node, _) = item {
                    let attrs = (
                        node.attr("a").map(String::from),
                        node.attr("b").map(String::from),
                    );
                    seen.push((
                        node.child_text("name").map(String::from),
                        attrs,
                        node.text().is_none(),
                    ));
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            seen,
            [(
                Some("Zoë  & <Co>  Ltd".to_string()),
                (Some("x & y".to_string()), Some("&nbsp;".to_string())),
                true
            )]
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
