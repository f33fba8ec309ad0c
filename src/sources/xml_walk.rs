//! Record-at-a-time XML reading for the list formats whose records are the direct children of
//! the root element (EU FSF, UK Sanctions List, Canada SEMA).
//!
//! The document is streamed with quick-xml; only one record at a time is held as a small tree,
//! so a 25 MB list never becomes a 25 MB DOM. Element and attribute names are compared by local
//! name, because publishers add or change namespaces without notice.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{Body, ParseError};

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

    /// The element's own text, trimmed; `None` when blank.
    pub fn text(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|t| !t.is_empty())
    }

    /// The trimmed text of the first child called `name`, if it has any.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(Node::text)
    }
}

/// What the walk reports, in document order.
pub(crate) enum Item {
    /// The root element, with its attributes (no children).
    Root(Node),
    /// A whole direct child of the root.
    Child(Node),
}

/// Streams `body`, checks that the root element is `root`, and hands over the root, then each
/// direct child of it as a complete [`Node`]. A document that ends before the root is closed is
/// an error, so a truncated download never yields a partial list.
pub(crate) fn walk(
    body: &Body,
    root: &str,
    mut on_item: impl FnMut(Item) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let mut reader = Reader::from_reader(body.bytes.as_slice());
    // Keeps the parser honest about `</a>` closing `<b>`: a spliced document must fail.
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(body, reader.error_position(), e.to_string()))?;
        match event {
            Event::Start(start) if !root_seen => {
                stack.push(open_root(&reader, body, &start, root, &mut on_item)?);
                root_seen = true;
            }
            Event::Empty(start) if !root_seen => {
                open_root(&reader, body, &start, root, &mut on_item)?;
                return Ok(());
            }
            Event::Start(start) => {
                let node = open(&reader, body, &start)?;
                stack.push(node);
            }
            Event::Empty(start) => {
                let node = open(&reader, body, &start)?;
                close(node, &mut stack, &mut on_item)?;
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| {
                    malformed(body, reader.buffer_position(), "unexpected end tag".into())
                })?;
                if stack.is_empty() {
                    return Ok(());
                }
                close(node, &mut stack, &mut on_item)?;
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    let decoded = match text.unescape() {
                        Ok(t) => t.into_owned(),
                        // An unknown entity (`&nbsp;` in a hand-edited list) is kept verbatim
                        // rather than stopping the whole list.
                        Err(_) => reader
                            .decoder()
                            .decode(text.as_ref())
                            .map_err(|e| malformed(body, reader.buffer_position(), e.to_string()))?
                            .into_owned(),
                    };
                    top.text.push_str(&decoded);
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    let decoded = reader
                        .decoder()
                        .decode(data.as_ref())
                        .map_err(|e| malformed(body, reader.buffer_position(), e.to_string()))?;
                    top.text.push_str(&decoded);
                }
            }
            Event::Eof => {
                let position = reader.buffer_position();
                return Err(if root_seen {
                    malformed(
                        body,
                        position,
                        format!("document ends before </{root}> (truncated download?)"),
                    )
                } else {
                    ParseError::WrongFormat {
                        url: body.url.clone(),
                        reason: format!("no XML element found, expected <{root}>"),
                    }
                });
            }
            _ => {}
        }
    }
}

/// Checks the root element's name and reports it.
fn open_root(
    reader: &Reader<&[u8]>,
    body: &Body,
    start: &BytesStart,
    root: &str,
    on_item: &mut impl FnMut(Item) -> Result<(), ParseError>,
) -> Result<Node, ParseError> {
    let node = open(reader, body, start)?;
    if node.name != root {
        return Err(ParseError::WrongFormat {
            url: body.url.clone(),
            reason: format!("root element is <{}>, expected <{root}>", node.name),
        });
    }
    on_item(Item::Root(node.clone()))?;
    Ok(node)
}

/// Finishes `node`: a direct child of the root goes to the caller, anything deeper to its parent.
fn close(
    node: Node,
    stack: &mut [Node],
    on_item: &mut impl FnMut(Item) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    match stack.len() {
        0 => Ok(()),
        1 => on_item(Item::Child(node)),
        _ => {
            if let Some(parent) = stack.last_mut() {
                parent.children.push(node);
            }
            Ok(())
        }
    }
}

fn open(reader: &Reader<&[u8]>, body: &Body, start: &BytesStart) -> Result<Node, ParseError> {
    let decoder = reader.decoder();
    let name = decoder
        .decode(start.local_name().as_ref())
        .map_err(|e| malformed(body, reader.buffer_position(), e.to_string()))?
        .into_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(body, reader.buffer_position(), e.to_string()))?;
        let key = decoder
            .decode(attr.key.local_name().as_ref())
            .map_err(|e| malformed(body, reader.buffer_position(), e.to_string()))?
            .into_owned();
        let value = match attr.decode_and_unescape_value(decoder) {
            Ok(v) => v.into_owned(),
            Err(_) => decoder
                .decode(&attr.value)
                .map_err(|e| malformed(body, reader.buffer_position(), e.to_string()))?
                .into_owned(),
        };
        attrs.push((key, value));
    }
    Ok(Node {
        name,
        attrs,
        ..Node::default()
    })
}

fn malformed(body: &Body, position: u64, message: String) -> ParseError {
    ParseError::Malformed {
        url: body.url.clone(),
        location: format!("byte {position}"),
        message,
    }
}

// Small helpers the other list formats of this family (CSV, FtM JSON) share too.

/// "IMO 9187629" / "IMO9187629" → "9187629"; anything not seven digits is kept as published.
pub(crate) fn imo_digits(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 7 {
        digits
    } else {
        raw.trim().to_string()
    }
}

pub(crate) fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}
