//! The UN Security Council consolidated list, XML.

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct UnScXml;

impl SourceFormat for UnScXml {
    fn kind(&self) -> &'static str {
        "un_sc_xml"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
