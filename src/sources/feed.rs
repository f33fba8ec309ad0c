//! News feeds: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0, in any declared encoding.

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct Feed;

impl SourceFormat for Feed {
    fn kind(&self) -> &'static str {
        "feed"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
