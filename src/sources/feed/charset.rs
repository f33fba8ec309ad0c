//! Turning a feed's bytes into text, in the encoding the document or the server declares.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// A document decoded to UTF-8.
pub(super) struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
}

/// Decodes `bytes`: a byte order mark wins, then the HTTP charset, then the XML declaration,
/// then UTF-8 (the XML default).
///
/// Servers often send a wrong charset (a blanket `utf-8` for every file), so when the HTTP
/// charset does not decode cleanly but the document's own declaration does, the declaration wins.
pub(super) fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom_len..]);
    }
    let declared = declared_encoding(bytes);
    let from_http = content_type.and_then(http_charset);
    if let Some(http) = from_http {
        let (text, had_errors) = http.decode_without_bom_handling(bytes);
        match declared {
            Some(decl) if had_errors && decl != http => {
                let fallback = decode_with(decl, bytes);
                if !fallback.text.contains('\u{FFFD}') {
                    return fallback;
                }
            }
            _ => {}
        }
        return Decoded {
            text: text.into_owned(),
            encoding: http,
        };
    }
    decode_with(declared.unwrap_or(UTF_8), bytes)
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding,
    }
}

/// The `charset` parameter of a Content-Type header, if it names an encoding we know.
fn http_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let label = value.trim().trim_matches(|c| c == '"' || c == '\'');
        Encoding::for_label(label.as_bytes())
    })
}

/// The `encoding` of the XML declaration, read as ASCII (as every encoding we accept writes it).
///
/// A declaration of UTF-16 read through ASCII bytes contradicts itself: such a document is
/// really in an ASCII-compatible encoding, so the declaration is ignored, as browsers do.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.starts_with(&[0x3C, 0x00, 0x3F, 0x00]) {
        return Some(UTF_16LE);
    }
    if bytes.starts_with(&[0x00, 0x3C, 0x00, 0x3F]) {
        return Some(UTF_16BE);
    }
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &bytes[start..bytes.len().min(start + 512)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let label = attribute_value(decl, "encoding")?;
    let encoding = Encoding::for_label(label.as_bytes())?;
    if encoding == UTF_16LE || encoding == UTF_16BE {
        return None;
    }
    Some(encoding)
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
        assert_eq!(decoded.encoding, encoding_rs::WINDOWS_1251);
        assert!(decoded.text.ends_with("<a>Лук"));
    }

    #[test]
    fn bom_overrides_declaration() {
        let mut doc = vec![0xEF, 0xBB, 0xBF];
        doc.extend_from_slice("<?xml version=\"1.0\" encoding=\"KOI8-R\"?><a>é</a>".as_bytes());
        let decoded = decode(&doc, Some("text/xml; charset=iso-8859-1"));
        assert_eq!(decoded.encoding, UTF_8);
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
    }

    #[test]
    fn utf16_with_bom() {
        let mut doc = vec![0xFF, 0xFE];
        for unit in "<rss>Ж</rss>".encode_utf16() {
            doc.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&doc, None).text, "<rss>Ж</rss>");
    }
}
