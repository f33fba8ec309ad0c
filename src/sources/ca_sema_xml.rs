//! Canada's consolidated autonomous sanctions list (data-set / record).

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct CaSemaXml;

impl SourceFormat for CaSemaXml {
    fn kind(&self) -> &'static str {
        "ca_sema_xml"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
