//! The EU Financial Sanctions Files XML 1.1 (export / sanctionEntity).

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct EuFsfXml;

impl SourceFormat for EuFsfXml {
    fn kind(&self) -> &'static str {
        "eu_fsf_xml"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
