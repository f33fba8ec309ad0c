//! News feeds: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0, in any declared encoding.
//!
//! One forgiving pass over the XML: the few elements an alert needs (title, link, id, summary,
//! content, date) are picked out by namespace and position, everything else is skipped. The
//! teaser (`description`, `summary`, `dc:description`, `media:description`, `itunes:summary`)
//! and the article (`content:encoded`, Atom `content`, `xhtml:body`) are kept apart, both
//! reduced from HTML to text here, so matching and emails see words, not markup.
//!
//! A document that breaks after some complete items (a download cut short, a generator that
//! crashed mid-way) still yields those items, with a warning: a feed is additive, so a cut
//! never makes an item look removed.

mod charset;
mod date;
mod html;

use base64::Engine;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use sha2::{Digest, Sha256};
use url::Url;

use super::{single_body, Body, ParseError, Parsed, SourceFormat};
use crate::domain::entry::{FeedItem, FeedSnapshot};

pub struct Feed;

impl SourceFormat for Feed {
    fn kind(&self) -> &'static str {
        "feed"
    }

    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let body = single_body(bodies)?;
        parse_feed(body).map(Parsed::Feed)
    }
}

/// Parses one downloaded feed document.
pub fn parse_feed(body: &Body) -> Result<FeedSnapshot, ParseError> {
    let decoded = charset::decode(&body.bytes, body.content_type.as_deref());
    let text = decoded.text.trim_start_matches('\u{FEFF}');
    let encoding = decoded.codec.name();
    // Some servers emit a blank line before the XML declaration, which XML forbids but every
    // feed reader accepts.
    let start = text.len() - text.trim_start().len();
    let doc = Document {
        url: &body.url,
        text: &text[start..],
        line_offset: text[..start].matches('\n').count(),
        encoding: &encoding,
    };
    doc.check_looks_like_xml()?;
    let mut feed = Parser::new(&doc, body).run()?;
    if let Some(warning) = decoded.warning {
        feed.warnings.insert(0, format!("{}: {warning}", body.url));
    }
    Ok(feed)
}

const ATOM_NAMESPACES: &[&[u8]] = &[b"http://www.w3.org/2005/Atom", b"http://purl.org/atom/ns#"];
const RSS_NAMESPACES: &[&[u8]] = &[
    b"http://purl.org/rss/1.0/",
    b"http://my.netscape.com/rdf/simple/0.9/",
    b"http://backend.userland.com/rss2",
];
const DC_NAMESPACE: &[u8] = b"http://purl.org/dc/elements/1.1/";
const CONTENT_NAMESPACE: &[u8] = b"http://purl.org/rss/1.0/modules/content/";
const RDF_NAMESPACE: &[u8] = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const XHTML_NAMESPACE: &[u8] = b"http://www.w3.org/1999/xhtml";
const MEDIA_NAMESPACE: &[u8] = b"http://search.yahoo.com/mrss/";
const ITUNES_NAMESPACE: &[u8] = b"http://www.itunes.com/dtds/podcast-1.0.dtd";
const GOOGLEPLAY_NAMESPACE: &[u8] = b"http://www.google.com/schemas/play-podcasts/1.0";

/// The decoded text of a document, with what error messages need to point into it.
struct Document<'a> {
    url: &'a str,
    text: &'a str,
    /// Lines skipped before `text` starts, so reported line numbers match the file.
    line_offset: usize,
    /// The encoding the text was read in, named in errors: a wrong guess shows there.
    encoding: &'a str,
}

