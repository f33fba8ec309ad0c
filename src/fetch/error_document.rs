//! What a server says when it sends an error document instead of the list: an object store's
//! XML error (`<Error><Code>NoSuchKey</Code><Message>…</Message></Error>`, as Amazon S3, Google
//! Cloud Storage and Azure answer a wrong or expired signed URL) or an HTML page's title. The
//! publisher's own words are what a user needs in `status` to fix the URL.

use quick_xml::events::Event;

/// The most characters of a publisher's message kept, so a status line stays one line.
const MAX_MESSAGE: usize = 300;

/// What an error document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorDocument {
    /// An object store's XML error: its code (`NoSuchKey`, `AccessDenied`, `BlobNotFound`…)
    /// and message.
    ObjectStore {
        code: String,
        message: Option<String>,
    },
    /// An HTML page, with its title when it has one.
    Html { title: Option<String> },
}

impl std::fmt::Display for ErrorDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorDocument::ObjectStore {
                code,
                message: Some(m),
            } => write!(f, "the server sent an error document: {code}: {m}"),
            ErrorDocument::ObjectStore {
                code,
                message: None,
            } => {
                write!(f, "the server sent an error document: {code}")
            }
            ErrorDocument::Html { title: Some(t) } => write!(f, "an HTML page titled {t:?}"),
            ErrorDocument::Html { title: None } => write!(f, "an HTML page"),
        }
    }
}

/// Reads `bytes` as an error document, if it is one. A list document (any other XML root,
/// CSV, JSON) is not.
pub fn read(bytes: &[u8]) -> Option<ErrorDocument> {
    let start = skip_bom_and_space(bytes);
    if looks_like_html(start) {
        return Some(ErrorDocument::Html {
            title: html_title(start),
        });
    }
    if start.first() != Some(&b'<') {
        return None;
    }
    object_store_error(start)
}

/// `<!DOCTYPE html>`, `<html>`, or an XML declaration followed by `<html>`, in the first bytes.
pub fn looks_like_html(start: &[u8]) -> bool {
    let head: Vec<u8> = start
        .iter()
        .take(512)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let head = String::from_utf8_lossy(&head);
    let head = head.trim_start();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with("<?xml") && head.contains("<html"))
}

pub fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[first..]
}

fn html_title(page: &[u8]) -> Option<String> {
    // An error page is small; a title further in than this is not the page's own.
    let head = String::from_utf8_lossy(&page[..page.len().min(64 * 1024)]);
    let lower = head.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let text_start = open + lower[open..].find('>')? + 1;
    let text_end = text_start + lower[text_start..].find("</title")?;
    clean(&html_escape::decode_html_entities(
        &head[text_start..text_end],
    ))
}

/// An XML document whose root element is `Error`, with its `Code` and `Message` children.
fn object_store_error(doc: &[u8]) -> Option<ErrorDocument> {
    let mut reader = quick_xml::Reader::from_reader(doc);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut field: Option<&'static str> = None;
    let (mut code, mut message) = (None, None);
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) => {
                depth += 1;
                let name = e.local_name();
                if depth == 1 && name.as_ref() != b"Error" {
                    return None;
                }
                field = match (depth, name.as_ref()) {
                    (2, b"Code") => Some("code"),
                    (2, b"Message") => Some("message"),
                    _ => None,
                };
            }
            Event::Empty(e) if depth == 0 => {
                return (e.local_name().as_ref() == b"Error").then(|| ErrorDocument::ObjectStore {
                    code: "Error".into(),
                    message: None,
                })
            }
            Event::Text(t) => {
                if let (Some(f), Ok(text)) = (field, t.unescape()) {
                    match f {
                        "code" => code = clean(&text),
                        _ => message = clean(&text),
                    }
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                field = None;
                if depth == 0 {
                    break;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(ErrorDocument::ObjectStore {
        code: code.unwrap_or_else(|| "Error".into()),
        message,
    })
}

/// Whitespace collapsed, cut at [`MAX_MESSAGE`] characters; `None` when blank.
fn clean(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let joined = words.join(" ");
    Some(match joined.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_s3_no_such_key_document_gives_its_code_and_message() {
        // The shape Amazon S3 answers a GET of a missing key with.
        let doc = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>exports/SDN.XMLL</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>";
        assert_eq!(
            read(doc).unwrap().to_string(),
            "the server sent an error document: NoSuchKey: The specified key does not exist."
        );
    }

    #[test]
    fn an_html_page_gives_its_title() {
        let page = b"\n<!DOCTYPE html>\n<html><head><title>502 Bad\n Gateway &amp; more</title></head><body>x</body></html>";
        assert_eq!(
            read(page),
            Some(ErrorDocument::Html {
                title: Some("502 Bad Gateway & more".into())
            })
        );
    }

    #[test]
    fn list_documents_are_not_error_documents() {
        for doc in [
            &b"<?xml version=\"1.0\"?><sdnList><publshInformation/></sdnList>"[..],
            b"<CONSOLIDATED_LIST dateGenerated=\"2021-07-01\"/>",
            b"\"36\",\"AEROCARIBBEAN AIRLINES\",\"-0- \"",
            b"{\"id\": \"NK-1\"}",
            b"<rss version=\"2.0\"><channel><title>Error</title></channel></rss>",
        ] {
            assert_eq!(read(doc), None, "{}", String::from_utf8_lossy(doc));
        }
    }
}
