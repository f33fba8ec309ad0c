//! OFAC's classic XML (sdnList: SDN.XML and the consolidated CONS_PRIM XML).

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct OfacXml;

impl SourceFormat for OfacXml {
    fn kind(&self) -> &'static str {
        "ofac_xml"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
