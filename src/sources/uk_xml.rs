//! The UK Sanctions List XML (Designations / Designation).

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct UkSanctionsXml;

impl SourceFormat for UkSanctionsXml {
    fn kind(&self) -> &'static str {
        "uk_sanctions_xml"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
