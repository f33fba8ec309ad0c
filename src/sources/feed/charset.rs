//! Turning a feed's bytes into text, in the encoding the document or the server declares, or
//! failing both, the one the bytes look like.

use chardetng::EncodingDetector;
use encoding_rs::{Encoding, IBM866, UTF_16BE, UTF_16LE, UTF_8};
use oem_cp::code_table::DECODING_TABLE_CP_MAP;
use oem_cp::code_table_type::TableType;

/// A character encoding: one of the WHATWG encodings `encoding_rs` implements, or a DOS
/// ("OEM") code page, which feeds from old systems still declare (`cp437`, `cp850`).
#[derive(Clone, Copy)]
pub(super) enum Codec {
    Web(&'static Encoding),
    Dos(u16, &'static TableType),
}

impl PartialEq for Codec {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Codec::Web(a), Codec::Web(b)) => a == b,
            (Codec::Dos(a, _), Codec::Dos(b, _)) => a == b,
            _ => false,
        }
    }
}

impl Codec {
    pub fn name(&self) -> String {
        match self {
            Codec::Web(e) => e.name().to_string(),
            Codec::Dos(n, _) => format!("IBM{n}"),
        }
    }

    /// The text, and whether some bytes had no character and became U+FFFD.
    fn decode(&self, bytes: &[u8]) -> (String, bool) {
        match self {
            Codec::Web(e) => {
                let (text, had_errors) = e.decode_without_bom_handling(bytes);
                (text.into_owned(), had_errors)
            }
            Codec::Dos(_, table) => {
                let text = table.decode_string_lossy(bytes);
                let replaced = text.contains('\u{FFFD}');
                (text, replaced)
            }
        }
    }
}

/// A document decoded to UTF-8.
pub(super) struct Decoded {
    pub text: String,
    pub codec: Codec,
    /// What the reader of the source's status should know about the decoding: a declared
    /// encoding that did not fit, an encoding guessed, replacement characters.
    pub warning: Option<String>,
}

/// Decodes `bytes`: a byte order mark wins, then the HTTP charset, then the XML declaration,
/// then UTF-8 (the XML default) when the bytes are UTF-8, else the encoding they look like.
///
/// Servers often send a wrong charset (a blanket `utf-8` for every file), so when the HTTP
/// charset does not decode cleanly but the document's own declaration does, the declaration
/// wins; and when nothing declared decodes cleanly, a detected encoding that does is used,
/// with a warning. Replacement characters left in the text are always warned about.
pub(super) fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return finish(Codec::Web(encoding), &bytes[bom_len..]);
    }
    let declared = declared_encoding(bytes);
    let from_http = content_type.and_then(http_charset);
    let mut tried: Vec<(Codec, &str)> = Vec::new();
    if let Some(http) = from_http {
        tried.push((http, "the HTTP charset"));
    }
    if let Some(decl) = declared {
        if !tried.iter().any(|(c, _)| *c == decl) {
            tried.push((decl, "the XML declaration"));
        }
    }
    let primary = tried.first().map_or(Codec::Web(UTF_8), |(c, _)| *c);
    let mut first: Option<String> = None;
    for codec in tried.iter().map(|(c, _)| *c).chain([primary]) {
        let (text, replaced) = codec.decode(bytes);
        if !replaced {
            return Decoded {
                text,
                codec,
                warning: None,
            };
        }
        first.get_or_insert(text);
    }
    let first = first.unwrap_or_default();
    // A stray byte in a UTF-8 feed costs one character; reading the whole feed in another
    // encoding would garble every other one. Only text that is mostly undecodable (an
    // undeclared KOI8-R feed read as UTF-8) is the wrong encoding, and then the bytes' own
    // statistics decide, as Firefox decides for an unlabelled page.
    let replaced = first.matches('\u{FFFD}').count();
    let non_ascii = first.chars().filter(|c| !c.is_ascii()).count();
    if replaced * 2 > non_ascii {
        let mut detector = EncodingDetector::new();
        detector.feed(bytes, true);
        let guess = Codec::Web(detector.guess(None, true));
        let (text, guess_replaced) = guess.decode(bytes);
        if !guess_replaced {
            let declared_as = tried
                .iter()
                .map(|(c, how)| format!("{} ({how})", c.name()))
                .collect::<Vec<_>>()
                .join(", ");
            let warning = if declared_as.is_empty() {
                format!(
                    "no encoding declared and the bytes are not UTF-8: read as {}, the encoding \
                     they look like",
                    guess.name()
                )
            } else {
                format!(
                    "declared as {declared_as}, which does not fit the bytes: read as {}, the \
                     encoding they look like",
                    guess.name()
                )
            };
            return Decoded {
                text,
                codec: guess,
                warning: Some(warning),
            };
        }
    }
    finish(primary, bytes)
}