impl Document<'_> {
    fn wrong_format(&self, reason: impl Into<String>) -> ParseError {
        ParseError::WrongFormat {
            url: self.url.to_string(),
            reason: reason.into(),
        }
    }

    fn malformed(&self, position: u64, message: impl Into<String>) -> ParseError {
        ParseError::Malformed {
            url: self.url.to_string(),
            location: self.location(position),
            message: format!("{} (read as {})", message.into(), self.encoding),
        }
    }

    /// `line L, column C` of a byte position in the decoded text.
    fn location(&self, position: u64) -> String {
        let mut pos = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while !self.text.is_char_boundary(pos) {
            pos -= 1;
        }
        let before = &self.text[..pos];
        let line = before.matches('\n').count() + 1 + self.line_offset;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("line {line}, column {column}")
    }

    /// Refuses, before any XML parsing, what is plainly not an XML document.
    fn check_looks_like_xml(&self) -> Result<(), ParseError> {
        match self.text.chars().next() {
            None => Err(self.wrong_format("empty document, not a feed")),
            Some('<') => Ok(()),
            Some('{' | '[') => {
                Err(self.wrong_format("JSON, not an RSS or Atom feed (JSON Feed is not supported)"))
            }
            Some(_) => Err(self.wrong_format("does not start with '<': not XML, not a feed")),
        }
    }

    fn looks_like_html(&self) -> bool {
        let head: String = self.text.chars().take(1024).collect::<String>();
        let head = head.to_ascii_lowercase();
        head.contains("<!doctype html") || head.contains("<html")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dialect {
    Rss,
    Atom,
}

/// Which vocabulary an element belongs to, as far as this parser cares.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Vocab {
    /// The feed's own: RSS (no namespace, or RSS 1.0/0.90's) or Atom's.
    Core,
    Dc,
    Content,
    Xhtml,
    Media,
    /// iTunes' and Google Play's podcast namespaces, which name their teasers alike.
    Podcast,
    Other,
}

#[derive(Clone, Debug)]
struct Name {
    vocab: Vocab,
    local: String,
}

impl Name {
    fn is(&self, vocab: Vocab, local: &str) -> bool {
        self.vocab == vocab && self.local == local
    }
}

/// Which value a captured element's text becomes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    FeedTitle,
    FeedLink,
    Title,
    Link,
    Guid,
    Id,
    Summary,
    /// A teaser from another vocabulary (`dc:description`, `media:description`,
    /// `itunes:summary`): the summary when the feed's own is missing.
    AltSummary,
    Content,
    Published,
    Updated,
    DcDate,
}

/// The text of one element being collected, with any child elements kept as markup.
struct Capture {
    target: Target,
    /// Stack depth of the captured element: the capture ends with its end tag.
    depth: usize,
    /// Whether the text is HTML (RSS descriptions, Atom `type="html"`/`"xhtml"`).
    markup: bool,
    /// Atom 0.3 `mode="base64"`: the text is base64 of the content.
    base64: bool,
    buf: String,
}

/// One item as read, before links are resolved and ids chosen.
#[derive(Default)]
struct RawItem {
    /// guid, Atom id, or RSS 1.0 rdf:about.
    id: Option<String>,
    guid: Option<String>,
    guid_is_permalink: bool,
    title: Option<String>,
    link: Option<String>,
    /// The explicit xml:base in scope where the link was found.
    link_base: Option<Url>,
    summary: Option<String>,
    alt_summary: Option<String>,
    content: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    dc_date: Option<String>,
    /// An RSS `<item>` in an Atom-rooted document (some generators mix them): its fields
    /// are read as RSS.
    rss: bool,
}

struct Parser<'a> {
    doc: &'a Document<'a>,
    /// `Body.url`, when it can serve as a base for relative links (http or https: a `file://`
    /// base would only put server paths into alert emails).
    doc_base: Option<Url>,
    dialect: Dialect,
    root_seen: bool,
    /// Open elements, with the explicit xml:base in scope at each.
    stack: Vec<(Name, Option<Url>)>,
    capture: Option<Capture>,
    item: Option<RawItem>,
    /// Stack depth of the open item/entry element.
    item_depth: usize,
    items: Vec<RawItem>,
    feed_title: Option<String>,
    /// The feed's own link, with the explicit xml:base in scope where it was found.
    feed_link: Option<(String, Option<Url>)>,
}

/// An element's resolved namespace, owned so the reader can be used while it is held.
enum Ns {
    Unbound,
    Bound(Vec<u8>),
    Unknown,
}

