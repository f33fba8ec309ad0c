//! The US Consolidated Screening List CSV.

use super::{Body, ParseError, Parsed, SourceFormat};

pub struct UsCslCsv;

impl SourceFormat for UsCslCsv {
    fn kind(&self) -> &'static str {
        "us_csl_csv"
    }
    fn parse(&self, bodies: &[Body]) -> Result<Parsed, ParseError> {
        let _ = bodies;
        Err(ParseError::WrongFormat {
            url: String::new(),
            reason: "not yet".into(),
        })
    }
}