/// Decodes with `codec`, warning when some bytes had to become U+FFFD.
fn finish(codec: Codec, bytes: &[u8]) -> Decoded {
    let (text, replaced) = codec.decode(bytes);
    let warning = replaced.then(|| {
        let count = text.matches('\u{FFFD}').count();
        format!(
            "read as {}, {count} byte sequence(s) fit no character and became U+FFFD: names \
                 there cannot match",
            codec.name()
        )
    });
    Decoded {
        text,
        codec,
        warning,
    }
}

/// The codec an encoding label names, also for the labels feeds use that the WHATWG list
/// lacks: `windows_1251`, `cp437`, `ibm-850`, `macroman`, `dos-866`.
pub(super) fn for_label(label: &str) -> Option<Codec> {
    let label = label.trim();
    if let Some(e) = Encoding::for_label(label.as_bytes()) {
        return Some(Codec::Web(e));
    }
    let norm = label.to_ascii_lowercase().replace(['_', ' '], "-");
    if let Some(e) = Encoding::for_label(norm.as_bytes()) {
        return Some(Codec::Web(e));
    }
    let compact: String = norm.chars().filter(|c| *c != '-').collect();
    let mac = match compact.as_str() {
        "macroman" | "xmacroman" | "macintoshroman" => Some("macintosh"),
        "maccyrillic" | "xmaccyrillic" | "macukrainian" => Some("x-mac-cyrillic"),
        _ => None,
    };
    if let Some(mac) = mac {
        return Encoding::for_label(mac.as_bytes()).map(Codec::Web);
    }
    if let Some(rest) = compact
        .strip_prefix("windows")
        .or(compact.strip_prefix("win"))
    {
        if let Some(e) = Encoding::for_label(format!("windows-{rest}").as_bytes()) {
            return Some(Codec::Web(e));
        }
    }
    let number = ["cp", "ibm", "dos", "oem", "csibm", "codepage", ""]
        .iter()
        .find_map(|prefix| compact.strip_prefix(prefix))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u16>().ok())?;
    if number == 866 {
        return Some(Codec::Web(IBM866));
    }
    DECODING_TABLE_CP_MAP
        .get(&number)
        .map(|table| Codec::Dos(number, table))
}

