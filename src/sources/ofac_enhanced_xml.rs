//! OFAC's enhanced XML (sanctionsData).

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct OfacEnhancedXml;

impl SourceFormat for OfacEnhancedXml {
    fn kind(&self) -> &'static str {
        "ofac_enhanced_xml"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