impl From<ResolveResult<'_>> for Ns {
    fn from(result: ResolveResult<'_>) -> Self {
        match result {
            ResolveResult::Unbound => Ns::Unbound,
            ResolveResult::Bound(ns) => Ns::Bound(ns.as_ref().to_vec()),
            ResolveResult::Unknown(_) => Ns::Unknown,
        }
    }
}

/// An element's attributes, values with entities decoded.
struct Attributes(Vec<(Vec<u8>, String)>);

impl Attributes {
    fn read(reader: &NsReader<&[u8]>, start: &BytesStart) -> Self {
        let mut list = Vec::new();
        for attr in start.attributes().with_checks(false).flatten() {
            let value = String::from_utf8_lossy(&attr.value);
            let value = html_escape::decode_html_entities(&value).into_owned();
            let key = match reader.resolve_attribute(attr.key) {
                (ResolveResult::Bound(ns), local) if ns.as_ref() == RDF_NAMESPACE => {
                    [b"rdf:".as_slice(), local.as_ref()].concat()
                }
                _ => attr.key.as_ref().to_vec(),
            };
            list.push((key, value));
        }
        Attributes(list)
    }

    /// The value of the attribute with this exact qualified name (`rdf:` stands for the RDF
    /// namespace whatever prefix the document uses).
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.as_slice() == key.as_bytes())
            .map(|(_, v)| v.as_str())
    }
}