/// The `charset` parameter of a Content-Type header, if it names an encoding we know.
fn http_charset(content_type: &str) -> Option<Codec> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        for_label(value.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// The `encoding` of the XML declaration, read as ASCII (as every encoding we accept writes it).
///
/// A declaration of UTF-16 read through ASCII bytes contradicts itself: such a document is
/// really in an ASCII-compatible encoding, so the declaration is ignored, as browsers do.
fn declared_encoding(bytes: &[u8]) -> Option<Codec> {
    if bytes.starts_with(&[0x3C, 0x00, 0x3F, 0x00]) {
        return Some(Codec::Web(UTF_16LE));
    }
    if bytes.starts_with(&[0x00, 0x3C, 0x00, 0x3F]) {
        return Some(Codec::Web(UTF_16BE));
    }
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &bytes[start..bytes.len().min(start + 512)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let label = attribute_value(decl, "encoding")?;
    let codec = for_label(label)?;
    if codec == Codec::Web(UTF_16LE) || codec == Codec::Web(UTF_16BE) {
        return None;
    }
    Some(codec)
}

/// The value of `name="value"` (or single-quoted) in an XML declaration.
fn attribute_value<'a>(decl: &'a str, name: &str) -> Option<&'a str> {
    let after = &decl[decl.find(name)? + name.len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(&value[..value.find(quote)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_names_the_encoding() {
        let mut doc = b"<?xml version=\"1.0\" encoding='windows-1251'?><a>".to_vec();
        doc.extend_from_slice(&[0xCB, 0xF3, 0xEA]); // "Лук" in windows-1251
        let decoded = decode(&doc, None);
        assert!(decoded.codec == Codec::Web(encoding_rs::WINDOWS_1251));
        assert!(decoded.text.ends_with("<a>Лук"));
        assert!(decoded.warning.is_none());
    }

    #[test]
    fn bom_overrides_declaration() {
        let mut doc = vec![0xEF, 0xBB, 0xBF];
        doc.extend_from_slice("<?xml version=\"1.0\" encoding=\"KOI8-R\"?><a>é</a>".as_bytes());
        let decoded = decode(&doc, Some("text/xml; charset=iso-8859-1"));
        assert!(decoded.codec == Codec::Web(UTF_8));
        assert!(decoded.text.starts_with("<?xml"));
        assert!(decoded.text.contains("<a>é</a>"));
    }

    #[test]
    fn http_charset_overrides_declaration() {
        let doc = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xE9</a>";
        let decoded = decode(doc, Some("application/rss+xml; Charset=\"ISO-8859-1\""));
        assert!(decoded.text.contains("<a>é</a>"));
    }

    #[test]
    fn wrong_http_utf8_gives_way_to_a_clean_declaration() {
        let doc = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>\xCB\xF3\xEA</a>";
        let decoded = decode(doc, Some("text/xml; charset=utf-8"));
        assert!(decoded.text.contains("<a>Лук</a>"), "{}", decoded.text);
        assert!(decoded.warning.is_none());
    }

    #[test]
    fn utf16_with_bom() {
        let mut doc = vec![0xFF, 0xFE];
        for unit in "<rss>Ж</rss>".encode_utf16() {
            doc.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&doc, None).text, "<rss>Ж</rss>");
    }

    #[test]
    fn labels_outside_the_whatwg_list_are_normalised() {
        let name = |l: &str| for_label(l).map(|c| c.name());
        assert_eq!(name("windows_1251").as_deref(), Some("windows-1251"));
        assert_eq!(name("WIN1251").as_deref(), Some("windows-1251"));
        assert_eq!(name("cp866").as_deref(), Some("IBM866"));
        assert_eq!(name("dos-866").as_deref(), Some("IBM866"));
        assert_eq!(name("cp437").as_deref(), Some("IBM437"));
        assert_eq!(name("IBM850").as_deref(), Some("IBM850"));
        assert_eq!(name("macroman").as_deref(), Some("macintosh"));
        assert_eq!(name("mac-cyrillic").as_deref(), Some("x-mac-cyrillic"));
        assert_eq!(name("no-such-thing"), None);
    }

    #[test]
    fn a_dos_code_page_decodes() {
        // "Ça coûte" in code page 850: Ç = 0x80, û = 0x96
        let doc = b"<?xml version=\"1.0\" encoding=\"cp850\"?><a>\x80a co\x96te</a>";
        let decoded = decode(doc, None);
        assert!(decoded.text.contains("<a>Ça coûte</a>"), "{}", decoded.text);
        assert!(decoded.warning.is_none());
    }

    #[test]
    fn replacement_characters_are_warned_about() {
        // declared UTF-8, a stray 0xFF, and too little text for any other encoding to fit
        let doc = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xC3\xA9 cr\xC3\xA8me \xFF</a>";
        let decoded = decode(doc, None);
        // one stray byte does not make the whole feed another encoding
        assert!(
            decoded.text.contains("café crème \u{FFFD}"),
            "{}",
            decoded.text
        );
        let warning = decoded.warning.expect("a warning");
        assert!(
            warning.contains("U+FFFD") && warning.contains("UTF-8"),
            "{warning}"
        );
    }
}