impl<'a> Parser<'a> {
    fn new(doc: &'a Document<'a>, body: &Body) -> Self {
        let doc_base = Url::parse(&body.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"));
        Parser {
            doc,
            doc_base,
            dialect: Dialect::Rss,
            root_seen: false,
            stack: Vec::new(),
            capture: None,
            item: None,
            item_depth: 0,
            items: Vec::new(),
            feed_title: None,
            feed_link: None,
        }
    }

    fn run(mut self) -> Result<FeedSnapshot, ParseError> {
        let mut reader = NsReader::from_str(self.doc.text);
        reader.config_mut().expand_empty_elements = true;
        loop {
            let (ns, event) = match reader.read_resolved_event() {
                Ok(resolved) => resolved,
                Err(e) => {
                    let error = self.read_error(reader.error_position(), &e);
                    return self.recover(error);
                }
            };
            match event {
                Event::Start(start) => {
                    let ns = Ns::from(ns);
                    self.start(&reader, ns, &start)?
                }
                Event::End(end) => self.end(end.name().as_ref()),
                Event::Text(text) => {
                    let raw = String::from_utf8_lossy(&text);
                    self.text(&raw)?;
                }
                Event::CData(cdata) => {
                    if let Some(capture) = self.capture.as_mut() {
                        capture.buf.push_str(&String::from_utf8_lossy(&cdata));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if let Some((name, _)) = self.stack.last() {
            let error = self.doc.malformed(
                self.doc.text.len() as u64,
                format!(
                    "document ends inside <{}>: truncated or broken feed",
                    name.local
                ),
            );
            return self.recover(error);
        }
        if !self.root_seen {
            return Err(self.doc.wrong_format("no XML element at all, not a feed"));
        }
        Ok(self.finish())
    }

    /// After the document broke: the items complete before the break, with the error as a
    /// warning, or the error when there are none (then nothing was read, and the cycle fails).
    fn recover(self, error: ParseError) -> Result<FeedSnapshot, ParseError> {
        if !self.root_seen
            || self.items.is_empty()
            || matches!(error, ParseError::WrongFormat { .. })
        {
            return Err(error);
        }
        let kept = self.items.len();
        let mut feed = self.finish();
        feed.warnings.push(format!(
            "{error}; the {kept} item(s) complete before the break were read"
        ));
        Ok(feed)
    }

    fn read_error(&self, position: u64, error: &quick_xml::Error) -> ParseError {
        if !self.root_seen && self.doc.looks_like_html() {
            return self
                .doc
                .wrong_format("an HTML page, not an RSS or Atom feed");
        }
        self.doc.malformed(position, format!("XML error: {error}"))
    }

    fn vocab(&self, ns: &Ns) -> Vocab {
        match ns {
            // Atom without its namespace is broken but readable; RSS 0.9x/2.0 has none.
            Ns::Unbound => Vocab::Core,
            Ns::Bound(ns) => {
                let ns = ns.as_slice();
                let core = match self.dialect {
                    Dialect::Rss => RSS_NAMESPACES,
                    Dialect::Atom => ATOM_NAMESPACES,
                };
                if core.contains(&ns) {
                    Vocab::Core
                } else if ns == DC_NAMESPACE {
                    Vocab::Dc
                } else if ns == CONTENT_NAMESPACE {
                    Vocab::Content
                } else if ns == XHTML_NAMESPACE {
                    Vocab::Xhtml
                } else if ns == MEDIA_NAMESPACE {
                    Vocab::Media
                } else if ns == ITUNES_NAMESPACE || ns == GOOGLEPLAY_NAMESPACE {
                    Vocab::Podcast
                } else {
                    Vocab::Other
                }
            }
            Ns::Unknown => Vocab::Other,
        }
    }

    /// Decides from the root element which dialect this is, or that it is no feed at all.
    fn root(&mut self, ns: &Ns, local: &str) -> Result<(), ParseError> {
        let in_rdf = matches!(ns, Ns::Bound(n) if n == RDF_NAMESPACE);
        self.dialect = match local {
            "rss" => Dialect::Rss,
            "RDF" if in_rdf => Dialect::Rss,
            "feed" => Dialect::Atom,
            // an Atom Entry Document (RFC 4287 §4.1.2): a feed of one entry
            "entry" if matches!(ns, Ns::Bound(n) if ATOM_NAMESPACES.contains(&n.as_slice())) => {
                Dialect::Atom
            }
            "html" => {
                return Err(self
                    .doc
                    .wrong_format("an HTML page (root element <html>), not an RSS or Atom feed"))
            }
            other => {
                return Err(self.doc.wrong_format(format!(
                    "root element <{other}> is not <rss>, <rdf:RDF> or <feed>: not a feed"
                )))
            }
        };
        self.root_seen = true;
        Ok(())
    }

    fn start(
        &mut self,
        reader: &NsReader<&[u8]>,
        ns: Ns,
        start: &BytesStart,
    ) -> Result<(), ParseError> {
        let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        if !self.root_seen {
            self.root(&ns, &local)?;
        }
        let attrs = Attributes::read(reader, start);
        let base = self.base_for(attrs.get("xml:base"));
        let name = Name {
            vocab: self.vocab(&ns),
            local,
        };
        if let Some(capture) = self.capture.as_mut() {
            if capture.markup {
                capture.buf.push('<');
                capture.buf.push_str(&String::from_utf8_lossy(start));
                capture.buf.push('>');
            }
        } else {
            self.open(&name, &attrs, &base);
        }
        self.stack.push((name, base));
        Ok(())
    }

    /// The explicit xml:base in scope inside an element carrying `xml_base`.
    fn base_for(&self, xml_base: Option<&str>) -> Option<Url> {
        let outer = self.stack.last().and_then(|(_, base)| base.clone());
        let Some(xml_base) = xml_base else {
            return outer;
        };
        let against = outer.as_ref().or(self.doc_base.as_ref());
        match against {
            Some(base) => base.join(xml_base.trim()).ok().or(outer),
            None => Url::parse(xml_base.trim()).ok().or(outer),
        }
    }

    /// Reacts to an element opening outside any capture: starts an item, a captured field,
    /// or takes a link from attributes.
    fn open(&mut self, name: &Name, attrs: &Attributes, base: &Option<Url>) {
        let depth = self.stack.len();
        let parent = self.stack.last().map(|(n, _)| n);
        if self.item.is_none() && self.is_item_start(name, parent, depth) {
            self.item = Some(RawItem {
                id: attrs.get("rdf:about").map(str::to_string),
                rss: self.dialect == Dialect::Atom && name.local == "item",
                ..RawItem::default()
            });
            self.item_depth = depth + 1;
            return;
        }
        let target = if self.item.is_some() && depth == self.item_depth {
            self.item_field(name, attrs, base)
        } else if self.item.is_some()
            && depth > self.item_depth
            && name.is(Vocab::Media, "description")
        {
            // inside <media:group> or <media:content> (YouTube)
            Some((Target::AltSummary, media_markup(attrs)))
        } else if self.item.is_none() && self.is_feed_child(parent, depth) {
            self.feed_field(name, attrs, base)
        } else {
            None
        };
        if let Some((target, markup)) = target {
            let mode = attrs.get("mode").map(|m| m.trim().to_ascii_lowercase());
            let base64 = mode.as_deref() == Some("base64");
            // Atom 0.3: "escaped" and "xml" content is markup whatever its type says
            let markup = markup || matches!(mode.as_deref(), Some("escaped" | "xml"));
            self.capture = Some(Capture {
                target,
                depth: depth + 1,
                markup,
                base64,
                buf: String::new(),
            });
        }
    }

    fn is_item_start(&self, name: &Name, parent: Option<&Name>, depth: usize) -> bool {
        match self.dialect {
            Dialect::Rss => {
                name.is(Vocab::Core, "item")
                    && (depth == 1 || parent.is_some_and(|p| p.is(Vocab::Core, "channel")))
            }
            Dialect::Atom => {
                (name.is(Vocab::Core, "entry") && depth <= 1)
                    || (name.is(Vocab::Core, "item")
                        && (depth == 1 || parent.is_some_and(|p| p.is(Vocab::Core, "channel"))))
            }
        }
    }

    fn is_feed_child(&self, parent: Option<&Name>, depth: usize) -> bool {
        match self.dialect {
            Dialect::Rss => depth == 2 && parent.is_some_and(|p| p.is(Vocab::Core, "channel")),
            Dialect::Atom => depth == 1,
        }
    }

    /// The field an element of an item fills, and whether its text is HTML.
    fn item_field(
        &mut self,
        name: &Name,
        attrs: &Attributes,
        base: &Option<Url>,
    ) -> Option<(Target, bool)> {
        let item = self.item.as_mut()?;
        let dialect = if item.rss { Dialect::Rss } else { self.dialect };
        match (dialect, name.vocab, name.local.as_str()) {
            (_, Vocab::Dc, "date") => Some((Target::DcDate, false)),
            (_, Vocab::Dc, "description") => Some((Target::AltSummary, true)),
            (_, Vocab::Media, "description") => Some((Target::AltSummary, media_markup(attrs))),
            (_, Vocab::Podcast, "summary" | "description") => Some((Target::AltSummary, true)),
            (_, Vocab::Xhtml, "body" | "div") => Some((Target::Content, true)),
            (Dialect::Rss, Vocab::Core, "body") => Some((Target::Content, true)),
            (Dialect::Rss, Vocab::Core, "title") => Some((Target::Title, true)),
            (Dialect::Rss, Vocab::Core, "link") => {
                item.link_base = base.clone();
                Some((Target::Link, false))
            }
            (Dialect::Rss, Vocab::Core, "guid") => {
                item.guid_is_permalink = attrs
                    .get("isPermaLink")
                    .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
                Some((Target::Guid, false))
            }
            (Dialect::Rss, Vocab::Core, "description") => Some((Target::Summary, true)),
            (Dialect::Rss, Vocab::Content, "encoded") => Some((Target::Content, true)),
            (Dialect::Rss, Vocab::Core, "pubDate") => Some((Target::Published, false)),
            (Dialect::Atom, Vocab::Core, "id") => Some((Target::Id, false)),
            (Dialect::Atom, Vocab::Core, "title") => Some((Target::Title, atom_markup(attrs))),
            (Dialect::Atom, Vocab::Core, "summary") => Some((Target::Summary, atom_markup(attrs))),
            (Dialect::Atom, Vocab::Core, "content") => Some((Target::Content, atom_markup(attrs))),
            (Dialect::Atom, Vocab::Core, "published" | "issued") => {
                Some((Target::Published, false))
            }
            (Dialect::Atom, Vocab::Core, "updated" | "modified") => Some((Target::Updated, false)),
            (Dialect::Atom, Vocab::Core, "link") => {
                if item.link.is_none() && is_alternate(attrs) {
                    item.link = attrs.get("href").map(str::to_string);
                    item.link_base = base.clone();
                }
                None
            }
            _ => None,
        }
    }

    /// The field an element of the channel (RSS) or feed (Atom) fills.
    fn feed_field(
        &mut self,
        name: &Name,
        attrs: &Attributes,
        base: &Option<Url>,
    ) -> Option<(Target, bool)> {
        match (self.dialect, name.vocab, name.local.as_str()) {
            (Dialect::Rss, Vocab::Core, "title") => Some((Target::FeedTitle, true)),
            (Dialect::Rss, Vocab::Core, "link") => Some((Target::FeedLink, false)),
            (Dialect::Atom, Vocab::Core, "title") => Some((Target::FeedTitle, atom_markup(attrs))),
            (Dialect::Atom, Vocab::Core, "link") => {
                if self.feed_link.is_none() && is_alternate(attrs) {
                    if let Some(href) = attrs.get("href") {
                        self.feed_link = Some((href.to_string(), base.clone()));
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn end(&mut self, raw_name: &[u8]) {
        match self.capture.take() {
            Some(capture) if capture.depth == self.stack.len() => self.store(capture),
            Some(mut capture) => {
                if capture.markup {
                    capture.buf.push_str("</");
                    capture.buf.push_str(&String::from_utf8_lossy(raw_name));
                    capture.buf.push('>');
                }
                self.capture = Some(capture);
            }
            None => {}
        }
        self.stack.pop();
        if self.item.is_some() && self.stack.len() < self.item_depth {
            self.items.extend(self.item.take());
        }
    }

    fn text(&mut self, raw: &str) -> Result<(), ParseError> {
        if !self.root_seen && !raw.trim().is_empty() {
            return Err(if self.doc.looks_like_html() {
                self.doc
                    .wrong_format("an HTML page, not an RSS or Atom feed")
            } else {
                self.doc
                    .wrong_format("text before the first element: not XML, not a feed")
            });
        }
        let depth = self.stack.len();
        if let Some(capture) = self.capture.as_mut() {
            // Text directly in an HTML field is HTML escaped once for XML; text inside child
            // elements (unescaped HTML, Atom xhtml) is already HTML and stays as it is.
            if capture.markup && depth != capture.depth {
                capture.buf.push_str(raw);
            } else {
                capture
                    .buf
                    .push_str(&html_escape::decode_html_entities(raw));
            }
        }
        Ok(())
    }

    /// Puts the text of a finished capture where it belongs.
    fn store(&mut self, mut capture: Capture) {
        if capture.base64 {
            let compact: String = capture.buf.split_whitespace().collect();
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact) {
                capture.buf = String::from_utf8_lossy(&bytes).into_owned();
            }
        }
        let line = || {
            if capture.markup {
                html::html_to_line(&capture.buf)
            } else {
                html::plain_to_line(&capture.buf)
            }
        };
        let paragraphs = || {
            if capture.markup {
                html::html_to_text(&capture.buf)
            } else {
                html::plain_to_text(&capture.buf)
            }
        };
        let explicit_base = self.stack.last().and_then(|(_, base)| base.clone());
        match capture.target {
            Target::FeedTitle => self.feed_title = Some(line()),
            Target::FeedLink => {
                if self.feed_link.is_none() {
                    self.feed_link = Some((line(), explicit_base));
                }
            }
            target => {
                let Some(item) = self.item.as_mut() else {
                    return;
                };
                let slot = match target {
                    Target::Title => &mut item.title,
                    Target::Link => &mut item.link,
                    Target::Guid => &mut item.guid,
                    Target::Id => &mut item.id,
                    Target::Summary => &mut item.summary,
                    Target::AltSummary => &mut item.alt_summary,
                    Target::Content => &mut item.content,
                    Target::Published => &mut item.published,
                    Target::Updated => &mut item.updated,
                    Target::DcDate => &mut item.dc_date,
                    Target::FeedTitle | Target::FeedLink => return,
                };
                let value = if matches!(
                    target,
                    Target::Summary | Target::AltSummary | Target::Content
                ) {
                    paragraphs()
                } else {
                    line()
                };
                if slot.is_none() && !value.is_empty() {
                    *slot = Some(value);
                }
            }
        }
    }

    fn finish(self) -> FeedSnapshot {
        let feed_base = self.feed_link.as_ref().and_then(|(link, explicit)| {
            resolve(link, explicit.as_ref().or(self.doc_base.as_ref()))
                .and_then(|l| Url::parse(&l).ok())
        });
        let fallback_base = feed_base.as_ref().or(self.doc_base.as_ref());
        let items = self
            .items
            .into_iter()
            .map(|raw| finish_item(raw, fallback_base))
            .collect();
        FeedSnapshot {
            title: self.feed_title.filter(|t| !t.is_empty()),
            items,
            warnings: Vec::new(),
        }
    }
}

fn finish_item(raw: RawItem, fallback_base: Option<&Url>) -> FeedItem {
    let base = raw.link_base.as_ref().or(fallback_base);
    let permalink_guid = raw
        .guid
        .as_ref()
        .filter(|g| raw.guid_is_permalink && Url::parse(g).is_ok());
    let link = raw
        .link
        .as_deref()
        .or(permalink_guid.map(String::as_str))
        .and_then(|l| resolve(l, base));
    let title = raw.title.unwrap_or_default();
    let summary = raw.summary.or(raw.alt_summary).unwrap_or_default();
    let content = raw.content.unwrap_or_default();
    // A feed that repeats its teaser as the article (podcasts do) has no article apart.
    let content = if content == summary {
        String::new()
    } else {
        content
    };
    let published = [&raw.published, &raw.dc_date, &raw.updated]
        .into_iter()
        .flatten()
        .find_map(|d| date::to_rfc3339(d));
    let id = raw
        .guid
        .or(raw.id)
        .or_else(|| link.clone())
        .unwrap_or_else(|| {
            // as before content was kept apart: the summary, else the content
            content_id(
                &title,
                if summary.is_empty() {
                    &content
                } else {
                    &summary
                },
            )
        });
    FeedItem {
        id,
        title,
        link,
        summary,
        content,
        published,
    }
}

/// An absolute link: `link` resolved against `base`, or as given when it cannot be.
fn resolve(link: &str, base: Option<&Url>) -> Option<String> {
    let link = link.trim();
    if link.is_empty() {
        return None;
    }
    let resolved = match base {
        Some(base) => base.join(link),
        None => Url::parse(link),
    };
    Some(resolved.map_or_else(|_| link.to_string(), String::from))
}

/// The id of an item that has neither guid nor link: the same text gives the same id, so the
/// item is new only once.
fn content_id(title: &str, summary: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(title.as_bytes());
    hasher.update(b"\n");
    hasher.update(summary.as_bytes());
    let digest = hasher.finalize();
    let hex = crate::domain::digest::hex(&digest);
    format!("sha256:{hex}")
}

/// Whether an Atom `type` attribute makes a text construct HTML (`html`, `xhtml`, and the
/// MIME types Atom 0.3 and sloppy generators use, like `text/html`).
fn atom_markup(attrs: &Attributes) -> bool {
    attrs
        .get("type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
}

/// Whether a `media:description` is HTML (`type="html"`; plain is the default).
fn media_markup(attrs: &Attributes) -> bool {
    attrs
        .get("type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
}

fn is_alternate(attrs: &Attributes) -> bool {
    attrs
        .get("rel")
        .is_none_or(|rel| rel.trim().eq_ignore_ascii_case("alternate"))
}
